// SPDX-License-Identifier: GPL-2.0

//! The user-space interface, mirrored from `include/uapi/linux/strclone.h`.
//!
//! Every structure of the header has a `#[repr(C)]` mirror here. Its size
//! and field offsets are checked at compile time (the `const _` blocks
//! below) against the x86_64 C ABI numbers, and `glue/uapi_check.c` checks
//! the header itself against the same numbers with `static_assert`, so a
//! change on one side alone fails the build. The KUnit suite
//! `strclone_uapi` also compares the two sides value by value (a table the
//! C file computes from the header), including the constants and ioctl
//! numbers. Ioctl numbers are built with the kernel's encoders
//! ([`kernel::ioctl`]).
//!
//! Structures that cross the user boundary are decoded from and encoded to
//! bytes at the mirrors' field offsets, so no `unsafe` transmutes are needed
//! anywhere.

#![allow(dead_code)]

use crate::log;
use crate::modules::ttcompat::map as tc;
use crate::streams::msg::{self, MsgType};
use core::mem::{offset_of, size_of};
use kernel::ioctl::{_IO, _IOR, _IOW, _IOWR};

/// An SVR4-style command `(ty << 8) | nr`: that is exactly `_IO(ty, nr)`
/// (no direction, no size).
const fn svr4(ty: u8, nr: u32) -> u32 {
    _IO(ty as u32, nr)
}

/// `I_NREAD`.
pub(crate) const I_NREAD: u32 = svr4(b'S', 1);
/// `I_PUSH`: push a module below the stream head.
pub(crate) const I_PUSH: u32 = svr4(b'S', 2);
/// `I_POP`: pop the topmost module.
pub(crate) const I_POP: u32 = svr4(b'S', 3);
/// `I_LOOK`.
pub(crate) const I_LOOK: u32 = svr4(b'S', 4);
/// `I_FLUSH`.
pub(crate) const I_FLUSH: u32 = svr4(b'S', 5);
/// `I_STR`.
pub(crate) const I_STR: u32 = svr4(b'S', 8);
/// `I_SETSIG`: register the caller for `SIGPOLL` on events.
pub(crate) const I_SETSIG: u32 = svr4(b'S', 9);
/// `I_GETSIG`: the caller's registered events.
pub(crate) const I_GETSIG: u32 = svr4(b'S', 10);
/// `I_FIND`.
pub(crate) const I_FIND: u32 = svr4(b'S', 11);
/// `I_LINK`: link a stream under this multiplexor; returns the mux id.
pub(crate) const I_LINK: u32 = svr4(b'S', 12);
/// `I_UNLINK`: remove a link made by `I_LINK` (mux id or `MUXID_ALL`).
pub(crate) const I_UNLINK: u32 = svr4(b'S', 13);
/// `I_LIST`: the module names (`struct str_list`), or their count.
pub(crate) const I_LIST: u32 = svr4(b'S', 21);
/// `I_PLINK`: a persistent link, which outlives the stream that made it.
pub(crate) const I_PLINK: u32 = svr4(b'S', 22);
/// `I_PUNLINK`: remove a persistent link (mux id or `MUXID_ALL`).
pub(crate) const I_PUNLINK: u32 = svr4(b'S', 23);
/// `I_UNLINK`/`I_PUNLINK`: every link.
pub(crate) const MUXID_ALL: i32 = -1;
/// `I_ANCHOR` (Solaris): anchor at the topmost module.
pub(crate) const I_ANCHOR: u32 = svr4(b'S', 24);
/// `I_SETCLTIME`: the close time, milliseconds.
pub(crate) const I_SETCLTIME: u32 = svr4(b'S', 32);
/// `I_GETCLTIME`.
pub(crate) const I_GETCLTIME: u32 = svr4(b'S', 33);
/// `I_RECVFD`: take the file an `I_SENDFD` passed (`struct strrecvfd`).
pub(crate) const I_RECVFD: u32 = svr4(b'S', 14);
/// `I_SENDFD`: pass an open file to the other end of a pipe.
pub(crate) const I_SENDFD: u32 = svr4(b'S', 17);
/// On a pipe end: a new descriptor for the other end (arg: open flags).
pub(crate) const STRCLONE_PIPEPEER: u32 = _IO(b'C' as u32, 48);
/// `I_CANPUT`.
pub(crate) const I_CANPUT: u32 = svr4(b'S', 34);
/// `I_PUTMSG`: putmsg(2).
pub(crate) const I_PUTMSG: u32 = svr4(b'S', 0x40);
/// `I_GETMSG`: getmsg(2).
pub(crate) const I_GETMSG: u32 = svr4(b'S', 0x41);
/// `I_PUTPMSG`: putpmsg(2).
pub(crate) const I_PUTPMSG: u32 = svr4(b'S', 0x42);
/// `I_GETPMSG`: getpmsg(2).
pub(crate) const I_GETPMSG: u32 = svr4(b'S', 0x43);
/// `I_SRDOPT`: set the read options.
pub(crate) const I_SRDOPT: u32 = svr4(b'S', 6);
/// `I_GRDOPT`: get the read options.
pub(crate) const I_GRDOPT: u32 = svr4(b'S', 7);
/// `I_PEEK`: look at the first message (`struct strpeek`).
pub(crate) const I_PEEK: u32 = svr4(b'S', 15);
/// `I_FDINSERT`: putmsg with another stream's token (`struct strfdinsert`).
pub(crate) const I_FDINSERT: u32 = svr4(b'S', 16);
/// `I_SWROPT`: set the write options.
pub(crate) const I_SWROPT: u32 = svr4(b'S', 19);
/// `I_GWROPT`: get the write options.
pub(crate) const I_GWROPT: u32 = svr4(b'S', 20);
/// `I_FLUSHBAND`: flush one band (`struct bandinfo`).
pub(crate) const I_FLUSHBAND: u32 = svr4(b'S', 28);
/// `I_CKBAND`: is a message of a band queued at the head?
pub(crate) const I_CKBAND: u32 = svr4(b'S', 29);
/// `I_GETBAND`: the band of the first message at the head.
pub(crate) const I_GETBAND: u32 = svr4(b'S', 30);
/// `I_ATMARK`: is the first message at the head marked?
pub(crate) const I_ATMARK: u32 = svr4(b'S', 31);

/// `SAD_SAP`: set autopush (`struct strapush`), `/dev/sad/admin` only.
pub(crate) const SAD_SAP: u32 = svr4(b'D', 1);
/// `SAD_GAP`: get autopush (`struct strapush`).
pub(crate) const SAD_GAP: u32 = svr4(b'D', 2);
/// `SAD_VML`: validate a module list (`struct str_list`).
pub(crate) const SAD_VML: u32 = svr4(b'D', 3);

/// `_IOR('C', 1, struct strclone_devinfo)`.
pub(crate) const STRCLONE_GETDEV: u32 = _IOR::<StrcloneDevinfo>(b'C' as u32, 1);
/// `_IOR('C', 16, __u64)`.
pub(crate) const LOG_GETLOST: u32 = _IOR::<u64>(b'C' as u32, 16);

/// `ISPTM`.
pub(crate) const ISPTM: u32 = svr4(b'P', 1);
/// `UNLKPT`.
pub(crate) const UNLKPT: u32 = svr4(b'P', 2);
/// `GRANTPT`.
pub(crate) const GRANTPT: u32 = svr4(b'P', 5);
/// `PTMGETPEER`.
pub(crate) const PTMGETPEER: u32 = svr4(b'P', 16);
/// `PTMGETPTN`: `_IOR('P', 0x30, unsigned int)`, the slave's number.
pub(crate) const PTMGETPTN: u32 = _IOR::<u32>(b'P' as u32, 0x30);

/// Register as the trace reader.
pub(crate) const I_TRCLOG: u32 = svr4(b'L', 1);
/// Register as the error reader.
pub(crate) const I_ERRLOG: u32 = svr4(b'L', 2);
/// Register as the console reader.
pub(crate) const I_CONSLOG: u32 = svr4(b'L', 3);

/// Echo `I_STR` commands.
pub(crate) const ECHO_SETQ: u32 = svr4(b'E', 1);
/// Stop echoing.
pub(crate) const ECHO_STOP: u32 = svr4(b'E', 2);
/// Resume echoing.
pub(crate) const ECHO_START: u32 = svr4(b'E', 3);
/// NAK with an errno.
pub(crate) const ECHO_NAK: u32 = svr4(b'E', 4);
/// Send `M_HANGUP` upstream.
pub(crate) const ECHO_HANGUP: u32 = svr4(b'E', 5);
/// Send `M_ERROR` upstream.
pub(crate) const ECHO_ERROR: u32 = svr4(b'E', 6);
/// `M_SETOPTS` to the head.
pub(crate) const ECHO_SETOPTS: u32 = svr4(b'E', 7);
/// Reverse the data.
pub(crate) const ECHO_REVERSE: u32 = svr4(b'E', 8);
/// Never answer.
pub(crate) const ECHO_NOREPLY: u32 = svr4(b'E', 9);
/// `int` on/off: M_SETOPTS with SO_MREADON/SO_MREADOFF to the head.
pub(crate) const ECHO_MREAD: u32 = svr4(b'E', 10);
/// Answer with the number of M_READ messages received.
pub(crate) const ECHO_MREADS: u32 = svr4(b'E', 11);
/// Mark (`MSGMARK`) the next message echoed.
pub(crate) const ECHO_MARK: u32 = svr4(b'E', 12);

// The numbers the header's macros give (glue/uapi_check.c asserts them too).
const _: () = {
    assert!(I_NREAD == 0x5301 && I_LOOK == 0x5304 && I_FLUSH == 0x5305 && I_STR == 0x5308);
    assert!(I_FIND == 0x530b && I_CANPUT == 0x5322 && I_PUTMSG == 0x5340 && I_GETMSG == 0x5341);
    assert!(I_PUSH == 0x5302 && I_POP == 0x5303 && I_LIST == 0x5315 && I_ANCHOR == 0x5318);
    assert!(I_LINK == 0x530c && I_UNLINK == 0x530d && I_PLINK == 0x5316 && I_PUNLINK == 0x5317);
    assert!(SAD_SAP == 0x4401 && SAD_GAP == 0x4402 && SAD_VML == 0x4403);
    assert!(STRCLONE_GETDEV == 0x8008_4301 && LOG_GETLOST == 0x8008_4310);
    assert!(ISPTM == 0x5001 && UNLKPT == 0x5002 && GRANTPT == 0x5005 && PTMGETPEER == 0x5010);
    assert!(PTMGETPTN == 0x8004_5030);
    assert!(I_TRCLOG == 0x4c01 && I_ERRLOG == 0x4c02 && I_CONSLOG == 0x4c03);
    assert!(ECHO_SETQ == 0x4501 && ECHO_MREADS == 0x450b && ECHO_MARK == 0x450c);
    assert!(I_PUTPMSG == 0x5342 && I_GETPMSG == 0x5343 && I_SRDOPT == 0x5306);
    assert!(I_GRDOPT == 0x5307 && I_PEEK == 0x530f && I_FDINSERT == 0x5310);
    assert!(I_SWROPT == 0x5313 && I_GWROPT == 0x5314 && I_FLUSHBAND == 0x531c);
    assert!(I_CKBAND == 0x531d && I_GETBAND == 0x531e && I_ATMARK == 0x531f);
    assert!(ECHO_SETQ == 0x4501 && ECHO_MREADS == 0x450b);
    assert!(I_SETSIG == 0x5309 && I_GETSIG == 0x530a);
    assert!(I_SETCLTIME == 0x5320 && I_GETCLTIME == 0x5321);
    assert!(I_RECVFD == 0x530e && I_SENDFD == 0x5311 && STRCLONE_PIPEPEER == 0x4330);
};

/// `I_SETSIG` events (SVR4 values).
pub(crate) const S_INPUT: u32 = 0x0001;
/// A high-priority message arrived.
pub(crate) const S_HIPRI: u32 = 0x0002;
/// Band 0 below the head is writable again (`S_WRNORM`).
pub(crate) const S_OUTPUT: u32 = 0x0004;
/// An `M_SIG` carrying `SIGPOLL` arrived.
pub(crate) const S_MSG: u32 = 0x0008;
/// `M_ERROR` arrived.
pub(crate) const S_ERROR: u32 = 0x0010;
/// `M_HANGUP` arrived.
pub(crate) const S_HANGUP: u32 = 0x0020;
/// A band 0 message arrived.
pub(crate) const S_RDNORM: u32 = 0x0040;
/// Same as `S_OUTPUT`.
pub(crate) const S_WRNORM: u32 = S_OUTPUT;
/// A message of a band above 0 arrived.
pub(crate) const S_RDBAND: u32 = 0x0080;
/// A band above 0 is writable again.
pub(crate) const S_WRBAND: u32 = 0x0100;
/// With `S_RDBAND`: `SIGURG` instead of `SIGPOLL`.
pub(crate) const S_BANDURG: u32 = 0x0200;
/// Default close time, milliseconds.
pub(crate) const STRCLONE_DEFAULT_CLTIME: u32 = 15000;
/// Largest close time, milliseconds.
pub(crate) const STRCLONE_CLTIME_MAX: u32 = 300_000;

/// putmsg/getmsg flags.
pub(crate) const RS_HIPRI: i32 = 0x01;
/// Any message.
pub(crate) const MSG_ANY: i32 = 0x02;
/// getpmsg/putpmsg: a high-priority message (`MSG_HIPRI`, = `RS_HIPRI`).
pub(crate) const MSG_HIPRI: i32 = 0x01;
/// getpmsg/putpmsg: a message of a band (getpmsg: that band or above).
pub(crate) const MSG_BAND: i32 = 0x04;
/// Highest priority band.
pub(crate) const STRCLONE_MAXBAND: i32 = 255;
/// `I_SRDOPT`: read mode mask (`RNORM`, `RMSGD`, `RMSGN`).
pub(crate) const RMODEMASK: u32 = 0x03;
/// `I_SRDOPT`: a control part is read as data.
pub(crate) const RPROTDAT: u32 = 0x04;
/// `I_SRDOPT`: a control part is discarded by read.
pub(crate) const RPROTDIS: u32 = 0x08;
/// `I_SRDOPT`: a control part fails read with `EBADMSG`.
pub(crate) const RPROTNORM: u32 = 0x10;
/// `I_SRDOPT`: protocol option mask.
pub(crate) const RPROTMASK: u32 = 0x1c;
/// `I_SWROPT`: a zero-length write sends a zero-length message.
pub(crate) const SNDZERO: u32 = 0x01;
/// `I_SWROPT`: `SIGPIPE` with a write's `EPIPE`.
pub(crate) const SNDPIPE: u32 = 0x02;
/// `I_ATMARK`: the first message is marked.
pub(crate) const ANYMARK: u32 = 0x01;
/// `I_ATMARK`: the first message is the last marked one.
pub(crate) const LASTMARK: u32 = 0x02;
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
/// A log reader's driver read queue's high water mark.
pub(crate) const STRCLONE_LOG_QHIWAT: usize = 524288;
/// Default `I_STR` timeout in seconds.
pub(crate) const STRCLONE_STR_DEFAULT_TIMEOUT: i32 = 15;

/// Longest module name, without its NUL.
pub(crate) const FMNAMESZ: usize = 8;
/// Most modules one autopush configuration pushes.
pub(crate) const MAXAPUSH: usize = 8;
/// `sap_cmd`: remove a configuration.
pub(crate) const SAP_CLEAR: u32 = 0;
/// `sap_cmd`: configure one minor.
pub(crate) const SAP_ONE: u32 = 1;
/// `sap_cmd`: configure `sap_minor..=sap_lastminor`.
pub(crate) const SAP_RANGE: u32 = 2;
/// `sap_cmd`: configure every minor of the major.
pub(crate) const SAP_ALL: u32 = 3;
/// Open routine `sflag`: a module is being pushed.
pub(crate) const MODOPEN: u32 = 0x1;
/// Open routine `sflag`: a clone open (the driver picks the minor).
pub(crate) const CLONEOPEN: u32 = 0x2;
/// `ioc_count` of a transparent ioctl (one that did not come with `I_STR`).
pub(crate) const TRANSPARENT: u32 = u32::MAX;

/// STREAMS majors of the built-in targets.
pub(crate) const PTM_MAJOR: u32 = 23;
/// The pts slaves (minor N is ptm pair N's slave).
pub(crate) const PTS_MAJOR: u32 = 24;
/// The echo target.
pub(crate) const ECHO_MAJOR: u32 = 72;
/// The log target.
pub(crate) const LOG_MAJOR: u32 = 21;
/// The STREAMS pipe target.
pub(crate) const PIPE_MAJOR: u32 = 73;
/// Size of the clone table.
pub(crate) const NMAJOR: usize = 256;

// ---- Structures -----------------------------------------------------------
//
// The mirrors use the header's field order and types (`int` is `i32`,
// a user pointer is `u64`: strclone is built for 64-bit kernels only). These
// are the layouts of 64-bit programs; a 32-bit program's, for the structures
// that hold a pointer, are in `streams/compat.rs`.

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

fn wr(out: &mut [u8], at: usize, bytes: &[u8]) {
    out[at..at + bytes.len()].copy_from_slice(bytes);
}

/// `struct strbuf`.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Strbuf {
    /// Capacity.
    pub(crate) maxlen: i32,
    /// Length, -1 for "no such part".
    pub(crate) len: i32,
    /// User address (`char *buf`).
    pub(crate) buf: u64,
}

/// Size of `struct strbuf`.
pub(crate) const STRBUF_SIZE: usize = size_of::<Strbuf>();

const _: () = {
    assert!(STRBUF_SIZE == 16);
    assert!(offset_of!(Strbuf, maxlen) == 0);
    assert!(offset_of!(Strbuf, len) == 4);
    assert!(offset_of!(Strbuf, buf) == 8);
};

impl Strbuf {
    fn decode(b: &[u8]) -> Self {
        Self {
            maxlen: rd_i32(b, offset_of!(Self, maxlen)),
            len: rd_i32(b, offset_of!(Self, len)),
            buf: rd_u64(b, offset_of!(Self, buf)),
        }
    }

    fn encode(&self, out: &mut [u8]) {
        wr(out, offset_of!(Self, maxlen), &self.maxlen.to_ne_bytes());
        wr(out, offset_of!(Self, len), &self.len.to_ne_bytes());
        wr(out, offset_of!(Self, buf), &self.buf.to_ne_bytes());
    }
}

/// `struct strioctl`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct Strioctl {
    /// Command.
    pub(crate) ic_cmd: i32,
    /// Timeout in seconds.
    pub(crate) ic_timout: i32,
    /// Data length.
    pub(crate) ic_len: i32,
    /// User data address (`char *ic_dp`).
    pub(crate) ic_dp: u64,
}

/// Size of `struct strioctl`.
pub(crate) const STRIOCTL_SIZE: usize = size_of::<Strioctl>();

const _: () = {
    assert!(STRIOCTL_SIZE == 24);
    assert!(offset_of!(Strioctl, ic_cmd) == 0);
    assert!(offset_of!(Strioctl, ic_timout) == 4);
    assert!(offset_of!(Strioctl, ic_len) == 8);
    assert!(offset_of!(Strioctl, ic_dp) == 16);
};

impl Strioctl {
    /// Decodes the user's bytes.
    pub(crate) fn decode(b: &[u8]) -> Self {
        Self {
            ic_cmd: rd_i32(b, offset_of!(Self, ic_cmd)),
            ic_timout: rd_i32(b, offset_of!(Self, ic_timout)),
            ic_len: rd_i32(b, offset_of!(Self, ic_len)),
            ic_dp: rd_u64(b, offset_of!(Self, ic_dp)),
        }
    }
}

/// `struct strpmsg`: the argument of `I_PUTMSG`/`I_GETMSG`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct Strpmsg {
    /// Control part (`ctlbuf`).
    pub(crate) ctl: Strbuf,
    /// Data part (`databuf`).
    pub(crate) data: Strbuf,
    /// Priority band (unused: band 0 only).
    pub(crate) band: i32,
    /// Flags.
    pub(crate) flags: i32,
}

/// Size of `struct strpmsg`.
pub(crate) const STRPMSG_SIZE: usize = size_of::<Strpmsg>();

const _: () = {
    assert!(STRPMSG_SIZE == 40);
    assert!(offset_of!(Strpmsg, ctl) == 0);
    assert!(offset_of!(Strpmsg, data) == 16);
    assert!(offset_of!(Strpmsg, band) == 32);
    assert!(offset_of!(Strpmsg, flags) == 36);
};

impl Strpmsg {
    /// Decodes the user's bytes.
    pub(crate) fn decode(b: &[u8]) -> Self {
        let part = |at: usize| Strbuf::decode(b.get(at..at + STRBUF_SIZE).unwrap_or(&[]));
        Self {
            ctl: part(offset_of!(Self, ctl)),
            data: part(offset_of!(Self, data)),
            band: rd_i32(b, offset_of!(Self, band)),
            flags: rd_i32(b, offset_of!(Self, flags)),
        }
    }

    /// Encodes for copying back to the user.
    pub(crate) fn encode(&self) -> [u8; STRPMSG_SIZE] {
        let mut out = [0u8; STRPMSG_SIZE];
        let ctl = offset_of!(Self, ctl);
        self.ctl.encode(&mut out[ctl..ctl + STRBUF_SIZE]);
        let data = offset_of!(Self, data);
        self.data.encode(&mut out[data..data + STRBUF_SIZE]);
        wr(&mut out, offset_of!(Self, band), &self.band.to_ne_bytes());
        wr(&mut out, offset_of!(Self, flags), &self.flags.to_ne_bytes());
        out
    }
}

/// `struct strclone_devinfo`: the argument of `STRCLONE_GETDEV`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct StrcloneDevinfo {
    /// STREAMS major (clone table index).
    pub(crate) major: u32,
    /// The minor the target allocated.
    pub(crate) minor: u32,
}

/// Size of `struct strclone_devinfo`.
pub(crate) const DEVINFO_SIZE: usize = size_of::<StrcloneDevinfo>();

const _: () = {
    assert!(DEVINFO_SIZE == 8);
    assert!(offset_of!(StrcloneDevinfo, major) == 0);
    assert!(offset_of!(StrcloneDevinfo, minor) == 4);
};

/// `struct log_ctl`, the control part of a log message (encoded in
/// `log/msg.rs` at these offsets).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct LogCtl {
    /// Module id.
    pub(crate) mid: i16,
    /// Sub id (minor).
    pub(crate) sid: i16,
    /// Level.
    pub(crate) level: i8,
    /// Padding (`__pad`).
    pub(crate) pad: i8,
    /// `SL_*` flags.
    pub(crate) flags: i16,
    /// Milliseconds since boot.
    pub(crate) ltime: i64,
    /// Seconds since the epoch.
    pub(crate) ttime: i64,
    /// Per-class sequence number.
    pub(crate) seq_no: i32,
    /// syslog priority.
    pub(crate) pri: i32,
}

/// Size of `struct log_ctl`.
pub(crate) const LOG_CTL_SIZE: usize = size_of::<LogCtl>();

const _: () = {
    assert!(LOG_CTL_SIZE == 32);
    assert!(offset_of!(LogCtl, mid) == 0);
    assert!(offset_of!(LogCtl, sid) == 2);
    assert!(offset_of!(LogCtl, level) == 4);
    assert!(offset_of!(LogCtl, pad) == 5);
    assert!(offset_of!(LogCtl, flags) == 6);
    assert!(offset_of!(LogCtl, ltime) == 8);
    assert!(offset_of!(LogCtl, ttime) == 16);
    assert!(offset_of!(LogCtl, seq_no) == 24);
    assert!(offset_of!(LogCtl, pri) == 28);
};

/// `struct trace_ids`, one trace filter of `I_TRCLOG` (decoded in `log/stream.rs`
/// at these offsets).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct TraceIds {
    /// Module id, -1 for any.
    pub(crate) ti_mid: i16,
    /// Sub id, -1 for any.
    pub(crate) ti_sid: i16,
    /// Highest level.
    pub(crate) ti_level: i8,
    /// Padding (`__pad`).
    pub(crate) pad: [i8; 3],
}

/// Size of `struct trace_ids`.
pub(crate) const TRACE_IDS_SIZE: usize = size_of::<TraceIds>();

const _: () = {
    assert!(TRACE_IDS_SIZE == 8);
    assert!(offset_of!(TraceIds, ti_mid) == 0);
    assert!(offset_of!(TraceIds, ti_sid) == 2);
    assert!(offset_of!(TraceIds, ti_level) == 4);
    assert!(offset_of!(TraceIds, pad) == 5);
};

/// `struct echo_qopts`, the data of `ECHO_SETQ`/`ECHO_SETOPTS` (decoded in
/// `echo.rs` at these offsets).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct EchoQopts {
    /// High water mark.
    pub(crate) hiwat: u32,
    /// Low water mark.
    pub(crate) lowat: u32,
}

/// Size of `struct echo_qopts`.
pub(crate) const ECHO_QOPTS_SIZE: usize = size_of::<EchoQopts>();

const _: () = {
    assert!(ECHO_QOPTS_SIZE == 8);
    assert!(offset_of!(EchoQopts, hiwat) == 0);
    assert!(offset_of!(EchoQopts, lowat) == 4);
};

/// `TESTMOD_COUNTS`: a `testmod` instance's counts.
pub(crate) const TESTMOD_COUNTS: u32 = svr4(b'T', 1);
/// `TESTMOD_REFUSE_REOPEN`: refuse the instance's reopens with an errno.
pub(crate) const TESTMOD_REFUSE_REOPEN: u32 = svr4(b'T', 2);
/// `TESTMOD_REFUSE_PUSH`: the next push of `testmod` fails with an errno.
pub(crate) const TESTMOD_REFUSE_PUSH: u32 = svr4(b'T', 3);
/// `TESTMOD_NAK`: answer later ioctls with `M_IOCNAK` and an errno.
pub(crate) const TESTMOD_NAK: u32 = svr4(b'T', 4);
/// Size of `struct testmod_counts` (four `__u32`).
pub(crate) const TESTMOD_COUNTS_SIZE: usize = 16;

/// `struct testmod_xchg`: the argument of `TESTMOD_XCHG` (decoded in
/// `testmod.rs` at these offsets).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct TestmodXchg {
    /// In: a; out: a + b.
    pub(crate) a: i32,
    /// In: b; out: a * b.
    pub(crate) b: i32,
}

/// Size of `struct testmod_xchg`.
pub(crate) const TESTMOD_XCHG_SIZE: usize = size_of::<TestmodXchg>();

const _: () = {
    assert!(TESTMOD_XCHG_SIZE == 8);
    assert!(offset_of!(TestmodXchg, a) == 0);
    assert!(offset_of!(TestmodXchg, b) == 4);
};

/// `struct testmod_xvec`: the argument of `TESTMOD_XVEC` (decoded in
/// `testmod.rs` at these offsets).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct TestmodXvec {
    /// Entries at `vec`.
    pub(crate) n: u32,
    /// Out: their sum.
    pub(crate) sum: i32,
    /// User address of the ints (`__s32 *vec`).
    pub(crate) vec: u64,
}

/// Size of `struct testmod_xvec`.
pub(crate) const TESTMOD_XVEC_SIZE: usize = size_of::<TestmodXvec>();

const _: () = {
    assert!(TESTMOD_XVEC_SIZE == 16);
    assert!(offset_of!(TestmodXvec, n) == 0);
    assert!(offset_of!(TestmodXvec, sum) == 4);
    assert!(offset_of!(TestmodXvec, vec) == 8);
};

/// `TESTMOD_XCHG`: `_IOWR('C', 32, struct testmod_xchg)`, transparent.
pub(crate) const TESTMOD_XCHG: u32 = _IOWR::<TestmodXchg>(b'C' as u32, 32);
/// `TESTMOD_XVEC`: `_IOWR('C', 33, struct testmod_xvec)`.
pub(crate) const TESTMOD_XVEC: u32 = _IOWR::<TestmodXvec>(b'C' as u32, 33);
/// `TESTMOD_XHOLD`: `_IOW('C', 34, int)`, transparent.
pub(crate) const TESTMOD_XHOLD: u32 = _IOW::<i32>(b'C' as u32, 34);
/// Most entries of a `TESTMOD_XVEC` vector.
pub(crate) const TESTMOD_XVEC_MAX: u32 = 64;

const _: () = {
    assert!(TESTMOD_XCHG == 0xc008_4320 && TESTMOD_XVEC == 0xc010_4321);
    assert!(TESTMOD_XHOLD == 0x4004_4322);
};

// ---- ttcompat: the V7/4.3BSD sgtty ioctls (SVR4 `tIOC|n` numbers) -------

/// `TIOCHPCL`: `HUPCL` on.
pub(crate) const TIOCHPCL: u32 = svr4(b't', 2);
/// `TIOCGETP`: `struct sgttyb` out.
pub(crate) const TIOCGETP: u32 = svr4(b't', 8);
/// `TIOCSETP`: `struct sgttyb` in, after the drain, input flushed.
pub(crate) const TIOCSETP: u32 = svr4(b't', 9);
/// `TIOCSETN`: `struct sgttyb` in, now.
pub(crate) const TIOCSETN: u32 = svr4(b't', 10);
/// `TIOCFLUSH`: `int` in, `FREAD`/`FWRITE`.
pub(crate) const TIOCFLUSH: u32 = svr4(b't', 16);
/// `TIOCSETC`: `struct tchars` in.
pub(crate) const TIOCSETC: u32 = svr4(b't', 17);
/// `TIOCGETC`: `struct tchars` out.
pub(crate) const TIOCGETC: u32 = svr4(b't', 18);
/// `TIOCSTART`: restart output.
pub(crate) const TIOCSTART: u32 = svr4(b't', 110);
/// `TIOCSTOP`: stop output.
pub(crate) const TIOCSTOP: u32 = svr4(b't', 111);
/// `TIOCGLTC`: `struct ltchars` out.
pub(crate) const TIOCGLTC: u32 = svr4(b't', 116);
/// `TIOCSLTC`: `struct ltchars` in.
pub(crate) const TIOCSLTC: u32 = svr4(b't', 117);
/// `TIOCLGET`: the local mode word out.
pub(crate) const TIOCLGET: u32 = svr4(b't', 124);
/// `TIOCLSET`: the local mode word in.
pub(crate) const TIOCLSET: u32 = svr4(b't', 125);
/// `TIOCLBIC`: clear local mode bits.
pub(crate) const TIOCLBIC: u32 = svr4(b't', 126);
/// `TIOCLBIS`: set local mode bits.
pub(crate) const TIOCLBIS: u32 = svr4(b't', 127);
/// `TIOCFLUSH`'s bits (SVR4 `<sys/file.h>`).
pub(crate) const FREAD: u32 = 0x01;
/// Flush output.
pub(crate) const FWRITE: u32 = 0x02;

const _: () = {
    assert!(TIOCHPCL == 0x7402 && TIOCGETP == 0x7408 && TIOCSETP == 0x7409);
    assert!(TIOCSETN == 0x740a && TIOCFLUSH == 0x7410 && TIOCSETC == 0x7411);
    assert!(TIOCGETC == 0x7412 && TIOCSTART == 0x746e && TIOCSTOP == 0x746f);
    assert!(TIOCGLTC == 0x7474 && TIOCSLTC == 0x7475 && TIOCLGET == 0x747c);
    assert!(TIOCLSET == 0x747d && TIOCLBIC == 0x747e && TIOCLBIS == 0x747f);
};

/// `struct sgttyb` (`ttcompat/map.rs` encodes it at these offsets).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct Sgttyb {
    /// Input speed code.
    pub(crate) sg_ispeed: i8,
    /// Output speed code.
    pub(crate) sg_ospeed: i8,
    /// Erase character.
    pub(crate) sg_erase: i8,
    /// Kill character.
    pub(crate) sg_kill: i8,
    /// Mode flags and, in the high half, the local mode word.
    pub(crate) sg_flags: i32,
}

/// Size of `struct sgttyb`.
pub(crate) const SGTTYB_SIZE: usize = size_of::<Sgttyb>();

/// `struct tchars` (and, with other names, `struct ltchars`): six
/// characters.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct Tchars {
    /// `t_intrc`, `t_quitc`, `t_startc`, `t_stopc`, `t_eofc`, `t_brkc`
    /// (`struct ltchars`: `t_suspc`, `t_dsuspc`, `t_rprntc`, `t_flushc`,
    /// `t_werasc`, `t_lnextc`).
    pub(crate) c: [i8; 6],
}

/// Size of `struct tchars` and `struct ltchars`.
pub(crate) const TCHARS_SIZE: usize = size_of::<Tchars>();

const _: () = {
    assert!(SGTTYB_SIZE == 8 && TCHARS_SIZE == 6);
    assert!(offset_of!(Sgttyb, sg_ispeed) == 0 && offset_of!(Sgttyb, sg_ospeed) == 1);
    assert!(offset_of!(Sgttyb, sg_erase) == 2 && offset_of!(Sgttyb, sg_kill) == 3);
    assert!(offset_of!(Sgttyb, sg_flags) == 4);
    assert!(SGTTYB_SIZE == crate::modules::ttcompat::map::SGTTYB_SIZE);
    assert!(TCHARS_SIZE == crate::modules::ttcompat::map::TCHARS_SIZE);
};

/// `struct str_mlist`: one module name of `I_LIST`/`SAD_VML`, NUL-padded.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct StrMlist {
    /// The name and its NUL (`l_name`).
    pub(crate) l_name: [u8; FMNAMESZ + 1],
}

/// Size of `struct str_mlist`.
pub(crate) const STR_MLIST_SIZE: usize = size_of::<StrMlist>();

const _: () = {
    assert!(STR_MLIST_SIZE == 9);
    assert!(offset_of!(StrMlist, l_name) == 0);
};

/// `struct str_list`: the argument of `I_LIST` and `SAD_VML`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct StrList {
    /// Entries at `sl_modlist` (in); `I_LIST`: entries filled (out).
    pub(crate) sl_nmods: i32,
    /// User address of the `struct str_mlist` array (`sl_modlist`).
    pub(crate) sl_modlist: u64,
}

/// Size of `struct str_list`.
pub(crate) const STR_LIST_SIZE: usize = size_of::<StrList>();

const _: () = {
    assert!(STR_LIST_SIZE == 16);
    assert!(offset_of!(StrList, sl_nmods) == 0);
    assert!(offset_of!(StrList, sl_modlist) == 8);
};

impl StrList {
    /// Decodes the user's bytes.
    pub(crate) fn decode(b: &[u8; STR_LIST_SIZE]) -> Self {
        Self {
            sl_nmods: rd_i32(b, offset_of!(Self, sl_nmods)),
            sl_modlist: rd_u64(b, offset_of!(Self, sl_modlist)),
        }
    }
}

/// `struct strapush`: the argument of `SAD_SAP` and `SAD_GAP` (the SVR4
/// layout, Solaris' `AP_VERSION` 0: no `sap_anchor`).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct Strapush {
    /// `SAP_*`.
    pub(crate) sap_cmd: u32,
    /// STREAMS major.
    pub(crate) sap_major: u32,
    /// The minor, or the first of a range.
    pub(crate) sap_minor: u32,
    /// The last minor of a range.
    pub(crate) sap_lastminor: u32,
    /// Names in `sap_list`.
    pub(crate) sap_npush: u32,
    /// NUL-terminated module names, in push order.
    pub(crate) sap_list: [[u8; FMNAMESZ + 1]; MAXAPUSH],
}

/// Size of `struct strapush`.
pub(crate) const STRAPUSH_SIZE: usize = size_of::<Strapush>();

const _: () = {
    assert!(STRAPUSH_SIZE == 92);
    assert!(offset_of!(Strapush, sap_cmd) == 0);
    assert!(offset_of!(Strapush, sap_major) == 4);
    assert!(offset_of!(Strapush, sap_minor) == 8);
    assert!(offset_of!(Strapush, sap_lastminor) == 12);
    assert!(offset_of!(Strapush, sap_npush) == 16);
    assert!(offset_of!(Strapush, sap_list) == 20);
};

fn rd_u32(b: &[u8], at: usize) -> u32 {
    rd_i32(b, at) as u32
}

impl Strapush {
    /// Decodes the user's bytes.
    pub(crate) fn decode(b: &[u8; STRAPUSH_SIZE]) -> Self {
        let mut sap_list = [[0u8; FMNAMESZ + 1]; MAXAPUSH];
        let at = offset_of!(Self, sap_list);
        for (i, name) in sap_list.iter_mut().enumerate() {
            let from = at + i * (FMNAMESZ + 1);
            name.copy_from_slice(&b[from..from + FMNAMESZ + 1]);
        }
        Self {
            sap_cmd: rd_u32(b, offset_of!(Self, sap_cmd)),
            sap_major: rd_u32(b, offset_of!(Self, sap_major)),
            sap_minor: rd_u32(b, offset_of!(Self, sap_minor)),
            sap_lastminor: rd_u32(b, offset_of!(Self, sap_lastminor)),
            sap_npush: rd_u32(b, offset_of!(Self, sap_npush)),
            sap_list,
        }
    }

    /// Encodes for copying back to the user.
    pub(crate) fn encode(&self) -> [u8; STRAPUSH_SIZE] {
        let mut out = [0u8; STRAPUSH_SIZE];
        wr(
            &mut out,
            offset_of!(Self, sap_cmd),
            &self.sap_cmd.to_ne_bytes(),
        );
        wr(
            &mut out,
            offset_of!(Self, sap_major),
            &self.sap_major.to_ne_bytes(),
        );
        wr(
            &mut out,
            offset_of!(Self, sap_minor),
            &self.sap_minor.to_ne_bytes(),
        );
        wr(
            &mut out,
            offset_of!(Self, sap_lastminor),
            &self.sap_lastminor.to_ne_bytes(),
        );
        wr(
            &mut out,
            offset_of!(Self, sap_npush),
            &self.sap_npush.to_ne_bytes(),
        );
        let at = offset_of!(Self, sap_list);
        for (i, name) in self.sap_list.iter().enumerate() {
            wr(&mut out, at + i * (FMNAMESZ + 1), name);
        }
        out
    }
}

/// `struct strrecvfd`: what `I_RECVFD` fills in.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Strrecvfd {
    /// The new descriptor.
    pub(crate) fd: i32,
    /// The sender's effective uid.
    pub(crate) uid: u32,
    /// The sender's effective gid.
    pub(crate) gid: u32,
    /// Zeroed.
    pub(crate) fill: [u8; 8],
}

/// Size of `struct strrecvfd`.
pub(crate) const STRRECVFD_SIZE: usize = size_of::<Strrecvfd>();

const _: () = {
    assert!(STRRECVFD_SIZE == 20);
    assert!(offset_of!(Strrecvfd, fd) == 0);
    assert!(offset_of!(Strrecvfd, uid) == 4);
    assert!(offset_of!(Strrecvfd, gid) == 8);
    assert!(offset_of!(Strrecvfd, fill) == 12);
};

impl Strrecvfd {
    /// The bytes given to the caller.
    pub(crate) fn encode(&self) -> [u8; STRRECVFD_SIZE] {
        let mut b = [0u8; STRRECVFD_SIZE];
        b[0..4].copy_from_slice(&self.fd.to_ne_bytes());
        b[4..8].copy_from_slice(&self.uid.to_ne_bytes());
        b[8..12].copy_from_slice(&self.gid.to_ne_bytes());
        b[12..20].copy_from_slice(&self.fill);
        b
    }
}

/// `struct bandinfo`: the argument of `I_FLUSHBAND`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct Bandinfo {
    /// The band.
    pub(crate) bi_pri: u8,
    /// `FLUSHR`, `FLUSHW` or `FLUSHRW`.
    pub(crate) bi_flag: i32,
}

/// Size of `struct bandinfo`.
pub(crate) const BANDINFO_SIZE: usize = size_of::<Bandinfo>();

const _: () = {
    assert!(BANDINFO_SIZE == 8);
    assert!(offset_of!(Bandinfo, bi_pri) == 0);
    assert!(offset_of!(Bandinfo, bi_flag) == 4);
};

impl Bandinfo {
    /// Decodes the user's bytes.
    pub(crate) fn decode(b: &[u8]) -> Self {
        Self {
            bi_pri: b.get(offset_of!(Self, bi_pri)).copied().unwrap_or(0),
            bi_flag: rd_i32(b, offset_of!(Self, bi_flag)),
        }
    }
}

/// `struct strpeek`: the argument of `I_PEEK`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct Strpeek {
    /// Control part.
    pub(crate) ctl: Strbuf,
    /// Data part.
    pub(crate) data: Strbuf,
    /// `RS_HIPRI` or 0.
    pub(crate) flags: u32,
}

/// Size of `struct strpeek`.
pub(crate) const STRPEEK_SIZE: usize = size_of::<Strpeek>();

const _: () = {
    assert!(STRPEEK_SIZE == 40);
    assert!(offset_of!(Strpeek, ctl) == 0);
    assert!(offset_of!(Strpeek, data) == 16);
    assert!(offset_of!(Strpeek, flags) == 32);
};

impl Strpeek {
    /// Decodes the user's bytes.
    pub(crate) fn decode(b: &[u8]) -> Self {
        let part = |at: usize| Strbuf::decode(b.get(at..at + STRBUF_SIZE).unwrap_or(&[]));
        Self {
            ctl: part(offset_of!(Self, ctl)),
            data: part(offset_of!(Self, data)),
            flags: rd_u32(b, offset_of!(Self, flags)),
        }
    }

    /// Encodes for copying back to the user.
    pub(crate) fn encode(&self) -> [u8; STRPEEK_SIZE] {
        let mut out = [0u8; STRPEEK_SIZE];
        let ctl = offset_of!(Self, ctl);
        self.ctl.encode(&mut out[ctl..ctl + STRBUF_SIZE]);
        let data = offset_of!(Self, data);
        self.data.encode(&mut out[data..data + STRBUF_SIZE]);
        wr(&mut out, offset_of!(Self, flags), &self.flags.to_ne_bytes());
        out
    }
}

/// `struct strfdinsert`: the argument of `I_FDINSERT`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct Strfdinsert {
    /// Control part.
    pub(crate) ctl: Strbuf,
    /// Data part.
    pub(crate) data: Strbuf,
    /// 0 or `RS_HIPRI`.
    pub(crate) flags: u32,
    /// The other stream's descriptor.
    pub(crate) fildes: i32,
    /// Where its token goes in the control part.
    pub(crate) offset: i32,
}

/// Size of `struct strfdinsert`.
pub(crate) const STRFDINSERT_SIZE: usize = size_of::<Strfdinsert>();

const _: () = {
    assert!(STRFDINSERT_SIZE == 48);
    assert!(offset_of!(Strfdinsert, ctl) == 0);
    assert!(offset_of!(Strfdinsert, data) == 16);
    assert!(offset_of!(Strfdinsert, flags) == 32);
    assert!(offset_of!(Strfdinsert, fildes) == 36);
    assert!(offset_of!(Strfdinsert, offset) == 40);
};

impl Strfdinsert {
    /// Decodes the user's bytes.
    pub(crate) fn decode(b: &[u8]) -> Self {
        let part = |at: usize| Strbuf::decode(b.get(at..at + STRBUF_SIZE).unwrap_or(&[]));
        Self {
            ctl: part(offset_of!(Self, ctl)),
            data: part(offset_of!(Self, data)),
            flags: rd_u32(b, offset_of!(Self, flags)),
            fildes: rd_i32(b, offset_of!(Self, fildes)),
            offset: rd_i32(b, offset_of!(Self, offset)),
        }
    }
}

// ---- Cross-check with the header ------------------------------------------

/// Everything the header and the Rust side must agree on, in the order of
/// `strclone_uapi_table[]` in `glue/uapi_check.c`, which computes the same
/// entries from the header: structure layouts, ioctl numbers and the
/// constants mirrored here and in the STREAMS core and the log target.
const CHECKED: &[(&str, u32)] = &[
    ("sizeof(struct strbuf)", STRBUF_SIZE as u32),
    ("strbuf.maxlen", offset_of!(Strbuf, maxlen) as u32),
    ("strbuf.len", offset_of!(Strbuf, len) as u32),
    ("strbuf.buf", offset_of!(Strbuf, buf) as u32),
    ("sizeof(struct strioctl)", STRIOCTL_SIZE as u32),
    ("strioctl.ic_cmd", offset_of!(Strioctl, ic_cmd) as u32),
    ("strioctl.ic_timout", offset_of!(Strioctl, ic_timout) as u32),
    ("strioctl.ic_len", offset_of!(Strioctl, ic_len) as u32),
    ("strioctl.ic_dp", offset_of!(Strioctl, ic_dp) as u32),
    ("sizeof(struct strpmsg)", STRPMSG_SIZE as u32),
    ("strpmsg.ctlbuf", offset_of!(Strpmsg, ctl) as u32),
    ("strpmsg.databuf", offset_of!(Strpmsg, data) as u32),
    ("strpmsg.band", offset_of!(Strpmsg, band) as u32),
    ("strpmsg.flags", offset_of!(Strpmsg, flags) as u32),
    ("sizeof(struct strclone_devinfo)", DEVINFO_SIZE as u32),
    (
        "strclone_devinfo.major",
        offset_of!(StrcloneDevinfo, major) as u32,
    ),
    (
        "strclone_devinfo.minor",
        offset_of!(StrcloneDevinfo, minor) as u32,
    ),
    ("sizeof(struct log_ctl)", LOG_CTL_SIZE as u32),
    ("log_ctl.mid", offset_of!(LogCtl, mid) as u32),
    ("log_ctl.sid", offset_of!(LogCtl, sid) as u32),
    ("log_ctl.level", offset_of!(LogCtl, level) as u32),
    ("log_ctl.__pad", offset_of!(LogCtl, pad) as u32),
    ("log_ctl.flags", offset_of!(LogCtl, flags) as u32),
    ("log_ctl.ltime", offset_of!(LogCtl, ltime) as u32),
    ("log_ctl.ttime", offset_of!(LogCtl, ttime) as u32),
    ("log_ctl.seq_no", offset_of!(LogCtl, seq_no) as u32),
    ("log_ctl.pri", offset_of!(LogCtl, pri) as u32),
    ("sizeof(struct trace_ids)", TRACE_IDS_SIZE as u32),
    ("trace_ids.ti_mid", offset_of!(TraceIds, ti_mid) as u32),
    ("trace_ids.ti_sid", offset_of!(TraceIds, ti_sid) as u32),
    ("trace_ids.ti_level", offset_of!(TraceIds, ti_level) as u32),
    ("trace_ids.__pad", offset_of!(TraceIds, pad) as u32),
    ("sizeof(struct echo_qopts)", ECHO_QOPTS_SIZE as u32),
    ("echo_qopts.hiwat", offset_of!(EchoQopts, hiwat) as u32),
    ("echo_qopts.lowat", offset_of!(EchoQopts, lowat) as u32),
    ("sizeof(struct str_mlist)", STR_MLIST_SIZE as u32),
    ("str_mlist.l_name", offset_of!(StrMlist, l_name) as u32),
    ("sizeof(struct str_list)", STR_LIST_SIZE as u32),
    ("str_list.sl_nmods", offset_of!(StrList, sl_nmods) as u32),
    (
        "str_list.sl_modlist",
        offset_of!(StrList, sl_modlist) as u32,
    ),
    ("sizeof(struct strapush)", STRAPUSH_SIZE as u32),
    ("strapush.sap_cmd", offset_of!(Strapush, sap_cmd) as u32),
    ("strapush.sap_major", offset_of!(Strapush, sap_major) as u32),
    ("strapush.sap_minor", offset_of!(Strapush, sap_minor) as u32),
    (
        "strapush.sap_lastminor",
        offset_of!(Strapush, sap_lastminor) as u32,
    ),
    ("strapush.sap_npush", offset_of!(Strapush, sap_npush) as u32),
    ("strapush.sap_list", offset_of!(Strapush, sap_list) as u32),
    ("I_NREAD", I_NREAD),
    ("I_LOOK", I_LOOK),
    ("I_FLUSH", I_FLUSH),
    ("I_STR", I_STR),
    ("I_FIND", I_FIND),
    ("I_CANPUT", I_CANPUT),
    ("I_PUTMSG", I_PUTMSG),
    ("I_GETMSG", I_GETMSG),
    ("I_PUSH", I_PUSH),
    ("I_POP", I_POP),
    ("I_LIST", I_LIST),
    ("I_ANCHOR", I_ANCHOR),
    ("SAD_SAP", SAD_SAP),
    ("SAD_GAP", SAD_GAP),
    ("SAD_VML", SAD_VML),
    ("STRCLONE_GETDEV", STRCLONE_GETDEV),
    ("LOG_GETLOST", LOG_GETLOST),
    ("ISPTM", ISPTM),
    ("UNLKPT", UNLKPT),
    ("GRANTPT", GRANTPT),
    ("PTMGETPEER", PTMGETPEER),
    ("I_TRCLOG", I_TRCLOG),
    ("I_ERRLOG", I_ERRLOG),
    ("I_CONSLOG", I_CONSLOG),
    ("ECHO_SETQ", ECHO_SETQ),
    ("ECHO_STOP", ECHO_STOP),
    ("ECHO_START", ECHO_START),
    ("ECHO_NAK", ECHO_NAK),
    ("ECHO_HANGUP", ECHO_HANGUP),
    ("ECHO_ERROR", ECHO_ERROR),
    ("ECHO_SETOPTS", ECHO_SETOPTS),
    ("ECHO_REVERSE", ECHO_REVERSE),
    ("ECHO_NOREPLY", ECHO_NOREPLY),
    ("ECHO_MREAD", ECHO_MREAD),
    ("ECHO_MREADS", ECHO_MREADS),
    ("TESTMOD_COUNTS", TESTMOD_COUNTS),
    ("TESTMOD_REFUSE_REOPEN", TESTMOD_REFUSE_REOPEN),
    ("TESTMOD_REFUSE_PUSH", TESTMOD_REFUSE_PUSH),
    ("TESTMOD_NAK", TESTMOD_NAK),
    ("sizeof(struct testmod_counts)", TESTMOD_COUNTS_SIZE as u32),
    ("RS_HIPRI", RS_HIPRI as u32),
    ("MSG_ANY", MSG_ANY as u32),
    ("MORECTL", MORECTL as u32),
    ("MOREDATA", MOREDATA as u32),
    ("STRCLONE_STRMSGSZ", STRCLONE_STRMSGSZ as u32),
    ("STRCLONE_STRCTLSZ", STRCLONE_STRCTLSZ as u32),
    (
        "STRCLONE_STR_DEFAULT_TIMEOUT",
        STRCLONE_STR_DEFAULT_TIMEOUT as u32,
    ),
    ("STRCLONE_PTM_MAJOR", PTM_MAJOR),
    ("STRCLONE_ECHO_MAJOR", ECHO_MAJOR),
    ("STRCLONE_LOG_MAJOR", LOG_MAJOR),
    ("STRCLONE_NMAJOR", NMAJOR as u32),
    ("FMNAMESZ", FMNAMESZ as u32),
    ("MAXAPUSH", MAXAPUSH as u32),
    ("SAP_CLEAR", SAP_CLEAR),
    ("SAP_ONE", SAP_ONE),
    ("SAP_RANGE", SAP_RANGE),
    ("SAP_ALL", SAP_ALL),
    ("MODOPEN", MODOPEN),
    ("CLONEOPEN", CLONEOPEN),
    ("TRANSPARENT", TRANSPARENT),
    ("M_DATA", MsgType::Data.0 as u32),
    ("M_PROTO", MsgType::Proto.0 as u32),
    ("M_IOCTL", MsgType::Ioctl.0 as u32),
    ("M_SETOPTS", MsgType::SetOpts.0 as u32),
    ("M_IOCACK", MsgType::IocAck.0 as u32),
    ("M_IOCNAK", MsgType::IocNak.0 as u32),
    ("M_PCPROTO", MsgType::PcProto.0 as u32),
    ("M_READ", MsgType::Read.0 as u32),
    ("M_FLUSH", MsgType::Flush.0 as u32),
    ("M_HANGUP", MsgType::Hangup.0 as u32),
    ("M_ERROR", MsgType::Error.0 as u32),
    ("QPCTL", msg::QPCTL as u32),
    ("FLUSHR", msg::FLUSHR as u32),
    ("FLUSHW", msg::FLUSHW as u32),
    ("FLUSHRW", msg::FLUSHRW as u32),
    ("SO_HIWAT", msg::SO_HIWAT),
    ("SO_LOWAT", msg::SO_LOWAT),
    ("SO_MREADON", msg::SO_MREADON),
    ("SO_MREADOFF", msg::SO_MREADOFF),
    ("SL_ERROR", log::SL_ERROR as u32),
    ("SL_TRACE", log::SL_TRACE as u32),
    ("SL_CONSOLE", log::SL_CONSOLE as u32),
    ("SL_FATAL", log::SL_FATAL as u32),
    ("SL_WARN", log::SL_WARN as u32),
    ("SL_NOTE", log::SL_NOTE as u32),
    ("M_COPYIN", MsgType::CopyIn.0 as u32),
    ("M_COPYOUT", MsgType::CopyOut.0 as u32),
    ("M_IOCDATA", MsgType::IocData.0 as u32),
    ("sizeof(struct testmod_xchg)", TESTMOD_XCHG_SIZE as u32),
    ("testmod_xchg.a", offset_of!(TestmodXchg, a) as u32),
    ("testmod_xchg.b", offset_of!(TestmodXchg, b) as u32),
    ("sizeof(struct testmod_xvec)", TESTMOD_XVEC_SIZE as u32),
    ("testmod_xvec.n", offset_of!(TestmodXvec, n) as u32),
    ("testmod_xvec.sum", offset_of!(TestmodXvec, sum) as u32),
    ("testmod_xvec.vec", offset_of!(TestmodXvec, vec) as u32),
    ("TESTMOD_XCHG", TESTMOD_XCHG),
    ("TESTMOD_XVEC", TESTMOD_XVEC),
    ("TESTMOD_XHOLD", TESTMOD_XHOLD),
    ("TESTMOD_XVEC_MAX", TESTMOD_XVEC_MAX),
    ("PTMGETPTN", PTMGETPTN),
    ("STRCLONE_PTS_MAJOR", PTS_MAJOR),
    ("sizeof(struct sgttyb)", SGTTYB_SIZE as u32),
    ("sgttyb.sg_ispeed", offset_of!(Sgttyb, sg_ispeed) as u32),
    ("sgttyb.sg_ospeed", offset_of!(Sgttyb, sg_ospeed) as u32),
    ("sgttyb.sg_erase", offset_of!(Sgttyb, sg_erase) as u32),
    ("sgttyb.sg_kill", offset_of!(Sgttyb, sg_kill) as u32),
    ("sgttyb.sg_flags", offset_of!(Sgttyb, sg_flags) as u32),
    ("sizeof(struct tchars)", TCHARS_SIZE as u32),
    ("sizeof(struct ltchars)", TCHARS_SIZE as u32),
    ("TIOCHPCL", TIOCHPCL),
    ("TIOCGETP", TIOCGETP),
    ("TIOCSETP", TIOCSETP),
    ("TIOCSETN", TIOCSETN),
    ("TIOCFLUSH", TIOCFLUSH),
    ("TIOCSETC", TIOCSETC),
    ("TIOCGETC", TIOCGETC),
    ("TIOCSTART", TIOCSTART),
    ("TIOCSTOP", TIOCSTOP),
    ("TIOCGLTC", TIOCGLTC),
    ("TIOCSLTC", TIOCSLTC),
    ("TIOCLGET", TIOCLGET),
    ("TIOCLSET", TIOCLSET),
    ("TIOCLBIC", TIOCLBIC),
    ("TIOCLBIS", TIOCLBIS),
    ("FREAD", FREAD),
    ("FWRITE", FWRITE),
    ("O_TANDEM", tc::O_TANDEM),
    ("O_CBREAK", tc::O_CBREAK),
    ("O_LCASE", tc::O_LCASE),
    ("O_ECHO", tc::O_ECHO),
    ("O_CRMOD", tc::O_CRMOD),
    ("O_RAW", tc::O_RAW),
    ("O_ODDP", tc::O_ODDP),
    ("O_EVENP", tc::O_EVENP),
    ("O_NLDELAY", tc::O_NLDELAY),
    ("O_NL1", tc::O_NL1),
    ("O_NL2", tc::O_NL2),
    ("O_TBDELAY", tc::O_TBDELAY),
    ("O_TAB1", tc::O_TAB1),
    ("O_TAB2", tc::O_TAB2),
    ("O_XTABS", tc::O_XTABS),
    ("O_CRDELAY", tc::O_CRDELAY),
    ("O_CR1", tc::O_CR1),
    ("O_CR2", tc::O_CR2),
    ("O_VTDELAY", tc::O_VTDELAY),
    ("O_BSDELAY", tc::O_BSDELAY),
    ("O_CRTBS", tc::O_CRTBS),
    ("O_PRTERA", tc::O_PRTERA),
    ("O_CRTERA", tc::O_CRTERA),
    ("O_LITOUT", tc::O_LITOUT),
    ("O_TOSTOP", tc::O_TOSTOP),
    ("O_FLUSHO", tc::O_FLUSHO),
    ("O_NOHANG", tc::O_NOHANG),
    ("O_CRTKIL", tc::O_CRTKIL),
    ("O_PASS8", tc::O_PASS8),
    ("O_CTLECH", tc::O_CTLECH),
    ("O_PENDIN", tc::O_PENDIN),
    ("O_DECCTQ", tc::O_DECCTQ),
    ("O_NOFLSH", tc::O_NOFLSH),
    ("LCRTBS", tc::O_CRTBS >> 16),
    ("LNOFLSH", tc::O_NOFLSH >> 16),
    ("I_PUTPMSG", I_PUTPMSG),
    ("I_GETPMSG", I_GETPMSG),
    ("I_SRDOPT", I_SRDOPT),
    ("I_GRDOPT", I_GRDOPT),
    ("I_PEEK", I_PEEK),
    ("I_FDINSERT", I_FDINSERT),
    ("I_SWROPT", I_SWROPT),
    ("I_GWROPT", I_GWROPT),
    ("I_FLUSHBAND", I_FLUSHBAND),
    ("I_CKBAND", I_CKBAND),
    ("I_GETBAND", I_GETBAND),
    ("I_ATMARK", I_ATMARK),
    ("ECHO_MARK", ECHO_MARK),
    ("MSG_HIPRI", MSG_HIPRI as u32),
    ("MSG_BAND", MSG_BAND as u32),
    ("STRCLONE_MAXBAND", STRCLONE_MAXBAND as u32),
    ("RNORM", msg::RNORM),
    ("RMSGD", msg::RMSGD),
    ("RMSGN", msg::RMSGN),
    ("RMODEMASK", RMODEMASK),
    ("RPROTDAT", RPROTDAT),
    ("RPROTDIS", RPROTDIS),
    ("RPROTNORM", RPROTNORM),
    ("RPROTMASK", RPROTMASK),
    ("SNDZERO", SNDZERO),
    ("SNDPIPE", SNDPIPE),
    ("ANYMARK", ANYMARK),
    ("LASTMARK", LASTMARK),
    ("MSGMARK", msg::MSGMARK as u32),
    ("FLUSHBAND", msg::FLUSHBAND as u32),
    ("sizeof(struct bandinfo)", BANDINFO_SIZE as u32),
    ("bandinfo.bi_pri", offset_of!(Bandinfo, bi_pri) as u32),
    ("bandinfo.bi_flag", offset_of!(Bandinfo, bi_flag) as u32),
    ("sizeof(struct strpeek)", STRPEEK_SIZE as u32),
    ("strpeek.ctlbuf", offset_of!(Strpeek, ctl) as u32),
    ("strpeek.databuf", offset_of!(Strpeek, data) as u32),
    ("strpeek.flags", offset_of!(Strpeek, flags) as u32),
    ("sizeof(struct strfdinsert)", STRFDINSERT_SIZE as u32),
    ("strfdinsert.ctlbuf", offset_of!(Strfdinsert, ctl) as u32),
    ("strfdinsert.databuf", offset_of!(Strfdinsert, data) as u32),
    ("strfdinsert.flags", offset_of!(Strfdinsert, flags) as u32),
    ("strfdinsert.fildes", offset_of!(Strfdinsert, fildes) as u32),
    ("strfdinsert.offset", offset_of!(Strfdinsert, offset) as u32),
    ("I_SETSIG", I_SETSIG),
    ("I_GETSIG", I_GETSIG),
    ("I_SETCLTIME", I_SETCLTIME),
    ("I_GETCLTIME", I_GETCLTIME),
    ("S_INPUT", S_INPUT),
    ("S_HIPRI", S_HIPRI),
    ("S_OUTPUT", S_OUTPUT),
    ("S_MSG", S_MSG),
    ("S_ERROR", S_ERROR),
    ("S_HANGUP", S_HANGUP),
    ("S_RDNORM", S_RDNORM),
    ("S_WRNORM", S_WRNORM),
    ("S_RDBAND", S_RDBAND),
    ("S_WRBAND", S_WRBAND),
    ("S_BANDURG", S_BANDURG),
    ("STRCLONE_DEFAULT_CLTIME", STRCLONE_DEFAULT_CLTIME),
    ("STRCLONE_CLTIME_MAX", STRCLONE_CLTIME_MAX),
    ("I_RECVFD", I_RECVFD),
    ("I_SENDFD", I_SENDFD),
    ("M_PASSFP", MsgType::PassFp.0 as u32),
    ("sizeof(struct strrecvfd)", STRRECVFD_SIZE as u32),
    ("strrecvfd.fd", offset_of!(Strrecvfd, fd) as u32),
    ("strrecvfd.uid", offset_of!(Strrecvfd, uid) as u32),
    ("strrecvfd.gid", offset_of!(Strrecvfd, gid) as u32),
    ("strrecvfd.fill", offset_of!(Strrecvfd, fill) as u32),
    ("STRCLONE_PIPE_MAJOR", PIPE_MAJOR),
    ("STRCLONE_PIPEPEER", STRCLONE_PIPEPEER),
    ("I_LINK", I_LINK),
    ("I_UNLINK", I_UNLINK),
    ("I_PLINK", I_PLINK),
    ("I_PUNLINK", I_PUNLINK),
    ("MUXID_ALL", MUXID_ALL as u32),
];

#[kernel::prelude::kunit_tests(strclone_uapi)]
mod tests {
    use super::CHECKED;
    use crate::glue::uapi_check::header_values;
    use kernel::prelude::*;

    #[test]
    fn header_and_rust_agree() {
        let header = header_values();
        assert_eq!(header.len(), CHECKED.len());
        let mut differ = 0;
        for (&(name, rust), &c) in CHECKED.iter().zip(header) {
            if rust != c {
                pr_err!("uapi: {}: header {:#x}, Rust {:#x}\n", name, c, rust);
                differ += 1;
            }
        }
        assert_eq!(differ, 0);
    }
}
