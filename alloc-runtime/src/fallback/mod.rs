//! [`Fallback`]: try one allocator, then another.

#[cfg(test)]
mod tests;

/// Allocates from `primary`, and from `secondary` when the primary
/// refuses (D's `FallbackAllocator`). `free`, `resize`, `remap` and
/// `validate` go to whichever part made the block, which the primary's
/// [`Owns`](crate::Owns) tells: the primary when it owns the block, the secondary
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
    #[allocator(parent)]
    primary: P,
    /// Tried when the primary refuses; gets every block the primary does
    /// not own.
    #[allocator(parent)]
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
    /// let b = Box::new_in(1u64, &a);
    /// assert!(a.primary().owns(&*b as *const u64 as *const u8));
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
    /// let b = Box::new_in([1u64; 2], &a); // 16 bytes: too many for the primary
    /// assert!(a.secondary().owns(b.as_ptr().cast()));
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
