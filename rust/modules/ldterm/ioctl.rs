// SPDX-License-Identifier: GPL-2.0

//! `ldterm`'s terminal ioctls: `TCGETS`/`TCSETS*` (and the `termios2`
//! forms), `TCFLSH`, `TCXONC`, `TCSBRK`, `FIONREAD`, `TIOCOUTQ`, answered
//! through the transparent-ioctl protocol (and in `I_STR` form), and the
//! ones that wait for output to drain (`TCSETSW`, `TCSETSF`, `TCSBRK`).

use super::termios::{Termios, TERMIOS2_SIZE, TERMIOS_SIZE, VSTART, VSTOP};
use super::{Drain, Ldterm};
use crate::streams::msg::{Mblk, MsgType, STEP_DONE, STEP_SET};
use crate::streams::stream::{Qid, Stream};
use kernel::{prelude::*, sync::Arc};

// Linux's terminal ioctls (x86_64, asm-generic/ioctls.h).
const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const TCSETSW: u32 = 0x5403;
const TCSETSF: u32 = 0x5404;
const TCSBRK: u32 = 0x5409;
const TCXONC: u32 = 0x540a;
const TCFLSH: u32 = 0x540b;
const TIOCOUTQ: u32 = 0x5411;
const FIONREAD: u32 = 0x541b;
const TCSBRKP: u32 = 0x5425;
const TCGETS2: u32 = 0x802c_542a;
const TCSETS2: u32 = 0x402c_542b;
const TCSETSW2: u32 = 0x402c_542c;
const TCSETSF2: u32 = 0x402c_542d;

// tcflush and tcflow arguments.
const TCIFLUSH: i32 = 0;
const TCOFLUSH: i32 = 1;
const TCIOFLUSH: i32 = 2;
const TCOOFF: i32 = 0;
const TCOON: i32 = 1;
const TCIOFF: i32 = 2;
const TCION: i32 = 3;

/// Whether `cmd` is one of the ioctls `ldterm` answers.
pub(super) fn is_ours(cmd: u32) -> bool {
    matches!(
        cmd,
        TCGETS
            | TCSETS
            | TCSETSW
            | TCSETSF
            | TCGETS2
            | TCSETS2
            | TCSETSW2
            | TCSETSF2
            | TCSBRK
            | TCSBRKP
            | TCXONC
            | TCFLSH
            | FIONREAD
            | TIOCOUTQ
    )
}

fn ne_i32(b: &[u8]) -> Option<i32> {
    let w: [u8; 4] = b.get(..4)?.try_into().ok()?;
    Some(i32::from_ne_bytes(w))
}

impl Ldterm {
    /// Does what waited for the drain and answers its ioctl.
    pub(super) fn finish_drain(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk, what: Drain) {
        let rq = wq.other();
        match what {
            Drain::Set { t, flush } => {
                if flush {
                    self.flush_input(s, rq, wq);
                }
                self.apply(s, rq, wq, t);
            }
            Drain::Break { send } => {
                if send {
                    if let Ok(b) = Mblk::with(MsgType::Break, &[], GFP_ATOMIC) {
                        s.putnext(wq, b);
                    }
                }
            }
        }
        drop(m.take_cont());
        m.ioc_answer(Ok(0));
        s.qreply_from(wq, m);
    }

    /// `what` once ldterm's write queue is empty: now if it is.
    pub(super) fn drain(&self, s: &Arc<Stream>, wq: Qid, m: Mblk, what: Drain) {
        if s.qmsgs(wq) == 0 {
            self.finish_drain(s, wq, m, what);
            return;
        }
        let old = self.st.lock().pending.replace((m, what));
        if let Some((mut o, _)) = old {
            // The stream head lets one ioctl through at a time; a second
            // one here is a protocol error.
            o.ioc_answer(Err(EBUSY));
            s.qreply_from(wq, o);
        }
        // The service procedure may have emptied the queue meanwhile.
        self.try_drain(s, wq);
    }

    /// Completes the ioctl waiting for the drain if the write queue is
    /// empty.
    pub(super) fn try_drain(&self, s: &Arc<Stream>, wq: Qid) {
        if s.qmsgs(wq) != 0 {
            return;
        }
        let p = self.st.lock().pending.take();
        if let Some((m, what)) = p {
            self.finish_drain(s, wq, m, what);
        }
    }

    /// The settings of a `TCSETS*` command in `data`: applied now, or after
    /// the drain. Answers `m`.
    pub(super) fn set_cmd(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk, cmd: u32, data: &[u8]) {
        let size = if matches!(cmd, TCSETS2 | TCSETSW2 | TCSETSF2) {
            TERMIOS2_SIZE
        } else {
            TERMIOS_SIZE
        };
        let t = match Termios::decode(data) {
            Some(t) if data.len() == size => t,
            _ => {
                m.ioc_answer(Err(EINVAL));
                s.qreply_from(wq, m);
                return;
            }
        };
        match cmd {
            TCSETS | TCSETS2 => {
                self.apply(s, wq.other(), wq, t);
                drop(m.take_cont());
                m.ioc_answer(Ok(0));
                s.qreply_from(wq, m);
            }
            TCSETSW | TCSETSW2 => self.drain(s, wq, m, Drain::Set { t, flush: false }),
            _ => self.drain(s, wq, m, Drain::Set { t, flush: true }),
        }
    }

    /// A data answer: copied out for a transparent ioctl, chained to the
    /// acknowledgement for an `I_STR` one.
    pub(super) fn answer_data(
        &self,
        m: &mut Mblk,
        transparent: bool,
        id: u32,
        bytes: &[u8],
    ) -> Result {
        let d = Mblk::with(MsgType::Data, bytes, GFP_ATOMIC)?;
        if transparent {
            self.st.lock().ioc_id = id;
            m.mcopyout(STEP_DONE, None, d)
        } else {
            drop(m.take_cont());
            m.link_cont(d);
            m.ioc_answer(Ok(0));
            Ok(())
        }
    }

    /// An `M_IOCTL` on the write side.
    pub(super) fn ioctl(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk) {
        let ioc = m.ioc();
        if !is_ours(ioc.cmd) {
            s.putnext(wq, m);
            return;
        }
        let rq = wq.other();
        let tr = ioc.is_transparent();
        // The integer argument of the commands that take one by value.
        let int_arg = |m: &Mblk| -> Result<i32> {
            if tr {
                m.transparent_arg().map(|a| a as i32).ok_or(EINVAL)
            } else {
                let d = m.data_to_vec(GFP_ATOMIC)?;
                ne_i32(&d).ok_or(EINVAL)
            }
        };
        // A positive answer without data (the argument is not echoed back).
        let ack = |m: &mut Mblk| {
            drop(m.take_cont());
            m.ioc_answer(Ok(0));
        };
        let r: Result = match ioc.cmd {
            TCGETS | TCGETS2 => {
                Self::ask_cflag(s, wq);
                let t = self.st.lock().ld.t;
                if ioc.cmd == TCGETS {
                    self.answer_data(&mut m, tr, ioc.id, &t.encode())
                } else {
                    self.answer_data(&mut m, tr, ioc.id, &t.encode2())
                }
            }
            TCSETS | TCSETSW | TCSETSF | TCSETS2 | TCSETSW2 | TCSETSF2 => {
                let size = if matches!(ioc.cmd, TCSETS2 | TCSETSW2 | TCSETSF2) {
                    TERMIOS2_SIZE
                } else {
                    TERMIOS_SIZE
                };
                if tr {
                    self.st.lock().ioc_id = ioc.id;
                    m.mcopyin(STEP_SET, size as u32, None)
                } else {
                    match m.data_to_vec(GFP_ATOMIC) {
                        Ok(d) => {
                            self.set_cmd(s, wq, m, ioc.cmd, &d);
                            return;
                        }
                        Err(e) => Err(e),
                    }
                }
            }
            TCFLSH => match int_arg(&m) {
                Ok(TCIFLUSH) => {
                    self.flush_input(s, rq, wq);
                    ack(&mut m);
                    Ok(())
                }
                Ok(TCOFLUSH) => {
                    self.flush_output(s, wq);
                    ack(&mut m);
                    Ok(())
                }
                Ok(TCIOFLUSH) => {
                    self.flush_input(s, rq, wq);
                    self.flush_output(s, wq);
                    ack(&mut m);
                    Ok(())
                }
                Ok(_) => Err(EINVAL),
                Err(e) => Err(e),
            },
            TCXONC => match int_arg(&m) {
                Ok(TCOOFF) => {
                    self.st.lock().ld.stopped = true;
                    ack(&mut m);
                    Ok(())
                }
                Ok(TCOON) => {
                    self.st.lock().ld.stopped = false;
                    s.qenable(wq);
                    ack(&mut m);
                    Ok(())
                }
                Ok(a @ (TCIOFF | TCION)) => {
                    let t = self.st.lock().ld.t;
                    let c = t.cc[if a == TCIOFF { VSTOP } else { VSTART }];
                    // As Linux: the character goes to the terminal at
                    // once, ahead of stopped output; none if disabled.
                    if c != 0 {
                        if let Ok(d) = Mblk::with(MsgType::Data, &[c], GFP_ATOMIC) {
                            s.putnext(wq, d);
                        }
                    }
                    ack(&mut m);
                    Ok(())
                }
                Ok(_) => Err(EINVAL),
                Err(e) => Err(e),
            },
            TCSBRK | TCSBRKP => match int_arg(&m) {
                Ok(a) => {
                    let send = ioc.cmd == TCSBRKP || a == 0;
                    self.drain(s, wq, m, Drain::Break { send });
                    return;
                }
                Err(e) => Err(e),
            },
            FIONREAD => {
                let held = self.st.lock().ld.ready_bytes();
                let n = s.qcount(Qid::HeadR) + held;
                let n = i32::try_from(n).unwrap_or(i32::MAX);
                self.answer_data(&mut m, tr, ioc.id, &n.to_ne_bytes())
            }
            TIOCOUTQ => {
                let n = i32::try_from(s.qcount(wq)).unwrap_or(i32::MAX);
                self.answer_data(&mut m, tr, ioc.id, &n.to_ne_bytes())
            }
            _ => Err(EINVAL),
        };
        if let Err(e) = r {
            m.ioc_answer(Err(e));
        }
        s.qreply_from(wq, m);
    }

    /// Whether the `M_IOCDATA` `m` answers one of this instance's copy
    /// requests.
    pub(super) fn is_our_iocdata(&self, m: &Mblk) -> bool {
        let r = m.copyresp();
        is_ours(r.cmd) && r.id != 0 && r.id == self.st.lock().ioc_id
    }

    /// The next step of a transparent ioctl.
    pub(super) fn iocdata(&self, s: &Arc<Stream>, wq: Qid, m: Mblk) {
        self.st.lock().ioc_id = 0;
        if let Some((m, cmd, d)) = s.ioc_step(wq, m) {
            self.set_cmd(s, wq, m, cmd, &d);
        }
    }
}
