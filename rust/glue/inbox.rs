// SPDX-License-Identifier: GPL-2.0

//! A stream head's inbox: messages that writers hand to the head without
//! its stream lock, for whoever holds the lock next to move onto the head
//! read queue in the order they came (`streams/inbox.rs` has the rules).

use super::mblk::{Mblk, Msgb};
use super::msglist::MsgList;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

/// `top` while the gate is shut: never a message (a dangling, aligned
/// address nothing is allocated at), so a push's compare-and-swap fails.
const SHUT: *mut Msgb = ptr::dangling_mut();

/// A stack of messages linked through their `b_next` (only pushes and a
/// take of everything, so no ABA problem), given back oldest first; its
/// head is also its gate: [`SHUT`] takes no push.
///
/// Only the holder of the stream lock opens, shuts or takes; writers only
/// push. Shutting takes what is there and closes in one step, so no push
/// lands after it. A pusher then looks at `sleepers`, a sleeper counts
/// itself and then looks at `top`: both sides with sequentially consistent
/// accesses, so that at least one sees the other.
///
/// # Invariants
///
/// `top` is [`SHUT`], null, or the newest of a chain of messages through
/// `b_next`, each owned by the inbox as an [`Mblk`] owns its message.
pub(crate) struct Inbox {
    top: AtomicPtr<Msgb>,
    /// Charges pushed and not yet taken (a bound for writers, not an
    /// account: approximate while a push is in flight).
    bytes: AtomicU32,
    /// Tasks about to sleep, or asleep, on the stream's wait queue.
    sleepers: AtomicU32,
    /// Most the inbox takes.
    limit: u32,
}

// SAFETY: The inbox owns its messages, which are `Send`.
unsafe impl Send for Inbox {}
// SAFETY: The chain is reached only through the atomic `top`: a push
// publishes a message it owned, a take or a shut removes the whole chain at
// once.
unsafe impl Sync for Inbox {}

impl Inbox {
    /// An empty inbox for at most `limit`, its gate shut.
    pub(crate) const fn new(limit: u32) -> Self {
        Self {
            top: AtomicPtr::new(SHUT),
            bytes: AtomicU32::new(0),
            sleepers: AtomicU32::new(0),
            limit,
        }
    }

    /// Most the inbox takes.
    pub(crate) fn limit(&self) -> u32 {
        self.limit
    }

    /// Whether messages wait (checked by KUnit).
    #[cfg(CONFIG_KUNIT = "y")]
    pub(crate) fn has_messages(&self) -> bool {
        let t = self.top.load(Ordering::SeqCst);
        !t.is_null() && t != SHUT
    }

    /// Whether the gate is shut.
    pub(crate) fn is_shut(&self) -> bool {
        self.top.load(Ordering::Relaxed) == SHUT
    }

    /// Adds `m`, which counts for `charge` against the limit, if the gate
    /// is open and it fits; else gives it back. A full barrier: what the
    /// caller looks at next ([`Self::must_wake`]) is read after the message
    /// is visible.
    pub(crate) fn push(&self, m: Mblk, charge: usize) -> core::result::Result<(), Mblk> {
        let charge = charge as u32;
        if self.bytes.load(Ordering::Relaxed).saturating_add(charge) > self.limit || self.is_shut()
        {
            return Err(m);
        }
        self.bytes.fetch_add(charge, Ordering::Relaxed);
        let p = m.into_raw().as_ptr();
        let mut top = self.top.load(Ordering::Relaxed);
        loop {
            if top == SHUT {
                self.bytes.fetch_sub(charge, Ordering::Relaxed);
                // SAFETY: `p` was never published; it is ours again.
                return Err(unsafe { Mblk::from_raw(NonNull::new_unchecked(p)) });
            }
            // SAFETY: `p` is ours until the exchange publishes it.
            unsafe { (*p).b_next = top };
            match self
                .top
                .compare_exchange_weak(top, p, Ordering::SeqCst, Ordering::Relaxed)
            {
                Ok(_) => return Ok(()),
                Err(t) => top = t,
            }
        }
    }

    /// After a successful [`Self::push`]: whether a task sleeps on the
    /// stream or is about to, so the pusher must take the lock to wake it.
    pub(crate) fn must_wake(&self) -> bool {
        self.sleepers.load(Ordering::SeqCst) != 0
    }

    /// The chain starting at `p` (null or [`SHUT`]: none), oldest first.
    fn list(mut p: *mut Msgb) -> MsgList {
        let mut list = MsgList::new();
        if p == SHUT {
            return list;
        }
        while let Some(q) = NonNull::new(p) {
            // SAFETY: The whole chain is ours (taken off `top` by the
            // caller, invariant); each message goes into `list` off it.
            unsafe {
                p = (*q.as_ptr()).b_next;
                (*q.as_ptr()).b_next = ptr::null_mut();
                list.push_front(Mblk::from_raw(q));
            }
        }
        list
    }

    /// Takes every message, oldest first, the gate left as it is.
    pub(crate) fn take(&self) -> MsgList {
        let mut top = self.top.load(Ordering::SeqCst);
        loop {
            if top.is_null() || top == SHUT {
                return MsgList::new();
            }
            match self.top.compare_exchange_weak(
                top,
                ptr::null_mut(),
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Self::list(top),
                Err(t) => top = t,
            }
        }
    }

    /// Shuts the gate and takes every message, oldest first, in one step.
    pub(crate) fn shut(&self) -> MsgList {
        Self::list(self.top.swap(SHUT, Ordering::SeqCst))
    }

    /// Opens the gate (nothing waits while it is shut).
    pub(crate) fn open(&self) {
        // Only the lock holder moves `top` away from `SHUT`, and no push
        // succeeds while it is there: a plain store loses nothing.
        if self.is_shut() {
            self.top.store(ptr::null_mut(), Ordering::Release);
        }
    }

    /// Charges taken off the inbox ([`Self::take`], [`Self::shut`]).
    pub(crate) fn taken(&self, n: usize) {
        self.bytes.fetch_sub(n as u32, Ordering::Relaxed);
    }

    /// A task is about to sleep. A full barrier before the caller's next
    /// look at `top` ([`Self::take`]).
    pub(crate) fn sleeper_in(&self) {
        self.sleepers.fetch_add(1, Ordering::SeqCst);
    }

    /// A task counted by [`Self::sleeper_in`] is back.
    pub(crate) fn sleeper_out(&self) {
        self.sleepers.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        drop(self.shut());
    }
}

/// The KUnit suite `strclone_inbox`: order, the gate and the bound, and
/// when a pusher takes the lock.
#[cfg(CONFIG_KUNIT = "y")]
#[kernel::prelude::kunit_tests(strclone_inbox)]
mod suite {
    use super::{Inbox, Mblk};
    use kernel::prelude::*;

    fn data(bytes: &[u8]) -> Mblk {
        Mblk::new(0, bytes, GFP_KERNEL).unwrap()
    }

    #[test]
    fn taken_oldest_first() {
        let ib = Inbox::new(1000);
        ib.open();
        assert!(!ib.has_messages());
        for b in [&b"a"[..], b"bb", b"ccc"] {
            assert!(ib.push(data(b), b.len()).is_ok());
        }
        assert!(ib.has_messages());
        let mut l = ib.take();
        assert!(!ib.has_messages());
        assert!(!ib.is_shut());
        assert_eq!(l.len(), 3);
        for b in [&b"a"[..], b"bb", b"ccc"] {
            let m = l.pop_front().unwrap();
            assert_eq!(m.bytes(), b);
        }
        assert!(l.pop_front().is_none());
        assert!(ib.take().is_empty());
    }

    #[test]
    fn gate_and_bound() {
        let ib = Inbox::new(100);
        // Shut until the first holder of the lock opens it.
        assert!(ib.is_shut());
        assert!(ib.push(data(b"x"), 1).is_err());
        ib.open();
        assert!(ib.push(data(b"x"), 101).is_err());
        assert!(ib.push(data(b"x"), 60).is_ok());
        assert!(ib.push(data(b"y"), 41).is_err());
        assert!(ib.push(data(b"y"), 40).is_ok());
        // Shutting takes what is there, and no push lands after it.
        let l = ib.shut();
        assert_eq!(l.len(), 2);
        ib.taken(100);
        assert!(ib.push(data(b"z"), 1).is_err());
        assert!(ib.take().is_empty());
        ib.open();
        assert!(ib.push(data(b"z"), 100).is_ok());
        // Dropped with a message in it: freed (kmemleak would say).
    }

    #[test]
    fn when_a_pusher_takes_the_lock() {
        let ib = Inbox::new(100);
        assert!(!ib.must_wake());
        ib.sleeper_in();
        assert!(ib.must_wake());
        ib.sleeper_out();
        assert!(!ib.must_wake());
    }
}
