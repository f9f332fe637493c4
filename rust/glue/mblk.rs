// SPDX-License-Identifier: GPL-2.0

//! SVR4 message blocks (`mblk_t`, `dblk_t`) in the C layout of
//! `include/linux/strclone_ddi.h`, and [`Mblk`], the safe owner of a message.
//!
//! This file has the C layouts ([`Msgb`], [`Datab`], [`FreeRtn`]) and what
//! any holder of a block may read of it (`impl Msgb`). `db_ref` and
//! `db_type` are atomics in the Rust mirror because blocks that share a data
//! block may be owned on different CPUs; the other data block fields never
//! change after allocation. The rest, a file a concept:
//!
//! - [`obj`]: the objects blocks live in, their slab caches ([`Caches`]),
//!   and the raw free paths (`freeb`, `freemsg`);
//! - [`owned`]: [`Mblk`], the owner of a message, and every change made to
//!   one;
//! - `tests`: the KUnit suite `strclone_mblk`.

mod obj;
mod owned;
#[cfg(CONFIG_KUNIT = "y")]
mod tests;

pub(crate) use obj::Caches;
pub(crate) use owned::Mblk;

use core::{
    ffi::c_void,
    mem::{offset_of, size_of},
    ptr,
    sync::atomic::{AtomicU32, AtomicU8, Ordering},
};
use kernel::{alloc::Flags, prelude::*};
use obj::EsbFree;

/// `frtn_t`: how to free an `esballoc` buffer.
#[repr(C)]
pub(crate) struct FreeRtn {
    /// Called with `free_arg` when the last block of the buffer is freed.
    pub(crate) free_func: Option<unsafe extern "C" fn(*mut c_void)>,
    /// Its argument.
    pub(crate) free_arg: *mut c_void,
}

/// `dblk_t`.
#[repr(C)]
pub(crate) struct Datab {
    db_frtnp: *mut FreeRtn,
    db_base: *mut u8,
    db_lim: *mut u8,
    db_ref: AtomicU32,
    db_type: AtomicU8,
    db_class: u8,
    db_flags: u16,
    db_objref: AtomicU32,
    db_pad: u32,
}

/// `mblk_t`: one block of a message.
#[repr(C)]
pub(crate) struct Msgb {
    pub(super) b_next: *mut Msgb,
    pub(super) b_prev: *mut Msgb,
    b_cont: *mut Msgb,
    b_rptr: *mut u8,
    b_wptr: *mut u8,
    b_datap: *mut Datab,
    b_band: u8,
    b_home: u8,
    b_flag: u16,
    b_pad: u32,
}

// The C header's layout (checked from the C side in ddi_check.c).
const _: () = {
    assert!(size_of::<Msgb>() == 56);
    assert!(offset_of!(Msgb, b_next) == 0);
    assert!(offset_of!(Msgb, b_prev) == 8);
    assert!(offset_of!(Msgb, b_cont) == 16);
    assert!(offset_of!(Msgb, b_rptr) == 24);
    assert!(offset_of!(Msgb, b_wptr) == 32);
    assert!(offset_of!(Msgb, b_datap) == 40);
    assert!(offset_of!(Msgb, b_band) == 48);
    assert!(offset_of!(Msgb, b_home) == 49);
    assert!(offset_of!(Msgb, b_flag) == 50);
    assert!(size_of::<Datab>() == 40);
    assert!(offset_of!(Datab, db_frtnp) == 0);
    assert!(offset_of!(Datab, db_base) == 8);
    assert!(offset_of!(Datab, db_lim) == 16);
    assert!(offset_of!(Datab, db_ref) == 24);
    assert!(offset_of!(Datab, db_type) == 28);
    assert!(offset_of!(Datab, db_class) == 29);
    assert!(offset_of!(Datab, db_flags) == 30);
    assert!(offset_of!(Datab, db_objref) == 32);
    assert!(size_of::<FreeRtn>() == 16);
};

impl Msgb {
    /// The data block.
    fn db(&self) -> &Datab {
        // SAFETY: A block's data block is alive while the block points at it
        // (`db_ref` counts the block).
        unsafe { &*self.b_datap }
    }

    /// The message type of this block (`db_type`).
    pub(crate) fn db_type(&self) -> u8 {
        self.db().db_type.load(Ordering::Relaxed)
    }

    /// The unread bytes `[b_rptr, b_wptr)`.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: `b_rptr <= b_wptr` lie within the data block's buffer,
        // which lives as long as this block; nobody writes a shared buffer
        // (see `owned.rs`'s module comment), and an unshared one only through the
        // owner's `&mut`.
        unsafe { core::slice::from_raw_parts(self.b_rptr, self.len()) }
    }

    /// Unread bytes in this block.
    pub(crate) fn len(&self) -> usize {
        self.b_wptr as usize - self.b_rptr as usize
    }

    /// Bytes that can still be written after `b_wptr`.
    pub(crate) fn room(&self) -> usize {
        self.db().db_lim as usize - self.b_wptr as usize
    }

    /// The next block of the message.
    pub(crate) fn cont(&self) -> Option<&Msgb> {
        // SAFETY: The chain belongs to whoever owns this block, and lives as
        // long as the borrow of it.
        unsafe { self.b_cont.as_ref() }
    }

    /// How many blocks point at this block's data block (`db_ref`).
    pub(crate) fn db_ref(&self) -> u32 {
        // Acquire: when another owner's free made this 1, its reads of the
        // buffer happen before this owner's writes to it.
        self.db().db_ref.load(Ordering::Acquire)
    }

    /// `dupmsg`: duplicates every block of the message this block heads
    /// (no copy of data).
    pub(crate) fn dupmsg(&self, f: Flags) -> Result<Mblk> {
        self.map_blocks(f, Mblk::dupb)
    }

    /// A new message of `one(b)` for every block `b` of the message this
    /// block heads, in order (`dupmsg`, `copymsg`); what was made is freed
    /// if one fails.
    pub(crate) fn map_blocks(
        &self,
        f: Flags,
        one: fn(&Msgb, Flags) -> Result<Mblk>,
    ) -> Result<Mblk> {
        let mut head = one(self, f)?;
        let mut cur = self.cont();
        while let Some(b) = cur {
            head.link_cont(one(b, f)?);
            cur = b.cont();
        }
        Ok(head)
    }

    /// The priority band.
    pub(crate) fn band(&self) -> u8 {
        self.b_band
    }

    /// The block's flags (`b_flag`: `MSGNOLOOP` ...).
    pub(crate) fn flag(&self) -> u16 {
        self.b_flag
    }

    /// Whether `other` shares this block's data block.
    #[cfg_attr(
        not(CONFIG_KUNIT),
        expect(dead_code, reason = "SVR4 DDI for drivers; KUnit tests it")
    )]
    pub(crate) fn shares_data_with(&self, other: &Msgb) -> bool {
        ptr::eq(self.b_datap, other.b_datap)
    }

    /// The `free_arg` of this block's `esballoc` buffer when `free_func`
    /// frees it, `None` for any other data block. How the owner of an
    /// `esballoc` buffer finds its own state again (`passfp.rs`).
    pub(crate) fn esb_arg(
        &self,
        free_func: unsafe extern "C" fn(*mut c_void),
    ) -> Option<*mut c_void> {
        let frtn = self.db().db_frtnp;
        if frtn.is_null() {
            return None;
        }
        // SAFETY: A non-null `db_frtnp` points at the `EsbFree` inside the
        // data block's object (`esballoc`), alive while the block is.
        let rtn = unsafe { &(*frtn.cast::<EsbFree>()).rtn };
        (rtn.free_func.map(|f| f as usize) == Some(free_func as usize)).then_some(rtn.free_arg)
    }

    /// Bytes in the `M_DATA` blocks of the message from here (`msgdsize`).
    pub(crate) fn msgdsize(&self) -> usize {
        let mut n = 0;
        let mut cur = Some(self);
        while let Some(b) = cur {
            if b.db_type() == 0 {
                n += b.len();
            }
            cur = b.cont();
        }
        n
    }
}
