// SPDX-License-Identifier: GPL-2.0

//! SVR4 `insq` and `rmvq` on a queue of a stream, for the DDI's C modules
//! and drivers (`Documentation/strclone/driver-api.rst`, "Queue editing"). The
//! queue's part is in `queue/insq.rs`; here the stream lock is taken and
//! the service procedure scheduled or the writer behind back-enabled, as
//! `putq` and `getq` do.

use super::msg::Mblk;
use super::queue::{InsqError, QENAB};
use super::stream::{Qid, Stream};
use kernel::sync::Arc;

impl Stream {
    /// SVR4 `insq(q, emp, mp)`: `m` goes before the message at address
    /// `before` on `q` (at the end for `None`). On error `m` comes back with
    /// the reason: `before` is not on `q`, or the place breaks the queue's
    /// order, or there is no room (`InsqError`); also `NotQueued` for a
    /// queue that is gone or a stream that closed.
    pub(crate) fn insq(
        self: &Arc<Self>,
        q: Qid,
        before: Option<usize>,
        m: Mblk,
    ) -> core::result::Result<(), (Mblk, InsqError)> {
        let inst = {
            let mut inner = self.lock();
            if self.is_closed() {
                return Err((m, InsqError::NotQueued));
            }
            let Some(queue) = inner.qm(q) else {
                return Err((m, InsqError::NotQueued));
            };
            if !queue.insq(before, m)? {
                return Ok(());
            }
            queue.set_flags(QENAB);
            Self::inst_for(&inner, q)
        };
        self.schedule(q, inst);
        Ok(())
    }

    /// SVR4 `rmvq(q, mp)`: takes the message at address `which` off `q`
    /// and back-enables the writer behind when that drains it below its low
    /// water mark. `None` if it is not on `q`.
    pub(crate) fn rmvq(self: &Arc<Self>, q: Qid, which: usize) -> Option<Mblk> {
        let (m, back) = self.lock().qm(q)?.rmvq(which)?;
        if back {
            self.back_enable(q);
        }
        Some(m)
    }
}
