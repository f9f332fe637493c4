#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One kmemleak check for a whole test run: waits until everything the run
# allocated is older than kmemleak's minimum age (5 s), scans twice and
# fails on any suspected leak. Runs last in tests.list.
#
# stress (and so failslab.sh) and lifecycle.sh normally check kmemleak
# themselves, each costing two scans and a 5.5 s wait; when
# STRCLONE_KMEMLEAK=final is set (tools/vm/plan-check.sh sets it) they leave
# it to this test, which covers everything they did because it runs after
# them in the same boot.
#
# Any report fails, also one that strclone did not cause: run it on a test
# kernel whose boot leaves no reports (the strclone test kernel does not).

DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"

ktap_print_header
# The test kernel has kmemleak: without it the VM is set up wrong (fail).
if [ ! -w /sys/kernel/debug/kmemleak ]; then
	ktap_exit_fail_msg "no /sys/kernel/debug/kmemleak (CONFIG_DEBUG_KMEMLEAK, debugfs)"
fi
ktap_set_plan 1
none=$(mktemp /tmp/kmemleak.XXXXXX) || ktap_exit_fail_msg "mktemp failed"
"$DIR/lifecycle_helper" kmemleak-check "$none" >"$none.out" 2>&1
rc=$?
sed 's/^\(# \)\{0,1\}/# /' "$none.out"
rm -f "$none" "$none.out"
if [ $rc = 0 ]; then
	ktap_test_pass "kmemleak: no suspected leak after the whole run"
else
	ktap_test_fail "kmemleak: no suspected leak after the whole run"
fi
ktap_finished
