// SPDX-License-Identifier: GPL-2.0

//! Writers at work towards a stream head, for its reader to wait for by
//! spinning instead of sleeping.
//!
//! A reader that finds its head read queue empty sleeps on the stream's
//! wait queue, and the writer that brings the next message wakes it. When
//! a writer is already inside its `write(2)` or `putmsg` (past the wait
//! for room, copying the user's bytes in or handing the message on), the
//! message is a few microseconds away, and the sleep and the wake-up cost
//! both sides more than that. A driver whose writers deliver to a head it
//! knows (a pipe: the other end's) gives each direction a [`WriteGate`]
//! (`Driver::write_gate` on the writing end, `Driver::read_gate` on the
//! reading one); the head's write paths hold a [`Writing`] from it while
//! they build and send a small message ([`SPIN_WRITE_MAX`]), and a
//! blocking reader that finds its
//! queue empty spins ([`Spin`]) while a writer is inside and none has
//! finished since it looked, as the kernel's mutex
//! spins while the owner runs, then looks at its queue again (under the
//! lock, as before any sleep: nothing is lost if it then sleeps).
//!
//! The bound: the spin ends when a writer finishes, when the scheduler
//! wants the CPU (which also ends any further spinning in the call), when
//! a signal is pending (the same), and after [`SPIN_LIMIT`] in all per
//! `read(2)`, `getmsg` or `getpmsg` call, sleeps included; never with a
//! lock held; never with one CPU online, nor when the last writer to
//! enter did so on the reader's CPU (it is not running then, unless it
//! moved: the mutex's spin looks at whether the owner runs); never for an
//! `O_NONBLOCK` reader, which does not sleep either.

use crate::glue::spin;
use core::sync::atomic::{AtomicU32, Ordering};
use kernel::{
    cpu::CpuId,
    time::{Delta, Instant, Monotonic},
};

/// Longest a reader spins, in all, per blocking look at an empty queue.
/// A 64 KiB write copies its bytes in a few microseconds on a real CPU;
/// a writer that takes longer is probably not running, and the reader
/// sleeps as it would have.
pub(crate) const SPIN_LIMIT: Delta = Delta::from_micros(20);

/// Largest message whose writer a reader spins for. Copying it in and
/// handing it on costs well under a sleep and a wake-up; a larger one
/// takes long enough to copy that the reader had better sleep, and a
/// reader that sleeps finds several such messages when it wakes, which it
/// takes in one go, where one that spun takes each as it arrives (in an
/// A/B under TCG, spinning for every write lowered the 4 KiB and 64 KiB
/// pipe rows: Documentation/strclone/pipes.rst).
pub(crate) const SPIN_WRITE_MAX: usize = 1024;

/// The writers in progress of one direction (low 16 bits) and a count of
/// those that finished (the rest, wrapping), in one word: a finish is one
/// atomic step that lowers the first and raises the second. Over 65535
/// writers at once would carry into the finish count: then a reader may
/// see none in progress and sleep, as it would without the gate.
pub(crate) struct WriteGate {
    word: AtomicU32,
    /// The CPU the last writer entered on: a reader on that CPU knows that
    /// this writer is not running (unless it moved), and does not spin.
    cpu: AtomicU32,
}

const IN: u32 = 1;
const IN_MASK: u32 = 0xffff;
const DONE: u32 = 1 << 16;

impl WriteGate {
    pub(crate) const fn new() -> Self {
        Self {
            word: AtomicU32::new(0),
            cpu: AtomicU32::new(u32::MAX),
        }
    }

    /// A writer starts building and sending a message of `len` bytes; the
    /// gate counts it until the [`Writing`] is dropped, if the message is
    /// small ([`SPIN_WRITE_MAX`]).
    pub(crate) fn enter(&self, len: usize) -> Option<Writing<'_>> {
        if len > SPIN_WRITE_MAX {
            return None;
        }
        self.cpu.store(CpuId::current().as_u32(), Ordering::Relaxed);
        self.word.fetch_add(IN, Ordering::Relaxed);
        Some(Writing { gate: self })
    }

    /// The gate's word, read by a reader under its stream lock when it
    /// found its queue empty, for [`Spin`].
    pub(crate) fn look(&self) -> u32 {
        self.word.load(Ordering::Acquire)
    }

    /// Whether the last writer to enter did so on the caller's CPU: then
    /// it cannot be running while the caller is (unless it moved since).
    fn writer_here(&self) -> bool {
        self.cpu.load(Ordering::Relaxed) == CpuId::current().as_u32()
    }
}

/// One blocking read's (or `getmsg`'s) spinning: when it began, and
/// whether it is over for this call.
pub(crate) struct Spin {
    start: Option<Instant<Monotonic>>,
    over: bool,
}

impl Spin {
    pub(crate) const fn new() -> Self {
        Self {
            start: None,
            over: false,
        }
    }

    /// Whether a reader that found its queue empty, with `seen` the gate's
    /// word then ([`WriteGate::look`], under the stream lock), should
    /// spin: a writer is in progress, the last to enter did so on another
    /// CPU, and the bound (module doc) is not used up. Called with the lock held; cheap when no writer is in
    /// progress (no clock reading).
    pub(crate) fn should(&mut self, gate: &WriteGate, seen: u32) -> bool {
        if self.over || seen & IN_MASK == 0 || gate.writer_here() {
            return false;
        }
        let start = *self.start.get_or_insert_with(Instant::now);
        if start.elapsed() >= SPIN_LIMIT || !spin::smp() {
            self.over = true;
            return false;
        }
        true
    }

    /// Spins, the stream lock dropped, while the gate's word is still
    /// `seen`; after this the reader looks at its queue again (under the
    /// lock, before any sleep). A spin that ends other than by a writer
    /// finishing (the scheduler, a signal, the time) is the last of this
    /// call.
    pub(crate) fn run(&mut self, gate: &WriteGate, seen: u32) {
        let Some(start) = self.start else {
            return;
        };
        if !spin::spin_while(start, SPIN_LIMIT, || gate.look() == seen) {
            self.over = true;
        }
    }
}

/// A writer in progress on a [`WriteGate`]: dropped when its message has
/// gone (or failed).
pub(crate) struct Writing<'a> {
    gate: &'a WriteGate,
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        // One step: one writer fewer in progress, one more finished.
        let word = &self.gate.word;
        word.fetch_add(DONE.wrapping_sub(IN), Ordering::Release);
    }
}

#[kernel::prelude::kunit_tests(strclone_gate)]
mod tests {
    use super::*;

    #[test]
    fn counts_writers_and_finishes() {
        let g = WriteGate::new();
        let w0 = g.look();
        assert_eq!(w0 & IN_MASK, 0);
        let a = g.enter(64);
        assert!(a.is_some());
        let b = g.enter(SPIN_WRITE_MAX);
        assert!(b.is_some());
        assert_eq!(g.look(), w0 + 2);
        // A large message is not counted.
        assert!(g.enter(SPIN_WRITE_MAX + 1).is_none());
        assert_eq!(g.look(), w0 + 2);
        drop(a);
        assert_eq!(g.look() & IN_MASK, 1);
        assert_eq!(g.look() >> 16, (w0 >> 16) + 1);
        drop(b);
        assert_eq!(g.look() & IN_MASK, 0);
        assert_eq!(g.look() >> 16, (w0 >> 16) + 2);
    }

    #[test]
    fn no_spin_without_a_writer() {
        let g = WriteGate::new();
        let mut s = Spin::new();
        assert!(!s.should(&g, g.look()));
    }

    #[test]
    fn spin_for_a_writer_that_never_finishes_is_bounded() {
        let g = WriteGate::new();
        let w = g.enter(64);
        assert!(w.is_some());
        // As if the writer had entered on another CPU.
        g.cpu.store(u32::MAX - 1, Ordering::Relaxed);
        let seen = g.look();
        let mut s = Spin::new();
        // With one CPU online there is no spin at all.
        if !s.should(&g, seen) {
            assert!(!spin::smp());
            return;
        }
        let t0 = Instant::<Monotonic>::now();
        s.run(&g, seen);
        // SPIN_LIMIT, or earlier if the scheduler wanted the CPU; a loose
        // bound for a preempted spinner on a debug kernel under emulation.
        assert!(t0.elapsed() < Delta::from_millis(1000));
        // That was the last spin of this call.
        assert!(!s.should(&g, seen));
        drop(w);
    }
}
