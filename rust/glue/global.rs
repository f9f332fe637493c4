// SPDX-License-Identifier: GPL-2.0

//! strclone's module-wide state that C callers reach without a context
//! argument: the table of modules other kernel modules registered
//! (`strclone_register_module` has no handle to pass), the table of
//! drivers they registered, with what registering one needs, and the table
//! of multiplexor links.
//!
//! A kernel global lock must be initialised once before its first use;
//! [`init`] does it from the module's init, before any node exists or any
//! symbol can be called (a provider module can only load once strclone's
//! init returned).

use crate::ddi::DrvTable;
use crate::log::LogTarget;
use crate::streams::{modsw::ExtTable, mux::MuxTable, stream::Runtime};
use core::{
    pin::Pin,
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::sync::{lock::GlobalGuard, Arc, ArcBorrow};

kernel::sync::global_lock! {
    // SAFETY: `init` runs in strclone's module init, before any other use.
    pub(crate) unsafe(uninit) static EXT_MODS: Mutex<ExtTable> = ExtTable::new();
}

kernel::sync::global_lock! {
    // SAFETY: `init` runs in strclone's module init, before any other use.
    pub(crate) unsafe(uninit) static EXT_DRVS: Mutex<DrvTable> = DrvTable::new();
}

kernel::sync::global_lock! {
    // SAFETY: `init` runs in strclone's module init, before any other use.
    pub(crate) unsafe(uninit) static MUXES: Mutex<MuxTable> = MuxTable::new();
}

/// Initialises the globals. Called once, first thing in module init.
pub(crate) fn init() {
    // SAFETY: called exactly once, from module init, before any use (see
    // the module comment).
    unsafe { EXT_MODS.init() };
    // SAFETY: As above.
    unsafe { EXT_DRVS.init() };
    // SAFETY: As above.
    unsafe { MUXES.init() };
    super::ddi_callout::init();
}

/// An `Arc` published for C callers without a handle: set once at module
/// init (before any provider can load), taken back at module exit (when no
/// provider is loaded, so no C caller is left), read lock-free in between
/// from any context but NMI (`strlog` may be called from an interrupt).
///
/// # Invariants
///
/// `ptr` is null or came from `Arc::into_raw`, and that reference is owned
/// here until [`Published::take`].
pub(crate) struct Published<T> {
    ptr: AtomicPtr<T>,
}

impl<T> Published<T> {
    const fn new() -> Self {
        Self {
            ptr: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Publishes `v` (dropping what was published before).
    pub(crate) fn set(&self, v: Arc<T>) {
        let old = self.ptr.swap(Arc::into_raw(v).cast_mut(), Ordering::AcqRel);
        if !old.is_null() {
            // SAFETY: `old` came from `Arc::into_raw` (type invariant) and
            // is no longer published.
            drop(unsafe { Arc::from_raw(old) });
        }
    }

    /// What is published, borrowed.
    pub(crate) fn get(&self) -> Option<ArcBorrow<'_, T>> {
        let p = self.ptr.load(Ordering::Acquire);
        if p.is_null() {
            return None;
        }
        // SAFETY: `p` came from `Arc::into_raw` (type invariant), and its
        // reference is given back only by `take`, at module exit, when no
        // caller is left (see above): it outlives the borrow.
        Some(unsafe { ArcBorrow::from_raw(p) })
    }

    /// Unpublishes and returns the value.
    fn take(&self) -> Option<Arc<T>> {
        let p = self.ptr.swap(ptr::null_mut(), Ordering::AcqRel);
        // SAFETY: As in `set`.
        (!p.is_null()).then(|| unsafe { Arc::from_raw(p) })
    }
}

/// The log the DDI's `strlog` writes to.
pub(crate) static LOG: Published<LogTarget> = Published::new();
/// The runtime whose workqueue runs the DDI's callbacks that have no queue
/// (`bufcall`).
pub(crate) static RUNTIME: Published<Runtime> = Published::new();

/// The log and the runtime published for the DDI's C callers, for as long
/// as this lives (a field of the module: dropped at exit, or when a later
/// step of the module's init fails).
pub(crate) struct DdiGlobals(());

impl Drop for DdiGlobals {
    fn drop(&mut self) {
        drop(LOG.take());
        drop(RUNTIME.take());
    }
}

/// Publishes the log and the runtime for the DDI's C callers (module init).
pub(crate) fn publish(log: Arc<LogTarget>, rt: Arc<Runtime>) -> DdiGlobals {
    LOG.set(log);
    RUNTIME.set(rt);
    DdiGlobals(())
}

/// Frees what the globals hold. Called from module exit: no provider is
/// loaded any more (each one pins strclone), so the table is empty, but its
/// buffer would outlive the module (a static is never dropped). Likewise
/// the table of links: every stream is closed, so no link is left, but the
/// buffer the first link grew it into is.
pub(crate) fn fini() {
    let old = core::mem::take(&mut *EXT_MODS.lock());
    drop(old);
    let old = core::mem::take(&mut *MUXES.lock());
    drop(old);
    super::ddi_callout::fini();
}

/// The registered drivers' table, locked (a sleeping lock: registration
/// makes nodes).
pub(crate) fn ext_drvs() -> GlobalGuard<EXT_DRVS> {
    EXT_DRVS.lock()
}

/// The registered modules' table, locked (a sleeping lock: registration
/// allocates, and no caller holds a spinlock).
pub(crate) fn ext_mods() -> GlobalGuard<EXT_MODS> {
    EXT_MODS.lock()
}

/// The table of multiplexor links (`streams/mux.rs`), which no C caller
/// reaches but which every stream shares.
pub(crate) fn muxes() -> GlobalGuard<MUXES> {
    MUXES.lock()
}
