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
//!
//! Its put procedure is declared ([`PutKind::PassOrQueue`]): the framework
//! does its work inline while routing, so a message passes through an idle
//! `nullmod` without a call into it.

use crate::modules::MODULE_LIMITS;
use crate::streams::msg::{Mblk, MsgType};
use crate::streams::stream::{DriverLimits, ModEntry, Module, PutKind, Qid, Stream};
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
    put: PutKind::PassOrQueue,
    new: || Ok(KBox::new(NullMod, GFP_KERNEL_ACCOUNT)? as KBox<dyn Module>),
    uses: AtomicU32::new(0),
};

struct NullMod;

impl Module for NullMod {
    fn put(&self, s: &Arc<Stream>, q: Qid, m: Mblk) {
        // What `PutKind::PassOrQueue` declares: the framework does the
        // same for every message but `M_FLUSH` while it routes, without
        // calling this.
        match m.ty() {
            MsgType::Flush => s.module_flush(q, m),
            _ => s.pass_or_queue(q, q, m),
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
