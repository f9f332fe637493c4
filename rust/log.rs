// SPDX-License-Identifier: GPL-2.0

//! The log target (STREAMS major 21): SVR4's log(7D), which clones itself.
//!
//! ```text
//!   /dev/conslog  minor 0 (CONSWMIN)  write-only: an open with read access
//!                                     is EINVAL; every open shares the one
//!                                     conslog stream; a write is a console
//!                                     message (SL_CONSOLE)
//!   /dev/strlog   minor 5 (CLONEMIN)  every open gets the lowest unused
//!                                     minor in 6..log_cnt-1 (ENXIO when none
//!                                     is left): a reader or a writer stream
//!   (no /dev/clone-strlog)            not clonable: a clone open arrives as
//!                                     CLONEMIN instead (the clone minor 21
//!                                     gives ENXIO)
//! ```
//!
//! Writers: `write(2)` on either node (a console message), `putmsg` with a
//! `struct log_ctl` control part on a strlog stream, and [`LogTarget::strlog`]
//! inside the kernel. Readers: a strlog stream registers as *the* console,
//! error or trace reader with `I_STR` `I_CONSLOG`/`I_ERRLOG`/`I_TRCLOG`
//! (the last with an array of `struct trace_ids` filters); a class has one
//! reader at a time (a second stream gets `EBUSY`, as in SVR4). Each
//! delivered message is an `M_PROTO` (`struct log_ctl` with the class's
//! sequence number) followed by the text as `M_DATA`, read with `getmsg`.
//!
//! A reader's messages wait on its driver read queue until its stream head
//! has room. When that queue is full too, the reader loses its *oldest*
//! message for each new one; the loss is counted (`LOG_GETLOST`), and when
//! the reader has caught up (its queue drained) it gets one `SL_NOTE`
//! message saying how many were lost since the last notice.
//!
//! Files: this one has the constants and the reader table; `msg.rs` the
//! message format, `target.rs` the target (numbering and delivery),
//! `stream.rs` the nodes and a log stream's driver.

mod msg;
mod stream;
mod target;

pub(crate) use stream::{Log, LogNode};
pub(crate) use target::LogTarget;

use crate::streams::queue::QLimits;
use crate::streams::stream::{Qid, Stream};
use crate::uapi;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::{prelude::*, sync::Arc};
use msg::{LogCtl, TraceId};

/// Console messages.
pub(crate) const SL_ERROR: i16 = 0x0001;
/// Trace messages.
pub(crate) const SL_TRACE: i16 = 0x0002;
/// Console.
pub(crate) const SL_CONSOLE: i16 = 0x0008;
/// Fatal error.
pub(crate) const SL_FATAL: i16 = 0x0010;
/// Warning.
pub(crate) const SL_WARN: i16 = 0x0020;
/// Notice.
pub(crate) const SL_NOTE: i16 = 0x0040;

const CONSWMIN: u32 = 0;
const CLONEMIN: u32 = 5;
/// Encoded size of `struct log_ctl`.
const LOG_CTL_SIZE: usize = uapi::LOG_CTL_SIZE;
/// Encoded size of `struct trace_ids`.
const TRACE_IDS_SIZE: usize = uapi::TRACE_IDS_SIZE;
/// Longest message text kept.
const LOG_MAXTEXT: usize = 1024;
/// Most trace filters per reader.
const MAX_TRACE_IDS: usize = 64;

/// A reader's driver read queue: where messages wait for its head. The log
/// never slows its writers, so this is all that absorbs a reader that is
/// briefly not scheduled: 512 KiB, about 5,000 messages of 64 bytes of text,
/// as many as `/dev/kmsg`'s 128 KiB ring keeps of such lines. This is the
/// one queue above `QHIWAT_MAX` (`QHIWAT_BUILTIN_MAX`): there are at most
/// three readers, and only root opens `/dev/strlog`.
const READER_LIMITS: QLimits = QLimits {
    minpsz: 0,
    maxpsz: 4096,
    hiwat: uapi::STRCLONE_LOG_QHIWAT,
    lowat: uapi::STRCLONE_LOG_QHIWAT / 4,
};

/// The reader classes.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Class {
    Console = 0,
    Error = 1,
    Trace = 2,
}

/// Per-reader loss accounting, shared by the reader's stream and the table.
struct ReaderState {
    lost_total: AtomicU64,
    lost_unreported: AtomicU64,
}

impl ReaderState {
    fn lose(&self, n: u64) {
        if n > 0 {
            self.lost_total.fetch_add(n, Ordering::Relaxed);
            self.lost_unreported.fetch_add(n, Ordering::Relaxed);
        }
    }
}

impl Class {
    /// Whether a message with this header belongs to the class.
    fn wants(self, c: &LogCtl) -> bool {
        match self {
            Class::Console => c.flags & SL_CONSOLE != 0,
            Class::Error => c.flags & SL_ERROR != 0,
            Class::Trace => c.flags & SL_TRACE != 0,
        }
    }
}

struct Reader {
    stream: Arc<Stream>,
    state: Arc<ReaderState>,
    filters: KVec<TraceId>,
}

impl Reader {
    /// `n` messages for this reader were lost before reaching its queue:
    /// count them, and let its service procedure report them.
    fn report_loss(&self, n: u64) {
        self.state.lose(n);
        self.stream.qenable(Qid::DrvR);
    }
}

struct Readers {
    slots: [Option<Reader>; 3],
    seq: [i32; 3],
    conslog: Option<Arc<Stream>>,
}
