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
    with open(path + ".tmp", "w") as f:
        f.write(dumps(d))
    os.replace(path + ".tmp", path)
    return 0


def dumps(d):
    """The JSON with one top-level key, object member or list element per
    line (as bench.c prints it), so the checked-in copy diffs well."""
    out = []
    for i, (k, v) in enumerate(d.items()):
        if isinstance(v, dict) and v:
            body = ",\n".join(f"    {json.dumps(kk)}: {json.dumps(vv)}" for kk, vv in v.items())
            text = f"{{\n{body}\n  }}"
        elif isinstance(v, list) and v:
            body = ",\n".join(f"    {json.dumps(x)}" for x in v)
            text = f"[\n{body}\n  ]"
        else:
            text = json.dumps(v)
        out.append(f"  {json.dumps(k)}: {text}" + ("," if i < len(d) - 1 else ""))
    return "{\n" + "\n".join(out) + "\n}\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv))
