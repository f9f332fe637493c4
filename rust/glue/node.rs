// SPDX-License-Identifier: GPL-2.0

//! Character nodes and stream files.
//!
//! A [`Node`] is a fixed character device (`/dev/<name>`, on a region of
//! its own, see `chrdev.c`) with a chosen mode whose open is handed to a
//! per-node context ([`NodeOps`]); a [`Region`] is a major of many minors
//! with one context, whose `/dev` nodes ([`DevNode`]) come and go (the clone
//! nodes with registration, the pts nodes with pairs); the file an open
//! returns
//! is driven by [`FileOps`]: read, write, poll, ioctl, fdinfo and release.
//! [`new_anon_file`] and [`FdSlot`] make further files for a stream without
//! any node (the pts side of a ptm pair, like Linux's `TIOCGPTPEER`): the
//! descriptor is reserved first and the file installed last, so a failure in
//! between leaves nothing behind for user space to see.
//!
//! A node's name may contain a `/`: `sad/admin` becomes `/dev/sad/admin`
//! (the device's kobject is called `sad!admin`, and devtmpfs turns the `!`
//! back into a directory, which it also removes with the last node in it).
//!
//! The kernel's `MiscDevice` abstraction has no `poll`, no node mode and no
//! per-node open context, which is why strclone builds its own
//! `file_operations` here, the way Rust binder does. The nodes are not misc
//! devices at all: `misc_open` runs every open with the global `misc_mtx`
//! held, which would serialise all clone opens.

use core::{marker::PhantomData, mem::ManuallyDrop};
use kernel::{
    bindings, container_of,
    error::{from_err_ptr, to_result},
    ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void},
    fs::{
        file::{flags as oflags, FileDescriptorReservation, LocalFile},
        File,
    },
    iov::{IovIterDest, IovIterSource},
    prelude::*,
    seq_file::SeqFile,
    str::CStrExt,
    sync::{aref::ARef, poll::PollTable, Arc},
    types::{ForeignOwnable, Opaque},
};

/// The operations of an open stream file. `Self` is the file's private data,
/// shared by every file that refers to the same stream.
pub(crate) trait FileOps: Send + Sync + Sized + 'static {
    /// Whether the file has `read`, `write` and `poll`. A control file
    /// without them (the sad nodes) sets this to `false`: the three methods
    /// are then never called, and the VFS answers as for any file without
    /// them (`read`/`write` fail `EINVAL`, `poll` reports the default mask).
    ///
    /// # Invariant
    ///
    /// Exactly one type of strclone has `RW` true, the stream head's
    /// (`crate::streams::stream::Stream`): [`rw_file_of_fd`] recognises
    /// its files by that alone. A second kind of read/write file must
    /// change that function first.
    const RW: bool = true;
    /// `read(2)`.
    fn read(this: &Arc<Self>, buf: &mut IovIterDest<'_>, nonblock: bool) -> Result<usize>;
    /// `write(2)`.
    fn write(this: &Arc<Self>, buf: &mut IovIterSource<'_>, nonblock: bool) -> Result<usize>;
    /// `poll(2)`: registers on `table` and returns the ready mask.
    fn poll(this: &Arc<Self>, file: &File, table: PollTable<'_>) -> u32;
    /// `ioctl(2)`.
    fn ioctl(this: &Arc<Self>, file: &File, cmd: u32, arg: usize) -> Result<isize>;
    /// `ioctl(2)` from a 32-bit program (`compat_ioctl`); `arg` is the
    /// program's 32-bit value zero-extended, as `compat_ptr` makes it. The
    /// default is the native `ioctl`, which is right for every argument
    /// without a pointer or a `long` inside (`crate::streams::compat`).
    fn compat_ioctl(this: &Arc<Self>, file: &File, cmd: u32, arg: usize) -> Result<isize> {
        Self::ioctl(this, file, cmd, arg)
    }
    /// Extra lines for `/proc/<pid>/fdinfo/<fd>`.
    fn show_fdinfo(this: &Arc<Self>, m: &SeqFile);
    /// The file is being released (last `close(2)` of this file);
    /// `nonblock`: it was open with `O_NONBLOCK`.
    fn release(this: Arc<Self>, nonblock: bool);
    /// Whether the file has `fasync` (`O_ASYNC`) and `flush`.
    const ASYNC: bool = false;
    /// The `fasync` operation: `O_ASYNC` set (`on`) or cleared on `file`.
    fn fasync(_this: &Arc<Self>, _fd: i32, _file: &File, _on: bool) -> Result<i32> {
        Err(EINVAL)
    }
    /// A `close(2)` of a descriptor of the file, by the calling process
    /// (every close, not only the last one; process exit too).
    fn flush(_this: &Arc<Self>) {}
}

/// What a node does when it is opened.
pub(crate) trait NodeOps: Send + Sync + 'static {
    /// The private data of the files this node opens.
    type File: FileOps;
    /// Opens the node; the returned object becomes the file's private data.
    fn open(&self, file: &File) -> Result<Arc<Self::File>>;
}

extern "C" {
    fn strclone_chrdev_init() -> c_int;
    fn strclone_chrdev_exit();
    // Returns `struct strclone_region *` or an `ERR_PTR`; `fops` is a
    // `const struct file_operations *` (passed untyped: bindgen's struct has
    // a zero-sized member that is not FFI-safe).
    fn strclone_region_add(
        name: *const c_char,
        count: c_uint,
        fops: *const c_void,
        ctx: *mut c_void,
    ) -> *mut c_void;
    fn strclone_region_del(r: *mut c_void);
    // `const struct inode *`, untyped as `fops` above.
    fn strclone_region_enter(inode: *const c_void, rp: *mut *mut c_void) -> *mut c_void;
    fn strclone_region_exit(r: *mut c_void);
    // `const struct file *`, untyped as `fops` above.
    fn strclone_file_minor(file: *const c_void) -> c_uint;
    // Returns `struct device *` or an `ERR_PTR`.
    fn strclone_dev_add(
        r: *mut c_void,
        minor: c_uint,
        name: *const c_char,
        uid: u32,
        gid: u32,
        mode: u16,
    ) -> *mut c_void;
    fn strclone_dev_del(dev: *mut c_void);
    fn strclone_node_add(
        name: *const c_char,
        mode: u16,
        fops: *const c_void,
        ctx: *mut c_void,
    ) -> *mut c_void;
    fn strclone_node_del(r: *mut c_void);
    fn strclone_pts_region_set(r: *mut c_void);
    fn strclone_pts_dev_add(minor: c_uint, uid: u32, gid: u32, mode: u16) -> *mut c_void;
}

/// strclone's device class (`chrdev.c`). Every [`Node`] and [`Region`]
/// must be dropped before it.
pub(crate) struct Chrdevs(());

impl Chrdevs {
    /// Registers the class.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: Called once, from module init; undone by `drop`.
        to_result(unsafe { strclone_chrdev_init() })?;
        Ok(Self(()))
    }
}

impl Drop for Chrdevs {
    fn drop(&mut self) {
        // SAFETY: The class exists (`new` succeeded) and every region was
        // removed before (the caller's field order).
        unsafe { strclone_chrdev_exit() };
    }
}

/// A fixed character node: `/dev/<name>`, root's, with a chosen mode, on a
/// region of one minor of its own.
///
/// # Invariants
///
/// `raw` holds the region `strclone_node_add` returned from the end of
/// [`Node::register`] until [`PinnedDrop`]: `/dev/<name>` exists, its opens
/// call `NodeVTable::<N>::VTABLE`, and its context is this (pinned) `Node`'s
/// `ops`, initialised before registration and dropped after removal.
#[pin_data(PinnedDrop)]
pub(crate) struct Node<N: NodeOps> {
    ops: N,
    #[pin]
    raw: Opaque<*mut c_void>,
}

// SAFETY: `strclone_node_del` may run on any thread; `ops` is `Send`.
unsafe impl<N: NodeOps> Send for Node<N> {}
// SAFETY: `&Node` only exposes `&N`, which is `Sync`.
unsafe impl<N: NodeOps> Sync for Node<N> {}

impl<N: NodeOps> Node<N> {
    /// Creates `/dev/<name>` with permission bits `mode` (e.g. 0o666). The
    /// [`Chrdevs`] must exist and outlive the node.
    pub(crate) fn register(name: &'static CStr, mode: u16, ops: N) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ops,
            raw <- Opaque::try_ffi_init(move |slot: *mut *mut c_void| {
                // SAFETY: `slot` is the `raw` field of a pinned `Node<N>`
                // (`Opaque` is transparent), whose `ops` is initialised.
                let node = unsafe { container_of!(slot.cast::<Opaque<*mut c_void>>(), Node<N>, raw) };
                // SAFETY: `node` is valid (above); no reference is made.
                let ops = unsafe { core::ptr::addr_of!((*node).ops) };
                // SAFETY: `name` is a C string, the vtable is static, and the
                // node (so `ops`) stays pinned until `PinnedDrop` removes it.
                let r = unsafe {
                    strclone_node_add(
                        name.as_char_ptr(),
                        mode,
                        core::ptr::from_ref(NodeVTable::<N>::build()).cast::<c_void>(),
                        ops.cast_mut().cast::<c_void>(),
                    )
                };
                let r = from_err_ptr(r)?;
                // SAFETY: The initializer may write to `slot`.
                unsafe { slot.write(r) };
                Ok::<(), Error>(())
            }),
        })
    }
}

#[pinned_drop]
impl<N: NodeOps> PinnedDrop for Node<N> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant the node exists, and is removed
        // only here (which waits for the opens using `ops`).
        unsafe { strclone_node_del(*self.raw.get()) };
    }
}

/// A region of `count` character devices of their own (dynamic) major,
/// minors `0..count`, all opened through one `N`: the clone driver (minor =
/// STREAMS major), the pts slaves, a registered driver's minors
/// (`chrdev.c`). The region has no `/dev` nodes of its own; [`DevNode`]s
/// make them.
///
/// # Invariants
///
/// `raw` holds the region `strclone_region_add` returned, from the end of
/// [`Region::register`] until [`PinnedDrop`]: its cdev's opens call
/// `NodeVTable::<N>::VTABLE` with this region's (pinned) `ops` as context.
#[pin_data(PinnedDrop)]
pub(crate) struct Region<N: NodeOps> {
    ops: N,
    #[pin]
    raw: Opaque<*mut c_void>,
}

// SAFETY: `strclone_region_del` may run on any thread; `ops` is `Send`.
unsafe impl<N: NodeOps> Send for Region<N> {}
// SAFETY: `&Region` only exposes `&N`, which is `Sync`, and makes devices,
// which may be done from any thread.
unsafe impl<N: NodeOps> Sync for Region<N> {}

impl<N: NodeOps> Region<N> {
    /// Registers the region `name` (its line in `/proc/devices`) of `count`
    /// minors (1 to 2^20). The [`Chrdevs`] must exist and outlive the
    /// region.
    pub(crate) fn register(name: &CStr, count: u32, ops: N) -> impl PinInit<Self, Error> + '_ {
        try_pin_init!(Self {
            ops,
            raw <- Opaque::try_ffi_init(move |slot: *mut *mut c_void| {
                // SAFETY: `slot` is the `raw` field of a pinned `Region<N>`
                // (`Opaque` is transparent), whose `ops` is initialised.
                let region = unsafe {
                    container_of!(slot.cast::<Opaque<*mut c_void>>(), Region<N>, raw)
                };
                // SAFETY: `region` is valid (above); no reference is made.
                let ops = unsafe { core::ptr::addr_of!((*region).ops) };
                // SAFETY: `name` is a C string (copied), the vtable is
                // static, and the region (so `ops`) stays pinned until
                // `PinnedDrop` removes it.
                let r = unsafe {
                    strclone_region_add(
                        name.as_char_ptr(),
                        count,
                        core::ptr::from_ref(NodeVTable::<N>::build()).cast::<c_void>(),
                        ops.cast_mut().cast::<c_void>(),
                    )
                };
                let r = from_err_ptr(r)?;
                // SAFETY: The initializer may write to `slot`.
                unsafe { slot.write(r) };
                Ok::<(), Error>(())
            }),
        })
    }

    /// The context its opens get.
    pub(crate) fn ops(&self) -> &N {
        &self.ops
    }

    /// Makes `/dev/<name>` for `minor`, owned by the kernel ids `uid` and
    /// `gid` with permission bits `mode`. Sleeps (devtmpfs makes the node
    /// before this returns). Every `DevNode` of the region must be dropped
    /// before the region.
    pub(crate) fn node(
        &self,
        minor: u32,
        name: &CStr,
        uid: u32,
        gid: u32,
        mode: u16,
    ) -> Result<DevNode> {
        // SAFETY: The region exists (type invariant); `name` is copied.
        let p =
            unsafe { strclone_dev_add(*self.raw.get(), minor, name.as_char_ptr(), uid, gid, mode) };
        DevNode::of(p)
    }

    /// Makes this region the one `DevNode::pts` makes its nodes on (there
    /// is one pts region).
    pub(crate) fn serve_pts(&self) {
        // SAFETY: The region exists (type invariant); `chrdev.c` forgets it
        // when it is removed.
        unsafe { strclone_pts_region_set(*self.raw.get()) };
    }
}

#[pinned_drop]
impl<N: NodeOps> PinnedDrop for Region<N> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant the region exists; every `DevNode`
        // of it is gone (their owners' order), and the removal waits for
        // the opens that use `ops`.
        unsafe { strclone_region_del(*self.raw.get()) };
    }
}

/// The minor of the device `file` was opened on (for a [`Region`]'s opens).
pub(crate) fn file_minor(file: &File) -> u32 {
    // SAFETY: `file` is a valid file, opened on a device inode.
    unsafe { strclone_file_minor(file.as_ptr().cast::<c_void>()) }
}

/// The `/dev` node of one minor of a [`Region`]: it exists from its
/// creation until the `DevNode` is dropped (the drop waits until devtmpfs
/// has removed it).
///
/// # Invariants
///
/// `dev` is a `struct device *` that `strclone_dev_add` returned and that
/// has not been deleted.
pub(crate) struct DevNode {
    dev: core::ptr::NonNull<c_void>,
}

// SAFETY: The device may be deleted from any thread (process context).
unsafe impl Send for DevNode {}
// SAFETY: `&DevNode` gives access to nothing.
unsafe impl Sync for DevNode {}

impl DevNode {
    fn of(p: *mut c_void) -> Result<Self> {
        let p = from_err_ptr(p)?;
        let dev = core::ptr::NonNull::new(p).ok_or(ENOMEM)?;
        Ok(Self { dev })
    }

    /// Creates `/dev/strpts/<minor>` on the pts region ([`Region::serve_pts`];
    /// `ENXIO` before it exists), owned by the kernel ids `uid` and `gid`
    /// with permission bits `mode`. Sleeps.
    pub(crate) fn create(minor: u32, uid: u32, gid: u32, mode: u16) -> Result<Self> {
        // SAFETY: Any values may be passed.
        Self::of(unsafe { strclone_pts_dev_add(minor, uid, gid, mode) })
    }
}

impl Drop for DevNode {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the device exists and is deleted
        // only here.
        unsafe { strclone_dev_del(self.dev.as_ptr()) };
    }
}

struct NodeVTable<N>(PhantomData<N>);

impl<N: NodeOps> NodeVTable<N> {
    /// # Safety
    ///
    /// Called by `chrdev_open` for a file being opened on a `Node<N>`'s
    /// device, with a reference on the module (the fops owner).
    unsafe extern "C" fn open(inode: *mut bindings::inode, raw: *mut bindings::file) -> c_int {
        // SAFETY: `inode` and `raw` are valid for a file being opened.
        let ret = unsafe { bindings::stream_open(inode, raw) };
        if ret != 0 {
            return ret;
        }
        let mut region: *mut c_void = core::ptr::null_mut();
        // SAFETY: `inode` is valid during the call; `region` is written.
        let ctx = unsafe { strclone_region_enter(inode.cast::<c_void>(), &mut region) };
        if ctx.is_null() {
            return ENXIO.to_errno();
        }
        // SAFETY: The context of a device whose opens call this vtable is the
        // `ops` of a pinned `Node<N>` or `Region<N>` (type invariants), and
        // stays alive until `strclone_region_exit` (the region's removal
        // waits for it).
        let ops = unsafe { &*ctx.cast::<N>() };
        // SAFETY: `raw` is valid for the duration of the open call and has no
        // active `fdget_pos` region.
        let file = unsafe { File::from_raw_file(raw) };
        let r = ops.open(file);
        // SAFETY: `region` is what `strclone_region_enter` gave; `ops` is
        // not used after this.
        unsafe { strclone_region_exit(region) };
        match r {
            Ok(data) => {
                // SAFETY: The open call may replace `private_data`; every
                // other operation in `FileVTable<N::File>` reads it back as
                // an `Arc<N::File>`.
                unsafe { (*raw).private_data = data.into_foreign() };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    const VTABLE: bindings::file_operations = bindings::file_operations {
        open: Some(Self::open),
        ..FileVTable::<N::File>::VTABLE
    };

    const fn build() -> &'static bindings::file_operations {
        &Self::VTABLE
    }
}

struct FileVTable<T>(PhantomData<T>);

impl<T: FileOps> FileVTable<T> {
    /// The file's reference to its private data, lent for one call: the
    /// operations get a `&Arc<T>` without a count taken and given back
    /// per system call (the file holds its reference until `release`,
    /// which no other operation of the file overlaps).
    ///
    /// # Safety
    ///
    /// `file` is a file of ours: its `private_data` came from
    /// `Arc<T>::into_foreign` and has not been released. The result must not
    /// outlive the operation (it is never dropped: the count is the file's).
    unsafe fn data(file: *mut bindings::file) -> ManuallyDrop<Arc<T>> {
        // SAFETY: Per the function's safety requirement; `ManuallyDrop`
        // keeps the file's reference from being given up.
        ManuallyDrop::new(unsafe { <Arc<T> as ForeignOwnable>::from_foreign((*file).private_data) })
    }

    /// # Safety
    ///
    /// `file` is a file of ours being released; this is its last use.
    unsafe extern "C" fn release(_inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
        // SAFETY: `file` is valid during the call.
        let nonblock = unsafe { (*file).f_flags } & oflags::O_NONBLOCK != 0;
        // SAFETY: Release owns the private data, which came from `into_foreign`.
        let data = unsafe { <Arc<T> as ForeignOwnable>::from_foreign((*file).private_data) };
        T::release(data, nonblock);
        0
    }

    /// # Safety
    ///
    /// `file` is a file of ours.
    unsafe extern "C" fn fasync(fd: c_int, file: *mut bindings::file, on: c_int) -> c_int {
        // SAFETY: The file is ours.
        let data = unsafe { Self::data(file) };
        // SAFETY: `file` is valid during the call, without `fdget_pos`.
        let f = unsafe { File::from_raw_file(file) };
        match T::fasync(&data, fd, f, on != 0) {
            Ok(r) => r,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// `file` is a file of ours.
    unsafe extern "C" fn flush(file: *mut bindings::file, _id: bindings::fl_owner_t) -> c_int {
        // SAFETY: The file is ours.
        let data = unsafe { Self::data(file) };
        T::flush(&data);
        0
    }

    /// # Safety
    ///
    /// `kiocb` belongs to a file of ours; `iter` is a destination iterator.
    unsafe extern "C" fn read_iter(
        kiocb: *mut bindings::kiocb,
        iter: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: `kiocb` is valid and its file is ours.
        let file = unsafe { (*kiocb).ki_filp };
        // SAFETY: `file` is valid during the call.
        let nonblock = unsafe { (*file).f_flags } & oflags::O_NONBLOCK != 0;
        // SAFETY: The file is ours.
        let data = unsafe { Self::data(file) };
        // SAFETY: `iter` is a valid iterator for writing.
        let iov = unsafe { IovIterDest::from_raw(iter) };
        match T::read(&data, iov, nonblock) {
            Ok(n) => n as isize,
            Err(e) => e.to_errno() as isize,
        }
    }

    /// # Safety
    ///
    /// `kiocb` belongs to a file of ours; `iter` is a source iterator.
    unsafe extern "C" fn write_iter(
        kiocb: *mut bindings::kiocb,
        iter: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: `kiocb` is valid and its file is ours.
        let file = unsafe { (*kiocb).ki_filp };
        // SAFETY: `file` is valid during the call.
        let nonblock = unsafe { (*file).f_flags } & oflags::O_NONBLOCK != 0;
        // SAFETY: The file is ours.
        let data = unsafe { Self::data(file) };
        // SAFETY: `iter` is a valid iterator for reading.
        let iov = unsafe { IovIterSource::from_raw(iter) };
        match T::write(&data, iov, nonblock) {
            Ok(n) => n as isize,
            Err(e) => e.to_errno() as isize,
        }
    }

    /// # Safety
    ///
    /// `file` is a file of ours; `wait` is null or a valid poll table.
    unsafe extern "C" fn poll(
        file: *mut bindings::file,
        wait: *mut bindings::poll_table_struct,
    ) -> bindings::__poll_t {
        // SAFETY: The file is ours.
        let data = unsafe { Self::data(file) };
        // SAFETY: `wait` is null or valid for the duration of the call.
        let table = unsafe { PollTable::from_raw(wait) };
        // SAFETY: `file` is valid during the call, without `fdget_pos`.
        let f = unsafe { File::from_raw_file(file) };
        T::poll(&data, f, table)
    }

    /// # Safety
    ///
    /// `file` is a file of ours.
    unsafe extern "C" fn ioctl(file: *mut bindings::file, cmd: c_uint, arg: c_ulong) -> c_long {
        // SAFETY: The file is ours.
        let data = unsafe { Self::data(file) };
        // SAFETY: `file` is valid during the call, without `fdget_pos`.
        let f = unsafe { File::from_raw_file(file) };
        match T::ioctl(&data, f, cmd, arg) {
            Ok(r) => r as c_long,
            Err(e) => e.to_errno() as c_long,
        }
    }

    /// # Safety
    ///
    /// `file` is a file of ours.
    unsafe extern "C" fn compat_ioctl(
        file: *mut bindings::file,
        cmd: c_uint,
        arg: c_ulong,
    ) -> c_long {
        // SAFETY: The file is ours.
        let data = unsafe { Self::data(file) };
        // SAFETY: `file` is valid during the call, without `fdget_pos`.
        let f = unsafe { File::from_raw_file(file) };
        // compat_ptr(): the 32-bit value, zero-extended.
        let arg = arg as u32 as usize;
        match T::compat_ioctl(&data, f, cmd, arg) {
            Ok(r) => r as c_long,
            Err(e) => e.to_errno() as c_long,
        }
    }

    /// # Safety
    ///
    /// `m` is a seq_file being written for `file`, a file of ours.
    unsafe extern "C" fn show_fdinfo(m: *mut bindings::seq_file, file: *mut bindings::file) {
        // SAFETY: The file is ours.
        let data = unsafe { Self::data(file) };
        // SAFETY: `m` is valid and exclusively ours during the call.
        let m = unsafe { SeqFile::from_raw(m) };
        T::show_fdinfo(&data, m);
    }

    const VTABLE: bindings::file_operations = bindings::file_operations {
        owner: kernel::module::this_module::<crate::LocalModule>().as_ptr(),
        release: Some(Self::release),
        read_iter: if T::RW { Some(Self::read_iter) } else { None },
        write_iter: if T::RW { Some(Self::write_iter) } else { None },
        poll: if T::RW { Some(Self::poll) } else { None },
        unlocked_ioctl: Some(Self::ioctl),
        compat_ioctl: Some(Self::compat_ioctl),
        show_fdinfo: Some(Self::show_fdinfo),
        fasync: if T::ASYNC { Some(Self::fasync) } else { None },
        flush: if T::ASYNC { Some(Self::flush) } else { None },
        ..pin_init::zeroed()
    };

    const fn build() -> &'static bindings::file_operations {
        &Self::VTABLE
    }
}

extern "C" {
    // Exported by fs/anon_inodes.c but not part of the kernel crate's bindings.
    fn anon_inode_getfile(
        name: *const c_char,
        fops: *const c_void,
        private: *mut c_void,
        flags: c_int,
    ) -> *mut c_void;
}

/// The private data of descriptor `fd` of the current process when it is
/// a strclone file with `read`/`write` (`T::RW`), that is a stream: the
/// file's operations belong to this module and have `read_iter`, which
/// only the one `RW` type of strclone has (the invariant on
/// [`FileOps::RW`]). `None` for a closed descriptor or any other file.
pub(crate) fn rw_file_of_fd<T: FileOps>(fd: i32) -> Option<Arc<T>> {
    if !T::RW {
        return None;
    }
    let fd = u32::try_from(fd).ok()?;
    let file = LocalFile::fget(fd).ok()?;
    rw_data_of_file::<T>(&file)
}

/// [`rw_file_of_fd`] that tells a descriptor that is not open (`EBADF`)
/// from an open file that is not a stream (`Ok(None)`).
pub(crate) fn rw_file_of_open_fd<T: FileOps>(fd: i32) -> Result<Option<Arc<T>>> {
    let fd = u32::try_from(fd).map_err(|_| EBADF)?;
    let file = LocalFile::fget(fd).map_err(|_| EBADF)?;
    Ok(rw_data_of_file::<T>(&file))
}

/// [`rw_file_of_fd`] for a file the caller holds.
pub(crate) fn rw_data_of_file<T: FileOps>(file: &LocalFile) -> Option<Arc<T>> {
    if !T::RW {
        return None;
    }
    let raw = file.as_ptr();
    // SAFETY: `raw` is a valid file while `file` holds its reference; its
    // `f_op` is null or points at a `file_operations` that outlives it.
    let fop = unsafe { (*raw).f_op };
    if fop.is_null() {
        return None;
    }
    let this = kernel::module::this_module::<crate::LocalModule>().as_ptr();
    // SAFETY: `fop` is valid (above).
    let ours = unsafe { (*fop).owner == this && (*fop).read_iter.is_some() };
    if !ours {
        return None;
    }
    // SAFETY: The operations are strclone's and have `read_iter`, so they
    // are a `FileVTable` of the one `RW` type (invariant on `FileOps::RW`),
    // `T` here since `T::RW`: `private_data` came from
    // `Arc<T>::into_foreign` and is not released while the caller holds
    // the file. The clone outlives the borrow.
    let data = unsafe { <Arc<T> as ForeignOwnable>::borrow((*raw).private_data) };
    Some(data.into())
}

/// A reserved (not yet installed) file descriptor of the current process.
pub(crate) struct FdSlot(FileDescriptorReservation);

/// A file made by [`new_anon_file`], not yet visible to user space.
pub(crate) struct NewFile(ARef<File>);

impl FdSlot {
    /// Reserves a descriptor (`EMFILE` when the table is full). `O_CLOEXEC`
    /// in `flags` applies to it.
    pub(crate) fn reserve(flags: u32) -> Result<Self> {
        Ok(Self(FileDescriptorReservation::get_unused_fd_flags(
            flags & oflags::O_CLOEXEC,
        )?))
    }

    /// Installs `file` at the reserved descriptor (cannot fail) and returns it.
    pub(crate) fn install(self, file: NewFile) -> u32 {
        let fd = self.0.reserved_fd();
        self.0.fd_install(file.0);
        fd
    }
}

/// Makes one more file on `data`: an anonymous inode called `name`, opened
/// with `flags` (the access mode and `O_NONBLOCK` are used). Dropping the
/// result before installing it releases the file, which runs
/// [`FileOps::release`].
pub(crate) fn new_anon_file<T: FileOps>(
    name: &'static CStr,
    data: Arc<T>,
    flags: u32,
) -> Result<NewFile> {
    let private = data.into_foreign();
    let mode = flags & (oflags::O_ACCMODE | oflags::O_NONBLOCK);
    // SAFETY: `name` is a valid C string, the fops are 'static and expect
    // `private` to come from `Arc<T>::into_foreign`, which it does.
    let raw = unsafe {
        anon_inode_getfile(
            name.as_char_ptr(),
            core::ptr::from_ref(FileVTable::<T>::build()).cast::<c_void>(),
            private,
            mode as c_int,
        )
    };
    let raw = match from_err_ptr(raw) {
        Ok(raw) => raw,
        Err(e) => {
            // SAFETY: The file was not created, so `private` is still ours.
            drop(unsafe { <Arc<T> as ForeignOwnable>::from_foreign(private) });
            return Err(e);
        }
    };
    // SAFETY: `anon_inode_getfile` returned a new reference to a valid file
    // that has no `fdget_pos` region; `ARef` takes that reference over.
    let file: ARef<File> =
        unsafe { ARef::from_raw(core::ptr::NonNull::new_unchecked(raw.cast::<File>())) };
    Ok(NewFile(file))
}
