// SPDX-License-Identifier: GPL-2.0

//! `nullmod`: the pass-through module.
//!
//! Each put procedure passes a message straight on when nothing of its side
//! waits and the next queue has room; otherwise it queues it, and the
//! service procedure moves the queue on as room appears (flow control
//! across the module: its own water marks fill, `canput` above it fails,
//! and the drain below back-enables it). High-priority messages always pass
//! at once; `M_FLUSH` flushes the module's queue on its way. Flow control
//! is per priority band (`bcanputnext` with the message's band). No byte is
//! copied: the message that arrives is the message that leaves.

use crate::modules::MODULE_LIMITS;
use crate::streams::msg::{Mblk, MsgType};
use crate::streams::stream::{DriverLimits, ModEntry, Module, Qid, Stream};
use core::sync::atomic::AtomicU32;
use kernel::{prelude::*, sync::Arc};

/// Its module switch entry.
pub(crate) static ENTRY: ModEntry = ModEntry {
    name: c"nullmod",
    limits: DriverLimits {
        rlim: MODULE_LIMITS,
        wlim: MODULE_LIMITS,
        rsrv: true,
        wsrv: true,
    },
    new: || Ok(KBox::new(NullMod, GFP_KERNEL_ACCOUNT)? as KBox<dyn Module>),
    uses: AtomicU32::new(0),
};

struct NullMod;

impl Module for NullMod {
    fn put(&self, s: &Arc<Stream>, q: Qid, m: Mblk) {
        match m.ty() {
            MsgType::Flush => s.module_flush(q, m),
            t if t.is_hipri() => s.putnext(q, m),
            _ => {
                if s.can_pass_on(q, q, m.band()) {
                    s.putnext(q, m);
                } else {
                    s.putq(q, m);
                }
            }
        }
    }

    fn srv(&self, s: &Arc<Stream>, q: Qid) {
        while let Some(m) = s.getq(q) {
            if !m.ty().is_hipri() && !s.bcanputnext(q, m.band()) {
                s.putbq(q, m);
                return;
            }
            s.putnext(q, m);
        }
    }
}
