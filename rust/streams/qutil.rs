// SPDX-License-Identifier: GPL-2.0

//! The STREAMS utility routines drivers and modules call on the queues of
//! their stream (SVR4 DDI/DKI section 3): `putq`, `getq`, `putbq`,
//! `flushq`, `flushband`, `noenable`/`enableok`, water marks (`strqset`),
//! `qreply`, the standard `M_FLUSH` handling of a driver and of a module,
//! and the fast paths a put procedure may take when nothing waits.

use super::msg::{Mblk, MsgType, FLUSHBAND, FLUSHR, FLUSHW, STEP_DONE, STEP_SET};
use super::queue::{QENAB, QINSERVICE, QNOENB};
use super::stream::{Qid, Stream};
use kernel::{prelude::*, sync::Arc};

impl Stream {
    /// The put procedure fast path: true when nothing is queued on `q` and
    /// its service procedure is neither scheduled nor running, so a message
    /// passed on directly cannot overtake one sent earlier. (Messages from
    /// different writers have no order to keep.)
    pub(crate) fn can_bypass(&self, q: Qid) -> bool {
        self.lock().idle(q)
    }

    /// A driver's read-side fast path: with nothing pushed, the stream not
    /// linked under a multiplexor, nothing queued on or scheduled for the
    /// driver's read queue, and room at the head, a
    /// data message goes straight onto the head's read queue (what
    /// `putnext` to `strrput` does) in one lock round trip. Anything else
    /// comes back to the caller to queue.
    pub(crate) fn put_up_direct(self: &Arc<Self>, m: Mblk) -> core::result::Result<(), Mblk> {
        if !matches!(m.ty(), MsgType::Data | MsgType::Proto) {
            return Err(m);
        }
        let wake = {
            let mut inner = self.lock();
            let drv = &inner.q[2];
            if self.is_closed()
                || !inner.mods.is_empty()
                || inner.head.link.is_some()
                || !drv.is_empty()
                || drv.flags() & (QENAB | QINSERVICE) != 0
                || !inner.head_rq().canput()
            {
                return Err(m);
            }
            self.head_putq_locked(&mut inner, m)
        };
        self.wake_if(wake);
        Ok(())
    }

    /// Bytes queued on `q` (every band; 0 for a queue that is gone).
    pub(crate) fn qcount(&self, q: Qid) -> usize {
        self.lock().qr(q).map_or(0, |queue| queue.count())
    }

    /// Messages queued on `q` (0 for a queue that is gone).
    pub(crate) fn qmsgs(&self, q: Qid) -> usize {
        self.lock().qr(q).map_or(0, |queue| queue.msgs())
    }

    /// SVR4 `noenable`.
    pub(crate) fn noenable(&self, q: Qid) {
        if let Some(queue) = self.lock().qm(q) {
            queue.set_flags(QNOENB);
        }
    }

    /// SVR4 `enableok`.
    pub(crate) fn enableok(&self, q: Qid) {
        if let Some(queue) = self.lock().qm(q) {
            queue.clear_flags(QNOENB);
        }
    }

    /// SVR4 `putq` on a queue of this stream.
    pub(crate) fn putq(self: &Arc<Self>, q: Qid, m: Mblk) {
        let inst = {
            let mut inner = self.lock();
            if self.is_closed() || !inner.putq(q, m) {
                return;
            }
            Self::inst_for(&inner, q)
        };
        self.schedule(q, inst);
    }

    /// SVR4 `putbq`.
    pub(crate) fn putbq(&self, q: Qid, m: Mblk) {
        if let Some(queue) = self.lock().qm(q) {
            queue.putbq(m);
        }
    }

    /// SVR4 `getq`; back-enables the queue behind `q` when it drains.
    pub(crate) fn getq(self: &Arc<Self>, q: Qid) -> Option<Mblk> {
        let (m, back) = self.lock().qm(q)?.getq();
        if back {
            self.back_enable(q);
        }
        m
    }

    /// SVR4 `flushq` on `q`; back-enables as needed.
    pub(crate) fn flushq(self: &Arc<Self>, q: Qid, all: bool) {
        let back = self.lock().qm(q).is_some_and(|queue| queue.flushq(all));
        if back {
            self.back_enable(q);
        }
    }

    /// SVR4 `flushband` on `q`; back-enables as needed.
    pub(crate) fn flushband(self: &Arc<Self>, q: Qid, band: u8, all: bool) {
        let back = self
            .lock()
            .qm(q)
            .is_some_and(|queue| queue.flushband(band, all));
        if back {
            self.back_enable(q);
        }
    }

    /// Sets band `band`'s water marks on a queue (`strqset`); `ENOMEM` if
    /// the band has no entry and none can be made.
    #[expect(dead_code, reason = "strqset of the driver API (issue 14)")]
    pub(crate) fn set_band_water(
        self: &Arc<Self>,
        q: Qid,
        band: u8,
        hiwat: usize,
        lowat: usize,
    ) -> Result {
        let back = match self.lock().qm(q) {
            Some(queue) => queue.set_band_water(band, hiwat, lowat)?,
            None => false,
        };
        if back {
            self.back_enable(q);
        }
        Ok(())
    }

    /// Sets a queue's water marks.
    pub(crate) fn set_water(self: &Arc<Self>, q: Qid, hiwat: usize, lowat: usize) {
        let back = self
            .lock()
            .qm(q)
            .is_some_and(|queue| queue.set_water(hiwat, lowat));
        if back {
            self.back_enable(q);
        }
    }

    /// SVR4 `qreply(q, m)`: sends `m` back the way it came, from `q`'s
    /// other queue (a driver answering a message of its write queue sends
    /// it up from its read queue).
    pub(crate) fn qreply_from(self: &Arc<Self>, q: Qid, m: Mblk) {
        self.putnext(q.other(), m);
    }

    /// The `M_IOCDATA` of a module's transparent ioctl made of the two
    /// standard steps (its `M_COPYIN`/`M_COPYOUT` carried [`STEP_SET`] or
    /// [`STEP_DONE`] as `cq_private`), arriving at write queue `wq`. A
    /// failed copy ends the ioctl (the caller has its error; nothing
    /// answers); [`STEP_DONE`] is acknowledged here; anything else is
    /// refused (`EPROTO`). For [`STEP_SET`] the message, the command and
    /// the bytes copied in come back for the module to apply and answer
    /// (the message answered with the errno if they cannot be had).
    pub(crate) fn ioc_step(
        self: &Arc<Self>,
        wq: Qid,
        mut m: Mblk,
    ) -> Option<(Mblk, u32, KVec<u8>)> {
        let r = m.copyresp();
        if r.rval != 0 {
            return None;
        }
        let answer = match r.private {
            STEP_DONE => Ok(0),
            STEP_SET => match m.data_to_vec(GFP_ATOMIC) {
                Ok(d) => return Some((m, r.cmd, d)),
                Err(e) => Err(e),
            },
            _ => Err(EPROTO),
        };
        m.ioc_answer(answer);
        self.qreply_from(wq, m);
        None
    }

    /// `qreply` from the driver's write queue.
    pub(crate) fn qreply(self: &Arc<Self>, m: Mblk) {
        self.qreply_from(Qid::DrvW, m);
    }

    /// The standard driver handling of `M_FLUSH` arriving at the write put
    /// procedure: flush what it names, and turn `FLUSHR` back upstream.
    pub(crate) fn driver_flush(self: &Arc<Self>, mut m: Mblk) {
        let flags = m.flush_flags();
        if flags & FLUSHW != 0 {
            self.flush_as(Qid::DrvW, &m);
        }
        if flags & FLUSHR != 0 {
            self.flush_as(Qid::DrvR, &m);
            m.set_flush_flags(flags & !FLUSHW);
            self.qreply(m);
        }
    }

    /// Flushes `q` as the `M_FLUSH` `m` says: the data messages of its
    /// band with `FLUSHBAND`, of every band otherwise.
    pub(crate) fn flush_as(self: &Arc<Self>, q: Qid, m: &Mblk) {
        if m.flush_flags() & FLUSHBAND != 0 {
            self.flushband(q, m.flush_band(), false);
        } else {
            self.flushq(q, false);
        }
    }

    /// The standard module handling of `M_FLUSH` arriving at queue `q`
    /// (either way): flush the module's write queue for `FLUSHW` and its
    /// read queue for `FLUSHR` (one band with `FLUSHBAND`), then pass it on.
    pub(crate) fn module_flush(self: &Arc<Self>, q: Qid, m: Mblk) {
        let flags = m.flush_flags();
        let (rq, wq) = if q.is_read() {
            (q, q.other())
        } else {
            (q.other(), q)
        };
        if flags & FLUSHW != 0 {
            self.flush_as(wq, &m);
        }
        if flags & FLUSHR != 0 {
            self.flush_as(rq, &m);
        }
        self.putnext(q, m);
    }
}
