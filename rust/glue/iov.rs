// SPDX-License-Identifier: GPL-2.0

//! Bounded copies out of a user I/O vector.

use kernel::{iov::IovIterSource, prelude::*};

/// Copies at most `max` bytes from `src` into a new vector (the kernel
/// crate's `copy_from_iter_vec` always takes everything that is left).
/// A short result means the user buffer faulted.
pub(crate) fn read_chunk(src: &mut IovIterSource<'_>, max: usize) -> Result<KVec<u8>> {
    let n = max.min(src.len());
    let mut v = KVec::with_capacity(n, GFP_KERNEL_ACCOUNT)?;
    let got = src
        .copy_from_iter_raw(&mut v.spare_capacity_mut()[..n])
        .len();
    // SAFETY: `copy_from_iter_raw` initialised the first `got` bytes of the
    // spare capacity, and `got <= n <= capacity`.
    unsafe { v.inc_len(got) };
    Ok(v)
}
