// SPDX-License-Identifier: GPL-2.0

//! The KUnit suite `strclone_mblk`: size classes, sharing and copying,
//! `pullupmsg`, `adjmsg`, `linkb`/`unlinkb`, `esballoc`'s free routine, and
//! the queue list ([`crate::glue::msglist`]) over real blocks.

use kernel::prelude::kunit_tests;

// `#[kunit_tests]` takes an inline module only, hence the one below.
#[kunit_tests(strclone_mblk)]
mod suite {
    use super::super::{obj::HDR, FreeRtn, Mblk, Msgb};
    use core::{
        ffi::c_void,
        mem::size_of,
        ptr,
        sync::atomic::{AtomicUsize, Ordering},
    };
    use kernel::prelude::*;

    const M_DATA: u8 = 0x00;
    const M_PROTO: u8 = 0x01;

    fn data(bytes: &[u8]) -> Mblk {
        Mblk::new(M_DATA, bytes, GFP_KERNEL).unwrap()
    }

    /// The message's bytes, block by block, joined.
    fn flat(m: &Msgb) -> KVec<u8> {
        let mut v = KVec::new();
        let mut cur = Some(m);
        while let Some(b) = cur {
            v.extend_from_slice(b.bytes(), GFP_KERNEL).unwrap();
            cur = b.cont();
        }
        v
    }

    fn nblocks(m: &Msgb) -> usize {
        let mut n = 0;
        let mut cur = Some(m);
        while let Some(b) = cur {
            n += 1;
            cur = b.cont();
        }
        n
    }

    #[test]
    fn size_classes_and_one_allocation() {
        for (size, cap) in [
            (0, 32),
            (32, 32),
            (33, 128),
            (1000, 1024),
            (4096, 4096),
            (4097, 4097),
            (65536, 65536),
        ] {
            let m = Mblk::alloc(size, M_DATA, GFP_KERNEL).unwrap();
            assert_eq!(m.room(), cap);
            assert_eq!(m.len(), 0);
            assert_eq!(m.db_ref(), 1);
            // Header, data block and data are one object up to a page.
            if size <= 4096 {
                let start = ptr::from_ref::<Msgb>(&m) as usize;
                assert_eq!(m.b_rptr as usize, start + HDR);
                assert_eq!(m.b_datap as usize, start + size_of::<Msgb>());
            }
        }
        let mut m = Mblk::alloc(5, M_DATA, GFP_KERNEL).unwrap();
        assert_eq!(m.append(b"hello world"), 11);
        assert_eq!(m.bytes(), b"hello world");
        m.consume(6);
        assert_eq!(m.bytes(), b"world");
        m.trim_end(2);
        assert_eq!(m.bytes(), b"wor");
    }

    #[test]
    fn dup_shares_and_copy_does_not() {
        let mut m = data(b"shared");
        m.link_cont(data(b" tail"));
        let d = m.dupmsg(GFP_KERNEL).unwrap();
        assert!(d.shares_data_with(&m));
        assert_eq!(m.db_ref(), 2);
        assert_eq!(flat(&d)[..], b"shared tail"[..]);
        // A shared block is read only.
        assert!(!m.is_writable());
        let mut m2 = m;
        assert!(m2.bytes_mut().is_none());
        assert_eq!(m2.append(b"x"), 0);
        // Freeing one leaves the other intact.
        drop(d);
        assert_eq!(m2.db_ref(), 1);
        assert!(m2.bytes_mut().is_some());
        let c = m2.copymsg(GFP_KERNEL).unwrap();
        assert!(!c.shares_data_with(&m2));
        assert_eq!(c.db_ref(), 1);
        assert_eq!(flat(&c)[..], b"shared tail"[..]);
    }

    #[test]
    fn dup_outlives_original_and_make_writable_unshares() {
        let m = data(b"abc");
        let mut d = Mblk::dupb(&m, GFP_KERNEL).unwrap();
        drop(m);
        // The original's object stays until the dup goes.
        assert_eq!(d.bytes(), b"abc");
        assert_eq!(d.db_ref(), 1);
        let m = data(b"xyz");
        let mut d2 = Mblk::dupb(&m, GFP_KERNEL).unwrap();
        d2.make_writable(GFP_KERNEL).unwrap();
        assert!(!d2.shares_data_with(&m));
        assert_eq!(m.db_ref(), 1);
        d2.bytes_mut().unwrap()[0] = b'X';
        assert_eq!(d2.bytes(), b"Xyz");
        assert_eq!(m.bytes(), b"xyz");
        d.set_band(3);
        assert_eq!(d.band(), 3);
    }

    #[test]
    fn pullup_joins_leading_blocks_of_one_type() {
        let mut m = data(b"ab");
        m.link_cont(data(b"cd"));
        m.link_cont(data(b"ef"));
        // Too many bytes: nothing changes.
        assert!(m.pullup(Some(7), GFP_KERNEL).is_err());
        assert_eq!(nblocks(&m), 3);
        m.pullup(Some(3), GFP_KERNEL).unwrap();
        assert_eq!(m.bytes(), b"abc");
        assert_eq!(flat(&m)[..], b"abcdef"[..]);
        assert_eq!(nblocks(&m), 3);
        m.pullup(None, GFP_KERNEL).unwrap();
        assert_eq!(m.bytes(), b"abcdef");
        assert_eq!(nblocks(&m), 1);
        // A control block is pulled up alone: the data after it stays.
        let mut p = Mblk::new(M_PROTO, b"hd", GFP_KERNEL).unwrap();
        p.link_cont(data(b"body"));
        p.pullup(None, GFP_KERNEL).unwrap();
        assert_eq!(p.bytes(), b"hd");
        assert_eq!(nblocks(&p), 2);
        // Pulling up a block whose data is shared leaves the sharer alone.
        let mut a = data(b"12");
        a.link_cont(data(b"34"));
        let dup = a.dupmsg(GFP_KERNEL).unwrap();
        a.pullup(None, GFP_KERNEL).unwrap();
        assert_eq!(a.bytes(), b"1234");
        assert_eq!(dup.bytes(), b"12");
        assert_eq!(flat(&dup)[..], b"1234"[..]);
        assert_eq!(dup.db_ref(), 1);
    }

    #[test]
    fn adjmsg_trims_front_and_back() {
        let mut m = data(b"abc");
        m.link_cont(data(b"def"));
        assert!(m.adjmsg(4));
        assert_eq!(flat(&m)[..], b"ef"[..]);
        let mut m = data(b"abc");
        m.link_cont(data(b"def"));
        assert!(m.adjmsg(-4));
        assert_eq!(flat(&m)[..], b"ab"[..]);
        assert!(!m.adjmsg(3));
        assert!(!m.adjmsg(-3));
        assert_eq!(flat(&m)[..], b"ab"[..]);
        // Only the leading run of the first block's type is trimmed.
        let mut p = Mblk::new(M_PROTO, b"xy", GFP_KERNEL).unwrap();
        p.link_cont(data(b"zz"));
        assert!(!p.adjmsg(3));
        assert!(p.adjmsg(-1));
        assert_eq!(flat(&p)[..], b"xzz"[..]);
    }

    #[test]
    fn link_unlink_and_msgdsize() {
        let mut p = Mblk::new(M_PROTO, b"ctl", GFP_KERNEL).unwrap();
        p.link_cont(data(b"12345"));
        p.link_cont(data(b"678"));
        assert_eq!(p.msgdsize(), 8);
        assert_eq!(nblocks(&p), 3);
        let rest = p.take_cont().unwrap();
        assert_eq!(nblocks(&p), 1);
        assert_eq!(rest.msgdsize(), 8);
        assert_eq!(p.msgdsize(), 0);
    }

    static FREED: AtomicUsize = AtomicUsize::new(0);
    static mut BUF: [u8; 16] = *b"external buffer!";

    /// Adds `arg` (a small integer, not a pointer) to `FREED`.
    ///
    /// # Safety
    ///
    /// Any argument is fine; `unsafe` only because `frtn_t` says so.
    unsafe extern "C" fn count_free(arg: *mut c_void) {
        FREED.fetch_add(arg as usize, Ordering::Relaxed);
    }

    #[test]
    fn esballoc_calls_free_once_after_the_last_block() {
        FREED.store(0, Ordering::Relaxed);
        let frtn = FreeRtn {
            free_func: Some(count_free),
            free_arg: ptr::without_provenance_mut(1),
        };
        // SAFETY: `BUF` is static and nobody writes it.
        let m = unsafe {
            Mblk::esballoc(
                ptr::addr_of_mut!(BUF).cast(),
                16,
                M_DATA,
                &frtn,
                ptr::null_mut(),
                GFP_KERNEL,
            )
        }
        .unwrap();
        assert_eq!(m.bytes(), b"external buffer!");
        let d = m.dupmsg(GFP_KERNEL).unwrap();
        drop(m);
        assert_eq!(FREED.load(Ordering::Relaxed), 0);
        drop(d);
        assert_eq!(FREED.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn list_keeps_order_and_filters() {
        let mut l = crate::glue::msglist::MsgList::new();
        for b in [b"1", b"2", b"3", b"4"] {
            l.push_back(data(b));
        }
        l.push_front(data(b"0"));
        l.insert_before(data(b"x"), |m| m.bytes() == b"3");
        let mut out = KVec::new();
        l.drain_filter(
            |m| m.bytes() == b"2" || m.bytes() == b"4",
            |m| out.push(m.bytes()[0], GFP_KERNEL).unwrap(),
        );
        assert_eq!(&out[..], b"24");
        assert_eq!(l.len(), 4);
        let mut order = KVec::new();
        while let Some(m) = l.pop_front() {
            order.push(m.bytes()[0], GFP_KERNEL).unwrap();
        }
        assert_eq!(&order[..], b"01x3");
        assert!(l.is_empty());
    }
}
