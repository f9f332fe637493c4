// SPDX-License-Identifier: GPL-2.0

//! The user-space interface, mirrored from `include/uapi/linux/strclone.h`.
//!
//! Every structure of the header has a `#[repr(C)]` mirror (`layout.rs`).
//! Its size and field offsets are checked at compile time (the `const _`
//! blocks there) against the x86_64 C ABI numbers, and `glue/uapi_check.c` checks
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

// The structures (`layout.rs`) and the cross-check with the header
// (`check.rs`).
mod check;
mod layout;
pub(crate) use layout::*;
