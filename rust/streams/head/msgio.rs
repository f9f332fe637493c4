// SPDX-License-Identifier: GPL-2.0

//! `getmsg` and `putmsg` at the stream head (`I_GETMSG`, `I_PUTMSG`):
//! a message's control and data parts to and from the caller's buffers.

use super::{copy_out, errno, STRCTLSZ, STRMSGSZ};
use crate::streams::msg::{Mblk, Msg, MsgType};
use crate::streams::stream::{Qid, Stream};
use crate::uapi;
use kernel::{
    prelude::*,
    sync::Arc,
    uaccess::{UserPtr, UserSlice},
};

impl Stream {
    pub(super) fn i_putmsg(self: &Arc<Self>, arg: usize, nonblock: bool) -> Result<isize> {
        let mut raw = [0u8; uapi::STRPMSG_SIZE];
        UserSlice::new(UserPtr::from_addr(arg), uapi::STRPMSG_SIZE)
            .reader()
            .read_slice(&mut raw)?;
        let p = uapi::Strpmsg::decode(&raw);
        if p.flags != 0 && p.flags != uapi::RS_HIPRI {
            return Err(EINVAL);
        }
        let hipri = p.flags == uapi::RS_HIPRI;
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
        let lim = self.inner.lock().below_head_limits();
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
        let m = if has_ctl {
            let ty = if hipri {
                MsgType::PcProto
            } else {
                MsgType::Proto
            };
            let mut m = read(&p.ctl, ty)?;
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
        if hipri {
            let inner = self.inner.lock();
            if inner.head.hangup {
                return Err(EIO);
            }
            if inner.head.werr != 0 {
                return Err(errno(inner.head.werr));
            }
        } else {
            self.wait_writable(nonblock, None)?;
        }
        self.putnext(Qid::HeadW, m);
        Ok(0)
    }

    pub(super) fn i_getmsg(self: &Arc<Self>, arg: usize, nonblock: bool) -> Result<isize> {
        let uptr = UserPtr::from_addr(arg);
        let mut raw = [0u8; uapi::STRPMSG_SIZE];
        UserSlice::new(uptr, uapi::STRPMSG_SIZE)
            .reader()
            .read_slice(&mut raw)?;
        let mut p = uapi::Strpmsg::decode(&raw);
        let hipri_only = match p.flags {
            0 | uapi::MSG_ANY => false,
            uapi::RS_HIPRI => true,
            _ => return Err(EINVAL),
        };
        // The structure is written back at the end: a read-only one fails
        // now, before a message is taken.
        write_pmsg(uptr, &p)?;
        let Some(mut m) = self.take_head(nonblock, hipri_only, None)? else {
            // End of file.
            p.ctl.len = 0;
            p.data.len = 0;
            p.flags = 0;
            return write_pmsg(uptr, &p).map(|()| 0);
        };
        let ty = m.ty();
        let out_flags = if ty.is_hipri() { uapi::RS_HIPRI } else { 0 };
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
        if let Some(r) = remainder {
            self.putbq(Qid::HeadR, r);
            self.wait.notify_all();
        }
        p.flags = out_flags;
        write_pmsg(uptr, &p)?;
        Ok(more as isize)
    }
}

/// The copies of `getmsg`: as much of `m`'s control part and data as the
/// caller's buffers take (the same amounts [`Stream::i_getmsg`] then
/// consumes). Changes nothing.
fn copy_getmsg(m: &Msg, p: &uapi::Strpmsg) -> Result {
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

fn write_pmsg(uptr: UserPtr, p: &uapi::Strpmsg) -> Result {
    UserSlice::new(uptr, uapi::STRPMSG_SIZE)
        .writer()
        .write_slice(&p.encode())
}
