// SPDX-License-Identifier: GPL-2.0

//! `/sys/kernel/debug/strclone/`: what is registered, and test hooks.
//!
//! - `streams` (read): one line per open stream (see [`show_streams`]).
//! - `muxes` (read): one line per multiplexor link (see [`show_muxes`]).
//! - `targets` (read): one line per registered target,
//!   `<major> <name> <clonable|not-clonable> open=<n> limit=<n>`.
//! - `unregister` (write a major): empties that slot of the clone table;
//!   streams already open keep working, new clone opens fail `ENXIO`.
//!   `EINVAL` for anything but a number below 256, `ENXIO` for an empty slot.
//! - `register` (write a major): puts the built-in target of that major back;
//!   `EBUSY` if the slot is taken, `EINVAL` if there is no such built-in.
//! - `strlog_irq` (write `<mid> <count>`): a high-resolution timer calls the
//!   in-kernel `strlog` `count` times (1..=256) from its hard interrupt
//!   handler, as trace messages (`SL_TRACE`) of module id `mid`, sub-ids
//!   0..count-1, level 0, text `strlog from a hardirq timer, message <i>`;
//!   the write returns once the handler ran. `EINVAL` for anything else.
//!
//! debugfs itself is root-only (mode 0700 at its mount point).

use crate::clone::{Registry, Target};
use crate::log::{LogTarget, SL_TRACE};
use crate::streams::{
    modsw,
    mux::{self, LinkState},
    plumbing::NSTRPUSH_MAX,
    stream::{Runtime, Stream},
};
use core::fmt;
use kernel::{
    impl_has_hr_timer,
    prelude::*,
    sync::{completion::Completion, Arc},
    time::{
        hrtimer::{
            HrTimer, HrTimerCallback, HrTimerCallbackContext, HrTimerRestart, RelativeMode,
            ScopedHrTimerPointer,
        },
        Delta, Monotonic,
    },
    uaccess::UserSliceReader,
};
use pin_init::stack_pin_init;

/// Data behind the control files.
pub(crate) struct DebugCtl {
    /// The clone table.
    pub(crate) registry: Arc<Registry>,
    /// The built-in targets, for `register`.
    pub(crate) builtins: KVec<Arc<dyn Target>>,
    /// The table of open streams.
    pub(crate) rt: Arc<Runtime>,
    /// The log target, for `strlog_irq`.
    pub(crate) log: Arc<LogTarget>,
}

/// Formats `targets`.
pub(crate) fn show_targets(ctl: &DebugCtl, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut res = Ok(());
    let complete = ctl.registry.for_each(|t| {
        if res.is_ok() {
            res = writeln!(
                f,
                "{} {} {} open={} limit={}",
                t.major(),
                t.name().to_str().unwrap_or("?"),
                if t.clonable() {
                    "clonable"
                } else {
                    "not-clonable"
                },
                t.open_count(),
                t.limit()
            );
        }
    });
    res?;
    if !complete {
        writeln!(f, "# cut short: out of memory for the snapshot of targets")?;
    }
    Ok(())
}

fn read_major(r: &mut UserSliceReader) -> Result<u32> {
    let mut buf = [0u8; 16];
    let n = r.len().min(buf.len());
    if n == 0 {
        return Err(EINVAL);
    }
    r.read_slice(&mut buf[..n])?;
    let s = core::str::from_utf8(&buf[..n]).map_err(|_| EINVAL)?;
    let major: u32 = s.trim().parse().map_err(|_| EINVAL)?;
    if major as usize >= crate::uapi::NMAJOR {
        return Err(EINVAL);
    }
    Ok(major)
}

/// `unregister`.
pub(crate) fn unregister(ctl: &DebugCtl, r: &mut UserSliceReader) -> Result {
    let major = read_major(r)?;
    ctl.registry.unregister(major).map(|_| ())
}

/// `register`.
pub(crate) fn register(ctl: &DebugCtl, r: &mut UserSliceReader) -> Result {
    let major = read_major(r)?;
    let t = ctl
        .builtins
        .iter()
        .find(|t| t.major() == major)
        .ok_or(EINVAL)?;
    ctl.registry.register(t.clone())
}

/// Formats `streams`: one line per open stream,
/// `<major> <minor> pid=<opener> opens=<n> hr=<msgs>/<bytes> hw=... dr=... dw=... drop=<n>`
/// (head read, head write, driver read, driver write queues; `drop`: the
/// `M_PCPROTO` messages freed beyond a queue's allowance), then, if modules
/// are pushed, ` mods=<name>:r=<msgs>/<bytes>:w=<msgs>/<bytes>,...` top
/// down, then ` token=<token>` and, for a stream linked under a
/// multiplexor, ` linked=<mux id>` (`muxes` has the link). A listing that
/// could not be completed ends with a line starting `# cut short`.
pub(crate) fn show_streams(ctl: &DebugCtl, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut res = Ok(());
    let complete = ctl.rt.for_each(|s| {
        if res.is_ok() {
            let (opens, q, dropped) = s.stats();
            res = write!(
                f,
                "{} {} pid={} opens={} hr={}/{} hw={}/{} dr={}/{} dw={}/{} drop={}",
                s.major(),
                s.minor(),
                s.owner_pid(),
                opens,
                q[0].0,
                q[0].1,
                q[1].0,
                q[1].1,
                q[2].0,
                q[2].1,
                q[3].0,
                q[3].1,
                dropped
            );
            if res.is_ok() {
                res = write_modules(f, s);
            }
        }
    });
    res?;
    if !complete {
        writeln!(
            f,
            "# cut short: out of memory for the snapshot of open streams"
        )?;
    }
    Ok(())
}

/// The ` mods=` part of a stream's line, and its end.
fn write_modules(f: &mut fmt::Formatter<'_>, s: &Stream) -> fmt::Result {
    let mut names = [None; NSTRPUSH_MAX];
    let mut qs = [[(0, 0); 2]; NSTRPUSH_MAX];
    let n = s.module_names(&mut names).min(NSTRPUSH_MAX);
    let m = s.module_stats(&mut qs).min(n);
    for i in 0..m {
        let name = names[i].as_ref().map_or("?", |c| c.as_str());
        let sep = if i == 0 { " mods=" } else { "," };
        let [r, w] = qs[i];
        write!(f, "{sep}{name}:r={}/{}:w={}/{}", r.0, r.1, w.0, w.1)?;
    }
    write!(f, " token={:#x}", s.token())?;
    let mut res = Ok(());
    mux::for_each(|l| {
        if res.is_ok() && core::ptr::eq(&*l.lower, s) {
            res = write!(f, " linked={}", l.id);
        }
    });
    res?;
    writeln!(f)
}

/// Formats `muxes`: the graph of multiplexor links, one line per link,
/// `<mux id> <link|plink> <state> upper=<major>/<token> lower=<major>/<minor>/<token>`
/// (`state`: `making`, `linked`, `unlinking`, or `zombie` for a lower pair
/// kept until its upper stream's close; `upper`: the driver's major and the
/// stream that made the link, whose token the `streams` lines show).
pub(crate) fn show_muxes(_ctl: &DebugCtl, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut res = Ok(());
    mux::for_each(|l| {
        if res.is_ok() {
            let kind = if l.persistent { "plink" } else { "link" };
            let state = match l.state {
                LinkState::Making => "making",
                LinkState::Linked => "linked",
                LinkState::Unlinking => "unlinking",
                LinkState::Zombie => "zombie",
            };
            res = writeln!(
                f,
                "{} {kind} {state} upper={}/{:#x} lower={}/{}/{:#x}",
                l.id,
                l.upper_major,
                l.upper,
                l.lower.major(),
                l.lower.minor(),
                l.lower.token()
            );
        }
    });
    res
}

/// Formats `modules`: one line per registered module, `<name> uses=<n>`
/// (`n`: instances that exist: pushed, or being pushed or popped), then
/// ` ext` for a module another kernel module registered.
pub(crate) fn show_modules(_ctl: &DebugCtl, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut res = Ok(());
    modsw::for_each(|e| {
        if res.is_ok() {
            let ext = if e.is_builtin() { "" } else { " ext" };
            res = writeln!(f, "{} uses={}{}", e.name().as_str(), e.instances_now(), ext);
        }
    });
    res
}

/// Calls `strlog` from a hard interrupt handler (`strlog_irq`).
#[pin_data]
struct IrqLogger {
    #[pin]
    timer: HrTimer<Self>,
    log: Arc<LogTarget>,
    mid: i16,
    count: u16,
    #[pin]
    done: Completion,
}

impl HrTimerCallback for IrqLogger {
    type Pointer<'a> = Pin<&'a Self>;

    fn run(this: Pin<&Self>, _ctx: HrTimerCallbackContext<'_, Self>) -> HrTimerRestart {
        for i in 0..this.count {
            this.log.strlog(
                this.mid,
                i as i16,
                0,
                SL_TRACE,
                format_args!("strlog from a hardirq timer, message {}", i),
            );
        }
        this.done.complete_all();
        HrTimerRestart::NoRestart
    }
}

impl_has_hr_timer! {
    impl HasHrTimer<Self> for IrqLogger {
        mode: RelativeMode<Monotonic>, field: self.timer
    }
}

/// `strlog_irq`.
pub(crate) fn strlog_irq(ctl: &DebugCtl, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 32];
    let n = r.len().min(buf.len());
    r.read_slice(&mut buf[..n])?;
    let s = core::str::from_utf8(&buf[..n]).map_err(|_| EINVAL)?;
    let mut words = s.split_whitespace();
    let mid: i16 = words.next().ok_or(EINVAL)?.parse().map_err(|_| EINVAL)?;
    let count: u16 = words.next().ok_or(EINVAL)?.parse().map_err(|_| EINVAL)?;
    if words.next().is_some() || !(1..=256).contains(&count) {
        return Err(EINVAL);
    }
    stack_pin_init!(let t = pin_init!(IrqLogger {
        timer <- HrTimer::new(),
        log: ctl.log.clone(),
        mid,
        count,
        done <- Completion::new(),
    }));
    t.as_ref()
        .start_scoped(Delta::from_micros(100), || t.done.wait_for_completion());
    Ok(())
}
