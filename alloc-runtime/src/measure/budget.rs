//! [`Budget`]: how much a piece of code may allocate, and [`OverBudget`],
//! the account of a [`Change`] that went over it.

use core::fmt;

use super::Change;
use super::grouped::Grouped;

/// How much a piece of code may allocate: at most so many allocations,
/// bytes allocated, and bytes left live. The limit that
/// [`assert_allocations`](crate::assert_allocations) checks, and
/// [`check`](Self::check) without panicking.
///
/// [`new`](Self::new) limits nothing; each method adds one limit.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Budget, Counting, Global, measure};
/// use allocator_api2::vec::Vec;
///
/// let counting = Counting::new(Global);
/// let budget = Budget::new().allocations(1).bytes(64);
/// let (v, change) = measure(&counting, || {
///     let mut v: Vec<u8, _> = Vec::with_capacity_in(32, &counting);
///     v.extend_from_slice(b"fits");
///     v
/// });
/// assert!(budget.check(&change).is_ok());
/// assert!(Budget::nothing().check(&change).is_err());
/// # drop(v);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Budget {
    allocations: Option<u64>,
    bytes: Option<u64>,
    live_bytes: Option<usize>,
}

impl Budget {
    /// No limit yet: every change fits.
    ///
    /// ```
    /// use alloc_runtime::{Budget, Change};
    /// assert!(Budget::new().check(&Change::default()).is_ok());
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            allocations: None,
            bytes: None,
            live_bytes: None,
        }
    }

    /// Nothing at all: no allocation, and no byte allocated (not even by
    /// growing a block that existed before). Freeing and shrinking are
    /// allowed.
    ///
    /// ```
    /// use alloc_runtime::{Budget, Counting, Global, measure};
    ///
    /// let counting = Counting::new(Global);
    /// let ((), change) = measure(&counting, || {
    ///     drop(allocator_api2::boxed::Box::new_in(1u8, &counting));
    /// });
    /// assert!(Budget::nothing().check(&change).is_err());
    /// ```
    #[must_use]
    pub const fn nothing() -> Self {
        Self::new().allocations(0).bytes(0)
    }

    /// At most `n` successful `alloc` calls (growing or moving a block with
    /// `resize` or `remap` is not an allocation; its bytes count in
    /// [`bytes`](Self::bytes)).
    ///
    /// ```
    /// let budget = alloc_runtime::Budget::new().allocations(3);
    /// # let _ = budget;
    /// ```
    #[must_use]
    pub const fn allocations(mut self, n: u64) -> Self {
        self.allocations = Some(n);
        self
    }

    /// At most `n` bytes allocated: by `alloc`, plus growth by `resize` and
    /// `remap` ([`Change::bytes_allocated`]), whether freed since or not.
    ///
    /// ```
    /// let budget = alloc_runtime::Budget::new().bytes(1024);
    /// # let _ = budget;
    /// ```
    #[must_use]
    pub const fn bytes(mut self, n: u64) -> Self {
        self.bytes = Some(n);
        self
    }

    /// At most `n` more bytes live at the end than at the start
    /// ([`Change::live_bytes`]); `live_bytes(0)`: the code frees what it
    /// allocates (a value it returns counts as live).
    ///
    /// ```
    /// use alloc_runtime::{Budget, Counting, Global, measure};
    ///
    /// let counting = Counting::new(Global);
    /// // The box is still live when the change is read.
    /// let (kept, change) = measure(&counting, || allocator_api2::boxed::Box::new_in(1u32, &counting));
    /// assert!(Budget::new().live_bytes(0).check(&change).is_err());
    /// assert!(Budget::new().live_bytes(4).check(&change).is_ok());
    /// # drop(kept);
    /// ```
    #[must_use]
    pub const fn live_bytes(mut self, n: usize) -> Self {
        self.live_bytes = Some(n);
        self
    }

    /// `Ok` when `change` is within every limit; otherwise the account of
    /// what went over, whose `Display` is the message
    /// [`assert_allocations`](crate::assert_allocations) panics with.
    ///
    /// # Errors
    ///
    /// [`OverBudget`] when a figure of `change` is above its limit.
    ///
    /// ```
    /// use alloc_runtime::{Budget, Change};
    ///
    /// let mut change = Change::default();
    /// change.allocations = 5;
    /// let over = Budget::new().allocations(3).check(&change).unwrap_err();
    /// assert!(over.to_string().starts_with("the code went over its allocation budget: 5 allocations (at most 3)"));
    /// ```
    pub fn check(&self, change: &Change) -> Result<(), OverBudget> {
        let over = OverBudget {
            change: *change,
            budget: *self,
            shared: false,
        };
        if over.allocations().is_some() || over.bytes().is_some() || over.live_bytes().is_some() {
            Err(over)
        } else {
            Ok(())
        }
    }
}

/// A [`Change`] above its [`Budget`]: what [`Budget::check`] answers, and
/// what [`assert_allocations`](crate::assert_allocations) panics with.
///
/// Its `Display` is one line naming each figure over its limit, then the
/// whole change as a table; when the counter is `ThreadSafe`, a note on
/// other threads (see [`Region`](crate::Region)).
///
/// ```
/// use alloc_runtime::{Budget, Change};
///
/// let mut change = Change::default();
/// change.allocations = 5;
/// change.bytes_allocated = 2048;
/// let over = Budget::new().allocations(3).bytes(1024).check(&change).unwrap_err();
/// assert_eq!(over.change(), change);
/// let message = over.to_string();
/// assert!(message.starts_with(
///     "the code went over its allocation budget: \
///      5 allocations (at most 3), 2,048 bytes allocated (at most 1,024)\n"
/// ));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverBudget {
    change: Change,
    budget: Budget,
    /// The counter is `ThreadSafe`: other threads may have counted.
    shared: bool,
}

impl OverBudget {
    /// With the note on other threads when `shared`.
    pub(super) fn shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// What the code did.
    ///
    /// ```
    /// use alloc_runtime::{Budget, Change};
    /// let mut change = Change::default();
    /// change.bytes_allocated = 1;
    /// assert_eq!(Budget::nothing().check(&change).unwrap_err().change().bytes_allocated, 1);
    /// ```
    #[must_use]
    pub fn change(&self) -> Change {
        self.change
    }

    /// The budget it went over.
    ///
    /// ```
    /// use alloc_runtime::{Budget, Change};
    /// let mut change = Change::default();
    /// change.allocations = 1;
    /// assert_eq!(Budget::nothing().check(&change).unwrap_err().budget(), Budget::nothing());
    /// ```
    #[must_use]
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Allocations and their limit, when over.
    fn allocations(&self) -> Option<(u64, u64)> {
        let limit = self.budget.allocations?;
        (self.change.allocations > limit).then_some((self.change.allocations, limit))
    }

    /// Bytes allocated and their limit, when over.
    fn bytes(&self) -> Option<(u64, u64)> {
        let limit = self.budget.bytes?;
        (self.change.bytes_allocated > limit).then_some((self.change.bytes_allocated, limit))
    }

    /// Bytes left live and their limit, when over.
    fn live_bytes(&self) -> Option<(isize, usize)> {
        let limit = self.budget.live_bytes?;
        let live = self.change.live_bytes;
        // A negative change is within any limit.
        (live > 0 && live.unsigned_abs() > limit).then_some((live, limit))
    }
}

impl fmt::Display for OverBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the code went over its allocation budget: ")?;
        let mut separator = "";
        if let Some((n, limit)) = self.allocations() {
            let s = plural(n);
            let (n, limit) = (Grouped::unsigned(n), Grouped::unsigned(limit));
            write!(f, "{n} allocation{s} (at most {limit})")?;
            separator = ", ";
        }
        if let Some((n, limit)) = self.bytes() {
            let s = plural(n);
            let (n, limit) = (Grouped::unsigned(n), Grouped::unsigned(limit));
            write!(f, "{separator}{n} byte{s} allocated (at most {limit})")?;
            separator = ", ";
        }
        if let Some((n, limit)) = self.live_bytes() {
            let s = plural(n.unsigned_abs() as u64);
            let (n, limit) = (Grouped::signed(n as i64), Grouped::unsigned(limit as u64));
            write!(f, "{separator}{n} byte{s} left live (at most {limit})")?;
        }
        write!(f, "\nwhat it did:\n{}", self.change)?;
        if self.shared {
            f.write_str(
                "\nnote: the counter counts every thread that allocates through it; \
                 if another thread did meanwhile (a test running in parallel: `cargo test` \
                 runs a binary's tests on several threads), run this test alone: \
                 `cargo test -- --test-threads=1`, or one test in a test binary of its own",
            )?;
        }
        Ok(())
    }
}

impl core::error::Error for OverBudget {}

/// The plural ending for `n` things.
fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
