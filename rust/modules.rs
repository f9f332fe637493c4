// SPDX-License-Identifier: GPL-2.0

//! strclone's built-in STREAMS modules (`Documentation/strclone/modules.rst`).
//!
//! - [`nullmod`]: passes everything on, through a service procedure and
//!   water marks of its own when the next queue is full.
//! - [`testmod`]: passes everything on and counts it; tests make it refuse
//!   opens and ioctls.

pub(crate) mod nullmod;
pub(crate) mod testmod;
