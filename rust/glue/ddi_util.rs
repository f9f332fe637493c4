// SPDX-License-Identifier: GPL-2.0

//! The DDI's utility routines for C modules and drivers beyond messages,
//! queues and callouts (`include/linux/strclone_ddi.h`, "Utility routines";
//! the guide is `Documentation/strclone/driver-api.rst`): `strlog`, `insq`/`rmvq`,
//! and the ioctl answers `miocack`/`miocnak`/`mcopyin`/`mcopyout`.
//! `ddi_export.c` exports them; `ddi_util.c` has `strlog`'s printf-style
//! front end (Rust has no C varargs). Timeouts and bufcalls are in
//! `ddi_callout.rs`.
//!
//! The contract with C code is `ddi.rs`'s: a `queue_t *` of a live
//! instance, messages the caller owns.

use super::ddi::{borrow, resolve, take, RawQueue};
use super::mblk::{Mblk, Msgb};
use crate::streams::{
    msg::{CopyReq, MsgType},
    queue::InsqError,
};
use core::ffi::{c_int, c_void};
use kernel::{pr_warn_once, prelude::*, sync::Arc};

// ---- strlog ---------------------------------------------------------------------

/// `strlog`'s text, formatted by `strclone_strlog` (`ddi_util.c`): to the
/// log driver's readers. 1 when handed to the log, 0 when it could not be
/// (in an NMI).
///
/// # Safety
///
/// `text` is valid for `len` bytes.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_strlog_text(
    mid: i16,
    sid: i16,
    level: i8,
    flags: u16,
    text: *const u8,
    len: usize,
) -> c_int {
    if super::ctx::in_nmi() || text.is_null() {
        return 0;
    }
    let Some(log) = super::global::LOG.get() else {
        return 0;
    };
    // SAFETY: The caller's promise.
    let text = unsafe { core::slice::from_raw_parts(text, len) };
    let log: Arc<crate::log::LogTarget> = log.into();
    log.strlog_text(mid, sid, level, flags as i16, text);
    1
}

// ---- insq / rmvq ----------------------------------------------------------------

/// `insq`: puts `mp` on `q` before `emp` (at the end when `emp` is NULL).
/// 1; 0 when `emp` is not on `q`, when the place would break the queue's
/// order, or without room (an `M_PCPROTO` beyond the queue's allowance, a
/// band's entry that cannot be allocated): `mp` is then still the
/// caller's.
///
/// # Safety
///
/// `q` as `resolve`; `mp` a message the caller owns and hands over on
/// success; `emp` is compared, never dereferenced unless found on `q`.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_insq(
    q: *mut RawQueue,
    emp: *mut Msgb,
    mp: *mut Msgb,
) -> c_int {
    // SAFETY: The caller's promise.
    let Some((s, qid)) = (unsafe { resolve(q) }) else {
        return 0;
    };
    // SAFETY: The caller's promise (given back on failure).
    let Some(m) = (unsafe { take(mp) }) else {
        return 0;
    };
    let before = (!emp.is_null()).then_some(emp as usize);
    match s.insq(qid, before, m) {
        Ok(()) => 1,
        Err((m, why)) => {
            // Still the caller's.
            let _ = m.into_raw();
            if why == InsqError::NotQueued {
                pr_warn_once!("insq: the message to insert before is not on that queue\n");
            }
            0
        }
    }
}

/// `rmvq`: takes `mp` off `q`; it is the caller's again. 1; 0 (nothing
/// done) when `mp` is not on `q`.
///
/// # Safety
///
/// `q` as `resolve`; `mp` is compared, never dereferenced unless found on
/// `q`.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_rmvq(q: *mut RawQueue, mp: *mut Msgb) -> c_int {
    // SAFETY: The caller's promise.
    let Some((s, qid)) = (unsafe { resolve(q) }) else {
        return 0;
    };
    match s.rmvq(qid, mp as usize) {
        Some(m) => {
            // The caller's now.
            let _ = m.into_raw();
            1
        }
        None => {
            pr_warn_once!("rmvq: the message is not on that queue\n");
            0
        }
    }
}

// ---- Ioctl answers --------------------------------------------------------------

/// Whether `m` is a message an ioctl answer or copy request is made from.
fn is_ioctl(m: &Msgb) -> bool {
    matches!(m.ty(), MsgType::Ioctl | MsgType::IocData)
}

/// Whether a copy request can be written over `m`'s first block in place,
/// so that the C caller's pointer stays the message: its data block is its
/// own and has room for the request (the stream head makes every ioctl
/// header so).
fn rewritable(m: &Msgb) -> bool {
    m.db_ref() == 1 && m.len() + m.room() >= CopyReq::SIZE
}

/// An errno from C (positive or negative), or `EINVAL` for 0 or nonsense.
fn errno_of(e: c_int) -> Error {
    match e.unsigned_abs() {
        e @ 1..=4095 => Error::from_errno(-(e as i32)),
        _ => EINVAL,
    }
}

/// Takes an ioctl message from C for an answer; `None` (freed, with a
/// warning) for anything else.
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns and hands over.
unsafe fn take_ioctl(mp: *mut Msgb, what: &str) -> Option<Mblk> {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) }?;
    if !is_ioctl(&m) {
        pr_warn_once!("{}: not an M_IOCTL or M_IOCDATA: freed\n", what);
        return None;
    }
    Some(m)
}

/// `miocack`: turns the `M_IOCTL` or `M_IOCDATA` `mp` into an `M_IOCACK`
/// with return value `rval` and the first `count` bytes of its
/// continuation as data (the rest trimmed; `count` is cut to what is
/// there), and sends it back up (`qreply`).
///
/// # Safety
///
/// `q` as `resolve`; `mp` a message the caller hands over.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_miocack(
    q: *mut RawQueue,
    mp: *mut Msgb,
    count: c_int,
    rval: c_int,
) {
    // SAFETY: The caller's promise.
    let Some(mut m) = (unsafe { take_ioctl(mp, "miocack") }) else {
        return;
    };
    let want = usize::try_from(count).unwrap_or(0);
    if let Some(mut data) = m.take_cont() {
        let have = data.size();
        if have > want {
            data.adjmsg(-((have - want) as isize));
        }
        if want > 0 {
            m.link_cont(data);
        }
    }
    m.ioc_answer(Ok(rval));
    // SAFETY: The caller's promise.
    if let Some((s, qid)) = unsafe { resolve(q) } {
        s.qreply_from(qid, m);
    }
}

/// `miocnak`: turns `mp` into an `M_IOCNAK` with errno `error` (positive;
/// 0 is `EINVAL`) and sends it back up. A negative answer carries no data:
/// `count` is ignored and the continuation freed.
///
/// # Safety
///
/// As [`strclone_miocack`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_miocnak(
    q: *mut RawQueue,
    mp: *mut Msgb,
    _count: c_int,
    error: c_int,
) {
    // SAFETY: The caller's promise.
    let Some(mut m) = (unsafe { take_ioctl(mp, "miocnak") }) else {
        return;
    };
    m.ioc_answer(Err(errno_of(error)));
    // SAFETY: The caller's promise.
    if let Some((s, qid)) = unsafe { resolve(q) } {
        s.qreply_from(qid, m);
    }
}

/// `useraddr` of `mcopyin`/`mcopyout`: `None` (NULL) takes the transparent
/// ioctl's argument.
fn user_addr(a: *mut c_void) -> Option<u64> {
    (!a.is_null()).then_some(a as u64)
}

/// `mcopyin`: turns the `M_IOCTL` or `M_IOCDATA` `mp` in place into an
/// `M_COPYIN` of `size` bytes at `useraddr` (NULL: the transparent ioctl's
/// argument), `private` coming back in the `M_IOCDATA`'s `cp_private`; the
/// continuation is freed. The caller then `qreply`s it. 0; `-EINVAL` for
/// another message type, no address, or a size above 4 GiB; `-ENOMEM`: the
/// message is unchanged.
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns (it keeps it).
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_mcopyin(
    mp: *mut Msgb,
    private: *mut c_void,
    size: usize,
    useraddr: *mut c_void,
) -> c_int {
    // SAFETY: The caller's promise.
    let Some(mut m) = (unsafe { borrow(mp) }) else {
        return EINVAL.to_errno();
    };
    let Ok(size) = u32::try_from(size) else {
        return EINVAL.to_errno();
    };
    if !rewritable(&m) {
        return ENOMEM.to_errno();
    }
    match m.mcopyin(private as u64, size, user_addr(useraddr)) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `mcopyout`: turns `mp` in place into an `M_COPYOUT` of `size` bytes to
/// `useraddr` (NULL: the transparent ioctl's argument). The bytes are `dp`
/// (which replaces the continuation, cut to `size`), or with `dp` NULL the
/// continuation itself (then `useraddr` is needed: without it the
/// continuation is the argument). 0; `-EINVAL` for another message type,
/// no address, no data or less than `size` bytes of it; `-ENOMEM`. On
/// failure `mp` is unchanged and `dp` still the caller's.
///
/// # Safety
///
/// `mp` as [`strclone_mcopyin`]; `dp` NULL or a message the caller hands
/// over on success.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_mcopyout(
    mp: *mut Msgb,
    private: *mut c_void,
    size: usize,
    useraddr: *mut c_void,
    dp: *mut Msgb,
) -> c_int {
    // SAFETY: The caller's promise.
    let Some(mut m) = (unsafe { borrow(mp) }) else {
        return EINVAL.to_errno();
    };
    if !rewritable(&m) {
        return ENOMEM.to_errno();
    }
    let addr = user_addr(useraddr);
    let from_cont = dp.is_null();
    if from_cont && addr.is_none() {
        return EINVAL.to_errno();
    }
    let data = if from_cont {
        m.take_cont()
    } else {
        // SAFETY: The caller's promise (given back on failure).
        unsafe { take(dp) }
    };
    let Some(mut data) = data else {
        return EINVAL.to_errno();
    };
    let have = data.size();
    let r = if have < size || !is_ioctl(&m) {
        Err((EINVAL, data))
    } else {
        if have > size {
            data.adjmsg(-((have - size) as isize));
        }
        m.mcopyout_or_back(private as u64, addr, data)
    };
    match r {
        Ok(()) => 0,
        Err((e, data)) => {
            if from_cont {
                m.link_cont(data);
            } else {
                // Still the caller's.
                let _ = data.into_raw();
            }
            e.to_errno()
        }
    }
}
