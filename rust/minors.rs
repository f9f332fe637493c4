// SPDX-License-Identifier: GPL-2.0

//! Minor number allocation for clonable targets.
//!
//! A [`MinorPool`] hands out the lowest free minor in `start..limit` under a
//! spinlock, as SVR4's drivers do, in time that does not grow with the
//! number of minors in use.
//!
//! It is a two-level bitmap: `used` has a bit per minor, `full` a bit per
//! word of `used` that is all ones. The lowest free minor is the first zero
//! bit of `full` (a word-at-a-time scan of 1/4096 of the minors), then the
//! first zero bit of that word of `used`: with 60,000 minors in use an
//! allocation reads 16 words instead of the 938 a flat bitmap scan would,
//! and with the largest `pt_cnt` (1,048,576) at most 257. SVR4 walked
//! per-minor state structures instead. A driver that picks its minors
//! itself (a C driver's open, `ddi/driver.rs`) marks the one it picked
//! with [`MinorPool::take`], which refuses a minor in use.
//!
//! The bitmaps start empty and double (from one word of `used`) when every
//! minor they hold is in use, up to `limit`: the memory follows the highest
//! minor ever used, one bit per minor plus 1/64 of that, and never shrinks.
//! They grow with `GFP_KERNEL` outside the lock.
//!
//! # Invariants
//!
//! `full` has `ceil(used.len() / 64)` words; bit `i` of `full` is set if
//! and only if `used[i]` is all ones. Minors below `start` are marked used
//! from the first growth on, so they are never handed out.

use kernel::{new_spinlock, prelude::*, sync::SpinLock};

/// Why a minor could not be allocated.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AllocFail {
    /// Every minor in `start..limit` is in use.
    Exhausted,
    /// The bitmap could not grow.
    NoMemory,
}

/// The two bitmaps (see the module documentation).
struct Bits {
    used: KVVec<u64>,
    full: KVVec<u64>,
}

impl Bits {
    /// Minors the bitmaps hold.
    fn capacity(&self) -> usize {
        self.used.len() * 64
    }

    /// The lowest clear bit of `used`, if the bitmaps hold one.
    fn lowest_free(&self) -> Option<usize> {
        for (i, &f) in self.full.iter().enumerate() {
            if f == u64::MAX {
                continue;
            }
            let w = i * 64 + (!f).trailing_zeros() as usize;
            // Bits of `full` past the end of `used` are clear: no word there.
            let word = *self.used.get(w)?;
            return Some(w * 64 + (!word).trailing_zeros() as usize);
        }
        None
    }

    fn is_set(&self, minor: usize) -> bool {
        self.used
            .get(minor / 64)
            .is_some_and(|w| w & (1 << (minor % 64)) != 0)
    }

    fn set(&mut self, minor: usize) {
        let w = minor / 64;
        self.used[w] |= 1 << (minor % 64);
        if self.used[w] == u64::MAX {
            self.full[w / 64] |= 1 << (w % 64);
        }
    }

    fn clear(&mut self, minor: usize) {
        let w = minor / 64;
        if let Some(word) = self.used.get_mut(w) {
            *word &= !(1 << (minor % 64));
            self.full[w / 64] &= !(1 << (w % 64));
        }
    }
}

/// A pool of minors.
#[pin_data]
pub(crate) struct MinorPool {
    start: usize,
    limit: usize,
    #[pin]
    bits: SpinLock<Bits>,
}

impl MinorPool {
    /// Minors `start..limit`.
    pub(crate) fn new(start: usize, limit: usize) -> impl PinInit<Self> {
        pin_init!(Self {
            start,
            limit,
            bits <- new_spinlock!(
                Bits {
                    used: KVVec::new(),
                    full: KVVec::new(),
                },
                "MinorPool::bits"
            ),
        })
    }

    /// Highest minor plus one.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Allocates the lowest free minor.
    pub(crate) fn alloc(&self) -> core::result::Result<u32, AllocFail> {
        loop {
            let words = {
                let mut bits = self.bits.lock();
                if let Some(m) = bits.lowest_free() {
                    if m >= self.limit {
                        return Err(AllocFail::Exhausted);
                    }
                    bits.set(m);
                    return Ok(m as u32);
                }
                if bits.capacity() >= self.limit {
                    return Err(AllocFail::Exhausted);
                }
                bits.used.len()
            };
            self.grow(words)?;
        }
    }

    /// Takes `minor` itself, for a driver that picks its minors: `Ok(true)`
    /// if it was free (it is in use now), `Ok(false)` if it is in use
    /// already; `Exhausted` outside `start..limit`.
    pub(crate) fn take(&self, minor: u32) -> core::result::Result<bool, AllocFail> {
        let m = minor as usize;
        if m < self.start || m >= self.limit {
            return Err(AllocFail::Exhausted);
        }
        loop {
            let words = {
                let mut bits = self.bits.lock();
                if m < bits.capacity() {
                    if bits.is_set(m) {
                        return Ok(false);
                    }
                    bits.set(m);
                    return Ok(true);
                }
                bits.used.len()
            };
            self.grow(words)?;
        }
    }

    /// Doubles the bitmaps that had `words` words of `used` (unless another
    /// caller already did).
    fn grow(&self, words: usize) -> core::result::Result<(), AllocFail> {
        let new_words = (words * 2).clamp(1, self.limit.div_ceil(64));
        let zeroed = |n: usize| -> core::result::Result<KVVec<u64>, AllocFail> {
            let mut v = KVVec::with_capacity(n, GFP_KERNEL).map_err(|_| AllocFail::NoMemory)?;
            v.extend_with(n, 0, GFP_KERNEL)
                .map_err(|_| AllocFail::NoMemory)?;
            Ok(v)
        };
        let mut used = zeroed(new_words)?;
        let mut full = zeroed(new_words.div_ceil(64))?;
        {
            let mut bits = self.bits.lock();
            if bits.used.len() != words {
                // Someone else grew it meanwhile; ours are freed below,
                // outside the lock (kvfree may sleep for vmalloc memory).
                drop(bits);
                return Ok(());
            }
            used[..words].copy_from_slice(&bits.used);
            full[..bits.full.len()].copy_from_slice(&bits.full);
            core::mem::swap(&mut bits.used, &mut used);
            core::mem::swap(&mut bits.full, &mut full);
            for m in 0..self.start.min(bits.capacity()) {
                bits.set(m);
            }
        }
        // The old (smaller) bitmaps are freed here, outside the lock.
        Ok(())
    }

    /// Frees `minor`.
    pub(crate) fn free(&self, minor: u32) {
        self.bits.lock().clear(minor as usize);
    }
}

#[kunit_tests(strclone_minors)]
mod tests {
    use super::*;

    fn pool(start: usize, limit: usize) -> Pin<KBox<MinorPool>> {
        KBox::pin_init(MinorPool::new(start, limit), GFP_KERNEL).unwrap()
    }

    #[test]
    fn lowest_free_first_and_reuse() {
        let p = pool(0, 1000);
        for want in 0..200u32 {
            assert_eq!(p.alloc(), Ok(want));
        }
        p.free(70);
        p.free(3);
        p.free(130);
        assert_eq!(p.alloc(), Ok(3));
        assert_eq!(p.alloc(), Ok(70));
        assert_eq!(p.alloc(), Ok(130));
        assert_eq!(p.alloc(), Ok(200));
    }

    #[test]
    fn start_is_never_handed_out_below() {
        let p = pool(6, 100);
        assert_eq!(p.alloc(), Ok(6));
        assert_eq!(p.alloc(), Ok(7));
        p.free(6);
        assert_eq!(p.alloc(), Ok(6));
    }

    #[test]
    fn limit_exhausts_and_frees_come_back() {
        let p = pool(0, 130);
        for want in 0..130u32 {
            assert_eq!(p.alloc(), Ok(want));
        }
        assert_eq!(p.alloc(), Err(AllocFail::Exhausted));
        p.free(64);
        assert_eq!(p.alloc(), Ok(64));
        assert_eq!(p.alloc(), Err(AllocFail::Exhausted));
    }

    #[test]
    fn take_picks_a_minor_and_grows_to_it() {
        let p = pool(2, 1 << 20);
        assert_eq!(p.take(1), Err(AllocFail::Exhausted));
        assert_eq!(p.take(1 << 20), Err(AllocFail::Exhausted));
        assert_eq!(p.take(2), Ok(true));
        assert_eq!(p.take(2), Ok(false));
        // Far beyond the bitmaps: they double until they hold it.
        assert_eq!(p.take(100_000), Ok(true));
        assert_eq!(p.take(100_000), Ok(false));
        // Taken minors are not handed out; the lowest free one is.
        assert_eq!(p.alloc(), Ok(3));
        p.free(2);
        p.free(100_000);
        assert_eq!(p.take(100_000), Ok(true));
        assert_eq!(p.alloc(), Ok(2));
        // All of a word taken one by one marks it full.
        for m in 4..64 {
            assert_eq!(p.take(m), Ok(true));
        }
        assert_eq!(p.alloc(), Ok(64));
    }

    #[test]
    fn full_words_are_skipped_across_the_summary() {
        // 5,000 minors: 79 words of `used`, two words of `full`.
        let p = pool(0, 10_000);
        for want in 0..5000u32 {
            assert_eq!(p.alloc(), Ok(want));
        }
        p.free(4097);
        p.free(4500);
        assert_eq!(p.alloc(), Ok(4097));
        assert_eq!(p.alloc(), Ok(4500));
        assert_eq!(p.alloc(), Ok(5000));
        // A word that becomes full again is skipped again.
        p.free(0);
        assert_eq!(p.alloc(), Ok(0));
        assert_eq!(p.alloc(), Ok(5001));
    }
}
