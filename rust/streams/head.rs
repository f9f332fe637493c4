// SPDX-License-Identifier: GPL-2.0

//! The stream head: what `read(2)`, `write(2)`, `poll(2)` and the STREAMS
//! ioctls do on a stream file. `Documentation/strclone/streams.rst` is the
//! user-visible contract, with every errno.
//!
//! User memory is never touched under the stream spinlock: a reader takes a
//! message off the head queue, copies it out with the lock dropped, and puts
//! back what did not fit.
//!
//! This file has reads, writes, poll, the ioctls the head answers itself
//! and their dispatch; three parts have files of their own:
//!
//! - [`strrput`]: the head's read put procedure, what a message arriving
//!   from below does;
//! - [`ioctl`]: `I_STR` and transparent ioctls, the protocol (and its state
//!   machine) by which an ioctl travels down the chain and is answered;
//! - [`msgio`]: `getmsg`/`getpmsg` and `putmsg`/`putpmsg`;
//! - [`link`]: `I_LINK`, `I_PLINK`, `I_UNLINK`, `I_PUNLINK` (the link
//!   itself is `streams/mux.rs`'s), and `EINVAL` on a linked stream;
//! - [`bands`]: the band ioctls (`I_FLUSHBAND`, `I_CKBAND`, `I_GETBAND`,
//!   `I_CANPUT`, `I_ATMARK`) and the band part of `poll`;
//! - [`options`]: the read and write options (`I_SRDOPT`... `I_GWROPT`);
//! - [`peek`]: the `I_PEEK` ioctl;
//! - [`fdinsert`]: the `I_FDINSERT` ioctl;
//! - [`passfp`]: `I_RECVFD` (a pipe's driver answers `I_SENDFD`);
//! - [`sigpoll`]: `I_SETSIG`/`I_GETSIG` and `O_ASYNC`, the signals of
//!   asynchronous notification;
//! - [`close`]: `I_SETCLTIME`/`I_GETCLTIME` and the last close's wait for
//!   the write side to drain;
//! - [`errs`]: SVR4's error conventions: what a hung-up stream or one with
//!   an `M_ERROR` answers, and the access modes `getmsg`/`putmsg` need.
//!
//! 32-bit programs come in through [`FileOps::compat_ioctl`] with the same
//! dispatch: the ioctls whose argument holds a pointer read it through
//! [`Abi`] (`crate::streams::compat`).

mod bands;
mod close;
mod errs;
mod fdinsert;
mod ioctl;
mod link;
mod msgio;
mod options;
mod passfp;
mod peek;
mod sigpoll;
mod strrput;

use super::compat::Abi;
use super::msg::{Mblk, Msg, MsgList, MsgType, FLUSHR, FLUSHRW, FLUSHW, MSGMARK, RMSGD, RNORM};
use super::queue::QLimits;
use super::stream::{Inner, Qid, Stream};
use crate::glue::{node::FileOps, pgrp::Pgrp};
use crate::uapi;
use kernel::{
    fs::{file::flags::O_NONBLOCK, File},
    iov::{IovIterDest, IovIterSource},
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    sync::{poll::PollTable, Arc, SpinLockGuard},
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
const POLLNVAL: u32 = 0x0020;
const POLLRDNORM: u32 = 0x0040;
const POLLRDBAND: u32 = 0x0080;
const POLLWRNORM: u32 = 0x0100;
const POLLWRBAND: u32 = 0x0200;

/// Which message a reader takes from the front of the head read queue.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(super) enum Want {
    /// Whatever is first (`read`, `getmsg`, `getpmsg` with `MSG_ANY`).
    Any,
    /// A high-priority message only (`RS_HIPRI`, `MSG_HIPRI`).
    HiPri,
    /// A high-priority message or a normal one of this band or above
    /// (`getpmsg` with `MSG_BAND`).
    Band(u8),
}

/// The `Error` of a positive errno number.
fn errno(e: i32) -> Error {
    Error::from_errno(-e)
}

/// What a byte-stream read takes behind its first message in the same lock
/// round trip (`Stream::take_head_locked`).
struct Batch {
    /// The read's count still open.
    budget: usize,
    /// The plain data messages taken behind the first, in order.
    list: MsgList,
    /// The head read queue was empty when the batch ended: the read has
    /// all there was, and need not look again.
    drained: bool,
}

/// A message a byte-stream read may take behind the first in one go:
/// `M_DATA` with bytes, without a mark (a marked message or a zero-length
/// one ends a read before it).
fn plain_data(m: &Msg) -> bool {
    m.ty() == MsgType::Data && m.flag() & MSGMARK == 0 && m.size() > 0
}

impl Stream {
    /// Blocks (or fails `EAGAIN`) until the queue below the head can take a
    /// normal message of band `band`, and returns that queue's limits, with
    /// whether the driver's write queue is idle with nothing pushed
    /// (`Inner::drv_w_idle`, for [`Stream::putnext_down_idle`]).
    /// Fails with the `M_ERROR` write errno, `hup` after a hangup (`EIO`
    /// for `write(2)`, `ENXIO` for `putmsg`: `errs.rs`), or `ERANGE` first
    /// when `len` (the size of a write not yet started) is below the
    /// queue's minimum packet size.
    fn wait_writable(
        &self,
        nonblock: bool,
        len: Option<usize>,
        band: u8,
        hup: Error,
    ) -> Result<(QLimits, bool)> {
        let mut inner = self.inner.lock();
        if len.is_some_and(|n| n < inner.below_head_limits().minpsz) {
            return Err(ERANGE);
        }
        loop {
            // Linked under a multiplexor while this writer waited.
            if inner.head.link.is_some() {
                return Err(EINVAL);
            }
            // write(2): a hangup comes first (illumos' strwriteable for
            // POSIX); putmsg: the write errno, then the hangup.
            if inner.head.hangup && hup == EIO {
                return Err(EIO);
            }
            if inner.head.werr != 0 {
                return Err(errno(inner.head.werr));
            }
            if inner.head.hangup {
                return Err(hup);
            }
            if inner.bcanputnext(Qid::HeadW, band) {
                return Ok((inner.below_head_limits(), inner.drv_w_idle()));
            }
            if nonblock {
                return Err(EAGAIN);
            }
            if self.sleep_locked_interruptible(&mut inner) {
                return Err(ERESTARTSYS);
            }
        }
    }

    fn do_write(self: &Arc<Self>, buf: &mut IovIterSource<'_>, nonblock: bool) -> Result<usize> {
        let total = buf.len();
        if total == 0 {
            return self.write_zero(nonblock);
        }
        let mut sent = 0;
        while sent < total {
            // One lock round trip per chunk: the room below the head, and
            // the packet size to cut at (the queue below may change
            // between chunks: a push or a pop).
            let (lim, idle) =
                match self.wait_writable(nonblock, (sent == 0).then_some(total), 0, EIO) {
                    Ok(r) => r,
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
            self.putnext_down_idle(m, Some(idle));
            sent += got;
            if got < n {
                // A fault in the middle of the user buffer.
                break;
            }
        }
        Ok(sent)
    }

    /// A write of 0 bytes: a zero-length `M_DATA` goes down, under flow
    /// control as any write, while the write options have `SNDZERO` (a new
    /// stream's default, SVR4's for a STREAMS device); without it the
    /// write sends nothing and returns 0.
    fn write_zero(self: &Arc<Self>, nonblock: bool) -> Result<usize> {
        if self.wropt() & uapi::SNDZERO == 0 {
            return Ok(0);
        }
        self.wait_writable(nonblock, Some(0), 0, EIO)?;
        let m = Mblk::with(MsgType::Data, &[], GFP_KERNEL_ACCOUNT)?;
        self.putnext_down(m);
        Ok(0)
    }

    /// Takes the first message off the head read queue, waiting for one as
    /// `read(2)`/`getmsg` do; `want` says which one may be taken.
    /// `Ok(None)` is end of file (hangup and nothing queued).
    fn take_head(
        self: &Arc<Self>,
        nonblock: bool,
        want: Want,
        read_count: Option<usize>,
    ) -> Result<Option<Mblk>> {
        self.take_head_locked(self.inner.lock(), nonblock, want, read_count, None)
    }

    /// [`Self::take_head`] under the stream lock the caller already took
    /// (`read(2)` looks at the front first). With `more`, a byte-stream
    /// read's batch: when the message taken is plain `M_DATA` (unmarked,
    /// not empty) smaller than the budget, the plain `M_DATA` messages
    /// right behind it are taken too, in the same lock round trip, until
    /// their bytes reach the budget (`RNORM` reads on across message
    /// boundaries; [`Self::do_read`] copies them out and puts back what did
    /// not fit).
    fn take_head_locked<'a>(
        self: &'a Arc<Self>,
        mut inner: SpinLockGuard<'a, Inner>,
        nonblock: bool,
        want: Want,
        read_count: Option<usize>,
        more: Option<&mut Batch>,
    ) -> Result<Option<Mblk>> {
        let mut told = false;
        loop {
            // Linked under a multiplexor while this reader waited.
            if inner.head.link.is_some() {
                return Err(EINVAL);
            }
            if inner.head.rerr != 0 {
                return Err(errno(inner.head.rerr));
            }
            let front_ok = match (inner.head_rq_ref().front(), want) {
                (None, _) => false,
                (Some(_), Want::Any) => true,
                (Some(m), Want::HiPri) => m.ty().is_hipri(),
                (Some(m), Want::Band(b)) => m.ty().is_hipri() || m.band() >= b,
            };
            if front_ok {
                let (m, mut back) = inner.head_rq().getq();
                if let (Some(batch), Some(first)) = (more, m.as_ref()) {
                    let mut have = first.size();
                    if plain_data(first) {
                        let q = inner.head_rq();
                        while have < batch.budget && q.front().is_some_and(plain_data) {
                            let (next, b) = q.getq();
                            back |= b;
                            let Some(next) = next else {
                                break;
                            };
                            have += next.size();
                            batch.list.push_back(next);
                        }
                        batch.drained = have < batch.budget && q.front().is_none();
                    }
                }
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
            if self.sleep_locked_interruptible(&mut inner) {
                return Err(ERESTARTSYS);
            }
        }
    }

    fn do_read(self: &Arc<Self>, buf: &mut IovIterDest<'_>, nonblock: bool) -> Result<usize> {
        let want = buf.len();
        let mut done = 0;
        while done < want {
            // After the first message only take what is already there, and
            // never read on into a marked message.
            // The front is looked at and taken in one lock round trip.
            let inner = self.inner.lock();
            let prot = options::rdopt_prot(inner.head.rdopt);
            match inner.head_rq_ref().front() {
                Some(m) if prot == 0 && matches!(m.ty(), MsgType::Proto | MsgType::PcProto) => {
                    return if done > 0 { Ok(done) } else { Err(EBADMSG) };
                }
                None if done > 0 => return Ok(done),
                Some(m) if done > 0 && m.flag() & MSGMARK != 0 => return Ok(done),
                // A zero-length message is the next read's: it makes
                // that read return 0, and only that one.
                Some(m) if done > 0 && m.ty() == MsgType::Data && m.size() == 0 => return Ok(done),
                _ => {}
            }
            let rdopt = options::rdopt_mode(inner.head.rdopt);
            // A byte-stream read takes the plain data messages queued
            // behind the first, up to its count, in the same lock round trip.
            let mut batch = Batch {
                budget: want - done,
                list: MsgList::new(),
                drained: false,
            };
            let Some(mut m) = self.take_head_locked(
                inner,
                nonblock,
                Want::Any,
                Some(want - done),
                (rdopt == RNORM).then_some(&mut batch),
            )?
            else {
                return Ok(done);
            };
            let more = &mut batch.list;
            let band = m.band();
            let marked = m.flag() & MSGMARK;
            match m.ty() {
                MsgType::Data => {}
                // RPROTDAT: the control part is read as data.
                MsgType::Proto | MsgType::PcProto if prot == uapi::RPROTDAT => {}
                // RPROTDIS: the control part is thrown away; a message
                // without data is then gone, and the read goes on.
                MsgType::Proto | MsgType::PcProto if prot == uapi::RPROTDIS => {
                    match m.take_cont() {
                        Some(d) => m = d,
                        None => continue,
                    }
                }
                _ => {
                    // Raced with a control message: put it back for getmsg.
                    let empty = done == 0;
                    self.putbq(Qid::HeadR, m);
                    return if empty { Err(EBADMSG) } else { Ok(done) };
                }
            }
            if m.size() == 0 {
                // A zero-length message ends the read.
                return Ok(done);
            }
            // The first message, then those taken with it (plain data,
            // unmarked: `take_head_locked`); whatever does not fit goes
            // back, in order.
            let mut cur = Some((m, band, marked));
            while let Some((m, band, marked)) = cur {
                let (rest, fault) = self.copy_msg(buf, m, want, &mut done);
                if let Some(mut r) = rest {
                    // RMSGD: what the read left of the message is freed.
                    if rdopt != RMSGD || fault {
                        // It keeps the message's band and mark.
                        r.set_band(band);
                        r.set_flag(marked);
                        self.put_back(r, more);
                    }
                }
                if fault {
                    self.put_back_all(more);
                    return if done > 0 { Ok(done) } else { Err(EFAULT) };
                }
                cur = more.pop_front().map(|m| {
                    let band = m.band();
                    (m, band, 0)
                });
            }
            if rdopt != RNORM || marked != 0 || batch.drained {
                // Message modes: one message per read (a terminal's
                // canonical mode: one line). A marked message ends the
                // read too, and so does a queue found empty behind the
                // messages taken (no second look for what came since).
                return Ok(done);
            }
        }
        Ok(done)
    }

    /// Copies message `m` out to `buf` block by block, as far as `want`
    /// bytes in all (`done` so far, updated). Returns what did not fit (or
    /// was not copied) and whether the user buffer faulted.
    fn copy_msg(
        &self,
        buf: &mut IovIterDest<'_>,
        m: Mblk,
        want: usize,
        done: &mut usize,
    ) -> (Option<Mblk>, bool) {
        let mut cur: Option<Mblk> = Some(m);
        while let Some(mut b) = cur {
            let space = want - *done;
            if space == 0 {
                return (Some(b), false);
            }
            let n = b.len().min(space);
            let copied = buf.copy_to_iter(&b.bytes()[..n]);
            b.consume(copied);
            *done += copied;
            if copied < n {
                return (Some(b), true);
            }
            if b.len() > 0 {
                return (Some(b), false);
            }
            cur = b.take_cont();
        }
        (None, false)
    }

    /// Puts `r`, the rest of a message a read took, back at the front of
    /// the head read queue, with the messages taken behind it (`more`)
    /// ahead of anything that came since, in their order.
    fn put_back(&self, r: Mblk, more: &mut MsgList) {
        more.push_front(r);
        self.put_back_all(more);
    }

    /// Puts the messages of `more` back at the front of the head read
    /// queue, in their order, in one lock round trip.
    fn put_back_all(&self, more: &mut MsgList) {
        if more.is_empty() {
            return;
        }
        let mut rev = MsgList::new();
        while let Some(m) = more.pop_front() {
            rev.push_front(m);
        }
        if let Some(q) = self.inner.lock().qm(Qid::HeadR) {
            // Each goes to the front of its class: the last first.
            while let Some(m) = rev.pop_front() {
                q.putbq(m);
            }
        }
    }

    fn poll_mask(&self) -> u32 {
        let mut inner = self.inner.lock();
        // The caller's entry is on the wait queue already (`sleep.rs`).
        inner.mark_polled();
        if inner.head.link.is_some() {
            // Linked under a multiplexor (illumos' strpoll: STPLEX).
            // Linux's poll passes on only the events asked for, and
            // POLLERR and POLLHUP: POLLNVAL alone would leave the caller
            // asleep until its timeout.
            return POLLNVAL | POLLERR;
        }
        let mut mask = bands::poll_read_mask(&inner);
        if inner.head.hangup {
            mask |= POLLHUP;
        } else {
            if inner.canputnext(Qid::HeadW) {
                mask |= POLLOUT | POLLWRNORM;
            }
            mask |= bands::poll_wrband(&mut inner);
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

    /// `I_FLUSH`: `ENXIO` after a hangup, the `M_ERROR` errno after one
    /// (`errs.rs`), before the flags are looked at (as illumos).
    fn i_flush(self: &Arc<Self>, arg: usize) -> Result<isize> {
        self.ioctl_gone()?;
        let flags = match arg {
            a if a == usize::from(FLUSHR) => FLUSHR,
            a if a == usize::from(FLUSHW) => FLUSHW,
            a if a == usize::from(FLUSHRW) => FLUSHRW,
            _ => return Err(EINVAL),
        };
        if flags & FLUSHR != 0 {
            self.flushq(Qid::HeadR, false);
        }
        let m = Mblk::flush(flags, GFP_KERNEL_ACCOUNT)?;
        self.putnext(Qid::HeadW, m);
        Ok(0)
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

    /// `putmsg(2)` and `getmsg(2)` (`I_PUTMSG`, `I_GETMSG`, `I_PUTPMSG`,
    /// `I_GETPMSG`); `None` for any other `cmd`. These are the stream
    /// head's alone: no target claims them (the rule on
    /// [`TargetIoctl`](super::stream::TargetIoctl)), so they are answered
    /// before the target is asked, saving the per-message path two calls
    /// through the driver.
    fn msg_ioctl(
        self: &Arc<Self>,
        file: &File,
        cmd: u32,
        arg: usize,
        abi: Abi,
    ) -> Option<Result<isize>> {
        let nonblock = file.flags() & O_NONBLOCK != 0;
        Some(match cmd {
            uapi::I_PUTMSG => {
                errs::need_write(file).and_then(|()| self.i_putmsg(arg, abi, nonblock))
            }
            uapi::I_GETMSG => {
                errs::need_read(file).and_then(|()| self.i_getmsg(arg, abi, nonblock))
            }
            uapi::I_PUTPMSG => {
                errs::need_write(file).and_then(|()| self.i_putpmsg(arg, abi, nonblock))
            }
            uapi::I_GETPMSG => {
                errs::need_read(file).and_then(|()| self.i_getpmsg(arg, abi, nonblock))
            }
            _ => return None,
        })
    }

    /// The stream head's ioctls: the message ioctls first
    /// ([`Self::msg_ioctl`]), then the target's (the driver's
    /// `target_ioctl`), then the head's, and what none knows goes down as
    /// a transparent ioctl. `abi` is the caller's data model, for the
    /// arguments that hold a pointer.
    pub(crate) fn head_ioctl(
        self: &Arc<Self>,
        file: &File,
        cmd: u32,
        arg: usize,
        abi: Abi,
    ) -> Result<isize> {
        self.not_linked()?;
        if let Some(r) = self.msg_ioctl(file, cmd, arg, abi) {
            return r;
        }
        if let Some(t) = self.driver().target_ioctl() {
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
            uapi::I_STR => self.i_str(arg, abi),
            uapi::I_CANPUT => self.i_canput(arg),
            uapi::I_FLUSHBAND => self.i_flushband(arg),
            uapi::I_CKBAND => self.i_ckband(arg),
            uapi::I_GETBAND => self.i_getband(arg),
            uapi::I_ATMARK => self.i_atmark(arg),
            uapi::I_SRDOPT => self.i_srdopt(arg),
            uapi::I_GRDOPT => self.i_grdopt(arg),
            uapi::I_SWROPT => self.i_swropt(arg),
            uapi::I_GWROPT => self.i_gwropt(arg),
            uapi::I_PEEK => self.i_peek(arg, abi),
            uapi::I_FDINSERT => {
                errs::need_write(file).and_then(|()| self.i_fdinsert(arg, abi, nonblock))
            }
            uapi::I_RECVFD => errs::need_read(file).and_then(|()| self.i_recvfd(arg, nonblock)),
            uapi::I_SENDFD => self.i_sendfd_not_pipe(arg),
            uapi::I_PUSH => self.i_push(arg),
            uapi::I_POP => self.i_pop(),
            uapi::I_LOOK => self.i_look(arg),
            uapi::I_FIND => self.i_find(arg),
            uapi::I_LIST => self.i_list(arg, abi),
            uapi::I_ANCHOR => self.i_anchor(),
            uapi::I_LINK => self.i_link(arg, false),
            uapi::I_PLINK => self.i_link(arg, true),
            uapi::I_UNLINK => self.i_unlink(arg, false),
            uapi::I_PUNLINK => self.i_unlink(arg, true),
            uapi::I_SETSIG => self.i_setsig(arg),
            uapi::I_GETSIG => self.i_getsig(arg),
            uapi::I_SETCLTIME => self.i_setcltime(arg),
            uapi::I_GETCLTIME => self.i_getcltime(arg),
            uapi::STRCLONE_GETDEV => self.getdev(arg),
            _ => self.transparent(cmd, arg),
        }
    }
}

/// Writes `bytes` at `addr` of the caller's memory.
pub(super) fn copy_out(addr: u64, bytes: &[u8]) -> Result {
    if bytes.is_empty() {
        return Ok(());
    }
    UserSlice::new(UserPtr::from_addr(addr as usize), bytes.len())
        .writer()
        .write_slice(bytes)
}

impl FileOps for Stream {
    fn read(this: &Arc<Self>, buf: &mut IovIterDest<'_>, nonblock: bool) -> Result<usize> {
        this.not_linked()?;
        this.do_read(buf, nonblock)
    }

    fn write(this: &Arc<Self>, buf: &mut IovIterSource<'_>, nonblock: bool) -> Result<usize> {
        this.not_linked()?;
        this.do_write(buf, nonblock)
            .map_err(|e| this.write_failed(e))
    }

    fn poll(this: &Arc<Self>, file: &File, table: PollTable<'_>) -> u32 {
        table.register_wait(file, &this.wait);
        this.poll_mask()
    }

    fn ioctl(this: &Arc<Self>, file: &File, cmd: u32, arg: usize) -> Result<isize> {
        this.head_ioctl(file, cmd, arg, Abi::Native)
    }

    fn compat_ioctl(this: &Arc<Self>, file: &File, cmd: u32, arg: usize) -> Result<isize> {
        this.head_ioctl(file, cmd, arg, Abi::Ilp32)
    }

    fn show_fdinfo(this: &Arc<Self>, m: &SeqFile) {
        seq_print!(m, "strclone-major:\t{}\n", this.major());
        seq_print!(m, "strclone-minor:\t{}\n", this.minor());
        seq_print!(m, "strclone-opener-pid:\t{}\n", this.owner_pid());
        seq_print!(m, "strclone-token:\t{:#x}\n", this.token());
        seq_print!(m, "strclone-sigs:\t{}\n", this.sig_count());
        let mut names = [None; super::plumbing::NSTRPUSH_MAX];
        let n = this
            .module_names(&mut names)
            .min(super::plumbing::NSTRPUSH_MAX);
        seq_print!(m, "strclone-modules:\t");
        for (i, name) in names[..n].iter().flatten().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            seq_print!(m, "{}{}", sep, name.as_str());
        }
        seq_print!(m, "\n");
    }

    fn release(this: Arc<Self>, nonblock: bool) {
        this.release(!nonblock);
    }

    const ASYNC: bool = true;

    fn fasync(this: &Arc<Self>, fd: i32, file: &File, on: bool) -> Result<i32> {
        this.sig_fasync(fd, file, on)
    }

    fn flush(this: &Arc<Self>) {
        this.sig_close();
    }
}
