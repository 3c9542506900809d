//! The cases Zig's `testAllocator*` and `FixedBufferAllocator` tests have
//! beyond the first ones: frees out of order, blocks that must move, empty
//! starts, every small alignment, long shrink/grow chains and large blocks.

use core::alloc::Layout;
use core::ptr::NonNull;

use super::LARGEST_ALIGNMENT;
use super::pattern::{assert_aligned, check, fill};
use crate::{Alignment, Caller, Handle, RawAlloc, bridge};

/// How many blocks [`frees_out_of_order`] holds, as in Zig's `testAllocator`.
pub const OUT_OF_ORDER_BLOCKS: usize = 100;

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).expect("valid layout")
}

/// Allocates through the bridge and checks the block's alignment and size.
#[track_caller]
fn allocate<A: RawAlloc>(a: &A, layout: Layout, what: &str) -> NonNull<u8> {
    let block = bridge::allocate(a, layout)
        .unwrap_or_else(|_| panic!("{what}: refused {} bytes", layout.size()));
    assert_eq!(block.len(), layout.size(), "{what}: wrong length");
    assert_aligned(block.cast(), Alignment::of_layout(layout), what);
    block.cast()
}

/// Moves the block at `ptr` from `old` to `new` through the bridge's `grow`
/// or `shrink` (by size), and checks that the first `min` bytes of block
/// `tag` came along and the result is aligned.
///
/// # Safety
///
/// `ptr` is a live block of `a` with layout `old`, its first `old.size()`
/// bytes filled with block `tag`'s pattern.
#[track_caller]
unsafe fn change<A: RawAlloc>(
    a: &A,
    ptr: NonNull<u8>,
    old: Layout,
    new: Layout,
    tag: usize,
    what: &str,
) -> NonNull<u8> {
    let moved = if new.size() >= old.size() {
        // SAFETY: the function's contract; the new size is not smaller.
        unsafe { bridge::grow(a, ptr, old, new) }
    } else {
        // SAFETY: the function's contract; the new size is smaller.
        unsafe { bridge::shrink(a, ptr, old, new) }
    };
    let moved = moved.unwrap_or_else(|_| {
        panic!(
            "{what}: refused {} -> {} bytes at {}",
            old.size(),
            new.size(),
            new.align()
        )
    });
    assert_eq!(moved.len(), new.size(), "{what}: wrong length");
    let moved = moved.cast::<u8>();
    assert_aligned(moved, Alignment::of_layout(new), what);
    // SAFETY: the move kept the first `min` bytes, filled by the caller.
    unsafe { check(moved, old.size().min(new.size()), tag, what) };
    moved
}

/// Zig's `testAllocator` frees its 100 blocks oldest first: blocks freed out
/// of allocation order leave the others intact, and the allocator usable.
#[track_caller]
pub fn frees_out_of_order<A: RawAlloc>(a: &A) {
    let len = 24;
    let align = Alignment::of::<u64>();
    let mut blocks = [NonNull::<u8>::dangling(); OUT_OF_ORDER_BLOCKS];
    for (tag, block) in blocks.iter_mut().enumerate() {
        *block = a
            .alloc(len, align, Caller::here())
            .unwrap_or_else(|| panic!("frees_out_of_order: refused block {tag}"));
        assert_aligned(*block, align, "frees_out_of_order");
        // SAFETY: a fresh block of `len` bytes.
        unsafe { fill(*block, len, tag) };
    }
    for (tag, &block) in blocks.iter().enumerate() {
        // SAFETY: every block is live and was filled above; the ones not
        // yet freed must still hold their pattern.
        unsafe { check(block, len, tag, "frees_out_of_order (before)") };
        // SAFETY: a live block of `a` with this length and alignment, freed once.
        unsafe {
            a.free(
                NonNull::slice_from_raw_parts(block, len),
                align,
                Caller::here(),
            )
        };
        // The next block (likely its neighbour) and the newest one after
        // each free; all those left at the half-way mark.
        let first = tag + 1;
        let last = OUT_OF_ORDER_BLOCKS - 1;
        let check_all = tag == OUT_OF_ORDER_BLOCKS / 2;
        for (later, &other) in blocks.iter().enumerate().skip(first) {
            if check_all || later == first || later == last {
                // SAFETY: blocks after `tag` are still live and filled.
                unsafe {
                    check(
                        other,
                        len,
                        later,
                        "frees_out_of_order (a free hit a live block)",
                    )
                };
            }
        }
    }
}

/// Grows a block that is not the most recent one, so a bump allocator must
/// take the allocate-copy-free path of the bridge and of
/// [`Handle::realloc`]; contents and alignment are checked.
#[track_caller]
pub fn grows_a_block_that_is_not_the_most_recent<A: RawAlloc>(a: &A) {
    let what = "grows_a_block_that_is_not_the_most_recent";
    let (old, new) = (layout(100, 16), layout(1000, 16));
    let ptr = allocate(a, old, what);
    // SAFETY: a fresh block of 100 bytes.
    unsafe { fill(ptr, old.size(), 3) };
    let pin = allocate(a, layout(8, 8), what);
    // SAFETY: `ptr` is live with layout `old`, filled with block 3's pattern.
    let grown = unsafe { change(a, ptr, old, new, 3, what) };
    // SAFETY: live with layout `new`; then the pin, live with its layout.
    unsafe { bridge::deallocate(a, grown, new) };
    // SAFETY: as above.
    unsafe { bridge::deallocate(a, pin, layout(8, 8)) };

    let h = Handle::new(a);
    let slice = h.dupe(&[7u64, 8, 9, 10]).expect("realloc: dupe refused");
    let pin = h.create(1u16).expect("realloc: pin refused");
    // SAFETY: `slice` came from `dupe` on `h` with this length.
    let grown = unsafe { h.realloc(slice, 60) }.expect("realloc: grow refused");
    assert_aligned(grown.cast(), Alignment::of::<u64>(), what);
    // SAFETY: `realloc` kept the four elements `dupe` initialized.
    let kept = unsafe { core::slice::from_raw_parts(grown.cast::<u64>().as_ptr(), 4) };
    assert_eq!(kept, [7, 8, 9, 10], "{what}: realloc lost the contents");
    // SAFETY: `grown` is live with length 60; `pin` came from `create`.
    unsafe { h.free_slice(grown) };
    // SAFETY: as above.
    unsafe { h.destroy(pin) };
}

/// Reallocating from an empty (zero-size) block at every alignment up to
/// [`LARGEST_ALIGNMENT`]: the bridge's `grow` from a zero-size layout, and
/// [`Handle::realloc`] from an empty slice.
#[track_caller]
pub fn reallocs_from_an_empty_slice<A: RawAlloc>(a: &A) {
    let what = "reallocs_from_an_empty_slice";
    let mut align = 1;
    while align <= LARGEST_ALIGNMENT {
        let empty = layout(0, align);
        let start = allocate(a, empty, what);
        let new = layout(align.max(24), align);
        // SAFETY: `start` is the zero-size block just allocated with `empty`.
        let grown = unsafe { bridge::grow(a, start, empty, new) }
            .unwrap_or_else(|_| panic!("{what}: refused to grow from empty at {align}"));
        assert_aligned(grown.cast(), Alignment::of_layout(new), what);
        // SAFETY: a block of `new.size()` writable bytes.
        unsafe { fill(grown.cast(), new.size(), align) };
        // SAFETY: filled just above.
        unsafe { check(grown.cast(), new.size(), align, what) };
        // SAFETY: live with layout `new`.
        unsafe { bridge::deallocate(a, grown.cast(), new) };
        align *= 2;
    }
    let h = Handle::new(a);
    realloc_from_empty::<u8>(h, 5, what);
    realloc_from_empty::<u64>(h, 5, what);
    realloc_from_empty::<Aligned256>(h, 2, what);
    realloc_from_empty::<Aligned4096>(h, 1, what);
}

#[derive(Clone, Copy)]
#[repr(align(256))]
struct Aligned256(#[expect(dead_code, reason = "only its size and alignment matter")] u8);

#[derive(Clone, Copy)]
#[repr(align(4096))]
struct Aligned4096(#[expect(dead_code, reason = "only its size and alignment matter")] u8);

#[track_caller]
fn realloc_from_empty<T>(h: Handle<'_>, len: usize, what: &str) {
    let empty = h.alloc_slice::<T>(0).expect("an empty slice cannot fail");
    // SAFETY: `empty` came from `alloc_slice` on `h` with length 0.
    let grown = unsafe { h.realloc(empty, len) }
        .unwrap_or_else(|_| panic!("{what}: realloc from empty refused"));
    assert_eq!(grown.len(), len);
    assert_aligned(grown.cast(), Alignment::of::<T>(), what);
    // SAFETY: `grown` is live with this length.
    unsafe { h.free_slice(grown) };
}

/// Zig's `testAllocatorAligned` for resizing: at each alignment from 1 to
/// 64, a block grows, shrinks and grows again through the bridge, both as
/// the most recent block and with a later block after it, keeping its
/// contents and alignment at each step.
#[track_caller]
pub fn grows_and_shrinks_at_each_alignment<A: RawAlloc>(a: &A) {
    let what = "grows_and_shrinks_at_each_alignment";
    let mut align = 1;
    while align <= 64 {
        for pinned in [false, true] {
            let tag = align + usize::from(pinned);
            let steps = [20, 200, 10, 90].map(|size| layout(size, align));
            let mut ptr = allocate(a, steps[0], what);
            // SAFETY: a fresh block of `steps[0].size()` bytes.
            unsafe { fill(ptr, steps[0].size(), tag) };
            let pin = pinned.then(|| allocate(a, layout(1, 1), what));
            for pair in steps.windows(2) {
                // SAFETY: `ptr` is live with layout `pair[0]`, its bytes
                // filled with the pattern (kept by every step so far).
                ptr = unsafe { change(a, ptr, pair[0], pair[1], tag, what) };
                // SAFETY: `ptr` is `pair[1].size()` writable bytes; refill
                // them so the next step checks them all.
                unsafe { fill(ptr, pair[1].size(), tag) };
            }
            // SAFETY: live with the last layout.
            unsafe { bridge::deallocate(a, ptr, steps[3]) };
            if let Some(pin) = pin {
                // SAFETY: live with its layout.
                unsafe { bridge::deallocate(a, pin, layout(1, 1)) };
            }
        }
        align *= 2;
    }
}

/// The sizes of [`shrink_grow_chain_at_large_alignment`], in bytes.
pub const CHAIN: [usize; 5] = [500, 100, 5_000, 10, 20_000];

/// The alignment of [`shrink_grow_chain_at_large_alignment`].
pub const CHAIN_ALIGNMENT: usize = 2048;

/// A block at alignment [`CHAIN_ALIGNMENT`] goes through the sizes of
/// [`CHAIN`] (shrink, grow, shrink, grow), through the bridge and through
/// [`Handle::realloc`], as the most recent block and behind a later one;
/// alignment and contents are checked after each step.
#[track_caller]
pub fn shrink_grow_chain_at_large_alignment<A: RawAlloc>(a: &A) {
    let what = "shrink_grow_chain_at_large_alignment";
    for pinned in [false, true] {
        let tag = 40 + usize::from(pinned);
        let steps = CHAIN.map(|size| layout(size, CHAIN_ALIGNMENT));
        let mut ptr = allocate(a, steps[0], what);
        // SAFETY: a fresh block.
        unsafe { fill(ptr, steps[0].size(), tag) };
        let pin = pinned.then(|| allocate(a, layout(1, 1), what));
        for pair in steps.windows(2) {
            // SAFETY: `ptr` is live with layout `pair[0]`, filled.
            ptr = unsafe { change(a, ptr, pair[0], pair[1], tag, what) };
            // SAFETY: `pair[1].size()` writable bytes.
            unsafe { fill(ptr, pair[1].size(), tag) };
        }
        // SAFETY: live with the last layout.
        unsafe { bridge::deallocate(a, ptr, steps[4]) };
        if let Some(pin) = pin {
            // SAFETY: live with its layout.
            unsafe { bridge::deallocate(a, pin, layout(1, 1)) };
        }
    }

    #[derive(Clone, Copy)]
    #[repr(C, align(2048))]
    struct Chunk([u8; 2048]);
    let h = Handle::new(a);
    let mut slice = h.alloc_slice::<Chunk>(1).expect("realloc chain: refused");
    // SAFETY: a fresh, writable slice of one chunk.
    unsafe { fill(slice.cast(), 2048, 50) };
    let mut kept = 2048;
    for len in [3, 1, 5, 2] {
        // SAFETY: `slice` came from `alloc_slice`/`realloc` on `h` with its length.
        slice = unsafe { h.realloc(slice, len) }
            .unwrap_or_else(|_| panic!("{what}: realloc to {len} chunks refused"));
        assert_aligned(slice.cast(), Alignment::of::<Chunk>(), what);
        kept = kept.min(len * 2048);
        // SAFETY: `realloc` kept the first `kept` bytes of the pattern.
        unsafe { check(slice.cast(), kept, 50, what) };
    }
    // SAFETY: live with its length.
    unsafe { h.free_slice(slice) };
}

/// Blocks over 64 KiB: two at once, written and checked for overlap, then
/// one grown by half and shrunk to a quarter through the bridge.
#[track_caller]
pub fn large_blocks<A: RawAlloc>(a: &A, len: usize) {
    let what = "large_blocks";
    assert!(len > 64 * 1024, "{what}: {len} bytes is not over 64 KiB");
    let big = layout(len, 16);
    let first = allocate(a, big, what);
    // SAFETY: fresh blocks of `len` bytes.
    unsafe { fill(first, len, 60) };
    let second = allocate(a, big, what);
    // SAFETY: as above.
    unsafe { fill(second, len, 61) };
    // SAFETY: both live and filled; a pattern overwritten means overlap.
    unsafe { check(first, len, 60, "large_blocks (blocks overlap)") };
    // SAFETY: as above.
    unsafe { check(second, len, 61, "large_blocks (blocks overlap)") };
    // SAFETY: live with layout `big`, freed once each, newest first.
    unsafe { bridge::deallocate(a, second, big) };
    // SAFETY: as above.
    unsafe { bridge::deallocate(a, first, big) };

    let ptr = allocate(a, big, what);
    // SAFETY: a fresh block.
    unsafe { fill(ptr, len, 62) };
    let larger = layout(len + len / 2, 16);
    // SAFETY: live with layout `big`, filled.
    let ptr = unsafe { change(a, ptr, big, larger, 62, what) };
    let smaller = layout(len / 4, 16);
    // SAFETY: live with layout `larger`; its first `len` bytes hold the pattern.
    let ptr = unsafe { change(a, ptr, larger, smaller, 62, what) };
    // SAFETY: live with layout `smaller`.
    unsafe { bridge::deallocate(a, ptr, smaller) };
}

/// After a reset, the next allocation reuses the first address: for bump
/// and arena allocators, whose `reset` (a method of the type, not of
/// [`RawAlloc`]) is passed in.
///
/// # Panics
///
/// When the allocation after `reset` lands elsewhere than the first one did.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{testing, Bump};
/// let mut buf = [core::mem::MaybeUninit::uninit(); 256];
/// testing::reset_reuses_the_first_address(&mut Bump::new(&mut buf), Bump::reset);
/// ```
#[track_caller]
pub fn reset_reuses_the_first_address<A: RawAlloc>(a: &mut A, reset: impl Fn(&mut A)) {
    let what = "reset_reuses_the_first_address";
    let align = Alignment::of::<u64>();
    let first = a
        .alloc(24, align, Caller::here())
        .unwrap_or_else(|| panic!("{what}: refused the first block"));
    for len in [8, 100, 3] {
        a.alloc(len, align, Caller::here())
            .unwrap_or_else(|| panic!("{what}: refused {len} bytes"));
    }
    reset(a);
    let again = a
        .alloc(24, align, Caller::here())
        .unwrap_or_else(|| panic!("{what}: refused after reset"));
    assert_eq!(
        again, first,
        "{what}: the first allocation after reset moved"
    );
    reset(a);
}
