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
//!   [`Msg::blocks`] over the band-0 and high-priority messages on `list`;
//!   each [`QBand`] holds the same sums for its band's messages; `pcproto`
//!   is the number of `M_PCPROTO` messages on the list.
//! - Order on the list: high-priority messages first, in the order they
//!   were queued; then normal messages by band, highest first, each band in
//!   the order its messages were queued (`putbq` puts one back at the front
//!   of its band).
//!
//! # Priority bands
//!
//! A normal message carries a band, `b_band` (0 to 255). Band 0 is the
//! queue's own flow control (`QFULL`, `QWANTW`, the queue's water marks);
//! every other band gets a [`QBand`] the first time one of its messages is
//! queued, with its own count, water marks (the queue's, at first) and
//! `QB_FULL`/`QB_WANTW`, so a full band 1 does not stop band 0 or band 2
//! (`bcanput`). A band's table entry is allocated atomically under the
//! stream lock; if that fails the message is queued in band 0 instead, so
//! `putq` still never fails and loses nothing.
//! - `limits.hiwat <= QHIWAT_BUILTIN_MAX` and `limits.lowat <= limits.hiwat`;
//!   `limits.hiwat <= QHIWAT_MAX` once anything but the queue's own built-in
//!   driver set it.
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

mod insq;
pub(crate) use insq::InsqError;
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

/// A band is full.
const QB_FULL: u8 = 0x01;
/// A writer found the band full.
const QB_WANTW: u8 = 0x02;

/// "No maximum" packet size.
pub(crate) const INFPSZ: usize = usize::MAX;

/// The highest water mark a queue can be given (`M_SETOPTS`, `ECHO_SETQ`):
/// `STRCLONE_QHIWAT_MAX` of the uapi header.
pub(crate) const QHIWAT_MAX: usize = crate::uapi::STRCLONE_QHIWAT_MAX;

/// The highest water mark a built-in driver may declare for its own queues
/// in its code (`Queue::new`): above [`QHIWAT_MAX`] only for queues whose
/// openers are privileged. The log readers' queues use 512 KiB (log.rst).
/// Every water mark set later, by a user, a module or another kernel
/// module, is capped at [`QHIWAT_MAX`].
pub(crate) const QHIWAT_BUILTIN_MAX: usize = 1 << 20;

/// `M_PCPROTO` messages a queue below the stream head keeps at most.
pub(crate) const QPCPROTO_MAX: u8 = 4;

fn to32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn from32(n: u32) -> usize {
    if n == u32::MAX {
        usize::MAX
    } else {
        n as usize
    }
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

/// [`QLimits`] as a queue stores them: 32 bits each (`u32::MAX` is
/// `INFPSZ`), so that four queues and the head fit a 512-byte stream.
#[derive(Copy, Clone)]
struct Limits32 {
    minpsz: u32,
    maxpsz: u32,
    hiwat: u32,
    lowat: u32,
}

/// SVR4's `qband`: flow control of one priority band above 0.
#[derive(Copy, Clone, Debug)]
pub(crate) struct QBand {
    band: u8,
    flags: u8,
    count: u32,
    blocks: u32,
    hiwat: u32,
    lowat: u32,
}

impl QBand {
    fn below_lowat(&self) -> bool {
        self.count < self.lowat && self.blocks < self.lowat
    }

    fn fits(&self) -> bool {
        self.count < self.hiwat && self.blocks < self.hiwat
    }
}

/// One queue.
pub(crate) struct Queue {
    list: MsgList,
    // 32 bits, so that four queues and the head fit a 512-byte stream;
    // a queue's bytes stay far below 4 GiB (hiwat is at most 1 MiB, plus
    // one message per writer).
    count: u32,
    mblkcnt: u32,
    flags: u32,
    lim: Limits32,
    /// The bands above 0 that ever held a message, by band number.
    bands: Option<KBox<KVec<QBand>>>,
    has_service: bool,
    // Small, so that they fit in the padding: a stream is four queues, and
    // its size decides its slab cache.
    pcproto: u8,
    pcproto_max: u8,
}

/// The band a message is counted in. High-priority messages are put in
/// band 0 when they are queued (as illumos does), so the count never
/// depends on a type that another holder of a shared data block could
/// change while the message waits.
fn band_of(m: &Msg) -> u8 {
    m.band()
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
            lim: Limits32 {
                minpsz: to32(limits.minpsz),
                maxpsz: to32(limits.maxpsz),
                hiwat: 0,
                lowat: 0,
            },
            bands: None,
            has_service,
            pcproto: 0,
            pcproto_max,
        };
        q.set_water_capped(limits.hiwat, limits.lowat, QHIWAT_BUILTIN_MAX);
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

    fn band_slice(&self) -> &[QBand] {
        self.bands.as_deref().map_or(&[], |v| &v[..])
    }

    /// Bytes queued, every band.
    pub(crate) fn count(&self) -> usize {
        self.count as usize
            + self
                .band_slice()
                .iter()
                .map(|b| b.count as usize)
                .sum::<usize>()
    }

    /// Blocks queued in band 0 and high priority (checked by KUnit).
    #[cfg(CONFIG_KUNIT)]
    pub(crate) fn mblkcnt(&self) -> usize {
        self.mblkcnt as usize
    }

    /// Whether `extra` more bytes and blocks in band 0 would leave the
    /// queue below its high water mark (a head inbox's room:
    /// `streams/inbox.rs`).
    pub(crate) fn has_room_for(&self, extra: usize) -> bool {
        let hiwat = from32(self.lim.hiwat);
        (self.count as usize).saturating_add(extra) < hiwat
            && (self.mblkcnt as usize).saturating_add(extra) < hiwat
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
        QLimits {
            minpsz: from32(self.lim.minpsz),
            maxpsz: from32(self.lim.maxpsz),
            hiwat: self.lim.hiwat as usize,
            lowat: self.lim.lowat as usize,
        }
    }

    /// Changes the water marks (M_SETOPTS, ECHO_SETQ) and re-evaluates QFULL.
    /// `hiwat` is capped at [`QHIWAT_MAX`], `lowat` at `hiwat`. Returns true
    /// when the queue is no longer full and a writer waited.
    pub(crate) fn set_water(&mut self, hiwat: usize, lowat: usize) -> bool {
        self.set_water_capped(hiwat, lowat, QHIWAT_MAX)
    }

    /// Gives the queue another `qinit`: limits, service procedure and
    /// `M_PCPROTO` allowance (a stream head's pair becomes a multiplexor's
    /// lower pair at `I_LINK`, and back at `I_UNLINK`). The queued messages
    /// stay. Returns whether a writer must be back-enabled.
    pub(crate) fn set_qinit(
        &mut self,
        limits: QLimits,
        has_service: bool,
        pcproto_max: u8,
    ) -> bool {
        self.lim.minpsz = to32(limits.minpsz);
        self.lim.maxpsz = to32(limits.maxpsz);
        self.has_service = has_service;
        self.pcproto_max = pcproto_max;
        self.set_water_capped(limits.hiwat, limits.lowat, QHIWAT_BUILTIN_MAX)
    }

    fn set_water_capped(&mut self, hiwat: usize, lowat: usize, cap: usize) -> bool {
        let hi = hiwat.min(cap);
        self.lim.hiwat = to32(hi);
        self.lim.lowat = to32(lowat.min(hi));
        self.update_full()
    }

    /// Changes band `band`'s water marks (`strqset(QHIWAT/QLOWAT, band)`),
    /// capped as [`Self::set_water`]. `ENOMEM` if the band has no entry yet
    /// and none can be made. Returns whether a writer must be back-enabled.
    pub(crate) fn set_band_water(&mut self, band: u8, hiwat: usize, lowat: usize) -> Result<bool> {
        if band == 0 {
            return Ok(self.set_water(hiwat, lowat));
        }
        let hi = to32(hiwat.min(QHIWAT_MAX));
        let qb = self.qband_or_new(band).ok_or(ENOMEM)?;
        qb.hiwat = hi;
        qb.lowat = to32(lowat).min(hi);
        Ok(self.update_band(band))
    }

    /// The first message.
    pub(crate) fn front(&self) -> Option<&Msg> {
        self.list.front()
    }

    /// Whether a writer waits to be back-enabled by this queue, in any
    /// band (`QWANTW` or a band's `QB_WANTW`).
    pub(crate) fn writer_waits(&self) -> bool {
        self.flags & QWANTW != 0
            || self
                .bands
                .as_deref()
                .is_some_and(|v| v.iter().any(|b| b.flags & QB_WANTW != 0))
    }

    /// Calls `f` with each band above 0 that has an entry and is not full
    /// (what `S_WRBAND` reports).
    pub(crate) fn for_each_open_band(&self, mut f: impl FnMut(u8)) {
        for b in self.band_slice() {
            if b.flags & QB_FULL == 0 {
                f(b.band);
            }
        }
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

    /// SVR4 `bcanput`: [`Self::canput`] for band `band` (0: the queue's
    /// own flow control). A band that never held a message is not full.
    pub(crate) fn bcanput(&mut self, band: u8) -> bool {
        if band == 0 {
            return self.canput();
        }
        match self.qband(band) {
            Some(qb) if qb.flags & QB_FULL != 0 => {
                qb.flags |= QB_WANTW;
                false
            }
            _ => true,
        }
    }

    /// Whether a message of some band above 0 could be put now
    /// (`POLLWRBAND`): no band above 0 ever held a message, or one of them
    /// is not full. The full ones remember that a writer waits
    /// (`QB_WANTW`), so that it is woken when they drain.
    pub(crate) fn any_band_writable(&mut self) -> bool {
        let Some(v) = self.bands.as_mut() else {
            return true;
        };
        let mut ok = v.is_empty();
        for b in v.iter_mut() {
            if b.flags & QB_FULL != 0 {
                b.flags |= QB_WANTW;
            } else {
                ok = true;
            }
        }
        ok
    }

    fn qband(&mut self, band: u8) -> Option<&mut QBand> {
        self.bands.as_mut()?.iter_mut().find(|b| b.band == band)
    }

    /// Band `band`'s entry, made (with the queue's water marks) if it has
    /// none; `None` if there is no memory for it.
    fn qband_or_new(&mut self, band: u8) -> Option<&mut QBand> {
        if self.bands.is_none() {
            self.bands = Some(KBox::new(KVec::new(), GFP_ATOMIC).ok()?);
        }
        let (hiwat, lowat) = (self.lim.hiwat, self.lim.lowat);
        let v = self.bands.as_mut()?;
        let pos = match v.iter().position(|b| b.band >= band) {
            Some(p) if v[p].band == band => return v.get_mut(p),
            Some(p) => p,
            None => v.len(),
        };
        v.reserve(1, GFP_ATOMIC).ok()?;
        let qb = QBand {
            band,
            flags: 0,
            count: 0,
            blocks: 0,
            hiwat,
            lowat,
        };
        v.insert_within_capacity(pos, qb).ok()?;
        v.get_mut(pos)
    }

    fn account_add(&mut self, m: &Msg) {
        let (size, blocks) = (to32(m.size()), to32(m.blocks()));
        if m.ty() == MsgType::PcProto {
            self.pcproto = self.pcproto.saturating_add(1);
        }
        let band = band_of(m);
        if band != 0 {
            if let Some(qb) = self.qband(band) {
                qb.count = qb.count.saturating_add(size);
                qb.blocks = qb.blocks.saturating_add(blocks);
                if !qb.fits() {
                    qb.flags |= QB_FULL;
                }
                return;
            }
        }
        self.count = self.count.saturating_add(size);
        self.mblkcnt = self.mblkcnt.saturating_add(blocks);
        if self.count >= self.lim.hiwat || self.mblkcnt >= self.lim.hiwat {
            self.flags |= QFULL;
        }
    }

    /// Takes `m` out of the counts; returns its band (0 if it was counted
    /// in band 0).
    fn account_sub(&mut self, m: &Msg) -> u8 {
        let (size, blocks) = (to32(m.size()), to32(m.blocks()));
        if m.ty() == MsgType::PcProto {
            self.pcproto = self.pcproto.saturating_sub(1);
        }
        let band = band_of(m);
        if band != 0 {
            if let Some(qb) = self.qband(band) {
                qb.count = qb.count.saturating_sub(size);
                qb.blocks = qb.blocks.saturating_sub(blocks);
                return band;
            }
        }
        self.count = self.count.saturating_sub(size);
        self.mblkcnt = self.mblkcnt.saturating_sub(blocks);
        0
    }

    /// Clears QFULL once both counts are below lowat (or the queue is empty).
    /// Returns true when a writer is waiting to be back-enabled (and
    /// clears QWANTW).
    fn update_full(&mut self) -> bool {
        let below =
            self.list.is_empty() || (self.count < self.lim.lowat && self.mblkcnt < self.lim.lowat);
        let fits = self.count < self.lim.hiwat && self.mblkcnt < self.lim.hiwat;
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

    /// [`Self::update_full`] for band `band`.
    fn update_band(&mut self, band: u8) -> bool {
        if band == 0 {
            return self.update_full();
        }
        let Some(qb) = self.qband(band) else {
            return false;
        };
        let below = (qb.count == 0 && qb.blocks == 0) || qb.below_lowat();
        if below || (qb.fits() && qb.flags & QB_FULL == 0) {
            qb.flags &= !QB_FULL;
        } else if !qb.fits() {
            qb.flags |= QB_FULL;
        }
        if below && qb.flags & QB_WANTW != 0 {
            qb.flags &= !QB_WANTW;
            return true;
        }
        false
    }

    /// Every band's [`Self::update_band`]; true if any writer waits.
    fn update_all(&mut self) -> bool {
        let mut back = self.update_full();
        let n = self.band_slice().len();
        for i in 0..n {
            let band = self.band_slice()[i].band;
            back |= self.update_band(band);
        }
        back
    }

    /// Links `m` in its place: high priority ahead of every normal message
    /// (behind those already there), a normal message behind its band and
    /// ahead of every lower band. `front`: ahead of its own band instead
    /// (`putbq`).
    fn link(&mut self, m: Mblk, front: bool) {
        if m.ty().is_hipri() {
            if front {
                self.list.push_front(m);
            } else {
                self.list.insert_before(m, |q| !q.ty().is_hipri());
            }
            return;
        }
        let band = m.band();
        if band == 0 && !front {
            self.list.push_back(m);
        } else if front {
            self.list
                .insert_before(m, |q| !q.ty().is_hipri() && q.band() <= band);
        } else {
            self.list
                .insert_before(m, |q| !q.ty().is_hipri() && q.band() < band);
        }
    }

    /// A band above 0 for `m` needs a table entry; without memory for one
    /// the message goes into band 0.
    fn ensure_band(&mut self, m: &mut Mblk) {
        if m.ty().is_hipri() {
            m.set_band(0);
            return;
        }
        let band = band_of(m);
        if band != 0 && self.qband_or_new(band).is_none() {
            m.set_band(0);
        }
    }

    /// SVR4 `putq`. [`Putq::Enable`] when the service procedure must be
    /// scheduled: a high-priority message, or a reader that found the queue
    /// empty, unless `noenable` is in force. An `M_PCPROTO` beyond the
    /// queue's allowance is freed instead (see "Bounds" above).
    pub(crate) fn putq(&mut self, mut m: Mblk) -> Putq {
        if m.ty() == MsgType::PcProto && self.pcproto >= self.pcproto_max {
            return Putq::Freed;
        }
        let hipri = m.ty().is_hipri();
        self.ensure_band(&mut m);
        self.account_add(&m);
        self.link(m, false);
        let enable =
            self.has_service && (hipri || (self.flags & QWANTR != 0 && self.flags & QNOENB == 0));
        if enable {
            self.flags &= !QWANTR;
            Putq::Enable
        } else {
            Putq::Queued
        }
    }

    /// Queues `m` in its place without scheduling anything or dropping it:
    /// for a queue whose procedures are off, which the framework empties
    /// itself (a module being pushed or popped).
    pub(crate) fn append(&mut self, mut m: Mblk) {
        self.ensure_band(&mut m);
        self.account_add(&m);
        self.link(m, false);
    }

    /// Frees the oldest messages until `m` fits below the high water mark
    /// (in bytes and in blocks), or the queue is empty; returns how many
    /// were freed. The log's loss policy: one old message (or a few, for a
    /// larger new one) for each new one, never more.
    pub(crate) fn make_room_for(&mut self, m: &Msg) -> usize {
        let mut freed = 0;
        while !self.list.is_empty()
            && (self.count as usize + m.size() > self.lim.hiwat as usize
                || self.mblkcnt as usize + m.blocks() > self.lim.hiwat as usize)
        {
            if self.getq().0.is_none() {
                break;
            }
            freed += 1;
        }
        freed
    }

    /// SVR4 `putbq`: puts a message back at the front of its class (its
    /// band, for a normal message).
    pub(crate) fn putbq(&mut self, mut m: Mblk) {
        self.ensure_band(&mut m);
        self.account_add(&m);
        self.link(m, true);
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
                let band = self.account_sub(&m);
                let back = self.update_band(band);
                (Some(m), back)
            }
        }
    }

    /// Removes the messages `which` selects, fixing the counts; returns
    /// whether a writer must be back-enabled.
    fn remove_where(&mut self, which: impl FnMut(&Msg) -> bool) -> bool {
        self.take_where(which).1
    }

    /// Takes every message off the queue, in order, fixing the counts.
    /// Also returns whether a writer must be back-enabled.
    pub(crate) fn take_all(&mut self) -> (MsgList, bool) {
        self.take_where(|_| true)
    }

    /// Takes the messages `which` selects off the queue, in order, fixing
    /// the counts; the others keep their order. Also returns whether a
    /// writer must be back-enabled.
    pub(crate) fn take_where(&mut self, mut which: impl FnMut(&Msg) -> bool) -> (MsgList, bool) {
        let mut taken = MsgList::new();
        self.list.drain_filter(&mut which, |m| taken.push_back(m));
        let mut out = MsgList::new();
        while let Some(m) = taken.pop_front() {
            self.account_sub(&m);
            out.push_back(m);
        }
        let back = self.update_all();
        (out, back)
    }

    /// SVR4 `flushq`: `all` frees every message, otherwise only the
    /// data-class ones. Returns whether a writer must be back-enabled.
    pub(crate) fn flushq(&mut self, all: bool) -> bool {
        self.remove_where(|m| all || m.ty().is_data_class())
    }

    /// SVR4 `flushband`: the messages of band `band` (only the data-class
    /// ones unless `all`); band 0 includes the high-priority data messages
    /// (`M_PCPROTO`), as illumos frees them with band 0. Returns whether a
    /// writer must be back-enabled.
    pub(crate) fn flushband(&mut self, band: u8, all: bool) -> bool {
        self.remove_where(|m| m.band() == band && (all || m.ty().is_data_class()))
    }

    /// Calls `f` on each queued message.
    pub(crate) fn for_each(&self, f: impl FnMut(&Msg)) {
        self.list.for_each(f)
    }
}

#[cfg(CONFIG_KUNIT = "y")]
mod tests;
