// SPDX-License-Identifier: GPL-2.0

//! `ldterm`: the terminal line discipline as a STREAMS module, speaking
//! Linux's terminal interface (`struct termios`, `c_cc` indices and ioctl
//! numbers of x86_64), so programs using `tcgetattr`/`tcsetattr` work on a
//! stream it is pushed on (`Documentation/strclone/terminals.rst`).
//!
//! ```text
//!   stream head   read: one line per read (RMSGN) in canonical mode,
//!                 byte stream (RNORM) + M_READ in raw mode (M_SETOPTS)
//!        ^ lines, raw bytes, M_PCSIG, M_FLUSH      | write data, M_IOCTL,
//!        |                                          v M_IOCDATA, M_READ
//!   ldterm read side: input processing    ldterm write side: output
//!     (input.rs); echoes go down the        processing (output.rs);
//!     write side (qreply)                   waits on its queue while
//!        ^                                  output is stopped (IXON)
//!        |                                          v
//!   driver (pts)
//! ```
//!
//! The pure parts are in `ldterm/`: [`termios`] (the settings and their
//! layout), [`input`] (the input state machine, which returns what to do as
//! [`input::Act`]s) and [`output`] (output processing). This file carries
//! the actions out with messages, answers the terminal ioctls through the
//! transparent-ioctl protocol (and in `I_STR` form, the structure as the
//! data), and keeps flow control with its two service procedures.
//!
//! Locking: the state is under one spinlock, taken in put and service
//! procedures; no message is sent while it is held (a message sent may come
//! back into this module in the same call: a flush turned around by the
//! stream head, an echo's answer), so every procedure collects what to send
//! and sends it after unlocking.

mod input;
mod output;
pub(crate) mod termios;

use crate::modules::mctl::{Ctl, CFLAG_IS, CFLAG_QUERY, CFLAG_SET};
use crate::modules::MODULE_LIMITS;
use crate::streams::msg::{
    Mblk, Msg, MsgType, FLUSHR, FLUSHW, RMSGN, RNORM, SO_ISNTTY, SO_ISTTY, SO_MREADOFF, SO_MREADON,
    SO_READOPT,
};
use crate::streams::stream::{DriverLimits, ModEntry, Module, OpenHow, PutKind, Qid, Stream};
use core::sync::atomic::AtomicU32;
use input::{Act, Ld};
use kernel::{
    new_spinlock,
    prelude::*,
    sync::{Arc, SpinLock},
};
use termios::{Termios, TERMIOS2_SIZE, TERMIOS_SIZE, VSTART, VSTOP};

/// Its module switch entry.
pub(crate) static ENTRY: ModEntry = ModEntry {
    name: c"ldterm",
    limits: DriverLimits {
        rlim: MODULE_LIMITS,
        wlim: MODULE_LIMITS,
        rsrv: true,
        wsrv: true,
    },
    put: PutKind::Own,
    new: || {
        let ld = Ld::new(GFP_KERNEL_ACCOUNT)?;
        let st = KBox::pin_init(
            new_spinlock!(
                State {
                    ld,
                    ioc_id: 0,
                    pending: None,
                    active: 0,
                },
                "Ldterm::st"
            ),
            GFP_KERNEL_ACCOUNT,
        )?;
        Ok(KBox::new(Ldterm { st }, GFP_KERNEL_ACCOUNT)? as KBox<dyn Module>)
    },
    uses: AtomicU32::new(0),
};

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

/// `cq_private` of the copy steps: the `M_IOCDATA` answers a copy-out
/// (the ioctl is done), or brings the settings copied in.
const STEP_DONE: u64 = 1;
const STEP_SET: u64 = 2;

/// Allocations for data (lines, echoes, processed output): atomic, and
/// quiet when they fail (the data is dropped, as the docs say; a large
/// write must not make the kernel log an allocation failure).
fn gfp() -> kernel::alloc::Flags {
    GFP_ATOMIC | kernel::alloc::flags::__GFP_NOWARN
}

/// Messages the read service procedure handles in one run.
const RSRV_BUDGET: usize = 64;

/// What waits for the write side to drain.
enum Drain {
    /// `TCSETSW`/`TCSETSF` (and the `2` forms): the settings, and whether
    /// input is flushed first.
    Set { t: Termios, flush: bool },
    /// `TCSBRK`/`TCSBRKP`: whether an `M_BREAK` goes down (a 0 argument,
    /// and `TCSBRKP`), or only the drain (`tcdrain`).
    Break { send: bool },
}

struct State {
    ld: Ld,
    /// Id of the transparent ioctl whose copy protocol runs (0: none).
    ioc_id: u32,
    /// An ioctl answered once the write queue has drained: its message
    /// (`M_IOCTL` or the `M_IOCDATA` of its copy-in) and what to do.
    pending: Option<(Mblk, Drain)>,
    /// Input being processed now (by the read put or service procedure).
    /// Input that arrives meanwhile waits on the read queue: an echo that
    /// comes straight back as input (a loopback driver) must not recurse.
    active: u32,
}

struct Ldterm {
    st: Pin<KBox<SpinLock<State>>>,
}

/// The read and write queue of the pair `q` belongs to.
fn pair(q: Qid) -> (Qid, Qid) {
    if q.is_read() {
        (q, q.other())
    } else {
        (q.other(), q)
    }
}

/// Calls `f` on the bytes of every block of `m` (an `M_DATA`).
fn blocks(m: &Msg, mut f: impl FnMut(&[u8])) {
    let mut cur = Some(m);
    while let Some(b) = cur {
        f(b.bytes());
        cur = b.cont();
    }
}

fn is_ours(cmd: u32) -> bool {
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
    /// Carries out `acts` (no lock held).
    fn run(&self, s: &Arc<Stream>, rq: Qid, wq: Qid, acts: KVec<Act>) {
        for a in acts {
            match a {
                Act::Up(v) => {
                    // The read queue holds input not processed yet, never
                    // what goes up: lines go on at once (input waits below
                    // while the stream head is full).
                    if let Ok(m) = Mblk::with(MsgType::Data, &v, gfp()) {
                        s.putnext(rq, m);
                    }
                }
                Act::Echo(v) => {
                    // Echoes are dropped while output waits beyond the
                    // write queue's high water mark (a terminal that reads
                    // nothing), as n_tty's echo buffer overwrites.
                    if s.qcount(wq) >= MODULE_LIMITS.hiwat {
                        continue;
                    }
                    if let Ok(m) = Mblk::with(MsgType::Data, &v, gfp()) {
                        self.down(s, wq, m);
                    }
                }
                Act::Sig { sig, flush } => {
                    if flush {
                        self.sig_flush(s, rq, wq);
                    }
                    if let Ok(m) = Mblk::with(MsgType::PcSig, &[sig], GFP_ATOMIC) {
                        s.putnext(rq, m);
                    }
                }
                Act::Start => s.qenable(wq),
                Act::Mode(canon) => Self::read_mode(s, rq, canon),
            }
        }
    }

    /// Tells the stream head the read mode of canonical (one line per
    /// read, no `M_READ`) or raw mode (byte stream, `M_READ` when a reader
    /// blocks).
    fn read_mode(s: &Arc<Stream>, rq: Qid, canon: bool) {
        let m = if canon {
            Mblk::setopts_readopt(SO_READOPT | SO_MREADOFF, RMSGN, GFP_ATOMIC)
        } else {
            Mblk::setopts_readopt(SO_READOPT | SO_MREADON, RNORM, GFP_ATOMIC)
        };
        if let Ok(m) = m {
            s.putnext(rq, m);
        }
    }

    /// Sends `m` (output) down, or queues it while output is stopped or
    /// output waits before it.
    fn down(&self, s: &Arc<Stream>, wq: Qid, m: Mblk) {
        if self.st.lock().ld.stopped {
            s.putq(wq, m);
        } else {
            s.pass_or_queue(wq, wq, m);
        }
    }

    /// Flushes input: what ldterm holds, its read queue, the stream head's
    /// (`M_FLUSH` up) and what the driver holds (`M_FLUSH` down).
    fn flush_input(&self, s: &Arc<Stream>, rq: Qid, wq: Qid) {
        self.st.lock().ld.flush_input();
        s.flushq(rq, false);
        if let Ok(m) = Mblk::flush(FLUSHR, GFP_ATOMIC) {
            s.putnext(wq, m);
        }
        if let Ok(m) = Mblk::flush(FLUSHR, GFP_ATOMIC) {
            s.putnext(rq, m);
        }
    }

    /// Flushes output: what ldterm holds on its write queue (output
    /// stopped or waiting for room). What went down already is the
    /// driver's: as on a Linux pty, a flush does not take back output the
    /// other side has not read yet.
    fn flush_output(&self, s: &Arc<Stream>, wq: Qid) {
        s.flushq(wq, false);
        self.try_drain(s, wq);
    }

    /// A signal character's flush (unless `NOFLSH`), as n_tty's: the
    /// input ldterm and the stream head hold (`M_FLUSH` `FLUSHR` up) and
    /// the output ldterm holds. Input still on its way from the driver and
    /// output already passed down stay, as on a Linux pty.
    fn sig_flush(&self, s: &Arc<Stream>, rq: Qid, wq: Qid) {
        s.flushq(rq, false);
        if let Ok(m) = Mblk::flush(FLUSHR, GFP_ATOMIC) {
            s.putnext(rq, m);
        }
        self.flush_output(s, wq);
    }

    /// New settings, now.
    fn apply(&self, s: &Arc<Stream>, rq: Qid, wq: Qid, t: Termios) {
        let mut acts = KVec::new();
        let _ = self.st.lock().ld.set(t, &mut acts, gfp());
        self.run(s, rq, wq, acts);
        Self::tell_cflag(s, wq, t.cflag);
    }

    /// Tells the module below (`ptem`) the new `c_cflag`; it answers with
    /// the `c_cflag` the pty keeps (`M_CTL` `CFLAG_IS`, see `rput`), before
    /// the ioctl that set it is answered. Other drivers ignore it.
    fn tell_cflag(s: &Arc<Stream>, wq: Qid, cflag: u32) {
        if let Ok(m) = Ctl::Cflag(CFLAG_SET, cflag).msg(GFP_ATOMIC) {
            s.putnext(wq, m);
        }
    }

    /// Asks the terminal's hardware below (`ptem`) for the `c_cflag` it
    /// keeps; it answers at once (`CFLAG_IS`, see `rput`), in this call.
    /// Other drivers ignore the question. (Not at push: a reply to a
    /// module whose open runs passes it by.)
    fn ask_cflag(s: &Arc<Stream>, wq: Qid) {
        if let Ok(m) = Ctl::Query(CFLAG_QUERY).msg(GFP_ATOMIC) {
            s.putnext(wq, m);
        }
    }

    /// Does what waited for the drain and answers its ioctl.
    fn finish_drain(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk, what: Drain) {
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
    fn drain(&self, s: &Arc<Stream>, wq: Qid, m: Mblk, what: Drain) {
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
    fn try_drain(&self, s: &Arc<Stream>, wq: Qid) {
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
    fn set_cmd(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk, cmd: u32, data: &[u8]) {
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
    fn answer_data(&self, m: &mut Mblk, transparent: bool, id: u32, bytes: &[u8]) -> Result {
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
    fn ioctl(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk) {
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
    fn is_our_iocdata(&self, m: &Mblk) -> bool {
        let r = m.copyresp();
        is_ours(r.cmd) && r.id != 0 && r.id == self.st.lock().ioc_id
    }

    /// The next step of a transparent ioctl.
    fn iocdata(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk) {
        let r = m.copyresp();
        self.st.lock().ioc_id = 0;
        if r.rval != 0 {
            // The copy failed: the caller has its error; nothing answers.
            return;
        }
        match r.private {
            STEP_DONE => {
                m.ioc_answer(Ok(0));
                s.qreply_from(wq, m);
            }
            STEP_SET => match m.data_to_vec(GFP_ATOMIC) {
                Ok(d) => self.set_cmd(s, wq, m, r.cmd, &d),
                Err(e) => {
                    m.ioc_answer(Err(e));
                    s.qreply_from(wq, m);
                }
            },
            _ => {
                m.ioc_answer(Err(EPROTO));
                s.qreply_from(wq, m);
            }
        }
    }

    /// Input processing of the `M_DATA` `m`; the caller raised `active`,
    /// which this lowers.
    fn process(&self, s: &Arc<Stream>, rq: Qid, wq: Qid, m: Mblk) {
        let mut acts = KVec::new();
        {
            let mut st = self.st.lock();
            blocks(&m, |b| {
                // Without memory the rest of the block is lost.
                let _ = st.ld.input(b, &mut acts, gfp());
            });
        }
        drop(m);
        self.run(s, rq, wq, acts);
        let mut st = self.st.lock();
        st.active = st.active.saturating_sub(1);
    }

    /// The read service procedure: input that waited, in order, while the
    /// stream head has room. At most [`RSRV_BUDGET`] messages a run, then
    /// it schedules itself again: input that its own echoes produce (a
    /// loopback) keeps the stream busy, not the CPU.
    fn rsrv(&self, s: &Arc<Stream>, rq: Qid) {
        let wq = rq.other();
        for _ in 0..RSRV_BUDGET {
            let Some(m) = s.getq(rq) else {
                return;
            };
            if m.ty() == MsgType::Data {
                if !s.canputnext(rq) {
                    s.putbq(rq, m);
                    return;
                }
                self.st.lock().active += 1;
                self.process(s, rq, wq, m);
            } else if !m.ty().is_hipri() && !s.bcanputnext(rq, m.band()) {
                s.putbq(rq, m);
                return;
            } else {
                s.putnext(rq, m);
            }
        }
        if s.qmsgs(rq) > 0 {
            s.qenable(rq);
        }
    }

    fn rput(&self, s: &Arc<Stream>, rq: Qid, m: Mblk) {
        let wq = rq.other();
        match m.ty() {
            MsgType::Data => {
                // Inline when nothing waits before it, the stream head has
                // room and no input is being processed; else the service
                // procedure takes it.
                let inline = s.can_bypass(rq) && s.canputnext(rq) && {
                    let mut st = self.st.lock();
                    let idle = st.active == 0;
                    if idle {
                        st.active += 1;
                    }
                    idle
                };
                if inline {
                    self.process(s, rq, wq, m);
                } else {
                    s.putq(rq, m);
                }
            }
            MsgType::Flush => {
                if m.flush_flags() & FLUSHR != 0 {
                    self.st.lock().ld.flush_input();
                }
                s.module_flush(rq, m);
            }
            // A break from the line: ignored (IGNBRK/BRKINT are not
            // implemented; a pty never sends one).
            MsgType::Break => {}
            // The c_cflag the terminal's hardware (ptem) keeps.
            MsgType::Ctl => match Ctl::of(&m) {
                Some(Ctl::Cflag(CFLAG_IS, c)) => self.st.lock().ld.t.cflag = c,
                _ => s.pass_or_queue(rq, rq, m),
            },
            _ => s.pass_or_queue(rq, rq, m),
        }
    }

    fn wput(&self, s: &Arc<Stream>, wq: Qid, m: Mblk) {
        match m.ty() {
            MsgType::Data => {
                let out = {
                    let mut st = self.st.lock();
                    let t = st.ld.t;
                    let mut col = st.ld.col;
                    let mut same = true;
                    blocks(&m, |b| {
                        same = same && output::passes_unchanged(&t, &mut col, b)
                    });
                    if same {
                        st.ld.col = col;
                        None
                    } else {
                        let mut v = KVec::new();
                        let mut ok = true;
                        blocks(&m, |b| {
                            ok = ok && output::process(&t, &mut st.ld.col, b, &mut v, gfp()).is_ok()
                        });
                        Some(v)
                    }
                };
                let m = match out {
                    None => m,
                    Some(v) => match Mblk::with(MsgType::Data, &v, gfp()) {
                        Ok(n) => n,
                        // Without memory the write goes down unprocessed.
                        Err(_) => m,
                    },
                };
                self.down(s, wq, m);
            }
            MsgType::Ioctl => self.ioctl(s, wq, m),
            MsgType::IocData if self.is_our_iocdata(&m) => self.iocdata(s, wq, m),
            MsgType::Read => {
                let b = m.bytes();
                let mut w = [0u8; 8];
                if let Some(x) = b.get(..8) {
                    w.copy_from_slice(x);
                }
                let count = usize::try_from(u64::from_le_bytes(w)).unwrap_or(usize::MAX);
                let mut acts = KVec::new();
                let _ = self.st.lock().ld.reader_waits(count, &mut acts, gfp());
                self.run(s, wq.other(), wq, acts);
            }
            MsgType::Flush => {
                let f = m.flush_flags();
                if f & FLUSHR != 0 {
                    self.st.lock().ld.flush_input();
                }
                s.module_flush(wq, m);
                if f & FLUSHW != 0 {
                    self.try_drain(s, wq);
                }
            }
            _ => s.pass_or_queue(wq, wq, m),
        }
    }
}

impl Module for Ldterm {
    fn open(&self, s: &Arc<Stream>, q: Qid, how: OpenHow) -> Result {
        if how == OpenHow::Push {
            // The stream is a terminal in canonical mode: one line per
            // read.
            let m = Mblk::setopts_readopt(
                SO_READOPT | SO_MREADOFF | SO_ISTTY,
                RMSGN,
                GFP_KERNEL_ACCOUNT,
            )?;
            s.putnext(pair(q).0, m);
        }
        Ok(())
    }

    fn close(&self, s: &Arc<Stream>, q: Qid) {
        let (rq, wq) = pair(q);
        let (raw, pending) = {
            let mut st = self.st.lock();
            (st.ld.take_raw(), st.pending.take())
        };
        // Raw input held for VMIN is the reader's.
        if !raw.is_empty() {
            if let Ok(m) = Mblk::with(MsgType::Data, &raw, GFP_KERNEL_ACCOUNT) {
                s.putnext(rq, m);
            }
        }
        // An ioctl waiting for the drain will not see it.
        if let Some((mut m, _)) = pending {
            m.ioc_answer(Err(EIO));
            s.qreply_from(wq, m);
        }
        if let Ok(m) = Mblk::setopts_readopt(
            SO_READOPT | SO_MREADOFF | SO_ISNTTY,
            RNORM,
            GFP_KERNEL_ACCOUNT,
        ) {
            s.putnext(rq, m);
        }
    }

    fn put(&self, s: &Arc<Stream>, q: Qid, m: Mblk) {
        if q.is_read() {
            self.rput(s, q, m);
        } else {
            self.wput(s, q, m);
        }
    }

    fn srv(&self, s: &Arc<Stream>, q: Qid) {
        if q.is_read() {
            self.rsrv(s, q);
            return;
        }
        loop {
            if self.st.lock().ld.stopped {
                break;
            }
            let Some(m) = s.getq(q) else {
                break;
            };
            if !m.ty().is_hipri() && !s.bcanputnext(q, m.band()) {
                s.putbq(q, m);
                return;
            }
            s.putnext(q, m);
        }
        self.try_drain(s, q);
    }
}
