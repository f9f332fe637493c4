// SPDX-License-Identifier: GPL-2.0

//! 32-bit programs: the ILP32 layouts of the ioctl arguments that hold a
//! pointer (`compat_ioctl`).
//!
//! A 32-bit program's `struct strbuf` is 12 bytes (`char *buf` is 4), so
//! every structure built on it, and `struct strioctl` and `struct str_list`,
//! have a layout of their own there. The ioctls that take one read and
//! write it through [`Abi`]: the native layout decodes as `uapi.rs` says,
//! the ILP32 one is converted here into the same Rust structure (a pointer
//! zero-extended, as `compat_ptr` does), and the one handler of each ioctl
//! does the rest, whoever called. Every other ioctl argument (an `int`, a
//! pointer to `int`, `struct bandinfo`, `struct strclone_devinfo`...) has
//! the same layout in both, and its ioctl needs nothing from this file.
//!
//! The layouts are SVR4's and i386's: `int` and pointers 4 bytes and
//! 4-aligned. The `-m32` kselftest `compat32` checks them against the
//! header compiled for i386 and uses every ioctl below
//! (`Documentation/strclone/streamio.rst`, "32-bit programs").

use crate::bytes::{ne_i32, ne_u32};
use crate::uapi::{self, StrList, Strbuf, Strfdinsert, Strioctl, Strpeek, Strpmsg};
use kernel::{
    prelude::*,
    uaccess::{UserPtr, UserSlice},
};

/// The data model of the program that made a system call.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Abi {
    /// A 64-bit program: the structures of `include/uapi/linux/strclone.h`
    /// as the kernel sees them.
    Native,
    /// A 32-bit program (`compat_ioctl`).
    Ilp32,
}

/// `struct strbuf` of a 32-bit program: `maxlen` at 0, `len` at 4, `buf`
/// at 8.
const STRBUF32: usize = 12;
/// `struct strpmsg`: `ctlbuf`, `databuf`, `band` at 24, `flags` at 28.
const STRPMSG32: usize = 2 * STRBUF32 + 8;
/// `struct strpeek`: `ctlbuf`, `databuf`, `flags` at 24.
const STRPEEK32: usize = 2 * STRBUF32 + 4;
/// `struct strfdinsert`: `ctlbuf`, `databuf`, `flags` at 24, `fildes` at
/// 28, `offset` at 32.
const STRFDINSERT32: usize = 2 * STRBUF32 + 12;
/// `struct strioctl`: `ic_cmd`, `ic_timout`, `ic_len` at 8, `ic_dp` at 12.
const STRIOCTL32: usize = 16;
/// `struct str_list`: `sl_nmods` at 0, `sl_modlist` at 4.
const STR_LIST32: usize = 8;

const _: () = {
    assert!(STRPMSG32 == 32 && STRPEEK32 == 28 && STRFDINSERT32 == 36);
    // Room for the largest structure of either model.
    assert!(uapi::STRFDINSERT_SIZE >= STRFDINSERT32);
    assert!(uapi::STRFDINSERT_SIZE >= uapi::STRPMSG_SIZE);
    assert!(uapi::STRFDINSERT_SIZE >= uapi::STRPEEK_SIZE);
    assert!(uapi::STRFDINSERT_SIZE >= uapi::STRIOCTL_SIZE);
    assert!(uapi::STRFDINSERT_SIZE >= uapi::STR_LIST_SIZE);
};

/// Bytes of the largest argument structure.
const MAX: usize = uapi::STRFDINSERT_SIZE;

fn wr32(out: &mut [u8], at: usize, v: u32) {
    if let Some(s) = out.get_mut(at..at + 4) {
        s.copy_from_slice(&v.to_ne_bytes());
    }
}

fn strbuf32(b: &[u8], at: usize) -> Strbuf {
    Strbuf {
        maxlen: ne_i32(b, at),
        len: ne_i32(b, at + 4),
        // compat_ptr(): the 32-bit address, zero-extended.
        buf: u64::from(ne_u32(b, at + 8)),
    }
}

/// Writes `s` in the 32-bit layout. The pointer goes back as the program
/// gave it (it came from 32 bits, so it fits).
fn put_strbuf32(out: &mut [u8], at: usize, s: &Strbuf) {
    wr32(out, at, s.maxlen as u32);
    wr32(out, at + 4, s.len as u32);
    wr32(out, at + 8, s.buf as u32);
}

/// The first `n` bytes at the caller's `arg`.
fn read_raw(arg: usize, n: usize) -> Result<[u8; MAX]> {
    let mut raw = [0u8; MAX];
    UserSlice::new(UserPtr::from_addr(arg), n)
        .reader()
        .read_slice(&mut raw[..n])?;
    Ok(raw)
}

fn write_raw(arg: usize, bytes: &[u8]) -> Result {
    UserSlice::new(UserPtr::from_addr(arg), bytes.len())
        .writer()
        .write_slice(bytes)
}

impl Abi {
    /// The `struct strpmsg` at `arg` (`I_GETMSG`, `I_PUTMSG`, `I_GETPMSG`,
    /// `I_PUTPMSG`).
    pub(crate) fn read_strpmsg(self, arg: usize) -> Result<Strpmsg> {
        Ok(match self {
            Abi::Native => Strpmsg::decode(&read_raw(arg, uapi::STRPMSG_SIZE)?),
            Abi::Ilp32 => {
                let b = read_raw(arg, STRPMSG32)?;
                Strpmsg {
                    ctl: strbuf32(&b, 0),
                    data: strbuf32(&b, STRBUF32),
                    band: ne_i32(&b, 24),
                    flags: ne_i32(&b, 28),
                }
            }
        })
    }

    /// Writes `p` back to the caller's `struct strpmsg` at `arg`.
    pub(crate) fn write_strpmsg(self, arg: usize, p: &Strpmsg) -> Result {
        match self {
            Abi::Native => write_raw(arg, &p.encode()),
            Abi::Ilp32 => {
                let mut out = [0u8; STRPMSG32];
                put_strbuf32(&mut out, 0, &p.ctl);
                put_strbuf32(&mut out, STRBUF32, &p.data);
                wr32(&mut out, 24, p.band as u32);
                wr32(&mut out, 28, p.flags as u32);
                write_raw(arg, &out)
            }
        }
    }

    /// The `struct strpeek` at `arg` (`I_PEEK`).
    pub(crate) fn read_strpeek(self, arg: usize) -> Result<Strpeek> {
        Ok(match self {
            Abi::Native => Strpeek::decode(&read_raw(arg, uapi::STRPEEK_SIZE)?),
            Abi::Ilp32 => {
                let b = read_raw(arg, STRPEEK32)?;
                Strpeek {
                    ctl: strbuf32(&b, 0),
                    data: strbuf32(&b, STRBUF32),
                    flags: ne_u32(&b, 24),
                }
            }
        })
    }

    /// Writes `p` back to the caller's `struct strpeek` at `arg`.
    pub(crate) fn write_strpeek(self, arg: usize, p: &Strpeek) -> Result {
        match self {
            Abi::Native => write_raw(arg, &p.encode()),
            Abi::Ilp32 => {
                let mut out = [0u8; STRPEEK32];
                put_strbuf32(&mut out, 0, &p.ctl);
                put_strbuf32(&mut out, STRBUF32, &p.data);
                wr32(&mut out, 24, p.flags);
                write_raw(arg, &out)
            }
        }
    }

    /// The `struct strfdinsert` at `arg` (`I_FDINSERT`).
    pub(crate) fn read_strfdinsert(self, arg: usize) -> Result<Strfdinsert> {
        Ok(match self {
            Abi::Native => Strfdinsert::decode(&read_raw(arg, uapi::STRFDINSERT_SIZE)?),
            Abi::Ilp32 => {
                let b = read_raw(arg, STRFDINSERT32)?;
                Strfdinsert {
                    ctl: strbuf32(&b, 0),
                    data: strbuf32(&b, STRBUF32),
                    flags: ne_u32(&b, 24),
                    fildes: ne_i32(&b, 28),
                    offset: ne_i32(&b, 32),
                }
            }
        })
    }

    /// The `struct strioctl` at `arg` (`I_STR`). Its `ic_len`, which
    /// `I_STR` writes back, is at offset 8 in both layouts.
    pub(crate) fn read_strioctl(self, arg: usize) -> Result<Strioctl> {
        Ok(match self {
            Abi::Native => Strioctl::decode(&read_raw(arg, uapi::STRIOCTL_SIZE)?),
            Abi::Ilp32 => {
                let b = read_raw(arg, STRIOCTL32)?;
                Strioctl {
                    ic_cmd: ne_i32(&b, 0),
                    ic_timout: ne_i32(&b, 4),
                    ic_len: ne_i32(&b, 8),
                    ic_dp: u64::from(ne_u32(&b, 12)),
                }
            }
        })
    }

    /// The `struct str_list` at `arg` (`I_LIST`, `SAD_VML`). Its
    /// `sl_nmods`, which `I_LIST` writes back, is at offset 0 in both
    /// layouts.
    pub(crate) fn read_str_list(self, arg: usize) -> Result<StrList> {
        Ok(match self {
            Abi::Native => {
                let b = read_raw(arg, uapi::STR_LIST_SIZE)?;
                let mut raw = [0u8; uapi::STR_LIST_SIZE];
                raw.copy_from_slice(&b[..uapi::STR_LIST_SIZE]);
                StrList::decode(&raw)
            }
            Abi::Ilp32 => {
                let b = read_raw(arg, STR_LIST32)?;
                StrList {
                    sl_nmods: ne_i32(&b, 0),
                    sl_modlist: u64::from(ne_u32(&b, 4)),
                }
            }
        })
    }
}
