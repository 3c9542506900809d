//! [`Limit`]: a budget on live bytes, and optionally on total bytes.

use core::cell::Cell;
use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

#[cfg(test)]
mod tests;

/// A budget over any parent: requests that would take the live bytes past
/// `max_live` (or, if set, the bytes ever allocated past `max_total`) are
/// refused cleanly, and the figures say how much is in use (bumpalo's
/// allocation limit, the `cap` crate's idea, for any allocator).
///
/// TODO(skeleton): full docs and a runnable example.
#[derive(alloc_derive::Allocator)]
pub struct Limit<A> {
    parent: A,
    max_live: Cell<usize>,
    max_total: Cell<usize>,
    live: Cell<usize>,
    total: Cell<usize>,
}

impl<A> Limit<A> {
    /// `parent` with at most `max_live` bytes live at once.
    pub const fn new(parent: A, max_live: usize) -> Self {
        Self {
            parent,
            max_live: Cell::new(max_live),
            max_total: Cell::new(usize::MAX),
            live: Cell::new(0),
            total: Cell::new(0),
        }
    }

    /// The same limit, also refusing once `max_total` bytes have been
    /// allocated in all (freed or not).
    #[must_use]
    pub const fn with_max_total(self, max_total: usize) -> Self {
        let _ = max_total;
        todo!()
    }

    /// Bytes live now (requested lengths).
    pub fn live_bytes(&self) -> usize {
        self.live.get()
    }

    /// Bytes allocated in all, including growth.
    pub fn total_bytes(&self) -> usize {
        self.total.get()
    }

    /// How many more live bytes the budget allows now.
    pub fn remaining(&self) -> usize {
        todo!()
    }

    /// The budget on live bytes.
    pub fn max_live(&self) -> usize {
        self.max_live.get()
    }

    /// Changes the budget on live bytes; lowering it below what is live
    /// refuses further requests until enough is freed.
    pub fn set_max_live(&self, max_live: usize) {
        self.max_live.set(max_live);
    }

    /// The budget on total bytes (`usize::MAX` when unset).
    pub fn max_total(&self) -> usize {
        self.max_total.get()
    }

    /// The parent.
    pub const fn inner(&self) -> &A {
        &self.parent
    }
}

// SAFETY: TODO(skeleton)
unsafe impl<A: RawAlloc> RawAlloc for Limit<A> {
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let _ = (len, align, caller);
        todo!()
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        let _ = (memory, align, caller);
        todo!()
    }
}

// SAFETY: a limit's blocks are its parent's blocks.
unsafe impl<A: Owns> Owns for Limit<A> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.parent.owns(memory)
    }
}
