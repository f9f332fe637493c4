// SPDX-License-Identifier: GPL-2.0

//! The user-space interface, mirrored from `include/uapi/linux/strclone.h`.
//!
//! Structures that cross the user boundary are decoded from and encoded to
//! their exact x86_64 byte layout here, so no `unsafe` transmutes are needed
//! anywhere else.

#![allow(dead_code)]

const fn sid(n: u32) -> u32 {
    ((b'S' as u32) << 8) | n
}

/// `I_NREAD`.
pub(crate) const I_NREAD: u32 = sid(1);
/// `I_LOOK`.
pub(crate) const I_LOOK: u32 = sid(4);
/// `I_FLUSH`.
pub(crate) const I_FLUSH: u32 = sid(5);
/// `I_STR`.
pub(crate) const I_STR: u32 = sid(8);
/// `I_FIND`.
pub(crate) const I_FIND: u32 = sid(11);
/// `I_CANPUT`.
pub(crate) const I_CANPUT: u32 = sid(34);
/// `I_PUTMSG`: putmsg(2).
pub(crate) const I_PUTMSG: u32 = sid(0x40);
/// `I_GETMSG`: getmsg(2).
pub(crate) const I_GETMSG: u32 = sid(0x41);

/// `_IOR('C', 1, struct strclone_devinfo)`.
pub(crate) const STRCLONE_GETDEV: u32 = ior(b'C', 1, 8);
/// `_IOR('C', 16, __u64)`.
pub(crate) const LOG_GETLOST: u32 = ior(b'C', 16, 8);

const fn ior(ty: u8, nr: u32, size: u32) -> u32 {
    (2 << 30) | (size << 16) | ((ty as u32) << 8) | nr
}

const fn p(n: u32) -> u32 {
    ((b'P' as u32) << 8) | n
}
/// `ISPTM`.
pub(crate) const ISPTM: u32 = p(1);
/// `UNLKPT`.
pub(crate) const UNLKPT: u32 = p(2);
/// `GRANTPT`.
pub(crate) const GRANTPT: u32 = p(5);
/// `PTMGETPEER`.
pub(crate) const PTMGETPEER: u32 = p(16);

const fn l(n: u32) -> u32 {
    ((b'L' as u32) << 8) | n
}
/// Register as the trace reader.
pub(crate) const I_TRCLOG: u32 = l(1);
/// Register as the error reader.
pub(crate) const I_ERRLOG: u32 = l(2);
/// Register as the console reader.
pub(crate) const I_CONSLOG: u32 = l(3);

const fn e(n: u32) -> u32 {
    ((b'E' as u32) << 8) | n
}
/// Echo `I_STR` commands.
pub(crate) const ECHO_SETQ: u32 = e(1);
/// Stop echoing.
pub(crate) const ECHO_STOP: u32 = e(2);
/// Resume echoing.
pub(crate) const ECHO_START: u32 = e(3);
/// NAK with an errno.
pub(crate) const ECHO_NAK: u32 = e(4);
/// Send `M_HANGUP` upstream.
pub(crate) const ECHO_HANGUP: u32 = e(5);
/// Send `M_ERROR` upstream.
pub(crate) const ECHO_ERROR: u32 = e(6);
/// `M_SETOPTS` to the head.
pub(crate) const ECHO_SETOPTS: u32 = e(7);
/// Reverse the data.
pub(crate) const ECHO_REVERSE: u32 = e(8);
/// Never answer.
pub(crate) const ECHO_NOREPLY: u32 = e(9);
/// `int` on/off: M_SETOPTS with SO_MREADON/SO_MREADOFF to the head.
pub(crate) const ECHO_MREAD: u32 = e(10);
/// Answer with the number of M_READ messages received.
pub(crate) const ECHO_MREADS: u32 = e(11);

/// putmsg/getmsg flags.
pub(crate) const RS_HIPRI: i32 = 0x01;
/// Any message.
pub(crate) const MSG_ANY: i32 = 0x02;
/// getmsg result bits.
pub(crate) const MORECTL: i32 = 1;
/// More data remains.
pub(crate) const MOREDATA: i32 = 2;

/// Largest data part.
pub(crate) const STRCLONE_STRMSGSZ: usize = 65536;
/// Largest control part.
pub(crate) const STRCLONE_STRCTLSZ: usize = 1024;
/// Highest water mark a queue can be given.
pub(crate) const STRCLONE_QHIWAT_MAX: usize = 65536;
/// Default `I_STR` timeout in seconds.
pub(crate) const STRCLONE_STR_DEFAULT_TIMEOUT: i32 = 15;

/// STREAMS majors of the built-in targets.
pub(crate) const PTM_MAJOR: u32 = 23;
/// The echo target.
pub(crate) const ECHO_MAJOR: u32 = 72;
/// The log target.
pub(crate) const LOG_MAJOR: u32 = 21;
/// Size of the clone table.
pub(crate) const NMAJOR: usize = 256;

fn rd_i32(b: &[u8], at: usize) -> i32 {
    let mut w = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        w.copy_from_slice(s);
    }
    i32::from_ne_bytes(w)
}

fn rd_u64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(s) = b.get(at..at + 8) {
        w.copy_from_slice(s);
    }
    u64::from_ne_bytes(w)
}

/// `struct strbuf` (16 bytes).
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Strbuf {
    /// Capacity.
    pub(crate) maxlen: i32,
    /// Length, -1 for "no such part".
    pub(crate) len: i32,
    /// User address.
    pub(crate) buf: u64,
}

impl Strbuf {
    fn decode(b: &[u8]) -> Self {
        Self {
            maxlen: rd_i32(b, 0),
            len: rd_i32(b, 4),
            buf: rd_u64(b, 8),
        }
    }

    fn encode(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.maxlen.to_ne_bytes());
        out[4..8].copy_from_slice(&self.len.to_ne_bytes());
        out[8..16].copy_from_slice(&self.buf.to_ne_bytes());
    }
}

/// Size of `struct strioctl`.
pub(crate) const STRIOCTL_SIZE: usize = 24;

/// `struct strioctl`.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Strioctl {
    /// Command.
    pub(crate) ic_cmd: i32,
    /// Timeout in seconds.
    pub(crate) ic_timout: i32,
    /// Data length.
    pub(crate) ic_len: i32,
    /// User data address.
    pub(crate) ic_dp: u64,
}

impl Strioctl {
    /// Decodes the user's bytes.
    pub(crate) fn decode(b: &[u8]) -> Self {
        Self {
            ic_cmd: rd_i32(b, 0),
            ic_timout: rd_i32(b, 4),
            ic_len: rd_i32(b, 8),
            ic_dp: rd_u64(b, 16),
        }
    }
}

/// Size of `struct strpmsg`.
pub(crate) const STRPMSG_SIZE: usize = 40;

/// `struct strpmsg`: the argument of `I_PUTMSG`/`I_GETMSG`.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Strpmsg {
    /// Control part.
    pub(crate) ctl: Strbuf,
    /// Data part.
    pub(crate) data: Strbuf,
    /// Priority band (unused: band 0 only).
    pub(crate) band: i32,
    /// Flags.
    pub(crate) flags: i32,
}

impl Strpmsg {
    /// Decodes the user's bytes.
    pub(crate) fn decode(b: &[u8]) -> Self {
        Self {
            ctl: Strbuf::decode(b.get(0..16).unwrap_or(&[])),
            data: Strbuf::decode(b.get(16..32).unwrap_or(&[])),
            band: rd_i32(b, 32),
            flags: rd_i32(b, 36),
        }
    }

    /// Encodes for copying back to the user.
    pub(crate) fn encode(&self) -> [u8; STRPMSG_SIZE] {
        let mut out = [0u8; STRPMSG_SIZE];
        self.ctl.encode(&mut out[0..16]);
        self.data.encode(&mut out[16..32]);
        out[32..36].copy_from_slice(&self.band.to_ne_bytes());
        out[36..40].copy_from_slice(&self.flags.to_ne_bytes());
        out
    }
}
