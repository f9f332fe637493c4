// SPDX-License-Identifier: GPL-2.0

//! Priority bands at the stream head: the ioctls that look at or act on
//! one band (`I_FLUSHBAND`, `I_CKBAND`, `I_GETBAND`, `I_CANPUT`), the mark
//! a driver puts on a message (`I_ATMARK`), and the band part of `poll`.
//! `getpmsg`/`putpmsg` are in `msgio.rs`.
//!
//! A normal message's band is its first block's `b_band` (0 to 255); the
//! head read queue keeps high-priority messages first, then normal ones by
//! band, highest first (`queue.rs`). A band argument from user space is an
//! `int` in SVR4: anything outside 0..=255 is `EINVAL`.

use super::{POLLIN, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND};
use crate::streams::msg::{Mblk, MsgType, FLUSHBAND, FLUSHR, FLUSHRW, FLUSHW, MSGMARK};
use crate::streams::stream::{Inner, Qid, Stream};
use crate::uapi::{self, ANYMARK, LASTMARK};
use kernel::{
    prelude::*,
    sync::Arc,
    uaccess::{UserPtr, UserSlice},
};

/// The band an ioctl's `arg` names: `EINVAL` above 255 (a negative `int`
/// arrives as a huge `unsigned long`).
pub(super) fn band_arg(arg: usize) -> Result<u8> {
    u8::try_from(arg).map_err(|_| EINVAL)
}

/// The read side of `poll` for the head read queue: `POLLPRI` for a
/// high-priority message at the front, `POLLRDNORM` for a normal message
/// of band 0, `POLLRDBAND` for one of a band above 0, `POLLIN` for either.
pub(super) fn poll_read_mask(inner: &Inner) -> u32 {
    let q = inner.head_rq_ref();
    let Some(front) = q.front() else {
        return 0;
    };
    let mut mask = 0;
    if front.ty().is_hipri() {
        mask |= POLLPRI;
    }
    q.for_each(|m| {
        if !m.ty().is_hipri() {
            mask |= if m.band() == 0 {
                POLLIN | POLLRDNORM
            } else {
                POLLIN | POLLRDBAND
            };
        }
    });
    mask
}

/// The band part of `poll`'s write side: `POLLWRBAND` when a message of a
/// band above 0 could go down now (`Inner::any_band_writable_next`).
pub(super) fn poll_wrband(inner: &mut Inner) -> u32 {
    if inner.any_band_writable_next(Qid::HeadW) {
        POLLWRBAND
    } else {
        0
    }
}

impl Stream {
    /// `I_CANPUT`: 1 if a normal message of band `arg` would go down now
    /// without blocking, else 0. After a hangup `ENXIO`, after an
    /// `M_ERROR` its errno (`errs.rs`).
    pub(super) fn i_canput(&self, arg: usize) -> Result<isize> {
        self.ioctl_gone()?;
        let band = band_arg(arg)?;
        let mut inner = self.lock();
        Ok(isize::from(inner.bcanputnext(Qid::HeadW, band)))
    }

    /// `I_CKBAND`: 1 if a normal message of band `arg` is on the head read
    /// queue, else 0.
    pub(super) fn i_ckband(&self, arg: usize) -> Result<isize> {
        let band = band_arg(arg)?;
        let inner = self.lock();
        let mut found = false;
        inner
            .head_rq_ref()
            .for_each(|m| found |= !m.ty().is_hipri() && m.band() == band);
        Ok(isize::from(found))
    }

    /// `I_GETBAND`: stores the band of the first message on the head read
    /// queue (0 for a high-priority one); `ENODATA` when there is none.
    pub(super) fn i_getband(&self, arg: usize) -> Result<isize> {
        let band = {
            let inner = self.lock();
            match inner.head_rq_ref().front() {
                None => return Err(ENODATA),
                Some(m) if m.ty().is_hipri() => 0,
                Some(m) => i32::from(m.band()),
            }
        };
        UserSlice::new(UserPtr::from_addr(arg), 4)
            .writer()
            .write(&band)?;
        Ok(0)
    }

    /// `I_ATMARK`: with `ANYMARK`, 1 if the first message on the head read
    /// queue is marked (`MSGMARK`); with `LASTMARK` (alone or with
    /// `ANYMARK`), 1 if it is marked and no message behind it is. Any
    /// other `arg`, 0 included: `EINVAL`.
    pub(super) fn i_atmark(&self, arg: usize) -> Result<isize> {
        let any = ANYMARK as usize;
        let last = LASTMARK as usize;
        if arg == 0 || arg & !(any | last) != 0 {
            return Err(EINVAL);
        }
        let inner = self.lock();
        let q = inner.head_rq_ref();
        let Some(front) = q.front() else {
            return Ok(0);
        };
        if front.flag() & MSGMARK == 0 {
            return Ok(0);
        }
        if arg & last == 0 {
            return Ok(1);
        }
        let mut marks = 0;
        q.for_each(|m| marks += usize::from(m.flag() & MSGMARK != 0));
        Ok(isize::from(marks == 1))
    }

    /// `I_FLUSHBAND`: flushes band `bi_pri` as `I_FLUSH` flushes (`bi_flag`
    /// is `FLUSHR`, `FLUSHW` or `FLUSHRW`, else `EINVAL`): the head read
    /// queue's messages of that band for `FLUSHR`, and an `M_FLUSH` with
    /// `FLUSHBAND` and the band travels down. After a hangup `ENXIO`,
    /// after an `M_ERROR` its errno (`errs.rs`; illumos reads the argument
    /// first).
    pub(super) fn i_flushband(self: &Arc<Self>, arg: usize) -> Result<isize> {
        let mut raw = [0u8; uapi::BANDINFO_SIZE];
        UserSlice::new(UserPtr::from_addr(arg), uapi::BANDINFO_SIZE)
            .reader()
            .read_slice(&mut raw)?;
        self.ioctl_gone()?;
        let bi = uapi::Bandinfo::decode(&raw);
        let flags = match bi.bi_flag {
            f if f == i32::from(FLUSHR) => FLUSHR,
            f if f == i32::from(FLUSHW) => FLUSHW,
            f if f == i32::from(FLUSHRW) => FLUSHRW,
            _ => return Err(EINVAL),
        };
        if flags & FLUSHR != 0 {
            self.flushband(Qid::HeadR, bi.bi_pri, false);
        }
        let m = Mblk::with(
            MsgType::Flush,
            &[flags | FLUSHBAND, bi.bi_pri],
            GFP_KERNEL_ACCOUNT,
        )?;
        self.putnext(Qid::HeadW, m);
        Ok(0)
    }
}
