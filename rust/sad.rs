// SPDX-License-Identifier: GPL-2.0

//! The STREAMS administrative driver (SVR4's *sad*): `/dev/sad/admin`
//! (0600) and `/dev/sad/user` (0666), through which autopush is configured
//! (`SAD_SAP`), read back (`SAD_GAP`) and module lists are checked
//! (`SAD_VML`). The table itself, and the pushes at open, are in
//! `streams/autopush.rs`; `Documentation/strclone/modules.rst` has every
//! errno.
//!
//! The nodes are control files, not streams. SVR4's sad is a STREAMS
//! driver only so that its commands can travel as transparent `M_IOCTL`s;
//! on Linux a plain `ioctl(2)` reads and writes the caller's structures
//! directly, with the same numbers, structures and errnos. So an open gives
//! an ioctl-only file (no stream head, no queues, nothing allocated per
//! open): `read`/`write` fail `EINVAL`, and `I_STR` and every other command
//! fail `EINVAL`, as illumos' sad answers an `I_STR` or a command it does
//! not know.
//!
//! Privilege: opening the admin node needs `CAP_SYS_ADMIN` (`EPERM`), as
//! illumos' `sadopen` asks for privilege. `SAD_SAP` needs it too, at the
//! time of the call, so an admin descriptor handed to an unprivileged
//! process (inherited, or passed over a socket) cannot change autopush.
//! `SAD_SAP` on the user node fails `EPERM` for everyone.

use crate::clone::Registry;
use crate::glue::{
    cred,
    node::{FileOps, NodeOps},
};
use crate::streams::autopush::{ApConfig, Autopush};
use crate::streams::compat::Abi;
use crate::streams::modsw;
use crate::streams::plumbing::{nstrpush, NSTRPUSH_MAX};
use crate::uapi::{
    self, Strapush, FMNAMESZ, MAXAPUSH, SAP_ALL, SAP_CLEAR, SAP_ONE, SAP_RANGE, STRAPUSH_SIZE,
    STR_MLIST_SIZE,
};
use kernel::{
    fs::File,
    iov::{IovIterDest, IovIterSource},
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    sync::{poll::PollTable, Arc},
    uaccess::{UserPtr, UserSlice},
};

/// What an open sad file can do. One per node, shared by all its files:
/// a sad file has no state of its own.
pub(crate) struct SadFile {
    /// Opened through `/dev/sad/admin`.
    admin: bool,
    registry: Arc<Registry>,
    table: Arc<Autopush>,
}

/// `/dev/sad/admin` or `/dev/sad/user`.
pub(crate) struct SadNode {
    file: Arc<SadFile>,
}

impl SadNode {
    /// The admin node (`admin`) or the user node.
    pub(crate) fn new(admin: bool, registry: Arc<Registry>, table: Arc<Autopush>) -> Result<Self> {
        let file = Arc::new(
            SadFile {
                admin,
                registry,
                table,
            },
            GFP_KERNEL,
        )?;
        Ok(Self { file })
    }
}

impl NodeOps for SadNode {
    type File = SadFile;

    fn open(&self, _file: &File) -> Result<Arc<SadFile>> {
        if self.file.admin && !cred::capable_sys_admin_audited() {
            return Err(EPERM);
        }
        Ok(self.file.clone())
    }
}

/// The name in a `char[FMNAMESZ + 1]` field, without its NUL; `EINVAL`
/// when the field holds no NUL.
fn name_of(field: &[u8; FMNAMESZ + 1]) -> Result<&[u8]> {
    let len = field.iter().position(|&b| b == 0).ok_or(EINVAL)?;
    Ok(&field[..len])
}

/// Reads the caller's `struct strapush` (`EFAULT`).
fn read_strapush(arg: usize) -> Result<Strapush> {
    let mut raw = [0u8; STRAPUSH_SIZE];
    UserSlice::new(UserPtr::from_addr(arg), STRAPUSH_SIZE)
        .reader()
        .read_slice(&mut raw)?;
    Ok(Strapush::decode(&raw))
}

impl SadFile {
    /// illumos' `valid_major`: a driver is registered at `major` (every
    /// driver in the clone table is a STREAMS driver). `EINVAL` otherwise.
    fn valid_major(&self, major: u32) -> Result {
        self.registry.get(major).map(|_| ()).ok_or(EINVAL)
    }

    /// `SAD_SAP`.
    fn sap(&self, arg: usize) -> Result<isize> {
        // Decided before the argument is read.
        if !self.admin || !cred::capable_sys_admin_audited() {
            return Err(EPERM);
        }
        let sap = read_strapush(arg)?;
        match sap.sap_cmd {
            SAP_ONE | SAP_RANGE | SAP_ALL => self.set(&sap)?,
            SAP_CLEAR => {
                self.valid_major(sap.sap_major)?;
                self.table.clear(sap.sap_major, sap.sap_minor)?;
            }
            _ => return Err(EINVAL),
        }
        Ok(0)
    }

    /// `SAD_SAP` with `SAP_ONE`, `SAP_RANGE` or `SAP_ALL`: every check in
    /// illumos' order (`sad_apc_verify`, the names, `valid_major`), then
    /// the table's overlap check.
    fn set(&self, sap: &Strapush) -> Result {
        let n = sap.sap_npush as usize;
        if n == 0 || n > MAXAPUSH || n > nstrpush() {
            return Err(EINVAL);
        }
        // NODEV: illumos refuses it here already, before the range.
        if sap.sap_major == u32::MAX {
            return Err(EINVAL);
        }
        if sap.sap_cmd == SAP_RANGE && sap.sap_lastminor <= sap.sap_minor {
            return Err(ERANGE);
        }
        let mut list = [[0u8; FMNAMESZ + 1]; MAXAPUSH];
        for (field, out) in sap.sap_list[..n].iter().zip(list.iter_mut()) {
            let name = name_of(field)?;
            modsw::find(name).ok_or(EINVAL)?;
            out[..name.len()].copy_from_slice(name);
        }
        self.valid_major(sap.sap_major)?;
        self.table.set(ApConfig {
            cmd: sap.sap_cmd,
            major: sap.sap_major,
            minor: sap.sap_minor,
            lastminor: sap.sap_lastminor,
            npush: n,
            list,
        })
    }

    /// `SAD_GAP`: the configuration that covers (`sap_major`,
    /// `sap_minor`), written over the caller's structure.
    fn gap(&self, arg: usize) -> Result<isize> {
        // illumos copies the whole structure in first.
        let sap = read_strapush(arg)?;
        self.valid_major(sap.sap_major)?;
        let c = self.table.get(sap.sap_major, sap.sap_minor).ok_or(ENODEV)?;
        let out = Strapush {
            sap_cmd: c.cmd,
            sap_major: c.major,
            sap_minor: c.minor,
            sap_lastminor: c.lastminor,
            sap_npush: c.npush as u32,
            sap_list: c.list,
        };
        UserSlice::new(UserPtr::from_addr(arg), STRAPUSH_SIZE)
            .writer()
            .write_slice(&out.encode())?;
        Ok(0)
    }

    /// `SAD_VML`: 0 when every name in the caller's `struct str_list` is a
    /// registered module, 1 when one is not. The whole list is read first
    /// (`EFAULT`), then every name must have its NUL (`EINVAL`).
    fn vml(&self, arg: usize, abi: Abi) -> Result<isize> {
        let sl = abi.read_str_list(arg)?;
        // No stream holds more than nstrpush modules: no longer list makes
        // sense (illumos has no bound and copies in whatever is asked for).
        if sl.sl_nmods <= 0 || sl.sl_nmods as usize > nstrpush() {
            return Err(EINVAL);
        }
        let n = sl.sl_nmods as usize;
        let mut names = [[0u8; FMNAMESZ + 1]; NSTRPUSH_MAX];
        let mut r = UserSlice::new(
            UserPtr::from_addr(sl.sl_modlist as usize),
            n * STR_MLIST_SIZE,
        )
        .reader();
        for field in names[..n].iter_mut() {
            r.read_slice(field)?;
        }
        let mut all_known = true;
        for field in names[..n].iter() {
            all_known &= modsw::find(name_of(field)?).is_some();
        }
        Ok(isize::from(!all_known))
    }
}

impl SadFile {
    /// The sad ioctls of a caller whose structures have the layout of
    /// `abi` (`struct strapush` is the same in both).
    fn sad_ioctl(&self, cmd: u32, arg: usize, abi: Abi) -> Result<isize> {
        match cmd {
            uapi::SAD_SAP => self.sap(arg),
            uapi::SAD_GAP => self.gap(arg),
            uapi::SAD_VML => self.vml(arg, abi),
            // `I_STR` (the commands are transparent ioctls only), Solaris'
            // AP_VERSION 1 commands, anything else.
            _ => Err(EINVAL),
        }
    }
}

impl FileOps for SadFile {
    const RW: bool = false;

    // Never called: `RW` is false, so the file has no read, write or poll.
    fn read(_this: &Arc<Self>, _buf: &mut IovIterDest<'_>, _nb: bool) -> Result<usize> {
        Err(EINVAL)
    }

    fn write(_this: &Arc<Self>, _buf: &mut IovIterSource<'_>, _nonblock: bool) -> Result<usize> {
        Err(EINVAL)
    }

    fn poll(_this: &Arc<Self>, _file: &File, _table: PollTable<'_>) -> u32 {
        0
    }

    fn ioctl(this: &Arc<Self>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        this.sad_ioctl(cmd, arg, Abi::Native)
    }

    fn compat_ioctl(this: &Arc<Self>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        this.sad_ioctl(cmd, arg, Abi::Ilp32)
    }

    fn show_fdinfo(this: &Arc<Self>, m: &SeqFile) {
        let node = if this.admin { "admin" } else { "user" };
        seq_print!(m, "strclone-sad:\t{}\n", node);
    }

    fn release(_this: Arc<Self>, _nonblock: bool) {}
}
