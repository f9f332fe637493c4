// SPDX-License-Identifier: GPL-2.0

//! STREAMS drivers that other kernel modules provide through the C ABI
//! (`strclone_register_driver`, `Documentation/strclone/driver-api.rst`).
//!
//! A registered driver is a [`Target`] in the clone table like the built-in
//! ones, at the STREAMS major it asked for (or the lowest free one from
//! `STRCLONE_DYN_MAJOR`): the table makes `/dev/clone-<name>` for it when it
//! is clonable, and this file makes its per-minor nodes `/dev/<name>/<n>`
//! (a region of its own, `glue/chrdev.c`) when it asked for them.
//!
//! An open, through either node, goes as SVR4's `stropen`:
//!
//! ```text
//!   clone node            per-minor node /dev/<name>/<n>
//!       |                     |  a stream open on minor n?  yes: reopen it
//!       v                     v  (every module's open, then the driver's)
//!   new stream (minor 0, or n), its driver queue pair (a CPair at the
//!   driver level, part of the stream's driver, holding a reference on the
//!   provider)
//!       |
//!   qi_qopen(RD(q), &dev, oflag, CLONEOPEN or 0, cred)
//!       |  refused: the stream is released, the open fails with the errno
//!       v
//!   the minor is what *devp says now (the driver picked it): it must be
//!   this driver's major and not open already (ENXIO, after the driver's
//!   close, otherwise); the stream takes it and joins the driver's table
//! ```
//!
//! The streams open are kept without an allocation per open: a bit per
//! open minor (a [`MinorPool`] the driver's open picks from, growing with
//! the highest minor ever open), and the streams of the minors that have
//! per-minor nodes (the only ones a later open can find again) in a table
//! made at registration.
//!
//! Every open is serialised per driver by `open_lock`, which also holds the
//! `dead` flag, except the clone opens of a driver registered with
//! `STRCLONE_D_MP` (its open and close are MT-safe, as SVR4's `D_MP`),
//! which run in parallel. A driver is dead until its registration is
//! complete (its nodes made), so a registration that fails half-way has no
//! stream to undo; unregistration takes the lock, fails `EBUSY` if a stream
//! is open, and otherwise marks the driver dead again, so an open that
//! comes later (through a node that is still there, or one already past the
//! table) fails `ENXIO`.
//!
//! A parallel (`D_MP`) clone open does not take the lock; it counts itself
//! in `opening` and then looks at `gone` (`dead`'s copy, written under the
//! lock), while unregistration sets `gone` and then looks at `opening`
//! (both sequentially consistent), so either the open sees `gone` and fails
//! `ENXIO`, or unregistration sees it in flight and waits until it is out,
//! as it would wait for the lock; then it looks at the open streams (the
//! open's join is ordered before it leaves `opening`). The wait ends: no
//! new open passes `gone`, and one in flight takes as long as the driver's
//! open. In a provider's `module_exit` none of them can join (the
//! provider's reference is refused to a module going away), so
//! unregistration succeeds there as it always has; at any other time one
//! that joined makes it fail `EBUSY`, putting `gone` back (an open in that
//! instant fails `ENXIO`). The stream's minor is taken in the minors' pool,
//! which has its own lock, so two opens never join on one minor.
//!
//! The driver's close runs at the stream's last close, which takes the
//! stream out of the table. Each stream's pair holds a reference on the
//! provider until the stream is freed, so the provider cannot be unloaded
//! while a stream, or a work item of one, exists.
//!
//! Lock order: the driver table (`glue::global::EXT_DRVS`), then a driver's
//! `open_lock`, then the clone table's node mutex (`clone.rs`), then a
//! driver's `minors` or `fixed` spinlock (never both at once).

use crate::clone::{Registry, Target, TargetNode};
use crate::glue::ddi::{CPair, CStreamtab, DriverDesc};
use crate::glue::global;
use crate::glue::node::{file_minor, DevNode, Region};
use crate::minors::{AllocFail, MinorPool};
use crate::streams::autopush::{Autopush, Opened};
use crate::streams::modsw::ModName;
use crate::streams::msg::Mblk;
use crate::streams::stream::{
    Driver, DriverLimits, MuxDriver, MuxLower, OpenHow, Runtime, SFlag, Stream,
};
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use kernel::{
    fs::File,
    new_mutex, new_spinlock,
    prelude::*,
    str::CString,
    sync::{Arc, Mutex, SpinLock},
    time::{delay::fsleep, Delta},
};

/// Where a driver registered with major 0 starts looking
/// (`STRCLONE_DYN_MAJOR`).
const DYN_MAJOR: u32 = 128;

/// Most minors a driver's open may pick (the kernel's 20 bits).
const MAX_MINOR: u32 = (1 << 20) - 1;

/// What strclone needs from the module that registered the drivers: the
/// clone table, the runtime and the autopush table. Set at init.
#[derive(Clone)]
pub(crate) struct DrvEnv {
    pub(crate) registry: Arc<Registry>,
    pub(crate) rt: Arc<Runtime>,
    pub(crate) autopush: Arc<Autopush>,
}

/// The registered drivers (`glue::global::EXT_DRVS`).
pub(crate) struct DrvTable {
    env: Option<DrvEnv>,
    drivers: KVec<ExtDriver>,
}

impl DrvTable {
    /// An empty table, before init.
    pub(crate) const fn new() -> Self {
        Self {
            env: None,
            drivers: KVec::new(),
        }
    }
}

impl Default for DrvTable {
    fn default() -> Self {
        Self::new()
    }
}

/// One registered driver, and the nodes made for it.
struct ExtDriver {
    key: usize,
    target: Arc<CTarget>,
    /// `/dev/<name>/<n>`: dropped before `region`.
    devs: KVec<DevNode>,
    region: Option<Pin<KBox<Region<TargetNode>>>>,
}

impl Drop for ExtDriver {
    fn drop(&mut self) {
        // The nodes before their region (which waits for opens in flight).
        self.devs.clear();
        self.region = None;
    }
}

/// What a driver's target and its streams share.
#[pin_data]
struct Shared {
    name: CString,
    modname: ModName,
    major: u32,
    tab: CStreamtab,
    limits: DriverLimits,
    /// The minors of the open streams.
    #[pin]
    minors: MinorPool,
    /// How many minors have nodes (`/dev/<name>/<n>`).
    nodes: u32,
    /// The open streams of the minors that have nodes (`0..nodes`), the
    /// ones an open of `/dev/<name>/<n>` finds again.
    #[pin]
    fixed: SpinLock<KVVec<Option<Arc<Stream>>>>,
    /// How many streams are open (have their minor).
    open: AtomicUsize,
}

impl Shared {
    fn get(&self, minor: u32) -> Option<Arc<Stream>> {
        if minor >= self.nodes {
            return None;
        }
        self.fixed.lock().get(minor as usize)?.clone()
    }

    /// The stream `s` the driver opened on `minor` joins the table: `ENXIO`
    /// if the minor is open already, `ENOMEM` if the minors' bitmap could
    /// not grow to it. Called with `open_lock` held, or for a parallel
    /// open (the pool takes a minor once, under its own lock).
    fn join(&self, minor: u32, s: &Arc<Stream>) -> Result {
        match self.minors.take(minor) {
            Ok(true) => {}
            Ok(false) | Err(AllocFail::Exhausted) => return Err(ENXIO),
            Err(AllocFail::NoMemory) => return Err(ENOMEM),
        }
        if minor < self.nodes {
            if let Some(slot) = self.fixed.lock().get_mut(minor as usize) {
                *slot = Some(s.clone());
            }
        }
        self.open.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// The stream on `minor` closed.
    fn forget(&self, minor: u32) {
        if minor < self.nodes {
            let gone = self
                .fixed
                .lock()
                .get_mut(minor as usize)
                .and_then(Option::take);
            // Outside the lock.
            drop(gone);
        }
        self.minors.free(minor);
        self.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A registered C driver as a clone table target.
///
/// # Invariants
///
/// `gone` equals the value under `open_lock` whenever the lock is free.
#[pin_data]
pub(crate) struct CTarget {
    shared: Arc<Shared>,
    clonable: bool,
    /// `STRCLONE_D_MP`: clone opens do not take `open_lock`.
    mp: bool,
    rt: Arc<Runtime>,
    /// True until registered and once unregistered; held across every
    /// open but a parallel one.
    #[pin]
    open_lock: Mutex<bool>,
    /// The flag under `open_lock`, for the parallel opens (module doc).
    gone: AtomicBool,
    /// Parallel opens in progress (module doc).
    opening: AtomicUsize,
}

impl CTarget {
    /// Sets the driver dead or alive, `open_lock` held (its guard is
    /// `dead`).
    fn set_dead(&self, dead: &mut bool, v: bool) {
        *dead = v;
        self.gone.store(v, Ordering::SeqCst);
    }

    /// A clone open of a `D_MP` driver, without `open_lock` (module doc).
    fn open_parallel(&self) -> Result<Opened> {
        self.opening.fetch_add(1, Ordering::SeqCst);
        let r = if self.gone.load(Ordering::SeqCst) {
            Err(ENXIO)
        } else {
            self.open_new(0, true)
        };
        // After the join (the stream counted as open), for unregistration.
        self.opening.fetch_sub(1, Ordering::SeqCst);
        r
    }
}

impl Target for CTarget {
    fn name(&self) -> &CStr {
        &self.shared.name
    }

    fn major(&self) -> u32 {
        self.shared.major
    }

    fn clonable(&self) -> bool {
        self.clonable
    }

    fn open(&self, file: &File, sflag: SFlag) -> Result<Opened> {
        let clone = sflag == SFlag::CloneOpen;
        if clone && self.mp {
            return self.open_parallel();
        }
        let dead = self.open_lock.lock();
        if *dead {
            return Err(ENXIO);
        }
        let minor = if clone { 0 } else { file_minor(file) };
        if !clone {
            if let Some(s) = self.shared.get(minor) {
                // Its last close is in progress: not a stream to join.
                if !s.try_add_open() {
                    return Err(ENXIO);
                }
                s.reopen().inspect_err(|_| s.undo_add_open())?;
                return Ok(Opened::existing(s));
            }
        }
        self.open_new(minor, clone)
    }

    fn open_count(&self) -> usize {
        self.shared.open.load(Ordering::Relaxed)
    }

    fn limit(&self) -> usize {
        MAX_MINOR as usize + 1
    }
}

impl CTarget {
    /// A new stream on `minor` (0 for a clone open), opened by the driver.
    /// Called with `open_lock` held, or for a parallel open.
    fn open_new(&self, minor: u32, clone: bool) -> Result<Opened> {
        let sh = &self.shared;
        // Built in its box: the driver (with its pair) is not made on the
        // stack and copied there.
        let drv = KBox::init(
            try_init!(CDriver {
                shared: sh.clone(),
                pair <- CPair::driver_init(&sh.tab),
                opened: AtomicBool::new(false),
            }),
            GFP_KERNEL_ACCOUNT,
        )?;
        let s = Stream::new(sh.major, minor, drv, &self.rt)?;
        match self.start(&s, minor, clone) {
            Ok(()) => Ok(Opened::created(s)),
            Err(e) => {
                s.release(false);
                Err(e)
            }
        }
    }

    /// Calls the driver's open for the new stream `s` and gives the stream
    /// the minor it picked; on failure the caller releases `s` (the driver's
    /// close has run if its open had succeeded).
    fn start(&self, s: &Arc<Stream>, minor: u32, clone: bool) -> Result {
        let sh = &self.shared;
        let drv = CDriver::of(s).ok_or(EINVAL)?;
        let pair = &drv.pair;
        if !pair.link(s) {
            return Err(EINVAL);
        }
        let (maj, min) = pair.open_driver(sh.major, minor, clone)?;
        let joined = if maj == sh.major {
            sh.join(min, s)
        } else {
            Err(ENXIO)
        };
        if let Err(e) = joined {
            // Another driver's device, a minor that is open already, or no
            // memory: the driver's open succeeded, so it is closed.
            pair.close();
            return Err(e);
        }
        s.set_minor(min);
        drv.opened.store(true, Ordering::Release);
        Ok(())
    }
}

/// One stream's driver: every procedure is the C driver's. Its queue pair
/// is part of it (one allocation per open, as for a built-in driver), and
/// is given the stream once the stream owns the driver, by the open that
/// made the stream, which finds the driver again through
/// [`Driver::as_any`].
struct CDriver {
    shared: Arc<Shared>,
    pair: CPair,
    /// The driver's open succeeded, so its close is due.
    opened: AtomicBool,
}

impl CDriver {
    /// The C driver of stream `s`, if its driver is one.
    fn of(s: &Stream) -> Option<&Self> {
        s.driver.as_any()?.downcast_ref::<Self>()
    }
}

impl Driver for CDriver {
    fn wput(&self, _s: &Arc<Stream>, m: Mblk) {
        self.pair.put(false, m);
    }

    fn wsrv(&self, _s: &Arc<Stream>) {
        self.pair.srv(false);
    }

    fn rput(&self, _s: &Arc<Stream>, m: Mblk) {
        self.pair.put(true, m);
    }

    fn rsrv(&self, _s: &Arc<Stream>) {
        self.pair.srv(true);
    }

    fn reopen(&self, _s: &Arc<Stream>) -> Result {
        self.pair.open(OpenHow::Reopen)
    }

    fn close(&self, s: &Arc<Stream>) {
        if !self.opened.swap(false, Ordering::AcqRel) {
            return;
        }
        self.pair.close();
        self.shared.forget(s.minor());
    }

    fn limits(&self) -> DriverLimits {
        self.shared.limits
    }

    fn name(&self) -> &CStr {
        &self.shared.name
    }

    fn as_any(&self) -> Option<&dyn core::any::Any> {
        Some(self)
    }

    fn mux(&self) -> Option<&dyn MuxDriver> {
        self.shared.tab.lower().is_some().then_some(self)
    }
}

impl MuxDriver for CDriver {
    fn lower(&self, lower: &Arc<Stream>) -> Result<MuxLower> {
        super::c_lower(&self.shared.tab, lower)
    }

    fn qtop(&self) -> usize {
        self.pair.queue_addr(false)
    }
}

/// Makes the environment drivers are registered in available (at init).
pub(crate) fn set_env(env: DrvEnv) {
    global::ext_drvs().env = Some(env);
}

/// Forgets the environment (at exit: no provider is loaded, each one pins
/// strclone, so no driver is registered).
pub(crate) fn clear_env() {
    let old = core::mem::take(&mut *global::ext_drvs());
    drop(old);
}

/// Registers the C driver `d`; returns its major.
pub(crate) fn register_driver(d: DriverDesc) -> Result<u32> {
    let mut table = global::ext_drvs();
    let env = table.env.clone().ok_or(ENXIO)?;
    if table
        .drivers
        .iter()
        .any(|x| x.target.shared.modname.as_bytes() == d.name.as_bytes())
    {
        return Err(EBUSY);
    }
    table.drivers.reserve(1, GFP_KERNEL)?;
    let major = match d.major {
        0 => env.registry.free_major(DYN_MAJOR)?,
        m => m,
    };
    let name = CString::try_from_fmt(fmt!("{}", d.name.as_str()))?;
    let key = d.tab.key();
    let limits = d.tab.limits();
    let mut fixed = KVVec::with_capacity(d.nodes as usize, GFP_KERNEL)?;
    fixed.extend_with(d.nodes as usize, None, GFP_KERNEL)?;
    let shared = Arc::pin_init(
        pin_init!(Shared {
            name,
            modname: d.name,
            major,
            tab: d.tab,
            limits,
            minors <- MinorPool::new(0, MAX_MINOR as usize + 1),
            nodes: d.nodes,
            fixed <- new_spinlock!(fixed, "CTarget::fixed"),
            open: AtomicUsize::new(0),
        }),
        GFP_KERNEL,
    )?;
    let rt = env.rt.clone();
    let target = Arc::pin_init(
        pin_init!(CTarget {
            shared,
            clonable: d.clonable,
            rt,
            mp: d.mp,
            // Dead until the registration is complete: an open that finds
            // a node early fails `ENXIO`, so a registration that fails
            // half-way has no stream to wait for.
            open_lock <- new_mutex!(true, "CTarget::open_lock"),
            gone: AtomicBool::new(true),
            opening: AtomicUsize::new(0),
        }),
        GFP_KERNEL,
    )?;
    let mut ext = ExtDriver {
        key,
        target: target.clone(),
        devs: KVec::new(),
        region: None,
    };
    env.registry.register(target.clone())?;
    if let Err(e) = make_nodes(&mut ext, &env, d.nodes) {
        // Nobody has a stream: the target is still dead.
        drop(ext);
        let _ = env.registry.unregister(major);
        return Err(e);
    }
    target.set_dead(&mut target.open_lock.lock(), false);
    // Reserved above.
    let _ = table.drivers.push(ext, GFP_KERNEL);
    pr_info!(
        "driver {} registered at major {}\n",
        target.shared.modname.as_str(),
        major
    );
    Ok(major)
}

/// The region and `/dev/<name>/<n>` nodes of a driver that asked for them.
fn make_nodes(ext: &mut ExtDriver, env: &DrvEnv, nodes: u32) -> Result {
    if nodes == 0 {
        return Ok(());
    }
    let t = &ext.target;
    let tn = TargetNode::new(t.clone(), env.autopush.clone());
    let region = KBox::pin_init(Region::register(&t.shared.name, nodes, tn), GFP_KERNEL)?;
    ext.devs.reserve(nodes as usize, GFP_KERNEL)?;
    for n in 0..nodes {
        let path = CString::try_from_fmt(fmt!("{}/{}", t.shared.modname.as_str(), n))?;
        let dev = region.node(n, &path, 0, 0, 0o600)?;
        // Reserved above.
        let _ = ext.devs.push(dev, GFP_KERNEL);
    }
    ext.region = Some(region);
    Ok(())
}

/// Marks `target` dead (`EBUSY` if a stream is open) and takes it out of
/// the clone table (its clone node goes).
fn unregister_target(env: &DrvEnv, target: &Arc<CTarget>) -> Result {
    {
        let mut dead = target.open_lock.lock();
        if target.shared.open.load(Ordering::SeqCst) != 0 {
            return Err(EBUSY);
        }
        target.set_dead(&mut dead, true);
        // Parallel opens past their look at `gone` finish first: one takes
        // as long as the driver's open (module doc).
        while target.opening.load(Ordering::SeqCst) != 0 {
            fsleep(Delta::from_millis(1));
        }
        if target.shared.open.load(Ordering::SeqCst) != 0 {
            // One of them joined: the driver stays.
            target.set_dead(&mut dead, false);
            return Err(EBUSY);
        }
    }
    // Already out of the table if the debugfs hook took it (ENXIO).
    let _ = env.registry.unregister(target.shared.major);
    Ok(())
}

/// Unregisters the driver `name` registered with the `streamtab` at `key`:
/// `ENOENT` if there is none, `EBUSY` while a stream of it is open.
pub(crate) fn unregister_driver(name: &ModName, key: usize) -> Result {
    let mut table = global::ext_drvs();
    let env = table.env.clone().ok_or(ENOENT)?;
    let pos = table
        .drivers
        .iter()
        .position(|x| x.key == key && x.target.shared.modname.as_bytes() == name.as_bytes())
        .ok_or(ENOENT)?;
    unregister_target(&env, &table.drivers[pos].target)?;
    let ext = table.drivers.remove(pos).map_err(|_| EINVAL)?;
    drop(table);
    // Its nodes, then its region, outside the table's lock.
    drop(ext);
    pr_info!("driver {} unregistered\n", name.as_str());
    Ok(())
}
