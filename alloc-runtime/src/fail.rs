//! [`Fail`]: a wrapper that injects allocation failures, for testing error
//! paths.

use core::cell::Cell;
use core::fmt;
use core::ptr::NonNull;

use crate::{Alignment, Caller, RawAlloc};

/// A wrapper that lets the first `n` allocations through to its parent `A`
/// and refuses every later request for more memory: Zig's
/// `std.testing.FailingAllocator`.
///
/// After the limit, `alloc` returns `None` and `resize`/`remap` that would
/// **grow** return `false`/`None`; shrinking and `free` still reach the
/// parent, so the code under test can clean up. Each refused call counts as
/// an induced failure ([`induced_failures`](Self::induced_failures)); one
/// refused `Vec` growth through allocator-api2 is three refused calls
/// (`resize` in place, `remap`, then the fallback `alloc`).
///
/// Only successful allocations count toward `n`: if the parent itself
/// refuses, that is not an allocation. The counters are `Cell`s, so `Fail` is
/// not `Sync`.
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
))]
pub struct Fail<A> {
    #[allocator(parent)]
    inner: A,
    /// How many allocations succeed before requests are refused.
    limit: usize,
    /// How many more allocations may succeed: `limit - allocations so far`.
    left: Cell<usize>,
    /// Requests refused on purpose so far.
    induced: Cell<usize>,
}

impl<A> Fail<A> {
    /// Lets `n` allocations through to `inner`, then refuses requests for
    /// more memory.
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
        Self {
            inner,
            limit: n,
            left: Cell::new(n),
            induced: Cell::new(0),
        }
    }

    /// How many allocations succeed before failures start.
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
        self.limit
    }

    /// Successful allocations so far.
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
        self.limit - self.left.get()
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

    /// Whether the limit is reached; counts the refusal if so.
    #[inline(always)]
    fn refuse(&self) -> bool {
        let refuse = self.left.get() == 0;
        if refuse {
            self.induced.set(self.induced.get().wrapping_add(1));
        }
        refuse
    }
}

impl<A: RawAlloc> Fail<A> {
    #[inline(always)]
    fn guarded_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if self.refuse() {
            return None;
        }
        let result = self.inner.alloc(len, align, caller);
        if result.is_some() {
            // Not zero: `refuse` said so above.
            self.left.set(self.left.get().wrapping_sub(1));
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
        if new_len > memory.len() && self.refuse() {
            return false;
        }
        // SAFETY: the caller upholds `resize`'s contract; the parent made `memory`.
        unsafe { self.inner.resize(memory, align, new_len, caller) }
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
        if new_len > memory.len() && self.refuse() {
            return None;
        }
        // SAFETY: the caller upholds `remap`'s contract; the parent made `memory`.
        unsafe { self.inner.remap(memory, align, new_len, caller) }
    }
}

impl<A: fmt::Debug> fmt::Debug for Fail<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fail")
            .field("inner", &self.inner)
            .field("limit", &self.limit)
            .field("allocations", &self.allocations())
            .field("induced_failures", &self.induced.get())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bump, Counting, testing};
    use allocator_api2::vec::Vec;
    use core::mem::MaybeUninit;

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
}
