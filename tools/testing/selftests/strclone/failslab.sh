#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# strclone under slab fault injection (failslab). Runs the stress workload
# in its fault-injection mode (stress -f):
#
#  1. a systematic pass: for each of a list of single system calls on
#     strclone nodes and streams, its 1st, 2nd, 3rd ... slab allocation is
#     failed (/proc/thread-self/fail-nth) until the call no longer
#     allocates; every outcome must be success or a clean documented errno
#     with the documented effect, and no stream may be left behind;
#  2. the random concurrency workload with failslab on the worker threads
#     only (task-filter + make-it-fail, one worker at a time so that the
#     injected failures never overlap): ENOMEM is an accepted result of an
#     allocating call, everything else the stress test checks still holds.
#
# failslab runs with verbose=2 (each injected failure prints its stack, which
# tools/vm/results.py recognises); the test counts the injected failures and
# the distinct strclone functions in those stacks and prints the figures.
# Every failslab knob is restored afterwards, also when the test fails.
#
# Environment: FAILSLAB_OPS (random-phase operations, default 3000),
# FAILSLAB_PCT (probability, default 10), FAILSLAB_TIMES (most failures in
# the random phase, default 600).

DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"

OPS=${FAILSLAB_OPS:-3000}
PCT=${FAILSLAB_PCT:-10}
TIMES=${FAILSLAB_TIMES:-600}

# Without root or failslab the test VM is set up wrong: fail, do not skip.
if [ "$(id -u)" != 0 ]; then
	ktap_print_header
	ktap_exit_fail_msg "must be run as root"
fi
if [ ! -w /sys/kernel/debug/failslab/probability ]; then
	ktap_print_header
	ktap_exit_fail_msg "no /sys/kernel/debug/failslab (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)"
fi

# stress prints the KTAP header, plan and results itself and restores the
# failslab knobs at exit; make sure they are off even if it is killed.
"$DIR/stress" -f -n "$OPS" -p "$PCT" -T "$TIMES"
rc=$?
echo 0 > /sys/kernel/debug/failslab/probability
echo 0 > /proc/self/make-it-fail 2>/dev/null
exit $rc
