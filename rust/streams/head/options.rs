// SPDX-License-Identifier: GPL-2.0

//! The stream head's read and write options: `I_SRDOPT`/`I_GRDOPT` and
//! `I_SWROPT`/`I_GWROPT`, kept in `HeadState::rdopt` and
//! `HeadState::wropt`.
//!
//! The read options are a mode (`RNORM`, `RMSGD`, `RMSGN`: how `read(2)`
//! treats message boundaries) and a protocol option (what `read(2)` does
//! with a message that has a control part: `RPROTNORM` fails `EBADMSG`,
//! `RPROTDAT` reads the control part as data, `RPROTDIS` discards it).
//! `HeadState::rdopt` keeps `RPROTNORM` as no bit, so that the default is
//! 0. A module sets them too, with `M_SETOPTS` `SO_READOPT`
//! (`strrput.rs`).

use crate::streams::msg::{RMSGD, RMSGN, RNORM};
use crate::streams::stream::Stream;
use crate::uapi::{RMODEMASK, RPROTDAT, RPROTDIS, RPROTMASK, RPROTNORM, SNDPIPE, SNDZERO};
use kernel::{
    prelude::*,
    uaccess::{UserPtr, UserSlice},
};

/// `old` read options changed by `new` (an `SO_READOPT` or `I_SRDOPT`
/// value): the mode when it is a known one, the protocol option when it is
/// exactly one known option; anything else leaves that half as it was.
pub(crate) fn set_rdopt(old: u8, new: u32) -> u8 {
    let mut r = u32::from(old);
    if matches!(new & RMODEMASK, RNORM | RMSGD | RMSGN) {
        r = (r & !RMODEMASK) | (new & RMODEMASK);
    }
    match new & RPROTMASK {
        RPROTNORM => r &= !RPROTMASK,
        p @ (RPROTDAT | RPROTDIS) => r = (r & !RPROTMASK) | p,
        _ => {}
    }
    r as u8
}

/// The protocol option of read options `rdopt`: 0 (`RPROTNORM`),
/// `RPROTDAT` or `RPROTDIS`.
pub(super) fn rdopt_prot(rdopt: u8) -> u32 {
    u32::from(rdopt) & (RPROTDAT | RPROTDIS)
}

/// The read mode of read options `rdopt`.
pub(super) fn rdopt_mode(rdopt: u8) -> u32 {
    u32::from(rdopt) & RMODEMASK
}

impl Stream {
    /// `I_SRDOPT`: `arg` is one mode and at most one protocol option;
    /// `EINVAL` for anything else (nothing changes then).
    pub(super) fn i_srdopt(&self, arg: usize) -> Result<isize> {
        let a = u32::try_from(arg).map_err(|_| EINVAL)?;
        let prot_ok = matches!(a & RPROTMASK, 0 | RPROTNORM | RPROTDAT | RPROTDIS);
        if a & !(RMODEMASK | RPROTMASK) != 0 || a & RMODEMASK == RMODEMASK || !prot_ok {
            return Err(EINVAL);
        }
        let mut inner = self.lock();
        inner.head.rdopt = set_rdopt(inner.head.rdopt, a);
        Ok(0)
    }

    /// `I_GRDOPT`: the read options, with `RPROTNORM` spelt out.
    pub(super) fn i_grdopt(&self, arg: usize) -> Result<isize> {
        let r = u32::from(self.lock().head.rdopt);
        let r = if r & RPROTMASK == 0 { r | RPROTNORM } else { r };
        UserSlice::new(UserPtr::from_addr(arg), 4)
            .writer()
            .write(&(r as i32))?;
        Ok(0)
    }

    /// `I_SWROPT`: `SNDZERO` and `SNDPIPE`; other bits are `EINVAL`.
    pub(super) fn i_swropt(&self, arg: usize) -> Result<isize> {
        if arg & !((SNDZERO | SNDPIPE) as usize) != 0 {
            return Err(EINVAL);
        }
        self.lock().head.wropt = arg as u8;
        Ok(0)
    }

    /// `I_GWROPT`: the write options.
    pub(super) fn i_gwropt(&self, arg: usize) -> Result<isize> {
        let w = i32::from(self.lock().head.wropt);
        UserSlice::new(UserPtr::from_addr(arg), 4)
            .writer()
            .write(&w)?;
        Ok(0)
    }

    /// The write options (`SNDZERO`...).
    pub(super) fn wropt(&self) -> u32 {
        u32::from(self.lock().head.wropt)
    }

    /// What a write, `putmsg` or `I_FDINSERT` that failed with `e` returns:
    /// `e`, unless `SNDPIPE` is set and the write failed with `EPIPE` (an
    /// `M_ERROR` carrying it) or because the stream hung up (a widowed
    /// pipe: its end has `SNDPIPE` from its open): then `EPIPE`, and the
    /// caller gets `SIGPIPE`, as on a Linux pipe. (illumos'
    /// `strwriteable` turns every write error into `EPIPE` under
    /// `SNDPIPE`; strclone keeps another `M_ERROR` errno as it is.)
    pub(super) fn write_failed(&self, e: Error) -> Error {
        let (wropt, hangup) = {
            let inner = self.lock();
            (u32::from(inner.head.wropt), inner.head.hangup)
        };
        if wropt & SNDPIPE == 0 {
            return e;
        }
        let from_state = e == EPIPE || (hangup && (e == EIO || e == ENXIO));
        if !from_state {
            return e;
        }
        crate::glue::pgrp::signal_current(SIGPIPE);
        EPIPE
    }
}

/// Linux's `SIGPIPE`.
const SIGPIPE: i32 = 13;

#[kunit_tests(strclone_head_options)]
mod tests {
    use super::*;

    #[test]
    fn set_rdopt_mode_and_protocol_option() {
        // The mode is always set; no protocol option keeps the old one.
        let r = set_rdopt(0, RMSGN);
        assert_eq!(u32::from(r), RMSGN);
        let r = set_rdopt(r, RPROTDAT);
        assert_eq!(u32::from(r), RNORM | RPROTDAT);
        let r = set_rdopt(r, RMSGD);
        assert_eq!(u32::from(r), RMSGD | RPROTDAT);
        let r = set_rdopt(r, RMSGD | RPROTDIS);
        assert_eq!(u32::from(r), RMSGD | RPROTDIS);
        // RPROTNORM is kept as no bit.
        let r = set_rdopt(r, RMSGN | RPROTNORM);
        assert_eq!(u32::from(r), RMSGN);
        assert_eq!(rdopt_prot(r), 0);
        assert_eq!(rdopt_mode(r), RMSGN);
    }

    #[test]
    fn set_rdopt_unknown_halves_change_nothing() {
        let old = set_rdopt(0, RMSGN | RPROTDIS);
        // An unknown mode (M_SETOPTS may carry one) keeps the mode.
        assert_eq!(set_rdopt(old, RMODEMASK), old);
        // Two protocol options keep the protocol option.
        assert_eq!(set_rdopt(old, RMSGN | RPROTDAT | RPROTDIS), old);
        assert_eq!(rdopt_prot(set_rdopt(old, RMSGN | RPROTMASK)), RPROTDIS);
    }
}
