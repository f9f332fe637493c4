// SPDX-License-Identifier: GPL-2.0

//! The objects message blocks live in, their slab caches, and the raw
//! free paths (`freeb`, `freemsg`) that give a block's data block and
//! object back.
//!
//! # Objects
//!
//! Memory comes in *objects*. An object made by [`Mblk::alloc`] holds a
//! block header ([`Msgb`], at offset 0), its data block ([`Datab`]) and, for
//! up to 4096 bytes, the data itself: one slab allocation from the cache of
//! its size class (`strclone_dblk_<size>`). Larger data makes one `kmalloc`
//! object of the same shape (never `vmalloc`: blocks are freed under
//! spinlocks, where `vfree` must not run); user data larger than a page
//! comes as a chain of page-sized blocks instead ([`Mblk::from_iter`],
//! [`Mblk::from_user`]); `esballoc` makes an object whose data block
//! points at a buffer someone else owns. [`Mblk::dupb`] makes a lone block
//! header (cache `strclone_mblk`) over an existing data block.
//!
//! Two counts decide when memory goes:
//!
//! - `db_ref`: the blocks that point at a data block. The last
//!   [`freeb`](super::Mblk::drop) of a data block releases it (and calls an
//!   `esballoc` buffer's free routine).
//! - `__db_objref`: what keeps an object's memory: its data block (while
//!   `db_ref > 0`) and the block header stored in it (while that header is
//!   in use, whichever data block it points at by then). Starts at 2.
//!
//! A header stored in an object says so in `__b_home`. It can outlive its
//! own data block: [`Mblk::pullup`] and [`Mblk::make_writable`] keep the
//! caller's first block (as SVR4's `pullupmsg` keeps `mp`) and point it at a
//! new data block. The common case, a block freed while it is the only user
//! of the data block in its own object, frees the object at once with no
//! atomic read-modify-write.
//!
//! The caches exist from module init ([`Caches::new`]) to module exit; the
//! exit destroys them after every stream and message is gone, and the slab
//! allocator reports any object still allocated then.
//!
//! [`Mblk::alloc`]: super::Mblk::alloc
//! [`Mblk::from_iter`]: super::Mblk::from_iter
//! [`Mblk::from_user`]: super::Mblk::from_user
//! [`Mblk::dupb`]: super::Mblk::dupb
//! [`Mblk::pullup`]: super::Mblk::pullup
//! [`Mblk::make_writable`]: super::Mblk::make_writable

use super::{Datab, FreeRtn, Msgb};
use core::{
    alloc::Layout,
    mem::{offset_of, size_of},
    ptr::{self, NonNull},
    sync::atomic::{fence, AtomicPtr, Ordering},
};
use kernel::{
    alloc::{allocator::Kmalloc, flags, Allocator, Flags},
    bindings,
    prelude::*,
};

/// An object: a block header, its data block, then (size classes) data.
#[repr(C)]
pub(super) struct Obj {
    pub(super) mb: Msgb,
    pub(super) db: Datab,
}

/// Bytes in front of an object's data.
pub(super) const HDR: usize = size_of::<Obj>();

/// The most data a block made from user memory holds: one page, the
/// largest size class.
pub(super) const PAGE_DATA: usize = 4096;

/// The data capacity of each size class; one slab cache each.
pub(super) const CLASS_DATA: [usize; 7] = [32, 128, 256, 512, 1024, 2048, 4096];
/// `esballoc` objects: header plus a copy of the free routine.
pub(super) const CLASS_ESB: u8 = 7;
/// Lone block headers (`dupb`).
pub(super) const CACHE_MBLK: usize = 8;
/// Objects too large for a size class: `kvmalloc`.
pub(super) const CLASS_BIG: u8 = 9;
const NCACHES: usize = 9;

const CACHE_NAMES: [&CStr; NCACHES] = [
    c"strclone_dblk_32",
    c"strclone_dblk_128",
    c"strclone_dblk_256",
    c"strclone_dblk_512",
    c"strclone_dblk_1024",
    c"strclone_dblk_2048",
    c"strclone_dblk_4096",
    c"strclone_dblk_esb",
    c"strclone_mblk",
];

/// What an `esballoc` object keeps after its header: the free routine
/// (`db_frtnp` points at it) and the module whose code it is, if any, on
/// which the object holds a reference until the routine has run.
#[repr(C)]
pub(super) struct EsbFree {
    pub(super) rtn: FreeRtn,
    pub(super) owner: *mut bindings::module,
}

const fn cache_size(i: usize) -> usize {
    match i {
        CACHE_MBLK => size_of::<Msgb>(),
        7 => HDR + size_of::<EsbFree>(),
        _ => HDR + CLASS_DATA[i],
    }
}

static CACHES: [AtomicPtr<bindings::kmem_cache>; NCACHES] =
    [const { AtomicPtr::new(ptr::null_mut()) }; NCACHES];

/// The slab caches, created at module init and destroyed at exit.
///
/// # Invariants
///
/// While a `Caches` exists, every entry of `CACHES` is a live cache.
pub(crate) struct Caches(());

impl Caches {
    /// Creates the caches. Only one `Caches` may exist (module init).
    pub(crate) fn new() -> Result<Self> {
        let made = Caches(());
        for (i, name) in CACHE_NAMES.iter().enumerate() {
            // SAFETY: `kmem_cache_args` is plain data (integers, pointers,
            // bools and an optional constructor); all zero means "no extra
            // arguments", as the C macro's empty initialiser does.
            let mut args: bindings::kmem_cache_args = unsafe { core::mem::zeroed() };
            args.align = 8;
            // SAFETY: `name` is a static NUL-terminated string, `args` is
            // valid for the call.
            let c = unsafe {
                bindings::__kmem_cache_create_args(
                    name.as_char_ptr(),
                    cache_size(i) as u32,
                    &mut args,
                    0,
                )
            };
            if c.is_null() {
                // `made` destroys the ones created so far.
                return Err(ENOMEM);
            }
            CACHES[i].store(c, Ordering::Release);
        }
        Ok(made)
    }
}

impl Drop for Caches {
    fn drop(&mut self) {
        for c in CACHES.iter() {
            let p = c.swap(ptr::null_mut(), Ordering::AcqRel);
            if !p.is_null() {
                // SAFETY: `p` came from `__kmem_cache_create_args` and is
                // destroyed once (swapped out above). Module exit runs after
                // every stream and message is freed.
                unsafe { bindings::kmem_cache_destroy(p) };
            }
        }
    }
}

/// The raw `gfp_t` of `f`. The kernel crate keeps `Flags::as_raw` private;
/// every `Flags` value is an OR of the constants below, so OR-ing the raw
/// value of each one it contains rebuilds it exactly.
fn gfp(f: Flags) -> bindings::gfp_t {
    [
        (flags::GFP_KERNEL_ACCOUNT, bindings::GFP_KERNEL_ACCOUNT),
        (flags::GFP_KERNEL, bindings::GFP_KERNEL),
        (flags::GFP_ATOMIC, bindings::GFP_ATOMIC),
        (flags::GFP_NOWAIT, bindings::GFP_NOWAIT),
        (flags::__GFP_NOWARN, bindings::__GFP_NOWARN),
        (flags::__GFP_ZERO, bindings::__GFP_ZERO),
        (flags::__GFP_HIGHMEM, bindings::__GFP_HIGHMEM),
    ]
    .iter()
    .filter(|(f2, _)| f.contains(*f2))
    .fold(0, |raw, (_, bits)| raw | bits)
}

fn cache(i: usize) -> Result<*mut bindings::kmem_cache> {
    let c = CACHES[i].load(Ordering::Acquire);
    if c.is_null() {
        Err(ENOMEM)
    } else {
        Ok(c)
    }
}

pub(super) fn cache_alloc(i: usize, f: Flags) -> Result<*mut u8> {
    let c = cache(i)?;
    // SAFETY: `c` is a live cache (invariant of `Caches`).
    let p = unsafe { bindings::kmem_cache_alloc_noprof(c, gfp(f)) };
    if p.is_null() {
        Err(ENOMEM)
    } else {
        Ok(p.cast())
    }
}

/// # Safety
///
/// `p` came from `cache_alloc(i, _)` and is not used afterwards.
pub(super) unsafe fn cache_free(i: usize, p: *mut u8) {
    // SAFETY: The caches outlive every object (module exit order).
    unsafe { bindings::kmem_cache_free(CACHES[i].load(Ordering::Acquire), p.cast()) };
}

/// The object whose data block is `db`.
pub(super) fn obj_of(db: *mut Datab) -> *mut Obj {
    db.wrapping_byte_sub(offset_of!(Obj, db)).cast()
}

/// Frees object `o`'s memory.
///
/// # Safety
///
/// `o` is an object whose `__db_objref` reached 0 (or that nobody else can
/// reach), not used afterwards.
unsafe fn obj_free(o: *mut Obj) {
    // SAFETY: The caller gives us `o`; its data block fields are valid.
    let (class, base, lim) = unsafe { ((*o).db.db_class, (*o).db.db_base, (*o).db.db_lim) };
    match class {
        CLASS_BIG => {
            let size = HDR + (lim as usize - base as usize);
            // SAFETY: Allocated by `Kmalloc` with this layout (see
            // `Mblk::alloc`); 8 is a valid alignment.
            unsafe {
                Kmalloc::free(
                    NonNull::new_unchecked(o.cast()),
                    Layout::from_size_align_unchecked(size, 8),
                )
            };
        }
        // SAFETY: Allocated from cache `class` (`CLASS_ESB` is cache 7).
        c => unsafe { cache_free(usize::from(c), o.cast()) },
    }
}

/// Drops one reference to object `o`.
///
/// # Safety
///
/// The caller holds one of `o`'s references (its data block's, or its
/// header's) and gives it up.
pub(super) unsafe fn obj_put(o: *mut Obj) {
    // SAFETY: `o` is alive while the caller's reference is.
    if unsafe { (*o).db.db_objref.fetch_sub(1, Ordering::Release) } != 1 {
        return;
    }
    fence(Ordering::Acquire);
    // SAFETY: That was the last reference.
    unsafe { obj_free(o) };
}

/// The data block `db` lost its last block: an `esballoc` buffer goes back
/// to its owner.
///
/// # Safety
///
/// `db` is a data block whose `db_ref` just reached 0.
pub(super) unsafe fn db_last(db: *mut Datab) {
    // SAFETY: `db` is valid until its object's memory is freed, which
    // happens after this.
    let frtn = unsafe { (*db).db_frtnp };
    if !frtn.is_null() {
        // SAFETY: `db_frtnp` points at the `EsbFree` inside the object.
        let esb = unsafe { &*frtn.cast::<EsbFree>() };
        if let Some(f) = esb.rtn.free_func {
            // SAFETY: The `esballoc` caller promised `f(free_arg)` may be
            // called once when the buffer is no longer used.
            unsafe { f(esb.rtn.free_arg) };
        }
        if !esb.owner.is_null() {
            // SAFETY: `esballoc` took this reference; the routine returned.
            unsafe { bindings::module_put(esb.owner) };
        }
    }
}

/// `freeb`: frees one block (not its `b_cont`).
///
/// # Safety
///
/// `mp` is a block the caller owns and does not use afterwards.
unsafe fn freeb_raw(mp: *mut Msgb) {
    // SAFETY: `mp` is a valid block; its data block is alive while `mp`
    // points at it.
    unsafe {
        let db = (*mp).b_datap;
        let o = obj_of(db);
        let home = (*mp).b_home != 0;
        if home && ptr::eq(mp.cast::<Obj>(), o) && (*db).db_ref.load(Ordering::Acquire) == 1 {
            // The block lives in its data block's object and is its only
            // user: nobody else can reach the object (its `__db_objref` is
            // 2, both ours).
            db_last(db);
            obj_free(o);
            return;
        }
        if (*db).db_ref.fetch_sub(1, Ordering::Release) == 1 {
            fence(Ordering::Acquire);
            db_last(db);
            obj_put(o);
        }
        if home {
            obj_put(mp.cast());
        } else {
            cache_free(CACHE_MBLK, mp.cast());
        }
    }
}

/// `freemsg`: frees a block and its `b_cont` chain, iteratively.
///
/// # Safety
///
/// As [`freeb_raw`], for every block of the chain.
pub(super) unsafe fn freemsg_raw(mut mp: *mut Msgb) {
    while !mp.is_null() {
        // SAFETY: The caller owns the chain.
        let next = unsafe { (*mp).b_cont };
        // SAFETY: Owned, and not used again.
        unsafe { freeb_raw(mp) };
        mp = next;
    }
}
