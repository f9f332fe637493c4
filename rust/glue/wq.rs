// SPDX-License-Identifier: GPL-2.0

//! strclone's own workqueue, on which service procedures run.
//!
//! A module must not leave work items behind when its code is unloaded. The
//! kernel crate offers only the system workqueues, which a module cannot
//! drain; [`Workqueue`] allocates a private one and destroys it on drop,
//! which waits for every queued and running work item first.

use kernel::{bindings, prelude::*, str::CStrExt, workqueue::Queue};

/// An owned kernel workqueue.
///
/// # Invariants
///
/// `ptr` came from `alloc_workqueue` and is destroyed only by [`Drop`].
pub(crate) struct Workqueue {
    ptr: core::ptr::NonNull<bindings::workqueue_struct>,
}

// SAFETY: A workqueue may be used and destroyed from any thread.
unsafe impl Send for Workqueue {}
// SAFETY: Queueing work is thread safe.
unsafe impl Sync for Workqueue {}

impl Workqueue {
    /// Allocates a per-CPU, high-priority workqueue called `name`.
    pub(crate) fn new(name: &'static CStr) -> Result<Self> {
        let flags = bindings::wq_flags_WQ_PERCPU | bindings::wq_flags_WQ_HIGHPRI;
        // SAFETY: The format string is "%s" and the one vararg is a valid
        // NUL-terminated string that outlives the call (it is 'static).
        let ptr = unsafe {
            bindings::alloc_workqueue_noprof(c"%s".as_char_ptr(), flags, 0, name.as_char_ptr())
        };
        core::ptr::NonNull::new(ptr)
            .map(|ptr| Self { ptr })
            .ok_or(ENOMEM)
    }

    /// Waits until no work item is queued or running (`drain_workqueue`).
    pub(crate) fn drain(&self) {
        // SAFETY: By the type invariant `ptr` is a live workqueue.
        unsafe { bindings::drain_workqueue(self.ptr.as_ptr()) };
    }

    /// The queue, for `enqueue`.
    pub(crate) fn queue(&self) -> &Queue {
        // SAFETY: By the type invariant the workqueue stays valid until drop,
        // which cannot happen while `&self` is borrowed.
        unsafe { Queue::from_raw(self.ptr.as_ptr()) }
    }
}

impl Drop for Workqueue {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `ptr` is a live workqueue that is
        // destroyed exactly once, here. `destroy_workqueue` drains it.
        unsafe { bindings::destroy_workqueue(self.ptr.as_ptr()) };
    }
}
