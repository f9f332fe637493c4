// SPDX-License-Identifier: GPL-2.0

//! `/sys/kernel/debug/strclone/`: what is registered, and test hooks.
//!
//! - `streams` (read): one line per open stream (see [`show_streams`]).
//! - `targets` (read): one line per registered target,
//!   `<major> <name> <clonable|not-clonable> open=<n> limit=<n>`.
//! - `unregister` (write a major): empties that slot of the clone table;
//!   streams already open keep working, new clone opens fail `ENXIO`.
//!   `EINVAL` for anything but a number below 256, `ENXIO` for an empty slot.
//! - `register` (write a major): puts the built-in target of that major back;
//!   `EBUSY` if the slot is taken, `EINVAL` if there is no such built-in.
//!
//! debugfs itself is root-only (mode 0700 at its mount point).

use crate::clone::{Registry, Target};
use crate::streams::runtime::Runtime;
use core::fmt;
use kernel::{prelude::*, sync::Arc, uaccess::UserSliceReader};

/// Data behind the control files.
pub(crate) struct DebugCtl {
    /// The clone table.
    pub(crate) registry: Arc<Registry>,
    /// The built-in targets, for `register`.
    pub(crate) builtins: KVec<Arc<dyn Target>>,
    /// The table of open streams.
    pub(crate) rt: Arc<Runtime>,
}

/// Formats `targets`.
pub(crate) fn show_targets(ctl: &DebugCtl, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut res = Ok(());
    ctl.registry.for_each(|t| {
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
    res
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
/// `<major> <minor> pid=<opener> opens=<n> hr=<msgs>/<bytes> hw=... dr=... dw=...`
/// (head read, head write, driver read, driver write queues).
pub(crate) fn show_streams(ctl: &DebugCtl, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut res = Ok(());
    ctl.rt.for_each(|s| {
        if res.is_ok() {
            let (opens, q) = s.stats();
            res = writeln!(
                f,
                "{} {} pid={} opens={} hr={}/{} hw={}/{} dr={}/{} dw={}/{}",
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
                q[3].1
            );
        }
    });
    res
}
