//! [`Region`]: what a [`Counting`] allocator sees from a starting point on.

use core::fmt;

use super::Change;
use crate::{Counting, Local, Stats, Threading};

/// What a [`Counting`] allocator sees from a starting point on: a snapshot
/// of its [`Stats`] taken by [`new`](Self::new) (or [`reset`](Self::reset)),
/// compared with the counters now by [`change`](Self::change).
///
/// Works on any `Counting`: a [`Local`] one over an arena or a `Bump` in a
/// test, or the `ThreadSafe` one that is the `#[global_allocator]`. Taking a
/// snapshot reads the counters and allocates nothing.
///
/// # Other threads
///
/// A region measures the counter, not the code: whatever allocates through
/// the same counter meanwhile is in the change. A `Local` counter cannot be
/// shared, so only the code that holds it is counted. A `ThreadSafe` one
/// counts every thread; as the global allocator it counts every thread of
/// the program, and `cargo test` runs the tests of a binary on several
/// threads at once, so another test's allocations land in your region. The
/// region cannot tell them apart (the counters record no thread). To measure
/// one piece of code with the global counter:
///
/// - put the test in a test binary of its own (a file in `tests/`) with one
///   test in it, or with `harness = false` and a `main` that runs the
///   measured cases one after another;
/// - or run the tests on one thread: `cargo test -- --test-threads=1`.
///
/// (dhat's heap assertions have the same rule: one test per binary.) Threads
/// the measured code starts itself are counted, which is usually what you
/// want; join them before reading the change.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Counting, Global, Region};
/// use allocator_api2::vec::Vec;
///
/// let counting = Counting::new(Global);
/// let mut region = Region::new(&counting);
/// let mut v: Vec<u32, _> = Vec::with_capacity_in(4, &counting);
/// v.extend([1, 2, 3, 4]);
/// let change = region.change();
/// assert_eq!((change.allocations, change.bytes_allocated, change.live_bytes), (1, 16, 16));
///
/// region.reset();
/// drop(v);
/// let change = region.change();
/// assert_eq!((change.frees, change.live_bytes), (1, -16));
/// ```
///
/// With the global allocator (a program of its own, run on one thread):
///
/// ```
/// use alloc_runtime::{Counting, Region, ThreadSafe};
/// use std::alloc::System;
///
/// #[global_allocator]
/// static GLOBAL: Counting<System, ThreadSafe> = Counting::new_sync(System);
///
/// let region = Region::new(&GLOBAL);
/// let v = std::hint::black_box(vec![0u8; 1000]);
/// let words: Vec<String> = "a region of code".split(' ').map(String::from).collect();
/// let change = region.change();
/// assert_eq!(change.allocations, 1 + 1 + 4, "the bytes, the list, one string a word");
/// assert_eq!(change.frees, 0);
/// assert!(change.bytes_allocated >= 1000 + 13);
/// # drop((v, words));
/// ```
pub struct Region<'a, A, T: Threading = Local> {
    counting: &'a Counting<A, T>,
    /// The counters when the region began (or was last reset).
    initial: Stats,
}

impl<'a, A, T: Threading> Region<'a, A, T> {
    /// A region that begins now: a snapshot of `counting`'s counters.
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, Region};
    ///
    /// let counting = Counting::new(Global);
    /// let region = Region::new(&counting);
    /// assert!(region.change().is_none());
    /// ```
    #[must_use]
    pub fn new(counting: &'a Counting<A, T>) -> Self {
        Self {
            counting,
            initial: counting.stats(),
        }
    }

    /// The counters when the region began, or at the last
    /// [`reset`](Self::reset).
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, Region};
    ///
    /// let counting = Counting::new(Global);
    /// let kept = allocator_api2::boxed::Box::new_in(1u8, &counting);
    /// let region = Region::new(&counting);
    /// assert_eq!(region.initial().live_bytes, 1);
    /// # drop(kept);
    /// ```
    #[inline]
    #[must_use]
    pub fn initial(&self) -> Stats {
        self.initial
    }

    /// What the counter saw since the region began (or was last reset).
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, Region};
    ///
    /// let counting = Counting::new(Global);
    /// let region = Region::new(&counting);
    /// drop(allocator_api2::boxed::Box::new_in(1u32, &counting));
    /// let change = region.change();
    /// assert_eq!((change.allocations, change.frees, change.live_bytes), (1, 1, 0));
    /// ```
    #[must_use]
    pub fn change(&self) -> Change {
        Change::between(&self.initial, &self.counting.stats())
    }

    /// [`change`](Self::change), and the region begins again from the
    /// same snapshot: between two calls, nothing is missed or counted twice.
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, Region};
    ///
    /// let counting = Counting::new(Global);
    /// let mut region = Region::new(&counting);
    /// let b = allocator_api2::boxed::Box::new_in(1u32, &counting);
    /// assert_eq!(region.change_and_reset().allocations, 1);
    /// drop(b);
    /// let change = region.change_and_reset();
    /// assert_eq!((change.allocations, change.frees), (0, 1));
    /// ```
    #[must_use = "use `reset` to begin again without the change"]
    pub fn change_and_reset(&mut self) -> Change {
        let now = self.counting.stats();
        let change = Change::between(&self.initial, &now);
        self.initial = now;
        change
    }

    /// Begins the region again: a new snapshot of the counters.
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, Region};
    ///
    /// let counting = Counting::new(Global);
    /// let mut region = Region::new(&counting);
    /// drop(allocator_api2::boxed::Box::new_in(1u32, &counting));
    /// region.reset();
    /// assert!(region.change().is_none());
    /// ```
    pub fn reset(&mut self) {
        self.initial = self.counting.stats();
    }

    /// The counter the region reads.
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, Region};
    ///
    /// let counting = Counting::new(Global);
    /// let region = Region::new(&counting);
    /// assert!(core::ptr::eq(region.counting(), &counting));
    /// ```
    #[inline]
    #[must_use]
    pub fn counting(&self) -> &'a Counting<A, T> {
        self.counting
    }
}

impl<A, T: Threading> fmt::Debug for Region<'_, A, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Region")
            .field("initial", &self.initial)
            .field("change", &self.change())
            .finish()
    }
}
