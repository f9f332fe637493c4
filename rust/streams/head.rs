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
//! - [`msgio`]: `getmsg` and `putmsg`;
//! - [`sigpoll`]: `I_SETSIG`/`I_GETSIG` and `O_ASYNC`, the signals of
//!   asynchronous notification;
//! - [`close`]: `I_SETCLTIME`/`I_GETCLTIME` and the last close's wait for
//!   the write side to drain.

mod close;
mod ioctl;
mod msgio;
mod sigpoll;
mod strrput;

use super::msg::{Mblk, MsgType, FLUSHR, FLUSHRW, FLUSHW, RMSGD, RNORM};
use super::queue::QLimits;
use super::stream::{Qid, Stream, TargetIoctl};
use crate::glue::{node::FileOps, pgrp::Pgrp};
use crate::uapi;
use kernel::{
    fs::{file::flags::O_NONBLOCK, File},
    iov::{IovIterDest, IovIterSource},
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    sync::{poll::PollTable, Arc, ArcBorrow},
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

/// The `Error` of a positive errno number.
fn errno(e: i32) -> Error {
    Error::from_errno(-e)
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
        seq_print!(m, "strclone-sigs:\t{}\n", this.sig_count());
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

    fn release(this: Arc<Self>, nonblock: bool) {
        this.release(!nonblock);
    }

    const ASYNC: bool = true;

    fn fasync(this: ArcBorrow<'_, Self>, fd: i32, file: &File, on: bool) -> Result<i32> {
        this.sig_fasync(fd, file, on)
    }

    fn flush(this: ArcBorrow<'_, Self>) {
        this.sig_close();
    }
}
