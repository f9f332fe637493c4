#!/usr/bin/env python3
"""Keeps other work on a shared host out of a benchmark VM's measurements.

    hostwatch.py --qmp SOCKET --summary FILE [--log FILE] [--max-pause S]

Run by tools/pipeline.sh bench beside the benchmark guest, until it is sent
SIGTERM. Every 0.2 s it looks at the host: other QEMU processes (any
qemu-system-* whose command line does not name SOCKET) and the CPU time
used by everything except the benchmark's QEMU and this script. While other
work competes for the cores (another QEMU guest, or more than 0.3 CPU of
other work over the last 0.4 s) it stops the benchmark guest through QMP
("stop"), and lets it go on ("cont") once the host has been quiet for two
seconds. Under TCG a stopped guest's clocks stop too, so a paused
measurement just resumes later; only the moments before a pause (a few
tenths of a second) see the other work. After --max-pause seconds of pauses in
total it stops pausing, so a busy host cannot hold the run forever, and the
summary says so.

The summary (JSON) gives the pause count and time and the most other work
seen while the guest ran; make bench puts it into the results JSON.
"""
import argparse
import json
import os
import signal
import socket
import sys
import time

TICK = 0.2
OTHER_CPU = 0.3  # CPUs of other work (over the last WINDOW s) that count as contention
WINDOW = 0.4
HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


def busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return sum(v) - v[3] - (v[4] if len(v) > 4 else 0)


def proc_jiffies(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return int(rest[11]) + int(rest[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0


def qemus(sock):
    """(our QEMU pid or None, number of other QEMU processes)."""
    ours, others = None, 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/comm") as f:
                if not f.read().startswith("qemu-system"):
                    continue
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if sock.encode() in cmd:
            ours = int(d)
        else:
            others += 1
    return ours, others


class Qmp:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(5)
        self.s.connect(path)
        self.buf = b""
        self._reply()  # the greeting
        self.cmd("qmp_capabilities")

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(4096)
            if not chunk:
                raise OSError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def _reply(self):
        while True:
            m = self._line()
            if "event" not in m:
                return m

    def cmd(self, name):
        self.s.sendall(json.dumps({"execute": name}).encode() + b"\n")
        r = self._reply()
        if "error" in r:
            raise OSError(f"QMP {name}: {r['error']}")
        return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qmp", required=True)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--log")
    ap.add_argument("--max-pause", type=float, default=1200)
    a = ap.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    logf = open(a.log, "w") if a.log else None

    def log(msg):
        if logf:
            logf.write(f"{time.strftime('%H:%M:%S')} {msg}\n")
            logf.flush()

    me = os.getpid()
    qmp, ours, paused = None, None, False
    pauses, paused_s, pause_t0 = 0, 0.0, 0.0
    quiet_since = None
    run_s, busy_s = 0.0, 0.0  # guest running; of which with other work
    max_others_running, max_cpu_running = 0, 0.0
    hist = []  # (time, other-work jiffies, seconds) of the last ticks
    prev_busy, prev_ours, prev_me = busy_jiffies(), 0, proc_jiffies(me)
    prev_t = time.monotonic()
    gave_up = False

    while not stop:
        time.sleep(TICK)
        t = time.monotonic()
        pid, others = qemus(a.qmp)
        b, m = busy_jiffies(), proc_jiffies(me)
        if pid != ours:
            # The guest started (or ended): its CPU time so far is not known
            # per tick, so this tick tells nothing about other work.
            ours, qmp, paused, hist = pid, None, False, []
            prev_busy, prev_ours, prev_me, prev_t = b, proc_jiffies(pid) if pid else 0, m, t
            continue
        o = proc_jiffies(ours) if ours else 0
        other = max(0, (b - prev_busy) - (o - prev_ours) - (m - prev_me))
        prev_busy, prev_ours, prev_me = b, o, m
        dt, prev_t = t - prev_t, t
        hist.append((t, other, dt))
        hist = [h for h in hist if t - h[0] < WINDOW - 0.05]
        # Other work over about the last 0.4 s (two ticks): short, so a stop
        # follows its start closely, and one late-accounted tick is not enough.
        cpu1 = sum(j for _, j, _ in hist) / HZ / max(sum(d for _, _, d in hist), TICK)
        if ours is None:
            continue
        if qmp is None:
            try:
                qmp = Qmp(a.qmp)
                log(f"connected to the benchmark guest (pid {ours})")
            except OSError:
                continue
        contended = others > 0 or cpu1 > OTHER_CPU
        if not paused:
            run_s += dt
            if contended:
                busy_s += dt
            max_others_running = max(max_others_running, others)
            max_cpu_running = max(max_cpu_running, cpu1)
        if contended:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = t
        try:
            if not paused and contended and not gave_up:
                if paused_s >= a.max_pause:
                    gave_up = True
                    log(f"paused {paused_s:.0f} s in all: not pausing any more")
                    continue
                qmp.cmd("stop")
                paused, pause_t0 = True, t
                pauses += 1
                log(f"stop: {others} other QEMU, {cpu1:.2f} CPU of other work")
            elif paused and (not contended and t - quiet_since >= 2.0 or
                             paused_s + (t - pause_t0) >= a.max_pause):
                qmp.cmd("cont")
                paused = False
                paused_s += t - pause_t0
                log(f"cont after {t - pause_t0:.1f} s")
        except OSError as e:
            log(f"QMP: {e}")
            qmp, paused = None, False
    if paused:
        paused_s += time.monotonic() - pause_t0
        try:
            qmp.cmd("cont")
        except OSError:
            pass
    summary = {
        "watch_pauses": pauses,
        "watch_paused_s": round(paused_s, 1),
        "watch_gave_up": gave_up,
        "watch_running_s": round(run_s, 1),
        "watch_contended_running_s": round(busy_s, 1),
        "watch_other_qemu_running_max": max_others_running,
        "watch_other_cpu_running_max": round(max_cpu_running, 2),
    }
    with open(a.summary, "w") as f:
        json.dump(summary, f)
    log(f"summary: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
