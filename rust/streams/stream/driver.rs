// SPDX-License-Identifier: GPL-2.0

//! What a stream asks of its driver: the [`Driver`] trait every driver
//! instance implements (one per stream), its limits, the hooks of a target
//! that answers ioctls itself, and a multiplexing driver's lower side.

use super::{Module, Qid, Stream};
use crate::streams::msg::Mblk;
use crate::streams::queue::QLimits;
use kernel::{fs::File, prelude::*, sync::Arc};

/// Why a target's open is called (SVR4's `sflag`).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum SFlag {
    /// A direct open of the target's own node.
    Normal,
    /// An open through the clone driver.
    CloneOpen,
}

/// Per-stream hooks for ioctls a target handles itself (ptm's `UNLKPT`...).
/// Returning `None` means "not mine".
pub(crate) trait TargetIoctl {
    /// Handles `cmd` on stream `s` opened as `file`.
    fn ioctl(&self, s: &Arc<Stream>, file: &File, cmd: u32, arg: usize) -> Option<Result<isize>>;
}

/// A STREAMS driver instance: the procedures of one stream's driver queue
/// pair, and its private state (SVR4's `q_ptr`).
pub(crate) trait Driver: Send + Sync {
    /// Write put procedure: a message from upstream.
    fn wput(&self, s: &Arc<Stream>, m: Mblk);
    /// The write put procedure, called by a `write(2)` or `putmsg` at the
    /// stream head with nothing pushed, which tells whether the driver's
    /// write queue was idle (nothing queued, its service procedure neither
    /// scheduled nor running: [`Stream::can_bypass`]) when it checked for
    /// room, in the same lock round trip. A snapshot, as the driver's own
    /// look would be; a driver that would look saves a round trip of the
    /// stream lock. By default [`Driver::wput`].
    fn wput_idle(&self, s: &Arc<Stream>, m: Mblk, _idle: bool) {
        self.wput(s, m);
    }
    /// Write service procedure (only called if [`Driver::limits`] says the
    /// write queue has one).
    fn wsrv(&self, _s: &Arc<Stream>) {}
    /// Read put procedure: by default passes the message upstream.
    fn rput(&self, s: &Arc<Stream>, m: Mblk) {
        s.putnext(Qid::DrvR, m);
    }
    /// Read service procedure.
    fn rsrv(&self, _s: &Arc<Stream>) {}
    /// A second open of the stream (SVR4 calls the driver's open again, in
    /// a reopen, after every module's): `Err` refuses it.
    fn reopen(&self, _s: &Arc<Stream>) -> Result {
        Ok(())
    }
    /// The last file of the stream closed.
    fn close(&self, _s: &Arc<Stream>) {}
    /// Queue limits and which driver queues have service procedures.
    fn limits(&self) -> DriverLimits;
    /// The driver's name (`mi_idname`: what `I_LIST` reports last).
    fn name(&self) -> &CStr;
    /// Ioctls the target handles itself on this stream's file.
    fn target_ioctl(&self) -> Option<&dyn TargetIoctl> {
        None
    }
    /// The driver instance as its own type, for a target that must
    /// recognise its streams among others (a pipe end passed by
    /// `I_SENDFD`).
    fn as_any(&self) -> Option<&dyn core::any::Any> {
        None
    }
    /// A multiplexing driver's lower side (`I_LINK`, `streams/mux.rs`);
    /// `None`: not a multiplexor.
    fn mux(&self) -> Option<&dyn MuxDriver> {
        None
    }
    /// The inbox of this stream's head, if the driver's writers deliver
    /// to it without the stream lock (`streams/inbox.rs`).
    fn inbox(&self) -> Option<&crate::glue::inbox::Inbox> {
        None
    }
}

/// What `I_LINK` needs from the driver of the upper stream (SVR4's
/// `st_muxrinit`/`st_muxwinit`): `streams/mux.rs` has the rules.
pub(crate) trait MuxDriver {
    /// The procedures of the queue pair that replaces `lower`'s stream head
    /// while `lower` is linked under this driver.
    fn lower(&self, lower: &Arc<Stream>) -> Result<MuxLower>;
    /// What `l_qtop` of an `I_LINK` from this stream carries (the driver's
    /// write queue, as the driver knows it).
    fn qtop(&self) -> usize;
}

/// A multiplexor's lower queue pair for one link (the lower `qinit`s).
pub(crate) struct MuxLower {
    /// Its put and service procedures (never opened or closed).
    pub(crate) procs: KBox<dyn Module>,
    /// Its limits, and which of its queues have a service procedure.
    pub(crate) limits: DriverLimits,
    /// What `l_qbot` carries (the lower write queue, as the driver knows
    /// it).
    pub(crate) qbot: usize,
}

/// The `module_info`/`qinit` of a driver or module.
#[derive(Copy, Clone)]
pub(crate) struct DriverLimits {
    /// Read queue limits.
    pub(crate) rlim: QLimits,
    /// Write queue limits.
    pub(crate) wlim: QLimits,
    /// The read queue has a service procedure.
    pub(crate) rsrv: bool,
    /// The write queue has a service procedure.
    pub(crate) wsrv: bool,
}
