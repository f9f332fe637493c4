// SPDX-License-Identifier: GPL-2.0

//! The DDI's timeouts and bufcalls for C modules and drivers
//! (`include/linux/strclone_ddi.h`, "Utility routines"; the guide is
//! `Documentation/strclone/driver-api.rst`, "Timeouts and bufcalls"):
//! `qtimeout`/`quntimeout`, `qbufcall`/`qunbufcall` and
//! `bufcall`/`unbufcall`, exported by `ddi_export.c`.
//!
//! The contract with C code is `ddi.rs`'s: a `queue_t *` of a live
//! instance; a function and argument that stay valid until the callback
//! ran or was cancelled.
//!
//! # Callouts
//!
//! A timeout or bufcall is a [`Callout`]: a delayed work item on strclone's
//! workqueue (process context, never a timer softirq), the C function and
//! its argument, a reference on the provider's kernel module, and for the
//! queue forms the stream (a reference) and the queue. Every pending or
//! running callout is in [`CALLOUTS`] with its state; the state changes
//! only under that lock, so a callout runs at most once and a cancel either
//! takes it off before it starts or sees it running and waits.
//!
//! ```text
//!   qtimeout ─► CALLOUTS += Pending ─► delayed work (strclone's workqueue)
//!       run: Pending → Running ─► Stream::run_callout(q, func(arg)) ─► removed
//!   quntimeout/qunbufcall: Pending → removed, work cancelled; Running → wait
//!   the instance's close (CPair::close): every callout of its queues removed
//!   and cancelled, running ones waited for
//! ```
//!
//! A queue callout calls its function only while the queue's procedures
//! are on (`Stream::run_callout`: counted like a service procedure, so a
//! pop waits for it before the module's close); one that comes due while
//! they are not on yet (the module's open still runs) is tried again a tick
//! later; one whose module is gone is dropped. The instance's close cancels
//! whatever it left, so no callback runs after the close returned, and the
//! provider's module reference goes with it: the provider can be unloaded.

use super::ddi::{resolve, resolve_pair, ModuleRef, RawQueue};
use super::mblk::Mblk;
use crate::streams::{
    callout::CalloutRun,
    stream::{Qid, Runtime, Stream},
};
use core::{
    ffi::{c_long, c_uint, c_void},
    ptr,
    sync::atomic::{AtomicUsize, Ordering},
};
use kernel::{
    alloc::flags::__GFP_NOWARN,
    bindings, impl_has_delayed_work, new_delayed_work, pr_warn_once,
    prelude::*,
    sync::Arc,
    task::Task,
    time::{msecs_to_jiffies, Jiffies},
    workqueue::{DelayedWork, WorkItem},
};
type CalloutFn = unsafe extern "C" fn(*mut c_void);

/// How long a bufcall waits before it tries the allocation again.
const BUFCALL_RETRY_MS: u32 = 20;

/// The longest delay `qtimeout` takes, in ticks (about 24 days at
/// `HZ=1000`; longer ones are cut to it).
const MAX_TICKS: c_long = i32::MAX as c_long;

/// What a callout is for.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Kind {
    /// `qtimeout`.
    Timeout,
    /// `bufcall`/`qbufcall` of this many bytes.
    Bufcall(usize),
}

/// One timeout or bufcall (see the module comment).
///
/// # Invariants
///
/// `func` is the provider's function and `arg` its argument, both valid
/// while `_owner` is held (the provider's code cannot be unloaded).
#[pin_data]
pub(crate) struct Callout {
    #[pin]
    work: DelayedWork<Callout>,
    id: usize,
    kind: Kind,
    /// The stream and queue of `qtimeout`/`qbufcall`; `None` for `bufcall`.
    target: Option<(Arc<Stream>, Qid)>,
    rt: Arc<Runtime>,
    func: CalloutFn,
    arg: usize,
    /// `jiffies` when a timeout is due.
    due: Jiffies,
    _owner: ModuleRef,
}

// SAFETY: The function and argument are the provider's, which SVR4 lets
// run on any CPU; the rest is immutable or thread safe.
unsafe impl Send for Callout {}
// SAFETY: As above; nothing is changed through `&Callout`.
unsafe impl Sync for Callout {}

impl_has_delayed_work! {
    impl HasDelayedWork<Self> for Callout { self.work }
}

/// Where a callout is in its life (under [`CALLOUTS`]).
#[derive(Copy, Clone, PartialEq, Eq)]
enum State {
    /// Its work item is queued (or about to run and not yet started).
    Pending,
    /// Its work item runs it, in the task at this address.
    Running(usize),
}

/// A callout that is pending or running.
struct Entry {
    c: Arc<Callout>,
    state: State,
}

kernel::sync::global_lock! {
    // SAFETY: `init` runs from strclone's module init (`global::init`),
    // before any C caller can exist.
    unsafe(uninit) static CALLOUTS: SpinLock<KVec<Entry>> = KVec::new();
}

/// Initialises the callout table. Called once, from `global::init`.
pub(crate) fn init() {
    // SAFETY: Called once, from module init, before any use.
    unsafe { CALLOUTS.init() };
}

/// Frees the callout table's buffer (module exit: no provider is loaded,
/// so no callout is left: each holds its provider).
pub(crate) fn fini() {
    drop(core::mem::take(&mut *CALLOUTS.lock()));
}

/// The next callout id (never 0, SVR4's failure value).
fn next_id() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    loop {
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        if id != 0 {
            return id;
        }
    }
}

fn now() -> Jiffies {
    // SAFETY: `jiffies` is a kernel global that is always readable; the
    // volatile read is how C reads it.
    unsafe { ptr::read_volatile(&raw const bindings::jiffies) }
}

fn current_task() -> usize {
    Task::current_raw() as usize
}

/// Takes back the reference the workqueue held for a pending work item of
/// `c` that `cancel_delayed_work` took off the queue.
fn cancel_queued(c: &Arc<Callout>) -> Option<Arc<Callout>> {
    let dw: *const DelayedWork<Callout> = &c.work;
    // SAFETY: `DelayedWork` is a transparent wrapper of `delayed_work`, and
    // `c` keeps it alive. `cancel_delayed_work` does not sleep.
    let cancelled = unsafe { bindings::cancel_delayed_work(dw.cast_mut().cast()) };
    // SAFETY: When it was cancelled the workqueue's reference (from
    // `Arc::into_raw` in `enqueue_delayed`) is ours to give back.
    cancelled.then(|| unsafe { Arc::from_raw(Arc::as_ptr(c)) })
}

/// Queues `c`'s work item in `delay` ticks. Called with [`CALLOUTS`] held
/// (or before `c` is in it): the work item is not queued, so it cannot fail.
fn queue(c: &Arc<Callout>, delay: Jiffies) {
    // An `Err` would mean it is queued already: not possible (see above).
    let _ = c.rt.queue().enqueue_delayed(c.clone(), delay);
}

impl Callout {
    /// A new callout, in [`CALLOUTS`] and queued to run in `delay` ticks;
    /// its id, or `ENOMEM`.
    fn start(
        kind: Kind,
        target: Option<(Arc<Stream>, Qid)>,
        rt: Arc<Runtime>,
        func: CalloutFn,
        arg: *mut c_void,
        delay: Jiffies,
        owner: ModuleRef,
    ) -> Result<usize> {
        let id = next_id();
        let c = Arc::pin_init(
            pin_init!(Callout {
                work <- new_delayed_work!("Callout::work"),
                id,
                kind,
                target,
                rt,
                func,
                arg: arg as usize,
                due: now().wrapping_add(delay),
                _owner: owner,
            }),
            GFP_ATOMIC,
        )?;
        let mut t = CALLOUTS.lock();
        t.reserve(1, GFP_ATOMIC)?;
        queue(&c, delay);
        let e = Entry {
            c,
            state: State::Pending,
        };
        if t.push_within_capacity(e).is_err() {
            // Not reached: reserved above.
            return Err(ENOMEM);
        }
        Ok(id)
    }

    /// Whether a bufcall's allocation would likely succeed now: one of its
    /// size does, without waiting or warning.
    fn buffer_likely(size: usize) -> bool {
        Mblk::alloc(size, 0, GFP_ATOMIC | __GFP_NOWARN).is_ok()
    }

    fn call(&self) {
        // SAFETY: The provider's function and argument, valid while its
        // module is held (type invariant).
        unsafe { (self.func)(self.arg as *mut c_void) };
    }
}

impl WorkItem for Callout {
    type Pointer = Arc<Callout>;

    /// strclone's workqueue: process context.
    fn run(this: Arc<Callout>) {
        {
            let mut t = CALLOUTS.lock();
            let Some(e) = t.iter_mut().find(|e| Arc::ptr_eq(&e.c, &this)) else {
                // Cancelled after this work item left the queue.
                return;
            };
            if e.state != State::Pending {
                return;
            }
            e.state = State::Running(current_task());
        }
        let mut retry = None;
        if let Kind::Bufcall(size) = this.kind {
            if !Callout::buffer_likely(size) {
                retry = Some(msecs_to_jiffies(BUFCALL_RETRY_MS));
            }
        }
        if retry.is_none() {
            let r = match &this.target {
                Some((s, q)) => s.run_callout(*q, || this.call()),
                None => {
                    this.call();
                    CalloutRun::Ran
                }
            };
            if r == CalloutRun::NotYet {
                // The module's open still runs: a tick later.
                retry = Some(1);
            }
        }
        let done = {
            let mut t = CALLOUTS.lock();
            let i = t.iter().position(|e| Arc::ptr_eq(&e.c, &this));
            match (i, retry) {
                (Some(i), Some(delay)) => {
                    t[i].state = State::Pending;
                    queue(&this, delay);
                    None
                }
                (Some(i), None) => t.remove(i).ok(),
                (None, _) => None,
            }
        };
        // The table's reference goes outside the lock (it may be the
        // stream's last).
        drop(done);
    }
}

/// What cancelling a callout found.
enum Cancelled {
    /// It was pending: taken off, due in this many ticks.
    Pending(Jiffies),
    /// It had run, or is unknown (or is the caller itself, running).
    Gone,
}

/// Cancels callout `id` if `belongs` accepts it, waiting for it if it is
/// running in another task (spinning: callbacks do not sleep).
fn cancel(id: usize, belongs: impl Fn(&Callout) -> bool) -> Cancelled {
    let me = current_task();
    loop {
        let (queued, entry, due) = {
            let mut t = CALLOUTS.lock();
            let Some(i) = t.iter().position(|e| e.c.id == id && belongs(&e.c)) else {
                return Cancelled::Gone;
            };
            match t[i].state {
                State::Running(task) if task == me => return Cancelled::Gone,
                State::Running(_) => (None, None, 0),
                State::Pending => {
                    let e = t.remove(i).ok();
                    let queued = e.as_ref().and_then(|e| cancel_queued(&e.c));
                    let due = e.as_ref().map_or(0, |e| e.c.due);
                    (queued, e, due)
                }
            }
        };
        if entry.is_some() {
            drop(queued);
            drop(entry);
            let left = due.wrapping_sub(now()) as c_long;
            return Cancelled::Pending(left.max(0) as Jiffies);
        }
        core::hint::spin_loop();
    }
}

/// Cancels every callout of the instance at level `lvl` of `s` and waits
/// for those running: its close returned (`CPair::close`), so nothing may
/// call it any more. Process context.
pub(crate) fn cancel_instance(s: &Arc<Stream>, lvl: u32) {
    cancel_instance_then(s, lvl, true);
}

/// Cancels the pending callouts of the instance at level `lvl` of `s`
/// without waiting for running ones: its queue pair is being freed, maybe
/// under a stream lock, after a close that waited already or after an open
/// that failed (whose callouts never passed `Stream::run_callout`'s gate:
/// the procedures were never on). So the provider is not held until a
/// timeout of an instance that never opened would have come due.
pub(crate) fn cancel_instance_pending(s: &Arc<Stream>, lvl: u32) {
    cancel_instance_then(s, lvl, false);
}

fn cancel_instance_then(s: &Arc<Stream>, lvl: u32, wait: bool) {
    let ours = |c: &Callout| {
        c.target
            .as_ref()
            .is_some_and(|(cs, q)| Arc::ptr_eq(cs, s) && q.lvl == lvl)
    };
    loop {
        let mut gone = KVec::new();
        let mut running = false;
        {
            let mut t = CALLOUTS.lock();
            let mut i = 0;
            while i < t.len() {
                if !ours(&t[i].c) {
                    i += 1;
                    continue;
                }
                if t[i].state != State::Pending {
                    running = true;
                    i += 1;
                    continue;
                }
                if let Ok(e) = t.remove(i) {
                    let queued = cancel_queued(&e.c);
                    // Dropped outside the lock; if there is no room to
                    // keep them, under it (the stream outlives its
                    // instance, so neither is its last reference).
                    let _ = gone.push((e, queued), GFP_ATOMIC);
                }
            }
        }
        drop(gone);
        if !running || !wait {
            return;
        }
        core::hint::spin_loop();
    }
}

/// The ticks argument as a delay: 0 for a negative one, at most
/// [`MAX_TICKS`].
fn ticks(t: c_long) -> Jiffies {
    t.clamp(0, MAX_TICKS) as Jiffies
}

/// A queue callout for `q`: its stream and queue, the provider reference
/// and the runtime.
///
/// # Safety
///
/// As `resolve`.
unsafe fn queue_target(q: *mut RawQueue) -> Option<((Arc<Stream>, Qid), ModuleRef)> {
    // SAFETY: The caller's promise.
    let (pair, s, qid) = unsafe { resolve_pair(q) }?;
    let owner = pair.provider().ok()?;
    Some(((s.clone(), qid), owner))
}

fn id_out(r: Result<usize>) -> *mut c_void {
    r.map_or(ptr::null_mut(), |id| id as *mut c_void)
}

// ---- Timeouts -------------------------------------------------------------------

/// `qtimeout`: `func(arg)` in `t` ticks, from strclone's workqueue, while
/// `q`'s procedures are on. The id, or NULL (0) for a NULL queue or
/// function, interrupt context, or no memory.
///
/// # Safety
///
/// `q` as `resolve`; `func` a function of the provider, callable with
/// `arg` until the timeout has run or been cancelled.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_qtimeout(
    q: *mut RawQueue,
    func: Option<CalloutFn>,
    arg: *mut c_void,
    t: c_long,
) -> *mut c_void {
    let Some(func) = func else {
        return ptr::null_mut();
    };
    // SAFETY: The caller's promise.
    let Some((target, owner)) = (unsafe { queue_target(q) }) else {
        return ptr::null_mut();
    };
    let rt = target.0.rt.clone();
    id_out(Callout::start(
        Kind::Timeout,
        Some(target),
        rt,
        func,
        arg,
        ticks(t),
        owner,
    ))
}

/// `quntimeout`: cancels timeout `id` of `q`'s instance; the ticks it had
/// left, or -1 when it already ran (or is unknown, or belongs to another
/// instance). A callback that is running is waited for, unless the caller
/// is that callback.
///
/// # Safety
///
/// As `resolve`.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_quntimeout(q: *mut RawQueue, id: *mut c_void) -> c_long {
    // SAFETY: The caller's promise.
    let Some((s, qid)) = (unsafe { resolve(q) }) else {
        return -1;
    };
    let r = cancel(id as usize, |c| {
        c.kind == Kind::Timeout
            && c.target
                .as_ref()
                .is_some_and(|(cs, cq)| Arc::ptr_eq(cs, s) && cq.lvl == qid.lvl)
    });
    match r {
        Cancelled::Pending(left) => c_long::try_from(left).unwrap_or(c_long::MAX),
        Cancelled::Gone => -1,
    }
}

// ---- Bufcalls -------------------------------------------------------------------

fn bufcall_start(
    target: Option<(Arc<Stream>, Qid)>,
    rt: Arc<Runtime>,
    size: usize,
    func: CalloutFn,
    arg: *mut c_void,
    owner: ModuleRef,
) -> *mut c_void {
    id_out(Callout::start(
        Kind::Bufcall(size),
        target,
        rt,
        func,
        arg,
        1,
        owner,
    ))
}

/// `qbufcall`: `func(arg)` once an allocation of `size` bytes would likely
/// succeed (tried a tick from now, then every `BUFCALL_RETRY_MS`), while
/// `q`'s procedures are on. The id, or NULL (0).
///
/// # Safety
///
/// As [`strclone_qtimeout`].
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_qbufcall(
    q: *mut RawQueue,
    size: usize,
    _pri: c_uint,
    func: Option<CalloutFn>,
    arg: *mut c_void,
) -> *mut c_void {
    let Some(func) = func else {
        return ptr::null_mut();
    };
    // SAFETY: The caller's promise.
    let Some((target, owner)) = (unsafe { queue_target(q) }) else {
        return ptr::null_mut();
    };
    let rt = target.0.rt.clone();
    bufcall_start(Some(target), rt, size, func, arg, owner)
}

/// `bufcall`: as `qbufcall` without a queue: tied to no instance, it holds
/// the calling module (`owner`, the header passes `THIS_MODULE`) until it
/// ran or `unbufcall` cancelled it. NULL (0) for a NULL function,
/// interrupt context, or no memory.
///
/// # Safety
///
/// `func` and `arg` as [`strclone_qtimeout`]; `owner` is NULL or the
/// caller's own (live) module.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_bufcall(
    size: usize,
    _pri: c_uint,
    func: Option<CalloutFn>,
    arg: *mut c_void,
    owner: *mut bindings::module,
) -> *mut c_void {
    let Some(func) = func else {
        return ptr::null_mut();
    };
    if !super::ctx::in_task() {
        pr_warn_once!("bufcall was called from interrupt context: refused\n");
        return ptr::null_mut();
    }
    let Some(rt) = super::global::RUNTIME.get() else {
        return ptr::null_mut();
    };
    let Ok(owner) = ModuleRef::get(owner) else {
        return ptr::null_mut();
    };
    bufcall_start(None, rt.into(), size, func, arg, owner)
}

/// `qunbufcall`: cancels bufcall `id` of `q`'s instance (waiting for it if
/// it is running in another task).
///
/// # Safety
///
/// As `resolve`.
#[no_mangle]
pub(crate) unsafe extern "C" fn strclone_qunbufcall(q: *mut RawQueue, id: *mut c_void) {
    // SAFETY: The caller's promise.
    let Some((s, qid)) = (unsafe { resolve(q) }) else {
        return;
    };
    cancel(id as usize, |c| {
        matches!(c.kind, Kind::Bufcall(_))
            && c.target
                .as_ref()
                .is_some_and(|(cs, cq)| Arc::ptr_eq(cs, s) && cq.lvl == qid.lvl)
    });
}

/// `unbufcall`: cancels bufcall `id` (either form), waiting for it if it
/// is running in another task.
#[no_mangle]
pub(crate) extern "C" fn strclone_unbufcall(id: *mut c_void) {
    if !super::ctx::in_task() {
        pr_warn_once!("unbufcall was called from interrupt context: ignored\n");
        return;
    }
    cancel(id as usize, |c| matches!(c.kind, Kind::Bufcall(_)));
}
