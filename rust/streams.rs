// SPDX-License-Identifier: GPL-2.0

//! The STREAMS core, top down: messages, queues, the stream and its chain
//! of queue pairs, the module switch and the stream head.
//! `Documentation/strclone/streams.rst` describes the model and the rules.
//!
//! - [`msg`]: message types and the SVR4 payloads of structured messages,
//!   over the message blocks of `crate::glue::mblk`;
//! - [`queue`]: one queue: its messages, counts, water marks and flags;
//! - [`runtime`]: what every stream shares: the service workqueue and the
//!   table of open streams;
//! - [`stream`]: a stream, its levels (head, pushed modules, driver), the
//!   `Driver` and `Module` procedures, scheduling, the head's `strrput`;
//! - [`chain`]: routing along the levels (`putnext`, `canputnext`,
//!   back-enabling), push, pop and reopen;
//! - [`modsw`]: the module switch (`fmodsw`);
//! - [`plumbing`]: the module ioctls (`I_PUSH` ... `I_ANCHOR`);
//! - [`head`]: the stream head's file operations and ioctls;
//! - [`tty`]: the stream head's terminal duties (`TIOCGSID`, hangup
//!   signals).
//!
//! Each file imports only files above it in this list, except that
//! `stream` calls methods `chain` defines on `Stream` (no import).

pub(crate) mod autopush;
pub(crate) mod chain;
pub(crate) mod head;
pub(crate) mod modsw;
pub(crate) mod msg;
pub(crate) mod plumbing;
pub(crate) mod queue;
pub(crate) mod runtime;
pub(crate) mod stream;
pub(crate) mod tty;
