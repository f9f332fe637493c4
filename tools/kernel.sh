#!/usr/bin/env bash
# Build (or reuse) a kernel for strclone and print its build directory.
#
#   tools/kernel.sh test    debug kernel used by `make run` and `make check`
#   tools/kernel.sh perf    kernel without debug options, for `make bench`
#   tools/kernel.sh kasan   the test kernel plus KASAN, built with clang
#                           (LLVM=-22), for `make check-kasan`
#
# The build lives in $STRCLONE_CACHE/kernel/<variant>-<key>, where <key>
# hashes the kernel version, the config fragments, the toolchain versions
# and RECIPE (bumped by hand when this script's build steps change): an
# unchanged key costs seconds, a changed fragment rebuilds. The kernel source itself is never written to (make O=...).
set -euo pipefail
. "$(dirname "$0")/env.sh"

variant=${1:-test}
frags=("$STRCLONE_ROOT/kconfig/base.config" "$STRCLONE_ROOT/tools/testing/selftests/strclone/config")
case "$variant" in
    test) frags+=("$STRCLONE_ROOT/kconfig/debug.config") ;;
    perf) frags+=("$STRCLONE_ROOT/kconfig/perf.config") ;;
    kasan) frags+=("$STRCLONE_ROOT/kconfig/debug.config" "$STRCLONE_ROOT/kconfig/kasan.config")
           KMAKE_TOOLS+=("LLVM=-$LLVM_SUFFIX") ;;
    *) die "unknown kernel variant '$variant' (test or perf)" ;;
esac
[ -f "$KSRC_DIR/Makefile" ] || die "no kernel source at $KSRC_DIR: run tools/bootstrap.sh"

# Bump when the build recipe below changes in a way that changes the kernel.
RECIPE=2
key=$( { echo "$KSRC_PKG $KSRC_VERSION recipe $RECIPE"; cat "${frags[@]}"
         /usr/bin/rustc --version; "$BINDGEN" --version; gcc --version | head -n1
         if [ "$variant" = kasan ]; then "clang-$LLVM_SUFFIX" --version | head -n1; fi
       } | sha256sum | cut -c1-16)
out="$STRCLONE_CACHE/kernel/$variant-$key"
stamp="$out/.strclone-built"

if [ -f "$stamp" ] && [ -f "$out/arch/x86/boot/bzImage" ]; then
    echo "$out"
    exit 0
fi

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if [ -f "$stamp" ]; then echo "$out"; exit 0; fi

kmake() { make -s -C "$KSRC_DIR" O="$out" "${KMAKE_TOOLS[@]}" "$@"; }

log "configuring the $variant kernel in $out"
kmake tinyconfig >/dev/null
"$KSRC_DIR/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null
kmake olddefconfig >/dev/null

# Every option the fragments ask for must have stuck (the last fragment that
# names an option wins, as in merge_config.sh). A silent drop fails the build.
bad=0
declare -A want=()
for f in "${frags[@]}"; do
    while IFS= read -r line; do
        if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
            want[${BASH_REMATCH[1]}]="${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
        elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
            want[${BASH_REMATCH[1]}]="# ${BASH_REMATCH[1]} is not set"
        fi
    done < "$f"
done
for opt in "${!want[@]}"; do
    w=${want[$opt]}
    if [[ $w == "# "* ]]; then
        grep -q "^$opt=" "$out/.config" && { log "config: $opt is set, fragments want it off"; bad=1; }
    else
        grep -qxF "$w" "$out/.config" || { log "config: wanted '$w', got '$(grep -E "^(# )?$opt[= ]" "$out/.config" || echo unset)'"; bad=1; }
    fi
done
[ $bad -eq 0 ] || die "the $variant kernel config does not match its fragments (see above)"

kmake rustavailable >/dev/null || die "the kernel's Rust toolchain check failed: run tools/bootstrap.sh"
log "building the $variant kernel (about 6 minutes on 2 cores; log: $out/build.log)"
if ! kmake -j"$JOBS" all >"$out/build.log" 2>&1; then
    tail -n 40 "$out/build.log" >&2
    die "kernel build failed (full log: $out/build.log)"
fi
touch "$stamp"
echo "$out"
