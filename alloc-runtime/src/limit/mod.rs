//! [`Limit`]: a budget on live bytes, and optionally on total bytes.

use core::cell::Cell;
use core::ptr::NonNull;

use crate::threading::sealed::{Sealed, Word};
use crate::{Alignment, Caller, Local, Owns, RawAlloc, ThreadSafe, Threading};

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
/// Two variants, chosen by the [`Threading`] marker `T`:
///
/// - **`Limit<A>`** (`T` = [`Local`], made with [`new`](Limit::new)) keeps
///   its figures in `Cell`s, so it is not `Sync`.
/// - **`Limit<A, ThreadSafe>`** (made with [`new_sync`](Limit::new_sync),
///   `const`) keeps them in atomics, so it is `Sync` when `A` is: share it
///   between threads, or, over `std::alloc::System`, make it the
///   `#[global_allocator]` to cap the whole process (the `cap` crate's use).
///
/// # Under concurrency
///
/// In `Limit<A, ThreadSafe>`, a request **reserves** its bytes before it asks
/// the parent: a compare-and-swap raises live bytes only if the sum stays
/// within `max_live` (then, with a total budget, the same for total bytes,
/// giving the live reservation back if the total refuses). If the parent
/// refuses, the reservation is given back. So the budgets hold exactly: two
/// threads never both pass the last bytes, and live bytes never exceed
/// `max_live`, not even for a moment. The figures are exact sums; what a reader
/// sees includes the requests in flight (reserved, not yet answered by the
/// parent), and a request made while another's reservation is in flight is
/// judged with it counted: near the edge of a budget it may be refused for
/// bytes that a refused request then gives back. (`Limit<A>` checks, asks the
/// parent, and stores the new figures after: no other thread can come in
/// between, and it saves the give-back.)
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
///
/// Shared by threads:
///
/// ```
/// use alloc_runtime::{Global, Limit, ThreadSafe};
/// use allocator_api2::boxed::Box;
///
/// let limit: Limit<Global, ThreadSafe> = Limit::new_sync(Global, 64);
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         s.spawn(|| Box::try_new_in([0u8; 32], &limit).ok());
///     }
/// });
/// // Each box was dropped at the end of its thread.
/// assert_eq!(limit.live_bytes(), 0);
/// assert_eq!(limit.total_bytes() + 32 * limit.refused(), 4 * 32);
/// ```
///
/// The `Local` one cannot be shared:
///
/// ```compile_fail,E0277
/// use alloc_runtime::{Global, Limit};
///
/// let limit = Limit::new(Global, 64);
/// std::thread::scope(|s| {
///     s.spawn(|| drop(allocator_api2::boxed::Box::new_in(1u8, &limit)));
/// });
/// ```
#[derive(alloc_derive::Allocator, Debug)]
pub struct Limit<A, T: Threading = Local> {
    parent: A,
    /// The budget on `live`.
    max_live: <T as Sealed>::Usize,
    /// The budget on `total`; `usize::MAX` when unset (then `total` is only
    /// counted, after the parent succeeds, and saturates). Fixed once made.
    max_total: usize,
    /// Requested bytes of the blocks live in the parent through us, plus
    /// the reservations of requests in flight. Never above `max_live` after
    /// a reservation (each is a compare-and-swap that checks it).
    live: <T as Sealed>::Usize,
    /// Requested bytes ever allocated through us, growth included. With a
    /// total budget, reserved like `live` (and never above `max_total`);
    /// without one, added after the parent succeeds, saturating at
    /// `usize::MAX`.
    total: <T as Sealed>::Usize,
    /// Requests refused for the budget (not by the parent); saturating.
    refused: <T as Sealed>::Usize,
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
            max_total: usize::MAX,
            live: Cell::new(0),
            total: Cell::new(0),
            refused: Cell::new(0),
        }
    }
}

#[cfg(target_has_atomic = "64")]
impl<A> Limit<A, ThreadSafe> {
    /// `parent` with at most `max_live` bytes live at once, shared by any
    /// number of threads: the figures are atomics, and every request
    /// reserves its bytes with a compare-and-swap (see [Under
    /// concurrency](Limit#under-concurrency)). `const`, so it can be a
    /// `static` — and, over `std::alloc::System`, the `#[global_allocator]`,
    /// a budget on the whole process:
    ///
    /// ```
    /// use alloc_runtime::{Limit, ThreadSafe};
    /// use std::alloc::System;
    ///
    /// #[global_allocator]
    /// static GLOBAL: Limit<System, ThreadSafe> = Limit::new_sync(System, 64 << 20);
    ///
    /// let mut v: Vec<u8> = Vec::new();
    /// assert!(v.try_reserve_exact(1 << 20).is_ok());
    /// assert!(GLOBAL.live_bytes() >= 1 << 20);
    /// // Past the 64 MiB budget: refused, and `try_reserve` says so.
    /// assert!(Vec::<u8>::new().try_reserve_exact(64 << 20).is_err());
    /// assert!(GLOBAL.refused() >= 1);
    /// # drop(v);
    /// ```
    #[must_use]
    pub const fn new_sync(parent: A, max_live: usize) -> Self {
        use core::sync::atomic::AtomicUsize;
        Self {
            parent,
            max_live: AtomicUsize::new(max_live),
            max_total: usize::MAX,
            live: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
        }
    }
}

impl<A, T: Threading> Limit<A, T> {
    /// The same limit, also refusing once `max_total` bytes have been
    /// allocated in all (freed or not; growth counts, shrinking does not
    /// give back). `const`, for either marker.
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit, ThreadSafe};
    /// use allocator_api2::boxed::Box;
    ///
    /// let limit = Limit::new(Global, usize::MAX).with_max_total(16);
    /// drop(Box::new_in(1u64, &limit));
    /// drop(Box::new_in(2u64, &limit));
    /// assert!(Box::try_new_in(3u64, &limit).is_err(), "16 bytes ever");
    /// assert_eq!((limit.live_bytes(), limit.total_bytes()), (0, 16));
    ///
    /// static SHARED: Limit<Global, ThreadSafe> = Limit::new_sync(Global, 64).with_max_total(128);
    /// assert_eq!(SHARED.max_total(), 128);
    /// ```
    #[must_use]
    pub const fn with_max_total(self, max_total: usize) -> Self {
        let mut limit = self;
        limit.max_total = max_total;
        limit
    }

    /// Bytes live now (requested lengths; with threads, including requests
    /// in flight).
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
    /// With threads, a snapshot: another thread may take the bytes first.
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
        let total = self.max_total.saturating_sub(self.total.get());
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
    /// With threads, a plain store: every request that reads the budget
    /// after it is judged by the new one; a request already being judged
    /// may still be admitted under the old one (it read the budget before
    /// the store), and nothing live is taken back. So after lowering the
    /// budget, live bytes can stay above it until enough is freed; no
    /// request admitted after the store takes them further past it.
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
        self.max_total
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

    /// Whether a total budget is set (then `total` is reserved like `live`).
    #[inline(always)]
    fn total_is_budgeted(&self) -> bool {
        self.max_total != usize::MAX
    }

    /// Admits `grow` more bytes, or `None` when either budget would be
    /// passed or the sum overflows (and nothing changed).
    ///
    /// `Local`: only checks, and returns the figures for
    /// [`granted`](Self::granted) to store once the parent succeeds (no
    /// other thread can change them in between). `ThreadSafe`: reserves the
    /// bytes ([`reserve`](Self::reserve)).
    #[inline(always)]
    fn admit(&self, grow: usize) -> Option<Figures> {
        if <T as Sealed>::SHARED {
            return self.reserve(grow).then_some(Figures { live: 0, total: 0 });
        }
        let live = self.live.get().checked_add(grow)?;
        let total = self.total.get().saturating_add(grow);
        (live <= self.max_live.get() && total <= self.max_total).then_some(Figures { live, total })
    }

    /// Reserves `grow` more bytes: `true` when both budgets allow them (and
    /// they are now counted), `false` when either would be passed or the
    /// sum overflows (and nothing changed).
    #[inline(always)]
    fn reserve(&self, grow: usize) -> bool {
        let max_live = self.max_live.get();
        // One compare-and-swap: admitted against the value it replaces, so
        // no other thread's reservation can slip in between check and add.
        let fits = |live: usize| live.checked_add(grow).filter(|&after| after <= max_live);
        if self.live.update(fits).is_err() {
            return false;
        }
        if self.total_is_budgeted() {
            let max_total = self.max_total;
            let fits = |total: usize| total.checked_add(grow).filter(|&after| after <= max_total);
            if self.total.update(fits).is_err() {
                // Exactly what was added above: `live` is a plain sum, so
                // whatever other threads did since, this restores it.
                self.live.sub(grow);
                return false;
            }
        }
        true
    }

    /// The parent handed out the `grow` bytes admitted as `figures`.
    /// `Local`: stores the figures. `ThreadSafe`: counts the bytes in the
    /// total when that is not a budget (a budget reserved them already).
    #[inline(always)]
    fn granted(&self, grow: usize, figures: Figures) {
        if <T as Sealed>::SHARED {
            if !self.total_is_budgeted() {
                let _ = self.total.update(|total| Some(total.saturating_add(grow)));
            }
        } else {
            self.live.set(figures.live);
            self.total.set(figures.total);
        }
    }

    /// The parent refused the `grow` bytes admitted: `ThreadSafe` gives the
    /// reservation back (`Local` stored nothing).
    #[inline(always)]
    fn not_granted(&self, grow: usize) {
        if <T as Sealed>::SHARED {
            self.release(grow);
        }
    }

    /// Gives back the reservation of `grow` bytes the parent refused.
    #[cold]
    #[inline(never)]
    fn release(&self, grow: usize) {
        self.live.sub(grow);
        if self.total_is_budgeted() {
            self.total.sub(grow);
        }
    }

    /// Counts a refused allocation; returns `None` for `alloc` to return.
    #[cold]
    #[inline(never)]
    fn refuse(&self) -> Option<NonNull<u8>> {
        let _ = self.refused.update(|n| Some(n.saturating_add(1)));
        None
    }

    /// Gives back `shrink` live bytes.
    #[inline(always)]
    fn give_back(&self, shrink: usize) {
        // Saturating: the contracts of `free` and `resize` make `shrink`
        // at most `live` (the block's bytes are in it); a caller's bug must
        // not panic in an allocator.
        let _ = self.live.update(|live| Some(live.saturating_sub(shrink)));
    }
}

/// What [`Limit::admit`] hands to [`Limit::granted`]: for `Local`, the
/// live and total bytes to store once the parent succeeds; unused for
/// `ThreadSafe`, whose reservation already counted them.
#[derive(Clone, Copy)]
struct Figures {
    live: usize,
    total: usize,
}

// SAFETY: every call reaches the parent unchanged, or not at all (a
// refusal: `None`/`false`, which hands out nothing); the limit only keeps
// figures, so the parent's blocks, lengths and alignments are the caller's
// and the parent's contract carries over.
unsafe impl<A: RawAlloc, T: Threading> RawAlloc for Limit<A, T> {
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let Some(figures) = self.admit(len) else {
            return self.refuse();
        };
        let Some(block) = self.parent.alloc(len, align, caller) else {
            self.not_granted(len);
            return None;
        };
        self.granted(len, figures);
        Some(block)
    }

    /// The same budget check, then the parent's `alloc_zeroed` (`calloc`
    /// over the system allocator).
    #[inline(always)]
    fn alloc_zeroed(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let Some(figures) = self.admit(len) else {
            return self.refuse();
        };
        let Some(block) = self.parent.alloc_zeroed(len, align, caller) else {
            self.not_granted(len);
            return None;
        };
        self.granted(len, figures);
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
            let grow = new_len - old_len;
            let Some(figures) = self.admit(grow) else {
                return false;
            };
            // SAFETY: the caller upholds `resize`'s contract for the parent.
            let grown = unsafe { self.parent.resize(memory, align, new_len, caller) };
            if grown {
                self.granted(grow, figures);
            } else {
                self.not_granted(grow);
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
            let grow = new_len - old_len;
            let figures = self.admit(grow)?;
            // SAFETY: the caller upholds `remap`'s contract for the parent.
            let Some(moved) = (unsafe { self.parent.remap(memory, align, new_len, caller) }) else {
                self.not_granted(grow);
                return None;
            };
            self.granted(grow, figures);
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
unsafe impl<A: Owns, T: Threading> Owns for Limit<A, T> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.parent.owns(memory)
    }
}
