// SPDX-License-Identifier: GPL-2.0

//! The DDI's queue routines for C code: `putnext`, `qreply`, `putq`,
//! `strclone_pass_or_putq`, `putbq`, `getq`, the flushes, the `canput`
//! family, `qenable`/`noenable`/`enableok`, `qsize`, the `putctl` family
//! and `qprocson`/`qprocsoff`, over the stream a queue belongs to
//! ([`resolve`]).
//!
//! The contract with C code is `ddi.rs`'s: a `queue_t *` of a live
//! instance, messages the caller owns.

use super::{msgs::take, pair::resolve, RawQueue};
use crate::glue::mblk::{Mblk, Msgb};
use crate::streams::msg::MsgType;
use core::{ffi::c_int, ptr};
use kernel::{prelude::*, sync::Arc};

/// `flushq`'s `FLUSHALL`.
const FLUSHALL: c_int = 1;

/// `putnext`.
///
/// # Safety
///
/// `q` as [`resolve`]; `mp` a message the caller hands over.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putnext(q: *mut RawQueue, mp: *mut Msgb) {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) };
    // SAFETY: The caller's promise.
    if let (Some((s, q)), Some(m)) = (unsafe { resolve(q) }, m) {
        s.putnext(q, m);
    }
}

/// `qreply`: `putnext` from the other queue of the pair.
///
/// # Safety
///
/// As [`strclone_putnext`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_qreply(q: *mut RawQueue, mp: *mut Msgb) {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) };
    // SAFETY: The caller's promise.
    if let (Some((s, q)), Some(m)) = (unsafe { resolve(q) }, m) {
        s.qreply_from(q, m);
    }
}

/// `putq`: 1 (it never fails; a NULL argument gives 0).
///
/// # Safety
///
/// As [`strclone_putnext`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putq(q: *mut RawQueue, mp: *mut Msgb) -> c_int {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) };
    // SAFETY: The caller's promise.
    match (unsafe { resolve(q) }, m) {
        (Some((s, q)), Some(m)) => {
            s.putq(q, m);
            1
        }
        _ => 0,
    }
}

/// strclone's race-free form of the SVR4 put procedure idiom "pass the
/// message on when nothing of mine is queued and the next queue has room,
/// queue it otherwise": in one stream lock round trip, `mp` goes to the put
/// procedure after `nq` when `q` has nothing queued, its service procedure
/// is neither scheduled nor running, and the queue after `nq` can take
/// `mp`'s band (always for a high-priority message); otherwise it is
/// `putq(q, mp)` ([`Stream::pass_or_queue`]). `nq` is `q` for a module and
/// `RD(q)` for a driver whose write side loops up. With queues of two
/// streams it is `putq(q, mp)`. 1; 0 for a NULL argument (`mp` is freed).
///
/// # Safety
///
/// `q` and `nq` as [`resolve`]; `mp` a message the caller hands over.
///
/// [`Stream::pass_or_queue`]: crate::streams::stream::Stream::pass_or_queue
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_pass_or_putq(
    q: *mut RawQueue,
    nq: *mut RawQueue,
    mp: *mut Msgb,
) -> c_int {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) };
    // SAFETY: The caller's promise, for both queues.
    match (unsafe { resolve(q) }, unsafe { resolve(nq) }, m) {
        (Some((s, own)), Some((t, from)), Some(m)) => {
            if Arc::ptr_eq(s, t) {
                s.pass_or_queue(own, from, m);
            } else {
                s.putq(own, m);
            }
            1
        }
        _ => 0,
    }
}

/// `putbq`: 1 (0 for a NULL argument).
///
/// # Safety
///
/// As [`strclone_putnext`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putbq(q: *mut RawQueue, mp: *mut Msgb) -> c_int {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) };
    // SAFETY: The caller's promise.
    match (unsafe { resolve(q) }, m) {
        (Some((s, q)), Some(m)) => {
            s.putbq(q, m);
            1
        }
        _ => 0,
    }
}

/// `getq`: the first message, or NULL.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_getq(q: *mut RawQueue) -> *mut Msgb {
    // SAFETY: The caller's promise.
    unsafe { resolve(q) }
        .and_then(|(s, q)| s.getq(q))
        .map_or(ptr::null_mut(), |m| m.into_raw().as_ptr())
}

/// `flushq`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_flushq(q: *mut RawQueue, flag: c_int) {
    // SAFETY: The caller's promise.
    if let Some((s, q)) = unsafe { resolve(q) } {
        s.flushq(q, flag == FLUSHALL);
    }
}

/// `flushband`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_flushband(q: *mut RawQueue, pri: u8, flag: c_int) {
    // SAFETY: The caller's promise.
    if let Some((s, q)) = unsafe { resolve(q) } {
        s.flushband(q, pri, flag == FLUSHALL);
    }
}

/// `bcanput`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_bcanput(q: *mut RawQueue, pri: u8) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { resolve(q) }.map_or(0, |(s, q)| c_int::from(s.bcanput(q, pri)))
}

/// `canput`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_canput(q: *mut RawQueue) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { strclone_bcanput(q, 0) }
}

/// `bcanputnext`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_bcanputnext(q: *mut RawQueue, pri: u8) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { resolve(q) }.map_or(0, |(s, q)| c_int::from(s.bcanputnext(q, pri)))
}

/// `canputnext`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_canputnext(q: *mut RawQueue) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { strclone_bcanputnext(q, 0) }
}

/// `qenable`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_qenable(q: *mut RawQueue) {
    // SAFETY: The caller's promise.
    if let Some((s, q)) = unsafe { resolve(q) } {
        s.qenable(q);
    }
}

/// `noenable`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_noenable(q: *mut RawQueue) {
    // SAFETY: The caller's promise.
    if let Some((s, q)) = unsafe { resolve(q) } {
        s.noenable(q);
    }
}

/// `enableok`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_enableok(q: *mut RawQueue) {
    // SAFETY: The caller's promise.
    if let Some((s, q)) = unsafe { resolve(q) } {
        s.enableok(q);
    }
}

/// `qsize`: the messages on the queue.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_qsize(q: *mut RawQueue) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { resolve(q) }.map_or(0, |(s, q)| s.qmsgs(q).min(c_int::MAX as usize) as c_int)
}

/// A control message for `putctl*`: `None` for a data type (SVR4 refuses
/// them) or no memory.
fn ctl(ty: c_int, param: Option<c_int>) -> Option<Mblk> {
    let ty = MsgType(u8::try_from(ty).ok()?);
    // SVR4 refuses the data types but M_DELAY (`datamsg()` less M_DELAY).
    if matches!(ty, MsgType::Data | MsgType::Proto | MsgType::PcProto) {
        return None;
    }
    let ty = ty.0;
    let byte = param.map(|p| p as u8);
    Mblk::new(ty, byte.as_slice(), GFP_ATOMIC).ok()
}

/// # Safety
///
/// As [`resolve`].
unsafe fn putctl_to(q: *mut RawQueue, ty: c_int, param: Option<c_int>, next: bool) -> c_int {
    // SAFETY: The caller's promise.
    let Some((s, q)) = (unsafe { resolve(q) }) else {
        return 0;
    };
    let Some(m) = ctl(ty, param) else {
        return 0;
    };
    if next {
        s.putnext(q, m);
    } else {
        s.put(q, m);
    }
    1
}

/// `putctl`: a zero-length control message of `type` to `q`'s own put
/// procedure; 1, or 0 for a data type or no memory.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putctl(q: *mut RawQueue, ty: c_int) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { putctl_to(q, ty, None, false) }
}

/// `putctl1`: as `putctl`, with a one-byte parameter.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putctl1(
    q: *mut RawQueue,
    ty: c_int,
    param: c_int,
) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { putctl_to(q, ty, Some(param), false) }
}

/// `putnextctl`: as `putctl`, to the next queue.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putnextctl(q: *mut RawQueue, ty: c_int) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { putctl_to(q, ty, None, true) }
}

/// `putnextctl1`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putnextctl1(
    q: *mut RawQueue,
    ty: c_int,
    param: c_int,
) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { putctl_to(q, ty, Some(param), true) }
}

/// `qprocson`: accepted; strclone turns an instance's procedures on when
/// its open returns 0 (driver-api.rst, "Porting").
#[no_mangle]
pub(crate) extern "C" fn strclone_qprocson(_q: *mut RawQueue) {}

/// `qprocsoff`: accepted; strclone turns an instance's procedures off
/// before its close is called, and waits for calls in flight.
#[no_mangle]
pub(crate) extern "C" fn strclone_qprocsoff(_q: *mut RawQueue) {}
