// SPDX-License-Identifier: GPL-2.0

//! The clone driver and the major-indexed table of STREAMS targets.
//!
//! SVR4's clone driver is "a pass-through device driver": its node's minor
//! number names the major of another driver, and opening the node calls that
//! driver's open with `CLONEOPEN`, which picks an unused minor and returns the
//! new device. strclone keeps the same shape on Linux:
//!
//! - [`Registry`] is the table: one slot per STREAMS major (256), each empty
//!   or holding a registered [`Target`]. Slots hold `Arc`s taken under the
//!   table's spinlock, so an open racing with `unregister` either finds the
//!   target (and holds it until the open finishes) or finds the slot empty
//!   and fails `ENXIO`; nothing is ever used after it is freed.
//! - [`CloneNode`] is `/dev/clone-<name>`: it remembers the major it stands
//!   for (SVR4 kept it in the node's minor), looks the target up at every
//!   open and calls it with [`SFlag::CloneOpen`]. It fails `ENXIO` when the
//!   slot is empty, the target is not clonable, or the target hands back a
//!   stream of another major. After the open the clone driver is out of the
//!   way: the fd is the target's stream.
//! - [`TargetNode`] is a target's own node (`/dev/ptmajor`): a plain open,
//!   without `CLONEOPEN`.
//!
//! Both end their opens in [`Autopush::finish_open`]: a stream the target
//! created gets its autopush modules before `open(2)` returns.

use crate::glue::node::NodeOps;
use crate::streams::autopush::{Autopush, Opened};
use crate::streams::stream::{SFlag, Stream};
use crate::uapi::NMAJOR;
use kernel::{fs::File, new_spinlock, prelude::*, sync::Arc, sync::SpinLock};

/// A STREAMS driver that can be registered in the clone table.
pub(crate) trait Target: Send + Sync {
    /// Short name (the clone node is `/dev/clone-<name>`).
    fn name(&self) -> &'static CStr;
    /// STREAMS major: the slot in the table.
    fn major(&self) -> u32;
    /// Whether opens through the clone driver are allowed.
    fn clonable(&self) -> bool;
    /// Opens a new stream (or an existing one) on this target, and says
    /// which.
    fn open(&self, file: &File, sflag: SFlag) -> Result<Opened>;
    /// Streams currently open on the target (for ptm: masters).
    fn open_count(&self) -> usize;
    /// Most minors the target hands out.
    fn limit(&self) -> usize;
}

/// The clone table.
#[pin_data]
pub(crate) struct Registry {
    #[pin]
    slots: SpinLock<KVec<Option<Arc<dyn Target>>>>,
}

impl Registry {
    /// An empty table of [`NMAJOR`] slots.
    pub(crate) fn new() -> Result<Arc<Self>> {
        let mut slots = KVec::with_capacity(NMAJOR, GFP_KERNEL)?;
        for _ in 0..NMAJOR {
            slots.push(None, GFP_KERNEL)?;
        }
        Arc::pin_init(
            pin_init!(Self {
                slots <- new_spinlock!(slots, "Registry::slots"),
            }),
            GFP_KERNEL,
        )
    }

    /// Puts `target` in its major's slot; `EBUSY` if the slot is taken,
    /// `EINVAL` if the major is out of range.
    pub(crate) fn register(&self, target: Arc<dyn Target>) -> Result {
        let major = target.major() as usize;
        let mut slots = self.slots.lock();
        let slot = slots.get_mut(major).ok_or(EINVAL)?;
        if slot.is_some() {
            return Err(EBUSY);
        }
        *slot = Some(target);
        Ok(())
    }

    /// Empties `major`'s slot and returns what was there (`ENXIO` if empty).
    /// Streams already open keep working; new clone opens fail `ENXIO`.
    pub(crate) fn unregister(&self, major: u32) -> Result<Arc<dyn Target>> {
        let mut slots = self.slots.lock();
        let slot = slots.get_mut(major as usize).ok_or(EINVAL)?;
        slot.take().ok_or(ENXIO)
    }

    /// The target registered at `major`.
    pub(crate) fn get(&self, major: u32) -> Option<Arc<dyn Target>> {
        self.slots.lock().get(major as usize)?.clone()
    }

    /// Calls `f` on every registered target, in major order (outside the
    /// lock). Returns false, having called `f` on none, when there was no
    /// memory for the snapshot.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&Arc<dyn Target>)) -> bool {
        // Room for every slot, reserved before the lock is taken.
        let Ok(mut all) = KVec::with_capacity(NMAJOR, GFP_KERNEL) else {
            return false;
        };
        {
            let slots = self.slots.lock();
            for t in slots.iter().flatten() {
                // Within the capacity: cannot fail.
                let _ = all.push(t.clone(), GFP_ATOMIC);
            }
        }
        for t in all.iter() {
            f(t);
        }
        true
    }
}

/// `/dev/clone-<name>`: opens the target registered at `major` with
/// `CLONEOPEN`.
pub(crate) struct CloneNode {
    registry: Arc<Registry>,
    major: u32,
    autopush: Arc<Autopush>,
}

impl CloneNode {
    /// The clone node for `major`.
    pub(crate) fn new(registry: Arc<Registry>, major: u32, autopush: Arc<Autopush>) -> Self {
        Self {
            registry,
            major,
            autopush,
        }
    }
}

impl NodeOps for CloneNode {
    type File = Stream;

    fn open(&self, file: &File) -> Result<Arc<Stream>> {
        let target = self.registry.get(self.major).ok_or(ENXIO)?;
        if !target.clonable() {
            return Err(ENXIO);
        }
        let opened = target.open(file, SFlag::CloneOpen)?;
        if opened.stream.major() != self.major {
            // The target answered with another driver's device: refuse it,
            // as illumos' clone driver does.
            opened.stream.release(false);
            return Err(ENXIO);
        }
        self.autopush.finish_open(opened)
    }
}

/// A target's own node: opens it without `CLONEOPEN`.
pub(crate) struct TargetNode {
    target: Arc<dyn Target>,
    autopush: Arc<Autopush>,
}

impl TargetNode {
    /// The node of `target`.
    pub(crate) fn new(target: Arc<dyn Target>, autopush: Arc<Autopush>) -> Self {
        Self { target, autopush }
    }
}

impl NodeOps for TargetNode {
    type File = Stream;

    fn open(&self, file: &File) -> Result<Arc<Stream>> {
        let opened = self.target.open(file, SFlag::Normal)?;
        self.autopush.finish_open(opened)
    }
}
