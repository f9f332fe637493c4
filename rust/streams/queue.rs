// SPDX-License-Identifier: GPL-2.0

//! STREAMS queues: a message list with SVR4's counts, water marks and flags.
//!
//! [`Queue`] is plain state; the stream it belongs to keeps it under the
//! stream's spinlock and acts on what these methods report (whether to
//! schedule a service procedure, whether to back-enable), because scheduling
//! and waking need the stream, not the queue.
//!
//! # Invariants
//!
//! - `count` is the sum of [`Msg::size`] and `mblkcnt` the sum of
//!   [`Msg::blocks`] over the messages on `list`; `pcproto` is the number of
//!   `M_PCPROTO` messages on it.
//! - High-priority messages are all in front of the normal ones, in the order
//!   they were queued.
//! - `limits.hiwat <= QHIWAT_MAX` and `limits.lowat <= limits.hiwat`.
//!
//! # Bounds
//!
//! Flow control bounds the ordinary messages of a queue: writers that respect
//! `canput` stop at `hiwat` (bytes or blocks), so a queue holds at most
//! `hiwat` plus one message per writer that passed `canput` just before the
//! queue filled. High-priority messages bypass flow control, so `putq` bounds
//! the one kind a user can send at will, `M_PCPROTO`: at most `pcproto_max`
//! of them wait on a queue (one at the stream head, SVR4's `STRPRI`; further
//! ones are freed, as illumos' `strrput` does: `putq` says [`Putq::Freed`]
//! and the stream counts them).
//! The other high-priority types are made by the framework, one per event
//! (an ioctl answer, a flush, a hangup), and are never queued in bulk.

use super::msg::{Mblk, Msg, MsgList, MsgType};
use kernel::prelude::*;

/// The queue is full (count or blocks at or above hiwat).
pub(crate) const QFULL: u32 = 0x01;
/// A reader found the queue empty; the next putq enables it.
pub(crate) const QWANTR: u32 = 0x02;
/// A writer found the queue full; draining below lowat back-enables.
pub(crate) const QWANTW: u32 = 0x04;
/// The service procedure is scheduled.
pub(crate) const QENAB: u32 = 0x08;
/// putq does not schedule the service procedure.
pub(crate) const QNOENB: u32 = 0x10;
/// The service procedure is running.
pub(crate) const QINSERVICE: u32 = 0x20;

/// "No maximum" packet size.
pub(crate) const INFPSZ: usize = usize::MAX;

/// The highest water mark a queue can be given (`M_SETOPTS`, `ECHO_SETQ`):
/// `STRCLONE_QHIWAT_MAX` of the uapi header.
pub(crate) const QHIWAT_MAX: usize = crate::uapi::STRCLONE_QHIWAT_MAX;

/// `M_PCPROTO` messages a queue below the stream head keeps at most.
pub(crate) const QPCPROTO_MAX: u8 = 4;

fn to32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What [`Queue::putq`] did with a message.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Putq {
    /// Queued, and the service procedure must be scheduled.
    Enable,
    /// Queued; nothing to schedule.
    Queued,
    /// Freed: an `M_PCPROTO` beyond the queue's allowance.
    Freed,
}

/// Queue limits, as in SVR4's `module_info`.
#[derive(Copy, Clone, Debug)]
pub(crate) struct QLimits {
    /// Smallest message the queue accepts from the stream head.
    pub(crate) minpsz: usize,
    /// Largest message; the stream head splits writes at it.
    pub(crate) maxpsz: usize,
    /// High water mark (bytes and blocks).
    pub(crate) hiwat: usize,
    /// Low water mark.
    pub(crate) lowat: usize,
}

/// One queue.
pub(crate) struct Queue {
    list: MsgList,
    // 32 bits, so that four queues and the head fit a 512-byte stream;
    // a queue's bytes stay far below 4 GiB (hiwat is at most 64 KiB, plus
    // one message per writer).
    count: u32,
    mblkcnt: u32,
    flags: u32,
    limits: QLimits,
    has_service: bool,
    // Small, so that they fit in the padding: a stream is four queues, and
    // its size decides its slab cache.
    pcproto: u8,
    pcproto_max: u8,
}

impl Queue {
    /// An empty queue. `has_service` says whether it has a service
    /// procedure (putq only schedules queues that have one); `pcproto_max`
    /// is how many `M_PCPROTO` messages it keeps (1 at the stream head,
    /// [`QPCPROTO_MAX`] elsewhere). The water marks are capped at
    /// [`QHIWAT_MAX`].
    pub(crate) fn new(limits: QLimits, has_service: bool, pcproto_max: u8) -> Self {
        let mut q = Self {
            list: MsgList::new(),
            count: 0,
            mblkcnt: 0,
            flags: QWANTR,
            limits,
            has_service,
            pcproto: 0,
            pcproto_max,
        };
        q.set_water(limits.hiwat, limits.lowat);
        q
    }

    /// Whether the queue has a service procedure.
    pub(crate) fn has_service(&self) -> bool {
        self.has_service
    }

    /// The flags (`QFULL` ...).
    pub(crate) fn flags(&self) -> u32 {
        self.flags
    }

    /// Sets flag bits.
    pub(crate) fn set_flags(&mut self, f: u32) {
        self.flags |= f;
    }

    /// Clears flag bits.
    pub(crate) fn clear_flags(&mut self, f: u32) {
        self.flags &= !f;
    }

    /// Bytes queued.
    pub(crate) fn count(&self) -> usize {
        self.count as usize
    }

    /// Blocks queued (checked by the KUnit tests).
    #[cfg(CONFIG_KUNIT)]
    pub(crate) fn mblkcnt(&self) -> usize {
        self.mblkcnt as usize
    }

    /// Messages queued.
    pub(crate) fn msgs(&self) -> usize {
        self.list.len()
    }

    /// Whether no message is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The limits.
    pub(crate) fn limits(&self) -> QLimits {
        self.limits
    }

    /// Changes the water marks (M_SETOPTS, ECHO_SETQ) and re-evaluates QFULL.
    /// `hiwat` is capped at [`QHIWAT_MAX`], `lowat` at `hiwat`. Returns true
    /// when the queue is no longer full and a writer waited.
    pub(crate) fn set_water(&mut self, hiwat: usize, lowat: usize) -> bool {
        self.limits.hiwat = hiwat.min(QHIWAT_MAX);
        self.limits.lowat = lowat.min(self.limits.hiwat);
        self.update_full()
    }

    /// The first message.
    pub(crate) fn front(&self) -> Option<&Msg> {
        self.list.front()
    }

    /// Whether the queue is full (`canput` without the side effect).
    pub(crate) fn is_full(&self) -> bool {
        self.flags & QFULL != 0
    }

    /// SVR4 `canput`: false when full, and then remembers that a writer
    /// wants to be back-enabled.
    pub(crate) fn canput(&mut self) -> bool {
        if self.is_full() {
            self.flags |= QWANTW;
            false
        } else {
            true
        }
    }

    fn account_add(&mut self, m: &Msg) {
        self.count = self.count.saturating_add(to32(m.size()));
        self.mblkcnt = self.mblkcnt.saturating_add(to32(m.blocks()));
        if m.ty() == MsgType::PcProto {
            self.pcproto = self.pcproto.saturating_add(1);
        }
        if self.count() >= self.limits.hiwat || self.mblkcnt as usize >= self.limits.hiwat {
            self.flags |= QFULL;
        }
    }

    fn account_sub(&mut self, m: &Msg) {
        self.count = self.count.saturating_sub(to32(m.size()));
        self.mblkcnt = self.mblkcnt.saturating_sub(to32(m.blocks()));
        if m.ty() == MsgType::PcProto {
            self.pcproto = self.pcproto.saturating_sub(1);
        }
    }

    /// Clears QFULL once both counts are below lowat (or the queue is empty).
    /// Returns true when a writer is waiting to be back-enabled (and
    /// clears QWANTW).
    fn update_full(&mut self) -> bool {
        let below = self.list.is_empty()
            || (self.count() < self.limits.lowat && (self.mblkcnt as usize) < self.limits.lowat);
        let fits = self.count() < self.limits.hiwat && (self.mblkcnt as usize) < self.limits.hiwat;
        if below || (fits && self.flags & QFULL == 0) {
            self.flags &= !QFULL;
        } else if !fits {
            self.flags |= QFULL;
        }
        if below && self.flags & QWANTW != 0 {
            self.flags &= !QWANTW;
            return true;
        }
        false
    }

    /// SVR4 `putq`. [`Putq::Enable`] when the service procedure must be
    /// scheduled: a high-priority message, or a reader that found the queue
    /// empty, unless `noenable` is in force. An `M_PCPROTO` beyond the
    /// queue's allowance is freed instead (see "Bounds" above).
    pub(crate) fn putq(&mut self, m: Mblk) -> Putq {
        if m.ty() == MsgType::PcProto && self.pcproto >= self.pcproto_max {
            return Putq::Freed;
        }
        let hipri = m.ty().is_hipri();
        self.account_add(&m);
        if hipri {
            self.list.insert_before(m, |q| !q.ty().is_hipri());
        } else {
            self.list.push_back(m);
        }
        let enable =
            self.has_service && (hipri || (self.flags & QWANTR != 0 && self.flags & QNOENB == 0));
        if enable {
            self.flags &= !QWANTR;
            Putq::Enable
        } else {
            Putq::Queued
        }
    }

    /// Queues `m` behind the messages of its class without scheduling
    /// anything or dropping it: for a queue whose procedures are off, which
    /// the framework empties itself (a module being pushed or popped).
    pub(crate) fn append(&mut self, m: Mblk) {
        let hipri = m.ty().is_hipri();
        self.account_add(&m);
        if hipri {
            self.list.insert_before(m, |q| !q.ty().is_hipri());
        } else {
            self.list.push_back(m);
        }
    }

    /// Frees the oldest messages until `m` fits below the high water mark
    /// (in bytes and in blocks), or the queue is empty; returns how many
    /// were freed. The log's loss policy: one old message (or a few, for a
    /// larger new one) for each new one, never more.
    pub(crate) fn make_room_for(&mut self, m: &Msg) -> usize {
        let mut freed = 0;
        while !self.list.is_empty()
            && (self.count() + m.size() > self.limits.hiwat
                || self.mblkcnt as usize + m.blocks() > self.limits.hiwat)
        {
            if self.getq().0.is_none() {
                break;
            }
            freed += 1;
        }
        freed
    }

    /// SVR4 `putbq`: puts a message back at the front of its class.
    pub(crate) fn putbq(&mut self, m: Mblk) {
        self.account_add(&m);
        if m.ty().is_hipri() {
            self.list.push_front(m);
        } else {
            self.list.insert_before(m, |q| !q.ty().is_hipri());
        }
    }

    /// SVR4 `getq`. Returns the message (if any) and whether the queue
    /// behind this one must be back-enabled.
    pub(crate) fn getq(&mut self) -> (Option<Mblk>, bool) {
        match self.list.pop_front() {
            None => {
                self.flags |= QWANTR;
                (None, self.update_full())
            }
            Some(m) => {
                self.flags &= !QWANTR;
                self.account_sub(&m);
                let back = self.update_full();
                (Some(m), back)
            }
        }
    }

    /// SVR4 `flushq`: `all` frees every message, otherwise only the
    /// data-class ones. Returns whether a writer must be back-enabled.
    pub(crate) fn flushq(&mut self, all: bool) -> bool {
        let mut removed_size = 0;
        let mut removed_blocks = 0;
        let mut removed_pcproto = 0u8;
        self.list.drain_filter(
            |m| all || m.ty().is_data_class(),
            |m| {
                removed_size += m.size();
                removed_blocks += m.blocks();
                removed_pcproto =
                    removed_pcproto.saturating_add(u8::from(m.ty() == MsgType::PcProto));
            },
        );
        self.count = self.count.saturating_sub(to32(removed_size));
        self.mblkcnt = self.mblkcnt.saturating_sub(to32(removed_blocks));
        self.pcproto = self.pcproto.saturating_sub(removed_pcproto);
        self.update_full()
    }

    /// Calls `f` on each queued message.
    pub(crate) fn for_each(&self, f: impl FnMut(&Msg)) {
        self.list.for_each(f)
    }
}

#[kunit_tests(strclone_queue)]
mod tests {
    use super::*;

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
        let mut q = Queue::new(limits(usize::MAX, usize::MAX), true, QPCPROTO_MAX);
        assert_eq!(q.limits().hiwat, QHIWAT_MAX);
        assert_eq!(q.limits().lowat, QHIWAT_MAX);
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
}
