// SPDX-License-Identifier: GPL-2.0

//! Multiplexors: streams linked under a driver (`I_LINK`, `I_PLINK`), the
//! table of links, and what a link does to the lower stream.
//! `Documentation/strclone/multiplexors.rst` is the user-visible contract;
//! `head/link.rs` has the ioctls that drive what is here.
//!
//! # A link
//!
//! A multiplexing driver ([`MuxDriver`]) has a second pair of `qinit`s, its
//! lower side. Linking stream L under a stream U of that driver replaces
//! L's stream head queue pair by a queue pair of the driver's lower side:
//! a module instance ([`ModInst`]) at L's head level, in
//! `HeadState::link`, whose queues are L's two head queues with the lower
//! side's limits. Messages coming up L go to its read put procedure instead
//! of the stream head (`chain.rs`, `head/strrput.rs`); the driver sends
//! messages down L from its write queue (`l_qbot`). L's own file gives
//! `EINVAL` for everything but `close` while linked, and its last close
//! waits for the link: the link holds one of L's opens.
//!
//! ```text
//!                 I_LINK / I_PLINK on U, fd of L
//!                          |  checks (head/link.rs)
//!                          v
//!   MAKING    table entry, edge in the driver graph; L's head replaced by
//!             the lower pair, procedures off: what waited unread at L's
//!             head, and what comes up L now, is held on its read queue
//!             (MSGHELD); the M_IOCTL (linkblk) goes down U
//!                 |                                 |
//!             M_IOCACK                      M_IOCNAK, timeout, signal,
//!                 |                         hangup: undone (after an
//!                 v                         I_UNLINK to the driver if it
//!   LINKED    the held messages go through   may have seen the link); L's
//!             the lower read put procedure,  head back, the held data
//!             in order; procedures on        queued there again in order
//!                 |
//!                 |  I_UNLINK / I_PUNLINK (or U's last close for I_LINK)
//!                 v
//!   UNLINKING procedures off (what comes up is held), calls in flight
//!             waited for; the M_IOCTL (linkblk) goes down; a refusal
//!             (M_IOCNAK...) turns them on again, with what was held, and
//!             keeps the link, except at U's close
//!                 |  answered (or not, see below)
//!                 v
//!             the lower queues' data flushed (illumos' munlink), anything
//!             else (M_HANGUP, M_ERROR...) to L's head, which is back; the
//!             link's open of L released (L's last close if its file is
//!             gone)
//! ```
//!
//! The state moves to LINKED only once the procedures are on, so an unlink
//! never meets a link half made (it finds it being made: `EINVAL`).
//!
//! A lower pair the driver was never told it lost (an `I_LINK` or an
//! unlink at close it did not answer) may still be in its tables: that
//! pair is kept, unused, until U's last close has run the driver's close
//! ([`reap`]), after which the driver holds no queue of U's.
//!
//! # The table and the graph
//!
//! Every link is in one table (`glue::global::MUXES`), under a mutex taken
//! briefly by link and unlink (never while an ioctl waits). Mux ids come
//! from one counter and are never reused (illumos' `lnk_id`). The links
//! form a graph of driver majors (an edge from U's major to L's): a link
//! that would close a cycle in it is refused, so a stream of a driver is
//! never linked below another stream of the same driver, directly or not.
//! A pipe end as the lower stream makes no edge (illumos skips FIFOs).
//!
//! Lock order: `MUXES`, then a stream's lock.

use super::msg::{Mblk, MsgList, MsgType, MSGHELD};
use super::queue::{QENAB, QPCPROTO_MAX, QWANTR};
use super::stream::{
    DriverLimits, EntryUse, Inner, ModInst, ModName, MuxLower, Qid, Stream, HEAD_LIMITS, LVL_HEAD,
};
use crate::glue::global;
use crate::uapi::{NMAJOR, PIPE_MAJOR};
use core::sync::atomic::Ordering;
use kernel::{prelude::*, sync::Arc};

/// Where a link is in its life (see the module comment).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum LinkState {
    /// The driver has not acknowledged it yet.
    Making,
    /// Made.
    Linked,
    /// An unlink is in progress.
    Unlinking,
    /// Removed, but its lower pair waits for the controlling stream's
    /// close (the driver may still know it).
    Zombie,
}

/// One link in the table.
pub(crate) struct MuxLink {
    /// The mux id (`l_index`).
    pub(crate) id: i32,
    /// Made by `I_PLINK`.
    pub(crate) persistent: bool,
    /// The upper stream's driver major.
    pub(crate) upper_major: u32,
    /// The stream that made it ([`Stream::token`]): the one whose close
    /// removes an `I_LINK` link, and reaps a zombie.
    pub(crate) upper: u64,
    /// The lower stream's driver major; `None` for a pipe end (no edge).
    pub(crate) lower_major: Option<u32>,
    /// The lower stream.
    pub(crate) lower: Arc<Stream>,
    /// The multiplexor's lower pair on it.
    pub(crate) inst: Arc<ModInst>,
    /// `l_qtop` (0 for `I_PLINK`) and `l_qbot`.
    pub(crate) qtop: usize,
    pub(crate) qbot: usize,
    pub(crate) state: LinkState,
}

/// The links (`glue::global::MUXES`).
pub(crate) struct MuxTable {
    links: KVec<MuxLink>,
    /// The last mux id given.
    last_id: i32,
}

impl MuxTable {
    /// No link.
    pub(crate) const fn new() -> Self {
        Self {
            links: KVec::new(),
            last_id: 0,
        }
    }

    fn pos(&self, id: i32) -> Option<usize> {
        self.links.iter().position(|l| l.id == id)
    }

    /// Whether `from` reaches `to` along the edges of the graph.
    fn reaches(&self, from: u32, to: u32) -> bool {
        let mut seen = [0u64; NMAJOR / 64];
        let mut stack = [0u32; NMAJOR];
        let mut top = 0;
        let mark = |seen: &mut [u64; NMAJOR / 64], m: u32| {
            let (w, b) = ((m as usize / 64) % (NMAJOR / 64), m % 64);
            let new = seen[w] & (1 << b) == 0;
            seen[w] |= 1 << b;
            new
        };
        mark(&mut seen, from);
        stack[0] = from;
        top += 1;
        while top > 0 {
            top -= 1;
            let m = stack[top];
            if m == to {
                return true;
            }
            for l in self.links.iter().filter(|l| l.state != LinkState::Zombie) {
                let Some(down) = l.lower_major else { continue };
                if l.upper_major == m && mark(&mut seen, down) && top < NMAJOR {
                    stack[top] = down;
                    top += 1;
                }
            }
        }
        false
    }
}

impl Default for MuxTable {
    fn default() -> Self {
        Self::new()
    }
}

/// What a link is, as the ioctls that make and remove it need it.
#[derive(Clone)]
pub(crate) struct LinkInfo {
    pub(crate) id: i32,
    pub(crate) persistent: bool,
    pub(crate) upper: u64,
    pub(crate) lower: Arc<Stream>,
    pub(crate) inst: Arc<ModInst>,
    pub(crate) qtop: usize,
    pub(crate) qbot: usize,
}

impl LinkInfo {
    fn of(l: &MuxLink) -> Self {
        Self {
            id: l.id,
            persistent: l.persistent,
            upper: l.upper,
            lower: l.lower.clone(),
            inst: l.inst.clone(),
            qtop: l.qtop,
            qbot: l.qbot,
        }
    }
}

/// Starts linking `lower` under `upper` (state MAKING): `EINVAL` when the
/// lower stream is linked, busy (an ioctl or a push in progress), hung up,
/// has an error, or the link would close a cycle; `ENOSPC` when mux ids
/// ran out. On success `lower`'s head is the lower pair `low` (procedures
/// off) and the entry holds one open of `lower`.
pub(crate) fn begin_link(
    upper: &Arc<Stream>,
    lower: &Arc<Stream>,
    low: MuxLower,
    persistent: bool,
    qtop: usize,
) -> Result<LinkInfo> {
    let lower_major = (lower.major() != PIPE_MAJOR).then_some(lower.major());
    let name = ModName::of_builtin(upper.driver().name());
    let entry = KBox::new(LinkName(name), GFP_KERNEL_ACCOUNT)?;
    let inst = ModInst::new(lower, LVL_HEAD, low.procs, entry)?;
    let mut t = global::muxes();
    // In illumos' order: the lower stream's state, then a cycle.
    if !Stream::can_link(&lower.lock(), lower) {
        return Err(EINVAL);
    }
    if let Some(down) = lower_major {
        if down == upper.major() || t.reaches(down, upper.major()) {
            return Err(EINVAL);
        }
    }
    let id = t.last_id.checked_add(1).ok_or(ENOSPC)?;
    t.links.reserve(1, GFP_KERNEL)?;
    lower.lower_install(&inst, low.limits)?;
    t.last_id = id;
    let link = MuxLink {
        id,
        persistent,
        upper_major: upper.major(),
        upper: upper.token(),
        lower_major,
        lower: lower.clone(),
        inst,
        qtop: if persistent { 0 } else { qtop },
        qbot: low.qbot,
        state: LinkState::Making,
    };
    let info = LinkInfo::of(&link);
    // Reserved above.
    let _ = t.links.push(link, GFP_KERNEL);
    Ok(info)
}

/// The driver acknowledged link `id`: its procedures on (what was held
/// sent through them), then LINKED. Until then an unlink finds it being
/// made (`EINVAL`), so none can take the pair off while it goes on.
pub(crate) fn link_made(info: &LinkInfo) {
    info.lower.lower_on(&info.inst);
    let mut t = global::muxes();
    if let Some(p) = t.pos(info.id) {
        t.links[p].state = LinkState::Linked;
    }
}

/// Link `id` was not made: its lower stream gets its head back, with what
/// came up meanwhile, and its open back. `zombie`: the driver may know
/// the link (it was told, and did not answer its removal), so the lower
/// pair is kept until the upper stream's close ([`reap`]).
pub(crate) fn link_undo(info: &LinkInfo, zombie: bool) {
    info.lower.lower_off(&info.inst, false);
    remove(info.id, zombie.then_some(info.upper));
    info.lower.release(false);
}

/// The links an unlink of `id` (or every one, `MUXID_ALL`) from `upper`
/// removes: `I_UNLINK` (`persistent` false) the links `upper` made with
/// `I_LINK`, `I_PUNLINK` the persistent links of `upper`'s driver. Each is
/// UNLINKING until [`unlink_done`] or [`unlink_cancel`]. `EINVAL` for an id
/// that is no such link (or is being made or removed).
pub(crate) fn begin_unlink(
    upper: &Arc<Stream>,
    id: Option<i32>,
    persistent: bool,
) -> Result<KVec<LinkInfo>> {
    let mut t = global::muxes();
    let mine = |l: &MuxLink| {
        l.persistent == persistent
            && if persistent {
                l.upper_major == upper.major()
            } else {
                l.upper == upper.token()
            }
    };
    let mut out = KVec::new();
    for l in t.links.iter() {
        if mine(l) && l.state == LinkState::Linked && id.is_none_or(|i| i == l.id) {
            out.push(LinkInfo::of(l), GFP_KERNEL)?;
        }
    }
    if id.is_some() && out.is_empty() {
        return Err(EINVAL);
    }
    for l in t.links.iter_mut() {
        if out.iter().any(|o| o.id == l.id) {
            l.state = LinkState::Unlinking;
        }
    }
    Ok(out)
}

/// Link `info` (UNLINKING) is about to be removed: its lower procedures go
/// off until the driver has answered (what comes up meanwhile is held).
pub(crate) fn unlink_pause(info: &LinkInfo) {
    info.lower.lower_pause(&info.inst);
}

/// The driver refused to remove link `info` (paused): its procedures on
/// again, with what was held, then LINKED again.
pub(crate) fn unlink_cancel(info: &LinkInfo) {
    info.lower.lower_on(&info.inst);
    let mut t = global::muxes();
    if let Some(p) = t.pos(info.id) {
        t.links[p].state = LinkState::Linked;
    }
}

/// Removes link `info` (UNLINKING): its lower stream gets its head back and
/// the link's open back. `zombie`: the driver was asked by stream `by` and
/// did not answer, so the lower pair is kept until `by`'s close.
pub(crate) fn unlink_done(info: &LinkInfo, zombie: Option<&Stream>) {
    info.lower.lower_off(&info.inst, true);
    remove(info.id, zombie.map(|s| s.token()));
    info.lower.release(false);
}

/// Takes link `id` out of the table, or keeps it as a zombie of the stream
/// whose token is `zombie_of`.
fn remove(id: i32, zombie_of: Option<u64>) {
    let gone = {
        let mut t = global::muxes();
        let Some(p) = t.pos(id) else {
            return;
        };
        if let Some(up) = zombie_of {
            t.links[p].state = LinkState::Zombie;
            t.links[p].upper = up;
            return;
        }
        t.links.remove(p).ok()
    };
    // The lower pair and the stream reference go outside the table's lock.
    drop(gone);
}

/// The next link `upper` made with `I_LINK` (and is the controlling stream
/// of), for its last close to remove, UNLINKING; `None` when there is no
/// more. One at a time, so that the close allocates nothing.
pub(crate) fn next_to_close(upper: &Arc<Stream>) -> Option<LinkInfo> {
    let mut t = global::muxes();
    let l = t
        .links
        .iter_mut()
        .find(|l| !l.persistent && l.upper == upper.token() && l.state == LinkState::Linked)?;
    l.state = LinkState::Unlinking;
    Some(LinkInfo::of(l))
}

/// Frees the zombies `upper` made: its last close ran the driver's close.
pub(crate) fn reap(upper: &Arc<Stream>) {
    let mut t = global::muxes();
    let mut i = 0;
    while i < t.links.len() {
        let l = &t.links[i];
        if l.state == LinkState::Zombie && l.upper == upper.token() {
            // Under the mutex: the lower pair's drop may sleep-free only
            // (its provider reference, its callouts' table lock).
            drop(t.links.remove(i));
        } else {
            i += 1;
        }
    }
}

/// Calls `f` on every link (debugfs), under the table's lock.
pub(crate) fn for_each(mut f: impl FnMut(&MuxLink)) {
    let t = global::muxes();
    for l in t.links.iter() {
        f(l);
    }
}

/// Rounds of held messages [`Stream::lower_on`] sends through the lower
/// read put procedure before it turns the procedures on regardless.
const HELD_ROUNDS: u32 = 8;

impl Inner {
    /// Holds `m` on queue `q` of a linked stream's head level whose lower
    /// procedures are off: appended, in order, marked for the lower read
    /// put procedure, without a service procedure scheduled.
    pub(crate) fn hold(&mut self, q: Qid, mut m: Mblk) {
        if let Some(queue) = self.qm(q) {
            m.set_flag(MSGHELD);
            queue.append(m);
        }
    }
}

/// The name a linked lower pair reports (its driver's).
struct LinkName(ModName);

impl EntryUse for LinkName {
    fn name(&self) -> ModName {
        self.0
    }
}

impl Stream {
    /// A message for the head of a stream linked under a multiplexor (the
    /// paths that hand messages to the head directly): to the lower pair's
    /// read put procedure, or held on its queue while its procedures are
    /// off; back to the caller when the stream is no longer linked.
    pub(crate) fn put_lower(self: &Arc<Self>, m: Mblk) -> Option<Mblk> {
        let inst = {
            let mut inner = self.lock();
            let Some(inst) = inner.head.link.clone() else {
                return Some(m);
            };
            if !inst.procs_on.load(Ordering::SeqCst) {
                inner.hold(Qid::HeadR, m);
                return None;
            }
            inst.enter();
            inst
        };
        inst.procs.put(self, Qid::HeadR, m);
        inst.exit(self);
        None
    }

    /// Whether `inst` is still this stream's head level (a link removed
    /// meanwhile leaves its pair alone).
    fn is_lower(inner: &Inner, inst: &Arc<ModInst>) -> bool {
        inner
            .head
            .link
            .as_ref()
            .is_some_and(|l| Arc::ptr_eq(l, inst))
    }

    /// Makes `inst` this stream's head level (MAKING), procedures off, with
    /// the lower side's limits, holding one open for the link. What waits
    /// at the stream head is held for the lower read put procedure. `EINVAL`
    /// as [`begin_link`] says.
    fn lower_install(&self, inst: &Arc<ModInst>, lim: DriverLimits) -> Result {
        {
            let mut inner = self.lock();
            if !Self::can_link(&inner, self) {
                return Err(EINVAL);
            }
            // Messages arriving from now on go to the multiplexor.
            self.inbox_shut(&mut inner);
            inner.head.opens += 1;
            inner.head.link = Some(inst.clone());
            self.linked.store(true, Ordering::Release);
            let (unread, _) = inner.q[0].take_all();
            inner.q[0].set_qinit(lim.rlim, lim.rsrv, QPCPROTO_MAX);
            inner.q[1].set_qinit(lim.wlim, lim.wsrv, QPCPROTO_MAX);
            // As fresh queues: the first `putq` schedules the lower pair's
            // service procedure. The stream head's reads may have left the
            // read queue not wanting a reader, and nothing else would
            // schedule it.
            inner.q[0].set_flags(QWANTR);
            inner.q[1].set_flags(QWANTR);
            let mut unread = unread;
            while let Some(m) = unread.pop_front() {
                inner.hold(Qid::HeadR, m);
            }
        }
        // Readers and writers asleep on the stream find it linked (EINVAL).
        self.wait.notify_all();
        Ok(())
    }

    /// Whether this stream may be linked now: not linked, no push or
    /// ioctl in progress, not hung up, no error, open.
    fn can_link(inner: &Inner, s: &Stream) -> bool {
        let h = &inner.head;
        !(h.link.is_some()
            || h.plumbing
            || h.ioc_busy
            || h.hangup
            || h.rerr != 0
            || h.werr != 0
            || h.opens == 0
            || s.is_closed())
    }

    /// The link is made (or its removal was refused): what was held goes
    /// through the lower read put procedure, in order, then the procedures
    /// go on; the lower pair's service procedures run for what its queues
    /// hold. Arrivals meanwhile are held too, and go in the next round; a
    /// lower stream that keeps sending for [`HELD_ROUNDS`] rounds gets its
    /// procedures on before the last one (its newest messages may then
    /// overtake that round's).
    fn lower_on(self: &Arc<Self>, inst: &Arc<ModInst>) {
        for round in 1.. {
            let (mut held, last) = {
                let mut inner = self.lock();
                if !Self::is_lower(&inner, inst) {
                    return;
                }
                let (held, _) = inner.q[0].take_where(|m| m.flag() & MSGHELD != 0);
                let last = held.is_empty() || round >= HELD_ROUNDS;
                if last {
                    inst.procs_on.store(true, Ordering::SeqCst);
                }
                (held, last)
            };
            while let Some(mut m) = held.pop_front() {
                m.clear_flag(MSGHELD);
                inst.enter();
                inst.procs.put(self, Qid::HeadR, m);
                inst.exit(self);
            }
            if last {
                break;
            }
        }
        let due = {
            let inner = self.lock();
            [0, 1].map(|i| inner.q[i].has_service() && !inner.q[i].is_empty())
        };
        for (q, due) in [Qid::HeadR, Qid::HeadW].into_iter().zip(due) {
            if due {
                self.qenable(q);
            }
        }
    }

    /// The lower pair `inst`'s procedures go off, and the calls in flight
    /// are waited for: nothing calls them while their driver is told of an
    /// unlink (what comes up meanwhile is held). [`Self::lower_on`] turns
    /// them on again if the driver refuses.
    fn lower_pause(&self, inst: &Arc<ModInst>) {
        inst.procs_on.store(false, Ordering::SeqCst);
        let mut inner = self.lock();
        while inst.active.load(Ordering::SeqCst) != 0 {
            self.sleep_locked(&mut inner);
        }
    }

    /// Takes the lower pair `inst` off this stream's head level: procedures
    /// off, calls in flight waited for, callbacks it left cancelled (its
    /// `close`), the stream head's queue pair back. `made`: the link
    /// existed, and the data its queues hold is flushed (illumos'
    /// `munlink`); otherwise it was being made, and the data goes back to
    /// the stream head, in order. Anything else that came up (`M_HANGUP`,
    /// `M_ERROR`, `M_FLUSH`...) goes to the stream head afterwards.
    fn lower_off(self: &Arc<Self>, inst: &Arc<ModInst>, made: bool) {
        self.lower_pause(inst);
        inst.procs.close(self, Qid::HeadR);
        let (mut ctl, gone, back) = {
            let mut inner = self.lock();
            let [(mut r, back), (w, _)] = [0, 1].map(|i| inner.q[i].take_all());
            for (i, q) in inner.q[..2].iter_mut().enumerate() {
                let pc = if i == 0 { 1 } else { QPCPROTO_MAX };
                q.set_qinit(HEAD_LIMITS, false, pc);
                q.clear_flags(QENAB);
            }
            inner.head.link = None;
            self.linked.store(false, Ordering::Release);
            let (mut ctl, mut gone) = (MsgList::new(), w);
            while let Some(mut m) = r.pop_front() {
                m.clear_flag(MSGHELD);
                let data = matches!(
                    m.ty(),
                    MsgType::Data | MsgType::Proto | MsgType::PcProto | MsgType::PassFp
                );
                match (data, made) {
                    (false, _) => ctl.push_back(m),
                    (true, true) => gone.push_back(m),
                    // Under the lock that took them: nothing arriving at
                    // the restored stream head can come before them.
                    (true, false) => {
                        // Readers are woken below, whatever this says.
                        let _ = self.head_putq_locked(&mut inner, m);
                    }
                }
            }
            (ctl, gone, back)
        };
        drop(gone);
        while let Some(m) = ctl.pop_front() {
            self.strrput(m);
        }
        // The driver below may have stopped for the full lower read queue:
        // it goes on now that the stream head has it (or it would wait for
        // a reader of a queue it never filled).
        if back {
            self.back_enable(Qid::HeadR);
        }
        self.wait.notify_all();
    }
}
