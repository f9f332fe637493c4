// SPDX-License-Identifier: GPL-2.0

//! Calls into a module or driver that do not come from a message: the
//! callbacks of the DDI's `qtimeout` and `qbufcall` (`glue/ddi_callout.rs`
//! schedules them; `Documentation/strclone/driver-api.rst`, "Timeouts and
//! bufcalls"). A callback for a queue runs only while that queue's
//! procedures may be called, and is counted like them.

use super::stream::{Qid, Stream, LVL_DRV};
use core::sync::atomic::Ordering;
use kernel::sync::Arc;

/// What [`Stream::run_callout`] did.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum CalloutRun {
    /// The callback ran.
    Ran,
    /// The module is pushed but its procedures are not on yet (its open
    /// runs): not run, try again later.
    NotYet,
    /// The queue is gone (module popped, stream closed): not run, never.
    Gone,
}

impl Stream {
    /// Runs `f`, a callback for queue `q`, if `q`'s procedures are on: for
    /// a module, while it is pushed and not being popped, counted in its
    /// instance's calls (so a pop waits for it before the module's close);
    /// for the driver, until the stream's last close finished; for a
    /// multiplexor's lower pair, while the link exists. A module
    /// whose procedures are off is being opened or popped: `NotYet` (the
    /// pop's close cancels the callback; after a failed open the module is
    /// gone by the next try).
    pub(crate) fn run_callout(self: &Arc<Self>, q: Qid, f: impl FnOnce()) -> CalloutRun {
        // A multiplexor's lower pair on a linked stream's head level is
        // gated as a module is (`mux.rs`).
        if q.lvl == LVL_DRV {
            if self.is_closed() {
                return CalloutRun::Gone;
            }
            f();
            return CalloutRun::Ran;
        }
        let inst = {
            let inner = self.lock();
            if self.is_closed() {
                return CalloutRun::Gone;
            }
            let Some(inst) = Self::inst_for(&inner, q) else {
                return CalloutRun::Gone;
            };
            if !inst.procs_on.load(Ordering::SeqCst) {
                return CalloutRun::NotYet;
            }
            inst.enter();
            inst
        };
        f();
        inst.exit(self);
        CalloutRun::Ran
    }
}
