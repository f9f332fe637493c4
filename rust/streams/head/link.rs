// SPDX-License-Identifier: GPL-2.0

//! The multiplexor ioctls: `I_LINK`, `I_PLINK`, `I_UNLINK`, `I_PUNLINK`,
//! the removal of a stream's links at its last close, and the `EINVAL` a
//! linked stream's own file gets. `streams/mux.rs` has the life of a link
//! (its state machine); this file drives it with the `M_IOCTL`s the driver
//! is told of each step by.
//!
//! The checks of `I_LINK`, in illumos' order: the upper stream has an
//! `M_ERROR` (its errno) or hung up (`ENXIO`: `errs.rs`, as every ioctl that
//! sends something down), its driver is no multiplexor (`EINVAL`), the
//! argument is no
//! open descriptor (`EBADF`); then `EINVAL` for a lower stream that is not
//! a stream, is the upper stream itself, is linked already, is busy (an
//! ioctl or a push in progress), hung up or has an error, or whose link
//! would close a cycle of drivers (`mux.rs`). Unlike illumos, which waits
//! for the driver's answer without a limit, the answer may take `I_STR`'s
//! default timeout (`ETIME` after it), as streamio(7I) says.

use super::ioctl::IocOutcome;
use crate::glue::node::rw_file_of_open_fd;
use crate::streams::msg::{Mblk, MsgType};
use crate::streams::mux::{self, LinkInfo};
use crate::streams::stream::Stream;
use crate::uapi::{I_LINK, I_PLINK, I_PUNLINK, I_UNLINK, MUXID_ALL};
use core::sync::atomic::Ordering;
use kernel::{prelude::*, sync::Arc};

/// `struct linkblk` on x86_64: `l_qtop`, `l_qbot`, `l_index`, padding.
const LINKBLK_SIZE: usize = 24;

impl Stream {
    /// `EINVAL` while this stream is linked under a multiplexor: its file
    /// may only be closed (illumos' `STPLEX`).
    pub(super) fn not_linked(&self) -> Result {
        if self.linked.load(Ordering::Acquire) {
            return Err(EINVAL);
        }
        Ok(())
    }

    /// `I_LINK` (`persistent` false) or `I_PLINK` of the stream open as
    /// descriptor `arg` under this stream's driver; returns the mux id.
    pub(super) fn i_link(self: &Arc<Self>, arg: usize, persistent: bool) -> Result<isize> {
        self.ioctl_gone()?;
        let drv = self.driver().mux().ok_or(EINVAL)?;
        let lower = rw_file_of_open_fd::<Stream>(arg as i32)?.ok_or(EINVAL)?;
        if Arc::ptr_eq(&lower, self) {
            return Err(EINVAL);
        }
        let low = drv.lower(&lower)?;
        let info = mux::begin_link(self, &lower, low, persistent, drv.qtop())?;
        let (cmd, undo) = if persistent {
            (I_PLINK, I_PUNLINK)
        } else {
            (I_LINK, I_UNLINK)
        };
        let err = match self.link_ioctl(cmd, &info) {
            IocOutcome::Done => {
                if !persistent {
                    self.links.fetch_add(1, Ordering::Relaxed);
                }
                mux::link_made(&info);
                return Ok(info.id as isize);
            }
            IocOutcome::Refused(e) | IocOutcome::NotSent(e) => {
                mux::link_undo(&info, false);
                return Err(e);
            }
            IocOutcome::Unanswered(e) => e,
        };
        // The driver may have seen the link: it is told to forget it. If it
        // does not answer that either, it may keep the lower queue pair
        // until this stream's close, so the pair is kept until then.
        let zombie = !self.tell_link(undo, &info);
        if zombie {
            self.links.fetch_add(1, Ordering::Relaxed);
        }
        mux::link_undo(&info, zombie);
        Err(err)
    }

    /// `I_UNLINK` (`persistent` false) or `I_PUNLINK` of mux id `arg`, or
    /// of every link (`MUXID_ALL`: 0 even if there is none). `EINVAL` for
    /// an id that is none of this stream's links (`I_UNLINK`) or of its
    /// driver's persistent ones (`I_PUNLINK`). The driver's refusal keeps
    /// the link and fails with its errno; `MUXID_ALL` stops at the first.
    /// A driver that does not answer loses the link anyway (its lower pair
    /// kept until this stream's close) and the call fails (`ETIME`).
    pub(super) fn i_unlink(self: &Arc<Self>, arg: usize, persistent: bool) -> Result<isize> {
        self.ioctl_gone()?;
        let id = arg as i32;
        if id == 0 || (id < 0 && id != MUXID_ALL) {
            return Err(EINVAL);
        }
        let which = (id != MUXID_ALL).then_some(id);
        let cmd = if persistent { I_PUNLINK } else { I_UNLINK };
        let links = mux::begin_unlink(self, which, persistent)?;
        for (i, info) in links.iter().enumerate() {
            // Nothing calls the lower procedures while the driver is told.
            mux::unlink_pause(info);
            let err = match self.link_ioctl(cmd, info) {
                IocOutcome::Done => {
                    self.unlinked(info, false);
                    continue;
                }
                IocOutcome::Unanswered(e) => {
                    self.unlinked(info, true);
                    // The link is gone: a signal must not restart the call.
                    Some(if e == ERESTARTSYS { EINTR } else { e })
                }
                IocOutcome::Refused(e) | IocOutcome::NotSent(e) => {
                    mux::unlink_cancel(info);
                    Some(e)
                }
            };
            for rest in &links[i + 1..] {
                mux::unlink_cancel(rest);
            }
            return Err(err.unwrap_or(EINVAL));
        }
        Ok(0)
    }

    /// Link `info` (UNLINKING) is removed; `zombie`: the driver did not
    /// answer (see [`mux::unlink_done`]).
    fn unlinked(self: &Arc<Self>, info: &LinkInfo, zombie: bool) {
        if !info.persistent && !zombie {
            self.links.fetch_sub(1, Ordering::Relaxed);
        }
        if zombie && info.persistent {
            self.links.fetch_add(1, Ordering::Relaxed);
        }
        mux::unlink_done(info, zombie.then_some(&**self));
    }

    /// At the last close, before the modules and the driver close: the
    /// links this stream made with `I_LINK` are removed, each after an
    /// `I_UNLINK` to the driver whose answer is not needed.
    pub(crate) fn unlink_on_close(self: &Arc<Self>) {
        if self.links.load(Ordering::Relaxed) == 0 {
            return;
        }
        while let Some(info) = mux::next_to_close(self) {
            mux::unlink_pause(&info);
            let zombie = !self.tell_link(I_UNLINK, &info);
            mux::unlink_done(&info, zombie.then_some(&**self));
        }
    }

    /// After the driver's close at the last close: the lower pairs this
    /// stream's driver may not have been told it lost are freed.
    pub(crate) fn reap_links(self: &Arc<Self>) {
        if self.links.load(Ordering::Relaxed) != 0 {
            mux::reap(self);
        }
    }

    /// Sends the driver the `M_IOCTL` `cmd` with link `info`'s `linkblk`.
    fn link_ioctl(self: &Arc<Self>, cmd: u32, info: &LinkInfo) -> IocOutcome {
        match linkblk(info) {
            Ok(m) => self.head_ioctl_msg(cmd, m),
            Err(e) => IocOutcome::NotSent(e),
        }
    }

    /// Tells the driver the link `info` is gone (`cmd`: `I_UNLINK` or
    /// `I_PUNLINK`) when the link goes whatever it answers (an `I_LINK`
    /// undone, the last close): true if it answered, so it no longer uses
    /// the link's queues. When the ioctl slot cannot be had (another
    /// ioctl holds it and a signal is pending, as at a killed process's
    /// close; a hangup), the `M_IOCTL` goes down without it: the driver
    /// still hears of it, but its answer is not waited for.
    fn tell_link(self: &Arc<Self>, cmd: u32, info: &LinkInfo) -> bool {
        match self.link_ioctl(cmd, info) {
            IocOutcome::Done | IocOutcome::Refused(_) => true,
            IocOutcome::Unanswered(_) => false,
            IocOutcome::NotSent(_) => {
                if let Ok(m) = linkblk(info) {
                    let _ = self.head_ioctl_tell(cmd, m);
                }
                false
            }
        }
    }
}

/// The data of a link `M_IOCTL`: link `info`'s `struct linkblk`.
fn linkblk(info: &LinkInfo) -> Result<Mblk> {
    let mut b = [0u8; LINKBLK_SIZE];
    b[..8].copy_from_slice(&(info.qtop as u64).to_ne_bytes());
    b[8..16].copy_from_slice(&(info.qbot as u64).to_ne_bytes());
    b[16..20].copy_from_slice(&info.id.to_ne_bytes());
    Mblk::with(MsgType::Data, &b, GFP_KERNEL_ACCOUNT)
}
