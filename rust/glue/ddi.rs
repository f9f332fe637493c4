// SPDX-License-Identifier: GPL-2.0

//! The C ABI of the DDI (`include/linux/strclone_ddi.h`): the routines other
//! kernel modules call, and the queue pairs and procedure calls of the
//! modules they register.
//!
//! Rust's ABI is not stable across `.ko` files, so everything another module
//! calls is an `extern "C"` function here, exported by `ddi_export.c` in the
//! `STRCLONE` symbol namespace.
//!
//! # The contract with C code
//!
//! As in SVR4, a C module is trusted to pass what strclone gave it: a
//! `queue_t *` of one of its own instances, while that instance is pushed
//! (from its open until its close returns), and messages it owns (each
//! message is owned by exactly one party; a routine that takes a message
//! takes ownership of the whole `b_cont` chain). Those are the safety
//! preconditions of every `extern "C"` function below. NULL messages and
//! NULL queues are tolerated (ignored, or the failure value returned).
//!
//! # Queue pairs
//!
//! [`CPair`] is one pushed instance of a C module: the two C-visible
//! `queue_t`s (read, then write, so `RD`/`WR`/`OTHERQ` are pointer
//! arithmetic), then what strclone needs to route a call made through them:
//! the stream, the instance's level, the provider's procedures and a
//! reference on the provider's kernel module. The pair is pinned (C keeps
//! pointers into it) and lives as long as the instance: from the push
//! (before the module's open) until the instance is freed, after its close
//! and after every work item that could call it. A module instance's pair
//! is boxed; a driver's is part of its stream's driver, made with it
//! ([`CPair::driver`]) and given the stream once the stream owns it
//! ([`CPair::link`]), so a C driver's open allocates nothing more than a
//! built-in driver's. A queue finds its pair from its own address (the
//! pair begins with its two queues), so the pair keeps no pointer to
//! itself.

use super::mblk::{FreeRtn, Mblk, Msgb};
use crate::streams::{
    modsw::ModName,
    msg::MsgType,
    queue::{QLimits, INFPSZ, QHIWAT_MAX},
    stream::{DriverLimits, OpenHow, Qid, Stream, LVL_DRV},
};
use crate::uapi::{CLONEOPEN, FMNAMESZ, MODOPEN};
use core::{
    cell::UnsafeCell,
    ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void},
    marker::PhantomPinned,
    mem::{offset_of, size_of, size_of_val, ManuallyDrop},
    ptr::{self, NonNull},
    sync::atomic::{AtomicBool, Ordering},
};
use kernel::{
    bindings, pr_warn_once,
    prelude::*,
    sync::{Arc, SetOnce},
};

/// The DDI version this strclone implements (`STRCLONE_DDI_VERSION`).
pub(crate) const DDI_VERSION: u32 = 1;

/// `q_flag`: the read queue of its pair.
const QREADR: u32 = 0x10;
/// `flushq`'s `FLUSHALL`.
const FLUSHALL: c_int = 1;

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

extern "C" {
    fn strclone_call_qopen(
        qi: *const QInit,
        q: *mut RawQueue,
        dev: *mut u32,
        oflag: c_int,
        sflag: c_int,
    ) -> c_int;
    fn strclone_call_qclose(qi: *const QInit, q: *mut RawQueue, oflag: c_int) -> c_int;
}

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
            || d.flags & !D_CLONE != 0
            || d.nodes > MAX_NODES
        {
            return Err(EINVAL);
        }
        Ok(DriverDesc {
            name,
            tab,
            major: d.major,
            clonable: d.flags & D_CLONE != 0,
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

/// A reference on a provider's kernel module (`try_module_get`).
pub(super) struct ModuleRef(*mut bindings::module);

impl ModuleRef {
    /// `ENXIO` when the module is being unloaded. A NULL owner (built into
    /// the kernel) needs no reference.
    pub(super) fn get(m: *mut bindings::module) -> Result<Self> {
        // SAFETY: `m` is NULL or the owner the registration named, valid
        // while registered (`CStreamtab`'s invariant); `try_module_get`
        // accepts NULL.
        if unsafe { bindings::try_module_get(m) } {
            Ok(Self(m))
        } else {
            Err(ENXIO)
        }
    }
}

impl Drop for ModuleRef {
    fn drop(&mut self) {
        // SAFETY: We hold the reference `get` took.
        unsafe { bindings::module_put(self.0) };
    }
}

/// How a queue pair refers to its stream.
///
/// # Invariants
///
/// A `Borrowed` stream holds no count of its own: it is the stream whose
/// driver the pair is part of, so it outlives the pair, and the
/// `ManuallyDrop` never gives a count back.
enum StreamLink {
    /// A module instance's own reference (it is popped, and freed, apart
    /// from the stream).
    Owned(Arc<Stream>),
    /// A driver's pair: part of its stream (a counted reference would be a
    /// cycle); set once the stream exists ([`CPair::link`]).
    Borrowed(SetOnce<ManuallyDrop<Arc<Stream>>>),
}

impl StreamLink {
    /// The stream; `None` only for a driver's pair not linked yet.
    fn get(&self) -> Option<&Arc<Stream>> {
        match self {
            Self::Owned(s) => Some(s),
            Self::Borrowed(s) => s.as_ref().map(|s| &**s),
        }
    }
}

/// One queue pair of a C module instance or of a C driver's stream (see the
/// module comment).
///
/// # Invariants
///
/// `q[0]` is the read queue and `q[1]` the write queue (`side` 0 and 1),
/// each with its `qinit`, at the start of the pair; only `q_ptr` changes
/// after construction, and only C code changes it. C is given a queue
/// (by a call into it) only once the pair no longer moves and has its
/// stream: a module's pair is pinned in its box from the start, a driver's
/// once [`CPair::link`] found it within the driver of its stream (which a
/// shared, `!Unpin` stream never gives out mutably, so the driver stays
/// where it is until the stream is freed), and a pair without its stream
/// calls nothing. `tab` and the provider stay valid while `owner` is held,
/// that is as long as the pair.
#[repr(C)]
pub(crate) struct CPair {
    q: [UnsafeCell<RawQueue>; 2],
    stream: StreamLink,
    lvl: u32,
    rd: *const QInit,
    wr: *const QInit,
    owner: ModuleRef,
    /// A timeout or bufcall was made on the pair's queues (set before it
    /// is registered, never cleared): only then do its close and its drop
    /// look for callouts left behind, in the global table.
    callouts: AtomicBool,
    /// C holds pointers into the pair: once pinned it never moves.
    _pin: PhantomPinned,
}

// SAFETY: The C-visible queues are only read by strclone after construction
// (their `q_ptr` belongs to the module); the rest never changes. The
// module's procedures may run on any CPU, as SVR4 allows.
unsafe impl Send for CPair {}
// SAFETY: As above.
unsafe impl Sync for CPair {}

impl CPair {
    /// A queue pair for an instance of `tab` pushed on `s` at level `lvl`,
    /// holding a reference on its provider (`ENXIO` when it is going away).
    pub(crate) fn new(tab: &CStreamtab, s: &Arc<Stream>, lvl: u32) -> Result<Pin<KBox<Self>>> {
        let pair = Self::make(tab, StreamLink::Owned(s.clone()), lvl)?;
        Ok(KBox::pin(pair, GFP_KERNEL_ACCOUNT)?)
    }

    /// The driver queue pair of a stream about to be made, to be part of
    /// the stream's driver (so it holds no count on the stream), holding a
    /// reference on the provider (`ENXIO` when it is going away). It calls
    /// nothing until [`Self::link`] gives it its stream.
    pub(crate) fn driver(tab: &CStreamtab) -> Result<Self> {
        Self::make(tab, StreamLink::Borrowed(SetOnce::new()), LVL_DRV)
    }

    fn make(tab: &CStreamtab, stream: StreamLink, lvl: u32) -> Result<Self> {
        let owner = ModuleRef::get(tab.owner)?;
        let q = |qinfo: *const QInit, side: u32| {
            UnsafeCell::new(RawQueue {
                q_qinfo: qinfo,
                q_ptr: ptr::null_mut(),
                q_flag: if side == 0 { QREADR } else { 0 },
                side,
                pair: ptr::null(),
                pad: ptr::null_mut(),
            })
        };
        Ok(Self {
            q: [q(tab.rd, 0), q(tab.wr, 1)],
            stream,
            lvl,
            rd: tab.rd,
            wr: tab.wr,
            owner,
            callouts: AtomicBool::new(false),
            _pin: PhantomPinned,
        })
    }

    /// Gives a driver's pair ([`Self::driver`]) its stream `s`, whose driver
    /// the pair is part of: `false` (nothing done) if the pair is not within
    /// `s`'s driver, is a module's, or has its stream already.
    pub(crate) fn link(&self, s: &Arc<Stream>) -> bool {
        let StreamLink::Borrowed(slot) = &self.stream else {
            return false;
        };
        let d = s.driver();
        let start = ptr::from_ref(d).cast::<u8>() as usize;
        let me = ptr::from_ref(self) as usize;
        if me < start || me + size_of::<Self>() > start + size_of_val(d) {
            return false;
        }
        // SAFETY: `Arc::as_ptr` of a live `Arc` is what `from_raw` expects.
        // No count is taken, and the `ManuallyDrop` never gives one back:
        // the pair lies within `s`'s driver, which `s` owns until it is
        // freed, so `s` outlives the pair (`StreamLink`'s invariant). Nor
        // does the pair move from now on: `s` is shared and `!Unpin`
        // (asserted below), so nothing gets `&mut` to it or to its driver.
        slot.populate(ManuallyDrop::new(unsafe { Arc::from_raw(Arc::as_ptr(s)) }))
    }

    /// Whether the pair has its stream, so that C may be given its queues.
    fn linked(&self) -> bool {
        self.stream.get().is_some()
    }

    fn qptr(&self, rd: bool) -> *mut RawQueue {
        self.q[usize::from(!rd)].get()
    }

    /// Calls the module's open on its read queue (`MODOPEN` for a push, 0
    /// for a reopen); its errno if it refuses (a positive or a negative
    /// return are both taken as the errno, as SVR4 and Linux drivers write
    /// them).
    pub(crate) fn open(&self, how: OpenHow) -> Result {
        let sflag = match how {
            OpenHow::Push => MODOPEN as c_int,
            OpenHow::Reopen => 0,
        };
        let s = self.stream.get().ok_or(ENXIO)?;
        self.call_open(makedev(s.major(), s.minor()), sflag)
            .map(|_| ())
    }

    /// Calls a driver's open on its read queue with `(major, minor)`,
    /// `CLONEOPEN` if `clone`, and returns the `(major, minor)` it left in
    /// `*devp`, or its errno.
    pub(crate) fn open_driver(&self, major: u32, minor: u32, clone: bool) -> Result<(u32, u32)> {
        let sflag = if clone { CLONEOPEN as c_int } else { 0 };
        let dev = self.call_open(makedev(major, minor), sflag)?;
        Ok((dev >> 20, dev & 0xfffff))
    }

    fn call_open(&self, mut dev: u32, sflag: c_int) -> Result<u32> {
        if !self.linked() {
            return Err(ENXIO);
        }
        // SAFETY: `rd` is valid (type invariant); the queue is this pair's.
        let r = unsafe { strclone_call_qopen(self.rd, self.qptr(true), &mut dev, 3, sflag) };
        match r.unsigned_abs() {
            0 => Ok(dev),
            e @ 1..=4095 => Err(Error::from_errno(-(e as i32))),
            _ => Err(EIO),
        }
    }

    /// Calls the module's close, then cancels (and waits for) what it left
    /// pending: timeouts and bufcalls (`ddi_callout.rs`).
    pub(crate) fn close(&self) {
        if !self.linked() {
            return;
        }
        // SAFETY: As in `open`.
        unsafe { strclone_call_qclose(self.rd, self.qptr(true), 3) };
        self.cancel_callouts();
    }

    /// Cancels (and waits for) the timeouts and bufcalls left pending on
    /// this pair (a multiplexor's lower pair has no close: it is unlinked);
    /// nothing to look for if it never made one.
    pub(crate) fn cancel_callouts(&self) {
        if let Some(s) = self.stream.get() {
            if self.callouts.load(Ordering::SeqCst) {
                super::ddi_callout::cancel_instance(s, self.lvl);
            }
        }
    }

    /// The address of the read or write `queue_t`, as C code holds it (what
    /// a `linkblk` carries).
    pub(crate) fn queue_addr(&self, rd: bool) -> usize {
        if !self.linked() {
            return 0;
        }
        self.qptr(rd) as usize
    }

    /// Another reference on the provider, for a callback it leaves pending
    /// on this pair's queues (`ddi_callout.rs`); marks the pair as one
    /// whose close and drop must look for its callouts.
    pub(super) fn provider(&self) -> Result<ModuleRef> {
        self.callouts.store(true, Ordering::SeqCst);
        ModuleRef::get(self.owner.0)
    }

    /// Calls the put procedure of the read (`rd`) or write queue with `m`.
    pub(crate) fn put(&self, rd: bool, m: Mblk) {
        if !self.linked() {
            return;
        }
        let qi = if rd { self.rd } else { self.wr };
        // SAFETY: `qi` is valid and has a put procedure (type invariant);
        // the message's ownership goes to the module.
        unsafe {
            if let Some(put) = (*qi).qi_putp {
                put(self.qptr(rd), m.into_raw().as_ptr());
            }
        }
    }

    /// Calls the service procedure of the read or write queue, if any.
    pub(crate) fn srv(&self, rd: bool) {
        if !self.linked() {
            return;
        }
        let qi = if rd { self.rd } else { self.wr };
        // SAFETY: As in `put`.
        unsafe {
            if let Some(srv) = (*qi).qi_srvp {
                srv(self.qptr(rd));
            }
        }
    }
}

// A stream is `!Unpin` (its lock and work items are pinned), so a shared
// one never gives out `&mut` to itself or its driver (`CPair::link`): this
// fails to compile (the `_` is ambiguous) if `Stream` were `Unpin`.
const _: () = {
    trait AmbiguousIfUnpin<A> {
        fn item() {}
    }
    impl<T: ?Sized> AmbiguousIfUnpin<()> for T {}
    impl<T: ?Sized + Unpin> AmbiguousIfUnpin<u8> for T {}
    let _ = <Stream as AmbiguousIfUnpin<_>>::item;
};

/// The kernel's `MKDEV` (what SVR4's `makedevice` is on Linux).
fn makedev(major: u32, minor: u32) -> u32 {
    ((major & 0xfff) << 20) | (minor & 0xfffff)
}

impl Drop for CPair {
    fn drop(&mut self) {
        // Callouts an instance left without a close (its open failed). A
        // driver's pair may be dropped with its stream: only the stream's
        // address is compared (a pending callout holds the stream, so none
        // is left for a stream being freed).
        if let Some(s) = self.stream.get() {
            if self.callouts.load(Ordering::SeqCst) {
                super::ddi_callout::cancel_instance_pending(s, self.lvl);
            }
        }
    }
}

/// The pair a queue of a [`CPair`] belongs to.
///
/// # Safety
///
/// `q` is a queue of a live [`CPair`].
unsafe fn pair_of(q: *mut RawQueue) -> *const CPair {
    // SAFETY: The caller's promise: queue `side` is `q[side]`, at the start
    // of the pair plus `side` queues (`repr(C)`, `UnsafeCell` is
    // transparent).
    unsafe { q.sub((*q).side as usize).cast_const().cast::<CPair>() }
}

/// The stream and queue a `queue_t *` from C names.
///
/// # Safety
///
/// `q` is NULL or a queue of a live [`CPair`] (the module comment).
pub(super) unsafe fn resolve<'a>(q: *mut RawQueue) -> Option<(&'a Arc<Stream>, Qid)> {
    if q.is_null() {
        return None;
    }
    if !super::ctx::in_task() {
        // The stream lock is not interrupt-safe: taking it here could
        // deadlock against the task this interrupted. Refused (a message
        // given with it is freed).
        pr_warn_once!("a DDI queue routine was called from interrupt context: ignored\n");
        return None;
    }
    // SAFETY: A queue of a live pair (the caller's promise), pinned (C has
    // it): `side` never changes, and queue `side` of a pair is `side`
    // queues from the pair's start (`repr(C)`, `q` first).
    let (side, pair) = unsafe { ((*q).side, &*pair_of(q)) };
    Some((
        pair.stream.get()?,
        Qid {
            lvl: pair.lvl,
            rd: side == 0,
        },
    ))
}

/// The pair a `queue_t *` from C belongs to, with its stream and queue
/// ([`resolve`]'s answer and the pair).
///
/// # Safety
///
/// As [`resolve`].
pub(super) unsafe fn resolve_pair<'a>(
    q: *mut RawQueue,
) -> Option<(&'a CPair, &'a Arc<Stream>, Qid)> {
    // SAFETY: The caller's promise.
    let (s, qid) = unsafe { resolve(q) }?;
    // SAFETY: As in `resolve`.
    Some((unsafe { &*pair_of(q) }, s, qid))
}

/// Takes ownership of a message from C.
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns and hands over.
pub(super) unsafe fn take(mp: *mut Msgb) -> Option<Mblk> {
    // SAFETY: The caller's promise.
    NonNull::new(mp).map(|p| unsafe { Mblk::from_raw(p) })
}

/// Borrows a message from C without taking it (dropping the result frees
/// nothing).
///
/// # Safety
///
/// As [`take`]; the caller keeps ownership.
pub(super) unsafe fn borrow(mp: *mut Msgb) -> Option<ManuallyDrop<Mblk>> {
    // SAFETY: The caller's promise.
    unsafe { take(mp) }.map(ManuallyDrop::new)
}

pub(super) fn give(m: Result<Mblk>) -> *mut Msgb {
    m.map_or(ptr::null_mut(), |m| m.into_raw().as_ptr())
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

// ---- Messages ---------------------------------------------------------------

/// `allocb`: never sleeps (`GFP_ATOMIC`); NULL when out of memory.
#[no_mangle]
pub(crate) extern "C" fn strclone_allocb(size: usize, _pri: c_uint) -> *mut Msgb {
    give(Mblk::alloc(size, 0, GFP_ATOMIC))
}

/// `esballoc`: a message over `base[0..size]`, freed by `fr`. The header's
/// `esballoc()` passes the caller's `THIS_MODULE` as `owner`: the message
/// holds a reference on it until `fr`'s routine has returned, so the
/// routine's code outlives the last block (which may be freed long after
/// the module that made it was popped).
///
/// # Safety
///
/// `base` is valid for `size` bytes until `fr`'s routine is called; `fr`
/// points at a valid `frtn_t` (copied); `owner` is NULL or the caller's own
/// (live) module.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_esballoc(
    base: *mut u8,
    size: usize,
    _pri: c_uint,
    fr: *const FreeRtn,
    owner: *mut bindings::module,
) -> *mut Msgb {
    // SAFETY: The caller's promise.
    let Some(fr) = (unsafe { fr.as_ref() }) else {
        return ptr::null_mut();
    };
    if base.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: The caller's promise about the buffer and its owner.
    give(unsafe { Mblk::esballoc(base, size, 0, fr, owner, GFP_ATOMIC) })
}

/// `freeb`: frees one block (its `b_cont` is the caller's, untouched).
///
/// # Safety
///
/// `bp` is NULL or a block the caller owns; its `b_cont` chain stays the
/// caller's.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_freeb(bp: *mut Msgb) {
    // SAFETY: The caller's promise.
    if let Some(mut m) = unsafe { take(bp) } {
        if let Some(rest) = m.take_cont() {
            // Still the caller's: not freed here.
            let _ = rest.into_raw();
        }
    }
}

/// `freemsg`: frees the whole chain.
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_freemsg(mp: *mut Msgb) {
    // SAFETY: The caller's promise.
    drop(unsafe { take(mp) });
}

/// `dupb`: a new block over `bp`'s data block.
///
/// # Safety
///
/// `bp` is NULL or a valid block.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_dupb(bp: *mut Msgb) -> *mut Msgb {
    // SAFETY: The caller's promise.
    match unsafe { bp.as_ref() } {
        Some(b) => give(Mblk::dupb(b, GFP_ATOMIC)),
        None => ptr::null_mut(),
    }
}

/// `dupmsg`.
///
/// # Safety
///
/// `mp` is NULL or a valid message.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_dupmsg(mp: *mut Msgb) -> *mut Msgb {
    // SAFETY: The caller's promise.
    match unsafe { borrow(mp) } {
        Some(m) => give(m.dupmsg(GFP_ATOMIC)),
        None => ptr::null_mut(),
    }
}

/// `copyb`.
///
/// # Safety
///
/// `bp` is NULL or a valid block.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_copyb(bp: *mut Msgb) -> *mut Msgb {
    // SAFETY: The caller's promise.
    match unsafe { bp.as_ref() } {
        Some(b) => give(Mblk::copyb(b, GFP_ATOMIC)),
        None => ptr::null_mut(),
    }
}

/// `copymsg`.
///
/// # Safety
///
/// `mp` is NULL or a valid message.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_copymsg(mp: *mut Msgb) -> *mut Msgb {
    // SAFETY: The caller's promise.
    match unsafe { borrow(mp) } {
        Some(m) => give(m.copymsg(GFP_ATOMIC)),
        None => ptr::null_mut(),
    }
}

/// `msgdsize`: the bytes in the message's `M_DATA` blocks.
///
/// # Safety
///
/// `mp` is NULL or a valid message.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_msgdsize(mp: *mut Msgb) -> usize {
    // SAFETY: The caller's promise.
    unsafe { mp.as_ref() }.map_or(0, Msgb::msgdsize)
}

/// `pullupmsg`: 1 when the first `len` bytes (all for -1) are in the first
/// block, 0 on failure (message unchanged).
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_pullupmsg(mp: *mut Msgb, len: isize) -> c_int {
    // SAFETY: The caller's promise.
    let Some(mut m) = (unsafe { borrow(mp) }) else {
        return 0;
    };
    let len = match len {
        -1 => None,
        l if l < 0 => return 0,
        l => Some(l as usize),
    };
    c_int::from(m.pullup(len, GFP_ATOMIC).is_ok())
}

/// `adjmsg`: trims `len` bytes from the head (from the tail if negative);
/// 1, or 0 when the message is shorter (unchanged).
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_adjmsg(mp: *mut Msgb, len: isize) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { borrow(mp) }.map_or(0, |mut m| c_int::from(m.adjmsg(len)))
}

/// `linkb`: appends `bp` to `mp`'s chain.
///
/// # Safety
///
/// Both are NULL or messages the caller owns; `bp` becomes part of `mp`.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_linkb(mp: *mut Msgb, bp: *mut Msgb) {
    // SAFETY: The caller's promise.
    let m = unsafe { borrow(mp) };
    // SAFETY: The caller's promise.
    let b = unsafe { take(bp) };
    let (Some(mut m), Some(b)) = (m, b) else {
        return;
    };
    m.link_cont(b);
}

/// `unlinkb`: detaches and returns what follows the first block.
///
/// # Safety
///
/// `mp` is NULL or a message the caller owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_unlinkb(mp: *mut Msgb) -> *mut Msgb {
    // SAFETY: The caller's promise.
    unsafe { borrow(mp) }
        .and_then(|mut m| m.take_cont())
        .map_or(ptr::null_mut(), |m| m.into_raw().as_ptr())
}

// ---- Queues -------------------------------------------------------------------

/// `putnext`.
///
/// # Safety
///
/// `q` as [`resolve`]; `mp` a message the caller hands over.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putnext(q: *mut RawQueue, mp: *mut Msgb) {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) };
    // SAFETY: The caller's promise.
    if let (Some((s, q)), Some(m)) = (unsafe { resolve(q) }, m) {
        s.putnext(q, m);
    }
}

/// `qreply`: `putnext` from the other queue of the pair.
///
/// # Safety
///
/// As [`strclone_putnext`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_qreply(q: *mut RawQueue, mp: *mut Msgb) {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) };
    // SAFETY: The caller's promise.
    if let (Some((s, q)), Some(m)) = (unsafe { resolve(q) }, m) {
        s.qreply_from(q, m);
    }
}

/// `putq`: 1 (it never fails; a NULL argument gives 0).
///
/// # Safety
///
/// As [`strclone_putnext`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putq(q: *mut RawQueue, mp: *mut Msgb) -> c_int {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) };
    // SAFETY: The caller's promise.
    match (unsafe { resolve(q) }, m) {
        (Some((s, q)), Some(m)) => {
            s.putq(q, m);
            1
        }
        _ => 0,
    }
}

/// strclone's race-free form of the SVR4 put procedure idiom "pass the
/// message on when nothing of mine is queued and the next queue has room,
/// queue it otherwise": in one stream lock round trip, `mp` goes to the put
/// procedure after `nq` when `q` has nothing queued, its service procedure
/// is neither scheduled nor running, and the queue after `nq` can take
/// `mp`'s band (always for a high-priority message); otherwise it is
/// `putq(q, mp)` ([`Stream::pass_or_queue`]). `nq` is `q` for a module and
/// `RD(q)` for a driver whose write side loops up. With queues of two
/// streams it is `putq(q, mp)`. 1; 0 for a NULL argument (`mp` is freed).
///
/// # Safety
///
/// `q` and `nq` as [`resolve`]; `mp` a message the caller hands over.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_pass_or_putq(
    q: *mut RawQueue,
    nq: *mut RawQueue,
    mp: *mut Msgb,
) -> c_int {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) };
    // SAFETY: The caller's promise, for both queues.
    match (unsafe { resolve(q) }, unsafe { resolve(nq) }, m) {
        (Some((s, own)), Some((t, from)), Some(m)) => {
            if Arc::ptr_eq(s, t) {
                s.pass_or_queue(own, from, m);
            } else {
                s.putq(own, m);
            }
            1
        }
        _ => 0,
    }
}

/// `putbq`: 1 (0 for a NULL argument).
///
/// # Safety
///
/// As [`strclone_putnext`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putbq(q: *mut RawQueue, mp: *mut Msgb) -> c_int {
    // SAFETY: The caller's promise.
    let m = unsafe { take(mp) };
    // SAFETY: The caller's promise.
    match (unsafe { resolve(q) }, m) {
        (Some((s, q)), Some(m)) => {
            s.putbq(q, m);
            1
        }
        _ => 0,
    }
}

/// `getq`: the first message, or NULL.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_getq(q: *mut RawQueue) -> *mut Msgb {
    // SAFETY: The caller's promise.
    unsafe { resolve(q) }
        .and_then(|(s, q)| s.getq(q))
        .map_or(ptr::null_mut(), |m| m.into_raw().as_ptr())
}

/// `flushq`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_flushq(q: *mut RawQueue, flag: c_int) {
    // SAFETY: The caller's promise.
    if let Some((s, q)) = unsafe { resolve(q) } {
        s.flushq(q, flag == FLUSHALL);
    }
}

/// `flushband`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_flushband(q: *mut RawQueue, pri: u8, flag: c_int) {
    // SAFETY: The caller's promise.
    if let Some((s, q)) = unsafe { resolve(q) } {
        s.flushband(q, pri, flag == FLUSHALL);
    }
}

/// `bcanput`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_bcanput(q: *mut RawQueue, pri: u8) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { resolve(q) }.map_or(0, |(s, q)| c_int::from(s.bcanput(q, pri)))
}

/// `canput`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_canput(q: *mut RawQueue) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { strclone_bcanput(q, 0) }
}

/// `bcanputnext`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_bcanputnext(q: *mut RawQueue, pri: u8) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { resolve(q) }.map_or(0, |(s, q)| c_int::from(s.bcanputnext(q, pri)))
}

/// `canputnext`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_canputnext(q: *mut RawQueue) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { strclone_bcanputnext(q, 0) }
}

/// `qenable`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_qenable(q: *mut RawQueue) {
    // SAFETY: The caller's promise.
    if let Some((s, q)) = unsafe { resolve(q) } {
        s.qenable(q);
    }
}

/// `noenable`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_noenable(q: *mut RawQueue) {
    // SAFETY: The caller's promise.
    if let Some((s, q)) = unsafe { resolve(q) } {
        s.noenable(q);
    }
}

/// `enableok`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_enableok(q: *mut RawQueue) {
    // SAFETY: The caller's promise.
    if let Some((s, q)) = unsafe { resolve(q) } {
        s.enableok(q);
    }
}

/// `qsize`: the messages on the queue.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_qsize(q: *mut RawQueue) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { resolve(q) }.map_or(0, |(s, q)| s.qmsgs(q).min(c_int::MAX as usize) as c_int)
}

/// A control message for `putctl*`: `None` for a data type (SVR4 refuses
/// them) or no memory.
fn ctl(ty: c_int, param: Option<c_int>) -> Option<Mblk> {
    let ty = MsgType(u8::try_from(ty).ok()?);
    // SVR4 refuses the data types but M_DELAY (`datamsg()` less M_DELAY).
    if matches!(ty, MsgType::Data | MsgType::Proto | MsgType::PcProto) {
        return None;
    }
    let ty = ty.0;
    let byte = param.map(|p| p as u8);
    Mblk::new(ty, byte.as_slice(), GFP_ATOMIC).ok()
}

/// # Safety
///
/// As [`resolve`].
unsafe fn putctl_to(q: *mut RawQueue, ty: c_int, param: Option<c_int>, next: bool) -> c_int {
    // SAFETY: The caller's promise.
    let Some((s, q)) = (unsafe { resolve(q) }) else {
        return 0;
    };
    let Some(m) = ctl(ty, param) else {
        return 0;
    };
    if next {
        s.putnext(q, m);
    } else {
        s.put(q, m);
    }
    1
}

/// `putctl`: a zero-length control message of `type` to `q`'s own put
/// procedure; 1, or 0 for a data type or no memory.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putctl(q: *mut RawQueue, ty: c_int) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { putctl_to(q, ty, None, false) }
}

/// `putctl1`: as `putctl`, with a one-byte parameter.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putctl1(
    q: *mut RawQueue,
    ty: c_int,
    param: c_int,
) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { putctl_to(q, ty, Some(param), false) }
}

/// `putnextctl`: as `putctl`, to the next queue.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putnextctl(q: *mut RawQueue, ty: c_int) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { putctl_to(q, ty, None, true) }
}

/// `putnextctl1`.
///
/// # Safety
///
/// As [`resolve`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_putnextctl1(
    q: *mut RawQueue,
    ty: c_int,
    param: c_int,
) -> c_int {
    // SAFETY: The caller's promise.
    unsafe { putctl_to(q, ty, Some(param), true) }
}

/// `qprocson`: accepted; strclone turns an instance's procedures on when
/// its open returns 0 (driver-api.rst, "Porting").
#[no_mangle]
pub(crate) extern "C" fn strclone_qprocson(_q: *mut RawQueue) {}

/// `qprocsoff`: accepted; strclone turns an instance's procedures off
/// before its close is called, and waits for calls in flight.
#[no_mangle]
pub(crate) extern "C" fn strclone_qprocsoff(_q: *mut RawQueue) {}
