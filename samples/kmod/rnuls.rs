// SPDX-License-Identifier: GPL-2.0

//! rnuls: a STREAMS "nuls" sink driver written in Rust against strclone's
//! C ABI only (`include/linux/strclone_ddi.h`).
//!
//! Rust's ABI is not stable across `.ko` files, so this module declares the
//! `strclone_*` functions it calls with `extern "C"`, mirrors the structures
//! it passes with `#[repr(C)]`, and imports the `STRCLONE` symbol namespace
//! through `module!`'s `imports_ns` (`Documentation/strclone/driver-api.rst`,
//! "Rust providers").
//!
//! The driver is clonable (`/dev/clone-rnuls`). Everything written down a
//! stream is queued on the write queue and discarded by its service
//! procedure, which counts the bytes; `RNULS_STOP` stops that service
//! procedure (`noenable`), so the queue fills and the writer is flow
//! controlled, and `RNULS_START` resumes it. `RNULS_COUNT` answers the
//! bytes discarded so far (a `u32`). `M_FLUSH` is answered as a driver does;
//! another `I_STR` is refused with `EINVAL`, a transparent ioctl with
//! `ENOTTY`.

use core::{
    ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void},
    ptr,
    sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering},
};
use kernel::prelude::*;

module! {
    type: RNuls,
    name: "rnuls",
    authors: ["strclone developers"],
    description: "rnuls: a STREAMS sink driver in Rust on strclone's C ABI",
    license: "GPL",
    imports_ns: ["STRCLONE"],
}

// ---- The C ABI this module uses (strclone_ddi.h) -------------------------

const STRCLONE_DDI_VERSION: c_uint = 1;
const STRCLONE_D_CLONE: c_uint = 0x1;
const CLONEOPEN: c_int = 0x2;
const QREADR: c_uint = 0x10;
const FLUSHALL: c_int = 1;
const FLUSHR: u8 = 0x01;
const FLUSHW: u8 = 0x02;
const M_DATA: u8 = 0x00;
const M_PROTO: u8 = 0x01;
const M_IOCTL: u8 = 0x0e;
const M_FLUSH: u8 = 0x86;
const M_IOCACK: u8 = 0x81;
const M_IOCNAK: u8 = 0x82;
const TRANSPARENT: c_uint = c_uint::MAX;
const EINVAL: c_int = 22;
const ENXIO: c_int = 6;
const ENOMEM: c_int = 12;
const ENOTTY: c_int = 25;

/// `RNULS_COUNT`: I_STR, a `u32` back (bytes discarded).
const RNULS_COUNT: c_uint = (b'N' as c_uint) << 8 | 1;
/// `RNULS_STOP`: I_STR, stop discarding (the queue fills).
const RNULS_STOP: c_uint = (b'N' as c_uint) << 8 | 2;
/// `RNULS_START`: I_STR, discard again.
const RNULS_START: c_uint = (b'N' as c_uint) << 8 | 3;

#[repr(C)]
struct Datab {
    db_frtnp: *mut c_void,
    db_base: *mut u8,
    db_lim: *mut u8,
    db_ref: c_uint,
    db_type: u8,
    db_class: u8,
    db_flags: u16,
    db_objref: c_uint,
    db_pad: c_uint,
}

#[repr(C)]
struct Msgb {
    b_next: *mut Msgb,
    b_prev: *mut Msgb,
    b_cont: *mut Msgb,
    b_rptr: *mut u8,
    b_wptr: *mut u8,
    b_datap: *mut Datab,
    b_band: u8,
    b_home: u8,
    b_flag: u16,
    b_pad: c_uint,
}

#[repr(C)]
struct Queue {
    q_qinfo: *const QInit,
    q_ptr: *mut c_void,
    q_flag: c_uint,
    q_side: c_uint,
    q_pair: *mut c_void,
    q_pad: *mut c_void,
}

#[repr(C)]
struct ModuleInfo {
    mi_idnum: u16,
    mi_idname: *const c_char,
    mi_minpsz: c_long,
    mi_maxpsz: c_long,
    mi_hiwat: c_ulong,
    mi_lowat: c_ulong,
}

type OpenFn = unsafe extern "C" fn(*mut Queue, *mut u32, c_int, c_int, *mut c_void) -> c_int;
type CloseFn = unsafe extern "C" fn(*mut Queue, c_int, *mut c_void) -> c_int;

#[repr(C)]
struct QInit {
    qi_putp: Option<unsafe extern "C" fn(*mut Queue, *mut Msgb) -> c_int>,
    qi_srvp: Option<unsafe extern "C" fn(*mut Queue) -> c_int>,
    qi_qopen: Option<OpenFn>,
    qi_qclose: Option<CloseFn>,
    qi_qadmin: *const c_void,
    qi_minfo: *const ModuleInfo,
    qi_mstat: *const c_void,
}

#[repr(C)]
struct StreamTab {
    st_rdinit: *const QInit,
    st_wrinit: *const QInit,
    st_muxrinit: *const QInit,
    st_muxwinit: *const QInit,
}

#[repr(C)]
struct Drvsw {
    version: c_uint,
    name: *const c_char,
    str_: *const StreamTab,
    /// `struct module *` (untyped: bindgen's struct is not FFI-safe).
    owner: *mut c_void,
    major: c_uint,
    flags: c_uint,
    nodes: c_uint,
}

#[repr(C)]
struct IocBlk {
    ioc_cmd: c_uint,
    ioc_id: c_uint,
    ioc_count: c_uint,
    ioc_error: c_int,
    ioc_rval: c_int,
    ioc_uid: c_uint,
    ioc_admin: c_uint,
}

extern "C" {
    fn strclone_register_driver(d: *const Drvsw) -> c_int;
    fn strclone_unregister_driver(d: *const Drvsw) -> c_int;
    fn strclone_allocb(size: usize, pri: c_uint) -> *mut Msgb;
    fn strclone_freemsg(mp: *mut Msgb);
    fn strclone_unlinkb(mp: *mut Msgb) -> *mut Msgb;
    fn strclone_msgdsize(mp: *mut Msgb) -> usize;
    fn strclone_qreply(q: *mut Queue, mp: *mut Msgb);
    fn strclone_putq(q: *mut Queue, mp: *mut Msgb) -> c_int;
    fn strclone_getq(q: *mut Queue) -> *mut Msgb;
    fn strclone_flushq(q: *mut Queue, flag: c_int);
    fn strclone_qenable(q: *mut Queue);
    fn strclone_noenable(q: *mut Queue);
    fn strclone_enableok(q: *mut Queue);
}

// ---- The driver ------------------------------------------------------------

/// The driver's name, NUL-terminated.
const NAME: &[u8] = b"rnuls\0";

/// Read-only data C keeps pointers to.
#[repr(transparent)]
struct Shared<T>(T);

// SAFETY: Never written after initialisation; C only reads it.
unsafe impl<T> Sync for Shared<T> {}

static MINFO: Shared<ModuleInfo> = Shared(ModuleInfo {
    mi_idnum: 4444,
    mi_idname: NAME.as_ptr().cast::<c_char>(),
    mi_minpsz: 0,
    mi_maxpsz: 4096,
    mi_hiwat: 8192,
    mi_lowat: 2048,
});

static RINIT: Shared<QInit> = Shared(QInit {
    qi_putp: Some(rnuls_rput),
    qi_srvp: None,
    qi_qopen: Some(rnuls_open),
    qi_qclose: Some(rnuls_close),
    qi_qadmin: ptr::null(),
    qi_minfo: &MINFO.0,
    qi_mstat: ptr::null(),
});

static WINIT: Shared<QInit> = Shared(QInit {
    qi_putp: Some(rnuls_wput),
    qi_srvp: Some(rnuls_wsrv),
    qi_qopen: None,
    qi_qclose: None,
    qi_qadmin: ptr::null(),
    qi_minfo: &MINFO.0,
    qi_mstat: ptr::null(),
});

static INFO: Shared<StreamTab> = Shared(StreamTab {
    st_rdinit: &RINIT.0,
    st_wrinit: &WINIT.0,
    st_muxrinit: ptr::null(),
    st_muxwinit: ptr::null(),
});

/// Minors 0..256 in use (clone opens only).
static USED: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];

fn take_minor() -> Option<u32> {
    for (w, word) in USED.iter().enumerate() {
        let mut cur = word.load(Ordering::Relaxed);
        while cur != u64::MAX {
            let bit = (!cur).trailing_zeros();
            match word.compare_exchange(cur, cur | 1 << bit, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return Some(w as u32 * 64 + bit),
                Err(now) => cur = now,
            }
        }
    }
    None
}

fn free_minor(m: u32) {
    USED[(m / 64) as usize].fetch_and(!(1 << (m % 64)), Ordering::AcqRel);
}

/// One stream's state, in both queues' `q_ptr`.
struct Nuls {
    minor: u32,
    bytes: AtomicU32,
    stopped: AtomicBool,
}

/// # Safety
///
/// `q` is one of this driver's queues, open.
unsafe fn state<'a>(q: *mut Queue) -> &'a Nuls {
    // SAFETY: `q_ptr` holds a `Nuls` from the open until the close.
    unsafe { &*(*q).q_ptr.cast::<Nuls>() }
}

/// The other queue of the pair (`OTHERQ`): read queue first.
///
/// # Safety
///
/// `q` is one of a pair strclone made.
unsafe fn otherq(q: *mut Queue) -> *mut Queue {
    // SAFETY: The pair is two adjacent queues, read then write.
    unsafe {
        if (*q).q_flag & QREADR != 0 {
            q.add(1)
        } else {
            q.sub(1)
        }
    }
}

/// # Safety
///
/// Called by strclone only, with this driver's queue (and a message it
/// hands over), as `strclone_ddi.h` describes.
unsafe extern "C" fn rnuls_open(
    q: *mut Queue,
    devp: *mut u32,
    _oflag: c_int,
    sflag: c_int,
    _cred: *mut c_void,
) -> c_int {
    // SAFETY: strclone passes this stream's read queue and its device.
    unsafe {
        if !(*q).q_ptr.is_null() {
            return 0; // a reopen
        }
        if sflag != CLONEOPEN {
            return ENXIO;
        }
        let Some(minor) = take_minor() else {
            return ENXIO;
        };
        let Ok(st) = KBox::new(
            Nuls {
                minor,
                bytes: AtomicU32::new(0),
                stopped: AtomicBool::new(false),
            },
            GFP_KERNEL,
        ) else {
            free_minor(minor);
            return ENOMEM;
        };
        let p = KBox::into_raw(st).cast::<c_void>();
        (*q).q_ptr = p;
        (*otherq(q)).q_ptr = p;
        // makedevice(getmajor(*devp), minor): the kernel's MKDEV.
        *devp = (*devp & !0xfffff) | minor;
    }
    0
}

/// # Safety
///
/// Called by strclone only, with this driver's queue (and a message it
/// hands over), as `strclone_ddi.h` describes.
unsafe extern "C" fn rnuls_close(q: *mut Queue, _oflag: c_int, _cred: *mut c_void) -> c_int {
    // SAFETY: The read queue of a stream this open succeeded on.
    unsafe {
        let p = (*q).q_ptr.cast::<Nuls>();
        (*q).q_ptr = ptr::null_mut();
        (*otherq(q)).q_ptr = ptr::null_mut();
        let st = KBox::from_raw(p);
        free_minor(st.minor);
    }
    0
}

/// Answers an `M_IOCTL` in place (`mp` is ours).
///
/// # Safety
///
/// `q` is the write queue, `mp` an `M_IOCTL` whose first block holds an
/// `iocblk`.
unsafe fn ioctl(q: *mut Queue, mp: *mut Msgb) {
    // SAFETY: As the function's contract says.
    unsafe {
        let st = state(q);
        let ioc = (*mp).b_rptr.cast::<IocBlk>();
        let mut reply: Option<u32> = None;
        // A transparent ioctl is none of ours (`isatty()` and the like):
        // `ENOTTY`, as Linux programs expect.
        let mut err = if (*ioc).ioc_count == TRANSPARENT {
            ENOTTY
        } else {
            EINVAL
        };
        match (*ioc).ioc_cmd {
            _ if (*ioc).ioc_count == TRANSPARENT => {}
            RNULS_COUNT => reply = Some(st.bytes.load(Ordering::Relaxed)),
            RNULS_STOP => {
                st.stopped.store(true, Ordering::Relaxed);
                strclone_noenable(q);
                err = 0;
            }
            RNULS_START => {
                st.stopped.store(false, Ordering::Relaxed);
                strclone_enableok(q);
                strclone_qenable(q);
                err = 0;
            }
            _ => {}
        }
        strclone_freemsg(strclone_unlinkb(mp));
        (*ioc).ioc_count = 0;
        if let Some(v) = reply {
            let b = strclone_allocb(4, 0);
            if b.is_null() {
                err = ENOMEM;
            } else {
                ptr::write_unaligned((*b).b_wptr.cast::<u32>(), v);
                (*b).b_wptr = (*b).b_wptr.add(4);
                (*mp).b_cont = b;
                (*ioc).ioc_count = 4;
                err = 0;
            }
        }
        (*ioc).ioc_error = err;
        (*ioc).ioc_rval = 0;
        (*(*mp).b_datap).db_type = if err == 0 { M_IOCACK } else { M_IOCNAK };
        strclone_qreply(q, mp);
    }
}

/// # Safety
///
/// Called by strclone only, with this driver's queue (and a message it
/// hands over), as `strclone_ddi.h` describes.
unsafe extern "C" fn rnuls_wput(q: *mut Queue, mp: *mut Msgb) -> c_int {
    // SAFETY: strclone gives this driver's write queue and a message it
    // owns now.
    unsafe {
        match (*(*mp).b_datap).db_type {
            M_DATA | M_PROTO => {
                strclone_putq(q, mp);
            }
            M_FLUSH => {
                let flag = *(*mp).b_rptr;
                if flag & FLUSHW != 0 {
                    strclone_flushq(q, FLUSHALL);
                }
                if flag & FLUSHR != 0 {
                    strclone_flushq(otherq(q), FLUSHALL);
                    *(*mp).b_rptr = flag & !FLUSHW;
                    strclone_qreply(q, mp);
                } else {
                    strclone_freemsg(mp);
                }
            }
            M_IOCTL => ioctl(q, mp),
            _ => strclone_freemsg(mp),
        }
    }
    0
}

/// Discards what was written, unless stopped.
///
/// # Safety
///
/// Called by strclone only, with this driver's write queue.
unsafe extern "C" fn rnuls_wsrv(q: *mut Queue) -> c_int {
    // SAFETY: This driver's write queue, open.
    unsafe {
        let st = state(q);
        if st.stopped.load(Ordering::Relaxed) {
            return 0;
        }
        loop {
            let mp = strclone_getq(q);
            if mp.is_null() {
                break;
            }
            st.bytes
                .fetch_add(strclone_msgdsize(mp) as u32, Ordering::Relaxed);
            strclone_freemsg(mp);
        }
    }
    0
}

/// # Safety
///
/// Called by strclone only, with this driver's queue (and a message it
/// hands over), as `strclone_ddi.h` describes.
unsafe extern "C" fn rnuls_rput(_q: *mut Queue, mp: *mut Msgb) -> c_int {
    // SAFETY: A message strclone gave us.
    unsafe { strclone_freemsg(mp) };
    0
}

struct RNuls {
    drvsw: Drvsw,
}

// SAFETY: `drvsw` only holds pointers to statics and to this module.
unsafe impl Send for RNuls {}
// SAFETY: As above; it is only read.
unsafe impl Sync for RNuls {}

impl kernel::Module for RNuls {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let drvsw = Drvsw {
            version: STRCLONE_DDI_VERSION,
            name: NAME.as_ptr().cast::<c_char>(),
            str_: &INFO.0,
            owner: module.as_ptr().cast(),
            major: 0,
            flags: STRCLONE_D_CLONE,
            nodes: 0,
        };
        // SAFETY: A valid registration of statics that live as long as the
        // module, which unregisters in `drop`.
        let r = unsafe { strclone_register_driver(&drvsw) };
        if r < 0 {
            return Err(Error::from_errno(r));
        }
        pr_info!("registered at STREAMS major {}\n", r);
        Ok(Self { drvsw })
    }
}

impl Drop for RNuls {
    fn drop(&mut self) {
        // SAFETY: The registration `init` made; no stream is open (each
        // would hold this module), so it cannot fail.
        let r = unsafe { strclone_unregister_driver(&self.drvsw) };
        if r != 0 {
            pr_warn!("unregister: {}\n", r);
        }
    }
}
