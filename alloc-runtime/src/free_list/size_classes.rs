//! [`SizeClasses`]: one free list per size class over one parent.

use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

use super::stack::Stack;

/// Recycles small blocks of mixed sizes (D's `Bucketizer` of free lists):
/// requests of up to `STEP * CLASSES` bytes are rounded up to a multiple
/// of `STEP` and served from that class's free list, refilled from the
/// parent; larger requests go to the parent unchanged. With the defaults,
/// classes of 16, 32, ..., 256 bytes.
///
/// TODO(skeleton): full docs (alignment served, bound, drop) and a
/// runnable example.
#[derive(alloc_derive::Allocator)]
pub struct SizeClasses<A: RawAlloc, const STEP: usize = 16, const CLASSES: usize = 16> {
    parent: A,
    classes: [Stack; CLASSES],
    max_kept: usize,
}

impl<A: RawAlloc, const STEP: usize, const CLASSES: usize> SizeClasses<A, STEP, CLASSES> {
    /// Size classes over `parent` that keep every freed block (until they
    /// are dropped, when the blocks go back to the parent).
    pub const fn new(parent: A) -> Self {
        Self::with_max_kept(parent, usize::MAX)
    }

    /// Size classes over `parent` that keep at most `max_kept` freed
    /// blocks in each class; further frees go back to the parent.
    pub const fn with_max_kept(parent: A, max_kept: usize) -> Self {
        Self {
            parent,
            classes: [const { Stack::new() }; CLASSES],
            max_kept,
        }
    }

    /// The number of freed blocks kept for reuse, in all classes.
    pub fn kept(&self) -> usize {
        self.classes.iter().map(Stack::len).sum()
    }

    /// The parent.
    pub const fn inner(&self) -> &A {
        &self.parent
    }
}

impl<A: RawAlloc, const STEP: usize, const CLASSES: usize> Drop for SizeClasses<A, STEP, CLASSES> {
    fn drop(&mut self) {
        todo!()
    }
}

// SAFETY: TODO(skeleton)
unsafe impl<A: RawAlloc, const STEP: usize, const CLASSES: usize> RawAlloc
    for SizeClasses<A, STEP, CLASSES>
{
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let _ = (len, align, caller, self.max_kept);
        todo!()
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        let _ = (memory, align, caller);
        todo!()
    }
}

// SAFETY: TODO(skeleton)
unsafe impl<A: RawAlloc + Owns, const STEP: usize, const CLASSES: usize> Owns
    for SizeClasses<A, STEP, CLASSES>
{
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        let _ = memory;
        todo!()
    }
}
