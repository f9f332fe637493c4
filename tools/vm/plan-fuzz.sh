#!/bin/sh
# Guest side of `make fuzz`: the random-operation fuzzer for FUZZ_SECONDS
# (default 600) with seed FUZZ_SEED (0: a new seed, printed first; set it to
# replay a run). Both come from the kernel command line (tools/pipeline.sh).
# Pass condition: no splat on the console (tools/vm/results.py), the fuzzer's
# own checks (no hang, nothing left open), and strclone unloads afterwards.
dir=/opt/strclone
export STRCLONE_KO=$dir/strclone.ko

. /section.sh

insmod $STRCLONE_KO || { echo "insmod strclone.ko failed"; exit 1; }
echo "# make fuzz: ${FUZZ_SECONDS:-600} s, seed ${FUZZ_SEED:-0}"
section "fuzz:fuzz" "$dir/selftests/fuzz" -d "${FUZZ_SECONDS:-600}" -s "${FUZZ_SEED:-0}"
lsmod | grep -q '^strclone ' && { rmmod strclone || { echo "rmmod strclone failed"; exit 1; }; }
exit 0
