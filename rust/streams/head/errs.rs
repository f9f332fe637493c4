// SPDX-License-Identifier: GPL-2.0

//! SVR4's error conventions at the stream head: what a stream answers once
//! it hung up (`M_HANGUP`) or got an `M_ERROR`, and the access mode that
//! `getmsg` and `putmsg` need. `Documentation/strclone/streamio.rst`,
//! "Errors", has the table; illumos `strioctl`, `strputmsg` and
//! `strwriteable` are the reference.
//!
//! - An ioctl that sends a message down or flushes (`I_STR`, a transparent
//!   ioctl, `I_FLUSH`, `I_FLUSHBAND`, `I_CANPUT`, and `I_PUSH`/`I_POP` in
//!   `plumbing.rs`) fails with the `M_ERROR` read errno, else its write
//!   errno, else `ENXIO` after a hangup: [`Stream::ioctl_gone`].
//! - `putmsg`, `putpmsg` and `I_FDINSERT` fail with the write errno, else
//!   `ENXIO`; `write(2)` with the write errno, else `EIO` (illumos'
//!   `strwrite`, for POSIX modems, and what Linux terminals answer):
//!   [`Stream::wait_writable`] takes the hangup errno.
//! - `read(2)`, `getmsg` and the ioctls that only look at the head read
//!   queue drain what is queued after a hangup; after an `M_ERROR` they fail
//!   with its read errno.
//! - `getmsg`/`getpmsg` need a descriptor open for reading, `putmsg`,
//!   `putpmsg` and `I_FDINSERT` one open for writing (`EBADF`), checked
//!   before anything else as the SVR4 system calls do.

use super::errno;
use crate::streams::stream::Stream;
use kernel::{fs::File, prelude::*};

/// `O_ACCMODE` and its values (`include/uapi/asm-generic/fcntl.h`).
const O_ACCMODE: u32 = 0o3;
const O_RDONLY: u32 = 0o0;
const O_WRONLY: u32 = 0o1;

/// `EBADF` unless `file` is open for reading (`getmsg`, `getpmsg`).
pub(super) fn need_read(file: &File) -> Result {
    if file.flags() & O_ACCMODE == O_WRONLY {
        return Err(EBADF);
    }
    Ok(())
}

/// `EBADF` unless `file` is open for writing (`putmsg`, `putpmsg`,
/// `I_FDINSERT`).
pub(super) fn need_write(file: &File) -> Result {
    if file.flags() & O_ACCMODE == O_RDONLY {
        return Err(EBADF);
    }
    Ok(())
}

impl Stream {
    /// Whether an ioctl that sends a message down or flushes may go on:
    /// the `M_ERROR` read errno, else its write errno, else `ENXIO` once
    /// the stream hung up (illumos checks `STRDERR` and `STWRERR` for every
    /// such ioctl, then `STRHUP` in each).
    pub(crate) fn ioctl_gone(&self) -> Result {
        let inner = self.lock();
        for e in [inner.head.rerr, inner.head.werr] {
            if e != 0 {
                return Err(errno(e));
            }
        }
        if inner.head.hangup {
            return Err(ENXIO);
        }
        Ok(())
    }
}
