#!/usr/bin/env python3
"""Adds what a benchmark run measured to its JSON (the "build" object).

    stamp.py results/bench-<time>.json key=value...

tools/pipeline.sh bench passes the module source commit (with -dirty when
the tree had uncommitted changes), the sha256 of strclone.ko, the perf
kernel's build directory name and the sha256 of its .config, and the date
the run started. The JSON is rewritten in place (kernel messages that
interleaved into the console copy are dropped, as report.py does).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import load  # noqa: E402


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    path = argv[1]
    d = load(path)
    build = d.setdefault("build", {})
    for kv in argv[2:]:
        k, _, v = kv.partition("=")
        build[k] = v
    with open(path, "w") as f:
        json.dump(d, f, indent=1)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
