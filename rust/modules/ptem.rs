// SPDX-License-Identifier: GPL-2.0

//! `ptem`: the pseudo-terminal emulation module, as SVR4's: pushed on a
//! pts slave below `ldterm`, it does what a terminal's hardware driver
//! would (`Documentation/strclone/terminals.rst`, "ptem"):
//!
//! - the window size: `TIOCGWINSZ`/`TIOCSWINSZ` with Linux's
//!   `struct winsize` and numbers; a change (any of the four fields, as
//!   Linux's `tty_do_resize`) sends `M_PCSIG` `SIGWINCH` up to the stream
//!   head, which signals the foreground process group. The pair's size is
//!   the pts driver's (`crate::ptm`), which answers the master's ioctls:
//!   `ptem` asks it at each of its own (`M_CTL`, [`mctl`]) and tells it
//!   the sizes the slave sets; sizes the master sets arrive from below;
//! - the `c_cflag` the pty keeps, which `ldterm` reports (`TCGETS`): a
//!   Linux pts slave's at first (`B38400 | CS8 | CREAD`, no `HUPCL`);
//!   `ldterm` asks for it at each `TCGETS` (`M_CTL` `CFLAG_QUERY`), tells
//!   it every new setting (`CFLAG_SET`), and gets back what a Linux pty
//!   keeps (`CFLAG_IS`; as `pty_set_termios`: `CS8` and `CREAD` forced,
//!   `PARENB` cleared);
//! - a baud rate of 0 (`B0`) hangs the line up: `M_HANGUP` goes down to
//!   the pts driver, which hangs the master up;
//! - `HUPCL`: when the slave stream closes with `HUPCL` set, `M_HANGUP`
//!   goes down first (the pts driver's close then hangs the master up in
//!   any case, as Linux's pty does whatever `HUPCL` says);
//! - a break (`M_BREAK`, from `ldterm`'s `TCSBRK`) goes down to the pts
//!   driver, which passes it to the master.
//!
//! It has no service procedures: everything else passes straight on, so
//! flow control is decided by the queues on either side of it.
//!
//! Locking: the state is under one spinlock, never held while a message
//! is sent.

use crate::modules::mctl::{
    Ctl, Winsize, CFLAG_IS, CFLAG_QUERY, CFLAG_SET, WINSIZE_SIZE, WINSZ_INFO, WINSZ_QUERY,
    WINSZ_SET, WINSZ_SYNC,
};
use crate::modules::MODULE_LIMITS;
use crate::streams::msg::{Mblk, MsgType, STEP_DONE, STEP_SET};
use crate::streams::stream::{DriverLimits, ModEntry, Module, PutKind, Qid, Stream};
use core::sync::atomic::AtomicU32;
use kernel::{
    new_spinlock,
    prelude::*,
    sync::{Arc, SpinLock},
};

/// Its module switch entry.
pub(crate) static ENTRY: ModEntry = ModEntry {
    name: c"ptem",
    limits: DriverLimits {
        rlim: MODULE_LIMITS,
        wlim: MODULE_LIMITS,
        rsrv: false,
        wsrv: false,
    },
    put: PutKind::Own,
    new: || {
        let st = KBox::pin_init(new_spinlock!(State::new(), "Ptem::st"), GFP_KERNEL_ACCOUNT)?;
        Ok(KBox::new(Ptem { st }, GFP_KERNEL_ACCOUNT)? as KBox<dyn Module>)
    },
    uses: AtomicU32::new(0),
};

// Linux's window size ioctls (x86_64, asm-generic/ioctls.h).
pub(crate) const TIOCGWINSZ: u32 = 0x5413;
pub(crate) const TIOCSWINSZ: u32 = 0x5414;

/// `SIGWINCH` (x86_64).
const SIGWINCH: u8 = 28;

// c_cflag bits of Linux's termbits.h.
const CBAUD: u32 = 0o10017;
const CSIZE: u32 = 0o60;
const CS8: u32 = 0o60;
const CREAD: u32 = 0o200;
const PARENB: u32 = 0o400;
const HUPCL: u32 = 0o2000;
const B38400: u32 = 0o17;

/// The `c_cflag` a pty starts with (a Linux pts slave's `init_termios`:
/// `tty_std_termios` without `HUPCL`).
pub(crate) const DEFAULT_CFLAG: u32 = B38400 | CS8 | CREAD;

/// The `c_cflag` a Linux pty keeps when `c` is set (`pty_set_termios`: a
/// pty has 8 data bits, receives, and no parity).
pub(crate) fn pty_cflag(c: u32) -> u32 {
    (c & !(CSIZE | PARENB)) | CS8 | CREAD
}

/// Whether `c` asks for a hangup (baud rate `B0`).
pub(crate) fn is_b0(c: u32) -> bool {
    c & CBAUD == 0
}

/// The module's state.
struct State {
    ws: Winsize,
    cflag: u32,
    /// Id of the transparent ioctl whose copy protocol runs (0: none).
    ioc_id: u32,
}

impl State {
    const fn new() -> Self {
        Self {
            ws: Winsize([0; 4]),
            cflag: DEFAULT_CFLAG,
            ioc_id: 0,
        }
    }

    /// Takes `ws`; whether it differs from the size before.
    fn resize(&mut self, ws: Winsize) -> bool {
        let changed = self.ws != ws;
        self.ws = ws;
        changed
    }
}

struct Ptem {
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

fn is_ours(cmd: u32) -> bool {
    matches!(cmd, TIOCGWINSZ | TIOCSWINSZ)
}

impl Ptem {
    /// `SIGWINCH` for the foreground process group, at once (`M_PCSIG`, as
    /// Linux signals at the resize, not when input is read).
    fn winch(s: &Arc<Stream>, rq: Qid) {
        if let Ok(m) = Mblk::with(MsgType::PcSig, &[SIGWINCH], GFP_ATOMIC) {
            s.putnext(rq, m);
        }
    }

    /// Brings the size up to date with the pair's (the master may have set
    /// one): the pts driver answers `WINSZ_SYNC` at once, in this call (see
    /// `rput`); another driver ignores the question. Asked at each window
    /// size ioctl rather than at push: a reply to a module whose open runs
    /// would pass it by.
    fn refresh(s: &Arc<Stream>, wq: Qid) {
        if let Ok(m) = Ctl::Query(WINSZ_QUERY).msg(GFP_ATOMIC) {
            s.putnext(wq, m);
        }
    }

    /// The slave set the size `ws` (`TIOCSWINSZ`): signal if it changed,
    /// tell the driver (the master's `TIOCGWINSZ` answers from its copy).
    fn set_size(&self, s: &Arc<Stream>, wq: Qid, ws: Winsize) -> Result {
        let info = Ctl::Winsz(WINSZ_INFO, ws).msg(GFP_ATOMIC)?;
        Self::refresh(s, wq);
        let changed = self.st.lock().resize(ws);
        if changed {
            Self::winch(s, wq.other());
        }
        s.putnext(wq, info);
        Ok(())
    }

    /// Answers `m` with the data of `TIOCSWINSZ`.
    fn set_cmd(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk, data: &[u8]) {
        let r = match Winsize::decode(data) {
            Some(ws) => self.set_size(s, wq, ws),
            None => Err(EINVAL),
        };
        drop(m.take_cont());
        m.ioc_answer(r.map(|()| 0));
        s.qreply_from(wq, m);
    }

    /// An `M_IOCTL` on the write side: the window size commands; any
    /// other goes on down.
    fn ioctl(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk) {
        let ioc = m.ioc();
        if !is_ours(ioc.cmd) {
            s.putnext(wq, m);
            return;
        }
        let tr = ioc.is_transparent();
        let r: Result = if ioc.cmd == TIOCGWINSZ {
            Self::refresh(s, wq);
            let ws = self.st.lock().ws;
            match Mblk::with(MsgType::Data, &ws.encode(), GFP_ATOMIC) {
                Ok(d) if tr => {
                    self.st.lock().ioc_id = ioc.id;
                    m.mcopyout(STEP_DONE, None, d)
                }
                Ok(d) => {
                    drop(m.take_cont());
                    m.link_cont(d);
                    m.ioc_answer(Ok(0));
                    Ok(())
                }
                Err(e) => Err(e),
            }
        } else if tr {
            self.st.lock().ioc_id = ioc.id;
            m.mcopyin(STEP_SET, WINSIZE_SIZE as u32, None)
        } else {
            match m.data_to_vec(GFP_ATOMIC) {
                Ok(d) => {
                    self.set_cmd(s, wq, m, &d);
                    return;
                }
                Err(e) => Err(e),
            }
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
    fn iocdata(&self, s: &Arc<Stream>, wq: Qid, m: Mblk) {
        self.st.lock().ioc_id = 0;
        if let Some((m, _, d)) = s.ioc_step(wq, m) {
            self.set_cmd(s, wq, m, &d);
        }
    }

    /// The line discipline's new `c_cflag`: kept as a pty keeps it, told
    /// back up, and `B0` hangs up.
    fn cflag_set(&self, s: &Arc<Stream>, wq: Qid, c: u32) {
        let kept = pty_cflag(c);
        self.st.lock().cflag = kept;
        if let Ok(m) = Ctl::Cflag(CFLAG_IS, kept).msg(GFP_ATOMIC) {
            s.qreply_from(wq, m);
        }
        if is_b0(kept) {
            Self::hangup_down(s, wq);
        }
    }

    /// `M_HANGUP` down to the driver (the line drops).
    fn hangup_down(s: &Arc<Stream>, wq: Qid) {
        if let Ok(m) = Mblk::hangup(GFP_ATOMIC) {
            s.putnext(wq, m);
        }
    }

    fn wput(&self, s: &Arc<Stream>, wq: Qid, m: Mblk) {
        match m.ty() {
            MsgType::Ioctl => self.ioctl(s, wq, m),
            MsgType::IocData if self.is_our_iocdata(&m) => self.iocdata(s, wq, m),
            MsgType::Ctl => match Ctl::of(&m) {
                Some(Ctl::Cflag(CFLAG_SET, c)) => self.cflag_set(s, wq, c),
                Some(Ctl::Query(CFLAG_QUERY)) => {
                    let c = self.st.lock().cflag;
                    if let Ok(m) = Ctl::Cflag(CFLAG_IS, c).msg(GFP_ATOMIC) {
                        s.qreply_from(wq, m);
                    }
                }
                _ => s.putnext(wq, m),
            },
            MsgType::Flush => s.module_flush(wq, m),
            _ => s.putnext(wq, m),
        }
    }

    fn rput(&self, s: &Arc<Stream>, rq: Qid, m: Mblk) {
        match m.ty() {
            MsgType::Ctl => match Ctl::of(&m) {
                // The master set a new size (the driver sends only
                // changes: its copy is the pair's).
                Some(Ctl::Winsz(WINSZ_SET, ws)) => {
                    self.st.lock().resize(ws);
                    Self::winch(s, rq);
                }
                Some(Ctl::Winsz(WINSZ_SYNC, ws)) => {
                    self.st.lock().resize(ws);
                }
                _ => s.putnext(rq, m),
            },
            MsgType::Flush => s.module_flush(rq, m),
            _ => s.putnext(rq, m),
        }
    }
}

impl Module for Ptem {
    fn close(&self, s: &Arc<Stream>, q: Qid) {
        // HUPCL: the line drops when the terminal's last close pops it
        // (not at an I_POP while it stays open).
        let hupcl = self.st.lock().cflag & HUPCL != 0;
        if hupcl && s.is_last_close() {
            Self::hangup_down(s, pair(q).1);
        }
    }

    fn put(&self, s: &Arc<Stream>, q: Qid, m: Mblk) {
        if q.is_read() {
            self.rput(s, q, m);
        } else {
            self.wput(s, q, m);
        }
    }
}

#[kernel::prelude::kunit_tests(strclone_ptem)]
mod tests {
    use super::*;

    #[test]
    fn cflag_is_kept_as_a_linux_pty_keeps_it() {
        // The default is a Linux pts slave's c_cflag.
        assert_eq!(DEFAULT_CFLAG, 0o277);
        assert_eq!(pty_cflag(DEFAULT_CFLAG), DEFAULT_CFLAG);
        // CS7|PARENB|CLOCAL (0o4000) at B9600: 8 bits, no parity, CREAD.
        let c = 0o15 | 0o40 | PARENB | 0o4000;
        assert_eq!(pty_cflag(c), 0o15 | CS8 | CREAD | 0o4000);
        assert!(!is_b0(DEFAULT_CFLAG));
        assert!(is_b0(pty_cflag(HUPCL)));
        assert_eq!(pty_cflag(DEFAULT_CFLAG | HUPCL), 0o2277);
        // B57600 (CBAUDEX | 1) is not B0.
        assert!(!is_b0(0o10001));
    }

    #[test]
    fn resize_reports_any_field_change() {
        let mut st = State::new();
        assert!(!st.resize(Winsize([0; 4])));
        assert!(st.resize(Winsize([24, 80, 0, 0])));
        assert!(!st.resize(Winsize([24, 80, 0, 0])));
        // The pixel fields count too (illumos compares ypixel with xpixel).
        assert!(st.resize(Winsize([24, 80, 0, 1])));
        assert!(st.resize(Winsize([24, 80, 1, 1])));
        assert!(st.resize(Winsize([65535, 65535, 65535, 65535])));
    }
}
