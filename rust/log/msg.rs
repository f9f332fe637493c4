// SPDX-License-Identifier: GPL-2.0

//! The log's messages: the `struct log_ctl` header, trace filters, and the
//! `M_PROTO` + `M_DATA` message a reader gets (`getmsg`), built without a
//! copy of a writer's text where it can be.

use super::{Class, LOG_CTL_SIZE, LOG_MAXTEXT};
use crate::streams::msg::{Mblk, MsgType};
use core::fmt::{self, Write};
use kernel::prelude::*;

/// The header of a log message (`struct log_ctl`).
#[derive(Copy, Clone, Default, Debug)]
pub(super) struct LogCtl {
    pub(super) mid: i16,
    pub(super) sid: i16,
    pub(super) level: i8,
    pub(super) flags: i16,
    pub(super) ltime: i64,
    pub(super) ttime: i64,
    pub(super) seq_no: i32,
    pub(super) pri: i32,
}

impl LogCtl {
    /// The header an in-kernel `strlog` call gives: the rest (times,
    /// sequence number, priority) is filled in when the message is logged.
    pub(super) fn of(mid: i16, sid: i16, level: i8, flags: i16) -> Self {
        Self {
            mid,
            sid,
            level,
            flags,
            ..Default::default()
        }
    }

    pub(super) fn decode(b: &[u8]) -> Option<Self> {
        if b.len() < LOG_CTL_SIZE {
            return None;
        }
        let i16_at = |at: usize| i16::from_ne_bytes([b[at], b[at + 1]]);
        Some(Self {
            mid: i16_at(0),
            sid: i16_at(2),
            level: b[4] as i8,
            flags: i16_at(6),
            ..Default::default()
        })
    }

    /// The whole header, times included, as [`Self::encode`] wrote it.
    pub(super) fn decode_stamped(b: &[u8]) -> Option<Self> {
        let mut c = Self::decode(b)?;
        let i64_at = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[at..at + 8]);
            i64::from_ne_bytes(w)
        };
        c.ltime = i64_at(8);
        c.ttime = i64_at(16);
        Some(c)
    }

    pub(super) fn encode(&self) -> [u8; LOG_CTL_SIZE] {
        let mut b = [0u8; LOG_CTL_SIZE];
        b[0..2].copy_from_slice(&self.mid.to_ne_bytes());
        b[2..4].copy_from_slice(&self.sid.to_ne_bytes());
        b[4] = self.level as u8;
        b[6..8].copy_from_slice(&self.flags.to_ne_bytes());
        b[8..16].copy_from_slice(&self.ltime.to_ne_bytes());
        b[16..24].copy_from_slice(&self.ttime.to_ne_bytes());
        b[24..28].copy_from_slice(&self.seq_no.to_ne_bytes());
        b[28..32].copy_from_slice(&self.pri.to_ne_bytes());
        b
    }
}

/// The classes a message with header `c` belongs to: bit `1 << class`.
pub(super) fn class_bits(c: &LogCtl) -> u8 {
    [Class::Console, Class::Error, Class::Trace]
        .iter()
        .filter(|class| class.wants(c))
        .fold(0, |b, class| b | (1 << *class as u8))
}

/// A trace filter (`struct trace_ids`): -1 matches any mid/sid.
#[derive(Copy, Clone, Debug)]
pub(super) struct TraceId {
    pub(super) mid: i16,
    pub(super) sid: i16,
    pub(super) level: i8,
}

impl TraceId {
    pub(super) fn matches(&self, c: &LogCtl) -> bool {
        (self.mid == -1 || self.mid == c.mid)
            && (self.sid == -1 || self.sid == c.sid)
            && c.level <= self.level
    }
}

pub(super) fn build(c: &LogCtl, text: &[u8]) -> Result<Mblk> {
    let mut m = Mblk::with(MsgType::Proto, &c.encode(), GFP_ATOMIC)?;
    m.link_cont(Mblk::with(MsgType::Data, text, GFP_ATOMIC)?);
    Ok(m)
}

/// The text block of a message written to the log: the writer's data
/// blocks cut at `LOG_MAXTEXT` (`adjmsg`) and made one (`pullupmsg`, a copy
/// of at most `LOG_MAXTEXT` bytes, only if the text spans blocks); an empty
/// block when there is no data part.
pub(super) fn text_block(text: Option<Mblk>) -> Result<Mblk> {
    let Some(mut t) = text else {
        return Mblk::with(MsgType::Data, &[], GFP_ATOMIC);
    };
    let total = t.msgdsize();
    if total > LOG_MAXTEXT {
        t.adjmsg(-((total - LOG_MAXTEXT) as isize));
    }
    if t.len() < total.min(LOG_MAXTEXT) {
        t.pullup(None, GFP_ATOMIC)?;
    }
    drop(t.take_cont());
    Ok(t)
}

/// A log message whose text block shares `text`'s data block.
pub(super) fn build_shared(c: &LogCtl, text: &Mblk) -> Result<Mblk> {
    let mut m = Mblk::with(MsgType::Proto, &c.encode(), GFP_ATOMIC)?;
    m.link_cont(Mblk::dupb(text, GFP_ATOMIC)?);
    Ok(m)
}

/// The text of a log message: bytes from a writer, or the arguments of an
/// in-kernel `strlog` (formatted only if a reader takes the message).
#[derive(Clone, Copy)]
pub(super) enum Text<'a> {
    Bytes(&'a [u8]),
    Fmt(fmt::Arguments<'a>),
}

/// A fixed buffer that `write!` can format into without allocating.
pub(super) struct TextBuf {
    buf: [u8; 256],
    len: usize,
}

impl TextBuf {
    pub(super) fn new() -> Self {
        Self {
            buf: [0; 256],
            len: 0,
        }
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Write for TextBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}
