//! [`Global`]: the global allocator as a [`RawAlloc`] (feature `alloc`).
#![cfg(feature = "alloc")]
#![cfg_attr(docsrs, doc(cfg(feature = "alloc")))]

use core::alloc::Layout;
use core::ptr::NonNull;

use crate::{Alignment, Caller, RawAlloc};

/// The global allocator (`alloc::alloc::{alloc, dealloc}`, whatever
/// `#[global_allocator]` the program uses) as a [`RawAlloc`]: the default
/// parent for blocks that need one, and the parent of
/// `debug::test_allocator()`.
///
/// A unit struct: every value (and every copy) is the same allocator, so
/// memory from one may be freed through another. It keeps no records, so
/// [`validate`](RawAlloc::validate) answers `true`.
///
/// - **`remap` is `realloc`**: growing or shrinking at the same alignment
///   lets the global allocator extend the block where it is or move it
///   (glibc grows in place when the next chunk is free, and moves large
///   blocks with `mremap`), instead of the bridge's allocate, copy and free.
///   A change of alignment allocates, copies and frees. There is **no
///   in-place `resize`**: `realloc` cannot be told to stay in place.
/// - **Zero sizes**: a direct `alloc` of zero bytes is `None`; the
///   [`Handle`](crate::Handle) and the allocator-api2 bridge never make one.
/// - **Impossible requests**: a length that no [`Layout`] can describe
///   with the alignment (more than `isize::MAX` bytes once rounded up) is
///   `None`, never a panic; so is the global allocator running out.
///
/// `#[derive(Allocator)]` gives it the type-erased handle
/// (`Global.allocator()`) and the allocator-api2 `Allocator` impl, so
/// `allocator_api2::boxed::Box::new_in(x, Global)` and friends work.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Alignment, Caller, Global, RawAlloc};
///
/// let b = allocator_api2::boxed::Box::new_in([1u8; 100], Global);
/// assert_eq!(b.len(), 100);
///
/// let h = Global.allocator();
/// let p = h.create(5u32)?;
/// // SAFETY: from `create` on this allocator, destroyed once.
/// unsafe { h.destroy(p) };
///
/// assert!(Global.alloc(0, Alignment::ONE, Caller::here()).is_none());
/// assert!(Global.alloc(usize::MAX, Alignment::ONE, Caller::here()).is_none());
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(alloc_derive::Allocator, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Global;

// SAFETY: the global allocator hands out blocks valid for the layout's size
// and alignment and disjoint from everything else live, until `dealloc`,
// which receives the layout the block was allocated with (`free`'s and
// `resize`'s contract: same length and alignment as allocated). It does not
// depend on the `Global` value: all values and copies are one allocator, and
// moving one changes nothing. `alloc` answers a bad layout with `None`, and
// nothing here unwinds.
unsafe impl RawAlloc for Global {
    #[inline]
    fn alloc(&self, len: usize, align: Alignment, _: Caller) -> Option<NonNull<u8>> {
        let layout = align.layout(len)?;
        // SAFETY: the layout has a non-zero size.
        NonNull::new(unsafe { alloc::alloc::alloc(layout) })
    }

    #[inline]
    fn alloc_zeroed(&self, len: usize, align: Alignment, _: Caller) -> Option<NonNull<u8>> {
        let layout = align.layout(len)?;
        // SAFETY: the layout has a non-zero size.
        NonNull::new(unsafe { alloc::alloc::alloc_zeroed(layout) })
    }

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
        // SAFETY: the block was allocated by the global allocator with
        // `layout` and is live; `new_len` is non-zero and forms a valid
        // layout with the same alignment (checked above). On null the old
        // block is untouched and still the caller's.
        NonNull::new(unsafe {
            alloc::alloc::realloc(memory.cast::<u8>().as_ptr(), layout, new_len)
        })
    }

    #[inline]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, _: Caller) {
        // SAFETY: `free`'s contract: `memory` came from `alloc` with this
        // length and alignment, which formed a valid layout then.
        let layout = unsafe { Layout::from_size_align_unchecked(memory.len(), align.to_bytes()) };
        // SAFETY: as above: allocated by the global allocator with `layout`.
        unsafe { alloc::alloc::dealloc(memory.cast::<u8>().as_ptr(), layout) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use allocator_api2::vec::Vec;

    #[test]
    fn passes_the_conformance_suite() {
        testing::conformance(&Global);
    }

    #[test]
    fn refuses_zero_and_impossible_requests() {
        let huge = Alignment::new(1 << 20).unwrap();
        assert!(Global.alloc(0, Alignment::ONE, Caller::here()).is_none());
        assert!(
            Global
                .alloc(usize::MAX, Alignment::ONE, Caller::here())
                .is_none()
        );
        assert!(
            Global
                .alloc(isize::MAX as usize, huge, Caller::here())
                .is_none()
        );
    }

    #[test]
    fn copies_are_one_allocator() {
        let (a, b) = (Global, Global);
        let mut v: Vec<u64, Global> = Vec::new_in(a);
        v.extend(0..100);
        let p = a.alloc(24, Alignment::of::<u64>(), Caller::here()).unwrap();
        assert!(Alignment::of::<u64>().is_aligned(p.addr().get()));
        // SAFETY: allocated by `a` with this length and alignment; `b` is
        // the same allocator. Freed once.
        unsafe {
            b.free(
                NonNull::slice_from_raw_parts(p, 24),
                Alignment::of::<u64>(),
                Caller::here(),
            )
        };
        assert_eq!(v.iter().sum::<u64>(), 4950);
    }

    #[test]
    fn remap_keeps_contents_at_any_alignment_and_refuses_impossible_lengths() {
        for align in [1usize, 8, 64, 4096] {
            let align = Alignment::new(align).unwrap();
            let p = Global.alloc(16, align, Caller::here()).unwrap();
            // SAFETY: `p` is a live 16-byte block.
            unsafe { p.as_ptr().copy_from_nonoverlapping([7u8; 16].as_ptr(), 16) };
            let block = NonNull::slice_from_raw_parts(p, 16);
            // SAFETY: a live block of `Global` with this length and alignment.
            let grown = unsafe { Global.remap(block, align, 100_000, Caller::here()) }.unwrap();
            assert!(align.is_aligned(grown.addr().get()));
            // SAFETY: `grown` is the live block of 100,000 bytes.
            let kept = unsafe { core::slice::from_raw_parts(grown.as_ptr(), 16) };
            assert_eq!(kept, [7u8; 16]);
            let grown = NonNull::slice_from_raw_parts(grown, 100_000);
            // SAFETY: `grown` is the live block as remapped, at its
            // alignment; a refused remap leaves it live and unchanged.
            let zero = unsafe { Global.remap(grown, align, 0, Caller::here()) };
            assert!(zero.is_none());
            // More than any `Layout` can describe: refused before `realloc`.
            let huge = isize::MAX as usize + 1;
            // SAFETY: as above.
            let too_large = unsafe { Global.remap(grown, align, huge, Caller::here()) };
            assert!(too_large.is_none());
            // SAFETY: as above.
            let shrunk = unsafe { Global.remap(grown, align, 8, Caller::here()) }.unwrap();
            // SAFETY: `shrunk` is the live block of 8 bytes.
            let kept = unsafe { core::slice::from_raw_parts(shrunk.as_ptr(), 8) };
            assert_eq!(kept, [7u8; 8]);
            let shrunk = NonNull::slice_from_raw_parts(shrunk, 8);
            // SAFETY: the live block, freed once at its alignment.
            unsafe { Global.free(shrunk, align, Caller::here()) };
        }
    }

    #[test]
    fn a_vec_grows_through_remap() {
        let counted = crate::Counting::new(Global);
        let mut v: Vec<u64, _> = Vec::new_in(&counted);
        for i in 0..10_000 {
            v.push(i); // doubles its capacity 11 times
        }
        let stats = counted.stats();
        assert!(stats.remaps > 0, "{stats:?}");
        assert_eq!(stats.allocations, 1, "growth went through remap: {stats:?}");
        assert_eq!(v.iter().sum::<u64>(), 49_995_000);
    }

    #[test]
    fn never_validates_false() {
        let memory = NonNull::slice_from_raw_parts(NonNull::<u8>::dangling(), 8);
        assert!(Global.validate(memory, Alignment::ONE, Caller::here()));
    }
}
