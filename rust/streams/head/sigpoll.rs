// SPDX-License-Identifier: GPL-2.0

//! Asynchronous notification at the stream head: `I_SETSIG`/`I_GETSIG`
//! (SVR4's per-process `SIGPOLL` registrations) and `O_ASYNC` (Linux's
//! fasync: `F_SETOWN`, `F_SETSIG`).
//!
//! # The registrations
//!
//! ```text
//!                 I_SETSIG(ev != 0)              I_SETSIG(ev' != 0)
//!   unregistered ------------------> registered ------------------> registered (ev')
//!        ^                               |
//!        +-------------------------------+
//!          I_SETSIG(0); a close(2) of the stream by the process (also at
//!          its exit); the last close of the stream; a signal that finds
//!          the process gone
//! ```
//!
//! The stream keeps one entry per process (`HeadState::sigs`: a reference
//! to the process's `struct pid` and its events) and the union of all
//! events in `HeadState::sigflags`, together with [`SIG_FASYNC`] while a
//! file of the stream has `O_ASYNC`. Every place that may signal tests
//! `sigflags` under the stream lock it already holds: nobody registered
//! costs the data path that one test. Signals are sent under the stream
//! lock (sending one never sleeps).
//!
//! Which event is sent where (as illumos' `strrput` and `strwsrv`):
//!
//! - a normal message that becomes the first of the head read queue (the
//!   queue was empty, or held only lower bands): `S_INPUT`, and
//!   `S_RDNORM` (band 0) or `S_RDBAND` (band > 0; `SIGURG` instead of
//!   `SIGPOLL` for a process that also asked for `S_BANDURG`);
//! - a high-priority message reaching the head: `S_HIPRI`;
//! - the writers behind the head back-enabled (the queue below the head
//!   drained below its low water mark): `S_WRNORM` when band 0 is
//!   writable, and `S_WRBAND` when a band above 0 that has been used is;
//! - `M_ERROR`: `S_ERROR`; the first `M_HANGUP`: `S_HANGUP`; an
//!   `M_SIG`/`M_PCSIG` carrying `SIGPOLL`: `S_MSG`.
//!
//! The fasync files get `SIGIO` (or their `F_SETSIG` signal) with the
//! `POLL_*` code of the same events: `POLL_IN`, `POLL_PRI`, `POLL_OUT`
//! (band 0 only), `POLL_ERR`, `POLL_HUP`, `POLL_MSG`.

use crate::glue::sigpoll::ProcRef;
use crate::streams::stream::{Inner, Qid, SigEntry, Stream};
use crate::uapi::{
    S_BANDURG, S_ERROR, S_HANGUP, S_HIPRI, S_INPUT, S_MSG, S_OUTPUT, S_RDBAND, S_RDNORM, S_WRBAND,
    S_WRNORM,
};
use kernel::{
    fs::File,
    prelude::*,
    uaccess::{UserPtr, UserSlice},
};

/// `HeadState::sigflags` bit: a file of the stream has `O_ASYNC`.
pub(crate) const SIG_FASYNC: u32 = 0x8000_0000;

/// Every event `I_SETSIG` accepts.
const S_ALL: u32 = S_INPUT
    | S_HIPRI
    | S_OUTPUT
    | S_MSG
    | S_ERROR
    | S_HANGUP
    | S_RDNORM
    | S_RDBAND
    | S_WRBAND
    | S_BANDURG;

/// Linux's `SIGPOLL` (`SIGIO`) and `SIGURG`.
pub(crate) const SIGPOLL: i32 = 29;
const SIGURG: i32 = 23;

/// `si_code`s of `SIGIO` (`POLL_IN` ...).
const POLL_IN: i32 = 1;
const POLL_OUT: i32 = 2;
const POLL_MSG: i32 = 3;
const POLL_ERR: i32 = 4;
const POLL_PRI: i32 = 5;
const POLL_HUP: i32 = 6;

impl Inner {
    /// Whether a normal message of band `band` queued now at the head
    /// would be its first message ([`lands_first`]).
    pub(crate) fn head_first_for(&self, band: u8) -> bool {
        let front = self
            .head_rq_ref()
            .front()
            .map(|m| (m.ty().is_hipri(), m.band()));
        lands_first(front, band)
    }

    /// `sigflags` again from the entries (the fasync bit kept).
    fn sig_recompute(&mut self) {
        let ev = self.sig_list().iter().fold(0, |a, e| a | e.events);
        self.head.sigflags = (self.head.sigflags & SIG_FASYNC) | ev;
    }

    /// The registered processes.
    fn sig_list(&self) -> &[SigEntry] {
        self.head.sigs.as_deref().map_or(&[], |v| v.as_slice())
    }

    /// Where the calling process's entry is.
    fn sig_mine(&self) -> Option<usize> {
        self.sig_list().iter().position(|e| e.proc.is_current())
    }

    /// The queue below the stream head whose flow control a writer meets
    /// (as `canputnext(HeadW)` finds it).
    fn flow_queue_below_head(&self) -> Option<Qid> {
        self.flow_queue_from(self.next(Qid::HeadW)?)
    }
}

/// Whether `ev` is an event set `I_SETSIG` accepts (0 included: the
/// removal): known bits only, `S_BANDURG` only with `S_RDBAND`.
fn setsig_valid(ev: u32) -> bool {
    ev & !S_ALL == 0 && (ev & S_BANDURG == 0 || ev & S_RDBAND != 0)
}

/// The signal a process registered for `registered` gets for the events
/// `bits` (those of its events that happened).
fn signal_for(registered: u32, bits: u32) -> i32 {
    if bits & S_RDBAND != 0 && registered & S_BANDURG != 0 {
        SIGURG
    } else {
        SIGPOLL
    }
}

/// The events a message arriving at the head sends: `S_HIPRI` for a
/// high-priority one; for a normal one, `S_INPUT` with `S_RDNORM` (band 0)
/// or `S_RDBAND`, only if it is the first message of the queue (`first`).
fn arrival_events(hipri: bool, band: u8, first: bool) -> u32 {
    if hipri {
        S_HIPRI
    } else if !first {
        0
    } else if band == 0 {
        S_INPUT | S_RDNORM
    } else {
        S_INPUT | S_RDBAND
    }
}

/// Whether a normal message of band `band` goes to the front of a head
/// read queue whose first message is `front` (high priority, band), as
/// illumos' "first message" test: an empty queue, or a front message of a
/// lower band (a queue keeps high-priority messages first, then bands
/// highest first).
fn lands_first(front: Option<(bool, u8)>, band: u8) -> bool {
    match front {
        None => true,
        Some((hipri, b)) => !hipri && b < band,
    }
}

/// The `SIGIO` code of an event class.
fn poll_code(events: u32) -> Option<i32> {
    if events & S_HIPRI != 0 {
        Some(POLL_PRI)
    } else if events & (S_INPUT | S_RDNORM | S_RDBAND) != 0 {
        Some(POLL_IN)
    } else if events & S_WRNORM != 0 {
        Some(POLL_OUT)
    } else if events & S_MSG != 0 {
        Some(POLL_MSG)
    } else if events & S_ERROR != 0 {
        Some(POLL_ERR)
    } else if events & S_HANGUP != 0 {
        Some(POLL_HUP)
    } else {
        None
    }
}

impl Stream {
    /// Sends one class of `events` (under the stream lock, `inner`): each
    /// registered process that asked for one of them gets `SIGPOLL` (or
    /// `SIGURG`, see the module comment); a process that has exited is
    /// dropped. The fasync files get `SIGIO` with the class's code.
    pub(crate) fn sendsig(&self, inner: &mut Inner, events: u32) {
        let flags = inner.head.sigflags;
        if flags & events != 0 {
            let mut gone = false;
            if let Some(sigs) = inner.head.sigs.as_mut() {
                sigs.retain(|e| {
                    let bits = e.events & events;
                    if bits == 0 {
                        return true;
                    }
                    let alive = e.proc.kill(signal_for(e.events, bits));
                    gone |= !alive;
                    alive
                });
            }
            if gone {
                inner.sig_recompute();
            }
        }
        if flags & SIG_FASYNC != 0 {
            if let Some(code) = poll_code(events) {
                self.fasync.kill(code);
            }
        }
    }

    /// A message was queued at the head (`sigflags` is non-zero): `first`
    /// says it became the first message there (`Inner::head_first_for`,
    /// asked before it was queued).
    pub(crate) fn arrival_sig(&self, inner: &mut Inner, hipri: bool, band: u8, first: bool) {
        let events = arrival_events(hipri, band, first);
        if events != 0 {
            self.sendsig(inner, events);
        }
    }

    /// The writers behind the head were back-enabled (`sigflags` is
    /// non-zero): `S_WRNORM` if band 0 can be written, `S_WRBAND` if a band
    /// above 0 that has been used can.
    pub(crate) fn writable_sig(&self, inner: &mut Inner) {
        if inner.head.sigflags & (S_WRNORM | SIG_FASYNC) != 0 && inner.canputnext(Qid::HeadW) {
            self.sendsig(inner, S_WRNORM);
        }
        if inner.head.sigflags & S_WRBAND == 0 {
            return;
        }
        let Some(q) = inner.flow_queue_below_head() else {
            return;
        };
        let mut any = false;
        if let Some(queue) = inner.qr(q) {
            queue.for_each_open_band(|_| any = true);
        }
        if any {
            self.sendsig(inner, S_WRBAND);
        }
    }

    /// `I_SETSIG`: registers the calling process for the events in `arg`,
    /// changes its events, or (0) removes it. `EINVAL`: unknown bits,
    /// `S_BANDURG` without `S_RDBAND`, or 0 from a process not registered;
    /// `EAGAIN`: no memory for the entry.
    pub(super) fn i_setsig(&self, arg: usize) -> Result<isize> {
        let ev = u32::try_from(arg)
            .ok()
            .filter(|&ev| setsig_valid(ev))
            .ok_or(EINVAL)?;
        let me = ProcRef::current()?;
        // The list, for a stream that has none yet (most never have one).
        let mut spare = Some(KBox::new(KVec::new(), GFP_KERNEL).map_err(|_| EAGAIN)?);
        let removed = {
            let mut inner = self.lock();
            // Messages arriving from now on are signalled.
            self.inbox_shut(&mut inner);
            let mine = inner.sig_mine();
            if inner.head.sigs.is_none() {
                inner.head.sigs = spare.take();
            }
            let Some(sigs) = inner.head.sigs.as_mut() else {
                return Err(EAGAIN);
            };
            let removed = match (mine, ev) {
                (None, 0) => return Err(EINVAL),
                (Some(i), 0) => Some(sigs.remove(i).map_err(|_| EINVAL)?),
                (Some(i), _) => {
                    sigs[i].events = ev;
                    None
                }
                (None, _) => {
                    let e = SigEntry {
                        proc: me,
                        events: ev,
                    };
                    sigs.push(e, GFP_ATOMIC).map_err(|_| EAGAIN)?;
                    None
                }
            };
            inner.sig_recompute();
            removed
        };
        // A process reference (and an unused list) go outside the lock.
        drop(removed);
        drop(spare);
        Ok(0)
    }

    /// `I_GETSIG`: the calling process's events at `arg` (an `int *`);
    /// `EINVAL` if it is not registered.
    pub(super) fn i_getsig(&self, arg: usize) -> Result<isize> {
        let ev = {
            let inner = self.lock();
            let i = inner.sig_mine().ok_or(EINVAL)?;
            inner.sig_list()[i].events
        };
        let mut w = UserSlice::new(UserPtr::from_addr(arg), 4).writer();
        w.write(&(ev as i32))?;
        Ok(0)
    }

    /// A `close(2)` of one of the stream's descriptors by the calling
    /// process (illumos' `strclean`): its registration goes.
    pub(crate) fn sig_close(&self) {
        let gone = {
            let mut inner = self.lock();
            if inner.sig_list().is_empty() {
                return;
            }
            let Some(i) = inner.sig_mine() else {
                return;
            };
            let e = inner.head.sigs.as_mut().and_then(|v| v.remove(i).ok());
            inner.sig_recompute();
            e
        };
        drop(gone);
    }

    /// How many processes are registered (fdinfo's `strclone-sigs`).
    pub(crate) fn sig_count(&self) -> usize {
        self.lock().sig_list().len()
    }

    /// The last close of the stream (illumos' `strcleanall`): every
    /// registration goes.
    pub(crate) fn sig_release(&self) {
        let sigs = {
            let mut inner = self.lock();
            inner.head.sigflags &= SIG_FASYNC;
            core::mem::take(&mut inner.head.sigs)
        };
        // The process references go outside the lock.
        drop(sigs);
    }

    /// The `fasync` file operation: `O_ASYNC` set or cleared on `file`.
    pub(crate) fn sig_fasync(&self, fd: i32, file: &File, on: bool) -> Result<i32> {
        let r = self.fasync.helper(fd, file, on)?;
        // Whoever takes the lock last after its change sees the final list.
        let mut inner = self.lock();
        // Messages arriving from now on are signalled.
        self.inbox_shut(&mut inner);
        if self.fasync.is_empty() {
            inner.head.sigflags &= !SIG_FASYNC;
        } else {
            inner.head.sigflags |= SIG_FASYNC;
        }
        Ok(r)
    }
}

#[kunit_tests(strclone_sigpoll)]
mod tests {
    use super::*;

    #[test]
    fn setsig_accepts_svr4_events_only() {
        assert!(setsig_valid(0));
        assert!(setsig_valid(S_ALL));
        assert!(setsig_valid(S_RDBAND | S_BANDURG));
        assert!(setsig_valid(S_WRNORM));
        assert!(!setsig_valid(S_BANDURG));
        assert!(!setsig_valid(S_BANDURG | S_INPUT | S_RDNORM));
        assert!(!setsig_valid(0x400));
        assert!(!setsig_valid(S_INPUT | SIG_FASYNC));
        assert!(!setsig_valid(u32::MAX));
    }

    #[test]
    fn bandurg_turns_rdband_into_sigurg() {
        assert_eq!(signal_for(S_RDBAND | S_BANDURG, S_RDBAND), SIGURG);
        assert_eq!(
            signal_for(S_INPUT | S_RDBAND | S_BANDURG, S_INPUT | S_RDBAND),
            SIGURG
        );
        // Only for S_RDBAND: its other events still send SIGPOLL.
        assert_eq!(signal_for(S_INPUT | S_RDBAND | S_BANDURG, S_INPUT), SIGPOLL);
        assert_eq!(
            signal_for(S_RDBAND | S_BANDURG | S_HANGUP, S_HANGUP),
            SIGPOLL
        );
        assert_eq!(signal_for(S_RDBAND, S_RDBAND), SIGPOLL);
    }

    #[test]
    fn arrival_events_follow_strrput() {
        assert_eq!(arrival_events(true, 0, false), S_HIPRI);
        assert_eq!(arrival_events(true, 0, true), S_HIPRI);
        assert_eq!(arrival_events(false, 0, true), S_INPUT | S_RDNORM);
        assert_eq!(arrival_events(false, 7, true), S_INPUT | S_RDBAND);
        assert_eq!(arrival_events(false, 0, false), 0);
        assert_eq!(arrival_events(false, 255, false), 0);
    }

    #[test]
    fn first_message_rule() {
        assert!(lands_first(None, 0));
        assert!(lands_first(None, 3));
        // Behind a message of its band or a higher one: not first.
        assert!(!lands_first(Some((false, 0)), 0));
        assert!(!lands_first(Some((false, 5)), 5));
        assert!(!lands_first(Some((false, 9)), 5));
        // Ahead of a lower band: first.
        assert!(lands_first(Some((false, 0)), 1));
        assert!(lands_first(Some((false, 4)), 200));
        // Never ahead of a high-priority message.
        assert!(!lands_first(Some((true, 0)), 255));
    }

    #[test]
    fn fasync_codes() {
        assert_eq!(poll_code(S_HIPRI), Some(POLL_PRI));
        assert_eq!(poll_code(S_INPUT | S_RDNORM), Some(POLL_IN));
        assert_eq!(poll_code(S_INPUT | S_RDBAND), Some(POLL_IN));
        assert_eq!(poll_code(S_WRNORM), Some(POLL_OUT));
        // Band writability is SVR4's only: no SIGIO for it.
        assert_eq!(poll_code(S_WRBAND), None);
        assert_eq!(poll_code(S_MSG), Some(POLL_MSG));
        assert_eq!(poll_code(S_ERROR), Some(POLL_ERR));
        assert_eq!(poll_code(S_HANGUP), Some(POLL_HUP));
    }
}
