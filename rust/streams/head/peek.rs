// SPDX-License-Identifier: GPL-2.0

//! `I_PEEK`: the first message on the head read queue, copied out as
//! `getmsg` would copy it, and left where it is.
//!
//! The message is duplicated under the stream lock (`dupmsg`: new block
//! headers over the same data blocks, no copy of the data) and copied to
//! the caller's buffers from the duplicate with the lock dropped, so user
//! memory is never touched under the lock and the queue is not changed.

use super::errno;
use super::msgio::copy_getmsg;
use crate::streams::compat::Abi;
use crate::streams::msg::{Msg, MsgType};
use crate::streams::stream::Stream;
use crate::uapi;
use kernel::prelude::*;

/// The lengths `getmsg` reports for `m` with capacities `p`: the bytes
/// copied, or -1 for a part the message does not have or the caller did
/// not ask for (`maxlen` < 0).
fn peek_lens(m: &Msg, p: &uapi::Strpmsg) -> (i32, i32) {
    let (ctl, data) = if m.ty() == MsgType::Data {
        (-1, Some(m))
    } else {
        let c = if p.ctl.maxlen < 0 {
            -1
        } else {
            m.len().min(p.ctl.maxlen as usize) as i32
        };
        (c, m.cont())
    };
    let data = match data {
        _ if p.data.maxlen < 0 => -1,
        None => -1,
        Some(d) => d.size().min(p.data.maxlen as usize) as i32,
    };
    (ctl, data)
}

impl Stream {
    /// `I_PEEK`: flags 0 (any message) or `RS_HIPRI` (a high-priority one
    /// only; anything else is `EINVAL`). Returns 1 and fills the
    /// structure when there is such a message, 0 (and writes nothing)
    /// when there is none; never waits. After `M_ERROR`: its read errno.
    pub(super) fn i_peek(&self, arg: usize, abi: Abi) -> Result<isize> {
        let mut sp = abi.read_strpeek(arg)?;
        let hipri_only = match sp.flags {
            0 => false,
            f if f == uapi::RS_HIPRI as u32 => true,
            _ => return Err(EINVAL),
        };
        let dup = {
            let inner = self.lock();
            if inner.head.rerr != 0 {
                return Err(errno(inner.head.rerr));
            }
            match inner.head_rq_ref().front() {
                None => return Ok(0),
                Some(m) if hipri_only && !m.ty().is_hipri() => return Ok(0),
                // A passed file is for I_RECVFD only (as getmsg).
                Some(m) if m.ty() == MsgType::PassFp => return Err(EBADMSG),
                Some(m) => m.dupmsg(GFP_ATOMIC)?,
            }
        };
        let p = uapi::Strpmsg {
            ctl: sp.ctl,
            data: sp.data,
            band: 0,
            flags: 0,
        };
        copy_getmsg(&dup, &p)?;
        let (cl, dl) = peek_lens(&dup, &p);
        sp.ctl.len = cl;
        sp.data.len = dl;
        sp.flags = if dup.ty().is_hipri() {
            uapi::RS_HIPRI as u32
        } else {
            0
        };
        abi.write_strpeek(arg, &sp)?;
        Ok(1)
    }
}
