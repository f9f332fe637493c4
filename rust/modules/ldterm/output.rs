// SPDX-License-Identifier: GPL-2.0

//! Output processing (`c_oflag`), as Linux's n_tty `do_output_char`: what
//! `ldterm` does to the bytes written to the terminal and to its echoes on
//! their way down. Pure functions over the settings and the output column;
//! tested by KUnit.

use super::termios::{Termios, OCRNL, ONLCR, ONLRET, ONOCR, OPOST, TAB3, TABDLY};
use kernel::{alloc::Flags, prelude::*};

/// `c_iflag` `IUTF8`: UTF-8 continuation bytes take no column.
const IUTF8: u32 = 0o40000;

/// A control character (C's `iscntrl` in the "C" locale).
pub(crate) fn is_cntrl(c: u8) -> bool {
    c < 0x20 || c == 0x7f
}

/// Whether `c` takes no column of its own (a UTF-8 continuation byte with
/// `IUTF8`).
pub(crate) fn is_continuation(t: &Termios, c: u8) -> bool {
    t.iflag & IUTF8 != 0 && c & 0xc0 == 0x80
}

/// Appends the output-processed form of `c` to `out` and moves the column
/// `col` as the terminal would. Without `OPOST` the byte is copied and the
/// column untouched.
pub(crate) fn put_char(
    t: &Termios,
    col: &mut u32,
    c: u8,
    out: &mut KVec<u8>,
    gfp: Flags,
) -> Result {
    if t.oflag & OPOST == 0 {
        return out.push(c, gfp).map_err(|_| ENOMEM);
    }
    match c {
        b'\n' => {
            if t.oflag & ONLRET != 0 {
                *col = 0;
            }
            if t.oflag & ONLCR != 0 {
                *col = 0;
                out.extend_from_slice(b"\r\n", gfp)?;
                return Ok(());
            }
        }
        b'\r' => {
            if t.oflag & ONOCR != 0 && *col == 0 {
                return Ok(());
            }
            if t.oflag & OCRNL != 0 {
                if t.oflag & ONLRET != 0 {
                    *col = 0;
                }
                return out.push(b'\n', gfp).map_err(|_| ENOMEM);
            }
            *col = 0;
        }
        b'\t' => {
            let spaces = 8 - (*col & 7);
            *col = col.saturating_add(spaces);
            if t.oflag & TABDLY == TAB3 {
                for _ in 0..spaces {
                    out.push(b' ', gfp)?;
                }
                return Ok(());
            }
        }
        8 => *col = col.saturating_sub(1),
        _ => {
            if !is_cntrl(c) && !is_continuation(t, c) {
                *col = col.saturating_add(1);
            }
        }
    }
    out.push(c, gfp).map_err(|_| ENOMEM)
}

/// Output processing of `data` (what a `write(2)` to the terminal sends
/// down), appended to `out`.
pub(crate) fn process(
    t: &Termios,
    col: &mut u32,
    data: &[u8],
    out: &mut KVec<u8>,
    gfp: Flags,
) -> Result {
    for &c in data {
        put_char(t, col, c, out, gfp)?;
    }
    Ok(())
}

/// Whether `data` passes output processing unchanged (no `OPOST`, or no
/// byte that processing changes), so the message can go down as it is;
/// the column is still followed.
pub(crate) fn passes_unchanged(t: &Termios, col: &mut u32, data: &[u8]) -> bool {
    if t.oflag & OPOST == 0 {
        return true;
    }
    if data.iter().any(|&c| matches!(c, b'\n' | b'\r' | b'\t')) {
        return false;
    }
    for &c in data {
        match c {
            8 => *col = col.saturating_sub(1),
            _ if !is_cntrl(c) && !is_continuation(t, c) => *col = col.saturating_add(1),
            _ => {}
        }
    }
    true
}

#[kunit_tests(strclone_ldterm_output)]
mod tests {
    use super::*;

    fn run(t: &Termios, col: &mut u32, s: &[u8]) -> KVec<u8> {
        let mut out = KVec::new();
        process(t, col, s, &mut out, GFP_KERNEL).unwrap();
        out
    }

    #[test]
    fn onlcr_and_column() {
        let t = Termios::linux_default();
        let mut col = 0;
        assert_eq!(&run(&t, &mut col, b"ab\ncd")[..], b"ab\r\ncd");
        assert_eq!(col, 2);
        let mut raw = t;
        raw.oflag &= !OPOST;
        let mut col = 5;
        assert_eq!(&run(&raw, &mut col, b"a\nb\t")[..], b"a\nb\t");
        assert_eq!(col, 5);
    }

    #[test]
    fn carriage_return_flags() {
        let mut t = Termios::linux_default();
        t.oflag = OPOST | OCRNL;
        let mut col = 3;
        assert_eq!(&run(&t, &mut col, b"\r")[..], b"\n");
        assert_eq!(col, 3);
        t.oflag = OPOST | OCRNL | ONLRET;
        assert_eq!(&run(&t, &mut col, b"\r")[..], b"\n");
        assert_eq!(col, 0);
        t.oflag = OPOST | ONOCR;
        let mut col = 0;
        assert_eq!(&run(&t, &mut col, b"\rx\r")[..], b"x\r");
        assert_eq!(col, 0);
        t.oflag = OPOST | ONLRET;
        let mut col = 4;
        assert_eq!(&run(&t, &mut col, b"\n")[..], b"\n");
        assert_eq!(col, 0);
    }

    #[test]
    fn tabs() {
        let mut t = Termios::linux_default();
        let mut col = 3;
        assert_eq!(&run(&t, &mut col, b"\t")[..], b"\t");
        assert_eq!(col, 8);
        t.oflag |= TAB3;
        let mut col = 3;
        assert_eq!(&run(&t, &mut col, b"\tx")[..], b"     x");
        assert_eq!(col, 9);
        let mut col = 9;
        assert_eq!(&run(&t, &mut col, b"\x08\x08")[..], b"\x08\x08");
        assert_eq!(col, 7);
    }

    #[test]
    fn unchanged_fast_path() {
        let t = Termios::linux_default();
        let mut col = 0;
        assert!(passes_unchanged(&t, &mut col, b"hello"));
        assert_eq!(col, 5);
        assert!(!passes_unchanged(&t, &mut col, b"a\n"));
        assert_eq!(col, 5);
    }
}
