// SPDX-License-Identifier: GPL-2.0

//! Linux's terminal settings as `ldterm` keeps them: `struct termios` and
//! `struct termios2` of the kernel's uapi `asm-generic/termbits.h` (x86_64),
//! the flag bits, the `c_cc` indices and the defaults of `tty_std_termios`.
//! Pure data: encoding, decoding and the baud table, tested by KUnit.

/// Number of control characters (`NCCS`).
pub(crate) const NCCS: usize = 19;
/// Bytes of `struct termios`.
pub(crate) const TERMIOS_SIZE: usize = 36;
/// Bytes of `struct termios2`.
pub(crate) const TERMIOS2_SIZE: usize = 44;

// c_cc indices.
pub(crate) const VINTR: usize = 0;
pub(crate) const VQUIT: usize = 1;
pub(crate) const VERASE: usize = 2;
pub(crate) const VKILL: usize = 3;
pub(crate) const VEOF: usize = 4;
pub(crate) const VTIME: usize = 5;
pub(crate) const VMIN: usize = 6;
pub(crate) const VSTART: usize = 8;
pub(crate) const VSTOP: usize = 9;
pub(crate) const VSUSP: usize = 10;
pub(crate) const VEOL: usize = 11;
pub(crate) const VREPRINT: usize = 12;
pub(crate) const VWERASE: usize = 14;
pub(crate) const VLNEXT: usize = 15;
pub(crate) const VEOL2: usize = 16;

// c_iflag.
pub(crate) const ISTRIP: u32 = 0o40;
pub(crate) const INLCR: u32 = 0o100;
pub(crate) const IGNCR: u32 = 0o200;
pub(crate) const ICRNL: u32 = 0o400;
pub(crate) const IXON: u32 = 0o2000;
pub(crate) const IXANY: u32 = 0o4000;

// c_oflag.
pub(crate) const OPOST: u32 = 0o1;
pub(crate) const ONLCR: u32 = 0o4;
pub(crate) const OCRNL: u32 = 0o10;
pub(crate) const ONOCR: u32 = 0o20;
pub(crate) const ONLRET: u32 = 0o40;
pub(crate) const TABDLY: u32 = 0o14000;
pub(crate) const TAB3: u32 = 0o14000;

// c_cflag.
pub(crate) const CBAUD: u32 = 0o10017;
pub(crate) const BOTHER: u32 = 0o10000;
pub(crate) const B38400: u32 = 0o17;
pub(crate) const CS8: u32 = 0o60;
pub(crate) const CREAD: u32 = 0o200;
pub(crate) const HUPCL: u32 = 0o2000;
/// Input baud rate bits (`CIBAUD`, `CBAUD << IBSHIFT`).
pub(crate) const CIBAUD: u32 = 0o2003600000;
const IBSHIFT: u32 = 16;

// c_lflag.
pub(crate) const ISIG: u32 = 0o1;
pub(crate) const ICANON: u32 = 0o2;
pub(crate) const ECHO: u32 = 0o10;
pub(crate) const ECHOE: u32 = 0o20;
pub(crate) const ECHOK: u32 = 0o40;
pub(crate) const ECHONL: u32 = 0o100;
pub(crate) const NOFLSH: u32 = 0o200;
pub(crate) const ECHOCTL: u32 = 0o1000;
pub(crate) const ECHOKE: u32 = 0o4000;
pub(crate) const IEXTEN: u32 = 0o100000;

/// Linux's `INIT_C_CC`: ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, VSWTC 0, ^Q ^S
/// ^Z, VEOL 0, ^R ^O ^W ^V, VEOL2 0.
pub(crate) const INIT_C_CC: [u8; NCCS] = [
    0x03, 0x1c, 0x7f, 0x15, 0x04, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0,
];

/// The terminal settings (`struct termios2`: `struct termios` plus the
/// two speeds).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) struct Termios {
    pub(crate) iflag: u32,
    pub(crate) oflag: u32,
    pub(crate) cflag: u32,
    pub(crate) lflag: u32,
    pub(crate) line: u8,
    pub(crate) cc: [u8; NCCS],
    pub(crate) ispeed: u32,
    pub(crate) ospeed: u32,
}

/// The Linux baud rate codes of `CBAUD`, in order (`B0`...`B38400`, then
/// `CBAUDEX` + 1... `B57600`...`B4000000`).
const BAUD: [u32; 31] = [
    0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600,
    115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000,
    3000000, 3500000, 4000000,
];

/// The speed a `CBAUD` code means (`None` for `BOTHER` or an unused code).
fn code_speed(code: u32) -> Option<u32> {
    let i = if code & BOTHER != 0 {
        if code == BOTHER {
            return None;
        }
        15 + (code & !BOTHER) as usize
    } else {
        code as usize
    };
    BAUD.get(i).copied()
}

impl Default for Termios {
    fn default() -> Self {
        Self::linux_default()
    }
}

impl Termios {
    /// Linux's `tty_std_termios`.
    pub(crate) const fn linux_default() -> Self {
        Self {
            iflag: ICRNL | IXON,
            oflag: OPOST | ONLCR,
            cflag: B38400 | CS8 | CREAD | HUPCL,
            lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
            line: 0,
            cc: INIT_C_CC,
            ispeed: 38400,
            ospeed: 38400,
        }
    }

    /// `struct termios2`, native byte order.
    pub(crate) fn encode2(&self) -> [u8; TERMIOS2_SIZE] {
        let mut b = [0u8; TERMIOS2_SIZE];
        for (i, v) in [self.iflag, self.oflag, self.cflag, self.lflag]
            .iter()
            .enumerate()
        {
            b[i * 4..i * 4 + 4].copy_from_slice(&v.to_ne_bytes());
        }
        b[16] = self.line;
        b[17..17 + NCCS].copy_from_slice(&self.cc);
        b[36..40].copy_from_slice(&self.ispeed.to_ne_bytes());
        b[40..44].copy_from_slice(&self.ospeed.to_ne_bytes());
        b
    }

    /// `struct termios`: the first 36 bytes of `struct termios2`.
    pub(crate) fn encode(&self) -> [u8; TERMIOS_SIZE] {
        let mut b = [0u8; TERMIOS_SIZE];
        b.copy_from_slice(&self.encode2()[..TERMIOS_SIZE]);
        b
    }

    /// Decodes a `struct termios` (36 bytes) or `struct termios2` (44
    /// bytes). With a `struct termios` the speeds come from the baud codes
    /// of `c_cflag`, as Linux's `tty_termios_baud_rate`; with a `struct
    /// termios2` a `BOTHER` code takes the speed given, and any other code
    /// the speed it names. `None` for any other length.
    pub(crate) fn decode(b: &[u8]) -> Option<Self> {
        if b.len() != TERMIOS_SIZE && b.len() != TERMIOS2_SIZE {
            return None;
        }
        let w = |at: usize| {
            let mut x = [0u8; 4];
            x.copy_from_slice(&b[at..at + 4]);
            u32::from_ne_bytes(x)
        };
        let mut cc = [0u8; NCCS];
        cc.copy_from_slice(&b[17..17 + NCCS]);
        let mut t = Self {
            iflag: w(0),
            oflag: w(4),
            cflag: w(8),
            lflag: w(12),
            line: b[16],
            cc,
            ispeed: 0,
            ospeed: 0,
        };
        let (gi, go) = if b.len() == TERMIOS2_SIZE {
            (Some(w(36)), Some(w(40)))
        } else {
            (None, None)
        };
        let ocode = t.cflag & CBAUD;
        t.ospeed = match (code_speed(ocode), go) {
            (Some(s), _) => s,
            (None, Some(s)) => s,
            (None, None) => 0,
        };
        // An input code of 0 means "the same as the output" (B0 in
        // CIBAUD), as Linux.
        let icode = (t.cflag & CIBAUD) >> IBSHIFT;
        t.ispeed = if icode == 0 {
            t.ospeed
        } else {
            match (code_speed(icode), gi) {
                (Some(s), _) => s,
                (None, Some(s)) => s,
                (None, None) => t.ospeed,
            }
        };
        Some(t)
    }

    /// Canonical mode.
    pub(crate) fn icanon(&self) -> bool {
        self.lflag & ICANON != 0
    }

    /// Whether `c` is control character `idx` (a `c_cc` of 0,
    /// `_POSIX_VDISABLE` on Linux, disables it).
    pub(crate) fn is(&self, idx: usize, c: u8) -> bool {
        let v = self.cc[idx];
        v != 0 && v == c
    }
}

#[kernel::prelude::kunit_tests(strclone_ldterm_termios)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_linux() {
        let t = Termios::linux_default();
        assert_eq!(t.iflag, 0o2400);
        assert_eq!(t.oflag, 0o5);
        assert_eq!(t.cflag, 0o2277);
        assert_eq!(t.lflag, 0o105073);
        assert_eq!(t.cc[VMIN], 1);
        assert_eq!(t.cc[VERASE], 0x7f);
        assert_eq!((t.ispeed, t.ospeed), (38400, 38400));
    }

    #[test]
    fn layout_round_trips() {
        let mut t = Termios::linux_default();
        t.cc[VEOL] = b'x';
        let b = t.encode();
        assert_eq!(b.len(), 36);
        assert_eq!(&b[0..4], &(ICRNL | IXON).to_ne_bytes());
        assert_eq!(b[16], 0);
        assert_eq!(b[17 + VINTR], 3);
        assert_eq!(b[17 + VEOL], b'x');
        assert_eq!(Termios::decode(&b), Some(t));
        let b2 = t.encode2();
        assert_eq!(&b2[..36], &b[..]);
        assert_eq!(&b2[36..40], &38400u32.to_ne_bytes());
        assert_eq!(Termios::decode(&b2), Some(t));
        assert_eq!(Termios::decode(&b[..35]), None);
        assert_eq!(Termios::decode(&[0u8; 40]), None);
    }

    #[test]
    fn speeds_follow_cbaud() {
        let mut t = Termios::linux_default();
        t.cflag = (t.cflag & !CBAUD) | 0o15; // B9600
        let d = Termios::decode(&t.encode()).unwrap();
        assert_eq!((d.ispeed, d.ospeed), (9600, 9600));
        t.cflag = (t.cflag & !CBAUD) | 0o10002; // B115200
        let d = Termios::decode(&t.encode()).unwrap();
        assert_eq!(d.ospeed, 115200);
        // termios2 with BOTHER takes the speed given.
        t.cflag = (t.cflag & !CBAUD) | BOTHER;
        t.ospeed = 12345;
        t.ispeed = 12345;
        let d = Termios::decode(&t.encode2()).unwrap();
        assert_eq!((d.ispeed, d.ospeed), (12345, 12345));
        // The highest code is B4000000; BOTHER without a speed (struct
        // termios) gives 0.
        t.cflag = CBAUD;
        let d = Termios::decode(&t.encode()).unwrap();
        assert_eq!(d.ospeed, 4000000);
        t.cflag = BOTHER;
        let d = Termios::decode(&t.encode()).unwrap();
        assert_eq!((d.ispeed, d.ospeed), (0, 0));
    }

    #[test]
    fn disabled_characters() {
        let mut t = Termios::linux_default();
        assert!(t.is(VINTR, 3));
        assert!(!t.is(VEOL, 0));
        t.cc[VINTR] = 0;
        assert!(!t.is(VINTR, 0));
        assert!(!t.is(VINTR, 3));
    }
}
