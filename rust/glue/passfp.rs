// SPDX-License-Identifier: GPL-2.0

//! `M_PASSFP`: a message that holds a reference to an open file, for
//! `I_SENDFD`/`I_RECVFD` over STREAMS pipes.
//!
//! The message is one `esballoc` block of type `M_PASSFP` over a [`PassFp`]
//! that this module owns: the file reference, the sender's effective uid
//! and gid (kernel ids), and a *guard*, any object the sender wants dropped
//! with the message (the pipe counts the files in flight towards each end
//! with it). The block shows no bytes (`b_rptr == b_wptr`), so nothing that
//! reads or copies messages (`getmsg`, `I_PEEK`, `copymsg`) ever sees the
//! kernel pointer; a copy is an empty `M_PASSFP` that carries no file.
//!
//! Whoever frees the message last (a flush, a close, the receiver) runs the
//! free routine, which drops the [`PassFp`]: the file is `fput` if nobody
//! took it, which is how a file sent but never received is closed. `fput`
//! may run under the stream spinlock: it defers the final release
//! (`task_work` or the delayed-fput worker) and never sleeps.
//!
//! [`take`] gives the file to a receiver at most once (an atomic swap), even
//! if a module duplicated the block.

use super::mblk::Mblk;
use core::{
    ffi::c_void,
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{
    alloc::Flags,
    bindings,
    fs::{
        file::{FileDescriptorReservation, LocalFile},
        File,
    },
    prelude::*,
    sync::aref::ARef,
};

extern "C" {
    fn strclone_ids_in_current_ns(kuid: u32, kgid: u32, uid: *mut u32, gid: *mut u32);
}

/// `M_PASSFP` (SVR4's value).
pub(crate) const M_PASSFP: u8 = 0x09;

/// What an `M_PASSFP` block holds.
///
/// # Invariants
///
/// `file` is null or a file whose reference this object owns.
struct PassFp {
    file: AtomicPtr<bindings::file>,
    uid: u32,
    gid: u32,
    _guard: Option<KBox<dyn Send + Sync>>,
}

impl Drop for PassFp {
    fn drop(&mut self) {
        let f = self.file.swap(ptr::null_mut(), Ordering::AcqRel);
        if !f.is_null() {
            // SAFETY: By the type invariant the reference is ours; `fput`
            // may be called in atomic context.
            unsafe { bindings::fput(f) };
        }
    }
}

/// The free routine of an `M_PASSFP` buffer.
///
/// # Safety
///
/// `arg` came from `KBox::<PassFp>::into_raw` in [`message`]; called once,
/// when the last block of the buffer is freed.
unsafe extern "C" fn passfp_free(arg: *mut c_void) {
    // SAFETY: Per the function's contract.
    drop(unsafe { KBox::from_raw(arg.cast::<PassFp>()) });
}

/// A received file, not yet in the receiver's descriptor table.
pub(crate) struct Received {
    file: ARef<File>,
    /// The sender's effective uid and gid (kernel ids).
    kids: (u32, u32),
}

impl Received {
    /// The sender's effective uid and gid, as the calling task's user
    /// namespace sees them (the overflow ids if it cannot; `passfp.c`).
    pub(crate) fn sender_ids(&self) -> (u32, u32) {
        let (uid, gid) = self.kids;
        let (mut u, mut g) = (0, 0);
        // SAFETY: Both pointers are valid places for a `u32`, all the
        // function writes; it takes any id.
        unsafe { strclone_ids_in_current_ns(uid, gid, &mut u, &mut g) };
        (u, g)
    }
}

/// A file the caller got from one of its descriptors, for sending.
pub(crate) struct Sendable(ARef<File>);

impl Sendable {
    /// The file open at descriptor `fd` of the calling process; `EBADF`
    /// for anything else (a negative or closed descriptor).
    pub(crate) fn of_fd(fd: usize) -> Result<Self> {
        let fd = u32::try_from(fd).map_err(|_| EBADF)?;
        let f = LocalFile::fget(fd).map_err(|_| EBADF)?;
        // SAFETY: Called from an ioctl, which holds no `fdget_pos` on this
        // thread (the VFS takes none for `ioctl(2)`).
        Ok(Self(unsafe { LocalFile::assume_no_fdget_pos(f) }))
    }

    /// The file.
    pub(crate) fn file(&self) -> &File {
        &self.0
    }
}

/// An `M_PASSFP` message holding `file`, sent by a task whose effective
/// ids are `kids` (kernel ids, `cred::eff_kids`); `guard` is dropped when
/// the message is freed.
pub(crate) fn message(
    file: Sendable,
    kids: (u32, u32),
    guard: Option<KBox<dyn Send + Sync>>,
    f: Flags,
) -> Result<Mblk> {
    let raw = ARef::into_raw(file.0).as_ptr().cast::<bindings::file>();
    let pfp = KBox::new(
        PassFp {
            file: AtomicPtr::new(raw),
            uid: kids.0,
            gid: kids.1,
            _guard: guard,
        },
        f,
    );
    let pfp = match pfp {
        Ok(p) => p,
        Err(e) => {
            // SAFETY: The reference `into_raw` gave up is still ours.
            unsafe { bindings::fput(raw) };
            // The guard was dropped with the failed `KBox::new`'s value.
            return Err(e.into());
        }
    };
    let arg = KBox::into_raw(pfp);
    let rtn = super::mblk::FreeRtn {
        free_func: Some(passfp_free),
        free_arg: arg.cast(),
    };
    // SAFETY: The buffer is the `PassFp` this module lends the block until
    // `passfp_free` runs; the block shows none of it (consumed below), so
    // nobody reads or writes it through the block. No module reference is
    // needed: the routine is this module's, and no message outlives it.
    let m = unsafe {
        Mblk::esballoc(
            arg.cast(),
            core::mem::size_of::<PassFp>(),
            M_PASSFP,
            &rtn,
            ptr::null_mut(),
            f,
        )
    };
    match m {
        Ok(mut m) => {
            let n = m.len();
            m.consume(n);
            Ok(m)
        }
        Err(e) => {
            // SAFETY: The block was not made: `arg` is still ours alone.
            unsafe { passfp_free(arg.cast()) };
            Err(e)
        }
    }
}

/// Takes the file out of `m`, an `M_PASSFP` message this module made and
/// whose file nobody took yet; `None` for anything else. The message itself
/// is left to the caller (freeing it then drops only the guard).
pub(crate) fn take(m: &Mblk) -> Option<Received> {
    if m.db_type() != M_PASSFP {
        return None;
    }
    let arg = m.esb_arg(passfp_free)?;
    // SAFETY: The buffer of a block whose free routine is `passfp_free` is
    // a `PassFp` (made by `message`), alive while the block is.
    let p = unsafe { &*arg.cast::<PassFp>() };
    let f = p.file.swap(ptr::null_mut(), Ordering::AcqRel);
    let f = ptr::NonNull::new(f)?;
    // SAFETY: The swap moved the reference owned by the `PassFp` (type
    // invariant) to us; `File` is a transparent wrapper of `struct file`.
    let file = unsafe { ARef::from_raw(f.cast::<File>()) };
    Some(Received {
        file,
        kids: (p.uid, p.gid),
    })
}

/// Puts a file taken by [`take`] back into the message it came from, when
/// the receiver could not use it.
pub(crate) fn put_back(m: &Mblk, r: Received) {
    let Some(arg) = m.esb_arg(passfp_free) else {
        // Not the message it came from: the file is simply closed.
        return;
    };
    // SAFETY: As in `take`.
    let p = unsafe { &*arg.cast::<PassFp>() };
    let raw = ARef::into_raw(r.file).as_ptr().cast::<bindings::file>();
    let old = p.file.swap(raw, Ordering::AcqRel);
    if !old.is_null() {
        // Nothing else fills an emptied `PassFp`; should it happen, the
        // extra reference is released rather than leaked.
        // SAFETY: The swap made the old reference ours.
        unsafe { bindings::fput(old) };
    }
}

/// A reserved descriptor of the calling process.
pub(crate) struct FdReservation(FileDescriptorReservation);

impl FdReservation {
    /// Reserves the lowest free descriptor (`EMFILE` when none), with
    /// `O_CLOEXEC` if `cloexec`.
    pub(crate) fn get(cloexec: bool) -> Result<Self> {
        let flags = if cloexec {
            kernel::fs::file::flags::O_CLOEXEC
        } else {
            0
        };
        Ok(Self(FileDescriptorReservation::get_unused_fd_flags(flags)?))
    }

    /// The descriptor's number.
    pub(crate) fn fd(&self) -> u32 {
        self.0.reserved_fd()
    }

    /// Installs the received file at the descriptor.
    pub(crate) fn install(self, r: Received) -> u32 {
        let fd = self.0.reserved_fd();
        self.0.fd_install(r.file);
        fd
    }
}

/// The stream private data of `file` when it is a strclone stream file
/// (see [`super::node::rw_file_of_fd`], which does the same for a
/// descriptor).
pub(crate) fn stream_of_file<T: super::node::FileOps>(file: &File) -> Option<kernel::sync::Arc<T>> {
    super::node::rw_data_of_file::<T>(file)
}
