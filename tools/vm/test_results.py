#!/usr/bin/env python3
"""Self-tests of tools/vm/results.py, run by `make check` before the VM boots.

Each case is a small fabricated console log and what results.py must make
of it: its exit status and its closing line. They exist so that the checker
cannot quietly become lenient again (count a TODO as a skip, miss a plan
mismatch, accept a program's non-zero status, an undocumented skip or a
missing guest result, or count the kernel's own KUnit suites as strclone's).

Run: python3 tools/vm/test_results.py (exit status 0 if every case holds).
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results.py")

# An allow-list with one documented skip (the real one is in testing.rst).
SKIPS = """\
Some text before.

.. skip-allow-list: begin

- ``selftest:needs_widget`` ``no /dev/widget``: the widget only exists on real hardware

.. skip-allow-list: end
"""

KUNIT_KERNEL = """\
STRCLONE-KTAP-BEGIN kunit:rust_doctests_kernel
KTAP version 1
1..1
    KTAP version 1
    # Subtest: rust_doctests_kernel
    1..3
    ok 1 rust_doctest_a
    ok 2 rust_doctest_b
    ok 3 rust_doctest_c
# rust_doctests_kernel: pass:3 fail:0 skip:0 total:3
ok 1 rust_doctests_kernel
STRCLONE-KTAP-END kunit:rust_doctests_kernel rc=0 seconds=0
"""

KUNIT_STRCLONE = """\
STRCLONE-KTAP-BEGIN kunit:strclone_minors
KTAP version 1
1..1
    KTAP version 1
    # Subtest: strclone_minors
    1..2
    ok 1 lowest_free
        KTAP version 1
        # Subtest: param_case
        1..2
        ok 1 param 1
        ok 2 param 2
    ok 2 param_case
ok 1 strclone_minors
STRCLONE-KTAP-END kunit:strclone_minors rc=0 seconds=0
"""

SELFTEST_OK = """\
STRCLONE-KTAP-BEGIN selftest:clone
TAP version 13
1..2
# Starting 2 tests from 1 test cases.
ok 1 global.one
ok 2 global.two
# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0
STRCLONE-KTAP-END selftest:clone rc=0 seconds=3
"""

END = "STRCLONE-RESULT rc=0\n"


def section(name, body, rc=0):
    return f"STRCLONE-KTAP-BEGIN {name}\n{body}STRCLONE-KTAP-END {name} rc={rc} seconds=1\n"


def log(*parts, result=END):
    return "[    0.000000] Linux version 7.3.4\nSTRCLONE-BOOTED 7.3.4\n" + "".join(parts) + result


CLEAN = log(KUNIT_KERNEL, KUNIT_STRCLONE, SELFTEST_OK)

OOM_BEGIN = "[    2.0] strclone-bounds: expect memcg OOM begin\n"
OOM_END = "[    3.0] strclone-bounds: expect memcg OOM end\n"


def oom_report(constraint):
    """The kernel's OOM report, abridged, with the given constraint."""
    return ("[    2.0] bounds invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0\n"
            "[    2.0] CPU: 1 UID: 1000 PID: 9 Comm: bounds\n[    2.0] Call Trace:\n"
            "[    2.0]  <TASK>\n[    2.0]  dump_stack_lvl+0x5d/0x80\n[    2.0]  </TASK>\n"
            f"[    2.0] oom-kill:constraint={constraint},nodemask=(null),task=bounds,pid=9\n"
            "[    2.0] Memory cgroup out of memory: Killed process 9 (bounds)\n")

# name, console log, extra arguments, expected status, expected closing
# line (None: not checked), text that must appear in the output.
CASES = [
    ("clean run: strclone's 3 KUnit leaves + 2 selftests + console scan; "
     "the kernel's 3 doctests on their own line",
     CLEAN, [], 0, "6 passed, 0 failed, 0 skipped",
     "# kernel's own KUnit suites (not counted): pass:3 fail:0 skip:0"),
    ("plan mismatch: 1..10 announced, 1 result, exit 0",
     log(section("selftest:short", "TAP version 13\n1..10\nok 1 only\n")),
     [], 1, "2 passed, 1 failed, 0 skipped", "plan 1..10"),
    ("more results than the plan",
     log(section("selftest:long", "TAP version 13\n1..1\nok 1 a\nok 2 b\n")),
     [], 1, None, "plan 1..1"),
    ("no plan at all",
     log(section("selftest:noplan", "TAP version 13\nok 1 a\n")),
     [], 1, None, "no KTAP plan"),
    ("no KTAP output at all, exit 0",
     log(section("selftest:silent", "")),
     [], 1, None, "no KTAP output"),
    ("results numbered wrongly",
     log(section("selftest:numbers", "1..2\nok 1 a\nok 1 b\n")),
     [], 1, None, "not numbered"),
    ("nested KUnit plan mismatch (subtest announces 3, has 2)",
     log(section("kunit:strclone_x",
                 "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: strclone_x\n"
                 "    1..3\n    ok 1 a\n    ok 2 b\nok 1 strclone_x\n")),
     [], 1, None, "plan 1..3 at the level 1 (subtest strclone_x)"),
    ("a failing KUnit suite whose cases all passed (suite init failed)",
     log(section("kunit:strclone_y",
                 "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: strclone_y\n"
                 "    1..1\n    ok 1 a\nnot ok 1 strclone_y\n", rc=0)),
     [], 1, "2 passed, 1 failed, 0 skipped", "none of its subtests failed"),
    ("a failing case of a parameterised KUnit test counts once",
     log(section("kunit:strclone_z",
                 "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: strclone_z\n"
                 "    1..1\n        KTAP version 1\n        # Subtest: p\n        1..2\n"
                 "        ok 1 p1\n        not ok 2 p2\n    not ok 1 p\nnot ok 1 strclone_z\n")),
     [], 1, "2 passed, 1 failed, 0 skipped", "p2: not ok"),
    ("TODO on a failing result is a failure",
     log(section("selftest:todo", "1..2\nok 1 a\nnot ok 2 b # TODO known bug\n", rc=0)),
     [], 1, "2 passed, 1 failed, 0 skipped", "# TODO"),
    ("TODO on a passing result is a failure too",
     log(section("selftest:todo2", "1..1\nok 1 a # TODO\n")),
     [], 1, "1 passed, 1 failed, 0 skipped", "TODO"),
    ("XFAIL is a failure",
     log(section("selftest:xfail", "1..1\nok 1 # XFAIL expected to fail\n")),
     [], 1, None, "XFAIL"),
    ("undocumented skip of one case",
     log(section("selftest:clone", "1..2\nok 1 a\nok 2 b # SKIP node missing\n")),
     [], 1, "2 passed, 1 failed, 0 skipped", "not in the skip allow-list"),
    ("undocumented skip of a whole program (1..0 # SKIP, exit 4)",
     log(section("selftest:stress", "TAP version 13\n1..0 # SKIP must run as root\n", rc=4)),
     [], 1, "1 passed, 1 failed, 0 skipped", "not in the skip allow-list"),
    ("documented skip of a whole program passes, shown as skipped",
     log(section("selftest:needs_widget", "TAP version 13\n1..0 # SKIP no /dev/widget here\n",
                 rc=4)),
     [], 0, "1 passed, 0 failed, 1 skipped", "documented skip"),
    ("documented section, other reason: a failure",
     log(section("selftest:needs_widget", "1..1\nok 1 x # SKIP not root\n")),
     [], 1, None, "not in the skip allow-list"),
    ("not ok with SKIP is a failure",
     log(section("selftest:needs_widget", "1..1\nnot ok 1 x # SKIP no /dev/widget\n")),
     [], 1, None, "directive # SKIP"),
    ("status 4 without a whole-program skip",
     log(section("selftest:four", "1..1\nok 1 a\n", rc=4)),
     [], 1, None, "exited with status 4"),
    ("non-zero exit status with every result ok",
     log(section("selftest:rc", "1..1\nok 1 a\n", rc=1)),
     [], 1, "2 passed, 1 failed, 0 skipped", "exited with status 1"),
    ("Bail out! after the plan",
     log(section("selftest:bail", "1..3\nok 1 a\nBail out! cannot go on\n", rc=1)),
     [], 1, None, "Bail out! cannot go on"),
    ("a section that never ended",
     "STRCLONE-KTAP-BEGIN selftest:hang\n1..1\n" + END,
     [], 1, None, "never ended"),
    ("missing STRCLONE-RESULT",
     log(SELFTEST_OK, result=""),
     [], 1, "3 passed, 1 failed, 0 skipped", "never reported its result"),
    ("non-zero STRCLONE-RESULT",
     log(SELFTEST_OK, result="STRCLONE-RESULT rc=1\n"),
     [], 1, "3 passed, 1 failed, 0 skipped", "exited with status 1"),
    ("a failure in the kernel's own KUnit suites fails the run as one failure, "
     "not counted with strclone's",
     log(KUNIT_KERNEL.replace("    ok 2 rust_doctest_b", "    not ok 2 rust_doctest_b"),
         SELFTEST_OK),
     [], 1, "3 passed, 1 failed, 0 skipped",
     "# kernel's own KUnit suites (not counted): pass:2 fail:1 skip:0"),
    ("a plan mismatch in the kernel's suites fails the run too",
     log(KUNIT_KERNEL.replace("    1..3", "    1..4"), SELFTEST_OK),
     [], 1, None, "the test kernel is broken"),
    ("console splat",
     log(SELFTEST_OK, "[   12.345678] BUG: sleeping function called from invalid context\n"),
     [], 1, "2 passed, 1 failed, 0 skipped", "console scan"),
    ("injected-fault stacks are not splats",
     log(SELFTEST_OK, "[    1.0] FAULT_INJECTION: forcing a failure.\n"
         "[    1.0] name failslab, interval 1, probability 0, space 0, times -1\n"
         "[    1.0] CPU: 1 UID: 0 PID: 77 Comm: stress\n[    1.0] Call Trace:\n"
         "[    1.0]  <TASK>\n[    1.0]  dump_stack_lvl+0x5d/0x80\n[    1.0]  </TASK>\n"),
     [], 0, "3 passed, 0 failed, 0 skipped", "1 injected failures"),
    ("a memory cgroup's OOM report between the bounds test's markers is not a splat",
     log(SELFTEST_OK, OOM_BEGIN, oom_report("CONSTRAINT_MEMCG"), OOM_END),
     [], 0, "3 passed, 0 failed, 0 skipped", None),
    ("a global OOM report is a splat, even between the markers",
     log(SELFTEST_OK, OOM_BEGIN, oom_report("CONSTRAINT_NONE"), OOM_END),
     [], 1, "2 passed, 1 failed, 0 skipped", "console scan"),
    ("a memcg OOM report outside the markers is a splat",
     log(SELFTEST_OK, oom_report("CONSTRAINT_MEMCG")),
     [], 1, "2 passed, 1 failed, 0 skipped", "console scan"),
    ("a WARNING inside an accepted OOM report is a splat",
     log(SELFTEST_OK, OOM_BEGIN,
         oom_report("CONSTRAINT_MEMCG").replace("Call Trace:", "WARNING: at mm/x.c:1\n"
                                                 "[    2.0] Call Trace:"), OOM_END),
     [], 1, "2 passed, 1 failed, 0 skipped", "WARNING: at mm/x.c:1"),
    ("a selftest in tests.list that never ran",
     CLEAN, ["--expect-selftests", "@tests.list"], 1, None, "selftest:ptm: in"),
    ("every selftest in tests.list ran",
     CLEAN, ["--expect-selftests", "@tests-clone.list", "--expect-kunit"], 0,
     "6 passed, 0 failed, 0 skipped", None),
    ("no strclone KUnit suite ran",
     log(KUNIT_KERNEL, SELFTEST_OK), ["--expect-kunit"], 1, None, "none of strclone's KUnit"),
]


def run(tmp, text, extra):
    path = os.path.join(tmp, "console.log")
    with open(path, "w") as f:
        f.write(text)
    args = [a.replace("@", tmp + os.sep) if a.startswith("@") else a for a in extra]
    p = subprocess.run([sys.executable, RESULTS, "--skips", os.path.join(tmp, "skips.rst")]
                       + args + [path], capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout + p.stderr


def main():
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "skips.rst"), "w") as f:
            f.write(SKIPS)
        with open(os.path.join(tmp, "tests.list"), "w") as f:
            f.write("clone\nptm\n")
        with open(os.path.join(tmp, "tests-clone.list"), "w") as f:
            f.write("clone\n")
        for n, (what, text, extra, status, closing, needle) in enumerate(CASES, 1):
            rc, out = run(tmp, text, extra)
            lines = out.strip().splitlines()
            why = []
            if rc != status:
                why.append(f"exit status {rc}, expected {status}")
            if closing is not None and (not lines or lines[-1] != closing):
                why.append(f"closing line {lines[-1] if lines else ''!r}, expected {closing!r}")
            if needle is not None and needle not in out:
                why.append(f"output lacks {needle!r}")
            if why:
                bad += 1
                print(f"not ok {n} {what}: {'; '.join(why)}")
                for l in lines[-15:]:
                    print(f"#   {l}")
            else:
                print(f"ok {n} {what}")
        # The project's own allow-list must parse (results.py fails a run on
        # a malformed one; better to know before the VM boots).
        n = len(CASES) + 1
        sys.path.insert(0, HERE)
        import results
        try:
            allow = results.AllowList.load(results.DEFAULT_SKIPS)
            print(f"ok {n} the skip allow-list of testing.rst parses "
                  f"({len(allow.entries)} documented skips)")
        except (OSError, ValueError) as e:
            bad += 1
            print(f"not ok {n} the skip allow-list of testing.rst parses: {e}")
    print(f"# results.py self-tests: {len(CASES) + 1 - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
