// SPDX-License-Identifier: GPL-2.0

//! The stream head: what `read(2)`, `write(2)`, `poll(2)` and the STREAMS
//! ioctls do on a stream file. `Documentation/strclone/streams.rst` is the
//! user-visible contract, with every errno.
//!
//! User memory is never touched under the stream spinlock: a reader takes a
//! message off the head queue, copies it out with the lock dropped, and puts
//! back what did not fit.

use super::msg::{IocBlk, IocCred, Mblk, Msg, MsgType, FLUSHR, FLUSHRW, FLUSHW};
use super::stream::{Qid, Stream, TargetIoctl};
use crate::glue::{cred, node::FileOps};
use crate::uapi;
use kernel::{
    fs::{file::flags::O_NONBLOCK, File},
    iov::{IovIterDest, IovIterSource},
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    sync::{poll::PollTable, Arc, ArcBorrow, CondVarTimeoutResult},
    time::msecs_to_jiffies,
    uaccess::{UserPtr, UserSlice},
};

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

impl Stream {
    /// Blocks (or fails `EAGAIN`) until the driver's write queue can take a
    /// normal message. Fails with the hangup/error errno.
    fn wait_writable(&self, nonblock: bool) -> Result {
        let mut inner = self.inner.lock();
        loop {
            if inner.head.hangup {
                return Err(EIO);
            }
            if inner.head.werr != 0 {
                return Err(errno(inner.head.werr));
            }
            if inner.canputnext(Qid::HeadW) {
                return Ok(());
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
        let lim = self.inner.lock().below_head_limits();
        if total < lim.minpsz {
            return Err(ERANGE);
        }
        let chunk_max = lim.maxpsz.clamp(1, STRMSGSZ);
        let mut sent = 0;
        while sent < total {
            if let Err(e) = self.wait_writable(nonblock) {
                return if sent > 0 { Ok(sent) } else { Err(e) };
            }
            let n = (total - sent).min(chunk_max);
            // After a first chunk went down, a later failure ends the write
            // short instead of hiding the bytes already sent.
            let partial = |e: Error| if sent > 0 { Ok(sent) } else { Err(e) };
            // One allocation of block, data block and data (up to a page),
            // filled straight from the user's buffer.
            let m = match Mblk::from_iter(buf, n, MsgType::Data.0, GFP_KERNEL_ACCOUNT) {
                Ok(m) => m,
                Err(e) => return partial(e),
            };
            let got = m.len();
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
                    // procedure: a module's, or the driver's.
                    self.back_enable(Qid::HeadR);
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
            {
                let inner = self.inner.lock();
                match inner.head_rq_ref().front() {
                    Some(m) if matches!(m.ty(), MsgType::Proto | MsgType::PcProto) => {
                        return if done > 0 { Ok(done) } else { Err(EBADMSG) };
                    }
                    None if done > 0 => return Ok(done),
                    _ => {}
                }
            }
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
                self.putbq(Qid::HeadR, r);
            }
            if fault {
                return if done > 0 { Ok(done) } else { Err(EFAULT) };
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

        let id = self.claim_ioc_slot()?;
        let result = self.i_str_exchange(&s, id, data, uptr);
        {
            let mut inner = self.inner.lock();
            inner.head.ioc_busy = false;
            inner.head.ioc_id = 0;
            inner.head.ioc_reply = None;
        }
        self.wait.notify_all();
        result
    }

    /// Waits until the stream's one `I_STR` slot is free and takes it;
    /// returns the id the answer must carry. `EIO` once the stream hung up.
    fn claim_ioc_slot(&self) -> Result<u32> {
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
            if self.wait.wait_interruptible(&mut inner) {
                return Err(ERESTARTSYS);
            }
        }
    }

    fn i_str_exchange(
        self: &Arc<Self>,
        s: &uapi::Strioctl,
        id: u32,
        data: Option<Mblk>,
        uptr: UserPtr,
    ) -> Result<isize> {
        let ioc = IocBlk {
            cmd: s.ic_cmd as u32,
            id,
            count: s.ic_len as u32,
            error: 0,
            rval: 0,
            cr: IocCred {
                uid: cred::euid(),
                admin: cred::capable_sys_admin(),
            },
        };
        let m = ioc.into_msg(data, GFP_KERNEL_ACCOUNT)?;
        self.putnext(Qid::HeadW, m);

        let secs = match s.ic_timout {
            0 => uapi::STRCLONE_STR_DEFAULT_TIMEOUT,
            t => t,
        };
        let mut left = if secs < 0 {
            None
        } else {
            Some(msecs_to_jiffies((secs as u32).saturating_mul(1000)))
        };
        let reply = {
            let mut inner = self.inner.lock();
            loop {
                if let Some(r) = inner.head.ioc_reply.take() {
                    break r;
                }
                if inner.head.hangup {
                    return Err(EIO);
                }
                match left {
                    None => {
                        if self.wait.wait_interruptible(&mut inner) {
                            return Err(ERESTARTSYS);
                        }
                    }
                    Some(j) => match self.wait.wait_interruptible_timeout(&mut inner, j) {
                        CondVarTimeoutResult::Timeout => return Err(ETIME),
                        CondVarTimeoutResult::Signal { .. } => return Err(ERESTARTSYS),
                        CondVarTimeoutResult::Woken { jiffies } => left = Some(jiffies),
                    },
                }
            }
        };
        let ioc = reply.ioc();
        if reply.ty() == MsgType::IocNak {
            // A driver that answers "no" without an errno means EINVAL.
            return Err(if ioc.error > 0 {
                errno(ioc.error)
            } else {
                EINVAL
            });
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
            self.wait_writable(nonblock)?;
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

    fn getdev(&self, arg: usize) -> Result<isize> {
        let mut w = UserSlice::new(UserPtr::from_addr(arg), uapi::DEVINFO_SIZE).writer();
        w.write(&self.major())?;
        w.write(&self.minor())?;
        Ok(0)
    }

    /// The stream head's ioctls; `target` sees the call first.
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
            _ => Err(ENOTTY),
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
