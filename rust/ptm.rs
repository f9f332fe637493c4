// SPDX-License-Identifier: GPL-2.0

//! The ptm target (STREAMS major 23) and its pts slave side.
//!
//! ```text
//!  The master/slave state machine of one pair (flags as in Solaris ptms):
//!
//!   open /dev/clone-ptmx (CLONEOPEN) --> lowest free minor m, PTMOPEN|PTLOCK
//!   open /dev/ptmajor (no CLONEOPEN) --> EINVAL, nothing allocated
//!   all pt_cnt minors in use        --> ENODEV
//!
//!   UNLKPT on the master            --> clears PTLOCK
//!   GRANTPT on the master           --> slave owner := caller's euid
//!   PTMGETPEER(flags) on the master --> EIO while PTLOCK or once the pair hung
//!                                       up; EACCES unless the calling task's
//!                                       euid is the slave's owner (initially
//!                                       the master's opener) or 0; else a new fd
//!                                       on the slave stream, PTSOPEN (a second
//!                                       call gives another fd on the same
//!                                       slave stream)
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
//!   neither PTMOPEN nor PTSOPEN     --> minor m is free again
//! ```
//!
//! Flow control crosses the pair: when the peer's head is full the service
//! procedure puts the message back and stops; when the peer's reader drains
//! the head below its low water mark, the head back-enables the peer's
//! driver read queue, whose service procedure re-enables this side's write
//! queue. A writer that finds its own write queue full sleeps (or gets
//! `EAGAIN`) at its stream head until that queue drains.

use crate::clone::Target;
use crate::echo::DRIVER_LIMITS;
use crate::glue::cred;
use crate::glue::node::{new_anon_file, FdSlot};
use crate::log::{LogTarget, SL_ERROR, SL_TRACE, SL_WARN};
use crate::minors::{AllocFail, MinorPool};
use crate::streams::autopush::Opened;
use crate::streams::msg::{Mblk, MsgType, FLUSHR, FLUSHW};
use crate::streams::stream::{
    Driver, DriverLimits, Qid, Runtime, SFlag, Stream, TargetIoctl, HEAD_LIMITS,
};
use crate::uapi;
use core::sync::atomic::{AtomicUsize, Ordering};
use kernel::{
    fs::{file::flags as oflags, File},
    new_mutex, new_spinlock,
    prelude::*,
    sync::{Arc, Mutex, SpinLock},
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

/// The ptm target.
#[pin_data]
pub(crate) struct PtmTarget {
    rt: Arc<Runtime>,
    log: Arc<LogTarget>,
    open: AtomicUsize,
    #[pin]
    minors: MinorPool,
}

impl PtmTarget {
    /// A ptm target handing out minors `0..pt_cnt`.
    pub(crate) fn new(rt: Arc<Runtime>, log: Arc<LogTarget>, pt_cnt: usize) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                rt,
                log,
                open: AtomicUsize::new(0),
                minors <- MinorPool::new(0, pt_cnt),
            }),
            GFP_KERNEL,
        )
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
        let pair = match Arc::pin_init(
            pin_init!(PtPair {
                minor,
                ptm: t.clone(),
                state <- new_spinlock!(PairState {
                    flags: PTMOPEN | PTLOCK,
                    master: None,
                    slave: None,
                    owner_uid: cred::euid(),
                }, "PtPair::state"),
                getpeer <- new_mutex!((), "PtPair::getpeer"),
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

struct PairState {
    flags: u32,
    master: Option<Arc<Stream>>,
    slave: Option<Arc<Stream>>,
    owner_uid: u32,
}

/// One master/slave pair.
///
/// # Invariants
///
/// `state.master`/`state.slave` are `Some` exactly while that side is open
/// (PTMOPEN/PTSOPEN); they are the only references from the pair to its
/// streams, so closing both sides breaks every reference cycle.
#[pin_data]
struct PtPair {
    minor: u32,
    ptm: Arc<PtmTarget>,
    #[pin]
    state: SpinLock<PairState>,
    /// Serialises PTMGETPEER (process context only).
    #[pin]
    getpeer: Mutex<()>,
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
        // One PTMGETPEER at a time per pair, so exactly one caller creates
        // and publishes the slave stream.
        let _serial = self.pair.getpeer.lock();
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
                new_anon_file(c"strclone-pts", sl.clone(), flags).inspect_err(|_| sl.release())?
            }
            None => {
                let d = KBox::new(
                    PtSide {
                        pair: self.pair.clone(),
                        master: false,
                    },
                    GFP_KERNEL_ACCOUNT,
                )?;
                let new = Stream::new(uapi::PTM_MAJOR, self.pair.minor, d, &self.pair.ptm.rt)?;
                let file = new_anon_file(c"strclone-pts", new.clone(), flags)
                    .inspect_err(|_| new.discard())?;
                let finished = {
                    let mut st = self.pair.state.lock();
                    st.flags |= PTSOPEN;
                    st.slave = Some(new.clone());
                    st.flags & PTHUP != 0 || st.flags & PTMOPEN == 0
                };
                if finished {
                    // The master closed while we were making the file.
                    new.hangup();
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

    fn close(&self, _s: &Arc<Stream>) {
        let (peer, free) = {
            let mut st = self.pair.state.lock();
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
                uapi::ISPTM | uapi::UNLKPT | uapi::GRANTPT | uapi::PTMGETPEER
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
                self.pair.state.lock().owner_uid = cred::euid();
                Ok(0)
            }
            uapi::PTMGETPEER => self.get_peer_fd(s, arg),
            _ => return None,
        })
    }
}
