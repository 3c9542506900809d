//! A conformance suite for allocators: run it on your own.
//!
//! In the spirit of Zig's `std.heap.testAllocator`, `testAllocatorAligned`,
//! `testAllocatorLargeAlignment` and `testAllocatorAlignedShrink`:
//! [`conformance`] drives an allocator through its four functions, the
//! [`Handle`](crate::Handle) and the allocator-api2 bridge, and panics with a
//! message naming the broken promise. Every building block of this crate
//! runs it in its tests.
//!
//! The suite needs a buffer of [`CONFORMANCE_BYTES`] (a parameter of
//! [`Conformance`]): a bump allocator of that size passes, although blocks
//! are freed out of order and moved. It frees everything it allocates. Its
//! cases are public functions too, so a test can run one on its own, and
//! [`reset_reuses_the_first_address`] is the case for allocators with a
//! `reset`.
//!
//! # Examples
//!
//! ```
//! use alloc_runtime::{testing, Alignment, Allocator, Caller, RawAlloc};
//! use core::{cell::Cell, ptr::NonNull};
//!
//! /// A user's allocator: hands out 64-byte-aligned slots of one static pool.
//! #[derive(Allocator)]
//! struct Slots<'a> {
//!     pool: alloc_runtime::Bump<'a>,
//! }
//!
//! // SAFETY: every call is forwarded to the `Bump`, which upholds the contract.
//! unsafe impl RawAlloc for Slots<'_> {
//!     fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
//!         RawAlloc::alloc(&self.pool, len, align.max(Alignment::new(64).unwrap()), caller)
//!     }
//!     unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
//!         let align = align.max(Alignment::new(64).unwrap());
//!         // SAFETY: `memory` came from `self.pool` with this alignment.
//!         unsafe { self.pool.free(memory, align, caller) }
//!     }
//! }
//!
//! let mut buf = [core::mem::MaybeUninit::uninit(); 4 * testing::CONFORMANCE_BYTES];
//! testing::conformance(&Slots { pool: alloc_runtime::Bump::new(&mut buf) });
//! ```

use crate::RawAlloc;

#[cfg(feature = "alloc")]
pub mod api2;
mod cases;
mod moves;
mod pattern;
mod shim;

#[cfg(test)]
pub(crate) mod record;

#[cfg(feature = "alloc")]
pub use cases::collections;
pub use cases::{
    aligned, aligned_shrink, basic, impossible_requests_fail, large_alignment,
    realloc_keeps_contents, zero_size_requests_are_not_passed_on,
};
pub use moves::{
    CHAIN, CHAIN_ALIGNMENT, OUT_OF_ORDER_BLOCKS, frees_out_of_order,
    grows_a_block_that_is_not_the_most_recent, grows_and_shrinks_at_each_alignment, large_blocks,
    reallocs_from_an_empty_slice, reset_reuses_the_first_address,
    shrink_grow_chain_at_large_alignment,
};

/// The memory [`conformance`] assumes the allocator can supply, in bytes:
/// the default of [`Conformance::buffer_bytes`], and the smallest buffer
/// it accepts.
///
/// A bump allocator of this size passes: the suite holds at most half of
/// it at once, and what a bump cannot take back (blocks freed out of order,
/// the old places of moved blocks, alignment padding) fits in the rest.
pub const CONFORMANCE_BYTES: usize = 272 * 1024;

/// The largest alignment the suite asks for.
pub const LARGEST_ALIGNMENT: usize = 4096;

/// How to run the conformance suite: the size of the memory the allocator
/// under test can supply.
///
/// [`conformance`] runs it with the defaults. The cases are sized from
/// [`buffer_bytes`](Self::buffer_bytes): the large blocks are a quarter of
/// it (at least 64 KiB + 16 bytes, so the smallest buffer accepted is
/// [`CONFORMANCE_BYTES`]); every other case needs a fixed, small amount.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{testing::Conformance, Bump};
///
/// // A megabyte of uninitialized room for the bump.
/// let mut storage = Vec::<u8>::with_capacity(1 << 20);
/// let bump = Bump::new(&mut storage.spare_capacity_mut()[..1 << 20]);
/// let suite = Conformance::new().buffer_bytes(1 << 20);
/// assert_eq!(suite.large_block(), 256 * 1024);
/// suite.run(&bump);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conformance {
    /// The memory the allocator under test can supply, in bytes.
    buffer_bytes: usize,
}

impl Default for Conformance {
    fn default() -> Self {
        Self::new()
    }
}

impl Conformance {
    /// The defaults: a buffer of [`CONFORMANCE_BYTES`].
    ///
    /// ```
    /// use alloc_runtime::testing::{Conformance, CONFORMANCE_BYTES};
    /// assert_eq!(Conformance::new().large_block(), CONFORMANCE_BYTES / 4);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            buffer_bytes: CONFORMANCE_BYTES,
        }
    }

    /// The suite with the allocator under test able to supply `bytes` (a
    /// fixed buffer's size; for an allocator without a fixed limit, what the
    /// test may use).
    ///
    /// # Panics
    ///
    /// When `bytes` is less than [`CONFORMANCE_BYTES`].
    ///
    /// ```
    /// use alloc_runtime::testing::Conformance;
    /// let suite = Conformance::new().buffer_bytes(4 << 20);
    /// assert_eq!(suite.large_block(), 1 << 20);
    /// ```
    #[must_use]
    #[track_caller]
    pub const fn buffer_bytes(self, bytes: usize) -> Self {
        assert!(
            bytes >= CONFORMANCE_BYTES,
            "the conformance suite needs a buffer of at least testing::CONFORMANCE_BYTES bytes; pass a larger one"
        );
        Self {
            buffer_bytes: bytes,
        }
    }

    /// The size of the blocks of [`large_blocks`]: a quarter of the buffer,
    /// over 64 KiB.
    ///
    /// ```
    /// use alloc_runtime::testing::Conformance;
    /// assert!(Conformance::new().large_block() > 64 * 1024);
    /// ```
    #[must_use]
    pub const fn large_block(&self) -> usize {
        self.buffer_bytes / 4
    }

    /// Runs every case of this module on `a`, through a shim that also
    /// checks each call: no zero length reaches `resize`, `remap` or `free`,
    /// whatever `alloc` and `remap` return is aligned as asked, and
    /// [`RawAlloc::validate`] owns every block the suite hands back.
    ///
    /// # Panics
    ///
    /// When `a` breaks a promise of [`RawAlloc`]: memory not aligned,
    /// overlapping another live block, not keeping its contents across a
    /// resize or move, a zero-size request reaching it, a request of
    /// `usize::MAX` bytes that succeeds, and so on. The message says which.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::{testing::{Conformance, CONFORMANCE_BYTES}, Bump};
    /// let mut buf = [core::mem::MaybeUninit::uninit(); CONFORMANCE_BYTES];
    /// Conformance::new().run(&Bump::new(&mut buf));
    /// ```
    #[track_caller]
    pub fn run<A: RawAlloc>(&self, a: &A) {
        let a = &shim::Checked(a);
        basic(a);
        aligned(a);
        large_alignment(a);
        aligned_shrink(a);
        realloc_keeps_contents(a);
        zero_size_requests_are_not_passed_on(a);
        impossible_requests_fail(a);
        frees_out_of_order(a);
        grows_a_block_that_is_not_the_most_recent(a);
        reallocs_from_an_empty_slice(a);
        grows_and_shrinks_at_each_alignment(a);
        shrink_grow_chain_at_large_alignment(a);
        large_blocks(a, self.large_block());
        #[cfg(feature = "alloc")]
        collections(a);
    }
}

/// Runs every check of this module on `a`: [`Conformance::run`] with the
/// defaults (a buffer of [`CONFORMANCE_BYTES`]).
///
/// # Panics
///
/// When `a` breaks a promise of [`RawAlloc`]; the message says which.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{testing, Bump};
/// let mut buf = [core::mem::MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
/// testing::conformance(&Bump::new(&mut buf));
/// ```
#[track_caller]
pub fn conformance<A: RawAlloc>(a: &A) {
    Conformance::new().run(a);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Alignment, Bump, Caller};
    use core::mem::MaybeUninit;
    use core::ptr::NonNull;

    /// How [`Broken`] breaks `remap`.
    #[derive(Clone, Copy)]
    enum Bug {
        /// Moves to a fresh block without copying (zeroes it instead).
        ForgetsContents,
        /// Shrinks to one byte past the old address.
        Misaligns,
    }

    /// A bump whose `resize` always refuses and whose `remap` has `Bug`.
    struct Broken<'a>(Bump<'a>, Bug);

    // SAFETY: the memory it hands out is the bump's (disjoint, valid,
    // aligned); only `remap`'s promises (contents kept, result aligned) are
    // broken, on purpose, and the tests that use it stop at the first wrong
    // result, before anything relies on those promises.
    unsafe impl RawAlloc for Broken<'_> {
        fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
            RawAlloc::alloc(&self.0, len, align, caller)
        }

        unsafe fn remap(
            &self,
            memory: NonNull<[u8]>,
            align: Alignment,
            new_len: usize,
            caller: Caller,
        ) -> Option<NonNull<u8>> {
            match self.1 {
                Bug::ForgetsContents => {
                    let new = RawAlloc::alloc(&self.0, new_len, align, caller)?;
                    // SAFETY: `new` is `new_len` writable bytes.
                    unsafe { new.write_bytes(0, new_len) };
                    Some(new)
                }
                Bug::Misaligns if new_len < memory.len() && align.to_bytes() > 1 => {
                    // SAFETY: one byte into the old block, which has room for
                    // `new_len` more bytes after it.
                    Some(unsafe { memory.cast::<u8>().add(1) })
                }
                Bug::Misaligns => None,
            }
        }

        unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
            // SAFETY: the caller upholds `free`'s contract.
            unsafe { self.0.free(memory, align, caller) }
        }
    }

    #[test]
    #[should_panic(
        expected = "grows_a_block_that_is_not_the_most_recent: byte 0 of block 3 was overwritten"
    )]
    fn catches_a_move_that_loses_the_contents() {
        let mut buf = [MaybeUninit::uninit(); 4096];
        let broken = Broken(Bump::new(&mut buf), Bug::ForgetsContents);
        grows_a_block_that_is_not_the_most_recent(&shim::Checked(&broken));
    }

    #[test]
    #[should_panic(expected = "remap: ")]
    fn the_shim_catches_a_misaligned_remap() {
        let mut buf = [MaybeUninit::uninit(); 4096];
        let broken = Broken(Bump::new(&mut buf), Bug::Misaligns);
        grows_and_shrinks_at_each_alignment(&shim::Checked(&broken));
    }

    #[test]
    #[should_panic(expected = "a zero length reached free")]
    fn the_shim_catches_a_zero_length_free() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let empty = NonNull::slice_from_raw_parts(NonNull::<u8>::dangling(), 0);
        // SAFETY: a zero-length free is allowed to reach an allocator
        // directly; the shim refuses to pass one on.
        unsafe { shim::Checked(&bump).free(empty, Alignment::ONE, Caller::here()) };
    }

    #[test]
    #[should_panic(expected = "a zero length reached resize")]
    fn the_shim_catches_a_resize_to_zero() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let p = RawAlloc::alloc(&bump, 8, Alignment::ONE, Caller::here()).unwrap();
        let block = NonNull::slice_from_raw_parts(p, 8);
        // SAFETY: `block` is the live 8-byte allocation; a zero length is
        // what the shim must stop.
        unsafe { shim::Checked(&bump).resize(block, Alignment::ONE, 0, Caller::here()) };
    }

    #[test]
    #[should_panic(expected = "validate disowned a live block of 1000 bytes (align 8) before free")]
    fn the_shim_catches_a_validate_that_disowns_a_live_block() {
        let mut buf = [MaybeUninit::uninit(); 4096];
        let rec = record::Recording::new(Bump::new(&mut buf));
        rec.valid.set(false);
        basic(&shim::Checked(&rec));
    }

    #[test]
    fn a_smaller_buffer_than_the_suite_needs_is_refused() {
        let refused = std::panic::catch_unwind(|| Conformance::new().buffer_bytes(1024));
        assert!(refused.is_err());
    }
}
