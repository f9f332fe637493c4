// SPDX-License-Identifier: GPL-2.0

//! The close time (`I_SETCLTIME`/`I_GETCLTIME`) and the wait of the last
//! close for the stream's write side to drain (SVR4's `strclose`).
//!
//! # The drain at the last close
//!
//! ```text
//!   last close --O_NONBLOCK, close time 0, kernel thread--> no waiting
//!       |
//!       v                 timeout, signal, hangup, M_ERROR
//!   wait for the queue  ---------------------------------> no waiting for
//!   below the head          (nothing more waits)           the levels left
//!       | empty
//!       v
//!   pop it (a module) ---> wait for the next queue below the head ...
//!   the driver's queue empty (or no waiting) ---> driver close, teardown
//! ```
//!
//! As illumos, the wait is for the queue right below the stream head: a
//! module's write queue, popped once it is empty, then the next one, down
//! to the driver's write queue. The waiting closer sets `QWANTW` on that
//! queue, so its draining back-enables the writers behind the head and
//! wakes the closer (the same wake-up as a blocked `write(2)`). Unlike
//! illumos, whose close waits up to the close time at each level, one
//! deadline covers the whole close: a close waits at most the close time.
//! A signal ends the waiting (the close goes on and frees what is left,
//! as it always did), and so does a hangup (`M_HANGUP`) or a write error
//! (`M_ERROR`): output can go nowhere then (illumos waits anyway; Linux's
//! tty close does not wait after a hangup either). A close from a kernel
//! thread, or of a file opened `O_NONBLOCK`, does not wait at all. Nothing here runs on strclone's workqueue, whose
//! service procedures are what drain the queues, and a stream with a file
//! being closed holds a module reference, so `rmmod` fails (`EBUSY`) at
//! once instead of waiting.

use crate::glue::sigpoll::current_is_kthread;
use crate::streams::queue::QWANTW;
use crate::streams::stream::{Qid, Stream};
use crate::uapi::STRCLONE_CLTIME_MAX;
use kernel::{
    prelude::*,
    sync::CondVarTimeoutResult,
    time::{msecs_to_jiffies, Jiffies},
    uaccess::{UserPtr, UserSlice},
};

/// What is left of the close time during a last close.
pub(crate) struct CloseDrain {
    /// Jiffies the close may still wait; `None`: it waits no more.
    left: Option<Jiffies>,
}

impl Stream {
    /// `I_SETCLTIME`: the close time, milliseconds, from the `int` at
    /// `arg`; `EINVAL` if negative or above `STRCLONE_CLTIME_MAX` (an
    /// exiting process cannot be killed while its close waits).
    pub(super) fn i_setcltime(&self, arg: usize) -> Result<isize> {
        let mut b = [0u8; 4];
        UserSlice::new(UserPtr::from_addr(arg), 4)
            .reader()
            .read_slice(&mut b)?;
        let ms = u32::try_from(i32::from_ne_bytes(b))
            .ok()
            .filter(|&ms| ms <= STRCLONE_CLTIME_MAX)
            .ok_or(EINVAL)?;
        self.lock().head.closetime = ms;
        Ok(0)
    }

    /// `I_GETCLTIME`: the close time, milliseconds, to the `int` at `arg`.
    pub(super) fn i_getcltime(&self, arg: usize) -> Result<isize> {
        let ms = self.lock().head.closetime;
        let mut w = UserSlice::new(UserPtr::from_addr(arg), 4).writer();
        w.write(&(ms as i32))?;
        Ok(0)
    }

    /// The start of a last close: whether and how long it may wait
    /// (`drain`: the file was not `O_NONBLOCK`).
    pub(crate) fn close_drain_start(&self, drain: bool) -> CloseDrain {
        let ms = self.lock().head.closetime;
        let wait = drain && ms > 0 && !current_is_kthread();
        CloseDrain {
            left: wait.then(|| msecs_to_jiffies(ms)),
        }
    }

    /// Waits, within what is left of the close time, until the queue below
    /// the stream head holds no message.
    pub(crate) fn close_drain(&self, c: &mut CloseDrain) {
        let Some(mut left) = c.left else {
            return;
        };
        let mut inner = self.lock();
        while let Some(q) = inner.next(Qid::HeadW) {
            if inner.head.hangup || inner.head.werr != 0 {
                // Its output can go nowhere any more: no (more) waiting.
                c.left = None;
                return;
            }
            let Some(queue) = inner.qm(q) else {
                break;
            };
            if queue.is_empty() {
                break;
            }
            // Its drain below the low water mark back-enables the head's
            // writers, which wakes this sleep.
            queue.set_flags(QWANTW);
            match self.sleep_locked_timeout(&mut inner, left) {
                CondVarTimeoutResult::Woken { jiffies } => left = jiffies,
                CondVarTimeoutResult::Timeout | CondVarTimeoutResult::Signal { .. } => {
                    c.left = None;
                    return;
                }
            }
        }
        c.left = Some(left);
    }
}
