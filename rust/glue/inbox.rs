// SPDX-License-Identifier: GPL-2.0

//! A stream head's inbox: messages that writers hand to the head without
//! its stream lock, for whoever holds the lock next to move onto the head
//! read queue in the order they came (`streams/inbox.rs` has the rules).

use super::mblk::{Mblk, Msgb};
use super::msglist::MsgList;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering};

/// A stack of messages linked through their `b_next` (only pushes and a
/// take of everything, so no ABA problem), given back oldest first, with
/// the counts and the gate the lock-free path needs.
///
/// The fields that pair a store with a look at another field (a writer
/// pushes, then looks at `sleepers` and `off`; a sleeper counts itself, a
/// closer shuts the gate, then each looks at `top`) use sequentially
/// consistent accesses, so that of two such sides at least one sees the
/// other.
///
/// # Invariants
///
/// `top` is null or the newest of a chain of messages through `b_next`,
/// each owned by the inbox as an [`Mblk`] owns its message.
pub(crate) struct Inbox {
    top: AtomicPtr<Msgb>,
    /// Bytes pushed and not yet taken (approximate between a push and its
    /// take: a bound for writers, not an account).
    bytes: AtomicU32,
    /// Tasks about to sleep, or asleep, on the stream's wait queue.
    sleepers: AtomicU32,
    /// The gate: writers must take the locked path.
    off: AtomicBool,
    /// Most bytes the inbox takes.
    limit: u32,
}

// SAFETY: The inbox owns its messages, which are `Send`.
unsafe impl Send for Inbox {}
// SAFETY: The chain is reached only through the atomic `top`: a push
// publishes a message it owned, a take removes the whole chain at once.
unsafe impl Sync for Inbox {}

impl Inbox {
    /// An empty inbox for at most `limit` bytes, its gate shut.
    pub(crate) const fn new(limit: u32) -> Self {
        Self {
            top: AtomicPtr::new(ptr::null_mut()),
            bytes: AtomicU32::new(0),
            sleepers: AtomicU32::new(0),
            off: AtomicBool::new(true),
            limit,
        }
    }

    /// Most bytes the inbox takes.
    pub(crate) fn limit(&self) -> u32 {
        self.limit
    }

    /// Whether nothing waits in the inbox.
    pub(crate) fn is_empty(&self) -> bool {
        self.top.load(Ordering::SeqCst).is_null()
    }

    /// Whether the gate is open and `size` more bytes fit.
    pub(crate) fn admits(&self, size: usize) -> bool {
        !self.off.load(Ordering::Acquire)
            && (self.bytes.load(Ordering::Relaxed) as usize).saturating_add(size)
                <= self.limit as usize
    }

    /// Adds `m`, of `size` bytes. A full barrier: what the caller looks at
    /// next ([`Self::must_wake`]) is read after the message is visible.
    pub(crate) fn push(&self, m: Mblk, size: usize) {
        self.bytes.fetch_add(size as u32, Ordering::Relaxed);
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

    /// After a [`Self::push`]: whether the pusher must take the stream lock
    /// (a task sleeps or is about to, or the gate was shut meanwhile).
    pub(crate) fn must_wake(&self) -> bool {
        self.sleepers.load(Ordering::SeqCst) != 0 || self.off.load(Ordering::SeqCst)
    }

    /// Takes every message, oldest first.
    pub(crate) fn take_all(&self) -> MsgList {
        let mut p = self.top.swap(ptr::null_mut(), Ordering::SeqCst);
        let mut list = MsgList::new();
        while let Some(q) = NonNull::new(p) {
            // SAFETY: The whole chain is ours after the swap (invariant);
            // each message goes into `list` off the chain.
            unsafe {
                p = (*q.as_ptr()).b_next;
                (*q.as_ptr()).b_next = ptr::null_mut();
                list.push_front(Mblk::from_raw(q));
            }
        }
        list
    }

    /// `n` bytes taken ([`Self::take_all`]) went to the head.
    pub(crate) fn taken(&self, n: usize) {
        self.bytes.fetch_sub(n as u32, Ordering::Relaxed);
    }

    /// Opens or shuts the gate. Shutting it is a full barrier before the
    /// caller's next look at [`Self::is_empty`].
    pub(crate) fn set_off(&self, off: bool) {
        if off {
            self.off.store(true, Ordering::SeqCst);
        } else if self.off.load(Ordering::Relaxed) {
            // Written only when it changes: writers read it per message.
            self.off.store(false, Ordering::Release);
        }
    }

    /// Whether the gate is shut.
    pub(crate) fn is_off(&self) -> bool {
        self.off.load(Ordering::Relaxed)
    }

    /// A task is about to sleep. A full barrier before the caller's next
    /// look at [`Self::is_empty`].
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
        drop(self.take_all());
    }
}

/// The KUnit suite `strclone_inbox`: order, the gate and the bound, and
/// what makes a pusher take the lock.
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
        assert!(ib.is_empty());
        for b in [&b"a"[..], b"bb", b"ccc"] {
            ib.push(data(b), b.len());
        }
        assert!(!ib.is_empty());
        let mut l = ib.take_all();
        assert!(ib.is_empty());
        assert_eq!(l.len(), 3);
        for b in [&b"a"[..], b"bb", b"ccc"] {
            let m = l.pop_front().unwrap();
            assert_eq!(m.bytes(), b);
        }
        assert!(l.pop_front().is_none());
        assert!(ib.take_all().is_empty());
    }

    #[test]
    fn gate_and_bound() {
        let ib = Inbox::new(100);
        // Shut until the first holder of the lock opens it.
        assert!(!ib.admits(1));
        ib.set_off(false);
        assert!(ib.admits(100));
        assert!(!ib.admits(101));
        ib.push(data(b"x"), 60);
        assert!(ib.admits(40));
        assert!(!ib.admits(41));
        let l = ib.take_all();
        ib.taken(60);
        drop(l);
        assert!(ib.admits(100));
        ib.set_off(true);
        assert!(!ib.admits(1));
        // Dropped with a message in it: freed (kmemleak would say).
        ib.push(data(b"left"), 4);
    }

    #[test]
    fn when_a_pusher_takes_the_lock() {
        let ib = Inbox::new(100);
        ib.set_off(false);
        assert!(!ib.must_wake());
        ib.sleeper_in();
        assert!(ib.must_wake());
        ib.sleeper_out();
        assert!(!ib.must_wake());
        ib.set_off(true);
        assert!(ib.must_wake());
    }
}
