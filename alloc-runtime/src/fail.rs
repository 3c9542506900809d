//! [`Fail`]: a wrapper that injects allocation failures, for testing error
//! paths; [`FailConfig`] says when.

use core::cell::Cell;
use core::fmt;
use core::ptr::NonNull;

use crate::{Alignment, Caller, RawAlloc};

/// "Never": a failure index no allocator reaches.
const NEVER: usize = usize::MAX;

/// When a [`Fail`] allocator refuses: Zig's `FailingAllocator.Config`, plus
/// knobs Zig lacks.
///
/// Built with chained methods from [`FailConfig::new`], which never fails.
/// The knobs combine: a request is refused when any of them says so.
///
/// - [`fail_index`](Self::fail_index): the allocation with this **allocation
///   index** fails, and every request for more memory after it (Zig's
///   `fail_index`).
/// - [`resize_fail_index`](Self::resize_fail_index): the growth with this
///   **growth index** fails, and every growth after it (Zig's
///   `resize_fail_index`, but only for growth: shrinking is never refused).
/// - [`fail_every`](Self::fail_every), [`fail_with_probability`](Self::fail_with_probability),
///   [`fail_above`](Self::fail_above): per-request knobs, decided anew for
///   every request for more memory.
///
/// # Indices
///
/// As in Zig, the **allocation index** of an `alloc` call is the number of
/// *successful* allocations before it (through this `Fail`): the first
/// allocation has index 0, and neither refused requests (induced, or refused
/// by the parent) nor frees advance it. So `fail_index(n)` lets exactly `n`
/// allocations through: index `n` fails, and since a failure does not
/// advance the index, so does every later one. Zero-size requests never reach
/// an allocator through this crate and have no index.
///
/// The **growth index** of a growing `resize` or `remap` call is, likewise,
/// the number of successful growing `resize`/`remap` calls before it.
/// Shrinking calls have no index and are never refused.
///
/// # Requests
///
/// A *request for more memory* is one call of `alloc`, or of a `resize` or
/// `remap` to a larger length. Through allocator-api2 (a `Vec` growing), one
/// growth is up to three such calls: `resize` in place, then `remap`, then a
/// fallback `alloc` + copy + free. The per-request knobs number (from 1) and
/// decide each such call on its own, once the failure indices have let it
/// through: a call refused by an index is not numbered and draws no random
/// number.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Bump, Fail, FailConfig};
/// use core::mem::MaybeUninit;
///
/// let config = FailConfig::new().fail_index(2).fail_above(1024);
/// assert_eq!(config.to_string(), "fail_index=2, fail_above=1024");
///
/// let mut buf = [MaybeUninit::uninit(); 4096];
/// let fail = Fail::with_config(Bump::new(&mut buf), config);
/// let a = fail.allocator();
/// assert!(a.alloc_slice::<u8>(2000).is_err()); // above 1024 bytes
/// assert!(a.create(1u8).is_ok()); // allocation index 0
/// assert!(a.create(2u8).is_ok()); // allocation index 1
/// assert!(a.create(3u8).is_err()); // allocation index 2: fails, and all after it
/// assert_eq!(fail.induced_failures(), 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FailConfig {
    fail_index: usize,
    allocation_failure_stops_growth: bool,
    resize_fail_index: usize,
    resize_failure_stops_allocations: bool,
    every: usize,
    probability: f64,
    seed: u64,
    above: Option<usize>,
}

impl Default for FailConfig {
    /// [`FailConfig::new`]: never fails.
    ///
    /// ```
    /// use alloc_runtime::FailConfig;
    /// assert_eq!(FailConfig::default(), FailConfig::new());
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

impl FailConfig {
    /// A configuration that never fails; add knobs with the other methods.
    ///
    /// ```
    /// use alloc_runtime::FailConfig;
    /// assert_eq!(FailConfig::new().to_string(), "never fails");
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            fail_index: NEVER,
            allocation_failure_stops_growth: true,
            resize_fail_index: NEVER,
            resize_failure_stops_allocations: false,
            every: 0,
            probability: 0.0,
            seed: 0,
            above: None,
        }
    }

    /// The allocation with allocation index `index` fails (the first `index`
    /// successful allocations go through), and so does every later request
    /// for more memory: allocations, and growth too unless
    /// [`allocation_failure_stops_growth`](Self::allocation_failure_stops_growth)
    /// is turned off. Zig's `fail_index`; `usize::MAX` means never.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail, FailConfig};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::with_config(Bump::new(&mut buf), FailConfig::new().fail_index(1));
    /// assert!(fail.allocator().create(1u8).is_ok());
    /// assert!(fail.allocator().create(1u8).is_err());
    /// ```
    #[must_use]
    pub const fn fail_index(mut self, index: usize) -> Self {
        self.fail_index = index;
        self
    }

    /// With `true` (the default), once the allocation failure index is
    /// reached, growing `resize`/`remap` calls are refused too: from the
    /// failure point on, no more memory at all. With `false`, growth goes on
    /// as Zig's `FailingAllocator` lets it (it is then governed by
    /// [`resize_fail_index`](Self::resize_fail_index) alone);
    /// [`check`](crate::check) walks allocation failures this way, and growth
    /// failures separately.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail, FailConfig};
    /// use allocator_api2::vec::Vec;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 256];
    /// let config = FailConfig::new().fail_index(1).allocation_failure_stops_growth(false);
    /// let fail = Fail::with_config(Bump::new(&mut buf), config);
    /// let mut v: Vec<u8, _> = Vec::new_in(&fail);
    /// v.try_reserve_exact(8).unwrap();
    /// assert!(fail.allocator().create(1u8).is_err()); // allocation index 1
    /// assert!(v.try_reserve_exact(16).is_ok()); // but the Vec still grows in place
    /// ```
    #[must_use]
    pub const fn allocation_failure_stops_growth(mut self, stop: bool) -> Self {
        self.allocation_failure_stops_growth = stop;
        self
    }

    /// The growing `resize`/`remap` with growth index `index` fails (the
    /// first `index` successful growths go through), and so does every later
    /// growth; allocations go on unless
    /// [`resize_failure_stops_allocations`](Self::resize_failure_stops_allocations).
    /// Zig's `resize_fail_index` (which refuses shrinking too; this does not).
    /// `usize::MAX` means never.
    ///
    /// Through allocator-api2, a refused growth falls back to allocate + copy
    /// + free, so a collection still grows, by moving.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Counting, Fail, FailConfig};
    /// use allocator_api2::vec::Vec;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 256];
    /// let stack = Counting::new(Fail::with_config(Bump::new(&mut buf), FailConfig::new().resize_fail_index(0)));
    /// let mut v: Vec<u8, _> = Vec::new_in(&stack);
    /// v.try_reserve_exact(8).unwrap();
    /// v.try_reserve_exact(16).unwrap(); // the in-place growth is refused: the Vec moves
    /// assert_eq!(stack.stats().allocations, 2);
    /// assert_eq!(stack.inner().growths(), 0);
    /// ```
    #[must_use]
    pub const fn resize_fail_index(mut self, index: usize) -> Self {
        self.resize_fail_index = index;
        self
    }

    /// With `true`, once a growth is refused because of
    /// [`resize_fail_index`](Self::resize_fail_index), every later
    /// allocation is refused too, as if the allocation failure index were
    /// reached there: the fallback allocate + copy + free of allocator-api2
    /// fails as well, so the growth as a whole fails and the code under test
    /// sees the error. [`Check::resize_failures`](crate::check::Check::resize_failures)
    /// walks growth failures this way.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail, FailConfig};
    /// use allocator_api2::vec::Vec;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 256];
    /// let config = FailConfig::new().resize_fail_index(0).resize_failure_stops_allocations(true);
    /// let fail = Fail::with_config(Bump::new(&mut buf), config);
    /// let mut v: Vec<u8, _> = Vec::new_in(&fail);
    /// v.try_reserve_exact(8).unwrap();
    /// assert!(v.try_reserve_exact(16).is_err()); // resize, remap and the fallback alloc refused
    /// assert_eq!(fail.induced_failures(), 3);
    /// ```
    #[must_use]
    pub const fn resize_failure_stops_allocations(mut self, stop: bool) -> Self {
        self.resize_failure_stops_allocations = stop;
        self
    }

    /// Refuses every `k`-th request for more memory: requests number `k`,
    /// `2k`, `3k`, ... counting from 1 (see [Requests](Self#requests)).
    /// `k == 0` turns the knob off; `k == 1` refuses every request.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail, FailConfig};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::with_config(Bump::new(&mut buf), FailConfig::new().fail_every(3));
    /// let a = fail.allocator();
    /// let results: Vec<bool> = (0..6).map(|_| a.create(0u8).is_ok()).collect();
    /// assert_eq!(results, [true, true, false, true, true, false]);
    /// ```
    #[must_use]
    pub const fn fail_every(mut self, k: usize) -> Self {
        self.every = k;
        self
    }

    /// Refuses each request for more memory with probability `p`, drawn from
    /// a deterministic generator (SplitMix64) started from `seed`: the same
    /// seed and the same sequence of requests give the same failures, on
    /// every platform. `p` is clamped to `0.0..=1.0` (NaN is 0). The seed
    /// appears in the `Debug` and `Display` output of the configuration, of
    /// [`Fail`], and of the reports of [`check`](crate::check), so that a
    /// failing run can be replayed.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail, FailConfig};
    /// use core::mem::MaybeUninit;
    /// let config = FailConfig::new().fail_with_probability(0.5, 42);
    /// assert_eq!(config.to_string(), "probability=0.5 (seed=0x2a)");
    /// let run = || {
    ///     let mut buf = [MaybeUninit::uninit(); 256];
    ///     let fail = Fail::with_config(Bump::new(&mut buf), config);
    ///     (0..32).map(|_| fail.allocator().create(0u8).is_ok()).collect::<Vec<_>>()
    /// };
    /// assert_eq!(run(), run()); // reproducible
    /// ```
    #[must_use]
    pub const fn fail_with_probability(mut self, p: f64, seed: u64) -> Self {
        self.probability = p;
        self.seed = seed;
        self
    }

    /// Refuses every request for more than `bytes` bytes (for a growth: a
    /// new length above `bytes`).
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail, FailConfig};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 256];
    /// let fail = Fail::with_config(Bump::new(&mut buf), FailConfig::new().fail_above(8));
    /// assert!(fail.allocator().create([0u8; 8]).is_ok());
    /// assert!(fail.allocator().create([0u8; 9]).is_err());
    /// ```
    #[must_use]
    pub const fn fail_above(mut self, bytes: usize) -> Self {
        self.above = Some(bytes);
        self
    }

    /// The seed of [`fail_with_probability`](Self::fail_with_probability), if
    /// that knob is on.
    ///
    /// ```
    /// use alloc_runtime::FailConfig;
    /// assert_eq!(FailConfig::new().fail_with_probability(0.1, 7).seed(), Some(7));
    /// assert_eq!(FailConfig::new().seed(), None);
    /// ```
    #[must_use]
    pub fn seed(&self) -> Option<u64> {
        (self.threshold() != 0).then_some(self.seed)
    }

    /// Whether some per-request knob is on (every `k`-th, probability, size).
    fn per_request(&self) -> bool {
        self.every != 0 || self.above.is_some() || self.threshold() != 0
    }

    /// The probability as a threshold on a uniform `u64`: a draw below it
    /// fails (`u64::MAX`: always).
    fn threshold(&self) -> u64 {
        let p = self.probability;
        if p.is_nan() || p <= 0.0 {
            0
        } else if p >= 1.0 {
            u64::MAX
        } else {
            // 2^64; the cast saturates, and `p < 1` keeps it below anyway.
            (p * 18_446_744_073_709_551_616.0) as u64
        }
    }
}

impl fmt::Display for FailConfig {
    /// The knobs that are on, comma-separated, or `never fails`.
    ///
    /// ```
    /// use alloc_runtime::FailConfig;
    /// let c = FailConfig::new().resize_fail_index(4).fail_every(10);
    /// assert_eq!(c.to_string(), "resize_fail_index=4, fail_every=10");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        let mut part = |f: &mut fmt::Formatter<'_>, args: fmt::Arguments<'_>| {
            let s = sep;
            sep = ", ";
            write!(f, "{s}{args}")
        };
        if self.fail_index != NEVER {
            part(f, format_args!("fail_index={}", self.fail_index))?;
            if !self.allocation_failure_stops_growth {
                f.write_str(" (growth goes on)")?;
            }
        }
        if self.resize_fail_index != NEVER {
            part(
                f,
                format_args!("resize_fail_index={}", self.resize_fail_index),
            )?;
            if self.resize_failure_stops_allocations {
                f.write_str(" (then allocations fail too)")?;
            }
        }
        if self.every != 0 {
            part(f, format_args!("fail_every={}", self.every))?;
        }
        if self.threshold() != 0 {
            let p = self.probability.clamp(0.0, 1.0);
            part(f, format_args!("probability={p} (seed={:#x})", self.seed))?;
        }
        if let Some(bytes) = self.above {
            part(f, format_args!("fail_above={bytes}"))?;
        }
        if sep.is_empty() {
            f.write_str("never fails")?;
        }
        Ok(())
    }
}

/// Which function a [`Fail`] refused.
///
/// ```
/// use alloc_runtime::{Bump, Fail, FailConfig, FailedCall};
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 256];
/// let fail = Fail::with_config(Bump::new(&mut buf), FailConfig::new().resize_fail_index(0));
/// let mut v: Vec<u8, _> = Vec::new_in(&fail);
/// v.try_reserve_exact(1).unwrap();
/// v.try_reserve_exact(2).unwrap(); // in place refused; moved instead
/// assert_eq!(fail.first_induced().unwrap().call, FailedCall::Resize);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailedCall {
    /// `alloc`.
    Alloc,
    /// A growing `resize`.
    Resize,
    /// A growing `remap`.
    Remap,
}

impl fmt::Display for FailedCall {
    /// `alloc`, `resize` or `remap`.
    ///
    /// ```
    /// assert_eq!(alloc_runtime::FailedCall::Remap.to_string(), "remap");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Alloc => "alloc",
            Self::Resize => "resize",
            Self::Remap => "remap",
        })
    }
}

/// Which knob of a [`FailConfig`] made a [`Fail`] refuse.
///
/// ```
/// use alloc_runtime::{Bump, Fail, FailConfig, FailureReason};
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 256];
/// let fail = Fail::with_config(Bump::new(&mut buf), FailConfig::new().fail_every(1));
/// assert!(fail.allocator().create(1u8).is_err());
/// assert_eq!(fail.first_induced().unwrap().reason, FailureReason::EveryKth);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureReason {
    /// The allocation failure index was reached
    /// ([`FailConfig::fail_index`], or a resize failure with
    /// [`FailConfig::resize_failure_stops_allocations`]); for a growth, with
    /// [`FailConfig::allocation_failure_stops_growth`].
    FailIndex,
    /// The growth failure index was reached ([`FailConfig::resize_fail_index`]).
    ResizeFailIndex,
    /// Every `k`-th request ([`FailConfig::fail_every`]).
    EveryKth,
    /// The seeded draw ([`FailConfig::fail_with_probability`]).
    Probability,
    /// The request was too large ([`FailConfig::fail_above`]).
    AboveSize,
}

impl fmt::Display for FailureReason {
    /// What was reached, in words.
    ///
    /// ```
    /// use alloc_runtime::FailureReason;
    /// assert_eq!(FailureReason::FailIndex.to_string(), "the allocation failure index");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::FailIndex => "the allocation failure index",
            Self::ResizeFailIndex => "the growth failure index",
            Self::EveryKth => "every k-th request",
            Self::Probability => "the seeded probability",
            Self::AboveSize => "the size limit",
        })
    }
}

/// One request a [`Fail`] refused on purpose: what, where from, and why.
///
/// [`Fail::first_induced`] keeps the first one.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Bump, Fail, FailedCall, FailureReason};
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let fail = Fail::new(Bump::new(&mut buf), 0);
/// let (result, line) = (fail.allocator().create(7u32), line!());
/// assert!(result.is_err());
/// let first = fail.first_induced().unwrap();
/// assert_eq!((first.call, first.reason, first.len), (FailedCall::Alloc, FailureReason::FailIndex, 4));
/// assert_eq!(first.caller.location().line(), line);
/// assert!(first.to_string().starts_with("alloc of 4 bytes at "));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct InducedFailure {
    /// Where the request came from.
    pub caller: Caller,
    /// The function refused.
    pub call: FailedCall,
    /// The knob that refused it.
    pub reason: FailureReason,
    /// The bytes asked for (for a growth, the new length).
    pub len: usize,
    /// The allocation index at the time: successful allocations before it.
    pub allocation_index: usize,
    /// The growth index at the time: successful growths before it.
    pub growth_index: usize,
}

impl fmt::Display for InducedFailure {
    /// `alloc of 24 bytes at src/x.rs:10:5 (allocation index 3, growth index
    /// 0; the allocation failure index)`.
    ///
    /// ```
    /// # use alloc_runtime::{Bump, Fail};
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// # let fail = Fail::new(Bump::new(&mut buf), 0);
    /// # let _ = fail.allocator().create(7u32);
    /// let text = fail.first_induced().unwrap().to_string();
    /// assert!(text.ends_with("(allocation index 0, growth index 0; the allocation failure index)"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} byte{} at {} (allocation index {}, growth index {}; {})",
            self.call,
            self.len,
            if self.len == 1 { "" } else { "s" },
            self.caller,
            self.allocation_index,
            self.growth_index,
            self.reason
        )
    }
}

/// A wrapper that refuses requests for more memory on purpose, to test error
/// paths: Zig's `std.testing.FailingAllocator`, with more knobs.
///
/// [`Fail::new(inner, n)`](Self::new) lets the first `n` allocations through
/// to the parent `A` and refuses every later request for more memory;
/// [`Fail::with_config`] takes a [`FailConfig`]: allocation and growth
/// failure indices (see [Indices](FailConfig#indices)), every `k`-th request,
/// a seeded probability, a size limit.
///
/// A refused `alloc` returns `None` and a refused `resize`/`remap` (only
/// growth is ever refused) returns `false`/`None`; shrinking and `free`
/// always reach the parent, so the code under test can clean up. Each
/// refused call counts as an induced failure
/// ([`induced_failures`](Self::induced_failures)); one refused `Vec` growth
/// through allocator-api2 is three refused calls (`resize` in place, `remap`,
/// then the fallback `alloc`). Once the allocation failure index is reached,
/// growth is refused too (Zig's `resize` ignores `fail_index`; here, from the
/// failure point on, no more memory is handed out at all), unless
/// [`FailConfig::allocation_failure_stops_growth`] says otherwise.
///
/// Counters in Zig's manner: [`allocations`](Self::allocations) (the
/// allocation index), [`frees`](Self::frees), [`growths`](Self::growths)
/// (the growth index), [`allocated_bytes`](Self::allocated_bytes) and
/// [`freed_bytes`](Self::freed_bytes); and, of the first induced failure,
/// the [`Caller`] ([`first_failure`](Self::first_failure)) and the details
/// ([`first_induced`](Self::first_induced)).
///
/// The fast path is one comparison: the next allocation index at which
/// anything may fail is precomputed, and the per-request knobs (which need
/// every request looked at) set it to zero. The counters are `Cell`s, so
/// `Fail` is not `Sync`.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Bump, Fail};
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 1024];
/// let fail = Fail::new(Bump::new(&mut buf), 1);
/// let mut a: Vec<u8, _> = Vec::new_in(&fail);
/// assert!(a.try_reserve(8).is_ok()); // the one allowed allocation
/// let mut b: Vec<u8, _> = Vec::new_in(&fail);
/// assert!(b.try_reserve(8).is_err()); // and then no more
/// assert!(fail.has_induced_failure());
/// ```
#[derive(alloc_derive::Allocator)]
#[allocator(unsafe(
    alloc = Self::guarded_alloc,
    resize = Self::guarded_resize,
    remap = Self::guarded_remap,
    free = Self::counted_free,
))]
pub struct Fail<A> {
    #[allocator(parent)]
    inner: A,
    config: FailConfig,
    /// The allocation index: successful allocations so far.
    alloc_index: Cell<usize>,
    /// `alloc` takes the slow path when `alloc_index >= alloc_trip`: the
    /// allocation failure index, or 0 when a per-request knob is on.
    alloc_trip: Cell<usize>,
    /// The allocation failure index now (the configured one, or where a
    /// growth failure stopped allocations).
    alloc_fail_at: Cell<usize>,
    /// The growth index: successful growing `resize`/`remap` calls so far.
    growth_index: Cell<usize>,
    /// `free` calls.
    frees: Cell<usize>,
    /// Bytes handed out: by `alloc`, plus growth.
    allocated_bytes: Cell<usize>,
    /// Bytes given back: by `free`, plus shrinking.
    freed_bytes: Cell<usize>,
    /// Requests for more memory looked at by the per-request knobs.
    requests: Cell<u64>,
    /// The SplitMix64 state.
    rng: Cell<u64>,
    /// The probability as a threshold on a uniform `u64`.
    threshold: u64,
    /// Requests refused on purpose so far.
    induced: Cell<usize>,
    /// The first of them.
    first: Cell<Option<InducedFailure>>,
}

impl<A> Fail<A> {
    /// Lets `n` allocations through to `inner`, then refuses requests for
    /// more memory: `Fail::with_config(inner, FailConfig::new().fail_index(n))`.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 0);
    /// assert!(fail.allocator().create(1u8).is_err());
    /// ```
    #[inline]
    #[must_use]
    pub fn new(inner: A, n: usize) -> Self {
        Self::with_config(inner, FailConfig::new().fail_index(n))
    }

    /// Refuses requests to `inner` as `config` says.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail, FailConfig};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::with_config(Bump::new(&mut buf), FailConfig::new().fail_every(2));
    /// assert!(fail.allocator().create(1u8).is_ok());
    /// assert!(fail.allocator().create(1u8).is_err());
    /// ```
    #[inline]
    #[must_use]
    pub fn with_config(inner: A, config: FailConfig) -> Self {
        let trip = if config.per_request() {
            0
        } else {
            config.fail_index
        };
        Self {
            inner,
            config,
            alloc_index: Cell::new(0),
            alloc_trip: Cell::new(trip),
            alloc_fail_at: Cell::new(config.fail_index),
            growth_index: Cell::new(0),
            frees: Cell::new(0),
            allocated_bytes: Cell::new(0),
            freed_bytes: Cell::new(0),
            requests: Cell::new(0),
            rng: Cell::new(config.seed),
            threshold: config.threshold(),
            induced: Cell::new(0),
            first: Cell::new(None),
        }
    }

    /// The configuration.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail, FailConfig};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// assert_eq!(Fail::new(Bump::new(&mut buf), 3).config(), FailConfig::new().fail_index(3));
    /// ```
    #[inline]
    #[must_use]
    pub fn config(&self) -> FailConfig {
        self.config
    }

    /// How many allocations succeed before failures start: the configured
    /// allocation failure index (`usize::MAX` if none).
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// assert_eq!(Fail::new(Bump::new(&mut buf), 3).limit(), 3);
    /// ```
    #[inline]
    #[must_use]
    pub fn limit(&self) -> usize {
        self.config.fail_index
    }

    /// Successful allocations so far: the allocation index of the next
    /// `alloc` (see [Indices](FailConfig#indices)).
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 3);
    /// fail.allocator().create(1u8)?;
    /// assert_eq!(fail.allocations(), 1);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn allocations(&self) -> usize {
        self.alloc_index.get()
    }

    /// `free` calls so far (Zig's `deallocations`).
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 3);
    /// let a = fail.allocator();
    /// let p = a.create(1u8)?;
    /// // SAFETY: `p` came from `create` on this allocator and is destroyed once.
    /// unsafe { a.destroy(p) };
    /// assert_eq!(fail.frees(), 1);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn frees(&self) -> usize {
        self.frees.get()
    }

    /// Successful growing `resize`/`remap` calls so far: the growth index of
    /// the next one.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use allocator_api2::vec::Vec;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 3);
    /// let mut v: Vec<u8, _> = Vec::new_in(&fail);
    /// v.try_reserve_exact(4).unwrap();
    /// v.try_reserve_exact(8).unwrap(); // grows in place: the last allocation of the bump
    /// assert_eq!((fail.allocations(), fail.growths()), (1, 1));
    /// ```
    #[inline]
    #[must_use]
    pub fn growths(&self) -> usize {
        self.growth_index.get()
    }

    /// Bytes handed out so far: by `alloc`, plus growth by `resize`/`remap`
    /// (Zig's `allocated_bytes`).
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 3);
    /// fail.allocator().create(1u64)?;
    /// assert_eq!(fail.allocated_bytes(), 8);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn allocated_bytes(&self) -> usize {
        self.allocated_bytes.get()
    }

    /// Bytes given back so far: by `free`, plus shrinking by
    /// `resize`/`remap` (Zig's `freed_bytes`).
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 3);
    /// let a = fail.allocator();
    /// let p = a.create(1u64)?;
    /// // SAFETY: `p` came from `create` on this allocator and is destroyed once.
    /// unsafe { a.destroy(p) };
    /// assert_eq!(fail.freed_bytes(), 8);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn freed_bytes(&self) -> usize {
        self.freed_bytes.get()
    }

    /// How many requests were refused on purpose.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 0);
    /// let _ = fail.allocator().create(1u8);
    /// let _ = fail.allocator().create(2u8);
    /// assert_eq!(fail.induced_failures(), 2);
    /// ```
    #[inline]
    #[must_use]
    pub fn induced_failures(&self) -> usize {
        self.induced.get()
    }

    /// Whether any request was refused on purpose.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 1);
    /// assert!(!fail.has_induced_failure());
    /// ```
    #[inline]
    #[must_use]
    pub fn has_induced_failure(&self) -> bool {
        self.induced.get() > 0
    }

    /// Where the first request refused on purpose came from (Zig keeps a
    /// stack trace of it). Through the [`Handle`](crate::Handle)'s helpers
    /// it is the line that called them; through a collection, the line
    /// inside the collection's code that called allocator-api2.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 0);
    /// let (_, line) = (fail.allocator().create(1u8), line!());
    /// assert_eq!(fail.first_failure().unwrap().location().line(), line);
    /// ```
    #[inline]
    #[must_use]
    pub fn first_failure(&self) -> Option<Caller> {
        self.first.get().map(|f| f.caller)
    }

    /// The first request refused on purpose: caller, function, reason,
    /// length, and the allocation and growth indices it had.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 1);
    /// let a = fail.allocator();
    /// a.create(1u8)?;
    /// assert!(a.create(2u16).is_err());
    /// assert_eq!(fail.first_induced().unwrap().allocation_index, 1);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn first_induced(&self) -> Option<InducedFailure> {
        self.first.get()
    }

    /// The parent allocator.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// assert_eq!(Fail::new(Bump::new(&mut buf), 1).inner().capacity(), 64);
    /// ```
    #[inline]
    #[must_use]
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// The parent allocator, mutably.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let mut fail = Fail::new(Bump::new(&mut buf), 1);
    /// fail.inner_mut().reset();
    /// ```
    #[inline]
    pub fn inner_mut(&mut self) -> &mut A {
        &mut self.inner
    }

    /// Unwraps the parent allocator.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump: Bump<'_> = Fail::new(Bump::new(&mut buf), 1).into_inner();
    /// # let _ = bump;
    /// ```
    #[inline]
    pub fn into_inner(self) -> A {
        self.inner
    }

    /// The slow path of `alloc`: whether to refuse; records the refusal.
    #[inline(always)]
    fn refuse_alloc(&self, len: usize, caller: Caller) -> bool {
        let reason = if self.alloc_index.get() >= self.alloc_fail_at.get() {
            Some(FailureReason::FailIndex)
        } else {
            self.per_request(len)
        };
        match reason {
            Some(reason) => {
                self.record(FailedCall::Alloc, reason, len, caller);
                true
            }
            None => false,
        }
    }

    /// The slow path of growth: whether to refuse; records the refusal.
    #[cold]
    #[inline(never)]
    fn refuse_growth(&self, call: FailedCall, new_len: usize, caller: Caller) -> bool {
        let reason = if self.config.allocation_failure_stops_growth
            && self.alloc_index.get() >= self.alloc_fail_at.get()
        {
            Some(FailureReason::FailIndex)
        } else if self.growth_index.get() >= self.config.resize_fail_index {
            if self.config.resize_failure_stops_allocations {
                // Allocations stop here too: the fallback alloc of this very
                // growth is refused, and so is every later request.
                let index = self.alloc_index.get();
                self.alloc_fail_at.set(index);
                self.alloc_trip.set(self.alloc_trip.get().min(index));
            }
            Some(FailureReason::ResizeFailIndex)
        } else {
            self.per_request(new_len)
        };
        match reason {
            Some(reason) => {
                self.record(call, reason, new_len, caller);
                true
            }
            None => false,
        }
    }

    /// The per-request knobs, for one request of `len` bytes.
    fn per_request(&self, len: usize) -> Option<FailureReason> {
        if !self.config.per_request() {
            return None;
        }
        let request = self.requests.get().wrapping_add(1);
        self.requests.set(request);
        // Drawn for every request, so the sequence depends on the seed and
        // the request number only.
        let draw = self.next_random();
        if self.config.above.is_some_and(|max| len > max) {
            Some(FailureReason::AboveSize)
        } else if self.config.every != 0 && request % self.config.every as u64 == 0 {
            Some(FailureReason::EveryKth)
        } else if self.threshold != 0 && (draw < self.threshold || self.threshold == u64::MAX) {
            Some(FailureReason::Probability)
        } else {
            None
        }
    }

    /// SplitMix64 (Steele, Lea, Flood 2014): the next uniform `u64`.
    fn next_random(&self) -> u64 {
        let state = self.rng.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.rng.set(state);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Counts a refusal, and remembers the first.
    fn record(&self, call: FailedCall, reason: FailureReason, len: usize, caller: Caller) {
        self.induced.set(self.induced.get().wrapping_add(1));
        if self.first.get().is_none() {
            self.first.set(Some(InducedFailure {
                caller,
                call,
                reason,
                len,
                allocation_index: self.alloc_index.get(),
                growth_index: self.growth_index.get(),
            }));
        }
    }

    /// Whether a growth must go through the slow path.
    #[inline(always)]
    fn growth_watched(&self) -> bool {
        self.alloc_index.get() >= self.alloc_trip.get()
            || self.growth_index.get() >= self.config.resize_fail_index
    }

    /// Counts a successful change of length from `old_len` to `new_len`.
    #[inline(always)]
    fn changed(&self, old_len: usize, new_len: usize) {
        if new_len > old_len {
            self.growth_index
                .set(self.growth_index.get().wrapping_add(1));
            self.allocated_bytes
                .set(self.allocated_bytes.get().wrapping_add(new_len - old_len));
        } else {
            self.freed_bytes
                .set(self.freed_bytes.get().wrapping_add(old_len - new_len));
        }
    }
}

impl<A: RawAlloc> Fail<A> {
    #[inline(always)]
    fn guarded_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if self.alloc_index.get() >= self.alloc_trip.get() {
            // The whole call, out of line: nothing of the fast path is live
            // across it, so the fast path saves no registers.
            return self.watched_alloc(len, align, caller);
        }
        self.forward_alloc(len, align, caller)
    }

    /// `alloc` past the trip point: decide, then allocate or refuse.
    #[cold]
    #[inline(never)]
    fn watched_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if self.refuse_alloc(len, caller) {
            return None;
        }
        self.forward_alloc(len, align, caller)
    }

    /// Allocates from the parent and counts a success.
    #[inline(always)]
    fn forward_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let result = self.inner.alloc(len, align, caller);
        if result.is_some() {
            self.alloc_index.set(self.alloc_index.get().wrapping_add(1));
            self.allocated_bytes
                .set(self.allocated_bytes.get().wrapping_add(len));
        }
        result
    }

    /// # Safety
    ///
    /// `RawAlloc::resize`'s contract.
    #[inline(always)]
    unsafe fn guarded_resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        if new_len > memory.len()
            && self.growth_watched()
            && self.refuse_growth(FailedCall::Resize, new_len, caller)
        {
            return false;
        }
        // SAFETY: the caller upholds `resize`'s contract; the parent made `memory`.
        let resized = unsafe { self.inner.resize(memory, align, new_len, caller) };
        if resized {
            self.changed(memory.len(), new_len);
        }
        resized
    }

    /// # Safety
    ///
    /// `RawAlloc::remap`'s contract.
    #[inline(always)]
    unsafe fn guarded_remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        if new_len > memory.len()
            && self.growth_watched()
            && self.refuse_growth(FailedCall::Remap, new_len, caller)
        {
            return None;
        }
        // SAFETY: the caller upholds `remap`'s contract; the parent made `memory`.
        let moved = unsafe { self.inner.remap(memory, align, new_len, caller) };
        if moved.is_some() {
            self.changed(memory.len(), new_len);
        }
        moved
    }

    /// # Safety
    ///
    /// `RawAlloc::free`'s contract.
    #[inline(always)]
    unsafe fn counted_free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        self.frees.set(self.frees.get().wrapping_add(1));
        self.freed_bytes
            .set(self.freed_bytes.get().wrapping_add(memory.len()));
        // SAFETY: the caller upholds `free`'s contract; the parent made `memory`.
        unsafe { self.inner.free(memory, align, caller) }
    }
}

impl<A: fmt::Debug> fmt::Debug for Fail<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fail")
            .field("inner", &self.inner)
            .field("config", &self.config)
            .field("allocations", &self.allocations())
            .field("frees", &self.frees())
            .field("growths", &self.growths())
            .field("allocated_bytes", &self.allocated_bytes())
            .field("freed_bytes", &self.freed_bytes())
            .field("induced_failures", &self.induced.get())
            .field("first_induced", &self.first.get())
            .finish()
    }
}

impl<A> fmt::Display for Fail<A> {
    /// The configuration, the counters, and the first induced failure.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 0);
    /// assert_eq!(
    ///     fail.to_string(),
    ///     "Fail (fail_index=0): 0 allocations, 0 frees, 0 growths, 0 bytes allocated, 0 bytes freed, 0 induced failures",
    /// );
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Fail ({}): {} allocations, {} frees, {} growths, {} bytes allocated, {} bytes freed, {} induced failures",
            self.config,
            self.allocations(),
            self.frees(),
            self.growths(),
            self.allocated_bytes(),
            self.freed_bytes(),
            self.induced_failures(),
        )?;
        if let Some(first) = self.first.get() {
            write!(f, "; first: {first}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bump, Counting, testing};
    use allocator_api2::vec::Vec;
    use core::mem::MaybeUninit;

    /// Requests per statistical test.
    const DRAWS: usize = if cfg!(miri) { 400 } else { 20_000 };

    /// Whether each of `n` one-byte `create`s succeeds.
    fn outcomes(config: FailConfig, n: usize) -> std::vec::Vec<bool> {
        let mut buf = std::vec![MaybeUninit::uninit(); n + 64];
        let fail = Fail::with_config(Bump::new(&mut buf), config);
        let a = fail.allocator();
        (0..n).map(|_| a.create(0u8).is_ok()).collect()
    }

    #[test]
    fn passes_the_conformance_suite_below_its_limit() {
        let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
        let fail = Fail::new(Bump::new(&mut buf), usize::MAX);
        testing::conformance(&fail);
        assert!(!fail.has_induced_failure());
    }

    #[test]
    fn the_first_n_allocations_succeed_then_all_fail() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let fail = Fail::new(Bump::new(&mut buf), 3);
        let a = fail.allocator();
        for _ in 0..3 {
            a.create(0u32).unwrap();
        }
        for _ in 0..5 {
            assert!(a.create(0u32).is_err());
        }
        assert_eq!((fail.allocations(), fail.induced_failures()), (3, 5));
    }

    #[test]
    fn growth_fails_but_shrink_and_free_still_work() {
        let mut buf = [MaybeUninit::uninit(); 1024];
        let counting = Counting::new(Fail::new(Bump::new(&mut buf), 1));
        let mut v: Vec<u64, _> = Vec::new_in(&counting);
        v.try_reserve_exact(4).unwrap();
        v.extend([1, 2, 3, 4]);
        assert!(
            v.try_reserve_exact(100).is_err(),
            "growing after the limit fails"
        );
        assert_eq!(v, [1, 2, 3, 4], "and leaves the Vec intact");
        v.truncate(1);
        v.shrink_to_fit();
        assert_eq!(v.capacity(), 1, "shrinking still works");
        drop(v);
        let s = counting.stats();
        assert_eq!((s.allocations, s.frees, s.live_bytes), (1, 1, 0));
        // One refused grow through the bridge is three refused calls: the
        // in-place `resize`, the `remap`, and the fallback `alloc`.
        assert_eq!(counting.inner().induced_failures(), 3);
    }

    #[test]
    fn parent_refusals_do_not_count_as_allocations() {
        let mut buf = [MaybeUninit::uninit(); 16];
        let fail = Fail::new(Bump::new(&mut buf), 2);
        let a = fail.allocator();
        assert!(a.alloc_slice::<u8>(64).is_err(), "the bump is too small");
        assert_eq!((fail.allocations(), fail.induced_failures()), (0, 0));
        a.create(1u8).unwrap();
        a.create(1u8).unwrap();
        assert!(a.create(1u8).is_err());
        assert_eq!(fail.induced_failures(), 1);
    }

    #[test]
    fn counters_follow_zig_allocations_frees_and_bytes() {
        let mut buf = [MaybeUninit::uninit(); 1024];
        let fail = Fail::new(Bump::new(&mut buf), 10);
        let a = fail.allocator();
        let p = a.create(1u64).unwrap();
        let s = a.alloc_slice::<u8>(10).unwrap();
        // SAFETY: `s` came from `alloc_slice` on this handle, with this length.
        let s = unsafe { a.realloc(s, 30) }.unwrap(); // grows in place: the last allocation
        // SAFETY: as above; shrinking.
        let s = unsafe { a.realloc(s, 5) }.unwrap();
        // SAFETY: each came from this handle and is freed once.
        unsafe {
            a.free_slice(s);
        }
        // SAFETY: as above.
        unsafe { a.destroy(p) };
        assert_eq!(
            (fail.allocations(), fail.frees(), fail.growths()),
            (2, 2, 1)
        );
        assert_eq!(fail.allocated_bytes(), 8 + 10 + 20);
        assert_eq!(fail.freed_bytes(), 25 + 5 + 8);
        assert!(!fail.has_induced_failure());
        assert_eq!(fail.first_failure(), None);
    }

    #[test]
    fn the_first_failure_names_the_calling_line_and_its_index() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let fail = Fail::new(Bump::new(&mut buf), 2);
        let a = fail.allocator();
        a.create(1u32).unwrap();
        a.create(2u32).unwrap();
        let (result, line) = (a.create(3u32), line!());
        assert!(result.is_err());
        assert!(
            a.create(4u32).is_err(),
            "a later failure does not replace it"
        );
        let caller = fail.first_failure().unwrap();
        assert_eq!(caller.location().file(), file!());
        assert_eq!(caller.location().line(), line);
        let first = fail.first_induced().unwrap();
        assert_eq!(first.allocation_index, 2);
        assert_eq!(first.reason, FailureReason::FailIndex);
        assert_eq!(first.call, FailedCall::Alloc);
        assert_eq!(fail.induced_failures(), 2);
    }

    #[test]
    fn resize_fail_index_refuses_the_nth_growth_and_later_ones_only() {
        let mut buf = [MaybeUninit::uninit(); 1024];
        let config = FailConfig::new().resize_fail_index(1);
        let fail = Fail::with_config(Bump::new(&mut buf), config);
        let a = fail.allocator();
        let s = a.alloc_slice::<u8>(4).unwrap();
        // SAFETY: the last allocation, from this handle, with this length.
        let s = unsafe { a.realloc(s, 8) }.unwrap();
        assert_eq!((fail.growths(), fail.induced_failures()), (1, 0));
        // Growth index 1: `resize` and `remap` refused, then the fallback
        // alloc (not watched by `resize_fail_index`) moves it.
        // SAFETY: as above.
        let s = unsafe { a.realloc(s, 16) }.unwrap();
        assert_eq!((fail.allocations(), fail.induced_failures()), (2, 2));
        let first = fail.first_induced().unwrap();
        assert_eq!(
            (first.call, first.reason, first.growth_index),
            (FailedCall::Resize, FailureReason::ResizeFailIndex, 1)
        );
        // Shrinking is never refused.
        // SAFETY: as above.
        let s = unsafe { a.realloc(s, 2) }.unwrap();
        // SAFETY: as above.
        unsafe { a.free_slice(s) };
        assert_eq!(fail.induced_failures(), 2);
    }

    #[test]
    fn a_resize_failure_can_stop_allocations_too() {
        let mut buf = [MaybeUninit::uninit(); 1024];
        let config = FailConfig::new()
            .resize_fail_index(0)
            .resize_failure_stops_allocations(true);
        let fail = Fail::with_config(Bump::new(&mut buf), config);
        let mut v: Vec<u8, _> = Vec::new_in(&fail);
        v.try_reserve_exact(4).unwrap();
        assert!(v.try_reserve_exact(8).is_err());
        assert_eq!(fail.induced_failures(), 3, "resize, remap, fallback alloc");
        assert!(fail.allocator().create(1u8).is_err(), "and every later one");
        assert_eq!(fail.first_induced().unwrap().allocation_index, 1);
    }

    #[test]
    fn every_kth_request_fails() {
        let got = outcomes(FailConfig::new().fail_every(4), 12);
        let expected: std::vec::Vec<bool> = (1..=12).map(|r| r % 4 != 0).collect();
        assert_eq!(got, expected);
        assert!(
            outcomes(FailConfig::new().fail_every(1), 5)
                .iter()
                .all(|ok| !ok)
        );
        assert!(
            outcomes(FailConfig::new().fail_every(0), 5)
                .iter()
                .all(|ok| *ok)
        );
    }

    #[test]
    fn requests_above_the_size_limit_fail_and_others_pass() {
        let mut buf = [MaybeUninit::uninit(); 1024];
        let fail = Fail::with_config(Bump::new(&mut buf), FailConfig::new().fail_above(16));
        let a = fail.allocator();
        assert!(a.create([0u8; 16]).is_ok());
        assert!(a.create([0u8; 17]).is_err());
        let s = a.alloc_slice::<u8>(8).unwrap();
        // SAFETY: the last allocation, from this handle, with this length.
        assert!(unsafe { a.realloc(s, 32) }.is_err(), "growth above it too");
        let first = fail.first_induced().unwrap();
        assert_eq!((first.reason, first.len), (FailureReason::AboveSize, 17));
        assert_eq!(
            fail.induced_failures(),
            4,
            "alloc, then resize + remap + alloc"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_failures() {
        let config = FailConfig::new().fail_with_probability(0.3, 0xDEAD_BEEF);
        let n = DRAWS.min(2000);
        assert_eq!(outcomes(config, n), outcomes(config, n));
    }

    #[test]
    fn different_seeds_give_different_failures() {
        let n = 200;
        let a = outcomes(FailConfig::new().fail_with_probability(0.5, 1), n);
        let b = outcomes(FailConfig::new().fail_with_probability(0.5, 2), n);
        assert_ne!(a, b);
    }

    #[test]
    fn the_failure_rate_is_about_p() {
        for p in [0.1, 0.5, 0.9] {
            let got = outcomes(FailConfig::new().fail_with_probability(p, 7), DRAWS);
            let rate = got.iter().filter(|ok| !**ok).count() as f64 / DRAWS as f64;
            let tolerance = if cfg!(miri) { 0.1 } else { 0.02 };
            assert!((rate - p).abs() < tolerance, "p={p}, rate={rate}");
        }
        assert!(
            outcomes(FailConfig::new().fail_with_probability(0.0, 7), 50)
                .iter()
                .all(|ok| *ok)
        );
        assert!(
            outcomes(FailConfig::new().fail_with_probability(1.0, 7), 50)
                .iter()
                .all(|ok| !ok)
        );
        assert!(
            outcomes(FailConfig::new().fail_with_probability(f64::NAN, 7), 50)
                .iter()
                .all(|ok| *ok)
        );
    }

    #[test]
    fn the_seed_shows_in_debug_display_and_reports() {
        let config = FailConfig::new().fail_with_probability(0.25, 0x1234);
        assert!(std::format!("{config:?}").contains("seed: 4660"));
        assert_eq!(std::format!("{config}"), "probability=0.25 (seed=0x1234)");
        let mut buf = [MaybeUninit::uninit(); 64];
        let fail = Fail::with_config(Bump::new(&mut buf), config);
        assert!(std::format!("{fail}").contains("seed=0x1234"));
        assert!(std::format!("{fail:?}").contains("seed: 4660"));
    }

    #[test]
    fn knobs_combine_and_display_together() {
        let config = FailConfig::new()
            .fail_index(5)
            .resize_fail_index(2)
            .resize_failure_stops_allocations(true)
            .fail_every(3)
            .fail_above(100);
        assert_eq!(
            std::format!("{config}"),
            "fail_index=5, resize_fail_index=2 (then allocations fail too), fail_every=3, fail_above=100"
        );
        // Requests 3 (every 3rd) and 6 (every 3rd) fail; the 5th success
        // reaches the failure index.
        let got = outcomes(FailConfig::new().fail_index(5).fail_every(3), 9);
        assert_eq!(
            got,
            [true, true, false, true, true, false, true, false, false]
        );
    }
}
