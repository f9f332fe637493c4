// SPDX-License-Identifier: GPL-2.0

//! The log target: its readers, the numbering of messages in each class,
//! and their delivery, from task context at once and from interrupt
//! context through its work item.

use super::msg::{build, build_shared, class_bits, LogCtl, Text, TextBuf};
use super::stream::LogStream;
use super::{Class, ReaderState, Readers, CLONEMIN, CONSWMIN, LOG_MAXTEXT};
use super::{SL_ERROR, SL_FATAL, SL_NOTE, SL_WARN};
use crate::glue::{ctx, time};
use crate::minors::{AllocFail, MinorPool};
use crate::streams::autopush::Opened;
use crate::streams::msg::{Mblk, MsgList, MsgType};
use crate::streams::stream::{Qid, Runtime, Stream};
use crate::uapi;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use kernel::{
    fs::{file::flags as oflags, File},
    impl_has_work, new_mutex, new_spinlock, new_spinlock_irq, new_work,
    prelude::*,
    sync::{Arc, Mutex, SpinLock, SpinLockIrq},
    workqueue::{Work, WorkItem},
};

/// The log target.
///
/// # Contexts
///
/// [`LogTarget::strlog`] may be called in any context but NMI. In task
/// context it numbers and delivers the message at once, under `readers`
/// and the reader stream's lock, neither of which is IRQ-safe. In a hard or
/// soft interrupt handler it must not take them: it formats and stamps the
/// message there and then (`GFP_ATOMIC`), parks it on `deferred` (an
/// IRQ-safe lock that is never held while another lock is taken), and
/// `deferred_work` numbers and delivers it from strclone's workqueue. A
/// message that cannot be parked is counted in `irq_lost` and reported to
/// the readers like any other loss. In an NMI the message is dropped and
/// counted in `nmi_dropped` (not even work can be queued there).
#[pin_data]
pub(crate) struct LogTarget {
    rt: Arc<Runtime>,
    pub(super) open: AtomicUsize,
    logged: AtomicU64,
    pub(super) dropped_bad: AtomicU32,
    nmi_dropped: AtomicU64,
    /// Bit `1 << class` for each class with a reader (set under `readers`):
    /// lets an interrupt handler skip a message nobody would take.
    wanted: AtomicU8,
    /// Per class: messages from interrupt context that could not be parked.
    irq_lost: [AtomicU64; 3],
    #[pin]
    pub(super) minors: MinorPool,
    /// Held through every open of `/dev/conslog`, autopush included, so
    /// that no open joins the shared conslog stream before its first open
    /// has finished (or failed and released it). Process context only.
    #[pin]
    pub(super) conslog_open: Mutex<()>,
    #[pin]
    pub(super) readers: SpinLock<Readers>,
    /// Messages logged in interrupt context, each an `M_PROTO` with its
    /// stamped `struct log_ctl` and the text as `M_DATA`.
    #[pin]
    deferred: SpinLockIrq<MsgList>,
    #[pin]
    deferred_work: Work<LogTarget>,
}

impl_has_work! {
    impl HasWork<Self> for LogTarget { self.deferred_work }
}

impl WorkItem for LogTarget {
    type Pointer = Arc<LogTarget>;

    fn run(this: Arc<LogTarget>) {
        this.deliver_deferred();
    }
}

impl LogTarget {
    /// A log target with strlog minors `CLONEMIN+1..log_cnt`.
    pub(crate) fn new(rt: Arc<Runtime>, log_cnt: usize) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                rt,
                open: AtomicUsize::new(0),
                logged: AtomicU64::new(0),
                dropped_bad: AtomicU32::new(0),
                nmi_dropped: AtomicU64::new(0),
                wanted: AtomicU8::new(0),
                irq_lost: [const { AtomicU64::new(0) }; 3],
                minors <- MinorPool::new(CLONEMIN as usize + 1, log_cnt),
                conslog_open <- new_mutex!((), "LogTarget::conslog_open"),
                readers <- new_spinlock!(Readers {
                    slots: [None, None, None],
                    seq: [0; 3],
                    conslog: None,
                }, "LogTarget::readers"),
                deferred <- new_spinlock_irq!(MsgList::new(), "LogTarget::deferred"),
                deferred_work <- new_work!("LogTarget::deferred_work"),
            }),
            GFP_KERNEL,
        )
    }

    /// Opens minor `minor` of the log (what `/dev/conslog` and `/dev/strlog`
    /// do): the seed's `logopen`. For `CONSWMIN` the caller holds
    /// `conslog_open`.
    pub(super) fn open_minor(self: &Arc<Self>, file: &File, minor: u32) -> Result<Opened> {
        match minor {
            CONSWMIN => {
                // FREAD: only writing is allowed on conslog.
                if file.flags() & oflags::O_ACCMODE != oflags::O_WRONLY {
                    return Err(EINVAL);
                }
                // "Already open": share the one conslog stream.
                let cur = self.readers.lock().conslog.clone();
                if let Some(s) = cur {
                    if s.try_add_open() {
                        // The reopen rule: every pushed module's open,
                        // then the driver's, may refuse.
                        s.reopen().inspect_err(|_| s.undo_add_open())?;
                        return Ok(Opened::existing(s));
                    }
                }
                // No other open can publish one meanwhile (`conslog_open`).
                let new = self.new_stream(CONSWMIN)?;
                self.readers.lock().conslog = Some(new.clone());
                Ok(Opened::created(new))
            }
            CLONEMIN => {
                let m = self.minors.alloc().map_err(|e| match e {
                    AllocFail::Exhausted => ENXIO,
                    AllocFail::NoMemory => ENOMEM,
                })?;
                self.new_stream(m)
                    .map(Opened::created)
                    .inspect_err(|_| self.minors.free(m))
            }
            _ => Err(ENXIO),
        }
    }

    fn new_stream(self: &Arc<Self>, minor: u32) -> Result<Arc<Stream>> {
        let state = Arc::new(
            ReaderState {
                lost_total: AtomicU64::new(0),
                lost_unreported: AtomicU64::new(0),
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        let d = KBox::new(
            LogStream {
                log: self.clone(),
                minor,
                state,
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        let s = Stream::new(uapi::LOG_MAJOR, minor, d, &self.rt)?;
        self.open.fetch_add(1, Ordering::Relaxed);
        Ok(s)
    }

    /// The in-kernel `strlog(mid, sid, level, flags, fmt, ...)`: logs a
    /// message to every reader whose class (and filters) it matches. Any
    /// context but NMI (see "Contexts" above); allocates with `GFP_ATOMIC`,
    /// and a message that cannot be allocated is counted as lost for that
    /// reader. In task context the text is formatted only when a reader
    /// takes the message, so an unread trace (ptm logs every open) costs a
    /// lock and a sequence number.
    pub(crate) fn strlog(
        self: &Arc<Self>,
        mid: i16,
        sid: i16,
        level: i8,
        flags: i16,
        args: fmt::Arguments<'_>,
    ) {
        let ctl = LogCtl::of(mid, sid, level, flags);
        if ctx::in_task() {
            self.log(ctl, false, Text::Fmt(args));
        } else {
            self.strlog_deferred(ctl, args);
        }
    }

    /// [`Self::strlog`] with the text already formatted (the DDI's
    /// `strlog` for C callers, `glue/ddi_util.rs`). Same contexts.
    pub(crate) fn strlog_text(
        self: &Arc<Self>,
        mid: i16,
        sid: i16,
        level: i8,
        flags: i16,
        text: &[u8],
    ) {
        let ctl = LogCtl::of(mid, sid, level, flags);
        if ctx::in_task() {
            self.log(ctl, false, Text::Bytes(text));
        } else {
            // Formatted again into the interrupt path's buffer: up to the
            // first byte that is not UTF-8.
            let t = match core::str::from_utf8(text) {
                Ok(t) => t,
                Err(e) => core::str::from_utf8(&text[..e.valid_up_to()]).unwrap_or(""),
            };
            self.strlog_deferred(ctl, format_args!("{}", t));
        }
    }

    /// `strlog` in interrupt context: stamp, format and park the message
    /// for [`Self::deliver_deferred`]. A message none of whose classes has a
    /// reader is not parked (and so takes no sequence number).
    fn strlog_deferred(self: &Arc<Self>, mut ctl: LogCtl, args: fmt::Arguments<'_>) {
        if ctx::in_nmi() {
            self.nmi_dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let wanted = class_bits(&ctl) & self.wanted.load(Ordering::Acquire);
        if wanted == 0 {
            self.logged.fetch_add(1, Ordering::Relaxed);
            return;
        }
        ctl.ltime = time::boot_ms();
        ctl.ttime = time::wall_secs();
        let mut text = TextBuf::new();
        let _ = text.write_fmt(args);
        match build(&ctl, text.as_bytes()) {
            Ok(m) => self.deferred.lock().push_back(m),
            Err(_) => {
                for (i, lost) in self.irq_lost.iter().enumerate() {
                    if wanted & (1 << i) != 0 {
                        lost.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
        // An `Err` means the work is already pending: it will see this one.
        let _ = self.rt.queue().enqueue::<Arc<LogTarget>, 0>(self.clone());
    }

    /// Numbers and delivers what interrupt handlers parked, in the order
    /// they parked it, and reports what they could not park.
    fn deliver_deferred(&self) {
        loop {
            let m = self.deferred.lock().pop_front();
            let Some(m) = m else {
                break;
            };
            let Some(ctl) = LogCtl::decode_stamped(m.bytes()) else {
                continue;
            };
            let text = m.cont().map_or(&[][..], |c| c.bytes());
            self.log(ctl, true, Text::Bytes(text));
        }
        let r = self.readers.lock();
        for (i, lost) in self.irq_lost.iter().enumerate() {
            let n = lost.swap(0, Ordering::AcqRel);
            if let (true, Some(rd)) = (n > 0, &r.slots[i]) {
                rd.report_loss(n);
            }
        }
    }

    /// Records which classes have a reader (called with `readers` held).
    pub(super) fn set_wanted(&self, r: &Readers) {
        let bits = r
            .slots
            .iter()
            .enumerate()
            .filter(|(_, rd)| rd.is_some())
            .fold(0u8, |b, (i, _)| b | (1 << i));
        self.wanted.store(bits, Ordering::Release);
    }

    /// Numbers `ctl`'s message in each of its classes and delivers it to
    /// their readers. `stamped`: the header already carries its times (a
    /// message parked by an interrupt handler).
    fn log(&self, ctl: LogCtl, stamped: bool, text: Text<'_>) {
        self.log_with(ctl, stamped, text, None)
    }

    /// [`Self::log`] with the text already in a data block (a writer's):
    /// `block` is shared with the readers as it is, with no copy, and
    /// `text` is not looked at.
    pub(super) fn log_with(
        &self,
        mut ctl: LogCtl,
        stamped: bool,
        text: Text<'_>,
        block: Option<Mblk>,
    ) {
        ctl.pri = match ctl.flags {
            f if f & SL_FATAL != 0 => 2,
            f if f & SL_ERROR != 0 => 3,
            f if f & SL_WARN != 0 => 4,
            f if f & SL_NOTE != 0 => 5,
            _ => 6,
        };
        self.logged.fetch_add(1, Ordering::Relaxed);
        // Formatted (and time-stamped) by the first delivery, so a message
        // nobody reads costs no formatting and no 256-byte buffer set-up.
        let mut buf: Option<TextBuf> = None;
        let mut text_blk: Option<Mblk> = block;
        let mut stamped = stamped;
        let mut formatted = false;
        // Number and deliver under the readers lock, so that sequence order
        // is delivery order even with concurrent writers. (Lock order:
        // readers, then a reader stream's lock; nothing takes them the other
        // way round.)
        let mut r = self.readers.lock();
        for (i, class) in [Class::Console, Class::Error, Class::Trace]
            .iter()
            .enumerate()
        {
            if !class.wants(&ctl) {
                continue;
            }
            r.seq[i] = r.seq[i].wrapping_add(1);
            let seq = r.seq[i];
            let Some(rd) = &r.slots[i] else {
                continue;
            };
            if *class == Class::Trace && !rd.filters.iter().any(|t| t.matches(&ctl)) {
                continue;
            }
            if !stamped {
                stamped = true;
                ctl.ltime = time::boot_ms();
                ctl.ttime = time::wall_secs();
            }
            if !formatted {
                formatted = true;
                if let Text::Fmt(args) = text {
                    let mut b = TextBuf::new();
                    let _ = b.write_fmt(args);
                    buf = Some(b);
                }
            }
            let mut c = ctl;
            c.seq_no = seq;
            // The text is one data block that every class's message shares
            // (`dupb`); only the header, with its own sequence number, is
            // per class.
            if text_blk.is_none() {
                let bytes = match text {
                    Text::Bytes(b) => &b[..b.len().min(LOG_MAXTEXT)],
                    Text::Fmt(_) => buf.as_ref().map_or(&[][..], TextBuf::as_bytes),
                };
                text_blk = Mblk::with(MsgType::Data, bytes, GFP_ATOMIC).ok();
            }
            let built = match &text_blk {
                Some(t) => build_shared(&c, t),
                None => Err(ENOMEM),
            };
            match built {
                Ok(m) => {
                    // Straight to the reader's stream head when nothing
                    // waits before it (no backlog, no loss notice due, no
                    // module pushed) and the head has room: no service
                    // procedure round trip. Otherwise the reader's queue
                    // with its drop-oldest policy.
                    let m = if rd.state.lost_unreported.load(Ordering::Acquire) == 0 {
                        match rd.stream.put_up_direct(m) {
                            Ok(()) => continue,
                            Err(m) => m,
                        }
                    } else {
                        m
                    };
                    let dropped = rd.stream.putq_drop_oldest(Qid::DrvR, m);
                    rd.state.lose(dropped as u64);
                }
                Err(_) => {
                    rd.report_loss(1);
                }
            }
        }
    }

    /// A message meant for `ctl`'s classes could not be built at all: count
    /// it as lost for their readers and let them report it.
    pub(super) fn count_loss(&self, ctl: &LogCtl) {
        let r = self.readers.lock();
        for (i, class) in [Class::Console, Class::Error, Class::Trace]
            .iter()
            .enumerate()
        {
            if let (true, Some(rd)) = (class.wants(ctl), &r.slots[i]) {
                rd.report_loss(1);
            }
        }
    }
}
