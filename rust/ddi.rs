// SPDX-License-Identifier: GPL-2.0

//! STREAMS modules and drivers that other kernel modules provide, through
//! the C ABI of `include/linux/strclone_ddi.h`
//! (`Documentation/strclone/driver-api.rst`, `driver-api.rst`); the drivers are in
//! [`driver`].
//!
//! A provider registers a `streamtab` under a name
//! (`strclone_register_module`); the entry joins the module switch
//! (`streams::modsw`), so `I_PUSH`, `I_FIND`, `I_LIST`, autopush and the
//! sad driver see it as they see the built-in modules. Each push makes a
//! [`CModule`]: a queue pair the C procedures receive as `queue_t *`
//! (`glue::ddi::CPair`), which holds a reference on the provider's kernel
//! module until the instance is freed.
//!
//! The lifetime rules:
//!
//! - `rmmod` of a provider fails while any instance exists (the instance's
//!   module reference), so its code outlives every call into it: put and
//!   service procedures, open and close.
//! - `strclone_unregister_module` fails `EBUSY` while an instance exists
//!   (`modsw`'s instances); since every instance holds the provider's
//!   module, it always succeeds in the provider's `module_exit`.
//! - strclone cannot be unloaded while a provider is loaded: the provider
//!   imports its symbols.

mod driver;

pub(crate) use driver::{clear_env, register_driver, set_env, unregister_driver, DrvEnv, DrvTable};

use crate::glue::ddi::{CPair, CStreamtab};
use crate::streams::modsw::{self, ExtEntry, ModMaker, ModName};
use crate::streams::msg::Mblk;
use crate::streams::stream::{Module, MuxLower, OpenHow, Qid, Stream, LVL_HEAD};
use kernel::{prelude::*, sync::Arc};

/// Makes the instances of one registered C module.
struct CModMaker {
    tab: CStreamtab,
}

impl ModMaker for CModMaker {
    fn make(&self, s: &Arc<Stream>, lvl: u32) -> Result<KBox<dyn Module>> {
        let pair = CPair::new(&self.tab, s, lvl)?;
        Ok(KBox::new(CModule { pair }, GFP_KERNEL_ACCOUNT)? as KBox<dyn Module>)
    }
}

/// One pushed instance of a C module: every procedure is the module's own.
struct CModule {
    pair: Pin<KBox<CPair>>,
}

impl Module for CModule {
    fn open(&self, _s: &Arc<Stream>, _q: Qid, how: OpenHow) -> Result {
        self.pair.open(how)
    }

    fn close(&self, _s: &Arc<Stream>, _q: Qid) {
        self.pair.close();
    }

    fn put(&self, _s: &Arc<Stream>, q: Qid, m: Mblk) {
        self.pair.put(q.is_read(), m);
    }

    fn srv(&self, _s: &Arc<Stream>, q: Qid) {
        self.pair.srv(q.is_read());
    }
}

/// A C multiplexor's lower queue pair on a linked stream
/// (`streams/mux.rs`): its put and service procedures are the driver's
/// lower ones; it is never opened, and its "close" at the unlink cancels
/// the callbacks the driver left on it.
struct CLower {
    pair: Pin<KBox<CPair>>,
}

impl Module for CLower {
    fn close(&self, _s: &Arc<Stream>, _q: Qid) {
        self.pair.cancel_callouts();
    }

    fn put(&self, _s: &Arc<Stream>, q: Qid, m: Mblk) {
        self.pair.put(q.is_read(), m);
    }

    fn srv(&self, _s: &Arc<Stream>, q: Qid) {
        self.pair.srv(q.is_read());
    }
}

/// The lower queue pair of the C multiplexor `tab` (its lower side) for a
/// stream `lower` linked under it, holding a reference on the provider.
fn c_lower(tab: &CStreamtab, lower: &Arc<Stream>) -> Result<MuxLower> {
    let low = tab.lower().ok_or(EINVAL)?;
    let limits = low.limits();
    let pair = CPair::new(&low, lower, LVL_HEAD)?;
    let qbot = pair.queue_addr(false);
    Ok(MuxLower {
        procs: KBox::new(CLower { pair }, GFP_KERNEL_ACCOUNT)?,
        limits,
        qbot,
    })
}

/// Adds the C module `tab` to the module switch as `name`: `EEXIST` if a
/// module of that name exists.
pub(crate) fn register_module(name: ModName, tab: CStreamtab) -> Result {
    let limits = tab.limits();
    let key = tab.key();
    let maker = KBox::new(CModMaker { tab }, GFP_KERNEL)?;
    modsw::register(ExtEntry::new(name, limits, maker, key))?;
    pr_info!("module {} registered\n", name.as_str());
    Ok(())
}

/// Removes the module `name` registered with the `streamtab` at `key`:
/// `ENOENT` if there is none, `EBUSY` while an instance of it exists.
pub(crate) fn unregister_module(name: &ModName, key: usize) -> Result {
    modsw::unregister(name, key)?;
    pr_info!("module {} unregistered\n", name.as_str());
    Ok(())
}
