// SPDX-License-Identifier: GPL-2.0

//! A stream: the stream head's queue pair, the queue pairs of the modules
//! pushed on it, and the driver's queue pair.
//!
//! ```text
//!   user   read/getmsg ^                     | write/putmsg/ioctl
//!          HeadR (strrput, no service)   HeadW (no service)
//!            ^ putnext                       | putnext
//!          ModR (put / srv)  module 1    ModW (put / srv)     pushed last
//!            ^                               |
//!          ModR              module n    ModW                 pushed first
//!            ^                               |
//!          DrvR (rput / rsrv)  driver    DrvW (wput / wsrv)
//! ```
//!
//! Every queue of a stream, the order of the levels and the stream head's
//! state live under one spinlock ([`Stream::inner`]); `chain.rs` routes
//! messages along the levels and pushes and pops modules. The locking and
//! context rules (`Documentation/strclone/streams.rst`, "Locking"):
//!
//! - Put procedures run in process context and must not sleep (their
//!   caller may hold a spinlock; the stream lock is not IRQ-safe, so
//!   interrupt-context data goes through a work item first); service
//!   procedures run from strclone's workqueue, one work item per queue,
//!   or in the read of a reader that drained the stream head, or in the
//!   write of a writer whose message enabled the driver's queue, never
//!   concurrently with themselves (`QINSERVICE`), and must not sleep.
//! - No lock is held while a put, service, open or close procedure runs:
//!   the stream lock is taken to find the next queue and to change a
//!   queue's state, and dropped before the procedure is called.
//!
//! What a stream asks of its driver and of its modules (the [`Driver`] and
//! [`Module`] traits, the module switch entry and a pushed instance) is in
//! `stream/driver.rs` and `stream/module.rs`.

use super::msg::{Mblk, RNORM};
use super::queue::{Putq, QLimits, Queue, QENAB, QINSERVICE, QNOENB, QPCPROTO_MAX};
use super::runtime::RuntimeOf;
use crate::glue::pgrp::Pgrp;
use crate::glue::sigpoll::{Fasync, ProcRef};
use core::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicU8, Ordering};
use kernel::{
    impl_has_work, new_spinlock, new_work,
    prelude::*,
    sync::{poll::PollCondVarBox, Arc, SpinLock},
    workqueue::Work,
};

mod driver;
mod module;
pub(crate) use driver::{Driver, DriverLimits, MuxDriver, MuxLower, SFlag, TargetIoctl};
pub(crate) use module::{EntryUse, ModEntry, ModInst, ModName, ModState, Module, OpenHow, PutKind};

/// The runtime every stream shares (workqueue and table of open streams).
pub(crate) type Runtime = RuntimeOf<Stream>;

/// The level of the stream head.
pub(crate) const LVL_HEAD: u32 = 0;
/// The level of the driver.
pub(crate) const LVL_DRV: u32 = u32::MAX;

/// One queue of a stream (SVR4's `queue_t *`): a level (the head, a pushed
/// module, the driver) and a side. A module's level is a number unique in
/// its stream, so a `Qid` kept past a pop names no queue (and the
/// operations on it do nothing).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) struct Qid {
    pub(crate) lvl: u32,
    pub(crate) rd: bool,
}

#[allow(non_upper_case_globals)]
impl Qid {
    /// Stream head, read side.
    pub(crate) const HeadR: Qid = Qid {
        lvl: LVL_HEAD,
        rd: true,
    };
    /// Stream head, write side.
    pub(crate) const HeadW: Qid = Qid {
        lvl: LVL_HEAD,
        rd: false,
    };
    /// Driver, read side.
    pub(crate) const DrvR: Qid = Qid {
        lvl: LVL_DRV,
        rd: true,
    };
    /// Driver, write side.
    pub(crate) const DrvW: Qid = Qid {
        lvl: LVL_DRV,
        rd: false,
    };

    /// The other queue of the pair (`OTHERQ(q)`).
    pub(crate) fn other(self) -> Qid {
        Qid {
            rd: !self.rd,
            ..self
        }
    }

    /// Whether this is a read queue.
    pub(crate) fn is_read(self) -> bool {
        self.rd
    }

    /// Whether this is a queue of a pushed module.
    pub(crate) fn is_module(self) -> bool {
        self.lvl != LVL_HEAD && self.lvl != LVL_DRV
    }
}

/// Stream head read queue defaults: SVR4's STRHIGH/STRLOW.
pub(crate) const HEAD_LIMITS: QLimits = QLimits {
    minpsz: 0,
    maxpsz: super::queue::INFPSZ,
    hiwat: 5120,
    lowat: 1024,
};

/// State of the stream head, under the stream lock.
pub(crate) struct HeadState {
    /// `M_HANGUP` arrived.
    pub(crate) hangup: bool,
    /// errno for reads from `M_ERROR`, 0 if none.
    pub(crate) rerr: i32,
    /// errno for writes from `M_ERROR`, 0 if none.
    pub(crate) werr: i32,
    /// An ioctl (`I_STR` or transparent) holds the stream's ioctl slot.
    pub(crate) ioc_busy: bool,
    /// A push, pop or reopen is in progress (SVR4's `STPLEX`-like
    /// exclusion of plumbing operations).
    pub(crate) plumbing: bool,
    /// `SO_MREADON`: tell the driver (`M_READ`) when a reader blocks.
    pub(crate) mread: bool,
    /// The read options (`SO_READOPT`, `I_SRDOPT`): a mode (`RNORM`,
    /// `RMSGD` or `RMSGN`) and a protocol option (`RPROTDAT`, `RPROTDIS`;
    /// neither is `RPROTNORM`).
    pub(crate) rdopt: u8,
    /// The write options (`I_SWROPT`): `SNDZERO`, `SNDPIPE`.
    pub(crate) wropt: u8,
    /// A line discipline said the stream is a terminal (`SO_ISTTY`): the
    /// head answers `TIOCSPGRP`/`TIOCGPGRP` itself.
    pub(crate) istty: bool,
    /// The terminal's foreground process group (`TIOCSPGRP`), which
    /// `M_SIG`/`M_PCSIG` signal.
    pub(crate) pgrp: Option<Pgrp>,
    /// Modules at or above this count from the top are anchored
    /// (`I_ANCHOR`): popping them needs privilege. 0: no anchor.
    pub(crate) anchor: u8,
    /// Id of the ioctl whose answer the head accepts now, 0 if none
    /// (`head/ioctl.rs` has the state machine).
    pub(crate) ioc_id: u32,
    /// The accepted answer, until the ioctl's caller takes it.
    pub(crate) ioc_reply: Option<Mblk>,
    /// Next ioctl id.
    pub(crate) ioc_next: u32,
    /// Files open on this stream.
    pub(crate) opens: u32,
    /// `M_PCPROTO` messages this stream's queues freed beyond their
    /// allowance (STRPRI at the head).
    pub(crate) pcproto_freed: u32,
    /// The processes registered with `I_SETSIG` (`head/sigpoll.rs`), in a
    /// list made at the first registration (boxed: most streams never have
    /// one, and a stream's size decides its slab cache).
    pub(crate) sigs: Option<KBox<KVec<SigEntry>>>,
    /// The union of their events, plus `SIG_FASYNC` while a file of the
    /// stream has `O_ASYNC`: 0 when nobody wants a signal, the one test the
    /// data path makes.
    pub(crate) sigflags: u32,
    /// How long the last close waits for the write side to drain
    /// (`I_SETCLTIME`), milliseconds (`head/close.rs`).
    pub(crate) closetime: u32,
    /// This stream is linked under a multiplexor (`streams/mux.rs`): the
    /// multiplexor's lower queue pair in place of the stream head's.
    pub(crate) link: Option<Arc<ModInst>>,
}

/// One process registered with `I_SETSIG` (`head/sigpoll.rs`).
///
/// # Invariants
///
/// `events` is non-zero and within the events `I_SETSIG` accepts;
/// `S_BANDURG` only with `S_RDBAND`.
pub(crate) struct SigEntry {
    /// The process.
    pub(crate) proc: ProcRef,
    /// Its events (`S_INPUT` ...).
    pub(crate) events: u32,
}

/// Everything under the stream lock.
pub(crate) struct Inner {
    /// The head's and the driver's queues: `HeadR`, `HeadW`, `DrvR`, `DrvW`.
    pub(crate) q: [Queue; 4],
    /// The pushed modules, topmost first.
    pub(crate) mods: KVec<ModState>,
    /// The level the next pushed module gets.
    pub(crate) next_lvl: u32,
    /// Who may be on [`Stream::wait`] and not woken yet: the sleepers
    /// counted since the last claimed wake-up (counted high, never low),
    /// plus [`POLLED`](super::sleep::POLLED) once the stream was polled
    /// (`sleep.rs`).
    pub(crate) waiters: u32,
    /// The stream head.
    pub(crate) head: HeadState,
}

impl Inner {
    fn fixed(id: Qid) -> Option<usize> {
        match (id.lvl, id.rd) {
            (LVL_HEAD, true) => Some(0),
            (LVL_HEAD, false) => Some(1),
            (LVL_DRV, true) => Some(2),
            (LVL_DRV, false) => Some(3),
            _ => None,
        }
    }

    /// Where module level `lvl` is in `mods`.
    pub(crate) fn mod_pos(&self, lvl: u32) -> Option<usize> {
        self.mods.iter().position(|m| m.lvl == lvl)
    }

    /// The queue `id`, if it exists (a popped module's does not).
    pub(crate) fn qm(&mut self, id: Qid) -> Option<&mut Queue> {
        if let Some(i) = Self::fixed(id) {
            return Some(&mut self.q[i]);
        }
        let pos = self.mod_pos(id.lvl)?;
        Some(&mut self.mods[pos].q[usize::from(!id.rd)])
    }

    /// Shared view of queue `id`.
    pub(crate) fn qr(&self, id: Qid) -> Option<&Queue> {
        if let Some(i) = Self::fixed(id) {
            return Some(&self.q[i]);
        }
        let pos = self.mod_pos(id.lvl)?;
        Some(&self.mods[pos].q[usize::from(!id.rd)])
    }

    /// The limits of the queue below the stream head (what `write` splits
    /// at and `putmsg` checks against).
    pub(crate) fn below_head_limits(&self) -> QLimits {
        let n = self.mods.first().map_or(&self.q[3], |m| &m.q[1]);
        n.limits()
    }

    /// Whether a put procedure that passes a message on from `from` when
    /// nothing of its own waits on `q` may do so now: `q` is idle (as
    /// [`Stream::can_bypass`]) and `bcanputnext(from, band)`. Like the two
    /// checks in a row, the second (and the `QWANTW` it may leave) happens
    /// only if the first passes.
    pub(crate) fn can_pass_on(&mut self, q: Qid, from: Qid, band: u8) -> bool {
        self.idle(q) && self.bcanputnext(from, band)
    }

    /// Whether nothing is queued on `q` and its service procedure is
    /// neither scheduled nor running (see [`Stream::can_bypass`]).
    pub(crate) fn idle(&self, q: Qid) -> bool {
        self.qr(q)
            .is_some_and(|queue| queue.is_empty() && queue.flags() & (QENAB | QINSERVICE) == 0)
    }

    /// Whether a message the stream head sends down now goes straight to
    /// the driver's write put procedure (nothing pushed) and finds the
    /// driver's write queue idle ([`Self::idle`]): what the head's writers
    /// tell [`Driver::wput_idle`], from the lock round trip in which they
    /// checked for room.
    pub(crate) fn drv_w_idle(&self) -> bool {
        self.mods.is_empty() && self.idle(Qid::DrvW)
    }

    /// The stream head's read queue.
    pub(crate) fn head_rq(&mut self) -> &mut Queue {
        &mut self.q[0]
    }

    /// Shared view of the stream head's read queue.
    pub(crate) fn head_rq_ref(&self) -> &Queue {
        &self.q[0]
    }

    /// `putq` on queue `id`, counting an `M_PCPROTO` the queue freed;
    /// true when its service procedure must be scheduled (and then marks
    /// it scheduled). A queue that no longer exists frees the message.
    pub(crate) fn putq(&mut self, id: Qid, m: Mblk) -> bool {
        let Some(q) = self.qm(id) else {
            return false;
        };
        match q.putq(m) {
            Putq::Enable => {
                q.set_flags(QENAB);
                true
            }
            Putq::Queued => false,
            Putq::Freed => {
                self.head.pcproto_freed = self.head.pcproto_freed.saturating_add(1);
                false
            }
        }
    }
}

/// One caller in `Stream::svc`; the bits below it are driver queues.
pub(crate) const SVC_CALLER: u16 = 4;

/// A stream.
///
/// # Invariants
///
/// `closed` is set once, when the last file closed; after that no service
/// procedure runs and nothing is queued any more. `nmods` is the length of
/// `inner.mods`, written under the lock and read without it by the paths
/// that skip the chain when nothing is pushed; `linked` likewise mirrors
/// `inner.head.link.is_some()`. The bits of `svc` below [`SVC_CALLER`] name
/// only driver queues marked `QENAB` whose work item was not queued because
/// a caller counted above them runs them (`sched.rs`).
#[pin_data]
pub(crate) struct Stream {
    major: u32,
    /// Set once more by a driver whose open picks the minor after the
    /// stream exists ([`Stream::set_minor`]).
    minor: AtomicU32,
    owner_pid: i32,
    closed: AtomicBool,
    /// The driver gives the head an inbox ([`Driver::inbox`], asked once
    /// here: `inbox.rs`). Among the small fields, in their padding.
    pub(super) has_inbox: bool,
    pub(crate) nmods: AtomicU8,
    /// System calls inside a `putnext` from the stream head's write queue
    /// (`Stream::putnext_down`), in units of [`SVC_CALLER`], and the driver
    /// queues left to them (`sched.rs`). One word, so that both change in
    /// one atomic step; 16 bits, so that the stream stays in kmalloc-512.
    pub(crate) svc: AtomicU16,
    /// Set while [`HeadState::link`] is: read without the lock by the
    /// paths that hand a message to the stream head directly.
    pub(crate) linked: AtomicBool,
    /// Links (`I_LINK`) this stream controls, which its last close removes,
    /// and lower pairs kept until then (`head/link.rs`): a count its close
    /// looks at before it takes the table's mutex. Among the small fields,
    /// in their padding: a stream must fit kmalloc-512.
    pub(crate) links: AtomicU32,
    pub(crate) driver: KBox<dyn Driver>,
    pub(crate) rt: Arc<Runtime>,
    id: u64,
    /// Queues, module levels and head state.
    #[pin]
    pub(crate) inner: SpinLock<Inner>,
    /// Readers, writers, `I_STR` callers, plumbing and pollers sleep here.
    /// Boxed: the box is freed after an RCU grace period
    /// (`kvfree_call_rcu`) without blocking, where an inline `PollCondVar`
    /// would `synchronize_rcu()` on every stream teardown (~10 ms per close).
    pub(crate) wait: PollCondVarBox,
    /// The files with `O_ASYNC` set (`head/sigpoll.rs`).
    #[pin]
    pub(crate) fasync: Fasync,
    #[pin]
    wsrv_work: Work<Stream, 1>,
    #[pin]
    rsrv_work: Work<Stream, 2>,
}

// On a kernel without lock debugging a stream comes from kmalloc-512 (its
// `Arc` adds 8 bytes). Growing it past that doubles what every stream costs
// (the memory row of `make bench`), so it must be a decision, not an accident.
#[cfg(not(any(CONFIG_DEBUG_LOCK_ALLOC, CONFIG_DEBUG_SPINLOCK)))]
const _: () = assert!(core::mem::size_of::<Stream>() + 8 <= 512);

impl_has_work! {
    impl HasWork<Self, 1> for Stream { self.wsrv_work }
    impl HasWork<Self, 2> for Stream { self.rsrv_work }
}

impl Stream {
    /// Creates the stream for `(major, minor)` on top of `driver`, with one
    /// file open on it.
    pub(crate) fn new(
        major: u32,
        minor: u32,
        driver: KBox<dyn Driver>,
        rt: &Arc<Runtime>,
    ) -> Result<Arc<Self>> {
        let lim = driver.limits();
        let has_inbox = driver.inbox().is_some();
        let owner_pid = kernel::current!().pid();
        let id = rt.next_id();
        let wait = PollCondVarBox::new(c"Stream::wait", kernel::static_lock_class!())?;
        let s = Arc::pin_init(
            pin_init!(Self {
                major,
                minor: AtomicU32::new(minor),
                owner_pid,
                closed: AtomicBool::new(false),
                has_inbox,
                nmods: AtomicU8::new(0),
                svc: AtomicU16::new(0),
                linked: AtomicBool::new(false),
                links: AtomicU32::new(0),
                driver,
                rt: rt.clone(),
                id,
                inner <- new_spinlock!(Inner {
                    q: [
                        // One M_PCPROTO at the head (STRPRI).
                        Queue::new(HEAD_LIMITS, false, 1),
                        Queue::new(HEAD_LIMITS, false, QPCPROTO_MAX),
                        Queue::new(lim.rlim, lim.rsrv, QPCPROTO_MAX),
                        Queue::new(lim.wlim, lim.wsrv, QPCPROTO_MAX),
                    ],
                    mods: KVec::new(),
                    next_lvl: 1,
                    waiters: 0,
                    head: HeadState {
                        hangup: false,
                        rerr: 0,
                        werr: 0,
                        ioc_busy: false,
                        plumbing: false,
                        mread: false,
                        rdopt: RNORM as u8,
                        // SNDZERO: a zero-length write(2) sends a
                        // zero-length message (SVR4 write(2) on a device).
                        wropt: crate::uapi::SNDZERO as u8,
                        istty: false,
                        pgrp: None,
                        anchor: 0,
                        ioc_id: 0,
                        ioc_reply: None,
                        ioc_next: 1,
                        opens: 1,
                        pcproto_freed: 0,
                        sigs: None,
                        sigflags: 0,
                        closetime: crate::uapi::STRCLONE_DEFAULT_CLTIME,
                        link: None,
                    },
                }, "Stream::inner"),
                wait,
                fasync <- Fasync::new(),
                wsrv_work <- new_work!("Stream::wsrv_work"),
                rsrv_work <- new_work!("Stream::rsrv_work"),
            }),
            GFP_KERNEL_ACCOUNT,
        )?;
        rt.insert(id, s.clone())?;
        Ok(s)
    }

    /// STREAMS major (the clone table index of the target).
    pub(crate) fn major(&self) -> u32 {
        self.major
    }

    /// The minor the target allocated.
    pub(crate) fn minor(&self) -> u32 {
        self.minor.load(Ordering::Relaxed)
    }

    /// The minor a driver's open picked (SVR4's `*devp` on return from a
    /// `CLONEOPEN`): called by the target's open only, before the stream
    /// is handed to anybody.
    pub(crate) fn set_minor(&self, minor: u32) {
        self.minor.store(minor, Ordering::Relaxed);
    }

    /// Thread id (in the initial pid namespace) of the task that opened the
    /// stream.
    pub(crate) fn owner_pid(&self) -> i32 {
        self.owner_pid
    }

    /// The stream's token (`I_FDINSERT`): a number no other stream open
    /// at the same time has, which [`Stream::by_token`] turns back into
    /// the stream while it is open.
    pub(crate) fn token(&self) -> u64 {
        self.id
    }

    /// The open stream whose [`Stream::token`] is `token`, for a driver that
    /// received one in an `I_FDINSERT` message.
    #[expect(
        dead_code,
        reason = "the driver side of I_FDINSERT; no built-in driver links streams yet"
    )]
    pub(crate) fn by_token(&self, token: u64) -> Option<Arc<Stream>> {
        self.rt.get(token)
    }

    /// The driver instance.
    pub(crate) fn driver(&self) -> &dyn Driver {
        &*self.driver
    }

    /// Whether the last file closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    // ---- Close --------------------------------------------------------------

    /// One more file refers to this stream, unless its last file already
    /// closed (then the stream is finished and `false` is returned).
    pub(crate) fn try_add_open(&self) -> bool {
        let mut inner = self.lock();
        if inner.head.opens == 0 {
            return false;
        }
        inner.head.opens += 1;
        true
    }

    /// Gives back a file reference taken by [`Self::try_add_open`] for an
    /// open that then failed (a module or the driver refused the reopen).
    pub(crate) fn undo_add_open(self: &Arc<Self>) {
        self.release(false);
    }

    /// `putq` that makes room first: the oldest messages of `q` are freed
    /// until `m` fits below its high water mark. Returns how many were
    /// freed (the log's loss policy).
    pub(crate) fn putq_drop_oldest(self: &Arc<Self>, q: Qid, m: Mblk) -> usize {
        let (dropped, inst) = {
            let mut inner = self.lock();
            if self.is_closed() {
                return 1;
            }
            let Some(queue) = inner.qm(q) else {
                return 1;
            };
            let dropped = queue.make_room_for(&m);
            if !inner.putq(q, m) {
                return dropped;
            }
            (dropped, Self::inst_for(&inner, q))
        };
        self.schedule(q, inst);
        dropped
    }

    /// A file of this stream was released; the last one closes the stream:
    /// the links it made (`I_LINK`) are removed, the `I_SETSIG`
    /// registrations go, every module is popped (top down,
    /// each module's close called, after its write queue drained when
    /// `drain`: `head/close.rs`), then the driver's close runs (after the
    /// driver's write queue drained), queued messages are freed, sleepers
    /// wake.
    pub(crate) fn release(self: &Arc<Self>, drain: bool) {
        {
            let mut inner = self.lock();
            inner.head.opens -= 1;
            if inner.head.opens > 0 {
                return;
            }
        }
        // Its links go before anything else closes (illumos' strclose).
        self.unlink_on_close();
        self.sig_release();
        let mut close = self.close_drain_start(drain);
        while self.nmods.load(Ordering::Acquire) > 0 {
            self.close_drain(&mut close);
            if self.pop_top(true).is_err() {
                break;
            }
        }
        self.close_drain(&mut close);
        {
            let mut inner = self.lock();
            for q in [2, 3] {
                inner.q[q].set_flags(QNOENB);
            }
        }
        self.driver.close(self);
        self.reap_links();
        self.closed.store(true, Ordering::Release);
        self.rt.remove(self.id);
        let mods = {
            let mut inner = self.lock();
            for q in inner.q.iter_mut() {
                q.flushq(true);
            }
            inner.head.ioc_reply = None;
            core::mem::take(&mut inner.mods)
        };
        // Only a module whose pop failed is left; its instance goes here,
        // outside the lock.
        drop(mods);
        self.wait.notify_all();
    }

    /// Sends `M_HANGUP` up this stream (from a peer or the driver).
    pub(crate) fn hangup(self: &Arc<Self>) {
        match Mblk::hangup(GFP_ATOMIC) {
            Ok(m) => self.driver.rput(self, m),
            // Without memory for the message, mark the head directly: the
            // hangup must not be lost.
            Err(_) => {
                self.lock().head.hangup = true;
                self.wait.notify_all();
            }
        }
    }
}
