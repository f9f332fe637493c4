// SPDX-License-Identifier: GPL-2.0

//! The `#[repr(C)]` mirrors of the header's structures, with the numbers
//! of the facilities whose ioctls carry them (the test module, ttcompat),
//! and their byte codecs.

#![allow(dead_code)]

use super::*;
use crate::bytes::{ne_i32, ne_u32, ne_u64};

// The mirrors use the header's field order and types (`int` is `i32`,
// a user pointer is `u64`: strclone is built for 64-bit kernels only). These
// are the layouts of 64-bit programs; a 32-bit program's, for the structures
// that hold a pointer, are in `streams/compat.rs`.

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
            maxlen: ne_i32(b, offset_of!(Self, maxlen)),
            len: ne_i32(b, offset_of!(Self, len)),
            buf: ne_u64(b, offset_of!(Self, buf)),
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
            ic_cmd: ne_i32(b, offset_of!(Self, ic_cmd)),
            ic_timout: ne_i32(b, offset_of!(Self, ic_timout)),
            ic_len: ne_i32(b, offset_of!(Self, ic_len)),
            ic_dp: ne_u64(b, offset_of!(Self, ic_dp)),
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
            band: ne_i32(b, offset_of!(Self, band)),
            flags: ne_i32(b, offset_of!(Self, flags)),
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
            sl_nmods: ne_i32(b, offset_of!(Self, sl_nmods)),
            sl_modlist: ne_u64(b, offset_of!(Self, sl_modlist)),
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
            sap_cmd: ne_u32(b, offset_of!(Self, sap_cmd)),
            sap_major: ne_u32(b, offset_of!(Self, sap_major)),
            sap_minor: ne_u32(b, offset_of!(Self, sap_minor)),
            sap_lastminor: ne_u32(b, offset_of!(Self, sap_lastminor)),
            sap_npush: ne_u32(b, offset_of!(Self, sap_npush)),
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
            bi_flag: ne_i32(b, offset_of!(Self, bi_flag)),
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
            flags: ne_u32(b, offset_of!(Self, flags)),
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
            flags: ne_u32(b, offset_of!(Self, flags)),
            fildes: ne_i32(b, offset_of!(Self, fildes)),
            offset: ne_i32(b, offset_of!(Self, offset)),
        }
    }
}
