//! [`FreeList`]: recycles freed blocks of one size range over a parent;
//! [`SizeClasses`]: many free lists, one per size class, over one parent.

use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

mod size_classes;
mod stack;
#[cfg(test)]
mod tests;

pub use size_classes::SizeClasses;

/// The largest power of two at most `min(len, 16)`: the alignment the
/// pools serve for blocks of `len` bytes (16 covers every scalar and the
/// SIMD-aligned tables of `hashbrown`). `len` is at least 1.
const fn served_alignment(len: usize) -> Alignment {
    let capped = if len < 16 { len } else { 16 };
    match Alignment::new(1 << capped.ilog2()) {
        Some(a) => a,
        None => Alignment::ONE,
    }
}

/// Recycles freed blocks of `MIN..=MAX` bytes (D's `FreeList`, Zig's
/// `std.heap.MemoryPool`): every such request gets a block of the *block
/// length* from the parent, and a freed one is kept for the next request
/// instead of going back, up to a bound. Other requests go to the parent
/// unchanged.
///
/// - **Block length**: `max(MAX, size_of::<*mut u8>())` (a kept block
///   holds the link to the next one).
/// - **Alignment served**: the largest power of two at most
///   `min(block length, 16)`; a request in the length range that asks for
///   more goes to the parent unchanged.
/// - **Bound**: [`with_max_kept`](Self::with_max_kept) caps the number of
///   blocks kept; frees past it go back to the parent.
/// - **`resize` / `remap`**: within the range, in place at no cost (the
///   block is already `MAX` bytes); both lengths outside it, the parent's;
///   across the edge, refused, so the caller (the allocator-api2 bridge,
///   [`Handle::realloc`](crate::Handle::realloc)) moves the block.
/// - **Drop**: every kept block goes back to the parent with the length
///   and alignment it was allocated with. Blocks still handed out are the
///   caller's to free before the free list is dropped, as with any
///   allocator.
///
/// A hit is a pop of the kept stack: a load of the top block, a load of
/// its link, two stores. The free list is not `Sync` (its stack is in
/// `Cell`s).
///
/// `MIN` must be at least 1 and at most `MAX`; other values do not compile.
///
/// # Miri
///
/// A block comes back through the pointer its user frees, and the pool
/// reuses or returns that pointer. A `Box<T>` (allocator-api2's or std's)
/// narrows its pointer's provenance to `size_of::<T>()` bytes, so under
/// Miri's default Stacked Borrows model a block of a boxed value shorter
/// than the block is reported when it is later written past that size or
/// given back to the parent: rust-lang/miri#2104, which every allocator
/// that hands out more than is asked meets (Windows' `System` included).
/// Tree Borrows (`-Zmiri-tree-borrows`) accepts it; blocks used through
/// `Vec`, `hashbrown` or raw pointers are not affected.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Counting, FreeList, Global};
/// use allocator_api2::boxed::Box;
///
/// // Nodes of 24 to 32 bytes, recycled over the global allocator.
/// let pool: FreeList<Counting<Global>, 24, 32> = FreeList::new(Counting::new(Global));
/// let first = Box::new_in([1u64; 3], &pool);
/// let address = &*first as *const _ as usize;
/// drop(first);
/// assert_eq!(pool.kept(), 1);
/// let second = Box::new_in([2u64; 4], &pool); // 32 bytes: the same block
/// assert_eq!(&*second as *const _ as usize, address);
/// assert_eq!(pool.inner().stats().allocations, 1, "one trip to the parent");
/// ```
#[derive(alloc_derive::Allocator)]
pub struct FreeList<A: RawAlloc, const MIN: usize, const MAX: usize> {
    parent: A,
    /// Freed blocks, each of [`Self::BLOCK_LEN`] bytes allocated from
    /// `parent` with [`Self::BLOCK_ALIGN`]; at most `max_kept` of them.
    kept: stack::Stack,
    max_kept: usize,
}

impl<A: RawAlloc, const MIN: usize, const MAX: usize> FreeList<A, MIN, MAX> {
    /// The length of every block the free list takes from its parent:
    /// `max(MAX, size_of::<*mut u8>())`.
    ///
    /// ```
    /// use alloc_runtime::{FreeList, Global};
    /// assert_eq!(FreeList::<Global, 1, 64>::BLOCK_LEN, 64);
    /// assert_eq!(FreeList::<Global, 1, 2>::BLOCK_LEN, size_of::<*mut u8>());
    /// ```
    pub const BLOCK_LEN: usize = if MAX < size_of::<*mut u8>() {
        size_of::<*mut u8>()
    } else {
        MAX
    };

    /// The alignment of every block the free list takes from its parent,
    /// and the largest it serves: the largest power of two at most
    /// `min(BLOCK_LEN, 16)`.
    ///
    /// ```
    /// use alloc_runtime::{FreeList, Global};
    /// assert_eq!(FreeList::<Global, 1, 64>::BLOCK_ALIGN.to_bytes(), 16);
    /// assert_eq!(FreeList::<Global, 1, 12>::BLOCK_ALIGN.to_bytes(), 8);
    /// ```
    pub const BLOCK_ALIGN: Alignment = served_alignment(Self::BLOCK_LEN);

    /// A free list over `parent` that keeps every freed block (until it is
    /// dropped, when they go back to the parent).
    ///
    /// ```
    /// use alloc_runtime::{FreeList, Global};
    ///
    /// // `const`, so it can initialize a `thread_local!` or a `const` item.
    /// let pool: FreeList<Global, 8, 8> = const { FreeList::new(Global) };
    /// assert_eq!((pool.kept(), pool.max_kept()), (0, usize::MAX));
    /// ```
    pub const fn new(parent: A) -> Self {
        Self::with_max_kept(parent, usize::MAX)
    }

    /// A free list over `parent` that keeps at most `max_kept` freed
    /// blocks; further frees go back to the parent.
    ///
    /// ```
    /// use alloc_runtime::{Counting, FreeList, Global};
    /// use allocator_api2::boxed::Box;
    ///
    /// let pool: FreeList<_, 1, 16> = FreeList::with_max_kept(Counting::new(Global), 1);
    /// let (a, b) = (Box::new_in(1u8, &pool), Box::new_in(2u8, &pool));
    /// drop((a, b));
    /// assert_eq!(pool.kept(), 1);
    /// assert_eq!(pool.inner().stats().frees, 1, "the second went back");
    /// ```
    ///
    /// Nonsense parameters are refused when the type is used:
    ///
    /// ```compile_fail
    /// use alloc_runtime::{FreeList, Global};
    /// let pool: FreeList<Global, 64, 8> = FreeList::new(Global); // MIN > MAX
    /// ```
    ///
    /// ```compile_fail
    /// use alloc_runtime::{FreeList, Global};
    /// let pool: FreeList<Global, 0, 8> = FreeList::new(Global); // MIN == 0
    /// ```
    pub const fn with_max_kept(parent: A, max_kept: usize) -> Self {
        const {
            assert!(
                MIN >= 1,
                "FreeList: MIN is 0, but zero-size requests never reach an allocator; write 1 for the smallest length"
            );
            assert!(
                MIN <= MAX,
                "FreeList: MIN is larger than MAX, so no request is in range; write FreeList<A, MIN, MAX> with MIN <= MAX"
            );
        }
        Self {
            parent,
            kept: stack::Stack::new(),
            max_kept,
        }
    }

    /// The number of freed blocks kept for reuse.
    ///
    /// ```
    /// use alloc_runtime::{FreeList, Global};
    /// use allocator_api2::boxed::Box;
    ///
    /// let pool: FreeList<Global, 1, 16> = FreeList::new(Global);
    /// drop(Box::new_in(7u32, &pool));
    /// assert_eq!(pool.kept(), 1);
    /// ```
    pub fn kept(&self) -> usize {
        self.kept.len()
    }

    /// The bound on kept blocks (`usize::MAX` for [`new`](Self::new)).
    ///
    /// ```
    /// use alloc_runtime::{FreeList, Global};
    /// let pool: FreeList<Global, 1, 16> = FreeList::with_max_kept(Global, 3);
    /// assert_eq!(pool.max_kept(), 3);
    /// ```
    pub const fn max_kept(&self) -> usize {
        self.max_kept
    }

    /// The parent.
    ///
    /// ```
    /// use alloc_runtime::{Counting, FreeList, Global};
    /// let pool: FreeList<_, 1, 16> = FreeList::new(Counting::new(Global));
    /// assert_eq!(pool.inner().stats().allocations, 0);
    /// ```
    pub const fn inner(&self) -> &A {
        &self.parent
    }

    /// Whether a block of `len` bytes at `align` is served from the kept
    /// blocks: one subtract and two compares.
    #[inline(always)]
    const fn in_range(len: usize, align: Alignment) -> bool {
        len.wrapping_sub(MIN) <= MAX - MIN && align.to_bytes() <= Self::BLOCK_ALIGN.to_bytes()
    }

    /// The whole parent block behind a block handed out in range.
    #[inline(always)]
    fn block(ptr: NonNull<u8>) -> NonNull<[u8]> {
        NonNull::slice_from_raw_parts(ptr, Self::BLOCK_LEN)
    }

    /// Every request the kept stack does not serve, out of line with the
    /// hit's own arguments (a tail call, so the hit path saves no
    /// registers): a fresh block from the parent for a request in range,
    /// the request itself for one out of range.
    #[inline(never)]
    fn miss(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if Self::in_range(len, align) {
            self.parent
                .alloc(Self::BLOCK_LEN, Self::BLOCK_ALIGN, caller)
        } else {
            self.parent.alloc(len, align, caller)
        }
    }
}

impl<A: RawAlloc + core::fmt::Debug, const MIN: usize, const MAX: usize> core::fmt::Debug
    for FreeList<A, MIN, MAX>
{
    /// The parent, the number of kept blocks and the bound.
    ///
    /// ```
    /// use alloc_runtime::{FreeList, Global};
    /// let pool: FreeList<Global, 1, 8> = FreeList::with_max_kept(Global, 4);
    /// assert_eq!(format!("{pool:?}"), "FreeList { parent: Global, kept: 0, max_kept: 4 }");
    /// ```
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FreeList")
            .field("parent", &self.parent)
            .field("kept", &self.kept())
            .field("max_kept", &self.max_kept)
            .finish()
    }
}

impl<A: RawAlloc, const MIN: usize, const MAX: usize> Drop for FreeList<A, MIN, MAX> {
    fn drop(&mut self) {
        while let Some(block) = self.kept.pop() {
            // SAFETY: every kept block was allocated from `parent` with
            // `BLOCK_LEN` and `BLOCK_ALIGN` (the invariant on `kept`), is
            // live there and is used by no one (it was freed to us).
            unsafe {
                self.parent
                    .free(Self::block(block), Self::BLOCK_ALIGN, Caller::here());
            }
        }
    }
}

// SAFETY: a request in range gets either a kept block or a fresh parent
// block, both of `BLOCK_LEN >= MAX >= len` bytes at `BLOCK_ALIGN >= align`,
// and nobody else's: kept blocks were freed to us (`free`'s contract: not
// used again) and are popped once. Blocks are given back to the parent with
// the length and alignment they were allocated with: in range, `BLOCK_LEN`
// and `BLOCK_ALIGN`; out of range, the caller's own `(len, align)`, which
// `free`'s contract makes the same as at allocation, so the routing is the
// same at both ends. `resize` within the range keeps the block (it has
// `BLOCK_LEN` bytes); across the edge it refuses. The parent's blocks stay
// valid while the free list (which owns the parent) lives.
unsafe impl<A: RawAlloc, const MIN: usize, const MAX: usize> RawAlloc for FreeList<A, MIN, MAX> {
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if Self::in_range(len, align) {
            if let Some(block) = self.kept.pop() {
                return Some(block);
            }
        }
        self.miss(len, align, caller)
    }

    #[inline(always)]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        match (
            Self::in_range(memory.len(), align),
            Self::in_range(new_len, align),
        ) {
            (true, true) => true,
            // SAFETY: out of range, `memory` is the parent's own block with
            // its length and alignment (`resize`'s contract, routed the same
            // way as at allocation); `new_len > 0` by the same contract.
            (false, false) => unsafe { self.parent.resize(memory, align, new_len, caller) },
            _ => false,
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
        match (
            Self::in_range(memory.len(), align),
            Self::in_range(new_len, align),
        ) {
            (true, true) => Some(memory.cast()),
            // SAFETY: as in `resize`: the parent's own block, as allocated.
            (false, false) => unsafe { self.parent.remap(memory, align, new_len, caller) },
            _ => None,
        }
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        if !Self::in_range(memory.len(), align) {
            // SAFETY: out of range, `memory` is the parent's block with the
            // length and alignment it was allocated with (`free`'s contract).
            unsafe { self.parent.free(memory, align, caller) };
        } else if self.kept.len() < self.max_kept {
            // SAFETY: `memory` is a block of `BLOCK_LEN >= size_of::<*mut
            // u8>()` bytes from the parent, live there while the free list
            // lives, and the caller does not use it again (`free`'s
            // contract): it is ours to keep.
            unsafe { self.kept.push(memory.cast()) };
        } else {
            // SAFETY: in range, the block was allocated from the parent with
            // `BLOCK_LEN` and `BLOCK_ALIGN`, and is not used again.
            unsafe {
                self.parent
                    .free(Self::block(memory.cast()), Self::BLOCK_ALIGN, caller);
            }
        }
    }

    #[inline]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        if Self::in_range(memory.len(), align) {
            self.parent
                .validate(Self::block(memory.cast()), Self::BLOCK_ALIGN, caller)
        } else {
            self.parent.validate(memory, align, caller)
        }
    }
}

// SAFETY: every block the free list hands out is a parent block or, in
// range, a prefix of one (`BLOCK_LEN` bytes from the same address), live in
// the parent while handed out, so the parent answers `true` for it (the
// `Owns` contract's promise for a block and a prefix of it). Kept blocks
// are live parent blocks too, and they are memory the free list manages,
// so the parent's `true` for a stale pointer into one does not answer for
// anyone else's memory; a range disjoint from all of the parent's memory is
// disjoint from all of ours, and the parent answers `false`. Address
// question only, forwarded unchanged.
unsafe impl<A: RawAlloc + Owns, const MIN: usize, const MAX: usize> Owns for FreeList<A, MIN, MAX> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.parent.owns(memory)
    }
}
