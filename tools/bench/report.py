#!/usr/bin/env python3
"""strclone benchmark report: the human table, the plots and performance.rst.

    report.py [--root DIR] [--no-doc] results/bench-<time>.json

Reads the JSON that tools/bench/bench.c printed in the VM (make bench copies
it to results/ and adds a "build" object: module commit, perf kernel config
hash, date), and

- prints the table of targets (strclone median, native median(s), ratio,
  target, the slower end of the ratio's range, met/missed) and the detailed
  tables, and writes the same text next to the JSON (<json without
  .json>.txt, and results/bench-latest.txt);
- draws Documentation/strclone/perf/*.png with matplotlib;
- writes Documentation/strclone/performance.rst (method, generated tables,
  plots, analysis of every target, kernel profiles);
- rewrites the performance summary in README.md between the
  "bench-summary" markers;
- copies the JSON to Documentation/strclone/perf/bench.json.

Every figure comes from the JSON it is given. Ratios are ratios of medians;
the spread of a ratio is the range of the per-repetition ratios (the
mechanisms are interleaved inside each repetition, so repetition i of one is
paired with repetition i of the other), or, where runs are not paired, the
range from the extreme runs. A target is met only if the slower end of that
range meets it.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import sys

# --------------------------------------------------------------------------
# Loading


def load(path):
    with open(path, errors="replace") as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # A kernel message on the console may have interleaved: drop
        # lines that look like printk output and try again.
        kept = [l for l in text.splitlines() if not re.match(r"^\s*\[\s*\d+\.\d+\]", l)]
        return json.loads("\n".join(kept))


class Data:
    def __init__(self, d):
        self.d = d
        self.s = {s["id"]: s for s in d.get("series", [])}
        self.extra = d.get("extra", {})
        self.skipped = {s["id"]: s["reason"] for s in d.get("skipped", [])}
        self.profiles = {p["id"]: p for p in d.get("profiles", [])}
        self.meta = d.get("meta", {})

    def has(self, sid):
        return sid in self.s and self.s[sid]["n"] > 0

    def samples(self, sid):
        return self.s[sid]["samples"] if self.has(sid) else []

    def med(self, sid):
        return statistics.median(self.samples(sid)) if self.has(sid) else None

    def lo(self, sid):
        return min(self.samples(sid)) if self.has(sid) else None

    def hi(self, sid):
        return max(self.samples(sid)) if self.has(sid) else None

    def ratio(self, a, b, paired=True):
        """(ratio of medians, low, high) of a / b, or None."""
        if not (self.has(a) and self.has(b)):
            return None
        r = self.med(a) / self.med(b) if self.med(b) else None
        if r is None:
            return None
        sa, sb = self.samples(a), self.samples(b)
        if paired and len(sa) == len(sb):
            rs = [x / y for x, y in zip(sa, sb) if y]
            return r, min(rs), max(rs)
        return r, min(sa) / max(sb), max(sa) / min(sb)


# --------------------------------------------------------------------------
# Formatting


def fnum(v, unit=""):
    if v is None:
        return "n/a"
    a = abs(v)
    if a >= 1e6:
        s = f"{v / 1e6:.2f} M"
    elif a >= 1e4:
        s = f"{v / 1e3:.1f} k"
    elif a >= 100:
        s = f"{v:.0f} "
    elif a >= 10:
        s = f"{v:.1f} "
    elif a >= 0.1 or a == 0:
        s = f"{v:.2f} "
    else:
        s = f"{v:.2g} "
    return (s + unit).strip()


def fspread(data, sid, unit=""):
    if not data.has(sid):
        return "n/a"
    return f"{fnum(data.med(sid), unit)} [{fnum(data.lo(sid))}-{fnum(data.hi(sid))}]"


def fratio(r):
    if r is None:
        return "n/a"

    def f(v):
        return f"{v:.2f}" if abs(v) >= 0.1 else f"{v:.2g}"
    return f"{f(r[0])}x [{f(r[1])}-{f(r[2])}]"


def rst_table(header, rows):
    """An RST simple table."""
    cols = len(header)
    w = [max(len(str(r[i])) for r in [header] + rows) for i in range(cols)]
    w = [max(x, 3) for x in w]
    sep = "  ".join("=" * x for x in w)
    out = [sep, "  ".join(str(h).ljust(w[i]) for i, h in enumerate(header)).rstrip(), sep]
    for r in rows:
        cells = [str(c) if str(c) else ".." for c in r]
        out.append("  ".join(c.ljust(w[i]) for i, c in enumerate(cells)).rstrip())
    out.append(sep)
    return "\n".join(out)


def text_table(header, rows):
    w = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = "  ".join("-" * x for x in w)
    out = ["  ".join(str(h).ljust(w[i]) for i, h in enumerate(header)).rstrip(), line]
    for r in rows:
        out.append("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip())
    return "\n".join(out)


SIZES = [1, 64, 4096, 65536]
SCHEMA = 2  # bench.c's JSON schema this report reads


def size_label(n):
    return f"{n // 1024} KiB" if n >= 1024 else f"{n} B"


MOD_COUNTS = [0, 1, 4]  # nullmods pushed in the modules group
MOD_SIZES = [64, 4096]


def mod_label(k):
    return "no module" if k == 0 else f"{k} nullmod{'s' if k > 1 else ''}"


def has_modules(data):
    """Whether the run measured the modules group: it was asked for (meta
    "groups", which older JSON does not have) or its series are there.
    Without it the report leaves out the modules target, tables and text,
    so a JSON from before the group renders as it did."""
    groups = data.meta.get("groups")
    if isinstance(groups, str) and "modules" in groups.split(","):
        return True
    return any(k.startswith("modules/") for k in data.s)


def has_terminal(data):
    """Whether the run measured the terminal group (asked for, or its series
    are there); without it the report leaves its targets, table and text
    out, so a JSON from before the group renders as it did."""
    groups = data.meta.get("groups")
    if isinstance(groups, str) and "terminal" in groups.split(","):
        return True
    return any(k.startswith("terminal/") for k in data.s)


def term_modules(data):
    """What was on the strclone slave in the terminal group, as a phrase."""
    mods = data.extra.get("terminal/strclone/modules", "?")
    pushed = data.extra.get("terminal/strclone/pushed_ldterm")
    how = ("pushed by the benchmark, as ``I_FIND`` found no ``ldterm``" if pushed == 1
           else "autopushed" if pushed == 0 else "how they got there is unknown")
    names = ", ".join(f"``{m}``" for m in str(mods).split(",") if m)
    return f"{names or '?'}, {how},"


TERM_LINES = [4096, 80]


def pipes_method(data, sid):
    """How the pipes group placed and cut its runs (bench.c's pipes.c)."""
    out = ""
    if data.extra.get("pipes/pinned"):
        out += ", the writer pinned to CPU 0 and the reader to CPU 1 for both"
    return out + sliced(data, sid, "mechanism", "the amount over the time in all slices")


def sliced(data, sid, per, amount):
    """How a sliced group cut the repetitions of series sid (bench.c's
    measure_xfers_sliced), or nothing for a run without slices."""
    slices = int(data.extra.get(sid + "/slices", 1))
    if slices <= 1:
        return ""
    return f", each repetition {slices} slices per {per} with the two taking turns ({amount})"


def has_pipes(data):
    """Whether the run has the pipes group (``-g`` may leave it out; a run
    from before it existed has none): without it the report leaves its
    targets out."""
    return data.has("pipes/throughput/spipe/4096")


def live_levels(data):
    """The live-stream levels measured, from the series ids."""
    lv = sorted({int(k.split("/")[2]) for k in data.s if re.fullmatch(r"live/(strclone|ptmx)_pair/\d+", k)})
    return lv or [0]


# --------------------------------------------------------------------------
# Targets


class Target:
    """One target: what is compared, the ratio (or value) with its interval,
    and the goal. Met or missed is decided on the slower end of the
    interval, not on the median: the low end for a ">=" goal, the high end
    for a "<=" goal."""

    def __init__(self, tid, what, compared, strclone, native, ratio, goal, op, unit=""):
        self.tid = tid
        self.what = what
        self.compared = compared  # one sentence: the two things measured
        self.strclone = strclone
        self.native = native
        self.ratio = ratio  # (median, lo, hi) or None; for absolute targets the value
        self.goal = goal
        self.op = op  # ">=" or "<="
        self.unit = unit

    @property
    def slow_end(self):
        if self.ratio is None:
            return None
        return self.ratio[1] if self.op == ">=" else self.ratio[2]

    @property
    def status(self):
        v = self.slow_end
        if v is None:
            return "not measured"
        ok = v >= self.goal if self.op == ">=" else v <= self.goal
        return "met" if ok else "MISSED"

    def goal_text(self):
        if self.unit:
            return f"{self.op} {self.goal:g} {self.unit}"
        return f"{self.op} {self.goal:g}x"

    def _v(self, v):
        if self.unit:
            return fnum(v, self.unit)
        return f"{v:.2f}x" if abs(v) >= 0.1 else f"{v:.2g}x"

    def ratio_text(self):
        if self.ratio is None:
            return "n/a"
        if self.unit:
            return f"{fnum(self.ratio[0], self.unit)} [{fnum(self.ratio[1])}-{fnum(self.ratio[2])}]"
        return fratio(self.ratio)

    def slow_text(self):
        return "n/a" if self.slow_end is None else self._v(self.slow_end)

    def verdict(self):
        """The sentence that states the target's result."""
        if self.ratio is None:
            return f"Not measured in this run. Compared: {self.compared}"
        kind = "value" if self.unit else "ratio"
        end = "low" if self.op == ">=" else "high"
        text = (f"**{'Met' if self.status == 'met' else 'Missed'}.** Compared: {self.compared} "
                f"The {kind} is {self.ratio_text()} (median [range over runs]); the target is "
                f"{self.goal_text()}, judged on the slower ({end}) end: {self.slow_text()}.")
        med = self.ratio[0]
        if self.status != "met" and (med >= self.goal if self.op == ">=" else med <= self.goal):
            text += " The median meets the target; the slowest run does not."
        return text


def _series_range(data, sid):
    return (data.med(sid), data.lo(sid), data.hi(sid)) if data.has(sid) else None


def paired(data, tid, what, compared, a, b, unit, label, goal):
    """An "at least" target on series a against series b, paired by run;
    label names b in the table."""
    return Target(tid, what, compared, fspread(data, a, unit), f"{label} " + fspread(data, b, unit),
                  data.ratio(a, b), goal, ">=")


def targets(data):
    T = []
    lv = live_levels(data)
    oc = "open_close/"
    T.append(Target(
        "oc_ptmx", "open+close of a usable pair vs native /dev/ptmx",
        "pairs opened and closed per second by one thread: strclone (open ``/dev/clone-ptmx``, "
        "``UNLKPT``, ``PTMGETPEER``, close slave and master) against native (open ``/dev/ptmx``, "
        "``unlockpt``, ``TIOCGPTPEER``, close slave and master); ratio = strclone / native.",
        fspread(data, oc + "strclone_pair", "/s"), "ptmx " + fspread(data, oc + "ptmx_pair", "/s"),
        data.ratio(oc + "strclone_pair", oc + "ptmx_pair"), 3, ">="))
    T.append(Target(
        "oc_misc", "open+close of one node: clone-ptmx master vs /dev/hwrng (floor)",
        "open+close of one descriptor per second, one thread: a ``/dev/clone-ptmx`` master (no "
        "slave) against ``/dev/hwrng``, a misc device whose open does nothing (the floor of any "
        "character device open); ratio = strclone / hwrng.",
        fspread(data, oc + "strclone_master", "/s"), "hwrng " + fspread(data, oc + "hwrng", "/s"),
        data.ratio(oc + "strclone_master", oc + "hwrng"), 0.7, ">="))
    top = f"live/strclone_pair/{lv[-1]}"
    T.append(Target(
        "live_flat", f"pair open+close with {lv[-1]:,} live pairs vs none",
        f"the time of one strclone pair open+close (as above) while {lv[-1]:,} other pairs "
        f"({2 * lv[-1]:,} streams) are held open, against the same with none held; ratio = time at "
        f"{lv[-1]:,} / time at 0 (not paired: the range is from the extreme runs).",
        f"{fspread(data, top, 'us')} at {lv[-1]:,}", f"{fspread(data, 'live/strclone_pair/0', 'us')} at 0",
        data.ratio(top, "live/strclone_pair/0", paired=False), 1.2, "<="))
    for size in (4096, 65536):
        a = f"throughput/strclone/{size}"
        T.append(Target(
            f"tp_pty_{size}", f"throughput master->slave, {size_label(size)} writes, vs native pty",
            f"bytes per second from a writer thread on the master ({size_label(size)} writes) to a "
            "reader thread on the slave: strclone pair against a native pty pair with both ends "
            "raw; ratio = strclone / native.",
            fspread(data, a, "MB/s"), "pty " + fspread(data, f"throughput/pty/{size}", "MB/s"),
            data.ratio(a, f"throughput/pty/{size}"), 2, ">="))
    for size in (4096, 65536):
        a = f"throughput/strclone/{size}"
        T.append(Target(
            f"tp_pipe_{size}", f"throughput master->slave, {size_label(size)} writes, vs pipe",
            f"the same strclone transfer ({size_label(size)} writes) against a pipe; ratio = "
            "strclone / pipe.",
            fspread(data, a, "MB/s"), "pipe " + fspread(data, f"throughput/pipe/{size}", "MB/s"),
            data.ratio(a, f"throughput/pipe/{size}"), 0.5, ">="))
    if has_modules(data):
        a, b = "modules/echo/4096/n1", "modules/echo/4096/n0"
        T.append(paired(
            data, "mod_n1", "throughput through 1 pushed module vs none, 4 KiB writes",
            "bytes per second through an echo stream (a loopback: a writer thread on CPU 0 writes "
            "4 KiB chunks on the descriptor and a reader thread on CPU 1 reads them back from the "
            "same descriptor) with one ``nullmod`` pushed, against the same stream with none; ratio = 1 module / "
            "none, paired by run.",
            a, b, "MB/s", "no module", 0.9))
    if data.has("drivers/sloop/4096") or data.has("drivers/open_close/sloop"):
        a, b = "drivers/sloop/4096", "drivers/echo/4096"
        T.append(paired(
            data, "drv_tp", "C sample driver vs built-in echo, 4 KiB loopback throughput",
            "bytes per second through a stream of ``sloop`` (``samples/kmod/sloop.c``, a loopback "
            "driver in C registered by another kernel module, its procedures called through the "
            "DDI's C ABI) against a stream of the built-in echo, which does the same in Rust "
            "inside strclone (writer thread on CPU 0, reader on CPU 1, one descriptor, 4 KiB "
            "writes)" + sliced(data, a, "driver", "bytes over time in all slices") + "; ratio = sloop / echo, paired by repetition.",
            a, b, "MB/s", "echo", 0.9))
        a, b = "drivers/open_close/sloop", "drivers/open_close/echo"
        T.append(paired(
            data, "drv_oc", "C sample driver vs built-in echo, open+close",
            "streams opened and closed per second by one thread through ``/dev/clone-sloop`` "
            "against ``/dev/clone-echo``, the two taking turns in chunks of 128 open+close "
            "(under TCG the guest's speed drifts by 10-15% over seconds, so back-to-back runs "
            "of a second each compared two different machines); ratio = sloop / echo, paired "
            "by repetition.",
            a, b, "/s", "echo", 0.9))
    if data.has("mux/router/1"):
        a, b = "mux/router/64", "mux/router/1"
        T.append(paired(
            data, "mux_flat", "multiplexor message rate, 64 lowers vs 1",
            "messages per second through one upper stream of ``router`` (``samples/kmod/router.c``, "
            "a multiplexing driver in C) to echo streams linked under it and back: a writer thread "
            "on CPU 0 sends 64-byte messages round-robin over the lowers (``putmsg``, the router "
            "header naming each one's lower) and a reader thread on CPU 1 gets them back on the "
            "upper (``getmsg``), with 64 lowers linked against 1; ratio = 64 / 1, paired by run.",
            a, b, "/s", "1 lower", 0.9))
    if data.has("log/strclone/1"):
        T.append(Target(
            "log_rate", "log fan-out, one reader, vs /dev/kmsg",
            "messages per second delivered to one reader while a writer thread logs 64-byte "
            "messages as fast as it can: a strclone console-log reader (``I_CONSLOG``, "
            "``getmsg``) against a ``/dev/kmsg`` reader; ratio = strclone / kmsg.",
            fspread(data, "log/strclone/1", "/s"), "kmsg " + fspread(data, "log/kmsg/1", "/s"),
            data.ratio("log/strclone/1", "log/kmsg/1"), 1.0, ">="))
        pace = data.extra.get("log/paced_rate")
        T.append(Target(
            "log_paced", "messages lost by one log reader that keeps up",
            "the share of messages a strclone console-log reader did not get while the writer "
            f"logged at {fnum(pace) if pace else '?'} messages per second, half the slower "
            "side's one-reader delivery rate above (``/dev/kmsg``'s loss at the same rate is "
            "given for comparison); every run counts.",
            fspread(data, "log/strclone/paced/1/lost_pct", "%"),
            "kmsg " + fspread(data, "log/kmsg/paced/1/lost_pct", "%"),
            _series_range(data, "log/strclone/paced/1/lost_pct"), 0, "<=", "%"))
    if has_terminal(data):
        e = "terminal/echo/"
        T.append(Target(
            "term_echo", "terminal echo round trip vs native pty (time, lower is better)",
            "the time to type one byte on a terminal and see its echo: one thread writes a byte on "
            "the master and reads the echo back from it, canonical mode with ``ECHO`` (lines of 63 "
            "letters and a newline, which the thread then reads from the slave): a strclone pair "
            f"whose slave has {term_modules(data)} against a native pty (``n_tty``), the same "
            "termios on both slaves; ratio = strclone time / native time.",
            fspread(data, e + "strclone", "us"), "pty " + fspread(data, e + "pty", "us"),
            data.ratio(e + "strclone", e + "pty"), 1.0, "<="))
        c = "terminal/canon/"
        T.append(Target(
            "term_canon", "terminal canonical input, 4 KiB lines, vs native pty",
            "bytes per second of canonical input without echo: a writer thread writes lines of "
            "4095 characters and a newline on the master (one line per 4 KiB write) and a reader "
            "thread reads them on the slave, one line per ``read(2)``, each checked: strclone "
            f"(the slave has {term_modules(data).rstrip(',')}) against a native pty (``n_tty``); ratio = "
            "strclone / native.",
            fspread(data, c + "strclone/4096", "MB/s"), "pty " + fspread(data, c + "pty/4096", "MB/s"),
            data.ratio(c + "strclone/4096", c + "pty/4096"), 1.0, ">="))
    if has_pipes(data):
        for size in (64, 4096, 65536):
            a, b = f"pipes/throughput/spipe/{size}", f"pipes/throughput/pipe/{size}"
            T.append(Target(
                f"spipe_{size}", f"STREAMS pipe throughput, {size_label(size)} writes, vs pipe(2)",
                f"bytes per second from a writer thread on end 0 of a STREAMS pipe (``s_pipe``; "
                f"{size_label(size)} writes, one message each) to a reader thread on end 1, against a "
                f"Linux ``pipe(2)`` with the same threads{pipes_method(data, a)}; ratio = STREAMS "
                "pipe / pipe, paired by repetition.",
                fspread(data, a, "MB/s"), "pipe " + fspread(data, b, "MB/s"),
                data.ratio(a, b), 1.0, ">="))
        a, b = "pipes/msgrate/spipe", "pipes/msgrate/seqpacket"
        T.append(Target(
            "spipe_msg", "putmsg/getmsg over a STREAMS pipe vs AF_UNIX SOCK_SEQPACKET",
            "messages per second with a 16-byte control part and 64 bytes of data, a writer thread "
            "(``putmsg``) and a reader thread (``getmsg``) on the two ends of a STREAMS pipe, "
            "against ``sendmsg``/``recvmsg`` of one 80-byte record on an ``AF_UNIX`` "
            f"``SOCK_SEQPACKET`` socketpair{pipes_method(data, a)}; ratio = STREAMS pipe / "
            "socketpair, paired by repetition.",
            fspread(data, a, "/s"), "seqpacket " + fspread(data, b, "/s"),
            data.ratio(a, b), 1.0, ">="))
    T.append(Target(
        "rtt", "1-byte round trip vs native pty (time, lower is better)",
        "the time of a 1-byte ping-pong master -> slave -> master between two threads: strclone "
        "pair against a raw native pty pair; ratio = strclone time / native time.",
        fspread(data, "latency/strclone", "us"), "pty " + fspread(data, "latency/pty", "us"),
        data.ratio("latency/strclone", "latency/pty"), 1.0, "<="))
    ms, mp = "memory/strclone_pair/kernel", "memory/ptmx_pair/kernel"
    mr = data.ratio(ms, mp)
    T.append(Target(
        "mem", "kernel memory per open pair",
        "Slab + VmallocUsed + Percpu growth per pair while "
        f"{int(data.extra.get('memory/units', 0)):,} usable pairs are held open: strclone's "
        "value against the absolute target (the native pair's is given for comparison).",
        fspread(data, ms, "B"),
        "ptmx " + fspread(data, mp, "B") + (f" (strclone / native {fratio(mr)})" if mr else ""),
        _series_range(data, ms), 1024, "<=", "B"))
    sr = "scaling/strclone_pair/ratio"
    T.append(Target(
        "scale", "pair open+close, 2 threads vs 1 thread",
        "usable pairs opened and closed per second by two threads (2 vCPUs) against one thread, "
        "strclone; ratio = 2 threads / 1 thread, paired by run (the native pair's ratio is given "
        "for comparison).",
        f"{fspread(data, 'scaling/strclone_pair/2', '/s')} vs {fspread(data, 'scaling/strclone_pair/1', '/s')}",
        "ptmx " + (fspread(data, "scaling/ptmx_pair/ratio", "x") if data.has("scaling/ptmx_pair/ratio") else "n/a"),
        _series_range(data, sr), 1.6, ">="))
    return T


def infos(data):
    """Ratios reported for information, without a target: [(what, text)]."""
    out = []
    if has_terminal(data):
        c = "terminal/canon/"
        out.append(("terminal canonical input, 80-byte lines (51 per 4 KiB write), vs native pty",
                    fratio(data.ratio(c + "strclone/80", c + "pty/80"))))
    if not has_modules(data):
        return out
    e = "modules/echo/4096/"
    out.append(("throughput through 4 pushed modules vs none, 4 KiB writes",
                fratio(data.ratio(e + "n4", e + "n0"))))
    out.append(("throughput through an echo stream vs a pipe, 4 KiB writes (no module / 1 / 4 nullmods)",
                " / ".join(fratio(data.ratio(f"{e}n{k}", "modules/pipe/4096")) for k in MOD_COUNTS)))
    o = "modules/open_close/"
    out.append(("open+close of an echo stream with 1 / 4 nullmods pushed vs none",
                " / ".join(fratio(data.ratio(f"{o}n{k}", o + "n0")) for k in MOD_COUNTS[1:])))
    return out


# --------------------------------------------------------------------------
# Detailed tables


OC_NODES = [
    # (series name, label, native counterpart or None)
    ("strclone_pair", "strclone pair: /dev/clone-ptmx, UNLKPT, PTMGETPEER", "ptmx_pair"),
    ("ptmx_pair", "native pair: /dev/ptmx, unlockpt, TIOCGPTPEER", None),
    ("strclone_master", "strclone master alone (no slave)", "ptmx_master"),
    ("ptmx_master", "native /dev/ptmx alone (both ttys, no slave fd)", None),
    ("hwrng", "/dev/hwrng (misc device, the floor)", None),
    ("echo", "/dev/clone-echo (strclone stream, no pair)", None),
]


def detail_tables(data):
    """[(title, header, rows)]"""
    out = []
    rows = []
    for n, label, nat in OC_NODES:
        sid = f"open_close/{n}"
        r = data.ratio(sid, f"open_close/{nat}") if nat else None
        rows.append([label, fspread(data, sid), fnum(1e6 / data.med(sid)) + " us" if data.has(sid) else "n/a",
                     fratio(r) if nat else "..", fnum(data.med(sid + "/sleeps_per_op")),
                     fspread(data, sid + "/open_us"), fspread(data, sid + "/close_us")])
    out.append(("Open+close rate (one thread)",
                ["what one operation opens and closes", "per second median [min-max]", "per op",
                 "strclone / native", "sleeps per op", "open alone us", "close alone us"], rows))

    rows = []
    for n, label in (("strclone_pair", "strclone pair"), ("ptmx_pair", "native pair"),
                     ("strclone_master", "strclone master alone"), ("hwrng", "/dev/hwrng")):
        rows.append([label, fspread(data, f"scaling/{n}/1"), fspread(data, f"scaling/{n}/2"),
                     fspread(data, f"scaling/{n}/ratio", "x")])
    out.append(("Open+close scaling, 2 threads (2 vCPUs)",
                ["what", "1 thread /s", "2 threads /s", "2 / 1"], rows))

    rows = []
    lv = live_levels(data)
    for l in lv + ["0-again"]:
        a, b = f"live/strclone_pair/{l}", f"live/ptmx_pair/{l}"
        nat = fspread(data, b) if data.has(b) else ("skipped" if b in data.skipped else "n/a")
        rows.append([f"{l:,}" if isinstance(l, int) else "0 (again, at the end)", fspread(data, a), nat,
                     fratio(data.ratio(a, "live/strclone_pair/0", paired=False)) if data.has(a) else "n/a",
                     fspread(data, a + "/open_us"), fspread(data, a + "/close_us"),
                     fspread(data, b + "/open_us") if data.has(b + "/open_us") else "..",
                     fnum(data.extra.get(f"live/strclone_pair/{l}/fill_us_per_open")) if l else ".."])
    out.append(("Pair open+close cost (microseconds) while other pairs are held open",
                ["live pairs", "strclone pair open+close", "native pair open+close", "strclone vs 0",
                 "strclone pair open alone", "strclone pair close alone", "native pair open alone",
                 "strclone pair open while filling"],
                rows))

    rows = []
    for size in SIZES:
        s = f"throughput/strclone/{size}"
        rows.append([size_label(size), fspread(data, s), fspread(data, f"throughput/pty/{size}"),
                     fspread(data, f"throughput/pipe/{size}"),
                     fratio(data.ratio(s, f"throughput/pty/{size}")),
                     fratio(data.ratio(s, f"throughput/pipe/{size}"))])
    out.append(("Throughput master->slave (MB/s, 1 MB = 10^6 bytes)",
                ["write size", "strclone", "pty (raw)", "pipe", "vs pty", "vs pipe"], rows))
    rows = []
    for size in SIZES:
        for m in ("strclone", "pty", "pipe"):
            b = f"throughput/{m}/{size}"
            if not data.has(b + "/bytes_per_read"):
                continue
            rows.append([size_label(size), m, fnum(data.med(b + "/bytes_per_read")),
                         fnum(data.med(b + "/writer_sleeps_per_write")),
                         fnum(data.med(b + "/reader_sleeps_per_read")),
                         fnum(data.extra.get(b + "/bytes_per_run"))])
    if rows:
        out.append(("Throughput: how the data moved (medians)",
                    ["write size", "mechanism", "bytes per read(2)", "writer sleeps per write(2)",
                     "reader sleeps per read(2)", "bytes per run"], rows))

    if has_modules(data):
        out.extend(module_tables(data))

    if has_terminal(data):
        rows = [["1-byte echo round trip (us per typed byte)",
                 fspread(data, "terminal/echo/strclone"), fspread(data, "terminal/echo/pty"),
                 fratio(data.ratio("terminal/echo/strclone", "terminal/echo/pty"))]]
        for line in TERM_LINES:
            a, b = f"terminal/canon/strclone/{line}", f"terminal/canon/pty/{line}"
            rows.append([f"canonical input, {size_label(line) if line >= 1024 else f'{line} B'} lines (MB/s)",
                         fspread(data, a), fspread(data, b), fratio(data.ratio(a, b))])
        out.append((f"Terminal: strclone ({data.extra.get('terminal/strclone/modules', '?')} on the slave) "
                    "against n_tty",
                    ["measurement", "strclone", "native pty", "strclone / native"], rows))

    rows = []
    for m in ("strclone", "pty", "pipe"):
        rows.append([m, fspread(data, f"latency/{m}"),
                     fratio(data.ratio(f"latency/{m}", "latency/pty")),
                     fspread(data, f"latency/{m}/cpu0"),
                     fratio(data.ratio(f"latency/{m}/cpu0", "latency/pty/cpu0"))])
    out.append(("1-byte round trip (microseconds)",
                ["mechanism", "us per round trip", "vs pty", "both threads on CPU 0", "vs pty (CPU 0)"], rows))

    rows = []
    for m, label in (("strclone_pair", "strclone pair"), ("ptmx_pair", "native pair"),
                     ("strclone_master", "strclone master alone")):
        rows.append([label, fspread(data, f"memory/{m}/kernel"), fspread(data, f"memory/{m}/slab"),
                     fspread(data, f"memory/{m}/vmalloc"), fspread(data, f"memory/{m}/percpu"),
                     fspread(data, f"memory/{m}/memfree"),
                     fspread(data, f"memory/{m}/kernel_left_after_close")])
    out.append((f"Kernel memory per open pair (bytes, {int(data.extra.get('memory/units', 0)):,} held open)",
                ["what is held open", "Slab+Vmalloc+Percpu", "Slab", "Vmalloc", "Percpu", "MemFree drop",
                 "left after close"], rows))

    rows = []
    for n in (1, 2, 3, 10, 100):
        s = f"log/strclone/{n}"
        k = f"log/kmsg/{n}"
        sc = fspread(data, s) if data.has(s) else ("not applicable" if s in data.skipped else "n/a")
        rows.append([str(n), sc,
                     fspread(data, f"log/strclone/{n}/written") if data.has(s) else "..",
                     fspread(data, f"log/strclone/{n}/lost_pct", "%") if data.has(s) else "..",
                     fspread(data, k), fspread(data, f"log/kmsg/{n}/lost_pct", "%") if data.has(k) else ".."])
    if data.has("log/strclone/paced/1"):
        rows.append([f"1, paced at {fnum(data.extra.get('log/paced_rate', 0))}/s",
                     fspread(data, "log/strclone/paced/1"),
                     fspread(data, "log/strclone/paced/1/written"),
                     fspread(data, "log/strclone/paced/1/lost_pct", "%"),
                     fspread(data, "log/kmsg/paced/1"),
                     fspread(data, "log/kmsg/paced/1/lost_pct", "%")
                     if data.has("log/kmsg/paced/1") else ".."])
    out.append(("Log fan-out (messages per second delivered to all readers)",
                ["readers", "strclone delivered/s", "strclone written/s", "strclone lost",
                 "/dev/kmsg delivered/s", "kmsg lost"], rows))
    return out


def module_tables(data):
    """The modules group's tables: [(title, header, rows)]."""
    out = []
    rows, how = [], []
    for size in MOD_SIZES:
        base = f"modules/echo/{size}/n0"
        pipe = f"modules/pipe/{size}"
        for k in MOD_COUNTS + [None]:
            sid = f"modules/echo/{size}/n{k}" if k is not None else pipe
            label = f"echo, {mod_label(k)}" if k is not None else "pipe (native reference)"
            rows.append([size_label(size), label, fspread(data, sid),
                         fratio(data.ratio(sid, base)) if k else "..",
                         fratio(data.ratio(sid, pipe)) if k is not None else ".."])
            if data.has(sid + "/bytes_per_read"):
                how.append([size_label(size), label, fnum(data.med(sid + "/bytes_per_read")),
                            fnum(data.med(sid + "/writer_sleeps_per_write")),
                            fnum(data.med(sid + "/reader_sleeps_per_read")),
                            fnum(data.extra.get(sid + "/bytes_per_run"))])
    out.append(("Throughput through pushed modules (echo loopback, MB/s)",
                ["write size", "stream", "MB/s median [min-max]", "vs no module", "vs pipe"], rows))
    if how:
        out.append(("Throughput through pushed modules: how the data moved (medians)",
                    ["write size", "stream", "bytes per read(2)", "writer sleeps per write(2)",
                     "reader sleeps per read(2)", "bytes per run"], how))
    rows = []
    o = "modules/open_close/"
    r0 = data.med(o + "n0")
    for k in MOD_COUNTS:
        sid = f"{o}n{k}"
        r = data.med(sid)
        per_mod = (1 / r - 1 / r0) * 1e6 / k if k and r and r0 else None
        rows.append([f"/dev/clone-echo, {mod_label(k)}" + (" pushed" if k else ""), fspread(data, sid),
                     fnum(1e6 / r) + " us" if r else "n/a",
                     fratio(data.ratio(sid, o + "n0")) if k else "..",
                     fnum(per_mod) + " us" if per_mod is not None else "..",
                     fnum(data.med(sid + "/sleeps_per_op")),
                     fspread(data, sid + "/open_us"), fspread(data, sid + "/close_us")])
    out.append(("Open+close of an echo stream with modules pushed (one thread)",
                ["what one operation opens (and pushes) and closes", "per second median [min-max]", "per op",
                 "vs no module", "added per module", "sleeps per op", "open+push alone us",
                 "close alone us"], rows))
    return out


# --------------------------------------------------------------------------
# Rust v0 symbol names, shortened for tables


def demangle(sym):
    if not sym.startswith("_R"):
        return sym
    s, i, idents = sym, 2, []
    base62 = re.compile(r"[0-9A-Za-z]*_")
    while i < len(s):
        c = s[i]
        if c.isdigit():
            j = i
            while j < len(s) and s[j].isdigit():
                j += 1
            n = int(s[i:j])
            if j < len(s) and s[j] == "_":
                j += 1
            ident = s[j:j + n]
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", ident or "-"):
                idents.append(ident)
            i = j + n
        elif s.startswith("Cs", i) or c in "Bs":
            m = base62.match(s, i + (2 if s.startswith("Cs", i) else 1))
            i = m.end() if m else i + 1
        elif c == "N":
            i += 2
        else:
            i += 1
    if not idents:
        return sym
    return "::".join(idents[-4:])


def profile_rows(p, n=10):
    rows = []
    for t in p["top"][:n]:
        name = demangle(t["sym"])
        if t.get("module"):
            name += f" [{t['module']}]"
        rows.append([f"{t['pct']:.1f}%", name])
    return rows


def caller_rows(p, n=6):
    """The time charged to the opaque functions (interrupts back on, lock
    contention, context switches), by the first two callers in the kernel
    call chain that are not primitives themselves (bench.c `OPAQUE`)."""
    rows = []
    for c in p.get("callers", [])[:n]:
        via = " <- ".join(demangle(v) for v in c["via"] if v != "?") or "?"
        rows.append([f"{c['pct']:.1f}%", demangle(c["sym"]), via])
    return rows


# --------------------------------------------------------------------------
# Plots


def plots(data, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(outdir, exist_ok=True)
    made = []
    colors = {"strclone": "tab:blue", "ptmx": "tab:orange", "pty": "tab:orange", "pipe": "tab:green",
              "hwrng": "tab:gray", "echo": "tab:purple", "kmsg": "tab:red"}

    def errbar(ax, xs, ids, label, color, marker="o"):
        pts = [(x, data.med(i), data.lo(i), data.hi(i)) for x, i in zip(xs, ids) if data.has(i)]
        if not pts:
            return
        x = [p[0] for p in pts]
        y = [p[1] for p in pts]
        yerr = [[p[1] - p[2] for p in pts], [p[3] - p[1] for p in pts]]
        ax.errorbar(x, y, yerr=yerr, label=label, color=color, marker=marker, capsize=4)

    # Open cost vs live streams: open+close (the target), and open alone.
    lv = live_levels(data)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    xs = list(range(len(lv)))
    errbar(ax2, xs, [f"live/strclone_pair/{l}/open_us" for l in lv], "strclone pair open", colors["strclone"])
    errbar(ax2, xs, [f"live/ptmx_pair/{l}/open_us" for l in lv], "native pair open", colors["ptmx"], "s")
    ax2.set_yscale("log")
    ax2.set_xticks(xs, [f"{l:,}" for l in lv])
    ax2.set_xlabel("other pairs held open")
    ax2.set_ylabel("microseconds per pair open, 64 in a row (TCG)")
    ax2.set_title("Open alone (median, min-max)")
    ax2.legend(fontsize=8)
    ax2.grid(alpha=0.3, which="both")
    errbar(ax, xs, [f"live/strclone_pair/{l}" for l in lv], "strclone pair", colors["strclone"])
    errbar(ax, xs, [f"live/ptmx_pair/{l}" for l in lv], "native pair", colors["ptmx"], "s")
    if data.has("live/strclone_pair/0"):
        ax.axhline(1.2 * data.med("live/strclone_pair/0"), color=colors["strclone"], ls="--", lw=1,
                   label="target: 1.2x strclone at 0")
    for l in lv:
        if f"live/ptmx_pair/{l}" in data.skipped:
            ax.annotate("native: not run\n(memory)", (lv.index(l), data.med("live/ptmx_pair/0") or 1),
                        ha="center", fontsize=8, color=colors["ptmx"])
    ax.set_xticks(xs, [f"{l:,}" for l in lv])
    ax.set_xlabel("other pairs held open")
    ax.set_ylabel("microseconds per pair open+close (TCG)")
    ax.set_yscale("log")
    ax.set_title("Pair open+close as live pairs grow (median, min-max)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "open_vs_live.png"), dpi=110)
    plt.close(fig)
    made.append("open_vs_live.png")

    # Throughput vs write size.
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for m, label in (("strclone", "strclone master->slave"), ("pty", "native pty (raw) master->slave"),
                     ("pipe", "pipe")):
        errbar(ax, SIZES, [f"throughput/{m}/{s}" for s in SIZES], label, colors[m])
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(SIZES, [size_label(s) for s in SIZES])
    ax.set_xlabel("write size")
    ax.set_ylabel("MB/s (TCG)")
    ax.set_title("Throughput vs write size (median, min-max)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "throughput.png"), dpi=110)
    plt.close(fig)
    made.append("throughput.png")

    def bars(fname, title, ylabel, items, target=None, target_label=None, log=False):
        items = [(l, i, c) for l, i, c in items if data.has(i)]
        if not items:
            return
        fig, ax = plt.subplots(figsize=(7, 4))
        xs = range(len(items))
        med = [data.med(i) for _, i, _ in items]
        err = [[data.med(i) - data.lo(i) for _, i, _ in items], [data.hi(i) - data.med(i) for _, i, _ in items]]
        ax.bar(xs, med, yerr=err, capsize=5, color=[c for _, _, c in items])
        ax.set_xticks(list(xs), [l for l, _, _ in items], fontsize=8)
        if log:
            ax.set_yscale("log")
        if target is not None:
            ax.axhline(target, color="k", ls="--", lw=1, label=target_label)
            ax.legend(fontsize=8)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(alpha=0.3, axis="y")
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, fname), dpi=110)
        plt.close(fig)
        made.append(fname)

    bars("latency.png", "1-byte round trip (median, min-max)", "microseconds per round trip (TCG)",
         [("strclone", "latency/strclone", colors["strclone"]), ("native pty", "latency/pty", colors["pty"]),
          ("pipe", "latency/pipe", colors["pipe"])])
    bars("open_close.png", "Open+close rate, one thread (median, min-max)", "operations per second (TCG)",
         [("strclone\npair", "open_close/strclone_pair", colors["strclone"]),
          ("native\npair", "open_close/ptmx_pair", colors["ptmx"]),
          ("strclone\nmaster alone", "open_close/strclone_master", colors["strclone"]),
          ("native\n/dev/ptmx alone", "open_close/ptmx_master", colors["ptmx"]),
          ("/dev/hwrng", "open_close/hwrng", colors["hwrng"]),
          ("/dev/clone-echo", "open_close/echo", colors["echo"])], log=True)
    bars("memory.png", "Kernel memory per open pair, Slab+Vmalloc+Percpu (median, min-max)", "bytes",
         [("strclone pair", "memory/strclone_pair/kernel", colors["strclone"]),
          ("native pair", "memory/ptmx_pair/kernel", colors["ptmx"]),
          ("strclone\nmaster alone", "memory/strclone_master/kernel", colors["strclone"])],
         target=1024, target_label="target: 1 KiB per pair")
    bars("scaling.png", "Open+close, 2 threads / 1 thread (median, min-max)", "speed-up",
         [("strclone pair", "scaling/strclone_pair/ratio", colors["strclone"]),
          ("native pair", "scaling/ptmx_pair/ratio", colors["ptmx"]),
          ("strclone\nmaster alone", "scaling/strclone_master/ratio", colors["strclone"]),
          ("/dev/hwrng", "scaling/hwrng/ratio", colors["hwrng"])],
         target=1.6, target_label="target: 1.6x")

    if has_modules(data):
        mod_plot(data, plt, outdir, made)

    fig, ax = plt.subplots(figsize=(7, 4.2))
    errbar(ax, [1, 2, 3], [f"log/strclone/{n}" for n in (1, 2, 3)], "strclone log (one reader per class)",
           colors["strclone"])
    errbar(ax, [1, 2, 3, 10, 100], [f"log/kmsg/{n}" for n in (1, 2, 3, 10, 100)], "/dev/kmsg (reference)",
           colors["kmsg"], "s")
    ax.set_xscale("log")
    ax.set_xticks([1, 2, 3, 10, 100], ["1", "2", "3", "10", "100"])
    ax.set_xlabel("readers")
    ax.set_ylabel("messages delivered per second (TCG)")
    ax.set_title("Log fan-out (median, min-max)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "log_fanout.png"), dpi=110)
    plt.close(fig)
    made.append("log_fanout.png")
    return made


def mod_plot(data, plt, outdir, made):
    """modules.png: throughput (4 KiB and 64 B writes) and open+close with 0, 1, 4 nullmods."""
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = ["tab:blue", "tab:cyan", "tab:purple", "tab:green"]
    labels = [mod_label(k) for k in MOD_COUNTS] + ["pipe"]
    width = 0.2
    for j, sid_of in enumerate([lambda s, k=k: f"modules/echo/{s}/n{k}" for k in MOD_COUNTS]
                               + [lambda s: f"modules/pipe/{s}"]):
        xs, med, err = [], [], [[], []]
        for i, size in enumerate(MOD_SIZES):
            sid = sid_of(size)
            if not data.has(sid):
                continue
            xs.append(i + (j - 1.5) * width)
            med.append(data.med(sid))
            err[0].append(data.med(sid) - data.lo(sid))
            err[1].append(data.hi(sid) - data.med(sid))
        if xs:
            ax.bar(xs, med, width, yerr=err, capsize=3, color=colors[j], label=labels[j])
    n0 = "modules/echo/4096/n0"
    if data.has(n0):
        i = MOD_SIZES.index(4096)
        ax.hlines(0.9 * data.med(n0), i - 2 * width, i + 2 * width, colors="k", linestyles="--", lw=1,
                  label="target: 1 module >= 0.9x none")
    ax.set_xticks(range(len(MOD_SIZES)), [f"{size_label(s)} writes" for s in MOD_SIZES])
    ax.set_yscale("log")
    ax.set_ylabel("MB/s (TCG)")
    ax.set_title("Echo loopback throughput (median, min-max)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y", which="both")
    items = [(mod_label(k), f"modules/open_close/n{k}", colors[j]) for j, k in enumerate(MOD_COUNTS)
             if data.has(f"modules/open_close/n{k}")]
    if items:
        xs = range(len(items))
        med = [data.med(i) for _, i, _ in items]
        err = [[data.med(i) - data.lo(i) for _, i, _ in items], [data.hi(i) - data.med(i) for _, i, _ in items]]
        ax2.bar(xs, med, yerr=err, capsize=5, color=[c for _, _, c in items])
        ax2.set_xticks(list(xs), [l for l, _, _ in items])
    ax2.set_ylabel("open (+ pushes) + close per second (TCG)")
    ax2.set_title("Open+close of an echo stream (median, min-max)")
    ax2.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "modules.png"), dpi=110)
    plt.close(fig)
    made.append("modules.png")


# --------------------------------------------------------------------------
# performance.rst

def method(data):
    """The 'How it is measured' section; the run's own settings come from its JSON."""
    m = data.meta
    reps = m.get("reps", "?")
    run_s = m.get("run_seconds", "?")
    units = int(data.extra.get("memory/units", 0))
    slices = int(data.extra.get("mux/slices", 1))
    prefill = int(data.extra.get("memory/prefill", 0))
    lv = live_levels(data)
    levels = ", ".join(f"{l:,}" for l in lv)
    mod_text = "" if not has_modules(data) else rf"""pushed modules
   An echo stream (``/dev/clone-echo``, a loopback: what is written on the
   descriptor comes back to be read on it) with 0, 1 and 4 ``nullmod``\ s
   pushed (``I_PUSH``), a writer thread writing it in chunks of 64 B or
   4 KiB and a reader thread reading the same descriptor with a 64 KiB
   buffer; and, as the native reference with the same threads and sizes, a
   pipe. The writer is pinned to CPU 0 and the reader to CPU 1 (unpinned,
   whether the scheduler puts them on one CPU or two moves a run by up to
   1.7x, which swamps a module's cost). Calibrated and timed as the
   throughput above; inside each repetition the four run one after the
   other, so ratios are paired by run. Then one thread opens an echo stream, pushes 0, 1 or 4
   ``nullmod``\ s and closes it (the close pops them) for {run_s} s in a
   loop; *open+push alone* and *close alone* time 64 in a row as above.
"""
    term_text = "" if not has_terminal(data) else rf"""terminal
   A pair made a terminal: strclone's slave with ``ldterm`` (the benchmark
   asks ``I_FIND "ldterm"`` and pushes it only if it is absent, so with the
   autopush default the slave has whatever autopush put there; in this run
   {term_modules(data).rstrip(',')}), a native pty's slave with ``n_tty``; both slaves
   get the same termios (Linux's defaults: ``ICRNL IXON``, ``OPOST ONLCR``,
   ``ISIG ICANON IEXTEN ECHOE ECHOK ECHOCTL ECHOKE``, the default control
   characters), the masters stay raw. *Echo round trip*: with ``ECHO``, one
   thread types for {run_s} s: it writes one byte on the master and reads its
   echo from the master (``\r\n`` for the newline), 63 letters and a newline
   per line, and after each newline reads the line from the slave; every
   echo and line is checked; microseconds per typed byte (a line's read is
   shared by its 64 bytes). *Canonical input*: without ``ECHO`` (so the
   master's side has nothing to read), a writer thread writes lines on the
   master in 4 KiB writes of whole lines and a reader thread reads the slave
   with a buffer twice the line, which must return exactly one line per
   ``read(2)``; calibrated and timed as the throughput above. The 4 KiB
   lines (4095 characters and the newline, the longest line either line
   discipline keeps whole) have the target; 80-byte lines (51 per write) are
   shown for information.
"""
    mux_text = "" if not data.has("mux/router/1") else rf"""multiplexor
   One upper stream of the sample multiplexing driver ``router``
   (``samples/kmod/router.c``, which the guest plan loads) with 1, 8 and 64
   echo streams linked under it (``I_LINK``). A writer thread on CPU 0
   sends 64-byte messages with ``putmsg``, round-robin over the lowers: the
   control part is the router's header, the mux id of the lower the message
   goes down; each comes back up its echo stream and the router sends it up
   the upper stream tagged with that mux id, where a reader thread on CPU 1
   gets it with ``getmsg`` and checks the tag and length. Each repetition
   opens the three configurations (a fresh upper and fresh lowers) and gives
   each {slices} slices of {run_s} s / {slices}, with fresh threads, taking
   turns (the order rotating from slice to slice): under TCG a run of this
   two-thread ping-pong settles into a fast or a slow rate for as long as
   its threads live, which one 1 s run per configuration turned into a
   ratio of 0.8 or 1.25 by luck. A configuration's rate is the messages read
   over its time in all its slices, each slice's count starting after a
   tenth of the slice to settle. A slice ends with the writer stopped and
   the reader taking every message still in flight, so a message the router
   lost fails the run instead of hiding in a stopped thread. The router
   finds a link by its mux id in an ``xarray``, so the target is a rate with
   64 lowers no lower than 0.9 of the rate with one.
"""
    return rf"""
How it is measured
==================

``make bench`` (``tools/pipeline.sh bench``) builds the **perf kernel**
(``kconfig/base.config`` + the selftests' ``config`` + ``kconfig/perf.config``:
no lockdep, kmemleak, fault injection, KUnit or Rust debug assertions;
``CONFIG_UNIX98_PTYS`` for the native pty and ``CONFIG_HW_RANDOM`` for
``/dev/hwrng``), builds ``strclone.ko`` against it, and boots it once under
QEMU (TCG, ``-smp 2``, 2 GiB). The guest plan ``tools/vm/plan-bench.sh`` loads
the module with ``pt_cnt=65536 pts_autopush=0`` (bare pts slaves: the pty
rows measure the pair, with nothing autopushed), raises ``/proc/sys/kernel/pty/max`` to
131072 and runs ``tools/bench/bench`` (static C, ``tools/bench/bench.c``),
which prints one JSON object; the host adds what was measured (the module's
commit, the perf kernel's ``.config`` hash, the date) under ``build``, keeps it
as ``results/bench-<time>.json``, and ``tools/bench/report.sh`` turns it into
this page, the plots, ``results/bench-<time>.txt`` and the performance
paragraph of ``README.md``.

**Guest settings that matter.** The guest must see two CPUs, which the
kernels built from ``tinyconfig`` only do with ``CONFIG_ACPI=y`` (set in
``kconfig/base.config``), and ``make bench`` boots it with ``idle=poll``
(``BENCH_APPEND`` adds more kernel parameters): under TCG a halted vCPU
wakes up late, up to a scheduler tick after the interrupt that should wake
it, so with the default ``hlt`` idle every wake-up that crosses CPUs costs
a random delay that swamps what is measured. With ``idle=poll`` idle vCPUs
poll and wake-ups are immediate, as on hardware. The kernel command line of
the run is given under `Results`_.

**Only ratios mean something.** TCG emulates the CPU many times slower than
hardware and does not model caches, so absolute times are meaningless; but
every mechanism is measured in the same boot, interleaved, so the ratio
between two code paths is comparable. TCG's cost model is not a CPU's:
code that is heavy in instructions (allocation, copying, formatting) costs
relatively more than on hardware, cache misses relatively less. The ratios
show which way and roughly how far strclone is from native, not the exact
factor on a real machine.

**The code's layout is part of every ratio.** Under TCG where a function
lies in the module moves what it costs (how the emulator splits the code
into translation blocks and finds them again after a call or a return).
Measured in one boot (six rounds of ``bench -g pipes -r 3``, two builds of
the same source alternating, one with 2 KiB of padding linked ahead of the
Rust code; issue 15, session 15): the 64-byte STREAMS pipe row's per-round
median ratios went from 0.51-0.98 (median 0.56) without the padding to
0.61-1.01 (median 0.70) with it, and the 4 KiB row's from 1.07-1.65 (1.45)
to 1.01-1.38 (1.13), while the message rate stayed level. So a change of a
ratio by a fifth to a quarter between two builds, even of one whose hot path
did not change, can be layout alone; an A/B of two builds needs more rounds
than that, or several layouts, before it says the code moved a row.

**Numbers and targets.** Every number is a series of {reps} runs and is
reported as **median [min-max]**. Time-boxed runs last {run_s} s of wall time
and count operations; inside each repetition every mechanism runs once, one
after the other, so a drift of the emulator hits all of them alike. A
**ratio** is the ratio of the medians; its range is the range of the
per-repetition ratios (or, where runs are not paired, the ratio of the
extreme runs). A target is **met only if the slower end of that range meets
it**: the low end for "at least" targets, the high end for "at most" ones.

**Like for like.** A pty is used as a pair, so strclone and native ptys are
compared as *usable pairs*: strclone opens ``/dev/clone-ptmx``, clears the
lock with ``UNLKPT`` and gets the slave with ``PTMGETPEER``; native opens
``/dev/ptmx`` (devpts mounted), clears the lock with ``TIOCSPTLCK`` 0
(``unlockpt``) and gets the slave with ``TIOCGPTPEER``; a pair is closed
slave first, then master, on both sides. A ``/dev/clone-ptmx`` open alone
makes only the master stream, while a ``/dev/ptmx`` open alone already makes
both ``tty_struct``\ s, the devpts node and both line disciplines: the
master-alone figures are shown for reference, labelled so, and are not
compared with each other in any target.

The benchmark raises ``RLIMIT_NOFILE`` to 131072 and grows its descriptor
table once before measuring anything, so no measurement pays for that.

open+close rate
   One thread opens and closes for {run_s} s in a loop: a strclone pair and a
   native pair as above; a strclone master alone (``PTMOPEN|PTLOCK``, no
   slave) and a native ``/dev/ptmx`` alone; ``/dev/hwrng`` ``O_RDONLY`` (a
   misc device whose open does nothing: the floor of the path walk, the
   ``struct file`` and a character device's open, which strclone's nodes,
   character devices of their own region, cannot go below; compared with
   the strclone master, one descriptor each); and ``/dev/clone-echo`` (a
   strclone stream without ptm's pair, minor or log call; for the
   analysis). *Sleeps per op* is the thread's voluntary context switches
   (``getrusage(RUSAGE_THREAD)``) per operation: an open, ioctl or close
   that blocks inside the kernel shows up there. *Open alone* and *close
   alone* time 64 opens in a row, then the 64 closes, once per repetition.
pair open cost as live pairs grow
   The strclone pair loop while {levels} other strclone pairs are held open
   (twice as many streams; the loop's pair gets the minor after them), then
   at 0 again to show the drift; native pairs the same way as far as the
   VM's memory allows (the benchmark estimates the memory from the memory
   measurement and skips a level that would need more than half of what is
   available, saying so).
throughput
   A pair (native: both ends ``cfmakeraw``; pipe: ``pipe2``), a writer thread
   writing the master in chunks of 1 B, 64 B, 4 KiB or 64 KiB and a reader
   thread reading the slave with a 64 KiB buffer. A short calibration run
   fixes, per mechanism and size, the byte count that takes about {run_s} s;
   each measured run then moves exactly that many bytes, timed from the first
   write to the last byte read. MB/s is 10^6 bytes per second.
{mod_text}{mux_text}{term_text}round trip
   Two threads ping-pong one byte master -> slave -> master (pipe: a pair of
   pipes) for {run_s} s, after 50 warm-up round trips; microseconds per round
   trip. The target uses the threads as the scheduler places them; the same
   is then measured with both threads bound to CPU 0, where no wake-up has to
   cross vCPUs.
memory per open pair
   ``/proc/meminfo`` before opening {units:,} usable pairs (and, for
   reference, {units:,} strclone masters alone), with them open, and after
   closing them; everything divided by the count. {prefill:,} units of the
   same kind are opened first and held, uncounted, so the counted ones do not
   just reuse free objects the slab caches kept from the earlier
   measurements. Every reading follows a write to
   ``/proc/sys/vm/stat_refresh`` (so the per-CPU counters are folded); the
   readings before opening and after closing also wait until deferred frees
   are done (Slab+VmallocUsed+Percpu steady within 64 KiB for a second: a
   native tty is released from a work item, dentries, inodes and
   ``kfree_rcu()`` objects after a grace period), so the previous
   measurement's frees do not land in this one. The order of the three
   kinds rotates from round to round.
   The target metric is **Slab + VmallocUsed + Percpu** per pair, the same
   sum on both sides: it holds both streams, the pair and both files for
   strclone, and both ``tty_struct``\ s, the devpts inode and dentry, both
   files and both ``n_tty`` line disciplines (whose buffers are vmalloc
   memory, which Slab does not see) for native. The drop of MemFree is shown
   too. One warm-up round is not recorded.
scaling
   The pair open+close loop (and, for reference, the strclone master alone
   and ``/dev/hwrng``) in 1 and then 2 threads (2 vCPUs; the order alternates
   between repetitions); the ratio of total operations per second.
log fan-out
   A writer ``putmsg``\ s a ``struct log_ctl`` (``SL_CONSOLE|SL_ERROR|SL_TRACE``)
   and 64 bytes of text on its own ``/dev/strlog`` stream for {run_s} s; 1, 2
   or 3 readers, each on its own ``/dev/strlog`` stream registered as the
   console, error and trace (``trace_ids {{-1, -1, 127}}``) reader,
   ``getmsg`` in their threads. A last message tells them to stop. Delivered
   messages per second = messages received by all readers / time until the
   last reader is done; the writer never blocks (readers that fall behind
   lose their oldest messages), so written/s and the lost share are shown as
   well. 10 and 100 readers are not possible by design: a class has one
   reader, as in SVR4 ``log(7D)`` (the benchmark checks that a second console
   reader gets ``EBUSY``). ``/dev/kmsg`` with 1, 2, 3, 10 and 100 readers is
   shown as a reference for what Linux's own log does (rate limit off,
   records kept off the console); it has no target.
kernel profiles
   After the measurements, the main workloads run once more for 2 x {run_s} s
   each under a sampling profiler built into the benchmark:
   ``perf_event_open`` cpu-clock at 2 kHz on every CPU (so the workqueue
   workers count too), symbolised with ``/proc/kallsyms``. Shares are of all
   samples on all CPUs, idle included. The perf kernel has no
   high-resolution timers and TCG no PMU, so the sampling timer is the
   scheduler tick and it fires only where interrupts are enabled: time spent
   with interrupts off is charged to the function that turns them back on
   (``_raw_spin_unlock_irqrestore``, ``finish_task_switch`` after a context
   switch). For those three the profile also keeps the kernel call chain
   of each sample and says which callers the time came through (the first
   two frames that are not locking or scheduling primitives themselves).
   The profiles say where time goes at function granularity, not more.
"""


def build_lines(data):
    """What was measured: the module's commit, the perf kernel's config, the date."""
    b = data.d.get("build", {})
    if not b:
        return ["The JSON does not say which module commit or kernel config it measured."]
    out = [f"Module source ``{b.get('module_commit', '?')}``"
           + (" (**uncommitted changes**)" if str(b.get("module_commit", "")).endswith("-dirty") else "")
           + f", ``strclone.ko`` sha256 ``{b.get('module_sha256', '?')[:16]}``; perf kernel "
           f"``{b.get('kernel_build', '?')}`` with ``.config`` sha256 ``{b.get('kernel_config_sha256', '?')}``; "
           f"run started {b.get('date', '?')}."]
    host = host_text(data)
    if host:
        out += ["", host]
    return out


def host_text(data):
    """How the shared host was kept out of the run (make bench's hostwatch.py)."""
    b = data.d.get("build", {})
    if "watch_pauses" not in b:
        return ""
    try:
        pauses = int(b["watch_pauses"])
        paused = float(b.get("watch_paused_s", 0))
        contended = float(b.get("watch_contended_running_s", 0))
        running = float(b.get("watch_running_s", 0))
        waited = float(b.get("waited_for_host_s", 0))
    except ValueError:
        return ""
    text = (f"Host: {b.get('host_cpus', '?')} CPUs, shared. make bench waited {waited:.0f} s for other "
            f"QEMU guests before booting; while the guest ran it was stopped {pauses} time(s), "
            f"{paused:.0f} s in all, while other work competed for the cores (its clocks stop with "
            f"it). Of {running:.0f} s running, {contended:.1f} s saw other work (the moments before "
            "a stop).")
    if b.get("watch_gave_up") == "True" or (running and contended / running > 0.02):
        text += (" **Other work competed with this run beyond that**: ranges are wider than on an "
                 "idle host and ratios may have moved; rerun on a quieter host before drawing "
                 "conclusions.")
    return text


def contended(data):
    b = data.d.get("build", {})
    try:
        return b.get("watch_gave_up") == "True" or (
            float(b.get("watch_contended_running_s", 0)) > 0.02 * float(b.get("watch_running_s", 1)))
    except ValueError:
        return False


def write_rst(data, T, tables, pngs, path, json_rel):
    m = data.meta
    L = []
    L.append(".. SPDX-License-Identifier: GPL-2.0")
    L.append("")
    L.append("=======================")
    L.append("strclone performance")
    L.append("=======================")
    L.append("")
    L.append("strclone against the native Linux mechanisms, measured in one boot of the")
    L.append("perf kernel. This page is generated by ``tools/bench/report.py`` from")
    L.append(f"``{json_rel}`` (the analysis text lives in ``tools/bench/analysis.py``); run")
    L.append("``make bench`` to regenerate it.")
    L.append(method(data))
    L.append("Results")
    L.append("=======")
    L.append("")
    L.append(f"Kernel {m.get('kernel', '?')}, {m.get('cpus', '?')} vCPUs (QEMU TCG), clocksource "
             f"{m.get('clocksource', '?')}, {m.get('reps', '?')} runs of {m.get('run_seconds', '?')} s per "
             f"number, ``pt_cnt`` {m.get('pt_cnt', '?')}; the benchmark took {m.get('duration_s', 0):.0f} s "
             "of guest time.")
    L.append("")
    L.extend(build_lines(data))
    if m.get("cmdline"):
        L.append("")
        L.append(f"Guest kernel command line: ``{m['cmdline']}``.")
    note = os.environ.get("BENCH_NOTE", "").strip()
    if note:
        L.append("")
        L.append(note)
    # Notes kept with the run (a JSON "notes" list), e.g. rows measured in a
    # separate boot and merged into it.
    for n in data.d.get("notes", []):
        L.append("")
        L.append(f"**Note:** {n}")
    if not data.d.get("ok", False):
        L.append("")
        L.append("**The run reported errors:** " + "; ".join(data.d.get("errors", [])))
    L.append("")
    L.append("Targets (ratio = strclone / native, ratio of medians [range over runs]; met or missed on "
             "the slower end of the range):")
    L.append("")
    rows = [[t.what, t.strclone, t.native, t.ratio_text(), t.goal_text(), t.slow_text(), t.status] for t in T]
    L.append(rst_table(["measurement", "strclone", "native", "ratio", "target", "slower end", "result"], rows))
    L.append("")
    met = sum(t.status == "met" for t in T)
    L.append(f"{met} of {len(T)} targets met; what each compares and why it is met or missed is in "
             "`Analysis`_.")
    L.append("")
    info = infos(data)
    if info:
        L.append("For information, without a target (ratio of medians [range over runs]):")
        L.append("")
        for what, text in info:
            L.append(f"- {what}: {text}")
        L.append("")
    for title, header, rows in tables:
        L.append(title)
        L.append("-" * len(title))
        L.append("")
        L.append(rst_table(header, rows))
        L.append("")
        if title.startswith("Log fan-out"):
            for n in (10, 100):
                r = data.skipped.get(f"log/strclone/{n}")
                if r:
                    L.append(f"strclone with {n} readers: not applicable. {r}.")
                    L.append("")
            second = data.extra.get("log/strclone/second_console_reader")
            if second:
                L.append(f"Checked in the same run: a second stream registering as the console reader got "
                         f"``{second}``.")
                L.append("")
        if title.startswith("Pair open+close cost") and data.skipped:
            for k, r in data.skipped.items():
                if k.startswith("live/"):
                    L.append(f"``{k}`` not run: {r}.")
                    L.append("")
    L.append("Plots")
    L.append("=====")
    L.append("")
    captions = {
        "open_vs_live.png": "Pair open+close cost as live pairs grow.",
        "throughput.png": "Throughput master->slave vs write size (log-log).",
        "latency.png": "1-byte round trip.",
        "open_close.png": "Open+close rate, one thread (log scale).",
        "memory.png": "Kernel memory per open pair.",
        "scaling.png": "Open+close speed-up with 2 threads.",
        "log_fanout.png": "Log fan-out.",
        "modules.png": "Throughput and open+close with nullmods pushed.",
    }
    for p in pngs:
        L.append(f".. figure:: perf/{p}")
        L.append(f"   :alt: {captions.get(p, p)}")
        L.append("")
        L.append(f"   {captions.get(p, p)}")
        L.append("")
    L.append("Analysis")
    L.append("========")
    L.append("")
    from analysis import explain, findings  # tools/bench/analysis.py
    for t in T:
        title = f"{t.what}: {t.status}"
        L.append(title)
        L.append("-" * len(title))
        L.append("")
        L.append(t.verdict())
        L.append("")
        L.append(explain(t.tid, t, data).strip())
        L.append("")
    L.append("Findings")
    L.append("--------")
    L.append("")
    L.append(findings(data).strip())
    L.append("")
    L.append("Kernel profiles")
    L.append("---------------")
    L.append("")
    if not data.profiles:
        L.append("No profiles in this run: " + data.skipped.get("profile", "not requested") + ".")
        L.append("")
    for pid, p in data.profiles.items():
        if pid == "idle":
            continue
        L.append(f"``{pid}`` ({p['what']}): {p['samples']} samples on {p['cpus']} CPUs, "
                 f"{p['idle_pct']:.0f}% idle, {p['user_pct']:.0f}% user space, "
                 f"{p['strclone_pct']:.0f}% in strclone.ko.")
        L.append("")
        L.append(rst_table(["share", "function"], profile_rows(p, 12)))
        L.append("")
        cr = caller_rows(p)
        if cr:
            L.append("Time charged to interrupts coming back on, lock contention and context "
                     "switches, by where it came from:")
            L.append("")
            L.append(rst_table(["share", "charged to", "via (callers)"], cr))
            L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L).rstrip() + "\n")


# --------------------------------------------------------------------------


README_BEGIN = "<!-- bench-summary:begin"
README_END = "<!-- bench-summary:end -->"


def readme_summary(data, T):
    """The performance paragraph of README.md (Markdown), from this run only."""
    m = data.meta
    b = data.d.get("build", {})
    met = sum(t.status == "met" for t in T)
    L = [f"Measured by `make bench` against the native mechanisms in one boot of a perf kernel "
         f"(QEMU TCG, {m.get('cpus', '?')} vCPUs; only the ratios mean something), module "
         f"`{b.get('module_commit', '?')}`, {b.get('date', '?')}, from "
         "[`Documentation/strclone/performance.rst`](Documentation/strclone/performance.rst). "
         f"Ranges are over {m.get('reps', '?')} runs; a target counts as met only if the slower end "
         "of its range meets it. ptys are compared as usable pairs on both sides (strclone: "
         "clone open, `UNLKPT`, `PTMGETPEER`; native: `/dev/ptmx`, `unlockpt`, `TIOCGPTPEER`; "
         f"both closes). {met} of {len(T)} targets met:", ""]
    if contended(data):
        L[0] += " Other work competed with this run on the shared host, so its ranges are wider than usual."
    for t in T:
        val = t.ratio_text()
        extra = ""
        if t.tid == "mem":
            nat = data.med("memory/ptmx_pair/kernel")
            extra = f" (native pair: {fnum(nat, 'B')})" if nat else ""
        if t.tid == "mod_n1":
            r4 = data.ratio("modules/echo/4096/n4", "modules/echo/4096/n0")
            extra = f" (4 modules, for information: {fratio(r4)})" if r4 else ""
        L.append(f"- {t.what}: {val}{extra}; target {t.goal_text()}: "
                 f"**{'met' if t.status == 'met' else t.status.lower()}**")
    return "\n".join(L)


def update_readme(path, text):
    """Replaces the text between the bench-summary markers; False if there are none."""
    try:
        with open(path) as f:
            cur = f.read()
    except OSError:
        return False
    i = cur.find(README_BEGIN)
    j = cur.find(README_END)
    if i < 0 or j < i:
        return False
    i = cur.index("\n", i) + 1
    new = cur[:i] + text.rstrip() + "\n" + cur[j:]
    if new != cur:
        with open(path, "w") as f:
            f.write(new)
    return True


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--root", default=os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
    ap.add_argument("--no-doc", action="store_true", help="only print the table")
    args = ap.parse_args(argv[1:])
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

    data = Data(load(args.json))
    if data.d.get("schema") != SCHEMA:
        sys.exit(f"report.py: {args.json} has schema {data.d.get('schema')}, this report reads schema "
                 f"{SCHEMA} (series ids changed: pairs on both sides); rerun make bench")
    T = targets(data)
    tables = detail_tables(data)

    out = []
    m = data.meta
    out.append(f"strclone benchmark: kernel {m.get('kernel', '?')}, {m.get('cpus', '?')} vCPUs (TCG), "
               f"{m.get('reps', '?')} runs x {m.get('run_seconds', '?')} s, guest time "
               f"{m.get('duration_s', 0):.0f} s, {'ok' if data.d.get('ok') else 'ERRORS'}")
    out.append("")
    b = data.d.get("build", {})
    out.append(f"module {b.get('module_commit', '?')}, kernel {b.get('kernel_build', '?')} "
               f"(.config sha256 {b.get('kernel_config_sha256', '?')[:16]}), {b.get('date', '?')}")
    if host_text(data):
        out.append(host_text(data).replace("**", ""))
    out.append("")
    out.append(text_table(["measurement", "strclone median [min-max]", "native median [min-max]",
                           "ratio [range]", "target", "slower end", "result"],
                          [[t.what, t.strclone, t.native, t.ratio_text(), t.goal_text(), t.slow_text(), t.status]
                           for t in T]))
    out.append("")
    out.append(f"{sum(t.status == 'met' for t in T)} of {len(T)} targets met (judged on the slower end "
               "of each range)")
    info = infos(data)
    if info:
        out.append("")
        out.append("For information, without a target:")
        for what, text in info:
            out.append(f"  {what}: {text}")
    for title, header, rows in tables:
        out.append("")
        out.append(title)
        out.append(text_table(header, rows))
    if data.skipped:
        out.append("")
        out.append("Not measured:")
        for k, r in data.skipped.items():
            out.append(f"  {k}: {r}")
    for e in data.d.get("errors", []):
        out.append(f"ERROR: {e}")
    text = "\n".join(out)
    print(text)

    base = re.sub(r"\.json$", "", args.json)
    with open(base + ".txt", "w") as f:
        f.write(text + "\n")
    latest = os.path.join(os.path.dirname(os.path.abspath(args.json)), "bench-latest.txt")
    if os.path.abspath(base + ".txt") != latest:
        shutil.copyfile(base + ".txt", latest)

    if args.no_doc:
        return 0
    docdir = os.path.join(args.root, "Documentation", "strclone")
    perfdir = os.path.join(docdir, "perf")
    os.makedirs(perfdir, exist_ok=True)
    pngs = plots(data, perfdir)
    shutil.copyfile(args.json, os.path.join(perfdir, "bench.json"))
    write_rst(data, T, tables, pngs, os.path.join(docdir, "performance.rst"),
              "Documentation/strclone/perf/bench.json")
    readme = os.path.join(args.root, "README.md")
    readme_done = update_readme(readme, readme_summary(data, T))
    print(f"\nwrote {os.path.relpath(os.path.join(docdir, 'performance.rst'))}, "
          f"{len(pngs)} plots in {os.path.relpath(perfdir)}, {os.path.relpath(base + '.txt')}"
          + (f", the performance summary in {os.path.relpath(readme)}" if readme_done else
             f"; {os.path.relpath(readme)} has no {README_BEGIN} marker, not touched"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
