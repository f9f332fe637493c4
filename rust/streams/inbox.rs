// SPDX-License-Identifier: GPL-2.0

//! The stream lock, and a head's inbox: data handed to the stream head
//! without the lock.
//!
//! Every holder of a stream's lock goes through [`Stream::lock`], whose
//! guard ([`Locked`]) is what the rest of the framework calls `inner`.
//! For most streams it is the spinlock and nothing more. A driver whose
//! writers deliver to another stream's head (a pipe end: the other end's)
//! gives that head an [`Inbox`] ([`Driver::inbox`]), and then:
//!
//! ```text
//!   writer (no lock of the reading end)         holder of the reading end's lock
//!   -----------------------------------         --------------------------------
//!   gate open, the message fits?                lock: splice the inbox onto the
//!     no: put_up_direct (locked, as before)       head read queue, oldest first
//!     yes: push it (full barrier), then         ... looks at or changes the
//!          a sleeper counted, or the gate           stream ...
//!          shut meanwhile?                      unlock: open or shut the gate
//!            yes: lock (which splices),           (shutting: full barrier, then
//!                 claim a wake-up, unlock,         splice what came meanwhile)
//!                 wake                          sleep: count a sleeper (full
//!                                                 barrier), inbox not empty?
//!                                                 then do not sleep; else set the
//!                                                 gate and sleep
//! ```
//!
//! **Order.** A message reaches the head read queue through the inbox
//! only when the holder of the lock splices it, and every holder splices
//! when it takes the lock, so whatever the holder then looks at or queues
//! at the head comes after every message pushed before: the inbox is the
//! tail of the head read queue that nobody has counted yet. A message
//! pushed while the lock is held comes after everything that holder does.
//!
//! **The gate** ([`Inbox::admits`]) is open only while a message could
//! have gone straight onto the head read queue under the lock
//! (`Stream::put_up_direct`'s conditions) without anything the head does
//! on arrival: the stream open, nothing pushed, not linked under a
//! multiplexor, nobody registered for `SIGPOLL` (`I_SETSIG`), never polled
//! (pollers are woken for every arrival, and a stream once polled stays
//! so: `sleep.rs`), the driver's read queue empty and not scheduled, and
//! room at the head for a whole inbox on top of what is queued. Every
//! release of the lock sets the gate from the state it leaves, so a
//! change that shuts it (a push, a link, `I_SETSIG`, a poll, a full head)
//! takes effect when its holder unlocks. A writer that found the gate
//! open just before it shut may still push: either the holder that shut
//! it sees that message when it looks at the inbox after shutting it (and
//! moves it to the head, waking whoever waits), or the writer sees the
//! gate shut after its push and takes the lock to wake them; the full
//! barriers on both sides make one of the two happen. Such a message
//! arrived before the change, as it would have on the locked path had the
//! writer been a little faster.
//!
//! **Sleepers.** A task about to sleep on the stream counts itself in the
//! inbox ([`Inbox::sleeper_in`]) and looks at the inbox once more before
//! it sleeps; a writer looks at that count after its push. Again one of
//! the two sees the other: the sleeper does not sleep, or the writer takes
//! the lock (which waits until the sleeper is on the wait queue, as the
//! condition variable puts it there before dropping the lock), splices,
//! and claims a wake-up (`sleep.rs`).
//!
//! **Bounds.** The inbox holds at most [`Inbox::limit`] (each message
//! counted as its bytes plus its blocks, so empty messages count too), and
//! the gate is open only while the head has room for a whole inbox, so
//! the head holds no more than its high water mark plus one message per
//! writer, as on the locked path.
//!
//! Lock order: none is added. The inbox is lock-free; splicing takes no
//! other lock; the rare wake-up of a holder that shut the gate with
//! messages in flight is made under the stream lock, as the wait queue's
//! lock nests inside it.

use super::msg::{Mblk, MsgList, MsgType};
use super::queue::{QENAB, QINSERVICE};
use super::sleep::POLLED;
use super::stream::{Inner, Qid, Stream};
use crate::glue::inbox::Inbox;
use core::ops::{Deref, DerefMut};
use kernel::sync::{Arc, SpinLockGuard};

/// The stream lock held ([`Stream::lock`]): the stream's [`Inner`], and on
/// release the inbox's gate set from it.
pub(crate) struct Locked<'a> {
    s: &'a Stream,
    g: SpinLockGuard<'a, Inner>,
}

impl Deref for Locked<'_> {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.g
    }
}

impl DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Inner {
        &mut self.g
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        if let Some(ib) = self.s.inbox() {
            self.s.set_gate(&mut self.g, ib);
        }
    }
}

impl<'a> Locked<'a> {
    /// The spinlock's guard, for the condition variable (`sleep.rs`).
    pub(super) fn guard(&mut self) -> &mut SpinLockGuard<'a, Inner> {
        &mut self.g
    }
}

impl Stream {
    /// The head's inbox, if the driver gives one and the stream is open
    /// (a closed stream's inbox may serve its successor: `pipe.rs`).
    fn inbox(&self) -> Option<&Inbox> {
        if self.has_inbox && !self.is_closed() {
            self.driver.inbox()
        } else {
            None
        }
    }

    /// Takes the stream lock; what waits in the inbox goes onto the head
    /// read queue first (module doc).
    pub(crate) fn lock(&self) -> Locked<'_> {
        let mut g = self.inner.lock();
        if let Some(ib) = self.inbox() {
            Self::splice(&mut g, ib.take(), ib);
        }
        Locked { s: self, g }
    }

    /// Queues the messages `list` taken off the inbox on the head read
    /// queue, oldest first; whether there were any. Shuts the gate when
    /// the head has no room left for a whole inbox more.
    fn splice(inner: &mut Inner, mut list: MsgList, ib: &Inbox) -> bool {
        if list.is_empty() {
            return false;
        }
        let mut n = 0usize;
        while let Some(m) = list.pop_front() {
            n += Self::charge(&m);
            // The head read queue has no service procedure (the gate is
            // shut before a link gives it one): nothing to schedule, and
            // only data, which it never frees.
            let _ = inner.putq(Qid::HeadR, m);
        }
        ib.taken(n);
        if !inner.head_rq_ref().has_room_for(ib.limit() as usize) {
            Self::splice(inner, ib.shut(), ib);
        }
        true
    }

    /// What a message counts for in an inbox: its bytes and its blocks.
    fn charge(m: &Mblk) -> usize {
        m.size() + m.blocks()
    }

    /// Shuts the inbox's gate, moving what waits to the head read queue
    /// first: called with the lock held before a change after which an
    /// arriving message must be seen arrive (a link, `I_SETSIG` or
    /// `O_ASYNC`, a push, a poll). What it moves arrived before the
    /// change; every later message takes the locked path.
    pub(crate) fn inbox_shut(&self, inner: &mut Inner) {
        if let Some(ib) = self.inbox() {
            Self::splice(inner, ib.shut(), ib);
        }
    }

    /// Reopens a shut gate when the state the lock holder leaves allows
    /// (module doc). An open gate is shut by the changes that need it
    /// ([`Self::inbox_shut`]) and by a splice that fills the head, so an
    /// unlock that finds it open has nothing to look at.
    fn set_gate(&self, inner: &mut Inner, ib: &Inbox) {
        if !ib.is_shut() {
            return;
        }
        let drv = &inner.q[2];
        if inner.mods.is_empty()
            && inner.head.link.is_none()
            && inner.head.sigflags == 0
            && inner.waiters & POLLED == 0
            && drv.is_empty()
            && drv.flags() & (QENAB | QINSERVICE) == 0
            && inner.head_rq_ref().has_room_for(ib.limit() as usize)
        {
            ib.open();
        }
    }

    /// A reader is about to sleep on the stream with `inner` held: counted
    /// in the inbox, and `false` if a message came meanwhile (it is on the
    /// head read queue now: do not sleep, look again).
    pub(super) fn inbox_sleep(&self, inner: &mut Inner) -> bool {
        let Some(ib) = self.inbox() else {
            return true;
        };
        ib.sleeper_in();
        if Self::splice(inner, ib.take(), ib) {
            ib.sleeper_out();
            return false;
        }
        self.set_gate(inner, ib);
        true
    }

    /// The reader counted by [`Self::inbox_sleep`] is back, the lock held
    /// again.
    pub(super) fn inbox_awake(&self) {
        if let Some(ib) = self.inbox() {
            ib.sleeper_out();
        }
    }

    /// Hands the band-0 message `m` to this stream's head: through the
    /// inbox if it is `M_DATA` (what `write` sends) while the gate is open
    /// and `m` fits, else as [`Self::put_up_direct`] (which gives `m` back
    /// when it cannot take it).
    ///
    /// A message with a control part (`putmsg`) takes the locked path: its
    /// reader takes one message per `getmsg`, so it is the slower side of
    /// the pipe, and splicing moves the work of queueing each message from
    /// the writer onto the reader (`pipes.rst`, seventh round).
    pub(crate) fn put_up_inbox(self: &Arc<Self>, m: Mblk) -> core::result::Result<(), Mblk> {
        let Some(ib) = self.inbox() else {
            return self.put_up_direct(m);
        };
        if m.band() != 0 || m.ty() != MsgType::Data {
            return self.put_up_direct(m);
        }
        let charge = Self::charge(&m);
        match ib.push(m, charge) {
            Ok(()) => {
                if ib.must_wake() {
                    let wake = self.lock().claim_wake();
                    self.wake_if(wake);
                }
                Ok(())
            }
            Err(m) => self.put_up_direct(m),
        }
    }
}
