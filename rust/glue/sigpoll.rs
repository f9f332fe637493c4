// SPDX-License-Identifier: GPL-2.0

//! Asynchronous notification (`sigpoll.c`): a reference to a process for
//! `I_SETSIG` and the signal sent to it, a stream's fasync list for
//! `O_ASYNC`/`F_SETOWN`/`F_SETSIG`, and whether the caller is a kernel
//! thread.

use core::ffi::c_void;
use core::ptr::NonNull;
use kernel::{fs::File, prelude::*, types::Opaque};

extern "C" {
    fn strclone_proc_current() -> *mut c_void;
    fn strclone_proc_is_current(pid: *const c_void) -> bool;
    fn strclone_proc_put(pid: *mut c_void);
    fn strclone_proc_kill(pid: *mut c_void, sig: i32) -> bool;
    // `struct file *` and `struct fasync_struct **`, untyped.
    fn strclone_fasync_helper(fd: i32, filp: *mut c_void, on: i32, fa: *mut c_void) -> i32;
    fn strclone_fasync_kill(fa: *mut c_void, code: i32);
    fn strclone_fasync_empty(fa: *mut c_void) -> bool;
    fn strclone_current_is_kthread() -> bool;
}

/// A counted reference to a process (its thread-group `struct pid`).
///
/// # Invariants
///
/// `0` holds one reference taken by `strclone_proc_current`, given back
/// once, by [`Drop`].
pub(crate) struct ProcRef(NonNull<c_void>);

// SAFETY: A `struct pid` reference may be used and dropped from any thread.
unsafe impl Send for ProcRef {}
// SAFETY: Its operations (comparison, `kill_pid`) are thread safe.
unsafe impl Sync for ProcRef {}

impl ProcRef {
    /// The calling process.
    pub(crate) fn current() -> Result<Self> {
        // SAFETY: Runs in a task (`current` is valid); returns a new
        // reference.
        let p = unsafe { strclone_proc_current() };
        NonNull::new(p).map(Self).ok_or(ESRCH)
    }

    /// Whether this is the calling process.
    pub(crate) fn is_current(&self) -> bool {
        // SAFETY: By the type invariant the reference is live; the
        // function only compares pointers.
        unsafe { strclone_proc_is_current(self.0.as_ptr()) }
    }

    /// Sends `sig` to the process (process-directed, from the kernel).
    /// `false` once the process has exited.
    pub(crate) fn kill(&self, sig: i32) -> bool {
        // SAFETY: By the type invariant the reference is live; `kill_pid`
        // may be called with spinlocks held (it does not sleep).
        unsafe { strclone_proc_kill(self.0.as_ptr(), sig) }
    }
}

impl Drop for ProcRef {
    fn drop(&mut self) {
        // SAFETY: By the type invariant this is the one reference this
        // value holds, given back once.
        unsafe { strclone_proc_put(self.0.as_ptr()) }
    }
}

/// A fasync list (`struct fasync_struct *`): the files with `O_ASYNC` set
/// on one stream.
///
/// # Invariants
///
/// `head` is only changed by `fasync_helper` and read by `kill_fasync`,
/// which synchronise among themselves (`fasync_lock`, RCU). The list is
/// pinned: it lives inside its (pinned) stream. A file removes its entry
/// before it is released (`__fput` calls the `fasync` operation of a file
/// with `FASYNC` set), so the list is empty when the stream is dropped.
#[pin_data]
pub(crate) struct Fasync {
    #[pin]
    head: Opaque<*mut c_void>,
}

// SAFETY: The list is only touched through the kernel's fasync functions,
// which are thread safe.
unsafe impl Send for Fasync {}
// SAFETY: As above.
unsafe impl Sync for Fasync {}

impl Fasync {
    /// An empty list.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            head <- Opaque::ffi_init(|slot: *mut *mut c_void| {
                // SAFETY: `slot` is the list head being initialised.
                unsafe { slot.write(core::ptr::null_mut()) }
            }),
        })
    }

    /// The `fasync` file operation: adds `file` (`on`) or removes it.
    pub(crate) fn helper(&self, fd: i32, file: &File, on: bool) -> Result<i32> {
        // SAFETY: `file` is valid during the call; the list head is pinned
        // (type invariant) and only used through the fasync functions.
        let r = unsafe {
            strclone_fasync_helper(
                fd,
                file.as_ptr().cast::<c_void>(),
                i32::from(on),
                self.head.get().cast::<c_void>(),
            )
        };
        if r < 0 {
            Err(Error::from_errno(r))
        } else {
            Ok(r)
        }
    }

    /// `kill_fasync(SIGIO, code)`: every file of the list, as its owner
    /// (`F_SETOWN`) and signal (`F_SETSIG`) say. Does not sleep.
    pub(crate) fn kill(&self, code: i32) {
        // SAFETY: The list head is valid (type invariant); `kill_fasync`
        // reads it under RCU.
        unsafe { strclone_fasync_kill(self.head.get().cast::<c_void>(), code) }
    }

    /// Whether no file is on the list.
    pub(crate) fn is_empty(&self) -> bool {
        // SAFETY: The list head is valid (type invariant).
        unsafe { strclone_fasync_empty(self.head.get().cast::<c_void>()) }
    }
}

/// Whether the caller is a kernel thread (a file released by the kernel,
/// e.g. from a work item).
pub(crate) fn current_is_kthread() -> bool {
    // SAFETY: Reads `current->flags`; always valid in task context.
    unsafe { strclone_current_is_kthread() }
}
