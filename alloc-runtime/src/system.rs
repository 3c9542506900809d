//! [`RawAlloc`] for `std::alloc::System`, the operating system's allocator
//! (feature `std`): the parent of a `#[global_allocator]` stack.
#![cfg(feature = "std")]

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;
use std::alloc::System;

use crate::{Alignment, Caller, RawAlloc, Standalone};

// SAFETY: `System` hands out blocks valid for the layout's size and
// alignment and disjoint from everything else live, until `dealloc` or
// `realloc`, which receive the layout the block was allocated with (`free`'s
// and `remap`'s contract: same length and alignment as allocated). All
// values of the unit struct are one allocator. `alloc` answers a bad layout
// with `None`, and nothing here unwinds.
//
// As `Global` does, but calling the system allocator directly rather than
// whatever `#[global_allocator]` the program has: so `System` can be the
// parent of the global allocator itself.
unsafe impl RawAlloc for System {
    #[inline]
    fn alloc(&self, len: usize, align: Alignment, _: Caller) -> Option<NonNull<u8>> {
        let layout = align.layout(len)?;
        // SAFETY: the layout has a non-zero size.
        NonNull::new(unsafe { GlobalAlloc::alloc(self, layout) })
    }

    /// `calloc`: large blocks come as fresh pages the system zeroed.
    #[inline]
    fn alloc_zeroed(&self, len: usize, align: Alignment, _: Caller) -> Option<NonNull<u8>> {
        let layout = align.layout(len)?;
        // SAFETY: the layout has a non-zero size.
        NonNull::new(unsafe { GlobalAlloc::alloc_zeroed(self, layout) })
    }

    /// `realloc`: the system allocator extends the block where it is or
    /// moves it (glibc moves large blocks with `mremap`).
    #[inline]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        _: Caller,
    ) -> Option<NonNull<u8>> {
        // `realloc` needs a non-zero new size that, rounded up to the
        // alignment, stays within `isize::MAX`: what a `Layout` checks.
        align.layout(new_len)?;
        // SAFETY: `remap`'s contract: `memory` came from `alloc` (or a
        // successful `remap`) with this length and alignment, which formed a
        // valid layout then.
        let layout = unsafe { Layout::from_size_align_unchecked(memory.len(), align.to_bytes()) };
        // SAFETY: the block was allocated by `System` with `layout` and is
        // live; `new_len` is non-zero and forms a valid layout with the same
        // alignment (checked above). On null the old block is untouched.
        NonNull::new(unsafe { GlobalAlloc::realloc(self, memory.cast().as_ptr(), layout, new_len) })
    }

    #[inline]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, _: Caller) {
        // SAFETY: `free`'s contract: `memory` came from `alloc` with this
        // length and alignment, which formed a valid layout then.
        let layout = unsafe { Layout::from_size_align_unchecked(memory.len(), align.to_bytes()) };
        // SAFETY: as above: allocated by `System` with `layout`.
        unsafe { GlobalAlloc::dealloc(self, memory.cast().as_ptr(), layout) };
    }
}

/// The system allocator never calls Rust's global allocator.
impl Standalone for System {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn passes_the_conformance_suite() {
        testing::conformance(&System);
    }

    #[test]
    fn refuses_zero_and_impossible_requests() {
        let huge = Alignment::new(1 << 20).unwrap();
        assert!(RawAlloc::alloc(&System, 0, Alignment::ONE, Caller::here()).is_none());
        assert!(RawAlloc::alloc(&System, usize::MAX, Alignment::ONE, Caller::here()).is_none());
        assert!(RawAlloc::alloc(&System, isize::MAX as usize, huge, Caller::here()).is_none());
    }

    #[test]
    fn remap_grows_and_keeps_contents() {
        let p = RawAlloc::alloc(&System, 16, Alignment::ONE, Caller::here()).unwrap();
        // SAFETY: `p` is a live 16-byte block.
        unsafe {
            p.as_ptr()
                .copy_from_nonoverlapping(b"0123456789abcdef".as_ptr(), 16)
        };
        let block = NonNull::slice_from_raw_parts(p, 16);
        // SAFETY: `block` is live, allocated with alignment 1; 4096 > 0.
        let q = unsafe { System.remap(block, Alignment::ONE, 4096, Caller::here()) }.unwrap();
        // SAFETY: `q` is the live 4096-byte block; its first 16 bytes were kept.
        let kept = unsafe { core::slice::from_raw_parts(q.as_ptr(), 16) };
        assert_eq!(kept, b"0123456789abcdef");
        // SAFETY: no `Layout` describes `usize::MAX` bytes: refused, `q` kept.
        let none = unsafe {
            System.remap(
                NonNull::slice_from_raw_parts(q, 4096),
                Alignment::ONE,
                usize::MAX,
                Caller::here(),
            )
        };
        assert!(none.is_none());
        // SAFETY: `q` is live with length 4096, alignment 1.
        unsafe {
            RawAlloc::free(
                &System,
                NonNull::slice_from_raw_parts(q, 4096),
                Alignment::ONE,
                Caller::here(),
            )
        };
    }
}
