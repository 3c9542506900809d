//! [`Fail`]: a wrapper that injects allocation failures, for testing error
//! paths; [`FailConfig`] says when.

use core::cell::Cell;
use core::fmt;
use core::ptr::NonNull;

use crate::threading::sealed::{Locked, Sealed, Word};
use crate::{Alignment, Caller, Local, Owns, RawAlloc, ThreadSafe, Threading};
use config::NEVER;
use state::Cold;

mod config;
mod induced;
mod state;
#[cfg(test)]
mod tests;

pub use config::FailConfig;
pub use induced::{FailedCall, FailureReason, InducedFailure};

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
/// [`FailConfig::allocation_failure_stops_growth`] says otherwise. With
/// [`FailConfig::sticky`]`(false)` the indices are one-shot instead: only
/// the request that reaches one fails (a growth as a whole), and later
/// requests succeed.
///
/// Counters in Zig's manner: [`allocations`](Self::allocations) (the
/// allocation index), [`frees`](Self::frees), [`growths`](Self::growths)
/// (the growth index); and, of the first induced failure, the [`Caller`]
/// ([`first_failure`](Self::first_failure)) and the details
/// ([`first_induced`](Self::first_induced)). Bytes are not counted here:
/// wrap it in a [`Counting`](crate::Counting) (`Counting<Fail<A>>`), whose
/// [`Stats`](crate::Stats) has them.
///
/// The allocation fast path is one countdown: the number of allocations
/// left before anything may fail is precomputed, an allocation compares it
/// with zero and decrements it (one word updated), and at zero a cold,
/// out-of-line slow path looks at the knobs. The per-request knobs (which
/// need every request looked at) keep it at zero.
///
/// Two variants, chosen by the [`Threading`] marker `T`:
///
/// - **`Fail<A>`** (`T` = [`Local`], made with [`new`](Fail::new) or
///   [`with_config`](Fail::with_config)) keeps its state in `Cell`s, so it
///   is not `Sync`.
/// - **`Fail<A, ThreadSafe>`** (made with [`new_sync`](Fail::new_sync) or
///   [`with_config_sync`](Fail::with_config_sync), both `const`) keeps its
///   counters in atomics and the slow path's state (records, the random
///   state, the failure indices) behind a spin lock, so it is `Sync` when
///   `A` is; it can be a `static`, and over `std::alloc::System` the
///   `#[global_allocator]`.
///
/// # Under concurrency
///
/// Every figure is exact: each allocation, free, growth and induced failure is
/// counted once. A request **reserves** its index before it asks the parent
/// (the countdown is taken by a compare-and-swap, and the slow path decides and
/// reserves under the lock), so `fail_index(n)` lets exactly `n` allocations
/// through however the threads race, and a one-shot index (`sticky(false)`)
/// fails exactly one request; likewise for growth, which is decided under the
/// lock while a growth failure index is set. (`Fail<A>` counts after the parent
/// answers instead: no other thread can come in between.) A refusal's record
/// ([`first_induced`](Fail::first_induced)) has the indices it was judged at:
/// `first_induced().unwrap().growth_index` is `n` for the growth that
/// `resize_fail_index(n)` refused, however many growths other threads make
/// while it is being recorded. The lock is held only
/// for the bookkeeping, never across a call to the parent. The per-request
/// knobs number the requests in the order they take the lock, so the same seed
/// gives the same number of failures for the same number of requests, though
/// which thread gets them depends on the race.
///
/// Two things are as exact as a race allows, not more:
///
/// - a request the parent refuses gives its reservation back; a request
///   judged while it was in flight saw it counted (as if the parent had
///   succeeded), and [`allocations`](Fail::allocations) and
///   [`growths`](Fail::growths) read then include it;
/// - a one-shot growth failure refuses "the rest of that growth" by
///   recognising its next calls (a `remap` and a fallback `alloc` of the
///   same length); a request from another thread in between ends that
///   refusal, as any other request does on one thread.
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
///
/// The `Local` one cannot be shared between threads:
///
/// ```compile_fail,E0277
/// use alloc_runtime::{Fail, Global};
///
/// let fail = Fail::new(Global, 1);
/// std::thread::scope(|s| {
///     s.spawn(|| drop(allocator_api2::boxed::Box::new_in(1u8, &fail)));
/// });
/// ```
#[derive(alloc_derive::Allocator)]
// SAFETY: each override either refuses (`None`/`false`, nothing handed
// out) or calls the same function of `inner` with the same arguments and
// returns its answer unchanged.
#[allocator(unsafe(
    alloc = Self::guarded_alloc,
    resize = Self::guarded_resize,
    remap = Self::guarded_remap,
    free = Self::counted_free,
))]
pub struct Fail<A, T: Threading = Local> {
    #[allocator(parent)]
    inner: A,
    config: FailConfig,
    /// The probability as a threshold on a uniform `u64`.
    threshold: u64,
    /// Allocations left before `alloc` takes the slow path: `alloc_trip`
    /// (in [`Cold`]) minus the allocation index. The one word the fast path
    /// reads and updates; 0 means the slow path. `Local` takes one after the
    /// parent succeeds; `ThreadSafe` before it asks the parent, by
    /// compare-and-swap, giving it back if the parent refuses. The slow path
    /// changes it by compare-and-swap too (other threads' fast paths take
    /// from it meanwhile), and then `alloc_trip` to match, under the lock.
    alloc_left: <T as Sealed>::Usize,
    /// The growth failure index now (the configured one; `NEVER` once a
    /// one-shot index is spent). Read by the growth fast path; changed only
    /// under the lock, and only to `NEVER`.
    resize_fail_at: <T as Sealed>::Usize,
    /// The growth index: successful growing `resize`/`remap` calls so far;
    /// with threads, plus the watched ones in flight (reserved under the
    /// lock, given back if the parent refuses).
    growth_index: <T as Sealed>::Usize,
    /// `free` calls.
    frees: <T as Sealed>::Usize,
    /// Requests refused on purpose so far (counted under the lock).
    induced: <T as Sealed>::Usize,
    /// What the slow path reads and changes together: `Cell` or spin lock.
    cold: <T as Sealed>::Locked<Cold>,
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
    pub const fn new(inner: A, n: usize) -> Self {
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
    pub const fn with_config(inner: A, config: FailConfig) -> Self {
        let trip = config.start_trip();
        Self {
            inner,
            config,
            threshold: config.threshold(),
            // The allocation index is 0: `trip - trip`.
            alloc_left: Cell::new(trip),
            resize_fail_at: Cell::new(config.resize_fail_index),
            growth_index: Cell::new(0),
            frees: Cell::new(0),
            induced: Cell::new(0),
            cold: Cell::new(Cold::new(&config, trip)),
        }
    }
}

#[cfg(target_has_atomic = "64")]
impl<A> Fail<A, ThreadSafe> {
    /// [`Fail::new`] for any number of threads: lets exactly `n` allocations
    /// through to `inner`, however the threads race, then refuses requests
    /// for more memory. `const`, so it can be a `static`.
    ///
    /// ```
    /// use alloc_runtime::{Fail, ThreadSafe};
    /// use allocator_api2::boxed::Box;
    /// use std::alloc::System;
    ///
    /// static FAIL: Fail<System, ThreadSafe> = Fail::new_sync(System, 5);
    ///
    /// let made: usize = std::thread::scope(|s| {
    ///     let threads: Vec<_> = (0..4)
    ///         .map(|_| s.spawn(|| (0..3).filter(|_| Box::try_new_in(1u8, &FAIL).is_ok()).count()))
    ///         .collect();
    ///     threads.into_iter().map(|t| t.join().unwrap()).sum()
    /// });
    /// assert_eq!(made, 5);
    /// assert_eq!((FAIL.allocations(), FAIL.frees(), FAIL.induced_failures()), (5, 5, 7));
    /// ```
    #[inline]
    #[must_use]
    pub const fn new_sync(inner: A, n: usize) -> Self {
        Self::with_config_sync(inner, FailConfig::new().fail_index(n))
    }

    /// [`Fail::with_config`] for any number of threads (see [Under
    /// concurrency](Fail#under-concurrency)). `const`: over
    /// `std::alloc::System` it can be the `#[global_allocator]`, here one
    /// that refuses any single request above 1 GiB:
    ///
    /// ```
    /// use alloc_runtime::{Fail, FailConfig, ThreadSafe};
    /// use std::alloc::System;
    ///
    /// #[global_allocator]
    /// static GLOBAL: Fail<System, ThreadSafe> =
    ///     Fail::with_config_sync(System, FailConfig::new().fail_above(1 << 30));
    ///
    /// let v = vec![0u8; 1 << 20];
    /// assert!(Vec::<u8>::new().try_reserve_exact(2 << 30).is_err());
    /// assert_eq!(GLOBAL.first_induced().unwrap().len, 2 << 30);
    /// # drop(v);
    /// ```
    #[inline]
    #[must_use]
    pub const fn with_config_sync(inner: A, config: FailConfig) -> Self {
        use core::sync::atomic::AtomicUsize;
        let trip = config.start_trip();
        Self {
            inner,
            config,
            threshold: config.threshold(),
            alloc_left: AtomicUsize::new(trip),
            resize_fail_at: AtomicUsize::new(config.resize_fail_index),
            growth_index: AtomicUsize::new(0),
            frees: AtomicUsize::new(0),
            induced: AtomicUsize::new(0),
            cold: spin::mutex::SpinMutex::new(Cold::new(&config, trip)),
        }
    }
}

impl<A, T: Threading> Fail<A, T> {
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
        self.cold.with(|c| self.alloc_index(c))
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
        self.first_induced().map(|f| f.caller)
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
        self.cold.with(|c| c.first)
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

    /// The slow path of `alloc`, under the lock: whether to refuse;
    /// records the refusal.
    fn refuse_alloc(&self, c: &mut Cold, len: usize, caller: Caller) -> bool {
        self.judge(c, |c, at| self.judge_alloc(c, at, len, caller))
    }

    /// [`refuse_alloc`](Self::refuse_alloc)'s judgement, for a request that
    /// found the indices `at`.
    fn judge_alloc(&self, c: &mut Cold, at: Indices, len: usize, caller: Caller) -> bool {
        if let Some(growth) = self.end_refusal(c) {
            if self.refuses_fallback(&growth) && growth.len == len {
                // The fallback allocation of a growth refused as a whole.
                self.record(c, at, FailedCall::Alloc, growth.reason, len, caller);
                return true;
            }
        }
        let reason = if self.alloc_index(c) >= c.alloc_fail_at {
            if !self.config.sticky {
                self.spend_alloc_index(c);
            }
            Some(FailureReason::FailIndex)
        } else {
            self.per_request(c, len)
        };
        match reason {
            Some(reason) => {
                self.record(c, at, FailedCall::Alloc, reason, len, caller);
                true
            }
            None => false,
        }
    }

    /// The slow path of growth, under the lock: whether to refuse; records
    /// the refusal.
    fn refuse_growth(
        &self,
        c: &mut Cold,
        call: FailedCall,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        self.judge(c, |c, at| self.judge_growth(c, at, call, new_len, caller))
    }

    /// [`refuse_growth`](Self::refuse_growth)'s judgement, for a request that
    /// found the indices `at`.
    fn judge_growth(
        &self,
        c: &mut Cold,
        at: Indices,
        call: FailedCall,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        if let Some(growth) = self.end_refusal(c) {
            if call == FailedCall::Remap && growth.len == new_len {
                // The `remap` of a growth refused as a whole; its fallback
                // allocation may still be refused.
                self.begin_refusal(c, growth);
                self.record(c, at, call, growth.reason, new_len, caller);
                return true;
            }
        }
        let one_shot = !self.config.sticky;
        let reason = if self.config.allocation_failure_stops_growth
            && self.alloc_index(c) >= c.alloc_fail_at
        {
            if one_shot {
                self.spend_alloc_index(c);
                let growth = induced(at, call, FailureReason::FailIndex, new_len, caller);
                self.begin_refusal(c, growth);
            }
            Some(FailureReason::FailIndex)
        } else if self.growth_index.get() >= self.resize_fail_at.get() {
            let stops = self.config.resize_failure_stops_allocations;
            if one_shot {
                self.resize_fail_at.set(NEVER);
                let reason = FailureReason::ResizeFailIndex;
                let growth = induced(at, call, reason, new_len, caller);
                self.begin_refusal(c, growth);
            } else if stops {
                // Allocations stop here too: the fallback alloc of this very
                // growth is refused, and so is every later request.
                c.alloc_fail_at = self.alloc_index(c);
            }
            Some(FailureReason::ResizeFailIndex)
        } else {
            self.per_request(c, new_len)
        };
        match reason {
            Some(reason) => {
                self.record(c, at, call, reason, new_len, caller);
                true
            }
            None => false,
        }
    }

    /// Runs `judge`, the slow path's judgement of one request, with the
    /// indices the request found (see [`indices`](Self::indices)); then, if
    /// the judgement moved the trip point, recomputes the countdown, once.
    ///
    /// Until then the countdown stays as the request found it: with threads,
    /// a countdown reopened halfway (a growth refusal ended and then begun
    /// again, a one-shot index spent before the refusal is recorded) would
    /// let other threads' allocations through the fast path meanwhile, and
    /// move the allocation index this judgement reads.
    fn judge(&self, c: &mut Cold, judge: impl FnOnce(&mut Cold, Indices) -> bool) -> bool {
        let trip = self.trip(c);
        let at = self.indices(c);
        let refused = judge(c, at);
        if self.trip(c) != trip {
            self.retrip(c);
        }
        refused
    }

    /// Successful allocations so far (with threads, plus those in flight),
    /// read under the lock: `alloc_trip` changes only there.
    #[inline(always)]
    fn alloc_index(&self, c: &Cold) -> usize {
        c.alloc_trip.wrapping_sub(self.alloc_left.get())
    }

    /// Moves the allocation index by `delta` (1: an allocation reserved; -1:
    /// one given back; 0: the index stays) and recomputes the countdown from
    /// [`trip`](Self::trip), under the lock.
    ///
    /// One compare-and-swap on `alloc_left`, computed from the value it
    /// replaces: a fast path of another thread that takes from the
    /// countdown meanwhile changes the index by exactly what it takes, so
    /// `alloc_trip - alloc_left` stays the index, and the new `alloc_trip`
    /// (stored after, still under the lock) matches the value swapped in.
    fn move_index(&self, c: &mut Cold, delta: isize) {
        let trip = c.alloc_trip;
        let target = self.trip(c);
        let mut new_trip = trip;
        let _ = self.alloc_left.update(|left| {
            let index = trip.wrapping_sub(left).wrapping_add_signed(delta);
            let left = target.saturating_sub(index);
            new_trip = index.wrapping_add(left);
            Some(left)
        });
        c.alloc_trip = new_trip;
    }

    /// Recomputes the countdown after a change of what [`trip`](Self::trip)
    /// depends on.
    fn retrip(&self, c: &mut Cold) {
        self.move_index(c, 0);
    }

    /// Spends a one-shot allocation failure index: no allocation fails by
    /// index any more (the countdown follows at the end of the judgement,
    /// [`judge`](Self::judge)).
    fn spend_alloc_index(&self, c: &mut Cold) {
        c.alloc_fail_at = NEVER;
    }

    /// Whether the one-shot growth failure `growth` refuses its fallback
    /// allocation too: when the allocation failure index refused it, or
    /// growth failures stop allocations.
    fn refuses_fallback(&self, growth: &InducedFailure) -> bool {
        growth.reason == FailureReason::FailIndex || self.config.resize_failure_stops_allocations
    }

    /// Starts refusing the rest of a one-shot growth failure (`growth`, its
    /// first refused call); the countdown follows at the end of the
    /// judgement ([`judge`](Self::judge)).
    fn begin_refusal(&self, c: &mut Cold, growth: InducedFailure) {
        c.refusing = Some(growth);
    }

    /// Ends the refusal of a one-shot growth failure, returning it if there
    /// was one; the countdown follows at the end of the judgement
    /// ([`judge`](Self::judge)).
    fn end_refusal(&self, c: &mut Cold) -> Option<InducedFailure> {
        c.refusing.take()
    }

    /// The allocation index from which `alloc` takes the slow path: the
    /// allocation failure index now, or 0 (always) while a per-request knob
    /// is on or a growth refusal is in progress.
    fn trip(&self, c: &Cold) -> usize {
        if self.config.per_request() || c.refusing.is_some() {
            0
        } else {
            c.alloc_fail_at
        }
    }

    /// The per-request knobs, for one request of `len` bytes.
    fn per_request(&self, c: &mut Cold, len: usize) -> Option<FailureReason> {
        if !self.config.per_request() {
            return None;
        }
        c.requests = c.requests.wrapping_add(1);
        let request = c.requests;
        // Drawn for every request, so the sequence depends on the seed and
        // the request number only.
        let draw = c.next_random();
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

    /// The indices a request finds when its slow path takes the lock, for
    /// the record of its refusal. Read before the slow path changes
    /// anything: with threads, spending a one-shot index or ending a growth
    /// refusal lets other threads' requests through the fast paths at once
    /// (the countdown reopens; the growth fast path stops going through the
    /// lock), and the indices read after would count requests that came
    /// after this one.
    #[inline(always)]
    fn indices(&self, c: &Cold) -> Indices {
        Indices {
            allocation: self.alloc_index(c),
            growth: self.growth_index.get(),
        }
    }

    /// Counts a refusal, and remembers the first, with the indices `at`.
    fn record(
        &self,
        c: &mut Cold,
        at: Indices,
        call: FailedCall,
        reason: FailureReason,
        len: usize,
        caller: Caller,
    ) {
        self.induced.add(1);
        if c.first.is_none() {
            c.first = Some(induced(at, call, reason, len, caller));
        }
    }

    /// Whether a growth must go through the slow path: at the end of the
    /// countdown, or at the growth failure index. With threads, whenever a
    /// growth failure index is set at all: reaching it is decided under the
    /// lock, so two growths never both take the last index before it.
    #[inline(always)]
    fn growth_watched(&self) -> bool {
        self.alloc_left.get() == 0
            || if <T as Sealed>::SHARED {
                self.resize_fail_at.get() != NEVER
            } else {
                self.growth_index.get() >= self.resize_fail_at.get()
            }
    }

    /// Gives back an allocation index reserved for a request the parent
    /// refused.
    #[cold]
    #[inline(never)]
    fn give_back_allocation(&self) {
        self.cold.with(|c| self.move_index(c, -1));
    }

    /// The slow path of a growth: decides under the lock and, with threads,
    /// reserves its growth index there if it goes ahead.
    #[cold]
    #[inline(never)]
    fn admit_growth(&self, call: FailedCall, new_len: usize, caller: Caller) -> bool {
        self.cold.with(|c| {
            if self.refuse_growth(c, call, new_len, caller) {
                return false;
            }
            if <T as Sealed>::SHARED {
                self.growth_index.add(1);
            }
            true
        })
    }

    /// Counts what the parent answered to a growing `resize`/`remap`: the
    /// growth counts now if it succeeded, unless the slow path reserved its
    /// index (with threads, when `watched`), which a failed growth gives
    /// back.
    #[inline(always)]
    fn growth_answered(&self, watched: bool, succeeded: bool) {
        if <T as Sealed>::SHARED && watched {
            if !succeeded {
                self.growth_index.sub(1);
            }
        } else if succeeded {
            self.growth_index.add(1);
        }
    }
}

/// The allocation and growth indices a request found in the slow path
/// ([`Fail::indices`]).
#[derive(Clone, Copy)]
struct Indices {
    allocation: usize,
    growth: usize,
}

/// A refusal of `call`, with the indices `at`.
fn induced(
    at: Indices,
    call: FailedCall,
    reason: FailureReason,
    len: usize,
    caller: Caller,
) -> InducedFailure {
    InducedFailure {
        caller,
        call,
        reason,
        len,
        allocation_index: at.allocation,
        growth_index: at.growth,
    }
}

impl<A: RawAlloc, T: Threading> Fail<A, T> {
    #[inline(always)]
    fn guarded_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if !<T as Sealed>::SHARED {
            // One compare with zero; one word updated, after the parent
            // succeeded (no other thread can take the allocation meanwhile).
            let Some(left) = self.alloc_left.get().checked_sub(1) else {
                // The whole call, out of line: nothing of the fast path is
                // live across it, so the fast path saves no registers.
                return self.watched_alloc(len, align, caller);
            };
            let result = self.inner.alloc(len, align, caller);
            if result.is_some() {
                self.alloc_left.set(left);
            }
            return result;
        }
        // With threads, the allocation is taken from the countdown before
        // the parent is asked, by compare-and-swap, so two threads never
        // both take the last one; given back if the parent refuses.
        if self.alloc_left.update(|left| left.checked_sub(1)).is_err() {
            return self.watched_alloc(len, align, caller);
        }
        let result = self.inner.alloc(len, align, caller);
        if result.is_none() {
            self.give_back_allocation();
        }
        result
    }

    /// `alloc` at the end of the countdown: decide under the lock (and, with
    /// threads, reserve the allocation index there), then allocate or
    /// refuse.
    #[cold]
    #[inline(never)]
    fn watched_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let admitted = self.cold.with(|c| {
            if self.refuse_alloc(c, len, caller) {
                return false;
            }
            if <T as Sealed>::SHARED {
                self.move_index(c, 1);
            }
            true
        });
        if !admitted {
            return None;
        }
        let result = self.inner.alloc(len, align, caller);
        match (<T as Sealed>::SHARED, result.is_some()) {
            (true, false) => self.give_back_allocation(),
            (false, true) => self.cold.with(|c| self.move_index(c, 1)),
            _ => {}
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
        if new_len <= memory.len() {
            // Shrinking: never refused, not counted.
            // SAFETY: the caller upholds `resize`'s contract; the parent made `memory`.
            return unsafe { self.inner.resize(memory, align, new_len, caller) };
        }
        let watched = self.growth_watched();
        if watched && !self.admit_growth(FailedCall::Resize, new_len, caller) {
            return false;
        }
        // SAFETY: as above.
        let resized = unsafe { self.inner.resize(memory, align, new_len, caller) };
        self.growth_answered(watched, resized);
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
        if new_len <= memory.len() {
            // Shrinking: never refused, not counted.
            // SAFETY: the caller upholds `remap`'s contract; the parent made `memory`.
            return unsafe { self.inner.remap(memory, align, new_len, caller) };
        }
        let watched = self.growth_watched();
        if watched && !self.admit_growth(FailedCall::Remap, new_len, caller) {
            return None;
        }
        // SAFETY: as above.
        let moved = unsafe { self.inner.remap(memory, align, new_len, caller) };
        self.growth_answered(watched, moved.is_some());
        moved
    }

    /// # Safety
    ///
    /// `RawAlloc::free`'s contract.
    #[inline(always)]
    unsafe fn counted_free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        self.frees.add(1);
        // SAFETY: the caller upholds `free`'s contract; the parent made `memory`.
        unsafe { self.inner.free(memory, align, caller) }
    }
}

// SAFETY: `Fail` hands out exactly its parent's blocks (each override
// refuses, handing out nothing, or returns the parent's answer unchanged),
// so its live blocks are the parent's live blocks with their current
// lengths, and the memory it manages is the parent's: the parent's answer
// is right. No request is refused here: `owns` is not a request for memory.
unsafe impl<A: Owns, T: Threading> Owns for Fail<A, T> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.inner.owns(memory)
    }
}

impl<A: fmt::Debug, T: Threading> fmt::Debug for Fail<A, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fail")
            .field("inner", &self.inner)
            .field("config", &self.config)
            .field("allocations", &self.allocations())
            .field("frees", &self.frees())
            .field("growths", &self.growths())
            .field("induced_failures", &self.induced_failures())
            .field("first_induced", &self.first_induced())
            .finish()
    }
}

impl<A, T: Threading> fmt::Display for Fail<A, T> {
    /// The configuration, the counters, and the first induced failure.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 0);
    /// assert_eq!(
    ///     fail.to_string(),
    ///     "Fail (fail_index=0): 0 allocations, 0 frees, 0 growths, 0 induced failures",
    /// );
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Fail ({}): {} allocations, {} frees, {} growths, {} induced failures",
            self.config,
            self.allocations(),
            self.frees(),
            self.growths(),
            self.induced_failures(),
        )?;
        if let Some(first) = self.first_induced() {
            write!(f, "; first: {first}")?;
        }
        Ok(())
    }
}
