//! The suite's first cases: Zig's `testAllocator*`, the handle's
//! `realloc`, zero sizes, impossible requests and collections.

use core::alloc::Layout;
use core::ptr::NonNull;

use super::LARGEST_ALIGNMENT;
use super::pattern::{assert_aligned, check, fill};
use crate::{Alignment, Caller, Counting, Handle, RawAlloc, bridge};

/// Zig's `testAllocator`: blocks of many sizes, written, checked for
/// overlap, freed in reverse.
#[track_caller]
pub fn basic<A: RawAlloc>(a: &A) {
    const SIZES: [usize; 8] = [1, 2, 7, 8, 24, 100, 333, 1000];
    let mut blocks = [None::<NonNull<u8>>; SIZES.len()];
    let align = Alignment::of::<u64>();
    for (tag, &len) in SIZES.iter().enumerate() {
        let ptr = a
            .alloc(len, align, Caller::here())
            .unwrap_or_else(|| panic!("basic: refused {len} bytes"));
        assert_aligned(ptr, align, "basic");
        // SAFETY: `ptr` is a fresh block of `len` bytes.
        unsafe { fill(ptr, len, tag) };
        blocks[tag] = Some(ptr);
    }
    for (tag, &len) in SIZES.iter().enumerate() {
        let ptr = blocks[tag].expect("allocated above");
        // SAFETY: every block was filled above and is still live; a
        // pattern overwritten by a later block means they overlap.
        unsafe { check(ptr, len, tag, "basic (blocks overlap)") };
    }
    for (tag, &len) in SIZES.iter().enumerate().rev() {
        let ptr = blocks[tag].expect("allocated above");
        // SAFETY: a live block of `a` with this length and alignment, freed once.
        unsafe {
            a.free(
                NonNull::slice_from_raw_parts(ptr, len),
                align,
                Caller::here(),
            )
        };
    }
}

/// Zig's `testAllocatorAligned`: every alignment up to
/// [`LARGEST_ALIGNMENT`], through the raw functions and the typed handle.
#[track_caller]
pub fn aligned<A: RawAlloc>(a: &A) {
    let mut log2 = 0;
    while let Some(align) =
        Alignment::from_log2(log2).filter(|al| al.to_bytes() <= LARGEST_ALIGNMENT)
    {
        for len in [1, 10, align.to_bytes() + 1] {
            let ptr = a
                .alloc(len, align, Caller::here())
                .unwrap_or_else(|| panic!("aligned: refused {len} bytes aligned to {align}"));
            assert_aligned(ptr, align, "aligned");
            // SAFETY: a fresh block of `len` bytes.
            unsafe { fill(ptr, len, log2 as usize) };
            // SAFETY: filled just above.
            unsafe { check(ptr, len, log2 as usize, "aligned") };
            // SAFETY: a live block of `a`, freed once.
            unsafe {
                a.free(
                    NonNull::slice_from_raw_parts(ptr, len),
                    align,
                    Caller::here(),
                )
            };
        }
        log2 += 1;
    }
    #[repr(align(256))]
    struct Big([u8; 256]);
    let h = Handle::new(a);
    let big = h
        .create(Big([7; 256]))
        .expect("aligned: refused a 256-aligned value");
    assert_aligned(big.cast(), Alignment::of::<Big>(), "aligned (create)");
    // SAFETY: `create` initialized the value; nothing else refers to it.
    let value = unsafe { big.as_ref() };
    assert!(
        value.0.iter().all(|&b| b == 7),
        "aligned (create) lost the value"
    );
    // SAFETY: `big` came from `create` on this handle and is destroyed once.
    unsafe { h.destroy(big) };
}

/// Zig's `testAllocatorLargeAlignment`: a block aligned to
/// [`LARGEST_ALIGNMENT`], shrunk and grown through the bridge, keeps its
/// alignment and contents.
#[track_caller]
pub fn large_alignment<A: RawAlloc>(a: &A) {
    let align = LARGEST_ALIGNMENT;
    let small = Layout::from_size_align(align / 2 + 1, align).expect("valid layout");
    let large = Layout::from_size_align(align * 2, align).expect("valid layout");
    let block = bridge::allocate(a, small).expect("large_alignment: refused");
    let ptr = block.cast::<u8>();
    assert_aligned(ptr, Alignment::of_layout(small), "large_alignment");
    // SAFETY: fresh block of `small.size()` bytes.
    unsafe { fill(ptr, small.size(), 1) };
    // SAFETY: `block` is live with layout `small`; `large` is not smaller.
    let grown =
        unsafe { bridge::grow(a, ptr, small, large) }.expect("large_alignment: grow refused");
    let grown_ptr = grown.cast::<u8>();
    assert_aligned(
        grown_ptr,
        Alignment::of_layout(large),
        "large_alignment (grow)",
    );
    // SAFETY: `grow` kept the first `small.size()` bytes.
    unsafe { check(grown_ptr, small.size(), 1, "large_alignment (grow)") };
    // SAFETY: `grown` is live with layout `large`.
    unsafe { bridge::deallocate(a, grown_ptr, large) };
}

/// Zig's `testAllocatorAlignedShrink`: shrinking an aligned block keeps its
/// alignment and its first bytes, whether or not it moves.
#[track_caller]
pub fn aligned_shrink<A: RawAlloc>(a: &A) {
    let align = 64;
    let old = Layout::from_size_align(1000, align).expect("valid layout");
    let new = Layout::from_size_align(100, align).expect("valid layout");
    let block = bridge::allocate(a, old).expect("aligned_shrink: refused");
    let ptr = block.cast::<u8>();
    // SAFETY: fresh block of 1000 bytes.
    unsafe { fill(ptr, old.size(), 2) };
    // SAFETY: live with layout `old`; `new` is not larger.
    let shrunk =
        unsafe { bridge::shrink(a, ptr, old, new) }.expect("aligned_shrink: shrink refused");
    let shrunk_ptr = shrunk.cast::<u8>();
    assert_aligned(shrunk_ptr, Alignment::of_layout(new), "aligned_shrink");
    // SAFETY: `shrink` kept the first 100 bytes.
    unsafe { check(shrunk_ptr, new.size(), 2, "aligned_shrink") };
    // SAFETY: live with layout `new`.
    unsafe { bridge::deallocate(a, shrunk_ptr, new) };
}

/// [`Handle::realloc`] grows and shrinks a slice, keeping its prefix, and
/// to zero length frees it.
#[track_caller]
pub fn realloc_keeps_contents<A: RawAlloc>(a: &A) {
    let h = Handle::new(a);
    let slice = h.dupe(&[1u32, 2, 3, 4, 5]).expect("realloc: dupe refused");
    // SAFETY: `slice` came from `dupe` on `h` with this length.
    let grown = unsafe { h.realloc(slice, 50) }.expect("realloc: grow refused");
    // SAFETY: `realloc` kept the first five elements, initialized by `dupe`.
    let prefix = unsafe { core::slice::from_raw_parts(grown.cast::<u32>().as_ptr(), 5) };
    assert_eq!(prefix, [1, 2, 3, 4, 5], "realloc (grow) lost the contents");
    // SAFETY: `grown` is live with length 50.
    let shrunk = unsafe { h.realloc(grown, 2) }.expect("realloc: shrink refused");
    // SAFETY: `realloc` kept the first two elements.
    let kept = unsafe { shrunk.as_ref() };
    assert_eq!(kept, [1, 2], "realloc (shrink) lost the contents");
    // SAFETY: `shrunk` is live with length 2; to zero frees it.
    let empty = unsafe { h.realloc(shrunk, 0) }.expect("realloc to zero cannot fail");
    assert_eq!(empty.len(), 0);
}

/// Zero-size requests through the handle and the bridge do not reach the
/// allocator.
#[track_caller]
pub fn zero_size_requests_are_not_passed_on<A: RawAlloc>(a: &A) {
    let counting = Counting::new(a);
    let h = counting.allocator();
    let unit = h.create(()).expect("zero-size create cannot fail");
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(unit) };
    let empty = h
        .alloc_slice::<u64>(0)
        .expect("zero-size slice cannot fail");
    assert_aligned(empty.cast(), Alignment::of::<u64>(), "zero-size slice");
    // SAFETY: from `alloc_slice` on `h`.
    unsafe { h.free_slice(empty) };
    let layout = Layout::from_size_align(0, 512).expect("valid layout");
    let block = bridge::allocate(&counting, layout).expect("zero-size allocate cannot fail");
    assert_aligned(
        block.cast(),
        Alignment::of_layout(layout),
        "zero-size allocate",
    );
    // SAFETY: from `allocate` with this layout.
    unsafe { bridge::deallocate(&counting, block.cast(), layout) };
    let s = counting.stats();
    assert_eq!(
        (s.allocations, s.frees, s.failures),
        (0, 0, 0),
        "a zero-size request reached the allocator"
    );
}

/// Requests that no allocator can serve fail as values, without panicking.
#[track_caller]
pub fn impossible_requests_fail<A: RawAlloc>(a: &A) {
    for len in [
        usize::MAX,
        usize::MAX - LARGEST_ALIGNMENT,
        isize::MAX as usize + 1,
    ] {
        assert!(
            a.alloc(len, Alignment::ONE, Caller::here()).is_none(),
            "{len} bytes were handed out"
        );
        assert!(
            a.alloc(
                len,
                Alignment::new(LARGEST_ALIGNMENT).expect("power of two"),
                Caller::here()
            )
            .is_none(),
            "{len} bytes were handed out"
        );
    }
    let h = Handle::new(a);
    assert!(
        h.alloc_slice::<u64>(usize::MAX / 4).is_err(),
        "an overflowing slice was handed out"
    );
    // Still usable afterwards.
    let p = h
        .create(5u8)
        .expect("refused a byte after the impossible requests");
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(p) };
}

/// allocator-api2 collections (`Vec`, `Box`) over the handle and over a
/// reference, growing, shrinking and dropping.
#[cfg(feature = "alloc")]
#[track_caller]
pub fn collections<A: RawAlloc>(a: &A) {
    use allocator_api2::boxed::Box;
    use allocator_api2::vec::Vec;

    let h = Handle::new(a);
    let mut v: Vec<u64, _> = Vec::new_in(h);
    for i in 0..500 {
        v.try_reserve(1).expect("collections: Vec growth refused");
        v.push(i);
    }
    assert!(
        v.iter().copied().eq(0..500),
        "collections: Vec lost its contents"
    );
    v.truncate(3);
    v.shrink_to_fit();
    assert_eq!(
        v,
        [0, 1, 2],
        "collections: Vec lost its contents when shrinking"
    );
    drop(v);
    let b = Box::try_new_in([9u16; 33], h).expect("collections: Box refused");
    assert!(b.iter().all(|&x| x == 9));
    drop(b);
    let mut bytes: Vec<u8, _> = Vec::new_in(&h);
    bytes
        .try_reserve_exact(10)
        .expect("collections: Vec<u8> refused");
    bytes.extend_from_slice(b"conformant");
    assert_eq!(&bytes[..], b"conformant");
}
