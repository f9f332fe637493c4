// SPDX-License-Identifier: GPL-2.0

//! Sleeping on a stream's wait queue ([`Stream::wait`]), counted, so that
//! the data path wakes the queue only when somebody on it has not been
//! woken yet.
//!
//! Every sleep on [`Stream::wait`] happens under the stream lock (the
//! condition variable puts the task on the queue before it drops the
//! lock), and goes through the functions here, which count the sleepers
//! not yet woken in [`Inner::waiters`]. `poll(2)` puts its entry on the
//! queue before it takes the lock to look at the stream, and marks the
//! stream [`POLLED`] there for good (an `epoll` entry stays on the queue
//! after the call returns). A path that changes the stream under the lock
//! asks [`Inner::claim_wake`], still under it, whether to wake the queue
//! once the lock is dropped:
//!
//! - with no sleeper counted and no poller, nobody is on the queue who
//!   could have missed the change (a later sleeper or poller takes the
//!   lock before it looks, and sees it): no wake-up;
//! - with sleepers counted, the answer is yes, and the count goes to zero:
//!   each of them is either still on the queue, and will be woken by this
//!   caller's wake-up, or awake already (a signal, its timeout, another
//!   wake-up) and about to take the lock; either way it looks again under
//!   the lock. Until a task sleeps again, a second change needs no second
//!   wake-up: the first is on its way.
//!
//! The claimer wakes the queue right after it drops the lock, and other
//! changes meanwhile skip theirs (as the kernel's `wake_q` lets a second
//! waker skip a task already queued for waking). So a claim must reach
//! [`Stream::wake_if`] on every path: its result is `#[must_use]`, and a
//! caller that drops it (`mux.rs`, restoring a head) wakes the queue
//! unconditionally instead. A claim dropped on the floor would leave its
//! sleepers asleep until some later unconditional wake-up.
//!
//! A sleeper back from its sleep does not take itself off the count: it
//! cannot tell whether a claimed wake-up woke it (it is off the count
//! already) or a signal, its timeout, or a wake-up not claimed here (the
//! unconditional `notify_all`s of the rarer paths) did. A count too high
//! costs one wake-up for nothing at the next claim; one too low would lose
//! a wake-up. So the count errs high (and saturates below [`POLLED`]).
//!
//! So a message arriving at the head of a stream never polled whose reader
//! is busy or already woken (the common case of a fast writer) costs no
//! wait-queue lock, with its interrupts off; one whose reader sleeps costs
//! one wake-up, not one per message until the reader runs again. A polled
//! stream's queue is woken for every change, as before.

use super::inbox::Locked;
use super::stream::{Inner, Stream};
use kernel::{sync::CondVarTimeoutResult, time::Jiffies};

/// [`Inner::waiters`]: the stream was polled. The sleepers are counted
/// below it (at most one per task, far fewer than 2^31).
pub(crate) const POLLED: u32 = 1 << 31;

impl Inner {
    /// Whether to wake the stream's wait queue after the change made under
    /// this lock, and if so, every sleeper counted now is being woken
    /// (module doc). True while the stream is polled.
    #[must_use = "the wait queue is woken after the lock is dropped"]
    pub(crate) fn claim_wake(&mut self) -> bool {
        if self.waiters & !POLLED == 0 {
            return self.waiters != 0;
        }
        self.waiters &= POLLED;
        true
    }

    /// A poller's entry is on the wait queue (module doc).
    pub(crate) fn mark_polled(&mut self) {
        self.waiters |= POLLED;
    }

    /// Counts a sleeper about to sleep (module doc: the sleeper never takes
    /// itself off the count; a claimed wake-up does).
    fn count_sleeper(&mut self) {
        let n = ((self.waiters & !POLLED) + 1).min(POLLED - 1);
        self.waiters = (self.waiters & POLLED) | n;
    }
}

impl Stream {
    /// Sleeps on the stream's wait queue, the lock dropped meanwhile
    /// (uninterruptible: the plumbing and close paths, which wait for
    /// other things than data at the head).
    pub(crate) fn sleep_locked(&self, inner: &mut Locked<'_>) {
        inner.count_sleeper();
        self.wait.wait(inner.guard());
    }

    /// Sleeps on the stream's wait queue, the lock dropped meanwhile; true
    /// if a signal is pending. Readers sleep here: it returns at once, as
    /// after a wake-up, when a message came through the head's inbox
    /// (`inbox.rs`).
    pub(crate) fn sleep_locked_interruptible(&self, inner: &mut Locked<'_>) -> bool {
        if !self.inbox_sleep(inner) {
            return false;
        }
        inner.count_sleeper();
        let sig = self.wait.wait_interruptible(inner.guard());
        self.inbox_awake();
        sig
    }

    /// Sleeps on the stream's wait queue for at most `j`, the lock dropped
    /// meanwhile (interruptible; `I_STR` and close-time waits, for other
    /// things than data at the head).
    pub(crate) fn sleep_locked_timeout(
        &self,
        inner: &mut Locked<'_>,
        j: Jiffies,
    ) -> CondVarTimeoutResult {
        inner.count_sleeper();
        self.wait.wait_interruptible_timeout(inner.guard(), j)
    }

    /// Wakes the stream's sleepers and pollers if `wake` (what
    /// [`Inner::claim_wake`] said under the lock that made the change they
    /// wait for).
    pub(crate) fn wake_if(&self, wake: bool) {
        if wake {
            self.wait.notify_all();
        }
    }
}
