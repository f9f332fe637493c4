// SPDX-License-Identifier: GPL-2.0

//! The pair's terminal side: what the pts driver does for the slave's
//! `ptem` (`crate::modules::ptem`) and the master's window size ioctls
//! (`Documentation/strclone/ptm.rst`, "Window size, hangup and break").
//!
//! - the pair keeps the window size: the master's `TIOCGWINSZ` and
//!   `TIOCSWINSZ` are answered here, at once, never sent down a stream
//!   (so a slave without `ptem`, popped modules or a full slave cannot keep
//!   the master's ioctl waiting); a new size goes up the slave as an
//!   `M_CTL` to its `ptem`, which signals `SIGWINCH`;
//! - the slave's `ptem` tells the pair the sizes the slave sets and asks
//!   for the pair's when it is pushed;
//! - the slave's `M_HANGUP` (ptem: `B0`, `HUPCL`) hangs the master up;
//! - the slave's `M_BREAK` goes to the master.

use super::{PtSide, PTHUP};
use crate::modules::mctl::{
    Ctl, Winsize, WINSIZE_SIZE, WINSZ_INFO, WINSZ_QUERY, WINSZ_SET, WINSZ_SYNC,
};
use crate::modules::ptem::TIOCGWINSZ;
use crate::streams::msg::Mblk;
use crate::streams::stream::{Qid, Stream};
use kernel::{
    prelude::*,
    sync::Arc,
    uaccess::{UserPtr, UserSlice},
};

impl PtSide {
    /// An `M_CTL` from the slave's `ptem` (`crate::modules::mctl`): its
    /// window size, or a question for the pair's.
    pub(super) fn ctl(&self, s: &Arc<Stream>, m: Mblk) {
        match Ctl::of(&m) {
            Some(Ctl::Winsz(WINSZ_INFO, ws)) => self.pair.state.lock().ws = ws,
            Some(Ctl::Query(WINSZ_QUERY)) => {
                let ws = self.pair.state.lock().ws;
                if let Ok(r) = Ctl::Winsz(WINSZ_SYNC, ws).msg(GFP_ATOMIC) {
                    s.qreply(r);
                }
            }
            _ => {}
        }
    }

    /// The slave's line dropped: the pair is finished and the master hears
    /// of it as of the slave's last close.
    pub(super) fn hangup_master(&self) {
        let master = {
            let mut st = self.pair.state.lock();
            if st.flags & PTHUP != 0 {
                return;
            }
            st.flags |= PTHUP;
            st.master.clone()
        };
        if let Some(m) = master {
            m.hangup();
        }
    }

    /// `TIOCGWINSZ`/`TIOCSWINSZ` on the master, answered here at once from
    /// the pair's size; a size that differs from the pair's (in any field,
    /// as Linux's `tty_do_resize`) goes up the slave to its `ptem` (`M_CTL`
    /// `WINSZ_SET`), which signals `SIGWINCH`. A slave's `ptem` asks the
    /// pair's size at each of its own window size ioctls, so one pushed or
    /// opened later reports it too.
    pub(super) fn winsize(&self, cmd: u32, arg: usize) -> Result<isize> {
        let u = UserSlice::new(UserPtr::from_addr(arg), WINSIZE_SIZE);
        if cmd == TIOCGWINSZ {
            let ws = self.pair.state.lock().ws;
            u.writer().write_slice(&ws.encode())?;
            return Ok(0);
        }
        let mut b = [0u8; WINSIZE_SIZE];
        u.reader().read_slice(&mut b)?;
        let ws = Winsize::decode(&b).ok_or(EINVAL)?;
        let m = Ctl::Winsz(WINSZ_SET, ws).msg(GFP_KERNEL_ACCOUNT)?;
        let slave = {
            let mut st = self.pair.state.lock();
            let changed = st.ws != ws;
            st.ws = ws;
            st.slave.clone().filter(|_| changed)
        };
        if let Some(sl) = slave {
            sl.putnext(Qid::DrvR, m);
        }
        Ok(0)
    }
}
