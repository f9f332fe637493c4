// SPDX-License-Identifier: GPL-2.0

//! The ioctl messages: `M_IOCTL` and its answers `M_IOCACK`/`M_IOCNAK`,
//! the copy requests `M_COPYIN`/`M_COPYOUT` and the stream head's
//! `M_IOCDATA`, their headers and the operations modules and drivers use
//! on them (`mcopyin`, `mcopyout`, `miocack`/`miocnak` as `ioc_answer`).
//!
//! The first block of `M_IOCTL`, `M_IOCACK` and `M_IOCNAK` ([`IocBlk`]), of
//! `M_COPYIN` and `M_COPYOUT` ([`CopyReq`]) and of `M_IOCDATA` ([`CopyResp`]):
//! SVR4's `struct iocblk`, `struct copyreq` and `struct copyresp`. As in SVR4
//! (`union ioctypes`) the three keep the command, the id and the credentials
//! in the same place, so one block is rewritten in place from one to the next
//! as an ioctl goes up and down the stream. Little-endian, `u32` unless noted:
//!
//! ```text
//!   offset  iocblk          copyreq             copyresp
//!   0       ioc_cmd         cq_cmd              cp_cmd
//!   4       ioc_id          cq_id               cp_id
//!   8       ioc_count       cq_size             0
//!   12      ioc_error       cq_flag (0)         cp_rval (i32: 0, or an errno)
//!   16      ioc_rval        0                   0
//!   20      ioc_cr: uid     cq_cr: uid          cp_cr: uid
//!   24      ioc_cr: admin   cq_cr: admin        cp_cr: admin
//!   28      -               cq_addr (u64)       0 (u64)
//!   36      -               cq_private (u64)    cp_private (u64)
//!   size    28              44                  44
//! ```
//!
//! The stream head allocates every ioctl header block with room for
//! `IOCTYPES_SIZE` (44) bytes, so `mcopyin`, `mcopyout`, `ioc_answer` and the
//! head's `M_IOCDATA` rewrite it without allocating. A header block may be
//! longer than its encoding (an `M_IOCACK` made from an `M_IOCDATA` keeps 44
//! bytes); the bytes beyond it mean nothing. SVR4's `cq_private` and
//! `cp_private` are a message block of the module's state; here they are a
//! number the module gets back unchanged. `struct iocblk` of
//! `include/linux/strclone_ddi.h` is this encoding for C modules on x86_64
//! (little-endian; its size is checked in `ddi_check.c`); `copyreq` and
//! `copyresp` are not in the C ABI yet.

use super::{Mblk, Msg, MsgType};
use crate::bytes::{le_u32, le_u64};

/// `cq_private` of a module's copy step when the `M_IOCDATA` answers a
/// copy-out: the ioctl is done (`Stream::ioc_step`).
pub(crate) const STEP_DONE: u64 = 1;
/// `cq_private` of a module's copy step when the `M_IOCDATA` brings the
/// argument copied in, for the module to apply (`Stream::ioc_step`).
pub(crate) const STEP_SET: u64 = 2;
use kernel::{alloc::Flags, prelude::*};

impl Msg {
    /// The ioctl block of an `M_IOCTL`, `M_IOCACK` or `M_IOCNAK` (of an
    /// `M_IOCDATA` too: its command, id and credentials are where an
    /// `iocblk` has them).
    pub(crate) fn ioc(&self) -> IocBlk {
        IocBlk::decode(self.bytes())
    }

    /// The copy request of an `M_COPYIN` or `M_COPYOUT`.
    pub(crate) fn copyreq(&self) -> CopyReq {
        CopyReq::decode(self.bytes())
    }

    /// The copy response of an `M_IOCDATA`.
    pub(crate) fn copyresp(&self) -> CopyResp {
        CopyResp::decode(self.bytes())
    }

    /// The argument of a transparent `M_IOCTL`: the caller's `arg` (for
    /// most commands an address in its memory), 8 bytes little-endian in
    /// the continuation block, as SVR4 puts it in `b_cont`. `None` for an
    /// `I_STR` ioctl or any other message.
    pub(crate) fn transparent_arg(&self) -> Option<u64> {
        if self.ty() != MsgType::Ioctl || !self.ioc().is_transparent() {
            return None;
        }
        let b = self.cont()?.bytes();
        if b.len() < 8 {
            return None;
        }
        Some(le_u64(b, 0))
    }
}

impl Mblk {
    /// Rewrites the ioctl block in place. An `M_IOCTL` is built by the
    /// stream head and never shared, so the block is writable; if it were
    /// not (and could not be copied), the block keeps its old contents.
    pub(crate) fn set_ioc(&mut self, ioc: &IocBlk) {
        let enc = ioc.encode();
        if self.make_writable(GFP_ATOMIC).is_err() {
            return;
        }
        if let Some(b) = self.bytes_mut() {
            if b.len() >= enc.len() {
                b[..enc.len()].copy_from_slice(&enc);
            }
        }
    }

    /// Turns an `M_IOCTL` (or the `M_IOCDATA` of its last copy) into its
    /// answer in place (`miocack`/`miocnak`): `Ok(rval)` acknowledges with
    /// `rval` and the data now chained on the message; `Err(e)` is a
    /// negative answer carrying `e`'s errno.
    pub(crate) fn ioc_answer(&mut self, answer: Result<i32>) {
        let mut ioc = self.ioc();
        match answer {
            Ok(rval) => {
                ioc.rval = rval;
                ioc.error = 0;
                ioc.count = self.cont().map_or(0, |c| c.size()) as u32;
                self.set_ty(MsgType::IocAck);
            }
            Err(e) => {
                ioc.rval = 0;
                ioc.error = -e.to_errno();
                ioc.count = 0;
                drop(self.take_cont());
                self.set_ty(MsgType::IocNak);
            }
        }
        self.set_ioc(&ioc);
    }

    /// The answer of a module or driver that does not know this `M_IOCTL`'s
    /// command: `M_IOCNAK` with `ENOTTY` for a transparent ioctl (what Linux
    /// returns for an ioctl a device does not have) and `EINVAL` for an
    /// `I_STR` one (SVR4 drivers' `miocnak(q, mp, 0, EINVAL)`). The one
    /// place that makes this choice; the built-in drivers and modules use it.
    pub(crate) fn ioc_nak_unknown(&mut self) {
        let e = if self.ioc().is_transparent() {
            ENOTTY
        } else {
            EINVAL
        };
        self.ioc_answer(Err(e));
    }

    /// Rewrites the first block as the ioctl header `enc` of type `ty`: in
    /// place when the block is writable and has the room (the stream head
    /// gives every ioctl header [`IOCTYPES_SIZE`] bytes), otherwise in a new
    /// block (`gfp`) that takes over the continuation. Header bytes beyond
    /// `enc` are zeroed. On error the message is unchanged.
    fn set_header(&mut self, ty: MsgType, enc: &[u8], gfp: Flags) -> Result {
        if self.make_writable(gfp).is_ok() {
            let have = self.len();
            if have < enc.len() && self.room() >= enc.len() - have {
                let zeros = [0u8; IOCTYPES_SIZE];
                if let Some(z) = zeros.get(..enc.len() - have) {
                    self.append(z);
                }
            }
            if let Some(b) = self.bytes_mut() {
                if b.len() >= enc.len() {
                    let (front, rest) = b.split_at_mut(enc.len());
                    front.copy_from_slice(enc);
                    rest.fill(0);
                    self.set_ty(ty);
                    return Ok(());
                }
            }
        }
        let mut n = Mblk::alloc(IOCTYPES_SIZE.max(enc.len()), ty.0, gfp)?;
        n.append(enc);
        if let Some(c) = self.take_cont() {
            n.link_cont(c);
        }
        *self = n;
        Ok(())
    }

    /// The common part of `mcopyin`/`mcopyout`: the header of an `M_IOCTL`
    /// or `M_IOCDATA` becomes a copy request of type `ty` (command, id and
    /// credentials kept).
    fn copy_request(&mut self, ty: MsgType, private: u64, size: u32, addr: Option<u64>) -> Result {
        if !matches!(self.ty(), MsgType::Ioctl | MsgType::IocData) {
            return Err(EINVAL);
        }
        let addr = match addr {
            Some(a) => a,
            None => self.transparent_arg().ok_or(EINVAL)?,
        };
        let ioc = self.ioc();
        let req = CopyReq {
            cmd: ioc.cmd,
            id: ioc.id,
            size,
            flag: 0,
            cr: ioc.cr,
            addr,
            private,
        };
        self.set_header(ty, &req.encode(), GFP_ATOMIC)
    }

    /// SVR4 `mcopyin`: turns an `M_IOCTL` or `M_IOCDATA` into an
    /// `M_COPYIN` that asks the stream head for `size` bytes at `addr` in
    /// the caller's memory (`None`: the argument of a transparent
    /// `M_IOCTL`). `private` comes back unchanged in the `M_IOCDATA`
    /// (`cp_private`). The continuation is freed. `EINVAL` for another
    /// message type or without an address, `ENOMEM` if the header had to be
    /// replaced and could not be; the message is unchanged then.
    pub(crate) fn mcopyin(&mut self, private: u64, size: u32, addr: Option<u64>) -> Result {
        self.copy_request(MsgType::CopyIn, private, size, addr)?;
        drop(self.take_cont());
        Ok(())
    }

    /// SVR4 `mcopyout`: turns an `M_IOCTL` or `M_IOCDATA` into an
    /// `M_COPYOUT` that asks the stream head to write `data` (chained in
    /// place of the continuation; `cq_size` is its size) at `addr` in the
    /// caller's memory (`None`: the argument of a transparent `M_IOCTL`).
    /// Errors as [`Self::mcopyin`].
    pub(crate) fn mcopyout(&mut self, private: u64, addr: Option<u64>, data: Mblk) -> Result {
        self.mcopyout_or_back(private, addr, data)
            .map_err(|(e, _)| e)
    }

    /// [`Self::mcopyout`] that gives `data` back with the error (the DDI's
    /// `mcopyout`, whose caller keeps its data block on failure).
    pub(crate) fn mcopyout_or_back(
        &mut self,
        private: u64,
        addr: Option<u64>,
        data: Mblk,
    ) -> core::result::Result<(), (Error, Mblk)> {
        let Ok(size) = u32::try_from(data.size()) else {
            return Err((EINVAL, data));
        };
        if let Err(e) = self.copy_request(MsgType::CopyOut, private, size, addr) {
            return Err((e, data));
        }
        drop(self.take_cont());
        self.link_cont(data);
        Ok(())
    }

    /// The stream head's answer to an `M_COPYIN`/`M_COPYOUT`, in place: an
    /// `M_IOCDATA` with `rval` (0, or the errno of a copy that failed),
    /// the credentials `cr`, the request's `private`, and `data` chained
    /// (the bytes copied in; nothing after a failure or a copy-out).
    pub(crate) fn iocdata(
        &mut self,
        rval: i32,
        cr: IocCred,
        data: Option<Mblk>,
        gfp: Flags,
    ) -> Result {
        let req = self.copyreq();
        let resp = CopyResp {
            cmd: req.cmd,
            id: req.id,
            rval,
            cr,
            private: req.private,
        };
        drop(self.take_cont());
        self.set_header(MsgType::IocData, &resp.encode(), gfp)?;
        if let Some(d) = data {
            self.link_cont(d);
        }
        Ok(())
    }
}

/// Bytes of the largest ioctl header (SVR4's `sizeof(union ioctypes)`):
/// what the stream head reserves for every ioctl header block.
pub(crate) const IOCTYPES_SIZE: usize = CopyReq::SIZE;

/// `ioc_count` of a transparent ioctl: one the stream head sent down
/// because it does not know it, without `I_STR` (`TRANSPARENT` in the uapi
/// header). Its continuation block is the caller's argument.
pub(crate) const TRANSPARENT: u32 = u32::MAX;

/// The credentials an `M_IOCTL` carries (SVR4's `ioc_cr`), taken from the
/// task that issued the ioctl, so a driver can decide on privilege wherever
/// its put or service procedure runs.
#[derive(Copy, Clone, Default, Debug)]
pub(crate) struct IocCred {
    /// Effective uid, in the caller's user namespace.
    pub(crate) uid: u32,
    /// The caller had `CAP_SYS_ADMIN` (what `drv_priv` asks on Linux).
    pub(crate) admin: bool,
}

/// The ioctl block at the front of `M_IOCTL`/`M_IOCACK`/`M_IOCNAK`
/// (SVR4's `struct iocblk`).
#[derive(Copy, Clone, Default, Debug)]
pub(crate) struct IocBlk {
    /// Command.
    pub(crate) cmd: u32,
    /// Matches an answer with its request.
    pub(crate) id: u32,
    /// Bytes of data in the continuation; [`TRANSPARENT`] for a
    /// transparent ioctl.
    pub(crate) count: u32,
    /// errno of a negative answer.
    pub(crate) error: i32,
    /// Return value of a positive answer.
    pub(crate) rval: i32,
    /// Who asked.
    pub(crate) cr: IocCred,
}

impl IocBlk {
    /// Encoded size.
    pub(crate) const SIZE: usize = 28;

    fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0..4].copy_from_slice(&self.cmd.to_le_bytes());
        b[4..8].copy_from_slice(&self.id.to_le_bytes());
        b[8..12].copy_from_slice(&self.count.to_le_bytes());
        b[12..16].copy_from_slice(&self.error.to_le_bytes());
        b[16..20].copy_from_slice(&self.rval.to_le_bytes());
        b[20..24].copy_from_slice(&self.cr.uid.to_le_bytes());
        b[24..28].copy_from_slice(&u32::from(self.cr.admin).to_le_bytes());
        b
    }

    fn decode(b: &[u8]) -> Self {
        Self {
            cmd: le_u32(b, 0),
            id: le_u32(b, 4),
            count: le_u32(b, 8),
            error: le_u32(b, 12) as i32,
            rval: le_u32(b, 16) as i32,
            cr: IocCred {
                uid: le_u32(b, 20),
                admin: le_u32(b, 24) != 0,
            },
        }
    }

    /// Whether this is a transparent ioctl (`ioc_count == TRANSPARENT`).
    pub(crate) fn is_transparent(&self) -> bool {
        self.count == TRANSPARENT
    }

    /// Builds the `M_IOCTL` message for this block with `data` chained
    /// (for a transparent ioctl: the argument). The header block has room
    /// for [`IOCTYPES_SIZE`] bytes.
    pub(crate) fn into_msg(self, data: Option<Mblk>, gfp: Flags) -> Result<Mblk> {
        let mut m = Mblk::alloc(IOCTYPES_SIZE, MsgType::Ioctl.0, gfp)?;
        m.append(&self.encode());
        if let Some(d) = data {
            m.link_cont(d);
        }
        Ok(m)
    }
}

/// The copy request at the front of `M_COPYIN`/`M_COPYOUT` (SVR4's `struct
/// copyreq`).
#[derive(Copy, Clone, Default, Debug)]
pub(crate) struct CopyReq {
    /// The ioctl's command (`cq_cmd`).
    pub(crate) cmd: u32,
    /// The ioctl's id (`cq_id`).
    pub(crate) id: u32,
    /// Bytes to copy (`cq_size`).
    pub(crate) size: u32,
    /// `cq_flag`: 0 (SVR4's `STRCANON`/`RECOPY` are not supported).
    pub(crate) flag: u32,
    /// The credentials of the ioctl (`cq_cr`).
    pub(crate) cr: IocCred,
    /// Where in the caller's memory (`cq_addr`).
    pub(crate) addr: u64,
    /// The module's value, returned in `cp_private` (`cq_private`).
    pub(crate) private: u64,
}

impl CopyReq {
    /// Encoded size.
    pub(crate) const SIZE: usize = 44;

    fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0..4].copy_from_slice(&self.cmd.to_le_bytes());
        b[4..8].copy_from_slice(&self.id.to_le_bytes());
        b[8..12].copy_from_slice(&self.size.to_le_bytes());
        b[12..16].copy_from_slice(&self.flag.to_le_bytes());
        b[20..24].copy_from_slice(&self.cr.uid.to_le_bytes());
        b[24..28].copy_from_slice(&u32::from(self.cr.admin).to_le_bytes());
        b[28..36].copy_from_slice(&self.addr.to_le_bytes());
        b[36..44].copy_from_slice(&self.private.to_le_bytes());
        b
    }

    fn decode(b: &[u8]) -> Self {
        Self {
            cmd: le_u32(b, 0),
            id: le_u32(b, 4),
            size: le_u32(b, 8),
            flag: le_u32(b, 12),
            cr: IocCred {
                uid: le_u32(b, 20),
                admin: le_u32(b, 24) != 0,
            },
            addr: le_u64(b, 28),
            private: le_u64(b, 36),
        }
    }
}

/// The stream head's answer at the front of `M_IOCDATA` (SVR4's `struct
/// copyresp`).
#[derive(Copy, Clone, Default, Debug)]
pub(crate) struct CopyResp {
    /// The ioctl's command (`cp_cmd`).
    pub(crate) cmd: u32,
    /// The ioctl's id (`cp_id`).
    pub(crate) id: u32,
    /// 0 when the copy succeeded, else an errno (SVR4's `cp_rval`, a
    /// `caddr_t` that is non-zero for a failure). After a failure the
    /// module or driver frees the message and answers nothing: the caller
    /// already has its error.
    pub(crate) rval: i32,
    /// The caller's credentials (`cp_cr`).
    pub(crate) cr: IocCred,
    /// The request's `cq_private` (`cp_private`).
    pub(crate) private: u64,
}

impl CopyResp {
    /// Encoded size.
    pub(crate) const SIZE: usize = 44;

    fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0..4].copy_from_slice(&self.cmd.to_le_bytes());
        b[4..8].copy_from_slice(&self.id.to_le_bytes());
        b[12..16].copy_from_slice(&self.rval.to_le_bytes());
        b[20..24].copy_from_slice(&self.cr.uid.to_le_bytes());
        b[24..28].copy_from_slice(&u32::from(self.cr.admin).to_le_bytes());
        b[36..44].copy_from_slice(&self.private.to_le_bytes());
        b
    }

    fn decode(b: &[u8]) -> Self {
        Self {
            cmd: le_u32(b, 0),
            id: le_u32(b, 4),
            rval: le_u32(b, 12) as i32,
            cr: IocCred {
                uid: le_u32(b, 20),
                admin: le_u32(b, 24) != 0,
            },
            private: le_u64(b, 36),
        }
    }
}

#[kernel::prelude::kunit_tests(strclone_msg)]
mod tests {
    use super::*;

    const CR: IocCred = IocCred {
        uid: 1000,
        admin: false,
    };

    /// A transparent `M_IOCTL` as the stream head builds it.
    fn transparent(cmd: u32, id: u32, arg: u64) -> Mblk {
        let a = Mblk::with(MsgType::Data, &arg.to_le_bytes(), GFP_KERNEL).unwrap();
        IocBlk {
            cmd,
            id,
            count: TRANSPARENT,
            cr: CR,
            ..Default::default()
        }
        .into_msg(Some(a), GFP_KERNEL)
        .unwrap()
    }

    #[test]
    fn headers_round_trip() {
        let req = CopyReq {
            cmd: 0xc008_4320,
            id: 7,
            size: 8,
            flag: 0,
            cr: IocCred {
                uid: 42,
                admin: true,
            },
            addr: 0x7fff_1234_5678,
            private: 0xdead_beef_0000_0001,
        };
        let r = CopyReq::decode(&req.encode());
        assert_eq!((r.cmd, r.id, r.size, r.flag), (req.cmd, 7, 8, 0));
        assert_eq!((r.cr.uid, r.cr.admin), (42, true));
        assert_eq!((r.addr, r.private), (req.addr, req.private));
        let resp = CopyResp {
            cmd: 3,
            id: 9,
            rval: 14,
            cr: CR,
            private: 5,
        };
        let p = CopyResp::decode(&resp.encode());
        assert_eq!(
            (p.cmd, p.id, p.rval, p.cr.uid, p.private),
            (3, 9, 14, 1000, 5)
        );
        // The shared part reads the same through an iocblk.
        let ioc = IocBlk::decode(&req.encode());
        assert_eq!(
            (ioc.cmd, ioc.id, ioc.cr.uid, ioc.cr.admin),
            (req.cmd, 7, 42, true)
        );
    }

    #[test]
    fn copy_protocol_in_place() {
        let mut m = transparent(0x1234, 5, 0x7000_0000);
        assert_eq!(m.transparent_arg(), Some(0x7000_0000));
        // Module: copy 8 bytes in from the argument.
        m.mcopyin(1, 8, None).unwrap();
        assert_eq!(m.ty(), MsgType::CopyIn);
        assert!(m.cont().is_none());
        let req = m.copyreq();
        assert_eq!((req.cmd, req.id, req.size), (0x1234, 5, 8));
        assert_eq!((req.addr, req.private, req.cr.uid), (0x7000_0000, 1, 1000));
        // Head: the bytes arrived.
        let d = Mblk::with(MsgType::Data, &[1, 2, 3, 4, 5, 6, 7, 8], GFP_KERNEL).unwrap();
        m.iocdata(0, CR, Some(d), GFP_KERNEL).unwrap();
        assert_eq!(m.ty(), MsgType::IocData);
        let resp = m.copyresp();
        assert_eq!(
            (resp.cmd, resp.id, resp.rval, resp.private),
            (0x1234, 5, 0, 1)
        );
        assert_eq!(m.data_size(), 8);
        // Module: copy 4 bytes out to another address.
        let out = Mblk::with(MsgType::Data, &[9, 9, 9, 9], GFP_KERNEL).unwrap();
        m.mcopyout(2, Some(0x7000_0100), out).unwrap();
        assert_eq!(m.ty(), MsgType::CopyOut);
        let req = m.copyreq();
        assert_eq!((req.size, req.addr, req.private), (4, 0x7000_0100, 2));
        assert_eq!(m.data_size(), 4);
        // Head: written; module: done, return value 3.
        m.iocdata(0, CR, None, GFP_KERNEL).unwrap();
        assert_eq!(m.data_size(), 0);
        m.ioc_answer(Ok(3));
        assert_eq!(m.ty(), MsgType::IocAck);
        let ioc = m.ioc();
        assert_eq!(
            (ioc.cmd, ioc.id, ioc.rval, ioc.error, ioc.count),
            (0x1234, 5, 3, 0, 0)
        );
    }

    #[test]
    fn unknown_commands() {
        let mut t = transparent(0x5401, 1, 0);
        t.ioc_nak_unknown();
        assert_eq!(t.ty(), MsgType::IocNak);
        assert_eq!(t.ioc().error, 25); // ENOTTY
        assert!(t.cont().is_none());
        let mut s = IocBlk {
            cmd: 0x5401,
            id: 2,
            count: 0,
            ..Default::default()
        }
        .into_msg(None, GFP_KERNEL)
        .unwrap();
        assert_eq!(s.transparent_arg(), None);
        // No argument to take the address from.
        assert!(s.mcopyin(0, 4, None).is_err());
        assert_eq!(s.ty(), MsgType::Ioctl);
        s.ioc_nak_unknown();
        assert_eq!(s.ioc().error, 22); // EINVAL
    }

    #[test]
    fn short_header_is_replaced() {
        // A header block without room (not made by the stream head).
        let mut m = Mblk::with(
            MsgType::Ioctl,
            &IocBlk {
                cmd: 1,
                id: 3,
                count: TRANSPARENT,
                ..Default::default()
            }
            .encode(),
            GFP_KERNEL,
        )
        .unwrap();
        m.link_cont(Mblk::with(MsgType::Data, &8u64.to_le_bytes(), GFP_KERNEL).unwrap());
        m.mcopyin(0, 4, None).unwrap();
        assert_eq!(m.ty(), MsgType::CopyIn);
        assert!(m.len() >= CopyReq::SIZE);
        assert_eq!((m.copyreq().id, m.copyreq().addr), (3, 8));
    }
}
