// SPDX-License-Identifier: GPL-2.0

//! `getmsg`/`getpmsg` and `putmsg`/`putpmsg` at the stream head
//! (`I_GETMSG`, `I_GETPMSG`, `I_PUTMSG`, `I_PUTPMSG`): a message's control
//! and data parts to and from the caller's buffers, with its priority band
//! for the `p` forms. `I_FDINSERT` (`fdinsert.rs`) sends its message with
//! [`Stream::put_parts`].

use super::{copy_out, errno, Want, STRCTLSZ, STRMSGSZ};
use crate::streams::compat::Abi;
use crate::streams::msg::{Mblk, Msg, MsgType, MSGMARK};
use crate::streams::queue::QLimits;
use crate::streams::stream::{Qid, Stream};
use crate::uapi;
use kernel::{
    prelude::*,
    sync::Arc,
    uaccess::{UserPtr, UserSlice},
};

/// How a `getmsg` reports what it took: `getmsg(2)`'s flags (`RS_HIPRI`
/// or 0) or `getpmsg(2)`'s (`MSG_HIPRI` or `MSG_BAND`, with the band).
#[derive(Copy, Clone, PartialEq, Eq)]
enum Report {
    Getmsg,
    Getpmsg,
}

impl Stream {
    /// Whether a `putmsg` may send at all: the `M_ERROR` write errno, else
    /// `ENXIO` after a hangup (illumos' `strwriteable` for `putmsg`),
    /// before the arguments are looked at. An `EPIPE` raises `SIGPIPE`
    /// with `SNDPIPE`, as any failed `putmsg`. On success, read in the
    /// same lock round trip: the limits of the queue below the head, which
    /// [`Stream::put_parts`] checks the parts against, and, for a normal
    /// message of band `band`, whether that queue has room for it now
    /// (`Some`, with whether the driver's write queue is idle, as
    /// [`Stream::wait_writable`] finds), so that the send need not look
    /// again (`None`: it waits for room as usual).
    pub(super) fn put_gone(&self, band: Option<u8>) -> Result<(QLimits, Option<bool>)> {
        let e = {
            let mut inner = self.lock();
            if inner.head.werr != 0 {
                errno(inner.head.werr)
            } else if inner.head.hangup {
                ENXIO
            } else {
                let room = band
                    .filter(|&b| inner.head.link.is_none() && inner.bcanputnext(Qid::HeadW, b))
                    .map(|_| inner.drv_w_idle());
                return Ok((inner.below_head_limits(), room));
            }
        };
        Err(self.write_failed(e))
    }

    /// `I_PUTMSG`: flags 0 or `RS_HIPRI`, band 0 (putmsg has no band: any
    /// other is `EINVAL`).
    pub(super) fn i_putmsg(
        self: &Arc<Self>,
        arg: usize,
        abi: Abi,
        nonblock: bool,
    ) -> Result<isize> {
        let p = abi.read_strpmsg(arg)?;
        let (lim, room) = self.put_gone((p.flags == 0).then_some(0))?;
        if (p.flags != 0 && p.flags != uapi::RS_HIPRI) || p.band != 0 {
            return Err(EINVAL);
        }
        self.put_parts(
            &p,
            0,
            p.flags == uapi::RS_HIPRI,
            nonblock,
            None,
            (lim, room),
        )
    }

    /// `I_PUTPMSG`: `MSG_HIPRI` (band 0) or `MSG_BAND` with a band from 0
    /// to 255; anything else is `EINVAL`.
    pub(super) fn i_putpmsg(
        self: &Arc<Self>,
        arg: usize,
        abi: Abi,
        nonblock: bool,
    ) -> Result<isize> {
        let p = abi.read_strpmsg(arg)?;
        let normal = u8::try_from(p.band)
            .ok()
            .filter(|_| p.flags == uapi::MSG_BAND);
        let (lim, room) = self.put_gone(normal)?;
        let band = u8::try_from(p.band).map_err(|_| EINVAL)?;
        let hipri = match p.flags {
            uapi::MSG_HIPRI if band == 0 => true,
            uapi::MSG_BAND => false,
            _ => return Err(EINVAL),
        };
        self.put_parts(&p, band, hipri, nonblock, None, (lim, room))
    }

    /// Builds the message of `p`'s parts and sends it down: `M_PROTO`
    /// (`M_PCPROTO` if `hipri`) with the data chained, or `M_DATA` alone,
    /// in band `band`. `token` is `I_FDINSERT`'s: an offset in the control
    /// part (checked by the caller) and the eight bytes to put there. `lim`:
    /// the limits of the queue below the head, and whether it had room for
    /// the message ([`Stream::put_gone`]). A
    /// failure is reported through [`Stream::write_failed`] (`SNDPIPE`).
    pub(super) fn put_parts(
        self: &Arc<Self>,
        p: &uapi::Strpmsg,
        band: u8,
        hipri: bool,
        nonblock: bool,
        token: Option<(usize, u64)>,
        lim: (QLimits, Option<bool>),
    ) -> Result<isize> {
        self.build_and_send(p, band, hipri, nonblock, token, lim)
            .map_err(|e| self.write_failed(e))
    }

    fn build_and_send(
        self: &Arc<Self>,
        p: &uapi::Strpmsg,
        band: u8,
        hipri: bool,
        nonblock: bool,
        token: Option<(usize, u64)>,
        lim: (QLimits, Option<bool>),
    ) -> Result<isize> {
        let (lim, room) = lim;
        let has_ctl = p.ctl.len >= 0;
        let has_data = p.data.len >= 0;
        if hipri && !has_ctl {
            return Err(EINVAL);
        }
        if !has_ctl && !has_data {
            return Ok(0);
        }
        if has_ctl && p.ctl.len as usize > STRCTLSZ {
            return Err(ERANGE);
        }
        if has_data {
            let n = p.data.len as usize;
            if n > STRMSGSZ || n > lim.maxpsz || n < lim.minpsz {
                return Err(ERANGE);
            }
        }
        let read = |b: &uapi::Strbuf, ty: MsgType| -> Result<Mblk> {
            let n = b.len.max(0) as usize;
            let mut r = UserSlice::new(UserPtr::from_addr(b.buf as usize), n).reader();
            Mblk::from_user(&mut r, n, ty.0, GFP_KERNEL_ACCOUNT)
        };
        let data = if has_data {
            Some(read(&p.data, MsgType::Data)?)
        } else {
            None
        };
        let mut m = if has_ctl {
            let ty = if hipri {
                MsgType::PcProto
            } else {
                MsgType::Proto
            };
            let mut m = read(&p.ctl, ty)?;
            if let Some((at, tok)) = token {
                // A fresh block of exactly ctl.len bytes: writable, and the
                // caller checked at + 8 <= ctl.len.
                if let Some(dst) = m.bytes_mut().and_then(|b| b.get_mut(at..at + 8)) {
                    dst.copy_from_slice(&tok.to_ne_bytes());
                }
            }
            if let Some(d) = data {
                m.link_cont(d);
            }
            m
        } else {
            match data {
                Some(d) => d,
                None => return Ok(0),
            }
        };
        let idle = if hipri {
            let inner = self.lock();
            if inner.head.werr != 0 {
                return Err(errno(inner.head.werr));
            }
            if inner.head.hangup {
                return Err(ENXIO);
            }
            None
        } else {
            // Room was there when the call began (`put_gone`): the message
            // goes now, as it would after a look that found room (a queue
            // may take one message past its high water mark).
            let idle = match room {
                Some(idle) => idle,
                None => self.wait_writable(nonblock, None, band, ENXIO)?.1,
            };
            m.set_band(band);
            Some(idle)
        };
        self.putnext_down_idle(m, idle);
        Ok(0)
    }

    /// `I_GETMSG`: flags 0 or `MSG_ANY` (any message) or `RS_HIPRI` (a
    /// high-priority one only).
    pub(super) fn i_getmsg(
        self: &Arc<Self>,
        arg: usize,
        abi: Abi,
        nonblock: bool,
    ) -> Result<isize> {
        let p = abi.read_strpmsg(arg)?;
        let want = match p.flags {
            0 | uapi::MSG_ANY => Want::Any,
            uapi::RS_HIPRI => Want::HiPri,
            _ => return Err(EINVAL),
        };
        self.getmsg_as(arg, abi, p, want, Report::Getmsg, nonblock)
    }

    /// `I_GETPMSG`: `MSG_HIPRI` (band must be 0), `MSG_ANY`, or `MSG_BAND`
    /// (a message of the band or above, or a high-priority one; the band
    /// from 0 to 255); anything else is `EINVAL`.
    pub(super) fn i_getpmsg(
        self: &Arc<Self>,
        arg: usize,
        abi: Abi,
        nonblock: bool,
    ) -> Result<isize> {
        let p = abi.read_strpmsg(arg)?;
        let want = match p.flags {
            uapi::MSG_HIPRI if p.band == 0 => Want::HiPri,
            uapi::MSG_ANY => Want::Any,
            uapi::MSG_BAND => Want::Band(u8::try_from(p.band).map_err(|_| EINVAL)?),
            _ => return Err(EINVAL),
        };
        self.getmsg_as(arg, abi, p, want, Report::Getpmsg, nonblock)
    }

    fn getmsg_as(
        self: &Arc<Self>,
        arg: usize,
        abi: Abi,
        mut p: uapi::Strpmsg,
        want: Want,
        report: Report,
        nonblock: bool,
    ) -> Result<isize> {
        // The structure is written back at the end: a read-only one fails
        // now, before a message is taken.
        abi.write_strpmsg(arg, &p)?;
        let Some(mut m) = self.take_head(nonblock, want, None)? else {
            // End of file.
            p.ctl.len = 0;
            p.data.len = 0;
            p.flags = 0;
            p.band = 0;
            return abi.write_strpmsg(arg, &p).map(|()| 0);
        };
        let ty = m.ty();
        if ty == MsgType::PassFp {
            // A passed file is taken by I_RECVFD only (illumos' getmsg).
            self.putbq(Qid::HeadR, m);
            return Err(EBADMSG);
        }
        let band = m.band();
        let marked = m.flag() & MSGMARK;
        let (out_flags, out_band) = match (report, ty.is_hipri()) {
            (Report::Getmsg, true) => (uapi::RS_HIPRI, 0),
            (Report::Getmsg, false) => (0, i32::from(band)),
            (Report::Getpmsg, true) => (uapi::MSG_HIPRI, 0),
            (Report::Getpmsg, false) => (uapi::MSG_BAND, i32::from(band)),
        };
        let mut more = 0;
        // Copy to user space first and change the message only once every
        // copy succeeded: a bad buffer (EFAULT) puts it back whole.
        if let Err(e) = copy_getmsg(&m, &p) {
            self.putbq(Qid::HeadR, m);
            self.wait.notify_all();
            return Err(e);
        }

        // Split the message: control block (if any) and the data chain.
        let (mut ctl, mut data) = if ty == MsgType::Data {
            (None, Some(m))
        } else {
            let d = m.take_cont();
            (Some(m), d)
        };

        // Control part.
        match ctl.as_mut() {
            None => p.ctl.len = -1,
            Some(c) if p.ctl.maxlen < 0 => {
                p.ctl.len = -1;
                if c.len() > 0 || ty != MsgType::Data {
                    more |= uapi::MORECTL;
                }
            }
            Some(c) => {
                let n = c.len().min(p.ctl.maxlen as usize);
                c.consume(n);
                p.ctl.len = n as i32;
                if c.len() > 0 {
                    more |= uapi::MORECTL;
                }
            }
        }
        // Data part: copy across the data blocks.
        let mut copied = 0usize;
        if p.data.maxlen < 0 {
            p.data.len = -1;
            if data.as_ref().is_some_and(|d| d.size() > 0) {
                more |= uapi::MOREDATA;
            }
        } else if data.is_none() {
            p.data.len = -1;
        } else {
            let cap = p.data.maxlen as usize;
            let mut cur = data.take();
            let mut rest: Option<Mblk> = None;
            while let Some(mut b) = cur {
                let n = b.len().min(cap - copied);
                if n > 0 {
                    b.consume(n);
                    copied += n;
                }
                if b.len() > 0 {
                    rest = Some(b);
                    break;
                }
                cur = b.take_cont();
            }
            p.data.len = copied as i32;
            if rest.is_some() {
                more |= uapi::MOREDATA;
            }
            data = rest;
        }

        // Put back what was not retrieved, keeping the message's class.
        let remainder = match (ctl, data) {
            (Some(mut c), d) if more & uapi::MORECTL != 0 => {
                if let Some(d) = d {
                    c.link_cont(d);
                }
                Some(c)
            }
            (Some(c), Some(d)) if ty.is_hipri() => {
                // Keep high priority: an empty control block stays in front.
                let mut c = c;
                c.link_cont(d);
                Some(c)
            }
            (_, Some(mut d)) => {
                d.set_ty(MsgType::Data);
                Some(d)
            }
            _ => None,
        };
        if let Some(mut r) = remainder {
            // What is left keeps the message's band and mark.
            if !ty.is_hipri() {
                r.set_band(band);
            }
            r.set_flag(marked);
            self.putbq(Qid::HeadR, r);
            self.wait.notify_all();
        }
        p.flags = out_flags;
        p.band = out_band;
        abi.write_strpmsg(arg, &p)?;
        Ok(more as isize)
    }
}

/// The copies of `getmsg`: as much of `m`'s control part and data as the
/// caller's buffers take (the same amounts [`Stream::i_getmsg`] then
/// consumes). Changes nothing.
pub(super) fn copy_getmsg(m: &Msg, p: &uapi::Strpmsg) -> Result {
    let data = if m.ty() == MsgType::Data {
        Some(m)
    } else {
        if p.ctl.maxlen >= 0 {
            let n = m.len().min(p.ctl.maxlen as usize);
            copy_out(p.ctl.buf, &m.bytes()[..n])?;
        }
        m.cont()
    };
    if p.data.maxlen < 0 {
        return Ok(());
    }
    let cap = p.data.maxlen as usize;
    let mut copied = 0usize;
    let mut cur = data;
    while let Some(b) = cur {
        let n = b.len().min(cap - copied);
        if n > 0 {
            copy_out(p.data.buf.wrapping_add(copied as u64), &b.bytes()[..n])?;
            copied += n;
        }
        if b.len() > n {
            break;
        }
        cur = b.cont();
    }
    Ok(())
}
