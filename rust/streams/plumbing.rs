// SPDX-License-Identifier: GPL-2.0

//! The stream head's module ioctls: `I_PUSH`, `I_POP`, `I_LOOK`, `I_FIND`,
//! `I_LIST`, `I_ANCHOR` (`streamio(7I)`; errnos as illumos' `strioctl`).
//! `Documentation/strclone/modules.rst` has the table.

use super::compat::Abi;
use super::modsw::{self, ModName};
use super::stream::Stream;
use crate::glue::{cred, params};
use crate::uapi::{self, FMNAMESZ};
use core::sync::atomic::Ordering;
use kernel::{
    prelude::*,
    sync::Arc,
    uaccess::{UserPtr, UserSlice},
};

/// The most modules `I_LIST` can report: `nstrpush` is capped at this.
pub(crate) const NSTRPUSH_MAX: usize = 64;

/// The push limit (`nstrpush` module parameter, SVR4's default 9).
pub(crate) fn nstrpush() -> usize {
    (params::nstrpush() as usize).clamp(1, NSTRPUSH_MAX)
}

/// Reads a module name argument: a NUL-terminated string of at most
/// `FMNAMESZ` bytes. `EINVAL` without a NUL in `FMNAMESZ + 1` bytes or for
/// an empty name, `EFAULT` for a bad pointer.
fn read_name(arg: usize, buf: &mut [u8; FMNAMESZ + 2]) -> Result<&[u8]> {
    let r = UserSlice::new(UserPtr::from_addr(arg), FMNAMESZ + 2).reader();
    let name = r.strcpy_into_buf(buf)?.to_bytes();
    if name.is_empty() || name.len() > FMNAMESZ {
        return Err(EINVAL);
    }
    Ok(name)
}

impl Stream {
    /// The `M_ERROR` errno, if the stream has one (illumos' `strioctl`
    /// checks it before anything else for the module ioctls).
    fn stream_error(&self) -> Result {
        let inner = self.lock();
        for e in [inner.head.rerr, inner.head.werr] {
            if e != 0 {
                return Err(Error::from_errno(-e));
            }
        }
        Ok(())
    }

    /// Fails like illumos for plumbing a stream that is gone: the
    /// `M_ERROR` errno, then `ENXIO` on a hangup.
    fn plumbable(&self) -> Result {
        self.stream_error()?;
        if self.lock().head.hangup {
            return Err(ENXIO);
        }
        Ok(())
    }

    /// `I_PUSH`.
    pub(crate) fn i_push(self: &Arc<Self>, arg: usize) -> Result<isize> {
        self.plumbable()?;
        let mut buf = [0u8; FMNAMESZ + 2];
        let name = read_name(arg, &mut buf)?;
        let entry = modsw::find(name).ok_or(EINVAL)?;
        self.claim_plumbing()?;
        let r = if usize::from(self.nmods.load(Ordering::Acquire)) >= nstrpush() {
            Err(EINVAL)
        } else {
            self.plumbable().and_then(|()| self.push(entry))
        };
        self.release_plumbing();
        r.map(|()| 0)
    }

    /// `I_POP`.
    pub(crate) fn i_pop(self: &Arc<Self>) -> Result<isize> {
        self.plumbable()?;
        self.claim_plumbing()?;
        let r = self.pop(cred::capable_sys_admin());
        self.release_plumbing();
        r.map(|()| 0)
    }

    /// `I_LOOK`: the topmost module's name into the caller's
    /// `char[FMNAMESZ + 1]`.
    pub(crate) fn i_look(&self, arg: usize) -> Result<isize> {
        self.stream_error()?;
        let mut names = [None; 1];
        if self.module_names(&mut names) == 0 {
            return Err(EINVAL);
        }
        let mut out = [0u8; FMNAMESZ + 1];
        if let Some(n) = names[0] {
            let b = n.as_bytes();
            out[..b.len()].copy_from_slice(b);
        }
        UserSlice::new(UserPtr::from_addr(arg), FMNAMESZ + 1)
            .writer()
            .write_slice(&out)?;
        Ok(0)
    }

    /// `I_FIND`: 1 if the named module is on the stream, 0 if not; `EINVAL`
    /// for a name no module has.
    pub(crate) fn i_find(&self, arg: usize) -> Result<isize> {
        self.stream_error()?;
        let mut buf = [0u8; FMNAMESZ + 2];
        let name = read_name(arg, &mut buf)?;
        modsw::find(name).ok_or(EINVAL)?;
        let mut names = [None; NSTRPUSH_MAX];
        let n = self.module_names(&mut names).min(NSTRPUSH_MAX);
        Ok(isize::from(
            names[..n].iter().flatten().any(|m| m.as_bytes() == name),
        ))
    }

    /// `I_LIST`: with a NULL argument the number of modules plus the
    /// driver; otherwise fills the caller's `struct str_list` (modules top
    /// down, then the driver) and sets `sl_nmods` to the entries filled.
    pub(crate) fn i_list(&self, arg: usize, abi: Abi) -> Result<isize> {
        self.stream_error()?;
        let mut names = [None; NSTRPUSH_MAX];
        let n = self.module_names(&mut names).min(NSTRPUSH_MAX);
        if arg == 0 {
            return Ok((n + 1) as isize);
        }
        let uptr = UserPtr::from_addr(arg);
        // `sl_nmods` is at offset 0 in both layouts (`compat.rs`).
        let sl = abi.read_str_list(arg)?;
        let want = sl.sl_nmods;
        let list = sl.sl_modlist as usize;
        if want < 1 {
            return Err(EINVAL);
        }
        let fill = (want as usize).min(n + 1);
        let drv = ModName::new(self.driver().name().to_bytes()).ok();
        let mut w = UserSlice::new(UserPtr::from_addr(list), fill * uapi::STR_MLIST_SIZE).writer();
        let listed = Iterator::chain(names[..n].iter().copied(), [drv]);
        for name in listed.take(fill) {
            let mut slot = [0u8; FMNAMESZ + 1];
            if let Some(nm) = name {
                let b = nm.as_bytes();
                let k = b.len().min(FMNAMESZ);
                slot[..k].copy_from_slice(&b[..k]);
            }
            w.write_slice(&slot)?;
        }
        UserSlice::new(uptr, 4)
            .writer()
            .write_slice(&(fill as i32).to_ne_bytes())?;
        Ok(0)
    }

    /// `I_ANCHOR`: modules from the current topmost one down can be popped
    /// only with privilege. With nothing pushed it clears the anchor (as
    /// illumos). Serialised with pushes and pops.
    pub(crate) fn i_anchor(&self) -> Result<isize> {
        self.stream_error()?;
        self.claim_plumbing()?;
        {
            let mut inner = self.lock();
            let n = inner.mods.len();
            inner.head.anchor = n as u8;
        }
        self.release_plumbing();
        Ok(0)
    }
}
