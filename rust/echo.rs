// SPDX-License-Identifier: GPL-2.0

//! The echo target: a clonable loopback STREAMS driver (major 72).
//!
//! HP-UX's clone(7) page names "the echo driver" as its example of a
//! clonable driver; strclone's echo sends every message written down a
//! stream back up the same stream, through its own service procedure, so the
//! stream head, the put/service machinery and flow control in both
//! directions can be exercised from user space (`/dev/clone-echo`).
//!
//! Write side: `M_DATA`/`M_PROTO` are queued (`putq`); the write service
//! procedure moves them to the read side while `bcanputnext` allows for
//! their band, and
//! puts the rest back when the head is full. High-priority `M_PCPROTO` comes
//! straight back. Read side: when the head drains, the read queue is
//! back-enabled and its service procedure re-enables the write side.
//! `I_STR` commands (`ECHO_*` in the uapi header) steer it for tests; the
//! two that change queue limits (`ECHO_SETQ`, `ECHO_SETOPTS`) need
//! `CAP_SYS_ADMIN`, checked on the credentials the `M_IOCTL` carries. A
//! transparent ioctl is never one of them: `ENOTTY`.

use crate::bytes::ne_u32;
use crate::clone::Target;
use crate::minors::{AllocFail, MinorPool};
use crate::streams::autopush::Opened;
use crate::streams::msg::{
    IocBlk, Mblk, MsgType, MSGMARK, SO_HIWAT, SO_LOWAT, SO_MREADOFF, SO_MREADON,
};
use crate::streams::queue::{QLimits, QHIWAT_MAX};
use crate::streams::stream::{Driver, DriverLimits, Qid, Runtime, SFlag, Stream, HEAD_LIMITS};
use crate::uapi;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use kernel::{fs::File, prelude::*, sync::Arc};

/// Highest user-visible errno (EHWPOISON); kernel-internal ones (512 and
/// up) must never reach user space.
const MAX_ERRNO: i32 = 133;

/// Most echo streams open at once.
const ECHO_MAX: usize = 65536;

/// Driver queue defaults: room for two pages in flight per direction, and
/// writes split into page-sized messages.
pub(crate) const DRIVER_LIMITS: QLimits = QLimits {
    minpsz: 0,
    maxpsz: 4096,
    hiwat: 8192,
    lowat: 2048,
};

/// The echo target.
#[pin_data]
pub(crate) struct EchoTarget {
    rt: Arc<Runtime>,
    open: AtomicUsize,
    #[pin]
    minors: MinorPool,
}

impl EchoTarget {
    /// Creates the target.
    pub(crate) fn new(rt: Arc<Runtime>) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                rt,
                open: AtomicUsize::new(0),
                minors <- MinorPool::new(0, ECHO_MAX),
            }),
            GFP_KERNEL,
        )
    }
}

/// Wrapper so the target can be shared as `Arc<dyn Target>` while streams
/// keep an `Arc<EchoTarget>` for freeing their minor.
pub(crate) struct Echo(pub(crate) Arc<EchoTarget>);

impl Target for Echo {
    fn name(&self) -> &'static CStr {
        c"echo"
    }

    fn major(&self) -> u32 {
        uapi::ECHO_MAJOR
    }

    fn clonable(&self) -> bool {
        true
    }

    fn open(&self, _file: &File, sflag: SFlag) -> Result<Opened> {
        if sflag != SFlag::CloneOpen {
            return Err(EINVAL);
        }
        let t = &self.0;
        let minor = t.minors.alloc().map_err(|e| match e {
            AllocFail::Exhausted => ENXIO,
            AllocFail::NoMemory => ENOMEM,
        })?;
        let driver = match KBox::new(
            EchoStream {
                target: t.clone(),
                minor,
                held: AtomicBool::new(true),
                stopped: AtomicBool::new(false),
                mreads: AtomicU32::new(0),
                mark_next: AtomicBool::new(false),
            },
            GFP_KERNEL_ACCOUNT,
        ) {
            Ok(d) => d,
            Err(e) => {
                t.minors.free(minor);
                return Err(e.into());
            }
        };
        // On failure `driver` is dropped, and its Drop frees the minor.
        let s = Stream::new(uapi::ECHO_MAJOR, minor, driver, &t.rt)?;
        t.open.fetch_add(1, Ordering::Relaxed);
        Ok(Opened::created(s))
    }

    fn open_count(&self) -> usize {
        self.0.open.load(Ordering::Relaxed)
    }

    fn limit(&self) -> usize {
        self.0.minors.limit()
    }
}

/// One echo stream's driver state.
struct EchoStream {
    target: Arc<EchoTarget>,
    minor: u32,
    /// The minor is still allocated (freed at close, or at drop if the
    /// stream never opened).
    held: AtomicBool,
    stopped: AtomicBool,
    /// `M_READ` messages received (ECHO_MREADS).
    mreads: AtomicU32,
    /// `ECHO_MARK`: the next message echoed gets `MSGMARK`.
    mark_next: AtomicBool,
}

impl EchoStream {
    fn free_minor(&self) {
        if self.held.swap(false, Ordering::AcqRel) {
            self.target.minors.free(self.minor);
        }
    }
}

impl Drop for EchoStream {
    fn drop(&mut self) {
        self.free_minor();
    }
}

impl EchoStream {
    /// The water marks of `ECHO_SETQ`/`ECHO_SETOPTS` (`struct echo_qopts`):
    /// `EINVAL` when short, inverted or above `STRCLONE_QHIWAT_MAX`.
    fn qopts(data: &[u8]) -> Result<(u32, u32)> {
        let (hi, lo) = (ne_u32(data, 0), ne_u32(data, 4));
        if data.len() < 8 || lo > hi || hi as usize > QHIWAT_MAX {
            return Err(EINVAL);
        }
        Ok((hi, lo))
    }

    /// The errno argument of `ECHO_NAK`/`ECHO_ERROR`: only real errnos
    /// (kernel-internal ones must never reach user space).
    fn errno_arg(data: &[u8]) -> Result<i32> {
        match ne_u32(data, 0) as i32 {
            e if data.len() >= 4 && (1..=MAX_ERRNO).contains(&e) => Ok(e),
            _ => Err(EINVAL),
        }
    }

    /// Answers one `I_STR` command. Changing the queue limits is for tests
    /// and needs `CAP_SYS_ADMIN` (`EPERM`), like any privileged driver
    /// ioctl that checks `ioc_cr`.
    fn command(&self, s: &Arc<Stream>, m: &mut Mblk, ioc: &IocBlk, data: &[u8]) -> Result<i32> {
        match ioc.cmd {
            uapi::ECHO_SETQ => {
                if !ioc.cr.admin {
                    return Err(EPERM);
                }
                let (hi, lo) = Self::qopts(data)?;
                s.set_water(Qid::DrvW, hi as usize, lo as usize);
                s.set_water(Qid::DrvR, hi as usize, lo as usize);
                Ok(0)
            }
            uapi::ECHO_SETOPTS => {
                if !ioc.cr.admin {
                    return Err(EPERM);
                }
                Self::qopts(data).map(|_| 0)
            }
            uapi::ECHO_STOP => {
                // noenable: putq stops scheduling the service procedure,
                // and `stopped` makes a running one return.
                s.noenable(Qid::DrvW);
                self.stopped.store(true, Ordering::Release);
                Ok(0)
            }
            uapi::ECHO_START => {
                self.stopped.store(false, Ordering::Release);
                s.enableok(Qid::DrvW);
                s.qenable(Qid::DrvW);
                Ok(0)
            }
            uapi::ECHO_NAK => Err(Error::from_errno(-Self::errno_arg(data)?)),
            uapi::ECHO_ERROR => Self::errno_arg(data).map(|_| 0),
            uapi::ECHO_REVERSE => {
                let mut rev = KVec::new();
                rev.extend_from_slice(data, GFP_ATOMIC)?;
                rev.reverse();
                m.link_cont(Mblk::with(MsgType::Data, &rev, GFP_ATOMIC)?);
                Ok(data.len() as i32)
            }
            uapi::ECHO_MREADS => Ok(self.mreads.load(Ordering::Relaxed) as i32),
            uapi::ECHO_MARK => {
                self.mark_next.store(true, Ordering::Release);
                Ok(0)
            }
            uapi::ECHO_MREAD | uapi::ECHO_HANGUP => Ok(0),
            _ => Err(EINVAL),
        }
    }

    fn ioctl(&self, s: &Arc<Stream>, mut m: Mblk) {
        let ioc = m.ioc();
        if ioc.is_transparent() {
            // Echo's commands come with I_STR only.
            m.ioc_nak_unknown();
            s.qreply(m);
            return;
        }
        if ioc.cmd == uapi::ECHO_NOREPLY {
            return;
        }
        let data = m.data_to_vec(GFP_ATOMIC);
        // The answer carries only what the command puts back.
        let _ = m.take_cont();
        let answer = data.and_then(|d| self.command(s, &mut m, &ioc, &d).map(|r| (r, d)));
        let (rval, data) = match answer {
            Ok(a) => a,
            Err(e) => {
                m.ioc_answer(Err(e));
                s.qreply(m);
                return;
            }
        };
        m.ioc_answer(Ok(rval));
        s.qreply(m);
        // Side effects that must follow the answer up the stream.
        match ioc.cmd {
            uapi::ECHO_HANGUP => s.hangup(),
            uapi::ECHO_ERROR => {
                let e = ne_u32(&data, 0) as u8;
                if let Ok(em) = Mblk::error(e, e, GFP_ATOMIC) {
                    s.qreply(em);
                }
            }
            uapi::ECHO_MREAD => {
                let on = ne_u32(&data, 0) != 0;
                let flag = if on { SO_MREADON } else { SO_MREADOFF };
                if let Ok(om) = Mblk::setopts(flag, 0, 0, GFP_ATOMIC) {
                    s.qreply(om);
                }
            }
            uapi::ECHO_SETOPTS => {
                let (hi, lo) = (ne_u32(&data, 0), ne_u32(&data, 4));
                if let Ok(om) = Mblk::setopts(SO_HIWAT | SO_LOWAT, hi, lo, GFP_ATOMIC) {
                    s.qreply(om);
                }
            }
            _ => {}
        }
    }
}

impl Driver for EchoStream {
    fn name(&self) -> &'static CStr {
        c"echo"
    }

    fn limits(&self) -> DriverLimits {
        DriverLimits {
            rlim: HEAD_LIMITS,
            wlim: DRIVER_LIMITS,
            rsrv: true,
            wsrv: true,
        }
    }

    fn wput(&self, s: &Arc<Stream>, m: Mblk) {
        match m.ty() {
            MsgType::Data | MsgType::Proto => {
                let mut m = m;
                if self.mark_next.load(Ordering::Relaxed)
                    && self.mark_next.swap(false, Ordering::AcqRel)
                {
                    m.set_flag(MSGMARK);
                }
                // Fast path: echo at once when nothing waits ahead and the
                // head has room.
                if self.stopped.load(Ordering::Acquire) {
                    s.putq(Qid::DrvW, m);
                } else {
                    s.pass_or_queue(Qid::DrvW, Qid::DrvR, m);
                }
            }
            MsgType::PcProto => s.qreply(m),
            MsgType::Flush => s.driver_flush(m),
            MsgType::Ioctl => self.ioctl(s, m),
            // An M_IOCDATA echo never asked for: a module above it started
            // a copy and was popped before the ioctl ended. Answered, or the
            // caller would wait until a signal; a failed one was reported
            // to the caller already, and is freed.
            MsgType::IocData => {
                let mut m = m;
                if m.copyresp().rval == 0 {
                    m.ioc_answer(Err(EPROTO));
                    s.qreply(m);
                }
            }
            MsgType::Read => {
                self.mreads.fetch_add(1, Ordering::Relaxed);
            }
            _ => drop(m),
        }
    }

    fn wsrv(&self, s: &Arc<Stream>) {
        while !self.stopped.load(Ordering::Acquire) {
            let Some(m) = s.getq(Qid::DrvW) else {
                return;
            };
            if !s.bcanputnext(Qid::DrvR, m.band()) {
                // The head is full: it back-enables our read side when it
                // drains, and `rsrv` brings us back here.
                s.putbq(Qid::DrvW, m);
                return;
            }
            s.putnext(Qid::DrvR, m);
        }
    }

    fn rsrv(&self, s: &Arc<Stream>) {
        s.qenable(Qid::DrvW);
    }

    fn close(&self, _s: &Arc<Stream>) {
        self.free_minor();
        self.target.open.fetch_sub(1, Ordering::Relaxed);
    }
}
