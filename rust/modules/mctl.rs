// SPDX-License-Identifier: GPL-2.0

//! The `M_CTL` messages the terminal modules and the pts driver exchange
//! (`Documentation/strclone/terminals.rst`, "ptem"). SVR4 leaves an
//! `M_CTL`'s contents to the two neighbours that agree on them; these are
//! strclone's:
//!
//! ```text
//!   kind (byte 0)  direction             payload (from byte 4)
//!   WINSZ_SET      pts driver -> ptem    struct winsize: the master set it
//!                                        (SIGWINCH if it changed)
//!   WINSZ_SYNC     pts driver -> ptem    struct winsize: the pair's size,
//!                                        answering WINSZ_QUERY (no signal)
//!   WINSZ_QUERY    ptem -> pts driver    none: at each window size ioctl
//!   WINSZ_INFO     ptem -> pts driver    struct winsize: the slave set it
//!   CFLAG_SET      ldterm -> ptem        u32 c_cflag, as TCSETS* gave it
//!   CFLAG_IS       ptem -> ldterm        u32 c_cflag, as the pty keeps it
//!                                        (after CFLAG_SET or CFLAG_QUERY)
//!   CFLAG_QUERY    ldterm -> ptem        none: at each TCGETS/TCGETS2
//! ```
//!
//! All native byte order, as the ioctls' structures. The queries are
//! answered at once, in the call that sends them (put procedures call each
//! other), which is why they are asked when needed and not when a module
//! is pushed: a reply to a module whose open runs passes it by. Pure data,
//! tested by KUnit.

use crate::streams::msg::{Mblk, Msg, MsgType};
use kernel::prelude::*;

/// The master set the window size.
pub(crate) const WINSZ_SET: u8 = 1;
/// The pair's window size, for a ptem just pushed.
pub(crate) const WINSZ_SYNC: u8 = 2;
/// ptem asks the driver for the pair's window size.
pub(crate) const WINSZ_QUERY: u8 = 3;
/// The slave set the window size.
pub(crate) const WINSZ_INFO: u8 = 4;
/// New settings' `c_cflag`, from the line discipline.
pub(crate) const CFLAG_SET: u8 = 5;
/// The `c_cflag` the pty keeps, for the line discipline.
pub(crate) const CFLAG_IS: u8 = 6;
/// The line discipline asks for the `c_cflag` the pty keeps.
pub(crate) const CFLAG_QUERY: u8 = 7;

/// Bytes before the payload.
const HDR: usize = 4;

/// Linux's `struct winsize`: rows, columns, x and y pixels.
#[derive(Copy, Clone, Default, PartialEq, Eq, Debug)]
pub(crate) struct Winsize(pub(crate) [u16; 4]);

/// Bytes of `struct winsize`.
pub(crate) const WINSIZE_SIZE: usize = 8;

impl Winsize {
    /// `struct winsize` in native byte order.
    pub(crate) fn encode(&self) -> [u8; WINSIZE_SIZE] {
        let mut b = [0u8; WINSIZE_SIZE];
        for (i, v) in self.0.iter().enumerate() {
            b[i * 2..i * 2 + 2].copy_from_slice(&v.to_ne_bytes());
        }
        b
    }

    /// Decodes exactly one `struct winsize` (`None` for another length).
    pub(crate) fn decode(b: &[u8]) -> Option<Self> {
        if b.len() != WINSIZE_SIZE {
            return None;
        }
        let mut w = [0u16; 4];
        for (i, v) in w.iter_mut().enumerate() {
            *v = u16::from_ne_bytes([b[i * 2], b[i * 2 + 1]]);
        }
        Some(Self(w))
    }
}

/// What an `M_CTL` of this protocol says.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Ctl {
    Winsz(u8, Winsize),
    /// `WINSZ_QUERY` or `CFLAG_QUERY`.
    Query(u8),
    Cflag(u8, u32),
}

impl Ctl {
    /// The message's bytes.
    fn encode(&self) -> ([u8; HDR + WINSIZE_SIZE], usize) {
        let mut b = [0u8; HDR + WINSIZE_SIZE];
        let n = match *self {
            Ctl::Winsz(k, w) => {
                b[0] = k;
                b[HDR..].copy_from_slice(&w.encode());
                HDR + WINSIZE_SIZE
            }
            Ctl::Query(k) => {
                b[0] = k;
                HDR
            }
            Ctl::Cflag(k, c) => {
                b[0] = k;
                b[HDR..HDR + 4].copy_from_slice(&c.to_ne_bytes());
                HDR + 4
            }
        };
        (b, n)
    }

    /// Decodes the bytes of an `M_CTL` (`None`: not one of these, or
    /// malformed).
    pub(crate) fn decode(b: &[u8]) -> Option<Self> {
        let k = *b.first()?;
        let p = b.get(HDR..)?;
        match k {
            WINSZ_SET | WINSZ_SYNC | WINSZ_INFO => Winsize::decode(p).map(|w| Ctl::Winsz(k, w)),
            WINSZ_QUERY | CFLAG_QUERY if p.is_empty() => Some(Ctl::Query(k)),
            CFLAG_SET | CFLAG_IS => {
                let w: [u8; 4] = p.try_into().ok()?;
                Some(Ctl::Cflag(k, u32::from_ne_bytes(w)))
            }
            _ => None,
        }
    }

    /// Decodes the `M_CTL` `m` (`None` for another type).
    pub(crate) fn of(m: &Msg) -> Option<Self> {
        if m.ty() != MsgType::Ctl || m.cont().is_some() {
            return None;
        }
        Self::decode(m.bytes())
    }

    /// An `M_CTL` saying this.
    pub(crate) fn msg(&self, gfp: kernel::alloc::Flags) -> Result<Mblk> {
        let (b, n) = self.encode();
        Mblk::with(MsgType::Ctl, &b[..n], gfp)
    }
}

#[kernel::prelude::kunit_tests(strclone_mctl)]
mod tests {
    use super::*;

    #[test]
    fn winsize_is_linux_layout() {
        let w = Winsize([24, 80, 640, 480]);
        let b = w.encode();
        assert_eq!(&b[0..2], &24u16.to_ne_bytes());
        assert_eq!(&b[2..4], &80u16.to_ne_bytes());
        assert_eq!(&b[6..8], &480u16.to_ne_bytes());
        assert_eq!(Winsize::decode(&b), Some(w));
        assert_eq!(Winsize::decode(&b[..7]), None);
        let big = Winsize([65535, 65535, 0, 0]);
        assert_eq!(Winsize::decode(&big.encode()), Some(big));
    }

    #[test]
    fn messages_round_trip() {
        for c in [
            Ctl::Winsz(WINSZ_SET, Winsize([1, 2, 3, 4])),
            Ctl::Winsz(WINSZ_SYNC, Winsize::default()),
            Ctl::Winsz(WINSZ_INFO, Winsize([65535, 0, 65535, 0])),
            Ctl::Query(WINSZ_QUERY),
            Ctl::Query(CFLAG_QUERY),
            Ctl::Cflag(CFLAG_SET, 0o2277),
            Ctl::Cflag(CFLAG_IS, 0),
        ] {
            let (b, n) = c.encode();
            assert_eq!(Ctl::decode(&b[..n]), Some(c));
        }
    }

    #[test]
    fn malformed_is_not_ours() {
        assert_eq!(Ctl::decode(&[]), None);
        assert_eq!(Ctl::decode(&[WINSZ_SET, 0, 0, 0, 1, 2]), None);
        assert_eq!(Ctl::decode(&[WINSZ_QUERY, 0, 0, 0, 1]), None);
        assert_eq!(Ctl::decode(&[CFLAG_QUERY, 0, 0, 0, 1, 2, 3, 4]), None);
        assert_eq!(Ctl::decode(&[CFLAG_SET, 0, 0, 0, 1, 2, 3]), None);
        assert_eq!(Ctl::decode(&[99, 0, 0, 0]), None);
        assert_eq!(Ctl::decode(&[0, 0, 0, 0]), None);
    }
}
