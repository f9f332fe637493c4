// SPDX-License-Identifier: GPL-2.0

//! A stream: the stream head's queue pair above a driver's queue pair.
//!
//! ```text
//!        HeadR (no service)      HeadW (no service)
//!          ^  putnext                 |  putnext = driver wput
//!        DrvR (rput / rsrv)      DrvW (wput / wsrv)
//! ```
//!
//! All four queues and the head's state live under one spinlock
//! ([`Stream::inner`]). Put procedures may run in any context; service
//! procedures run from strclone's workqueue, one work item per driver queue,
//! never concurrently with themselves. No lock is held while a put or
//! service procedure is called.

use super::msg::{Mblk, MsgType, FLUSHR, FLUSHW, SO_HIWAT, SO_LOWAT, SO_MREADOFF, SO_MREADON};
use super::queue::{Putq, QLimits, Queue, QENAB, QINSERVICE, QNOENB, QPCPROTO_MAX};
use super::runtime::Runtime;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{
    impl_has_work, new_spinlock, new_work,
    prelude::*,
    sync::{poll::PollCondVarBox, Arc, SpinLock},
    workqueue::{Work, WorkItem},
};

/// Which queue of a stream.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Qid {
    /// Stream head, read side.
    HeadR = 0,
    /// Stream head, write side.
    HeadW = 1,
    /// Driver, read side.
    DrvR = 2,
    /// Driver, write side.
    DrvW = 3,
}

/// Why a target's open is called (SVR4's `sflag`).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum SFlag {
    /// A direct open of the target's own node.
    Normal,
    /// An open through the clone driver.
    CloneOpen,
}

/// A STREAMS driver instance: the procedures of one stream's driver queue
/// pair, and its private state (SVR4's `q_ptr`).
pub(crate) trait Driver: Send + Sync {
    /// Write put procedure: a message from upstream.
    fn wput(&self, s: &Arc<Stream>, m: Mblk);
    /// Write service procedure (only called if [`Driver::limits`] says the
    /// write queue has one).
    fn wsrv(&self, _s: &Arc<Stream>) {}
    /// Read put procedure: by default passes the message to the head.
    fn rput(&self, s: &Arc<Stream>, m: Mblk) {
        s.put_head(m);
    }
    /// Read service procedure.
    fn rsrv(&self, _s: &Arc<Stream>) {}
    /// The last file of the stream closed.
    fn close(&self, _s: &Arc<Stream>) {}
    /// Queue limits and which driver queues have service procedures.
    fn limits(&self) -> DriverLimits;
    /// Ioctls the target handles itself on this stream's file.
    fn target_ioctl(&self) -> Option<&dyn super::head::TargetIoctl> {
        None
    }
}

/// The `module_info`/`qinit` of a driver.
#[derive(Copy, Clone)]
pub(crate) struct DriverLimits {
    /// Read queue limits.
    pub(crate) rlim: QLimits,
    /// Write queue limits.
    pub(crate) wlim: QLimits,
    /// The read queue has a service procedure.
    pub(crate) rsrv: bool,
    /// The write queue has a service procedure.
    pub(crate) wsrv: bool,
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
    /// An `I_STR` is in progress.
    pub(crate) ioc_busy: bool,
    /// Id of the `M_IOCTL` the head waits for, 0 if none.
    pub(crate) ioc_id: u32,
    /// The answer to it.
    pub(crate) ioc_reply: Option<Mblk>,
    /// Next ioctl id.
    pub(crate) ioc_next: u32,
    /// Files open on this stream.
    pub(crate) opens: u32,
    /// `SO_MREADON`: tell the driver (`M_READ`) when a reader blocks.
    pub(crate) mread: bool,
    /// `M_PCPROTO` messages this stream's queues freed beyond their
    /// allowance (STRPRI at the head).
    pub(crate) pcproto_freed: u32,
}

/// Everything under the stream lock.
pub(crate) struct Inner {
    /// The four queues, indexed by [`Qid`].
    pub(crate) q: [Queue; 4],
    /// The stream head.
    pub(crate) head: HeadState,
}

impl Inner {
    /// The queue `id`.
    pub(crate) fn q(&mut self, id: Qid) -> &mut Queue {
        &mut self.q[id as usize]
    }

    /// Shared view of queue `id`.
    pub(crate) fn q_ref(&self, id: Qid) -> &Queue {
        &self.q[id as usize]
    }

    /// `putq` on queue `id`, counting an `M_PCPROTO` the queue freed;
    /// true when its service procedure must be scheduled.
    fn putq(&mut self, id: Qid, m: Mblk) -> bool {
        match self.q(id).putq(m) {
            Putq::Enable => true,
            Putq::Queued => false,
            Putq::Freed => {
                self.head.pcproto_freed = self.head.pcproto_freed.saturating_add(1);
                false
            }
        }
    }
}

/// A stream.
///
/// # Invariants
///
/// `closed` is set once, when the last file closed; after that no service
/// procedure runs and nothing is queued any more.
#[pin_data]
pub(crate) struct Stream {
    major: u32,
    minor: u32,
    owner_pid: i32,
    driver: KBox<dyn Driver>,
    rt: Arc<Runtime>,
    id: u64,
    closed: AtomicBool,
    /// Queues and head state.
    #[pin]
    pub(crate) inner: SpinLock<Inner>,
    /// Readers, writers, `I_STR` callers and pollers sleep here. Boxed:
    /// the box is freed after an RCU grace period (`kvfree_call_rcu`) without
    /// blocking, where an inline `PollCondVar` would `synchronize_rcu()` on
    /// every stream teardown (~10 ms per close).
    pub(crate) wait: PollCondVarBox,
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

impl WorkItem<1> for Stream {
    type Pointer = Arc<Stream>;
    fn run(this: Arc<Stream>) {
        this.run_service(Qid::DrvW);
    }
}

impl WorkItem<2> for Stream {
    type Pointer = Arc<Stream>;
    fn run(this: Arc<Stream>) {
        this.run_service(Qid::DrvR);
    }
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
        let owner_pid = kernel::current!().pid();
        let id = rt.next_id();
        let wait = PollCondVarBox::new(c"Stream::wait", kernel::static_lock_class!())?;
        let s = Arc::pin_init(
            pin_init!(Self {
                major,
                minor,
                owner_pid,
                driver,
                rt: rt.clone(),
                id,
                closed: AtomicBool::new(false),
                inner <- new_spinlock!(Inner {
                    q: [
                        // One M_PCPROTO at the head (STRPRI).
                        Queue::new(HEAD_LIMITS, false, 1),
                        Queue::new(HEAD_LIMITS, false, QPCPROTO_MAX),
                        Queue::new(lim.rlim, lim.rsrv, QPCPROTO_MAX),
                        Queue::new(lim.wlim, lim.wsrv, QPCPROTO_MAX),
                    ],
                    head: HeadState {
                        hangup: false,
                        rerr: 0,
                        werr: 0,
                        ioc_busy: false,
                        ioc_id: 0,
                        ioc_reply: None,
                        ioc_next: 1,
                        opens: 1,
                        mread: false,
                        pcproto_freed: 0,
                    },
                }, "Stream::inner"),
                wait,
                wsrv_work <- new_work!("Stream::wsrv_work"),
                rsrv_work <- new_work!("Stream::rsrv_work"),
            }),
            GFP_KERNEL_ACCOUNT,
        )?;
        rt.insert(id, s.clone())?;
        Ok(s)
    }

    /// Snapshot for debugfs: files open, (messages, bytes) per queue, and
    /// the high-priority messages the queues freed beyond their allowance.
    pub(crate) fn stats(&self) -> (u32, [(usize, usize); 4], u32) {
        let inner = self.inner.lock();
        let qs = [Qid::HeadR, Qid::HeadW, Qid::DrvR, Qid::DrvW]
            .map(|q| (inner.q_ref(q).msgs(), inner.q_ref(q).count()));
        (inner.head.opens, qs, inner.head.pcproto_freed)
    }

    /// STREAMS major (the clone table index of the target).
    pub(crate) fn major(&self) -> u32 {
        self.major
    }

    /// The minor the target allocated.
    pub(crate) fn minor(&self) -> u32 {
        self.minor
    }

    /// Thread id (in the initial pid namespace) of the task that opened the
    /// stream.
    pub(crate) fn owner_pid(&self) -> i32 {
        self.owner_pid
    }

    /// The driver instance.
    pub(crate) fn driver(&self) -> &dyn Driver {
        &*self.driver
    }

    /// Whether the last file closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    // ---- Scheduling ------------------------------------------------------

    /// SVR4 `qenable`: schedules the service procedure of `q`.
    pub(crate) fn qenable(self: &Arc<Self>, q: Qid) {
        {
            let mut inner = self.inner.lock();
            let queue = inner.q(q);
            if !queue.has_service() || queue.flags() & QENAB != 0 {
                return;
            }
            queue.set_flags(QENAB);
        }
        self.schedule(q);
    }

    fn schedule(self: &Arc<Self>, q: Qid) {
        if self.is_closed() {
            return;
        }
        // An `Err` means the work item is already pending: it will run.
        match q {
            Qid::DrvW => {
                let _ = self.rt.queue().enqueue::<Arc<Stream>, 1>(self.clone());
            }
            Qid::DrvR => {
                let _ = self.rt.queue().enqueue::<Arc<Stream>, 2>(self.clone());
            }
            // The head's queues have no service procedure: enabling them
            // wakes the processes sleeping on the stream.
            Qid::HeadR | Qid::HeadW => self.wait.notify_all(),
        }
    }

    fn run_service(self: &Arc<Self>, q: Qid) {
        {
            let mut inner = self.inner.lock();
            let queue = inner.q(q);
            queue.clear_flags(QENAB);
            queue.set_flags(QINSERVICE);
        }
        if !self.is_closed() {
            match q {
                Qid::DrvW => self.driver.wsrv(self),
                Qid::DrvR => self.driver.rsrv(self),
                _ => {}
            }
        }
        self.inner.lock().q(q).clear_flags(QINSERVICE);
    }

    /// The put procedure fast path: true when nothing is queued on `q` and
    /// its service procedure is neither scheduled nor running, so a message
    /// passed on directly cannot overtake one sent earlier. (Messages from
    /// different writers have no order to keep.)
    pub(crate) fn can_bypass(&self, q: Qid) -> bool {
        let inner = self.inner.lock();
        let queue = inner.q_ref(q);
        queue.is_empty() && queue.flags() & (QENAB | QINSERVICE) == 0
    }

    /// SVR4 `noenable`.
    pub(crate) fn noenable(&self, q: Qid) {
        self.inner.lock().q(q).set_flags(QNOENB);
    }

    /// SVR4 `enableok`.
    pub(crate) fn enableok(&self, q: Qid) {
        self.inner.lock().q(q).clear_flags(QNOENB);
    }

    // ---- Queue operations for drivers -------------------------------------

    /// SVR4 `putq` on a queue of this stream.
    pub(crate) fn putq(self: &Arc<Self>, q: Qid, m: Mblk) {
        let enable = {
            let mut inner = self.inner.lock();
            if self.is_closed() {
                return;
            }
            let enable = inner.putq(q, m);
            if enable {
                inner.q(q).set_flags(QENAB);
            }
            enable
        };
        if enable {
            self.schedule(q);
        }
    }

    /// SVR4 `putbq`.
    pub(crate) fn putbq(&self, q: Qid, m: Mblk) {
        self.inner.lock().q(q).putbq(m);
    }

    /// SVR4 `getq`; back-enables the queue behind `q` when it drains.
    pub(crate) fn getq(self: &Arc<Self>, q: Qid) -> Option<Mblk> {
        let (m, back) = self.inner.lock().q(q).getq();
        if back {
            self.back_enable(q);
        }
        m
    }

    /// Enables the nearest queue behind `q` that has a service procedure.
    fn back_enable(self: &Arc<Self>, q: Qid) {
        match q {
            // Behind the head's read queue is the driver's read queue.
            Qid::HeadR => self.qenable(Qid::DrvR),
            // Behind the driver's write queue is the head: wake writers.
            Qid::DrvW => self.wait.notify_all(),
            // Nothing is behind the driver's read queue inside this stream
            // (a driver that feeds it from elsewhere enables that itself),
            // nor behind the head's write queue.
            Qid::DrvR | Qid::HeadW => {}
        }
    }

    /// SVR4 `canputnext(q)`: can the queue after `q` take a normal message?
    pub(crate) fn canputnext(&self, q: Qid) -> bool {
        let next = match q {
            Qid::HeadW => Qid::DrvW,
            Qid::DrvR => Qid::HeadR,
            // The ends of the stream have no next queue.
            Qid::HeadR | Qid::DrvW => return true,
        };
        self.inner.lock().q(next).canput()
    }

    /// SVR4 `putnext(q, m)`.
    pub(crate) fn putnext(self: &Arc<Self>, q: Qid, m: Mblk) {
        match q {
            Qid::HeadW => self.driver.wput(self, m),
            Qid::DrvR => self.put_head(m),
            // Nothing is below the driver or above the head.
            Qid::DrvW | Qid::HeadR => drop(m),
        }
    }

    /// SVR4 `qreply(WR(q), m)`: a driver answers upstream through its read
    /// side put procedure.
    pub(crate) fn qreply(self: &Arc<Self>, m: Mblk) {
        self.driver.rput(self, m);
    }

    /// SVR4 `flushq` on `q`; back-enables as needed.
    pub(crate) fn flushq(self: &Arc<Self>, q: Qid, all: bool) {
        let back = self.inner.lock().q(q).flushq(all);
        if back {
            self.back_enable(q);
        }
    }

    /// Sets a driver queue's water marks.
    pub(crate) fn set_water(self: &Arc<Self>, q: Qid, hiwat: usize, lowat: usize) {
        let back = self.inner.lock().q(q).set_water(hiwat, lowat);
        if back {
            self.back_enable(q);
        }
    }

    /// The standard driver handling of `M_FLUSH` arriving at the write put
    /// procedure: flush what it names, and turn `FLUSHR` back upstream.
    pub(crate) fn driver_flush(self: &Arc<Self>, mut m: Mblk) {
        let flags = m.flush_flags();
        if flags & FLUSHW != 0 {
            self.flushq(Qid::DrvW, false);
        }
        if flags & FLUSHR != 0 {
            self.flushq(Qid::DrvR, false);
            m.set_flush_flags(flags & !FLUSHW);
            self.qreply(m);
        }
    }

    // ---- The stream head's read put procedure ---------------------------

    /// `strrput`: a message arriving at the stream head from below.
    pub(crate) fn put_head(self: &Arc<Self>, mut m: Mblk) {
        match m.ty() {
            MsgType::Flush => {
                let flags = m.flush_flags();
                if flags & FLUSHR != 0 {
                    let back = self.inner.lock().q(Qid::HeadR).flushq(false);
                    if back {
                        self.back_enable(Qid::HeadR);
                    }
                }
                if flags & FLUSHW != 0 {
                    m.set_flush_flags(flags & !FLUSHR);
                    self.driver.wput(self, m);
                }
                self.wait.notify_all();
            }
            MsgType::Hangup => {
                self.inner.lock().head.hangup = true;
                self.wait.notify_all();
            }
            MsgType::Error => {
                let (r, w) = m.error_codes();
                {
                    let mut inner = self.inner.lock();
                    if r != 0 {
                        inner.head.rerr = i32::from(r);
                    }
                    if w != 0 {
                        inner.head.werr = i32::from(w);
                    }
                }
                self.wait.notify_all();
            }
            MsgType::SetOpts => {
                let (flags, hiwat, lowat) = m.setopts_fields();
                let back = {
                    let mut inner = self.inner.lock();
                    if flags & SO_MREADON != 0 {
                        inner.head.mread = true;
                    }
                    if flags & SO_MREADOFF != 0 {
                        inner.head.mread = false;
                    }
                    if flags & (SO_HIWAT | SO_LOWAT) == 0 {
                        return;
                    }
                    let lim = inner.q(Qid::HeadR).limits();
                    let hi = if flags & SO_HIWAT != 0 {
                        hiwat as usize
                    } else {
                        lim.hiwat
                    };
                    let lo = if flags & SO_LOWAT != 0 {
                        lowat as usize
                    } else {
                        lim.lowat
                    };
                    inner.q(Qid::HeadR).set_water(hi, lo)
                };
                if back {
                    self.back_enable(Qid::HeadR);
                }
            }
            MsgType::IocAck | MsgType::IocNak => {
                let id = m.ioc().id;
                let mut inner = self.inner.lock();
                if inner.head.ioc_id == id && id != 0 && inner.head.ioc_reply.is_none() {
                    inner.head.ioc_reply = Some(m);
                    drop(inner);
                    self.wait.notify_all();
                }
            }
            MsgType::Data | MsgType::Proto | MsgType::PcProto => {
                {
                    let mut inner = self.inner.lock();
                    if self.is_closed() {
                        return;
                    }
                    inner.putq(Qid::HeadR, m);
                }
                self.wait.notify_all();
            }
            // `M_IOCTL`, `M_READ` and anything the head does not know
            // (a driver may send any type): freed, as illumos' `strrput`.
            _ => {}
        }
    }

    // ---- Close --------------------------------------------------------------

    /// One more file refers to this stream, unless its last file already
    /// closed (then the stream is finished and `false` is returned).
    pub(crate) fn try_add_open(&self) -> bool {
        let mut inner = self.inner.lock();
        if inner.head.opens == 0 {
            return false;
        }
        inner.head.opens += 1;
        true
    }

    /// `putq` that makes room first: the oldest messages of `q` are freed
    /// until `m` fits below its high water mark. Returns how many were
    /// freed (the log's loss policy).
    pub(crate) fn putq_drop_oldest(self: &Arc<Self>, q: Qid, m: Mblk) -> usize {
        let (dropped, enable) = {
            let mut inner = self.inner.lock();
            if self.is_closed() {
                return 1;
            }
            let dropped = inner.q(q).make_room_for(&m);
            let enable = inner.putq(q, m);
            if enable {
                inner.q(q).set_flags(QENAB);
            }
            (dropped, enable)
        };
        if enable {
            self.schedule(q);
        }
        dropped
    }

    /// A file of this stream was released; the last one closes the stream:
    /// the driver's close runs, queued messages are freed, sleepers wake.
    pub(crate) fn release(self: &Arc<Self>) {
        {
            let mut inner = self.inner.lock();
            inner.head.opens -= 1;
            if inner.head.opens > 0 {
                return;
            }
            for q in [Qid::DrvR, Qid::DrvW] {
                inner.q(q).set_flags(QNOENB);
            }
        }
        self.driver.close(self);
        self.closed.store(true, Ordering::Release);
        self.rt.remove(self.id);
        {
            let mut inner = self.inner.lock();
            for q in inner.q.iter_mut() {
                q.flushq(true);
            }
            inner.head.ioc_reply = None;
        }
        self.wait.notify_all();
    }

    /// Throws away a stream that never became visible to user space (its
    /// creator lost a race or could not make its file): no close procedure
    /// runs, because nothing was ever opened on it.
    pub(crate) fn discard(self: &Arc<Self>) {
        self.closed.store(true, Ordering::Release);
        self.rt.remove(self.id);
    }

    /// Sends `M_HANGUP` up this stream (from a peer or the driver).
    pub(crate) fn hangup(self: &Arc<Self>) {
        match Mblk::hangup(GFP_ATOMIC) {
            Ok(m) => self.driver.rput(self, m),
            // Without memory for the message, mark the head directly: the
            // hangup must not be lost.
            Err(_) => {
                self.inner.lock().head.hangup = true;
                self.wait.notify_all();
            }
        }
    }
}
