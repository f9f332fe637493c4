// SPDX-License-Identifier: GPL-2.0

//! Raw-mode delivery (`~ICANON`): when the bytes [`Ld`] holds go up to a
//! reader, by `VMIN` and `VTIME` as Linux's n_tty (behaviour, not code;
//! `Documentation/strclone/terminals.rst`, "Raw mode"):
//!
//! | `VMIN` | `VTIME` | a blocked `read(2)` of *n* bytes returns |
//! | --- | --- | --- |
//! | 0 | 0 | at once: what is there, or 0 |
//! | 0 | *t* | at the first byte, or 0 after *t* tenths of a second |
//! | *k* | 0 | at min(*k*, *n*) bytes |
//! | *k* | *t* | at min(*k*, *n*) bytes, or *t* tenths after the last byte once one came |
//!
//! A reader's wait reaches `ldterm` as `M_READ` ([`Ld::reader_waits`]); the
//! timer is the module's timeout (`qtimeout`, `streams/timeout.rs`). This
//! file stays pure: it says what the timer must do ([`TimerReq`], taken
//! with [`Ld::take_timer_req`] under the module's lock, so requests are
//! carried out in the order they were made) and tags every arming, so a
//! timeout that fires late for an arming since replaced
//! ([`Ld::timeout`]) does nothing. Tested by KUnit.

use super::input::{Act, Ld};
use super::termios::{VMIN, VTIME};
use kernel::{alloc::Flags, prelude::*};

/// What the module must do with its timer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum TimerReq {
    /// (Re)arm it: `tag` in `ms` milliseconds.
    Arm { tag: u32, ms: u32 },
    /// Cancel it.
    Cancel,
}

/// The `VTIME` timer as `ldterm` wants it.
pub(crate) struct Timer {
    /// Tag of the arming in force, 0 if none.
    armed: u32,
    /// Last tag given (never 0).
    gen: u32,
    /// The change the module has not carried out yet (the last one made:
    /// only the end state counts).
    req: Option<TimerReq>,
}

impl Timer {
    /// Not armed.
    pub(crate) const fn new() -> Self {
        Self {
            armed: 0,
            gen: 0,
            req: None,
        }
    }
}

/// Milliseconds of a `VTIME` value (tenths of a second).
fn vtime_ms(vtime: u8) -> u32 {
    u32::from(vtime) * 100
}

impl Ld {
    /// Arms the timer for `VTIME` from now (replacing an arming in force).
    fn arm(&mut self) {
        let tm = &mut self.timer;
        tm.gen = tm.gen.wrapping_add(1).max(1);
        tm.armed = tm.gen;
        tm.req = Some(TimerReq::Arm {
            tag: tm.gen,
            ms: vtime_ms(self.t.cc[VTIME]),
        });
    }

    /// Cancels the timer if it is armed.
    pub(super) fn disarm(&mut self) {
        if self.timer.armed != 0 {
            self.timer.armed = 0;
            self.timer.req = Some(TimerReq::Cancel);
        }
    }

    /// What the module must do with its timer since it last asked.
    pub(crate) fn take_timer_req(&mut self) -> Option<TimerReq> {
        self.timer.req.take()
    }

    /// Whether the raw-mode bytes held go up now: at least `VMIN`, or
    /// less if a blocked reader asked for less; any with `VMIN` 0.
    pub(super) fn raw_ready(&self) -> bool {
        if self.raw.is_empty() {
            return false;
        }
        let vmin = usize::from(self.t.cc[VMIN]);
        if vmin == 0 {
            return true;
        }
        let need = if self.want > 0 {
            vmin.min(self.want)
        } else {
            vmin
        };
        self.raw.len() >= need
    }

    /// Sends the bytes held up: the waiting reader (if any) is satisfied
    /// and its timer goes.
    pub(super) fn send_raw(&mut self, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        let v = core::mem::take(&mut self.raw);
        self.want = 0;
        self.disarm();
        acts.push(Act::Up(v), gfp)?;
        Ok(())
    }

    /// Input arrived in raw mode (after [`Ld::input`] processed it): the
    /// bytes go up if they are enough; else, with `VMIN` and `VTIME` both
    /// set and a reader waiting, the inter-byte timer starts again.
    pub(super) fn raw_arrived(&mut self, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        if self.raw_ready() {
            return self.send_raw(acts, gfp);
        }
        if self.t.cc[VMIN] > 0 && self.t.cc[VTIME] > 0 && self.want > 0 && !self.raw.is_empty() {
            self.arm();
        }
        Ok(())
    }

    /// A reader is about to block (`M_READ`) wanting `count` bytes. In raw
    /// mode: the bytes held go up if they reach `min(VMIN, count)`. If not:
    /// with `VMIN` 0 and `VTIME` 0 an empty message goes up (the read
    /// returns 0); with `VMIN` 0 the read timer starts (`VTIME` from now);
    /// with `VMIN` and `VTIME` set and bytes already held, the inter-byte
    /// timer starts (n_tty times from the bytes it copied at once).
    pub(crate) fn reader_waits(
        &mut self,
        count: usize,
        acts: &mut KVec<Act>,
        gfp: Flags,
    ) -> Result {
        if self.t.icanon() {
            return Ok(());
        }
        self.want = count.max(1);
        if self.raw_ready() {
            return self.send_raw(acts, gfp);
        }
        let (vmin, vtime) = (self.t.cc[VMIN], self.t.cc[VTIME]);
        if vmin == 0 && vtime == 0 {
            self.want = 0;
            acts.push(Act::Up(KVec::new()), gfp)?;
        } else if vtime > 0 && (vmin == 0 || !self.raw.is_empty()) {
            self.arm();
        }
        Ok(())
    }

    /// The timer armed with `tag` expired. If that arming is still in
    /// force: the bytes held go up however few (after at least one, the
    /// inter-byte timer); with none held and `VMIN` 0, an empty message
    /// (the read returns 0). A stale `tag` does nothing.
    pub(crate) fn timeout(&mut self, tag: u32, acts: &mut KVec<Act>, gfp: Flags) -> Result {
        if tag == 0 || tag != self.timer.armed {
            return Ok(());
        }
        // It fired: nothing to cancel.
        self.timer.armed = 0;
        if self.t.icanon() {
            return Ok(());
        }
        if !self.raw.is_empty() {
            return self.send_raw(acts, gfp);
        }
        if self.t.cc[VMIN] == 0 {
            self.want = 0;
            acts.push(Act::Up(KVec::new()), gfp)?;
        }
        Ok(())
    }
}

#[kunit_tests(strclone_ldterm_raw)]
mod tests {
    use super::*;
    use crate::modules::ldterm::termios::{ECHO, ICANON};

    /// A line discipline in raw mode with `vmin`, `vtime`.
    fn raw(vmin: u8, vtime: u8) -> Ld {
        let mut ld = Ld::new(GFP_KERNEL).unwrap();
        let mut t = ld.t;
        t.lflag &= !(ICANON | ECHO);
        t.cc[VMIN] = vmin;
        t.cc[VTIME] = vtime;
        ld.set(t, &mut KVec::new(), GFP_KERNEL).unwrap();
        let _ = ld.take_timer_req();
        ld
    }

    fn feed(ld: &mut Ld, s: &[u8]) -> KVec<Act> {
        let mut acts = KVec::new();
        ld.input(s, &mut acts, GFP_KERNEL).unwrap();
        acts
    }

    fn waits(ld: &mut Ld, n: usize) -> KVec<Act> {
        let mut acts = KVec::new();
        ld.reader_waits(n, &mut acts, GFP_KERNEL).unwrap();
        acts
    }

    fn fire(ld: &mut Ld, tag: u32) -> KVec<Act> {
        let mut acts = KVec::new();
        ld.timeout(tag, &mut acts, GFP_KERNEL).unwrap();
        acts
    }

    /// The bytes of the one `Up` in `acts`, if there is exactly one.
    fn up(acts: &KVec<Act>) -> Option<&[u8]> {
        let mut ups = acts.iter().filter_map(|a| match a {
            Act::Up(v) => Some(&v[..]),
            _ => None,
        });
        let first = ups.next();
        if ups.next().is_some() {
            return None;
        }
        first
    }

    fn armed_tag(req: Option<TimerReq>) -> u32 {
        match req {
            Some(TimerReq::Arm { tag, ms }) => {
                assert!(ms > 0);
                tag
            }
            _ => 0,
        }
    }

    #[test]
    fn vmin0_vtime0_polls() {
        let mut ld = raw(0, 0);
        assert_eq!(up(&waits(&mut ld, 8)), Some(&b""[..]));
        assert_eq!(ld.take_timer_req(), None);
        assert_eq!(up(&feed(&mut ld, b"ab")), Some(&b"ab"[..]));
    }

    #[test]
    fn vmin0_vtime_times_the_read() {
        let mut ld = raw(0, 5);
        // No reader: bytes go up at once, no timer.
        assert_eq!(up(&feed(&mut ld, b"x")), Some(&b"x"[..]));
        assert_eq!(ld.take_timer_req(), None);
        // A reader with nothing there: the timer, 500 ms.
        assert!(waits(&mut ld, 8).is_empty());
        let req = ld.take_timer_req();
        assert!(matches!(req, Some(TimerReq::Arm { ms: 500, .. })));
        let tag = armed_tag(req);
        // Expiry: the read returns 0.
        assert_eq!(up(&fire(&mut ld, tag)), Some(&b""[..]));
        // Once only, and a stale tag does nothing.
        assert!(fire(&mut ld, tag).is_empty());
        // A byte before the expiry: it goes up and the timer is cancelled.
        waits(&mut ld, 8);
        let tag = armed_tag(ld.take_timer_req());
        assert_eq!(up(&feed(&mut ld, b"y")), Some(&b"y"[..]));
        assert_eq!(ld.take_timer_req(), Some(TimerReq::Cancel));
        assert!(fire(&mut ld, tag).is_empty());
    }

    #[test]
    fn vmin_vtime0_blocks_for_vmin() {
        let mut ld = raw(3, 0);
        assert!(waits(&mut ld, 8).is_empty());
        assert!(feed(&mut ld, b"ab").is_empty());
        assert_eq!(ld.take_timer_req(), None);
        assert_eq!(up(&feed(&mut ld, b"c")), Some(&b"abc"[..]));
    }

    #[test]
    fn vmin_vtime_is_an_inter_byte_timer() {
        let mut ld = raw(4, 2);
        // No timer before the first byte.
        assert!(waits(&mut ld, 8).is_empty());
        assert_eq!(ld.take_timer_req(), None);
        // Each chunk of input restarts it (a new tag each time).
        assert!(feed(&mut ld, b"a").is_empty());
        let t1 = armed_tag(ld.take_timer_req());
        assert!(feed(&mut ld, b"b").is_empty());
        let req = ld.take_timer_req();
        assert!(matches!(req, Some(TimerReq::Arm { ms: 200, .. })));
        let t2 = armed_tag(req);
        assert!(t1 != 0 && t2 != 0 && t1 != t2);
        // The first arming fired late: nothing.
        assert!(fire(&mut ld, t1).is_empty());
        // The second: what is held goes up, fewer than VMIN.
        assert_eq!(up(&fire(&mut ld, t2)), Some(&b"ab"[..]));
        // VMIN bytes before the timer: they go up, the timer is cancelled.
        waits(&mut ld, 8);
        assert!(feed(&mut ld, b"1").is_empty());
        let t3 = armed_tag(ld.take_timer_req());
        assert_eq!(up(&feed(&mut ld, b"234")), Some(&b"1234"[..]));
        assert_eq!(ld.take_timer_req(), Some(TimerReq::Cancel));
        assert!(fire(&mut ld, t3).is_empty());
        // Bytes already held when the reader comes: the timer starts then.
        assert!(feed(&mut ld, b"zz").is_empty());
        assert_eq!(ld.take_timer_req(), None);
        assert!(waits(&mut ld, 8).is_empty());
        let t4 = armed_tag(ld.take_timer_req());
        assert_eq!(up(&fire(&mut ld, t4)), Some(&b"zz"[..]));
    }

    #[test]
    fn canonical_mode_cancels_the_timer() {
        let mut ld = raw(0, 9);
        waits(&mut ld, 4);
        let tag = armed_tag(ld.take_timer_req());
        let mut t = ld.t;
        t.lflag |= ICANON;
        ld.set(t, &mut KVec::new(), GFP_KERNEL).unwrap();
        assert_eq!(ld.take_timer_req(), Some(TimerReq::Cancel));
        assert!(fire(&mut ld, tag).is_empty());
        // And a reader in canonical mode starts none.
        assert!(waits(&mut ld, 4).is_empty());
        assert_eq!(ld.take_timer_req(), None);
    }
}
