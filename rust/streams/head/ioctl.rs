// SPDX-License-Identifier: GPL-2.0

//! The stream head's ioctls that travel down the chain: `I_STR` and
//! transparent ioctls.
//!
//! `I_STR` and every ioctl that neither the target's own hook nor the
//! stream head knows (sent down as an SVR4 *transparent* ioctl: `M_IOCTL`
//! with `ioc_count == TRANSPARENT` and the caller's argument in the
//! continuation) share one slot per stream and one protocol. The caller
//! drives it in process context; `ioc_reply_arrived` (the stream head's
//! read put procedure, any context) only files answers. Under the stream
//! lock, in `HeadState`:
//!
//! ```text
//!   ioc_busy   the slot is taken: one ioctl at a time (SVR4's IOCWAIT)
//!   ioc_id     the id whose answer is accepted now; 0: none
//!   ioc_reply  the accepted answer, until the caller takes it
//!
//!            claim the slot: wait while ioc_busy (I_STR: at most its
//!            timeout, ETIME; transparent: until a signal); hung up:
//!            I_STR EIO, transparent ENOTTY (nothing was sent)
//!   idle ──────────────────────────────────────────┐
//!    ▲                                             ▼
//!    │                         ┌───────► WAITING   ioc_id = id; the M_IOCTL or
//!    │                         │           │       M_IOCDATA goes down after
//!    │                         │           │       this is set
//!    │                         │           │ an answer carrying id arrives:
//!    │                         │           │ filed in ioc_reply, ioc_id = 0
//!    │                         │           ▼
//!    │   M_IOCACK / M_IOCNAK ◄─┼──────── ANSWERED  the caller takes ioc_reply
//!    │   rval / errno          │           │
//!    │                         │           │ M_COPYIN / M_COPYOUT
//!    │                         │           ▼
//!    │                         │         COPYING   lock dropped: the head copies
//!    │                         │           │       between the caller's memory
//!    │                         │           │       and the message
//!    │                         └───────────┤ copied: answer M_IOCDATA (cp_rval 0),
//!    │                                     │ back to WAITING
//!    │   copy failed (EFAULT...) ◄─────────┘ answer M_IOCDATA (cp_rval errno),
//!    │   nothing more is waited for          return the errno
//!    │
//!    │   WAITING ends without an answer on hangup (EIO), a signal
//!    │   (ERESTARTSYS) or, for I_STR, the timeout (ETIME, counted afresh
//!    │   for each answer); an answer filed by then is still used;
//!    │   afterwards ioc_id = 0
//!    └── release: ioc_busy = false, ioc_id = 0, waiters woken
//! ```
//!
//! An answer is filed only while ioc_id equals its id and nothing is
//! filed: one answer per request, ids are never 0. Anything else is
//! stale (an ioctl given up, a duplicate, an id never issued): an
//! M_IOCACK/M_IOCNAK is freed, an M_COPYIN/M_COPYOUT is answered at once
//! with a failed M_IOCDATA (ECANCELED) so whoever sent it frees its
//! state, as SVR4's strrput does. A module must not answer a failed
//! M_IOCDATA. User memory is touched only in COPYING, without the lock.
//! Transparent ioctls wait without a time limit, as in every SVR4 stream
//! head (ic_timout INFTIM): a terminal module answers TCSETSW or TCSBRK
//! only when output has drained, which may take any time.
//! `Documentation/strclone/streams.rst`, "Transparent ioctls", is the
//! user-visible contract.

use super::{copy_out, errno, STRMSGSZ};
use crate::glue::cred;
use crate::streams::compat::Abi;
use crate::streams::inbox::Locked;
use crate::streams::msg::{CopyReq, IocBlk, IocCred, Mblk, Msg, MsgType, TRANSPARENT};
use crate::streams::stream::{Qid, Stream};
use crate::uapi;
use kernel::{
    prelude::*,
    sync::{Arc, CondVarTimeoutResult},
    time::{msecs_to_jiffies, Jiffies},
    uaccess::{UserPtr, UserSlice},
};

/// How an ioctl the stream head sent on its own behalf ended
/// ([`Stream::head_ioctl_msg`]).
pub(super) enum IocOutcome {
    /// Acknowledged.
    Done,
    /// Refused (`M_IOCNAK`, or an acknowledgement with an errno).
    Refused(Error),
    /// Sent, but no answer came: timeout (`ETIME`), a signal, a hangup.
    /// Whoever received it may have acted on it.
    Unanswered(Error),
    /// Never sent (no memory, the ioctl slot stayed busy, a hangup).
    NotSent(Error),
}

/// Highest errno a user may see (`EHWPOISON`); the kernel-internal ones
/// above it (`ERESTARTSYS`...) must never reach user space.
const MAX_USER_ERRNO: i32 = 133;

// The header's `TRANSPARENT` is the one the messages carry.
const _: () = assert!(TRANSPARENT == uapi::TRANSPARENT);

/// The errno of a negative ioctl answer (or of a positive one that carries
/// an error, as SVR4 allows): `e` when a user may see it, `none` when the
/// answer carries none, `EINVAL` for anything else.
fn answer_errno(e: i32, none: Error) -> Error {
    match e {
        0 => none,
        1..=MAX_USER_ERRNO => errno(e),
        _ => EINVAL,
    }
}

/// The caller's credentials, for `ioc_cr` and `cp_cr`.
fn caller_cred() -> IocCred {
    IocCred {
        uid: cred::euid(),
        admin: cred::capable_sys_admin(),
    }
}

/// `secs` seconds in jiffies.
fn secs_to_jiffies(secs: i32) -> Jiffies {
    msecs_to_jiffies((secs.max(0) as u32).saturating_mul(1000))
}

impl Stream {
    /// `I_STR`; `abi` is the caller's layout of `struct strioctl`. After a
    /// hangup `ENXIO`, after an `M_ERROR` its errno (`errs.rs`), before
    /// the argument is read (as illumos).
    pub(super) fn i_str(self: &Arc<Self>, arg: usize, abi: Abi) -> Result<isize> {
        self.ioctl_gone()?;
        let uptr = UserPtr::from_addr(arg);
        let s = abi.read_strioctl(arg)?;
        if s.ic_len < 0 || s.ic_len as usize > STRMSGSZ || s.ic_timout < -1 {
            return Err(EINVAL);
        }
        let data = if s.ic_len > 0 {
            let n = s.ic_len as usize;
            let mut r = UserSlice::new(UserPtr::from_addr(s.ic_dp as usize), n).reader();
            Some(Mblk::from_user(
                &mut r,
                n,
                MsgType::Data.0,
                GFP_KERNEL_ACCOUNT,
            )?)
        } else {
            None
        };
        let tmo = match s.ic_timout {
            0 => Some(uapi::STRCLONE_STR_DEFAULT_TIMEOUT),
            -1 => None,
            t => Some(t),
        };
        let cr = caller_cred();
        let ioc = IocBlk {
            cmd: s.ic_cmd as u32,
            id: 0,
            count: s.ic_len as u32,
            error: 0,
            rval: 0,
            cr,
        };
        let m = ioc.into_msg(data, GFP_KERNEL_ACCOUNT)?;

        let id = self.claim_ioc_slot(tmo)?;
        let result = self.ioc_exchange(id, m, cr, tmo);
        self.release_ioc_slot();
        let reply = result?;
        let ioc = reply.ioc();
        if reply.ty() == MsgType::IocNak || ioc.error != 0 {
            // A driver that answers "no" without an errno means EINVAL.
            return Err(answer_errno(ioc.error, EINVAL));
        }
        let out = reply.data_to_vec(GFP_KERNEL_ACCOUNT)?;
        if !out.is_empty() {
            let mut w = UserSlice::new(UserPtr::from_addr(s.ic_dp as usize), out.len()).writer();
            w.write_slice(&out)?;
        }
        // Write back ic_len (offset 8 in struct strioctl, in both layouts).
        let mut w = UserSlice::new(uptr.wrapping_byte_add(8), 4).writer();
        w.write(&(out.len() as i32))?;
        Ok(ioc.rval as isize)
    }

    /// A transparent ioctl: `cmd` with the caller's `arg`, for whichever
    /// module or driver knows it. Its return value is the answer's
    /// `ioc_rval`. After a hangup `ENXIO` and after an `M_ERROR` its errno
    /// (`errs.rs`): nothing goes down.
    pub(super) fn transparent(self: &Arc<Self>, cmd: u32, arg: usize) -> Result<isize> {
        self.ioctl_gone()?;
        let cr = caller_cred();
        let argm = Mblk::with(
            MsgType::Data,
            &(arg as u64).to_le_bytes(),
            GFP_KERNEL_ACCOUNT,
        )?;
        let ioc = IocBlk {
            cmd,
            id: 0,
            count: TRANSPARENT,
            error: 0,
            rval: 0,
            cr,
        };
        let m = ioc.into_msg(Some(argm), GFP_KERNEL_ACCOUNT)?;
        let id = self.claim_ioc_slot(None)?;
        let result = self.ioc_exchange(id, m, cr, None);
        self.release_ioc_slot();
        let reply = result?;
        let ioc = reply.ioc();
        if reply.ty() == MsgType::IocNak || ioc.error != 0 {
            // Nobody knew the command (or said no without an errno).
            return Err(answer_errno(ioc.error, ENOTTY));
        }
        Ok(ioc.rval as isize)
    }

    /// An ioctl the stream head sends on its own behalf (`I_LINK`,
    /// `I_UNLINK`...: `head/link.rs`): an `M_IOCTL` of `cmd` whose data is
    /// `data`, with the caller's credentials, through the same slot and
    /// protocol as `I_STR`, with `I_STR`'s default timeout for the slot and
    /// for the answer.
    pub(super) fn head_ioctl_msg(self: &Arc<Self>, cmd: u32, data: Mblk) -> IocOutcome {
        let cr = caller_cred();
        let m = match head_ioc(cmd, data, cr) {
            Ok(m) => m,
            Err(e) => return IocOutcome::NotSent(e),
        };
        let tmo = Some(uapi::STRCLONE_STR_DEFAULT_TIMEOUT);
        let id = match self.claim_ioc_slot(tmo) {
            Ok(id) => id,
            Err(e) => return IocOutcome::NotSent(e),
        };
        let result = self.ioc_exchange(id, m, cr, tmo);
        self.release_ioc_slot();
        match result {
            Err(e) => IocOutcome::Unanswered(e),
            Ok(reply) => {
                let ioc = reply.ioc();
                if reply.ty() == MsgType::IocNak || ioc.error != 0 {
                    IocOutcome::Refused(answer_errno(ioc.error, EINVAL))
                } else {
                    IocOutcome::Done
                }
            }
        }
    }

    /// Sends an `M_IOCTL` of `cmd` with `data` down without the ioctl slot
    /// and without waiting: the head has to tell the driver something whose
    /// answer it cannot wait for (the slot is busy, a signal is pending, the
    /// stream hung up: `head/link.rs`). Its id is 0, so an answer is stale
    /// and freed when it comes.
    pub(super) fn head_ioctl_tell(self: &Arc<Self>, cmd: u32, data: Mblk) -> Result {
        let m = head_ioc(cmd, data, caller_cred())?;
        self.putnext(Qid::HeadW, m);
        Ok(())
    }

    /// Sleeps on the stream's wait queue, the lock dropped meanwhile, for
    /// at most `left` (`None`: no limit), which is reduced by the time
    /// slept. `Ok(true)`: woken; `Ok(false)`: `left` ran out;
    /// `ERESTARTSYS`: a signal.
    fn sleep(&self, inner: &mut Locked<'_>, left: &mut Option<Jiffies>) -> Result<bool> {
        match *left {
            None => {
                if self.sleep_locked_interruptible(inner) {
                    Err(ERESTARTSYS)
                } else {
                    Ok(true)
                }
            }
            Some(j) => match self.sleep_locked_timeout(inner, j) {
                CondVarTimeoutResult::Timeout => Ok(false),
                CondVarTimeoutResult::Signal { .. } => Err(ERESTARTSYS),
                CondVarTimeoutResult::Woken { jiffies } => {
                    *left = Some(jiffies);
                    Ok(true)
                }
            },
        }
    }

    /// Waits until the stream's ioctl slot is free and takes it, for at
    /// most `tmo` seconds (`None`: no limit; `ETIME` after it); returns the
    /// id the ioctl's answers must carry, which is accepted from now on.
    /// `ENXIO` once the stream hung up.
    fn claim_ioc_slot(&self, tmo: Option<i32>) -> Result<u32> {
        let mut left = tmo.map(secs_to_jiffies);
        let mut timed_out = false;
        let mut inner = self.lock();
        loop {
            // Linked under a multiplexor since the ioctl's first check.
            if inner.head.link.is_some() {
                return Err(EINVAL);
            }
            if inner.head.hangup {
                return Err(ENXIO);
            }
            if !inner.head.ioc_busy {
                inner.head.ioc_busy = true;
                let id = inner.head.ioc_next;
                inner.head.ioc_next = inner.head.ioc_next.wrapping_add(1).max(1);
                inner.head.ioc_id = id;
                inner.head.ioc_reply = None;
                return Ok(id);
            }
            if timed_out {
                return Err(ETIME);
            }
            timed_out = !self.sleep(&mut inner, &mut left)?;
        }
    }

    /// Gives the ioctl slot back and wakes whoever waits for it.
    fn release_ioc_slot(&self) {
        {
            let mut inner = self.lock();
            inner.head.ioc_busy = false;
            inner.head.ioc_id = 0;
            inner.head.ioc_reply = None;
        }
        self.wait.notify_all();
    }

    /// Sends `m`, the `M_IOCTL` of ioctl `id` (the slot is held and the id
    /// accepted), and serves the copy requests it brings until the final
    /// answer, `M_IOCACK` or `M_IOCNAK`, which is returned. `cr` goes on
    /// every `M_IOCDATA`; `tmo` is the seconds each answer may take
    /// (`None`: no limit).
    fn ioc_exchange(
        self: &Arc<Self>,
        id: u32,
        mut m: Mblk,
        cr: IocCred,
        tmo: Option<i32>,
    ) -> Result<Mblk> {
        let mut ioc = m.ioc();
        ioc.id = id;
        m.set_ioc(&ioc);
        let mut next = m;
        loop {
            self.putnext(Qid::HeadW, next);
            let reply = self.ioc_wait(tmo)?;
            if !matches!(reply.ty(), MsgType::CopyIn | MsgType::CopyOut) {
                return Ok(reply);
            }
            next = self.ioc_copy(id, reply, cr)?;
        }
    }

    /// Waits for the answer to what was just sent (WAITING above). On
    /// hangup (`ENXIO`), timeout (`ETIME`) or a signal (`ERESTARTSYS`) the
    /// ioctl is given up, unless an answer was filed by then.
    fn ioc_wait(&self, tmo: Option<i32>) -> Result<Mblk> {
        let mut left = tmo.map(secs_to_jiffies);
        let mut inner = self.lock();
        let err = loop {
            if let Some(r) = inner.head.ioc_reply.take() {
                return Ok(r);
            }
            if inner.head.hangup {
                break ENXIO;
            }
            match self.sleep(&mut inner, &mut left) {
                Ok(true) => {}
                Ok(false) => break ETIME,
                Err(e) => break e,
            }
        };
        if let Some(r) = inner.head.ioc_reply.take() {
            return Ok(r);
        }
        // Given up: whatever comes for this ioctl now is stale.
        inner.head.ioc_id = 0;
        Err(err)
    }

    /// Serves the copy request `req` of ioctl `id` (COPYING above): copies
    /// between the caller's memory and the message with no lock held, and
    /// turns `req` into its `M_IOCDATA`. Returns it, with the id accepted
    /// again, for the caller to send; a copy that fails sends its failed
    /// `M_IOCDATA` here and returns the errno.
    fn ioc_copy(self: &Arc<Self>, id: u32, mut req: Mblk, cr: IocCred) -> Result<Mblk> {
        let cq = req.copyreq();
        let copied = if req.ty() == MsgType::CopyIn {
            copy_in(&cq)
        } else {
            let data = req.take_cont();
            copy_out_msg(cq.addr, cq.size, data.as_deref()).map(|()| None)
        };
        let (rval, data, failed) = match copied {
            Ok(d) => (0, d, None),
            Err(e) => (-e.to_errno(), None, Some(e)),
        };
        if let Err(e) = req.iocdata(rval, cr, data, GFP_KERNEL_ACCOUNT) {
            // No memory for the answer: nothing can be sent.
            return Err(failed.unwrap_or(e));
        }
        if let Some(e) = failed {
            self.putnext(Qid::HeadW, req);
            return Err(e);
        }
        self.lock().head.ioc_id = id;
        Ok(req)
    }

    /// `strrput` for the answers of an ioctl (`M_IOCACK`, `M_IOCNAK`,
    /// `M_COPYIN`, `M_COPYOUT`): files the one the caller waits for (see
    /// the state machine above). A stale `M_IOCACK`/`M_IOCNAK` is freed; a
    /// stale copy request is answered with a failed `M_IOCDATA`, so that
    /// whoever sent it frees its state.
    pub(crate) fn ioc_reply_arrived(self: &Arc<Self>, mut m: Mblk) {
        let id = m.ioc().id;
        {
            let mut inner = self.lock();
            if id != 0 && inner.head.ioc_id == id && inner.head.ioc_reply.is_none() {
                inner.head.ioc_reply = Some(m);
                inner.head.ioc_id = 0;
                drop(inner);
                self.wait.notify_all();
                return;
            }
        }
        if matches!(m.ty(), MsgType::CopyIn | MsgType::CopyOut) && !self.is_closed() {
            let cr = m.copyreq().cr;
            if m.iocdata(-ECANCELED.to_errno(), cr, None, GFP_ATOMIC)
                .is_ok()
            {
                self.putnext(Qid::HeadW, m);
            }
        }
    }
}

/// The `M_IOCTL` of an ioctl the stream head sends on its own behalf: `cmd`
/// with `data` (all of it counted in `ioc_count`) and credentials `cr`.
fn head_ioc(cmd: u32, data: Mblk, cr: IocCred) -> Result<Mblk> {
    let ioc = IocBlk {
        cmd,
        id: 0,
        count: data.size() as u32,
        error: 0,
        rval: 0,
        cr,
    };
    ioc.into_msg(Some(data), GFP_KERNEL_ACCOUNT)
}

/// The data of an `M_COPYIN`: `cq_size` bytes at `cq_addr` of the caller's
/// memory (`EFAULT` if they cannot be read; `EINVAL` above
/// `STRCLONE_STRMSGSZ`), `None` for 0 bytes.
fn copy_in(req: &CopyReq) -> Result<Option<Mblk>> {
    let n = req.size as usize;
    if n > STRMSGSZ {
        return Err(EINVAL);
    }
    if n == 0 {
        return Ok(None);
    }
    let mut r = UserSlice::new(UserPtr::from_addr(req.addr as usize), n).reader();
    Mblk::from_user(&mut r, n, MsgType::Data.0, GFP_KERNEL_ACCOUNT).map(Some)
}

/// Writes the data of an `M_COPYOUT` at `addr` of the caller's memory: the
/// chained blocks, at most `size` bytes.
fn copy_out_msg(addr: u64, size: u32, data: Option<&Msg>) -> Result {
    let mut left = size as usize;
    let mut at = addr;
    let mut cur = data;
    while let Some(b) = cur {
        if left == 0 {
            break;
        }
        let n = b.len().min(left);
        copy_out(at, &b.bytes()[..n])?;
        at = at.wrapping_add(n as u64);
        left -= n;
        cur = b.cont();
    }
    Ok(())
}
