// SPDX-License-Identifier: GPL-2.0

//! [`Mblk`], the owner of a message, and every change made to one: making
//! messages (`allocb`, `esballoc`, `dupb`, copies, messages from user
//! memory), writing bytes, `linkb`/`unlinkb`, `pullupmsg` and `adjmsg`.
//!
//! # Ownership in Rust
//!
//! [`Mblk`] owns a message: its first block and the `b_cont` chain. It
//! dereferences to [`Msgb`] for reading; every change goes through `&mut
//! Mblk`, so no safe code ever holds `&mut Msgb` (swapping two headers would
//! move `__b_home` away from its storage). Bytes are writable only while the
//! data block is not shared (`db_ref == 1`): [`Mblk::bytes_mut`] returns
//! `None` otherwise, and [`Mblk::make_writable`] copies first.

use super::obj::{
    cache_alloc, cache_free, db_last, freemsg_raw, obj_of, obj_put, EsbFree, Obj, CACHE_MBLK,
    CLASS_BIG, CLASS_DATA, CLASS_ESB, HDR, PAGE_DATA,
};
use super::{Datab, FreeRtn, Msgb};
use core::{
    alloc::Layout,
    mem::MaybeUninit,
    ptr::{self, NonNull},
    sync::atomic::{fence, AtomicU32, AtomicU8, Ordering},
};
use kernel::{
    alloc::{allocator::Kmalloc, Allocator, Flags, NumaNode},
    bindings,
    iov::IovIterSource,
    prelude::*,
    uaccess::UserSliceReader,
};

/// An owned message (SVR4's `mblk_t *`): its first block and the `b_cont`
/// chain.
///
/// # Invariants
///
/// `ptr` is a valid block owned by this `Mblk` together with every block
/// on its `b_cont` chain; none of them is on a queue (`b_next`, `b_prev`
/// are not used while owned here).
pub(crate) struct Mblk {
    ptr: NonNull<Msgb>,
}

// SAFETY: An `Mblk` owns its blocks; the data blocks it shares with other
// owners are only read, and their counts are atomic.
unsafe impl Send for Mblk {}
// SAFETY: `&Mblk` only reads.
unsafe impl Sync for Mblk {}

impl core::ops::Deref for Mblk {
    type Target = Msgb;

    fn deref(&self) -> &Msgb {
        // SAFETY: Valid and owned (type invariant).
        unsafe { self.ptr.as_ref() }
    }
}

impl Drop for Mblk {
    fn drop(&mut self) {
        // SAFETY: We own the chain (type invariant).
        unsafe { freemsg_raw(self.ptr.as_ptr()) };
    }
}

impl Mblk {
    /// Takes ownership of a raw message.
    ///
    /// # Safety
    ///
    /// `p` is a valid block whose chain the caller owns and hands over.
    pub(crate) unsafe fn from_raw(p: NonNull<Msgb>) -> Self {
        Self { ptr: p }
    }

    /// Gives up ownership; the caller must free or hand it on.
    pub(crate) fn into_raw(self) -> NonNull<Msgb> {
        let p = self.ptr;
        core::mem::forget(self);
        p
    }

    fn raw(&mut self) -> *mut Msgb {
        self.ptr.as_ptr()
    }

    /// `allocb`: a block of type `ty` with room for `size` bytes, empty.
    pub(crate) fn alloc(size: usize, ty: u8, f: Flags) -> Result<Self> {
        let (class, o, cap) = match CLASS_DATA.iter().position(|&d| size <= d) {
            Some(c) => (c as u8, cache_alloc(c, f)?.cast::<Obj>(), CLASS_DATA[c]),
            None => {
                let layout = Layout::from_size_align(HDR.checked_add(size).ok_or(ENOMEM)?, 8)
                    .map_err(|_| ENOMEM)?;
                let p = Kmalloc::alloc(layout, f, NumaNode::NO_NODE)?;
                (CLASS_BIG, p.as_ptr().cast::<Obj>(), size)
            }
        };
        // SAFETY: `o` is a fresh allocation of `HDR + cap` bytes.
        Ok(unsafe { Self::init_obj(o, class, o.cast::<u8>().add(HDR), cap, ty) })
    }

    /// Fills in a fresh object whose data block describes `cap` bytes at
    /// `base`.
    ///
    /// # Safety
    ///
    /// `o` is a fresh, exclusively owned allocation of class `class`, at
    /// least `HDR` bytes; `base..base + cap` is valid buffer memory that
    /// lives as long as the object (or until its free routine runs).
    unsafe fn init_obj(o: *mut Obj, class: u8, base: *mut u8, cap: usize, ty: u8) -> Self {
        // SAFETY: `o` is valid for writes (the caller).
        unsafe {
            let db = ptr::addr_of_mut!((*o).db);
            db.write(Datab {
                db_frtnp: ptr::null_mut(),
                db_base: base,
                db_lim: base.add(cap),
                db_ref: AtomicU32::new(1),
                db_type: AtomicU8::new(ty),
                db_class: class,
                db_flags: 0,
                db_objref: AtomicU32::new(2),
                db_pad: 0,
            });
            let mb = ptr::addr_of_mut!((*o).mb);
            mb.write(Msgb {
                b_next: ptr::null_mut(),
                b_prev: ptr::null_mut(),
                b_cont: ptr::null_mut(),
                b_rptr: base,
                b_wptr: base,
                b_datap: db,
                b_band: 0,
                b_home: 1,
                b_flag: 0,
                b_pad: 0,
            });
            Self {
                ptr: NonNull::new_unchecked(mb),
            }
        }
    }

    /// `allocb` plus a copy of `data`.
    pub(crate) fn new(ty: u8, data: &[u8], f: Flags) -> Result<Self> {
        let mut m = Self::alloc(data.len(), ty, f)?;
        m.append(data);
        Ok(m)
    }

    /// `esballoc`: a block of type `ty` over `size` bytes at `base` that
    /// its owner keeps; `frtn` (copied) runs when the last block of it is
    /// freed.
    ///
    /// # Safety
    ///
    /// `base..base + size` is writable memory lent to the new block
    /// exclusively: it stays valid, and nobody else reads or writes it,
    /// until `frtn.free_func(frtn.free_arg)` is called (in whatever context
    /// the last block is freed). The block's owner may write it while the
    /// data block is not shared, as for any block. `owner` is NULL or the
    /// caller's own module, which the buffer then holds (a reference taken
    /// here, given back after `free_func` returned).
    pub(crate) unsafe fn esballoc(
        base: *mut u8,
        size: usize,
        ty: u8,
        frtn: &FreeRtn,
        owner: *mut bindings::module,
        f: Flags,
    ) -> Result<Self> {
        let o = cache_alloc(usize::from(CLASS_ESB), f)?.cast::<Obj>();
        // SAFETY: `o` is fresh; the buffer's validity is the caller's promise.
        unsafe {
            let mut m = Self::init_obj(o, CLASS_ESB, base, size, ty);
            m.set_wptr_full();
            let copy = o.cast::<u8>().add(HDR).cast::<EsbFree>();
            if !owner.is_null() {
                // The caller's own module, alive while it calls us.
                bindings::__module_get(owner);
            }
            copy.write(EsbFree {
                rtn: FreeRtn {
                    free_func: frtn.free_func,
                    free_arg: frtn.free_arg,
                },
                owner,
            });
            (*o).db.db_frtnp = copy.cast::<FreeRtn>();
            Ok(m)
        }
    }

    /// An `esballoc` buffer starts full: `b_wptr` at `db_lim`.
    fn set_wptr_full(&mut self) {
        let lim = self.db().db_lim;
        // SAFETY: Owned (type invariant).
        unsafe { (*self.raw()).b_wptr = lim };
    }

    /// Whether this block may be written (its data block is not shared).
    pub(crate) fn is_writable(&self) -> bool {
        self.db_ref() == 1
    }

    /// The unread bytes, writable, unless the data block is shared.
    pub(crate) fn bytes_mut(&mut self) -> Option<&mut [u8]> {
        if !self.is_writable() {
            return None;
        }
        let (p, n) = (self.b_rptr, self.len());
        // SAFETY: We own the only block of this data block (`db_ref == 1`
        // cannot grow: only a block pointing here can be duplicated), and
        // the slice is inside its buffer.
        Some(unsafe { core::slice::from_raw_parts_mut(p, n) })
    }

    /// Appends as much of `data` as fits after `b_wptr`; returns how much.
    /// Nothing is written to a shared data block.
    pub(crate) fn append(&mut self, data: &[u8]) -> usize {
        if !self.is_writable() {
            return 0;
        }
        let n = data.len().min(self.room());
        let w = self.b_wptr;
        // SAFETY: Unshared (checked above); `w..w + n` is inside the buffer
        // (`n <= room`), and cannot overlap `data`, which is not in it.
        unsafe {
            ptr::copy_nonoverlapping(data.as_ptr(), w, n);
            (*self.raw()).b_wptr = w.add(n);
        }
        n
    }

    /// The free space after `b_wptr`, for a copy that fills it.
    fn spare(&mut self, n: usize) -> Option<&mut [MaybeUninit<u8>]> {
        if !self.is_writable() || n > self.room() {
            return None;
        }
        // SAFETY: Unshared, and `n` bytes after `b_wptr` are in the buffer.
        Some(unsafe { core::slice::from_raw_parts_mut(self.b_wptr.cast(), n) })
    }

    fn advance_wptr(&mut self, n: usize) {
        let n = n.min(self.room());
        // SAFETY: Owned; stays within the buffer.
        unsafe { (*self.raw()).b_wptr = self.b_wptr.add(n) };
    }

    /// A message of `ty` with up to `n` bytes copied from `src`: fewer if
    /// the user buffer faults part way (none: `EFAULT`). More than a page
    /// comes as a chain of page-sized blocks (the first of type `ty`, the
    /// rest `M_DATA`).
    pub(crate) fn from_iter(
        src: &mut IovIterSource<'_>,
        n: usize,
        ty: u8,
        f: Flags,
    ) -> Result<Self> {
        let n = n.min(src.len());
        let mut head: Option<Mblk> = None;
        let mut done = 0;
        loop {
            let k = (n - done).min(PAGE_DATA);
            let mut m = Self::alloc(k, if head.is_none() { ty } else { 0 }, f)?;
            let got = match m.spare(k) {
                Some(s) => src.copy_from_iter_raw(s).len(),
                None => 0,
            };
            m.advance_wptr(got);
            done += got;
            match head.as_mut() {
                None => head = Some(m),
                Some(h) if got > 0 => h.link_cont(m),
                Some(_) => {}
            }
            if got < k || done == n {
                break;
            }
        }
        if done == 0 && n > 0 {
            return Err(EFAULT);
        }
        head.ok_or(EFAULT)
    }

    /// A message of `ty` holding the next `n` bytes of `r`, as a chain of
    /// page-sized blocks above a page (the first of type `ty`).
    pub(crate) fn from_user(r: &mut UserSliceReader, n: usize, ty: u8, f: Flags) -> Result<Self> {
        let mut head: Option<Mblk> = None;
        let mut done = 0;
        loop {
            let k = (n - done).min(PAGE_DATA);
            let mut m = Self::alloc(k, if head.is_none() { ty } else { 0 }, f)?;
            let s = m.spare(k).ok_or(EINVAL)?;
            r.read_raw(s)?;
            m.advance_wptr(k);
            done += k;
            match head.as_mut() {
                None => head = Some(m),
                Some(h) => h.link_cont(m),
            }
            if done == n {
                break;
            }
        }
        head.ok_or(EINVAL)
    }

    /// Changes the message type of the first block. SVR4 keeps the type in
    /// the data block, so blocks that share it see the change too.
    pub(crate) fn set_db_type(&mut self, ty: u8) {
        self.db().db_type.store(ty, Ordering::Relaxed);
    }

    /// Sets the priority band.
    pub(crate) fn set_band(&mut self, band: u8) {
        // SAFETY: Owned (type invariant).
        unsafe { (*self.raw()).b_band = band };
    }

    /// Sets bits in the first block's `b_flag`.
    pub(crate) fn set_flag(&mut self, bits: u16) {
        // SAFETY: Owned (type invariant).
        unsafe { (*self.raw()).b_flag |= bits };
    }

    /// Clears bits in the first block's `b_flag`.
    pub(crate) fn clear_flag(&mut self, bits: u16) {
        // SAFETY: Owned (type invariant).
        unsafe { (*self.raw()).b_flag &= !bits };
    }

    /// Marks `n` bytes of the first block as read (`b_rptr += n`).
    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.len());
        // SAFETY: Owned; stays at or below `b_wptr`.
        unsafe { (*self.raw()).b_rptr = self.b_rptr.add(n) };
    }

    /// Drops `n` bytes from the end of the first block (`b_wptr -= n`).
    #[cfg_attr(
        not(CONFIG_KUNIT),
        expect(dead_code, reason = "SVR4 DDI for drivers; KUnit tests it")
    )]
    pub(crate) fn trim_end(&mut self, n: usize) {
        let n = n.min(self.len());
        // SAFETY: Owned; stays at or above `b_rptr`.
        unsafe { (*self.raw()).b_wptr = self.b_wptr.sub(n) };
    }

    /// `unlinkb`: detaches and returns everything after the first block.
    pub(crate) fn take_cont(&mut self) -> Option<Mblk> {
        let p = self.raw();
        // SAFETY: Owned; the detached chain becomes the new owner's.
        unsafe {
            let c = (*p).b_cont;
            (*p).b_cont = ptr::null_mut();
            NonNull::new(c).map(|c| Mblk::from_raw(c))
        }
    }

    /// `linkb`: appends `tail` at the end of the chain.
    pub(crate) fn link_cont(&mut self, tail: Mblk) {
        let mut p = self.raw();
        // SAFETY: We own the chain; `tail` becomes part of it.
        unsafe {
            while !(*p).b_cont.is_null() {
                p = (*p).b_cont;
            }
            (*p).b_cont = tail.into_raw().as_ptr();
        }
    }

    /// `dupb`: a second block over the same data block (no copy).
    pub(crate) fn dupb(b: &Msgb, f: Flags) -> Result<Mblk> {
        let p = cache_alloc(CACHE_MBLK, f)?.cast::<Msgb>();
        b.db().db_ref.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `p` is a fresh lone header; the data block now counts it.
        unsafe {
            p.write(Msgb {
                b_next: ptr::null_mut(),
                b_prev: ptr::null_mut(),
                b_cont: ptr::null_mut(),
                b_rptr: b.b_rptr,
                b_wptr: b.b_wptr,
                b_datap: b.b_datap,
                b_band: b.b_band,
                b_home: 0,
                b_flag: b.b_flag,
                b_pad: 0,
            });
            Ok(Mblk::from_raw(NonNull::new_unchecked(p)))
        }
    }

    /// `copyb`: a new block with a copy of `b`'s unread bytes, type, band
    /// and flags.
    pub(crate) fn copyb(b: &Msgb, f: Flags) -> Result<Mblk> {
        let mut m = Self::new(b.db_type(), b.bytes(), f)?;
        let raw = m.raw();
        // SAFETY: Owned.
        unsafe {
            (*raw).b_band = b.b_band;
            (*raw).b_flag = b.b_flag;
        }
        Ok(m)
    }

    /// `copymsg`: copies every block of the message.
    pub(crate) fn copymsg(&self, f: Flags) -> Result<Mblk> {
        self.map_blocks(f, Self::copyb)
    }

    /// Points the first block at `new`'s data block instead of its own
    /// (keeping `b_band`, `b_flag` and `b_cont`), and frees `new`'s header.
    fn replace_db(&mut self, new: Mblk) {
        let np = new.into_raw().as_ptr();
        let p = self.raw();
        // SAFETY: Both are owned; `new` is a single block (checked by the
        // callers: it comes from `alloc`). The old data block loses this
        // block's reference, `new`'s data block gains it (its header goes).
        unsafe {
            let old = (*p).b_datap;
            (*p).b_datap = (*np).b_datap;
            (*p).b_rptr = (*np).b_rptr;
            (*p).b_wptr = (*np).b_wptr;
            // `new`'s header gives up its storage; its data block keeps
            // the count it had, now held by `self`.
            if (*np).b_home != 0 {
                obj_put(np.cast());
            } else {
                cache_free(CACHE_MBLK, np.cast());
            }
            if (*old).db_ref.fetch_sub(1, Ordering::Release) == 1 {
                fence(Ordering::Acquire);
                db_last(old);
                obj_put(obj_of(old));
            }
        }
    }

    /// Makes the first block writable: a shared data block is copied (the
    /// unread bytes, plus the room after them) into a new one of its own.
    pub(crate) fn make_writable(&mut self, f: Flags) -> Result {
        if self.is_writable() {
            return Ok(());
        }
        let mut new = Self::alloc(self.len() + self.room(), self.db_type(), f)?;
        new.append(self.bytes());
        self.replace_db(new);
        Ok(())
    }

    /// `pullupmsg`: makes the first `len` bytes (all, for `None`) of the
    /// leading blocks of the first block's type contiguous in the first
    /// block. `EINVAL` if there are fewer; the message is unchanged on
    /// error.
    pub(crate) fn pullup(&mut self, len: Option<usize>, f: Flags) -> Result {
        let ty = self.db_type();
        let mut avail = 0;
        let mut cur = Some(&**self);
        while let Some(b) = cur.filter(|b| b.db_type() == ty) {
            avail += b.len();
            cur = b.cont();
        }
        let want = len.unwrap_or(avail);
        if want > avail {
            return Err(EINVAL);
        }
        if self.len() >= want && (len.is_some() || self.cont().is_none_or(|c| c.db_type() != ty)) {
            return Ok(());
        }
        let mut new = Self::alloc(want, ty, f)?;
        new.append(self.bytes());
        let mut need = want - self.len();
        let mut rest = self.take_cont();
        while need > 0 {
            let Some(mut b) = rest else { break };
            let n = b.len().min(need);
            new.append(&b.bytes()[..n]);
            b.consume(n);
            need -= n;
            if b.len() == 0 {
                rest = b.take_cont();
            } else {
                rest = Some(b);
            }
        }
        self.replace_db(new);
        if let Some(r) = rest {
            self.link_cont(r);
        }
        Ok(())
    }

    /// `adjmsg`: trims `len` bytes from the front (`len > 0`) or `-len`
    /// from the end (`len < 0`) of the leading blocks of the first block's
    /// type. `false` (and nothing changed) if they hold fewer bytes.
    pub(crate) fn adjmsg(&mut self, len: isize) -> bool {
        let ty = self.db_type();
        let mut total = 0;
        let mut runs = 0;
        let mut cur = Some(&**self);
        while let Some(b) = cur.filter(|b| b.db_type() == ty) {
            total += b.len();
            runs += 1;
            cur = b.cont();
        }
        let n = len.unsigned_abs();
        if n > total {
            return false;
        }
        // Forward from the front, or to the new end: `keep` bytes stay.
        let (mut from_front, mut keep) = if len >= 0 { (n, 0) } else { (0, total - n) };
        let mut p = self.raw();
        for _ in 0..runs {
            // SAFETY: We own the chain; each pointer move stays within
            // `[b_rptr, b_wptr]` of its block.
            unsafe {
                let blen = (*p).b_wptr as usize - (*p).b_rptr as usize;
                if len >= 0 {
                    let k = from_front.min(blen);
                    (*p).b_rptr = (*p).b_rptr.add(k);
                    from_front -= k;
                } else {
                    let k = keep.min(blen);
                    (*p).b_wptr = (*p).b_rptr.add(k);
                    keep -= k;
                }
                p = (*p).b_cont;
            }
        }
        true
    }
}
