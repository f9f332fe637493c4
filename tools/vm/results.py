#!/usr/bin/env python3
"""Turn a strclone VM console log into test results.

The guest prints each test program's KTAP output, and each KUnit suite's
results file, between markers:

    STRCLONE-KTAP-BEGIN <name>
    ... KTAP ...
    STRCLONE-KTAP-END <name> rc=<exit code> seconds=<s>

and, at the very end, the status of its whole plan:

    STRCLONE-RESULT rc=<exit code>

What counts (Documentation/strclone/testing.rst, "How results are counted"):

- Every leaf KTAP result (a result line with no subtests of its own) is one
  result: `ok` passes, `not ok` fails, `ok ... # SKIP` is a skip. A TODO,
  XFAIL, XPASS or any other directive fails, and so does `not ok ... # SKIP`.
- A skip passes only if Documentation/strclone/testing.rst lists it in its
  skip allow-list (section name, reason, why it is allowed); any other skip
  is a failure.
- Each KTAP level (KUnit nests subtests one indentation level deeper) must
  have exactly one plan, and its results must be numbered 1..N, N being the
  plan. A section without a plan, with a plan its results do not match, with
  a "Bail out!", that never ended, or whose exit status is non-zero is one
  more failure (a non-zero status is accepted when a failing result explains
  it, and status 4 when the whole program was a documented skip, `1..0 #
  SKIP`).
- A missing or non-zero `STRCLONE-RESULT` is a failure.
- Only strclone's results are counted. The kernel's own KUnit suites
  (`kunit:` sections not named `strclone*`: the Rust doctests and the
  kernel crate's suites) test the kernel: they are reported on their own
  line and not counted, but any problem among them is one failure, since a
  broken test kernel invalidates the run.
- The whole console is scanned for kernel splats; a clean console is one
  more passing result, a dirty one a failure.

The last line is `N passed, N failed, N skipped`; the exit status is 1 if
anything failed.

Options: --verbose (list every result), --skips FILE (the allow-list, by
default Documentation/strclone/testing.rst), --expect-selftests FILE (every
name in FILE, one a line, must have a `selftest:<name>` section),
--expect-kunit (at least one of strclone's KUnit suites must have run).
"""
import fnmatch
import os
import re
import sys

TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
RESULT = re.compile(r"^(not ok|ok)\s+(\d+)\b\s*(?:-\s*)?(.*)$")
PLAN = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")
VERSION = re.compile(r"^K?TAP version \d+\s*$")
DIRECTIVE = re.compile(r"(?:^|(?<=\s))#\s*([A-Za-z]+)\b")
# KTAP's directives (SKIP, TODO) and kselftest's (XFAIL, XPASS, ERROR): every
# one but SKIP on an "ok" line is a failure here.
DIRECTIVES = ("SKIP", "TODO", "XFAIL", "XPASS", "ERROR")
BAIL = re.compile(r"^Bail out!\s*(.*)$")
KSFT_SKIP_RC = 4

DEFAULT_SKIPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                             "Documentation", "strclone", "testing.rst")
ALLOW_BEGIN = ".. skip-allow-list: begin"
ALLOW_END = ".. skip-allow-list: end"
ALLOW_ENTRY = re.compile(r"^-\s+``([^`]+)``\s+``([^`]+)``\s*:\s*(\S.*)$")

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
    return TIMESTAMP.sub("", line.rstrip("\r\n"))


class AllowList:
    """The documented skips: (section glob, reason regex, why) entries."""

    def __init__(self, entries, source):
        self.entries = entries
        self.source = source

    @classmethod
    def load(cls, path):
        """Reads the allow-list block of @path; raises ValueError if it is malformed."""
        with open(path, errors="replace") as f:
            lines = [l.rstrip("\n") for l in f]
        try:
            start = lines.index(ALLOW_BEGIN)
            end = lines.index(ALLOW_END, start)
        except ValueError:
            raise ValueError(f"{path}: no '{ALLOW_BEGIN}' ... '{ALLOW_END}' block")
        entries = []
        for n, line in enumerate(lines[start + 1:end], start + 2):
            text = line.strip()
            if not text or text == "- (none)":
                continue
            m = ALLOW_ENTRY.match(text)
            if not m:
                raise ValueError(f"{path}:{n}: not an allow-list entry "
                                 f"(- ``section`` ``reason regex``: why): {text}")
            try:
                reason = re.compile(m.group(2))
            except re.error as e:
                raise ValueError(f"{path}:{n}: bad reason regular expression: {e}")
            entries.append((m.group(1), reason, m.group(3)))
        return cls(entries, path)

    def allows(self, section, text):
        for glob, reason, _ in self.entries:
            if fnmatch.fnmatchcase(section, glob) and reason.search(text):
                return True
        return False


class Level:
    """One KTAP level of a section: its plan and its results."""

    def __init__(self, indent):
        self.indent = indent
        self.plan = None
        self.plan_directive = ""
        self.plans = 0
        self.results = 0
        self.numbers_ok = True
        self.first_bad_number = None
        self.child_closed = False  # a deeper level ended since our last result
        self.child_bad = 0  # failures found in that deeper level
        self.bad_at_start = 0
        self.name = ""


class Section:
    def __init__(self, name, body, rc, seconds, ended):
        self.name = name
        self.body = body
        self.rc = rc
        self.seconds = seconds
        self.ended = ended
        self.passed = []   # case names
        self.failed = []   # (case, why)
        self.skipped = []  # (case, reason)
        self.problems = []  # section-level failures
        self.skip_all = None  # reason of "1..0 # SKIP"

    @property
    def kernel_suite(self):
        return self.name.startswith("kunit:") and not self.name.startswith("kunit:strclone")


def indent_of(raw):
    line = raw.expandtabs(8)
    return len(line) - len(line.lstrip(" ")), line.strip()


def parse_section(sec, allow):
    """Fills in sec's results and problems from its KTAP body."""
    levels = []  # open levels, innermost last
    subtest = None  # last "# Subtest:" name, for messages
    top_seen = False

    def close_level():
        lv = levels.pop()
        where = f"level {lv.indent // 4}" if lv.indent else "top level"
        what = f" (subtest {lv.name})" if lv.name else ""
        if lv.plans == 0:
            sec.problems.append(f"no KTAP plan at the {where}{what}: {lv.results} results")
        elif lv.plans > 1:
            sec.problems.append(f"{lv.plans} KTAP plans at the {where}{what}")
        elif lv.plan != lv.results:
            sec.problems.append(
                f"plan 1..{lv.plan} at the {where}{what}, but {lv.results} results")
        if not lv.numbers_ok:
            sec.problems.append(f"results at the {where}{what} are not numbered 1, 2, 3 ...: "
                                f"{lv.first_bad_number}")
        if levels:
            levels[-1].child_closed = True
            levels[-1].child_bad = bad_count() - lv.bad_at_start

    def bad_count():
        return len(sec.failed) + len(sec.problems)

    def level_at(indent):
        nonlocal top_seen, subtest
        # A line at a shallower indent than the innermost open level ends
        # that level only if it is a result (the parent's result line) or
        # the section ends; other lines at a shallower indent (comments)
        # are ignored here.
        if levels and levels[-1].indent == indent:
            return levels[-1]
        if not levels or levels[-1].indent < indent:
            lv = Level(indent)
            lv.bad_at_start = bad_count()
            if subtest and indent > 0:
                lv.name = subtest
            subtest = None
            levels.append(lv)
            if indent == 0:
                top_seen = True
            return lv
        return None

    for raw in sec.body:
        indent, line = indent_of(raw)
        if not line:
            continue
        m = BAIL.match(line)
        if m:
            sec.problems.append(f"Bail out! {m.group(1)}".rstrip())
            continue
        if line.startswith("# Subtest:"):
            subtest = line[len("# Subtest:"):].strip()
            # KUnit prints it just after the "KTAP version" line of the
            # level it names.
            if levels and levels[-1].indent == indent and not levels[-1].name:
                levels[-1].name = subtest
                subtest = None
            continue
        if VERSION.match(line):
            # A new (sub)test document begins at this indentation.
            while levels and levels[-1].indent > indent:
                close_level()
            if levels and levels[-1].indent == indent and (levels[-1].plans or levels[-1].results):
                if indent == 0:
                    sec.problems.append("a second KTAP document in one section")
                close_level()
            level_at(indent)
            continue
        m = PLAN.match(line)
        if m:
            while levels and levels[-1].indent > indent:
                close_level()
            lv = level_at(indent)
            if lv is None:
                continue
            lv.plans += 1
            lv.plan = int(m.group(1))
            lv.plan_directive = m.group(2) or ""
            if lv.plan == 0:
                d = DIRECTIVE.match("# " + lv.plan_directive)
                if d and d.group(1).upper() == "SKIP" and indent == 0:
                    sec.skip_all = ("# " + lv.plan_directive)[d.end():].strip()
                else:
                    sec.problems.append("plan 1..0: the program ran no test")
            continue
        m = RESULT.match(line)
        if not m:
            continue
        # Our result line ends every deeper level: they were its subtests.
        while levels and levels[-1].indent > indent:
            close_level()
        lv = level_at(indent)
        if lv is None:
            continue
        lv.results += 1
        if int(m.group(2)) != lv.results and lv.numbers_ok:
            lv.numbers_ok = False
            lv.first_bad_number = f"result {lv.results} is numbered {m.group(2)}"
        is_parent, child_bad = lv.child_closed, lv.child_bad
        lv.child_closed, lv.child_bad = False, 0
        if is_parent:
            # Its subtests were counted; a failing parent needs a failing
            # subtest to explain it (KUnit fails a suite whose init failed).
            if m.group(1) != "ok" and not child_bad:
                sec.failed.append((m.group(3).strip() or f"test {m.group(2)}",
                                   "not ok, but none of its subtests failed"))
            continue
        ok = m.group(1) == "ok"
        rest = m.group(3)
        directive = reason = ""
        case = rest
        for d in DIRECTIVE.finditer(rest):
            if d.group(1).upper() in DIRECTIVES:
                directive = d.group(1).upper()
                reason = rest[d.end():].strip()
                case = rest[:d.start()].strip()
                break
        case = case or f"test {m.group(2)}"
        if directive == "SKIP" and ok:
            text = f"{case} {reason}".strip()
            if allow.allows(sec.name, text):
                sec.skipped.append((case, reason))
            else:
                sec.failed.append((case, f"skipped ({reason or 'no reason'}), and this skip is "
                                         f"not in the skip allow-list of {allow.source}"))
        elif directive:
            sec.failed.append((case, f"{m.group(1)} with directive # {directive}"
                                     f"{' ' + reason if reason else ''}: a {directive} result "
                                     f"is a failure"))
        elif ok:
            sec.passed.append(case)
        else:
            sec.failed.append((case, "not ok"))
    while levels:
        close_level()
    if not top_seen:
        sec.problems.append("no KTAP output (no plan, no result)")

    if sec.skip_all is not None:
        text = sec.skip_all
        if allow.allows(sec.name, text):
            sec.skipped.append(("(whole program)", text))
        else:
            sec.failed.append(("(whole program)", f"skipped ({text or 'no reason'}), and this "
                                                  f"skip is not in the skip allow-list of "
                                                  f"{allow.source}"))
    if not sec.ended:
        sec.problems.append("the section never ended (no STRCLONE-KTAP-END: the guest died or "
                            "hung in it)")
    elif sec.rc is None:
        sec.problems.append("no exit status (rc=) on its STRCLONE-KTAP-END line")
    elif sec.rc != 0:
        whole_skip_ok = (sec.rc == KSFT_SKIP_RC and sec.skip_all is not None
                         and not sec.failed)
        if not whole_skip_ok and not sec.failed and not sec.problems:
            sec.problems.append(f"exited with status {sec.rc} without reporting a failure")
    elif sec.failed or sec.problems:
        # Exit 0 but something failed: counted above already; say so.
        pass


def read_log(path):
    """Returns (sections, splats, injected, results) of one console log."""
    with open(path, errors="replace") as f:
        lines = [strip(l) for l in f]
    sections = []
    splats = []
    injected = 0
    results = []
    current = None
    in_fault = False
    oom_window = False
    oom_report = None  # the splat-like lines of the OOM report being read
    oom_memcg = False
    for line in lines:
        if line.startswith("STRCLONE-KTAP-BEGIN "):
            if current:
                sections.append(Section(current[0], current[1], None, "", False))
            current = (line.split(None, 1)[1].strip(), [])
            continue
        if current and line.startswith("STRCLONE-KTAP-END "):
            m = re.search(r"\brc=(-?\d+)", line)
            t = re.search(r"\bseconds=(\d+)", line)
            name = line.split(None, 2)[1] if len(line.split()) > 1 else ""
            if name != current[0]:
                current[1].append(f"Bail out! STRCLONE-KTAP-END names {name!r}")
            sections.append(Section(current[0], current[1], int(m.group(1)) if m else None,
                                    f" ({t.group(1)} s)" if t else "", True))
            current = None
            continue
        if current:
            current[1].append(line)
        m = re.match(r"^STRCLONE-RESULT\b(.*)$", line)
        if m:
            r = re.search(r"\brc=(-?\d+)", m.group(1))
            results.append(int(r.group(1)) if r else None)
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
        sections.append(Section(current[0], current[1], None, "", False))
    if oom_report is not None and not oom_memcg:
        splats.extend(oom_report)
    return sections, splats, injected, results


def main(argv):
    verbose = False
    skips_path = DEFAULT_SKIPS
    expect_selftests = None
    expect_kunit = False
    paths = []
    args = iter(argv[1:])
    for a in args:
        if a == "--verbose":
            verbose = True
        elif a == "--skips":
            skips_path = next(args, None)
        elif a == "--expect-selftests":
            expect_selftests = next(args, None)
        elif a == "--expect-kunit":
            expect_kunit = True
        elif a.startswith("--"):
            print(f"results.py: unknown option {a}", file=sys.stderr)
            return 2
        else:
            paths.append(a)
    if not paths or skips_path is None or (expect_selftests is None and "--expect-selftests" in argv):
        print("usage: results.py [--verbose] [--skips FILE] [--expect-selftests FILE] "
              "[--expect-kunit] CONSOLE-LOG...", file=sys.stderr)
        return 2

    passed = failed = skipped = 0
    k_pass = k_fail = k_skip = 0
    k_broken = []
    injected = 0
    splats = []

    def fail(msg):
        nonlocal failed
        failed += 1
        print(f"not ok - {msg}")

    try:
        allow = AllowList.load(skips_path)
    except (OSError, ValueError) as e:
        allow = AllowList([], skips_path)
        fail(f"skip allow-list: {e}")

    all_sections = []
    for path in paths:
        sections, sp, inj, results = read_log(path)
        all_sections += sections
        splats += sp
        injected += inj
        if not results:
            fail(f"{path}: the guest never reported its result (no STRCLONE-RESULT line)")
        elif len(results) > 1:
            fail(f"{path}: {len(results)} STRCLONE-RESULT lines")
        elif results[0] is None:
            fail(f"{path}: STRCLONE-RESULT without rc=")
        elif results[0] != 0:
            fail(f"{path}: the guest's plan exited with status {results[0]} (STRCLONE-RESULT rc={results[0]})")

    for sec in all_sections:
        parse_section(sec, allow)
        p, f, s = len(sec.passed), len(sec.failed) + len(sec.problems), len(sec.skipped)
        if sec.kernel_suite:
            k_pass += p
            k_fail += f
            k_skip += s
            for case, why in sec.failed:
                k_broken.append(f"{sec.name}: {case}: {why}")
            for why in sec.problems:
                k_broken.append(f"{sec.name}: {why}")
            if verbose:
                print(f"# {sec.name} (kernel's own, not counted): pass:{p} fail:{f} skip:{s}{sec.seconds}")
            continue
        for case, why in sec.failed:
            print(f"not ok - {sec.name}: {case}: {why}")
        for why in sec.problems:
            print(f"not ok - {sec.name}: {why}")
        if verbose:
            for case in sec.passed:
                print(f"ok - {sec.name}: {case}")
        for case, reason in sec.skipped:
            print(f"ok - {sec.name}: {case} # SKIP {reason} (documented skip)")
        print(f"# {sec.name}: pass:{p} fail:{f} skip:{s}{sec.seconds}")
        passed += p
        failed += f
        skipped += s

    names = [s.name for s in all_sections]
    for n in sorted(set(names)):
        if names.count(n) > 1:
            fail(f"{n}: {names.count(n)} sections of that name")
    if expect_selftests:
        try:
            with open(expect_selftests) as f:
                wanted = [l.strip() for l in f if l.strip()]
        except OSError as e:
            wanted = []
            fail(f"--expect-selftests: {e}")
        if expect_selftests and not wanted:
            fail(f"{expect_selftests}: names no test")
        for w in wanted:
            if f"selftest:{w}" not in names:
                fail(f"selftest:{w}: in {expect_selftests}, but it never ran")
    if expect_kunit and not any(n.startswith("kunit:strclone") for n in names):
        fail("kunit:strclone*: none of strclone's KUnit suites ran")

    if injected:
        print(f"# fault injection: the kernel reported {injected} injected failures")
    if any(s.kernel_suite for s in all_sections):
        print(f"# kernel's own KUnit suites (not counted): pass:{k_pass} fail:{k_fail} skip:{k_skip}")
    if k_broken:
        for b in k_broken[:20]:
            print(f"#   {b}")
        fail(f"kernel's own KUnit suites: {len(k_broken)} failures: the test kernel is broken, "
             f"so this run proves nothing")
    if splats:
        print("not ok - console scan: the kernel log shows problems:")
        for s in splats[:40]:
            print(f"#   {s}")
        failed += 1
    else:
        print("ok - console scan: no BUG/WARNING/Oops/lockdep/kmemleak/panic/stall reports")
        passed += 1
    print(f"# strclone totals: pass:{passed} fail:{failed} skip:{skipped}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
