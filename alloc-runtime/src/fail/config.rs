//! [`FailConfig`]: when a [`Fail`] refuses.

use core::fmt;

#[cfg(doc)]
use super::Fail;

/// "Never": a failure index no allocator reaches.
pub(super) const NEVER: usize = usize::MAX;

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
/// - [`sticky`](Self::sticky): `true` (the default, Zig's behaviour) makes
///   the two failure indices above sticky, as just described; `false` makes
///   them **one-shot**: only the request that reaches the index fails, and
///   later ones succeed.
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
    pub(super) fail_index: usize,
    pub(super) allocation_failure_stops_growth: bool,
    pub(super) resize_fail_index: usize,
    pub(super) resize_failure_stops_allocations: bool,
    pub(super) sticky: bool,
    pub(super) every: usize,
    pub(super) probability: f64,
    pub(super) seed: u64,
    pub(super) above: Option<usize>,
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
            sticky: true,
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
    /// is turned off. Zig's `fail_index`; `usize::MAX` means never. With
    /// [`sticky`](Self::sticky)`(false)`, only that request fails.
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
    /// `usize::MAX` means never. With [`sticky`](Self::sticky)`(false)`, only
    /// that growth fails.
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

    /// Whether the failure indices ([`fail_index`](Self::fail_index),
    /// [`resize_fail_index`](Self::resize_fail_index)) are sticky.
    ///
    /// - `true` (the default): Zig's `FailingAllocator`. Once an index is
    ///   reached, every later request it covers fails too.
    /// - `false`: **one-shot**. The first request that reaches an index
    ///   fails, and the index is then spent: later requests succeed (unless
    ///   another knob refuses them). A growth fails as a whole once: its
    ///   `resize`, the `remap` for the same length that follows it, and, when
    ///   the growth was refused by the allocation failure index or with
    ///   [`resize_failure_stops_allocations`](Self::resize_failure_stops_allocations),
    ///   the fallback `alloc` for the same length (the calls allocator-api2
    ///   and [`Handle::realloc`](crate::Handle::realloc) make for one
    ///   growth); any other request ends that growth's refusal. In this mode,
    ///   [`allocation_failure_stops_growth`](Self::allocation_failure_stops_growth)
    ///   only decides whether a growth that comes first after the allocation
    ///   failure index is reached takes the failure.
    ///
    /// One-shot failures find errors that code swallows: with sticky
    /// failures, a later allocation usually fails as well and the code
    /// returns an error by accident. [`Check`](crate::check::Check) walks
    /// one-shot failures by default.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail, FailConfig};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let config = FailConfig::new().fail_index(1).sticky(false);
    /// assert_eq!(config.to_string(), "fail_index=1 (one-shot)");
    /// let fail = Fail::with_config(Bump::new(&mut buf), config);
    /// let a = fail.allocator();
    /// let results: Vec<bool> = (0..4).map(|_| a.create(0u8).is_ok()).collect();
    /// assert_eq!(results, [true, false, true, true]); // only allocation index 1 failed
    /// assert_eq!(fail.induced_failures(), 1);
    /// ```
    #[must_use]
    pub const fn sticky(mut self, sticky: bool) -> Self {
        self.sticky = sticky;
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
    pub(super) const fn per_request(&self) -> bool {
        self.every != 0 || self.above.is_some() || self.threshold() != 0
    }

    /// The allocation index from which a new [`Fail`] takes its slow path:
    /// 0 (always) with a per-request knob on, else the failure index.
    pub(super) const fn start_trip(&self) -> usize {
        if self.per_request() {
            0
        } else {
            self.fail_index
        }
    }

    /// The probability as a threshold on a uniform `u64`: a draw below it
    /// fails (`u64::MAX`: always).
    pub(super) const fn threshold(&self) -> u64 {
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

/// ` (a, b)` for the notes that are there, nothing if none is.
fn notes<const N: usize>(f: &mut fmt::Formatter<'_>, notes: [Option<&str>; N]) -> fmt::Result {
    let mut open = " (";
    for note in notes.into_iter().flatten() {
        write!(f, "{open}{note}")?;
        open = ", ";
    }
    if open == ", " {
        f.write_str(")")?;
    }
    Ok(())
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
        let one_shot = if self.sticky { None } else { Some("one-shot") };
        if self.fail_index != NEVER {
            part(f, format_args!("fail_index={}", self.fail_index))?;
            let growth = (!self.allocation_failure_stops_growth).then_some("growth goes on");
            notes(f, [one_shot, growth])?;
        }
        if self.resize_fail_index != NEVER {
            part(
                f,
                format_args!("resize_fail_index={}", self.resize_fail_index),
            )?;
            let allocations = match (self.resize_failure_stops_allocations, self.sticky) {
                (false, _) => None,
                (true, true) => Some("then allocations fail too"),
                (true, false) => Some("its fallback allocation fails too"),
            };
            notes(f, [one_shot, allocations])?;
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
