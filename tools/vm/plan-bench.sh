#!/bin/sh
# Guest side of `make bench`: load strclone with room for 65,536 ptm pairs
# (and the sample C drivers sloop and router)
# and bare pts slaves (pts_autopush=0: the rows measure the pair itself, no
# ptem/ldterm pushed at each slave open, as before that default existed),
# run the benchmark program and print its JSON between markers. The JSON
# goes to a file first and is printed with cat, so kernel messages cannot
# interleave into it while the benchmark runs. Exit status: the benchmark's.
dir=/opt/strclone
insmod $dir/strclone.ko pt_cnt=65536 pts_autopush=0 || { echo "insmod strclone.ko pt_cnt=65536 pts_autopush=0 failed"; exit 1; }
echo "pt_cnt=$(cat /sys/module/strclone/parameters/pt_cnt) pts_autopush=$(cat /sys/module/strclone/parameters/pts_autopush)"
# The C sample driver, for the drivers group (against the built-in echo).
insmod $dir/kmod/sloop.ko || { echo "insmod sloop.ko failed"; exit 1; }
# The sample multiplexor, for the mux group.
insmod $dir/kmod/router.ko || { echo "insmod router.ko failed"; exit 1; }
# Native ptys for the comparison: the default limit (4096) is far too low.
echo 131072 > /proc/sys/kernel/pty/max
ulimit -n 131072 2>/dev/null
# Progress (stderr) goes to the console; the JSON (stdout) to a file.
$dir/bin/bench ${BENCH_ARGS:-} > /tmp/bench.json
rc=$?
echo "bench exited with status $rc"
echo "STRCLONE-BENCH-BEGIN"
cat /tmp/bench.json
echo "STRCLONE-BENCH-END"
[ -s /tmp/bench.json ] || rc=1
rmmod sloop || { echo "rmmod sloop failed"; exit 1; }
rmmod router || { echo "rmmod router failed"; exit 1; }
rmmod strclone || { echo "rmmod strclone failed"; exit 1; }
exit $rc
