#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# strclone's module lifecycle:
#  - rmmod is refused (EWOULDBLOCK) while any kind of stream is open (echo,
#    ptm master, a slave whose master closed, strlog, conslog, a log
#    reader), and works once it is closed;
#  - LIFECYCLE_ROUNDS (default 200) rounds of insmod -> open, use and close
#    every kind of stream -> rmmod in one boot, then a kmemleak scan must
#    report nothing new (with STRCLONE_KMEMLEAK=final that scan is left to
#    kmemleak.sh, which runs after this test, and this test has no
#    kmemleak result, only a comment saying so);
#  - the module parameters at their limits: pt_cnt=1 (one master, then
#    ENODEV), log_cnt=6 = CLONEMIN+1 (no strlog minor: ENXIO, conslog still
#    works), log_cnt=7 (exactly one strlog minor), the largest values
#    (pt_cnt=1048576, log_cnt=65536), and out-of-range values refused by
#    insmod.
# The module is always left loaded with its default parameters, also when a
# test fails.
#
# Needs root, $STRCLONE_KO (default /opt/strclone/strclone.ko),
# lifecycle_helper and ktap_helpers.sh next to this script.

DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"

KO=${STRCLONE_KO:-/opt/strclone/strclone.ko}
MOD=strclone
PARAMS=/sys/module/$MOD/parameters
HELPER=$DIR/lifecycle_helper
ROUNDS=${LIFECYCLE_ROUNDS:-200}
KINDS="echo master slave strlog conslog reader"
NTESTS=20
# STRCLONE_KMEMLEAK=final: kmemleak.sh checks once after the whole run.
KML_FINAL=0
[ "${STRCLONE_KMEMLEAK:-}" = final ] && KML_FINAL=1 && NTESTS=19
KUNIT_GLOB=/sys/module/kunit/parameters/filter_glob
kunit_glob=

work=
holder=
restored=0

log_file() {
	[ -f "$1" ] && sed 's/^\(# \)\{0,1\}/# /' "$1"
}

is_loaded() {
	grep -q "^$MOD " /proc/modules
}

wait_node() {
	i=0
	while [ ! -c /dev/clone-ptmx ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -c /dev/clone-ptmx ]
}

# rmmod, retrying for up to 2 s: between the steps of this test, where
# only getting rid of the module matters. Test 8 and the rounds (see
# lifecycle_helper.c) require the first rmmod after the last close to work.
unload() {
	i=0
	while is_loaded && [ $i -lt 20 ]; do
		rmmod $MOD 2>"$work/rmmod.err" && break
		sleep 0.1
		i=$((i + 1))
	done
	if is_loaded; then
		log_file "$work/rmmod.err"
		return 1
	fi
	return 0
}

# load [PARAMS...]: a fresh instance with these parameters.
load() {
	is_loaded && ! unload && return 1
	insmod "$KO" "$@" 2>"$work/insmod.err" && wait_node && return 0
	log_file "$work/insmod.err"
	return 1
}

param_is() {
	[ "$(cat $PARAMS/$1 2>/dev/null)" = "$2" ]
}

stop_holder() {
	[ -n "$holder" ] || return 0
	kill -TERM "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	holder=
}

cleanup() {
	stop_holder
	kunit_restore
	if [ $restored = 0 ]; then
		if ! is_loaded || ! param_is pt_cnt 4096 || ! param_is log_cnt 256; then
			is_loaded && unload >/dev/null 2>&1
			is_loaded || insmod "$KO" >/dev/null 2>&1 || echo "# cleanup: insmod $KO failed"
		fi
	fi
	[ -n "$work" ] && rm -rf "$work"
}

# strclone's KUnit suite runs at every insmod on a KUnit kernel and prints
# its KTAP on the console: 200 times over it would add ~10 s and nothing
# new. The rounds run with kunit.filter_glob matching no suite; the old
# value is put back afterwards (also when the test fails).
kunit_quiet() {
	[ -w $KUNIT_GLOB ] || return 0
	kunit_glob=$(cat $KUNIT_GLOB)
	echo "strclone-lifecycle-rounds-run-no-kunit-suite" > $KUNIT_GLOB
}

kunit_restore() {
	[ -w $KUNIT_GLOB ] && [ -n "$kunit_glob" ] || return 0
	# "(null)" is how an unset charp parameter reads back: "*" is the
	# same filter (every suite).
	[ "$kunit_glob" = "(null)" ] && kunit_glob="*"
	echo "$kunit_glob" > $KUNIT_GLOB
	kunit_glob=
}

result() {
	if [ "$1" = 0 ]; then
		ktap_test_pass "$2"
	else
		ktap_test_fail "$2"
	fi
}

ktap_print_header

# Without root, the module file or the helper the test VM is set up wrong:
# fail, do not skip.
if [ "$(id -u)" != 0 ]; then
	ktap_exit_fail_msg "must be run as root"
fi
if [ ! -f "$KO" ] || [ ! -x "$HELPER" ]; then
	ktap_exit_fail_msg "no module at $KO (set STRCLONE_KO) or no $HELPER"
fi

ktap_set_plan $NTESTS

work=$(mktemp -d /tmp/lifecycle.XXXXXX) || ktap_exit_fail_msg "mktemp failed"
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# 1. A fresh default instance.
if load; then
	ktap_test_pass "insmod with default parameters"
else
	ktap_test_fail "insmod with default parameters"
	ktap_exit_fail_msg "strclone cannot be (re)loaded; nothing else can be tested"
fi

# 2-7. rmmod is refused while any kind of stream is open.
for kind in $KINDS; do
	rc=1
	"$HELPER" hold "$kind" >"$work/hold.out" 2>&1 &
	holder=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q '^ready$' "$work/hold.out"; do
		kill -0 "$holder" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	if grep -q '^ready$' "$work/hold.out"; then
		"$HELPER" expect-rmmod EWOULDBLOCK >"$work/rmmod.out" 2>&1 && is_loaded &&
			! rmmod $MOD 2>/dev/null && is_loaded && rc=0
		log_file "$work/rmmod.out"
	else
		log_file "$work/hold.out"
	fi
	stop_holder
	result $rc "rmmod refused (EWOULDBLOCK) while one $kind stream is open"
done

# 8. ...and works at once when everything is closed: the holder has exited,
# and a process's files are released before it is reaped.
rc=1
if rmmod $MOD 2>"$work/rmmod.err" && ! is_loaded; then
	rc=0
else
	log_file "$work/rmmod.err"
	unload
fi
result $rc "rmmod succeeds at once when every stream is closed"

# 9-10. Load, use, unload, $ROUNDS times; nothing may leak.
kml=1
[ $KML_FINAL = 0 ] && { "$HELPER" kmemleak-mark "$work/kml" >"$work/kml.out" 2>&1; kml=$?; }
kunit_quiet
"$HELPER" rounds "$ROUNDS" "$KO" >"$work/rounds.out" 2>&1
rc=$?
kunit_restore
log_file "$work/rounds.out"
result $rc "$ROUNDS rounds of insmod, open/use/close every kind of stream, rmmod"
if [ $KML_FINAL = 1 ]; then
	ktap_print_msg "kmemleak: left to the final check of this run (STRCLONE_KMEMLEAK=final)"
elif [ $kml = 0 ]; then
	"$HELPER" kmemleak-check "$work/kml" >"$work/kml.out" 2>&1
	rc=$?
	log_file "$work/kml.out"
	result $rc "kmemleak: nothing leaked by $ROUNDS load/use/unload rounds"
else
	# kmemleak-mark failed (no kmemleak, or its scan failed): see above.
	log_file "$work/kml.out"
	ktap_test_fail "kmemleak: nothing leaked by $ROUNDS load/use/unload rounds (no kmemleak baseline)"
fi

# 11-13. pt_cnt=1 and log_cnt=6 (CLONEMIN + 1): the smallest values.
rc=1
load pt_cnt=1 log_cnt=6 && param_is pt_cnt 1 && param_is log_cnt 6 &&
	grep -q '^23 ptmx clonable open=0 limit=1$' /sys/kernel/debug/strclone/targets &&
	grep -q '^21 strlog not-clonable open=0 limit=6$' /sys/kernel/debug/strclone/targets && rc=0
[ $rc = 0 ] || sed 's/^/# /' /sys/kernel/debug/strclone/targets 2>/dev/null
result $rc "insmod pt_cnt=1 log_cnt=6: parameters and debugfs limits"
"$HELPER" count /dev/clone-ptmx rw ENODEV >"$work/count.out" 2>&1 &&
	grep -q '^opened 1$' "$work/count.out" && grep -q '^minor 0$' "$work/count.out" &&
	"$HELPER" count /dev/clone-ptmx rw ENODEV >>"$work/count.out" 2>&1 &&
	grep -c '^opened 1$' "$work/count.out" | grep -q '^2$'
rc=$?
log_file "$work/count.out"
result $rc "pt_cnt=1: one master (minor 0), the second open fails ENODEV, again after close"
"$HELPER" count /dev/strlog rw ENXIO >"$work/count.out" 2>&1 &&
	grep -q '^opened 0$' "$work/count.out" &&
	echo "conslog with log_cnt=6" > /dev/conslog
rc=$?
log_file "$work/count.out"
result $rc "log_cnt=6: no strlog minor (open fails ENXIO), /dev/conslog still works"

# 14. log_cnt=7: exactly one strlog minor, number 6.
rc=1
load log_cnt=7 && param_is log_cnt 7 && param_is pt_cnt 4096 &&
	"$HELPER" count /dev/strlog rw ENXIO >"$work/count.out" 2>&1 &&
	grep -q '^opened 1$' "$work/count.out" && grep -q '^minor 6$' "$work/count.out" && rc=0
log_file "$work/count.out"
result $rc "log_cnt=7: exactly one strlog stream (minor 6), then ENXIO"

# 15. The largest values.
rc=1
load pt_cnt=1048576 log_cnt=65536 && param_is pt_cnt 1048576 && param_is log_cnt 65536 &&
	"$HELPER" use >"$work/use.out" 2>&1 && rc=0
log_file "$work/use.out"
result $rc "insmod pt_cnt=1048576 log_cnt=65536: loads and works"

# 16-19. Out of range: insmod fails with EINVAL and nothing stays loaded.
unload
for p in pt_cnt=0 pt_cnt=1048577 log_cnt=5 log_cnt=65537; do
	rc=1
	if insmod "$KO" $p 2>"$work/insmod.err"; then
		ktap_print_msg "insmod $p succeeded"
		unload
	elif ! is_loaded && grep -qi "invalid" "$work/insmod.err"; then
		rc=0
	else
		log_file "$work/insmod.err"
	fi
	result $rc "insmod $p is refused (EINVAL)"
done

# 20. Leave the module loaded with its defaults, working.
rc=1
load && param_is pt_cnt 4096 && param_is log_cnt 256 &&
	"$HELPER" use >"$work/use.out" 2>&1 && rc=0 && restored=1
log_file "$work/use.out"
result $rc "insmod with default parameters (4096, 256) and use"

ktap_finished
