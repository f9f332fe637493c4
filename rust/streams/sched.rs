// SPDX-License-Identifier: GPL-2.0

//! Service procedure scheduling: `qenable`, the work items that run a
//! queue's service procedure on strclone's workqueue, and the rule that
//! one queue's service procedure never runs twice at the same time
//! (`QINSERVICE`). `Documentation/strclone/streams.rst`, "Scheduling".
//!
//! # Service on the way out of a system call
//!
//! A `write(2)` or `putmsg` hands each message to the driver's write put
//! procedure through [`Stream::putnext_down`]. While it is inside, a driver
//! queue of the stream that gets enabled (a `putq` that enables the write
//! service procedure, the usual SVR4 driver's way) is not given to a work
//! item: its bit goes into `Stream::svc`, and the caller runs it on its
//! way out, in its own context, as SVR4 runs the queues enabled during a
//! system call before returning from it (Solaris' `STRS_WILLSERVICE`). A
//! driver that queues every message so costs no hand-off to a worker, as
//! one whose put procedure passes messages on itself does.
//!
//! `Stream::svc` counts the callers inside (in units of [`SVC_CALLER`])
//! and holds the bits of the queues left to them, in one word:
//!
//! ```text
//!   caller                                enabler (schedule, QENAB set)
//!   svc += SVC_CALLER (unless full)       callers inside? set the bit
//!   putnext (put procedures)                else queue the work item
//!   svc -= SVC_CALLER, taking the bits
//!   run_service for each bit taken
//! ```
//!
//! Each side is one atomic step on the word, so a bit is set only while
//! some caller is inside, and the next of them to leave takes it: the
//! service procedure runs once per enable, as before. A run that finds the
//! queue empty, when a work item queued earlier is still pending, does
//! nothing.

use super::queue::{QENAB, QINSERVICE};
use super::stream::{Inner, ModInst, Qid, Stream, LVL_DRV, LVL_HEAD, SVC_CALLER};
use core::sync::atomic::Ordering;
use kernel::{sync::Arc, workqueue::WorkItem};

impl WorkItem<1> for ModInst {
    type Pointer = Arc<ModInst>;
    fn run(this: Arc<ModInst>) {
        let q = Qid {
            lvl: this.lvl,
            rd: true,
        };
        this.stream.run_service(q, Some(&this));
    }
}

impl WorkItem<2> for ModInst {
    type Pointer = Arc<ModInst>;
    fn run(this: Arc<ModInst>) {
        let q = Qid {
            lvl: this.lvl,
            rd: false,
        };
        this.stream.run_service(q, Some(&this));
    }
}

impl WorkItem<1> for Stream {
    type Pointer = Arc<Stream>;
    fn run(this: Arc<Stream>) {
        this.run_service(Qid::DrvW, None);
    }
}

impl WorkItem<2> for Stream {
    type Pointer = Arc<Stream>;
    fn run(this: Arc<Stream>) {
        this.run_service(Qid::DrvR, None);
    }
}

impl ModInst {
    /// Schedules the service procedure of one of this module's queues.
    pub(crate) fn enqueue(this: Arc<Self>, rd: bool) {
        let rt = this.stream.rt.clone();
        // An `Err` means the work item is already pending.
        let _ = if rd {
            rt.queue().enqueue::<Arc<ModInst>, 1>(this)
        } else {
            rt.queue().enqueue::<Arc<ModInst>, 2>(this)
        };
    }
}

impl Stream {
    /// SVR4 `qenable`: schedules the service procedure of `q`.
    pub(crate) fn qenable(self: &Arc<Self>, q: Qid) {
        let inst = {
            let mut inner = self.lock();
            let Some(queue) = inner.qm(q) else {
                return;
            };
            if !queue.has_service() || queue.flags() & QENAB != 0 {
                return;
            }
            queue.set_flags(QENAB);
            Self::inst_for(&inner, q)
        };
        self.schedule(q, inst);
    }

    /// The module instance of queue `q`, if `q` is a module's, or the
    /// multiplexor's lower pair of a linked stream's head level (taken under
    /// the lock, to schedule its service procedure after dropping it).
    pub(crate) fn inst_for(inner: &Inner, q: Qid) -> Option<Arc<ModInst>> {
        if q.lvl == LVL_HEAD {
            return inner.head.link.clone();
        }
        if !q.is_module() {
            return None;
        }
        let pos = inner.mod_pos(q.lvl)?;
        Some(inner.mods[pos].inst.clone())
    }

    /// Runs `q`'s service procedure soon (its `QENAB` is set). `inst` is
    /// the module instance for a module's queue.
    pub(crate) fn schedule(self: &Arc<Self>, q: Qid, inst: Option<Arc<ModInst>>) {
        if self.is_closed() {
            return;
        }
        if q.lvl == LVL_DRV && self.leave_to_callers(q) {
            return;
        }
        // An `Err` means the work item is already pending: it will run.
        match (q.lvl, inst) {
            (LVL_DRV, _) if !q.rd => {
                let _ = self.rt.queue().enqueue::<Arc<Stream>, 1>(self.clone());
            }
            (LVL_DRV, _) => {
                let _ = self.rt.queue().enqueue::<Arc<Stream>, 2>(self.clone());
            }
            // The head's queues have no service procedure: enabling them
            // wakes the processes sleeping on the stream. Linked under a
            // multiplexor, they are its lower pair's (`mux.rs`).
            (LVL_HEAD, None) => self.wait.notify_all(),
            (_, Some(inst)) => ModInst::enqueue(inst, q.rd),
            (_, None) => {}
        }
    }

    /// Leaves driver queue `q`'s service procedure to a caller inside
    /// [`Self::putnext_down`], if there is one; false when the work item
    /// must be queued (the module comment has the protocol).
    fn leave_to_callers(&self, q: Qid) -> bool {
        let bit = svc_bit(q);
        self.svc
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
                (v >= SVC_CALLER).then_some(v | bit)
            })
            .is_ok()
    }

    /// `putnext` from the stream head's write queue by a system call
    /// (`write(2)`, `putmsg`) that holds no lock: the driver queues enabled
    /// meanwhile run here, on the way out (the module comment).
    pub(crate) fn putnext_down(self: &Arc<Self>, m: super::msg::Mblk) {
        self.putnext_down_idle(m, None);
    }

    /// [`Self::putnext_down`] by a caller that found, when it checked for
    /// room under the stream lock, whether nothing is pushed and the
    /// driver's write queue is idle (`Inner::drv_w_idle`): the driver's
    /// write put procedure is told
    /// ([`crate::streams::stream::Driver::wput_idle`]).
    pub(crate) fn putnext_down_idle(self: &Arc<Self>, m: super::msg::Mblk, idle: Option<bool>) {
        let entered = self
            .svc
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
                v.checked_add(SVC_CALLER)
            })
            .is_ok();
        match idle {
            // Nothing pushed (still): the driver is next to the head.
            Some(idle) if self.nmods.load(Ordering::Acquire) == 0 => {
                self.driver.wput_idle(self, m, idle)
            }
            _ => self.putnext(Qid::HeadW, m),
        }
        if !entered {
            // As many callers inside as the word counts: they run them.
            return;
        }
        // Out, taking the bits set so far (any that come later are set
        // while another caller is inside, who takes them).
        let old = self
            .svc
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
                Some((v - SVC_CALLER) & !(SVC_CALLER - 1))
            });
        // `fetch_update` with a closure that always answers cannot fail.
        let bits = old.unwrap_or_else(|v| v) & (SVC_CALLER - 1);
        for q in [Qid::DrvW, Qid::DrvR] {
            if bits & svc_bit(q) != 0 {
                self.run_service(q, None);
            }
        }
    }

    /// Runs the service procedure of `q`: from its work item, or at once in
    /// the caller's context ([`Self::back_enable_now`]). Never twice at the
    /// same time: `QINSERVICE` marks a run in progress, and a second
    /// attempt meanwhile only leaves `QENAB` set, so the run in progress
    /// schedules the work item again when it ends.
    pub(crate) fn run_service(self: &Arc<Self>, q: Qid, inst: Option<&Arc<ModInst>>) {
        {
            let mut inner = self.lock();
            let Some(queue) = inner.qm(q) else {
                return;
            };
            if let Some(i) = inst {
                if !i.procs_on.load(Ordering::SeqCst) {
                    // Being pushed or popped: the framework moves this
                    // queue's messages itself (`QINSERVICE` is then its
                    // mark, not ours).
                    queue.clear_flags(QENAB);
                    return;
                }
            }
            if queue.flags() & QINSERVICE != 0 {
                queue.set_flags(QENAB);
                return;
            }
            queue.clear_flags(QENAB);
            if let Some(i) = inst {
                i.enter();
            }
            queue.set_flags(QINSERVICE);
        }
        if !self.is_closed() {
            match (q.lvl, inst) {
                (LVL_DRV, _) if !q.rd => self.driver.wsrv(self),
                (LVL_DRV, _) => self.driver.rsrv(self),
                (_, Some(i)) => i.srv(self, q),
                _ => {}
            }
        }
        let again = self.lock().qm(q).is_some_and(|queue| {
            queue.clear_flags(QINSERVICE);
            queue.flags() & QENAB != 0
        });
        if let Some(i) = inst {
            i.exit(self);
        }
        if again {
            // Enabled while it ran (its work item may already be pending:
            // then this does nothing more).
            self.schedule(q, inst.cloned());
        }
    }
}

/// A driver queue's bit in `Stream::svc`.
fn svc_bit(q: Qid) -> u16 {
    if q.rd {
        2
    } else {
        1
    }
}
