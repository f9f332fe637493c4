"""The analysis section of performance.rst.

report.py states each target's verdict (what is compared, the ratio with its
range, met or missed on the slower end) and then calls explain(tid, target,
data) for the explanation, and findings(data) once. Every figure in these
texts comes from the JSON of the run being reported (medians, split
open/close times, sleeps per operation, bytes per read, /proc/slabinfo
deltas, kernel profiles); what is said about the code names files and
functions, not line numbers. If a rerun changes which targets are met, read
the texts again: the explanations of causes are written for the code, the
numbers follow the run.
"""


def _f(v, d=2):
    return "n/a" if v is None else f"{v:.{d}f}"


def _n(v):
    """A number for prose: 3 significant digits, thousands separated."""
    if v is None:
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.0f}"
    return f"{v:.2g}" if abs(v) < 0.1 else f"{v:.2f}".rstrip("0").rstrip(".")


def _top(data, pid, n=6, module=None, skip_idle=True):
    """'name x%, ...' for the top symbols of a profile."""
    from report import demangle
    p = data.profiles.get(pid)
    if not p:
        return "(no profile in this run)"
    out = []
    for t in p["top"]:
        if module is not None and t.get("module") != module:
            continue
        if skip_idle and (t["sym"] in ("default_idle", "do_idle", "[user space]")
                          or t["sym"].startswith("cpu_idle_poll")):
            continue
        out.append(f"``{demangle(t['sym'])}`` {t['pct']:.0f}%")
        if len(out) == n:
            break
    return ", ".join(out) if out else "(none)"


def _callers(data, pid, n=3):
    """'x% in name (via a <- b), ...' for the time a profile charged to the
    opaque functions (interrupts back on, lock contention, context switches:
    bench.c `OPAQUE`), by the callers it came through."""
    from report import caller_rows
    p = data.profiles.get(pid)
    rows = caller_rows(p, n) if p else []
    if not rows:
        return "(no call chains in this run)"
    return "; ".join(f"{pct} in ``{sym}`` via ``{via}``" for pct, sym, via in rows)


def _idle(data, pid):
    p = data.profiles.get(pid)
    return "n/a" if not p else f"{p['idle_pct']:.0f}%"


def _slab_lines(data, who):
    """The /proc/slabinfo growth per unit of `who`: (bullet lines, bytes)."""
    pre = f"memory/{who}/slabinfo/"
    caches = {}
    for k, v in data.extra.items():
        if k.startswith(pre):
            name, field = k[len(pre):].rsplit("/", 1)
            caches.setdefault(name, {})[field] = v
    rows = sorted(caches.items(), key=lambda kv: -kv[1].get("objs_per_unit", 0) * kv[1].get("objsize", 0))
    lines, total = [], 0
    for name, c in rows:
        per, size = c.get("objs_per_unit", 0), c.get("objsize", 0)
        total += per * size
        lines.append(f"- ``{name}``: {per:.2f} x {size:.0f} bytes")
    if not lines:
        return "- (``/proc/slabinfo`` was not available)", None
    return "\n".join(lines), total


def _caches_bytes(data, who, names):
    """Bytes per unit in the named slab caches (from /proc/slabinfo), or None."""
    pre = f"memory/{who}/slabinfo/"
    tot, seen = 0.0, False
    for name in names:
        per = data.extra.get(f"{pre}{name}/objs_per_unit")
        size = data.extra.get(f"{pre}{name}/objsize")
        if per is not None and size is not None:
            tot += per * size
            seen = True
    return tot if seen else None


def _fr(r):
    """'1.02x [0.91-1.10]' for a (ratio, lo, hi) or n/a."""
    return "n/a" if not r else f"{r[0]:.2f}x [{r[1]:.2f}-{r[2]:.2f}]"


def _m(data, sid):
    return data.med(sid)


def _ratio(data, a, b):
    r = data.ratio(a, b)
    return r[0] if r else None


def explain(tid, t, data):
    f = globals().get("_t_" + tid)
    if f is None:
        return ""
    return f(t, data, t.status == "met").strip()


# ---------------------------------------------------------------------------


def _t_oc_ptmx(t, data, met):
    oc = "open_close/"
    so, sc = _m(data, oc + "strclone_pair/open_us"), _m(data, oc + "strclone_pair/close_us")
    po, pc = _m(data, oc + "ptmx_pair/open_us"), _m(data, oc + "ptmx_pair/close_us")
    mm = _ratio(data, oc + "strclone_master", oc + "ptmx_master")
    sp = _ratio(data, oc + "strclone_pair", oc + "strclone_master")
    pp = _ratio(data, oc + "ptmx_pair", oc + "ptmx_master")
    return (
        "A native ``/dev/ptmx`` open builds both ``tty_struct``\\ s with their ports and termios, "
        "opens ``n_tty`` on both (a vmalloc'd ``n_tty_data`` each) and creates the "
        "``/dev/pts/N`` inode and dentry; ``TIOCGPTPEER`` then opens that node. A strclone pair "
        "is a minor, the ``PtPair``, the master stream with its queues, and at ``PTMGETPEER`` the "
        "slave stream and a file on an anonymous inode. Opening a pair (open, unlock, peer): "
        f"{_n(so)} us for strclone against {_n(po)} us native; closing both ends {_n(sc)} against "
        f"{_n(pc)} us. A pair's cycle takes {_f(1 / sp if sp else None)}x the time of a "
        f"master-alone cycle for strclone and {_f(1 / pp if pp else None)}x for native, where the "
        "master's open already built the slave's tty. For reference, not a target: a master "
        f"alone on each side is {_f(mm)}x, which flatters strclone because its master-alone open "
        "makes no slave. Profiles of the pair loops: strclone "
        f"{_top(data, 'open_close/strclone_pair', 6)}; native {_top(data, 'open_close/ptmx_pair', 4)}.")


def _t_oc_misc(t, data, met):
    oc = "open_close/"
    so = _m(data, oc + "strclone_master/open_us")
    ho = _m(data, oc + "hwrng/open_us")
    eo = _m(data, oc + "echo/open_us")
    er = _ratio(data, oc + "echo", oc + "hwrng")
    text = (
        "This target compares one descriptor with one: the clone open of a master (no slave), "
        "against ``/dev/hwrng``, whose open does nothing beyond the path walk, the ``struct "
        "file`` and ``misc_open``, the floor of what any character device open costs. A ptm "
        "clone open does real work above that floor, spread over many small items rather than "
        "one hot spot: a clone-table lookup under a spinlock and an ``Arc`` clone of the target "
        "(``rust/clone.rs``); the lowest free minor from the bitmap under its spinlock "
        "(``rust/minors.rs``); the allocations of the ``PtPair``, the boxed ``PtSide``, the "
        "``Stream`` with its four queues, its ``PollCondVarBox`` wait queue and the "
        "``RBTreeNode`` of the debugfs stream table (``rust/ptm.rs``, "
        "``rust/streams/stream.rs``, ``rust/streams/runtime.rs``), and the matching frees at "
        "close; the table insertion under a global spinlock; and ptm's trace call to the log "
        f"target on every open. The echo target, which has no pair, minor or log call, gets "
        f"{_f(er)}x of the floor. Opens alone: {_n(so)} us (``/dev/clone-ptmx`` master), "
        f"{_n(eo)} us (``/dev/clone-echo``), {_n(ho)} us (``/dev/hwrng``). Profile of the "
        f"master open+close loop: {_top(data, 'open_close/strclone_master', 8)}; strclone.ko's own "
        f"share: {_top(data, 'open_close/strclone_master', 6, module='strclone')}; ``/dev/hwrng``: "
        f"{_top(data, 'open_close/hwrng', 5)}.")
    if not met:
        text += (" To meet the target the whole strclone part would have to cost less than half of "
                 "the floor's own open+close, which is less than its allocations alone; the table "
                 "node and the ``PtSide`` box are the two allocations that could go.")
    return text


def _t_live_flat(t, data, met):
    from report import live_levels
    lv = live_levels(data)
    top = lv[-1]
    p = "live/strclone_pair/"
    o0, ot = _m(data, p + "0/open_us"), _m(data, f"{p}{top}/open_us")
    c0, ct = _m(data, p + "0/close_us"), _m(data, f"{p}{top}/close_us")
    again = data.ratio(p + "0-again", p + "0", paired=False)
    split = (ot + ct) / (o0 + c0) if None not in (o0, ot, c0, ct) and o0 + c0 else None
    text = (
        f"Timed apart (64 in a row), a pair's open (open, unlock, peer) takes {_n(o0)} us with no "
        f"other pair and {_n(ot)} us with {top:,}; closing both ends {_n(c0)} and {_n(ct)} us: "
        f"open and close together {_f(split)}x. The minor is the lowest free one, as SVR4 "
        "promises, from a two-level bitmap (``rust/minors.rs``: a bit per minor, and a bit per "
        "64 minors that are all in use), so finding it does not scan the minors in use. What does "
        "grow is the debugfs stream table, a red-black tree holding both streams of every pair: "
        "an insertion and an erase of O(log n) per stream. The loop's runs ranged from "
        f"{_n(data.lo(f'{p}{top}'))} to {_n(data.hi(f'{p}{top}'))} us at {top:,} and from "
        f"{_n(data.lo(p + '0'))} to {_n(data.hi(p + '0'))} us at 0; the same loop at 0 again at the "
        f"end of the sweep measured {_fr(again)} of the first, so a range this wide comes from "
        "run-to-run spread, which the comparison of unpaired runs (slowest at one level against "
        "fastest at the other) takes in whole.")
    if not met and split is not None and split <= t.goal:
        text += (
            " The split times do not grow beyond the target; the pair loop's spread does: each "
            "cycle hands work to other contexts (``PTMGETPEER`` enables the master's write queue, "
            "the slave's close hangs up the master, the streams' wait queues are freed after an RCU "
            "grace period by ``kvfree_call_rcu``), and where that work runs, on the loop's vCPU or the "
            "other, changes from run to run.")
    return text


def _tp_common(data):
    b4 = _m(data, "throughput/strclone/4096/bytes_per_read")
    ws = _m(data, "throughput/strclone/65536/writer_sleeps_per_write")
    return (
        "How data moves (``rust/streams/head.rs``, ``rust/ptm.rs`` ``forward``): a write is cut "
        "into messages of at most the stream's maximum packet size, each two allocations (the "
        "buffer and the boxed ``Msg``) and one copy; ``putq`` on the master's driver write queue "
        "schedules its service procedure on strclone's workqueue (``rust/glue/wq.rs``), which "
        "moves the messages, without copying them, to the slave's head; the reader copies them "
        "out. So the one copy in and the one copy out run on different CPUs at the same time, "
        "under different locks (each stream has its own). When the reader has drained the head "
        "it back-enables the slave's read queue, whose service procedure enables the master's "
        f"write queue again. With 64 KiB writes the writer slept {_n(ws)} times per write(2) "
        f"waiting for room; with 4 KiB writes the reader got {_n(b4)} bytes per read(2). A native "
        "pty moves every byte through ``n_tty``'s receive path into its read buffer and also hands "
        "off through a work item (``flush_to_ldisc``). A pipe copies straight into its ring with "
        "no work item and no allocation, but its writer and reader take the same "
        f"``pipe->mutex`` for every copy: in its profile {_top(data, 'throughput/pipe/4096', 2)}. "
        f"Profile of strclone with 4 KiB writes: {_top(data, 'throughput/strclone/4096', 6)} (CPUs "
        f"{_idle(data, 'throughput/strclone/4096')} idle).")


def _tp_spread(t, data, met):
    """For a missed throughput target: how far the runs of each side spread."""
    if met:
        return ""
    size = t.tid.rsplit("_", 1)[1]
    other = "pty" if "_pty_" in t.tid else "pipe"
    a, b = f"throughput/strclone/{size}", f"throughput/{other}/{size}"
    return (f" strclone's runs moved {_n(data.lo(a))} to {_n(data.hi(a))} MB/s and the {other}'s "
            f"{_n(data.lo(b))} to {_n(data.hi(b))} MB/s: each transfer hands its writes to a work "
            "item or a sleeping reader, and where those run, on the writer's vCPU or the other, "
            "varies from run to run.")


def _t_tp_pty_4096(t, data, met):
    return _tp_common(data) + _tp_spread(t, data, met)


def _t_tp_pty_65536(t, data, met):
    return "See the 4 KiB entry against the native pty for how the data moves." + _tp_spread(t, data, met)


_t_tp_pipe_4096 = _t_tp_pty_65536
_t_tp_pipe_65536 = _t_tp_pty_65536


def _spipe_common(t, data):
    size = t.tid.rsplit("_", 1)[1]
    a, b = f"pipes/throughput/spipe/{size}", f"pipes/throughput/pipe/{size}"
    return (f"Per run the STREAMS pipe's reader got {_n(data.med(a + '/bytes_per_read'))} bytes per "
            f"read(2) and slept {_f(data.med(a + '/reader_sleeps_per_read'))} times per read, its "
            f"writer {_f(data.med(a + '/writer_sleeps_per_write'))} times per write; the pipe(2)'s "
            f"reader got {_n(data.med(b + '/bytes_per_read'))} bytes per read. Runs spread "
            f"{_n(data.lo(a))} to {_n(data.hi(a))} MB/s (STREAMS) and {_n(data.lo(b))} to "
            f"{_n(data.hi(b))} MB/s (pipe). ")


def _t_spipe_64(t, data, met):
    return _spipe_common(t, data) + (
        "A STREAMS pipe keeps every write(2) as a message, as SVR4's do (``getmsg`` on the other "
        "end gets each one back whole), so a 64-byte write costs a block allocation charged to the "
        "writer's memory cgroup, the stream head's write path, the pipe driver's hand-over to the "
        "other end's head (``PipeEnd::send`` in ``rust/pipe.rs``: with nothing pushed one lock "
        "round trip, ``Stream::put_up_passing``), and on the reader's side one free per message and "
        "one lock round trip per read(2), which takes every data message queued up to its count. "
        "A Linux pipe appends the 64 bytes to the page it is filling under "
        "``pipe->mutex`` and its reader copies whole pages; merging writes is what a pipe may do "
        "and a stream may not. The reader drains the head faster than the writer fills it and "
        "sleeps when it finds it empty, so the writer pays for its wake-ups (with interrupts off) "
        "and contends with it for the reading end's stream lock; in the profile (both CPUs' "
        f"samples): {_callers(data, 'pipes/throughput/spipe/64')}. A Linux pipe's reader spins on "
        "``pipe->mutex`` while the writer holds it instead (``pipes.rst``, Performance).")


def _t_spipe_4096(t, data, met):
    return _spipe_common(t, data) + (
        "At 4 KiB a write is one page-sized block on both sides; the STREAMS pipe moves it to the "
        "other end's head without copying it (``PipeEnd::send``), and its reader's copy-out is the "
        "only other copy, as the pipe's.")


def _t_spipe_65536(t, data, met):
    return _spipe_common(t, data) + (
        "A 64 KiB write is one message (a chain of page-sized blocks: the pipe driver's write "
        "queue has no packet size limit), and each end holds 64 KiB at its head plus 64 KiB on the "
        "writer's driver queue, so a writer sleeps less often than on a pipe's 64 KiB ring.")


def _t_spipe_msg(t, data, met):
    return ("Each ``putmsg`` is one ``M_PROTO`` block with the data block chained, handed to the "
            "other end's head as the writes above; each ``getmsg`` takes one message and copies "
            "both parts out. The socketpair copies the 80-byte record into an ``sk_buff`` and "
            "queues it on the peer socket's receive queue; its reader takes one record per "
            f"``recvmsg``. Runs spread {_n(data.lo('pipes/msgrate/spipe'))} to "
            f"{_n(data.hi('pipes/msgrate/spipe'))} messages/s (STREAMS) and "
            f"{_n(data.lo('pipes/msgrate/seqpacket'))} to {_n(data.hi('pipes/msgrate/seqpacket'))} "
            "(socketpair).")


def _t_rtt(t, data, met):
    pipe = _ratio(data, "latency/pipe", "latency/pty")
    c0 = _ratio(data, "latency/strclone/cpu0", "latency/pty/cpu0")
    return (
        "A strclone byte crosses, per direction: ``write(2)`` -> ``putq`` on the writer's driver "
        "write queue -> a work item on strclone's workqueue -> ``PtSide::forward`` -> the peer's "
        "head -> the reader wakes up, on whichever CPU it sleeps. A native pty byte crosses "
        "``pty_write`` -> ``tty_flip_buffer_push`` -> a ``flush_to_ldisc`` work item -> ``n_tty`` "
        "-> the reader: the same number of hand-offs, but strclone also allocates two objects per "
        "message. Under TCG a hand-off between vCPUs costs far more than on hardware (a pipe, "
        f"which has no work item, measured {_f(pipe)}x of the pty in this run), so the ratio "
        "depends on where the scheduler put the two threads and the worker as well as on the "
        "code. With both threads bound to CPU 0 (no cross-vCPU wake-up) strclone's round trip is "
        f"{_f(c0)}x the pty's ({_n(_m(data, 'latency/strclone/cpu0'))} us against "
        f"{_n(_m(data, 'latency/pty/cpu0'))} us). Profiles (threads free): strclone "
        f"{_top(data, 'latency/strclone', 5)}; native {_top(data, 'latency/pty', 4)}.")


def _t_mem(t, data, met):
    p = "memory/"
    sk, pk = _m(data, p + "strclone_pair/kernel"), _m(data, p + "ptmx_pair/kernel")
    ss, sv = _m(data, p + "strclone_pair/slab"), _m(data, p + "strclone_pair/vmalloc")
    ps, pv = _m(data, p + "ptmx_pair/slab"), _m(data, p + "ptmx_pair/vmalloc")
    mk = _m(data, p + "strclone_master/kernel")
    sl, stot = _slab_lines(data, "strclone_pair")
    nl, ntot = _slab_lines(data, "ptmx_pair")
    text = (
        f"An open strclone pair costs {_n(sk)} bytes of kernel memory ({_n(ss)} of slab, {_n(sv)} "
        f"of vmalloc); a native pair {_n(pk)} bytes ({_n(ps)} of slab, {_n(pv)} of vmalloc: the two "
        f"``n_tty_data`` buffers), so strclone needs {_f(sk / pk if sk and pk else None)}x of "
        f"native. A strclone master alone costs {_n(mk)} bytes; the slave stream, its anonymous "
        "file and the slave's ``PtSide`` make up the rest of the pair. The objects allocated per "
        "pair, from ``/proc/slabinfo`` (objects per pair x object size):\n\n"
        f"strclone pair (about {_n(stot)} bytes):\n\n{sl}\n\nnative pair (about {_n(ntot)} bytes, plus "
        f"vmalloc):\n\n{nl}\n\n"
        "For strclone that is two ``struct file``\\ s (``filp``; the slave's on an anonymous "
        "inode, with its own dentry), two ``Stream``\\ s, the ``PtPair``, two boxed ``PtSide``\\ s, "
        "each stream's ``PollCondVarBox`` wait queue and ``RBTreeNode`` in the debugfs stream "
        "table.")
    if not met:
        text += (
            " The target, 1 KiB, was set when the row measured a master alone; a pair holds two "
            "streams and two files, and the VFS objects alone (``filp`` and ``dentry`` in the "
            f"list above) take {_n(_caches_bytes(data, 'strclone_pair', ('filp', 'dentry')))} bytes "
            "of it. What strclone could still shed per pair: the two table "
            "nodes (an intrusive list or an ``XArray`` for the table) and the two ``PtSide`` "
            "boxes (the side flag inside the ``Stream``'s driver data).")
    return text


def _t_scale(t, data, met):
    nat = _m(data, "scaling/ptmx_pair/ratio")
    hw = _m(data, "scaling/hwrng/ratio")
    ms = _m(data, "scaling/strclone_master/ratio")
    return (
        f"Native pairs scaled {_f(nat)}x (``tty_mutex`` and ``devpts_mutex``: "
        f"{_top(data, 'scaling/ptmx_pair/2', 3)}), ``/dev/hwrng`` {_f(hw)}x (every misc device's "
        f"open runs under the global ``misc_mtx``), a strclone master alone {_f(ms)}x. strclone's "
        "nodes are character devices of their own region (``rust/glue/chrdev.c``), so their opens "
        "take no global sleeping lock; what two threads share: the clone table's, the minor "
        "pool's, the stream table's and the log's spinlocks, each held for a few instructions, "
        "and for a pair the anonymous inode's file set-up. Profile with two threads: "
        f"{_top(data, 'scaling/strclone_pair/2', 6)}.")


# ---------------------------------------------------------------------------

def findings(data):
    """Text for the 'Findings' subsection: what the benchmark found beyond the targets."""
    s1 = _m(data, "throughput/strclone/1")
    p1 = _m(data, "throughput/pty/1")
    s64 = _m(data, "throughput/strclone/64")
    p64 = _m(data, "throughput/pty/64")
    bp1 = _m(data, "throughput/strclone/1/bytes_per_read")
    pb1 = _m(data, "throughput/pty/1/bytes_per_read")
    lost1 = _m(data, "log/strclone/1/lost_pct")
    lost3 = _m(data, "log/strclone/3/lost_pct")
    lostp = _m(data, "log/strclone/paced/1/lost_pct")
    lostpk = _m(data, "log/kmsg/paced/1/lost_pct")
    pp1 = _m(data, "throughput/pipe/1")
    pp64 = _m(data, "throughput/pipe/64")
    mm = _ratio(data, "open_close/strclone_master", "open_close/ptmx_master")
    pr = _ratio(data, "open_close/strclone_pair", "open_close/ptmx_pair")
    lines = [
        "- **A master alone is not a pty.** A ``/dev/clone-ptmx`` open makes only the master "
        "stream (the slave is made by ``PTMGETPEER``), while a ``/dev/ptmx`` open makes both "
        "ttys, the devpts node and both line disciplines. Compared master-alone against "
        f"``/dev/ptmx`` alone, strclone looks {_f(mm)}x as fast; as usable pairs on both sides it "
        f"is {_f(pr)}x. The targets compare pairs; the master-alone rows are for reference.",
        "- **Small writes: a message and a wake-up each.** With 1-byte writes strclone moved "
        f"{_n(s1 * 1e6 if s1 else None)} bytes/s against {_n(p1 * 1e6 if p1 else None)} for the "
        f"native pty and {_n(pp1 * 1e6 if pp1 else None)} for a pipe; with 64-byte writes "
        f"{_f(s64)} MB/s against {_f(p64)} and {_f(pp64)}. Each write is a message (two "
        "allocations); the service procedure moves each to the slave's head "
        "(``PtSide::forward`` in ``rust/ptm.rs``: the pair's spinlock to find the peer, the "
        "peer's stream lock for ``canputnext`` and ``putnext``) and the head wakes the "
        f"reader, which got {_f(bp1)} bytes per read(2) (native pty: {_f(pb1)}: the pty's flip "
        "buffer collects what was written while its work item was pending and wakes the reader "
        "once per batch). Taking the peer once per service run and waking the reader once per "
        "run would cut the wake-ups; coalescing small ``M_DATA`` at the head would cut the "
        f"allocations. Profile with 1-byte writes: {_top(data, 'throughput/strclone/1', 6)}.",
        "- **A log reader that falls behind loses the oldest messages.** ``putmsg`` on a strlog "
        "stream never blocks (the log's loss policy drops the oldest queued message instead, "
        "and ``LOG_GETLOST`` counts the losses), so a writer in a loop can outrun the readers: "
        f"{_f(lost1, 0)}% of the messages were lost with one reader in this run, "
        f"{_f(lost3, 0)}% with three. With the writer paced at "
        f"{_n(data.extra.get('log/paced_rate'))} messages per second (half what one reader can "
        f"take), so that the reader keeps up, it lost {_f(lostp)}% (``/dev/kmsg`` "
        f"{_f(lostpk)}%). Delivered messages per second is what the fan-out "
        "measures; ``/dev/kmsg`` delivers more because its readers copy out of one shared ring "
        "buffer, while strclone builds, queues and schedules a message per reader "
        "(``LogTarget::log`` in ``rust/log.rs``).",
        "- **Deferred frees.** Both sides hand part of a close to other contexts (a native "
        "tty's release runs from a work item, a strclone stream's wait queue is freed after an "
        "RCU grace period), which the idle second vCPU absorbs in the one-thread loops; with two "
        "threads both vCPUs are busy and that work competes with the loops.",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Pushed modules (the modules group)


def _mod_errors(data):
    """The run's errors about the modules group (a transfer that stalled)."""
    return [e for e in data.d.get("errors", []) if e.startswith("modules") or "nullmod" in e]


def _x(v):
    """'0.95x' or n/a."""
    return "n/a" if v is None else f"{v:.2f}x"


def _t_mod_n1(t, data, met):
    e = "modules/echo/"
    m = {k: _m(data, f"{e}4096/n{k}") for k in (0, 1, 4)}
    # Time per 4 KiB message (one write is one message) and what a module adds.
    us = {k: 4096 / v if v else None for k, v in m.items()}
    r64_1 = _ratio(data, f"{e}64/n1", f"{e}64/n0")
    r64_4 = _ratio(data, f"{e}64/n4", f"{e}64/n0")
    r4 = data.ratio(f"{e}4096/n4", f"{e}4096/n0")
    bpr = {k: _m(data, f"{e}4096/n{k}/bytes_per_read") for k in (0, 1, 4)}
    rsl = {k: _m(data, f"{e}4096/n{k}/reader_sleeps_per_read") for k in (0, 1, 4)}
    o = "modules/open_close/"
    oc = {k: _m(data, f"{o}n{k}") for k in (0, 1, 4)}
    oc_add = (1 / oc[4] - 1 / oc[0]) * 1e6 / 4 if oc[4] and oc[0] else None
    so = {k: _m(data, f"{o}n{k}/open_us") for k in (0, 1, 4)}
    sc = {k: _m(data, f"{o}n{k}/close_us") for k in (0, 1, 4)}
    text = (
        "How a message crosses a pushed module (``rust/modules/nullmod.rs``, "
        "``rust/streams/chain.rs``): the stream head cuts a write into messages of at most the "
        "packet size of the queue below it and ``putnext``\\ s each to the top module's write put "
        "procedure. ``nullmod`` declares its put procedure (``PutKind::PassOrQueue``, "
        "``Documentation/strclone/modules.rst``), so the framework does its work while routing: "
        "under the stream lock it takes to find the next queue it also checks that nothing waits "
        "on the module's queue and that the queue after it has room, and passes the message over "
        "the module without calling it. No byte is copied, and per module and direction the "
        "cost is that check inside a lock round trip the stream pays anyway once anything is "
        "pushed. When the next queue is full the message is queued on the module (``putq``) and "
        "the module's service procedure moves it on when room appears: the reader that drains "
        "the head runs the service procedure below the head itself, in its ``read`` "
        "(``Stream::back_enable_now``), and the ones further down run from strclone's "
        "workqueue, one hand-off each. The echo driver turns each message "
        "around (``rust/echo.rs``) and it climbs the read side through the same modules to the "
        "head. The head's read queue is full at 5,120 bytes (SVR4's STRHIGH), so with 4 KiB "
        "writes flow control engages every second message, and the service procedures and "
        "back-enabling run all the time, in the modules too.\n\n"
        f"With 4 KiB writes the echo stream moved {_n(m[0])} MB/s with no module, {_n(m[1])} with "
        f"one and {_n(m[4])} with four (4 modules / none: {_fr(r4)}, for information); per message "
        f"that is {_n(us[0])} us with none, {_n(us[1])} with one and {_n(us[4])} with four. With "
        f"64-byte writes, where the cost per message weighs more than the "
        f"copy, one module gives {_x(r64_1)} and four {_x(r64_4)} of none. The reader got "
        f"{_n(bpr[0])}, {_n(bpr[1])} and {_n(bpr[4])} bytes per read(2) and slept {_f(rsl[0])}, "
        f"{_f(rsl[1])} and {_f(rsl[4])} times per read. The native reference, a pipe with the "
        f"same threads, moved {_n(_m(data, 'modules/pipe/4096'))} MB/s: the echo stream is "
        f"{_x(_ratio(data, e + '4096/n0', 'modules/pipe/4096'))} a pipe with no module and "
        f"{_x(_ratio(data, e + '4096/n1', 'modules/pipe/4096'))} with one.")
    if m[0] and ((m[1] and m[1] >= m[0]) or (m[4] and m[4] >= m[0])):
        text += (
            "\n\nWith 4 KiB writes more modules moved more, not less: each ``nullmod`` adds a "
            "queue of 8 KiB each way with its own service procedure, so the loopback holds more in "
            "flight. With no module it holds the head's 5,120 bytes and the echo driver's 8 KiB "
            "write queue: the head is full after two messages, and every refill takes the echo "
            "driver's read service procedure (enabled when the reader drains the head) and then "
            "its write service procedure, two hand-offs through the workqueue per two messages. "
            "With modules pushed the top module's service procedure refills the head from its own "
            "queue, and the stages run at the same time on both vCPUs. At 4 KiB this ratio "
            "measures the added buffering as much as the module's cost; the 64-byte rows, where "
            "the head holds 80 messages, show the cost per message.")
    text += (
        f"\n\nOpen+close of an echo stream: {_n(oc[0])} per second with no module, {_n(oc[1])} "
        f"pushing one and {_n(oc[4])} pushing four, {_n(oc_add)} us per module. Each push waits "
        "for the stream's plumbing slot, allocates the module's queue pair and instance and runs "
        "its open; the close pops each module (its close, then the queues and instance are freed "
        f"outside the lock). Timed apart, open with the pushes took {_n(so[0])}, {_n(so[1])} and "
        f"{_n(so[4])} us and the close {_n(sc[0])}, {_n(sc[1])} and {_n(sc[4])} us. Profile of the "
        f"loop with four modules: {_top(data, 'modules/open_close/n4', 6)}. Profiles with 4 KiB "
        f"writes: no module {_top(data, 'modules/echo/4096/n0', 5)} (CPUs "
        f"{_idle(data, 'modules/echo/4096/n0')} idle); one module "
        f"{_top(data, 'modules/echo/4096/n1', 5)} (CPUs {_idle(data, 'modules/echo/4096/n1')} idle).")
    errs = _mod_errors(data)
    if errs:
        text += ("\n\nThe run recorded errors in these measurements, so some rows are missing: "
                 + "; ".join(f"``{x}``" for x in errs) + ".")
    return text


# ---------------------------------------------------------------------------
# Terminals (the terminal group): ldterm against n_tty


def _t_term_echo(t, data, met):
    e = "terminal/echo/"
    raw = _ratio(data, "latency/strclone", "latency/pty")
    raw_text = (f" The raw 1-byte ping-pong of the latency group (two threads, no line discipline, "
                f"no echo) was {_f(raw)}x the native pty's in this run." if raw else "")
    return (
        "On strclone, when nothing waits ahead of it, the whole round trip happens inside the "
        "typist's ``write(2)``: ``ptm``'s write put procedure passes the byte straight to the "
        "slave stream (``PtSide::wput``'s fast path in ``rust/ptm.rs``), whose driver read "
        "queue hands it to ``ldterm``'s read put procedure, which processes it at once "
        "(``Ldterm::rput`` in ``rust/modules/ldterm.rs``, the state machine in "
        "``ldterm/input.rs``) and sends the echo down the slave's write side (``qreply``, "
        "through output processing), where ``pts``' fast path puts it on the master's stream "
        "head; the ``read(2)`` that follows finds it there without sleeping. On the native side "
        "``pty_write`` queues the byte in the slave's flip buffer and a ``flush_to_ldisc`` "
        "work item runs ``n_tty_receive_buf``, which echoes into the master's flip buffer; a "
        "second work item gives the echo to the master's ``n_tty``, which wakes the typist: "
        "two hand-offs to a worker and a sleep per typed byte. A line's read from the slave "
        "every 64 bytes is shared by the typed bytes on both sides." + raw_text +
        f" Profiles: strclone {_top(data, e + 'strclone', 6)}; native {_top(data, e + 'pty', 5)}.")


def _t_drv_oc(t, data, met):
    oc = "drivers/open_close/"
    e, s = _m(data, oc + "echo"), _m(data, oc + "sloop")
    per = (1e6 / s - 1e6 / e) if e and s else None
    return (
        "Both opens make the same stream (the ``Stream`` with its four queues, its wait queue "
        "and its entry in the table of open streams) and one driver object, and both free them "
        "at close. Echo's open takes the lowest free minor from its bitmap (``MinorPool``). A C "
        "driver's open adds what the C ABI's rules ask for: the driver's open mutex (opens of "
        "one C driver are serialised, since they may sleep; not for a clone open of a driver "
        "registered ``STRCLONE_D_MP``, as ``sloop`` is since session 13, which counts itself "
        "in an atomic instead), a reference on the provider's "
        "kernel module (``try_module_get``, given back when the stream is freed), the call of "
        "``qi_qopen`` through the C glue, and the check that the minor the driver picked is "
        "free (``MinorPool::take``, one spinlock round trip). The queue pair the C driver sees "
        "is part of the driver object (``CPair`` inside ``CDriver``, ``rust/ddi/driver.rs``) "
        "and the open minors are a bitmap, so the ABI allocates nothing per open beyond what a "
        "built-in driver does; until issue 14 a boxed ``CPair`` and an ``RBTreeNode`` were "
        "allocated and freed per open+close. ``sloop``'s own open takes the lowest free minor "
        "from its bitmap under its spinlock and uses that minor's slot in a static table, as "
        f"SVR4's loop driver does. Opens and closes per second: echo {_n(e)}, sloop {_n(s)}; "
        f"the difference is {_f(per)} us per open+close. Where it goes, from builds with one "
        "piece removed at a time, measured in one boot with the two drivers taking turns "
        "(session 9, about 0.8 us of gap at about 11 us per echo open+close): the open mutex "
        "about 0.2 us, sloop's own open and close about 0.15 us, the module reference, "
        "``MinorPool`` and ``qprocson``/``qprocsoff`` nothing measurable, the rest (the larger "
        "driver object, linking the queue pair to the stream once, the calls through the C "
        "glue) about 0.35 us. The mutex keeps the documented rule that opens of one C driver "
        "run one at a time (``driver-api.rst``); a driver whose open is MT-safe now opts out "
        "of it with ``STRCLONE_D_MP`` (SVR4's ``D_MP``; session 13), and ``sloop`` does; on "
        "this row it changed nothing measurable (one boot, one strclone module, ``sloop`` "
        "built with and without the flag and loaded in turn, six rounds of ``bench -g drivers "
        "-r 3``: per-round median ratios 0.883 without and 0.884 with it). On "
        "the slower host of the "
        "later runs (about 31 us per echo open+close) a profile with kernel call chains "
        "(session 11, one boot, each driver's loop profiled for 12 s) put about 2.3 us of the "
        "gap in the C target's open and most of the rest in the stream's release. Beyond the "
        "stream itself, which costs both the same (about 3.2 us), the C open spent about 0.5 us "
        "more in its own inlined code (the driver object and its queue pair, the minor check; "
        "echo's minor allocation counted against it), 0.5 us in ``sloop``'s open and the call "
        "to it, 0.3 us copying the driver object into its box (it is built on the stack, then "
        "moved), 0.25 us more allocating it (it is larger), 0.15 us in the open mutex, 0.15 us "
        "in spinlock round trips and 0.15 us in atomics: no single item above about 0.5 us, so "
        "no one change closes the gap. The copy is gone since session 12: the driver object "
        "and its queue pair are built in place in their allocation (``KBox::init`` with the "
        "pair's initializer, ``CPair::driver_init``; no ``memcpy`` left in the open). In "
        "session 15 a private driver doing the least a clonable ``D_MP`` C driver can "
        "(``cnull``: its open takes a minor from an atomic bitmap and sets ``q_ptr``, its close "
        "clears them; no spinlock, no ``qprocson``) was measured against echo and ``sloop`` in "
        "one boot (three rounds of ``bench -g drivers -r 7``, the three taking turns): "
        "per-round median ratios 0.920, 0.923, 0.912 for it and 0.909, 0.912, 0.895 for "
        "``sloop``. So ``sloop``'s own open and close are about 1-2% of the row and the C "
        "path itself about 8-10% of an echo open+close (1 / ratio - 1: 2.5-4 us at the 31-40 "
        "us one took in that boot). In the same guest a "
        "call and return cost about 20-25 ns more than inlined code and a locked atomic 10-30 "
        "ns (a user-space loop under TCG), so by count the extra calls and atomics of the C path "
        "(the provider's reference taken and given back, ``qi_qopen`` and ``qi_qclose`` called "
        "through the glue with the caller's credentials, the driver object found from the "
        "stream, the queue pair linked once, the ``D_MP`` count, the minor checked in "
        "``MinorPool``, the reference on the driver's shared state) explain about 0.5 us of it; "
        "the rest shows in the profile as no single item." + (
            "" if met else
            " With the least a C driver can do at about 0.92 (session 15's build) and the row "
            "judged on its slowest repetition, this host does not reach the goal without "
            "dropping what the lifetime rules require (another layout of the same code could "
            "move the row either way: see the method section)."))


def _t_drv_tp(t, data, met):
    d = "drivers/"
    se, ss = _m(data, d + "echo/4096/reader_sleeps_per_read"), _m(data, d + "sloop/4096/reader_sleeps_per_read")
    return (
        "Both drivers move a message the same way: echo's write put procedure "
        "(``Stream::pass_or_queue``) and ``sloop``'s (through ``strclone_pass_or_putq``, the C "
        "ABI's form of it) pass it straight up when nothing of theirs is queued and the head "
        "has room, in one lock round trip, and queue it for the service procedure otherwise. "
        "What is left between them is the C ABI's own cost per message: the C put procedure "
        "called through the glue, the stream found from the ``queue_t``, the context check; "
        "a profile put the glue at about 0.5% of the samples. The reader sleeps "
        f"{_f(ss)} times per read with sloop against {_f(se)} with echo. Before ``sloop`` used "
        "the routine it queued every message and moved it in its service procedure (``putq``, "
        "then ``getq``, ``bcanputnext``, ``putnext`` and a last empty ``getq``: about five lock "
        "round trips): 0.91x [0.85-1.00] against 0.98x [0.89-1.05] with it, the two builds "
        "alternating in one boot (21 repetitions each).")


def _t_mux_flat(t, data, met):
    m = "mux/router/"
    r8 = _ratio(data, m + "8", m + "1")
    text = (
        "The router finds a message's lower by its mux id in an ``xarray`` (one spinlock held "
        "for the lookup and again to drop the link's use count, never across ``putnext``), and "
        "a message coming up finds its upper stream through its lower read queue's ``q_ptr``: "
        "neither walks the links, so the router itself costs the same with 1 or 64 of them. "
        f"With 8 lowers the ratio was {_f(r8)}x. What does change with the number of lowers is "
        "below the router: each lower is an echo stream of its own, whose write service "
        "procedure moves what was written to its read side, so with the messages spread over "
        "64 streams each service run finds fewer messages and there are more of them (one work "
        "item per stream enabled), and the upper stream's read side is fed from 64 queues.")
    if not met:
        lo1, hi1 = data.lo(m + "1"), data.hi(m + "1")
        spread = (hi1 - lo1) / hi1 if lo1 and hi1 else None
        text += (
            f" The runs with one lower alone spread over {_n(lo1)} to {_n(hi1)} messages per "
            f"second ({_f(spread * 100 if spread is not None else None, 0)} % of the fastest), "
            "so the slow end of the paired ratio reflects that spread as much as the number of "
            "lowers (each repetition's rates are already summed over slices that take turns).")
    return text


def _t_term_canon(t, data, met):
    c = "terminal/canon/"
    r80 = _ratio(data, c + "strclone/80", c + "pty/80")
    return (
        "Each 4 KiB write on the strclone master is one message; when the slave's stream head "
        "has room, ``ptm`` passes it on inside the ``write(2)`` and ``ldterm``'s read put "
        "procedure edits it into a line (one pass over the bytes in ``Ld::input``, copying them "
        "into the line buffer) and sends the complete line up as one message, which one "
        "``read(2)`` takes (``RMSGN``). Input that arrives while the stream head is full waits, "
        "unprocessed, on ``ldterm``'s read queue (the writer is flow controlled there) and the "
        "reader that drains the head runs ``ldterm``'s read service procedure in its own "
        "context (``back_enable_now``). ``n_tty`` holds at most 4096 bytes of input, so a 4 KiB "
        "line fills it and the writer and the reader take turns line by line, each turn "
        "through a ``flush_to_ldisc`` work item and a wake-up. With 80-byte lines (51 per "
        f"write, for information) the ratio was {_f(r80)}x: ``ldterm`` sends each line up as "
        "its own message, ``n_tty`` copies each to the reader from its buffer. "
        f"Profiles: strclone {_top(data, c + 'strclone/4096', 6)}; native "
        f"{_top(data, c + 'pty/4096', 5)}.")
