// SPDX-License-Identifier: GPL-2.0

//! What every stream shares: the workqueue its service procedures run on,
//! and the table of open streams (for debugfs and leak checks).
//!
//! # Invariants
//!
//! A stream is in `streams` from the end of [`super::stream::Stream::new`]
//! until its last file closes ([`super::stream::Stream::release`]). The
//! table's reference is what keeps an idle open stream alive; removing it at
//! close breaks the stream ↔ runtime reference cycle.

use super::stream::Stream;
use crate::glue::wq::Workqueue;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::{
    new_spinlock,
    prelude::*,
    rbtree::{RBTree, RBTreeNode},
    sync::{Arc, SpinLock},
    workqueue::Queue,
};

/// The shared runtime of all strclone streams.
#[pin_data]
pub(crate) struct Runtime {
    wq: Workqueue,
    next_id: AtomicU64,
    #[pin]
    streams: SpinLock<RBTree<u64, Arc<Stream>>>,
}

impl Runtime {
    /// Allocates the workqueue and an empty table.
    pub(crate) fn new() -> Result<Arc<Self>> {
        let wq = Workqueue::new(c"strclone_srv")?;
        Arc::pin_init(
            pin_init!(Self {
                wq,
                next_id: AtomicU64::new(1),
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
    pub(crate) fn insert(&self, id: u64, s: Arc<Stream>) -> Result {
        let node = RBTreeNode::new(id, s, GFP_KERNEL)?;
        self.streams.lock().insert(node);
        Ok(())
    }

    /// Removes a stream whose last file closed.
    pub(crate) fn remove(&self, id: u64) {
        let gone = self.streams.lock().remove(&id);
        // Dropped here, outside the lock: it may be the last reference.
        drop(gone);
    }

    /// Calls `f` on every open stream, oldest first (outside the lock).
    pub(crate) fn for_each(&self, mut f: impl FnMut(&Arc<Stream>)) {
        let mut all = KVec::new();
        {
            let t = self.streams.lock();
            for s in t.values() {
                if all.push(s.clone(), GFP_ATOMIC).is_err() {
                    break;
                }
            }
        }
        for s in all.iter() {
            f(s);
        }
    }
}
