// SPDX-License-Identifier: GPL-2.0

//! What a stream asks of a pushed module: the [`Module`] trait, the module
//! switch entry it is made from ([`ModEntry`], [`ModName`]), and the
//! instance that a push puts at a level of the stream ([`ModInst`], with
//! the queues the stream lock keeps for it in [`ModState`]).

use super::{DriverLimits, Qid, Stream};
use crate::streams::msg::{Mblk, MsgType};
use crate::streams::queue::Queue;
use crate::uapi::FMNAMESZ;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use kernel::{
    impl_has_work, new_spinlock, new_work,
    prelude::*,
    sync::{Arc, SpinLock},
    time::hrtimer::{ArcHrTimerHandle, HrTimer},
    workqueue::Work,
};

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
            drop(s.lock());
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
