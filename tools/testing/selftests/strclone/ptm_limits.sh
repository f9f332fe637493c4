#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The ptm target's pt_cnt limit and module lifetime: reload strclone with
# pt_cnt=4, hold four masters, a fifth open fails with ENODEV, closing one
# lets a new open through; rmmod fails while a stream is open and works once
# everything is closed. The module is always left loaded with its default
# parameters, also when a test fails.
#
# Needs root, $STRCLONE_KO (default /opt/strclone/strclone.ko), ptm_hold and
# ktap_helpers.sh next to this script. ptm_hold is installed without the
# execute bit (the VM runs every executable file as a test), so it is copied
# to a scratch directory and made executable there.

DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/ktap_helpers.sh"

KO=${STRCLONE_KO:-/opt/strclone/strclone.ko}
MOD=strclone
PARAM=/sys/module/$MOD/parameters/pt_cnt
NODE=/dev/clone-ptmx
NTESTS=9

work=
holders=
restored=0

log_file() {
	[ -f "$1" ] && sed 's/^/# /' "$1"
}

is_loaded() {
	grep -q "^$MOD " /proc/modules
}

# The clone node appears when the module registers it; wait a little.
wait_node() {
	i=0
	while [ ! -c "$NODE" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -c "$NODE" ]
}

# rmmod, once: strclone's module references are its open files, and the
# last close(2) (or the holder's exit, which wait reaps) releases them before
# it returns, so an unload right after must work at once (the bound
# lifecycle_helper.c documents).
unload() {
	is_loaded || return 0
	if ! rmmod $MOD 2>"$work/rmmod.err"; then
		log_file "$work/rmmod.err"
		return 1
	fi
	return 0
}

# start_holder NAME N: keep N masters open in the background.
start_holder() {
	"$work/ptm_hold" open "$2" wait >"$work/$1.out" 2>&1 &
	eval "pid_$1=$!"
	holders="$holders $!"
}

# wait_ready NAME: wait for the holder to have opened everything.
wait_ready() {
	eval "p=\$pid_$1"
	i=0
	while [ $i -lt 100 ]; do
		grep -q '^ready$' "$work/$1.out" && return 0
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	grep -q '^ready$' "$work/$1.out" && return 0
	log_file "$work/$1.out"
	return 1
}

# stop_holder NAME: close its masters (SIGTERM) and reap it.
stop_holder() {
	eval "p=\$pid_$1"
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null
	wait "$p"
	rc=$?
	new=
	for h in $holders; do
		[ "$h" = "$p" ] || new="$new $h"
	done
	holders=$new
	eval "pid_$1="
	return $rc
}

cleanup() {
	for h in $holders; do
		kill -TERM "$h" 2>/dev/null
		wait "$h" 2>/dev/null
	done
	holders=
	if [ $restored = 0 ]; then
		# Put back a default instance for whatever runs next.
		if is_loaded && [ "$(cat $PARAM 2>/dev/null)" = 4 ]; then
			unload >/dev/null 2>&1
		fi
		is_loaded || insmod "$KO" >/dev/null 2>&1 || echo "# cleanup: insmod $KO failed"
	fi
	[ -n "$work" ] && rm -rf "$work"
}

ktap_print_header

# Without root or the module file the test VM is set up wrong: fail.
if [ "$(id -u)" != 0 ]; then
	ktap_exit_fail_msg "must be run as root"
fi
if [ ! -f "$KO" ]; then
	ktap_exit_fail_msg "no module at $KO (set STRCLONE_KO)"
fi

ktap_set_plan $NTESTS

work=$(mktemp -d /tmp/ptm_limits.XXXXXX) || ktap_exit_fail_msg "mktemp failed"
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
cp "$DIR/ptm_hold" "$work/ptm_hold" && chmod 0755 "$work/ptm_hold" ||
	ktap_exit_fail_msg "cannot set up $DIR/ptm_hold"

# 1. Unload the default instance.
if unload; then
	ktap_test_pass "rmmod of the default instance"
else
	ktap_test_fail "rmmod of the default instance"
	ktap_exit_fail_msg "strclone cannot be unloaded; nothing else can be tested"
fi

# 2. Load it with pt_cnt=4.
if insmod "$KO" pt_cnt=4 2>"$work/insmod.err" && wait_node; then
	ktap_test_pass "insmod pt_cnt=4"
else
	log_file "$work/insmod.err"
	ktap_test_fail "insmod pt_cnt=4"
	ktap_exit_fail_msg "strclone did not load with pt_cnt=4"
fi

# 3. The parameter is visible.
val=$(cat $PARAM 2>&1)
if [ "$val" = 4 ]; then
	ktap_test_pass "pt_cnt parameter reads 4"
else
	ktap_print_msg "$PARAM: '$val'"
	ktap_test_fail "pt_cnt parameter reads 4"
fi

# 4. Four masters at once: three in one process, one in another.
start_holder a 3
start_holder b 1
if wait_ready a && wait_ready b; then
	minors=$(cat "$work/a.out" "$work/b.out" | sed -n 's/^minor //p')
	ktap_print_msg "minors held:" $minors
	if [ "$(echo "$minors" | sort -u | wc -l)" -eq 4 ]; then
		ktap_test_pass "four masters can be open at once"
	else
		ktap_test_fail "four masters can be open at once (minors not distinct)"
	fi
else
	ktap_test_fail "four masters can be open at once"
fi

# 5. The fifth open fails with ENODEV.
if "$work/ptm_hold" expect-open ENODEV >"$work/fifth.out" 2>&1; then
	ktap_test_pass "a fifth open fails with ENODEV"
else
	log_file "$work/fifth.out"
	ktap_test_fail "a fifth open fails with ENODEV"
fi

# 6. Closing one master makes room for a new one (and only one).
stop_holder b
if "$work/ptm_hold" open 1 >"$work/again.out" 2>&1 &&
   "$work/ptm_hold" open 1 >>"$work/again.out" 2>&1; then
	start_holder c 1
	if wait_ready c && "$work/ptm_hold" expect-open ENODEV >>"$work/again.out" 2>&1; then
		ktap_test_pass "after closing a master a new open succeeds"
	else
		log_file "$work/again.out"
		ktap_test_fail "after closing a master a new open succeeds (and the limit holds)"
	fi
	stop_holder c
else
	log_file "$work/again.out"
	ktap_test_fail "after closing a master a new open succeeds"
fi

# 7. rmmod fails while a stream is open (holder a still has three).
if "$work/ptm_hold" expect-rmmod $MOD EWOULDBLOCK >"$work/rmmod-busy.out" 2>&1 && is_loaded &&
   ! rmmod $MOD 2>>"$work/rmmod-busy.out" && is_loaded; then
	ktap_test_pass "rmmod fails with EWOULDBLOCK while a stream is open"
else
	log_file "$work/rmmod-busy.out"
	ktap_test_fail "rmmod fails with EWOULDBLOCK while a stream is open"
fi

# 8. ...and succeeds once everything is closed.
stop_holder a
if is_loaded && unload; then
	ktap_test_pass "rmmod succeeds after every stream is closed"
else
	ktap_test_fail "rmmod succeeds after every stream is closed"
fi

# 9. Leave the module loaded with its defaults.
is_loaded && unload
if insmod "$KO" 2>"$work/insmod.err" && wait_node; then
	restored=1
	ktap_test_pass "insmod with default parameters"
else
	log_file "$work/insmod.err"
	ktap_test_fail "insmod with default parameters"
fi

ktap_finished
