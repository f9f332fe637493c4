# shellcheck shell=bash
# Shared settings for strclone's tooling. Sourced by every script in tools/.
# Everything here can be overridden from the environment.

STRCLONE_ROOT=${STRCLONE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
STRCLONE_CACHE=${STRCLONE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/strclone}

# The pinned kernel source: Debian's linux-source package from trixie-backports.
KSRC_PKG=${KSRC_PKG:-linux-source-7.3}
KSRC_VERSION=${KSRC_VERSION:-7.3.4-1~bpo13+1}
KSRC_SUITE=${KSRC_SUITE:-trixie-backports}
KSRC_MIRROR=${KSRC_MIRROR:-http://deb.debian.org/debian}
KSRC_DIR=${KSRC_DIR:-$STRCLONE_CACHE/src/${KSRC_PKG}_${KSRC_VERSION//\~/_}/${KSRC_PKG}}

BINDGEN_VERSION=${BINDGEN_VERSION:-^0.72}
BINDGEN_ROOT=${BINDGEN_ROOT:-$STRCLONE_CACHE/tools/bindgen-0.72}
BINDGEN=${BINDGEN:-$BINDGEN_ROOT/bin/bindgen}
LLVM_SUFFIX=${LLVM_SUFFIX:-22}
export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm-$LLVM_SUFFIX/lib}

# rustup's rustc comes first on PATH here; the kernel wants Debian's rustc-web.
KMAKE_TOOLS=(RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
             "BINDGEN=$BINDGEN")

JOBS=${JOBS:-$(nproc)}

log() { printf '[strclone] %s\n' "$*" >&2; }
die() { printf '[strclone] error: %s\n' "$*" >&2; exit 1; }
