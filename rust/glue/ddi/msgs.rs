// SPDX-License-Identifier: GPL-2.0

//! The DDI's message routines for C code: `allocb`, `esballoc`, `freeb`,
//! `freemsg`, `dupb`, `dupmsg`, `copyb`, `copymsg`, `msgdsize`,
//! `pullupmsg`, `adjmsg`, `linkb` and `unlinkb`, over [`Mblk`]; and how a
//! message crosses between C and Rust ([`take`], [`borrow`]).
//!
//! The contract with C code is `ddi.rs`'s: messages the caller owns.

use crate::glue::mblk::{FreeRtn, Mblk, Msgb};
use core::{
    ffi::{c_int, c_uint},
    mem::ManuallyDrop,
    ptr::{self, NonNull},
};
use kernel::{bindings, prelude::*};

/// Takes ownership of a message from C.
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns and hands over.
pub(in crate::glue) unsafe fn take(mp: *mut Msgb) -> Option<Mblk> {
    // SAFETY: The caller's promise.
    NonNull::new(mp).map(|p| unsafe { Mblk::from_raw(p) })
}

/// Borrows a message from C without taking it (dropping the result frees
/// nothing).
///
/// # Safety
///
/// As [`take`]; the caller keeps ownership.
pub(in crate::glue) unsafe fn borrow(mp: *mut Msgb) -> Option<ManuallyDrop<Mblk>> {
    // SAFETY: The caller's promise.
    unsafe { take(mp) }.map(ManuallyDrop::new)
}

fn give(m: Result<Mblk>) -> *mut Msgb {
    m.map_or(ptr::null_mut(), |m| m.into_raw().as_ptr())
}

/// `allocb`: never sleeps (`GFP_ATOMIC`); NULL when out of memory.
#[no_mangle]
pub(crate) extern "C" fn strclone_allocb(size: usize, _pri: c_uint) -> *mut Msgb {
    give(Mblk::alloc(size, 0, GFP_ATOMIC))
}

/// `esballoc`: a message over `base[0..size]`, freed by `fr`. The header's
/// `esballoc()` passes the caller's `THIS_MODULE` as `owner`: the message
/// holds a reference on it until `fr`'s routine has returned, so the
/// routine's code outlives the last block (which may be freed long after
/// the module that made it was popped).
///
/// # Safety
///
/// `base` is valid for `size` bytes until `fr`'s routine is called; `fr`
/// points at a valid `frtn_t` (copied); `owner` is NULL or the caller's own
/// (live) module.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_esballoc(
    base: *mut u8,
    size: usize,
    _pri: c_uint,
    fr: *const FreeRtn,
    owner: *mut bindings::module,
) -> *mut Msgb {
    // SAFETY: The caller's promise.
    let Some(fr) = (unsafe { fr.as_ref() }) else {
        return ptr::null_mut();
    };
    if base.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: The caller's promise about the buffer and its owner.
    give(unsafe { Mblk::esballoc(base, size, 0, fr, owner, GFP_ATOMIC) })
}

/// `freeb`: frees one block (its `b_cont` is the caller's, untouched).
///
/// # Safety
///
/// `bp` is NULL or a block the caller owns; its `b_cont` chain stays the
/// caller's.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_freeb(bp: *mut Msgb) {
    // SAFETY: The caller's promise.
    if let Some(mut m) = unsafe { take(bp) } {
        if let Some(rest) = m.take_cont() {
            // Still the caller's: not freed here.
            let _ = rest.into_raw();
        }
    }
}

/// `freemsg`: frees the whole chain.
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_freemsg(mp: *mut Msgb) {
    // SAFETY: The caller's promise.
    drop(unsafe { take(mp) });
}

/// `dupb`: a new block over `bp`'s data block.
///
/// # Safety
///
/// `bp` is NULL or a valid block.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_dupb(bp: *mut Msgb) -> *mut Msgb {
    // SAFETY: The caller's promise.
    match unsafe { bp.as_ref() } {
        Some(b) => give(Mblk::dupb(b, GFP_ATOMIC)),
        None => ptr::null_mut(),
    }
}

/// `dupmsg`.
///
/// # Safety
///
/// `mp` is NULL or a valid message.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_dupmsg(mp: *mut Msgb) -> *mut Msgb {
    // SAFETY: The caller's promise.
    match unsafe { borrow(mp) } {
        Some(m) => give(m.dupmsg(GFP_ATOMIC)),
        None => ptr::null_mut(),
    }
}

/// `copyb`.
///
/// # Safety
///
/// `bp` is NULL or a valid block.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_copyb(bp: *mut Msgb) -> *mut Msgb {
    // SAFETY: The caller's promise.
    match unsafe { bp.as_ref() } {
        Some(b) => give(Mblk::copyb(b, GFP_ATOMIC)),
        None => ptr::null_mut(),
    }
}

/// `copymsg`.
///
/// # Safety
///
/// `mp` is NULL or a valid message.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_copymsg(mp: *mut Msgb) -> *mut Msgb {
    // SAFETY: The caller's promise.
    match unsafe { borrow(mp) } {
        Some(m) => give(m.copymsg(GFP_ATOMIC)),
        None => ptr::null_mut(),
    }
}

/// `msgdsize`: the bytes in the message's `M_DATA` blocks.
///
/// # Safety
///
/// `mp` is NULL or a valid message.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_msgdsize(mp: *mut Msgb) -> usize {
    // SAFETY: The caller's promise.
    unsafe { mp.as_ref() }.map_or(0, Msgb::msgdsize)
}

/// `pullupmsg`: 1 when the first `len` bytes (all for -1) are in the first
/// block, 0 on failure (message unchanged).
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_pullupmsg(mp: *mut Msgb, len: isize) -> c_int {
    // SAFETY: The caller's promise.
    let Some(mut m) = (unsafe { borrow(mp) }) else {
        return 0;
    };
    let len = match len {
        -1 => None,
        l if l < 0 => return 0,
        l => Some(l as usize),
    };
    c_int::from(m.pullup(len, GFP_ATOMIC).is_ok())
}

/// `adjmsg`: trims `len` bytes from the head (from the tail if negative);
/// 1, or 0 when the message is shorter (unchanged).
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_adjmsg(mp: *mut Msgb, len: isize) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { borrow(mp) }.map_or(0, |mut m| c_int::from(m.adjmsg(len)))
}

/// `linkb`: appends `bp` to `mp`'s chain.
///
/// # Safety
///
/// Both are NULL or messages the caller owns; `bp` becomes part of `mp`.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_linkb(mp: *mut Msgb, bp: *mut Msgb) {
    // SAFETY: The caller's promise.
    let m = unsafe { borrow(mp) };
    // SAFETY: The caller's promise.
    let b = unsafe { take(bp) };
    let (Some(mut m), Some(b)) = (m, b) else {
        return;
    };
    m.link_cont(b);
}

/// `unlinkb`: detaches and returns what follows the first block.
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_unlinkb(mp: *mut Msgb) -> *mut Msgb {
    // SAFETY: The caller's promise.
    unsafe { borrow(mp) }
        .and_then(|mut m| m.take_cont())
        .map_or(ptr::null_mut(), |m| m.into_raw().as_ptr())
}
