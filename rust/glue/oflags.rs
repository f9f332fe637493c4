// SPDX-License-Identifier: GPL-2.0

//! The `open(2)` flag values strclone looks at, so code above the glue
//! layer never names `bindings::`.

use kernel::bindings;

/// Access mode mask.
pub(crate) const O_ACCMODE: u32 = bindings::O_ACCMODE;
/// Write only.
pub(crate) const O_WRONLY: u32 = bindings::O_WRONLY;
/// No controlling terminal.
pub(crate) const O_NOCTTY: u32 = bindings::O_NOCTTY;
/// Non-blocking I/O.
pub(crate) const O_NONBLOCK: u32 = bindings::O_NONBLOCK;
/// Close on exec.
pub(crate) const O_CLOEXEC: u32 = bindings::O_CLOEXEC;
/// Large file (always set on 64-bit).
pub(crate) const O_LARGEFILE: u32 = bindings::O_LARGEFILE;
