// SPDX-License-Identifier: GPL-2.0

//! STREAMS messages: what the message types mean and the SVR4 payloads of
//! the structured ones.
//!
//! A message is a chain of SVR4 message blocks over reference-counted data
//! blocks ([`Mblk`] owns one; `crate::glue::mblk` has the layout, the
//! allocation and the `allocb`/`dupb`/`pullupmsg` family). This file adds
//! the STREAMS meaning: the message type, the sizes queues count, and the
//! payloads of `M_FLUSH`, `M_ERROR` and `M_SETOPTS`, which the framework
//! and its drivers carry little-endian in the first block. The ioctl
//! messages (`M_IOCTL` with its answers and its copy requests `M_COPYIN`,
//! `M_COPYOUT`, `M_IOCDATA`) are in [`ioc`].

mod ioc;

use crate::bytes::le_u32;
pub(crate) use ioc::{CopyReq, IocBlk, IocCred, STEP_DONE, STEP_SET, TRANSPARENT};
use kernel::{alloc::Flags, prelude::*};

/// Messages at or above this type are high priority.
pub(crate) const QPCTL: u8 = 0x80;

/// An SVR4 message type (`db_type`; the values of
/// `include/uapi/linux/strclone.h`). A newtype, not an enum: a data block
/// can carry any value (a C driver may set one strclone does not know), and
/// the stream head frees what it does not understand. The constants keep
/// the enum-style names so they read as patterns.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) struct MsgType(pub(crate) u8);

#[allow(non_upper_case_globals)]
impl MsgType {
    /// Ordinary data.
    pub(crate) const Data: Self = Self(0x00);
    /// Protocol control (with optional data).
    pub(crate) const Proto: Self = Self(0x01);
    /// A break on the line (a terminal module sends it down for
    /// `TCSBRK`).
    pub(crate) const Break: Self = Self(0x08);
    /// An open file passed over a pipe (`I_SENDFD`; `glue::passfp`).
    pub(crate) const PassFp: Self = Self(crate::glue::passfp::M_PASSFP);
    /// A signal for the stream head to send, in order with data (one
    /// byte: the signal number).
    pub(crate) const Sig: Self = Self(0x0b);
    /// Control between neighbouring modules and drivers; its contents are
    /// theirs (the terminal modules' are in `crate::modules::mctl`). The
    /// stream head frees it.
    pub(crate) const Ctl: Self = Self(0x0d);
    /// An ioctl travelling downstream.
    pub(crate) const Ioctl: Self = Self(0x0e);
    /// Stream head options.
    pub(crate) const SetOpts: Self = Self(0x10);
    /// Positive ioctl answer.
    pub(crate) const IocAck: Self = Self(0x81);
    /// Negative ioctl answer.
    pub(crate) const IocNak: Self = Self(0x82);
    /// High-priority protocol control.
    pub(crate) const PcProto: Self = Self(0x83);
    /// A signal for the stream head to send at once (one byte: the
    /// signal number).
    pub(crate) const PcSig: Self = Self(0x84);
    /// A reader is about to block (sent down when `SO_MREADON` is set);
    /// carries the read count.
    pub(crate) const Read: Self = Self(0x85);
    /// Flush queues.
    pub(crate) const Flush: Self = Self(0x86);
    /// The device hung up.
    pub(crate) const Hangup: Self = Self(0x89);
    /// A fatal error for the stream.
    pub(crate) const Error: Self = Self(0x8a);
    /// A module or driver asks the stream head to copy in from the ioctl
    /// caller's memory ([`CopyReq`]).
    pub(crate) const CopyIn: Self = Self(0x8b);
    /// A module or driver asks the stream head to copy the chained data out
    /// to the ioctl caller's memory ([`CopyReq`]).
    pub(crate) const CopyOut: Self = Self(0x8c);
    /// The stream head's answer to `M_COPYIN`/`M_COPYOUT` ([`ioc::CopyResp`]),
    /// with the copied-in data chained.
    pub(crate) const IocData: Self = Self(0x8d);
}

impl MsgType {
    /// High priority: bypasses flow control, queued ahead of normal messages.
    pub(crate) fn is_hipri(self) -> bool {
        self.0 >= QPCTL
    }

    /// Freed by `flushq(FLUSHDATA)`.
    pub(crate) fn is_data_class(self) -> bool {
        matches!(self, MsgType::Data | MsgType::Proto | MsgType::PcProto)
    }
}

/// Flush flags (`M_FLUSH`, `I_FLUSH`).
pub(crate) const FLUSHR: u8 = 0x01;
/// Flush the write side.
pub(crate) const FLUSHW: u8 = 0x02;
/// Both sides.
pub(crate) const FLUSHRW: u8 = FLUSHR | FLUSHW;
/// Flush only the band in the second byte of the `M_FLUSH`.
pub(crate) const FLUSHBAND: u8 = 0x04;

/// `b_flag`: a driver marked this message (SVR4's `MSGMARK`): `I_ATMARK`
/// reports it, and `read(2)` stops at it.
pub(crate) const MSGMARK: u16 = 0x01;

/// `b_flag`: the stream head already turned this `M_FLUSH` around once
/// (SVR4's `MSGNOLOOP`), so it must not again.
pub(crate) const MSGNOLOOP: u16 = 0x02;

/// `b_flag`, strclone's own: a message held on a linked stream's head level
/// while its multiplexor's lower procedures were off (`mux.rs`), which
/// still has to go through the lower read put procedure.
pub(crate) const MSGHELD: u16 = 0x8000;

/// `M_SETOPTS` flags (SVR4's values). Set the read mode (`so_readopt`).
pub(crate) const SO_READOPT: u32 = 0x0001;
/// Set the high water mark.
pub(crate) const SO_HIWAT: u32 = 0x0010;
/// Set the low water mark.
pub(crate) const SO_LOWAT: u32 = 0x0020;
/// Send `M_READ` downstream when a reader is about to block.
pub(crate) const SO_MREADON: u32 = 0x0040;
/// Stop sending `M_READ`.
pub(crate) const SO_MREADOFF: u32 = 0x0080;
/// The stream is a terminal (a line discipline was pushed).
pub(crate) const SO_ISTTY: u32 = 0x0400;
/// The stream is not a terminal (any more).
pub(crate) const SO_ISNTTY: u32 = 0x0800;

/// Read modes (`so_readopt` of `SO_READOPT`, SVR4's `I_SRDOPT` values).
/// Byte stream: a read takes data across message boundaries.
pub(crate) const RNORM: u32 = 0x0000;
/// Message discard: a read takes at most one message; what it leaves of
/// it is freed.
pub(crate) const RMSGD: u32 = 0x0001;
/// Message non-discard: a read takes at most one message; what it leaves
/// of it stays for the next read (what `ldterm` sets in canonical mode:
/// one line per read).
pub(crate) const RMSGN: u32 = 0x0002;

pub(crate) use crate::glue::{
    mblk::{Mblk, Msgb as Msg},
    msglist::MsgList,
};

impl Msg {
    /// The message type (of this block's data block).
    pub(crate) fn ty(&self) -> MsgType {
        MsgType(self.db_type())
    }

    /// Unread bytes in all blocks (what queues count against hiwat).
    pub(crate) fn size(&self) -> usize {
        let mut n = self.len();
        let mut cur = self.cont();
        while let Some(b) = cur {
            n += b.len();
            cur = b.cont();
        }
        n
    }

    /// Number of blocks in the message.
    pub(crate) fn blocks(&self) -> usize {
        let mut n = 1;
        let mut cur = self.cont();
        while let Some(b) = cur {
            n += 1;
            cur = b.cont();
        }
        n
    }

    /// Bytes in the `M_DATA` blocks (`msgdsize`): the whole message for
    /// `M_DATA`, the continuation for the others.
    pub(crate) fn data_size(&self) -> usize {
        self.msgdsize()
    }

    /// The band of an `M_FLUSH` with `FLUSHBAND` (its second byte).
    pub(crate) fn flush_band(&self) -> u8 {
        self.bytes().get(1).copied().unwrap_or(0)
    }

    /// The flags of an `M_FLUSH`.
    pub(crate) fn flush_flags(&self) -> u8 {
        self.bytes().first().copied().unwrap_or(0)
    }

    /// The (read, write) errnos of an `M_ERROR`.
    pub(crate) fn error_codes(&self) -> (u8, u8) {
        let b = self.bytes();
        (
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
        )
    }

    /// (flags, hiwat, lowat) of an `M_SETOPTS`.
    pub(crate) fn setopts_fields(&self) -> (u32, u32, u32) {
        let b = self.bytes();
        (le_u32(b, 0), le_u32(b, 4), le_u32(b, 8))
    }

    /// The read mode of an `M_SETOPTS` with `SO_READOPT` (bytes 12 to 15;
    /// `RNORM` when the message is shorter).
    pub(crate) fn setopts_readopt(&self) -> u32 {
        le_u32(self.bytes(), 12)
    }

    /// Copies the data (continuation) bytes of the message into one vector.
    pub(crate) fn data_to_vec(&self, gfp: Flags) -> Result<KVec<u8>> {
        let mut v = KVec::with_capacity(self.data_size(), gfp)?;
        let mut cur = if self.ty() == MsgType::Data {
            Some(self)
        } else {
            self.cont()
        };
        while let Some(b) = cur {
            v.extend_from_slice(b.bytes(), gfp)?;
            cur = b.cont();
        }
        Ok(v)
    }
}

impl Mblk {
    /// `allocb` of type `ty` holding a copy of `data`.
    pub(crate) fn with(ty: MsgType, data: &[u8], flags: Flags) -> Result<Mblk> {
        Mblk::new(ty.0, data, flags)
    }

    /// Changes the message type.
    pub(crate) fn set_ty(&mut self, ty: MsgType) {
        self.set_db_type(ty.0)
    }

    /// Builds `M_FLUSH` with `flags`.
    pub(crate) fn flush(flags: u8, gfp: Flags) -> Result<Mblk> {
        Self::with(MsgType::Flush, &[flags], gfp)
    }

    /// Sets the flags of an `M_FLUSH` (copying a shared block first; a
    /// flag byte that cannot be written leaves the message as it was).
    pub(crate) fn set_flush_flags(&mut self, flags: u8) {
        if self.make_writable(GFP_ATOMIC).is_err() {
            return;
        }
        if let Some(b) = self.bytes_mut().and_then(|b| b.first_mut()) {
            *b = flags;
        }
    }

    /// Builds `M_ERROR` carrying a read and a write errno (0: unchanged).
    pub(crate) fn error(rerr: u8, werr: u8, gfp: Flags) -> Result<Mblk> {
        Self::with(MsgType::Error, &[rerr, werr], gfp)
    }

    /// Builds `M_SETOPTS`.
    pub(crate) fn setopts(flags: u32, hiwat: u32, lowat: u32, gfp: Flags) -> Result<Mblk> {
        let mut b = [0u8; 12];
        b[0..4].copy_from_slice(&flags.to_le_bytes());
        b[4..8].copy_from_slice(&hiwat.to_le_bytes());
        b[8..12].copy_from_slice(&lowat.to_le_bytes());
        Self::with(MsgType::SetOpts, &b, gfp)
    }

    /// Builds `M_SETOPTS` with a read mode (`SO_READOPT` in `flags`).
    pub(crate) fn setopts_readopt(flags: u32, readopt: u32, gfp: Flags) -> Result<Mblk> {
        let mut b = [0u8; 16];
        b[0..4].copy_from_slice(&flags.to_le_bytes());
        b[12..16].copy_from_slice(&readopt.to_le_bytes());
        Self::with(MsgType::SetOpts, &b, gfp)
    }

    /// Builds an `M_HANGUP`.
    pub(crate) fn hangup(gfp: Flags) -> Result<Mblk> {
        Self::with(MsgType::Hangup, &[], gfp)
    }
}
