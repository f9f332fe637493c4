#!/usr/bin/env bash
# Host side of `make bench`: the human table, the plots and
# Documentation/strclone/performance.rst from one benchmark JSON.
#
#   tools/bench/report.sh results/bench-<time>.json
#
# matplotlib lives in a venv under the cache (created once; PyPI is used
# only when it is missing there), so the system's Python is never touched.
set -euo pipefail
. "$(dirname "$0")/../env.sh"

json=${1:-}
[ -n "$json" ] && [ -f "$json" ] || die "usage: tools/bench/report.sh results/bench-<time>.json"

venv="$STRCLONE_CACHE/venv"
py="$venv/bin/python3"
if ! "$py" -c 'import matplotlib' >/dev/null 2>&1; then
    log "setting up matplotlib in $venv"
    mkdir -p "$STRCLONE_CACHE"
    if ! [ -x "$py" ]; then
        if ! python3 -m venv "$venv" >/dev/null 2>&1; then
            # Debian ships ensurepip separately.
            rm -rf "$venv"
            if [ "$(id -u)" -eq 0 ]; then
                apt-get install -y -q python3-venv >/dev/null
            else
                sudo apt-get install -y -q python3-venv >/dev/null
            fi
            python3 -m venv "$venv" || die "python3 -m venv $venv failed"
        fi
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check matplotlib \
        || die "pip install matplotlib into $venv failed"
    "$py" -c 'import matplotlib' || die "matplotlib is still not importable from $venv"
fi
MPLBACKEND=Agg "$py" "$STRCLONE_ROOT/tools/bench/report.py" --root "$STRCLONE_ROOT" "$json"
