//! [`Scope`]: a scope of an [`Arena`], safe by construction (bump-scope's
//! idea): everything allocated in it is released when it ends, and nothing
//! allocated in it can outlive it.

use core::alloc::Layout;
use core::fmt;
use core::ptr::NonNull;

use super::{Arena, Checkpoint};
use crate::{Alignment, AllocError, Caller, RawAlloc};

/// A scope of an arena, given by [`Arena::scope`] (and [`Scope::scope`]
/// for a nested one): it allocates from the arena, and everything it
/// allocated is released when it ends.
///
/// It dereferences to the [`Arena`], so the arena's whole API (the typed one
/// too) works on it, and it is an allocator itself ([`RawAlloc`] and
/// allocator-api2's `Allocator`, forwarded to the arena), so
/// `Vec::new_in(&scope)` works.
///
/// # Why it is safe
///
/// - The scope holds `&mut` to the arena, so the arena (and any enclosing
///   scope) cannot be used, reset or dropped while the scope is open; the
///   scope only gives out `&Arena` (there is no `DerefMut`), so nothing
///   inside it can [`reset`](Arena::reset) the arena and free the chunk its
///   checkpoint names.
/// - Everything allocated through the scope borrows the scope (or the
///   `&Arena` it derefs to, which lives no longer), and the scope is a value
///   owned by the closure: the closure's result cannot name its lifetime, so
///   no allocation escapes. When the scope is dropped — the closure returns,
///   or unwinds — the arena goes back to the checkpoint: the chunk and
///   position it had when the scope began. Chunks taken during the scope stay
///   in the arena as spares, which its next growth uses before asking the
///   parent ([`reset`](Arena::reset) frees all but the largest).
/// - Raw memory ([`RawAlloc::alloc`] returns pointers without a lifetime)
///   is valid until the scope, its allocator, is dropped; memory allocated
///   through the `&Arena` the scope derefs to is valid while that borrow
///   lives, as allocator-api2 asks of `&Arena` as an allocator.
/// - [`mem::forget`](core::mem::forget) of a scope skips the rewind: what it
///   allocated stays allocated until the arena is reset or dropped. A leak,
///   never unsound: the arena's position stays where the scope left it, a
///   valid position.
///
/// # Examples
///
/// ```
/// use alloc_runtime::Arena;
/// use allocator_api2::vec::Vec;
///
/// let mut arena = Arena::new();
/// for round in 0..3u32 {
///     let total = arena.scope(|s| {
///         let mut v = Vec::new_in(&s);
///         v.extend(0..1000 * (round + 1));
///         v.len()
///     });
///     assert_eq!(total, 1000 * (round as usize + 1));
///     assert_eq!(arena.stats().used, 0); // released each time
/// }
/// ```
pub struct Scope<'s, A: RawAlloc> {
    /// The arena, exclusively borrowed while the scope is open.
    arena: &'s mut Arena<A>,
    /// Where the arena was when the scope began; restored on drop.
    checkpoint: Checkpoint,
}

impl<'s, A: RawAlloc> Scope<'s, A> {
    /// Opens a scope of `arena` at its current position.
    pub(super) fn new(arena: &'s mut Arena<A>) -> Self {
        let checkpoint = arena.checkpoint();
        Self { arena, checkpoint }
    }

    /// Runs `f` with a nested scope: what `f` allocates is released when it
    /// returns, what this scope allocated before stays.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let mut arena = Arena::new();
    /// arena.scope(|mut outer| {
    ///     outer.allocator().create(1u64)?;
    ///     let used = outer.stats().used;
    ///     outer.scope(|inner| inner.allocator().create([0u8; 100]).map(drop))?;
    ///     assert_eq!(outer.stats().used, used);
    ///     Ok::<(), alloc_runtime::AllocError>(())
    /// })?;
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    pub fn scope<R>(&mut self, f: impl FnOnce(Scope<'_, A>) -> R) -> R {
        self.arena.scope(f)
    }
}

impl<A: RawAlloc> core::ops::Deref for Scope<'_, A> {
    type Target = Arena<A>;

    /// The arena, shared: its whole API but `reset` (which needs `&mut`).
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let mut arena = Arena::new();
    /// arena.scope(|s| assert_eq!(s.allocation_limit(), None));
    /// ```
    fn deref(&self) -> &Arena<A> {
        self.arena
    }
}

impl<A: RawAlloc> Drop for Scope<'_, A> {
    /// Takes the arena back to where it was when the scope began.
    fn drop(&mut self) {
        self.arena.rewind(self.checkpoint);
    }
}

impl<A: RawAlloc> fmt::Debug for Scope<'_, A> {
    /// The arena's statistics.
    ///
    /// ```
    /// let mut arena = alloc_runtime::Arena::new();
    /// arena.scope(|s| assert!(format!("{s:?}").starts_with("Scope")));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Scope").field(&*self.arena).finish()
    }
}

// SAFETY: every call is forwarded unchanged to the arena, which upholds the
// contract; memory it hands out stays valid at least until the scope is
// dropped (the rewind happens in the scope's `Drop`, and only then).
unsafe impl<A: RawAlloc> RawAlloc for Scope<'_, A> {
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.arena.alloc(len, align, caller)
    }

    #[inline(always)]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: the caller upholds `resize`'s contract; the scope's memory
        // is the arena's.
        unsafe { self.arena.resize(memory, align, new_len, caller) }
    }

    #[inline(always)]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        // SAFETY: the caller upholds `remap`'s contract; the scope's memory
        // is the arena's.
        unsafe { self.arena.remap(memory, align, new_len, caller) }
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        // SAFETY: the caller upholds `free`'s contract; the scope's memory
        // is the arena's.
        unsafe { self.arena.free(memory, align, caller) }
    }

    #[inline]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        self.arena.validate(memory, align, caller)
    }
}

// SAFETY: every method forwards unchanged to the arena's `Allocator` impl,
// which upholds allocator-api2's contract; the scope's memory is the
// arena's, valid until the scope is dropped. A `Scope` is not `Clone`.
unsafe impl<A: RawAlloc> allocator_api2::alloc::Allocator for Scope<'_, A> {
    #[inline(always)]
    #[track_caller]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        allocator_api2::alloc::Allocator::allocate(&*self.arena, layout)
    }

    #[inline(always)]
    #[track_caller]
    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        allocator_api2::alloc::Allocator::allocate_zeroed(&*self.arena, layout)
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller upholds allocator-api2's contract for the arena.
        unsafe { allocator_api2::alloc::Allocator::deallocate(&*self.arena, ptr, layout) }
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller upholds allocator-api2's contract for the arena.
        unsafe { allocator_api2::alloc::Allocator::grow(&*self.arena, ptr, old_layout, new_layout) }
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller upholds allocator-api2's contract for the arena.
        unsafe {
            allocator_api2::alloc::Allocator::grow_zeroed(&*self.arena, ptr, old_layout, new_layout)
        }
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller upholds allocator-api2's contract for the arena.
        unsafe {
            allocator_api2::alloc::Allocator::shrink(&*self.arena, ptr, old_layout, new_layout)
        }
    }
}
