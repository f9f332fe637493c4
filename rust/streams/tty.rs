// SPDX-License-Identifier: GPL-2.0

//! The stream head's terminal duties on a stream a line discipline made a
//! terminal (`M_SETOPTS` `SO_ISTTY`), beyond the foreground process group
//! of `head.rs` (`TIOCSPGRP`/`TIOCGPGRP`) and the `M_SIG`/`M_PCSIG`
//! delivery of `stream.rs`:
//!
//! - `TIOCGSID`: the session of the foreground process group (`ENOTTY`
//!   without one, as Linux without a session);
//! - `M_HANGUP`: `SIGHUP` and `SIGCONT` to the foreground process group
//!   and the leader of its session, once, as Linux's tty hangup; the
//!   terminal then has no foreground group.
//!
//! What of Linux's controlling-terminal machinery a stream can and cannot
//! reach is in `Documentation/strclone/terminals.rst` ("Controlling
//! terminal").

use super::stream::Stream;
use kernel::{
    prelude::*,
    uaccess::{UserPtr, UserSlice},
};

/// Linux's `TIOCGSID` (x86_64).
pub(crate) const TIOCGSID: u32 = 0x5429;

impl Stream {
    /// Whether the stream's last file is closing (a module's close then
    /// runs because the stream goes, not for an `I_POP`).
    pub(crate) fn is_last_close(&self) -> bool {
        self.lock().head.opens == 0
    }

    /// The head's terminal ioctls of this file; `None` for any other
    /// command, and on a stream that is not a terminal (the command then
    /// goes down as a transparent ioctl, and comes back `ENOTTY`).
    pub(crate) fn tty_ioctl(&self, cmd: u32, arg: usize) -> Option<Result<isize>> {
        if cmd != TIOCGSID {
            return None;
        }
        let pgrp = {
            let inner = self.lock();
            if !inner.head.istty {
                return None;
            }
            inner.head.pgrp.clone()
        };
        let sid = pgrp.map_or(0, |g| g.session_nr());
        if sid == 0 {
            return Some(Err(ENOTTY));
        }
        let mut w = UserSlice::new(UserPtr::from_addr(arg), 4).writer();
        Some(w.write(&sid).map(|()| 0))
    }

    /// `M_HANGUP` arrived at the head for the first time: a terminal's
    /// foreground group and session leader get `SIGHUP` and `SIGCONT`, and
    /// the terminal forgets the group (as Linux's hangup clears it).
    pub(crate) fn tty_hangup(&self) {
        let pgrp = {
            let mut inner = self.lock();
            if !inner.head.istty {
                return;
            }
            inner.head.pgrp.take()
        };
        if let Some(g) = pgrp {
            g.hangup();
        }
    }
}
