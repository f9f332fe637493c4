// SPDX-License-Identifier: GPL-2.0

//! Input processing (`c_iflag`, `c_lflag`, `c_cc`): the line discipline's
//! state machine, after Linux's n_tty (behaviour, not code). [`Ld::input`]
//! takes the bytes that arrived from the terminal and says, in order, what
//! to do ([`Act`]): data for the reader, echoes for the terminal, signals,
//! output stop and start. Pure: no messages, no queues, no locks; the
//! module (`ldterm.rs`) carries the actions out. Tested by KUnit.

use super::output::{is_cntrl, is_continuation, put_char};
use super::raw::Timer;
use super::termios::*;
use kernel::{alloc::Flags, prelude::*};

/// Characters a canonical line keeps (Linux's `N_TTY_BUF_SIZE` - 1); the
/// terminator makes a delivered line at most 4096 bytes. Ordinary
/// characters beyond are echoed but dropped; erase, kill, the line
/// terminators, signals and the flow characters still work.
pub(crate) const LINE_MAX: usize = 4095;

/// Raw-mode bytes held before they go up however `VMIN` is set (a bound,
/// so one write from the master cannot make ldterm hold unbounded memory).
pub(crate) const RAW_CHUNK: usize = 4096;

/// `SIGINT`, `SIGQUIT`, `SIGTSTP` (Linux x86_64).
pub(crate) const SIGINT: u8 = 2;
pub(crate) const SIGQUIT: u8 = 3;
pub(crate) const SIGTSTP: u8 = 20;

/// What the module must do, in this order.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Act {
    /// Data for the reader: a complete line (with its terminator, if it
    /// has one: not `VEOF`), or raw-mode bytes; empty is end of file (a
    /// `VEOF` at the start of a line), or "nothing now" for a `VMIN` 0
    /// read. One `M_DATA` up.
    Up(KVec<u8>),
    /// Echo bytes for the terminal, already output-processed. `M_DATA`
    /// down.
    Echo(KVec<u8>),
    /// A signal character: flush both ways first if `flush`, then
    /// `M_PCSIG` up with `sig`.
    Sig { sig: u8, flush: bool },
    /// Output was started (`VSTART`, `IXANY`, a signal with `IXON`): what
    /// waits on the write side may go.
    Start,
    /// Canonical mode changed (`true`: now canonical): the stream head's
    /// read mode must follow (`M_SETOPTS`).
    Mode(bool),
}

/// The line discipline's state.
pub(crate) struct Ld {
    /// The settings.
    pub(crate) t: Termios,
    /// The output column (for tabs, `ONOCR`, erasing).
    pub(crate) col: u32,
    /// The column where the current line's echo started.
    canon_col: u32,
    /// The canonical line being edited.
    line: KVec<u8>,
    /// Raw-mode bytes not yet sent up (waiting for `VMIN`).
    pub(super) raw: KVec<u8>,
    /// The previous character was `VLNEXT`.
    lnext: bool,
    /// Output stopped (`VSTOP` with `IXON`, or `TCOOFF`).
    pub(crate) stopped: bool,
    /// Bytes a blocked raw-mode reader asked for (`M_READ`), 0 if none.
    pub(super) want: usize,
    /// The `VTIME` timer (`raw.rs`).
    pub(super) timer: Timer,
}

/// The bytes canonical input may take as plain characters: printable ASCII
/// (no control character, so no `ICRNL`/`INLCR`/`IGNCR`, no newline, one
/// column each, unchanged by `ISTRIP`, not part of a UTF-8 sequence) that
/// is no `c_cc` entry (whatever the flags say: a byte that might be special
/// takes the slow path). A bitmap over 0..128.
fn plain_set(t: &Termios) -> [u64; 2] {
    // 0x20..=0x3f, 0x40..=0x7e.
    let mut set = [u64::MAX << 32, u64::MAX >> 1];
    for &c in t.cc.iter() {
        if c < 128 {
            set[usize::from(c >> 6)] &= !(1u64 << (c & 63));
        }
    }
    set
}

impl Ld {
    /// A line discipline with Linux's default settings.
    pub(crate) fn new(gfp: Flags) -> Result<Self> {
        Ok(Self {
            t: Termios::linux_default(),
            col: 0,
            canon_col: 0,
            line: KVec::with_capacity(LINE_MAX + 1, gfp)?,
            raw: KVec::new(),
            lnext: false,
            stopped: false,
            want: 0,
            timer: Timer::new(),
        })
    }

    /// Bytes of input held here that a reader could have now (raw-mode
    /// bytes waiting for `VMIN`; a partial canonical line is not input
    /// yet).
    pub(crate) fn ready_bytes(&self) -> usize {
        self.raw.len()
    }

    /// Forgets all input held (a flush).
    pub(crate) fn flush_input(&mut self) {
        self.line.clear();
        self.raw.clear();
        self.lnext = false;
        self.want = 0;
    }

    /// Takes the raw-mode bytes held (to send them up at a close).
    pub(crate) fn take_raw(&mut self) -> KVec<u8> {
        core::mem::take(&mut self.raw)
    }

    fn echo_buf<'a>(acts: &'a mut KVec<Act>, gfp: Flags) -> Result<&'a mut KVec<u8>> {
        if !matches!(acts.last(), Some(Act::Echo(_))) {
            acts.push(Act::Echo(KVec::new()), gfp)?;
        }
        match acts.last_mut() {
            Some(Act::Echo(v)) => Ok(v),
            _ => Err(ENOMEM),
        }
    }

    /// Echoes `c` through output processing.
    fn echo_raw(&mut self, c: u8, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        let t = self.t;
        let b = Self::echo_buf(acts, gfp)?;
        put_char(&t, &mut self.col, c, b, gfp)
    }

    /// Echoes `c` as a typed character: a control character other than
    /// tab and newline as `^X` with `ECHOCTL` (`^?` for DEL), without
    /// output processing.
    fn echo_char(&mut self, c: u8, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        if self.t.lflag & ECHOCTL != 0 && is_cntrl(c) && c != b'\t' && c != b'\n' {
            let b = Self::echo_buf(acts, gfp)?;
            b.extend_from_slice(&[b'^', c ^ 0o100], gfp)?;
            self.col = self.col.saturating_add(2);
            return Ok(());
        }
        self.echo_raw(c, acts, gfp)
    }

    fn deliver(&mut self, term: Option<u8>, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        let mut v = KVec::with_capacity(self.line.len() + 1, gfp)?;
        v.extend_from_slice(&self.line, gfp)?;
        if let Some(c) = term {
            v.push(c, gfp)?;
        }
        self.line.clear();
        acts.push(Act::Up(v), gfp)?;
        Ok(())
    }

    /// Keeps an ordinary character (its echo is done).
    fn store(&mut self, c: u8, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        if self.t.icanon() {
            if self.line.len() < LINE_MAX {
                self.line.push(c, gfp)?;
            }
        } else {
            self.raw.push(c, gfp)?;
            if self.raw.len() >= RAW_CHUNK {
                self.send_raw(acts, gfp)?;
            }
        }
        Ok(())
    }

    /// An ordinary character: echo and keep.
    fn ordinary(&mut self, c: u8, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        if self.t.lflag & ECHO != 0 {
            if c == b'\n' {
                self.echo_raw(b'\n', acts, gfp)?;
            } else {
                if self.line.is_empty() {
                    self.canon_col = self.col;
                }
                self.echo_char(c, acts, gfp)?;
            }
        }
        self.store(c, acts, gfp)
    }

    /// `VERASE`, `VWERASE` (`word`) or `VKILL` (`kill`).
    fn erase(&mut self, c: u8, word: bool, kill: bool, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        if self.line.is_empty() {
            return Ok(());
        }
        let l = self.t.lflag;
        let echo = l & ECHO != 0;
        if kill {
            if !echo {
                self.line.clear();
                return Ok(());
            }
            if l & ECHOK == 0 || l & ECHOKE == 0 || l & ECHOE == 0 {
                self.line.clear();
                self.echo_char(c, acts, gfp)?;
                if l & ECHOK != 0 {
                    self.echo_raw(b'\n', acts, gfp)?;
                }
                return Ok(());
            }
        }
        let mut seen_alnum = false;
        while !self.line.is_empty() {
            // One character: a UTF-8 sequence with IUTF8.
            let mut start = self.line.len() - 1;
            while start > 0 && is_continuation(&self.t, self.line[start]) {
                start -= 1;
            }
            let ch = self.line[start];
            if is_continuation(&self.t, ch) {
                break;
            }
            if word {
                if ch.is_ascii_alphanumeric() || ch == b'_' {
                    seen_alnum = true;
                } else if seen_alnum {
                    break;
                }
            }
            self.line.truncate(start);
            if echo {
                if !word && !kill && l & ECHOE == 0 {
                    self.echo_char(c, acts, gfp)?;
                } else if ch == b'\t' {
                    self.erase_tab(acts, gfp)?;
                } else {
                    let ctl = is_cntrl(ch);
                    let times = match (ctl, l & ECHOCTL != 0) {
                        (true, true) => 2,
                        (true, false) => 0,
                        (false, _) => 1,
                    };
                    for _ in 0..times {
                        for b in [8u8, b' ', 8u8] {
                            self.echo_raw(b, acts, gfp)?;
                        }
                    }
                }
            }
            if !word && !kill {
                break;
            }
        }
        Ok(())
    }

    /// Backs the cursor over an erased tab: to the tab stop the line's
    /// text before it ends at.
    fn erase_tab(&mut self, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        let mut cols: u32 = 0;
        let mut after_tab = false;
        for &ch in self.line.iter().rev() {
            if ch == b'\t' {
                after_tab = true;
                break;
            } else if is_cntrl(ch) {
                if self.t.lflag & ECHOCTL != 0 {
                    cols += 2;
                }
            } else if !is_continuation(&self.t, ch) {
                cols += 1;
            }
        }
        if !after_tab {
            cols = cols.wrapping_add(self.canon_col);
        }
        let n = (8 - (cols & 7)).min(self.col);
        let b = Self::echo_buf(acts, gfp)?;
        for _ in 0..n {
            b.push(8, gfp)?;
        }
        self.col -= n;
        Ok(())
    }

    /// `VREPRINT`: the character, a newline, and the line so far.
    fn reprint(&mut self, c: u8, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        self.echo_char(c, acts, gfp)?;
        self.echo_raw(b'\n', acts, gfp)?;
        let line = core::mem::take(&mut self.line);
        let mut r = Ok(());
        for &ch in line.iter() {
            r = self.echo_char(ch, acts, gfp);
            if r.is_err() {
                break;
            }
        }
        self.line = line;
        r
    }

    /// Processes the bytes `data` that arrived from the terminal; appends
    /// what to do to `acts`. Bytes that cannot be processed for lack of
    /// memory (`gfp`) are dropped (`ENOMEM`, the actions so far stand).
    pub(crate) fn input(&mut self, data: &[u8], acts: &mut KVec<Act>, gfp: Flags) -> Result {
        // In canonical mode runs of plain characters take the fast path.
        let plain = self.t.icanon().then(|| plain_set(&self.t));
        let mut i = 0;
        while i < data.len() {
            if let Some(set) = &plain {
                let n = self.plain_run(set, &data[i..]);
                if n > 0 {
                    self.take_plain(&data[i..i + n], acts, gfp)?;
                    i += n;
                    continue;
                }
            }
            self.input_char(data[i], acts, gfp)?;
            i += 1;
        }
        if !self.t.icanon() {
            self.raw_arrived(acts, gfp)?;
        }
        Ok(())
    }

    /// How many bytes at the start of `d` are plain (in `set`, see
    /// [`plain_set`]) and may take the fast path now: none after `VLNEXT`
    /// or while output is stopped with `IXANY` (the next character is
    /// special then).
    fn plain_run(&self, set: &[u64; 2], d: &[u8]) -> usize {
        if self.lnext || (self.stopped && self.t.iflag & (IXON | IXANY) == IXON | IXANY) {
            return 0;
        }
        d.iter()
            .take_while(|&&b| b < 128 && set[usize::from(b >> 6)] & (1u64 << (b & 63)) != 0)
            .count()
    }

    /// The fast path of canonical input: `run` is plain characters, each
    /// of which [`Ld::input_char`] would take as an ordinary character
    /// (echoed as itself, one column with `OPOST`, kept up to the line
    /// limit): done for the whole run at once.
    fn take_plain(&mut self, run: &[u8], acts: &mut KVec<Act>, gfp: Flags) -> Result {
        if self.t.lflag & ECHO != 0 {
            if self.line.is_empty() {
                self.canon_col = self.col;
            }
            Self::echo_buf(acts, gfp)?.extend_from_slice(run, gfp)?;
            if self.t.oflag & OPOST != 0 {
                let n = u32::try_from(run.len()).unwrap_or(u32::MAX);
                self.col = self.col.saturating_add(n);
            }
        }
        let room = LINE_MAX.saturating_sub(self.line.len());
        self.line
            .extend_from_slice(&run[..run.len().min(room)], gfp)?;
        Ok(())
    }

    fn input_char(&mut self, b: u8, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        let t = self.t;
        let (i, l) = (t.iflag, t.lflag);
        let c = if i & ISTRIP != 0 { b & 0x7f } else { b };
        if self.lnext {
            // The character after VLNEXT is taken literally.
            self.lnext = false;
            if self.stopped && i & IXON != 0 && i & IXANY != 0 {
                self.stopped = false;
                acts.push(Act::Start, gfp)?;
            }
            if l & ECHO != 0 {
                if self.line.is_empty() {
                    self.canon_col = self.col;
                }
                self.echo_char(c, acts, gfp)?;
            }
            return self.store(c, acts, gfp);
        }
        if i & IXON != 0 {
            if t.is(VSTART, c) {
                if self.stopped {
                    self.stopped = false;
                    acts.push(Act::Start, gfp)?;
                }
                return Ok(());
            }
            if t.is(VSTOP, c) {
                self.stopped = true;
                return Ok(());
            }
        }
        if l & ISIG != 0 {
            let sig = if t.is(VINTR, c) {
                Some(SIGINT)
            } else if t.is(VQUIT, c) {
                Some(SIGQUIT)
            } else if t.is(VSUSP, c) {
                Some(SIGTSTP)
            } else {
                None
            };
            if let Some(sig) = sig {
                let flush = l & NOFLSH == 0;
                if flush {
                    self.flush_input();
                    // As n_tty, whose echoes of one chunk of input go out
                    // at its end: the flush drops the echoes of this
                    // chunk not sent yet.
                    acts.retain(|a| !matches!(a, Act::Echo(_)));
                }
                acts.push(Act::Sig { sig, flush }, gfp)?;
                if i & IXON != 0 && self.stopped {
                    self.stopped = false;
                    acts.push(Act::Start, gfp)?;
                }
                if l & ECHO != 0 {
                    self.echo_char(c, acts, gfp)?;
                }
                return Ok(());
            }
        }
        if self.stopped && i & IXON != 0 && i & IXANY != 0 {
            self.stopped = false;
            acts.push(Act::Start, gfp)?;
        }
        let c = if c == b'\r' {
            if i & IGNCR != 0 {
                return Ok(());
            }
            if i & ICRNL != 0 {
                b'\n'
            } else {
                c
            }
        } else if c == b'\n' && i & INLCR != 0 {
            b'\r'
        } else {
            c
        };
        if t.icanon() {
            let iext = l & IEXTEN != 0;
            let werase = iext && t.is(VWERASE, c);
            if t.is(VERASE, c) || t.is(VKILL, c) || werase {
                let kill = !t.is(VERASE, c) && t.is(VKILL, c);
                let word = !t.is(VERASE, c) && !kill && werase;
                return self.erase(c, word, kill, acts, gfp);
            }
            if iext && t.is(VLNEXT, c) {
                self.lnext = true;
                if l & ECHO != 0 && l & ECHOCTL != 0 {
                    let b = Self::echo_buf(acts, gfp)?;
                    b.extend_from_slice(b"^\x08", gfp)?;
                }
                return Ok(());
            }
            if iext && l & ECHO != 0 && t.is(VREPRINT, c) {
                return self.reprint(c, acts, gfp);
            }
            if c == b'\n' {
                if l & (ECHO | ECHONL) != 0 {
                    self.echo_raw(b'\n', acts, gfp)?;
                }
                return self.deliver(Some(b'\n'), acts, gfp);
            }
            if t.is(VEOF, c) {
                return self.deliver(None, acts, gfp);
            }
            if t.is(VEOL, c) || (iext && t.is(VEOL2, c)) {
                if l & ECHO != 0 {
                    if self.line.is_empty() {
                        self.canon_col = self.col;
                    }
                    self.echo_char(c, acts, gfp)?;
                }
                return self.deliver(Some(c), acts, gfp);
            }
        }
        self.ordinary(c, acts, gfp)
    }

    /// New settings. A change of `ICANON` changes the head's read mode
    /// ([`Act::Mode`]) and, as n_tty, makes what was typed so far
    /// readable: the partial line becomes raw input, or the raw bytes held
    /// go up.
    pub(crate) fn set(&mut self, t: Termios, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        let was = self.t.icanon();
        self.t = t;
        if self.t.iflag & IXON == 0 && self.stopped {
            // Output flow control off: output runs again.
            self.stopped = false;
            acts.push(Act::Start, gfp)?;
        }
        let now = self.t.icanon();
        if was != now {
            acts.push(Act::Mode(now), gfp)?;
            self.lnext = false;
            self.want = 0;
            if now {
                // No timed read in canonical mode.
                self.disarm();
                if !self.raw.is_empty() {
                    self.send_raw(acts, gfp)?;
                }
            } else if !self.line.is_empty() {
                let line = core::mem::take(&mut self.line);
                let r = self.raw.extend_from_slice(&line, gfp);
                self.line = line;
                self.line.clear();
                r?;
            }
        }
        if !now && self.raw_ready() {
            self.send_raw(acts, gfp)?;
        }
        Ok(())
    }
}

#[kunit_tests(strclone_ldterm_input)]
mod tests {
    use super::*;

    fn feed(ld: &mut Ld, s: &[u8]) -> KVec<Act> {
        let mut acts = KVec::new();
        ld.input(s, &mut acts, GFP_KERNEL).unwrap();
        acts
    }

    /// All `Up` data and all echo bytes of `acts`, concatenated.
    fn split(acts: &KVec<Act>) -> (KVec<KVec<u8>>, KVec<u8>) {
        let mut ups = KVec::new();
        let mut echo = KVec::new();
        for a in acts.iter() {
            match a {
                Act::Up(v) => {
                    let mut c = KVec::new();
                    c.extend_from_slice(v, GFP_KERNEL).unwrap();
                    ups.push(c, GFP_KERNEL).unwrap();
                }
                Act::Echo(v) => echo.extend_from_slice(v, GFP_KERNEL).unwrap(),
                _ => {}
            }
        }
        (ups, echo)
    }

    #[test]
    fn canonical_line_with_erase_and_kill() {
        let mut ld = Ld::new(GFP_KERNEL).unwrap();
        let acts = feed(&mut ld, b"junk\x15helx\x7flo\r");
        let (ups, echo) = split(&acts);
        assert_eq!(ups.len(), 1);
        assert_eq!(&ups[0][..], b"hello\n");
        // Kill erases visually (ECHOKE), erase backs over one character,
        // the CR is mapped (ICRNL) and echoed as CR NL (ONLCR).
        assert_eq!(
            &echo[..],
            b"junk\x08 \x08\x08 \x08\x08 \x08\x08 \x08helx\x08 \x08lo\r\n"
        );
        assert_eq!(ld.col, 0);
    }

    #[test]
    fn word_erase_lnext_reprint_eof() {
        let mut ld = Ld::new(GFP_KERNEL).unwrap();
        let acts = feed(&mut ld, b"one two  \x17x\x16\x03y\x12\n");
        let (ups, echo) = split(&acts);
        assert_eq!(&ups[0][..], b"one x\x03y\n");
        // ^V echoes "^\b", the literal ^C "^C", ^R reprints the line.
        assert!(echo.ends_with(b"x^\x08^Cy^R\r\none x^Cy\r\n"));
        // EOF at the start of a line: end of file; after text: the text.
        let (ups, _) = split(&feed(&mut ld, b"\x04ab\x04"));
        assert_eq!(ups.len(), 2);
        assert!(ups[0].is_empty());
        assert_eq!(&ups[1][..], b"ab");
        // VEOL ends a line, with itself.
        ld.t.cc[VEOL] = b';';
        let (ups, _) = split(&feed(&mut ld, b"a;"));
        assert_eq!(&ups[0][..], b"a;");
    }

    #[test]
    fn plain_runs_match_byte_at_a_time() {
        // The same input in one chunk (runs of plain characters take the
        // fast path) and one byte per call (runs of one): the same lines,
        // echo and column, with specials mixed in, a printable VEOL, the
        // line limit and OPOST off.
        let mut text = KVec::new();
        text.extend_from_slice(b"ab c;d\x7fe\x15fg\thi\x16jk\x17lm\n", GFP_KERNEL)
            .unwrap();
        for _ in 0..5000 {
            text.push(b'x', GFP_KERNEL).unwrap();
        }
        text.extend_from_slice(b"\x7fyz\n", GFP_KERNEL).unwrap();
        for opost in [true, false] {
            let mut a = Ld::new(GFP_KERNEL).unwrap();
            a.t.cc[VEOL] = b';';
            if !opost {
                a.t.oflag &= !OPOST;
            }
            let mut b = Ld::new(GFP_KERNEL).unwrap();
            b.t = a.t;
            let (ua, ea) = split(&feed(&mut a, &text));
            let mut acts = KVec::new();
            for &c in text.iter() {
                b.input(&[c], &mut acts, GFP_KERNEL).unwrap();
            }
            let (ub, eb) = split(&acts);
            assert_eq!(ua.len(), 3);
            assert_eq!(ua.len(), ub.len());
            for (x, y) in ua.iter().zip(ub.iter()) {
                assert_eq!(&x[..], &y[..]);
            }
            assert_eq!(&ua[0][..], b"ab c;");
            assert_eq!(ua[2].len(), LINE_MAX + 1);
            assert_eq!(&ea[..], &eb[..]);
            assert_eq!(a.col, b.col);
        }
    }

    #[test]
    fn line_limit() {
        let mut ld = Ld::new(GFP_KERNEL).unwrap();
        ld.t.lflag &= !ECHO;
        let mut big = KVec::new();
        for _ in 0..10000 {
            big.push(b'a', GFP_KERNEL).unwrap();
        }
        big.push(b'\n', GFP_KERNEL).unwrap();
        let (ups, echo) = split(&feed(&mut ld, &big));
        assert!(echo.is_empty());
        assert_eq!(ups.len(), 1);
        assert_eq!(ups[0].len(), LINE_MAX + 1);
        assert_eq!(ups[0][LINE_MAX], b'\n');
    }

    #[test]
    fn signals_and_flow() {
        let mut ld = Ld::new(GFP_KERNEL).unwrap();
        let acts = feed(&mut ld, b"abc\x03");
        assert!(acts.contains(&Act::Sig {
            sig: SIGINT,
            flush: true
        }));
        let (ups, echo) = split(&acts);
        assert!(ups.is_empty());
        // The echo of "abc" went with the flush; that of ^C follows it.
        assert_eq!(&echo[..], b"^C");
        let acts = feed(&mut ld, b"abc");
        let (_, echo) = split(&acts);
        assert_eq!(&echo[..], b"abc");
        let acts = feed(&mut ld, b"\x03");
        let (ups, echo) = split(&acts);
        assert!(ups.is_empty());
        assert_eq!(&echo[..], b"^C");
        // NOFLSH keeps the line.
        ld.t.lflag |= NOFLSH;
        let acts = feed(&mut ld, b"x\x1c\n");
        assert!(acts.contains(&Act::Sig {
            sig: SIGQUIT,
            flush: false
        }));
        let (ups, _) = split(&acts);
        assert_eq!(&ups[0][..], b"x\n");
        // ^S stops, ^Q starts; neither is input.
        let acts = feed(&mut ld, b"\x13");
        assert!(ld.stopped && acts.is_empty());
        let acts = feed(&mut ld, b"\x11");
        assert!(!ld.stopped && acts.contains(&Act::Start));
        // Without ISIG ^Z is data.
        ld.t.lflag &= !ISIG;
        let (ups, _) = split(&feed(&mut ld, b"\x1a\n"));
        assert_eq!(&ups[0][..], b"\x1a\n");
    }

    #[test]
    fn input_maps() {
        let mut ld = Ld::new(GFP_KERNEL).unwrap();
        ld.t.lflag &= !ECHO;
        ld.t.iflag = IGNCR | ISTRIP;
        let (ups, _) = split(&feed(&mut ld, b"a\r\xe2\n"));
        assert_eq!(&ups[0][..], b"ab\n");
        ld.t.iflag = INLCR;
        let (ups, _) = split(&feed(&mut ld, b"q\n\r"));
        // NL became CR (not a terminator), CR stays CR (no ICRNL).
        assert!(ups.is_empty());
        ld.t.iflag = ICRNL;
        let (ups, _) = split(&feed(&mut ld, b"\r"));
        assert_eq!(&ups[0][..], b"q\r\r\n");
    }

    #[test]
    fn raw_mode_vmin() {
        let mut ld = Ld::new(GFP_KERNEL).unwrap();
        let mut t = ld.t;
        t.lflag &= !(ICANON | ECHO);
        let mut acts = KVec::new();
        ld.set(t, &mut acts, GFP_KERNEL).unwrap();
        assert!(acts.contains(&Act::Mode(false)));
        let (ups, _) = split(&feed(&mut ld, b"x"));
        assert_eq!(&ups[0][..], b"x");
        // VMIN 3: held until 3 bytes, or what a waiting reader asked for.
        t.cc[VMIN] = 3;
        ld.set(t, &mut KVec::new(), GFP_KERNEL).unwrap();
        assert!(feed(&mut ld, b"ab").is_empty());
        assert_eq!(ld.ready_bytes(), 2);
        let (ups, _) = split(&feed(&mut ld, b"c"));
        assert_eq!(&ups[0][..], b"abc");
        assert!(feed(&mut ld, b"d").is_empty());
        let mut acts = KVec::new();
        ld.reader_waits(1, &mut acts, GFP_KERNEL).unwrap();
        let (ups, _) = split(&acts);
        assert_eq!(&ups[0][..], b"d");
        // VMIN 0: a waiting reader gets an empty message at once.
        t.cc[VMIN] = 0;
        ld.set(t, &mut KVec::new(), GFP_KERNEL).unwrap();
        let mut acts = KVec::new();
        ld.reader_waits(10, &mut acts, GFP_KERNEL).unwrap();
        let (ups, _) = split(&acts);
        assert!(ups.len() == 1 && ups[0].is_empty());
        // Back to canonical: a partial line typed in raw mode... none held.
        t.lflag |= ICANON;
        let mut acts = KVec::new();
        ld.set(t, &mut acts, GFP_KERNEL).unwrap();
        assert!(acts.contains(&Act::Mode(true)));
    }

    #[test]
    fn garbage_control_characters() {
        let mut ld = Ld::new(GFP_KERNEL).unwrap();
        // Every control character the same byte, VMIN 255: no panic, and
        // the first meaning in n_tty's order wins (VSTART).
        let mut t = ld.t;
        t.cc = [b'a'; NCCS];
        ld.set(t, &mut KVec::new(), GFP_KERNEL).unwrap();
        let acts = feed(&mut ld, b"aaab\n");
        let (ups, _) = split(&acts);
        assert_eq!(&ups[0][..], b"b\n");
        t.cc = [0xff; NCCS];
        t.lflag &= !ICANON;
        ld.set(t, &mut KVec::new(), GFP_KERNEL).unwrap();
        let acts = feed(&mut ld, b"\xff\xfe");
        let (ups, _) = split(&acts);
        assert!(ups.is_empty());
        assert_eq!(ld.ready_bytes(), 1);
    }
}
