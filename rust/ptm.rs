// SPDX-License-Identifier: GPL-2.0

//! The ptm target (STREAMS major 23) and its pts slave side (the pts
//! driver, STREAMS major 24: minor N is the slave of ptm minor N).
//!
//! ```text
//!  The master/slave state machine of one pair (flags as in Solaris ptms):
//!
//!   open /dev/clone-ptmx (CLONEOPEN) --> lowest free minor m, PTMOPEN|PTLOCK
//!   open /dev/ptmajor (no CLONEOPEN) --> EINVAL, nothing allocated
//!   all pt_cnt minors in use        --> ENODEV
//!
//!   UNLKPT on the master            --> clears PTLOCK
//!   GRANTPT on the master           --> slave owner := caller's euid; the
//!                                       node /dev/strpts/m (made now if it
//!                                       is not there yet) := caller's real
//!                                       uid, tty_gid or real gid, 0620
//!   PTMGETPTN on the master         --> m; makes /dev/strpts/m if needed
//!   PTMGETPEER(flags) on the master --> EIO while PTLOCK or once the pair hung
//!                                       up; EACCES unless the calling task's
//!                                       euid is the slave's owner (initially
//!                                       the master's opener) or 0; else a new fd
//!                                       on the slave stream, PTSOPEN (a second
//!                                       call gives another fd on the same
//!                                       slave stream)
//!   open /dev/strpts/m              --> EAGAIN while PTLOCK or once the
//!                                       master closed, EIO once the slave
//!                                       closed (PTHUP); else the same slave
//!                                       stream PTMGETPEER gives (created
//!                                       here if there is none, PTSOPEN)
//!   master writes                   --> queued on the master's write queue;
//!                                       its service procedure moves them to
//!                                       the slave's stream head while that has
//!                                       room (they wait there until a slave
//!                                       exists); the same the other way round
//!   M_FLUSH(FLUSHW) from one side   --> flushes that side's write queue and
//!                                       arrives at the peer's head as FLUSHR;
//!                                       FLUSHR flushes this side's head and
//!                                       drops what the peer had queued for it
//!   last master fd closes           --> PTMOPEN cleared, slave gets M_HANGUP
//!   last slave fd closes            --> PTSOPEN cleared, master gets M_HANGUP
//!   M_HANGUP from the slave's ptem  --> (B0, or HUPCL at its last close)
//!                                       PTHUP, master gets M_HANGUP
//!   TIOCGWINSZ/TIOCSWINSZ on the    --> the pair's window size; a new one
//!   master                              goes up the slave to its ptem
//!                                       (`tty.rs`)
//!   neither PTMOPEN nor PTSOPEN     --> /dev/strpts/m is removed, then
//!                                       minor m is free again
//! ```
//!
//! One slave stream per pair: `PTMGETPEER` and opens of the node both go
//! through [`PtPair::new_slave`] under the pair's `serial` mutex, and a
//! second one joins the published stream with the reopen rule. A new slave
//! stream gets its autopush modules (configured for major 24, minor m)
//! before it is published, so a refused push leaves the pair as it was; the
//! driver close of a slave that was never published does nothing.
//!
//! Flow control crosses the pair: when the peer's head is full the service
//! procedure puts the message back and stops; when the peer's reader drains
//! the head below its low water mark, the head back-enables the peer's
//! driver read queue, whose service procedure re-enables this side's write
//! queue. A writer that finds its own write queue full sleeps (or gets
//! `EAGAIN`) at its stream head until that queue drains.

mod tty;

use crate::clone::Target;
use crate::echo::DRIVER_LIMITS;
use crate::glue::node::{file_minor, new_anon_file, DevNode, FdSlot};
use crate::glue::{cred, params};
use crate::log::{LogTarget, SL_ERROR, SL_TRACE, SL_WARN};
use crate::minors::{AllocFail, MinorPool};
use crate::modules::mctl::Winsize;
use crate::modules::ptem::{TIOCGWINSZ, TIOCSWINSZ};
use crate::streams::autopush::{Autopush, Opened};
use crate::streams::msg::{Mblk, MsgType, FLUSHR, FLUSHW};
use crate::streams::stream::{
    Driver, DriverLimits, Qid, Runtime, SFlag, Stream, TargetIoctl, HEAD_LIMITS,
};
use crate::uapi;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use kernel::{
    fs::{file::flags as oflags, File},
    new_mutex, new_spinlock,
    prelude::*,
    sync::{Arc, Mutex, SpinLock},
    uaccess::{UserPtr, UserSlice},
    xarray::{AllocKind, XArray},
};

/// The module id ptm logs under (its STREAMS major).
const PTM_MID: i16 = 23;

/// The master is open.
const PTMOPEN: u32 = 0x01;
/// The slave is open.
const PTSOPEN: u32 = 0x02;
/// The slave may not be opened yet.
const PTLOCK: u32 = 0x04;
/// One side closed: the pair is finished.
const PTHUP: u32 = 0x08;

/// Permission bits of a slave node before `GRANTPT`.
const NODE_MODE: u16 = 0o600;
/// Permission bits `GRANTPT` gives the slave node (Solaris' grantpt(3C)).
const GRANT_MODE: u16 = 0o620;

/// The ptm target, and the pairs the pts driver finds by minor.
#[pin_data]
pub(crate) struct PtmTarget {
    rt: Arc<Runtime>,
    log: Arc<LogTarget>,
    autopush: Arc<Autopush>,
    open: AtomicUsize,
    /// Slave streams published (the pts target's open count).
    slaves: AtomicUsize,
    #[pin]
    minors: MinorPool,
    /// The pairs whose slave node was made, from then until the minor is
    /// freed: how an open of `/dev/strpts/m` finds pair m. (A pair nobody
    /// asked the name of is not here, so its pair open+close costs no
    /// store.)
    #[pin]
    pairs: XArray<Arc<PtPair>>,
}

impl PtmTarget {
    /// A ptm target handing out minors `0..pt_cnt`; new slave streams get
    /// their autopush modules from `autopush`.
    pub(crate) fn new(
        rt: Arc<Runtime>,
        log: Arc<LogTarget>,
        pt_cnt: usize,
        autopush: Arc<Autopush>,
    ) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                rt,
                log,
                autopush,
                open: AtomicUsize::new(0),
                slaves: AtomicUsize::new(0),
                minors <- MinorPool::new(0, pt_cnt),
                pairs <- XArray::new(AllocKind::Alloc),
            }),
            GFP_KERNEL,
        )
    }

    /// The pair holding `minor`, if any.
    fn pair(&self, minor: u32) -> Option<Arc<PtPair>> {
        let g = self.pairs.lock();
        g.get(minor as usize).map(Arc::from)
    }

    /// Takes pair `minor` out of `pairs`: pts opens can no longer find it.
    fn unindex(&self, minor: u32) {
        let old = {
            let mut g = self.pairs.lock();
            g.remove(minor as usize)
        };
        // The pair itself may go with this reference: outside the lock.
        drop(old);
    }
}

/// `Arc<dyn Target>` face of the ptm target.
pub(crate) struct Ptm(pub(crate) Arc<PtmTarget>);

impl Target for Ptm {
    fn name(&self) -> &'static CStr {
        c"ptmx"
    }

    fn major(&self) -> u32 {
        uapi::PTM_MAJOR
    }

    fn clonable(&self) -> bool {
        true
    }

    fn open(&self, _file: &File, sflag: SFlag) -> Result<Opened> {
        // ptm is only ever opened through the clone driver.
        if sflag != SFlag::CloneOpen {
            return Err(EINVAL);
        }
        let t = &self.0;
        let minor = t.minors.alloc().map_err(|e| {
            let (err, what) = match e {
                AllocFail::Exhausted => (ENODEV, "all minors in use"),
                AllocFail::NoMemory => (ENOMEM, "out of memory for the minor bitmap"),
            };
            t.log.strlog(
                PTM_MID,
                0,
                0,
                SL_ERROR | SL_WARN,
                format_args!("ptm: open failed: {} (pt_cnt={})", what, t.minors.limit()),
            );
            err
        })?;
        let (euid, egid) = cred::eff_kids();
        let pair = match Arc::pin_init(
            pin_init!(PtPair {
                minor,
                ptm: t.clone(),
                state <- new_spinlock!(PairState {
                    flags: PTMOPEN | PTLOCK,
                    master: None,
                    slave: None,
                    owner_uid: cred::euid(),
                    ws: Winsize::default(),
                }, "PtPair::state"),
                serial <- new_mutex!(NodeSlot {
                    node: None,
                    attrs: NodeAttrs { uid: euid, gid: egid, mode: NODE_MODE },
                    indexed: false,
                }, "PtPair::serial"),
                named: AtomicBool::new(false),
            }),
            GFP_KERNEL_ACCOUNT,
        ) {
            Ok(p) => p,
            Err(e) => {
                t.minors.free(minor);
                return Err(e);
            }
        };
        let side = KBox::new(
            PtSide {
                pair: pair.clone(),
                master: true,
            },
            GFP_KERNEL_ACCOUNT,
        );
        let stream = match side
            .map_err(Error::from)
            .and_then(|d| Stream::new(uapi::PTM_MAJOR, minor, d, &t.rt))
        {
            Ok(s) => s,
            Err(e) => {
                t.minors.free(minor);
                return Err(e);
            }
        };
        pair.state.lock().master = Some(stream.clone());
        t.open.fetch_add(1, Ordering::Relaxed);
        t.log.strlog(
            PTM_MID,
            // log_ctl's sid is a short: large minors log as i16::MAX.
            i16::try_from(minor).unwrap_or(i16::MAX),
            1,
            SL_TRACE,
            format_args!("ptm: minor {} opened", minor),
        );
        Ok(Opened::created(stream))
    }

    fn open_count(&self) -> usize {
        self.0.open.load(Ordering::Relaxed)
    }

    fn limit(&self) -> usize {
        self.0.minors.limit()
    }
}

/// `Arc<dyn Target>` face of the pts driver (STREAMS major 24): its minor
/// N is the slave of ptm minor N, opened through `/dev/strpts/N`.
pub(crate) struct Pts(pub(crate) Arc<PtmTarget>);

impl Target for Pts {
    fn name(&self) -> &'static CStr {
        c"pts"
    }

    fn major(&self) -> u32 {
        uapi::PTS_MAJOR
    }

    fn clonable(&self) -> bool {
        false
    }

    fn open(&self, file: &File, sflag: SFlag) -> Result<Opened> {
        // As illumos' ptsopen: no clone open.
        if sflag != SFlag::Normal {
            return Err(EINVAL);
        }
        // The VFS would refuse O_DIRECT only after this open, by closing
        // the new file: the slave's close would finish the pair.
        if file.flags() & oflags::O_DIRECT != 0 {
            return Err(EINVAL);
        }
        let pair = self.0.pair(file_minor(file)).ok_or(ENXIO)?;
        pair.open_node()
    }

    fn open_count(&self) -> usize {
        self.0.slaves.load(Ordering::Relaxed)
    }

    fn limit(&self) -> usize {
        self.0.minors.limit()
    }
}

/// Owner, group (kernel ids) and permission bits of a slave node.
#[derive(Copy, Clone, PartialEq, Eq)]
struct NodeAttrs {
    uid: u32,
    gid: u32,
    mode: u16,
}

/// The slave's `/dev` node and what it is (or is to be) made with.
struct NodeSlot {
    node: Option<DevNode>,
    attrs: NodeAttrs,
    /// The pair is in `ptm.pairs` (from its first node on).
    indexed: bool,
}

struct PairState {
    flags: u32,
    master: Option<Arc<Stream>>,
    slave: Option<Arc<Stream>>,
    owner_uid: u32,
    /// The window size (the slave's `ptem` keeps the same, see
    /// [`PtSide::winsize`]).
    ws: Winsize,
}

/// One master/slave pair.
///
/// # Invariants
///
/// `state.master`/`state.slave` are `Some` exactly while that side is open
/// (PTMOPEN/PTSOPEN); they are the only references from the pair to its
/// streams, so closing both sides breaks every reference cycle. The pair is
/// in `ptm.pairs` at index `minor` exactly while `serial.indexed`; neither
/// that nor `serial.node` outlives the minor.
#[pin_data]
struct PtPair {
    minor: u32,
    ptm: Arc<PtmTarget>,
    #[pin]
    state: SpinLock<PairState>,
    /// Serialises the making of the slave stream (PTMGETPEER, node opens)
    /// and of the slave node (GRANTPT, PTMGETPTN, the last close); process
    /// context only.
    #[pin]
    serial: Mutex<NodeSlot>,
    /// Set (under `serial`) when the pair is first indexed: until then it
    /// has no node and is not in `ptm.pairs`, and its last close need not
    /// take `serial`.
    named: AtomicBool,
}

impl PtPair {
    fn peer(&self, of_master: bool) -> Option<Arc<Stream>> {
        let st = self.state.lock();
        if of_master {
            st.slave.clone()
        } else {
            st.master.clone()
        }
    }

    fn is_hung(&self) -> bool {
        self.state.lock().flags & PTHUP != 0
    }

    /// A new slave stream with its autopush modules pushed, not yet the
    /// pair's (the caller holds `serial`). On failure nothing is left.
    fn new_slave(self: &Arc<Self>) -> Result<Arc<Stream>> {
        let d = KBox::new(
            PtSide {
                pair: self.clone(),
                master: false,
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        let new = Stream::new(uapi::PTS_MAJOR, self.minor, d, &self.ptm.rt)?;
        // A refused push releases the stream; its close does nothing to the
        // pair, which has not seen it.
        self.ptm.autopush.finish_open(Opened::created(new))
    }

    /// Makes `new` the pair's slave (PTSOPEN), unless the master has closed
    /// or the pair hung up meanwhile; returns whether it did. The caller
    /// holds `serial`.
    fn publish(&self, new: &Arc<Stream>) -> bool {
        let master = {
            let mut st = self.state.lock();
            if st.flags & PTHUP != 0 || st.flags & PTMOPEN == 0 {
                return false;
            }
            st.flags |= PTSOPEN;
            st.slave = Some(new.clone());
            st.master.clone()
        };
        self.ptm.slaves.fetch_add(1, Ordering::Relaxed);
        // Data the master wrote before the slave existed can flow now.
        if let Some(m) = master {
            m.qenable(Qid::DrvW);
        }
        true
    }

    /// An open of `/dev/strpts/<minor>`: errnos as illumos' `ptsopen`
    /// (EAGAIN while locked or without a master), EIO once the slave has
    /// closed (strclone never reopens a finished pair).
    fn open_node(self: &Arc<Self>) -> Result<Opened> {
        let _serial = self.serial.lock();
        let existing = {
            let st = self.state.lock();
            if st.flags & PTLOCK != 0 || st.flags & PTMOPEN == 0 {
                return Err(EAGAIN);
            }
            if st.flags & PTHUP != 0 {
                return Err(EIO);
            }
            st.slave.clone()
        };
        if let Some(sl) = existing {
            if !sl.try_add_open() {
                // Its last file is closing: the pair is finished.
                return Err(EIO);
            }
            // The reopen rule: every pushed module's open, then ours.
            sl.reopen().inspect_err(|_| sl.undo_add_open())?;
            return Ok(Opened::existing(sl));
        }
        let new = self.new_slave()?;
        if !self.publish(&new) {
            new.release(false);
            return Err(EAGAIN);
        }
        // Autopushed already, before it was published.
        Ok(Opened::existing(new))
    }

    /// Makes the slave node with `attrs` (`None`: as it is to be), unless
    /// it exists with them already. A node with other attributes is
    /// removed first (devtmpfs takes owner and mode only at creation); if
    /// the new one cannot be made, the old one is put back if it can be.
    fn set_node(self: &Arc<Self>, attrs: Option<NodeAttrs>) -> Result {
        let mut n = self.serial.lock();
        let want = attrs.unwrap_or(n.attrs);
        if n.node.is_some() && n.attrs == want {
            return Ok(());
        }
        if !n.indexed {
            // Findable before the node appears, so it opens at once.
            let stored = {
                let mut g = self.ptm.pairs.lock();
                g.store(self.minor as usize, self.clone(), GFP_KERNEL_ACCOUNT)
            };
            // Nothing was there (the last pair on this minor took itself
            // out before the minor was freed); dropped outside the lock.
            drop(stored.map_err(|e| e.error)?);
            n.indexed = true;
            self.named.store(true, Ordering::Release);
        }
        let had = n.node.take().map(drop).is_some();
        match DevNode::create(self.minor, want.uid, want.gid, want.mode) {
            Ok(d) => {
                n.node = Some(d);
                n.attrs = want;
                Ok(())
            }
            Err(e) => {
                if had {
                    let a = n.attrs;
                    n.node = DevNode::create(self.minor, a.uid, a.gid, a.mode).ok();
                }
                Err(e)
            }
        }
    }
}

/// The driver state of one side of a pair.
struct PtSide {
    pair: Arc<PtPair>,
    master: bool,
}

impl PtSide {
    fn get_peer_fd(&self, s: &Arc<Stream>, flags: usize) -> Result<isize> {
        let allowed = oflags::O_ACCMODE
            | oflags::O_NOCTTY
            | oflags::O_NONBLOCK
            | oflags::O_CLOEXEC
            | oflags::O_LARGEFILE;
        let flags = u32::try_from(flags).map_err(|_| EINVAL)?;
        if flags & !allowed != 0 || flags & oflags::O_ACCMODE == oflags::O_ACCMODE {
            return Err(EINVAL);
        }
        let uid = cred::euid();
        let check = |st: &PairState| -> Result {
            if st.flags & (PTLOCK | PTHUP) != 0 || st.flags & PTMOPEN == 0 {
                return Err(EIO);
            }
            if uid != 0 && uid != st.owner_uid {
                return Err(EACCES);
            }
            Ok(())
        };
        // One slave maker at a time per pair (PTMGETPEER, node opens), so
        // exactly one creates and publishes the slave stream.
        let _serial = self.pair.serial.lock();
        check(&self.pair.state.lock())?;
        // Reserve the fd and make the file before the slave is published:
        // a failure (EMFILE, ENFILE, ENOMEM) then leaves the pair untouched.
        let slot = FdSlot::reserve(flags)?;
        let existing = self.pair.state.lock().slave.clone();
        let file = match existing {
            Some(sl) => {
                if !sl.try_add_open() {
                    // Its last fd is closing: the pair is finished.
                    return Err(EIO);
                }
                sl.reopen().inspect_err(|_| sl.undo_add_open())?;
                new_anon_file(c"strclone-pts", sl.clone(), flags)
                    .inspect_err(|_| sl.release(false))?
            }
            None => {
                let new = self.pair.new_slave()?;
                // Dropping the file on an error releases the stream, whose
                // close does nothing to the pair: it was never published.
                let file = new_anon_file(c"strclone-pts", new.clone(), flags)
                    .inspect_err(|_| new.release(false))?;
                if !self.pair.publish(&new) {
                    // The master closed or the pair hung up meanwhile.
                    return Err(EIO);
                }
                file
            }
        };
        let fd = slot.install(file);
        // Data written before the slave existed can flow now.
        s.qenable(Qid::DrvW);
        Ok(fd as isize)
    }

    /// Moves messages from this side's write queue to the peer's head.
    fn forward(&self, s: &Arc<Stream>) {
        loop {
            let peer = self.pair.peer(self.master);
            let Some(peer) = peer else {
                if self.pair.is_hung() {
                    // Nobody will ever read these.
                    s.flushq(Qid::DrvW, true);
                }
                // Before the slave opens, data waits on the master's queue.
                return;
            };
            let Some(m) = s.getq(Qid::DrvW) else {
                return;
            };
            if !peer.canputnext(Qid::DrvR) {
                s.putbq(Qid::DrvW, m);
                return;
            }
            peer.putnext(Qid::DrvR, m);
        }
    }

    fn flush(&self, s: &Arc<Stream>, mut m: Mblk) {
        let flags = m.flush_flags();
        let peer = self.pair.peer(self.master);
        if flags & FLUSHW != 0 {
            s.flushq(Qid::DrvW, false);
            if let Some(p) = &peer {
                // What we flushed was on its way to the peer's read side.
                if let Ok(fm) = Mblk::flush(FLUSHR, GFP_ATOMIC) {
                    p.putnext(Qid::DrvR, fm);
                }
            }
        }
        if flags & FLUSHR != 0 {
            s.flushq(Qid::DrvR, false);
            if let Some(p) = &peer {
                // And what the peer queued for us.
                p.flushq(Qid::DrvW, false);
            }
            m.set_flush_flags(FLUSHR);
            s.qreply(m);
        }
    }
}

impl Driver for PtSide {
    fn name(&self) -> &'static CStr {
        if self.master {
            c"ptm"
        } else {
            c"pts"
        }
    }

    fn limits(&self) -> DriverLimits {
        DriverLimits {
            rlim: HEAD_LIMITS,
            wlim: DRIVER_LIMITS,
            rsrv: true,
            wsrv: true,
        }
    }

    fn wput(&self, s: &Arc<Stream>, m: Mblk) {
        match m.ty() {
            MsgType::Data | MsgType::Proto => {
                // Fast path: straight to the peer's head when nothing waits
                // ahead of this message and the peer has room; otherwise the
                // service procedure forwards it in order.
                if s.can_bypass(Qid::DrvW) {
                    if let Some(p) = self.pair.peer(self.master) {
                        if p.canputnext(Qid::DrvR) {
                            p.putnext(Qid::DrvR, m);
                            return;
                        }
                    }
                }
                s.putq(Qid::DrvW, m)
            }
            MsgType::PcProto => {
                if let Some(p) = self.pair.peer(self.master) {
                    p.putnext(Qid::DrvR, m);
                }
            }
            MsgType::Flush => self.flush(s, m),
            MsgType::Ctl if !self.master => self.ctl(s, m),
            // ptem dropped the line (B0, or HUPCL at the last close).
            MsgType::Hangup if !self.master => self.hangup_master(),
            // ptem's break (TCSBRK): the master's modules see it; its
            // stream head frees it (as illumos' without pckt).
            MsgType::Break if !self.master => {
                if let Some(p) = self.pair.peer(false) {
                    p.putnext(Qid::DrvR, m);
                }
            }
            MsgType::Ioctl => {
                // No driver-level ioctls: answer every one negatively
                // (EINVAL for I_STR, ENOTTY for a transparent ioctl).
                let mut m = m;
                m.ioc_nak_unknown();
                s.qreply(m);
            }
            _ => drop(m),
        }
    }

    fn wsrv(&self, s: &Arc<Stream>) {
        self.forward(s);
    }

    fn rsrv(&self, _s: &Arc<Stream>) {
        // Our head drained: let the peer's write side send again.
        if let Some(p) = self.pair.peer(self.master) {
            p.qenable(Qid::DrvW);
        }
    }

    fn close(&self, s: &Arc<Stream>) {
        let (peer, free) = {
            let mut st = self.pair.state.lock();
            if !self.master && !st.slave.as_ref().is_some_and(|p| Arc::ptr_eq(p, s)) {
                // A slave stream that was never published (its autopush or
                // its file failed): the pair never saw it.
                return;
            }
            if self.master {
                st.flags &= !PTMOPEN;
                st.master = None;
            } else {
                st.flags &= !PTSOPEN;
                st.slave = None;
            }
            st.flags |= PTHUP;
            let peer = if self.master {
                st.slave.clone()
            } else {
                st.master.clone()
            };
            (peer, st.flags & (PTMOPEN | PTSOPEN) == 0)
        };
        if let Some(p) = peer {
            p.hangup();
            // Messages it still had queued for us will never be read.
            p.flushq(Qid::DrvW, true);
        }
        if self.master {
            self.pair.ptm.open.fetch_sub(1, Ordering::Relaxed);
        } else {
            self.pair.ptm.slaves.fetch_sub(1, Ordering::Relaxed);
        }
        // Unnamed: no node, not indexed, and nothing can name it now (only
        // the master's ioctls do, and the master has closed).
        if free && self.pair.named.load(Ordering::Acquire) {
            // The node goes before the minor does: a later pair on this
            // minor makes its own (devtmpfs has one name per minor), and no
            // stale node leads anyone to it.
            let (node, indexed) = {
                let mut n = self.pair.serial.lock();
                (n.node.take(), core::mem::replace(&mut n.indexed, false))
            };
            drop(node);
            if indexed {
                self.pair.ptm.unindex(self.pair.minor);
            }
        }
        if free {
            self.pair.ptm.minors.free(self.pair.minor);
        }
    }

    fn target_ioctl(&self) -> Option<&dyn TargetIoctl> {
        Some(self)
    }
}

impl TargetIoctl for PtSide {
    fn ioctl(&self, s: &Arc<Stream>, _file: &File, cmd: u32, arg: usize) -> Option<Result<isize>> {
        if !self.master {
            // The master's commands are not a slave's: ENOTTY here, at
            // once, rather than as transparent ioctls down the slave's
            // stream (whose modules, memory or hangup would decide).
            return matches!(
                cmd,
                uapi::ISPTM | uapi::UNLKPT | uapi::GRANTPT | uapi::PTMGETPEER | uapi::PTMGETPTN
            )
            .then_some(Err(ENOTTY));
        }
        Some(match cmd {
            uapi::ISPTM => Ok(0),
            uapi::UNLKPT => {
                self.pair.state.lock().flags &= !PTLOCK;
                Ok(0)
            }
            uapi::GRANTPT => {
                // grantpt(3C): the node belongs to the caller's real uid,
                // the tty group (no group database in the kernel: the
                // tty_gid parameter names it) or else the caller's real
                // gid, mode 0620.
                let (uid, gid) = cred::real_kids();
                let gid = params::tty_gid().unwrap_or(gid);
                self.pair
                    .set_node(Some(NodeAttrs {
                        uid,
                        gid,
                        mode: GRANT_MODE,
                    }))
                    .map(|()| {
                        self.pair.state.lock().owner_uid = cred::euid();
                        0
                    })
            }
            uapi::PTMGETPEER => self.get_peer_fd(s, arg),
            TIOCGWINSZ | TIOCSWINSZ => self.winsize(cmd, arg),
            uapi::PTMGETPTN => self.pair.set_node(None).and_then(|()| {
                let mut w = UserSlice::new(UserPtr::from_addr(arg), 4).writer();
                w.write(&self.pair.minor).map(|()| 0)
            }),
            _ => return None,
        })
    }
}
