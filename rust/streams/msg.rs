// SPDX-License-Identifier: GPL-2.0

//! STREAMS messages.
//!
//! A message is a chain of blocks, as in SVR4: the first block ([`Msg`])
//! carries the message type, further blocks hang off `cont` and are always
//! `M_DATA`. Each block owns its buffer; `off` is the read offset, so a
//! partial read consumes the front of a block and leaves the rest in place.
//! Structured messages (`M_FLUSH`, `M_ERROR`, `M_SETOPTS`, `M_IOCTL` and its
//! answers) carry their SVR4 payload, little-endian, in the first block.
//!
//! # Invariants
//!
//! `off <= buf.len()` for every block; continuation blocks are `M_DATA`.

use crate::glue::list::impl_linked;
use kernel::{alloc::Flags, prelude::*};

/// Messages at or above this type are high priority.
pub(crate) const QPCTL: u8 = 0x80;

/// SVR4 message types (the values of `include/uapi/linux/strclone.h`).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum MsgType {
    /// Ordinary data.
    Data = 0x00,
    /// Protocol control (with optional data).
    Proto = 0x01,
    /// An ioctl travelling downstream.
    Ioctl = 0x0e,
    /// Stream head options.
    SetOpts = 0x10,
    /// Positive ioctl answer.
    IocAck = 0x81,
    /// Negative ioctl answer.
    IocNak = 0x82,
    /// High-priority protocol control.
    PcProto = 0x83,
    /// A reader is about to block (sent down when `SO_MREADON` is set);
    /// carries the read count.
    Read = 0x85,
    /// Flush queues.
    Flush = 0x86,
    /// The device hung up.
    Hangup = 0x89,
    /// A fatal error for the stream.
    Error = 0x8a,
}

impl MsgType {
    /// High priority: bypasses flow control, queued ahead of normal messages.
    pub(crate) fn is_hipri(self) -> bool {
        self as u8 >= QPCTL
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

/// `M_SETOPTS` flags.
pub(crate) const SO_HIWAT: u32 = 0x0010;
/// Set the low water mark.
pub(crate) const SO_LOWAT: u32 = 0x0020;
/// Send `M_READ` downstream when a reader is about to block.
pub(crate) const SO_MREADON: u32 = 0x0040;
/// Stop sending `M_READ`.
pub(crate) const SO_MREADOFF: u32 = 0x0080;

/// A message block. A message is its first block plus the `cont` chain.
pub(crate) struct Msg {
    ty: MsgType,
    buf: KVec<u8>,
    off: usize,
    cont: Option<KBox<Msg>>,
    next: Option<KBox<Msg>>,
}

/// An owned message (SVR4's `mblk_t *`).
pub(crate) type Mblk = KBox<Msg>;

// Queues link messages through `next` (the macro's checks and safety
// argument are in glue/list.rs).
impl_linked!(Msg, next);

impl Msg {
    /// Allocates a block of type `ty` holding a copy of `data` (`allocb`).
    pub(crate) fn new(ty: MsgType, data: &[u8], flags: Flags) -> Result<Mblk> {
        let mut buf = KVec::with_capacity(data.len(), flags)?;
        buf.extend_from_slice(data, flags)?;
        Self::from_vec(ty, buf, flags)
    }

    /// Wraps an existing buffer.
    pub(crate) fn from_vec(ty: MsgType, buf: KVec<u8>, flags: Flags) -> Result<Mblk> {
        Ok(KBox::new(
            Msg {
                ty,
                buf,
                off: 0,
                cont: None,
                next: None,
            },
            flags,
        )?)
    }

    /// The message type (of the first block).
    pub(crate) fn ty(&self) -> MsgType {
        self.ty
    }

    /// Changes the message type.
    pub(crate) fn set_ty(&mut self, ty: MsgType) {
        self.ty = ty;
    }

    /// The unread bytes of this block.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf.get(self.off..).unwrap_or(&[])
    }

    /// Mutable access to this block's unread bytes.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        let off = self.off;
        self.buf.get_mut(off..).unwrap_or(&mut [])
    }

    /// Unread bytes in this block.
    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.off
    }

    /// Marks `n` bytes of this block as read.
    pub(crate) fn consume(&mut self, n: usize) {
        self.off = (self.off + n).min(self.buf.len());
    }

    /// The continuation chain.
    pub(crate) fn cont(&self) -> Option<&Msg> {
        self.cont.as_deref()
    }

    /// Detaches the continuation chain.
    pub(crate) fn take_cont(&mut self) -> Option<Mblk> {
        self.cont.take()
    }

    /// Appends `tail` at the end of this message's chain (`linkb`).
    pub(crate) fn link_cont(&mut self, tail: Mblk) {
        let mut cur = self;
        while cur.cont.is_some() {
            cur = match cur.cont.as_deref_mut() {
                Some(next) => next,
                None => return,
            };
        }
        cur.cont = Some(tail);
    }

    /// Number of blocks in the message.
    pub(crate) fn blocks(&self) -> usize {
        let mut n = 1;
        let mut cur = self.cont.as_deref();
        while let Some(b) = cur {
            n += 1;
            cur = b.cont.as_deref();
        }
        n
    }

    /// Unread bytes in all blocks (what queues count against hiwat).
    pub(crate) fn size(&self) -> usize {
        let mut n = self.len();
        let mut cur = self.cont.as_deref();
        while let Some(b) = cur {
            n += b.len();
            cur = b.cont.as_deref();
        }
        n
    }

    /// Bytes in the `M_DATA` blocks (`msgdsize`): the whole message for
    /// `M_DATA`, the continuation for the others.
    pub(crate) fn data_size(&self) -> usize {
        if self.ty == MsgType::Data {
            self.size()
        } else {
            self.size() - self.len()
        }
    }

    /// Builds `M_FLUSH` with `flags`.
    pub(crate) fn flush(flags: u8, gfp: Flags) -> Result<Mblk> {
        Self::new(MsgType::Flush, &[flags], gfp)
    }

    /// The flags of an `M_FLUSH`.
    pub(crate) fn flush_flags(&self) -> u8 {
        self.bytes().first().copied().unwrap_or(0)
    }

    /// Sets the flags of an `M_FLUSH`.
    pub(crate) fn set_flush_flags(&mut self, flags: u8) {
        if let Some(b) = self.bytes_mut().first_mut() {
            *b = flags;
        }
    }

    /// Builds `M_ERROR` carrying a read and a write errno (0: unchanged).
    pub(crate) fn error(rerr: u8, werr: u8, gfp: Flags) -> Result<Mblk> {
        Self::new(MsgType::Error, &[rerr, werr], gfp)
    }

    /// The (read, write) errnos of an `M_ERROR`.
    pub(crate) fn error_codes(&self) -> (u8, u8) {
        let b = self.bytes();
        (
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
        )
    }

    /// Builds `M_SETOPTS`.
    pub(crate) fn setopts(flags: u32, hiwat: u32, lowat: u32, gfp: Flags) -> Result<Mblk> {
        let mut b = [0u8; 12];
        b[0..4].copy_from_slice(&flags.to_le_bytes());
        b[4..8].copy_from_slice(&hiwat.to_le_bytes());
        b[8..12].copy_from_slice(&lowat.to_le_bytes());
        Self::new(MsgType::SetOpts, &b, gfp)
    }

    /// (flags, hiwat, lowat) of an `M_SETOPTS`.
    pub(crate) fn setopts_fields(&self) -> (u32, u32, u32) {
        let b = self.bytes();
        (le32(b, 0), le32(b, 4), le32(b, 8))
    }

    /// Builds an `M_HANGUP`.
    pub(crate) fn hangup(gfp: Flags) -> Result<Mblk> {
        Self::new(MsgType::Hangup, &[], gfp)
    }

    /// The ioctl block of an `M_IOCTL`, `M_IOCACK` or `M_IOCNAK`.
    pub(crate) fn ioc(&self) -> IocBlk {
        IocBlk::decode(self.bytes())
    }

    /// Rewrites the ioctl block in place.
    pub(crate) fn set_ioc(&mut self, ioc: &IocBlk) {
        let enc = ioc.encode();
        let b = self.bytes_mut();
        if b.len() >= enc.len() {
            b[..enc.len()].copy_from_slice(&enc);
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
                self.ty = MsgType::IocAck;
            }
            Err(e) => {
                ioc.rval = 0;
                ioc.error = -e.to_errno();
                ioc.count = 0;
                self.cont = None;
                self.ty = MsgType::IocNak;
            }
        }
        self.set_ioc(&ioc);
    }

    /// Copies the data (continuation) bytes of the message into one vector.
    pub(crate) fn data_to_vec(&self, gfp: Flags) -> Result<KVec<u8>> {
        let mut v = KVec::with_capacity(self.data_size(), gfp)?;
        let mut cur = if self.ty == MsgType::Data {
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

impl Drop for Msg {
    fn drop(&mut self) {
        // Unlink the continuation iteratively so a long chain cannot
        // exhaust the kernel stack.
        let mut next = self.cont.take();
        while let Some(mut b) = next {
            next = b.cont.take();
        }
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
        let mut m = Msg::new(MsgType::Ioctl, &self.encode(), gfp)?;
        if let Some(d) = data {
            m.link_cont(d);
        }
        Ok(m)
    }
}
