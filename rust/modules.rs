// SPDX-License-Identifier: GPL-2.0

//! strclone's built-in STREAMS modules (`Documentation/strclone/modules.rst`).
//!
//! - [`nullmod`]: passes everything on, through a service procedure and
//!   water marks of its own when the next queue is full.
//! - [`pipemod`]: exchanges `FLUSHR` and `FLUSHW` in every `M_FLUSH`, for
//!   STREAMS pipes.
//! - [`ldterm`]: the terminal line discipline (Linux's termios).
//! - [`ptem`]: the pseudo-terminal emulation module (window size,
//!   `c_cflag`, hangup, break) below `ldterm` on a pts slave; it talks to
//!   `ldterm` and the pts driver with the `M_CTL`s of [`mctl`].
//! - [`ttcompat`]: the V7/4.3BSD `sgtty` ioctls, mapped onto termios.
//! - [`testmod`]: passes everything on and counts it; tests make it refuse
//!   opens and ioctls.

use crate::streams::queue::{QLimits, INFPSZ};

/// The queue limits of the built-in modules that keep messages (8 KiB high
/// water mark each way, 2 KiB low, no packet size limit).
pub(crate) const MODULE_LIMITS: QLimits = QLimits {
    minpsz: 0,
    maxpsz: INFPSZ,
    hiwat: 8192,
    lowat: 2048,
};

pub(crate) mod ldterm;
pub(crate) mod mctl;
pub(crate) mod nullmod;
pub(crate) mod pipemod;
pub(crate) mod ptem;
pub(crate) mod testmod;
pub(crate) mod ttcompat;
