// SPDX-License-Identifier: GPL-2.0

//! `pipemod`: SVR4's flush-reversal module for pipes.
//!
//! In a STREAMS pipe the write side of one end is the read side of the
//! other, so an `M_FLUSH` that crosses the pipe must have its `FLUSHR` and
//! `FLUSHW` bits exchanged to mean the same queues at the far end. `pipemod`
//! does exactly that to every `M_FLUSH` that passes it, either way, and
//! passes everything else on untouched. It has no queues of its own in use
//! (no service procedures).
//!
//! The stream head marks the `M_FLUSH` it turns back down with `MSGNOLOOP`
//! and never turns such a message around again, so a flush bouncing between
//! a reflecting driver and `pipemod` ends after one round trip.

use crate::streams::msg::{Mblk, MsgType, FLUSHR, FLUSHW};
use crate::streams::queue::{QLimits, INFPSZ};
use crate::streams::stream::{DriverLimits, ModEntry, Module, PutKind, Qid, Stream};
use core::sync::atomic::AtomicU32;
use kernel::{prelude::*, sync::Arc};

const LIMITS: QLimits = QLimits {
    minpsz: 0,
    maxpsz: INFPSZ,
    hiwat: 5120,
    lowat: 1024,
};

/// Its module switch entry.
pub(crate) static ENTRY: ModEntry = ModEntry {
    name: c"pipemod",
    limits: DriverLimits {
        rlim: LIMITS,
        wlim: LIMITS,
        rsrv: false,
        wsrv: false,
    },
    put: PutKind::Next,
    new: || Ok(KBox::new(PipeMod, GFP_KERNEL_ACCOUNT)? as KBox<dyn Module>),
    uses: AtomicU32::new(0),
};

/// `FLUSHR` and `FLUSHW` exchanged; the other bits (`FLUSHBAND`) kept.
pub(crate) fn reverse(flags: u8) -> u8 {
    let rw = FLUSHR | FLUSHW;
    match flags & rw {
        FLUSHR => (flags & !rw) | FLUSHW,
        FLUSHW => (flags & !rw) | FLUSHR,
        _ => flags,
    }
}

struct PipeMod;

impl Module for PipeMod {
    fn put(&self, s: &Arc<Stream>, q: Qid, mut m: Mblk) {
        if m.ty() == MsgType::Flush {
            let f = m.flush_flags();
            m.set_flush_flags(reverse(f));
        }
        s.putnext(q, m);
    }
}

#[kunit_tests(strclone_pipemod)]
mod tests {
    use super::*;
    use crate::streams::msg::{FLUSHBAND, FLUSHRW};

    #[test]
    fn exchanges_read_and_write() {
        assert_eq!(reverse(FLUSHR), FLUSHW);
        assert_eq!(reverse(FLUSHW), FLUSHR);
        assert_eq!(reverse(FLUSHRW), FLUSHRW);
        assert_eq!(reverse(0), 0);
        assert_eq!(reverse(FLUSHR | FLUSHBAND), FLUSHW | FLUSHBAND);
        assert_eq!(reverse(FLUSHW | FLUSHBAND), FLUSHR | FLUSHBAND);
    }

    #[test]
    fn rewrites_the_message_in_place() {
        let mut m = Mblk::flush(FLUSHR, GFP_KERNEL).unwrap();
        let f = m.flush_flags();
        m.set_flush_flags(reverse(f));
        assert_eq!(m.flush_flags(), FLUSHW);
        // A flush whose block is shared is copied first, not written
        // through: the other holder still sees FLUSHR.
        let mut a = Mblk::flush(FLUSHR, GFP_KERNEL).unwrap();
        let b = a.dupmsg(GFP_KERNEL).unwrap();
        a.set_flush_flags(reverse(FLUSHR));
        assert_eq!(a.flush_flags(), FLUSHW);
        assert_eq!(b.flush_flags(), FLUSHR);
    }
}
