//! [`Limit`]: a budget on live bytes, and optionally on total bytes.

use core::cell::Cell;
use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

#[cfg(test)]
mod tests;

/// A budget over any parent: requests that would take the live bytes past
/// `max_live` (or, if set, the bytes ever allocated past `max_total`) are
/// refused cleanly, and the figures say how much is in use (bumpalo's
/// allocation limit, the `cap` crate's idea, for any allocator; D has no
/// direct counterpart, the nearest is a `StatsCollector` with a check).
///
/// - Bytes are **requested lengths**, not what the parent rounds up to.
/// - A request past either budget is refused (`None`, allocator-api2's
///   `AllocError`) before it reaches the parent; the sums are
///   overflow-checked, so a request near `usize::MAX` is refused, never
///   wrapped. [`refused`](Self::refused) counts refused allocations.
/// - The figures change only when the parent succeeds: `free` gives the
///   length back; growth by `resize`/`remap` is checked against the budget
///   like an allocation of the difference and counts toward the total;
///   shrinking gives the difference back.
///
/// `Limit` is not `Sync` (its counters are `Cell`s).
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Global, Limit};
/// use allocator_api2::vec::Vec;
///
/// let limit = Limit::new(Global, 1024);
/// let mut v: Vec<u8, _> = Vec::new_in(&limit);
/// v.try_reserve_exact(1000).expect("within the budget");
/// assert_eq!((limit.live_bytes(), limit.remaining()), (1000, 24));
/// assert!(v.try_reserve_exact(2000).is_err(), "past the budget");
/// assert_eq!(limit.refused(), 1);
/// drop(v);
/// assert_eq!(limit.live_bytes(), 0);
/// ```
#[derive(alloc_derive::Allocator)]
pub struct Limit<A> {
    parent: A,
    /// The budget on `live`.
    max_live: Cell<usize>,
    /// The budget on `total`; `usize::MAX` when unset.
    max_total: Cell<usize>,
    /// Requested bytes of the blocks live in the parent through us.
    live: Cell<usize>,
    /// Requested bytes ever allocated through us, growth included;
    /// saturates at `usize::MAX`.
    total: Cell<usize>,
    /// Requests refused for the budget (not by the parent).
    refused: Cell<usize>,
}

impl<A> Limit<A> {
    /// `parent` with at most `max_live` bytes live at once.
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit};
    /// // `const`, so it can initialize a `thread_local!` or a `const` item.
    /// let limit = const { Limit::new(Global, 4096) };
    /// assert_eq!((limit.max_live(), limit.max_total()), (4096, usize::MAX));
    /// ```
    pub const fn new(parent: A, max_live: usize) -> Self {
        Self {
            parent,
            max_live: Cell::new(max_live),
            max_total: Cell::new(usize::MAX),
            live: Cell::new(0),
            total: Cell::new(0),
            refused: Cell::new(0),
        }
    }

    /// The same limit, also refusing once `max_total` bytes have been
    /// allocated in all (freed or not; growth counts, shrinking does not
    /// give back).
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit};
    /// use allocator_api2::boxed::Box;
    ///
    /// let limit = Limit::new(Global, usize::MAX).with_max_total(16);
    /// drop(Box::new_in(1u64, &limit));
    /// drop(Box::new_in(2u64, &limit));
    /// assert!(Box::try_new_in(3u64, &limit).is_err(), "16 bytes ever");
    /// assert_eq!((limit.live_bytes(), limit.total_bytes()), (0, 16));
    /// ```
    #[must_use]
    pub const fn with_max_total(self, max_total: usize) -> Self {
        let mut limit = self;
        limit.max_total = Cell::new(max_total);
        limit
    }

    /// Bytes live now (requested lengths).
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit};
    /// use allocator_api2::boxed::Box;
    /// let limit = Limit::new(Global, 64);
    /// let b = Box::new_in([0u8; 10], &limit);
    /// assert_eq!(limit.live_bytes(), 10);
    /// ```
    pub fn live_bytes(&self) -> usize {
        self.live.get()
    }

    /// Bytes allocated in all, including growth (saturating at
    /// `usize::MAX`).
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit};
    /// use allocator_api2::boxed::Box;
    /// let limit = Limit::new(Global, 64);
    /// drop(Box::new_in([0u8; 10], &limit));
    /// drop(Box::new_in([0u8; 10], &limit));
    /// assert_eq!((limit.live_bytes(), limit.total_bytes()), (0, 20));
    /// ```
    pub fn total_bytes(&self) -> usize {
        self.total.get()
    }

    /// How many more bytes the budgets allow now: the smaller of what is
    /// left of `max_live` and of `max_total` (0 when either is used up).
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit};
    /// use allocator_api2::boxed::Box;
    /// let limit = Limit::new(Global, 64).with_max_total(100);
    /// let b = Box::new_in([0u8; 50], &limit);
    /// assert_eq!(limit.remaining(), 14);
    /// drop(b);
    /// assert_eq!(limit.remaining(), 50, "the total budget is what is left");
    /// ```
    pub fn remaining(&self) -> usize {
        let live = self.max_live.get().saturating_sub(self.live.get());
        let total = self.max_total.get().saturating_sub(self.total.get());
        live.min(total)
    }

    /// The budget on live bytes.
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit};
    /// assert_eq!(Limit::new(Global, 100).max_live(), 100);
    /// ```
    pub fn max_live(&self) -> usize {
        self.max_live.get()
    }

    /// Changes the budget on live bytes; lowering it below what is live
    /// refuses further requests until enough is freed.
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit};
    /// use allocator_api2::boxed::Box;
    /// let limit = Limit::new(Global, 64);
    /// let b = Box::new_in([0u8; 32], &limit);
    /// limit.set_max_live(16);
    /// assert!(Box::try_new_in(1u8, &limit).is_err());
    /// drop(b);
    /// assert!(Box::try_new_in(1u8, &limit).is_ok());
    /// ```
    pub fn set_max_live(&self, max_live: usize) {
        self.max_live.set(max_live);
    }

    /// The budget on total bytes (`usize::MAX` when unset).
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit};
    /// assert_eq!(Limit::new(Global, 1).with_max_total(7).max_total(), 7);
    /// ```
    pub fn max_total(&self) -> usize {
        self.max_total.get()
    }

    /// Allocations refused because they would have passed a budget
    /// (refusals by the parent are not counted). A growth past the budget
    /// is refused by `resize`/`remap` without counting; the caller's
    /// fallback allocation of the larger block is then refused and counted,
    /// so each refused request through a collection counts once.
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit};
    /// use allocator_api2::boxed::Box;
    /// let limit = Limit::new(Global, 4);
    /// assert!(Box::try_new_in(0u64, &limit).is_err());
    /// assert_eq!(limit.refused(), 1);
    /// ```
    pub fn refused(&self) -> usize {
        self.refused.get()
    }

    /// The parent.
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, Limit};
    /// let limit = Limit::new(Counting::new(Global), 8);
    /// assert_eq!(limit.inner().stats().allocations, 0);
    /// ```
    pub const fn inner(&self) -> &A {
        &self.parent
    }

    /// The parent, giving up the limit.
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, Limit};
    /// let counting = Limit::new(Counting::new(Global), 8).into_inner();
    /// assert_eq!(counting.stats().allocations, 0);
    /// ```
    pub fn into_inner(self) -> A {
        self.parent
    }

    /// The figures after `grow` more bytes, or `None` when that passes a
    /// budget or overflows.
    #[inline(always)]
    fn admit(&self, grow: usize) -> Option<(usize, usize)> {
        let live = self.live.get().checked_add(grow)?;
        let total = self.total.get().saturating_add(grow);
        (live <= self.max_live.get() && total <= self.max_total.get()).then_some((live, total))
    }

    /// Counts a refused allocation; returns `None` for `alloc` to return.
    #[cold]
    #[inline(never)]
    fn refuse(&self) -> Option<NonNull<u8>> {
        self.refused.set(self.refused.get().saturating_add(1));
        None
    }

    /// Commits figures [`admit`](Self::admit) returned.
    #[inline(always)]
    fn commit(&self, (live, total): (usize, usize)) {
        self.live.set(live);
        self.total.set(total);
    }

    /// Gives back `shrink` live bytes.
    #[inline(always)]
    fn give_back(&self, shrink: usize) {
        // Saturating: the contracts of `free` and `resize` make `shrink`
        // at most `live`; a caller's bug must not panic in an allocator.
        self.live.set(self.live.get().saturating_sub(shrink));
    }
}

// SAFETY: every call reaches the parent unchanged, or not at all (a
// refusal: `None`/`false`, which hands out nothing); the limit only keeps
// figures, so the parent's blocks, lengths and alignments are the caller's
// and the parent's contract carries over.
unsafe impl<A: RawAlloc> RawAlloc for Limit<A> {
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let Some(figures) = self.admit(len) else {
            return self.refuse();
        };
        let block = self.parent.alloc(len, align, caller)?;
        self.commit(figures);
        Some(block)
    }

    #[inline(always)]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        let old_len = memory.len();
        if new_len > old_len {
            let Some(figures) = self.admit(new_len - old_len) else {
                return false;
            };
            // SAFETY: the caller upholds `resize`'s contract for the parent.
            let grown = unsafe { self.parent.resize(memory, align, new_len, caller) };
            if grown {
                self.commit(figures);
            }
            grown
        } else {
            // SAFETY: as above.
            let shrunk = unsafe { self.parent.resize(memory, align, new_len, caller) };
            if shrunk {
                self.give_back(old_len - new_len);
            }
            shrunk
        }
    }

    #[inline(always)]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        let old_len = memory.len();
        if new_len > old_len {
            let figures = self.admit(new_len - old_len)?;
            // SAFETY: the caller upholds `remap`'s contract for the parent.
            let moved = unsafe { self.parent.remap(memory, align, new_len, caller) }?;
            self.commit(figures);
            Some(moved)
        } else {
            // SAFETY: as above.
            let moved = unsafe { self.parent.remap(memory, align, new_len, caller) }?;
            self.give_back(old_len - new_len);
            Some(moved)
        }
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        self.give_back(memory.len());
        // SAFETY: the caller upholds `free`'s contract for the parent.
        unsafe { self.parent.free(memory, align, caller) };
    }

    #[inline]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        self.parent.validate(memory, align, caller)
    }
}

// SAFETY: a limit's blocks are its parent's blocks.
unsafe impl<A: Owns> Owns for Limit<A> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.parent.owns(memory)
    }
}
