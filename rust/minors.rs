// SPDX-License-Identifier: GPL-2.0

//! Minor number allocation for clonable targets.
//!
//! A [`MinorPool`] hands out the lowest free minor in `start..limit` under a
//! spinlock. It is a bitmap ([`IdPool`]) that starts at one word and doubles
//! when full, up to `limit`: the memory follows the minors actually used,
//! not the configured maximum, and finding a free minor is a word-at-a-time
//! bitmap scan instead of SVR4's walk over per-minor state structures. The
//! bitmap grows with `GFP_KERNEL` outside the lock. It never shrinks: its
//! size follows the highest minor ever used, at one bit per minor.

use kernel::{id_pool::IdPool, new_spinlock, prelude::*, sync::SpinLock};

/// Why a minor could not be allocated.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AllocFail {
    /// Every minor in `start..limit` is in use.
    Exhausted,
    /// The bitmap could not grow.
    NoMemory,
}

/// A pool of minors.
#[pin_data]
pub(crate) struct MinorPool {
    start: usize,
    limit: usize,
    #[pin]
    pool: SpinLock<IdPool>,
}

impl MinorPool {
    /// Minors `start..limit`.
    pub(crate) fn new(start: usize, limit: usize) -> impl PinInit<Self> {
        pin_init!(Self {
            start,
            limit,
            pool <- new_spinlock!(IdPool::new(), "MinorPool::pool"),
        })
    }

    /// Highest minor plus one.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Allocates the lowest free minor.
    pub(crate) fn alloc(&self) -> core::result::Result<u32, AllocFail> {
        let mut pool = self.pool.lock();
        loop {
            if let Some(id) = pool.find_unused_id(self.start) {
                if id.as_usize() >= self.limit {
                    return Err(AllocFail::Exhausted);
                }
                return Ok(id.acquire() as u32);
            }
            if pool.capacity() >= self.limit {
                return Err(AllocFail::Exhausted);
            }
            let Some(request) = pool.grow_request() else {
                return Err(AllocFail::Exhausted);
            };
            drop(pool);
            let resizer = request
                .realloc(GFP_KERNEL)
                .map_err(|_| AllocFail::NoMemory)?;
            pool = self.pool.lock();
            pool.grow(resizer);
        }
    }

    /// Frees `minor`.
    pub(crate) fn free(&self, minor: u32) {
        self.pool.lock().release_id(minor as usize);
    }
}
