// SPDX-License-Identifier: GPL-2.0

//! What every stream shares: the workqueue its service procedures run on,
//! and the table of open streams (for debugfs and leak checks).
//!
//! The table is generic over what it holds so that this file does not
//! depend on the stream it serves: `stream.rs` names the instance it uses
//! (`Runtime = RuntimeOf<Stream>`).
//!
//! # Invariants
//!
//! A stream is in `streams` from the end of `Stream::new` until its last
//! file closes (`Stream::release`). The table's reference is what keeps an
//! idle open stream alive; removing it at close breaks the stream ↔ runtime
//! reference cycle.

use crate::glue::wq::Workqueue;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use kernel::{
    new_spinlock,
    prelude::*,
    rbtree::{RBTree, RBTreeNode},
    sync::{Arc, SpinLock},
    workqueue::Queue,
};

/// The shared runtime of all strclone streams (of type `T`).
#[pin_data]
pub(crate) struct RuntimeOf<T: Send + Sync> {
    wq: Workqueue,
    next_id: AtomicU64,
    /// Streams in the table (sizes the debugfs snapshot).
    open: AtomicUsize,
    #[pin]
    streams: SpinLock<RBTree<u64, Arc<T>>>,
}

impl<T: Send + Sync> RuntimeOf<T> {
    /// Allocates the workqueue and an empty table.
    pub(crate) fn new() -> Result<Arc<Self>> {
        let wq = Workqueue::new(c"strclone_srv")?;
        Arc::pin_init(
            pin_init!(Self {
                wq,
                next_id: AtomicU64::new(1),
                open: AtomicUsize::new(0),
                streams <- new_spinlock!(RBTree::new(), "Runtime::streams"),
            }),
            GFP_KERNEL,
        )
    }

    /// The workqueue service procedures run on.
    pub(crate) fn queue(&self) -> &Queue {
        self.wq.queue()
    }

    /// Waits for every queued service procedure.
    pub(crate) fn drain(&self) {
        self.wq.drain();
    }

    /// A fresh stream id.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Adds an open stream.
    pub(crate) fn insert(&self, id: u64, s: Arc<T>) -> Result {
        let node = RBTreeNode::new(id, s, GFP_KERNEL_ACCOUNT)?;
        self.streams.lock().insert(node);
        self.open.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// The open stream `id`, if it is still open.
    pub(crate) fn get(&self, id: u64) -> Option<Arc<T>> {
        self.streams.lock().get(&id).cloned()
    }

    /// Removes a stream whose last file closed.
    pub(crate) fn remove(&self, id: u64) {
        let gone = self.streams.lock().remove(&id);
        if gone.is_some() {
            self.open.fetch_sub(1, Ordering::Relaxed);
        }
        // Dropped here, outside the lock: it may be the last reference.
        drop(gone);
    }

    /// Calls `f` on every open stream, oldest first (outside the lock).
    /// The snapshot is sized outside the lock (`GFP_KERNEL`), and sized
    /// again if streams were opened meanwhile; `false` means it still could
    /// not hold them all (out of memory, or a storm of opens) and `f` saw
    /// only the oldest ones.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&Arc<T>)) -> bool {
        let mut all: KVec<Arc<T>> = KVec::new();
        let mut complete = false;
        for _ in 0..3 {
            all.clear();
            let want = self.open.load(Ordering::Relaxed) + 16;
            if all.reserve(want, GFP_KERNEL).is_err() {
                break;
            }
            let t = self.streams.lock();
            complete = true;
            for s in t.values() {
                if all.len() == all.capacity() {
                    complete = false;
                    break;
                }
                // Within the capacity reserved above: cannot fail.
                let _ = all.push(s.clone(), GFP_ATOMIC);
            }
            drop(t);
            if complete {
                break;
            }
        }
        for s in all.iter() {
            f(s);
        }
        complete
    }
}
