// SPDX-License-Identifier: GPL-2.0

//! The module switch (SVR4's `fmodsw`): the modules `I_PUSH`, `I_FIND` and
//! autopush can name. Today it holds strclone's built-in modules; the
//! driver API adds the ones other kernel modules register.

use super::stream::ModEntry;
use crate::uapi::FMNAMESZ;

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

/// The module called `name` (bytes without the NUL).
pub(crate) fn find(name: &[u8]) -> Option<&'static ModEntry> {
    if name.is_empty() || name.len() > FMNAMESZ {
        return None;
    }
    builtins().into_iter().find(|e| e.name.to_bytes() == name)
}

/// Calls `f` on every registered module.
pub(crate) fn for_each(mut f: impl FnMut(&'static ModEntry)) {
    for e in builtins() {
        f(e);
    }
}
