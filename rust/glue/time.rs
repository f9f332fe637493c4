// SPDX-License-Identifier: GPL-2.0

//! Clock readings for log message headers. The kernel crate's `Instant`
//! does not expose its raw value, so the two readings come from bindings.

use kernel::bindings;

/// Milliseconds since boot (including suspend).
pub(crate) fn boot_ms() -> i64 {
    // SAFETY: `ktime_get_boot_fast_ns` has no preconditions and may be
    // called from any context.
    let ns = unsafe { bindings::ktime_get_boot_fast_ns() };
    (ns / 1_000_000) as i64
}

/// Seconds since the epoch.
pub(crate) fn wall_secs() -> i64 {
    // SAFETY: `ktime_get_real_seconds` has no preconditions.
    unsafe { bindings::ktime_get_real_seconds() }
}
