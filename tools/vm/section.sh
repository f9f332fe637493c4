# Sourced by the guest plans (tools/vm/plan-*.sh), installed as /section.sh.
#
# section NAME COMMAND...: runs COMMAND with its output in a file, then
# prints that output framed for tools/vm/results.py (kernel messages cannot
# interleave with it), with the exit status and the seconds it took.
section() {
    name=$1; shift
    t0=$(date +%s)
    "$@" >/tmp/section.out 2>&1
    rc=$?
    t1=$(date +%s)
    echo "STRCLONE-KTAP-BEGIN $name"
    cat /tmp/section.out
    echo "STRCLONE-KTAP-END $name rc=$rc seconds=$((t1 - t0))"
}
