// SPDX-License-Identifier: GPL-2.0

//! Sleeping on a stream's wait queue ([`Stream::wait`]), counted, so that
//! the data path wakes the queue only when somebody can be on it.
//!
//! Every sleep on [`Stream::wait`] happens under the stream lock (the
//! condition variable puts the task on the queue before it drops the
//! lock), and goes through the functions here, which count the sleepers
//! in [`Inner::waiters`] while they sleep. `poll(2)` puts its entry on
//! the queue before it takes the lock to look at the stream, and marks
//! the stream [`POLLED`] there for good (an `epoll` entry stays on the
//! queue after the call returns). So a
//! path that changes the stream under the lock and sees, still under it,
//! no sleeper and no poller knows that nobody is on the queue who could
//! have missed the change: a later sleeper or poller takes the lock
//! before it looks, and sees it. Such a path may skip the wake-up: a
//! message arriving at the head of a stream whose reader is busy (the
//! common case of a fast writer) then costs no wait-queue lock, with its
//! interrupts off, per message.

use super::stream::{Inner, Stream};
use kernel::{
    sync::{CondVarTimeoutResult, SpinLockGuard},
    time::Jiffies,
};

/// [`Inner::waiters`]: the stream was polled. The sleepers are counted
/// below it (at most one per task, far fewer than 2^31).
pub(crate) const POLLED: u32 = 1 << 31;

impl Inner {
    /// Whether somebody may be waiting on the stream's wait queue: a
    /// counted sleeper, or a poller (module doc).
    pub(crate) fn may_have_waiters(&self) -> bool {
        self.waiters != 0
    }

    /// A poller's entry is on the wait queue (module doc).
    pub(crate) fn mark_polled(&mut self) {
        self.waiters |= POLLED;
    }
}

impl Stream {
    /// Sleeps on the stream's wait queue, the lock dropped meanwhile
    /// (uninterruptible).
    pub(crate) fn sleep_locked(&self, inner: &mut SpinLockGuard<'_, Inner>) {
        inner.waiters += 1;
        self.wait.wait(inner);
        inner.waiters -= 1;
    }

    /// Sleeps on the stream's wait queue, the lock dropped meanwhile; true
    /// if a signal is pending.
    pub(crate) fn sleep_locked_interruptible(&self, inner: &mut SpinLockGuard<'_, Inner>) -> bool {
        inner.waiters += 1;
        let sig = self.wait.wait_interruptible(inner);
        inner.waiters -= 1;
        sig
    }

    /// Sleeps on the stream's wait queue for at most `j`, the lock dropped
    /// meanwhile.
    pub(crate) fn sleep_locked_timeout(
        &self,
        inner: &mut SpinLockGuard<'_, Inner>,
        j: Jiffies,
    ) -> CondVarTimeoutResult {
        inner.waiters += 1;
        let r = self.wait.wait_interruptible_timeout(inner, j);
        inner.waiters -= 1;
        r
    }

    /// Wakes the stream's sleepers and pollers if `wake` (what
    /// [`Inner::may_have_waiters`] said under the lock that made the
    /// change they wait for).
    pub(crate) fn wake_if(&self, wake: bool) {
        if wake {
            self.wait.notify_all();
        }
    }
}
