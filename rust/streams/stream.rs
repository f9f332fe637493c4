// SPDX-License-Identifier: GPL-2.0

//! A stream: the stream head's queue pair, the queue pairs of the modules
//! pushed on it, and the driver's queue pair.
//!
//! ```text
//!   user   read/getmsg ^                     | write/putmsg/ioctl
//!          HeadR (strrput, no service)   HeadW (no service)
//!            ^ putnext                       | putnext
//!          ModR (put / srv)  module 1    ModW (put / srv)     pushed last
//!            ^                               |
//!          ModR              module n    ModW                 pushed first
//!            ^                               |
//!          DrvR (rput / rsrv)  driver    DrvW (wput / wsrv)
//! ```
//!
//! Every queue of a stream, the order of the levels and the stream head's
//! state live under one spinlock ([`Stream::inner`]); `chain.rs` routes
//! messages along the levels and pushes and pops modules. The locking and
//! context rules (`Documentation/strclone/streams.rst`, "Locking"):
//!
//! - Put procedures run in process context and must not sleep (their
//!   caller may hold a spinlock; the stream lock is not IRQ-safe, so
//!   interrupt-context data goes through a work item first); service
//!   procedures run from strclone's workqueue, one work item per queue,
//!   or in the read of a reader that drained the stream head, or in the
//!   write of a writer whose message enabled the driver's queue, never
//!   concurrently with themselves (`QINSERVICE`), and must not sleep.
//! - No lock is held while a put, service, open or close procedure runs:
//!   the stream lock is taken to find the next queue and to change a
//!   queue's state, and dropped before the procedure is called.

use super::msg::{Mblk, MsgType, RNORM};
use super::queue::{Putq, QLimits, Queue, QENAB, QINSERVICE, QNOENB, QPCPROTO_MAX};
use super::runtime::RuntimeOf;
use crate::glue::pgrp::Pgrp;
use crate::glue::sigpoll::{Fasync, ProcRef};
use crate::uapi::FMNAMESZ;
use core::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering};
use kernel::{
    fs::File,
    impl_has_work, new_spinlock, new_work,
    prelude::*,
    sync::{poll::PollCondVarBox, Arc, SpinLock},
    time::hrtimer::{ArcHrTimerHandle, HrTimer},
    workqueue::Work,
};

/// The runtime every stream shares (workqueue and table of open streams).
pub(crate) type Runtime = RuntimeOf<Stream>;

/// The level of the stream head.
pub(crate) const LVL_HEAD: u32 = 0;
/// The level of the driver.
pub(crate) const LVL_DRV: u32 = u32::MAX;

/// One queue of a stream (SVR4's `queue_t *`): a level (the head, a pushed
/// module, the driver) and a side. A module's level is a number unique in
/// its stream, so a `Qid` kept past a pop names no queue (and the
/// operations on it do nothing).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) struct Qid {
    pub(crate) lvl: u32,
    pub(crate) rd: bool,
}

#[allow(non_upper_case_globals)]
impl Qid {
    /// Stream head, read side.
    pub(crate) const HeadR: Qid = Qid {
        lvl: LVL_HEAD,
        rd: true,
    };
    /// Stream head, write side.
    pub(crate) const HeadW: Qid = Qid {
        lvl: LVL_HEAD,
        rd: false,
    };
    /// Driver, read side.
    pub(crate) const DrvR: Qid = Qid {
        lvl: LVL_DRV,
        rd: true,
    };
    /// Driver, write side.
    pub(crate) const DrvW: Qid = Qid {
        lvl: LVL_DRV,
        rd: false,
    };

    /// The other queue of the pair (`OTHERQ(q)`).
    pub(crate) fn other(self) -> Qid {
        Qid {
            rd: !self.rd,
            ..self
        }
    }

    /// Whether this is a read queue.
    pub(crate) fn is_read(self) -> bool {
        self.rd
    }

    /// Whether this is a queue of a pushed module.
    pub(crate) fn is_module(self) -> bool {
        self.lvl != LVL_HEAD && self.lvl != LVL_DRV
    }
}

/// Why a target's open is called (SVR4's `sflag`).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum SFlag {
    /// A direct open of the target's own node.
    Normal,
    /// An open through the clone driver.
    CloneOpen,
}

/// Per-stream hooks for ioctls a target handles itself (ptm's `UNLKPT`...).
/// Returning `None` means "not mine".
pub(crate) trait TargetIoctl {
    /// Handles `cmd` on stream `s` opened as `file`.
    fn ioctl(&self, s: &Arc<Stream>, file: &File, cmd: u32, arg: usize) -> Option<Result<isize>>;
}

/// A STREAMS driver instance: the procedures of one stream's driver queue
/// pair, and its private state (SVR4's `q_ptr`).
pub(crate) trait Driver: Send + Sync {
    /// Write put procedure: a message from upstream.
    fn wput(&self, s: &Arc<Stream>, m: Mblk);
    /// The write put procedure, called by a `write(2)` or `putmsg` at the
    /// stream head with nothing pushed, which tells whether the driver's
    /// write queue was idle (nothing queued, its service procedure neither
    /// scheduled nor running: [`Stream::can_bypass`]) when it checked for
    /// room, in the same lock round trip. A snapshot, as the driver's own
    /// look would be; a driver that would look saves a round trip of the
    /// stream lock. By default [`Driver::wput`].
    fn wput_idle(&self, s: &Arc<Stream>, m: Mblk, _idle: bool) {
        self.wput(s, m);
    }
    /// Write service procedure (only called if [`Driver::limits`] says the
    /// write queue has one).
    fn wsrv(&self, _s: &Arc<Stream>) {}
    /// Read put procedure: by default passes the message upstream.
    fn rput(&self, s: &Arc<Stream>, m: Mblk) {
        s.putnext(Qid::DrvR, m);
    }
    /// Read service procedure.
    fn rsrv(&self, _s: &Arc<Stream>) {}
    /// A second open of the stream (SVR4 calls the driver's open again, in
    /// a reopen, after every module's): `Err` refuses it.
    fn reopen(&self, _s: &Arc<Stream>) -> Result {
        Ok(())
    }
    /// The last file of the stream closed.
    fn close(&self, _s: &Arc<Stream>) {}
    /// Queue limits and which driver queues have service procedures.
    fn limits(&self) -> DriverLimits;
    /// The driver's name (`mi_idname`: what `I_LIST` reports last).
    fn name(&self) -> &CStr;
    /// Ioctls the target handles itself on this stream's file.
    fn target_ioctl(&self) -> Option<&dyn TargetIoctl> {
        None
    }
    /// The driver instance as its own type, for a target that must
    /// recognise its streams among others (a pipe end passed by
    /// `I_SENDFD`).
    fn as_any(&self) -> Option<&dyn core::any::Any> {
        None
    }
    /// A multiplexing driver's lower side (`I_LINK`, `streams/mux.rs`);
    /// `None`: not a multiplexor.
    fn mux(&self) -> Option<&dyn MuxDriver> {
        None
    }
}

/// What `I_LINK` needs from the driver of the upper stream (SVR4's
/// `st_muxrinit`/`st_muxwinit`): `streams/mux.rs` has the rules.
pub(crate) trait MuxDriver {
    /// The procedures of the queue pair that replaces `lower`'s stream head
    /// while `lower` is linked under this driver.
    fn lower(&self, lower: &Arc<Stream>) -> Result<MuxLower>;
    /// What `l_qtop` of an `I_LINK` from this stream carries (the driver's
    /// write queue, as the driver knows it).
    fn qtop(&self) -> usize;
}

/// A multiplexor's lower queue pair for one link (the lower `qinit`s).
pub(crate) struct MuxLower {
    /// Its put and service procedures (never opened or closed).
    pub(crate) procs: KBox<dyn Module>,
    /// Its limits, and which of its queues have a service procedure.
    pub(crate) limits: DriverLimits,
    /// What `l_qbot` carries (the lower write queue, as the driver knows
    /// it).
    pub(crate) qbot: usize,
}

/// The `module_info`/`qinit` of a driver or module.
#[derive(Copy, Clone)]
pub(crate) struct DriverLimits {
    /// Read queue limits.
    pub(crate) rlim: QLimits,
    /// Write queue limits.
    pub(crate) wlim: QLimits,
    /// The read queue has a service procedure.
    pub(crate) rsrv: bool,
    /// The write queue has a service procedure.
    pub(crate) wsrv: bool,
}

/// Stream head read queue defaults: SVR4's STRHIGH/STRLOW.
pub(crate) const HEAD_LIMITS: QLimits = QLimits {
    minpsz: 0,
    maxpsz: super::queue::INFPSZ,
    hiwat: 5120,
    lowat: 1024,
};

/// State of the stream head, under the stream lock.
pub(crate) struct HeadState {
    /// `M_HANGUP` arrived.
    pub(crate) hangup: bool,
    /// errno for reads from `M_ERROR`, 0 if none.
    pub(crate) rerr: i32,
    /// errno for writes from `M_ERROR`, 0 if none.
    pub(crate) werr: i32,
    /// An ioctl (`I_STR` or transparent) holds the stream's ioctl slot.
    pub(crate) ioc_busy: bool,
    /// A push, pop or reopen is in progress (SVR4's `STPLEX`-like
    /// exclusion of plumbing operations).
    pub(crate) plumbing: bool,
    /// `SO_MREADON`: tell the driver (`M_READ`) when a reader blocks.
    pub(crate) mread: bool,
    /// The read options (`SO_READOPT`, `I_SRDOPT`): a mode (`RNORM`,
    /// `RMSGD` or `RMSGN`) and a protocol option (`RPROTDAT`, `RPROTDIS`;
    /// neither is `RPROTNORM`).
    pub(crate) rdopt: u8,
    /// The write options (`I_SWROPT`): `SNDZERO`, `SNDPIPE`.
    pub(crate) wropt: u8,
    /// A line discipline said the stream is a terminal (`SO_ISTTY`): the
    /// head answers `TIOCSPGRP`/`TIOCGPGRP` itself.
    pub(crate) istty: bool,
    /// The terminal's foreground process group (`TIOCSPGRP`), which
    /// `M_SIG`/`M_PCSIG` signal.
    pub(crate) pgrp: Option<Pgrp>,
    /// Modules at or above this count from the top are anchored
    /// (`I_ANCHOR`): popping them needs privilege. 0: no anchor.
    pub(crate) anchor: u8,
    /// Id of the ioctl whose answer the head accepts now, 0 if none
    /// (`head/ioctl.rs` has the state machine).
    pub(crate) ioc_id: u32,
    /// The accepted answer, until the ioctl's caller takes it.
    pub(crate) ioc_reply: Option<Mblk>,
    /// Next ioctl id.
    pub(crate) ioc_next: u32,
    /// Files open on this stream.
    pub(crate) opens: u32,
    /// `M_PCPROTO` messages this stream's queues freed beyond their
    /// allowance (STRPRI at the head).
    pub(crate) pcproto_freed: u32,
    /// The processes registered with `I_SETSIG` (`head/sigpoll.rs`), in a
    /// list made at the first registration (boxed: most streams never have
    /// one, and a stream's size decides its slab cache).
    pub(crate) sigs: Option<KBox<KVec<SigEntry>>>,
    /// The union of their events, plus `SIG_FASYNC` while a file of the
    /// stream has `O_ASYNC`: 0 when nobody wants a signal, the one test the
    /// data path makes.
    pub(crate) sigflags: u32,
    /// How long the last close waits for the write side to drain
    /// (`I_SETCLTIME`), milliseconds (`head/close.rs`).
    pub(crate) closetime: u32,
    /// This stream is linked under a multiplexor (`streams/mux.rs`): the
    /// multiplexor's lower queue pair in place of the stream head's.
    pub(crate) link: Option<Arc<ModInst>>,
}

/// One process registered with `I_SETSIG` (`head/sigpoll.rs`).
///
/// # Invariants
///
/// `events` is non-zero and within the events `I_SETSIG` accepts;
/// `S_BANDURG` only with `S_RDBAND`.
pub(crate) struct SigEntry {
    /// The process.
    pub(crate) proc: ProcRef,
    /// Its events (`S_INPUT` ...).
    pub(crate) events: u32,
}

/// Everything under the stream lock.
pub(crate) struct Inner {
    /// The head's and the driver's queues: `HeadR`, `HeadW`, `DrvR`, `DrvW`.
    pub(crate) q: [Queue; 4],
    /// The pushed modules, topmost first.
    pub(crate) mods: KVec<ModState>,
    /// The level the next pushed module gets.
    pub(crate) next_lvl: u32,
    /// Who may be on [`Stream::wait`]: the tasks asleep there, plus
    /// [`POLLED`](super::sleep::POLLED) once the stream was polled
    /// (`sleep.rs`).
    pub(crate) waiters: u32,
    /// The stream head.
    pub(crate) head: HeadState,
}

impl Inner {
    fn fixed(id: Qid) -> Option<usize> {
        match (id.lvl, id.rd) {
            (LVL_HEAD, true) => Some(0),
            (LVL_HEAD, false) => Some(1),
            (LVL_DRV, true) => Some(2),
            (LVL_DRV, false) => Some(3),
            _ => None,
        }
    }

    /// Where module level `lvl` is in `mods`.
    pub(crate) fn mod_pos(&self, lvl: u32) -> Option<usize> {
        self.mods.iter().position(|m| m.lvl == lvl)
    }

    /// The queue `id`, if it exists (a popped module's does not).
    pub(crate) fn qm(&mut self, id: Qid) -> Option<&mut Queue> {
        if let Some(i) = Self::fixed(id) {
            return Some(&mut self.q[i]);
        }
        let pos = self.mod_pos(id.lvl)?;
        Some(&mut self.mods[pos].q[usize::from(!id.rd)])
    }

    /// Shared view of queue `id`.
    pub(crate) fn qr(&self, id: Qid) -> Option<&Queue> {
        if let Some(i) = Self::fixed(id) {
            return Some(&self.q[i]);
        }
        let pos = self.mod_pos(id.lvl)?;
        Some(&self.mods[pos].q[usize::from(!id.rd)])
    }

    /// The limits of the queue below the stream head (what `write` splits
    /// at and `putmsg` checks against).
    pub(crate) fn below_head_limits(&self) -> QLimits {
        let n = self.mods.first().map_or(&self.q[3], |m| &m.q[1]);
        n.limits()
    }

    /// Whether a put procedure that passes a message on from `from` when
    /// nothing of its own waits on `q` may do so now: `q` is idle (as
    /// [`Stream::can_bypass`]) and `bcanputnext(from, band)`. Like the two
    /// checks in a row, the second (and the `QWANTW` it may leave) happens
    /// only if the first passes.
    pub(crate) fn can_pass_on(&mut self, q: Qid, from: Qid, band: u8) -> bool {
        self.idle(q) && self.bcanputnext(from, band)
    }

    /// Whether nothing is queued on `q` and its service procedure is
    /// neither scheduled nor running (see [`Stream::can_bypass`]).
    pub(crate) fn idle(&self, q: Qid) -> bool {
        self.qr(q)
            .is_some_and(|queue| queue.is_empty() && queue.flags() & (QENAB | QINSERVICE) == 0)
    }

    /// Whether a message the stream head sends down now goes straight to
    /// the driver's write put procedure (nothing pushed) and finds the
    /// driver's write queue idle ([`Self::idle`]): what the head's writers
    /// tell [`Driver::wput_idle`], from the lock round trip in which they
    /// checked for room.
    pub(crate) fn drv_w_idle(&self) -> bool {
        self.mods.is_empty() && self.idle(Qid::DrvW)
    }

    /// The stream head's read queue.
    pub(crate) fn head_rq(&mut self) -> &mut Queue {
        &mut self.q[0]
    }

    /// Shared view of the stream head's read queue.
    pub(crate) fn head_rq_ref(&self) -> &Queue {
        &self.q[0]
    }

    /// `putq` on queue `id`, counting an `M_PCPROTO` the queue freed;
    /// true when its service procedure must be scheduled (and then marks
    /// it scheduled). A queue that no longer exists frees the message.
    pub(crate) fn putq(&mut self, id: Qid, m: Mblk) -> bool {
        let Some(q) = self.qm(id) else {
            return false;
        };
        match q.putq(m) {
            Putq::Enable => {
                q.set_flags(QENAB);
                true
            }
            Putq::Queued => false,
            Putq::Freed => {
                self.head.pcproto_freed = self.head.pcproto_freed.saturating_add(1);
                false
            }
        }
    }
}

/// Why a module's open is called.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum OpenHow {
    /// `I_PUSH` or autopush (SVR4's `MODOPEN`).
    Push,
    /// Another open of the stream it is on (SVR4 calls every module's open
    /// again, with `sflag` 0).
    Reopen,
}

/// A STREAMS module's procedures: one instance per push, its private state
/// in `self` (SVR4's `q_ptr`). `q` tells the procedure which of its queues
/// (read or write) it runs for.
pub(crate) trait Module: Send + Sync {
    /// The module's open (`MODOPEN` for a push); `Err` refuses it.
    fn open(&self, _s: &Arc<Stream>, _q: Qid, _how: OpenHow) -> Result {
        Ok(())
    }
    /// The module's close, when it is popped or the stream closes.
    fn close(&self, _s: &Arc<Stream>, _q: Qid) {}
    /// Put procedure of queue `q`: by default passes the message on (an
    /// `M_FLUSH` flushes the queue on its way, see `Stream::module_flush`).
    fn put(&self, s: &Arc<Stream>, q: Qid, m: Mblk) {
        if m.ty() == MsgType::Flush {
            s.module_flush(q, m);
        } else {
            s.putnext(q, m);
        }
    }
    /// Service procedure of queue `q` (only if its limits say it has one).
    fn srv(&self, _s: &Arc<Stream>, _q: Qid) {}
    /// The timeout armed with [`Stream::qtimeout`] on queue `q` with `tag`
    /// expired (`timeout.rs`). Runs as a service procedure does (strclone's
    /// workqueue, must not sleep), possibly alongside the module's put
    /// procedures; never while its procedures are off.
    fn timeout(&self, _s: &Arc<Stream>, _q: Qid, _tag: u32) {}
}

/// What a module's put procedure does with every message but `M_FLUSH`.
///
/// The two standard put procedures of SVR4 modules are declared rather
/// than written: the framework then does their work while it routes a
/// message, under the stream lock it holds anyway, instead of calling the
/// module (no call, no extra lock round trip). The module's
/// [`Module::put`] still receives `M_FLUSH`, and must do exactly what the
/// declaration says with everything else, since the framework may call it
/// for any message.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum PutKind {
    /// The module's own put procedure receives every message.
    Own,
    /// Every message goes straight on (`putnext`), as `pipemod`'s.
    Next,
    /// [`Stream::pass_or_queue`] from the queue itself, as `nullmod`'s:
    /// high-priority messages go on; others go on when nothing waits on
    /// the module's queue and the next queue has room for their band, and
    /// onto the module's queue otherwise (its service procedure moves
    /// them on).
    PassOrQueue,
}

/// A module name: 1 to `FMNAMESZ` bytes, kept with its NUL.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) struct ModName {
    buf: [u8; FMNAMESZ + 1],
    len: u8,
}

impl ModName {
    /// `name` (without a NUL) if it is a valid module name: `EINVAL` when
    /// empty, longer than `FMNAMESZ` or holding a NUL.
    pub(crate) fn new(name: &[u8]) -> Result<Self> {
        if name.is_empty() || name.len() > FMNAMESZ || name.contains(&0) {
            return Err(EINVAL);
        }
        let mut buf = [0u8; FMNAMESZ + 1];
        buf[..name.len()].copy_from_slice(name);
        Ok(Self {
            buf,
            len: name.len() as u8,
        })
    }

    /// A built-in module's name (valid: checked by the KUnit suite below;
    /// cut at `FMNAMESZ` if it were not).
    pub(crate) fn of_builtin(name: &CStr) -> Self {
        let b = name.to_bytes();
        let len = b.len().min(FMNAMESZ);
        let mut buf = [0u8; FMNAMESZ + 1];
        buf[..len].copy_from_slice(&b[..len]);
        Self {
            buf,
            len: len as u8,
        }
    }

    /// The name's bytes, without the NUL.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    /// The name as text (names are checked ASCII-or-not only for display).
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("?")
    }
}

/// What a pushed instance keeps of its module switch entry (`modsw.rs`
/// implements it): while it exists, the entry counts the instance.
pub(crate) trait EntryUse: Send + Sync {
    /// The module's name.
    fn name(&self) -> ModName;
}

/// A module switch entry (SVR4 `fmodsw`): a name and how to make an
/// instance.
pub(crate) struct ModEntry {
    /// The name `I_PUSH` takes (at most `FMNAMESZ` bytes).
    pub(crate) name: &'static CStr,
    /// Queue limits and which queues have service procedures.
    pub(crate) limits: DriverLimits,
    /// What its put procedure does (see [`PutKind`]).
    pub(crate) put: PutKind,
    /// Makes an instance for a push.
    pub(crate) new: fn() -> Result<KBox<dyn Module>>,
    /// Instances in use (pushed somewhere).
    pub(crate) uses: AtomicU32,
}

/// A pushed module as the stream lock keeps it.
pub(crate) struct ModState {
    /// Its level (the `lvl` of its [`Qid`]s).
    pub(crate) lvl: u32,
    /// Read and write queue.
    pub(crate) q: [Queue; 2],
    /// What its put procedure does (`ModEntry::put`, kept here for routing).
    pub(crate) put: PutKind,
    /// The instance.
    pub(crate) inst: Arc<ModInst>,
}

/// A pushed module instance: its procedures and what schedules them.
///
/// # Invariants
///
/// `active` counts the calls routed to this module and not yet returned;
/// it is raised only under the stream lock, so a caller that holds the lock
/// and sees 0 knows no call is in flight and none can start before it
/// drops the lock. A started `timer` holds a reference to the instance (its
/// handle, in `tmo`) until it is re-armed or cancelled; the pop cancels it
/// and shuts `tmo` for good, so the instance outlives no timer and no timer
/// outlives the pop (`timeout.rs`).
#[pin_data]
pub(crate) struct ModInst {
    pub(crate) stream: Arc<Stream>,
    pub(crate) lvl: u32,
    /// Counts this instance in its module switch entry. Before `procs`, so
    /// it is dropped first: the count falls to 0 while a C module's queue
    /// pair still holds its provider, so the provider's `module_exit` (which
    /// can only run once that reference is given back) always finds no
    /// instance and can unregister (`modsw.rs`).
    pub(crate) entry: KBox<dyn EntryUse>,
    pub(crate) procs: KBox<dyn Module>,
    pub(crate) active: AtomicU32,
    pub(crate) procs_on: AtomicBool,
    #[pin]
    pub(crate) rwork: Work<ModInst, 1>,
    #[pin]
    pub(crate) wwork: Work<ModInst, 2>,
    /// The instance's timeout (`timeout.rs`): the timer, the work item that
    /// delivers it, the handle of the timer started last, what the timer
    /// reports when it fires (queue and tag), and what fired and waits
    /// for delivery.
    #[pin]
    pub(crate) timer: HrTimer<ModInst>,
    #[pin]
    pub(crate) twork: Work<ModInst, 3>,
    #[pin]
    pub(crate) tmo: SpinLock<TimeoutSlot>,
    pub(crate) tmo_armed: AtomicU64,
    pub(crate) tmo_fired: AtomicU64,
}

impl_has_work! {
    impl HasWork<Self, 1> for ModInst { self.rwork }
    impl HasWork<Self, 2> for ModInst { self.wwork }
    impl HasWork<Self, 3> for ModInst { self.twork }
}

impl ModInst {
    /// A new instance of `procs` at level `lvl` of `stream`, its procedures
    /// off.
    pub(crate) fn new(
        stream: &Arc<Stream>,
        lvl: u32,
        procs: KBox<dyn Module>,
        entry: KBox<dyn EntryUse>,
    ) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(ModInst {
                stream: stream.clone(),
                lvl,
                procs,
                entry,
                active: AtomicU32::new(0),
                procs_on: AtomicBool::new(false),
                rwork <- new_work!("ModInst::rwork"),
                wwork <- new_work!("ModInst::wwork"),
                timer <- HrTimer::new(),
                twork <- new_work!("ModInst::twork"),
                tmo <- new_spinlock!(TimeoutSlot::new(), "ModInst::tmo"),
                tmo_armed: AtomicU64::new(0),
                tmo_fired: AtomicU64::new(0),
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// A call into the module starts (under the stream lock).
    pub(crate) fn enter(&self) {
        self.active.fetch_add(1, Ordering::SeqCst);
    }

    /// A call into the module returned; the last one wakes a pop waiting
    /// for it.
    pub(crate) fn exit(&self, s: &Stream) {
        // SeqCst, with the pop's SeqCst store of `procs_on` and load of
        // `active`: one of the two sees the other's write, so either this
        // wakes the pop or the pop sees 0.
        if self.active.fetch_sub(1, Ordering::SeqCst) == 1 && !self.procs_on.load(Ordering::SeqCst)
        {
            // A pop checks `active` under the stream lock and goes to sleep
            // without dropping it: taking the lock here means it either saw
            // the new count or is already on the wait queue, so this wake-up
            // cannot fall between its check and its sleep.
            drop(s.inner.lock());
            s.wait.notify_all();
        }
    }

    /// Runs the service procedure of `q` unless procedures are off (a
    /// popped module's queues are drained by the pop instead).
    pub(crate) fn srv(&self, s: &Arc<Stream>, q: Qid) {
        if self.procs_on.load(Ordering::Acquire) {
            self.procs.srv(s, q);
        }
    }

    /// The module's name.
    pub(crate) fn name(&self) -> ModName {
        self.entry.name()
    }
}

/// A module instance's timer handle, under `ModInst::tmo`.
pub(crate) struct TimeoutSlot {
    /// The timer started last (its drop cancels it).
    pub(crate) handle: Option<ArcHrTimerHandle<ModInst>>,
    /// The module was popped: no timeout any more.
    pub(crate) shut: bool,
}

impl TimeoutSlot {
    /// No timer armed.
    pub(crate) const fn new() -> Self {
        Self {
            handle: None,
            shut: false,
        }
    }
}

/// One caller in `Stream::svc`; the bits below it are driver queues.
pub(crate) const SVC_CALLER: u16 = 4;

/// A stream.
///
/// # Invariants
///
/// `closed` is set once, when the last file closed; after that no service
/// procedure runs and nothing is queued any more. `nmods` is the length of
/// `inner.mods`, written under the lock and read without it by the paths
/// that skip the chain when nothing is pushed; `linked` likewise mirrors
/// `inner.head.link.is_some()`. The bits of `svc` below [`SVC_CALLER`] name
/// only driver queues marked `QENAB` whose work item was not queued because
/// a caller counted above them runs them (`sched.rs`).
#[pin_data]
pub(crate) struct Stream {
    major: u32,
    /// Set once more by a driver whose open picks the minor after the
    /// stream exists ([`Stream::set_minor`]).
    minor: AtomicU32,
    owner_pid: i32,
    closed: AtomicBool,
    pub(crate) nmods: AtomicU8,
    /// System calls inside a `putnext` from the stream head's write queue
    /// (`Stream::putnext_down`), in units of [`SVC_CALLER`], and the driver
    /// queues left to them (`sched.rs`). One word, so that both change in
    /// one atomic step; 16 bits, so that the stream stays in kmalloc-512.
    pub(crate) svc: AtomicU16,
    /// Set while [`HeadState::link`] is: read without the lock by the
    /// paths that hand a message to the stream head directly.
    pub(crate) linked: AtomicBool,
    /// Links (`I_LINK`) this stream controls, which its last close removes,
    /// and lower pairs kept until then (`head/link.rs`): a count its close
    /// looks at before it takes the table's mutex. Among the small fields,
    /// in their padding: a stream must fit kmalloc-512.
    pub(crate) links: AtomicU32,
    pub(crate) driver: KBox<dyn Driver>,
    pub(crate) rt: Arc<Runtime>,
    id: u64,
    /// Queues, module levels and head state.
    #[pin]
    pub(crate) inner: SpinLock<Inner>,
    /// Readers, writers, `I_STR` callers, plumbing and pollers sleep here.
    /// Boxed: the box is freed after an RCU grace period
    /// (`kvfree_call_rcu`) without blocking, where an inline `PollCondVar`
    /// would `synchronize_rcu()` on every stream teardown (~10 ms per close).
    pub(crate) wait: PollCondVarBox,
    /// The files with `O_ASYNC` set (`head/sigpoll.rs`).
    #[pin]
    pub(crate) fasync: Fasync,
    #[pin]
    wsrv_work: Work<Stream, 1>,
    #[pin]
    rsrv_work: Work<Stream, 2>,
}

// On a kernel without lock debugging a stream comes from kmalloc-512 (its
// `Arc` adds 8 bytes). Growing it past that doubles what every stream costs
// (the memory row of `make bench`), so it must be a decision, not an accident.
#[cfg(not(any(CONFIG_DEBUG_LOCK_ALLOC, CONFIG_DEBUG_SPINLOCK)))]
const _: () = assert!(core::mem::size_of::<Stream>() + 8 <= 512);

impl_has_work! {
    impl HasWork<Self, 1> for Stream { self.wsrv_work }
    impl HasWork<Self, 2> for Stream { self.rsrv_work }
}

impl Stream {
    /// Creates the stream for `(major, minor)` on top of `driver`, with one
    /// file open on it.
    pub(crate) fn new(
        major: u32,
        minor: u32,
        driver: KBox<dyn Driver>,
        rt: &Arc<Runtime>,
    ) -> Result<Arc<Self>> {
        let lim = driver.limits();
        let owner_pid = kernel::current!().pid();
        let id = rt.next_id();
        let wait = PollCondVarBox::new(c"Stream::wait", kernel::static_lock_class!())?;
        let s = Arc::pin_init(
            pin_init!(Self {
                major,
                minor: AtomicU32::new(minor),
                owner_pid,
                closed: AtomicBool::new(false),
                nmods: AtomicU8::new(0),
                svc: AtomicU16::new(0),
                linked: AtomicBool::new(false),
                links: AtomicU32::new(0),
                driver,
                rt: rt.clone(),
                id,
                inner <- new_spinlock!(Inner {
                    q: [
                        // One M_PCPROTO at the head (STRPRI).
                        Queue::new(HEAD_LIMITS, false, 1),
                        Queue::new(HEAD_LIMITS, false, QPCPROTO_MAX),
                        Queue::new(lim.rlim, lim.rsrv, QPCPROTO_MAX),
                        Queue::new(lim.wlim, lim.wsrv, QPCPROTO_MAX),
                    ],
                    mods: KVec::new(),
                    next_lvl: 1,
                    waiters: 0,
                    head: HeadState {
                        hangup: false,
                        rerr: 0,
                        werr: 0,
                        ioc_busy: false,
                        plumbing: false,
                        mread: false,
                        rdopt: RNORM as u8,
                        // SNDZERO: a zero-length write(2) sends a
                        // zero-length message (SVR4 write(2) on a device).
                        wropt: crate::uapi::SNDZERO as u8,
                        istty: false,
                        pgrp: None,
                        anchor: 0,
                        ioc_id: 0,
                        ioc_reply: None,
                        ioc_next: 1,
                        opens: 1,
                        pcproto_freed: 0,
                        sigs: None,
                        sigflags: 0,
                        closetime: crate::uapi::STRCLONE_DEFAULT_CLTIME,
                        link: None,
                    },
                }, "Stream::inner"),
                wait,
                fasync <- Fasync::new(),
                wsrv_work <- new_work!("Stream::wsrv_work"),
                rsrv_work <- new_work!("Stream::rsrv_work"),
            }),
            GFP_KERNEL_ACCOUNT,
        )?;
        rt.insert(id, s.clone())?;
        Ok(s)
    }

    /// STREAMS major (the clone table index of the target).
    pub(crate) fn major(&self) -> u32 {
        self.major
    }

    /// The minor the target allocated.
    pub(crate) fn minor(&self) -> u32 {
        self.minor.load(Ordering::Relaxed)
    }

    /// The minor a driver's open picked (SVR4's `*devp` on return from a
    /// `CLONEOPEN`): called by the target's open only, before the stream
    /// is handed to anybody.
    pub(crate) fn set_minor(&self, minor: u32) {
        self.minor.store(minor, Ordering::Relaxed);
    }

    /// Thread id (in the initial pid namespace) of the task that opened the
    /// stream.
    pub(crate) fn owner_pid(&self) -> i32 {
        self.owner_pid
    }

    /// The stream's token (`I_FDINSERT`): a number no other stream open
    /// at the same time has, which [`Stream::by_token`] turns back into
    /// the stream while it is open.
    pub(crate) fn token(&self) -> u64 {
        self.id
    }

    /// The open stream whose [`Stream::token`] is `token`, for a driver that
    /// received one in an `I_FDINSERT` message.
    #[expect(
        dead_code,
        reason = "the driver side of I_FDINSERT; no built-in driver links streams yet"
    )]
    pub(crate) fn by_token(&self, token: u64) -> Option<Arc<Stream>> {
        self.rt.get(token)
    }

    /// The driver instance.
    pub(crate) fn driver(&self) -> &dyn Driver {
        &*self.driver
    }

    /// Whether the last file closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    // ---- Close --------------------------------------------------------------

    /// One more file refers to this stream, unless its last file already
    /// closed (then the stream is finished and `false` is returned).
    pub(crate) fn try_add_open(&self) -> bool {
        let mut inner = self.inner.lock();
        if inner.head.opens == 0 {
            return false;
        }
        inner.head.opens += 1;
        true
    }

    /// Gives back a file reference taken by [`Self::try_add_open`] for an
    /// open that then failed (a module or the driver refused the reopen).
    pub(crate) fn undo_add_open(self: &Arc<Self>) {
        self.release(false);
    }

    /// `putq` that makes room first: the oldest messages of `q` are freed
    /// until `m` fits below its high water mark. Returns how many were
    /// freed (the log's loss policy).
    pub(crate) fn putq_drop_oldest(self: &Arc<Self>, q: Qid, m: Mblk) -> usize {
        let (dropped, inst) = {
            let mut inner = self.inner.lock();
            if self.is_closed() {
                return 1;
            }
            let Some(queue) = inner.qm(q) else {
                return 1;
            };
            let dropped = queue.make_room_for(&m);
            if !inner.putq(q, m) {
                return dropped;
            }
            (dropped, Self::inst_for(&inner, q))
        };
        self.schedule(q, inst);
        dropped
    }

    /// A file of this stream was released; the last one closes the stream:
    /// the links it made (`I_LINK`) are removed, the `I_SETSIG`
    /// registrations go, every module is popped (top down,
    /// each module's close called, after its write queue drained when
    /// `drain`: `head/close.rs`), then the driver's close runs (after the
    /// driver's write queue drained), queued messages are freed, sleepers
    /// wake.
    pub(crate) fn release(self: &Arc<Self>, drain: bool) {
        {
            let mut inner = self.inner.lock();
            inner.head.opens -= 1;
            if inner.head.opens > 0 {
                return;
            }
        }
        // Its links go before anything else closes (illumos' strclose).
        self.unlink_on_close();
        self.sig_release();
        let mut close = self.close_drain_start(drain);
        while self.nmods.load(Ordering::Acquire) > 0 {
            self.close_drain(&mut close);
            if self.pop_top(true).is_err() {
                break;
            }
        }
        self.close_drain(&mut close);
        {
            let mut inner = self.inner.lock();
            for q in [2, 3] {
                inner.q[q].set_flags(QNOENB);
            }
        }
        self.driver.close(self);
        self.reap_links();
        self.closed.store(true, Ordering::Release);
        self.rt.remove(self.id);
        let mods = {
            let mut inner = self.inner.lock();
            for q in inner.q.iter_mut() {
                q.flushq(true);
            }
            inner.head.ioc_reply = None;
            core::mem::take(&mut inner.mods)
        };
        // Only a module whose pop failed is left; its instance goes here,
        // outside the lock.
        drop(mods);
        self.wait.notify_all();
    }

    /// Sends `M_HANGUP` up this stream (from a peer or the driver).
    pub(crate) fn hangup(self: &Arc<Self>) {
        match Mblk::hangup(GFP_ATOMIC) {
            Ok(m) => self.driver.rput(self, m),
            // Without memory for the message, mark the head directly: the
            // hangup must not be lost.
            Err(_) => {
                self.inner.lock().head.hangup = true;
                self.wait.notify_all();
            }
        }
    }
}
