// SPDX-License-Identifier: GPL-2.0

//! SVR4 message blocks (`mblk_t`, `dblk_t`) in the C layout of
//! `include/linux/strclone_ddi.h`, and [`Mblk`], the safe owner of a message.
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
//!   [`freeb`](Mblk::drop) of a data block releases it (and calls an
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
//! # Ownership in Rust
//!
//! [`Mblk`] owns a message: its first block and the `b_cont` chain. It
//! dereferences to [`Msgb`] for reading; every change goes through `&mut
//! Mblk`, so no safe code ever holds `&mut Msgb` (swapping two headers would
//! move `__b_home` away from its storage). Bytes are writable only while the
//! data block is not shared (`db_ref == 1`): [`Mblk::bytes_mut`] returns
//! `None` otherwise, and [`Mblk::make_writable`] copies first. `db_ref` and
//! `db_type` are atomics in the Rust mirror because blocks that share a data
//! block may be owned on different CPUs; the other data block fields never
//! change after allocation.
//!
//! The caches exist from module init ([`Caches::new`]) to module exit; the
//! exit destroys them after every stream and message is gone, and the slab
//! allocator reports any object still allocated then.

use core::{
    alloc::Layout,
    ffi::c_void,
    mem::{offset_of, size_of, MaybeUninit},
    ptr::{self, NonNull},
    sync::atomic::{fence, AtomicPtr, AtomicU32, AtomicU8, Ordering},
};
use kernel::{
    alloc::{allocator::Kmalloc, flags, Allocator, Flags, NumaNode},
    bindings,
    iov::IovIterSource,
    prelude::*,
    uaccess::UserSliceReader,
};

/// `frtn_t`: how to free an `esballoc` buffer.
#[repr(C)]
pub(crate) struct FreeRtn {
    /// Called with `free_arg` when the last block of the buffer is freed.
    pub(crate) free_func: Option<unsafe extern "C" fn(*mut c_void)>,
    /// Its argument.
    pub(crate) free_arg: *mut c_void,
}

/// `dblk_t`.
#[repr(C)]
pub(crate) struct Datab {
    db_frtnp: *mut FreeRtn,
    db_base: *mut u8,
    db_lim: *mut u8,
    db_ref: AtomicU32,
    db_type: AtomicU8,
    db_class: u8,
    db_flags: u16,
    db_objref: AtomicU32,
    db_pad: u32,
}

/// `mblk_t`: one block of a message.
#[repr(C)]
pub(crate) struct Msgb {
    pub(super) b_next: *mut Msgb,
    pub(super) b_prev: *mut Msgb,
    b_cont: *mut Msgb,
    b_rptr: *mut u8,
    b_wptr: *mut u8,
    b_datap: *mut Datab,
    b_band: u8,
    b_home: u8,
    b_flag: u16,
    b_pad: u32,
}

// The C header's layout (checked from the C side in ddi_check.c).
const _: () = {
    assert!(size_of::<Msgb>() == 56);
    assert!(offset_of!(Msgb, b_next) == 0);
    assert!(offset_of!(Msgb, b_prev) == 8);
    assert!(offset_of!(Msgb, b_cont) == 16);
    assert!(offset_of!(Msgb, b_rptr) == 24);
    assert!(offset_of!(Msgb, b_wptr) == 32);
    assert!(offset_of!(Msgb, b_datap) == 40);
    assert!(offset_of!(Msgb, b_band) == 48);
    assert!(offset_of!(Msgb, b_home) == 49);
    assert!(offset_of!(Msgb, b_flag) == 50);
    assert!(size_of::<Datab>() == 40);
    assert!(offset_of!(Datab, db_frtnp) == 0);
    assert!(offset_of!(Datab, db_base) == 8);
    assert!(offset_of!(Datab, db_lim) == 16);
    assert!(offset_of!(Datab, db_ref) == 24);
    assert!(offset_of!(Datab, db_type) == 28);
    assert!(offset_of!(Datab, db_class) == 29);
    assert!(offset_of!(Datab, db_flags) == 30);
    assert!(offset_of!(Datab, db_objref) == 32);
    assert!(size_of::<FreeRtn>() == 16);
};

/// An object: a block header, its data block, then (size classes) data.
#[repr(C)]
struct Obj {
    mb: Msgb,
    db: Datab,
}

/// Bytes in front of an object's data.
const HDR: usize = size_of::<Obj>();

/// The most data a block made from user memory holds: one page, the
/// largest size class.
const PAGE_DATA: usize = 4096;

/// The data capacity of each size class; one slab cache each.
const CLASS_DATA: [usize; 7] = [32, 128, 256, 512, 1024, 2048, 4096];
/// `esballoc` objects: header plus a copy of the free routine.
const CLASS_ESB: u8 = 7;
/// Lone block headers (`dupb`).
const CACHE_MBLK: usize = 8;
/// Objects too large for a size class: `kvmalloc`.
const CLASS_BIG: u8 = 9;
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
struct EsbFree {
    rtn: FreeRtn,
    owner: *mut bindings::module,
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

fn cache_alloc(i: usize, f: Flags) -> Result<*mut u8> {
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
unsafe fn cache_free(i: usize, p: *mut u8) {
    // SAFETY: The caches outlive every object (module exit order).
    unsafe { bindings::kmem_cache_free(CACHES[i].load(Ordering::Acquire), p.cast()) };
}

/// The object whose data block is `db`.
fn obj_of(db: *mut Datab) -> *mut Obj {
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
unsafe fn obj_put(o: *mut Obj) {
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
unsafe fn db_last(db: *mut Datab) {
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
unsafe fn freemsg_raw(mut mp: *mut Msgb) {
    while !mp.is_null() {
        // SAFETY: The caller owns the chain.
        let next = unsafe { (*mp).b_cont };
        // SAFETY: Owned, and not used again.
        unsafe { freeb_raw(mp) };
        mp = next;
    }
}

impl Msgb {
    /// The data block.
    fn db(&self) -> &Datab {
        // SAFETY: A block's data block is alive while the block points at it
        // (`db_ref` counts the block).
        unsafe { &*self.b_datap }
    }

    /// The message type of this block (`db_type`).
    pub(crate) fn db_type(&self) -> u8 {
        self.db().db_type.load(Ordering::Relaxed)
    }

    /// The unread bytes `[b_rptr, b_wptr)`.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: `b_rptr <= b_wptr` lie within the data block's buffer,
        // which lives as long as this block; nobody writes a shared buffer
        // (see the module comment), and an unshared one only through the
        // owner's `&mut`.
        unsafe { core::slice::from_raw_parts(self.b_rptr, self.len()) }
    }

    /// Unread bytes in this block.
    pub(crate) fn len(&self) -> usize {
        self.b_wptr as usize - self.b_rptr as usize
    }

    /// Bytes that can still be written after `b_wptr`.
    pub(crate) fn room(&self) -> usize {
        self.db().db_lim as usize - self.b_wptr as usize
    }

    /// The next block of the message.
    pub(crate) fn cont(&self) -> Option<&Msgb> {
        // SAFETY: The chain belongs to whoever owns this block, and lives as
        // long as the borrow of it.
        unsafe { self.b_cont.as_ref() }
    }

    /// How many blocks point at this block's data block (`db_ref`).
    pub(crate) fn db_ref(&self) -> u32 {
        // Acquire: when another owner's free made this 1, its reads of the
        // buffer happen before this owner's writes to it.
        self.db().db_ref.load(Ordering::Acquire)
    }

    /// `dupmsg`: duplicates every block of the message this block heads
    /// (no copy of data).
    pub(crate) fn dupmsg(&self, f: Flags) -> Result<Mblk> {
        let mut head = Mblk::dupb(self, f)?;
        let mut cur = self.cont();
        while let Some(b) = cur {
            head.link_cont(Mblk::dupb(b, f)?);
            cur = b.cont();
        }
        Ok(head)
    }

    /// The priority band.
    pub(crate) fn band(&self) -> u8 {
        self.b_band
    }

    /// The block's flags (`b_flag`: `MSGNOLOOP` ...).
    pub(crate) fn flag(&self) -> u16 {
        self.b_flag
    }

    /// Whether `other` shares this block's data block.
    #[cfg_attr(
        not(CONFIG_KUNIT),
        expect(dead_code, reason = "SVR4 DDI for drivers; KUnit tests it")
    )]
    pub(crate) fn shares_data_with(&self, other: &Msgb) -> bool {
        ptr::eq(self.b_datap, other.b_datap)
    }

    /// The `free_arg` of this block's `esballoc` buffer when `free_func`
    /// frees it, `None` for any other data block. How the owner of an
    /// `esballoc` buffer finds its own state again (`passfp.rs`).
    pub(crate) fn esb_arg(
        &self,
        free_func: unsafe extern "C" fn(*mut c_void),
    ) -> Option<*mut c_void> {
        let frtn = self.db().db_frtnp;
        if frtn.is_null() {
            return None;
        }
        // SAFETY: A non-null `db_frtnp` points at the `EsbFree` inside the
        // data block's object (`esballoc`), alive while the block is.
        let rtn = unsafe { &(*frtn.cast::<EsbFree>()).rtn };
        (rtn.free_func.map(|f| f as usize) == Some(free_func as usize)).then_some(rtn.free_arg)
    }

    /// Bytes in the `M_DATA` blocks of the message from here (`msgdsize`).
    pub(crate) fn msgdsize(&self) -> usize {
        let mut n = 0;
        let mut cur = Some(self);
        while let Some(b) = cur {
            if b.db_type() == 0 {
                n += b.len();
            }
            cur = b.cont();
        }
        n
    }
}

/// An owned message (SVR4's `mblk_t *`): its first block and the `b_cont`
/// chain.
///
/// # Invariants
///
/// `ptr` is a valid block owned by this `Mblk` together with every block
/// on its `b_cont` chain; none of them is on a queue (`b_next`, `b_prev`
/// are not used while owned here).
pub(crate) struct Mblk {
    ptr: NonNull<Msgb>,
}

// SAFETY: An `Mblk` owns its blocks; the data blocks it shares with other
// owners are only read, and their counts are atomic.
unsafe impl Send for Mblk {}
// SAFETY: `&Mblk` only reads.
unsafe impl Sync for Mblk {}

impl core::ops::Deref for Mblk {
    type Target = Msgb;

    fn deref(&self) -> &Msgb {
        // SAFETY: Valid and owned (type invariant).
        unsafe { self.ptr.as_ref() }
    }
}

impl Drop for Mblk {
    fn drop(&mut self) {
        // SAFETY: We own the chain (type invariant).
        unsafe { freemsg_raw(self.ptr.as_ptr()) };
    }
}

impl Mblk {
    /// Takes ownership of a raw message.
    ///
    /// # Safety
    ///
    /// `p` is a valid block whose chain the caller owns and hands over.
    pub(crate) unsafe fn from_raw(p: NonNull<Msgb>) -> Self {
        Self { ptr: p }
    }

    /// Gives up ownership; the caller must free or hand it on.
    pub(crate) fn into_raw(self) -> NonNull<Msgb> {
        let p = self.ptr;
        core::mem::forget(self);
        p
    }

    fn raw(&mut self) -> *mut Msgb {
        self.ptr.as_ptr()
    }

    /// `allocb`: a block of type `ty` with room for `size` bytes, empty.
    pub(crate) fn alloc(size: usize, ty: u8, f: Flags) -> Result<Self> {
        let (class, o, cap) = match CLASS_DATA.iter().position(|&d| size <= d) {
            Some(c) => (c as u8, cache_alloc(c, f)?.cast::<Obj>(), CLASS_DATA[c]),
            None => {
                let layout = Layout::from_size_align(HDR.checked_add(size).ok_or(ENOMEM)?, 8)
                    .map_err(|_| ENOMEM)?;
                let p = Kmalloc::alloc(layout, f, NumaNode::NO_NODE)?;
                (CLASS_BIG, p.as_ptr().cast::<Obj>(), size)
            }
        };
        // SAFETY: `o` is a fresh allocation of `HDR + cap` bytes.
        Ok(unsafe { Self::init_obj(o, class, o.cast::<u8>().add(HDR), cap, ty) })
    }

    /// Fills in a fresh object whose data block describes `cap` bytes at
    /// `base`.
    ///
    /// # Safety
    ///
    /// `o` is a fresh, exclusively owned allocation of class `class`, at
    /// least `HDR` bytes; `base..base + cap` is valid buffer memory that
    /// lives as long as the object (or until its free routine runs).
    unsafe fn init_obj(o: *mut Obj, class: u8, base: *mut u8, cap: usize, ty: u8) -> Self {
        // SAFETY: `o` is valid for writes (the caller).
        unsafe {
            let db = ptr::addr_of_mut!((*o).db);
            db.write(Datab {
                db_frtnp: ptr::null_mut(),
                db_base: base,
                db_lim: base.add(cap),
                db_ref: AtomicU32::new(1),
                db_type: AtomicU8::new(ty),
                db_class: class,
                db_flags: 0,
                db_objref: AtomicU32::new(2),
                db_pad: 0,
            });
            let mb = ptr::addr_of_mut!((*o).mb);
            mb.write(Msgb {
                b_next: ptr::null_mut(),
                b_prev: ptr::null_mut(),
                b_cont: ptr::null_mut(),
                b_rptr: base,
                b_wptr: base,
                b_datap: db,
                b_band: 0,
                b_home: 1,
                b_flag: 0,
                b_pad: 0,
            });
            Self {
                ptr: NonNull::new_unchecked(mb),
            }
        }
    }

    /// `allocb` plus a copy of `data`.
    pub(crate) fn new(ty: u8, data: &[u8], f: Flags) -> Result<Self> {
        let mut m = Self::alloc(data.len(), ty, f)?;
        m.append(data);
        Ok(m)
    }

    /// `esballoc`: a block of type `ty` over `size` bytes at `base` that
    /// its owner keeps; `frtn` (copied) runs when the last block of it is
    /// freed.
    ///
    /// # Safety
    ///
    /// `base..base + size` is writable memory lent to the new block
    /// exclusively: it stays valid, and nobody else reads or writes it,
    /// until `frtn.free_func(frtn.free_arg)` is called (in whatever context
    /// the last block is freed). The block's owner may write it while the
    /// data block is not shared, as for any block. `owner` is NULL or the
    /// caller's own module, which the buffer then holds (a reference taken
    /// here, given back after `free_func` returned).
    pub(crate) unsafe fn esballoc(
        base: *mut u8,
        size: usize,
        ty: u8,
        frtn: &FreeRtn,
        owner: *mut bindings::module,
        f: Flags,
    ) -> Result<Self> {
        let o = cache_alloc(usize::from(CLASS_ESB), f)?.cast::<Obj>();
        // SAFETY: `o` is fresh; the buffer's validity is the caller's promise.
        unsafe {
            let mut m = Self::init_obj(o, CLASS_ESB, base, size, ty);
            m.set_wptr_full();
            let copy = o.cast::<u8>().add(HDR).cast::<EsbFree>();
            if !owner.is_null() {
                // The caller's own module, alive while it calls us.
                bindings::__module_get(owner);
            }
            copy.write(EsbFree {
                rtn: FreeRtn {
                    free_func: frtn.free_func,
                    free_arg: frtn.free_arg,
                },
                owner,
            });
            (*o).db.db_frtnp = copy.cast::<FreeRtn>();
            Ok(m)
        }
    }

    /// An `esballoc` buffer starts full: `b_wptr` at `db_lim`.
    fn set_wptr_full(&mut self) {
        let lim = self.db().db_lim;
        // SAFETY: Owned (type invariant).
        unsafe { (*self.raw()).b_wptr = lim };
    }

    /// Whether this block may be written (its data block is not shared).
    pub(crate) fn is_writable(&self) -> bool {
        self.db_ref() == 1
    }

    /// The unread bytes, writable, unless the data block is shared.
    pub(crate) fn bytes_mut(&mut self) -> Option<&mut [u8]> {
        if !self.is_writable() {
            return None;
        }
        let (p, n) = (self.b_rptr, self.len());
        // SAFETY: We own the only block of this data block (`db_ref == 1`
        // cannot grow: only a block pointing here can be duplicated), and
        // the slice is inside its buffer.
        Some(unsafe { core::slice::from_raw_parts_mut(p, n) })
    }

    /// Appends as much of `data` as fits after `b_wptr`; returns how much.
    /// Nothing is written to a shared data block.
    pub(crate) fn append(&mut self, data: &[u8]) -> usize {
        if !self.is_writable() {
            return 0;
        }
        let n = data.len().min(self.room());
        let w = self.b_wptr;
        // SAFETY: Unshared (checked above); `w..w + n` is inside the buffer
        // (`n <= room`), and cannot overlap `data`, which is not in it.
        unsafe {
            ptr::copy_nonoverlapping(data.as_ptr(), w, n);
            (*self.raw()).b_wptr = w.add(n);
        }
        n
    }

    /// The free space after `b_wptr`, for a copy that fills it.
    fn spare(&mut self, n: usize) -> Option<&mut [MaybeUninit<u8>]> {
        if !self.is_writable() || n > self.room() {
            return None;
        }
        // SAFETY: Unshared, and `n` bytes after `b_wptr` are in the buffer.
        Some(unsafe { core::slice::from_raw_parts_mut(self.b_wptr.cast(), n) })
    }

    fn advance_wptr(&mut self, n: usize) {
        let n = n.min(self.room());
        // SAFETY: Owned; stays within the buffer.
        unsafe { (*self.raw()).b_wptr = self.b_wptr.add(n) };
    }

    /// A message of `ty` with up to `n` bytes copied from `src`: fewer if
    /// the user buffer faults part way (none: `EFAULT`). More than a page
    /// comes as a chain of page-sized blocks (the first of type `ty`, the
    /// rest `M_DATA`).
    pub(crate) fn from_iter(
        src: &mut IovIterSource<'_>,
        n: usize,
        ty: u8,
        f: Flags,
    ) -> Result<Self> {
        let n = n.min(src.len());
        let mut head: Option<Mblk> = None;
        let mut done = 0;
        loop {
            let k = (n - done).min(PAGE_DATA);
            let mut m = Self::alloc(k, if head.is_none() { ty } else { 0 }, f)?;
            let got = match m.spare(k) {
                Some(s) => src.copy_from_iter_raw(s).len(),
                None => 0,
            };
            m.advance_wptr(got);
            done += got;
            match head.as_mut() {
                None => head = Some(m),
                Some(h) if got > 0 => h.link_cont(m),
                Some(_) => {}
            }
            if got < k || done == n {
                break;
            }
        }
        if done == 0 && n > 0 {
            return Err(EFAULT);
        }
        head.ok_or(EFAULT)
    }

    /// A message of `ty` holding the next `n` bytes of `r`, as a chain of
    /// page-sized blocks above a page (the first of type `ty`).
    pub(crate) fn from_user(r: &mut UserSliceReader, n: usize, ty: u8, f: Flags) -> Result<Self> {
        let mut head: Option<Mblk> = None;
        let mut done = 0;
        loop {
            let k = (n - done).min(PAGE_DATA);
            let mut m = Self::alloc(k, if head.is_none() { ty } else { 0 }, f)?;
            let s = m.spare(k).ok_or(EINVAL)?;
            r.read_raw(s)?;
            m.advance_wptr(k);
            done += k;
            match head.as_mut() {
                None => head = Some(m),
                Some(h) => h.link_cont(m),
            }
            if done == n {
                break;
            }
        }
        head.ok_or(EINVAL)
    }

    /// Changes the message type of the first block. SVR4 keeps the type in
    /// the data block, so blocks that share it see the change too.
    pub(crate) fn set_db_type(&mut self, ty: u8) {
        self.db().db_type.store(ty, Ordering::Relaxed);
    }

    /// Sets the priority band.
    pub(crate) fn set_band(&mut self, band: u8) {
        // SAFETY: Owned (type invariant).
        unsafe { (*self.raw()).b_band = band };
    }

    /// Sets bits in the first block's `b_flag`.
    pub(crate) fn set_flag(&mut self, bits: u16) {
        // SAFETY: Owned (type invariant).
        unsafe { (*self.raw()).b_flag |= bits };
    }

    /// Clears bits in the first block's `b_flag`.
    pub(crate) fn clear_flag(&mut self, bits: u16) {
        // SAFETY: Owned (type invariant).
        unsafe { (*self.raw()).b_flag &= !bits };
    }

    /// Marks `n` bytes of the first block as read (`b_rptr += n`).
    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.len());
        // SAFETY: Owned; stays at or below `b_wptr`.
        unsafe { (*self.raw()).b_rptr = self.b_rptr.add(n) };
    }

    /// Drops `n` bytes from the end of the first block (`b_wptr -= n`).
    #[cfg_attr(
        not(CONFIG_KUNIT),
        expect(dead_code, reason = "SVR4 DDI for drivers; KUnit tests it")
    )]
    pub(crate) fn trim_end(&mut self, n: usize) {
        let n = n.min(self.len());
        // SAFETY: Owned; stays at or above `b_rptr`.
        unsafe { (*self.raw()).b_wptr = self.b_wptr.sub(n) };
    }

    /// `unlinkb`: detaches and returns everything after the first block.
    pub(crate) fn take_cont(&mut self) -> Option<Mblk> {
        let p = self.raw();
        // SAFETY: Owned; the detached chain becomes the new owner's.
        unsafe {
            let c = (*p).b_cont;
            (*p).b_cont = ptr::null_mut();
            NonNull::new(c).map(|c| Mblk::from_raw(c))
        }
    }

    /// `linkb`: appends `tail` at the end of the chain.
    pub(crate) fn link_cont(&mut self, tail: Mblk) {
        let mut p = self.raw();
        // SAFETY: We own the chain; `tail` becomes part of it.
        unsafe {
            while !(*p).b_cont.is_null() {
                p = (*p).b_cont;
            }
            (*p).b_cont = tail.into_raw().as_ptr();
        }
    }

    /// `dupb`: a second block over the same data block (no copy).
    pub(crate) fn dupb(b: &Msgb, f: Flags) -> Result<Mblk> {
        let p = cache_alloc(CACHE_MBLK, f)?.cast::<Msgb>();
        b.db().db_ref.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `p` is a fresh lone header; the data block now counts it.
        unsafe {
            p.write(Msgb {
                b_next: ptr::null_mut(),
                b_prev: ptr::null_mut(),
                b_cont: ptr::null_mut(),
                b_rptr: b.b_rptr,
                b_wptr: b.b_wptr,
                b_datap: b.b_datap,
                b_band: b.b_band,
                b_home: 0,
                b_flag: b.b_flag,
                b_pad: 0,
            });
            Ok(Mblk::from_raw(NonNull::new_unchecked(p)))
        }
    }

    /// `copyb`: a new block with a copy of `b`'s unread bytes, type, band
    /// and flags.
    pub(crate) fn copyb(b: &Msgb, f: Flags) -> Result<Mblk> {
        let mut m = Self::new(b.db_type(), b.bytes(), f)?;
        let raw = m.raw();
        // SAFETY: Owned.
        unsafe {
            (*raw).b_band = b.b_band;
            (*raw).b_flag = b.b_flag;
        }
        Ok(m)
    }

    /// `copymsg`: copies every block of the message.
    pub(crate) fn copymsg(&self, f: Flags) -> Result<Mblk> {
        let mut head = Self::copyb(self, f)?;
        let mut cur = self.cont();
        while let Some(b) = cur {
            head.link_cont(Self::copyb(b, f)?);
            cur = b.cont();
        }
        Ok(head)
    }

    /// Points the first block at `new`'s data block instead of its own
    /// (keeping `b_band`, `b_flag` and `b_cont`), and frees `new`'s header.
    fn replace_db(&mut self, new: Mblk) {
        let np = new.into_raw().as_ptr();
        let p = self.raw();
        // SAFETY: Both are owned; `new` is a single block (checked by the
        // callers: it comes from `alloc`). The old data block loses this
        // block's reference, `new`'s data block gains it (its header goes).
        unsafe {
            let old = (*p).b_datap;
            (*p).b_datap = (*np).b_datap;
            (*p).b_rptr = (*np).b_rptr;
            (*p).b_wptr = (*np).b_wptr;
            // `new`'s header gives up its storage; its data block keeps
            // the count it had, now held by `self`.
            if (*np).b_home != 0 {
                obj_put(np.cast());
            } else {
                cache_free(CACHE_MBLK, np.cast());
            }
            if (*old).db_ref.fetch_sub(1, Ordering::Release) == 1 {
                fence(Ordering::Acquire);
                db_last(old);
                obj_put(obj_of(old));
            }
        }
    }

    /// Makes the first block writable: a shared data block is copied (the
    /// unread bytes, plus the room after them) into a new one of its own.
    pub(crate) fn make_writable(&mut self, f: Flags) -> Result {
        if self.is_writable() {
            return Ok(());
        }
        let mut new = Self::alloc(self.len() + self.room(), self.db_type(), f)?;
        new.append(self.bytes());
        self.replace_db(new);
        Ok(())
    }

    /// `pullupmsg`: makes the first `len` bytes (all, for `None`) of the
    /// leading blocks of the first block's type contiguous in the first
    /// block. `EINVAL` if there are fewer; the message is unchanged on
    /// error.
    pub(crate) fn pullup(&mut self, len: Option<usize>, f: Flags) -> Result {
        let ty = self.db_type();
        let mut avail = 0;
        let mut cur = Some(&**self);
        while let Some(b) = cur.filter(|b| b.db_type() == ty) {
            avail += b.len();
            cur = b.cont();
        }
        let want = len.unwrap_or(avail);
        if want > avail {
            return Err(EINVAL);
        }
        if self.len() >= want && (len.is_some() || self.cont().is_none_or(|c| c.db_type() != ty)) {
            return Ok(());
        }
        let mut new = Self::alloc(want, ty, f)?;
        new.append(self.bytes());
        let mut need = want - self.len();
        let mut rest = self.take_cont();
        while need > 0 {
            let Some(mut b) = rest else { break };
            let n = b.len().min(need);
            new.append(&b.bytes()[..n]);
            b.consume(n);
            need -= n;
            if b.len() == 0 {
                rest = b.take_cont();
            } else {
                rest = Some(b);
            }
        }
        self.replace_db(new);
        if let Some(r) = rest {
            self.link_cont(r);
        }
        Ok(())
    }

    /// `adjmsg`: trims `len` bytes from the front (`len > 0`) or `-len`
    /// from the end (`len < 0`) of the leading blocks of the first block's
    /// type. `false` (and nothing changed) if they hold fewer bytes.
    pub(crate) fn adjmsg(&mut self, len: isize) -> bool {
        let ty = self.db_type();
        let mut total = 0;
        let mut runs = 0;
        let mut cur = Some(&**self);
        while let Some(b) = cur.filter(|b| b.db_type() == ty) {
            total += b.len();
            runs += 1;
            cur = b.cont();
        }
        let n = len.unsigned_abs();
        if n > total {
            return false;
        }
        // Forward from the front, or to the new end: `keep` bytes stay.
        let (mut from_front, mut keep) = if len >= 0 { (n, 0) } else { (0, total - n) };
        let mut p = self.raw();
        for _ in 0..runs {
            // SAFETY: We own the chain; each pointer move stays within
            // `[b_rptr, b_wptr]` of its block.
            unsafe {
                let blen = (*p).b_wptr as usize - (*p).b_rptr as usize;
                if len >= 0 {
                    let k = from_front.min(blen);
                    (*p).b_rptr = (*p).b_rptr.add(k);
                    from_front -= k;
                } else {
                    let k = keep.min(blen);
                    (*p).b_wptr = (*p).b_rptr.add(k);
                    keep -= k;
                }
                p = (*p).b_cont;
            }
        }
        true
    }
}

#[kunit_tests(strclone_mblk)]
mod tests {
    use super::*;
    use core::sync::atomic::AtomicUsize;

    const M_DATA: u8 = 0x00;
    const M_PROTO: u8 = 0x01;

    fn data(bytes: &[u8]) -> Mblk {
        Mblk::new(M_DATA, bytes, GFP_KERNEL).unwrap()
    }

    /// The message's bytes, block by block, joined.
    fn flat(m: &Msgb) -> KVec<u8> {
        let mut v = KVec::new();
        let mut cur = Some(m);
        while let Some(b) = cur {
            v.extend_from_slice(b.bytes(), GFP_KERNEL).unwrap();
            cur = b.cont();
        }
        v
    }

    fn nblocks(m: &Msgb) -> usize {
        let mut n = 0;
        let mut cur = Some(m);
        while let Some(b) = cur {
            n += 1;
            cur = b.cont();
        }
        n
    }

    #[test]
    fn size_classes_and_one_allocation() {
        for (size, cap) in [
            (0, 32),
            (32, 32),
            (33, 128),
            (1000, 1024),
            (4096, 4096),
            (4097, 4097),
            (65536, 65536),
        ] {
            let m = Mblk::alloc(size, M_DATA, GFP_KERNEL).unwrap();
            assert_eq!(m.room(), cap);
            assert_eq!(m.len(), 0);
            assert_eq!(m.db_ref(), 1);
            // Header, data block and data are one object up to a page.
            if size <= 4096 {
                let start = m.ptr.as_ptr() as usize;
                assert_eq!(m.b_rptr as usize, start + HDR);
                assert_eq!(m.b_datap as usize, start + size_of::<Msgb>());
            }
        }
        let mut m = Mblk::alloc(5, M_DATA, GFP_KERNEL).unwrap();
        assert_eq!(m.append(b"hello world"), 11);
        assert_eq!(m.bytes(), b"hello world");
        m.consume(6);
        assert_eq!(m.bytes(), b"world");
        m.trim_end(2);
        assert_eq!(m.bytes(), b"wor");
    }

    #[test]
    fn dup_shares_and_copy_does_not() {
        let mut m = data(b"shared");
        m.link_cont(data(b" tail"));
        let d = m.dupmsg(GFP_KERNEL).unwrap();
        assert!(d.shares_data_with(&m));
        assert_eq!(m.db_ref(), 2);
        assert_eq!(flat(&d)[..], b"shared tail"[..]);
        // A shared block is read only.
        assert!(!m.is_writable());
        let mut m2 = m;
        assert!(m2.bytes_mut().is_none());
        assert_eq!(m2.append(b"x"), 0);
        // Freeing one leaves the other intact.
        drop(d);
        assert_eq!(m2.db_ref(), 1);
        assert!(m2.bytes_mut().is_some());
        let c = m2.copymsg(GFP_KERNEL).unwrap();
        assert!(!c.shares_data_with(&m2));
        assert_eq!(c.db_ref(), 1);
        assert_eq!(flat(&c)[..], b"shared tail"[..]);
    }

    #[test]
    fn dup_outlives_original_and_make_writable_unshares() {
        let m = data(b"abc");
        let mut d = Mblk::dupb(&m, GFP_KERNEL).unwrap();
        drop(m);
        // The original's object stays until the dup goes.
        assert_eq!(d.bytes(), b"abc");
        assert_eq!(d.db_ref(), 1);
        let m = data(b"xyz");
        let mut d2 = Mblk::dupb(&m, GFP_KERNEL).unwrap();
        d2.make_writable(GFP_KERNEL).unwrap();
        assert!(!d2.shares_data_with(&m));
        assert_eq!(m.db_ref(), 1);
        d2.bytes_mut().unwrap()[0] = b'X';
        assert_eq!(d2.bytes(), b"Xyz");
        assert_eq!(m.bytes(), b"xyz");
        d.set_band(3);
        assert_eq!(d.band(), 3);
    }

    #[test]
    fn pullup_joins_leading_blocks_of_one_type() {
        let mut m = data(b"ab");
        m.link_cont(data(b"cd"));
        m.link_cont(data(b"ef"));
        // Too many bytes: nothing changes.
        assert!(m.pullup(Some(7), GFP_KERNEL).is_err());
        assert_eq!(nblocks(&m), 3);
        m.pullup(Some(3), GFP_KERNEL).unwrap();
        assert_eq!(m.bytes(), b"abc");
        assert_eq!(flat(&m)[..], b"abcdef"[..]);
        assert_eq!(nblocks(&m), 3);
        m.pullup(None, GFP_KERNEL).unwrap();
        assert_eq!(m.bytes(), b"abcdef");
        assert_eq!(nblocks(&m), 1);
        // A control block is pulled up alone: the data after it stays.
        let mut p = Mblk::new(M_PROTO, b"hd", GFP_KERNEL).unwrap();
        p.link_cont(data(b"body"));
        p.pullup(None, GFP_KERNEL).unwrap();
        assert_eq!(p.bytes(), b"hd");
        assert_eq!(nblocks(&p), 2);
        // Pulling up a block whose data is shared leaves the sharer alone.
        let mut a = data(b"12");
        a.link_cont(data(b"34"));
        let dup = a.dupmsg(GFP_KERNEL).unwrap();
        a.pullup(None, GFP_KERNEL).unwrap();
        assert_eq!(a.bytes(), b"1234");
        assert_eq!(dup.bytes(), b"12");
        assert_eq!(flat(&dup)[..], b"1234"[..]);
        assert_eq!(dup.db_ref(), 1);
    }

    #[test]
    fn adjmsg_trims_front_and_back() {
        let mut m = data(b"abc");
        m.link_cont(data(b"def"));
        assert!(m.adjmsg(4));
        assert_eq!(flat(&m)[..], b"ef"[..]);
        let mut m = data(b"abc");
        m.link_cont(data(b"def"));
        assert!(m.adjmsg(-4));
        assert_eq!(flat(&m)[..], b"ab"[..]);
        assert!(!m.adjmsg(3));
        assert!(!m.adjmsg(-3));
        assert_eq!(flat(&m)[..], b"ab"[..]);
        // Only the leading run of the first block's type is trimmed.
        let mut p = Mblk::new(M_PROTO, b"xy", GFP_KERNEL).unwrap();
        p.link_cont(data(b"zz"));
        assert!(!p.adjmsg(3));
        assert!(p.adjmsg(-1));
        assert_eq!(flat(&p)[..], b"xzz"[..]);
    }

    #[test]
    fn link_unlink_and_msgdsize() {
        let mut p = Mblk::new(M_PROTO, b"ctl", GFP_KERNEL).unwrap();
        p.link_cont(data(b"12345"));
        p.link_cont(data(b"678"));
        assert_eq!(p.msgdsize(), 8);
        assert_eq!(nblocks(&p), 3);
        let rest = p.take_cont().unwrap();
        assert_eq!(nblocks(&p), 1);
        assert_eq!(rest.msgdsize(), 8);
        assert_eq!(p.msgdsize(), 0);
    }

    static FREED: AtomicUsize = AtomicUsize::new(0);
    static mut BUF: [u8; 16] = *b"external buffer!";

    /// Adds `arg` (a small integer, not a pointer) to `FREED`.
    ///
    /// # Safety
    ///
    /// Any argument is fine; `unsafe` only because `frtn_t` says so.
    unsafe extern "C" fn count_free(arg: *mut c_void) {
        FREED.fetch_add(arg as usize, Ordering::Relaxed);
    }

    #[test]
    fn esballoc_calls_free_once_after_the_last_block() {
        FREED.store(0, Ordering::Relaxed);
        let frtn = FreeRtn {
            free_func: Some(count_free),
            free_arg: ptr::without_provenance_mut(1),
        };
        // SAFETY: `BUF` is static and nobody writes it.
        let m = unsafe {
            Mblk::esballoc(
                ptr::addr_of_mut!(BUF).cast(),
                16,
                M_DATA,
                &frtn,
                ptr::null_mut(),
                GFP_KERNEL,
            )
        }
        .unwrap();
        assert_eq!(m.bytes(), b"external buffer!");
        let d = m.dupmsg(GFP_KERNEL).unwrap();
        drop(m);
        assert_eq!(FREED.load(Ordering::Relaxed), 0);
        drop(d);
        assert_eq!(FREED.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn list_keeps_order_and_filters() {
        let mut l = crate::glue::msglist::MsgList::new();
        for b in [b"1", b"2", b"3", b"4"] {
            l.push_back(data(b));
        }
        l.push_front(data(b"0"));
        l.insert_before(data(b"x"), |m| m.bytes() == b"3");
        let mut out = KVec::new();
        l.drain_filter(
            |m| m.bytes() == b"2" || m.bytes() == b"4",
            |m| out.push(m.bytes()[0], GFP_KERNEL).unwrap(),
        );
        assert_eq!(&out[..], b"24");
        assert_eq!(l.len(), 4);
        let mut order = KVec::new();
        while let Some(m) = l.pop_front() {
            order.push(m.bytes()[0], GFP_KERNEL).unwrap();
        }
        assert_eq!(&order[..], b"01x3");
        assert!(l.is_empty());
    }
}
