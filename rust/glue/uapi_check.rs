// SPDX-License-Identifier: GPL-2.0

//! The header's side of the uapi cross-check: the values `uapi_check.c`
//! computes from `include/uapi/linux/strclone.h` (structure sizes and
//! offsets, ioctl numbers, constants), for the KUnit suite in `uapi/check.rs`.
//! `uapi_check.c` also asserts the layouts at build time.

use kernel::ffi::c_uint;

extern "C" {
    fn strclone_uapi_values(n: *mut c_uint) -> *const u32;
}

/// The header's values, in the order of `CHECKED` in `uapi/check.rs`.
pub(crate) fn header_values() -> &'static [u32] {
    let mut n: c_uint = 0;
    // SAFETY: `n` is a valid place for the count, which is all the function
    // writes.
    let p = unsafe { strclone_uapi_values(core::ptr::from_mut(&mut n)) };
    // SAFETY: `p` is a static const array of `n` `u32`s in uapi_check.c:
    // never written, and part of the module, which outlives every caller.
    unsafe { core::slice::from_raw_parts(p, n as usize) }
}
