// SPDX-License-Identifier: GPL-2.0

//! The stream head: what `read(2)`, `write(2)`, `poll(2)` and the STREAMS
//! ioctls do on a stream file. `Documentation/strclone/streams.rst` is the
//! user-visible contract, with every errno.
//!
//! User memory is never touched under the stream spinlock: a reader takes a
//! message off the head queue, copies it out with the lock dropped, and puts
//! back what did not fit.

use super::msg::{
    CopyReq, IocBlk, IocCred, Mblk, Msg, MsgType, FLUSHR, FLUSHRW, FLUSHW, RMSGD, RNORM,
    TRANSPARENT,
};
use super::queue::QLimits;
use super::stream::{Inner, Qid, Stream, TargetIoctl};
use crate::glue::{cred, node::FileOps, pgrp::Pgrp};
use crate::uapi;
use kernel::{
    fs::{file::flags::O_NONBLOCK, File},
    iov::{IovIterDest, IovIterSource},
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    sync::{poll::PollTable, Arc, ArcBorrow, CondVarTimeoutResult, SpinLockGuard},
    time::{msecs_to_jiffies, Jiffies},
    uaccess::{UserPtr, UserSlice},
};

/// Linux's `TIOCGPGRP` and `TIOCSPGRP` (x86_64).
const TIOCGPGRP: u32 = 0x540f;
const TIOCSPGRP: u32 = 0x5410;

/// Largest data part the head accepts (`strmsgsz`).
pub(crate) const STRMSGSZ: usize = uapi::STRCLONE_STRMSGSZ;
/// Largest control part (`strctlsz`).
pub(crate) const STRCTLSZ: usize = uapi::STRCLONE_STRCTLSZ;

const POLLIN: u32 = 0x0001;
const POLLPRI: u32 = 0x0002;
const POLLOUT: u32 = 0x0004;
const POLLERR: u32 = 0x0008;
const POLLHUP: u32 = 0x0010;
const POLLRDNORM: u32 = 0x0040;
const POLLWRNORM: u32 = 0x0100;

fn errno(e: i32) -> Error {
    Error::from_errno(-e)
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
    /// Blocks (or fails `EAGAIN`) until the queue below the head can take a
    /// normal message, and returns that queue's limits. Fails with the
    /// hangup/error errno, or `ERANGE` first when `len` (the size of a
    /// write not yet started) is below the queue's minimum packet size.
    fn wait_writable(&self, nonblock: bool, len: Option<usize>) -> Result<QLimits> {
        let mut inner = self.inner.lock();
        if len.is_some_and(|n| n < inner.below_head_limits().minpsz) {
            return Err(ERANGE);
        }
        loop {
            if inner.head.hangup {
                return Err(EIO);
            }
            if inner.head.werr != 0 {
                return Err(errno(inner.head.werr));
            }
            if inner.canputnext(Qid::HeadW) {
                return Ok(inner.below_head_limits());
            }
            if nonblock {
                return Err(EAGAIN);
            }
            if self.wait.wait_interruptible(&mut inner) {
                return Err(ERESTARTSYS);
            }
        }
    }

    fn do_write(self: &Arc<Self>, buf: &mut IovIterSource<'_>, nonblock: bool) -> Result<usize> {
        let total = buf.len();
        if total == 0 {
            return Ok(0);
        }
        let mut sent = 0;
        while sent < total {
            // One lock round trip per chunk: the room below the head, and
            // the packet size to cut at (the queue below may change
            // between chunks: a push or a pop).
            let lim = match self.wait_writable(nonblock, (sent == 0).then_some(total)) {
                Ok(lim) => lim,
                Err(e) => return if sent > 0 { Ok(sent) } else { Err(e) },
            };
            let n = (total - sent).min(lim.maxpsz.clamp(1, STRMSGSZ));
            // After a first chunk went down, a later failure ends the write
            // short instead of hiding the bytes already sent.
            let partial = |e: Error| if sent > 0 { Ok(sent) } else { Err(e) };
            // One allocation of block, data block and data (up to a page),
            // filled straight from the user's buffer.
            let m = match Mblk::from_iter(buf, n, MsgType::Data.0, GFP_KERNEL_ACCOUNT) {
                Ok(m) => m,
                Err(e) => return partial(e),
            };
            // The whole chain: a chunk above a page is several blocks.
            let got = m.size();
            self.putnext(Qid::HeadW, m);
            sent += got;
            if got < n {
                // A fault in the middle of the user buffer.
                break;
            }
        }
        Ok(sent)
    }

    /// Takes the first message off the head read queue, waiting for one as
    /// `read(2)`/`getmsg` do. `hipri_only` waits for a high-priority one.
    /// `Ok(None)` is end of file (hangup and nothing queued).
    fn take_head(
        self: &Arc<Self>,
        nonblock: bool,
        hipri_only: bool,
        read_count: Option<usize>,
    ) -> Result<Option<Mblk>> {
        let mut inner = self.inner.lock();
        let mut told = false;
        loop {
            if inner.head.rerr != 0 {
                return Err(errno(inner.head.rerr));
            }
            let front_ok = match inner.head_rq_ref().front() {
                Some(m) => !hipri_only || m.ty().is_hipri(),
                None => false,
            };
            if front_ok {
                let (m, back) = inner.head_rq().getq();
                drop(inner);
                if back {
                    // The nearest queue below the head with a service
                    // procedure, a module's or the driver's, refills the
                    // head now, in this reader's context.
                    self.back_enable_now(Qid::HeadR);
                }
                return Ok(m);
            }
            if inner.head.hangup {
                return Ok(None);
            }
            if nonblock {
                return Err(EAGAIN);
            }
            if let (Some(count), true, false) = (read_count, inner.head.mread, told) {
                // SO_MREADON: tell the driver a reader is about to block, then
                // look again (the driver may have answered at once).
                told = true;
                drop(inner);
                if let Ok(m) = Mblk::with(
                    MsgType::Read,
                    &(count as u64).to_le_bytes(),
                    GFP_KERNEL_ACCOUNT,
                ) {
                    self.putnext(Qid::HeadW, m);
                }
                inner = self.inner.lock();
                continue;
            }
            if self.wait.wait_interruptible(&mut inner) {
                return Err(ERESTARTSYS);
            }
        }
    }

    fn do_read(self: &Arc<Self>, buf: &mut IovIterDest<'_>, nonblock: bool) -> Result<usize> {
        let want = buf.len();
        let mut done = 0;
        while done < want {
            // After the first message only take what is already there.
            let rdopt = {
                let inner = self.inner.lock();
                match inner.head_rq_ref().front() {
                    Some(m) if matches!(m.ty(), MsgType::Proto | MsgType::PcProto) => {
                        return if done > 0 { Ok(done) } else { Err(EBADMSG) };
                    }
                    None if done > 0 => return Ok(done),
                    _ => {}
                }
                u32::from(inner.head.rdopt)
            };
            let Some(m) = self.take_head(nonblock, false, Some(want - done))? else {
                return Ok(done);
            };
            if !matches!(m.ty(), MsgType::Data) {
                // Raced with a control message: put it back for getmsg.
                let empty = done == 0;
                self.putbq(Qid::HeadR, m);
                return if empty { Err(EBADMSG) } else { Ok(done) };
            }
            if m.size() == 0 {
                // A zero-length message ends the read.
                return Ok(done);
            }
            // Copy block by block; whatever does not fit goes back.
            let mut fault = false;
            let mut cur: Option<Mblk> = Some(m);
            let mut rest: Option<Mblk> = None;
            while let Some(mut b) = cur {
                let space = want - done;
                if space == 0 {
                    rest = Some(b);
                    break;
                }
                let n = b.len().min(space);
                let copied = buf.copy_to_iter(&b.bytes()[..n]);
                b.consume(copied);
                done += copied;
                if copied < n {
                    fault = true;
                }
                if b.len() > 0 {
                    rest = Some(b);
                    break;
                }
                cur = b.take_cont();
            }
            if let Some(r) = rest {
                // RMSGD: what the read left of the message is freed.
                if rdopt != RMSGD || fault {
                    self.putbq(Qid::HeadR, r);
                }
            }
            if fault {
                return if done > 0 { Ok(done) } else { Err(EFAULT) };
            }
            if rdopt != RNORM {
                // Message modes: one message per read (a terminal's
                // canonical mode: one line).
                return Ok(done);
            }
        }
        Ok(done)
    }

    fn poll_mask(&self) -> u32 {
        let mut inner = self.inner.lock();
        let mut mask = 0;
        if let Some(m) = inner.head_rq_ref().front() {
            if m.ty().is_hipri() {
                mask |= POLLPRI;
            }
            // Any normal message behind (or as) the front one.
            let mut normal = false;
            inner
                .head_rq_ref()
                .for_each(|m| normal |= !m.ty().is_hipri());
            if normal {
                mask |= POLLIN | POLLRDNORM;
            }
        }
        if inner.head.hangup {
            mask |= POLLHUP;
        } else if inner.canputnext(Qid::HeadW) {
            mask |= POLLOUT | POLLWRNORM;
        }
        if inner.head.rerr != 0 || inner.head.werr != 0 {
            mask |= POLLERR;
        }
        mask
    }

    // ---- ioctls ---------------------------------------------------------

    fn i_nread(&self, arg: usize) -> Result<isize> {
        let (msgs, first) = {
            let inner = self.inner.lock();
            let q = inner.head_rq_ref();
            (q.msgs(), q.front().map_or(0, |m| m.data_size()))
        };
        let mut w = UserSlice::new(UserPtr::from_addr(arg), 4).writer();
        w.write(&(first as i32))?;
        Ok(msgs as isize)
    }

    fn i_flush(self: &Arc<Self>, arg: usize) -> Result<isize> {
        let flags = match arg {
            a if a == usize::from(FLUSHR) => FLUSHR,
            a if a == usize::from(FLUSHW) => FLUSHW,
            a if a == usize::from(FLUSHRW) => FLUSHRW,
            _ => return Err(EINVAL),
        };
        if self.inner.lock().head.hangup {
            // Nothing goes downstream any more; flush the head only.
            if flags & FLUSHR != 0 {
                self.flushq(Qid::HeadR, false);
            }
            return Ok(0);
        }
        if flags & FLUSHR != 0 {
            self.flushq(Qid::HeadR, false);
        }
        let m = Mblk::flush(flags, GFP_KERNEL_ACCOUNT)?;
        self.putnext(Qid::HeadW, m);
        Ok(0)
    }

    fn i_canput(&self) -> Result<isize> {
        let mut inner = self.inner.lock();
        Ok(isize::from(
            !inner.head.hangup && inner.canputnext(Qid::HeadW),
        ))
    }

    // ---- Ioctls through the chain: I_STR and transparent ioctls ----------
    //
    // `I_STR` and every ioctl that neither the target's own hook nor the
    // stream head knows (sent down as an SVR4 *transparent* ioctl: `M_IOCTL`
    // with `ioc_count == TRANSPARENT` and the caller's argument in the
    // continuation) share one slot per stream and one protocol. The caller
    // drives it in process context; `ioc_reply_arrived` (the stream head's
    // read put procedure, any context) only files answers. Under the stream
    // lock, in `HeadState`:
    //
    //   ioc_busy   the slot is taken: one ioctl at a time (SVR4's IOCWAIT)
    //   ioc_id     the id whose answer is accepted now; 0: none
    //   ioc_reply  the accepted answer, until the caller takes it
    //
    //            claim the slot: wait while ioc_busy (I_STR: at most its
    //            timeout, ETIME; transparent: until a signal); hung up:
    //            I_STR EIO, transparent ENOTTY (nothing was sent)
    //   idle ──────────────────────────────────────────┐
    //    ▲                                             ▼
    //    │                         ┌───────► WAITING   ioc_id = id; the M_IOCTL or
    //    │                         │           │       M_IOCDATA goes down after
    //    │                         │           │       this is set
    //    │                         │           │ an answer carrying id arrives:
    //    │                         │           │ filed in ioc_reply, ioc_id = 0
    //    │                         │           ▼
    //    │   M_IOCACK / M_IOCNAK ◄─┼──────── ANSWERED  the caller takes ioc_reply
    //    │   rval / errno          │           │
    //    │                         │           │ M_COPYIN / M_COPYOUT
    //    │                         │           ▼
    //    │                         │         COPYING   lock dropped: the head copies
    //    │                         │           │       between the caller's memory
    //    │                         │           │       and the message
    //    │                         └───────────┤ copied: answer M_IOCDATA (cp_rval 0),
    //    │                                     │ back to WAITING
    //    │   copy failed (EFAULT...) ◄─────────┘ answer M_IOCDATA (cp_rval errno),
    //    │   nothing more is waited for          return the errno
    //    │
    //    │   WAITING ends without an answer on hangup (EIO), a signal
    //    │   (ERESTARTSYS) or, for I_STR, the timeout (ETIME, counted afresh
    //    │   for each answer); an answer filed by then is still used;
    //    │   afterwards ioc_id = 0
    //    └── release: ioc_busy = false, ioc_id = 0, waiters woken
    //
    // An answer is filed only while ioc_id equals its id and nothing is
    // filed: one answer per request, ids are never 0. Anything else is
    // stale (an ioctl given up, a duplicate, an id never issued): an
    // M_IOCACK/M_IOCNAK is freed, an M_COPYIN/M_COPYOUT is answered at once
    // with a failed M_IOCDATA (ECANCELED) so whoever sent it frees its
    // state, as SVR4's strrput does. A module must not answer a failed
    // M_IOCDATA. User memory is touched only in COPYING, without the lock.
    // Transparent ioctls wait without a time limit, as in every SVR4 stream
    // head (ic_timout INFTIM): a terminal module answers TCSETSW or TCSBRK
    // only when output has drained, which may take any time.
    // `Documentation/strclone/streams.rst`, "Transparent ioctls", is the
    // user-visible contract.

    fn i_str(self: &Arc<Self>, arg: usize) -> Result<isize> {
        let uptr = UserPtr::from_addr(arg);
        let mut r = UserSlice::new(uptr, uapi::STRIOCTL_SIZE).reader();
        let mut raw = [0u8; uapi::STRIOCTL_SIZE];
        r.read_slice(&mut raw)?;
        let s = uapi::Strioctl::decode(&raw);
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
        // Write back ic_len (offset 8 in struct strioctl).
        let mut w = UserSlice::new(uptr.wrapping_byte_add(8), 4).writer();
        w.write(&(out.len() as i32))?;
        Ok(ioc.rval as isize)
    }

    /// A transparent ioctl: `cmd` with the caller's `arg`, for whichever
    /// module or driver knows it. Its return value is the answer's
    /// `ioc_rval`.
    fn transparent(self: &Arc<Self>, cmd: u32, arg: usize) -> Result<isize> {
        // After a hangup nothing goes down, so nobody can know the command.
        if self.inner.lock().head.hangup {
            return Err(ENOTTY);
        }
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
        let id = match self.claim_ioc_slot(None) {
            Ok(id) => id,
            // Hung up while waiting for the slot: it was never sent.
            Err(e) if e == EIO => return Err(ENOTTY),
            Err(e) => return Err(e),
        };
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

    /// Sleeps on the stream's wait queue, the lock dropped meanwhile, for
    /// at most `left` (`None`: no limit), which is reduced by the time
    /// slept. `Ok(true)`: woken; `Ok(false)`: `left` ran out;
    /// `ERESTARTSYS`: a signal.
    fn sleep(
        &self,
        inner: &mut SpinLockGuard<'_, Inner>,
        left: &mut Option<Jiffies>,
    ) -> Result<bool> {
        match *left {
            None => {
                if self.wait.wait_interruptible(inner) {
                    Err(ERESTARTSYS)
                } else {
                    Ok(true)
                }
            }
            Some(j) => match self.wait.wait_interruptible_timeout(inner, j) {
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
    /// `EIO` once the stream hung up.
    fn claim_ioc_slot(&self, tmo: Option<i32>) -> Result<u32> {
        let mut left = tmo.map(secs_to_jiffies);
        let mut timed_out = false;
        let mut inner = self.inner.lock();
        loop {
            if inner.head.hangup {
                return Err(EIO);
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
            let mut inner = self.inner.lock();
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
    /// hangup (`EIO`), timeout (`ETIME`) or a signal (`ERESTARTSYS`) the
    /// ioctl is given up, unless an answer was filed by then.
    fn ioc_wait(&self, tmo: Option<i32>) -> Result<Mblk> {
        let mut left = tmo.map(secs_to_jiffies);
        let mut inner = self.inner.lock();
        let err = loop {
            if let Some(r) = inner.head.ioc_reply.take() {
                return Ok(r);
            }
            if inner.head.hangup {
                break EIO;
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
        self.inner.lock().head.ioc_id = id;
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
            let mut inner = self.inner.lock();
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

    fn i_putmsg(self: &Arc<Self>, arg: usize, nonblock: bool) -> Result<isize> {
        let mut raw = [0u8; uapi::STRPMSG_SIZE];
        UserSlice::new(UserPtr::from_addr(arg), uapi::STRPMSG_SIZE)
            .reader()
            .read_slice(&mut raw)?;
        let p = uapi::Strpmsg::decode(&raw);
        if p.flags != 0 && p.flags != uapi::RS_HIPRI {
            return Err(EINVAL);
        }
        let hipri = p.flags == uapi::RS_HIPRI;
        let has_ctl = p.ctl.len >= 0;
        let has_data = p.data.len >= 0;
        if hipri && !has_ctl {
            return Err(EINVAL);
        }
        if !has_ctl && !has_data {
            return Ok(0);
        }
        if has_ctl && p.ctl.len as usize > STRCTLSZ {
            return Err(ERANGE);
        }
        let lim = self.inner.lock().below_head_limits();
        if has_data {
            let n = p.data.len as usize;
            if n > STRMSGSZ || n > lim.maxpsz || n < lim.minpsz {
                return Err(ERANGE);
            }
        }
        let read = |b: &uapi::Strbuf, ty: MsgType| -> Result<Mblk> {
            let n = b.len.max(0) as usize;
            let mut r = UserSlice::new(UserPtr::from_addr(b.buf as usize), n).reader();
            Mblk::from_user(&mut r, n, ty.0, GFP_KERNEL_ACCOUNT)
        };
        let data = if has_data {
            Some(read(&p.data, MsgType::Data)?)
        } else {
            None
        };
        let m = if has_ctl {
            let ty = if hipri {
                MsgType::PcProto
            } else {
                MsgType::Proto
            };
            let mut m = read(&p.ctl, ty)?;
            if let Some(d) = data {
                m.link_cont(d);
            }
            m
        } else {
            match data {
                Some(d) => d,
                None => return Ok(0),
            }
        };
        if hipri {
            let inner = self.inner.lock();
            if inner.head.hangup {
                return Err(EIO);
            }
            if inner.head.werr != 0 {
                return Err(errno(inner.head.werr));
            }
        } else {
            self.wait_writable(nonblock, None)?;
        }
        self.putnext(Qid::HeadW, m);
        Ok(0)
    }

    fn i_getmsg(self: &Arc<Self>, arg: usize, nonblock: bool) -> Result<isize> {
        let uptr = UserPtr::from_addr(arg);
        let mut raw = [0u8; uapi::STRPMSG_SIZE];
        UserSlice::new(uptr, uapi::STRPMSG_SIZE)
            .reader()
            .read_slice(&mut raw)?;
        let mut p = uapi::Strpmsg::decode(&raw);
        let hipri_only = match p.flags {
            0 | uapi::MSG_ANY => false,
            uapi::RS_HIPRI => true,
            _ => return Err(EINVAL),
        };
        // The structure is written back at the end: a read-only one fails
        // now, before a message is taken.
        write_pmsg(uptr, &p)?;
        let Some(mut m) = self.take_head(nonblock, hipri_only, None)? else {
            // End of file.
            p.ctl.len = 0;
            p.data.len = 0;
            p.flags = 0;
            return write_pmsg(uptr, &p).map(|()| 0);
        };
        let ty = m.ty();
        let out_flags = if ty.is_hipri() { uapi::RS_HIPRI } else { 0 };
        let mut more = 0;

        // Copy to user space first and change the message only once every
        // copy succeeded: a bad buffer (EFAULT) puts it back whole.
        if let Err(e) = copy_getmsg(&m, &p) {
            self.putbq(Qid::HeadR, m);
            self.wait.notify_all();
            return Err(e);
        }

        // Split the message: control block (if any) and the data chain.
        let (mut ctl, mut data) = if ty == MsgType::Data {
            (None, Some(m))
        } else {
            let d = m.take_cont();
            (Some(m), d)
        };

        // Control part.
        match ctl.as_mut() {
            None => p.ctl.len = -1,
            Some(c) if p.ctl.maxlen < 0 => {
                p.ctl.len = -1;
                if c.len() > 0 || ty != MsgType::Data {
                    more |= uapi::MORECTL;
                }
            }
            Some(c) => {
                let n = c.len().min(p.ctl.maxlen as usize);
                c.consume(n);
                p.ctl.len = n as i32;
                if c.len() > 0 {
                    more |= uapi::MORECTL;
                }
            }
        }
        // Data part: copy across the data blocks.
        let mut copied = 0usize;
        if p.data.maxlen < 0 {
            p.data.len = -1;
            if data.as_ref().is_some_and(|d| d.size() > 0) {
                more |= uapi::MOREDATA;
            }
        } else if data.is_none() {
            p.data.len = -1;
        } else {
            let cap = p.data.maxlen as usize;
            let mut cur = data.take();
            let mut rest: Option<Mblk> = None;
            while let Some(mut b) = cur {
                let n = b.len().min(cap - copied);
                if n > 0 {
                    b.consume(n);
                    copied += n;
                }
                if b.len() > 0 {
                    rest = Some(b);
                    break;
                }
                cur = b.take_cont();
            }
            p.data.len = copied as i32;
            if rest.is_some() {
                more |= uapi::MOREDATA;
            }
            data = rest;
        }

        // Put back what was not retrieved, keeping the message's class.
        let remainder = match (ctl, data) {
            (Some(mut c), d) if more & uapi::MORECTL != 0 => {
                if let Some(d) = d {
                    c.link_cont(d);
                }
                Some(c)
            }
            (Some(c), Some(d)) if ty.is_hipri() => {
                // Keep high priority: an empty control block stays in front.
                let mut c = c;
                c.link_cont(d);
                Some(c)
            }
            (_, Some(mut d)) => {
                d.set_ty(MsgType::Data);
                Some(d)
            }
            _ => None,
        };
        if let Some(r) = remainder {
            self.putbq(Qid::HeadR, r);
            self.wait.notify_all();
        }
        p.flags = out_flags;
        write_pmsg(uptr, &p)?;
        Ok(more as isize)
    }

    /// `TIOCGPGRP` and `TIOCSPGRP` on a terminal stream (`SO_ISTTY`): the
    /// foreground process group, which must be in the caller's session
    /// (`EPERM`; `ESRCH` for no such group, `EINVAL` for a number <= 0).
    /// There is no controlling terminal (yet): any caller with the stream
    /// open may set it, as long as the group is in its own session.
    fn tty_pgrp(&self, cmd: u32, arg: usize) -> Result<isize> {
        let uptr = UserPtr::from_addr(arg);
        if cmd == TIOCGPGRP {
            let nr = self.inner.lock().head.pgrp.as_ref().map_or(0, |p| p.nr());
            UserSlice::new(uptr, 4).writer().write(&nr)?;
            return Ok(0);
        }
        let mut b = [0u8; 4];
        UserSlice::new(uptr, 4).reader().read_slice(&mut b)?;
        let p = Pgrp::of_caller_session(i32::from_ne_bytes(b))?;
        let old = self.inner.lock().head.pgrp.replace(p);
        drop(old);
        Ok(0)
    }

    fn getdev(&self, arg: usize) -> Result<isize> {
        let mut w = UserSlice::new(UserPtr::from_addr(arg), uapi::DEVINFO_SIZE).writer();
        w.write(&self.major())?;
        w.write(&self.minor())?;
        Ok(0)
    }

    /// The stream head's ioctls; `target` sees the call first, and what
    /// neither knows goes down as a transparent ioctl.
    pub(crate) fn head_ioctl(
        self: &Arc<Self>,
        file: &File,
        cmd: u32,
        arg: usize,
        target: Option<&dyn TargetIoctl>,
    ) -> Result<isize> {
        if let Some(t) = target {
            if let Some(r) = t.ioctl(self, file, cmd, arg) {
                return r;
            }
        }
        let nonblock = file.flags() & O_NONBLOCK != 0;
        if let Some(r) = self.tty_ioctl(cmd, arg) {
            return r;
        }
        if matches!(cmd, TIOCSPGRP | TIOCGPGRP) {
            let istty = self.inner.lock().head.istty;
            if istty {
                return self.tty_pgrp(cmd, arg);
            }
        }
        match cmd {
            uapi::I_NREAD => self.i_nread(arg),
            uapi::I_FLUSH => self.i_flush(arg),
            uapi::I_STR => self.i_str(arg),
            uapi::I_PUTMSG => self.i_putmsg(arg, nonblock),
            uapi::I_GETMSG => self.i_getmsg(arg, nonblock),
            uapi::I_CANPUT => self.i_canput(),
            uapi::I_PUSH => self.i_push(arg),
            uapi::I_POP => self.i_pop(),
            uapi::I_LOOK => self.i_look(arg),
            uapi::I_FIND => self.i_find(arg),
            uapi::I_LIST => self.i_list(arg),
            uapi::I_ANCHOR => self.i_anchor(),
            uapi::STRCLONE_GETDEV => self.getdev(arg),
            _ => self.transparent(cmd, arg),
        }
    }
}

/// The copies of `getmsg`: as much of `m`'s control part and data as the
/// caller's buffers take (the same amounts [`Stream::i_getmsg`] then
/// consumes). Changes nothing.
fn copy_getmsg(m: &Msg, p: &uapi::Strpmsg) -> Result {
    let data = if m.ty() == MsgType::Data {
        Some(m)
    } else {
        if p.ctl.maxlen >= 0 {
            let n = m.len().min(p.ctl.maxlen as usize);
            copy_out(p.ctl.buf, &m.bytes()[..n])?;
        }
        m.cont()
    };
    if p.data.maxlen < 0 {
        return Ok(());
    }
    let cap = p.data.maxlen as usize;
    let mut copied = 0usize;
    let mut cur = data;
    while let Some(b) = cur {
        let n = b.len().min(cap - copied);
        if n > 0 {
            copy_out(p.data.buf.wrapping_add(copied as u64), &b.bytes()[..n])?;
            copied += n;
        }
        if b.len() > n {
            break;
        }
        cur = b.cont();
    }
    Ok(())
}

fn copy_out(addr: u64, bytes: &[u8]) -> Result {
    if bytes.is_empty() {
        return Ok(());
    }
    UserSlice::new(UserPtr::from_addr(addr as usize), bytes.len())
        .writer()
        .write_slice(bytes)
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

fn write_pmsg(uptr: UserPtr, p: &uapi::Strpmsg) -> Result {
    UserSlice::new(uptr, uapi::STRPMSG_SIZE)
        .writer()
        .write_slice(&p.encode())
}

impl FileOps for Stream {
    fn read(this: ArcBorrow<'_, Self>, buf: &mut IovIterDest<'_>, nonblock: bool) -> Result<usize> {
        let s: Arc<Stream> = this.into();
        s.do_read(buf, nonblock)
    }

    fn write(
        this: ArcBorrow<'_, Self>,
        buf: &mut IovIterSource<'_>,
        nonblock: bool,
    ) -> Result<usize> {
        let s: Arc<Stream> = this.into();
        s.do_write(buf, nonblock)
    }

    fn poll(this: ArcBorrow<'_, Self>, file: &File, table: PollTable<'_>) -> u32 {
        table.register_wait(file, &this.wait);
        this.poll_mask()
    }

    fn ioctl(this: ArcBorrow<'_, Self>, file: &File, cmd: u32, arg: usize) -> Result<isize> {
        let s: Arc<Stream> = this.into();
        let target = s.driver().target_ioctl();
        s.head_ioctl(file, cmd, arg, target)
    }

    fn show_fdinfo(this: ArcBorrow<'_, Self>, m: &SeqFile) {
        seq_print!(m, "strclone-major:\t{}\n", this.major());
        seq_print!(m, "strclone-minor:\t{}\n", this.minor());
        seq_print!(m, "strclone-opener-pid:\t{}\n", this.owner_pid());
        let mut names = [None; super::plumbing::NSTRPUSH_MAX];
        let n = this
            .module_names(&mut names)
            .min(super::plumbing::NSTRPUSH_MAX);
        seq_print!(m, "strclone-modules:\t");
        for (i, name) in names[..n].iter().flatten().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            seq_print!(m, "{}{}", sep, name.to_str().unwrap_or("?"));
        }
        seq_print!(m, "\n");
    }

    fn release(this: Arc<Self>) {
        this.release();
    }
}
