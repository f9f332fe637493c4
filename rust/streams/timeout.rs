// SPDX-License-Identifier: GPL-2.0

//! Timeouts for modules: SVR4's `qtimeout`/`quntimeout`, in the smallest
//! form a module needs (`Documentation/strclone/modules.rst`, "Timeouts").
//!
//! A pushed module instance has one timeout. [`Stream::qtimeout`] arms it
//! (replacing one armed before) with a delay and a tag the module chooses;
//! when it expires, the module's [`Module::timeout`] procedure is called
//! with that queue and tag, from strclone's workqueue, as a service
//! procedure is. [`Stream::quntimeout`] cancels it.
//!
//! ```text
//!   qtimeout ──► hrtimer (ModInst::timer) ──expires, hard irq──► tmo_fired
//!                                                  │             = FIRED|queue|tag
//!                                                  └─ enqueue ModInst::twork
//!   twork (strclone's workqueue, process context) ──► procs on? ──► Module::timeout
//! ```
//!
//! The timer's callback runs in hard interrupt context, where the stream
//! lock (not IRQ-safe) cannot be taken: it only records what fired and
//! queues a work item. The work item calls the module like a service
//! procedure: counted in [`ModInst::active`] under the stream lock, so a
//! pop waits for it, and never while the module's procedures are off.
//!
//! # Lifetime
//!
//! A started timer holds a reference on its instance (the kernel's
//! `ArcHrTimerHandle`, kept in `ModInst::tmo`), so the instance cannot be
//! freed under a pending timer. That reference is a cycle (the instance
//! holds the handle), broken when the timer is re-armed or cancelled, and
//! at the latest when the module is popped: `chain.rs` calls
//! [`ModInst::shut_timeout`] after the module's close, which cancels the
//! timer (waiting for a callback that is running) and refuses any later
//! arming. A work item the callback queued before holds its own reference
//! and finds the module's procedures off; module unload drains the
//! workqueue as it does for service procedures.

use super::stream::{ModInst, Qid, Stream};
use core::sync::atomic::Ordering;
use kernel::{
    impl_has_hr_timer,
    prelude::*,
    sync::{Arc, ArcBorrow},
    time::{
        hrtimer::{
            HrTimerCallback, HrTimerCallbackContext, HrTimerPointer, HrTimerRestart, RelativeMode,
        },
        Delta, Monotonic,
    },
    workqueue::WorkItem,
};

/// `ModInst::tmo_fired`: a timeout fired and was not delivered yet.
const FIRED: u64 = 1 << 63;
/// `ModInst::tmo_armed`/`tmo_fired`: the timeout is for the read queue.
const READ: u64 = 1 << 32;

/// The longest delay [`Stream::qtimeout`] takes, in milliseconds (an
/// hour: a bound, not a need; `ldterm`'s longest is 25.5 s).
pub(crate) const MAX_MS: u32 = 3_600_000;

impl_has_hr_timer! {
    impl HasHrTimer<Self> for ModInst {
        mode: RelativeMode<Monotonic>,
        field: self.timer
    }
}

impl HrTimerCallback for ModInst {
    type Pointer<'a> = Arc<ModInst>;

    /// Hard interrupt context: records what fired and hands over to the
    /// workqueue. The handle that keeps `this` alive is not dropped before
    /// this returns (dropping it cancels the timer, which waits for us), so
    /// the reference the work item takes here is never the last one.
    fn run(this: ArcBorrow<'_, ModInst>, _ctx: HrTimerCallbackContext<'_, Self>) -> HrTimerRestart {
        let armed = this.tmo_armed.load(Ordering::Acquire);
        this.tmo_fired.store(FIRED | armed, Ordering::Release);
        let rt = &this.stream.rt;
        // An `Err` means the work item is pending: it delivers this firing.
        let _ = rt.queue().enqueue::<Arc<ModInst>, 3>(this.into());
        HrTimerRestart::NoRestart
    }
}

impl WorkItem<3> for ModInst {
    type Pointer = Arc<ModInst>;

    fn run(this: Arc<ModInst>) {
        let v = this.tmo_fired.swap(0, Ordering::AcqRel);
        if v & FIRED == 0 {
            // Cancelled or re-armed after it fired, or delivered already.
            return;
        }
        let q = Qid {
            lvl: this.lvl,
            rd: v & READ != 0,
        };
        this.stream.run_timeout(q, &this, v as u32);
    }
}

impl ModInst {
    /// Arms this instance's timeout: `tag` for queue `q` in `ms`
    /// milliseconds, replacing the one armed before (which is cancelled
    /// first; one that fired and was not delivered yet is forgotten).
    fn arm_timeout(self: &Arc<Self>, q: Qid, ms: u32, tag: u32) -> Result {
        if ms > MAX_MS {
            return Err(EINVAL);
        }
        let mut slot = self.tmo.lock();
        if slot.shut || !self.procs_on.load(Ordering::SeqCst) {
            return Err(ENXIO);
        }
        // Cancel (and wait for a running callback) before the new tag is
        // published: a callback reads the tag of the timer that fired. The
        // callback takes no lock, so waiting for it under this one is fine.
        drop(slot.handle.take());
        self.tmo_fired.store(0, Ordering::Release);
        let rd = if q.is_read() { READ } else { 0 };
        self.tmo_armed.store(rd | u64::from(tag), Ordering::Release);
        slot.handle = Some(self.clone().start(Delta::from_millis(i64::from(ms))));
        Ok(())
    }

    /// Cancels this instance's timeout; with `shut` (the module is being
    /// popped) for good. When it returns the timer is stopped, its callback
    /// is not running, and a firing not delivered yet never will be (a
    /// delivery already running finishes).
    pub(crate) fn shut_timeout(&self, shut: bool) {
        let mut slot = self.tmo.lock();
        if shut {
            slot.shut = true;
        }
        drop(slot.handle.take());
        self.tmo_fired.store(0, Ordering::Release);
    }
}

impl Stream {
    /// SVR4 `qtimeout` for a module: `Module::timeout(q, tag)` in `ms`
    /// milliseconds, from strclone's workqueue, replacing the module
    /// instance's timeout armed before. `ENXIO` if `q` is not a queue of a
    /// module whose procedures are on (so not from its open or close),
    /// `EINVAL` for more than [`MAX_MS`]. Callable from put, service and
    /// timeout procedures (it does not sleep; it may spin while the old
    /// timer's callback finishes, a few instructions).
    pub(crate) fn qtimeout(self: &Arc<Self>, q: Qid, ms: u32, tag: u32) -> Result {
        let inst = Self::inst_for(&self.lock(), q).ok_or(ENXIO)?;
        inst.arm_timeout(q, ms, tag)
    }

    /// SVR4 `quntimeout`: cancels the timeout of `q`'s module instance, if
    /// one is armed. A delivery already running finishes: a module checks
    /// the tag it gets against its own state.
    pub(crate) fn quntimeout(&self, q: Qid) {
        if let Some(inst) = Self::inst_for(&self.lock(), q) {
            inst.shut_timeout(false);
        }
    }

    /// Calls the timeout procedure of `inst` (queue `q`) unless its
    /// procedures are off or it is gone; counted in `active` like every
    /// call into a module.
    fn run_timeout(self: &Arc<Self>, q: Qid, inst: &Arc<ModInst>, tag: u32) {
        {
            let inner = self.lock();
            if self.is_closed()
                || inner.mod_pos(q.lvl).is_none()
                || !inst.procs_on.load(Ordering::SeqCst)
            {
                return;
            }
            inst.enter();
        }
        inst.procs.timeout(self, q, tag);
        inst.exit(self);
    }
}
