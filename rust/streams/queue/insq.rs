// SPDX-License-Identifier: GPL-2.0

//! SVR4 `insq` and `rmvq` on a [`Queue`]: a message put at a chosen place,
//! and a chosen message taken out. C code names queued messages by their
//! address (what it got from `allocb` and gave to `putq`), so both take an
//! address and check it is on the queue: nothing is dereferenced that is
//! not found there.

use super::{Queue, QNOENB, QWANTR};
use crate::streams::msg::{Mblk, Msg, MsgType};

/// Where a message sorts on a queue: high-priority messages above every
/// band, then the bands, highest first (the queue's order invariant).
fn rank(m: &Msg) -> u16 {
    if m.ty().is_hipri() {
        256
    } else {
        u16::from(m.band())
    }
}

/// Why [`Queue::insq`] refused a message (it comes back unchanged).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum InsqError {
    /// The message named as the place is not on this queue.
    NotQueued,
    /// The place would break the queue's order (a message of a higher
    /// class or band behind a lower one), as SVR4's `insq` refuses.
    Order,
    /// A band's entry could not be allocated, or an `M_PCPROTO` beyond the
    /// queue's allowance.
    NoRoom,
}

impl Queue {
    /// SVR4 `insq`: puts `m` before the queued message at address `before`
    /// (at the end for `None`). Returns whether the service procedure must
    /// be scheduled (as [`Queue::putq`]); on error `m` comes back.
    pub(crate) fn insq(
        &mut self,
        before: Option<usize>,
        mut m: Mblk,
    ) -> core::result::Result<bool, (Mblk, InsqError)> {
        let r = rank(&m);
        let Some((prev, next)) = self.list.neighbours(before) else {
            return Err((m, InsqError::NotQueued));
        };
        if prev.is_some_and(|p| rank(p) < r) || next.is_some_and(|n| rank(n) > r) {
            return Err((m, InsqError::Order));
        }
        if m.ty() == MsgType::PcProto && self.pcproto >= self.pcproto_max {
            return Err((m, InsqError::NoRoom));
        }
        let hipri = m.ty().is_hipri();
        let band = m.band();
        if !hipri && band != 0 && self.qband_or_new(band).is_none() {
            return Err((m, InsqError::NoRoom));
        }
        if hipri {
            m.set_band(0);
        }
        self.account_add(&m);
        if let Err(m) = self.list.insert_before_addr(m, before) {
            // Not reached: `before` was found above, under the same lock.
            self.account_sub(&m);
            return Err((m, InsqError::NotQueued));
        }
        let enable =
            self.has_service && (hipri || (self.flags & QWANTR != 0 && self.flags & QNOENB == 0));
        if enable {
            self.flags &= !QWANTR;
        }
        Ok(enable)
    }

    /// SVR4 `rmvq`: takes the queued message at address `which` off the
    /// queue. `None` if it is not on it; otherwise the message and whether
    /// a writer must be back-enabled.
    pub(crate) fn rmvq(&mut self, which: usize) -> Option<(Mblk, bool)> {
        let m = self.list.remove_addr(which)?;
        let band = self.account_sub(&m);
        let back = self.update_band(band);
        Some((m, back))
    }
}
