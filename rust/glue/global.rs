// SPDX-License-Identifier: GPL-2.0

//! strclone's module-wide state that C callers reach without a context
//! argument: the table of modules other kernel modules registered
//! (`strclone_register_module` has no handle to pass), and the table of
//! drivers they registered, with what registering one needs.
//!
//! A kernel global lock must be initialised once before its first use;
//! [`init`] does it from the module's init, before any node exists or any
//! symbol can be called (a provider module can only load once strclone's
//! init returned).

use crate::ddi::DrvTable;
use crate::streams::modsw::ExtTable;
use core::pin::Pin;
use kernel::sync::lock::GlobalGuard;

kernel::sync::global_lock! {
    // SAFETY: `init` runs in strclone's module init, before any other use.
    pub(crate) unsafe(uninit) static EXT_MODS: Mutex<ExtTable> = ExtTable::new();
}

kernel::sync::global_lock! {
    // SAFETY: `init` runs in strclone's module init, before any other use.
    pub(crate) unsafe(uninit) static EXT_DRVS: Mutex<DrvTable> = DrvTable::new();
}

/// Initialises the globals. Called once, first thing in module init.
pub(crate) fn init() {
    // SAFETY: called exactly once, from module init, before any use (see
    // the module comment).
    unsafe { EXT_MODS.init() };
    // SAFETY: As above.
    unsafe { EXT_DRVS.init() };
}

/// Frees what the globals hold. Called from module exit: no provider is
/// loaded any more (each one pins strclone), so the table is empty, but its
/// buffer would outlive the module (a static is never dropped).
pub(crate) fn fini() {
    let old = core::mem::take(&mut *EXT_MODS.lock());
    drop(old);
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
