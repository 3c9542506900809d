//! [`Arena`]: a growing bump arena over chunks from a parent allocator,
//! Zig's `ArenaAllocator`, bumpalo's and bump-scope's `Bump`.
//!
//! SKELETON (issue 9): signatures only; every body is `todo!()` until the
//! arena helper fills it in. Field list, docs and impls are the helper's.

use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::{Alignment, AllocError, Caller, Handle, RawAlloc};

mod scope;
mod stats;

pub use scope::Scope;
pub use stats::ArenaStats;

/// A growing bump arena (SKELETON).
#[cfg(feature = "alloc")]
pub struct Arena<A: RawAlloc = crate::Global> {
    parent: A,
    _not_sync: PhantomData<core::cell::Cell<NonNull<u8>>>,
}

/// A growing bump arena (SKELETON).
#[cfg(not(feature = "alloc"))]
pub struct Arena<A: RawAlloc> {
    parent: A,
    _not_sync: PhantomData<core::cell::Cell<NonNull<u8>>>,
}

#[cfg(feature = "alloc")]
impl Arena<crate::Global> {
    /// An empty arena over the global allocator; allocates nothing until
    /// first use.
    #[must_use]
    pub const fn new() -> Self {
        Self::new_in(crate::Global)
    }

    /// An arena with room for `capacity` bytes in its first chunk.
    ///
    /// # Panics
    /// Aborts through `handle_alloc_error` if the chunk cannot be allocated.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_in(capacity, crate::Global)
    }

    /// [`with_capacity`](Self::with_capacity), failure as a value.
    ///
    /// # Errors
    /// The chunk could not be allocated.
    pub fn try_with_capacity(capacity: usize) -> Result<Self, AllocError> {
        Self::try_with_capacity_in(capacity, crate::Global)
    }
}

#[cfg(feature = "alloc")]
impl Default for Arena<crate::Global> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: RawAlloc> Arena<A> {
    /// An empty arena taking its chunks from `parent`.
    #[must_use]
    pub const fn new_in(parent: A) -> Self {
        Self {
            parent,
            _not_sync: PhantomData,
        }
    }

    /// An arena over `parent` with room for `capacity` bytes in its first
    /// chunk.
    #[must_use]
    pub fn with_capacity_in(capacity: usize, parent: A) -> Self {
        let _ = (capacity, parent);
        todo!()
    }

    /// [`with_capacity_in`](Self::with_capacity_in), failure as a value.
    ///
    /// # Errors
    /// The chunk could not be allocated.
    pub fn try_with_capacity_in(capacity: usize, parent: A) -> Result<Self, AllocError> {
        let _ = (capacity, parent);
        todo!()
    }

    /// The parent allocator. There is no `inner_mut`: replacing the parent
    /// would hand its chunks to another allocator.
    #[must_use]
    pub fn inner(&self) -> &A {
        &self.parent
    }

    /// Frees every chunk and returns the parent.
    #[must_use]
    pub fn into_inner(self) -> A {
        todo!()
    }

    /// Frees everything: keeps the largest chunk, returns the others to the
    /// parent.
    pub fn reset(&mut self) {
        todo!()
    }

    /// Limits the bytes of chunks the arena takes from its parent
    /// (bumpalo's `set_allocation_limit`); `None` lifts the limit.
    pub fn set_allocation_limit(&self, limit: Option<usize>) {
        let _ = limit;
        todo!()
    }

    /// The limit set by [`set_allocation_limit`](Self::set_allocation_limit).
    #[must_use]
    pub fn allocation_limit(&self) -> Option<usize> {
        todo!()
    }

    /// Bytes of the chunks held now, taken from the parent (bumpalo's
    /// `allocated_bytes`).
    #[must_use]
    pub fn allocated_bytes(&self) -> usize {
        todo!()
    }

    /// Bytes left in the current chunk (bumpalo's `chunk_capacity`).
    #[must_use]
    pub fn chunk_capacity(&self) -> usize {
        todo!()
    }

    /// Chunks, bytes and capacity now.
    #[must_use]
    pub fn stats(&self) -> ArenaStats {
        todo!()
    }

    /// Whether `ptr` points into memory this arena handed out.
    #[must_use]
    pub fn owns(&self, ptr: *const u8) -> bool {
        let _ = ptr;
        todo!()
    }

    /// The type-erased handle to this arena.
    #[must_use]
    pub fn allocator(&self) -> Handle<'_> {
        Handle::new(self)
    }

    /// Runs `f` with a scope of this arena: everything allocated in it is
    /// released when `f` returns (or unwinds), and cannot outlive it.
    pub fn scope<R>(&mut self, f: impl FnOnce(Scope<'_, A>) -> R) -> R {
        let _ = f;
        todo!()
    }
}

// SAFETY: SKELETON — the helper writes the real argument.
unsafe impl<A: RawAlloc> RawAlloc for Arena<A> {
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let _ = (len, align, caller);
        todo!()
    }

    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        let _ = (memory, align, caller);
        todo!()
    }
}

// SAFETY: SKELETON — the helper writes the real argument.
unsafe impl<A: RawAlloc> allocator_api2::alloc::Allocator for Arena<A> {
    fn allocate(&self, layout: core::alloc::Layout) -> Result<NonNull<[u8]>, AllocError> {
        crate::bridge::allocate(self, layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: core::alloc::Layout) {
        // SAFETY: SKELETON.
        unsafe { crate::bridge::deallocate(self, ptr, layout) }
    }
}

// SAFETY: SKELETON — an arena owns its chunks; moving it moves them and
// the parent.
unsafe impl<A: RawAlloc + Send> Send for Arena<A> {}

impl<A: RawAlloc> Drop for Arena<A> {
    fn drop(&mut self) {}
}
