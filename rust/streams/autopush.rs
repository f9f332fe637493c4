// SPDX-License-Identifier: GPL-2.0

//! Autopush: the table of configurations the sad driver sets (`SAD_SAP`,
//! `rust/sad.rs`), and the pushes they cause when a stream is first opened.
//!
//! A configuration names a STREAMS major and one minor (`SAP_ONE`), a range
//! of minors (`SAP_RANGE`) or every minor (`SAP_ALL`) of it, and 1 to
//! `MAXAPUSH` module names. Configurations of one major never overlap, so a
//! (major, minor) has at most one. The table is a single vector sorted by
//! (major, first minor), at most [`MAX_CONFIGS`] long, under a mutex; its
//! memory is freed when the last configuration is cleared, and at module
//! exit. A bitmap of the majors that have a configuration lets an open of
//! any other major (every open, when nothing is configured) skip the mutex.
//!
//! Every open of a node that gives a stream ends in
//! [`Autopush::finish_open`]: the clone nodes, a target's own node,
//! `/dev/conslog` and `/dev/strlog`; a new pts slave stream (from
//! `PTMGETPEER` or `/dev/strpts/N`) goes through it inside ptm, before the
//! pair sees it. The target says whether the open
//! created the stream ([`Opened::created`]) or joined one that existed (a
//! reopen). A created stream gets the modules configured for its (major,
//! minor) pushed, in list order, before `open(2)` returns: the first name
//! ends up just above the driver, the last just below the stream head. If
//! one of them refuses, the stream is released (the modules pushed so far
//! are popped and closed, the driver's close frees the minor) and the open
//! fails with that errno, leaving nothing behind.
//!
//! The table holds module names, not modules: a name is looked up in the
//! module switch at each push, as SVR4 does.
//!
//! The pts slave (STREAMS major 24) has a built-in default, [`PTS_AUTOPUSH`]
//! (Solaris 11's `/etc/iu.ap` line for `pts`), used while the
//! `pts_autopush` parameter is on and the table has no configuration
//! covering the slave's minor: a configuration set for major 24 wins,
//! whatever it says. The default is not in the table (`SAD_GAP` does not
//! return it, `SAD_SAP` can add a configuration over it).

use super::modsw;
use super::plumbing::nstrpush;
use super::stream::Stream;
use crate::glue::params;
use crate::uapi::{FMNAMESZ, MAXAPUSH, NMAJOR, PTS_MAJOR, SAP_ALL, SAP_RANGE};
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::{
    new_mutex,
    prelude::*,
    sync::{Arc, Mutex},
};

/// Most configurations the table holds, all majors together. `SAD_SAP`
/// beyond it fails `ENOSR` (SVR4's "autopush table full"). About 100 bytes
/// each: 100 KiB at most, charged to the memory cgroup of whoever set them.
pub(crate) const MAX_CONFIGS: usize = 1024;

/// The modules every new pts slave stream gets (bottom first) when the
/// sad driver configures nothing for it and `pts_autopush` is on.
pub(crate) const PTS_AUTOPUSH: &[&[u8]] = &[b"ptem", b"ldterm", b"ttcompat"];

/// One configuration, as `SAD_SAP` set it (and `SAD_GAP` returns it).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApConfig {
    /// `SAP_ONE`, `SAP_RANGE` or `SAP_ALL`.
    pub(crate) cmd: u32,
    /// STREAMS major.
    pub(crate) major: u32,
    /// The minor (`SAP_ONE`), a range's first; for `SAP_ALL` the value
    /// given, which means nothing.
    pub(crate) minor: u32,
    /// A range's last minor; for the others the value given, ignored.
    pub(crate) lastminor: u32,
    /// Names in `list`: 1 to `MAXAPUSH`.
    pub(crate) npush: usize,
    /// The module names in push order, each NUL-padded; entries from
    /// `npush` on are all zero.
    pub(crate) list: [[u8; FMNAMESZ + 1]; MAXAPUSH],
}

impl ApConfig {
    /// The minors it covers, both included.
    pub(crate) fn span(&self) -> (u32, u32) {
        match self.cmd {
            SAP_RANGE => (self.minor, self.lastminor),
            SAP_ALL => (0, u32::MAX),
            _ => (self.minor, self.minor),
        }
    }

    /// The module names (without their NUL), in push order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &[u8]> {
        self.list[..self.npush.min(MAXAPUSH)].iter().map(|n| {
            let len = n.iter().position(|&b| b == 0).unwrap_or(n.len());
            &n[..len]
        })
    }

    /// An all-minors configuration of `major` pushing `names` (at most
    /// `MAXAPUSH` of at most `FMNAMESZ` bytes each; longer ones are cut).
    fn of_names(major: u32, names: &[&[u8]]) -> Self {
        let mut list = [[0u8; FMNAMESZ + 1]; MAXAPUSH];
        for (slot, n) in list.iter_mut().zip(names) {
            let n = &n[..n.len().min(FMNAMESZ)];
            slot[..n.len()].copy_from_slice(n);
        }
        Self {
            cmd: SAP_ALL,
            major,
            minor: 0,
            lastminor: 0,
            npush: names.len().min(MAXAPUSH),
            list,
        }
    }

    /// The table's sort key.
    fn key(&self) -> (u32, u32) {
        (self.major, self.span().0)
    }
}

/// What a target's open hands back: the stream, and whether this open
/// created it. Only a created stream is autopushed; an open that joined an
/// existing stream (a reopen) has run the reopen rule instead.
pub(crate) struct Opened {
    /// The stream the new file refers to.
    pub(crate) stream: Arc<Stream>,
    /// This open created the stream (its first open).
    pub(crate) created: bool,
}

impl Opened {
    /// A stream this open created.
    pub(crate) fn created(stream: Arc<Stream>) -> Self {
        Self {
            stream,
            created: true,
        }
    }

    /// A stream that existed before this open, or one the target has
    /// autopushed itself (the pts slave: before it became the pair's, so a
    /// refused push leaves the pair untouched).
    pub(crate) fn existing(stream: Arc<Stream>) -> Self {
        Self {
            stream,
            created: false,
        }
    }
}

/// The autopush table.
///
/// # Invariants
///
/// `table` is sorted by [`ApConfig::key`], and no two of its entries of one
/// major cover a common minor. Bit `m % 64` of `configured[m / 64]` is set
/// exactly when `table` has an entry of major `m` (updated with the mutex
/// held).
#[pin_data]
pub(crate) struct Autopush {
    configured: [AtomicU64; NMAJOR / 64],
    #[pin]
    table: Mutex<KVec<ApConfig>>,
}

impl Autopush {
    /// An empty table.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                configured: [const { AtomicU64::new(0) }; NMAJOR / 64],
                table <- new_mutex!(KVec::new(), "Autopush::table"),
            }),
            GFP_KERNEL,
        )
    }

    /// Whether `major` may have a configuration (no lock).
    fn has_major(&self, major: u32) -> bool {
        let m = major as usize;
        m < NMAJOR && self.configured[m / 64].load(Ordering::Acquire) & (1 << (m % 64)) != 0
    }

    /// Brings `major`'s bit in line with `table` (the mutex is held).
    fn update_major(&self, table: &[ApConfig], major: u32) {
        let m = major as usize;
        if m >= NMAJOR {
            return;
        }
        let bit = 1u64 << (m % 64);
        if table.iter().any(|c| c.major == major) {
            self.configured[m / 64].fetch_or(bit, Ordering::Release);
        } else {
            self.configured[m / 64].fetch_and(!bit, Ordering::Release);
        }
    }

    /// The index of the configuration that covers (`major`, `minor`).
    fn find(table: &[ApConfig], major: u32, minor: u32) -> Option<usize> {
        let i = table
            .partition_point(|c| c.key() <= (major, minor))
            .checked_sub(1)?;
        let c = &table[i];
        (c.major == major && c.span().1 >= minor).then_some(i)
    }

    /// Adds `cfg`, whose fields the caller validated. `EEXIST` when it
    /// overlaps a configuration of its major, `ENOSR` when the table is
    /// full, `ENOMEM`; the table is unchanged then.
    pub(crate) fn set(&self, cfg: ApConfig) -> Result {
        let (first, last) = cfg.span();
        let mut t = self.table.lock();
        let pos = t.partition_point(|c| c.key() < cfg.key());
        let below = pos
            .checked_sub(1)
            .is_some_and(|i| t[i].major == cfg.major && t[i].span().1 >= first);
        let above = t
            .get(pos)
            .is_some_and(|c| c.major == cfg.major && c.span().0 <= last);
        if below || above {
            return Err(EEXIST);
        }
        if t.len() >= MAX_CONFIGS {
            return Err(ENOSR);
        }
        t.reserve(1, GFP_KERNEL_ACCOUNT)?;
        t.insert_within_capacity(pos, cfg).map_err(|_| ENOMEM)?;
        self.update_major(&t, cfg.major);
        Ok(())
    }

    /// Removes the configuration that covers (`major`, `minor`): `ENODEV`
    /// if none does; a range is named by its first minor (`ERANGE`
    /// otherwise) and an all-minors configuration by minor 0 (`EINVAL`
    /// otherwise), as illumos' `SAP_CLEAR`.
    pub(crate) fn clear(&self, major: u32, minor: u32) -> Result {
        let mut t = self.table.lock();
        let i = Self::find(&t, major, minor).ok_or(ENODEV)?;
        let c = &t[i];
        if c.cmd == SAP_RANGE && c.minor != minor {
            return Err(ERANGE);
        }
        if c.cmd == SAP_ALL && minor != 0 {
            return Err(EINVAL);
        }
        t.remove(i).map_err(|_| ENODEV)?;
        if t.is_empty() {
            // Nothing configured: give the memory back.
            *t = KVec::new();
        }
        self.update_major(&t, major);
        Ok(())
    }

    /// The configuration that covers (`major`, `minor`), if any.
    pub(crate) fn get(&self, major: u32, minor: u32) -> Option<ApConfig> {
        if !self.has_major(major) {
            return None;
        }
        let t = self.table.lock();
        Self::find(&t, major, minor).map(|i| t[i])
    }

    /// The end of every open that gives a stream: a stream the open created
    /// gets its configured modules pushed. If a push fails the stream is
    /// released and its errno returned; the open then fails having left
    /// nothing allocated.
    pub(crate) fn finish_open(&self, o: Opened) -> Result<Arc<Stream>> {
        if !o.created {
            return Ok(o.stream);
        }
        let (major, minor) = (o.stream.major(), o.stream.minor());
        let cfg = match self.get(major, minor) {
            Some(c) => c,
            None if major == PTS_MAJOR && params::pts_autopush() => {
                ApConfig::of_names(major, PTS_AUTOPUSH)
            }
            None => return Ok(o.stream),
        };
        match push_all(&o.stream, &cfg) {
            Ok(()) => Ok(o.stream),
            Err(e) => {
                o.stream.release(false);
                Err(e)
            }
        }
    }
}

/// Pushes `cfg`'s modules onto the new stream `s`, in order, as `I_PUSH`
/// does: `EINVAL` for a name no module has (any more) or beyond
/// `nstrpush` (which may have been lowered since `SAD_SAP`), else the
/// module open's errno. Stops at the first failure.
fn push_all(s: &Arc<Stream>, cfg: &ApConfig) -> Result {
    // Free on a stream nobody else can reach yet; taken as every push
    // takes it, so the chain's rules hold.
    s.claim_plumbing()?;
    let mut r = Ok(());
    for name in cfg.names() {
        r = match modsw::find(name) {
            None => Err(EINVAL),
            Some(_) if usize::from(s.nmods.load(Ordering::Acquire)) >= nstrpush() => Err(EINVAL),
            Some(entry) => s.push(entry),
        };
        if r.is_err() {
            break;
        }
    }
    s.release_plumbing();
    r
}

#[kunit_tests(strclone_autopush)]
mod tests {
    use super::*;
    use crate::uapi::SAP_ONE;

    fn cfg(cmd: u32, major: u32, minor: u32, lastminor: u32, names: &[&[u8]]) -> ApConfig {
        let mut list = [[0u8; FMNAMESZ + 1]; MAXAPUSH];
        for (slot, n) in list.iter_mut().zip(names) {
            slot[..n.len()].copy_from_slice(n);
        }
        ApConfig {
            cmd,
            major,
            minor,
            lastminor,
            npush: names.len(),
            list,
        }
    }

    fn one(major: u32, minor: u32) -> ApConfig {
        cfg(SAP_ONE, major, minor, 0, &[b"nullmod"])
    }

    fn range(major: u32, minor: u32, last: u32) -> ApConfig {
        cfg(SAP_RANGE, major, minor, last, &[b"nullmod", b"testmod"])
    }

    fn all(major: u32) -> ApConfig {
        cfg(SAP_ALL, major, u32::MAX, 0, &[b"testmod"])
    }

    #[test]
    fn lookup_covers_exactly_the_configured_minors() {
        let ap = Autopush::new().unwrap();
        assert_eq!(ap.get(72, 0), None);
        assert_eq!(ap.set(one(72, 3)), Ok(()));
        assert_eq!(ap.set(range(72, 10, 20)), Ok(()));
        assert_eq!(ap.set(all(23)), Ok(()));
        assert_eq!(ap.get(72, 3), Some(one(72, 3)));
        assert_eq!(ap.get(72, 2), None);
        assert_eq!(ap.get(72, 4), None);
        assert_eq!(ap.get(72, 9), None);
        for m in 10..=20 {
            assert_eq!(ap.get(72, m), Some(range(72, 10, 20)));
        }
        assert_eq!(ap.get(72, 21), None);
        assert_eq!(ap.get(23, 0), Some(all(23)));
        assert_eq!(ap.get(23, u32::MAX), Some(all(23)));
        assert_eq!(ap.get(21, 0), None);
        assert_eq!(ap.get(300, 0), None);
        let c = ap.get(72, 15).unwrap();
        let mut names = c.names();
        assert_eq!(names.next(), Some(&b"nullmod"[..]));
        assert_eq!(names.next(), Some(&b"testmod"[..]));
        assert_eq!(names.next(), None);
    }

    #[test]
    fn overlaps_are_refused() {
        let ap = Autopush::new().unwrap();
        assert_eq!(ap.set(range(72, 10, 20)), Ok(()));
        assert_eq!(ap.set(one(72, 10)), Err(EEXIST));
        assert_eq!(ap.set(one(72, 20)), Err(EEXIST));
        assert_eq!(ap.set(range(72, 5, 10)), Err(EEXIST));
        assert_eq!(ap.set(range(72, 20, 30)), Err(EEXIST));
        assert_eq!(ap.set(range(72, 0, u32::MAX)), Err(EEXIST));
        assert_eq!(ap.set(range(72, 12, 13)), Err(EEXIST));
        assert_eq!(ap.set(all(72)), Err(EEXIST));
        // Neighbours and other majors are fine.
        assert_eq!(ap.set(one(72, 9)), Ok(()));
        assert_eq!(ap.set(range(72, 21, 22)), Ok(()));
        assert_eq!(ap.set(all(23)), Ok(()));
        assert_eq!(ap.set(one(23, 5)), Err(EEXIST));
        assert_eq!(ap.table.lock().len(), 4);
    }

    #[test]
    fn clear_names_a_configuration_as_illumos_does() {
        let ap = Autopush::new().unwrap();
        assert_eq!(ap.clear(72, 0), Err(ENODEV));
        assert_eq!(ap.set(range(72, 10, 20)), Ok(()));
        assert_eq!(ap.set(all(23)), Ok(()));
        assert_eq!(ap.clear(72, 15), Err(ERANGE));
        assert_eq!(ap.clear(72, 9), Err(ENODEV));
        assert_eq!(ap.clear(23, 7), Err(EINVAL));
        assert_eq!(ap.clear(72, 10), Ok(()));
        assert_eq!(ap.get(72, 10), None);
        assert!(!ap.has_major(72));
        assert!(ap.has_major(23));
        assert_eq!(ap.clear(23, 0), Ok(()));
        assert!(!ap.has_major(23));
        assert_eq!(ap.table.lock().len(), 0);
        // The memory went with the last configuration.
        assert_eq!(ap.table.lock().capacity(), 0);
    }

    #[test]
    fn the_pts_default_is_one_list() {
        let c = ApConfig::of_names(PTS_MAJOR, PTS_AUTOPUSH);
        assert_eq!(c.npush, PTS_AUTOPUSH.len());
        assert!(c.npush <= MAXAPUSH);
        let names: KVec<&[u8]> = {
            let mut v = KVec::new();
            for n in c.names() {
                v.push(n, GFP_KERNEL).unwrap();
            }
            v
        };
        assert_eq!(&names[..], PTS_AUTOPUSH);
        // Every name is a module the switch has.
        for n in PTS_AUTOPUSH {
            assert!(modsw::find(n).is_some());
        }
        assert_eq!(c.span(), (0, u32::MAX));
    }

    #[test]
    fn the_table_is_bounded() {
        let ap = Autopush::new().unwrap();
        for m in 0..MAX_CONFIGS as u32 {
            assert_eq!(ap.set(one(72, 2 * m)), Ok(()));
        }
        assert_eq!(ap.set(one(72, 1)), Err(ENOSR));
        // A full table still refuses an overlap as such.
        assert_eq!(ap.set(one(72, 0)), Err(EEXIST));
        assert_eq!(ap.get(72, 2 * 1000), Some(one(72, 2000)));
        assert_eq!(ap.clear(72, 0), Ok(()));
        assert_eq!(ap.set(one(72, 1)), Ok(()));
    }
}
