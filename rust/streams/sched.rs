// SPDX-License-Identifier: GPL-2.0

//! Service procedure scheduling: `qenable`, the work items that run a
//! queue's service procedure on strclone's workqueue, and the rule that
//! one queue's service procedure never runs twice at the same time
//! (`QINSERVICE`). `Documentation/strclone/streams.rst`, "Scheduling".

use super::queue::{QENAB, QINSERVICE};
use super::stream::{Inner, ModInst, Qid, Stream, LVL_DRV, LVL_HEAD};
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
            let mut inner = self.inner.lock();
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

    /// Runs the service procedure of `q`: from its work item, or at once in
    /// the caller's context ([`Self::back_enable_now`]). Never twice at the
    /// same time: `QINSERVICE` marks a run in progress, and a second
    /// attempt meanwhile only leaves `QENAB` set, so the run in progress
    /// schedules the work item again when it ends.
    pub(crate) fn run_service(self: &Arc<Self>, q: Qid, inst: Option<&Arc<ModInst>>) {
        {
            let mut inner = self.inner.lock();
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
        let again = self.inner.lock().qm(q).is_some_and(|queue| {
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
