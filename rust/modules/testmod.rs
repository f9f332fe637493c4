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
//!
//! Its transparent ioctls (plain `ioctl(2)`, no `I_STR`) exercise the copy
//! protocol of `M_COPYIN`/`M_COPYOUT`/`M_IOCDATA` through the stream head:
//!
//! - `TESTMOD_XCHG` (`struct testmod_xchg *`): copy in, copy out the sum
//!   and the product.
//! - `TESTMOD_XVEC` (`struct testmod_xvec *`): copy in the header, then the
//!   vector it points to; copy out the vector reversed, then the header with
//!   the sum; returns n. Also with `I_STR` (the header as the data), where
//!   only the vector is copied.
//! - `TESTMOD_XHOLD` (`int *`): copy in, then hold the `M_IOCDATA` on the
//!   module's write queue, so the ioctl stays in flight until the module is
//!   popped (the pop moves the message on to the driver) or the stream
//!   closes. One held at a time per instance (`EBUSY`).
//!
//! The state of a copy protocol is this instance's (`x_*`): the stream head
//! lets one ioctl at a time through a stream, as SVR4 modules rely on. Each
//! `M_COPYIN`/`M_COPYOUT` carries the step in `cq_private`; an `M_IOCDATA`
//! is this instance's if it carries one of these commands and the id of the
//! protocol it runs. A failed `M_IOCDATA` is freed (the caller already has
//! its error); a transparent ioctl of another command passes on.

use crate::bytes::{ne_i32, ne_u64};
use crate::modules::MODULE_LIMITS;
use crate::streams::msg::{IocBlk, Mblk, MsgType};
use crate::streams::stream::{DriverLimits, ModEntry, Module, OpenHow, PutKind, Qid, Stream};
use crate::uapi;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU64, Ordering};
use kernel::{prelude::*, sync::Arc};

/// Its module switch entry.
pub(crate) static ENTRY: ModEntry = ModEntry {
    name: c"testmod",
    limits: DriverLimits {
        rlim: MODULE_LIMITS,
        wlim: MODULE_LIMITS,
        rsrv: false,
        wsrv: false,
    },
    put: PutKind::Own,
    new: || {
        Ok(KBox::new(
            TestMod {
                opens: AtomicU32::new(0),
                reopens: AtomicU32::new(0),
                ioctls: AtomicU32::new(0),
                msgs: AtomicU32::new(0),
                refuse_reopen: AtomicI32::new(0),
                nak: AtomicI32::new(0),
                x_id: AtomicU32::new(0),
                x_arg: AtomicU64::new(0),
                x_vec: AtomicU64::new(0),
                x_n: AtomicU32::new(0),
                x_sum: AtomicI32::new(0),
                held: AtomicBool::new(false),
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
    /// Id of the ioctl whose copy protocol this instance runs (0: none).
    x_id: AtomicU32,
    /// The caller's argument: where the structure is (0: `I_STR`).
    x_arg: AtomicU64,
    /// `TESTMOD_XVEC`: where the vector is, its length, its sum.
    x_vec: AtomicU64,
    x_n: AtomicU32,
    x_sum: AtomicI32,
    /// `TESTMOD_XHOLD`: an `M_IOCDATA` is held on the write queue.
    held: AtomicBool,
}

/// The steps of the copy protocols (`cq_private`): what the `M_IOCDATA`
/// answers.
const XCHG_IN: u64 = 1;
const XCHG_OUT: u64 = 2;
const XVEC_HDR_IN: u64 = 3;
const XVEC_IN: u64 = 4;
const XVEC_OUT: u64 = 5;
const XVEC_HDR_OUT: u64 = 6;
const XHOLD_IN: u64 = 7;

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

impl TestMod {
    /// Whether `ioc` starts one of this module's copy protocols.
    fn starts_protocol(ioc: &IocBlk) -> bool {
        match ioc.cmd {
            uapi::TESTMOD_XCHG | uapi::TESTMOD_XHOLD => ioc.is_transparent(),
            uapi::TESTMOD_XVEC => true,
            _ => false,
        }
    }

    /// The first step of a copy protocol, answered in `m` (the `M_IOCTL`).
    fn start(&self, m: &mut Mblk, ioc: &IocBlk) -> Result {
        self.x_id.store(ioc.id, Ordering::Relaxed);
        self.x_arg
            .store(m.transparent_arg().unwrap_or(0), Ordering::Relaxed);
        match ioc.cmd {
            uapi::TESTMOD_XCHG => m.mcopyin(XCHG_IN, uapi::TESTMOD_XCHG_SIZE as u32, None),
            uapi::TESTMOD_XHOLD => {
                if self.held.load(Ordering::Relaxed) {
                    return Err(EBUSY);
                }
                m.mcopyin(XHOLD_IN, 4, None)
            }
            _ if ioc.is_transparent() => {
                m.mcopyin(XVEC_HDR_IN, uapi::TESTMOD_XVEC_SIZE as u32, None)
            }
            // `I_STR`: the header is the data.
            _ => {
                let hdr = m.data_to_vec(GFP_ATOMIC)?;
                self.vec_header(m, &hdr)
            }
        }
    }

    /// `TESTMOD_XVEC` with its header in hand: ask for the vector.
    fn vec_header(&self, m: &mut Mblk, hdr: &[u8]) -> Result {
        if hdr.len() != uapi::TESTMOD_XVEC_SIZE {
            return Err(EINVAL);
        }
        let n = ne_i32(hdr, 0) as u32;
        if n == 0 || n > uapi::TESTMOD_XVEC_MAX {
            return Err(EINVAL);
        }
        let vec = ne_u64(hdr, 8);
        self.x_vec.store(vec, Ordering::Relaxed);
        self.x_n.store(n, Ordering::Relaxed);
        m.mcopyin(XVEC_IN, n * 4, Some(vec))
    }

    /// Whether `m`, an `M_IOCDATA`, belongs to this instance's protocol.
    fn is_ours(&self, m: &Mblk) -> bool {
        let r = m.copyresp();
        matches!(
            r.cmd,
            uapi::TESTMOD_XCHG | uapi::TESTMOD_XVEC | uapi::TESTMOD_XHOLD
        ) && r.id != 0
            && r.id == self.x_id.load(Ordering::Relaxed)
    }

    /// The next step of a copy protocol, for the `M_IOCDATA` `m`. `Ok(true)`:
    /// `m` holds the next request or the final answer; `Ok(false)`: `m` was
    /// held.
    fn step(&self, m: &mut Mblk) -> Result<bool> {
        let data = m.data_to_vec(GFP_ATOMIC)?;
        let arg = self.x_arg.load(Ordering::Relaxed);
        let n = self.x_n.load(Ordering::Relaxed);
        match m.copyresp().private {
            XCHG_IN => {
                if data.len() != uapi::TESTMOD_XCHG_SIZE {
                    return Err(EPROTO);
                }
                let (a, b) = (ne_i32(&data, 0), ne_i32(&data, 4));
                let mut out = [0u8; uapi::TESTMOD_XCHG_SIZE];
                out[0..4].copy_from_slice(&a.wrapping_add(b).to_ne_bytes());
                out[4..8].copy_from_slice(&a.wrapping_mul(b).to_ne_bytes());
                let d = Mblk::with(MsgType::Data, &out, GFP_ATOMIC)?;
                m.mcopyout(XCHG_OUT, Some(arg), d)?;
            }
            XCHG_OUT => m.ioc_answer(Ok(0)),
            XVEC_HDR_OUT => m.ioc_answer(Ok(n as i32)),
            XVEC_HDR_IN => self.vec_header(m, &data)?,
            XVEC_IN => {
                if data.len() != n as usize * 4 {
                    return Err(EPROTO);
                }
                let mut rev = KVec::with_capacity(data.len(), GFP_ATOMIC)?;
                let mut sum = 0i32;
                for c in data.chunks_exact(4).rev() {
                    sum = sum.wrapping_add(ne_i32(c, 0));
                    rev.extend_from_slice(c, GFP_ATOMIC)?;
                }
                self.x_sum.store(sum, Ordering::Relaxed);
                let d = Mblk::with(MsgType::Data, &rev, GFP_ATOMIC)?;
                m.mcopyout(XVEC_OUT, Some(self.x_vec.load(Ordering::Relaxed)), d)?;
            }
            XVEC_OUT => {
                let mut hdr = [0u8; uapi::TESTMOD_XVEC_SIZE];
                hdr[0..4].copy_from_slice(&n.to_ne_bytes());
                hdr[4..8].copy_from_slice(&self.x_sum.load(Ordering::Relaxed).to_ne_bytes());
                hdr[8..16].copy_from_slice(&self.x_vec.load(Ordering::Relaxed).to_ne_bytes());
                let d = Mblk::with(MsgType::Data, &hdr, GFP_ATOMIC)?;
                if arg != 0 {
                    m.mcopyout(XVEC_HDR_OUT, Some(arg), d)?;
                } else {
                    // `I_STR`: the header goes back as the answer's data.
                    drop(m.take_cont());
                    m.link_cont(d);
                    m.ioc_answer(Ok(n as i32));
                }
            }
            XHOLD_IN => {
                if self.held.swap(true, Ordering::Relaxed) {
                    return Err(EBUSY);
                }
                return Ok(false);
            }
            _ => return Err(EPROTO),
        }
        Ok(true)
    }

    /// An `M_IOCDATA` of this instance's protocol arrived on write queue
    /// `q`.
    fn iocdata(&self, s: &Arc<Stream>, q: Qid, mut m: Mblk) {
        if m.copyresp().rval != 0 {
            // The copy failed: the caller has its error, nothing answers.
            return;
        }
        match self.step(&mut m) {
            Ok(true) => s.qreply_from(q, m),
            // Held until a pop moves it on, or the stream closes.
            Ok(false) => s.putq(q, m),
            Err(e) => {
                m.ioc_answer(Err(e));
                s.qreply_from(q, m);
            }
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
                let ioc = m.ioc();
                let cmd = ioc.cmd;
                if Self::starts_protocol(&ioc) {
                    if let Err(e) = self.start(&mut m, &ioc) {
                        m.ioc_answer(Err(e));
                    }
                    s.qreply_from(q, m);
                    return;
                }
                // Its `I_STR` commands; a transparent ioctl with one of
                // these numbers is somebody else's (0x54xx are the tty
                // ioctls: TCGETS is TESTMOD_COUNTS's number).
                if !ioc.is_transparent() && cmd >> 8 == u32::from(b'T') {
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
            MsgType::IocData if !q.is_read() && self.is_ours(&m) => self.iocdata(s, q, m),
            MsgType::Flush => s.module_flush(q, m),
            _ => {
                self.msgs.fetch_add(1, Ordering::Relaxed);
                s.putnext(q, m);
            }
        }
    }
}
