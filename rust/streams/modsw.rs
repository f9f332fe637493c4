// SPDX-License-Identifier: GPL-2.0

//! The module switch (SVR4's `fmodsw`): the modules `I_PUSH`, `I_FIND` and
//! autopush can name.
//!
//! Two kinds of entries share one name space:
//!
//! - strclone's built-in modules ([`ModEntry`], statics);
//! - modules other kernel modules register at run time through the DDI
//!   (`strclone_register_module`, `ddi.rs`): an [`ExtEntry`] in a table
//!   under a global lock (`glue::global`).
//!
//! # Entries and instances
//!
//! An [`EntryRef`] names an entry (`find`); it keeps an external entry's
//! memory, not its provider. Only an *instance* pins a provider:
//! [`EntryRef::make`] creates one for a push and counts it in the entry
//! ([`Instance`], until the pushed instance is freed). For an external
//! entry `make` works under the table lock: it fails `EINVAL` if the entry
//! was unregistered since `find` (as if the name were unknown), takes the
//! instance count and a reference on the provider's kernel module
//! (`ENXIO` while it unloads), and only then lets anyone call the
//! provider's code. `unregister`, under the same lock, fails `EBUSY` while
//! instances exist and otherwise marks the entry dead and removes it. So:
//!
//! - no call reaches a provider that unregistered or unloaded, whatever
//!   `EntryRef`s are still around (`I_FIND`, autopush, the sad driver and
//!   debugfs hold them only briefly, and never make instances from a dead
//!   entry);
//! - a provider's `module_exit` always unregisters: every instance holds
//!   the provider's module, so none exists when its exit runs.

pub(crate) use super::stream::ModName;
use super::stream::{DriverLimits, EntryUse, ModEntry, Module, PutKind, Stream};
use crate::glue::global;
use crate::uapi::FMNAMESZ;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::{prelude::*, sync::Arc};

/// The built-in modules, in the order `modules` lists them.
fn builtins() -> [&'static ModEntry; 6] {
    [
        &crate::modules::nullmod::ENTRY,
        &crate::modules::pipemod::ENTRY,
        &crate::modules::testmod::ENTRY,
        &crate::modules::ldterm::ENTRY,
        &crate::modules::ptem::ENTRY,
        &crate::modules::ttcompat::ENTRY,
    ]
}

/// Makes the instances of an external module (the DDI's C modules).
pub(crate) trait ModMaker: Send + Sync {
    /// A new instance for a push on `s` at level `lvl`; `ENXIO` when its
    /// provider is going away.
    fn make(&self, s: &Arc<Stream>, lvl: u32) -> Result<KBox<dyn Module>>;
}

/// A module another kernel module registered.
pub(crate) struct ExtEntry {
    /// Its name.
    pub(crate) name: ModName,
    /// Queue limits and which queues have service procedures.
    pub(crate) limits: DriverLimits,
    /// Makes instances.
    pub(crate) maker: KBox<dyn ModMaker>,
    /// Identifies the registration (`strclone_unregister_module` must
    /// present the same one): the address of the provider's `streamtab`.
    pub(crate) key: usize,
    /// Instances that exist ([`Instance`]).
    instances: AtomicU32,
    /// Unregistered: no new instance (set under the table lock).
    dead: AtomicBool,
}

impl ExtEntry {
    /// An entry with no instance.
    pub(crate) fn new(
        name: ModName,
        limits: DriverLimits,
        maker: KBox<dyn ModMaker>,
        key: usize,
    ) -> Self {
        Self {
            name,
            limits,
            maker,
            key,
            instances: AtomicU32::new(0),
            dead: AtomicBool::new(false),
        }
    }
}

/// The external entries, in registration order (`glue::global::EXT_MODS`).
pub(crate) type ExtTable = KVec<Arc<ExtEntry>>;

/// A module switch entry (see the module comment).
#[derive(Clone)]
pub(crate) enum EntryRef {
    /// A built-in module.
    Builtin(&'static ModEntry),
    /// A registered module.
    Ext(Arc<ExtEntry>),
}

impl EntryRef {
    fn instances(&self) -> &AtomicU32 {
        match self {
            Self::Builtin(e) => &e.uses,
            Self::Ext(e) => &e.instances,
        }
    }

    /// Its name.
    pub(crate) fn name(&self) -> ModName {
        match self {
            Self::Builtin(e) => ModName::of_builtin(e.name),
            Self::Ext(e) => e.name,
        }
    }

    /// Queue limits and which queues have service procedures.
    pub(crate) fn limits(&self) -> DriverLimits {
        match self {
            Self::Builtin(e) => e.limits,
            Self::Ext(e) => e.limits,
        }
    }

    /// What its put procedure does.
    pub(crate) fn put(&self) -> PutKind {
        match self {
            Self::Builtin(e) => e.put,
            Self::Ext(_) => PutKind::Own,
        }
    }

    /// A new instance for a push on `s` at level `lvl`, counted until the
    /// returned [`Instance`] is dropped. `EINVAL` for an external entry
    /// unregistered since it was found, `ENXIO` while its provider unloads.
    pub(crate) fn make(&self, s: &Arc<Stream>, lvl: u32) -> Result<(KBox<dyn Module>, Instance)> {
        match self {
            Self::Builtin(e) => {
                let m = (e.new)()?;
                e.uses.fetch_add(1, Ordering::Relaxed);
                Ok((m, Instance(self.clone())))
            }
            Self::Ext(e) => {
                let _table = global::ext_mods();
                if e.dead.load(Ordering::Relaxed) {
                    return Err(EINVAL);
                }
                let m = e.maker.make(s, lvl)?;
                e.instances.fetch_add(1, Ordering::Relaxed);
                Ok((m, Instance(self.clone())))
            }
        }
    }

    /// Instances of the entry that exist now.
    pub(crate) fn instances_now(&self) -> u32 {
        self.instances().load(Ordering::Relaxed)
    }

    /// Whether this is a built-in module.
    pub(crate) fn is_builtin(&self) -> bool {
        matches!(self, Self::Builtin(_))
    }
}

/// One instance of a module, counted in its entry while this exists (a
/// pushed module keeps it in `ModInst::entry`).
pub(crate) struct Instance(EntryRef);

impl EntryUse for Instance {
    fn name(&self) -> ModName {
        self.0.name()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.0.instances().fetch_sub(1, Ordering::Release);
    }
}

fn builtin(name: &[u8]) -> Option<&'static ModEntry> {
    builtins().into_iter().find(|e| e.name.to_bytes() == name)
}

/// The module called `name` (bytes without the NUL).
pub(crate) fn find(name: &[u8]) -> Option<EntryRef> {
    if name.is_empty() || name.len() > FMNAMESZ {
        return None;
    }
    if let Some(e) = builtin(name) {
        return Some(EntryRef::Builtin(e));
    }
    let table = global::ext_mods();
    let e = table.iter().find(|e| e.name.as_bytes() == name)?;
    Some(EntryRef::Ext(e.clone()))
}

/// Calls `f` on every registered module, built-in ones first (outside the
/// table lock: on a snapshot of the external entries).
pub(crate) fn for_each(mut f: impl FnMut(&EntryRef)) {
    for e in builtins() {
        f(&EntryRef::Builtin(e));
    }
    let snapshot = {
        let table = global::ext_mods();
        let mut v = KVec::with_capacity(table.len(), GFP_KERNEL);
        if let Ok(v) = v.as_mut() {
            for e in table.iter() {
                // Within the capacity: cannot fail.
                let _ = v.push(e.clone(), GFP_KERNEL);
            }
        }
        v
    };
    for e in snapshot.iter().flatten() {
        f(&EntryRef::Ext(e.clone()));
    }
}

/// Adds `e` to the module switch: `EEXIST` if a module of that name
/// exists.
pub(crate) fn register(e: ExtEntry) -> Result {
    let e = Arc::new(e, GFP_KERNEL)?;
    if builtin(e.name.as_bytes()).is_some() {
        return Err(EEXIST);
    }
    let mut table = global::ext_mods();
    if table.iter().any(|x| x.name == e.name) {
        return Err(EEXIST);
    }
    table.push(e, GFP_KERNEL)?;
    Ok(())
}

/// Removes the registered module `name` registered with `key`: `ENOENT`
/// if there is none, `EBUSY` while an instance of it exists.
pub(crate) fn unregister(name: &ModName, key: usize) -> Result {
    let gone = {
        let mut table = global::ext_mods();
        let pos = table
            .iter()
            .position(|x| x.name == *name && x.key == key)
            .ok_or(ENOENT)?;
        if table[pos].instances.load(Ordering::Acquire) != 0 {
            return Err(EBUSY);
        }
        table[pos].dead.store(true, Ordering::Relaxed);
        table.remove(pos)?
    };
    drop(gone);
    Ok(())
}

#[kunit_tests(strclone_modsw)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_are_valid_and_unique() {
        let all = builtins();
        for (i, e) in all.iter().enumerate() {
            assert!(ModName::new(e.name.to_bytes()).is_ok());
            for f in &all[i + 1..] {
                assert!(e.name.to_bytes() != f.name.to_bytes());
            }
        }
    }

    #[test]
    fn names_are_checked() {
        assert!(ModName::new(b"").is_err());
        assert!(ModName::new(b"123456789").is_err());
        assert!(ModName::new(b"a\0b").is_err());
        let n = ModName::new(b"12345678").unwrap();
        assert_eq!(n.as_bytes(), b"12345678");
    }

    #[test]
    fn finding_makes_no_instance() {
        let before = crate::modules::nullmod::ENTRY.uses.load(Ordering::Relaxed);
        let a = find(b"nullmod").unwrap();
        let b = a.clone();
        assert_eq!(a.instances_now(), before);
        drop((a, b));
        assert!(find(b"nosuchmd").is_none());
        assert!(find(b"").is_none());
        assert!(find(b"123456789").is_none());
    }
}
