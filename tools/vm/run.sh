#!/usr/bin/env bash
# Boot a strclone test kernel under QEMU with a busybox initramfs and run a
# plan script inside it.
#
#   tools/vm/run.sh --kernel KDIR --plan PLAN --log LOG [--timeout SECONDS]
#                   [--add HOSTPATH:GUESTPATH]... [--append KERNEL-ARGS]
#                   [--qmp SOCKET]
#
# The serial console is copied to LOG (and to stdout with --verbose). The exit
# code is the plan's exit code as the guest reported it, 124 on timeout, and
# 125 when the guest never reported a result (crash, panic, hang).
set -euo pipefail
. "$(dirname "$0")/../env.sh"

kdir= plan= logf= timeout=600 verbose=0 append= qmp=
adds=()
while [ $# -gt 0 ]; do
    case "$1" in
        --kernel) kdir=$2; shift 2 ;;
        --plan) plan=$2; shift 2 ;;
        --log) logf=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --add) adds+=("$2"); shift 2 ;;
        --append) append=$2; shift 2 ;;
        --qmp) qmp=$2; shift 2 ;;
        --verbose) verbose=1; shift ;;
        *) die "run.sh: unknown argument $1" ;;
    esac
done
[ -n "$kdir" ] && [ -n "$plan" ] && [ -n "$logf" ] || die "usage: run.sh --kernel KDIR --plan PLAN --log LOG"
bzimage="$kdir/arch/x86/boot/bzImage"
[ -f "$bzimage" ] || die "no kernel image at $bzimage"

work=$(mktemp -d "${TMPDIR:-/tmp}/strclone-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root,opt/strclone}
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$(dirname "$0")/init" "$root/init"
install -m 0755 "$plan" "$root/plan.sh"
install -m 0644 "$(dirname "$0")/section.sh" "$root/section.sh"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nuser:x:1000:\n' > "$root/etc/group"
for a in "${adds[@]}"; do
    src=${a%%:*} dst=${a#*:}
    mkdir -p "$root/$(dirname "$dst")"
    cp -a "$src" "$root/$dst"
done
# Dynamically linked programs (libstrclone_dynamic) need the C library's
# loader and shared libraries: each one that ldd(1) names by an absolute
# host path is copied to that same path in the initramfs (the file, not a
# symlink). Libraries that came with a program (beside it, found through
# its $ORIGIN run path) resolve inside the initramfs and are left alone; a
# library ldd cannot find stops the boot here.
while IFS= read -r -d '' f; do
    readelf -l "$f" 2>/dev/null | grep -q 'Requesting program interpreter' || continue
    deps=$(ldd "$f") || die "run.sh: ldd $f failed"
    ! grep -q 'not found' <<<"$deps" || die "run.sh: $f needs a library ldd cannot find: $deps"
    for lib in $(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$deps"); do
        case $lib in "$root"/*) continue ;; esac
        [ -e "$root$lib" ] && continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
done < <(find "$root" -type f -perm -u+x -print0)
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) > "$work/initramfs.cpio"

accel="-accel tcg"
# /dev/kvm exists on this kind of host but does not work; use it only when a
# trial boot proves it does (STRCLONE_KVM=1 to ask for the trial).
if [ "${STRCLONE_KVM:-0}" = 1 ] && [ -w /dev/kvm ]; then accel="-accel kvm"; fi
# A QMP socket lets the host stop and continue the guest (make bench does,
# while other work runs on the host).
qmpopt=()
if [ -n "$qmp" ]; then rm -f "$qmp"; qmpopt=(-qmp "unix:$qmp,server=on,wait=off"); fi

mkdir -p "$(dirname "$logf")"
: > "$logf"
set +e
if [ $verbose = 1 ]; then
    timeout --kill-after=10 "$timeout" qemu-system-x86_64 $accel -cpu max -smp 2 -m 2G \
        -display none -monitor none "${qmpopt[@]}" -no-reboot -serial stdio \
        -kernel "$bzimage" -initrd "$work/initramfs.cpio" \
        -append "console=ttyS0 panic=-1 oops=panic loglevel=7 $append" </dev/null 2>&1 | tee "$logf"
    qrc=${PIPESTATUS[0]}
else
    timeout --kill-after=10 "$timeout" qemu-system-x86_64 $accel -cpu max -smp 2 -m 2G \
        -display none -monitor none "${qmpopt[@]}" -no-reboot -serial stdio \
        -kernel "$bzimage" -initrd "$work/initramfs.cpio" \
        -append "console=ttyS0 panic=-1 oops=panic loglevel=7 $append" </dev/null >"$logf" 2>&1
    qrc=$?
fi
set -e
tr -d '\r' < "$logf" > "$logf.tmp" && mv "$logf.tmp" "$logf"
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
    log "the VM did not finish within ${timeout}s (console: $logf)"
    exit 124
fi
rc=$(sed -n 's/^STRCLONE-RESULT rc=\([0-9]*\).*/\1/p' "$logf" | tail -n1)
if [ -z "$rc" ]; then
    log "the guest never reported a result (crash or panic?); console: $logf"
    exit 125
fi
exit "$rc"
