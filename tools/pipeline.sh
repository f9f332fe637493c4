#!/usr/bin/env bash
# strclone's build-and-test pipeline; the Makefile's targets land here.
#
#   tools/pipeline.sh run     build what is missing, boot the test kernel,
#                             insmod strclone, run the demo program
#   tools/pipeline.sh check   the whole suite: lint, build, KUnit + kselftests
#                             in the VM, console scan, `N passed, N failed, N skipped`
#   tools/pipeline.sh module  build strclone.ko only (KDIR=... to choose a tree)
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$STRCLONE_ROOT"

BUILD=${STRCLONE_BUILD:-$STRCLONE_ROOT/build}
start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - start ))s"; }

bootstrap() { "$STRCLONE_ROOT/tools/bootstrap.sh"; }

# The kernel to build against: KDIR from the environment, else our cached build.
kernel() {
    if [ -n "${KDIR:-}" ]; then echo "$KDIR"; else "$STRCLONE_ROOT/tools/kernel.sh" "${1:-test}"; fi
}

lint() {
    log "rustfmt --check"
    /usr/bin/rustfmt --check --edition 2021 --config-path "$KSRC_DIR/.rustfmt.toml" rust/*.rs \
        samples/kmod/*.rs || die "rustfmt: the code above is not formatted (run: make fmt)"
}

# The uapi header as user programs include it: with -Werror, alone and after
# the C library's headers, defining no getmsg/putmsg (tools/testing/uapi).
header_test() {
    log "uapi header compile test"
    make -s -C tools/testing/uapi OUTPUT="$BUILD/uapi-test" all
}

# autopush's configuration parser on the host (the sad driver's kernel side
# is not needed): tools/autopush/test_parse.c and `autopush -n` on the
# configuration files in tools/autopush/tests/, under ASan and UBSan.
autopush_test() {
    log "autopush parser tests (host)"
    make -s -C tools/autopush OUTPUT="$BUILD/autopush-test" test
}

# The user library on the host (tools/lib/strclone/tests/check.sh): its
# exported symbols, static links beside libc.a, _FORTIFY_SOURCE, and
# `make install` used through pkg-config. Its behaviour is tested in the VM
# (selftests libstrclone_static and libstrclone_dynamic).
lib_test() {
    log "libstrclone build and install checks (host)"
    make -s -C tools/lib/strclone OUTPUT="$BUILD/lib" test
}

# Build strclone.ko with clippy; any compiler or clippy warning fails the build.
module() {
    local kdir=$1 out=$2
    mkdir -p "$out"
    log "building strclone.ko against $kdir (clippy on, warnings are errors)"
    local blog="$out/build.log"
    if ! make -C "$kdir" M="$STRCLONE_ROOT" MO="$out" "${KMAKE_TOOLS[@]}" \
            CLIPPY=1 CLIPPY_DRIVER=/usr/bin/clippy-driver -j"$JOBS" modules >"$blog" 2>&1; then
        cat "$blog" >&2
        die "module build failed"
    fi
    if grep -qiE '(^|[^a-z_])warning[:\[]' "$blog"; then
        cat "$blog" >&2
        find "$out" -name '*.o' -delete  # so the next run rebuilds and shows them again
        die "the module build printed warnings (see above)"
    fi
    [ -f "$out/strclone.ko" ] || die "no strclone.ko in $out"
}

# The kernel modules that use the DDI: the samples (samples/kmod) and the
# test providers (tools/testing/selftests/strclone/kmod), out of tree
# against the kernel strclone.ko was built for, each directory into its own
# directory under OUT; modpost takes strclone's exports from its
# Module.symvers. Warnings (compiler and clippy, for the Rust sample) fail
# the build, as for strclone.ko.
KMOD_DIRS=(samples/kmod tools/testing/selftests/strclone/kmod)
kmods() {
    local kdir=$1 out=$2 symvers=$3 d
    for d in "${KMOD_DIRS[@]}"; do
        local o="$out/$(basename "$(dirname "$d")")"
        mkdir -p "$o"
        log "building the DDI modules of $d against $kdir"
        local blog="$o/build.log"
        if ! make -C "$kdir" M="$STRCLONE_ROOT/$d" MO="$o" "${KMAKE_TOOLS[@]}" \
                CLIPPY=1 CLIPPY_DRIVER=/usr/bin/clippy-driver \
                KBUILD_EXTRA_SYMBOLS="$symvers" -j"$JOBS" modules >"$blog" 2>&1; then
            cat "$blog" >&2
            die "the DDI modules of $d failed to build"
        fi
        if grep -qiE '(^|[^a-z_])warning[:\[]' "$blog"; then
            cat "$blog" >&2
            find "$o" -name '*.o' -delete
            die "the build of the DDI modules of $d printed warnings (see above)"
        fi
    done
}

samples() {
    log "building the samples (static)"
    make -s -C samples KSRC="$KSRC_DIR" OUTPUT="$BUILD/samples" all
}

selftests() {
    log "building the selftests (static; libstrclone_dynamic against libstrclone.so)"
    make -s -C tools/testing/selftests/strclone KSRC="$KSRC_DIR" OUTPUT="$BUILD/selftests" \
        LIBOUT="$BUILD/lib" all
}

# The results checker's own tests (fabricated console logs), before a VM
# boots: a checker that has become lenient fails here.
checker_selftest() {
    log "results.py self-tests (tools/vm/test_results.py)"
    local out
    out=$(python3 tools/vm/test_results.py 2>&1) || { echo "$out"; die "tools/vm/results.py fails its self-tests"; }
    echo "$out" | tail -n 1
}

# The whole check suite's results: every program in tests.list and at
# least one of strclone's KUnit suites must have run.
check_results() {
    python3 tools/vm/results.py --expect-selftests "$BUILD/selftests/tests.list" --expect-kunit "$VM_LOG"
}

vm() {
    local kdir=$1 plan=$2 logname=$3; shift 3
    mkdir -p "$BUILD/logs"
    local logf
    logf="$BUILD/logs/$logname-$(date +%Y%m%d-%H%M%S).log"
    ln -sfn "$(basename "$logf")" "$BUILD/logs/$logname-latest.log"
    local adds=(--add "${VM_MODULE:-$BUILD/module-test/strclone.ko}:/opt/strclone/strclone.ko")
    for f in "$BUILD"/samples/*; do adds+=(--add "$f:/opt/strclone/bin/$(basename "$f")"); done
    for f in "${VM_KMOD:-$BUILD/kmod-test}"/*/*.ko; do
        [ -f "$f" ] && adds+=(--add "$f:/opt/strclone/kmod/$(basename "$f")")
    done
    for f in ${VM_EXTRA:-}; do adds+=(--add "$f:/opt/strclone/bin/$(basename "$f")"); done
    if [ -z "${VM_NO_SELFTESTS:-}" ]; then
        for f in "$BUILD"/selftests/*; do adds+=(--add "$f:/opt/strclone/selftests/$(basename "$f")"); done
    fi
    log "booting the ${kdir##*/} kernel under QEMU (TCG, 2 vCPUs); console: $logf"
    set +e
    "$STRCLONE_ROOT/tools/vm/run.sh" --kernel "$kdir" --plan "$plan" --log "$logf" "${adds[@]}" "$@"
    VM_RC=$?
    set -e
    VM_LOG=$logf
}

case "${1:-}" in
    bootstrap) bootstrap ;;
    kernel) bootstrap; kernel "${2:-test}" ;;
    module) bootstrap; k=$(kernel test); module "$k" "$BUILD/module-test"; echo "$BUILD/module-test/strclone.ko" ;;
    fmt) /usr/bin/rustfmt --edition 2021 --config-path "$KSRC_DIR/.rustfmt.toml" rust/*.rs samples/kmod/*.rs ;;
    run)
        bootstrap
        k=$(kernel test)
        module "$k" "$BUILD/module-test"
        samples
        VM_NO_SELFTESTS=1 vm "$k" tools/vm/plan-run.sh run --timeout 300
        sed -n '/^STRCLONE-DEMO-BEGIN/,/^STRCLONE-DEMO-END/{/^STRCLONE-DEMO/d;p}' "$VM_LOG"
        log "console log: $VM_LOG"
        [ "$VM_RC" -eq 0 ] || die "the demo failed in the VM (status $VM_RC); see $VM_LOG"
        python3 tools/vm/results.py "$VM_LOG" >"$VM_LOG.results" || { cat "$VM_LOG.results"; die "the kernel log shows problems"; }
        log "make run finished in $(elapsed)"
        ;;
    check)
        bootstrap
        lint
        header_test
        autopush_test
        lib_test
        checker_selftest
        k=$(kernel test)
        module "$k" "$BUILD/module-test"
        kmods "$k" "$BUILD/kmod-test" "$BUILD/module-test/Module.symvers"
        samples
        selftests
        vm "$k" tools/vm/plan-check.sh check --timeout 1200
        log "console log: $VM_LOG (exit status $VM_RC)"
        set +e
        check_results
        prc=$?
        set -e
        log "make check finished in $(elapsed)"
        if [ "$prc" -ne 0 ] || [ "$VM_RC" -ne 0 ]; then
            [ "${CI:-}" = true ] && { echo "---- last 80 console lines ----"; tail -n 80 "$VM_LOG"; }
            exit 1
        fi
        ;;
    check-kasan)
        # The check suite on a clang-built KASAN kernel. Not part of CI: the
        # KASAN kernel is a separate ~10 minute build.
        STRCLONE_LLVM=1 bootstrap
        checker_selftest
        k=$(kernel kasan)
        KMAKE_TOOLS+=("LLVM=-$LLVM_SUFFIX")
        module "$k" "$BUILD/module-kasan"
        kmods "$k" "$BUILD/kmod-kasan" "$BUILD/module-kasan/Module.symvers"
        samples
        selftests
        # KASAN on top of lockdep under TCG is about 4x slower again: the
        # concurrency test runs 4 x 2,500 open/write/read/close cycles instead
        # of 10,000. STRCLONE_KASAN=1 tells the bounds test that redzones
        # make every slab object bigger (its bound per flooded stream is
        # 14 MiB here, 10.3 MiB measured, instead of 10 MiB) and that the
        # quarantine keeps freed objects from the slab for a while.
        # no5lvl: QEMU's -cpu max offers 5-level paging. KASAN reported a
        # wild-memory-access in rcu_is_watching() on the 5-level direct map
        # 0.006 s into one boot (session 14), before strclone was loaded,
        # from an interrupt that landed in identify_cpu() just after it
        # cleared the boot CPU's feature bits; our reading is that the
        # address layout, which follows the LA57 bit, looked 4-level for that
        # moment. 4-level paging keeps the layout constant.
        VM_MODULE="$BUILD/module-kasan/strclone.ko" VM_KMOD="$BUILD/kmod-kasan" vm "$k" tools/vm/plan-check.sh check-kasan \
            --timeout 2400 --append "no5lvl STRCLONE_HAMMER_ITERATIONS=2500 STRCLONE_KASAN=1"
        log "console log: $VM_LOG (exit status $VM_RC)"
        set +e
        check_results
        prc=$?
        set -e
        log "make check-kasan finished in $(elapsed)"
        [ "$prc" -eq 0 ] && [ "$VM_RC" -eq 0 ] || exit 1
        ;;
    stress|fuzz)
        # The long reliability runs on the test kernel: `make stress`
        # (STRESS_OPS operations, default 100000) and `make fuzz`
        # (FUZZ_SECONDS, default 600, FUZZ_SEED to replay a run). The values
        # reach the guest plan through the kernel command line.
        bootstrap
        k=$(kernel test)
        module "$k" "$BUILD/module-test"
        samples
        selftests
        args="STRESS_OPS=${STRESS_OPS:-100000} FUZZ_SECONDS=${FUZZ_SECONDS:-600} FUZZ_SEED=${FUZZ_SEED:-0}"
        vm "$k" "tools/vm/plan-$1.sh" "$1" --timeout "${VM_TIMEOUT:-3600}" --append "$args"
        log "console log: $VM_LOG (exit status $VM_RC)"
        set +e
        python3 tools/vm/results.py "$VM_LOG"
        prc=$?
        set -e
        log "make $1 finished in $(elapsed)"
        [ "$prc" -eq 0 ] && [ "$VM_RC" -eq 0 ] || exit 1
        ;;
    bench)
        # Benchmarks on the perf kernel (no debug options): strclone against
        # the native mechanisms in one boot; JSON and a table under results/.
        bootstrap
        k=$(kernel perf)
        # What is measured, taken before the build so the JSON names the
        # sources the module was built from: the commit, -dirty when the
        # tree has uncommitted changes (tracked or untracked).
        run_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        if commit=$(git -C "$STRCLONE_ROOT" rev-parse HEAD 2>/dev/null); then
            [ -z "$(git -C "$STRCLONE_ROOT" status --porcelain 2>/dev/null)" ] || commit="$commit-dirty"
        else
            commit=unknown
        fi
        module "$k" "$BUILD/module-perf"
        kmods "$k" "$BUILD/kmod-perf" "$BUILD/module-perf/Module.symvers"
        samples
        log "building the benchmark program (static)"
        make -s -C tools/bench OUTPUT="$BUILD/bench" all
        # The host is shared and TCG guests compete for its cores: wait (up
        # to BENCH_WAIT_IDLE seconds, default 900; 0 skips) until no other
        # QEMU guest runs, so the benchmark does not measure them.
        waited=0
        while [ "$(pgrep -c qemu-system || true)" -gt 0 ] && [ "$waited" -lt "${BENCH_WAIT_IDLE:-900}" ]; do
            [ "$waited" -gt 0 ] || log "waiting for $(pgrep -c qemu-system || true) other QEMU guest(s) to finish (up to ${BENCH_WAIT_IDLE:-900} s; BENCH_WAIT_IDLE=0 skips)"
            sleep 5
            waited=$((waited + 5))
        done
        [ "$waited" -eq 0 ] || log "waited ${waited}s for other QEMU guests"
        # While the guest runs, tools/bench/hostwatch.py stops it (QMP) when
        # other work competes for the host's cores and lets it go on when
        # they are quiet again; under TCG the guest's clocks stop with it.
        # At most BENCH_MAX_PAUSE seconds of pauses (default 1200).
        qmp="$BUILD/bench-qmp.sock"
        watch_summary="$BUILD/bench-hostwatch.json"
        rm -f "$watch_summary"
        python3 tools/bench/hostwatch.py --qmp "$qmp" --summary "$watch_summary" \
            --log "$BUILD/bench-hostwatch.log" --max-pause "${BENCH_MAX_PAUSE:-1200}" &
        watcher=$!
        VM_MODULE="$BUILD/module-perf/strclone.ko" VM_KMOD="$BUILD/kmod-perf" VM_NO_SELFTESTS=1 VM_EXTRA="$BUILD/bench/bench" \
            vm "$k" tools/vm/plan-bench.sh bench --timeout "$(( ${BENCH_TIMEOUT:-2400} + ${BENCH_MAX_PAUSE:-1200} ))" \
            --append "idle=poll ${BENCH_APPEND:-}" --qmp "$qmp"
        kill "$watcher" 2>/dev/null || true
        wait "$watcher" 2>/dev/null || true
        watch_args=()
        if [ -s "$watch_summary" ]; then
            while IFS= read -r kv; do watch_args+=("$kv"); done < <(python3 -c '
import json, sys
for k, v in json.load(open(sys.argv[1])).items():
    print(f"{k}={v}")' "$watch_summary")
        fi
        log "console log: $VM_LOG (exit status $VM_RC)"
        [ "$VM_RC" -eq 0 ] || die "the benchmark run failed in the VM; see $VM_LOG"
        mkdir -p results
        out="results/bench-$(date +%Y%m%d-%H%M%S).json"
        sed -n '/^STRCLONE-BENCH-BEGIN/,/^STRCLONE-BENCH-END/{/^STRCLONE-BENCH-/d;p}' "$VM_LOG" > "$out"
        [ -s "$out" ] || die "the benchmark printed no results; see $VM_LOG"
        python3 tools/bench/stamp.py "$out" "module_commit=$commit" \
            "module_sha256=$(sha256sum "$BUILD/module-perf/strclone.ko" | cut -d' ' -f1)" \
            "kernel_build=${k##*/}" "kernel_config_sha256=$(sha256sum "$k/.config" | cut -d' ' -f1)" \
            "date=$run_date" "host_cpus=$(nproc)" "waited_for_host_s=$waited" "${watch_args[@]}"
        cp "$out" results/bench-latest.json
        python3 tools/vm/results.py "$VM_LOG" >/dev/null || { python3 tools/vm/results.py "$VM_LOG" | tail -20; die "the kernel log shows problems"; }
        "$STRCLONE_ROOT/tools/bench/report.sh" "$out"
        log "make bench finished in $(elapsed); results: $out"
        ;;
    *) die "usage: tools/pipeline.sh {run|check|check-kasan|stress|fuzz|bench|module|kernel|bootstrap|fmt}" ;;
esac
