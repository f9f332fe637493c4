// SPDX-License-Identifier: GPL-2.0

//! Who the calling task is: its uid and gid, and whether it holds
//! `CAP_SYS_ADMIN` (the kernel crate of 7.3 has no capability checks).

use kernel::{bindings, task::Kuid};

extern "C" {
    fn strclone_current_real_ids(uid: *mut u32, gid: *mut u32);
    fn strclone_current_eff_ids(uid: *mut u32, gid: *mut u32);
}

/// The calling task's effective uid, in its user namespace.
pub(crate) fn euid() -> u32 {
    Kuid::current_euid().into_uid_in_current_ns()
}

/// The calling task's real uid and gid as kernel ids (of the initial user
/// namespace): what `GRANTPT` makes the slave node's owner.
pub(crate) fn real_kids() -> (u32, u32) {
    let (mut uid, mut gid) = (0, 0);
    // SAFETY: Both pointers are valid places for a `u32`, all the function
    // writes.
    unsafe { strclone_current_real_ids(&mut uid, &mut gid) };
    (uid, gid)
}

/// The calling task's effective uid and gid as kernel ids: the owner of a
/// slave node made before any `GRANTPT`.
pub(crate) fn eff_kids() -> (u32, u32) {
    let (mut uid, mut gid) = (0, 0);
    // SAFETY: As for `real_kids`.
    unsafe { strclone_current_eff_ids(&mut uid, &mut gid) };
    (uid, gid)
}

/// Whether the calling task has `CAP_SYS_ADMIN` in the initial user
/// namespace (strclone's nodes are global, so a namespaced root is not
/// enough). Asked when an ioctl is sent down, before any driver decides to
/// use the privilege, so it does not audit (`capable_noaudit`; like every
/// exported check, a positive answer marks the task `PF_SUPERPRIV`).
pub(crate) fn capable_sys_admin() -> bool {
    // SAFETY: `capable_noaudit` may be called from any process context with
    // any capability number; CAP_SYS_ADMIN is a valid one.
    unsafe { bindings::capable_noaudit(bindings::CAP_SYS_ADMIN as i32) }
}

/// Whether the calling task has `CAP_SYS_ADMIN` in the initial user
/// namespace, for a decision strclone takes itself, there and then (opening
/// `/dev/sad/admin`, changing autopush): audited, as `capable()` is, so a
/// refusal shows in the audit log.
pub(crate) fn capable_sys_admin_audited() -> bool {
    // SAFETY: `capable` may be called from any process context with any
    // capability number; CAP_SYS_ADMIN is a valid one.
    unsafe { bindings::capable(bindings::CAP_SYS_ADMIN as i32) }
}
