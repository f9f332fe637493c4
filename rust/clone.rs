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
//! - The clone driver is one character major of 256 minors (the `clone`
//!   region, `glue/chrdev.c`) whose minor *is* the target's STREAMS major,
//!   as SVR4 and HP-UX have it: `/dev/clone-ptmx` is minor 23 of it. The
//!   node `/dev/clone-<name>` follows registration: [`Registry::register`]
//!   makes it for a clonable target, [`Registry::unregister`] removes it, so
//!   a built-in target and one another kernel module registers
//!   (`crate::ddi`) take the same path. An open of the clone major looks the
//!   target up at every open and calls it with [`SFlag::CloneOpen`]. It
//!   fails `ENXIO` when the slot is empty (a node opened while its target
//!   is being unregistered, or made by hand with `mknod`), the target is
//!   not clonable, or the target hands back a stream of another major.
//!   After the open the clone driver is out of the way: the fd is the
//!   target's stream.
//! - [`TargetNode`] is a target's own node (`/dev/ptmajor`, a registered
//!   driver's `/dev/<name>/<minor>`): a plain open, without `CLONEOPEN`.
//!
//! Both end their opens in [`Autopush::finish_open`]: a stream the target
//! created gets its autopush modules before `open(2)` returns.
//!
//! Registration and unregistration are serialised by the table's node
//! mutex (they sleep: devtmpfs makes and removes the node before they
//! return); opens take only the slots' spinlock.

use crate::glue::node::{file_minor, DevNode, NodeOps, Region};
use crate::streams::autopush::{Autopush, Opened};
use crate::streams::stream::{SFlag, Stream};
use crate::uapi::NMAJOR;
use kernel::{
    fs::File, new_mutex, new_spinlock, prelude::*, str::CString, sync::Arc, sync::Mutex,
    sync::SpinLock,
};

/// A STREAMS driver that can be registered in the clone table.
pub(crate) trait Target: Send + Sync {
    /// Short name (the clone node is `/dev/clone-<name>`).
    fn name(&self) -> &CStr;
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

/// The clone table, and the clone major whose opens it serves.
#[pin_data(PinnedDrop)]
pub(crate) struct Registry {
    #[pin]
    region: Region<Table>,
}

/// One slot per STREAMS major.
type Slots = KVec<Option<Arc<dyn Target>>>;

/// The slots, the clone nodes, and what a clone open needs.
pub(crate) struct Table {
    slots: Pin<KBox<SpinLock<Slots>>>,
    /// `/dev/clone-<name>` of each clonable registered target, by major.
    /// Its lock serialises registration.
    nodes: Pin<KBox<Mutex<KVec<Option<DevNode>>>>>,
    autopush: Arc<Autopush>,
}

impl Registry {
    /// An empty table of [`NMAJOR`] slots and the clone major.
    pub(crate) fn new(autopush: Arc<Autopush>) -> Result<Arc<Self>> {
        let mut slots = KVec::with_capacity(NMAJOR, GFP_KERNEL)?;
        let mut nodes = KVec::with_capacity(NMAJOR, GFP_KERNEL)?;
        for _ in 0..NMAJOR {
            slots.push(None, GFP_KERNEL)?;
            nodes.push(None, GFP_KERNEL)?;
        }
        let table = Table {
            slots: KBox::pin_init(new_spinlock!(slots, "Registry::slots"), GFP_KERNEL)?,
            nodes: KBox::pin_init(new_mutex!(nodes, "Registry::nodes"), GFP_KERNEL)?,
            autopush,
        };
        Arc::pin_init(
            try_pin_init!(Self {
                region <- Region::register(c"clone", NMAJOR as u32, table),
            }),
            GFP_KERNEL,
        )
    }

    fn table(&self) -> &Table {
        self.region.ops()
    }

    /// Puts `target` in its major's slot and, if it is clonable, makes
    /// `/dev/clone-<name>`: `EBUSY` if the slot is taken or a target of
    /// that name is registered (its clone node would be the same), `EINVAL`
    /// if the major is out of range. Sleeps.
    pub(crate) fn register(&self, target: Arc<dyn Target>) -> Result {
        let major = target.major() as usize;
        let t = self.table();
        let mut nodes = t.nodes.lock();
        {
            let slots = t.slots.lock();
            if slots.get(major).ok_or(EINVAL)?.is_some()
                || slots.iter().flatten().any(|o| o.name() == target.name())
            {
                return Err(EBUSY);
            }
        }
        if target.clonable() {
            let name = CString::try_from_fmt(fmt!("clone-{}", target.name().to_str()?))?;
            nodes[major] = Some(self.region.node(major as u32, &name, 0, 0, 0o666)?);
        }
        t.slots.lock()[major] = Some(target);
        Ok(())
    }

    /// Empties `major`'s slot, removes its clone node, and returns what was
    /// there (`ENXIO` if empty). Streams already open keep working; new
    /// clone opens fail `ENXIO` (or find no node). Sleeps.
    pub(crate) fn unregister(&self, major: u32) -> Result<Arc<dyn Target>> {
        let t = self.table();
        let mut nodes = t.nodes.lock();
        let target = t
            .slots
            .lock()
            .get_mut(major as usize)
            .ok_or(EINVAL)?
            .take()
            .ok_or(ENXIO)?;
        // The slot is empty first, so an open through a node that is still
        // there fails `ENXIO`; the node goes next (outside the spinlock).
        drop(nodes[major as usize].take());
        Ok(target)
    }

    /// The lowest major at or above `from` whose slot is empty, for a
    /// driver registered without one (`ENOSPC` when every slot is taken).
    pub(crate) fn free_major(&self, from: u32) -> Result<u32> {
        let slots = self.table().slots.lock();
        (from as usize..NMAJOR)
            .find(|&m| slots[m].is_none())
            .map(|m| m as u32)
            .ok_or(ENOSPC)
    }

    /// Unregisters every target and removes every clone node: at module
    /// exit, before the clone major goes.
    pub(crate) fn clear(&self) {
        for major in 0..NMAJOR as u32 {
            let _ = self.unregister(major);
        }
    }

    /// The target registered at `major`.
    pub(crate) fn get(&self, major: u32) -> Option<Arc<dyn Target>> {
        self.table().get(major)
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
            let slots = self.table().slots.lock();
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

#[pinned_drop]
impl PinnedDrop for Registry {
    fn drop(self: Pin<&mut Self>) {
        // Every node goes before the region does.
        self.clear();
    }
}

impl Table {
    fn get(&self, major: u32) -> Option<Arc<dyn Target>> {
        self.slots.lock().get(major as usize)?.clone()
    }
}

/// An open of the clone major: minor M opens the target registered at
/// STREAMS major M with `CLONEOPEN`.
impl NodeOps for Table {
    type File = Stream;

    fn open(&self, file: &File) -> Result<Arc<Stream>> {
        let major = file_minor(file);
        let target = self.get(major).ok_or(ENXIO)?;
        if !target.clonable() {
            return Err(ENXIO);
        }
        let opened = target.open(file, SFlag::CloneOpen)?;
        if opened.stream.major() != major {
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
