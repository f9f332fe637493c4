// SPDX-License-Identifier: GPL-2.0

//! The C ABI of the DDI (`include/linux/strclone_ddi.h`): the routines other
//! kernel modules call, and the queue pairs and procedure calls of the
//! modules they register.
//!
//! Rust's ABI is not stable across `.ko` files, so everything another module
//! calls is an `extern "C"` function (here, in `ddi/`, `ddi_callout.rs` and
//! `ddi_util.rs`), exported by `ddi_export.c` in the `STRCLONE` symbol
//! namespace.
//!
//! This file has the C layouts (`module_info`, `qinit`, `streamtab`, the
//! registration structures, `queue_t`), a registration's checks
//! ([`CStreamtab`]) and the registration entry points. The rest, a file a
//! concept:
//!
//! - [`pair`]: the queue pairs of C instances ([`CPair`]), and how a
//!   `queue_t *` from C finds its stream ([`resolve`]);
//! - [`msgs`]: the message routines (`allocb` ... `unlinkb`);
//! - [`queues`]: the queue routines (`putnext` ... `qprocsoff`).
//!
//! # The contract with C code
//!
//! As in SVR4, a C module is trusted to pass what strclone gave it: a
//! `queue_t *` of one of its own instances, while that instance is pushed
//! (from its open until its close returns), and messages it owns (each
//! message is owned by exactly one party; a routine that takes a message
//! takes ownership of the whole `b_cont` chain). Those are the safety
//! preconditions of every `extern "C"` function in this file and in
//! `ddi/`. NULL messages and NULL queues are tolerated (ignored, or the
//! failure value returned).

mod msgs;
mod pair;
mod queues;

pub(super) use msgs::{borrow, take};
pub(crate) use pair::CPair;
pub(super) use pair::{resolve, resolve_pair, ModuleRef};

use super::mblk::Msgb;
use crate::streams::{
    modsw::ModName,
    queue::{QLimits, INFPSZ, QHIWAT_MAX},
    stream::DriverLimits,
};
use crate::uapi::FMNAMESZ;
use core::{
    ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void},
    mem::{offset_of, size_of},
};
use kernel::{bindings, prelude::*};

/// The DDI version this strclone implements (`STRCLONE_DDI_VERSION`).
pub(crate) const DDI_VERSION: u32 = 1;

/// `q_flag`: the read queue of its pair.
const QREADR: u32 = 0x10;

/// `struct module_info`.
#[repr(C)]
struct ModuleInfo {
    mi_idnum: u16,
    mi_idname: *const c_char,
    mi_minpsz: c_long,
    mi_maxpsz: c_long,
    mi_hiwat: c_ulong,
    mi_lowat: c_ulong,
}

type PutFn = unsafe extern "C" fn(*mut RawQueue, *mut Msgb) -> c_int;
type SrvFn = unsafe extern "C" fn(*mut RawQueue) -> c_int;

/// `struct qinit`.
#[repr(C)]
pub(crate) struct QInit {
    qi_putp: Option<PutFn>,
    qi_srvp: Option<SrvFn>,
    qi_qopen: *const c_void,
    qi_qclose: *const c_void,
    qi_qadmin: *const c_void,
    qi_minfo: *const ModuleInfo,
    qi_mstat: *const c_void,
}

/// `struct streamtab`.
#[repr(C)]
struct StreamTab {
    st_rdinit: *const QInit,
    st_wrinit: *const QInit,
    st_muxrinit: *const QInit,
    st_muxwinit: *const QInit,
}

/// `struct strclone_modsw`.
#[repr(C)]
pub(crate) struct Modsw {
    version: c_uint,
    name: *const c_char,
    str_: *const StreamTab,
    owner: *mut bindings::module,
}

/// `struct strclone_drvsw`.
#[repr(C)]
pub(crate) struct Drvsw {
    version: c_uint,
    name: *const c_char,
    str_: *const StreamTab,
    owner: *mut bindings::module,
    major: c_uint,
    flags: c_uint,
    nodes: c_uint,
}

/// `STRCLONE_D_CLONE`.
const D_CLONE: c_uint = 0x1;
/// `STRCLONE_D_MP` (SVR4's `D_MP`, with its value).
const D_MP: c_uint = 0x20;
/// `STRCLONE_MAX_NODES`.
pub(crate) const MAX_NODES: u32 = 4096;

/// `queue_t`: the C-visible part of a queue.
#[repr(C)]
pub(crate) struct RawQueue {
    q_qinfo: *const QInit,
    q_ptr: *mut c_void,
    q_flag: u32,
    side: u32,
    /// Unused (NULL): a queue's pair is found from the queue's address.
    pair: *const c_void,
    pad: *mut c_void,
}

// The C header's layout (checked from the C side in ddi_check.c).
const _: () = {
    assert!(size_of::<RawQueue>() == 40);
    assert!(offset_of!(RawQueue, q_qinfo) == 0);
    assert!(offset_of!(RawQueue, q_ptr) == 8);
    assert!(offset_of!(RawQueue, q_flag) == 16);
    assert!(offset_of!(RawQueue, side) == 20);
    assert!(offset_of!(RawQueue, pair) == 24);
    assert!(size_of::<QInit>() == 56);
    assert!(offset_of!(QInit, qi_minfo) == 40);
    assert!(size_of::<ModuleInfo>() == 48);
    assert!(offset_of!(ModuleInfo, mi_idname) == 8);
    assert!(offset_of!(ModuleInfo, mi_hiwat) == 32);
    assert!(size_of::<StreamTab>() == 32);
    assert!(size_of::<Modsw>() == 32);
    assert!(offset_of!(Modsw, owner) == 24);
    assert!(size_of::<Drvsw>() == 48);
    assert!(offset_of!(Drvsw, owner) == 24);
    assert!(offset_of!(Drvsw, major) == 32);
    assert!(offset_of!(Drvsw, nodes) == 40);
};

/// A registered module's procedures: its two `qinit`s and its owner.
///
/// # Invariants
///
/// `rd` and `wr` point at `qinit`s with a `module_info` and, but for the
/// write side of a multiplexor's lower pair, a put procedure, valid while
/// the entry is registered and while any
/// instance holds a reference on `owner` (the provider's static data, or
/// memory it frees only after unregistering).
pub(crate) struct CStreamtab {
    rd: *const QInit,
    wr: *const QInit,
    owner: *mut bindings::module,
    key: usize,
    /// A multiplexing driver's lower `qinit`s (`st_muxrinit`, with a put
    /// procedure and a `module_info`; `st_muxwinit`, with a `module_info`).
    mux: Option<(*const QInit, *const QInit)>,
}

// SAFETY: The pointers are only read, and what they point at does not change
// while registered (type invariant); C procedures may run on any CPU.
unsafe impl Send for CStreamtab {}
// SAFETY: As above.
unsafe impl Sync for CStreamtab {}

fn qinit_ok(qi: *const QInit) -> bool {
    // SAFETY: Non-null pointers are the caller's promise (module comment).
    !qi.is_null() && unsafe { (*qi).qi_putp.is_some() && !(*qi).qi_minfo.is_null() }
}

/// A lower write `qinit` needs no put procedure: nothing above it puts
/// messages there but the driver itself.
fn lower_wqinit_ok(qi: *const QInit) -> bool {
    // SAFETY: As in `qinit_ok`.
    !qi.is_null() && unsafe { !(*qi).qi_minfo.is_null() }
}

fn limits_of(qi: *const QInit) -> (QLimits, bool) {
    // SAFETY: Checked by `qinit_ok` (type invariant of `CStreamtab`).
    let (mi, srv) = unsafe { (&*(*qi).qi_minfo, (*qi).qi_srvp.is_some()) };
    let hiwat = (mi.mi_hiwat as usize).min(QHIWAT_MAX);
    let lim = QLimits {
        minpsz: mi.mi_minpsz.max(0) as usize,
        maxpsz: if mi.mi_maxpsz < 0 {
            INFPSZ
        } else {
            mi.mi_maxpsz as usize
        },
        hiwat,
        lowat: (mi.mi_lowat as usize).min(hiwat),
    };
    (lim, srv)
}

impl CStreamtab {
    /// The name and procedures of the module `m` describes: `EINVAL` for a
    /// wrong version, a bad name, no owner, or a streamtab without two
    /// `qinit`s that each have a put procedure and a `module_info`.
    ///
    /// # Safety
    ///
    /// `m` is NULL or points at a `struct strclone_modsw` whose pointers are
    /// NULL or valid (the module comment's contract).
    unsafe fn from_modsw(m: *const Modsw) -> Result<(ModName, Self)> {
        // SAFETY: The caller's promise.
        let m = unsafe { m.as_ref() }.ok_or(EINVAL)?;
        // A module without an owner could not be pinned by its instances.
        if m.version != DDI_VERSION || m.str_.is_null() || m.owner.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: As above.
        let name = unsafe { name_of(m.name) }?;
        // SAFETY: Non-null, the caller's promise.
        let st = unsafe { &*m.str_ };
        if !qinit_ok(st.st_rdinit) || !qinit_ok(st.st_wrinit) {
            return Err(EINVAL);
        }
        // Both lower qinits or neither (checked for a module too, though
        // only a driver is linked under).
        let mux = match (st.st_muxrinit.is_null(), st.st_muxwinit.is_null()) {
            (true, true) => None,
            _ if qinit_ok(st.st_muxrinit) && lower_wqinit_ok(st.st_muxwinit) => {
                Some((st.st_muxrinit, st.st_muxwinit))
            }
            _ => return Err(EINVAL),
        };
        Ok((
            name,
            Self {
                rd: st.st_rdinit,
                wr: st.st_wrinit,
                owner: m.owner,
                key: m.str_ as usize,
                mux,
            },
        ))
    }

    /// The driver `d` describes: `EINVAL` as [`Self::from_modsw`], and for
    /// a name that is not a file name of `[A-Za-z0-9_.-]`, a major above
    /// 255, unknown flags or too many nodes.
    ///
    /// # Safety
    ///
    /// `d` is NULL or points at a `struct strclone_drvsw` whose pointers are
    /// NULL or valid (the module comment's contract).
    unsafe fn from_drvsw(d: *const Drvsw) -> Result<DriverDesc> {
        // SAFETY: The caller's promise.
        let d = unsafe { d.as_ref() }.ok_or(EINVAL)?;
        let m = Modsw {
            version: d.version,
            name: d.name,
            str_: d.str_,
            owner: d.owner,
        };
        // SAFETY: The same pointers, under the same promise.
        let (name, tab) = unsafe { Self::from_modsw(&m) }?;
        let file_name = name
            .as_bytes()
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
            && !matches!(name.as_bytes(), b"." | b"..");
        if !file_name
            || d.major as usize >= crate::uapi::NMAJOR
            || d.flags & !(D_CLONE | D_MP) != 0
            || d.nodes > MAX_NODES
        {
            return Err(EINVAL);
        }
        Ok(DriverDesc {
            name,
            tab,
            major: d.major,
            clonable: d.flags & D_CLONE != 0,
            mp: d.flags & D_MP != 0,
            nodes: d.nodes,
        })
    }

    /// What identifies the registration: the `streamtab`'s address.
    pub(crate) fn key(&self) -> usize {
        self.key
    }

    /// A multiplexing driver's lower side, as the procedures of a queue
    /// pair of its own; `None` for a driver that is no multiplexor.
    pub(crate) fn lower(&self) -> Option<CStreamtab> {
        let (rd, wr) = self.mux?;
        Some(Self {
            rd,
            wr,
            owner: self.owner,
            key: self.key,
            mux: None,
        })
    }

    /// Queue limits from the two `module_info`s (water marks capped at
    /// `STRCLONE_QHIWAT_MAX`).
    pub(crate) fn limits(&self) -> DriverLimits {
        let (rlim, rsrv) = limits_of(self.rd);
        let (wlim, wsrv) = limits_of(self.wr);
        DriverLimits {
            rlim,
            wlim,
            rsrv,
            wsrv,
        }
    }
}

/// A driver registration, checked ([`CStreamtab::from_drvsw`]).
pub(crate) struct DriverDesc {
    /// Its name (`/dev/clone-<name>`, `/dev/<name>/<minor>`).
    pub(crate) name: ModName,
    /// Its procedures.
    pub(crate) tab: CStreamtab,
    /// The STREAMS major asked for; 0 for any free one.
    pub(crate) major: u32,
    /// `STRCLONE_D_CLONE`.
    pub(crate) clonable: bool,
    /// `STRCLONE_D_MP`: the driver's clone opens may run in parallel.
    pub(crate) mp: bool,
    /// Per-minor nodes asked for.
    pub(crate) nodes: u32,
}

/// A module name from C: at most `FMNAMESZ` bytes before the NUL.
///
/// # Safety
///
/// `p` is NULL or a NUL-terminated string, or at least `FMNAMESZ + 1`
/// readable bytes.
unsafe fn name_of(p: *const c_char) -> Result<ModName> {
    if p.is_null() {
        return Err(EINVAL);
    }
    let mut buf = [0u8; FMNAMESZ + 1];
    let mut n = 0;
    while n <= FMNAMESZ {
        // SAFETY: Within the string or its NUL (the caller's promise).
        let c = unsafe { *p.add(n) } as u8;
        if c == 0 {
            break;
        }
        buf[n] = c;
        n += 1;
    }
    ModName::new(&buf[..n])
}

// ---- Registration -----------------------------------------------------------

/// `strclone_register_module`.
///
/// # Safety
///
/// `m` is NULL or a valid `struct strclone_modsw` (module comment).
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_register_module(m: *const Modsw) -> c_int {
    // SAFETY: The caller's promise.
    let r = unsafe { CStreamtab::from_modsw(m) }
        .and_then(|(name, tab)| crate::ddi::register_module(name, tab));
    r.map_or_else(|e| e.to_errno(), |()| 0)
}

/// `strclone_unregister_module`.
///
/// # Safety
///
/// As [`strclone_register_module`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_unregister_module(m: *const Modsw) -> c_int {
    // SAFETY: The caller's promise.
    let Some(m) = (unsafe { m.as_ref() }) else {
        return EINVAL.to_errno();
    };
    // SAFETY: As above.
    let r = unsafe { name_of(m.name) }
        .and_then(|name| crate::ddi::unregister_module(&name, m.str_ as usize));
    r.map_or_else(|e| e.to_errno(), |()| 0)
}

/// `strclone_register_driver`: the major, or a negative errno.
///
/// # Safety
///
/// `d` is NULL or a valid `struct strclone_drvsw` (module comment).
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_register_driver(d: *const Drvsw) -> c_int {
    // SAFETY: The caller's promise.
    let r = unsafe { CStreamtab::from_drvsw(d) }.and_then(crate::ddi::register_driver);
    r.map_or_else(|e| e.to_errno(), |major| major as c_int)
}

/// `strclone_unregister_driver`.
///
/// # Safety
///
/// As [`strclone_register_driver`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_unregister_driver(d: *const Drvsw) -> c_int {
    // SAFETY: The caller's promise.
    let Some(d) = (unsafe { d.as_ref() }) else {
        return EINVAL.to_errno();
    };
    // SAFETY: As above.
    let r = unsafe { name_of(d.name) }
        .and_then(|name| crate::ddi::unregister_driver(&name, d.str_ as usize));
    r.map_or_else(|e| e.to_errno(), |()| 0)
}

/// `strclone_ddi_version`.
#[no_mangle]
pub(crate) extern "C" fn strclone_ddi_version() -> c_uint {
    DDI_VERSION
}
