#!/usr/bin/env python3
"""Turn a strclone VM console log into test results.

The guest prints each test program's KTAP output, and each KUnit suite's
results file, between markers:

    STRCLONE-KTAP-BEGIN <name>
    ... KTAP ...
    STRCLONE-KTAP-END <name> rc=<exit code>

Every leaf test result (a result line with no subtests of its own) counts
once. A program that exits non-zero without reporting a failure, or that
reports no result at all, counts as one failure. The whole console is then
scanned for kernel splats; a clean console is one more passing result, a
dirty one a failure. The last line is `N passed, N failed`.
"""
import re
import sys

RESULT = re.compile(r"^(\s*)(not ok|ok)\s+\d+\s*-?\s*(.*?)\s*(#\s*(SKIP|skip|TODO)\b.*)?$")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")

# A console line that matches one of these fails the run.
SPLATS = [
    r"BUG:", r"WARNING:", r"\bOops\b", r"possible circular locking",
    r"possible recursive locking", r"inconsistent lock state", r"lockdep",
    r"DEBUG_LOCKS_WARN_ON", r"suspected memory leak", r"unreferenced object",
    r"Kernel panic", r"rcu_sched.*stall", r"rcu: INFO:", r"detected stalls",
    r"Call Trace:", r"general protection fault", r"kernel BUG at",
    r"UBSAN:", r"KASAN:", r"KCSAN:", r"BUG: sleeping function",
    r"Unable to handle kernel", r"stack-protector", r"list_add corruption",
    r"list_del corruption", r"refcount_t:",
]
# Lines that match a splat pattern but are the kernel saying hello.
BENIGN = [
    r"^\s*\.\.\. MAX_LOCKDEP",  # lockdep's boot banner
    r"^Lock dependency validator",
    r"RCU lockdep checking is enabled",
    r"^\s*memory used by lock dependency info",
    r"^\s*per task-struct memory footprint",
    r"^\s*\.\.\. CHAINHASH_SIZE",
    r"^\s*\.\.\. CLASSHASH_SIZE",
    r"kmemleak: Kernel memory leak detector initialized",
    r"kmemleak: Automatic memory scanning thread started",
]


# With fault injection's verbose=2 the kernel prints a stack after each
# "FAULT_INJECTION: forcing a failure" line. Those stack lines (and only
# those) are the injector reporting, not a kernel problem; a WARNING or BUG
# line in between still counts.
FAULT_START = re.compile(r"FAULT_INJECTION: forcing a failure")
FAULT_BODY = re.compile(
    r"^\s*(name \S+, interval|CPU: \d+ |Tainted:|Hardware name:|Call Trace:|<TASK>|</TASK>"
    r"|<IRQ>|</IRQ>|(\? )?[A-Za-z0-9_.$]+\+0x[0-9a-f]+/0x[0-9a-f]+"
    # The user-mode registers dump_stack() prints below a system call's
    # entry frame: part of the same report.
    r"|RIP: 0033:|Code: |RSP: 002b:|RAX: |RDX: |RBP: |R10: |R13: )"
)
FAULT_NEVER_BENIGN = re.compile(r"BUG:|WARNING:|Oops|Kernel panic|kernel BUG at")

# The bounds test floods a memory cgroup until the cgroup's OOM killer acts,
# and says so on the console first. Between its two markers, an OOM report
# whose constraint is that memory cgroup is the kernel doing its job: the
# report's stack lines are not splats. A global OOM report, or a BUG or
# WARNING inside a report, still counts.
OOM_WINDOW_BEGIN = re.compile(r"strclone-bounds: expect memcg OOM begin")
OOM_WINDOW_END = re.compile(r"strclone-bounds: expect memcg OOM end")
OOM_REPORT_START = re.compile(r"invoked oom-killer:")
OOM_MEMCG = re.compile(r"oom-kill:constraint=CONSTRAINT_MEMCG")
OOM_REPORT_END = re.compile(r"Memory cgroup out of memory: Killed process")


def strip(line):
    return TIMESTAMP.sub("", line.rstrip("\n"))


def leaf_results(lines):
    """Yield (ok, skipped, name) for each leaf result in a KTAP stream."""
    prev_depth = None
    for raw in lines:
        m = RESULT.match(raw.expandtabs(8))
        if not m:
            continue
        depth = len(m.group(1))
        is_parent = prev_depth is not None and prev_depth > depth
        prev_depth = depth
        if is_parent:
            continue
        yield m.group(2) == "ok", bool(m.group(5)), m.group(3)


def main(argv):
    verbose = "--verbose" in argv
    paths = [a for a in argv[1:] if not a.startswith("--")]
    passed = failed = skipped = 0
    injected = 0
    sections = []
    splats = []
    for path in paths:
        with open(path, errors="replace") as f:
            lines = [strip(l) for l in f]
        current = None
        in_fault = False
        oom_window = False
        oom_report = None  # splat-like lines of the OOM report being read
        oom_memcg = False
        for line in lines:
            if line.startswith("STRCLONE-KTAP-BEGIN "):
                current = (line.split(None, 1)[1].strip(), [])
                continue
            if current and line.startswith("STRCLONE-KTAP-END "):
                m = re.search(r"rc=(\d+)", line)
                t = re.search(r"seconds=(\d+)", line)
                sections.append((current[0], current[1], int(m.group(1)) if m else 0,
                                 f" ({t.group(1)} s)" if t else ""))
                current = None
                continue
            if current:
                current[1].append(line)
            if OOM_WINDOW_BEGIN.search(line):
                oom_window = True
            elif OOM_WINDOW_END.search(line):
                oom_window = False
            if oom_window and OOM_REPORT_START.search(line):
                oom_report, oom_memcg = [], False
            if oom_report is not None:
                oom_memcg |= bool(OOM_MEMCG.search(line))
                if FAULT_NEVER_BENIGN.search(line):
                    splats.append(line)
                elif any(re.search(p, line) for p in SPLATS):
                    oom_report.append(line)
                if OOM_REPORT_END.search(line) or not oom_window:
                    if not oom_memcg:
                        splats.extend(oom_report)
                    oom_report = None
                continue
            if FAULT_START.search(line):
                in_fault = True
                injected += 1
                continue
            if in_fault and FAULT_BODY.search(line) and not FAULT_NEVER_BENIGN.search(line):
                continue
            in_fault = False
            if any(re.search(p, line) for p in SPLATS) and not any(re.search(b, line) for b in BENIGN):
                splats.append(line)
        if current:
            sections.append((current[0], current[1], 255, ""))
        if not any(l.startswith("STRCLONE-RESULT ") for l in lines):
            print(f"not ok - {path}: the guest never reported a result")
            failed += 1

    for name, body, rc, secs in sections:
        p = f = s = 0
        for ok, skip, case in leaf_results(body):
            if skip:
                s += 1
            elif ok:
                p += 1
            else:
                f += 1
                print(f"not ok - {name}: {case}")
            if verbose and ok:
                print(f"ok - {name}: {case}{' # SKIP' if skip else ''}")
        if rc != 0 and f == 0:
            f += 1
            print(f"not ok - {name}: exited with status {rc} without reporting a failed case")
        if p + f + s == 0:
            f += 1
            print(f"not ok - {name}: reported no results")
        print(f"# {name}: pass:{p} fail:{f} skip:{s}{secs}")
        passed += p
        failed += f
        skipped += s

    if injected:
        print(f"# fault injection: the kernel reported {injected} injected failures")
    if splats:
        print("not ok - console scan: the kernel log shows problems:")
        for s in splats[:40]:
            print(f"#   {s}")
        failed += 1
    else:
        print("ok - console scan: no BUG/WARNING/Oops/lockdep/kmemleak/panic/stall reports")
        passed += 1
    print(f"# Totals: pass:{passed} fail:{failed} skip:{skipped}")
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
