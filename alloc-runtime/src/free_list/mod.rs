//! [`FreeList`]: recycles freed blocks of one size range over a parent;
//! [`SizeClasses`]: many free lists, one per size class, over one parent.

use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

mod size_classes;
mod stack;
#[cfg(test)]
mod tests;

pub use size_classes::SizeClasses;

/// Recycles freed blocks of `MIN..=MAX` bytes (D's `FreeList`, Zig's
/// `MemoryPool`): every such request gets a block of `MAX` bytes from the
/// parent, and a freed one is kept for the next request instead of going
/// back, up to a bound. Other requests go to the parent unchanged.
///
/// TODO(skeleton): full docs (alignment served, bound, drop) and a
/// runnable example.
#[derive(alloc_derive::Allocator)]
pub struct FreeList<A: RawAlloc, const MIN: usize, const MAX: usize> {
    parent: A,
    kept: stack::Stack,
    max_kept: usize,
}

impl<A: RawAlloc, const MIN: usize, const MAX: usize> FreeList<A, MIN, MAX> {
    /// A free list over `parent` that keeps every freed block (until it is
    /// dropped, when they go back to the parent).
    pub const fn new(parent: A) -> Self {
        Self::with_max_kept(parent, usize::MAX)
    }

    /// A free list over `parent` that keeps at most `max_kept` freed
    /// blocks; further frees go back to the parent.
    pub const fn with_max_kept(parent: A, max_kept: usize) -> Self {
        Self {
            parent,
            kept: stack::Stack::new(),
            max_kept,
        }
    }

    /// The number of freed blocks kept for reuse.
    pub fn kept(&self) -> usize {
        let _ = self.max_kept;
        self.kept.len()
    }

    /// The parent.
    pub const fn inner(&self) -> &A {
        &self.parent
    }
}

impl<A: RawAlloc, const MIN: usize, const MAX: usize> Drop for FreeList<A, MIN, MAX> {
    fn drop(&mut self) {
        todo!()
    }
}

// SAFETY: TODO(skeleton)
unsafe impl<A: RawAlloc, const MIN: usize, const MAX: usize> RawAlloc for FreeList<A, MIN, MAX> {
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let _ = (len, align, caller);
        todo!()
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        let _ = (memory, align, caller);
        todo!()
    }
}

// SAFETY: every block the free list hands out is a block of the parent
// (TODO(skeleton): state precisely).
unsafe impl<A: RawAlloc + Owns, const MIN: usize, const MAX: usize> Owns for FreeList<A, MIN, MAX> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        let _ = memory;
        todo!()
    }
}
