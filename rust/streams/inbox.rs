// SPDX-License-Identifier: GPL-2.0

//! PROTOTYPE: a stream head's lock-free inbox (`glue::inbox::Inbox`).
//!
//! A writer that would hand a band-0 data message straight to the head
//! (`put_up_direct`) pushes it on the inbox instead, without the stream
//! lock, while the gate is open (`Inbox::off` clear: computed under the
//! lock by whoever splices) and the inbox holds less than the head's high
//! water mark. Whoever holds the lock and looks at or adds to the head
//! read queue splices the inbox onto it first, so order is kept. A reader
//! about to sleep counts itself in `Inbox::sleeping` and looks at the
//! inbox once more; a writer that pushed and sees a sleeper takes the
//! lock to splice and wake (Dekker: each side stores, then looks).

use super::queue::QENAB;
use super::queue::QINSERVICE;
use super::sleep::POLLED;
use super::stream::{Inner, Qid, Stream};
use crate::glue::inbox::Inbox;
use crate::streams::msg::{Mblk, MsgType};
use core::sync::atomic::Ordering;
use kernel::sync::Arc;

impl Stream {
    /// The inbox, if this stream's driver gives one.
    pub(crate) fn inbox(&self) -> Option<&Inbox> {
        self.driver.inbox()
    }

    /// Moves what waits in the inbox onto the head read queue, and says
    /// whether writers may use the inbox now. Under the lock.
    pub(crate) fn splice_inbox(&self, inner: &mut Inner) {
        let Some(ib) = self.inbox() else {
            return;
        };
        if !ib.is_empty() {
            let mut l = ib.take_all();
            let mut n = 0usize;
            while let Some(m) = l.pop_front() {
                n += m.size();
                let _ = inner.putq(Qid::HeadR, m);
            }
            ib.bytes.fetch_sub(n as u32, Ordering::Relaxed);
        }
        let drv = &inner.q[2];
        let off = !inner.mods.is_empty()
            || inner.head.link.is_some()
            || inner.head.sigflags != 0
            || inner.waiters & POLLED != 0
            || !drv.is_empty()
            || drv.flags() & (QENAB | QINSERVICE) != 0
            || inner.head_rq_ref().is_full();
        ib.off.store(off, Ordering::Release);
    }

    /// [`Self::put_up_direct`] through the inbox when the gate is open.
    pub(crate) fn put_up_inbox(self: &Arc<Self>, m: Mblk) -> core::result::Result<(), Mblk> {
        let Some(ib) = self.inbox() else {
            return self.put_up_direct(m);
        };
        if ib.off.load(Ordering::Acquire)
            || m.band() != 0
            || !matches!(m.ty(), MsgType::Data | MsgType::Proto)
            || self.is_closed()
            || self.nmods.load(Ordering::Acquire) != 0
            || self.linked.load(Ordering::Acquire)
        {
            return self.put_up_direct(m);
        }
        let size = m.size();
        if ib.bytes.load(Ordering::Relaxed) as usize + size > ib.limit as usize {
            return self.put_up_direct(m);
        }
        ib.push(m, size as u32);
        if ib.sleeping.load(Ordering::SeqCst) != 0 {
            let wake = {
                let mut inner = self.inner.lock();
                self.splice_inbox(&mut inner);
                inner.claim_wake()
            };
            self.wake_if(wake);
        }
        Ok(())
    }
}
