// SPDX-License-Identifier: GPL-2.0

//! A process group reference (`pgrp.c`): a terminal stream's foreground
//! process group, which `TIOCSPGRP` sets and the stream head signals; and
//! [`signal_current`], a signal for the caller itself (`SIGPIPE`).

use core::ffi::c_void;
use core::ptr::NonNull;
use kernel::prelude::*;

extern "C" {
    fn strclone_pgrp_get(nr: i32, err: *mut i32) -> *mut c_void;
    fn strclone_pgrp_put(pgrp: *mut c_void);
    fn strclone_pgrp_ref(pgrp: *mut c_void) -> *mut c_void;
    fn strclone_pgrp_nr(pgrp: *mut c_void) -> i32;
    fn strclone_pgrp_kill(pgrp: *mut c_void, sig: i32);
    fn strclone_pgrp_sid(pgrp: *mut c_void) -> i32;
    fn strclone_pgrp_hangup(pgrp: *mut c_void);
}

/// A counted reference to a process group (`struct pid`).
///
/// # Invariants
///
/// `0` holds one reference taken by `strclone_pgrp_get`, given back once,
/// by [`Drop`].
pub(crate) struct Pgrp(NonNull<c_void>);

// SAFETY: A `struct pid` reference may be used and dropped from any thread.
unsafe impl Send for Pgrp {}
// SAFETY: Its operations (`pid_vnr`, `kill_pgrp`) are thread safe.
unsafe impl Sync for Pgrp {}

impl Pgrp {
    /// The process group `nr` (in the caller's pid namespace), which must
    /// be in the caller's session: `EINVAL` for `nr <= 0`, `ESRCH` if there
    /// is no such group, `EPERM` if it is another session's.
    pub(crate) fn of_caller_session(nr: i32) -> Result<Self> {
        let mut err = 0i32;
        // SAFETY: `err` is a valid place for the function's errno; it
        // runs in the calling task (`current` is the ioctl's caller).
        let p = unsafe { strclone_pgrp_get(nr, &mut err) };
        match NonNull::new(p) {
            Some(p) => Ok(Self(p)),
            None if err < 0 => Err(Error::from_errno(err)),
            None => Err(EINVAL),
        }
    }

    /// Its number in the caller's pid namespace (0 if it has none there).
    pub(crate) fn nr(&self) -> i32 {
        // SAFETY: By the type invariant the reference is live.
        unsafe { strclone_pgrp_nr(self.0.as_ptr()) }
    }

    /// Sends `sig` to every process of the group (`kill_pgrp`, as the tty
    /// layer does for the terminal's signal characters).
    pub(crate) fn kill(&self, sig: i32) {
        // SAFETY: By the type invariant the reference is live; `kill_pgrp`
        // may be called in any task or softirq context.
        unsafe { strclone_pgrp_kill(self.0.as_ptr(), sig) }
    }

    /// The session of the group's processes, in the caller's pid
    /// namespace; 0 when the group has no process left.
    pub(crate) fn session_nr(&self) -> i32 {
        // SAFETY: By the type invariant the reference is live; the function
        // looks the group's task up under RCU.
        unsafe { strclone_pgrp_sid(self.0.as_ptr()) }
    }

    /// A terminal hangup: `SIGHUP` then `SIGCONT` to the group and to the
    /// leader of its session, as Linux's tty hangup signals.
    pub(crate) fn hangup(&self) {
        // SAFETY: By the type invariant the reference is live; the function
        // takes its own reference to the session for the signals.
        unsafe { strclone_pgrp_hangup(self.0.as_ptr()) }
    }
}

impl Clone for Pgrp {
    fn clone(&self) -> Self {
        // SAFETY: By the type invariant the reference is live; the function
        // takes another one (`get_pid`) and returns the same pointer.
        let p = unsafe { strclone_pgrp_ref(self.0.as_ptr()) };
        Self(NonNull::new(p).unwrap_or(self.0))
    }
}

impl Drop for Pgrp {
    fn drop(&mut self) {
        // SAFETY: By the type invariant this is the one reference this
        // value holds, given back once.
        unsafe { strclone_pgrp_put(self.0.as_ptr()) }
    }
}

/// Sends signal `sig` to the calling thread (`send_sig`), as a write that
/// fails with `EPIPE` does with `SIGPIPE`.
pub(crate) fn signal_current(sig: i32) {
    let task = kernel::current!();
    // SAFETY: `task` is the current task, alive during the call.
    unsafe { kernel::bindings::send_sig(sig, task.as_ptr(), 0) };
}
