// SPDX-License-Identifier: GPL-2.0

//! `testmod`: a pass-through module that counts what it sees and, on
//! request, refuses opens and ioctls, so tests can check how the framework
//! treats a module that says no.
//!
//! Its `I_STR` commands (`include/uapi/linux/strclone.h`):
//!
//! - `TESTMOD_COUNTS`: this instance's `struct testmod_counts`.
//! - `TESTMOD_REFUSE_REOPEN` (int errno): refuse this instance's next
//!   reopens with it (0 accepts again).
//! - `TESTMOD_NAK` (int errno): answer every later ioctl that reaches this
//!   instance with `M_IOCNAK` and that errno (0 passes them on again).
//! - `TESTMOD_REFUSE_PUSH` (int errno, `CAP_SYS_ADMIN`): the next push of
//!   `testmod` on any stream fails with it.

use crate::streams::msg::{Mblk, MsgType};
use crate::streams::queue::{QLimits, INFPSZ};
use crate::streams::stream::{DriverLimits, ModEntry, Module, OpenHow, Qid, Stream};
use crate::uapi;
use core::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use kernel::{prelude::*, sync::Arc};

const LIMITS: QLimits = QLimits {
    minpsz: 0,
    maxpsz: INFPSZ,
    hiwat: 8192,
    lowat: 2048,
};

/// Its module switch entry.
pub(crate) static ENTRY: ModEntry = ModEntry {
    name: c"testmod",
    limits: DriverLimits {
        rlim: LIMITS,
        wlim: LIMITS,
        rsrv: false,
        wsrv: false,
    },
    new: || {
        Ok(KBox::new(
            TestMod {
                opens: AtomicU32::new(0),
                reopens: AtomicU32::new(0),
                ioctls: AtomicU32::new(0),
                msgs: AtomicU32::new(0),
                refuse_reopen: AtomicI32::new(0),
                nak: AtomicI32::new(0),
            },
            GFP_KERNEL_ACCOUNT,
        )? as KBox<dyn Module>)
    },
    uses: AtomicU32::new(0),
};

/// errno for the next push of `testmod`, 0 if none (one-shot).
static REFUSE_PUSH: AtomicI32 = AtomicI32::new(0);

struct TestMod {
    opens: AtomicU32,
    reopens: AtomicU32,
    ioctls: AtomicU32,
    msgs: AtomicU32,
    refuse_reopen: AtomicI32,
    nak: AtomicI32,
}

fn errno_arg(data: &[u8]) -> Result<i32> {
    let b: [u8; 4] = data
        .get(..4)
        .ok_or(EINVAL)?
        .try_into()
        .map_err(|_| EINVAL)?;
    let e = i32::from_le_bytes(b);
    if !(0..4096).contains(&e) {
        return Err(EINVAL);
    }
    Ok(e)
}

impl TestMod {
    /// One of the module's own commands, answered in `m`.
    fn command(&self, cmd: u32, m: &mut Mblk) -> Result<i32> {
        let ioc = m.ioc();
        let data = m.data_to_vec(GFP_ATOMIC)?;
        drop(m.take_cont());
        match cmd {
            uapi::TESTMOD_COUNTS => {
                let mut b = [0u8; uapi::TESTMOD_COUNTS_SIZE];
                for (i, c) in [&self.opens, &self.reopens, &self.ioctls, &self.msgs]
                    .iter()
                    .enumerate()
                {
                    b[i * 4..i * 4 + 4].copy_from_slice(&c.load(Ordering::Relaxed).to_le_bytes());
                }
                m.link_cont(Mblk::with(MsgType::Data, &b, GFP_ATOMIC)?);
                Ok(0)
            }
            uapi::TESTMOD_REFUSE_REOPEN => {
                self.refuse_reopen
                    .store(errno_arg(&data)?, Ordering::Relaxed);
                Ok(0)
            }
            uapi::TESTMOD_NAK => {
                self.nak.store(errno_arg(&data)?, Ordering::Relaxed);
                Ok(0)
            }
            uapi::TESTMOD_REFUSE_PUSH => {
                if !ioc.cr.admin {
                    return Err(EPERM);
                }
                REFUSE_PUSH.store(errno_arg(&data)?, Ordering::Relaxed);
                Ok(0)
            }
            _ => Err(EINVAL),
        }
    }
}

impl Module for TestMod {
    fn open(&self, _s: &Arc<Stream>, _q: Qid, how: OpenHow) -> Result {
        let refuse = match how {
            OpenHow::Push => REFUSE_PUSH.swap(0, Ordering::Relaxed),
            OpenHow::Reopen => self.refuse_reopen.load(Ordering::Relaxed),
        };
        if refuse != 0 {
            return Err(Error::from_errno(-refuse));
        }
        match how {
            OpenHow::Push => self.opens.fetch_add(1, Ordering::Relaxed),
            OpenHow::Reopen => self.reopens.fetch_add(1, Ordering::Relaxed),
        };
        Ok(())
    }

    fn put(&self, s: &Arc<Stream>, q: Qid, mut m: Mblk) {
        match m.ty() {
            MsgType::Ioctl if !q.is_read() => {
                let cmd = m.ioc().cmd;
                if cmd >> 8 == u32::from(b'T') {
                    let answer = self.command(cmd, &mut m);
                    m.ioc_answer(answer);
                    s.qreply_from(q, m);
                    return;
                }
                self.ioctls.fetch_add(1, Ordering::Relaxed);
                let nak = self.nak.load(Ordering::Relaxed);
                if nak != 0 {
                    m.ioc_answer(Err(Error::from_errno(-nak)));
                    s.qreply_from(q, m);
                    return;
                }
                s.putnext(q, m);
            }
            MsgType::Flush => s.module_flush(q, m),
            _ => {
                self.msgs.fetch_add(1, Ordering::Relaxed);
                s.putnext(q, m);
            }
        }
    }
}
