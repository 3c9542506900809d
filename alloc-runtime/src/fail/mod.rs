//! [`Fail`]: a wrapper that injects allocation failures, for testing error
//! paths; [`FailConfig`] says when.

use core::cell::Cell;
use core::fmt;
use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};
use config::NEVER;

mod config;
mod induced;
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
/// need every request looked at) keep it at zero. The counters are `Cell`s,
/// so `Fail` is not `Sync`.
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
// SAFETY: each override either refuses (`None`/`false`, nothing handed
// out) or calls the same function of `inner` with the same arguments and
// returns its answer unchanged.
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
    /// Allocations left before `alloc` takes the slow path: `alloc_trip`
    /// minus the allocation index (successful allocations so far). The one
    /// word the fast path reads and updates; 0 means the slow path.
    alloc_left: Cell<usize>,
    /// The allocation index from which `alloc` takes the slow path (see
    /// [`Fail::trip`]), or the allocation index now if that is later: so the
    /// allocation index is always `alloc_trip - alloc_left`.
    alloc_trip: Cell<usize>,
    /// The allocation failure index now (the configured one, or where a
    /// growth failure stopped allocations; `NEVER` once a one-shot index is
    /// spent).
    alloc_fail_at: Cell<usize>,
    /// The growth failure index now (the configured one; `NEVER` once a
    /// one-shot index is spent).
    resize_fail_at: Cell<usize>,
    /// The growth index: successful growing `resize`/`remap` calls so far.
    growth_index: Cell<usize>,
    /// `free` calls.
    frees: Cell<usize>,
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
    /// A one-shot growth failure in progress (its first refused call): the
    /// rest of that growth (its `remap`, maybe its fallback `alloc`) is
    /// refused too. While it is set, `alloc_left` is 0, so every request
    /// takes the slow path.
    refusing: Cell<Option<InducedFailure>>,
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
            // The allocation index is 0: `trip - trip`.
            alloc_left: Cell::new(trip),
            alloc_trip: Cell::new(trip),
            alloc_fail_at: Cell::new(config.fail_index),
            resize_fail_at: Cell::new(config.resize_fail_index),
            growth_index: Cell::new(0),
            frees: Cell::new(0),
            requests: Cell::new(0),
            rng: Cell::new(config.seed),
            threshold: config.threshold(),
            induced: Cell::new(0),
            first: Cell::new(None),
            refusing: Cell::new(None),
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
        self.alloc_index()
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
        if let Some(growth) = self.end_refusal() {
            if self.refuses_fallback(&growth) && growth.len == len {
                // The fallback allocation of a growth refused as a whole.
                self.record(FailedCall::Alloc, growth.reason, len, caller);
                return true;
            }
        }
        let reason = if self.alloc_index() >= self.alloc_fail_at.get() {
            if !self.config.sticky {
                self.spend_alloc_index();
            }
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
        if let Some(growth) = self.end_refusal() {
            if call == FailedCall::Remap && growth.len == new_len {
                // The `remap` of a growth refused as a whole; its fallback
                // allocation may still be refused.
                self.begin_refusal(growth);
                self.record(call, growth.reason, new_len, caller);
                return true;
            }
        }
        let one_shot = !self.config.sticky;
        let reason = if self.config.allocation_failure_stops_growth
            && self.alloc_index() >= self.alloc_fail_at.get()
        {
            if one_shot {
                self.spend_alloc_index();
                self.begin_refusal(self.induced(call, FailureReason::FailIndex, new_len, caller));
            }
            Some(FailureReason::FailIndex)
        } else if self.growth_index.get() >= self.resize_fail_at.get() {
            let stops = self.config.resize_failure_stops_allocations;
            if one_shot {
                self.resize_fail_at.set(NEVER);
                let reason = FailureReason::ResizeFailIndex;
                self.begin_refusal(self.induced(call, reason, new_len, caller));
            } else if stops {
                // Allocations stop here too: the fallback alloc of this very
                // growth is refused, and so is every later request.
                self.alloc_fail_at.set(self.alloc_index());
                self.retrip();
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

    /// Successful allocations so far.
    #[inline(always)]
    fn alloc_index(&self) -> usize {
        self.alloc_trip.get().wrapping_sub(self.alloc_left.get())
    }

    /// Sets the allocation index to `index` and recomputes the countdown
    /// from [`trip`](Self::trip).
    fn set_alloc_index(&self, index: usize) {
        let left = self.trip().saturating_sub(index);
        self.alloc_left.set(left);
        self.alloc_trip.set(index.wrapping_add(left));
    }

    /// Recomputes the countdown after a change of what [`trip`](Self::trip)
    /// depends on.
    fn retrip(&self) {
        self.set_alloc_index(self.alloc_index());
    }

    /// Spends a one-shot allocation failure index: no allocation fails by
    /// index any more.
    fn spend_alloc_index(&self) {
        self.alloc_fail_at.set(NEVER);
        self.retrip();
    }

    /// Whether the one-shot growth failure `growth` refuses its fallback
    /// allocation too: when the allocation failure index refused it, or
    /// growth failures stop allocations.
    fn refuses_fallback(&self, growth: &InducedFailure) -> bool {
        growth.reason == FailureReason::FailIndex || self.config.resize_failure_stops_allocations
    }

    /// Starts refusing the rest of a one-shot growth failure (`growth`, its
    /// first refused call).
    fn begin_refusal(&self, growth: InducedFailure) {
        self.refusing.set(Some(growth));
        self.retrip();
    }

    /// Ends the refusal of a one-shot growth failure, returning it if there
    /// was one.
    fn end_refusal(&self) -> Option<InducedFailure> {
        let growth = self.refusing.take()?;
        self.retrip();
        Some(growth)
    }

    /// The allocation index from which `alloc` takes the slow path: the
    /// allocation failure index now, or 0 (always) while a per-request knob
    /// is on or a growth refusal is in progress.
    fn trip(&self) -> usize {
        if self.config.per_request() || self.refusing.get().is_some() {
            0
        } else {
            self.alloc_fail_at.get()
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
            self.first
                .set(Some(self.induced(call, reason, len, caller)));
        }
    }

    /// A refusal of `call`, with the indices now.
    fn induced(
        &self,
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
            allocation_index: self.alloc_index(),
            growth_index: self.growth_index.get(),
        }
    }

    /// Whether a growth must go through the slow path.
    #[inline(always)]
    fn growth_watched(&self) -> bool {
        self.alloc_left.get() == 0 || self.growth_index.get() >= self.resize_fail_at.get()
    }

    /// Counts a successful change of length from `old_len` to `new_len`.
    #[inline(always)]
    fn changed(&self, old_len: usize, new_len: usize) {
        if new_len > old_len {
            self.growth_index
                .set(self.growth_index.get().wrapping_add(1));
        }
    }
}

impl<A: RawAlloc> Fail<A> {
    #[inline(always)]
    fn guarded_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        // One compare with zero: the countdown is over.
        let Some(left) = self.alloc_left.get().checked_sub(1) else {
            // The whole call, out of line: nothing of the fast path is live
            // across it, so the fast path saves no registers.
            return self.watched_alloc(len, align, caller);
        };
        let result = self.inner.alloc(len, align, caller);
        if result.is_some() {
            // The one word an allocation updates: one allocation fewer left.
            self.alloc_left.set(left);
        }
        result
    }

    /// `alloc` at the end of the countdown: decide, then allocate or refuse.
    #[cold]
    #[inline(never)]
    fn watched_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if self.refuse_alloc(len, caller) {
            return None;
        }
        let result = self.inner.alloc(len, align, caller);
        if result.is_some() {
            self.set_alloc_index(self.alloc_index().wrapping_add(1));
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
        // SAFETY: the caller upholds `free`'s contract; the parent made `memory`.
        unsafe { self.inner.free(memory, align, caller) }
    }
}

// SAFETY: `Fail` hands out exactly its parent's blocks (each override
// refuses, handing out nothing, or returns the parent's answer unchanged),
// so its live blocks are the parent's live blocks with their current
// lengths, and the memory it manages is the parent's: the parent's answer
// is right. No request is refused here: `owns` is not a request for memory.
unsafe impl<A: Owns> Owns for Fail<A> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.inner.owns(memory)
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
        if let Some(first) = self.first.get() {
            write!(f, "; first: {first}")?;
        }
        Ok(())
    }
}
