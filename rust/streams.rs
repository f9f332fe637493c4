// SPDX-License-Identifier: GPL-2.0

//! The STREAMS core: messages, queues, streams and the stream head.
//! `Documentation/strclone/streams.rst` describes the model and the rules.

pub(crate) mod autopush;
pub(crate) mod chain;
pub(crate) mod head;
pub(crate) mod modsw;
pub(crate) mod msg;
pub(crate) mod plumbing;
pub(crate) mod queue;
pub(crate) mod runtime;
pub(crate) mod stream;
