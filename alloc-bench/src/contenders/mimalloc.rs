//! mimalloc, through a small allocator-api2 adapter over its
//! `GlobalAlloc` (`mimalloc::MiMalloc`), kept to this package: nothing
//! outside the benchmarks depends on mimalloc.

use std::alloc::{GlobalAlloc, Layout};
use std::ptr::{self, NonNull};

use allocator_api2::alloc::{AllocError, Allocator};
use mimalloc::MiMalloc;

use super::Contender;
use crate::workloads::Workload;

/// allocator-api2's `Allocator` over `mimalloc::MiMalloc`: `mi_malloc_aligned`
/// and friends, through `GlobalAlloc`. Zero-size requests get a dangling,
/// aligned pointer and never reach mimalloc (`GlobalAlloc` forbids them).
///
/// ```
/// use alloc_bench::MiAlloc;
/// use allocator_api2::vec::Vec;
///
/// let mut v = Vec::new_in(&MiAlloc);
/// v.extend_from_slice(&[1u32, 2, 3]);
/// assert_eq!(v.iter().sum::<u32>(), 6);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct MiAlloc;

/// A dangling, aligned block of `len` (zero) bytes.
fn dangling(layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
    let ptr = NonNull::new(ptr::without_provenance_mut(layout.align())).ok_or(AllocError)?;
    Ok(NonNull::slice_from_raw_parts(ptr, 0))
}

/// `ptr` (mimalloc's answer) as a block of `len` bytes, or the failure.
fn block(ptr: *mut u8, len: usize) -> Result<NonNull<[u8]>, AllocError> {
    NonNull::new(ptr)
        .map(|ptr| NonNull::slice_from_raw_parts(ptr, len))
        .ok_or(AllocError)
}

// SAFETY: blocks come from mimalloc with at least the requested size and
// alignment and stay valid until `deallocate` (or a move by `grow`/`shrink`);
// zero-size blocks are dangling, aligned and never passed to mimalloc; the
// adapter has no state, so copies of it are interchangeable.
unsafe impl Allocator for MiAlloc {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.size() == 0 {
            return dangling(layout);
        }
        // SAFETY: `layout` has a non-zero size, as `GlobalAlloc::alloc` asks.
        block(unsafe { MiMalloc.alloc(layout) }, layout.size())
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        if layout.size() != 0 {
            // SAFETY: `deallocate`'s contract: `ptr` is a live block of this
            // allocator with `layout`, non-zero-sized so from `MiMalloc.alloc`
            // (or `realloc`) with that layout.
            unsafe { MiMalloc.dealloc(ptr.as_ptr(), layout) };
        }
    }

    #[inline]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if old.size() == 0 || old.align() != new.align() {
            let grown = self.allocate(new)?;
            // SAFETY: `grow`'s contract: `ptr` is valid for `old.size()`
            // bytes, at most `new.size()`; `grown` is a fresh block.
            unsafe {
                ptr.as_ptr()
                    .copy_to_nonoverlapping(grown.cast().as_ptr(), old.size());
            }
            // SAFETY: `ptr` is a live block of `self` with `old`, not used
            // again.
            unsafe { self.deallocate(ptr, old) };
            return Ok(grown);
        }
        // SAFETY: `ptr` came from `MiMalloc` with `old` (non-zero-sized), and
        // `new.size()` is at least `old.size()`, so non-zero.
        block(
            unsafe { MiMalloc.realloc(ptr.as_ptr(), old, new.size()) },
            new.size(),
        )
    }

    #[inline]
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if new.size() == 0 || old.align() != new.align() {
            let shrunk = self.allocate(new)?;
            // SAFETY: `shrink`'s contract: `ptr` is valid for `old.size()`
            // bytes, at least `new.size()`; `shrunk` is a fresh block.
            unsafe {
                ptr.as_ptr()
                    .copy_to_nonoverlapping(shrunk.cast().as_ptr(), new.size());
            }
            // SAFETY: `ptr` is a live block of `self` with `old`, not used
            // again.
            unsafe { self.deallocate(ptr, old) };
            return Ok(shrunk);
        }
        // SAFETY: `ptr` came from `MiMalloc` with `old`, non-zero-sized since
        // it is at least `new.size()`, which is not zero.
        block(
            unsafe { MiMalloc.realloc(ptr.as_ptr(), old, new.size()) },
            new.size(),
        )
    }
}

/// mimalloc through `&MiAlloc`.
pub struct Mimalloc(MiAlloc);

impl Mimalloc {
    /// The contender.
    pub const fn new() -> Self {
        Self(MiAlloc)
    }
}

impl Default for Mimalloc {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for Mimalloc {
    const NAME: &'static str = "mimalloc";

    type Arena<'s> = &'s MiAlloc;

    type Alloc<'a> = &'a MiAlloc;

    fn arena(&mut self) -> &MiAlloc {
        &self.0
    }

    fn alloc<'a>(arena: &'a &MiAlloc) -> &'a MiAlloc {
        arena
    }

    fn runs(w: Workload) -> bool {
        Workload::MALLOC.contains(&w)
    }

    unsafe fn free_blocks(arena: &&MiAlloc, blocks: &[(NonNull<u8>, Layout)]) {
        for &(block, layout) in blocks {
            // SAFETY: the caller's contract: a live block of `*arena` with
            // `layout`, not used again.
            unsafe { arena.deallocate(block, layout) };
        }
    }
}
