#!/bin/sh
# Guest side of `make check`: load strclone, collect KUnit results, run every
# kselftest, unload. Each result block is framed for tools/vm/results.py.
dir=/opt/strclone
export STRCLONE_KO=$dir/strclone.ko
# One kmemleak check after the whole suite (kmemleak.sh, last in
# tests.list) instead of one per test: see kmemleak.sh.
export STRCLONE_KMEMLEAK=final

. /section.sh

insmod $STRCLONE_KO || { echo "insmod strclone.ko failed"; exit 1; }
for d in /sys/kernel/debug/kunit/*/; do
    [ -f "$d/results" ] || continue
    section "kunit:$(basename "$d")" cat "$d/results"
done
# The selftests' Makefile writes the list of tests to run (kselftest's
# TEST_GEN_PROGS + TEST_PROGS); helpers installed beside them are not run.
for name in $(cat $dir/selftests/tests.list); do
    section "selftest:$name" "$dir/selftests/$name"
done
lsmod | grep -q '^strclone ' && { rmmod strclone || { echo "rmmod strclone failed"; exit 1; }; }
exit 0
