// SPDX-License-Identifier: GPL-2.0

//! STREAMS pipes (the pipe target, STREAMS major 73), and `I_SENDFD`.
//!
//! A clone open of `/dev/clone-pipe` makes a new pipe N and returns its
//! end 0 (minor 2N); `STRCLONE_PIPEPEER` on it returns a descriptor for
//! end 1 (minor 2N+1), once. libstrclone's `s_pipe()` does both. Each end
//! is a full stream: a stream head, any pushed modules, and a `PipeEnd`
//! driver that hands what is written on one end to the other end's read
//! side, as SVR4's cross-connected stream heads do:
//!
//! ```text
//!  write(end 0) -> head 0 -> modules 0 -> PipeEnd 0 --.    .-- PipeEnd 1 <- ...
//!                                                      \  /
//!  read(end 0)  <- head 0 <- modules 0 <---------------+\/+
//!                                                      /\
//!  read(end 1)  <- head 1 <- modules 1 <--------------'  '
//! ```
//!
//! Flow control crosses the pipe as in ptm: a message goes straight to the
//! other end's read side when nothing waits ahead of it and there is room;
//! otherwise it waits on the writer's driver write queue, whose service
//! procedure moves it on when the other end's reader drains its head (the
//! head back-enables the other driver's read queue, whose service
//! procedure runs this write queue's, in the reader's context). Data
//! written before end 1 exists waits there too. A driver read queue never
//! holds a message (its put procedure is the default one, which passes
//! each on), so its service procedure only ever runs the other end's write
//! queue: a message may go straight up while that runs
//! (`Stream::put_up_passing`), and the write queue it comes from keeps the
//! order (nothing passes a message waiting there).
//!
//! `M_FLUSH` crosses unchanged, as in SVR4, so a pipe flushes the right
//! queues only with `pipemod` pushed on one end (it exchanges `FLUSHR` and
//! `FLUSHW`). Messages waiting on a driver write queue are the tail of the
//! other end's head read queue, and are flushed whenever that head flushes
//! its read side: the driver works out from the `pipemod`s pushed on each
//! end which head a flush reaches as `FLUSHR`.
//!
//! Closing an end hangs up the other (`M_HANGUP`: its reads drain what is
//! queued, what the closing end still had waiting for it included, then
//! return 0; a pipe end's close never waits, its close time is 0; its writes fail, with `EPIPE` and `SIGPIPE`
//! under `SNDPIPE`, which both ends have from their open). The pipe's
//! number is free again when both ends have closed.
//!
//! `I_SENDFD` (answered here, for the stream head) sends an `M_PASSFP`
//! (`glue::passfp`) holding the file to the other end's read side as a
//! write's data goes (straight across, or behind what waits on this end's
//! write queue); `I_RECVFD` (`streams/head/passfp.rs`) takes it there.
//! One that waits on this end's write queue is freed with the rest when
//! the other end closes, as at that end's head. A file sent but
//! never received is closed when its message is freed. A pipe end waiting
//! in a message keeps its stream open, so passing pipe ends could build a
//! cycle that nothing ever frees (end A in flight to end B while B is in
//! flight to A, or B sent to itself). Each end counts the pipe ends in
//! flight towards it, and `I_SENDFD` refuses (`ETOOMANYREFS`) to send a
//! pipe end to itself or one that has pipe ends in flight towards it:
//! the last edge of any cycle would be such a send. Checks and counts are
//! under one lock for all pipes (`PipeTarget::send_lock`).

use crate::clone::Target;
use crate::glue::cred;
use crate::glue::node::{new_anon_file, FdSlot};
use crate::glue::passfp::{self, Sendable};
use crate::minors::{AllocFail, MinorPool};
use crate::modules::pipemod::reverse;
use crate::streams::autopush::{Autopush, Opened};
use crate::streams::msg::{Mblk, MsgType, FLUSHR, FLUSHW};
use crate::streams::queue::{QLimits, INFPSZ};
use crate::streams::stream::{
    Driver, DriverLimits, Qid, Runtime, SFlag, Stream, TargetIoctl, HEAD_LIMITS,
};
use crate::uapi;
use core::any::Any;
use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use kernel::{
    fs::{file::flags as oflags, File},
    new_spinlock,
    prelude::*,
    sync::{Arc, SpinLock},
};

/// Most pipes open at once (two minors each).
const PIPE_MAX: usize = 1 << 20;

/// A pipe end's driver write queue: what waits for room at the other end.
/// No packet size limit (a write goes across as one message), and room for
/// 64 KiB in flight, as a Linux pipe.
const DRV_LIMITS: QLimits = QLimits {
    minpsz: 0,
    maxpsz: INFPSZ,
    hiwat: 65536,
    lowat: 16384,
};

/// The pipe target.
#[pin_data]
pub(crate) struct PipeTarget {
    rt: Arc<Runtime>,
    autopush: Arc<Autopush>,
    open: AtomicUsize,
    #[pin]
    minors: MinorPool,
    /// Serialises `I_SENDFD`'s cycle check with its count (module doc).
    #[pin]
    send_lock: SpinLock<()>,
}

impl PipeTarget {
    /// The target; new ends get their autopush modules from `autopush`.
    pub(crate) fn new(rt: Arc<Runtime>, autopush: Arc<Autopush>) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                rt,
                autopush,
                open: AtomicUsize::new(0),
                minors <- MinorPool::new(0, PIPE_MAX),
                send_lock <- new_spinlock!((), "PipeTarget::send_lock"),
            }),
            GFP_KERNEL,
        )
    }
}

/// `Arc<dyn Target>` face of the pipe target.
pub(crate) struct Pipe(pub(crate) Arc<PipeTarget>);

impl Target for Pipe {
    fn name(&self) -> &'static CStr {
        c"pipe"
    }

    fn major(&self) -> u32 {
        uapi::PIPE_MAJOR
    }

    fn clonable(&self) -> bool {
        true
    }

    fn open(&self, _file: &File, sflag: SFlag) -> Result<Opened> {
        if sflag != SFlag::CloneOpen {
            return Err(EINVAL);
        }
        let t = &self.0;
        let n = t.minors.alloc().map_err(|e| match e {
            AllocFail::Exhausted => ENXIO,
            AllocFail::NoMemory => ENOMEM,
        })?;
        let pair = Arc::pin_init(
            pin_init!(PipePair {
                n,
                target: t.clone(),
                state <- new_spinlock!(PairState {
                    ends: [None, None],
                    peer_made: false,
                }, "PipePair::state"),
                ends_to: [AtomicUsize::new(0), AtomicUsize::new(0)],
                closed: AtomicU8::new(0),
            }),
            GFP_KERNEL_ACCOUNT,
        );
        let pair = match pair {
            Ok(p) => p,
            Err(e) => {
                t.minors.free(n);
                return Err(e);
            }
        };
        // From here the pair frees the number: when end 0 closes (or, if
        // it never opens, when the pair goes).
        let s = pair.new_end(0)?;
        pair.state.lock().ends[0] = Some(s.clone());
        t.open.fetch_add(1, Ordering::Relaxed);
        Ok(Opened::created(s))
    }

    fn open_count(&self) -> usize {
        self.0.open.load(Ordering::Relaxed)
    }

    fn limit(&self) -> usize {
        self.0.minors.limit()
    }
}

struct PairState {
    /// The ends' streams while they are open.
    ends: [Option<Arc<Stream>>; 2],
    /// End 1 was made, or is being made (`STRCLONE_PIPEPEER`).
    peer_made: bool,
}

/// One pipe.
///
/// # Invariants
///
/// `state.ends[i]` is `Some` exactly while end `i` is open; these are the
/// only references from the pipe to its streams, so closing both ends
/// breaks every reference cycle. `ends_to[i]` counts the `M_PASSFP`
/// messages alive that carry a pipe end towards end `i` (each holds a
/// [`InFlight`]). The pipe number is allocated until [`PipePair::drop`].
#[pin_data(PinnedDrop)]
struct PipePair {
    n: u32,
    target: Arc<PipeTarget>,
    #[pin]
    state: SpinLock<PairState>,
    ends_to: [AtomicUsize; 2],
    /// Ends that have closed (bit `side`): set under `state`'s lock, in the
    /// step that takes the end out of `ends`, before the closing end
    /// flushes the other end's write queue; so a look under the lock is
    /// exact, and `PipeEnd::flush_if_widowed` looks without it.
    closed: AtomicU8,
}

#[pinned_drop]
impl PinnedDrop for PipePair {
    fn drop(self: Pin<&mut Self>) {
        // Nothing refers to the pipe any more: neither end, no message.
        self.target.minors.free(self.n);
    }
}

impl PipePair {
    /// A new stream for end `side`, not yet the pipe's: `SNDPIPE` set, as
    /// for every SVR4 pipe end, and end 1 with its autopush modules.
    fn new_end(self: &Arc<Self>, side: usize) -> Result<Arc<Stream>> {
        let d = KBox::new(
            PipeEnd {
                pair: self.clone(),
                side,
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        let minor = self.n * 2 + side as u32;
        let s = Stream::new(uapi::PIPE_MAJOR, minor, d, &self.target.rt)?;
        {
            let mut inner = s.inner.lock();
            // `SNDPIPE`, and not the `SNDZERO` of other new streams: a
            // zero-length write on a pipe sends nothing unless asked.
            inner.head.wropt = uapi::SNDPIPE as u8;
            // A pipe end's close does not wait for its write side: what
            // is left there moves to the other end (`close`).
            inner.head.closetime = 0;
        }
        // Room at the head for what a writer has in flight (the driver
        // queue's), as a Linux pipe's 64 KiB.
        s.set_water(Qid::HeadR, DRV_LIMITS.hiwat, DRV_LIMITS.lowat);
        if side == 0 {
            // The clone driver autopushes end 0.
            return Ok(s);
        }
        // A refused push releases the stream; its close does nothing to
        // the pipe, which has not seen it.
        self.target.autopush.finish_open(Opened::created(s))
    }

    fn end(&self, side: usize) -> Option<Arc<Stream>> {
        self.state.lock().ends[side].clone()
    }
}

/// A pipe end passed by `I_SENDFD` and not yet received or freed: counted
/// in `PipePair::ends_to` of the end it is going to.
struct InFlight {
    pair: Arc<PipePair>,
    to: usize,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.pair.ends_to[self.to].fetch_sub(1, Ordering::AcqRel);
    }
}

/// Whether a flush crossing `s` from its driver to its head (or back)
/// arrives with `FLUSHR` and `FLUSHW` exchanged: an odd number of
/// `pipemod`s pushed.
fn reverses(s: &Stream) -> bool {
    let inner = s.inner.lock();
    let n = inner
        .mods
        .iter()
        .filter(|m| m.inst.name().as_bytes() == b"pipemod")
        .count();
    n % 2 == 1
}

/// The driver of one end.
struct PipeEnd {
    pair: Arc<PipePair>,
    side: usize,
}

impl PipeEnd {
    fn peer(&self) -> Option<Arc<Stream>> {
        self.pair.end(1 - self.side)
    }

    /// Whether the other end has closed (`PipePair::closed`).
    fn other_closed(&self) -> bool {
        self.pair.closed.load(Ordering::Relaxed) & (1 << (1 - self.side)) != 0
    }

    /// Sends `m` towards the other end: straight to its read side when
    /// nothing waits ahead of it and there is room, else onto this end's
    /// write queue. Freed when the other end has closed. `idle`: whether
    /// this end's write queue is idle, if the stream head's writer found
    /// out (`Driver::wput_idle`); else it is looked at here.
    fn send(&self, s: &Arc<Stream>, m: Mblk, idle: Option<bool>) {
        let bypass = idle.unwrap_or_else(|| s.can_bypass(Qid::DrvW));
        // Band 0 data with nothing pushed on the other end goes onto its
        // head in one lock round trip, under the pair's lock, which keeps
        // the other end open meanwhile (no reference to take and give
        // back). Its readers are woken under it too, if any sleep. Only
        // `M_DATA` and `M_PROTO` go so (`put_up_passing`); anything else,
        // an `M_PASSFP` for one, comes back and goes the way below.
        let m = if bypass && m.band() == 0 {
            let r = {
                let st = self.pair.state.lock();
                if self.other_closed() {
                    Err(None)
                } else if let Some(p) = &st.ends[1 - self.side] {
                    p.put_up_passing(m).map_err(Some)
                } else {
                    Err(Some(m))
                }
            };
            match r {
                Ok(()) => return,
                // The other end closed: freed here, after the pair's lock.
                Err(None) => return,
                Err(Some(m)) => m,
            }
        } else {
            m
        };
        let peer = {
            let st = self.pair.state.lock();
            if self.other_closed() {
                return;
            }
            // The other end only for a message that may pass its turn.
            if bypass {
                st.ends[1 - self.side].clone()
            } else {
                None
            }
        };
        if let Some(p) = peer {
            if p.bcanputnext(Qid::DrvR, m.band()) {
                p.putnext(Qid::DrvR, m);
                return;
            }
        }
        let holds_file = m.ty() == MsgType::PassFp;
        s.putq(Qid::DrvW, m);
        if holds_file {
            self.flush_if_widowed(s);
        }
    }

    /// Called after an `M_PASSFP` went onto this end's write queue without
    /// the pair's lock: if the other end has closed meanwhile, its close
    /// may have flushed this queue just before, and with nothing scheduled
    /// the message would wait until this end closes, its file open, and
    /// this very end, sent over itself, would never close (module doc).
    /// (Data left so is only freed late, at this end's close: the data
    /// paths do not pay for the look.)
    ///
    /// No lock is needed: the other end's close sets `closed` before
    /// its flush takes this stream's lock, and the message was queued
    /// under that lock before this load. Either the flush took the lock
    /// after the queueing (and freed the message), or the queueing took it
    /// after the flush released it, and then the store happened before
    /// this load (release and acquire of the lock), which sees it. (A
    /// message a service procedure held during that flush is either put
    /// back, and found here, or handed to the closing end, whose release
    /// frees it.)
    fn flush_if_widowed(&self, s: &Arc<Stream>) {
        if self.other_closed() {
            s.flushq(Qid::DrvW, true);
        }
    }

    /// Moves messages from this end's write queue to the other end. The
    /// other end is looked up once per run: if it closes meanwhile, what
    /// still goes there is freed by its closed stream, as its close frees
    /// what waits here for it.
    fn forward(&self, s: &Arc<Stream>) {
        let Some(peer) = self.peer() else {
            // `peer` took the pair's lock: a close that took the other end
            // out of `ends` set its bit before that lock was released.
            if self.other_closed() {
                // Nobody will ever read these.
                s.flushq(Qid::DrvW, true);
            }
            // Before end 1 is made, data waits here.
            return;
        };
        while let Some(m) = s.getq(Qid::DrvW) {
            // Band 0 data onto the other end's head in one lock round
            // trip when it can take it (as `send`); anything else, or no
            // room there, the long way.
            let m = if m.band() == 0 {
                // The other end's read queue only passes messages on, and
                // its service procedure is often what runs this one
                // (`rsrv`): `put_up_passing`.
                match peer.put_up_passing(m) {
                    Ok(()) => continue,
                    Err(m) => m,
                }
            } else {
                m
            };
            if !m.ty().is_hipri() && !peer.bcanputnext(Qid::DrvR, m.band()) {
                let holds_file = m.ty() == MsgType::PassFp;
                s.putbq(Qid::DrvW, m);
                // The other end may have closed since it was looked up.
                if holds_file {
                    self.flush_if_widowed(s);
                }
                return;
            }
            peer.putnext(Qid::DrvR, m);
        }
    }

    /// `M_FLUSH` from this end's head: crosses unchanged; on the way, the
    /// driver queues that are the tail of a head read queue that the flush
    /// reaches as `FLUSHR` are flushed with it (module doc).
    fn flush(&self, s: &Arc<Stream>, m: Mblk) {
        let f = m.flush_flags();
        let Some(peer) = self.peer() else {
            // No other end yet: a plain driver's flush of its write queue.
            if f & FLUSHW != 0 {
                s.flush_as(Qid::DrvW, &m);
            }
            return;
        };
        // This end's head flushed its read side: what the other end holds
        // for it goes too.
        let at_own_head = if reverses(s) { reverse(f) } else { f };
        if at_own_head & FLUSHR != 0 {
            peer.flush_as(Qid::DrvW, &m);
        }
        // The other end's head will flush its read side: so does what
        // waits here for it.
        let at_peer_head = if reverses(&peer) { reverse(f) } else { f };
        if at_peer_head & FLUSHR != 0 {
            s.flush_as(Qid::DrvW, &m);
        }
        peer.putnext(Qid::DrvR, m);
    }

    /// `I_SENDFD`: errnos as illumos' (`streamio(7I)`), plus
    /// `ETOOMANYREFS` for a send that could close a reference cycle.
    fn sendfd(&self, s: &Arc<Stream>, arg: usize) -> Result<isize> {
        let file = Sendable::of_fd(arg)?;
        if s.inner.lock().head.hangup {
            return Err(ENXIO);
        }
        // The pipe must have room now (SVR4 does not wait): the other
        // end's head, and this end's write queue, whose being full is what
        // refuses writes (before end 1 exists there is no head to take
        // it). The message then goes as a write's does (`send`): straight
        // across, or, when this end's write queue holds data or its
        // service procedure is scheduled or running (as just after
        // `s_pipe`), behind them.
        let peer = self.peer().ok_or(EAGAIN)?;
        if !peer.canputnext(Qid::DrvR) || !s.bcanput(Qid::DrvW, 0) {
            return Err(EAGAIN);
        }
        let to = 1 - self.side;
        let sent: Option<(Arc<PipePair>, usize)> = passfp::stream_of_file::<Stream>(file.file())
            .and_then(|st| {
                let e = st.driver().as_any()?.downcast_ref::<PipeEnd>()?;
                Some((e.pair.clone(), e.side))
            });
        let guard = match sent {
            None => None,
            Some((sp, sside)) => {
                let _g = self.pair.target.send_lock.lock();
                if (Arc::ptr_eq(&sp, &self.pair) && sside == to)
                    || sp.ends_to[sside].load(Ordering::Acquire) > 0
                {
                    return Err(ETOOMANYREFS);
                }
                self.pair.ends_to[to].fetch_add(1, Ordering::AcqRel);
                let g: KBox<dyn Send + Sync> = KBox::new(
                    InFlight {
                        pair: self.pair.clone(),
                        to,
                    },
                    GFP_ATOMIC,
                )
                .inspect_err(|_| {
                    self.pair.ends_to[to].fetch_sub(1, Ordering::AcqRel);
                })?;
                Some(g)
            }
        };
        let m = passfp::message(file, cred::eff_kids(), guard, GFP_KERNEL_ACCOUNT)?;
        self.send(s, m, None);
        Ok(0)
    }

    /// `STRCLONE_PIPEPEER`: a descriptor for end 1, made now; `EBUSY` once
    /// it was made (on end 1 too: its other end exists).
    fn get_peer_fd(&self, s: &Arc<Stream>, flags: usize) -> Result<isize> {
        let allowed =
            oflags::O_ACCMODE | oflags::O_NONBLOCK | oflags::O_CLOEXEC | oflags::O_LARGEFILE;
        let flags = u32::try_from(flags).map_err(|_| EINVAL)?;
        if flags & !allowed != 0 || flags & oflags::O_ACCMODE == oflags::O_ACCMODE {
            return Err(EINVAL);
        }
        {
            let mut st = self.pair.state.lock();
            if self.side == 1 || st.peer_made {
                return Err(EBUSY);
            }
            st.peer_made = true;
        }
        let undo = || self.pair.state.lock().peer_made = false;
        // The descriptor and the file before the end is published: a
        // failure (EMFILE, ENFILE, ENOMEM) leaves the pipe as it was.
        let slot = FdSlot::reserve(flags).inspect_err(|_| undo())?;
        let new = self.pair.new_end(1).inspect_err(|_| undo())?;
        // Dropping the file on an error releases the stream, whose close
        // does nothing to the pipe: it was never published.
        let file = new_anon_file(c"strclone-pipe", new.clone(), flags).inspect_err(|_| {
            new.release(false);
            undo();
        })?;
        self.pair.state.lock().ends[1] = Some(new);
        self.pair.target.open.fetch_add(1, Ordering::Relaxed);
        let fd = slot.install(file);
        // Data written before end 1 existed can flow now.
        s.qenable(Qid::DrvW);
        Ok(fd as isize)
    }
}

/// No `rput`: the default passes every message on, which
/// `Stream::put_up_passing` relies on (module doc).
impl Driver for PipeEnd {
    fn name(&self) -> &'static CStr {
        c"pipe"
    }

    fn limits(&self) -> DriverLimits {
        DriverLimits {
            rlim: HEAD_LIMITS,
            wlim: DRV_LIMITS,
            rsrv: true,
            wsrv: true,
        }
    }

    fn wput(&self, s: &Arc<Stream>, m: Mblk) {
        match m.ty() {
            MsgType::Data | MsgType::Proto | MsgType::PassFp => self.send(s, m, None),
            // High priority: across at once (nothing is ahead of it).
            MsgType::PcProto => {
                if let Some(p) = self.peer() {
                    p.putnext(Qid::DrvR, m);
                }
            }
            MsgType::Flush => self.flush(s, m),
            MsgType::Ioctl => {
                // No driver ioctls: EINVAL for I_STR, ENOTTY for a
                // transparent one.
                let mut m = m;
                m.ioc_nak_unknown();
                s.qreply(m);
            }
            _ => drop(m),
        }
    }

    fn wput_idle(&self, s: &Arc<Stream>, m: Mblk, idle: bool) {
        match m.ty() {
            // The head looked at this end's write queue already.
            MsgType::Data | MsgType::Proto => self.send(s, m, Some(idle)),
            _ => self.wput(s, m),
        }
    }

    fn wsrv(&self, s: &Arc<Stream>) {
        self.forward(s);
    }

    fn rsrv(&self, _s: &Arc<Stream>) {
        // Our head drained: the other end may send again. Its write
        // service procedure runs here and now (`QINSERVICE` keeps it from
        // running twice at once), not from its work item: this is the
        // reader that drained the head (`Stream::back_enable_now`), and it
        // wants exactly what that procedure moves.
        if let Some(p) = self.peer() {
            p.run_service(Qid::DrvW, None);
        }
    }

    fn close(&self, s: &Arc<Stream>) {
        let peer = {
            let mut st = self.pair.state.lock();
            if !st.ends[self.side]
                .as_ref()
                .is_some_and(|e| Arc::ptr_eq(e, s))
            {
                // An end 1 that was never published (its autopush or its
                // file failed).
                return;
            }
            st.ends[self.side] = None;
            self.pair.closed.fetch_or(1 << self.side, Ordering::Relaxed);
            st.ends[1 - self.side].clone()
        };
        self.pair.target.open.fetch_sub(1, Ordering::Relaxed);
        if let Some(p) = peer {
            // What this end wrote and the other has not taken yet is the
            // other's: it moves to its read side now, whatever the flow
            // control (at most this write queue's worth), ahead of the
            // hangup, as in SVR4, where it would be at that head already.
            while let Some(m) = s.getq(Qid::DrvW) {
                p.putnext(Qid::DrvR, m);
            }
            p.hangup();
            // What it still had queued for us will never be read.
            p.flushq(Qid::DrvW, true);
        }
    }

    fn target_ioctl(&self) -> Option<&dyn TargetIoctl> {
        Some(self)
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

impl TargetIoctl for PipeEnd {
    fn ioctl(&self, s: &Arc<Stream>, _file: &File, cmd: u32, arg: usize) -> Option<Result<isize>> {
        match cmd {
            uapi::I_SENDFD => Some(self.sendfd(s, arg)),
            uapi::STRCLONE_PIPEPEER => Some(self.get_peer_fd(s, arg)),
            _ => None,
        }
    }
}
