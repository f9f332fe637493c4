// SPDX-License-Identifier: GPL-2.0

//! `strrput`, the stream head's read put procedure: what a message that
//! arrives at the head from below does there.

use super::options::set_rdopt;
use super::sigpoll::SIGPOLL;
use crate::streams::msg::{
    Mblk, MsgType, FLUSHR, FLUSHW, MSGNOLOOP, SO_HIWAT, SO_ISNTTY, SO_ISTTY, SO_LOWAT, SO_MREADOFF,
    SO_MREADON, SO_READOPT,
};
use crate::streams::stream::{Inner, Qid, Stream};
use crate::uapi::{S_ERROR, S_HANGUP, S_MSG};
use core::sync::atomic::Ordering;
use kernel::sync::Arc;

impl Stream {
    /// Queues a data message (`M_DATA`, `M_PROTO`, `M_PCPROTO`) at the
    /// stream head under the stream lock the caller holds, with the arrival
    /// signals registered processes asked for (`S_INPUT`...,
    /// `head/sigpoll.rs`): what `strrput` does with one, and what the paths
    /// that queue at the head without it (the driver's direct path,
    /// routing under the lock) do too. The caller wakes the readers after
    /// dropping the lock if the result says so (a wake-up claimed:
    /// `sleep.rs`).
    #[must_use = "the readers are woken after the lock is dropped"]
    pub(crate) fn head_putq_locked(&self, inner: &mut Inner, m: Mblk) -> bool {
        if inner.head.sigflags == 0 {
            inner.putq(Qid::HeadR, m);
            return inner.claim_wake();
        }
        let (hipri, band) = (m.ty().is_hipri(), m.band());
        let first = !hipri && inner.head_first_for(band);
        inner.putq(Qid::HeadR, m);
        self.arrival_sig(inner, hipri, band, first);
        inner.claim_wake()
    }

    /// `strrput`: a message arriving at the stream head from below. On a
    /// stream linked under a multiplexor, the multiplexor's lower read put
    /// procedure has it instead (`mux.rs`).
    pub(crate) fn put_head(self: &Arc<Self>, m: Mblk) {
        let m = if self.linked.load(Ordering::Acquire) {
            match self.put_lower(m) {
                Some(m) => m,
                None => return,
            }
        } else {
            m
        };
        self.strrput(m);
    }

    /// What the stream head does with a message from below.
    pub(crate) fn strrput(self: &Arc<Self>, mut m: Mblk) {
        match m.ty() {
            MsgType::Flush => {
                let flags = m.flush_flags();
                if flags & FLUSHR != 0 {
                    self.flush_as(Qid::HeadR, &m);
                }
                // Turn a write flush back down once; `MSGNOLOOP` stops a
                // flush that bounces between a reflecting driver and a
                // module that rewrites it (pipemod) from looping forever.
                if flags & FLUSHW != 0 && m.flag() & MSGNOLOOP == 0 {
                    m.set_flush_flags(flags & !FLUSHR);
                    m.set_flag(MSGNOLOOP);
                    self.putnext(Qid::HeadW, m);
                }
                self.wait.notify_all();
            }
            MsgType::Hangup => {
                let first = {
                    let mut inner = self.lock();
                    let first = !core::mem::replace(&mut inner.head.hangup, true);
                    if first && inner.head.sigflags != 0 {
                        self.sendsig(&mut inner, S_HANGUP);
                    }
                    first
                };
                self.wait.notify_all();
                // A terminal's processes hear of it (`tty.rs`).
                if first {
                    self.tty_hangup();
                }
            }
            MsgType::Error => {
                let (r, w) = m.error_codes();
                {
                    let mut inner = self.lock();
                    if r != 0 {
                        inner.head.rerr = i32::from(r);
                    }
                    if w != 0 {
                        inner.head.werr = i32::from(w);
                    }
                    if (r != 0 || w != 0) && inner.head.sigflags != 0 {
                        self.sendsig(&mut inner, S_ERROR);
                    }
                }
                self.wait.notify_all();
            }
            MsgType::SetOpts => {
                let (flags, hiwat, lowat) = m.setopts_fields();
                if flags & (SO_ISTTY | SO_ISNTTY) != 0 {
                    let old = {
                        let mut inner = self.lock();
                        inner.head.istty = flags & SO_ISNTTY == 0;
                        if inner.head.istty {
                            None
                        } else {
                            inner.head.pgrp.take()
                        }
                    };
                    drop(old);
                }
                let back = {
                    let mut inner = self.lock();
                    if flags & SO_MREADON != 0 {
                        inner.head.mread = true;
                    }
                    if flags & SO_MREADOFF != 0 {
                        inner.head.mread = false;
                    }
                    if flags & SO_READOPT != 0 {
                        // An unknown mode or protocol option leaves that
                        // one alone.
                        let r = m.setopts_readopt();
                        inner.head.rdopt = set_rdopt(inner.head.rdopt, r);
                    }
                    if flags & (SO_HIWAT | SO_LOWAT) == 0 {
                        return;
                    }
                    let lim = inner.head_rq().limits();
                    let hi = if flags & SO_HIWAT != 0 {
                        hiwat as usize
                    } else {
                        lim.hiwat
                    };
                    let lo = if flags & SO_LOWAT != 0 {
                        lowat as usize
                    } else {
                        lim.lowat
                    };
                    inner.head_rq().set_water(hi, lo)
                };
                if back {
                    self.back_enable(Qid::HeadR);
                }
            }
            // The answers of an ioctl: `head/ioctl.rs` keeps its state machine.
            MsgType::IocAck | MsgType::IocNak | MsgType::CopyIn | MsgType::CopyOut => {
                self.ioc_reply_arrived(m)
            }
            // A passed file waits at the head for I_RECVFD (`passfp.rs`).
            MsgType::Data | MsgType::Proto | MsgType::PcProto | MsgType::PassFp => {
                let wake = {
                    let mut inner = self.lock();
                    if self.is_closed() {
                        return;
                    }
                    self.head_putq_locked(&mut inner, m)
                };
                self.wake_if(wake);
            }
            // A signal for the terminal's foreground process group, if
            // `TIOCSPGRP` set one (terminals.rst); SIGPOLL for `S_MSG`. `M_SIG` is delivered at
            // once too, not when a reader reaches it.
            MsgType::Sig | MsgType::PcSig => {
                let sig = m.bytes().first().copied().unwrap_or(0);
                if i32::from(sig) == SIGPOLL {
                    // SVR4: SIGPOLL goes to the processes that asked for
                    // S_MSG (`I_SETSIG`), not to the process group.
                    let mut inner = self.lock();
                    if inner.head.sigflags != 0 {
                        self.sendsig(&mut inner, S_MSG);
                    }
                    return;
                }
                let pgrp = self.lock().head.pgrp.clone();
                if let Some(g) = pgrp {
                    if (1..=64).contains(&sig) {
                        g.kill(i32::from(sig));
                    }
                }
            }
            // `M_IOCTL`, `M_READ` and anything the head does not know
            // (a driver may send any type): freed, as illumos' `strrput`.
            _ => {}
        }
    }
}
