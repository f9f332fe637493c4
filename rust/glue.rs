// SPDX-License-Identifier: GPL-2.0

//! The glue layer: the only place in strclone with `unsafe` code or raw
//! `bindings::` calls.
//!
//! Everything above it (the STREAMS core, the clone driver, the targets) is
//! safe Rust. Each piece here wraps one kernel facility that the Rust kernel
//! crate of 7.3 does not offer in the shape strclone needs:
//!
//! - [`node`]: character nodes (`chrdev.c`: strclone's own device region,
//!   not misc devices, whose open is serialised) with a chosen mode, `poll`, fdinfo and a
//!   per-node open context (the kernel's `MiscDevice` has neither mode nor
//!   poll), and anonymous-inode files for stream fds without a node (the pts
//!   side of a ptm pair);
//! - [`mblk`]: SVR4 message and data blocks in the C layout of
//!   `include/linux/strclone_ddi.h` (checked by `ddi_check.c`), their slab
//!   caches, and [`mblk::Mblk`], the safe owner of a message;
//! - [`ddi`]: the C ABI other kernel modules call (`ddi_export.c` exports
//!   it), and the queue pairs of the C modules they register;
//! - [`ddi_callout`]: the DDI's timeouts and bufcalls for C code;
//! - [`ddi_util`]: the DDI's `strlog`, `insq`/`rmvq` and ioctl answers for
//!   C code (`ddi_util.c`: `strlog`'s varargs);
//! - [`global`]: module-wide state C callers reach without a handle (the
//!   registered modules' table);
//! - [`msglist`]: the queue list that links messages through
//!   `b_next`/`b_prev`, so `putq` never allocates and never fails;
//! - [`inbox`]: a lock-free stack of messages through `b_next`, taken back
//!   oldest first, with the counts and the gate of a stream head's inbox
//!   (`streams/inbox.rs`);
//! - [`wq`]: strclone's own workqueue, destroyed (and so drained) at unload;
//! - [`time`]: the two clock readings log headers carry;
//! - [`ctx`]: whether the caller runs in task, interrupt or NMI context
//!   (`ctx.c`: the kernel's tests are macros);
//! - [`cred`]: the caller's uid and `CAP_SYS_ADMIN`, for ioctl credentials;
//! - [`pgrp`]: a process group reference (`pgrp.c`), a terminal stream's
//!   foreground group, and the signal sent to it;
//! - [`sigpoll`]: a process reference for `I_SETSIG` and the signal sent
//!   to it, a stream's fasync list (`sigpoll.c`);
//! - [`passfp`]: `M_PASSFP` messages, which hold an open file between
//!   `I_SENDFD` and `I_RECVFD`, and the descriptor a receiver gets;
//! - [`params`]: the module parameters, declared in C (`params.c`) so that
//!   they show in sysfs;
//! - [`uapi_check`]: the uapi header's side of the layout checks
//!   (`uapi_check.c`: build-time `static_assert`s, and the values the KUnit
//!   suite `strclone_uapi` compares with `crate::uapi`; the Rust side exists
//!   only in KUnit builds).
//!
//! The `open(2)` flags come from the kernel crate (`kernel::fs::file::flags`).

pub(crate) mod cred;
pub(crate) mod ctx;
pub(crate) mod ddi;
pub(crate) mod ddi_callout;
pub(crate) mod ddi_util;
pub(crate) mod global;
pub(crate) mod inbox;
pub(crate) mod mblk;
pub(crate) mod msglist;
pub(crate) mod node;
pub(crate) mod params;
pub(crate) mod passfp;
pub(crate) mod pgrp;
pub(crate) mod sigpoll;
pub(crate) mod time;
#[cfg(CONFIG_KUNIT = "y")]
pub(crate) mod uapi_check;
pub(crate) mod wq;
