// SPDX-License-Identifier: GPL-2.0

//! SVR4 `insq` and `rmvq` on a [`Queue`]: a message put at a chosen place,
//! and a chosen message taken out. C code names queued messages by their
//! address (what it got from `allocb` and gave to `putq`), so both take an
//! address and check it is on the queue: nothing is dereferenced that is
//! not found there.

use super::{Queue, QNOENB, QWANTR};
use crate::streams::msg::{Mblk, Msg, MsgType};
use kernel::prelude::kunit_tests;

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

#[kunit_tests(strclone_queue_insq)]
mod tests {
    use super::super::{QLimits, INFPSZ, QPCPROTO_MAX};
    use super::*;
    use kernel::prelude::*;

    fn q() -> Queue {
        let lim = QLimits {
            minpsz: 0,
            maxpsz: INFPSZ,
            hiwat: 1000,
            lowat: 100,
        };
        Queue::new(lim, false, QPCPROTO_MAX)
    }

    fn msg(ty: MsgType, band: u8, tag: u8) -> Mblk {
        let mut m = Mblk::with(ty, &[tag], GFP_KERNEL).unwrap();
        m.set_band(band);
        m
    }

    fn addr(m: &Mblk) -> usize {
        let p: *const Msg = &**m;
        p as usize
    }

    fn order(q: &mut Queue) -> KVec<u8> {
        let mut v = KVec::new();
        while let (Some(m), _) = q.getq() {
            v.push(m.bytes()[0], GFP_KERNEL).unwrap();
        }
        v
    }

    #[test]
    fn insq_places_and_rmvq_removes() {
        let mut q = q();
        let (a, c) = (msg(MsgType::Data, 0, b'A'), msg(MsgType::Data, 0, b'C'));
        let (aa, ca) = (addr(&a), addr(&c));
        q.putq(a);
        q.putq(c);
        assert!(q.insq(Some(ca), msg(MsgType::Data, 0, b'B')).is_ok());
        assert!(q.insq(None, msg(MsgType::Data, 0, b'D')).is_ok());
        let (a, _) = q.rmvq(aa).unwrap();
        assert_eq!(a.bytes()[0], b'A');
        assert!(q.rmvq(aa).is_none());
        assert_eq!(q.count(), 3);
        assert_eq!(&order(&mut q)[..], b"BCD");
        assert_eq!(q.count(), 0);
    }

    #[test]
    fn insq_keeps_the_order_invariant() {
        let mut q = q();
        let b0 = msg(MsgType::Data, 0, b'0');
        let b0a = addr(&b0);
        q.putq(b0);
        // Band 3 behind nothing higher, before band 0: fine.
        assert!(q.insq(Some(b0a), msg(MsgType::Data, 3, b'3')).is_ok());
        // Band 5 at the end, behind band 0: refused.
        let (m, why) = q.insq(None, msg(MsgType::Data, 5, b'5')).unwrap_err();
        assert_eq!(why, InsqError::Order);
        assert_eq!(m.band(), 5);
        // High priority before band 0 but behind band 3: refused.
        let (_, why) = q
            .insq(Some(b0a), msg(MsgType::PcProto, 0, b'P'))
            .unwrap_err();
        assert_eq!(why, InsqError::Order);
        // Not on the queue.
        let stray = msg(MsgType::Data, 0, b'S');
        let (_, why) = q
            .insq(Some(addr(&stray)), msg(MsgType::Data, 0, b'X'))
            .unwrap_err();
        assert_eq!(why, InsqError::NotQueued);
        assert_eq!(&order(&mut q)[..], b"30");
    }
}
