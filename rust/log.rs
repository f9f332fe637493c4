// SPDX-License-Identifier: GPL-2.0

//! The log target (STREAMS major 21): SVR4's log(7D), which clones itself.
//!
//! ```text
//!   /dev/conslog  minor 0 (CONSWMIN)  write-only: an open with read access
//!                                     is EINVAL; every open shares the one
//!                                     conslog stream; a write is a console
//!                                     message (SL_CONSOLE)
//!   /dev/strlog   minor 5 (CLONEMIN)  every open gets the lowest unused
//!                                     minor in 6..log_cnt-1 (ENXIO when none
//!                                     is left): a reader or a writer stream
//!   (no /dev/clone-strlog)            not clonable: a clone open arrives as
//!                                     CLONEMIN instead (the clone minor 21
//!                                     gives ENXIO)
//! ```
//!
//! Writers: `write(2)` on either node (a console message), `putmsg` with a
//! `struct log_ctl` control part on a strlog stream, and [`LogTarget::strlog`]
//! inside the kernel. Readers: a strlog stream registers as *the* console,
//! error or trace reader with `I_STR` `I_CONSLOG`/`I_ERRLOG`/`I_TRCLOG`
//! (the last with an array of `struct trace_ids` filters); a class has one
//! reader at a time (a second stream gets `EBUSY`, as in SVR4). Each
//! delivered message is an `M_PROTO` (`struct log_ctl` with the class's
//! sequence number) followed by the text as `M_DATA`, read with `getmsg`.
//!
//! A reader's messages wait on its driver read queue until its stream head
//! has room. When that queue is full too, the reader loses its *oldest*
//! message for each new one; the loss is counted (`LOG_GETLOST`), and when
//! the reader has caught up (its queue drained) it gets one `SL_NOTE`
//! message saying how many were lost since the last notice.

use crate::clone::Target;
use crate::echo::DRIVER_LIMITS;
use crate::glue::{ctx, time};
use crate::minors::{AllocFail, MinorPool};
use crate::streams::autopush::{Autopush, Opened};
use crate::streams::msg::{Mblk, MsgList, MsgType};
use crate::streams::queue::QLimits;
use crate::streams::stream::{Driver, DriverLimits, Qid, Runtime, SFlag, Stream, TargetIoctl};
use crate::uapi;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use kernel::{
    fs::{file::flags as oflags, File},
    impl_has_work, new_mutex, new_spinlock, new_spinlock_irq, new_work,
    prelude::*,
    sync::{Arc, Mutex, SpinLock, SpinLockIrq},
    uaccess::{UserPtr, UserSlice},
    workqueue::{Work, WorkItem},
};

/// Console messages.
pub(crate) const SL_ERROR: i16 = 0x0001;
/// Trace messages.
pub(crate) const SL_TRACE: i16 = 0x0002;
/// Console.
pub(crate) const SL_CONSOLE: i16 = 0x0008;
/// Fatal error.
pub(crate) const SL_FATAL: i16 = 0x0010;
/// Warning.
pub(crate) const SL_WARN: i16 = 0x0020;
/// Notice.
pub(crate) const SL_NOTE: i16 = 0x0040;

const CONSWMIN: u32 = 0;
const CLONEMIN: u32 = 5;
/// Encoded size of `struct log_ctl`.
const LOG_CTL_SIZE: usize = uapi::LOG_CTL_SIZE;
/// Encoded size of `struct trace_ids`.
const TRACE_IDS_SIZE: usize = uapi::TRACE_IDS_SIZE;
/// Longest message text kept.
const LOG_MAXTEXT: usize = 1024;
/// Most trace filters per reader.
const MAX_TRACE_IDS: usize = 64;

/// A reader's driver read queue: where messages wait for its head. The log
/// never slows its writers, so this is all that absorbs a reader that is
/// briefly not scheduled: 512 KiB, about 5,000 messages of 64 bytes of text,
/// as many as `/dev/kmsg`'s 128 KiB ring keeps of such lines. This is the
/// one queue above `QHIWAT_MAX` (`QHIWAT_BUILTIN_MAX`): there are at most
/// three readers, and only root opens `/dev/strlog`.
const READER_LIMITS: QLimits = QLimits {
    minpsz: 0,
    maxpsz: 4096,
    hiwat: uapi::STRCLONE_LOG_QHIWAT,
    lowat: uapi::STRCLONE_LOG_QHIWAT / 4,
};

/// The header of a log message (`struct log_ctl`).
#[derive(Copy, Clone, Default, Debug)]
pub(crate) struct LogCtl {
    mid: i16,
    sid: i16,
    level: i8,
    flags: i16,
    ltime: i64,
    ttime: i64,
    seq_no: i32,
    pri: i32,
}

impl LogCtl {
    /// The header an in-kernel `strlog` call gives: the rest (times,
    /// sequence number, priority) is filled in when the message is logged.
    fn of(mid: i16, sid: i16, level: i8, flags: i16) -> Self {
        Self {
            mid,
            sid,
            level,
            flags,
            ..Default::default()
        }
    }

    fn decode(b: &[u8]) -> Option<Self> {
        if b.len() < LOG_CTL_SIZE {
            return None;
        }
        let i16_at = |at: usize| i16::from_ne_bytes([b[at], b[at + 1]]);
        Some(Self {
            mid: i16_at(0),
            sid: i16_at(2),
            level: b[4] as i8,
            flags: i16_at(6),
            ..Default::default()
        })
    }

    /// The whole header, times included, as [`Self::encode`] wrote it.
    fn decode_stamped(b: &[u8]) -> Option<Self> {
        let mut c = Self::decode(b)?;
        let i64_at = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[at..at + 8]);
            i64::from_ne_bytes(w)
        };
        c.ltime = i64_at(8);
        c.ttime = i64_at(16);
        Some(c)
    }

    fn encode(&self) -> [u8; LOG_CTL_SIZE] {
        let mut b = [0u8; LOG_CTL_SIZE];
        b[0..2].copy_from_slice(&self.mid.to_ne_bytes());
        b[2..4].copy_from_slice(&self.sid.to_ne_bytes());
        b[4] = self.level as u8;
        b[6..8].copy_from_slice(&self.flags.to_ne_bytes());
        b[8..16].copy_from_slice(&self.ltime.to_ne_bytes());
        b[16..24].copy_from_slice(&self.ttime.to_ne_bytes());
        b[24..28].copy_from_slice(&self.seq_no.to_ne_bytes());
        b[28..32].copy_from_slice(&self.pri.to_ne_bytes());
        b
    }
}

/// The classes a message with header `c` belongs to: bit `1 << class`.
fn class_bits(c: &LogCtl) -> u8 {
    [Class::Console, Class::Error, Class::Trace]
        .iter()
        .filter(|class| class.wants(c))
        .fold(0, |b, class| b | (1 << *class as u8))
}

/// A trace filter (`struct trace_ids`): -1 matches any mid/sid.
#[derive(Copy, Clone, Debug)]
struct TraceId {
    mid: i16,
    sid: i16,
    level: i8,
}

impl TraceId {
    fn matches(&self, c: &LogCtl) -> bool {
        (self.mid == -1 || self.mid == c.mid)
            && (self.sid == -1 || self.sid == c.sid)
            && c.level <= self.level
    }
}

/// The reader classes.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Class {
    Console = 0,
    Error = 1,
    Trace = 2,
}

/// Per-reader loss accounting, shared by the reader's stream and the table.
struct ReaderState {
    lost_total: AtomicU64,
    lost_unreported: AtomicU64,
}

impl ReaderState {
    fn lose(&self, n: u64) {
        if n > 0 {
            self.lost_total.fetch_add(n, Ordering::Relaxed);
            self.lost_unreported.fetch_add(n, Ordering::Relaxed);
        }
    }
}

impl Class {
    /// Whether a message with this header belongs to the class.
    fn wants(self, c: &LogCtl) -> bool {
        match self {
            Class::Console => c.flags & SL_CONSOLE != 0,
            Class::Error => c.flags & SL_ERROR != 0,
            Class::Trace => c.flags & SL_TRACE != 0,
        }
    }
}

struct Reader {
    stream: Arc<Stream>,
    state: Arc<ReaderState>,
    filters: KVec<TraceId>,
}

impl Reader {
    /// `n` messages for this reader were lost before reaching its queue:
    /// count them, and let its service procedure report them.
    fn report_loss(&self, n: u64) {
        self.state.lose(n);
        self.stream.qenable(Qid::DrvR);
    }
}

struct Readers {
    slots: [Option<Reader>; 3],
    seq: [i32; 3],
    conslog: Option<Arc<Stream>>,
}

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
    open: AtomicUsize,
    logged: AtomicU64,
    dropped_bad: AtomicU32,
    nmi_dropped: AtomicU64,
    /// Bit `1 << class` for each class with a reader (set under `readers`):
    /// lets an interrupt handler skip a message nobody would take.
    wanted: AtomicU8,
    /// Per class: messages from interrupt context that could not be parked.
    irq_lost: [AtomicU64; 3],
    #[pin]
    minors: MinorPool,
    /// Held through every open of `/dev/conslog`, autopush included, so
    /// that no open joins the shared conslog stream before its first open
    /// has finished (or failed and released it). Process context only.
    #[pin]
    conslog_open: Mutex<()>,
    #[pin]
    readers: SpinLock<Readers>,
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
    fn open_minor(self: &Arc<Self>, file: &File, minor: u32) -> Result<Opened> {
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
    fn set_wanted(&self, r: &Readers) {
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
    fn log_with(&self, mut ctl: LogCtl, stamped: bool, text: Text<'_>, block: Option<Mblk>) {
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
    fn count_loss(&self, ctl: &LogCtl) {
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

fn build(c: &LogCtl, text: &[u8]) -> Result<Mblk> {
    let mut m = Mblk::with(MsgType::Proto, &c.encode(), GFP_ATOMIC)?;
    m.link_cont(Mblk::with(MsgType::Data, text, GFP_ATOMIC)?);
    Ok(m)
}

/// The text block of a message written to the log: the writer's data
/// blocks cut at `LOG_MAXTEXT` (`adjmsg`) and made one (`pullupmsg`, a copy
/// of at most `LOG_MAXTEXT` bytes, only if the text spans blocks); an empty
/// block when there is no data part.
fn text_block(text: Option<Mblk>) -> Result<Mblk> {
    let Some(mut t) = text else {
        return Mblk::with(MsgType::Data, &[], GFP_ATOMIC);
    };
    let total = t.msgdsize();
    if total > LOG_MAXTEXT {
        t.adjmsg(-((total - LOG_MAXTEXT) as isize));
    }
    if t.len() < total.min(LOG_MAXTEXT) {
        t.pullup(None, GFP_ATOMIC)?;
    }
    drop(t.take_cont());
    Ok(t)
}

/// A log message whose text block shares `text`'s data block.
fn build_shared(c: &LogCtl, text: &Mblk) -> Result<Mblk> {
    let mut m = Mblk::with(MsgType::Proto, &c.encode(), GFP_ATOMIC)?;
    m.link_cont(Mblk::dupb(text, GFP_ATOMIC)?);
    Ok(m)
}

/// The text of a log message: bytes from a writer, or the arguments of an
/// in-kernel `strlog` (formatted only if a reader takes the message).
#[derive(Clone, Copy)]
enum Text<'a> {
    Bytes(&'a [u8]),
    Fmt(fmt::Arguments<'a>),
}

/// A fixed buffer that `write!` can format into without allocating.
struct TextBuf {
    buf: [u8; 256],
    len: usize,
}

impl TextBuf {
    fn new() -> Self {
        Self {
            buf: [0; 256],
            len: 0,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Write for TextBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

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
struct LogStream {
    log: Arc<LogTarget>,
    minor: u32,
    state: Arc<ReaderState>,
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
