// SPDX-License-Identifier: GPL-2.0

//! `I_RECVFD`, and `I_SENDFD` on a stream that is not a pipe.
//!
//! A pipe end's driver answers `I_SENDFD` itself (`crate::pipe`): it puts
//! an `M_PASSFP` message (`glue::passfp`) holding the file at the other
//! end's stream head. `I_RECVFD` takes it from the front of the head read
//! queue and installs the file at the caller's lowest free descriptor. The
//! errnos are illumos' (`streamio(7I)`): `ENXIO` after a hangup with
//! nothing queued, `EAGAIN` without waiting (`O_NONBLOCK`), `EBADMSG` when
//! the first message is not an `M_PASSFP` (it stays), `EMFILE`, `EFAULT`;
//! on every error the message stays at the head, file and all.

use super::Want;
use crate::glue::passfp::{self, FdReservation, Sendable};
use crate::streams::msg::MsgType;
use crate::streams::stream::{Qid, Stream};
use crate::uapi;
use kernel::{
    prelude::*,
    sync::Arc,
    uaccess::{UserPtr, UserSlice},
};

impl Stream {
    /// `I_RECVFD`.
    pub(super) fn i_recvfd(self: &Arc<Self>, arg: usize, nonblock: bool) -> Result<isize> {
        let Some(m) = self.take_head(nonblock, Want::Any, None)? else {
            // Hung up, and nothing left to receive.
            return Err(ENXIO);
        };
        if m.ty() != MsgType::PassFp {
            self.putbq(Qid::HeadR, m);
            self.wait.notify_all();
            return Err(EBADMSG);
        }
        let Some(r) = passfp::take(&m) else {
            // An M_PASSFP without a file (a module's copy of one): it
            // carries nothing, and is freed.
            return Err(EBADMSG);
        };
        let slot = match FdReservation::get(false) {
            Ok(s) => s,
            Err(e) => {
                passfp::put_back(&m, r);
                self.putbq(Qid::HeadR, m);
                self.wait.notify_all();
                return Err(e);
            }
        };
        let (uid, gid) = r.sender_ids();
        let out = uapi::Strrecvfd {
            fd: slot.fd() as i32,
            uid,
            gid,
            fill: [0; 8],
        };
        let w = UserSlice::new(UserPtr::from_addr(arg), uapi::STRRECVFD_SIZE)
            .writer()
            .write_slice(&out.encode());
        if let Err(e) = w {
            // The reservation goes unused; the file goes back.
            drop(slot);
            passfp::put_back(&m, r);
            self.putbq(Qid::HeadR, m);
            self.wait.notify_all();
            return Err(e);
        }
        slot.install(r);
        // Frees the message and its guard: the file is the caller's now.
        drop(m);
        Ok(0)
    }

    /// `I_SENDFD` on a stream without a pipe driver: `EBADF` for a bad
    /// descriptor, else `EINVAL` (not a stream pipe), as illumos.
    pub(super) fn i_sendfd_not_pipe(&self, arg: usize) -> Result<isize> {
        drop(Sendable::of_fd(arg)?);
        Err(EINVAL)
    }
}
