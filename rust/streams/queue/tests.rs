// SPDX-License-Identifier: GPL-2.0

//! The KUnit suite `strclone_queue`: flow control, bands, the
//! high-priority bound, flushing.

use kernel::prelude::kunit_tests;

// `#[kunit_tests]` takes an inline module only, hence the one below.
#[kunit_tests(strclone_queue)]
mod suite {
    use super::super::*;

    fn limits(hiwat: usize, lowat: usize) -> QLimits {
        QLimits {
            minpsz: 0,
            maxpsz: INFPSZ,
            hiwat,
            lowat,
        }
    }

    fn data(n: usize) -> Mblk {
        let mut v = KVec::new();
        for i in 0..n {
            v.push(i as u8, GFP_KERNEL).unwrap();
        }
        Mblk::with(MsgType::Data, &v, GFP_KERNEL).unwrap()
    }

    fn typed(ty: MsgType, tag: u8) -> Mblk {
        Mblk::with(ty, &[tag], GFP_KERNEL).unwrap()
    }

    #[test]
    fn full_at_hiwat_and_clear_below_lowat() {
        let mut q = Queue::new(limits(100, 40), true, QPCPROTO_MAX);
        assert!(q.canput());
        q.putq(data(60));
        assert!(!q.is_full());
        q.putq(data(40));
        assert!(q.is_full());
        assert!(!q.canput());
        assert!(q.flags() & QWANTW != 0);
        // 40 bytes left: still not below lowat, no back-enable yet.
        let (m, back) = q.getq();
        assert_eq!(m.map(|m| m.size()), Some(60));
        assert!(!back);
        assert!(q.is_full());
        // Empty: below lowat, the waiting writer is back-enabled once.
        let (_, back) = q.getq();
        assert!(back);
        assert!(!q.is_full());
        assert!(q.flags() & QWANTW == 0);
        assert_eq!(q.count(), 0);
        assert_eq!(q.mblkcnt(), 0);
    }

    #[test]
    fn blocks_count_against_hiwat() {
        // hiwat 4: four one-byte messages fill the queue by block count.
        let mut q = Queue::new(limits(4, 2), true, QPCPROTO_MAX);
        for _ in 0..3 {
            q.putq(data(1));
        }
        assert!(!q.is_full());
        q.putq(data(1));
        assert!(q.is_full());
        assert_eq!(q.mblkcnt(), 4);
        assert_eq!(q.count(), 4);
    }

    #[test]
    fn hipri_goes_ahead_of_normal_fifo_among_itself() {
        let mut q = Queue::new(limits(1000, 100), true, QPCPROTO_MAX);
        q.putq(typed(MsgType::Data, 1));
        q.putq(typed(MsgType::Data, 2));
        assert_eq!(q.putq(typed(MsgType::PcProto, 3)), Putq::Enable);
        q.putq(typed(MsgType::PcProto, 4));
        q.putq(typed(MsgType::Data, 5));
        let mut order = KVec::new();
        while let (Some(m), _) = q.getq() {
            order.push(m.bytes()[0], GFP_KERNEL).unwrap();
        }
        assert_eq!(&order[..], &[3, 4, 1, 2, 5]);
    }

    #[test]
    fn putq_enables_only_when_wanted() {
        let mut q = Queue::new(limits(1000, 100), true, QPCPROTO_MAX);
        // A fresh queue wants a reader: the first putq schedules it.
        assert_eq!(q.putq(data(1)), Putq::Enable);
        // The service has not run: further puts do not reschedule.
        assert_eq!(q.putq(data(1)), Putq::Queued);
        // getq until empty sets QWANTR again.
        while q.getq().0.is_some() {}
        assert_eq!(q.putq(data(1)), Putq::Enable);
        // noenable suppresses normal messages but not high priority.
        while q.getq().0.is_some() {}
        q.set_flags(QNOENB);
        assert_eq!(q.putq(data(1)), Putq::Queued);
        assert_eq!(q.putq(typed(MsgType::PcProto, 0)), Putq::Enable);
        // A queue without a service procedure is never scheduled.
        let mut head = Queue::new(limits(1000, 100), false, QPCPROTO_MAX);
        assert_eq!(head.putq(data(1)), Putq::Queued);
    }

    #[test]
    fn putbq_restores_front_of_class() {
        let mut q = Queue::new(limits(1000, 100), true, QPCPROTO_MAX);
        q.putq(typed(MsgType::PcProto, 1));
        q.putq(typed(MsgType::Data, 2));
        q.putq(typed(MsgType::Data, 3));
        let (hi, _) = q.getq();
        let (d2, _) = q.getq();
        q.putbq(d2.unwrap());
        q.putbq(hi.unwrap());
        let mut order = KVec::new();
        while let (Some(m), _) = q.getq() {
            order.push(m.bytes()[0], GFP_KERNEL).unwrap();
        }
        assert_eq!(&order[..], &[1, 2, 3]);
    }

    #[test]
    fn flush_data_keeps_control() {
        let mut q = Queue::new(limits(10, 5), true, QPCPROTO_MAX);
        q.putq(typed(MsgType::Data, 1));
        q.putq(typed(MsgType::Proto, 2));
        q.putq(typed(MsgType::Ioctl, 3));
        q.putq(data(20));
        assert!(q.is_full());
        assert!(!q.canput());
        let back = q.flushq(false);
        assert!(back);
        assert_eq!(q.msgs(), 1);
        assert_eq!(q.front().map(|m| m.ty()), Some(MsgType::Ioctl));
        assert!(!q.is_full());
        q.flushq(true);
        assert!(q.is_empty());
        assert_eq!(q.count(), 0);
        assert_eq!(q.mblkcnt(), 0);
    }

    #[test]
    fn message_chain_sizes() {
        let mut m = typed(MsgType::Proto, 9);
        m.link_cont(data(10));
        m.link_cont(data(5));
        assert_eq!(m.blocks(), 3);
        assert_eq!(m.size(), 16);
        assert_eq!(m.data_size(), 15);
        let mut q = Queue::new(limits(1000, 100), true, QPCPROTO_MAX);
        q.putq(m);
        assert_eq!(q.count(), 16);
        assert_eq!(q.mblkcnt(), 3);
    }

    #[test]
    fn pcproto_allowance() {
        // The stream head keeps one M_PCPROTO (STRPRI): a second is freed
        // and counted; control messages and ordinary data are not limited.
        let mut q = Queue::new(limits(1000, 100), false, 1);
        assert_eq!(q.putq(typed(MsgType::PcProto, 1)), Putq::Queued);
        assert_eq!(q.putq(typed(MsgType::PcProto, 2)), Putq::Freed);
        q.putq(typed(MsgType::Flush, 3));
        q.putq(typed(MsgType::Data, 4));
        assert_eq!(q.msgs(), 3);
        assert_eq!(q.count(), 3);
        // Taken off, it makes room for the next one; putbq always keeps.
        let (m, _) = q.getq();
        let m = m.unwrap();
        assert_eq!(m.bytes()[0], 1);
        assert_eq!(q.putq(typed(MsgType::PcProto, 5)), Putq::Queued);
        q.putbq(m);
        assert_eq!(q.msgs(), 4);
        // A flush of the data class frees them and their allowance.
        q.flushq(false);
        assert_eq!(q.putq(typed(MsgType::PcProto, 6)), Putq::Queued);
        assert_eq!(q.msgs(), 2);
    }

    #[test]
    fn make_room_frees_only_what_is_needed() {
        let mut q = Queue::new(limits(100, 10), true, QPCPROTO_MAX);
        for _ in 0..10 {
            q.putq(data(10));
        }
        assert!(q.is_full());
        // One 10-byte message needs one old one to go, not everything down
        // to the low water mark.
        assert_eq!(q.make_room_for(&data(10)), 1);
        assert_eq!(q.count(), 90);
        q.putq(data(10));
        // A 25-byte one needs three.
        assert_eq!(q.make_room_for(&data(25)), 3);
        assert_eq!(q.count(), 70);
        // One larger than the queue empties it, and no more.
        assert_eq!(q.make_room_for(&data(500)), 7);
        assert!(q.is_empty());
        assert_eq!(q.make_room_for(&data(500)), 0);
    }

    #[test]
    fn water_marks_are_capped() {
        // What a built-in driver declares is capped at the built-in cap...
        let mut q = Queue::new(limits(usize::MAX, usize::MAX), true, QPCPROTO_MAX);
        assert_eq!(q.limits().hiwat, QHIWAT_BUILTIN_MAX);
        assert_eq!(q.limits().lowat, QHIWAT_BUILTIN_MAX);
        // ...and anything set later at QHIWAT_MAX.
        q.set_water(1 << 30, 1 << 20);
        assert_eq!(q.limits().hiwat, QHIWAT_MAX);
        assert_eq!(q.limits().lowat, QHIWAT_MAX);
        q.set_water(100, 200);
        assert_eq!(q.limits().lowat, 100);
    }

    #[test]
    fn setopts_water_marks() {
        let mut q = Queue::new(limits(100, 50), false, QPCPROTO_MAX);
        q.putq(data(60));
        assert!(!q.is_full());
        q.set_water(50, 10);
        assert!(q.is_full());
        assert!(!q.canput());
        assert!(q.set_water(200, 100));
        assert!(!q.is_full());
    }

    fn banded(band: u8, tag: u8, n: usize) -> Mblk {
        let mut v = KVec::new();
        v.push(tag, GFP_KERNEL).unwrap();
        for _ in 1..n {
            v.push(0, GFP_KERNEL).unwrap();
        }
        let mut m = Mblk::with(MsgType::Data, &v, GFP_KERNEL).unwrap();
        m.set_band(band);
        m
    }

    fn tags(q: &mut Queue) -> KVec<u8> {
        let mut order = KVec::new();
        while let (Some(m), _) = q.getq() {
            order.push(m.bytes()[0], GFP_KERNEL).unwrap();
        }
        order
    }

    #[test]
    fn bands_order_highest_first_fifo_within() {
        let mut q = Queue::new(limits(1000, 100), true, QPCPROTO_MAX);
        q.putq(banded(0, b'a', 1));
        q.putq(banded(2, b'b', 1));
        q.putq(banded(1, b'c', 1));
        q.putq(banded(2, b'd', 1));
        q.putq(typed(MsgType::PcProto, b'h'));
        q.putq(banded(0, b'e', 1));
        assert_eq!(q.count(), 6);
        assert_eq!(&tags(&mut q)[..], b"hbdcae");
        assert_eq!(q.count(), 0);
    }

    #[test]
    fn putbq_goes_to_the_front_of_its_band() {
        let mut q = Queue::new(limits(1000, 100), true, QPCPROTO_MAX);
        q.putq(banded(1, b'x', 1));
        q.putq(banded(2, b'a', 1));
        q.putq(banded(2, b'b', 1));
        let (m, _) = q.getq();
        let m = m.unwrap();
        assert_eq!(m.bytes()[0], b'a');
        q.putq(typed(MsgType::PcProto, b'h'));
        q.putbq(m);
        assert_eq!(&tags(&mut q)[..], b"habx");
    }

    #[test]
    fn each_band_has_its_own_flow_control() {
        let mut q = Queue::new(limits(100, 40), true, QPCPROTO_MAX);
        q.putq(banded(1, b'1', 100));
        // Band 1 is full; band 0 and band 2 are not.
        assert!(!q.bcanput(1));
        assert!(q.bcanput(0));
        assert!(q.canput());
        assert!(q.bcanput(2));
        assert!(!q.is_full());
        assert_eq!(q.count(), 100);
        // Band 0 fills on its own.
        q.putq(banded(0, b'0', 100));
        assert!(!q.canput());
        // Taking band 1's message back-enables the writer that waited on
        // band 1 (the band is empty, so below its low water mark).
        let (m, back) = q.getq();
        assert_eq!(m.map(|m| m.bytes()[0]), Some(b'1'));
        assert!(back);
        assert!(q.bcanput(1));
        // Band 0's writer is back-enabled when band 0 drains.
        let (_, back) = q.getq();
        assert!(back);
        assert!(q.canput());
    }

    #[test]
    fn any_band_writable_for_pollwrband() {
        let mut q = Queue::new(limits(100, 40), true, QPCPROTO_MAX);
        // No band above 0 used yet: writable, even with band 0 full.
        q.putq(banded(0, b'0', 100));
        assert!(q.any_band_writable());
        // The only band used is full: not writable, and the writer waits.
        q.putq(banded(3, b'3', 100));
        assert!(!q.any_band_writable());
        assert!(q.writer_waits());
        // Another band with room: writable.
        q.putq(banded(5, b'5', 10));
        assert!(q.any_band_writable());
        // Draining band 5 (first) then band 3 back-enables band 3's writer.
        let (_, back) = q.getq();
        assert!(!back);
        let (m, back) = q.getq();
        assert_eq!(m.map(|m| m.bytes()[0]), Some(b'3'));
        assert!(back);
        assert!(q.any_band_writable());
    }

    #[test]
    fn flushband_takes_only_that_band() {
        let mut q = Queue::new(limits(1000, 100), true, QPCPROTO_MAX);
        q.putq(banded(1, b'a', 10));
        q.putq(banded(2, b'b', 20));
        q.putq(banded(1, b'c', 30));
        q.putq(banded(0, b'd', 40));
        q.putq(typed(MsgType::Ioctl, b'i'));
        assert_eq!(q.count(), 101);
        q.flushband(1, false);
        assert_eq!(q.count(), 61);
        assert_eq!(q.msgs(), 3);
        // A band's water marks can be set on their own.
        assert!(!q.set_band_water(2, 10, 5).unwrap());
        assert!(!q.bcanput(2));
        assert!(q.bcanput(3));
        q.flushband(2, false);
        assert!(q.bcanput(2));
        assert_eq!(&tags(&mut q)[..], b"di");
    }
}
