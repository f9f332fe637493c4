// SPDX-License-Identifier: GPL-2.0

//! The execution context of the caller (`ctx.c`: `in_task()`, `in_nmi()`).

extern "C" {
    fn strclone_in_task() -> bool;
    fn strclone_in_nmi() -> bool;
}

/// Whether the caller runs in task context (not in a hard or soft
/// interrupt handler, nor in an NMI), where strclone's ordinary spinlocks
/// may be taken.
pub(crate) fn in_task() -> bool {
    // SAFETY: Reads the current CPU's preempt count; callable anywhere.
    unsafe { strclone_in_task() }
}

/// Whether the caller runs in an NMI handler, where not even work can be
/// queued.
pub(crate) fn in_nmi() -> bool {
    // SAFETY: As for `in_task`.
    unsafe { strclone_in_nmi() }
}
