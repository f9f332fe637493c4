// SPDX-License-Identifier: GPL-2.0

//! Reading the module parameters declared in `params.c`.

extern "C" {
    static strclone_pt_cnt: u32;
    static strclone_log_cnt: u32;
    static strclone_nstrpush: u32;
    static strclone_tty_gid: i32;
    static strclone_pts_autopush: bool;
}

/// `pt_cnt`.
pub(crate) fn pt_cnt() -> u32 {
    // SAFETY: A plain `unsigned int` defined in params.c; the parameters are
    // read-only (0444) and set before module init runs.
    unsafe { core::ptr::addr_of!(strclone_pt_cnt).read() }
}

/// `log_cnt`.
pub(crate) fn log_cnt() -> u32 {
    // SAFETY: As for `pt_cnt`.
    unsafe { core::ptr::addr_of!(strclone_log_cnt).read() }
}

/// `nstrpush` (writable at run time: read it at each push).
pub(crate) fn nstrpush() -> u32 {
    // SAFETY: A plain `unsigned int` defined in params.c; a concurrent write
    // through sysfs stores a whole aligned word, so a racing read sees the
    // old or the new value.
    unsafe { core::ptr::addr_of!(strclone_nstrpush).read_volatile() }
}

/// `tty_gid` (writable at run time: read it at each `GRANTPT`): the group
/// of the initial user namespace, or `None` (-1, or any negative value).
pub(crate) fn tty_gid() -> Option<u32> {
    // SAFETY: A plain `int` defined in params.c; as for `nstrpush`, a racing
    // sysfs write stores a whole aligned word.
    let v = unsafe { core::ptr::addr_of!(strclone_tty_gid).read_volatile() };
    u32::try_from(v).ok()
}

/// `pts_autopush` (writable at run time: read it at each new pts slave
/// stream).
pub(crate) fn pts_autopush() -> bool {
    // SAFETY: A C `bool` defined in params.c, which the kernel's bool
    // parameter code only ever stores 0 or 1 into (one aligned byte, so a
    // racing read sees the old or the new value).
    unsafe { core::ptr::addr_of!(strclone_pts_autopush).read_volatile() }
}
