// SPDX-License-Identifier: GPL-2.0

//! Fixed-width integers read out of byte buffers at an offset: the fields
//! of user structures (native byte order) and of message payloads that
//! strclone itself builds (`M_IOCTL` bookkeeping, little-endian).
//!
//! A field the buffer is too short for reads as 0, so a short buffer never
//! panics; callers that must refuse a short buffer check its length first.

/// The `N` bytes at `at`, or zeros if `b` ends before them.
fn field<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut w = [0u8; N];
    if let Some(s) = at.checked_add(N).and_then(|end| b.get(at..end)) {
        w.copy_from_slice(s);
    }
    w
}

/// A native-endian `u32` at `at`.
pub(crate) fn ne_u32(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(field(b, at))
}

/// A native-endian `i32` at `at`.
pub(crate) fn ne_i32(b: &[u8], at: usize) -> i32 {
    i32::from_ne_bytes(field(b, at))
}

/// A native-endian `u64` at `at`.
pub(crate) fn ne_u64(b: &[u8], at: usize) -> u64 {
    u64::from_ne_bytes(field(b, at))
}

/// A little-endian `u32` at `at`.
pub(crate) fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(field(b, at))
}

/// A little-endian `u64` at `at`.
pub(crate) fn le_u64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(field(b, at))
}
