// SPDX-License-Identifier: GPL-2.0

//! The log's faces: the clone table's target (`Log`), the `/dev/conslog`
//! and `/dev/strlog` nodes (`LogNode`), and one log stream's driver
//! (`LogStream`): reader registration, writes, loss notices.

use super::msg::{build, text_block, LogCtl, Text, TextBuf, TraceId};
use super::target::LogTarget;
use super::{Class, Reader, ReaderState, CLONEMIN, CONSWMIN, MAX_TRACE_IDS, READER_LIMITS};
use super::{SL_CONSOLE, SL_NOTE, TRACE_IDS_SIZE};
use crate::clone::Target;
use crate::echo::DRIVER_LIMITS;
use crate::glue::time;
use crate::streams::autopush::{Autopush, Opened};
use crate::streams::msg::{Mblk, MsgType};
use crate::streams::stream::{Driver, DriverLimits, Qid, SFlag, Stream, TargetIoctl};
use crate::uapi;
use core::fmt::Write;
use core::sync::atomic::Ordering;
use kernel::{
    fs::File,
    prelude::*,
    sync::Arc,
    uaccess::{UserPtr, UserSlice},
};

/// `Arc<dyn Target>` face of the log target.
pub(crate) struct Log(pub(crate) Arc<LogTarget>);

impl Target for Log {
    fn name(&self) -> &'static CStr {
        c"strlog"
    }

    fn major(&self) -> u32 {
        uapi::LOG_MAJOR
    }

    /// A clone open of the log is invalid: it clones itself through CLONEMIN.
    fn clonable(&self) -> bool {
        false
    }

    fn open(&self, _file: &File, _sflag: SFlag) -> Result<Opened> {
        Err(ENXIO)
    }

    fn open_count(&self) -> usize {
        self.0.open.load(Ordering::Relaxed)
    }

    fn limit(&self) -> usize {
        self.0.minors.limit()
    }
}

/// `/dev/conslog` and `/dev/strlog`: a direct open of one log minor.
pub(crate) struct LogNode {
    log: Arc<LogTarget>,
    minor: u32,
    autopush: Arc<Autopush>,
}

impl LogNode {
    /// The conslog (CONSWMIN) node.
    pub(crate) fn conslog(log: Arc<LogTarget>, autopush: Arc<Autopush>) -> Self {
        Self {
            log,
            minor: CONSWMIN,
            autopush,
        }
    }

    /// The strlog (CLONEMIN) node.
    pub(crate) fn strlog(log: Arc<LogTarget>, autopush: Arc<Autopush>) -> Self {
        Self {
            log,
            minor: CLONEMIN,
            autopush,
        }
    }
}

impl crate::glue::node::NodeOps for LogNode {
    type File = Stream;

    fn open(&self, file: &File) -> Result<Arc<Stream>> {
        if self.minor == CONSWMIN {
            let _serial = self.log.conslog_open.lock();
            let opened = self.log.open_minor(file, self.minor)?;
            return self.autopush.finish_open(opened);
        }
        let opened = self.log.open_minor(file, self.minor)?;
        self.autopush.finish_open(opened)
    }
}

/// One log stream's driver state.
pub(super) struct LogStream {
    pub(super) log: Arc<LogTarget>,
    pub(super) minor: u32,
    pub(super) state: Arc<ReaderState>,
}

impl LogStream {
    /// `I_CONSLOG`/`I_ERRLOG`/`I_TRCLOG`: makes `s` the reader of `class`.
    fn register(&self, s: &Arc<Stream>, class: Class, data: &[u8]) -> Result {
        if self.minor == CONSWMIN {
            return Err(EINVAL);
        }
        let mut filters = KVec::new();
        if class == Class::Trace {
            if data.is_empty() || data.len() % TRACE_IDS_SIZE != 0 {
                return Err(EINVAL);
            }
            if data.len() / TRACE_IDS_SIZE > MAX_TRACE_IDS {
                return Err(ERANGE);
            }
            for t in data.chunks_exact(TRACE_IDS_SIZE) {
                let id = TraceId {
                    mid: i16::from_ne_bytes([t[0], t[1]]),
                    sid: i16::from_ne_bytes([t[2], t[3]]),
                    level: t[4] as i8,
                };
                filters.push(id, GFP_ATOMIC)?;
            }
        }
        let mut r = self.log.readers.lock();
        let slot = &mut r.slots[class as usize];
        if let Some(cur) = slot {
            if !Arc::ptr_eq(&cur.stream, s) {
                return Err(EBUSY);
            }
        }
        *slot = Some(Reader {
            stream: s.clone(),
            state: self.state.clone(),
            filters,
        });
        self.log.set_wanted(&r);
        Ok(())
    }

    fn ioctl(&self, s: &Arc<Stream>, mut m: Mblk) {
        let ioc = m.ioc();
        // The log's commands come with I_STR only; anything else is not
        // ours (ENOTTY for a transparent ioctl).
        let ours = matches!(ioc.cmd, uapi::I_CONSLOG | uapi::I_ERRLOG | uapi::I_TRCLOG);
        if !ours || ioc.is_transparent() {
            m.ioc_nak_unknown();
            s.qreply(m);
            return;
        }
        let answer = m.data_to_vec(GFP_ATOMIC).and_then(|data| match ioc.cmd {
            c if c == uapi::I_CONSLOG => self.register(s, Class::Console, &data),
            c if c == uapi::I_ERRLOG => self.register(s, Class::Error, &data),
            c if c == uapi::I_TRCLOG => self.register(s, Class::Trace, &data),
            _ => Err(EINVAL),
        });
        let _ = m.take_cont();
        m.ioc_answer(answer.map(|()| 0));
        s.qreply(m);
    }

    fn write_msg(&self, mut m: Mblk) {
        let (ctl, text) = match m.ty() {
            // A plain write is a console message.
            MsgType::Data => (
                LogCtl {
                    flags: SL_CONSOLE,
                    ..Default::default()
                },
                Some(m),
            ),
            _ => match LogCtl::decode(m.bytes()) {
                Some(mut ctl) => {
                    if self.minor == CONSWMIN {
                        ctl.flags |= SL_CONSOLE;
                    }
                    (ctl, m.take_cont())
                }
                None => {
                    self.log.dropped_bad.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            },
        };
        // The writer's data block becomes the text every reader's message
        // shares: made contiguous if it came in pieces, cut at
        // LOG_MAXTEXT, never copied otherwise.
        match text_block(text) {
            Ok(t) => self.log.log_with(ctl, false, Text::Bytes(&[]), Some(t)),
            // No memory to make the text contiguous: the message is lost
            // for every reader it was meant for, and they are told.
            Err(_) => self.log.count_loss(&ctl),
        }
    }
}

impl Driver for LogStream {
    fn name(&self) -> &'static CStr {
        c"log"
    }

    fn limits(&self) -> DriverLimits {
        DriverLimits {
            rlim: READER_LIMITS,
            wlim: DRIVER_LIMITS,
            rsrv: true,
            wsrv: false,
        }
    }

    fn wput(&self, s: &Arc<Stream>, m: Mblk) {
        match m.ty() {
            MsgType::Data | MsgType::Proto | MsgType::PcProto => self.write_msg(m),
            MsgType::Flush => s.driver_flush(m),
            MsgType::Ioctl => self.ioctl(s, m),
            _ => drop(m),
        }
    }

    fn rsrv(&self, s: &Arc<Stream>) {
        loop {
            if !s.canputnext(Qid::DrvR) {
                return;
            }
            let Some(m) = s.getq(Qid::DrvR) else {
                break;
            };
            s.putnext(Qid::DrvR, m);
        }
        // Caught up: say what was lost since the last notice.
        let lost = self.state.lost_unreported.swap(0, Ordering::AcqRel);
        if lost > 0 {
            let mut text = TextBuf::new();
            let _ = write!(text, "strlog: {} messages lost", lost);
            let ctl = LogCtl {
                flags: SL_NOTE,
                ltime: time::boot_ms(),
                ttime: time::wall_secs(),
                pri: 5,
                ..Default::default()
            };
            match build(&ctl, text.as_bytes()) {
                Ok(m) => s.putnext(Qid::DrvR, m),
                // No memory for the notice: keep the count for the next one.
                Err(_) => {
                    self.state
                        .lost_unreported
                        .fetch_add(lost, Ordering::Relaxed);
                }
            }
        }
    }

    fn close(&self, s: &Arc<Stream>) {
        {
            let mut r = self.log.readers.lock();
            for slot in r.slots.iter_mut() {
                if slot.as_ref().is_some_and(|rd| Arc::ptr_eq(&rd.stream, s)) {
                    *slot = None;
                }
            }
            // Only if it is still this stream: a newer conslog stream may
            // have replaced it.
            if r.conslog.as_ref().is_some_and(|c| Arc::ptr_eq(c, s)) {
                r.conslog = None;
            }
            self.log.set_wanted(&r);
        }
        if self.minor != CONSWMIN {
            self.log.minors.free(self.minor);
        }
        self.log.open.fetch_sub(1, Ordering::Relaxed);
    }

    fn target_ioctl(&self) -> Option<&dyn TargetIoctl> {
        Some(self)
    }
}

impl TargetIoctl for LogStream {
    fn ioctl(&self, _s: &Arc<Stream>, _file: &File, cmd: u32, arg: usize) -> Option<Result<isize>> {
        if cmd != uapi::LOG_GETLOST {
            return None;
        }
        let lost = self.state.lost_total.load(Ordering::Relaxed);
        let mut w = UserSlice::new(UserPtr::from_addr(arg), 8).writer();
        Some(w.write(&lost).map(|()| 0))
    }
}
