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
//! [`input::Act`]s), [`raw`] (raw-mode delivery by `VMIN` and `VTIME`, and
//! what its timer must do) and [`output`] (output processing). This file
//! carries the actions out with messages and the module's timeout
//! (`qtimeout`), and keeps flow control with its two service procedures;
//! [`ioctl`] answers the terminal ioctls through the transparent-ioctl
//! protocol (and in `I_STR` form, the structure as the data).
//!
//! Locking: the state is under one spinlock, taken in put and service
//! procedures; no message is sent while it is held (a message sent may come
//! back into this module in the same call: a flush turned around by the
//! stream head, an echo's answer), so every procedure collects what to send
//! and sends it after unlocking.

mod input;
mod ioctl;
mod output;
mod raw;
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
use raw::TimerReq;
use termios::Termios;

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

    /// Carries out what the line discipline asked of the `VTIME` timer
    /// (`raw.rs`), under the state lock, so that requests made one after
    /// the other are carried out in that order.
    fn sync_timer(s: &Arc<Stream>, rq: Qid, ld: &mut Ld) {
        match ld.take_timer_req() {
            // ENXIO only while the module is being popped: no reader waits
            // for it then.
            Some(TimerReq::Arm { tag, ms }) => {
                let _ = s.qtimeout(rq, ms, tag);
            }
            Some(TimerReq::Cancel) => s.quntimeout(rq),
            None => {}
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
        {
            let mut st = self.st.lock();
            let _ = st.ld.set(t, &mut acts, gfp());
            Self::sync_timer(s, rq, &mut st.ld);
        }
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
            Self::sync_timer(s, rq, &mut st.ld);
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
                {
                    let mut st = self.st.lock();
                    let _ = st.ld.reader_waits(count, &mut acts, gfp());
                    Self::sync_timer(s, wq.other(), &mut st.ld);
                }
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

    /// The `VTIME` timer expired (`raw.rs` says what that means).
    fn timeout(&self, s: &Arc<Stream>, q: Qid, tag: u32) {
        let (rq, wq) = pair(q);
        let mut acts = KVec::new();
        {
            let mut st = self.st.lock();
            let _ = st.ld.timeout(tag, &mut acts, gfp());
            Self::sync_timer(s, rq, &mut st.ld);
        }
        self.run(s, rq, wq, acts);
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
