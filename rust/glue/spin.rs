// SPDX-License-Identifier: GPL-2.0

//! A bounded busy wait (`spin.c`: `need_resched()` and
//! `num_online_cpus()` are an inline and a macro in C).

use kernel::{
    processor::cpu_relax,
    time::{Delta, Instant, Monotonic},
};

extern "C" {
    fn strclone_need_resched() -> bool;
    fn strclone_smp_online() -> bool;
}

/// Whether the scheduler wants the current CPU for another task.
fn need_resched() -> bool {
    // SAFETY: Reads the current task's thread flags; callable anywhere.
    unsafe { strclone_need_resched() }
}

/// Whether more than one CPU is online: with one, whatever a task spins
/// for cannot happen while it spins.
pub(crate) fn smp() -> bool {
    // SAFETY: Reads the online CPU mask's weight; callable anywhere.
    unsafe { strclone_smp_online() }
}

/// Spins, with `cpu_relax()` between looks, while `cond` holds, until
/// `limit` has passed since `start`, the scheduler wants the CPU, or a
/// signal is pending for the current task. Returns whether `cond` ended
/// the wait. The caller holds no spinlock and runs preemptible: the wait
/// is an ordinary loop that the scheduler may interrupt at any time.
pub(crate) fn spin_while(
    start: Instant<Monotonic>,
    limit: Delta,
    mut cond: impl FnMut() -> bool,
) -> bool {
    let mut n: u32 = 0;
    while cond() {
        if need_resched() || kernel::current!().signal_pending() {
            return false;
        }
        n = n.wrapping_add(1);
        // The clock every eighth look: under emulation reading it costs
        // far more than a look.
        if n & 7 == 0 && start.elapsed() >= limit {
            return false;
        }
        cpu_relax();
    }
    true
}
