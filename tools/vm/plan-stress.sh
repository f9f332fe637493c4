#!/bin/sh
# Guest side of `make stress`: the long concurrency stress and the long
# fault-injection run. STRESS_OPS (default 100000) comes from the kernel
# command line (tools/pipeline.sh); failslab.sh drives a quarter of that
# under failslab. Each result block is framed for tools/vm/results.py.
dir=/opt/strclone
export STRCLONE_KO=$dir/strclone.ko
ops=${STRESS_OPS:-100000}

. /section.sh

insmod $STRCLONE_KO || { echo "insmod strclone.ko failed"; exit 1; }
echo "# make stress: $ops operations"
section "stress:stress" "$dir/selftests/stress" -n "$ops" -t 4
section "stress:stress-8-threads" "$dir/selftests/stress" -n "$((ops / 2))" -t 8
section "stress:stress_mux" "$dir/selftests/stress_mux" -d "$((ops / 1000))" -u 4 -l 8
FAILSLAB_OPS=$((ops / 4)) FAILSLAB_TIMES=1500 section "stress:failslab" "$dir/selftests/failslab.sh"
lsmod | grep -q '^strclone ' && { rmmod strclone || { echo "rmmod strclone failed"; exit 1; }; }
exit 0
