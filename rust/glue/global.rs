// SPDX-License-Identifier: GPL-2.0

//! strclone's module-wide state that C callers reach without a context
//! argument: the table of modules other kernel modules registered
//! (`strclone_register_module` has no handle to pass).
//!
//! A kernel global lock must be initialised once before its first use;
//! [`init`] does it from the module's init, before any node exists or any
//! symbol can be called (a provider module can only load once strclone's
//! init returned).

use crate::streams::modsw::ExtTable;
use core::pin::Pin;
use kernel::sync::lock::GlobalGuard;

kernel::sync::global_lock! {
    // SAFETY: `init` runs in strclone's module init, before any other use.
    pub(crate) unsafe(uninit) static EXT_MODS: Mutex<ExtTable> = ExtTable::new();
}

/// Initialises the globals. Called once, first thing in module init.
pub(crate) fn init() {
    // SAFETY: called exactly once, from module init, before any use (see
    // the module comment).
    unsafe { EXT_MODS.init() };
}

/// Frees what the globals hold. Called from module exit: no provider is
/// loaded any more (each one pins strclone), so the table is empty, but its
/// buffer would outlive the module (a static is never dropped).
pub(crate) fn fini() {
    let old = core::mem::take(&mut *EXT_MODS.lock());
    drop(old);
}

/// The registered modules' table, locked (a sleeping lock: registration
/// allocates, and no caller holds a spinlock).
pub(crate) fn ext_mods() -> GlobalGuard<EXT_MODS> {
    EXT_MODS.lock()
}
