// SPDX-License-Identifier: GPL-2.0

//! A lock-free inbox of messages for a stream head: writers push without
//! the stream lock, whoever holds the lock next takes them all, in order.

use super::mblk::{Mblk, Msgb};
use super::msglist::MsgList;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering};

/// A stack of messages linked through `b_next` (a Treiber stack with only
/// pushes and a take of all, so no ABA), taken back in arrival order.
///
/// # Invariants
///
/// `top` is null or the newest of a chain of messages through `b_next`,
/// each owned by the inbox as an [`Mblk`] would own it.
pub(crate) struct Inbox {
    top: AtomicPtr<Msgb>,
    /// Bytes pushed and not yet taken.
    pub(crate) bytes: AtomicU32,
    /// A reader is about to sleep or sleeps: a writer that pushed must
    /// wake it through the lock.
    pub(crate) sleeping: AtomicU32,
    /// The head takes no message here (set under the stream lock).
    pub(crate) off: AtomicBool,
    /// A reader spins briefly for a message before it sleeps.
    pub(crate) spin: bool,
    /// Most bytes waiting here.
    pub(crate) limit: u32,
}

// SAFETY: The inbox owns its messages, which are `Send`.
unsafe impl Send for Inbox {}
// SAFETY: Every access to the chain goes through the atomic `top`.
unsafe impl Sync for Inbox {}

impl Inbox {
    /// An empty inbox.
    pub(crate) const fn new(spin: bool, limit: u32) -> Self {
        Self {
            top: AtomicPtr::new(ptr::null_mut()),
            bytes: AtomicU32::new(0),
            sleeping: AtomicU32::new(0),
            off: AtomicBool::new(false),
            spin,
            limit,
        }
    }

    /// Whether nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.top.load(Ordering::SeqCst).is_null()
    }

    /// Adds `m` (of `size` bytes); a full barrier follows.
    pub(crate) fn push(&self, m: Mblk, size: u32) {
        self.bytes.fetch_add(size, Ordering::Relaxed);
        let p = m.into_raw().as_ptr();
        let mut top = self.top.load(Ordering::Relaxed);
        loop {
            // SAFETY: `p` is ours until the exchange publishes it.
            unsafe { (*p).b_next = top };
            match self
                .top
                .compare_exchange_weak(top, p, Ordering::SeqCst, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(t) => top = t,
            }
        }
    }

    /// Takes every message, oldest first. The caller takes their bytes
    /// off [`Self::bytes`].
    pub(crate) fn take_all(&self) -> MsgList {
        let mut p = self.top.swap(ptr::null_mut(), Ordering::Acquire);
        let mut list = MsgList::new();
        while let Some(q) = NonNull::new(p) {
            // SAFETY: The chain is ours after the swap (invariant).
            unsafe {
                p = (*q.as_ptr()).b_next;
                (*q.as_ptr()).b_next = ptr::null_mut();
                list.push_front(Mblk::from_raw(q));
            }
        }
        list
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        drop(self.take_all());
    }
}
