// SPDX-License-Identifier: GPL-2.0

//! An intrusive singly linked FIFO of boxed items.
//!
//! SVR4 queues link messages through pointers inside the message blocks, so
//! putting a message on a queue never allocates and never fails. [`List`]
//! does the same for Rust: each item owns the box of the item after it, and
//! the list keeps a raw pointer to the last item so that `push_back` is O(1).
//! Only that tail pointer needs `unsafe`.

use kernel::prelude::*;

/// An item that can sit on a [`List`]: it carries the link to the next item.
///
/// Implement it with [`impl_linked!`], which meets the safety requirements
/// by construction (and keeps the `unsafe impl` in the glue layer).
///
/// # Safety
///
/// `link` must return the item's own link field, a place inside `*self`,
/// and do nothing else (in particular drop, move or replace no item); `next`
/// must return the item that field holds and do nothing else. [`List`]
/// keeps a raw pointer to its last item and later writes through that item's
/// `link()`; a `link` that reached outside the item, or freed an item on the
/// list, would leave that pointer dangling.
pub(crate) unsafe trait Linked: Sized {
    /// The link field. Only [`List`] may change it while the item is listed.
    fn link(&mut self) -> &mut Option<KBox<Self>>;

    /// The item after this one, if it is listed and not the last.
    fn next(&self) -> Option<&Self>;
}

/// Implemented only for `Option<KBox<T>>`: [`impl_linked!`] uses it to check
/// that the link field has exactly that type.
#[doc(hidden)]
pub(crate) trait LinkField<T> {}

impl<T> LinkField<T> for Option<KBox<T>> {}

/// `impl_linked!(Type, field)` implements [`Linked`] for `Type` through its
/// field `field`, which must be an `Option<KBox<Type>>`.
///
/// The generated methods touch nothing but that field, which is what
/// [`Linked`]'s safety section asks for. The field's type is checked
/// exactly, with no `Deref` in between (a field whose type merely
/// dereferences to `Option<KBox<Type>>` could run arbitrary code).
macro_rules! impl_linked {
    ($t:ty, $field:ident) => {
        const _: () = {
            // The closure's return type is inferred from the field itself (an
            // inference variable is never the target of a deref coercion),
            // and `LinkField` holds only for `Option<KBox<$t>>`.
            #[allow(dead_code)]
            fn field_is_a_link() {
                fn check<T, F: $crate::glue::list::LinkField<T>>(_: fn(&mut T) -> &mut F) {}
                check::<$t, _>(|item| &mut item.$field);
            }
        };

        // SAFETY: Both methods access only `self.$field`, a field of the item
        // itself of type `Option<KBox<Self>>` (checked above), and do
        // nothing else.
        unsafe impl $crate::glue::list::Linked for $t {
            fn link(&mut self) -> &mut ::core::option::Option<::kernel::alloc::KBox<Self>> {
                &mut self.$field
            }

            fn next(&self) -> ::core::option::Option<&Self> {
                self.$field.as_deref()
            }
        }
    };
}
pub(crate) use impl_linked;

/// A FIFO of `KBox<T>` that links items through the items themselves.
///
/// # Invariants
///
/// - `tail` is null if and only if `head` is `None`.
/// - Otherwise `tail` points to the last item of the chain that starts at
///   `head` (the one whose link is `None`); that item is owned by the chain,
///   so it lives as long as it stays on the list.
pub(crate) struct List<T: Linked> {
    head: Option<KBox<T>>,
    tail: *mut T,
    len: usize,
}

// SAFETY: A `List<T>` owns its items exactly like a `KBox<T>` chain would;
// the raw tail pointer only aliases an item the list owns.
unsafe impl<T: Linked + Send> Send for List<T> {}
// SAFETY: `&List<T>` only hands out `&T`.
unsafe impl<T: Linked + Sync> Sync for List<T> {}

impl<T: Linked> List<T> {
    /// An empty list.
    pub(crate) const fn new() -> Self {
        Self {
            head: None,
            tail: core::ptr::null_mut(),
            len: 0,
        }
    }

    /// Number of items.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the list is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// The first item.
    pub(crate) fn front(&self) -> Option<&T> {
        self.head.as_deref()
    }

    /// Appends an item.
    pub(crate) fn push_back(&mut self, mut item: KBox<T>) {
        *item.link() = None;
        let ptr: *mut T = &mut *item;
        if self.tail.is_null() {
            self.head = Some(item);
        } else {
            // SAFETY: By the type invariant a non-null `tail` points to the
            // last item, which this list owns and nobody else references
            // (we hold `&mut self`).
            unsafe { *(*self.tail).link() = Some(item) };
        }
        // The box moved into the chain but its heap address did not change.
        self.tail = ptr;
        self.len += 1;
    }

    /// Prepends an item.
    pub(crate) fn push_front(&mut self, mut item: KBox<T>) {
        *item.link() = self.head.take();
        if self.tail.is_null() {
            self.tail = &mut *item;
        }
        self.head = Some(item);
        self.len += 1;
    }

    /// Removes and returns the first item.
    pub(crate) fn pop_front(&mut self) -> Option<KBox<T>> {
        let mut item = self.head.take()?;
        self.head = item.link().take();
        if self.head.is_none() {
            self.tail = core::ptr::null_mut();
        }
        self.len -= 1;
        Some(item)
    }

    /// Inserts `item` before the first item for which `before` is true, or
    /// at the end if there is none.
    pub(crate) fn insert_before(&mut self, mut item: KBox<T>, mut before: impl FnMut(&T) -> bool) {
        // How many items stay in front of the new one.
        let mut keep = 0;
        let mut cur = self.head.as_deref();
        while let Some(it) = cur {
            if before(it) {
                break;
            }
            keep += 1;
            cur = it.next();
        }
        if keep == 0 {
            return self.push_front(item);
        }
        if keep == self.len {
            return self.push_back(item);
        }
        let Some(mut node) = self.head.as_mut() else {
            return self.push_back(item);
        };
        for _ in 1..keep {
            if node.next().is_none() {
                break;
            }
            // Cannot fail: `next()` just saw the following item.
            node = match node.link().as_mut() {
                Some(n) => n,
                None => return,
            };
        }
        // `node` is not the last item (keep < len), so the tail stays put.
        *item.link() = node.link().take();
        *node.link() = Some(item);
        self.len += 1;
    }

    /// Removes every item for which `remove` is true and hands it to `sink`,
    /// keeping the order of the others.
    pub(crate) fn drain_filter(
        &mut self,
        mut remove: impl FnMut(&T) -> bool,
        mut sink: impl FnMut(KBox<T>),
    ) {
        let mut keep = List::new();
        while let Some(item) = self.pop_front() {
            if remove(&item) {
                sink(item);
            } else {
                keep.push_back(item);
            }
        }
        *self = keep;
    }

    /// Calls `f` on every item, front to back.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&T)) {
        let mut cur = self.head.as_deref();
        while let Some(item) = cur {
            f(item);
            cur = item.next();
        }
    }
}

impl<T: Linked> Drop for List<T> {
    fn drop(&mut self) {
        // Unlink one by one: dropping the head box directly would recurse
        // through the whole chain.
        while self.pop_front().is_some() {}
    }
}
