//! [`Fallback`]: try one allocator, then another.

use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc, route};

#[cfg(test)]
mod tests;

/// Allocates from `primary`, and from `secondary` when the primary
/// refuses (D's `FallbackAllocator`). `free`, `resize`, `remap` and
/// `validate` go to whichever part made the block, which the primary's
/// [`Owns`] tells: the primary when it owns the block, the secondary
/// otherwise.
///
/// The classic use is a buffer on the stack first and the heap after,
/// `Fallback<Bump<'_>, Global>`: small, short-lived work never touches the
/// heap, and work that outgrows the buffer still succeeds. It replaces
/// the routing users write by hand with [`Bump::owns`](crate::Bump::owns)
/// ("if the bump owns the pointer, free it there, else to the heap"), with
/// the same checks in the same order and no `unsafe` of their own.
///
/// - **Growing a primary block that cannot grow in place moves it**: the
///   primary's `resize` and `remap` say no, and the caller (the
///   allocator-api2 bridge, [`Handle::realloc`](crate::Handle::realloc))
///   allocates anew from the composite, which tries the primary and then
///   the secondary, copies, and frees the old block to the primary. A
///   block does not move back when it shrinks.
/// - **Fast path**: allocating is the primary's `alloc` and one branch;
///   the secondary is reached through a cold call. A free is the
///   primary's `owns` (two compares for a [`Bump`](crate::Bump)) and a
///   branch.
/// - **Bad input**: a block neither part made is never given to the
///   primary (its `owns` says no); the secondary's `validate` answers for
///   it, which is `false` for a part that keeps records, such as another
///   `Bump`.
/// - **`Owns`** when both parts are: a block is the composite's when
///   either part owns it, so fallbacks nest (`Fallback<Fallback<A, B>,
///   C>`). The primary must be `Owns`; the secondary need not be, which
///   is why [`Global`](crate::Global), which cannot tell, goes last.
///
/// # Examples
///
/// A stack buffer first, then the heap:
///
/// ```
/// use alloc_runtime::{Bump, Fallback, Global};
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let a = Fallback::new(Bump::new(&mut buf), Global);
///
/// let mut v: Vec<u32, _> = Vec::new_in(&a);
/// v.extend(0..8);
/// assert!(a.primary().owns(v.as_ptr().cast()), "32 bytes fit in the buffer");
///
/// // Growing past the buffer moves the vector to the heap, contents and all.
/// v.extend(8..100);
/// assert!(!a.primary().owns(v.as_ptr().cast()));
/// assert!(v.iter().copied().eq(0..100));
/// ```
///
/// The primary must be able to tell its blocks (`Owns`); `Global` cannot:
///
/// ```compile_fail
/// use alloc_runtime::{Bump, Fallback, Global};
/// let a = Fallback::new(Global, Global);
/// let _ = allocator_api2::boxed::Box::new_in(1u8, &a);
/// ```
#[derive(alloc_derive::Allocator, Debug, Default)]
pub struct Fallback<P, S> {
    /// Tried first; its `Owns` tells its blocks from the secondary's.
    primary: P,
    /// Tried when the primary refuses; gets every block the primary does
    /// not own.
    secondary: S,
}

impl<P, S> Fallback<P, S> {
    /// The composite of `primary`, tried first, and `secondary`.
    ///
    /// `const`, so a composite of `const` parts can be a `static`:
    ///
    /// ```
    /// use alloc_runtime::{Fallback, Global, Null};
    /// use allocator_api2::boxed::Box;
    ///
    /// static HEAP: Fallback<Null, Global> = Fallback::new(Null, Global);
    /// let b = Box::new_in(7u64, &HEAP);
    /// assert_eq!(*b, 7);
    /// ```
    pub const fn new(primary: P, secondary: S) -> Self {
        Self { primary, secondary }
    }

    /// The part tried first.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fallback, Global};
    /// use allocator_api2::boxed::Box;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = Fallback::new(Bump::new(&mut buf), Global);
    /// let _b = Box::new_in(1u64, &a);
    /// assert_eq!(a.primary().used(), 8);
    /// ```
    pub const fn primary(&self) -> &P {
        &self.primary
    }

    /// The part tried when the primary refuses.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fallback};
    /// use allocator_api2::boxed::Box;
    /// # let mut small = [core::mem::MaybeUninit::uninit(); 8];
    /// # let mut large = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = Fallback::new(Bump::new(&mut small), Bump::new(&mut large));
    /// let _b = Box::new_in([1u64; 2], &a); // 16 bytes: too many for the primary
    /// assert_eq!(a.secondary().used(), 16);
    /// ```
    pub const fn secondary(&self) -> &S {
        &self.secondary
    }

    /// The two parts, primary first.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fallback, Global};
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = Fallback::new(Bump::new(&mut buf), Global);
    /// a.allocator().create(1u8)?;
    /// let (bump, _global) = a.into_parts();
    /// assert_eq!(bump.used(), 1);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    pub fn into_parts(self) -> (P, S) {
        (self.primary, self.secondary)
    }
}

// SAFETY: every function is `route`'s with `FirstThenSecond`: a block
// handed out is one a part just handed out (valid, aligned, disjoint from
// all else live by that part's contract), and a block passed back goes to
// the part that made it, because the primary's `Owns` is exact (`true` for
// its live blocks, `false` for the secondary's, which are disjoint from the
// primary's memory). `Fallback` is not `Clone`, so no copy shares blocks.
unsafe impl<P: RawAlloc + Owns, S: RawAlloc> RawAlloc for Fallback<P, S> {
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        route::alloc(
            &self.primary,
            &self.secondary,
            route::Route::FirstThenSecond,
            len,
            align,
            caller,
        )
    }

    #[inline(always)]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: the caller's `resize` contract for this composite, whose
        // blocks all come from `route::alloc` over these two parts, is
        // `route::resize`'s.
        unsafe {
            route::resize(
                &self.primary,
                &self.secondary,
                memory,
                align,
                new_len,
                caller,
            )
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
        // SAFETY: the caller's `remap` contract for this composite, whose
        // blocks all come from `route::alloc` over these two parts, is
        // `route::remap`'s.
        unsafe {
            route::remap(
                &self.primary,
                &self.secondary,
                memory,
                align,
                new_len,
                caller,
            )
        }
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        // SAFETY: the caller's `free` contract for this composite, whose
        // blocks all come from `route::alloc` over these two parts, is
        // `route::free`'s.
        unsafe { route::free(&self.primary, &self.secondary, memory, align, caller) }
    }

    #[inline(always)]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        route::validate(&self.primary, &self.secondary, memory, align, caller)
    }
}

// SAFETY: a live block of the composite is a live block of one part, which
// answers `true` for it; a range disjoint from all the composite's memory
// is disjoint from each part's, so both answer `false`. Neither call reads
// the memory or unwinds.
unsafe impl<P: Owns, S: Owns> Owns for Fallback<P, S> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        route::owns(&self.primary, &self.secondary, memory)
    }
}
