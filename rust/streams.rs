// SPDX-License-Identifier: GPL-2.0

//! The STREAMS core, top down: messages, queues, the stream and its chain
//! of queue pairs, the module switch and the stream head.
//! `Documentation/strclone/streams.rst` describes the model and the rules.
//!
//! - [`compat`]: 32-bit programs: the ILP32 layouts of the ioctl
//!   arguments that hold a pointer, read and written through `Abi`;
//! - [`msg`]: message types and the SVR4 payloads of structured messages,
//!   over the message blocks of `crate::glue::mblk`;
//! - [`queue`]: one queue: its messages, counts, water marks and flags;
//! - [`runtime`]: what every stream shares: the service workqueue and the
//!   table of open streams;
//! - [`stream`]: a stream, its levels (head, pushed modules, driver), the
//!   `Driver` and `Module` procedures;
//! - [`inbox`]: the stream lock as every holder takes it (`Stream::lock`),
//!   and the lock-free inbox through which a pipe end's writers hand small
//!   data to the other end's head;
//! - [`modsw`]: the module switch (`fmodsw`): the built-in modules and
//!   those other kernel modules register (`crate::ddi`), and the counted
//!   instances that pin them;
//! - [`sched`]: service procedure scheduling (`qenable`, the work items);
//! - [`qutil`]: the utility routines drivers and modules call on their
//!   queues (`putq`, `getq`, `flushq`, `qreply`, `M_FLUSH` handling...);
//! - [`chain`]: routing along the levels (`putnext`, `canputnext`,
//!   back-enabling), push, pop and reopen;
//! - [`timeout`]: a module's timeout (`qtimeout`/`quntimeout`): a timer
//!   whose expiry calls the module from the workqueue;
//! - [`callout`]: callbacks into a module or driver that no message
//!   brings (the DDI's `qtimeout`/`qbufcall`), gated like its procedures;
//! - [`insq`]: SVR4 `insq`/`rmvq` on a queue of a stream (the DDI's);
//! - [`plumbing`]: the module ioctls (`I_PUSH` ... `I_ANCHOR`);
//! - [`autopush`]: the autopush table the sad driver configures, and the
//!   pushes it makes at a stream's first open;
//! - [`mux`]: multiplexors: the table of links (`I_LINK`, `I_PLINK`), the
//!   graph of drivers they form, and a linked stream's head level, which
//!   the multiplexor's lower queue pair replaces;
//! - [`head`]: the stream head's file operations and ioctls, with its read
//!   put procedure (`head/strrput.rs`), the ioctls that travel down the
//!   chain (`head/ioctl.rs`), `getmsg`/`putmsg` and their band forms
//!   (`head/msgio.rs`), the band ioctls (`head/bands.rs`), the read and
//!   write options (`head/options.rs`), `I_PEEK` (`head/peek.rs`) and
//!   `I_FDINSERT` (`head/fdinsert.rs`);
//! - [`tty`]: the stream head's terminal duties (`TIOCGSID`, hangup
//!   signals).
//!
//! Each file imports only files above it in this list. Methods on `Stream`
//! are defined in several of them (`stream` calls the routing `chain`
//! defines and the scheduling `sched` defines, and `chain` hands messages
//! for the head to `strrput`) without an import.

pub(crate) mod autopush;
pub(crate) mod callout;
pub(crate) mod chain;
pub(crate) mod compat;
pub(crate) mod head;
pub(crate) mod inbox;
pub(crate) mod insq;
pub(crate) mod modsw;
pub(crate) mod msg;
pub(crate) mod mux;
pub(crate) mod plumbing;
pub(crate) mod queue;
pub(crate) mod qutil;
pub(crate) mod runtime;
pub(crate) mod sched;
pub(crate) mod sleep;
pub(crate) mod stream;
pub(crate) mod timeout;
pub(crate) mod tty;
