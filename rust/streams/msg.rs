// SPDX-License-Identifier: GPL-2.0

//! STREAMS messages: what the message types mean and the SVR4 payloads of
//! the structured ones.
//!
//! A message is a chain of SVR4 message blocks over reference-counted data
//! blocks ([`Mblk`] owns one; `crate::glue::mblk` has the layout, the
//! allocation and the `allocb`/`dupb`/`pullupmsg` family). This file adds
//! the STREAMS meaning: the message type, the sizes queues count, and the
//! payloads of `M_FLUSH`, `M_ERROR`, `M_SETOPTS` and `M_IOCTL` with its
//! answers, which the framework and its drivers carry little-endian in the
//! first block.

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
    /// A reader is about to block (sent down when `SO_MREADON` is set);
    /// carries the read count.
    pub(crate) const Read: Self = Self(0x85);
    /// Flush queues.
    pub(crate) const Flush: Self = Self(0x86);
    /// The device hung up.
    pub(crate) const Hangup: Self = Self(0x89);
    /// A fatal error for the stream.
    pub(crate) const Error: Self = Self(0x8a);
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

/// `b_flag`: the stream head already turned this `M_FLUSH` around once
/// (SVR4's `MSGNOLOOP`), so it must not again.
pub(crate) const MSGNOLOOP: u16 = 0x02;

/// `M_SETOPTS` flags.
pub(crate) const SO_HIWAT: u32 = 0x0010;
/// Set the low water mark.
pub(crate) const SO_LOWAT: u32 = 0x0020;
/// Send `M_READ` downstream when a reader is about to block.
pub(crate) const SO_MREADON: u32 = 0x0040;
/// Stop sending `M_READ`.
pub(crate) const SO_MREADOFF: u32 = 0x0080;

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
        (le32(b, 0), le32(b, 4), le32(b, 8))
    }

    /// The ioctl block of an `M_IOCTL`, `M_IOCACK` or `M_IOCNAK`.
    pub(crate) fn ioc(&self) -> IocBlk {
        IocBlk::decode(self.bytes())
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

    /// Builds an `M_HANGUP`.
    pub(crate) fn hangup(gfp: Flags) -> Result<Mblk> {
        Self::with(MsgType::Hangup, &[], gfp)
    }

    /// Rewrites the ioctl block in place. An `M_IOCTL` is built by the
    /// stream head and never shared, so the block is writable; if it were
    /// not (and could not be copied), the block keeps its old contents.
    pub(crate) fn set_ioc(&mut self, ioc: &IocBlk) {
        let enc = ioc.encode();
        if self.make_writable(GFP_ATOMIC).is_err() {
            return;
        }
        if let Some(b) = self.bytes_mut() {
            if b.len() >= enc.len() {
                b[..enc.len()].copy_from_slice(&enc);
            }
        }
    }

    /// Turns an `M_IOCTL` into its answer in place (`miocack`/`miocnak`):
    /// `Ok(rval)` acknowledges with `rval` and the data now chained on the
    /// message; `Err(e)` is a negative answer carrying `e`'s errno.
    pub(crate) fn ioc_answer(&mut self, answer: Result<i32>) {
        let mut ioc = self.ioc();
        match answer {
            Ok(rval) => {
                ioc.rval = rval;
                ioc.error = 0;
                ioc.count = self.cont().map_or(0, |c| c.size()) as u32;
                self.set_ty(MsgType::IocAck);
            }
            Err(e) => {
                ioc.rval = 0;
                ioc.error = -e.to_errno();
                ioc.count = 0;
                drop(self.take_cont());
                self.set_ty(MsgType::IocNak);
            }
        }
        self.set_ioc(&ioc);
    }
}

fn le32(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        w.copy_from_slice(s);
    }
    u32::from_le_bytes(w)
}

/// The credentials an `M_IOCTL` carries (SVR4's `ioc_cr`), taken from the
/// task that issued the ioctl, so a driver can decide on privilege wherever
/// its put or service procedure runs.
#[derive(Copy, Clone, Default, Debug)]
pub(crate) struct IocCred {
    /// Effective uid, in the caller's user namespace.
    pub(crate) uid: u32,
    /// The caller had `CAP_SYS_ADMIN` (what `drv_priv` asks on Linux).
    pub(crate) admin: bool,
}

/// The ioctl block at the front of `M_IOCTL`/`M_IOCACK`/`M_IOCNAK`
/// (SVR4's `struct iocblk`).
#[derive(Copy, Clone, Default, Debug)]
pub(crate) struct IocBlk {
    /// Command.
    pub(crate) cmd: u32,
    /// Matches an answer with its request.
    pub(crate) id: u32,
    /// Bytes of data in the continuation.
    pub(crate) count: u32,
    /// errno of a negative answer.
    pub(crate) error: i32,
    /// Return value of a positive answer.
    pub(crate) rval: i32,
    /// Who asked.
    pub(crate) cr: IocCred,
}

impl IocBlk {
    /// Encoded size.
    pub(crate) const SIZE: usize = 28;

    fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0..4].copy_from_slice(&self.cmd.to_le_bytes());
        b[4..8].copy_from_slice(&self.id.to_le_bytes());
        b[8..12].copy_from_slice(&self.count.to_le_bytes());
        b[12..16].copy_from_slice(&self.error.to_le_bytes());
        b[16..20].copy_from_slice(&self.rval.to_le_bytes());
        b[20..24].copy_from_slice(&self.cr.uid.to_le_bytes());
        b[24..28].copy_from_slice(&u32::from(self.cr.admin).to_le_bytes());
        b
    }

    fn decode(b: &[u8]) -> Self {
        Self {
            cmd: le32(b, 0),
            id: le32(b, 4),
            count: le32(b, 8),
            error: le32(b, 12) as i32,
            rval: le32(b, 16) as i32,
            cr: IocCred {
                uid: le32(b, 20),
                admin: le32(b, 24) != 0,
            },
        }
    }

    /// Builds the `M_IOCTL` message for this block with `data` chained.
    pub(crate) fn into_msg(self, data: Option<Mblk>, gfp: Flags) -> Result<Mblk> {
        let mut m = Mblk::with(MsgType::Ioctl, &self.encode(), gfp)?;
        if let Some(d) = data {
            m.link_cont(d);
        }
        Ok(m)
    }
}
