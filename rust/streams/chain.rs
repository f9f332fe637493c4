// SPDX-License-Identifier: GPL-2.0

//! The module chain of a stream: routing messages from queue to queue, and
//! pushing and popping modules.
//!
//! # Levels and routing
//!
//! A stream's levels are, top down: the stream head, the pushed modules
//! (`Inner::mods`, topmost first, each a [`ModState`] with its two queues
//! and its [`ModInst`]), the driver. `putnext(q)` finds the queue after `q`
//! (downward for a write queue, upward for a read queue) under the stream
//! lock and calls its put procedure after dropping it. With nothing pushed
//! (`Stream::nmods == 0`) the head and the driver call each other directly,
//! without the lock, as they did before modules existed.
//!
//! # A module's life (SVR4's `qattach`/`qprocson`/`qprocsoff`/`qdetach`)
//!
//! ```text
//!   I_PUSH ──► linked, procs off ──open ok──► procs on ──I_POP/close──┐
//!                  │                                                   ▼
//!                  └──open refused──► draining ◄──────────── procs off, close
//!                                       │
//!                                       └──queues empty, no call in flight──► unlinked
//! ```
//!
//! - *Linked, procs off*: the module's queues are in the chain before its
//!   open runs, so the open may send messages (an `M_SETOPTS` up, say). A
//!   message that reaches a module whose procedures are off is not given to
//!   it: the framework passes it on, or queues it behind messages already
//!   waiting there so that order is kept.
//! - *Procs on*: put and service procedures run. Every call into the module
//!   is counted in [`ModInst::active`] (taken under the stream lock when the
//!   call is routed, dropped after it returns).
//! - *Pop* (`I_POP`, and every module at the last close): procedures off,
//!   wait until no call is in flight, call the module's close, then *drain*:
//!   the messages left on its queues go on to the next queues, in order,
//!   by their put procedures. No message is lost by a pop (SVR4 frees them;
//!   strclone keeps them because a pop under traffic must lose nothing).
//! - *Unlinked*: under the lock, once its queues are empty and no routed
//!   call is in flight. A `Qid` of the popped module names no queue any
//!   more; operations on it do nothing.
//!
//! Push and pop of one stream are serialised by `HeadState::plumbing`
//! (a sleeping flag, as the `I_STR` slot is); routing never waits for it.

use super::modsw::{EntryRef, ModName};
use super::msg::{Mblk, MsgType};
use super::queue::{Queue, QENAB, QINSERVICE, QPCPROTO_MAX};
use super::stream::{
    EntryUse, Inner, ModInst, ModState, OpenHow, PutKind, Qid, Stream, LVL_DRV, LVL_HEAD,
};
use core::sync::atomic::Ordering;
use kernel::{prelude::*, sync::Arc};

/// Where `putnext` goes.
enum Target {
    /// Nowhere: the end of the stream, or a queue that no longer exists.
    None,
    /// The stream head's read put procedure.
    Head,
    /// The driver's write put procedure.
    Driver,
    /// A module's queue; the instance's `active` count was raised.
    Module(Qid, Arc<ModInst>),
    /// The queue of a module whose put procedure is
    /// [`PutKind::PassOrQueue`] and could not pass the message on: the
    /// caller queues it there, under the lock it still holds.
    Queue(Qid),
    /// A queue of a multiplexor's lower pair whose procedures are off (the
    /// link is being made or removed, `mux.rs`): the message waits there,
    /// appended under the lock, without its service procedure.
    Held(Qid),
}

/// What is left to do, outside the lock, for a message routed under it.
enum Routed {
    /// Call a put procedure.
    Call(Target, Mblk),
    /// Run a queue's service procedure soon (the message was queued).
    Schedule(Qid, Option<Arc<ModInst>>),
    /// A data message was queued at the stream head under the lock that
    /// routed it, as `strrput` would have queued it; wake the head's
    /// readers if the claim made under that lock says so (`sleep.rs`).
    HeadQueued(bool),
    /// Nothing.
    Done,
}

impl Inner {
    /// The level after `lvl` in direction `rd` (up for read queues).
    fn next_lvl(&self, lvl: u32, rd: bool) -> Option<u32> {
        let n = self.mods.len();
        let pos = match lvl {
            LVL_HEAD => None,
            LVL_DRV => Some(n),
            l => Some(self.mod_pos(l)?),
        };
        if rd {
            match pos {
                None => None,
                Some(0) => Some(LVL_HEAD),
                Some(p) => Some(self.mods[p - 1].lvl),
            }
        } else {
            let p = match pos {
                None => 0,
                Some(p) if p >= n => return None,
                Some(p) => p + 1,
            };
            Some(self.mods.get(p).map_or(LVL_DRV, |m| m.lvl))
        }
    }

    /// The queue after `q` (`q->q_next`).
    pub(crate) fn next(&self, q: Qid) -> Option<Qid> {
        Some(Qid {
            lvl: self.next_lvl(q.lvl, q.rd)?,
            rd: q.rd,
        })
    }

    /// The queue before `q` (`backq(q)`): the one whose `q_next` is `q`.
    pub(crate) fn prev(&self, q: Qid) -> Option<Qid> {
        Some(Qid {
            lvl: self.next_lvl(q.lvl, !q.rd)?,
            rd: q.rd,
        })
    }

    /// The queue whose flow control a message put from `q` on meets (the
    /// search of SVR4's `bcanput`): the first queue from `q` on that has a
    /// service procedure, or the last one. A module whose procedures are
    /// off is passed over (it passes messages on). `None` when no queue
    /// decides (the chain ends in a passed-over module, or `q` is gone):
    /// anything can be put.
    pub(crate) fn flow_queue_from(&self, q: Qid) -> Option<Qid> {
        let mut cur = q;
        loop {
            let next = self.next(cur);
            let off = cur.is_module()
                && self
                    .mod_pos(cur.lvl)
                    .is_some_and(|p| !self.mods[p].inst.procs_on.load(Ordering::SeqCst));
            if !off {
                let queue = self.qr(cur)?;
                if queue.has_service() || next.is_none() {
                    return Some(cur);
                }
            }
            cur = next?;
        }
    }

    /// SVR4 `bcanput` from queue `q` on: the queue [`Self::flow_queue_from`]
    /// finds decides for band `band`; a full one remembers that a writer
    /// waits (`QWANTW`/`QB_WANTW`).
    pub(crate) fn bcanput_from(&mut self, q: Qid, band: u8) -> bool {
        match self.flow_queue_from(q).and_then(|f| self.qm(f)) {
            Some(queue) => queue.bcanput(band),
            None => true,
        }
    }

    /// SVR4 `bcanputnext(q, band)`.
    pub(crate) fn bcanputnext(&mut self, q: Qid, band: u8) -> bool {
        match self.next(q) {
            Some(n) => self.bcanput_from(n, band),
            None => true,
        }
    }

    /// `POLLWRBAND` for the queue after `q`: the queue that decides flow
    /// control there ([`Self::flow_queue_from`]) could take a message of
    /// some band above 0 ([`Queue::any_band_writable`]).
    pub(crate) fn any_band_writable_next(&mut self, q: Qid) -> bool {
        let Some(n) = self.next(q) else {
            return true;
        };
        match self.flow_queue_from(n).and_then(|f| self.qm(f)) {
            Some(queue) => queue.any_band_writable(),
            None => true,
        }
    }

    /// SVR4 `canputnext(q)`: band 0.
    pub(crate) fn canputnext(&mut self, q: Qid) -> bool {
        self.bcanputnext(q, 0)
    }

    /// Where message `m` for `next` goes. Passed over here, under the
    /// lock, without counting a call into the module:
    ///
    /// - a module whose procedures are off (being pushed or popped) with
    ///   nothing waiting on that side: a pop waiting for the module's calls
    ///   to drain is then never kept waiting by traffic, only by calls
    ///   already inside;
    /// - a module whose put procedure is declared ([`PutKind`]) when the
    ///   declaration says the message goes on. When it says the message is
    ///   queued, that queue is the answer ([`Target::Queue`]).
    fn target(&mut self, mut next: Option<Qid>, m: &Mblk) -> Target {
        let ty = m.ty();
        loop {
            let Some(n) = next else {
                return Target::None;
            };
            match n.lvl {
                LVL_HEAD => {
                    // Linked under a multiplexor: its lower pair is here.
                    let Some(inst) = &self.head.link else {
                        return Target::Head;
                    };
                    if !inst.procs_on.load(Ordering::SeqCst) {
                        return Target::Held(n);
                    }
                    let inst = inst.clone();
                    inst.enter();
                    return Target::Module(n, inst);
                }
                LVL_DRV => return Target::Driver,
                _ => {}
            }
            let Some(p) = self.mod_pos(n.lvl) else {
                return Target::None;
            };
            let st = &self.mods[p];
            let q = &st.q[usize::from(!n.rd)];
            let (put, flags, empty) = (st.put, q.flags(), q.is_empty());
            if !st.inst.procs_on.load(Ordering::SeqCst) {
                if empty && flags & QINSERVICE == 0 {
                    next = self.next(n);
                    continue;
                }
            } else if ty != MsgType::Flush {
                match put {
                    PutKind::Own => {}
                    PutKind::Next => {
                        next = self.next(n);
                        continue;
                    }
                    PutKind::PassOrQueue => {
                        if ty.is_hipri() || self.can_pass_on(n, n, m.band()) {
                            next = self.next(n);
                            continue;
                        }
                        return Target::Queue(n);
                    }
                }
            }
            let inst = self.mods[p].inst.clone();
            inst.enter();
            return Target::Module(n, inst);
        }
    }

    /// Routes `m` on from queue `from` ([`Self::target`] of the queue after
    /// it); a message for a module's queue is queued here.
    fn route(&mut self, from: Qid, m: Mblk) -> Routed {
        let next = self.next(from);
        self.route_to(next, m)
    }

    /// Routes `m` to queue `to` ([`Self::target`] of it); a message for a
    /// module's queue is queued here.
    fn route_to(&mut self, to: Option<Qid>, m: Mblk) -> Routed {
        match self.target(to, &m) {
            Target::Queue(q) => {
                if self.putq(q, m) {
                    Routed::Schedule(q, Stream::inst_for(self, q))
                } else {
                    Routed::Done
                }
            }
            Target::Held(q) => {
                self.hold(q, m);
                Routed::Done
            }
            t => Routed::Call(t, m),
        }
    }
}

impl Stream {
    /// SVR4 `putnext(q, m)`: the put procedure of the queue after `q`.
    pub(crate) fn putnext(self: &Arc<Self>, q: Qid, m: Mblk) {
        if self.nmods.load(Ordering::Acquire) == 0 && !q.is_module() {
            // Nothing pushed: the head and the driver are next to each other.
            match (q.lvl, q.rd) {
                (LVL_HEAD, false) => self.driver.wput(self, m),
                (LVL_DRV, true) => self.put_head(m),
                _ => drop(m),
            }
            return;
        }
        let r = {
            let mut inner = self.lock();
            let r = inner.route(q, m);
            self.head_in_lock(&mut inner, r)
        };
        self.finish(r);
    }

    /// A data message routed to the stream head is queued there at once,
    /// under the lock that routed it: what `put_head` does for `M_DATA`,
    /// `M_PROTO` and `M_PCPROTO` (`head_putq_locked`, arrival signals
    /// included), without taking the lock a second time.
    fn head_in_lock(&self, inner: &mut Inner, r: Routed) -> Routed {
        match r {
            Routed::Call(Target::Head, m)
                if matches!(m.ty(), MsgType::Data | MsgType::Proto | MsgType::PcProto) =>
            {
                if self.is_closed() {
                    // Freed by `finish`, after the lock (an `esballoc`
                    // buffer's free routine must not run under it).
                    return Routed::Call(Target::None, m);
                }
                Routed::HeadQueued(self.head_putq_locked(inner, m))
            }
            r => r,
        }
    }

    /// SVR4 `put(q, m)`: the put procedure of queue `q` itself (what
    /// `putctl` calls).
    pub(crate) fn put(self: &Arc<Self>, q: Qid, m: Mblk) {
        let r = {
            let mut inner = self.lock();
            let r = inner.route_to(Some(q), m);
            self.head_in_lock(&mut inner, r)
        };
        self.finish(r);
    }

    /// The standard put procedure (see [`PutKind::PassOrQueue`]) of a
    /// module or driver that passes a message on from `from` when nothing
    /// of its own waits on `own`, and queues it on `own` otherwise (then
    /// `own`'s service procedure moves it on). High-priority messages
    /// always go on. One lock round trip, in which the next put procedure
    /// is found too.
    pub(crate) fn pass_or_queue(self: &Arc<Self>, own: Qid, from: Qid, m: Mblk) {
        let r = {
            let mut inner = self.lock();
            if m.ty().is_hipri() || inner.can_pass_on(own, from, m.band()) {
                let r = inner.route(from, m);
                self.head_in_lock(&mut inner, r)
            } else if !self.is_closed() && inner.putq(own, m) {
                Routed::Schedule(own, Self::inst_for(&inner, own))
            } else {
                Routed::Done
            }
        };
        self.finish(r);
    }

    /// Does what routing under the lock left to do.
    fn finish(self: &Arc<Self>, r: Routed) {
        match r {
            Routed::Call(t, m) => self.call_put(t, m),
            Routed::Schedule(q, inst) => self.schedule(q, inst),
            Routed::HeadQueued(wake) => self.wake_if(wake),
            Routed::Done => {}
        }
    }

    fn call_put(self: &Arc<Self>, t: Target, m: Mblk) {
        match t {
            Target::None | Target::Queue(_) | Target::Held(_) => drop(m),
            Target::Head => self.put_head(m),
            Target::Driver => self.driver.wput(self, m),
            Target::Module(q, inst) => {
                if inst.procs_on.load(Ordering::Acquire) {
                    inst.procs.put(self, q, m);
                } else {
                    self.bypass_put(q, m);
                }
                inst.exit(self);
            }
        }
    }

    /// A message for a module whose procedures are off: it goes on past
    /// the module, unless messages wait on the queue (or are being moved on
    /// by a pop), which it then joins, to keep their order.
    fn bypass_put(self: &Arc<Self>, q: Qid, m: Mblk) {
        let r = {
            let mut inner = self.lock();
            if q.lvl == LVL_HEAD {
                // A multiplexor's lower pair, being linked or unlinked: the
                // message waits on its queue (`mux.rs`).
                inner.hold(q, m);
                return;
            }
            let waiting = inner
                .qr(q)
                .is_some_and(|queue| !queue.is_empty() || queue.flags() & QINSERVICE != 0);
            if waiting {
                if let Some(queue) = inner.qm(q) {
                    // Not `Queue::putq`: no service procedure is scheduled,
                    // the pop moves these on.
                    queue.append(m);
                }
                return;
            }
            inner.route(q, m)
        };
        self.finish(r);
    }

    /// SVR4 `bcanput(q, band)`: can queue `q` (or the first queue from it
    /// on with a service procedure) take a normal message of band `band`?
    pub(crate) fn bcanput(&self, q: Qid, band: u8) -> bool {
        self.lock().bcanput_from(q, band)
    }

    /// SVR4 `canputnext(q)`: can the queue after `q` take a normal message?
    pub(crate) fn canputnext(&self, q: Qid) -> bool {
        self.lock().canputnext(q)
    }

    /// SVR4 `bcanputnext(q, band)`: can the queue after `q` take a normal
    /// message of band `band`?
    pub(crate) fn bcanputnext(&self, q: Qid, band: u8) -> bool {
        self.lock().bcanputnext(q, band)
    }

    /// Enables the nearest queue behind `q` that has a service procedure
    /// (`backenable`); behind the head's write queue are the writers, who
    /// are woken.
    pub(crate) fn back_enable(self: &Arc<Self>, q: Qid) {
        match self.back_target(q) {
            (Some(Qid::HeadW), None) => self.wait.notify_all(),
            (Some(p), inst) => self.schedule(p, inst),
            (None, _) => {}
        }
    }

    /// [`Self::back_enable`] that runs the service procedure it enables at
    /// once, in the caller's context, instead of from its work item: for a
    /// reader that just drained the stream head (process context, no lock
    /// held), whose next read wants exactly what that service procedure
    /// moves up. This is SVR4's running of enabled queues on the way out of
    /// a system call; it saves a hand-off to a worker and back per refill.
    /// A run already in progress elsewhere is not joined: it runs again.
    pub(crate) fn back_enable_now(self: &Arc<Self>, q: Qid) {
        match self.back_target(q) {
            (Some(Qid::HeadW), None) => self.wait.notify_all(),
            (Some(p), inst) => self.run_service(p, inst.as_ref()),
            (None, _) => {}
        }
    }

    /// The queue [`Self::back_enable`] enables behind `q` (marked `QENAB`),
    /// with its module instance (a linked stream's head level has the
    /// multiplexor's lower pair: `HeadW` with its instance); `HeadW` without
    /// one for the writers.
    fn back_target(self: &Arc<Self>, q: Qid) -> (Option<Qid>, Option<Arc<ModInst>>) {
        let mut inner = self.lock();
        let mut cur = q;
        loop {
            let Some(p) = inner.prev(cur) else {
                // Behind the head's write queue: the writers (and the
                // processes that asked for a signal). Behind the driver's
                // read queue: nothing in this stream (a driver that feeds
                // it from elsewhere enables that).
                if q.rd {
                    break (None, None);
                }
                if inner.head.sigflags != 0 {
                    self.writable_sig(&mut inner);
                }
                break (Some(Qid::HeadW), None);
            };
            let Some(queue) = inner.qm(p) else {
                break (None, None);
            };
            if queue.has_service() {
                if queue.flags() & QENAB != 0 {
                    break (None, None);
                }
                queue.set_flags(QENAB);
                break (Some(p), Self::inst_for(&inner, p));
            }
            cur = p;
        }
    }

    // ---- Push and pop ------------------------------------------------------

    /// Waits for the stream's plumbing slot (push, pop, reopen) and takes
    /// it. `ENXIO` once the stream hung up (SVR4's answer for plumbing a
    /// hung-up stream), `EINTR`-like `ERESTARTSYS` on a signal.
    pub(crate) fn claim_plumbing(&self) -> Result {
        let mut inner = self.lock();
        loop {
            // Linked under a multiplexor since the ioctl's first check.
            if inner.head.link.is_some() {
                return Err(EINVAL);
            }
            if inner.head.hangup {
                return Err(ENXIO);
            }
            if !inner.head.plumbing {
                inner.head.plumbing = true;
                return Ok(());
            }
            if self.sleep_locked_interruptible(&mut inner) {
                return Err(ERESTARTSYS);
            }
        }
    }

    /// Gives the plumbing slot back.
    pub(crate) fn release_plumbing(&self) {
        self.lock().head.plumbing = false;
        self.wait.notify_all();
    }

    /// Pushes a module of `entry` below the stream head and opens it
    /// (`MODOPEN`). The caller holds the plumbing slot and checked the
    /// push limit. The module's own errno if its open refuses; nothing is
    /// left of it then.
    pub(crate) fn push(self: &Arc<Self>, entry: EntryRef) -> Result {
        let lim = entry.limits();
        let lvl = {
            let mut inner = self.lock();
            let l = inner.next_lvl;
            inner.next_lvl = inner.next_lvl.wrapping_add(1).max(1);
            if inner.next_lvl == LVL_DRV {
                inner.next_lvl = 1;
            }
            l
        };
        let (procs, instance) = entry.make(self, lvl)?;
        let put = entry.put();
        let entry: KBox<dyn EntryUse> = KBox::new(instance, GFP_KERNEL_ACCOUNT)?;
        let inst = ModInst::new(self, lvl, procs, entry)?;
        let st = ModState {
            lvl,
            q: [
                Queue::new(lim.rlim, lim.rsrv, QPCPROTO_MAX),
                Queue::new(lim.wlim, lim.wsrv, QPCPROTO_MAX),
            ],
            put,
            inst: inst.clone(),
        };
        {
            let mut inner = self.lock();
            // Messages arriving from now on go through the module.
            self.inbox_shut(&mut inner);
            // At most `nstrpush` entries: the vector grows a few times in a
            // stream's life, never under memory pressure for long.
            inner.mods.reserve(1, GFP_ATOMIC)?;
            if inner.mods.insert_within_capacity(0, st).is_err() {
                return Err(ENOMEM);
            }
            self.nmods.store(inner.mods.len() as u8, Ordering::Release);
        }
        let q = Qid { lvl, rd: true };
        match inst.procs.open(self, q, OpenHow::Push) {
            Ok(()) => {
                inst.procs_on.store(true, Ordering::SeqCst);
                // qprocson: what the open queued gets its service run, and
                // if a queue below waited for room in the queue above the
                // new module's read queue, it is enabled to look again at
                // the new queue in between (else a reader draining the
                // queue above would enable the new module's empty service,
                // and nothing more). Nothing waited: no work is scheduled.
                let rq = Qid { lvl, rd: true };
                let (queued, waits) = {
                    let inner = self.lock();
                    let queued = [true, false]
                        .map(|rd| inner.qr(Qid { lvl, rd }).is_some_and(|x| !x.is_empty()));
                    let waits = inner
                        .next(rq)
                        .and_then(|a| inner.qr(a))
                        .is_some_and(|a| a.writer_waits());
                    (queued, waits)
                };
                for (rd, queued) in [true, false].into_iter().zip(queued) {
                    if queued {
                        self.qenable(Qid { lvl, rd });
                    }
                }
                if waits {
                    self.back_enable(rq);
                }
                Ok(())
            }
            Err(e) => {
                self.unplug(&inst, false);
                Err(e)
            }
        }
    }

    /// Pops the topmost module: procedures off, its close, its queued
    /// messages moved on, unlinked. `EINVAL` with nothing pushed. `force`
    /// (the last close) ignores the anchor; otherwise popping at or below
    /// it needs `admin` (`EPERM`).
    pub(crate) fn pop(self: &Arc<Self>, admin: bool) -> Result {
        self.pop_top_checked(false, admin)
    }

    /// Pops the topmost module at the last close.
    pub(crate) fn pop_top(self: &Arc<Self>, force: bool) -> Result {
        self.pop_top_checked(force, true)
    }

    fn pop_top_checked(self: &Arc<Self>, force: bool, admin: bool) -> Result {
        let inst = {
            let mut inner = self.lock();
            let n = inner.mods.len();
            let Some(top) = inner.mods.first() else {
                return Err(EINVAL);
            };
            let inst = top.inst.clone();
            if !force && inner.head.anchor != 0 && n <= usize::from(inner.head.anchor) && !admin {
                return Err(EPERM);
            }
            if !force && inner.head.anchor != 0 && n <= usize::from(inner.head.anchor) {
                // A privileged pop through the anchor removes it.
                inner.head.anchor = 0;
            }
            inst.procs_on.store(false, Ordering::SeqCst);
            inst
        };
        // qprocsoff: wait until no call is inside the module.
        {
            let mut inner = self.lock();
            while inst.active.load(Ordering::SeqCst) != 0 {
                self.sleep_locked(&mut inner);
            }
        }
        inst.procs.close(
            self,
            Qid {
                lvl: inst.lvl,
                rd: true,
            },
        );
        self.unplug(&inst, force);
        Ok(())
    }

    /// Moves the messages on a module's queues on and unlinks it; its
    /// procedures are already off. `closing`: the stream's last close, when
    /// nothing below needs waking.
    fn unplug(self: &Arc<Self>, inst: &Arc<ModInst>, closing: bool) {
        // Its timeout goes first, for good (after its close, which may
        // not arm one: procedures are off).
        inst.shut_timeout(true);
        let lvl = inst.lvl;
        loop {
            for rd in [false, true] {
                let q = Qid { lvl, rd };
                loop {
                    let m = {
                        let mut inner = self.lock();
                        let Some(queue) = inner.qm(q) else {
                            break;
                        };
                        match queue.getq().0 {
                            Some(m) => {
                                queue.set_flags(QINSERVICE);
                                m
                            }
                            None => {
                                queue.clear_flags(QINSERVICE);
                                break;
                            }
                        }
                    };
                    let r = {
                        let mut inner = self.lock();
                        inner.route(q, m)
                    };
                    self.finish(r);
                }
            }
            let gone = {
                let mut inner = self.lock();
                let Some(pos) = inner.mod_pos(lvl) else {
                    return;
                };
                let st = &inner.mods[pos];
                let idle =
                    st.q.iter()
                        .all(|q| q.is_empty() && q.flags() & QINSERVICE == 0)
                        && inst.active.load(Ordering::SeqCst) == 0;
                if idle {
                    let st = inner.mods.remove(pos);
                    let n = inner.mods.len();
                    self.nmods.store(n as u8, Ordering::Release);
                    // An anchor above what is left is gone (illumos resets
                    // it when the push count drops below it).
                    if usize::from(inner.head.anchor) > n {
                        inner.head.anchor = 0;
                    }
                    st.ok()
                } else {
                    None
                }
            };
            if let Some(st) = gone {
                // A queue below waited for room in the popped read queue.
                let below_waits = st.q[0].writer_waits();
                // The queue pair and the instance's chain reference go
                // outside the lock; a queued service work item may still
                // hold the instance: it finds the level gone.
                drop(st);
                // Writers that waited for room in the popped module's write
                // queue now face the next one; the read queue below it that
                // waited for room in its read queue now faces the queue
                // above, and is enabled to look at it.
                self.wait.notify_all();
                if !closing && below_waits {
                    self.back_enable(Qid::HeadR);
                }
                return;
            }
            // A routed call is still in flight: let it finish.
            let mut inner = self.lock();
            if inst.active.load(Ordering::SeqCst) != 0 {
                self.sleep_locked(&mut inner);
            }
        }
    }

    /// The reopen rule: another open of this stream calls every module's
    /// open (top down), then the driver's. The first refusal fails the open
    /// with its errno; nothing changes. A stream linked under a
    /// multiplexor cannot be opened again (`EINVAL`).
    pub(crate) fn reopen(self: &Arc<Self>) -> Result {
        // Linked under a multiplexor: its file may only be closed, and no
        // other may be opened on it.
        if self.linked.load(Ordering::Acquire) {
            return Err(EINVAL);
        }
        self.claim_plumbing()?;
        let insts: KVec<Arc<ModInst>> = {
            let inner = self.lock();
            let mut v = KVec::new();
            for m in inner.mods.iter() {
                if v.push(m.inst.clone(), GFP_ATOMIC).is_err() {
                    drop(inner);
                    self.release_plumbing();
                    return Err(ENOMEM);
                }
            }
            v
        };
        let mut r = Ok(());
        for i in insts.iter() {
            let q = Qid {
                lvl: i.lvl,
                rd: true,
            };
            r = i.procs.open(self, q, OpenHow::Reopen);
            if r.is_err() {
                break;
            }
        }
        if r.is_ok() {
            r = self.driver.reopen(self);
        }
        self.release_plumbing();
        r
    }

    /// The names of the pushed modules, topmost first, into `out`
    /// (`I_LIST`, `I_LOOK`, debugfs, fdinfo).
    pub(crate) fn module_names(&self, out: &mut [Option<ModName>]) -> usize {
        let inner = self.lock();
        for (slot, m) in out.iter_mut().zip(inner.mods.iter()) {
            *slot = Some(m.inst.name());
        }
        inner.mods.len()
    }

    /// Snapshot for debugfs: files open, (messages, bytes) of the head's
    /// and the driver's queues, and the high-priority messages the queues
    /// freed beyond their allowance.
    pub(crate) fn stats(&self) -> (u32, [(usize, usize); 4], u32) {
        let inner = self.lock();
        let qs = [0, 1, 2, 3].map(|i| (inner.q[i].msgs(), inner.q[i].count()));
        (inner.head.opens, qs, inner.head.pcproto_freed)
    }

    /// (messages, bytes) of each pushed module's read and write queue,
    /// topmost first, into `out`; returns how many modules are pushed.
    pub(crate) fn module_stats(&self, out: &mut [[(usize, usize); 2]]) -> usize {
        let inner = self.lock();
        for (slot, m) in out.iter_mut().zip(inner.mods.iter()) {
            *slot = [0, 1].map(|i| (m.q[i].msgs(), m.q[i].count()));
        }
        inner.mods.len()
    }
}
