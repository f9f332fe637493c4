// SPDX-License-Identifier: GPL-2.0

//! The list a queue keeps its messages on, linked through the messages'
//! own `b_next`/`b_prev` as SVR4 queues are.

use super::mblk::{Mblk, Msgb};
use core::ptr::{self, NonNull};

/// A FIFO of messages linked through `b_next`/`b_prev`, as SVR4 queues do:
/// queuing never allocates and so never fails.
///
/// # Invariants
///
/// `head`..`tail` is a doubly linked list of `len` messages through
/// `b_next`/`b_prev` (null at the ends; both null when empty), each owned
/// by the list as an [`Mblk`] would own it.
pub(crate) struct MsgList {
    head: *mut Msgb,
    tail: *mut Msgb,
    len: usize,
}

// SAFETY: The list owns its messages, which are `Send`.
unsafe impl Send for MsgList {}
// SAFETY: `&MsgList` only hands out `&Msgb`.
unsafe impl Sync for MsgList {}

impl MsgList {
    /// An empty list.
    pub(crate) const fn new() -> Self {
        Self {
            head: ptr::null_mut(),
            tail: ptr::null_mut(),
            len: 0,
        }
    }

    /// Number of messages.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the list is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_null()
    }

    /// The first message.
    pub(crate) fn front(&self) -> Option<&Msgb> {
        // SAFETY: Listed messages are valid while on the list (invariant).
        unsafe { self.head.as_ref() }
    }

    /// Links `m` after `prev` (at the front when `prev` is null).
    ///
    /// # Safety
    ///
    /// `prev` is null or a message on this list.
    unsafe fn link_after(&mut self, prev: *mut Msgb, m: Mblk) {
        let p = m.into_raw().as_ptr();
        // SAFETY: `p` is ours now; `prev` and its successor are listed.
        unsafe {
            let next = if prev.is_null() {
                self.head
            } else {
                (*prev).b_next
            };
            (*p).b_prev = prev;
            (*p).b_next = next;
            if prev.is_null() {
                self.head = p;
            } else {
                (*prev).b_next = p;
            }
            if next.is_null() {
                self.tail = p;
            } else {
                (*next).b_prev = p;
            }
        }
        self.len += 1;
    }

    /// Unlinks listed message `p` and hands back its ownership.
    ///
    /// # Safety
    ///
    /// `p` is a message on this list.
    unsafe fn unlink(&mut self, p: *mut Msgb) -> Mblk {
        // SAFETY: `p` and its neighbours are listed.
        unsafe {
            let (prev, next) = ((*p).b_prev, (*p).b_next);
            if prev.is_null() {
                self.head = next;
            } else {
                (*prev).b_next = next;
            }
            if next.is_null() {
                self.tail = prev;
            } else {
                (*next).b_prev = prev;
            }
            (*p).b_next = ptr::null_mut();
            (*p).b_prev = ptr::null_mut();
            self.len -= 1;
            Mblk::from_raw(NonNull::new_unchecked(p))
        }
    }

    /// Appends a message.
    pub(crate) fn push_back(&mut self, m: Mblk) {
        let t = self.tail;
        // SAFETY: `tail` is null or listed.
        unsafe { self.link_after(t, m) };
    }

    /// Prepends a message.
    pub(crate) fn push_front(&mut self, m: Mblk) {
        // SAFETY: Null means "at the front".
        unsafe { self.link_after(ptr::null_mut(), m) };
    }

    /// Removes and returns the first message.
    pub(crate) fn pop_front(&mut self) -> Option<Mblk> {
        if self.head.is_null() {
            return None;
        }
        let h = self.head;
        // SAFETY: `head` is listed.
        Some(unsafe { self.unlink(h) })
    }

    /// Inserts `m` before the first message for which `before` is true, or
    /// at the end.
    pub(crate) fn insert_before(&mut self, m: Mblk, mut before: impl FnMut(&Msgb) -> bool) {
        let mut prev: *mut Msgb = ptr::null_mut();
        let mut cur = self.head;
        // SAFETY: Walks listed messages only.
        unsafe {
            while !cur.is_null() && !before(&*cur) {
                prev = cur;
                cur = (*cur).b_next;
            }
            self.link_after(prev, m);
        }
    }

    /// Removes every message for which `remove` is true and hands it to
    /// `sink`, keeping the order of the others.
    pub(crate) fn drain_filter(
        &mut self,
        mut remove: impl FnMut(&Msgb) -> bool,
        mut sink: impl FnMut(Mblk),
    ) {
        let mut cur = self.head;
        while !cur.is_null() {
            // SAFETY: `cur` is listed; its successor is read before it may
            // be unlinked.
            unsafe {
                let next = (*cur).b_next;
                if remove(&*cur) {
                    sink(self.unlink(cur));
                }
                cur = next;
            }
        }
    }

    /// The listed message at address `at` (a message's identity, as C code
    /// holds it), if it is on this list.
    fn find(&self, at: usize) -> Option<*mut Msgb> {
        let mut cur = self.head;
        while !cur.is_null() {
            if cur as usize == at {
                return Some(cur);
            }
            // SAFETY: `cur` is listed.
            cur = unsafe { (*cur).b_next };
        }
        None
    }

    /// The neighbours a message inserted before the listed message at
    /// address `at` (at the end for `None`) would have: the one before it
    /// and the one after it. `None` when `at` is not on this list.
    pub(crate) fn neighbours(&self, at: Option<usize>) -> Option<(Option<&Msgb>, Option<&Msgb>)> {
        let next = match at {
            Some(a) => self.find(a)?,
            None => ptr::null_mut(),
        };
        let prev = if next.is_null() {
            self.tail
        } else {
            // SAFETY: `next` is listed.
            unsafe { (*next).b_prev }
        };
        // SAFETY: Both are null or listed.
        Some(unsafe { (prev.as_ref(), next.as_ref()) })
    }

    /// Inserts `m` before the listed message at address `at` (at the end
    /// for `None`); gives `m` back when `at` is not on this list.
    pub(crate) fn insert_before_addr(
        &mut self,
        m: Mblk,
        at: Option<usize>,
    ) -> core::result::Result<(), Mblk> {
        let prev = match at {
            None => self.tail,
            Some(a) => match self.find(a) {
                // SAFETY: `n` is listed.
                Some(n) => unsafe { (*n).b_prev },
                None => return Err(m),
            },
        };
        // SAFETY: `prev` is null (front: `at` was the head) or listed.
        unsafe { self.link_after(prev, m) };
        Ok(())
    }

    /// Removes the listed message at address `at` and hands it back;
    /// `None` when it is not on this list.
    pub(crate) fn remove_addr(&mut self, at: usize) -> Option<Mblk> {
        let p = self.find(at)?;
        // SAFETY: `p` is listed.
        Some(unsafe { self.unlink(p) })
    }

    /// Calls `f` on every message, front to back.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&Msgb)) {
        let mut cur = self.head;
        while !cur.is_null() {
            // SAFETY: Listed messages are valid.
            unsafe {
                f(&*cur);
                cur = (*cur).b_next;
            }
        }
    }
}

impl Drop for MsgList {
    fn drop(&mut self) {
        while self.pop_front().is_some() {}
    }
}
