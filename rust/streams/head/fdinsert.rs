// SPDX-License-Identifier: GPL-2.0

//! `I_FDINSERT`: a `putmsg` whose control part carries a reference to
//! another stream.
//!
//! SVR4 places the address of the other stream's driver read queue
//! (`queue_t *`) in the control part, for a driver that links the two
//! streams (a transport provider accepting a connection on another
//! stream). strclone streams have no C `queue_t` a driver could use, so the
//! head places the other stream's *token* instead: a 64-bit number
//! ([`Stream::token`], pointer-sized on the 64-bit kernels strclone is
//! built for) that no other open stream has and that a driver turns back
//! into the stream with [`Stream::by_token`] while the stream is open
//! (`None` afterwards). The token is also the `strclone-token` line of the
//! stream's fdinfo.

use crate::glue::node::rw_file_of_fd;
use crate::streams::compat::Abi;
use crate::streams::stream::Stream;
use crate::uapi;
use kernel::{prelude::*, sync::Arc};

/// Size of the token in the control part (SVR4: a pointer).
const TOKEN_SIZE: i32 = 8;

impl Stream {
    /// `I_FDINSERT`. `EINVAL`: `flags` other than 0 or `RS_HIPRI`,
    /// `fildes` not an open stream, `offset` negative, not a multiple of 8
    /// or without 8 bytes of the control part after it (which also refuses
    /// a missing control part). Then as `putmsg`.
    pub(super) fn i_fdinsert(
        self: &Arc<Self>,
        arg: usize,
        abi: Abi,
        nonblock: bool,
    ) -> Result<isize> {
        let f = abi.read_strfdinsert(arg)?;
        let lim = self.put_gone(None)?;
        let hipri = match f.flags {
            0 => false,
            x if x == uapi::RS_HIPRI as u32 => true,
            _ => return Err(EINVAL),
        };
        if f.offset < 0
            || f.offset % TOKEN_SIZE != 0
            || i64::from(f.offset) + i64::from(TOKEN_SIZE) > i64::from(f.ctl.len)
        {
            return Err(EINVAL);
        }
        let other = rw_file_of_fd::<Stream>(f.fildes).ok_or(EINVAL)?;
        let token = other.token();
        drop(other);
        let p = uapi::Strpmsg {
            ctl: f.ctl,
            data: f.data,
            band: 0,
            flags: if hipri { uapi::RS_HIPRI } else { 0 },
        };
        self.put_parts(
            &p,
            0,
            hipri,
            nonblock,
            Some((f.offset as usize, token)),
            lim,
        )
    }
}
