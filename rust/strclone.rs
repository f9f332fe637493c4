// SPDX-License-Identifier: GPL-2.0

//! strclone: SVR4 STREAMS clone devices for Linux.
//!
//! Every `open(2)` of a clone node hands back a fresh stream on an unused
//! minor of the target driver, as SVR4's clone driver did:
//!
//! ```c
//! #include <fcntl.h>
//! #include <stdio.h>
//! #include <sys/ioctl.h>
//! #include <unistd.h>
//! #include <linux/strclone.h>
//!
//! int main(void)
//! {
//!         struct strclone_devinfo dev;
//!         char buf[16];
//!         int m = open("/dev/clone-ptmx", O_RDWR);   // a fresh master
//!
//!         ioctl(m, STRCLONE_GETDEV, &dev);            // major 23, its minor
//!         printf("ptm minor %u\n", dev.minor);
//!         ioctl(m, UNLKPT, 0);                        // unlockpt(3)
//!         int s = ioctl(m, PTMGETPEER, O_RDWR);       // the slave side
//!         write(m, "ping", 4);
//!         read(s, buf, sizeof(buf));                  // "ping"
//!         close(s);
//!         close(m);                                   // minor is free again
//!         return 0;
//! }
//! ```
//!
//! Crate layout (one file per concept):
//!
//! - [`streams`]: messages, queues, put/service scheduling, the stream head;
//! - [`clone`]: the major-indexed target table and the clone nodes;
//! - [`ptm`]: the ptm target and its pts slave driver (`/dev/strpts/N`);
//!   [`echo`]: a loopback target; [`pipe`]: STREAMS pipes and `I_SENDFD`;
//!   [`log`]: the log target (`/dev/strlog`, `/dev/conslog`) and the
//!   in-kernel `strlog()`;
//! - [`sad`]: the STREAMS administrative driver (`/dev/sad/admin`,
//!   `/dev/sad/user`) that configures autopush (`streams::autopush`);
//! - [`minors`]: minor allocation; [`bytes`]: integer fields read out of
//!   byte buffers; [`uapi`]: the user interface, checked
//!   against `include/uapi/linux/strclone.h`;
//! - [`ddi`]: STREAMS modules other kernel modules register through the C
//!   ABI of `include/linux/strclone_ddi.h`;
//! - [`debug`]: the debugfs files (registered targets, open streams, and the
//!   register/unregister test hooks);
//! - [`glue`]: the thin layer that holds every `unsafe` block.
//!
//! Locking: the lock order, covering every lock in the crate, is written
//! once, in `Documentation/strclone/streams.rst` (section "Locking").

mod bytes;
mod clone;
mod ddi;
mod debug;
mod echo;
mod glue;
mod log;
mod minors;
mod modules;
mod pipe;
mod ptm;
mod sad;
mod streams;
mod uapi;

use clone::{Registry, Target, TargetNode};
use glue::node::{Chrdevs, Node, Region};
use kernel::{debugfs, prelude::*, sync::Arc};
use sad::SadNode;
use streams::{autopush::Autopush, stream::Runtime};

module! {
    type: StrClone,
    name: "strclone",
    authors: ["strclone developers"],
    description: "SVR4 STREAMS clone devices: clone driver, ptm and echo targets",
    license: "GPL",
}

#[pin_data(PinnedDrop)]
struct StrClone {
    rt: Arc<Runtime>,
    registry: Arc<Registry>,
    #[pin]
    ptmajor: Node<TargetNode>,
    #[pin]
    conslog: Node<log::LogNode>,
    #[pin]
    strlog: Node<log::LogNode>,
    #[pin]
    sad_admin: Node<SadNode>,
    #[pin]
    sad_user: Node<SadNode>,
    /// The pts slaves' region (`/dev/strpts/N`, made per pair).
    #[pin]
    strpts: Region<TargetNode>,
    #[pin]
    dbg_targets: debugfs::File<Arc<debug::DebugCtl>>,
    #[pin]
    dbg_streams: debugfs::File<Arc<debug::DebugCtl>>,
    #[pin]
    dbg_unregister: debugfs::File<Arc<debug::DebugCtl>>,
    #[pin]
    dbg_modules: debugfs::File<Arc<debug::DebugCtl>>,
    #[pin]
    dbg_muxes: debugfs::File<Arc<debug::DebugCtl>>,
    #[pin]
    dbg_register: debugfs::File<Arc<debug::DebugCtl>>,
    #[pin]
    dbg_strlog_irq: debugfs::File<Arc<debug::DebugCtl>>,
    _dbg_dir: debugfs::Dir,
    /// The log and runtime the DDI's C callers reach (`glue::global`).
    _ddi_globals: glue::global::DdiGlobals,
    /// The nodes' device region and class: declared after the nodes so it
    /// is dropped after them, initialised before them.
    _chrdevs: Chrdevs,
    /// The message block caches: created first, destroyed last, after every
    /// stream and message is gone.
    _mblk_caches: glue::mblk::Caches,
}

impl kernel::InPlaceModule for StrClone {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        pin_init::pin_init_scope(move || {
            glue::global::init();
            let pt_cnt = glue::params::pt_cnt();
            if pt_cnt == 0 || pt_cnt > 1 << 20 {
                pr_err!("pt_cnt must be 1..1048576, not {}\n", pt_cnt);
                return Err(EINVAL);
            }
            let log_cnt = glue::params::log_cnt();
            if !(6..=1 << 16).contains(&log_cnt) {
                pr_err!(
                    "log_cnt must be 6..65536 (CLONEMIN + 1 or more), not {}\n",
                    log_cnt
                );
                return Err(EINVAL);
            }
            let mblk_caches = glue::mblk::Caches::new()?;
            let rt = Runtime::new()?;
            // The autopush table: freed with the last node that uses it.
            let autopush = Autopush::new()?;
            // The chrdevs' class first: the clone major is made with the
            // table, and every built-in registered below makes its clone
            // node (`clone.rs`).
            let chrdevs = Chrdevs::new()?;
            let registry = Registry::new(autopush.clone())?;
            let sad_admin = SadNode::new(true, registry.clone(), autopush.clone())?;
            let sad_user = SadNode::new(false, registry.clone(), autopush.clone())?;
            let logt = log::LogTarget::new(rt.clone(), log_cnt as usize)?;
            let logd: Arc<dyn Target> = Arc::new(log::Log(logt.clone()), GFP_KERNEL)?;
            let ptmt =
                ptm::PtmTarget::new(rt.clone(), logt.clone(), pt_cnt as usize, autopush.clone())?;
            let ptm: Arc<dyn Target> = Arc::new(ptm::Ptm(ptmt.clone()), GFP_KERNEL)?;
            let pts: Arc<dyn Target> = Arc::new(ptm::Pts(ptmt), GFP_KERNEL)?;
            let echo: Arc<dyn Target> =
                Arc::new(echo::Echo(echo::EchoTarget::new(rt.clone())?), GFP_KERNEL)?;
            registry.register(ptm.clone())?;
            registry.register(pts.clone())?;
            registry.register(echo.clone())?;
            let pipe: Arc<dyn Target> = Arc::new(
                pipe::Pipe(pipe::PipeTarget::new(rt.clone(), autopush.clone())?),
                GFP_KERNEL,
            )?;
            registry.register(pipe.clone())?;
            registry.register(logd.clone())?;
            ddi::set_env(ddi::DrvEnv {
                registry: registry.clone(),
                rt: rt.clone(),
                autopush: autopush.clone(),
            });
            let mut builtins = KVec::new();
            builtins.push(ptm.clone(), GFP_KERNEL)?;
            builtins.push(pts.clone(), GFP_KERNEL)?;
            builtins.push(echo, GFP_KERNEL)?;
            builtins.push(pipe, GFP_KERNEL)?;
            builtins.push(logd, GFP_KERNEL)?;
            let ctl = Arc::new(
                debug::DebugCtl {
                    registry: registry.clone(),
                    builtins,
                    rt: rt.clone(),
                    log: logt.clone(),
                },
                GFP_KERNEL,
            )?;
            let dir = debugfs::Dir::new(c"strclone");
            let ddi_globals = glue::global::publish(logt.clone(), rt.clone());
            Ok(try_pin_init!(Self {
                _ddi_globals: ddi_globals,
                _chrdevs: chrdevs,
                _mblk_caches: mblk_caches,
                dbg_streams <- dir.read_callback_file(
                    c"streams",
                    ctl.clone(),
                    &|c: &Arc<debug::DebugCtl>, f: &mut core::fmt::Formatter<'_>| {
                        debug::show_streams(c, f)
                    }
                ),
                dbg_modules <- dir.read_callback_file(c"modules", ctl.clone(), &|c: &Arc<debug::DebugCtl>, f: &mut core::fmt::Formatter<'_>| debug::show_modules(c, f)),
                dbg_muxes <- dir.read_callback_file(c"muxes", ctl.clone(), &|c: &Arc<debug::DebugCtl>, f: &mut core::fmt::Formatter<'_>| debug::show_muxes(c, f)),
                dbg_targets <- dir.read_callback_file(c"targets", ctl.clone(), &|c: &Arc<debug::DebugCtl>, f: &mut core::fmt::Formatter<'_>| debug::show_targets(c, f)),
                dbg_unregister <- dir.write_callback_file(c"unregister", ctl.clone(), &|c: &Arc<debug::DebugCtl>, r: &mut kernel::uaccess::UserSliceReader| debug::unregister(c, r)),
                dbg_register <- dir.write_callback_file(c"register", ctl.clone(), &|c: &Arc<debug::DebugCtl>, r: &mut kernel::uaccess::UserSliceReader| debug::register(c, r)),
                dbg_strlog_irq <- dir.write_callback_file(c"strlog_irq", ctl, &|c: &Arc<debug::DebugCtl>, r: &mut kernel::uaccess::UserSliceReader| debug::strlog_irq(c, r)),
                _dbg_dir: dir,
                ptmajor <- Node::register(
                    c"ptmajor",
                    0o600,
                    TargetNode::new(ptm, autopush.clone()),
                ),
                conslog <- Node::register(
                    c"conslog",
                    0o222,
                    log::LogNode::conslog(logt.clone(), autopush.clone()),
                ),
                strlog <- Node::register(
                    c"strlog",
                    0o600,
                    log::LogNode::strlog(logt, autopush.clone()),
                ),
                sad_admin <- Node::register(c"sad/admin", 0o600, sad_admin),
                sad_user <- Node::register(c"sad/user", 0o666, sad_user),
                strpts <- Region::register(c"strpts", pt_cnt, TargetNode::new(pts, autopush))
                    .pin_chain(|r| {
                        r.serve_pts();
                        Ok(())
                    }),
                rt,
                registry,
            }))
        })
    }
}

#[pinned_drop]
impl PinnedDrop for StrClone {
    fn drop(self: Pin<&mut Self>) {
        // Every file is closed (each holds a module reference), but service
        // procedures may still be queued: run them all before the code goes.
        self.rt.drain();
        ddi::clear_env();
        glue::global::fini();
    }
}
