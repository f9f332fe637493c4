#!/usr/bin/env bash
# Install everything strclone needs on a fresh Debian 12 machine. Idempotent:
# a second run checks and returns in about a second.
#
#   1. Debian packages (rustc-web, libclang, qemu, busybox-static, ...)
#   2. bindgen-cli 0.72 into a project-owned root under $STRCLONE_CACHE
#   3. the pinned linux-source-7.3 package, fetched through a private apt
#      configuration (the system's sources are never touched), unpacked
#      under $STRCLONE_CACHE/src.
set -euo pipefail
. "$(dirname "$0")/env.sh"

PKGS=(rustc-web rust-web-src rust-web-clippy rustfmt-web
      "libclang1-$LLVM_SUFFIX" "libclang-common-$LLVM_SUFFIX-dev"
      build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils kmod
      qemu-system-x86 busybox-static python3 pkgconf gcc-multilib)
[ "${STRCLONE_LLVM:-0}" = 1 ] && PKGS+=("clang-$LLVM_SUFFIX" "lld-$LLVM_SUFFIX" "llvm-$LLVM_SUFFIX")

install_packages() {
    local missing=()
    for p in "${PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_bindgen() {
    if [ -x "$BINDGEN" ] && "$BINDGEN" --version 2>/dev/null | grep -q '^bindgen 0\.72\.'; then
        return 0
    fi
    command -v cargo >/dev/null || die "cargo is needed to build bindgen-cli (install rustup or Debian's cargo)"
    log "building bindgen-cli $BINDGEN_VERSION into $BINDGEN_ROOT (about a minute)"
    mkdir -p "$BINDGEN_ROOT"
    cargo install -q bindgen-cli --version "$BINDGEN_VERSION" --locked --root "$BINDGEN_ROOT"
}

fetch_kernel_source() {
    [ -f "$KSRC_DIR/Makefile" ] && return 0
    local apt="$STRCLONE_CACHE/apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc/preferences.d"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $KSRC_MIRROR $KSRC_SUITE main" \
        > "$apt/etc/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$apt/etc/sources.list"
                -o "Dir::Etc::SourceParts=/nonexistent"
                -o "Dir::Etc::Preferences=/nonexistent"
                -o "Dir::Etc::PreferencesParts=$apt/etc/preferences.d"
                -o "Dir::State::Lists=$apt/lists"
                -o "Dir::Cache=$apt/cache"
                -o "Dir::State::status=/dev/null"
                -o "APT::Architecture=amd64"
                -o "Debug::NoLocking=1"
                -o "APT::Sandbox::User=root")
    log "fetching $KSRC_PKG=$KSRC_VERSION from $KSRC_SUITE (private apt config in $apt)"
    apt-get "${opts[@]}" update -qq
    local found
    found=$(apt-cache "${opts[@]}" madison "$KSRC_PKG" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -u | tr '\n' ' ')
    case " $found " in
        *" $KSRC_VERSION "*) ;;
        *) die "the pinned $KSRC_PKG version $KSRC_VERSION is not in $KSRC_SUITE; the archive offers: ${found:-nothing}. Update KSRC_VERSION in tools/env.sh on purpose (no silent drift)." ;;
    esac
    local dl="$STRCLONE_CACHE/src/dl"
    mkdir -p "$dl"
    (cd "$dl" && apt-get "${opts[@]}" download -qq "$KSRC_PKG=$KSRC_VERSION")
    local deb
    deb=$(ls "$dl"/"${KSRC_PKG}"_*.deb | head -n1)
    local unpack="$dl/unpack"
    rm -rf "$unpack"
    dpkg-deb -x "$deb" "$unpack"
    local tarball
    tarball=$(ls "$unpack"/usr/src/"$KSRC_PKG".tar.* | head -n1)
    [ -f "$tarball" ] || die "no source tarball inside $deb"
    local dest
    dest=$(dirname "$KSRC_DIR")
    rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
    log "unpacking $(basename "$tarball")"
    tar -C "$dest.tmp" -xf "$tarball"
    rm -rf "$dest" && mv "$dest.tmp" "$dest"
    rm -rf "$unpack" "$deb"
    [ -f "$KSRC_DIR/Makefile" ] || die "unexpected layout in $tarball (no $KSRC_DIR/Makefile)"
}

install_packages
install_bindgen
fetch_kernel_source
log "toolchain ready: $(/usr/bin/rustc --version), $("$BINDGEN" --version), kernel source $KSRC_DIR"
