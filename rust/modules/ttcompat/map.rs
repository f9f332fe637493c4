// SPDX-License-Identifier: GPL-2.0

//! The pure part of `ttcompat`: the V7/4.3BSD terminal state (`struct
//! sgttyb`, `struct tchars`, `struct ltchars` and the local mode word, as
//! SVR4's `<sys/ttold.h>` has them) and its mapping to and from Linux's
//! termios, with SVR4 `ttcompat`'s rules. No messages; tested by KUnit.
//!
//! The state ([`Compat`]) lives in the module instance, as SVR4 keeps it:
//! every command first reads the terminal's termios into it
//! ([`Compat::load`]), a set command changes it, and the termios to
//! set is rebuilt from it ([`Compat::store`]). A few bits that
//! termios cannot tell apart (parity and literal-output choices while in
//! `RAW` mode, `NOISIG`, `NOPOST`) are remembered from one command to the
//! next.

use crate::modules::ldterm::termios::{
    Termios, B38400, BOTHER, CBAUD, CIBAUD, CREAD, CS8, ECHO, ECHOCTL, ECHOE, ECHOK, ECHOKE, HUPCL,
    ICANON, ICRNL, IEXTEN, IGNCR, INLCR, ISIG, ISTRIP, IXANY, IXON, NOFLSH, ONLCR, ONLRET, ONOCR,
    OPOST, TAB3, TABDLY, VEOF, VEOL, VEOL2, VERASE, VINTR, VKILL, VLNEXT, VMIN, VQUIT, VREPRINT,
    VSTART, VSTOP, VSUSP, VWERASE,
};

// Linux termios bits `ldterm::termios` does not name (asm-generic/termbits.h).
const BRKINT: u32 = 0o2;
const IGNPAR: u32 = 0o4;
const PARMRK: u32 = 0o10;
const INPCK: u32 = 0o20;
const IUCLC: u32 = 0o1000;
const IXOFF: u32 = 0o10000;
const IMAXBEL: u32 = 0o20000;
const IUTF8: u32 = 0o40000;
const OLCUC: u32 = 0o2;
const NL1: u32 = 0o400;
const CRDLY: u32 = 0o3000;
const CR1: u32 = 0o1000;
const CR2: u32 = 0o2000;
const CR3: u32 = 0o3000;
const TAB1: u32 = 0o4000;
const TAB2: u32 = 0o10000;
const BSDLY: u32 = 0o20000;
const FFDLY: u32 = 0o100000;
const CSIZE: u32 = 0o60;
const CS7: u32 = 0o40;
const CSTOPB: u32 = 0o100;
const PARENB: u32 = 0o400;
const PARODD: u32 = 0o1000;
const CLOCAL: u32 = 0o4000;
const CMSPAR: u32 = 0o10000000000;
const CRTSCTS: u32 = 0o20000000000;
const XCASE: u32 = 0o4;
const TOSTOP: u32 = 0o400;
const ECHOPRT: u32 = 0o2000;
const FLUSHO: u32 = 0o10000;
const PENDIN: u32 = 0o40000;
const VTIME: usize = 5;
const VDISCARD: usize = 13;
const IBSHIFT: u32 = 16;
/// `B110`: one of the two speeds SVR4 gives two stop bits.
const B110: u32 = 3;

// sg_flags and the local mode word (`O_*` of the uapi header).
pub(crate) const O_TANDEM: u32 = 0x0000_0001;
pub(crate) const O_CBREAK: u32 = 0x0000_0002;
pub(crate) const O_LCASE: u32 = 0x0000_0004;
pub(crate) const O_ECHO: u32 = 0x0000_0008;
pub(crate) const O_CRMOD: u32 = 0x0000_0010;
pub(crate) const O_RAW: u32 = 0x0000_0020;
pub(crate) const O_ODDP: u32 = 0x0000_0040;
pub(crate) const O_EVENP: u32 = 0x0000_0080;
pub(crate) const O_NLDELAY: u32 = 0x0000_0300;
pub(crate) const O_NL1: u32 = 0x0000_0100;
pub(crate) const O_NL2: u32 = 0x0000_0200;
pub(crate) const O_TBDELAY: u32 = 0x0000_0c00;
pub(crate) const O_TAB1: u32 = 0x0000_0400;
pub(crate) const O_TAB2: u32 = 0x0000_0800;
pub(crate) const O_XTABS: u32 = 0x0000_0c00;
pub(crate) const O_CRDELAY: u32 = 0x0000_3000;
pub(crate) const O_CR1: u32 = 0x0000_1000;
pub(crate) const O_CR2: u32 = 0x0000_2000;
pub(crate) const O_VTDELAY: u32 = 0x0000_4000;
pub(crate) const O_BSDELAY: u32 = 0x0000_8000;
pub(crate) const O_CRTBS: u32 = 0x0001_0000;
pub(crate) const O_PRTERA: u32 = 0x0002_0000;
pub(crate) const O_CRTERA: u32 = 0x0004_0000;
pub(crate) const O_LITOUT: u32 = 0x0020_0000;
pub(crate) const O_TOSTOP: u32 = 0x0040_0000;
pub(crate) const O_FLUSHO: u32 = 0x0080_0000;
pub(crate) const O_NOHANG: u32 = 0x0100_0000;
pub(crate) const O_CRTKIL: u32 = 0x0400_0000;
pub(crate) const O_PASS8: u32 = 0x0800_0000;
pub(crate) const O_CTLECH: u32 = 0x1000_0000;
pub(crate) const O_PENDIN: u32 = 0x2000_0000;
pub(crate) const O_DECCTQ: u32 = 0x4000_0000;
pub(crate) const O_NOFLSH: u32 = 0x8000_0000;

// Remembered state termios cannot show (SVR4's `t_xflags`).
const NOPOST: u32 = 0x1;
const NOISIG: u32 = 0x2;
const STOPB: u32 = 0x4;

/// Bytes of `struct sgttyb`.
pub(crate) const SGTTYB_SIZE: usize = 8;
/// Bytes of `struct tchars` and of `struct ltchars`.
pub(crate) const TCHARS_SIZE: usize = 6;
/// Bytes of the local mode word (an `int`).
pub(crate) const LOCAL_SIZE: usize = 4;

/// The character sgtty uses for "disabled" (termios uses 0).
const OFF: u8 = 0o377;

// `struct tchars` and `struct ltchars`, as byte indices.
const T_INTRC: usize = 0;
const T_QUITC: usize = 1;
const T_STARTC: usize = 2;
const T_STOPC: usize = 3;
const T_EOFC: usize = 4;
const T_BRKC: usize = 5;
const T_SUSPC: usize = 0;
// 1: t_dsuspc, which Linux does not have.
const T_RPRNTC: usize = 2;
const T_FLUSHC: usize = 3;
const T_WERASC: usize = 4;
const T_LNEXTC: usize = 5;

/// A termios control character as sgtty shows it.
fn to_char(c: u8) -> u8 {
    if c == 0 {
        OFF
    } else {
        c
    }
}

/// An sgtty character as termios takes it.
fn from_char(c: u8) -> u8 {
    if c == OFF {
        0
    } else {
        c
    }
}

fn ne_u32(b: &[u8]) -> Option<u32> {
    let w: [u8; 4] = b.get(..4)?.try_into().ok()?;
    Some(u32::from_ne_bytes(w))
}

/// What a set command changes, decoded (and checked) from its argument
/// before the current settings are asked for.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Change {
    /// `TIOCSETP`/`TIOCSETN`: `struct sgttyb`.
    Sgttyb {
        ispeed: u8,
        ospeed: u8,
        erase: u8,
        kill: u8,
        flags: u32,
    },
    /// `TIOCSETC`: `struct tchars`.
    Tchars([u8; TCHARS_SIZE]),
    /// `TIOCSLTC`: `struct ltchars`.
    Ltchars([u8; TCHARS_SIZE]),
    /// `TIOCLSET`: the whole local mode word.
    LocalSet(u32),
    /// `TIOCLBIS`: these local mode bits on.
    LocalBis(u32),
    /// `TIOCLBIC`: these local mode bits off.
    LocalBic(u32),
    /// `TIOCHPCL`: `HUPCL` on.
    Hupcl,
}

impl Change {
    /// A `struct sgttyb`; `None` if `b` is not one or a speed is not one of
    /// the codes `B0`..`B38400` (0 to 15).
    pub(crate) fn sgttyb(b: &[u8]) -> Option<Self> {
        if b.len() != SGTTYB_SIZE || b[0] > 15 || b[1] > 15 {
            return None;
        }
        Some(Self::Sgttyb {
            ispeed: b[0],
            ospeed: b[1],
            erase: b[2],
            kill: b[3],
            flags: ne_u32(&b[4..])?,
        })
    }

    /// A `struct tchars` (`ltc` false) or `struct ltchars`; `None` if `b`
    /// is not one.
    pub(crate) fn chars(b: &[u8], ltc: bool) -> Option<Self> {
        let c: [u8; TCHARS_SIZE] = b.try_into().ok()?;
        Some(if ltc {
            Self::Ltchars(c)
        } else {
            Self::Tchars(c)
        })
    }

    /// The `int` of a local mode command; `None` if `b` is not one.
    pub(crate) fn int(b: &[u8]) -> Option<u32> {
        if b.len() != LOCAL_SIZE {
            return None;
        }
        ne_u32(b)
    }
}

/// The V7/4.3BSD view of the terminal (SVR4's `compat_state_t`).
#[derive(Copy, Clone, Default, PartialEq, Eq, Debug)]
pub(crate) struct Compat {
    /// `sg_flags` in the low half, the local mode word in the high half.
    pub(crate) flags: u32,
    xflags: u32,
    /// Linux `CBAUD` codes (extended ones above `B38400` included).
    ispeed: u32,
    ospeed: u32,
    erase: u8,
    kill: u8,
    tc: [u8; TCHARS_SIZE],
    ltc: [u8; TCHARS_SIZE],
}

impl Compat {
    /// Reads the termios `t` into the state.
    pub(crate) fn load(&mut self, t: &Termios) {
        self.xflags &= NOISIG | NOPOST;
        // A speed only termios2 can give (BOTHER) reads as B38400, the
        // highest sgtty has.
        let code = |c: u32| if c == BOTHER { B38400 } else { c };
        self.ospeed = code(t.cflag & CBAUD);
        self.ispeed = match (t.cflag & CIBAUD) >> IBSHIFT {
            0 => self.ospeed,
            c => code(c),
        };
        if t.cflag & CSTOPB != 0 && self.ispeed != B110 {
            self.xflags |= STOPB;
        }
        let cc = &t.cc;
        self.erase = to_char(cc[VERASE]);
        self.kill = to_char(cc[VKILL]);
        self.tc = [
            to_char(cc[VINTR]),
            to_char(cc[VQUIT]),
            to_char(cc[VSTART]),
            to_char(cc[VSTOP]),
            to_char(cc[VEOF]),
            to_char(cc[VEOL]),
        ];
        // Linux has no delayed suspend character.
        self.ltc = [
            to_char(cc[VSUSP]),
            OFF,
            to_char(cc[VREPRINT]),
            to_char(cc[VDISCARD]),
            to_char(cc[VWERASE]),
            to_char(cc[VLNEXT]),
        ];
        let (i, o, c, l) = (t.iflag, t.oflag, t.cflag, t.lflag);
        self.flags &= O_CTLECH | O_LITOUT | O_PASS8 | O_ODDP | O_EVENP;
        if i & IXOFF != 0 {
            self.flags |= O_TANDEM;
        }
        // SVR4 also asks for IMAXBEL and IGNPAR off; Linux's cfmakeraw
        // leaves them, and neither changes what a pty delivers.
        let raw_i = BRKINT | PARMRK | INPCK | ISTRIP | INLCR | IGNCR | ICRNL;
        if i & (raw_i | IUCLC | IXON) == 0
            && o & OPOST == 0
            && c & (CSIZE | PARENB) == CS8
            && l & (ISIG | ICANON | XCASE | IEXTEN) == 0
        {
            self.flags |= O_RAW;
        } else {
            if i & IXON == 0 {
                self.tc[T_STARTC] = OFF;
                self.tc[T_STOPC] = OFF;
            }
            if c & (CSIZE | PARENB) == CS8 && o & OPOST == 0 {
                self.flags |= O_LITOUT;
            } else {
                self.flags &= !O_LITOUT;
                if c & (CSIZE | PARENB) == CS8 {
                    if i & ISTRIP == 0 {
                        self.flags |= O_PASS8;
                    }
                } else {
                    self.flags &= !(O_ODDP | O_EVENP | O_PASS8);
                    if c & PARODD != 0 {
                        self.flags |= O_ODDP;
                    } else if i & INPCK != 0 {
                        self.flags |= O_EVENP;
                    } else {
                        self.flags |= O_ODDP | O_EVENP;
                    }
                }
                if o & OPOST == 0 {
                    self.xflags |= NOPOST;
                } else {
                    self.xflags &= !NOPOST;
                }
            }
            if l & ISIG == 0 {
                self.xflags |= NOISIG;
            } else {
                self.xflags &= !NOISIG;
            }
            if l & ICANON == 0 {
                self.flags |= O_CBREAK;
            }
            if l & ECHOCTL != 0 {
                self.flags |= O_CTLECH;
            } else {
                self.flags &= !O_CTLECH;
            }
        }
        if o & OLCUC != 0 {
            self.flags |= O_LCASE;
        }
        if l & ECHO != 0 {
            self.flags |= O_ECHO;
        }
        if o & ONLCR != 0 {
            self.flags |= O_CRMOD;
            match o & CRDLY {
                CR2 => self.flags |= O_CR1,
                CR3 => self.flags |= O_CR2,
                _ => {}
            }
        } else if o & CR1 != 0 && o & ONLRET != 0 {
            self.flags |= O_NL1;
        }
        if o & ONLRET != 0 && o & NL1 != 0 {
            self.flags |= O_NL2;
        }
        match o & TABDLY {
            TAB1 => self.flags |= O_TAB1,
            TAB2 => self.flags |= O_TAB2,
            TAB3 => self.flags |= O_XTABS,
            _ => {}
        }
        let bits = [
            (o & FFDLY != 0, O_VTDELAY),
            (o & BSDLY != 0, O_BSDELAY),
            (l & ECHOPRT != 0, O_PRTERA),
            (l & ECHOE != 0, O_CRTERA | O_CRTBS),
            (l & TOSTOP != 0, O_TOSTOP),
            (l & FLUSHO != 0, O_FLUSHO),
            (c & CLOCAL != 0, O_NOHANG),
            (l & ECHOKE != 0, O_CRTKIL),
            (l & PENDIN != 0, O_PENDIN),
            (i & IXANY == 0, O_DECCTQ),
            (l & NOFLSH != 0, O_NOFLSH),
        ];
        for (on, bit) in bits {
            if on {
                self.flags |= bit;
            }
        }
    }

    /// Rebuilds the termios `t` (the current settings) from the state:
    /// every flag sgtty has a say in is set from it; `c_line`, `IUTF8`,
    /// `ONLRET`, `ONOCR`, `HUPCL`, `CRTSCTS` and `CMSPAR` are kept.
    pub(crate) fn store(&self, t: &mut Termios) {
        let f = self.flags;
        t.iflag &= IUTF8;
        t.oflag &= ONLRET | ONOCR;
        t.cflag = (t.cflag & (CRTSCTS | CMSPAR | HUPCL)) | CREAD | (self.ospeed & CBAUD);
        if self.ispeed != self.ospeed {
            t.cflag |= (self.ispeed & CBAUD) << IBSHIFT;
        }
        if self.ispeed == B110 || self.xflags & STOPB != 0 {
            t.cflag |= CSTOPB;
        }
        t.lflag = ECHOK;
        let cc = &mut t.cc;
        cc[VERASE] = from_char(self.erase);
        cc[VKILL] = from_char(self.kill);
        cc[VINTR] = from_char(self.tc[T_INTRC]);
        cc[VQUIT] = from_char(self.tc[T_QUITC]);
        cc[VSTART] = from_char(self.tc[T_STARTC]);
        cc[VSTOP] = from_char(self.tc[T_STOPC]);
        cc[VEOF] = from_char(self.tc[T_EOFC]);
        cc[VEOL] = from_char(self.tc[T_BRKC]);
        cc[VEOL2] = 0;
        cc[VSUSP] = from_char(self.ltc[T_SUSPC]);
        cc[VREPRINT] = from_char(self.ltc[T_RPRNTC]);
        cc[VDISCARD] = from_char(self.ltc[T_FLUSHC]);
        cc[VWERASE] = from_char(self.ltc[T_WERASC]);
        cc[VLNEXT] = from_char(self.ltc[T_LNEXTC]);
        if f & O_TANDEM != 0 {
            t.iflag |= IXOFF;
        }
        if f & O_LCASE != 0 {
            t.iflag |= IUCLC;
            t.oflag |= OLCUC;
            t.lflag |= XCASE;
        }
        if f & O_ECHO != 0 {
            t.lflag |= ECHO;
        }
        if f & O_CRMOD != 0 {
            t.iflag |= ICRNL;
            t.oflag |= ONLCR;
            match f & O_CRDELAY {
                O_CR1 => t.oflag |= CR2,
                O_CR2 => t.oflag |= CR3,
                _ => {}
            }
        } else if f & O_NLDELAY == O_NL1 {
            t.oflag |= ONLRET | CR1;
        }
        if f & O_NLDELAY == O_NL2 {
            t.oflag |= NL1;
        }
        if f & O_RAW != 0 {
            t.cflag |= CS8;
            t.iflag &= !(ICRNL | IUCLC);
            t.lflag &= !(XCASE | IEXTEN);
        } else {
            t.iflag |= IMAXBEL | BRKINT | IGNPAR;
            if t.cc[VSTOP] != 0 && t.cc[VSTART] != 0 {
                t.iflag |= IXON;
            }
            if f & (O_LITOUT | O_PASS8) != 0 {
                t.cflag |= CS8;
                if f & O_LITOUT == 0 && self.xflags & NOPOST == 0 {
                    t.oflag |= OPOST;
                }
            } else {
                match f & (O_EVENP | O_ODDP) {
                    0 => {
                        t.iflag |= ISTRIP;
                        t.cflag |= CS8;
                    }
                    O_EVENP => {
                        t.iflag |= INPCK | ISTRIP;
                        t.cflag |= CS7 | PARENB;
                    }
                    O_ODDP => {
                        t.iflag |= INPCK | ISTRIP;
                        t.cflag |= CS7 | PARENB | PARODD;
                    }
                    _ => {
                        t.iflag |= ISTRIP;
                        t.cflag |= CS7 | PARENB;
                    }
                }
                if self.xflags & NOPOST == 0 {
                    t.oflag |= OPOST;
                }
            }
            t.lflag |= IEXTEN;
            if self.xflags & NOISIG == 0 {
                t.lflag |= ISIG;
            }
            if f & O_CBREAK == 0 {
                t.lflag |= ICANON;
            }
            if f & O_CTLECH != 0 {
                t.lflag |= ECHOCTL;
            }
        }
        match f & O_TBDELAY {
            O_TAB1 => t.oflag |= TAB1,
            O_TAB2 => t.oflag |= TAB2,
            O_XTABS => t.oflag |= TAB3,
            _ => {}
        }
        if f & O_VTDELAY != 0 {
            t.oflag |= FFDLY;
        }
        if f & O_BSDELAY != 0 {
            t.oflag |= BSDLY;
        }
        if f & O_NOHANG != 0 {
            t.cflag |= CLOCAL;
        }
        let lbits = [
            (O_PRTERA, ECHOPRT),
            (O_CRTERA, ECHOE),
            (O_TOSTOP, TOSTOP),
            (O_FLUSHO, FLUSHO),
            (O_CRTKIL, ECHOKE),
            (O_PENDIN, PENDIN),
            (O_NOFLSH, NOFLSH),
        ];
        for (bit, flag) in lbits {
            if f & bit != 0 {
                t.lflag |= flag;
            }
        }
        if f & O_DECCTQ == 0 {
            t.iflag |= IXANY;
        }
        if t.lflag & ICANON == 0 {
            // Half-cooked and raw mode: a read returns as soon as a byte
            // is there.
            t.cc[VMIN] = 1;
            t.cc[VTIME] = 0;
        }
    }

    /// `TIOCGETP`'s `struct sgttyb` for the termios `t`. A speed above
    /// `B38400` (which sgtty cannot name) reads as `B38400`.
    pub(crate) fn get_sgttyb(&mut self, t: &Termios) -> [u8; SGTTYB_SIZE] {
        self.load(t);
        let sp = |c: u32| if c > B38400 { B38400 as u8 } else { c as u8 };
        let mut b = [0u8; SGTTYB_SIZE];
        b[0] = sp(self.ispeed);
        b[1] = sp(self.ospeed);
        b[2] = self.erase;
        b[3] = self.kill;
        b[4..].copy_from_slice(&self.flags.to_ne_bytes());
        b
    }

    /// `TIOCGETC`'s `struct tchars` (`ltc` false) or `TIOCGLTC`'s `struct
    /// ltchars` for the termios `t`.
    pub(crate) fn get_chars(&mut self, t: &Termios, ltc: bool) -> [u8; TCHARS_SIZE] {
        self.load(t);
        if ltc {
            self.ltc
        } else {
            self.tc
        }
    }

    /// `TIOCLGET`'s local mode word for the termios `t`.
    pub(crate) fn get_local(&mut self, t: &Termios) -> [u8; LOCAL_SIZE] {
        self.load(t);
        (self.flags >> 16).to_ne_bytes()
    }

    /// The termios that the current settings `t` become with `c`.
    pub(crate) fn change(&mut self, t: &Termios, c: &Change) -> Termios {
        let mut n = *t;
        if *c == Change::Hupcl {
            n.cflag |= HUPCL;
            return n;
        }
        self.load(t);
        match *c {
            Change::Sgttyb {
                ispeed,
                ospeed,
                erase,
                kill,
                flags,
            } => {
                self.erase = erase;
                self.kill = kill;
                // B38400 asked while the terminal runs faster (what
                // TIOCGETP showed) keeps the faster speed, as SVR4.
                let (is, os) = (u32::from(ispeed), u32::from(ospeed));
                if is != B38400 || self.ispeed <= B38400 {
                    self.ispeed = is;
                }
                if os != B38400 || self.ospeed <= B38400 {
                    self.ospeed = os;
                }
                self.flags = (self.flags & 0xffff_0000) | (flags & 0xffff);
            }
            Change::Tchars(tc) => self.tc = tc,
            Change::Ltchars(ltc) => self.ltc = ltc,
            Change::LocalSet(w) => self.flags = (self.flags & 0xffff) | (w << 16),
            Change::LocalBis(w) => self.flags |= w << 16,
            Change::LocalBic(w) => self.flags &= !(w << 16),
            Change::Hupcl => {}
        }
        self.store(&mut n);
        n
    }
}

/// `tcflush`'s argument for `TIOCFLUSH`'s `FREAD` (1) / `FWRITE` (2)
/// bits: `TCIFLUSH` (0), `TCOFLUSH` (1), `TCIOFLUSH` (2) for both or none.
pub(crate) fn flush_arg(bits: u32) -> i32 {
    match bits & 3 {
        1 => 0,
        2 => 1,
        _ => 2,
    }
}

#[kernel::prelude::kunit_tests(strclone_ttcompat_map)]
mod tests {
    use super::*;

    fn sg(c: &mut Compat, t: &Termios) -> (u8, u8, u8, u8, u32) {
        let b = c.get_sgttyb(t);
        (b[0], b[1], b[2], b[3], ne_u32(&b[4..]).unwrap())
    }

    #[test]
    fn linux_defaults_read_as_cooked() {
        let t = Termios::linux_default();
        let mut c = Compat::default();
        let (is, os, er, kl, f) = sg(&mut c, &t);
        assert_eq!((is, os, er, kl), (15, 15, 0x7f, 0x15));
        assert!(f & O_ECHO != 0 && f & O_CRMOD != 0);
        assert_eq!(f & (O_RAW | O_CBREAK | O_TANDEM | O_LCASE), 0);
        // ECHOE, ECHOKE, ECHOCTL; 8-bit, no IXANY.
        assert_eq!(
            f >> 16,
            (O_CRTBS | O_CRTERA | O_CRTKIL | O_CTLECH | O_PASS8 | O_DECCTQ) >> 16
        );
        assert_eq!(c.get_chars(&t, false), [3, 0x1c, 0x11, 0x13, 4, OFF]);
        assert_eq!(c.get_chars(&t, true), [0x1a, OFF, 0x12, 0x0f, 0x17, 0x16]);
        assert_eq!(
            c.get_local(&t),
            ((O_CRTBS | O_CRTERA | O_CRTKIL | O_CTLECH | O_PASS8 | O_DECCTQ) >> 16).to_ne_bytes()
        );
    }

    #[test]
    fn setting_what_was_read_keeps_the_modes() {
        let t = Termios::linux_default();
        let mut c = Compat::default();
        let b = c.get_sgttyb(&t);
        let n = c.change(&t, &Change::sgttyb(&b).unwrap());
        // The flags a terminal program cares about are unchanged.
        let i = ICRNL | IXON | ISTRIP | INLCR | IGNCR | IXANY | IXOFF;
        assert_eq!(n.iflag & i, t.iflag & i);
        assert_eq!(n.oflag, t.oflag);
        assert_eq!(n.cflag & !HUPCL, t.cflag & !HUPCL);
        assert_eq!(n.lflag, t.lflag);
        assert_eq!(n.cc, t.cc);
        // What sgtty adds: V7's BRKINT, IGNPAR and IMAXBEL.
        assert_eq!(n.iflag & !t.iflag, BRKINT | IGNPAR | IMAXBEL);
    }

    #[test]
    fn sgttyb_modes() {
        let t = Termios::linux_default();
        let mut c = Compat::default();
        let b = c.get_sgttyb(&t);
        let with = |f: u32| {
            let mut x = b;
            x[4..].copy_from_slice(&f.to_ne_bytes());
            Change::sgttyb(&x).unwrap()
        };
        let f = ne_u32(&b[4..]).unwrap();
        // CBREAK: no ICANON, one byte at a time; signals and echo stay.
        let n = c.change(&t, &with(f | O_CBREAK));
        assert_eq!(n.lflag & (ICANON | ISIG | ECHO), ISIG | ECHO);
        assert_eq!((n.cc[VMIN], n.cc[VTIME]), (1, 0));
        // RAW: what cfmakeraw does (ECHO is a flag of its own).
        let n = c.change(&t, &with(f | O_RAW));
        assert_eq!(n.lflag & (ICANON | ISIG | IEXTEN), 0);
        assert_eq!(n.iflag & (ICRNL | IXON | ISTRIP | BRKINT), 0);
        assert_eq!(n.oflag & OPOST, 0);
        assert_eq!(n.cflag & (CSIZE | PARENB), CS8);
        assert_eq!(u32::from(c.get_sgttyb(&n)[4]) & O_RAW, O_RAW);
        // What Linux's cfmakeraw leaves of the cooked settings reads as
        // RAW too (IMAXBEL and IGNPAR stay on).
        let mut r = c.change(&t, &with(f));
        r.iflag &= !(BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        r.oflag &= !OPOST;
        r.lflag &= !(ECHO | ICANON | ISIG | IEXTEN);
        r.cflag = (r.cflag & !(CSIZE | PARENB)) | CS8;
        assert_eq!(r.iflag & (IMAXBEL | IGNPAR), IMAXBEL | IGNPAR);
        assert_eq!(u32::from(c.get_sgttyb(&r)[4]) & O_RAW, O_RAW);
        // ~ECHO, ~CRMOD.
        let n = c.change(&t, &with(f & !(O_ECHO | O_CRMOD)));
        assert_eq!(n.lflag & ECHO, 0);
        assert_eq!((n.iflag & ICRNL, n.oflag & ONLCR), (0, 0));
        assert_eq!(n.oflag & OPOST, OPOST);
        // XTABS, TANDEM, LCASE.
        let n = c.change(&t, &with(f | O_XTABS | O_TANDEM | O_LCASE));
        assert_eq!(n.oflag & TABDLY, TAB3);
        assert_eq!(n.iflag & (IXOFF | IUCLC), IXOFF | IUCLC);
        assert_eq!((n.oflag & OLCUC, n.lflag & XCASE), (OLCUC, XCASE));
        // TIOCSETP sets the low half only: PASS8 (high half) stays, so
        // even parity keeps 8 bits.
        let n = c.change(&t, &with(f | O_EVENP));
        assert_eq!(n.cflag & (CSIZE | PARENB), CS8);
    }

    #[test]
    fn parity_and_literal_output() {
        let t = Termios::linux_default();
        let mut c = Compat::default();
        let lw = u32::from_ne_bytes(c.get_local(&t));
        let n = c.change(&t, &Change::LocalSet(lw & !(O_PASS8 >> 16)));
        assert_eq!(n.iflag & ISTRIP, ISTRIP);
        assert_eq!(n.cflag & CSIZE, CS8);
        let n = c.change(&n, &Change::LocalBis(O_LITOUT >> 16));
        assert_eq!(n.oflag & OPOST, 0);
        assert_eq!(
            u32::from_ne_bytes(c.get_local(&n)) & (O_LITOUT >> 16),
            O_LITOUT >> 16
        );
        let n = c.change(&n, &Change::LocalBic(O_LITOUT >> 16));
        assert_eq!(n.oflag & OPOST, OPOST);
        let mut p = t;
        p.cflag = (p.cflag & !CSIZE) | CS7 | PARENB | PARODD;
        let b = c.get_sgttyb(&p);
        assert_eq!(ne_u32(&b[4..]).unwrap() & (O_ODDP | O_EVENP), O_ODDP);
    }

    #[test]
    fn characters() {
        let t = Termios::linux_default();
        let mut c = Compat::default();
        let n = c.change(&t, &Change::chars(&[1, 2, OFF, OFF, 5, 6], false).unwrap());
        assert_eq!(
            (n.cc[VINTR], n.cc[VQUIT], n.cc[VSTART], n.cc[VSTOP]),
            (1, 2, 0, 0)
        );
        assert_eq!((n.cc[VEOF], n.cc[VEOL]), (5, 6));
        // No start/stop character, no IXON.
        assert_eq!(n.iflag & IXON, 0);
        assert_eq!(c.get_chars(&n, false), [1, 2, OFF, OFF, 5, 6]);
        let n = c.change(&t, &Change::chars(&[7, 8, 9, 10, 11, 12], true).unwrap());
        assert_eq!(
            (
                n.cc[VSUSP],
                n.cc[VREPRINT],
                n.cc[VDISCARD],
                n.cc[VWERASE],
                n.cc[VLNEXT]
            ),
            (7, 9, 10, 11, 12)
        );
        // No delayed suspend on Linux.
        assert_eq!(c.get_chars(&n, true), [7, OFF, 9, 10, 11, 12]);
        assert_eq!(Change::chars(&[0; 5], false), None);
        assert_eq!(Change::chars(&[0; 7], true), None);
    }

    #[test]
    fn speeds() {
        let mut t = Termios::linux_default();
        let mut c = Compat::default();
        let mut b = c.get_sgttyb(&t);
        b[0] = 13; // B9600
        b[1] = 13;
        let n = c.change(&t, &Change::sgttyb(&b).unwrap());
        assert_eq!((n.cflag & CBAUD, n.cflag & CIBAUD), (13, 0));
        b[0] = 11; // B2400 in, B9600 out
        let n = c.change(&t, &Change::sgttyb(&b).unwrap());
        assert_eq!((n.cflag & CBAUD, (n.cflag & CIBAUD) >> IBSHIFT), (13, 11));
        // 115200 reads as B38400, and setting B38400 keeps it.
        t.cflag = (t.cflag & !CBAUD) | 0o10002;
        let b = c.get_sgttyb(&t);
        assert_eq!((b[0], b[1]), (15, 15));
        let n = c.change(&t, &Change::sgttyb(&b).unwrap());
        assert_eq!(n.cflag & CBAUD, 0o10002);
        // Only B0..B38400 exist.
        let mut bad = b;
        bad[1] = 16;
        assert_eq!(Change::sgttyb(&bad), None);
        bad[1] = 0x80;
        assert_eq!(Change::sgttyb(&bad), None);
        assert_eq!(Change::sgttyb(&b[..7]), None);
        // Two stop bits survive a change.
        t.cflag |= CSTOPB;
        let n = c.change(&t, &Change::LocalBis(0));
        assert_eq!(n.cflag & CSTOPB, CSTOPB);
    }

    #[test]
    fn hupcl_and_flush() {
        let mut t = Termios::linux_default();
        t.cflag &= !HUPCL;
        let mut c = Compat::default();
        let n = c.change(&t, &Change::Hupcl);
        assert_eq!(
            n,
            Termios {
                cflag: t.cflag | HUPCL,
                ..t
            }
        );
        assert_eq!(
            (flush_arg(0), flush_arg(1), flush_arg(2), flush_arg(3)),
            (2, 0, 1, 2)
        );
        assert_eq!(Change::int(&[1, 0, 0]), None);
        assert_eq!(Change::int(&5u32.to_ne_bytes()), Some(5));
    }
}
