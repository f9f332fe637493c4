// SPDX-License-Identifier: GPL-2.0

//! The queue pairs of C instances, and how a `queue_t *` from C finds its
//! pair, stream and queue ([`resolve`]). The contract with C code is
//! `ddi.rs`'s: a `queue_t *` of a live instance.
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
//! is boxed; a driver's is part of its stream's driver, made in place with
//! it ([`CPair::driver_init`]) and given the stream once the stream owns it
//! ([`CPair::link`]), so a C driver's open allocates nothing more than a
//! built-in driver's. A queue finds its pair from its own address (the
//! pair begins with its two queues), so the pair keeps no pointer to
//! itself.

use super::{CStreamtab, QInit, RawQueue, QREADR};
use crate::glue::mblk::Mblk;
use crate::streams::stream::{OpenHow, Qid, Stream, LVL_DRV};
use crate::uapi::{CLONEOPEN, MODOPEN};
use core::{
    cell::UnsafeCell,
    ffi::c_int,
    marker::PhantomPinned,
    mem::{size_of, size_of_val, ManuallyDrop},
    ptr,
    sync::atomic::{AtomicBool, Ordering},
};
use kernel::{
    bindings, pr_warn_once,
    prelude::*,
    sync::{Arc, SetOnce},
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

/// A reference on a provider's kernel module (`try_module_get`).
pub(in crate::glue) struct ModuleRef(*mut bindings::module);

impl ModuleRef {
    /// `ENXIO` when the module is being unloaded. A NULL owner (built into
    /// the kernel) needs no reference.
    pub(in crate::glue) fn get(m: *mut bindings::module) -> Result<Self> {
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
        KBox::pin_init(
            Self::make(tab, StreamLink::Owned(s.clone()), lvl),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// The driver queue pair of a stream about to be made, initialized in
    /// place within the stream's driver (so it holds no count on the
    /// stream), holding a reference on the provider (`ENXIO` when it is
    /// going away). It calls nothing until [`Self::link`] gives it its
    /// stream.
    pub(crate) fn driver_init(tab: &CStreamtab) -> impl Init<Self, Error> {
        Self::make(tab, StreamLink::Borrowed(SetOnce::new()), LVL_DRV)
    }

    /// What both kinds of pair are made with: the pair is built where it
    /// stays (a module's box, or the box of the driver it is part of), not
    /// on the stack and copied there. The provider's reference is taken
    /// first: if it is refused, nothing of the pair is written, and
    /// `stream` is dropped with the initializer.
    fn make(tab: &CStreamtab, stream: StreamLink, lvl: u32) -> impl Init<Self, Error> {
        let (rd, wr, module) = (tab.rd, tab.wr, tab.owner);
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
        try_init!(Self {
            owner: ModuleRef::get(module)?,
            q: [q(rd, 0), q(wr, 1)],
            stream,
            lvl,
            rd,
            wr,
            callouts: AtomicBool::new(false),
            _pin: PhantomPinned,
        })
    }

    /// Gives a driver's pair ([`Self::driver_init`]) its stream `s`, whose
    /// driver the pair is part of: `false` (nothing done) if the pair is not
    /// within `s`'s driver, is a module's, or has its stream already.
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
                crate::glue::ddi_callout::cancel_instance(s, self.lvl);
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
    pub(in crate::glue) fn provider(&self) -> Result<ModuleRef> {
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
                crate::glue::ddi_callout::cancel_instance_pending(s, self.lvl);
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
/// `q` is NULL or a queue of a live [`CPair`] (`ddi.rs`'s contract).
pub(in crate::glue) unsafe fn resolve<'a>(q: *mut RawQueue) -> Option<(&'a Arc<Stream>, Qid)> {
    if q.is_null() {
        return None;
    }
    if !crate::glue::ctx::in_task() {
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
pub(in crate::glue) unsafe fn resolve_pair<'a>(
    q: *mut RawQueue,
) -> Option<(&'a CPair, &'a Arc<Stream>, Qid)> {
    // SAFETY: The caller's promise.
    let (s, qid) = unsafe { resolve(q) }?;
    // SAFETY: As in `resolve`.
    Some((unsafe { &*pair_of(q) }, s, qid))
}
