// SPDX-License-Identifier: GPL-2.0

//! `ttcompat`: the V7/4.3BSD `sgtty` ioctls as SVR4 has them, a module
//! pushed above `ldterm` that maps them onto Linux's termios
//! (`Documentation/strclone/terminals.rst`, "ttcompat").
//!
//! ```text
//!   stream head   TIOCGETP ...        ^ M_COPYIN / M_COPYOUT / the answer,
//!        | M_IOCTL, M_IOCDATA         |   as the caller's command
//!        v                            |
//!   ttcompat  write side: a get       read side: the answer of its TCGETS
//!     sends TCGETS down; a set        becomes the caller's answer (a get)
//!     copies its argument in, then    or is turned into TCSETS/TCSETSF and
//!     sends TCGETS down               sent back down (a set)
//!        v                            ^ M_IOCACK / M_IOCNAK
//!   ldterm        answers TCGETS, TCSETS*, TCFLSH, TCXONC
//! ```
//!
//! Each command reuses the caller's message throughout, with its id, so
//! the stream head matches whatever answer comes up as usual; ttcompat
//! only rewrites the command (`TCGETS` on the way down, the caller's on the
//! way up) and recognises its own exchange by the id. Every other message
//! and ioctl passes untouched. The mapping itself is pure ([`map`]).
//!
//! Locking: the state is under one spinlock; nothing is sent while it is
//! held.

pub(crate) mod map;

use crate::glue::cred;
use crate::modules::ldterm::termios::{Termios, TERMIOS_SIZE};
use crate::modules::MODULE_LIMITS;
use crate::streams::msg::{IocBlk, Mblk, MsgType};
use crate::streams::stream::{DriverLimits, ModEntry, Module, OpenHow, PutKind, Qid, Stream};
use crate::uapi::{
    TIOCFLUSH, TIOCGETC, TIOCGETP, TIOCGLTC, TIOCHPCL, TIOCLBIC, TIOCLBIS, TIOCLGET, TIOCLSET,
    TIOCSETC, TIOCSETN, TIOCSETP, TIOCSLTC, TIOCSTART, TIOCSTOP,
};
use core::sync::atomic::AtomicU32;
use kernel::{
    new_spinlock,
    prelude::*,
    sync::{Arc, SpinLock},
};
use map::{Change, Compat, LOCAL_SIZE, SGTTYB_SIZE, TCHARS_SIZE};

/// Its module switch entry.
pub(crate) static ENTRY: ModEntry = ModEntry {
    name: c"ttcompat",
    limits: DriverLimits {
        rlim: MODULE_LIMITS,
        wlim: MODULE_LIMITS,
        rsrv: false,
        wsrv: false,
    },
    put: PutKind::Own,
    new: || {
        let st = KBox::pin_init(
            new_spinlock!(State::default(), "Ttcompat::st"),
            GFP_KERNEL_ACCOUNT,
        )?;
        Ok(KBox::new(Ttcompat { st }, GFP_KERNEL_ACCOUNT)? as KBox<dyn Module>)
    },
    uses: AtomicU32::new(0),
};

// Linux's terminal ioctls (x86_64, asm-generic/ioctls.h): what ttcompat
// sends down to ldterm, and the four sgtty commands Linux still numbers.
const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const TCSETSF: u32 = 0x5404;
const TCXONC: u32 = 0x540a;
const TCFLSH: u32 = 0x540b;
const TIOCEXCL: u32 = 0x540c;
const TIOCNXCL: u32 = 0x540d;
const TIOCSETD: u32 = 0x5423;
const TIOCGETD: u32 = 0x5424;
/// `_IOR('T', 0x40, int)`: whether `TIOCEXCL` is on.
const TIOCGEXCL: u32 = 0x8004_5440;

/// `tcflow` arguments of `TIOCSTOP`/`TIOCSTART`.
const TCOOFF: i32 = 0;
const TCOON: i32 = 1;
/// `N_TTY`, the one line discipline (`TIOCGETD`/`TIOCSETD`).
const N_TTY: i32 = 0;

/// Where a command of ttcompat's is.
#[derive(Copy, Clone)]
enum Wait {
    /// Its argument is being copied in (`M_COPYIN` up).
    CopyIn,
    /// ttcompat's `TCGETS` is down, for a get command.
    Get,
    /// ttcompat's `TCGETS` is down, for a set command with this change.
    GetForSet(Change),
    /// ttcompat's own ioctl (`TCSETS`, `TCSETSF`, `TCFLSH`, `TCXONC`) is
    /// down; its answer is the caller's.
    Pass,
    /// The result is being copied out (`M_COPYOUT` up).
    CopyOut,
}

/// The command in progress (the stream head sends one ioctl at a time; a
/// new one replaces one it gave up).
#[derive(Copy, Clone)]
struct Pending {
    /// The caller's command.
    cmd: u32,
    /// Its id (also that of every message ttcompat sends for it).
    id: u32,
    /// The caller's argument of a transparent ioctl; `None` for `I_STR`.
    addr: Option<u64>,
    wait: Wait,
}

#[derive(Default)]
struct State {
    compat: Compat,
    pending: Option<Pending>,
    /// `TIOCEXCL`: reopens need `CAP_SYS_ADMIN`.
    excl: bool,
}

struct Ttcompat {
    st: Pin<KBox<SpinLock<State>>>,
}

fn is_ours(cmd: u32) -> bool {
    matches!(
        cmd,
        TIOCGETP
            | TIOCSETP
            | TIOCSETN
            | TIOCGETC
            | TIOCSETC
            | TIOCGLTC
            | TIOCSLTC
            | TIOCLGET
            | TIOCLSET
            | TIOCLBIS
            | TIOCLBIC
            | TIOCHPCL
            | TIOCFLUSH
            | TIOCSTOP
            | TIOCSTART
            | TIOCEXCL
            | TIOCNXCL
            | TIOCGEXCL
            | TIOCGETD
            | TIOCSETD
    )
}

/// Bytes a set command takes.
fn arg_size(cmd: u32) -> usize {
    match cmd {
        TIOCSETP | TIOCSETN => SGTTYB_SIZE,
        TIOCSETC | TIOCSLTC => TCHARS_SIZE,
        _ => LOCAL_SIZE,
    }
}

/// Rewrites `m` (an `M_IOCTL`, `M_IOCDATA` or `M_IOCACK` of the command
/// `id`) into an `M_IOCTL` of `cmd` carrying `data` (`I_STR` form), for
/// ttcompat to send down.
fn as_ioctl(m: &mut Mblk, cmd: u32, data: &[u8]) -> Result {
    let d = if data.is_empty() {
        None
    } else {
        Some(Mblk::with(MsgType::Data, data, GFP_ATOMIC)?)
    };
    let ioc = m.ioc();
    drop(m.take_cont());
    m.set_ty(MsgType::Ioctl);
    m.set_ioc(&IocBlk {
        cmd,
        id: ioc.id,
        count: data.len() as u32,
        error: 0,
        rval: 0,
        cr: ioc.cr,
    });
    if let Some(d) = d {
        m.link_cont(d);
    }
    Ok(())
}

/// Puts the caller's command `cmd` back into the ioctl block of `m`.
fn restore_cmd(m: &mut Mblk, cmd: u32) {
    let mut ioc = m.ioc();
    ioc.cmd = cmd;
    m.set_ioc(&ioc);
}

/// The termios an answer of ttcompat's `TCGETS` carries.
fn termios_of(m: &Mblk) -> Result<Termios> {
    let d = m.data_to_vec(GFP_ATOMIC)?;
    if d.len() != TERMIOS_SIZE {
        return Err(EPROTO);
    }
    Termios::decode(&d).ok_or(EPROTO)
}

impl Ttcompat {
    fn set_wait(&self, p: Pending, wait: Wait) {
        self.st.lock().pending = Some(Pending { wait, ..p });
    }

    /// Turns `m` into the answer of `p` with the result `bytes`: an
    /// `M_COPYOUT` to the caller's argument (transparent) or an `M_IOCACK`
    /// carrying them (`I_STR`). The caller sends it up.
    fn data_answer(&self, m: &mut Mblk, p: Pending, bytes: &[u8]) -> Result {
        let d = Mblk::with(MsgType::Data, bytes, GFP_ATOMIC)?;
        restore_cmd(m, p.cmd);
        match p.addr {
            Some(addr) => {
                m.set_ty(MsgType::Ioctl);
                self.set_wait(p, Wait::CopyOut);
                m.mcopyout(0, Some(addr), d)
            }
            None => {
                drop(m.take_cont());
                m.link_cont(d);
                m.ioc_answer(Ok(0));
                Ok(())
            }
        }
    }

    /// Sends `m`, the caller's message rewritten as ttcompat's `TCGETS`,
    /// down; its answer comes back to [`Self::answer_up`] as `wait`.
    fn get_settings(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk, p: Pending, wait: Wait) {
        match as_ioctl(&mut m, TCGETS, &[]) {
            Ok(()) => {
                self.set_wait(p, wait);
                s.putnext(wq, m);
            }
            Err(e) => {
                m.ioc_answer(Err(e));
                s.qreply_from(wq, m);
            }
        }
    }

    /// Sends `m` down as ttcompat's ioctl `cmd` with `data`; its answer
    /// goes up as the caller's. `up` is the queue an error answer leaves
    /// from (a write queue: `qreply`; a read queue: `putnext`).
    fn pass_down(&self, s: &Arc<Stream>, up: Qid, mut m: Mblk, p: Pending, cmd: u32, data: &[u8]) {
        match as_ioctl(&mut m, cmd, data) {
            Ok(()) => {
                self.set_wait(p, Wait::Pass);
                let wq = if up.is_read() { up.other() } else { up };
                s.putnext(wq, m);
            }
            Err(e) => {
                restore_cmd(&mut m, p.cmd);
                m.ioc_answer(Err(e));
                if up.is_read() {
                    s.putnext(up, m);
                } else {
                    s.qreply_from(up, m);
                }
            }
        }
    }

    /// A set command's argument `data` (copied in, or an `I_STR`'s data)
    /// in `m`.
    fn set_cmd(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk, p: Pending, data: &[u8]) {
        let change = match p.cmd {
            TIOCSETP | TIOCSETN => Change::sgttyb(data),
            TIOCSETC => Change::chars(data, false),
            TIOCSLTC => Change::chars(data, true),
            TIOCLSET => Change::int(data).map(Change::LocalSet),
            TIOCLBIS => Change::int(data).map(Change::LocalBis),
            TIOCLBIC => Change::int(data).map(Change::LocalBic),
            TIOCFLUSH => {
                match Change::int(data) {
                    Some(v) => {
                        let arg = map::flush_arg(v).to_ne_bytes();
                        self.pass_down(s, wq, m, p, TCFLSH, &arg);
                    }
                    None => {
                        m.ioc_answer(Err(EINVAL));
                        s.qreply_from(wq, m);
                    }
                }
                return;
            }
            // TIOCSETD: only N_TTY exists.
            _ => {
                let r = match Change::int(data) {
                    Some(v) if v as i32 == N_TTY => Ok(0),
                    _ => Err(EINVAL),
                };
                drop(m.take_cont());
                m.ioc_answer(r);
                s.qreply_from(wq, m);
                return;
            }
        };
        match change {
            Some(c) => self.get_settings(s, wq, m, p, Wait::GetForSet(c)),
            None => {
                m.ioc_answer(Err(EINVAL));
                s.qreply_from(wq, m);
            }
        }
    }

    /// An `M_IOCTL` on the write side.
    fn ioctl(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk) {
        let ioc = m.ioc();
        if !is_ours(ioc.cmd) {
            s.putnext(wq, m);
            return;
        }
        let addr = if ioc.is_transparent() {
            match m.transparent_arg() {
                Some(a) => Some(a),
                None => {
                    m.ioc_answer(Err(EINVAL));
                    s.qreply_from(wq, m);
                    return;
                }
            }
        } else {
            None
        };
        let p = Pending {
            cmd: ioc.cmd,
            id: ioc.id,
            addr,
            wait: Wait::Get,
        };
        match ioc.cmd {
            TIOCGETP | TIOCGETC | TIOCGLTC | TIOCLGET => self.get_settings(s, wq, m, p, Wait::Get),
            TIOCHPCL => self.get_settings(s, wq, m, p, Wait::GetForSet(Change::Hupcl)),
            TIOCSTOP | TIOCSTART => {
                let arg = if ioc.cmd == TIOCSTOP { TCOOFF } else { TCOON };
                self.pass_down(s, wq, m, p, TCXONC, &arg.to_ne_bytes());
            }
            TIOCEXCL | TIOCNXCL => {
                self.st.lock().excl = ioc.cmd == TIOCEXCL;
                drop(m.take_cont());
                m.ioc_answer(Ok(0));
                s.qreply_from(wq, m);
            }
            TIOCGEXCL | TIOCGETD => {
                let v = if ioc.cmd == TIOCGETD {
                    N_TTY
                } else {
                    i32::from(self.st.lock().excl)
                };
                if let Err(e) = self.data_answer(&mut m, p, &v.to_ne_bytes()) {
                    self.st.lock().pending = None;
                    m.set_ty(MsgType::Ioctl);
                    m.ioc_answer(Err(e));
                }
                s.qreply_from(wq, m);
            }
            _ => {
                if addr.is_some() {
                    self.set_wait(p, Wait::CopyIn);
                    if let Err(e) = m.mcopyin(0, arg_size(ioc.cmd) as u32, addr) {
                        self.st.lock().pending = None;
                        m.ioc_answer(Err(e));
                    }
                    s.qreply_from(wq, m);
                } else {
                    match m.data_to_vec(GFP_ATOMIC) {
                        Ok(d) => self.set_cmd(s, wq, m, p, &d),
                        Err(e) => {
                            m.ioc_answer(Err(e));
                            s.qreply_from(wq, m);
                        }
                    }
                }
            }
        }
    }

    /// Takes the pending command if `id` is its id and it waits as `want`
    /// says.
    fn take_pending(&self, id: u32, want: impl Fn(&Wait) -> bool) -> Option<Pending> {
        let mut st = self.st.lock();
        let hit = matches!(st.pending, Some(p) if id != 0 && p.id == id && want(&p.wait));
        if hit {
            st.pending.take()
        } else {
            None
        }
    }

    /// An `M_IOCDATA` on the write side.
    fn iocdata(&self, s: &Arc<Stream>, wq: Qid, mut m: Mblk) {
        let r = m.copyresp();
        let p = if is_ours(r.cmd) {
            self.take_pending(r.id, |w| matches!(w, Wait::CopyIn | Wait::CopyOut))
        } else {
            None
        };
        let Some(p) = p else {
            s.putnext(wq, m);
            return;
        };
        if r.rval != 0 {
            // The copy failed: the caller has its error; nothing answers.
            return;
        }
        if let Wait::CopyOut = p.wait {
            m.ioc_answer(Ok(0));
            s.qreply_from(wq, m);
            return;
        }
        match m.data_to_vec(GFP_ATOMIC) {
            Ok(d) => self.set_cmd(s, wq, m, p, &d),
            Err(e) => {
                m.ioc_answer(Err(e));
                s.qreply_from(wq, m);
            }
        }
    }

    /// An `M_IOCACK` or `M_IOCNAK` on the read side: ttcompat's own
    /// exchange continues; any other answer passes up.
    fn answer_up(&self, s: &Arc<Stream>, rq: Qid, mut m: Mblk) {
        let ioc = m.ioc();
        let Some(p) = self.take_pending(ioc.id, |w| {
            matches!(w, Wait::Get | Wait::GetForSet(_) | Wait::Pass)
        }) else {
            s.putnext(rq, m);
            return;
        };
        if m.ty() == MsgType::IocNak {
            let mut i = ioc;
            i.cmd = p.cmd;
            // Nobody below knew TCGETS: there is no terminal (ldterm)
            // below; a plain ioctl says so as Linux does for a non-tty.
            let unknown = [0, -EINVAL.to_errno(), -ENOTTY.to_errno()].contains(&i.error);
            if unknown && !matches!(p.wait, Wait::Pass) {
                let e = if p.addr.is_some() { ENOTTY } else { EINVAL };
                i.error = -e.to_errno();
            }
            m.set_ioc(&i);
            s.putnext(rq, m);
            return;
        }
        let r = match p.wait {
            Wait::Pass => {
                drop(m.take_cont());
                restore_cmd(&mut m, p.cmd);
                m.ioc_answer(Ok(0));
                Ok(())
            }
            Wait::GetForSet(c) => match termios_of(&m) {
                Ok(t) => {
                    let n = self.st.lock().compat.change(&t, &c);
                    let cmd = if p.cmd == TIOCSETP { TCSETSF } else { TCSETS };
                    self.pass_down(s, rq, m, p, cmd, &n.encode());
                    return;
                }
                Err(e) => Err(e),
            },
            _ => match termios_of(&m) {
                Ok(t) => {
                    let mut out = [0u8; SGTTYB_SIZE];
                    let n = {
                        let mut st = self.st.lock();
                        let c = &mut st.compat;
                        match p.cmd {
                            TIOCGETP => {
                                out = c.get_sgttyb(&t);
                                SGTTYB_SIZE
                            }
                            TIOCGETC | TIOCGLTC => {
                                let b = c.get_chars(&t, p.cmd == TIOCGLTC);
                                out[..TCHARS_SIZE].copy_from_slice(&b);
                                TCHARS_SIZE
                            }
                            _ => {
                                out[..LOCAL_SIZE].copy_from_slice(&c.get_local(&t));
                                LOCAL_SIZE
                            }
                        }
                    };
                    self.data_answer(&mut m, p, &out[..n])
                }
                Err(e) => Err(e),
            },
        };
        if let Err(e) = r {
            self.st.lock().pending = None;
            restore_cmd(&mut m, p.cmd);
            m.set_ty(MsgType::IocAck);
            m.ioc_answer(Err(e));
        }
        s.putnext(rq, m);
    }
}

impl Module for Ttcompat {
    fn open(&self, _s: &Arc<Stream>, _q: Qid, how: OpenHow) -> Result {
        // As Linux's TIOCEXCL: further opens need CAP_SYS_ADMIN.
        let excl = self.st.lock().excl;
        if how == OpenHow::Reopen && excl && !cred::capable_sys_admin_audited() {
            return Err(EBUSY);
        }
        Ok(())
    }

    fn put(&self, s: &Arc<Stream>, q: Qid, m: Mblk) {
        match m.ty() {
            MsgType::Flush => s.module_flush(q, m),
            MsgType::IocAck | MsgType::IocNak if q.is_read() => self.answer_up(s, q, m),
            MsgType::Ioctl if !q.is_read() => self.ioctl(s, q, m),
            MsgType::IocData if !q.is_read() => self.iocdata(s, q, m),
            _ => s.putnext(q, m),
        }
    }
}
