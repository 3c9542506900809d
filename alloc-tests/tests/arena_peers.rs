//! What the peers check, as our own tests of `Arena` at the allocator
//! level: the generic tests of `allocator-api2-tests` (every size, a `Vec`,
//! many boxes), bumpalo's published tests and quickcheck properties that do
//! not need the typed API (capacity, chunk growth, alignment, allocation
//! limit, reset, `Send`), and regressions of what the peers shipped:
//! overflow near the top of the address space (bumpalo #15), a request
//! bigger than any chunk, an alignment larger than the chunk's, a
//! zero-capacity arena.

use alloc_runtime::{Alignment, Arena, Caller, Counting, Global, RawAlloc};
use allocator_api2::alloc::Allocator;
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use core::alloc::Layout;
use core::ptr::NonNull;
use proptest::prelude::*;
use proptest::test_runner::RngAlgorithm;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        rng_algorithm: if cfg!(miri) {
            RngAlgorithm::XorShift
        } else {
            RngAlgorithm::ChaCha
        },
        ..ProptestConfig::with_source_file(file!())
    }
}

/// Allocates `layout` through allocator-api2, checks that the block is
/// aligned, owned at both ends and writable, and returns it.
fn take<P: RawAlloc>(arena: &Arena<P>, layout: Layout) -> NonNull<u8> {
    let block = arena
        .allocate(layout)
        .unwrap_or_else(|_| panic!("{layout:?} refused: {:?}", arena.stats()));
    assert!(block.len() >= layout.size());
    let ptr = block.cast::<u8>();
    assert_eq!(
        ptr.addr().get() % layout.align(),
        0,
        "{layout:?} misaligned"
    );
    if layout.size() > 0 {
        assert!(arena.owns(ptr.as_ptr()), "{layout:?}: first byte not owned");
        let last = ptr.as_ptr().wrapping_add(layout.size() - 1);
        assert!(arena.owns(last), "{layout:?}: last byte not owned");
        // SAFETY: the first byte of the block just handed out.
        unsafe { ptr.as_ptr().write(0xA5) };
        // SAFETY: its last byte.
        unsafe { last.write(0x5A) };
    }
    ptr
}

/// The arena still works: a small block, written and read back.
fn assert_usable<P: RawAlloc>(arena: &Arena<P>) {
    let p = take(arena, Layout::new::<u64>()).cast::<u64>();
    // SAFETY: an aligned 8-byte block just handed out.
    unsafe { p.write(0x0123_4567_89AB_CDEF) };
    // SAFETY: written just above.
    assert_eq!(unsafe { p.read() }, 0x0123_4567_89AB_CDEF);
    let s = arena.stats();
    assert!(s.chunks > 0 && s.allocated_bytes >= s.capacity && s.capacity >= s.used);
}

// ---------------------------------------------------------------------------
// allocator-api2-tests: the generic checks every allocator should pass
// ---------------------------------------------------------------------------

/// Allocates and frees each size `allocator-api2-tests` tries.
fn every_size<A: Allocator>(a: A) {
    let layouts = [
        Layout::new::<u8>(),
        Layout::new::<u16>(),
        Layout::new::<u32>(),
        Layout::new::<u64>(),
        Layout::new::<[u8; 17]>(),
        Layout::new::<[u8; 67]>(),
        Layout::new::<[u8; 129]>(),
        Layout::new::<[u8; 654]>(),
        Layout::new::<[u8; 2345]>(),
        Layout::new::<[u8; 32578]>(),
        Layout::new::<[u8; 8603461]>(),
    ];
    for layout in layouts {
        let block = a
            .allocate(layout)
            .unwrap_or_else(|_| panic!("{layout:?} refused"));
        assert!(block.len() >= layout.size());
        let p = block.cast::<u8>();
        let last = p.as_ptr().wrapping_add(layout.size() - 1);
        // SAFETY: the last byte of the block just handed out.
        unsafe { last.write(1) };
        // SAFETY: allocated just above with `layout`.
        unsafe { a.deallocate(p, layout) };
    }
}

/// The `Vec` sequence of `allocator-api2-tests`, with its contents checked.
fn vec_grows_and_shrinks<A: Allocator>(a: A) {
    let mut v: Vec<u8, A> = Vec::new_in(a);
    v.push(1);
    v.push(2);
    v.shrink_to_fit();
    v.push(3);
    v.resize(10, 0xba);
    v.shrink_to_fit();
    v.resize(12467, 0xfe);
    assert_eq!(&v[..3], &[1, 2, 3]);
    assert!(v[3..10].iter().all(|&b| b == 0xba));
    assert!(v[10..].iter().all(|&b| b == 0xfe));
    assert_eq!(v.len(), 12467);
}

/// Fifteen boxes in a `Vec`, all in the same allocator.
fn many_boxes<A: Allocator + Copy>(a: A) {
    let mut boxes = Vec::new_in(a);
    for i in 0..15usize {
        boxes.push(Box::new_in(i, a));
    }
    for (i, b) in boxes.iter().enumerate() {
        assert_eq!(**b, i);
    }
}

#[test]
fn every_size_of_allocator_api2_tests_is_served() {
    let arena = Arena::new();
    every_size(&arena);
    every_size(arena);
    let mut arena = Arena::with_capacity(0);
    arena.scope(|s| every_size(&*s));
}

#[test]
fn a_vec_grows_and_shrinks_in_an_arena() {
    let arena = Arena::new();
    vec_grows_and_shrinks(&arena);
    vec_grows_and_shrinks(arena.allocator());
    vec_grows_and_shrinks(Arena::new());
    let mut arena = Arena::new();
    arena.scope(|s| vec_grows_and_shrinks(&*s));
}

#[test]
fn many_boxes_live_in_an_arena() {
    let arena = Arena::new();
    many_boxes(&arena);
    many_boxes(arena.allocator());
    let mut arena = Arena::with_capacity(16);
    arena.scope(|s| many_boxes(&*s));
}

// ---------------------------------------------------------------------------
// Regressions of what the peers shipped
// ---------------------------------------------------------------------------

#[test]
fn requests_near_the_top_of_the_address_space_are_refused() {
    // bumpalo #15: the bump pointer arithmetic overflowed on huge sizes.
    let arena = Arena::new();
    assert_usable(&arena);
    let here = take(&arena, Layout::new::<u8>()).addr().get();
    let lens = [
        usize::MAX,
        usize::MAX - 1,
        usize::MAX - 4095,
        usize::MAX - here,
        usize::MAX - here + 1,
        isize::MAX as usize - 4096,
        isize::MAX as usize,
        isize::MAX as usize + 1,
    ];
    for len in lens {
        if cfg!(miri) && len <= isize::MAX as usize {
            // Passed on to the parent, which Miri cannot let fail: it stops
            // the program on an allocation larger than its memory.
            continue;
        }
        for log2 in [0, 3, 12, 60] {
            let align = Alignment::from_log2(log2).unwrap();
            let got = RawAlloc::alloc(&arena, len, align, Caller::here());
            assert!(got.is_none(), "alloc({len:#x}, {align}) gave {got:?}");
            assert_usable(&arena);
        }
    }
    let layouts = [
        (isize::MAX as usize - 7, 8),
        (isize::MAX as usize - 4095, 4096),
        // These reach the parent, which refuses them natively; Miri stops
        // the program instead (more memory than it has, an alignment above
        // rustc's maximum), so they run natively only.
        (isize::MAX as usize / 2, 1),
        (1, 1 << 60),
        (1 << 40, 1 << 40),
    ];
    for (size, align) in layouts.into_iter().take(if cfg!(miri) { 2 } else { 5 }) {
        let layout = Layout::from_size_align(size, align).unwrap();
        assert!(arena.allocate(layout).is_err(), "{layout:?} was served");
        assert_usable(&arena);
    }
}

#[test]
fn a_request_past_the_limit_does_not_wrap_around() {
    // bumpalo's `oom_instead_of_bump_pointer_overflow`: with no room for a
    // new chunk, a size that wraps the bump pointer must fail.
    let arena = Arena::new();
    let p = take(&arena, Layout::new::<u8>()).addr().get();
    arena.set_allocation_limit(Some(arena.allocated_bytes()));
    for len in [p + 1, usize::MAX - p, usize::MAX - p + 1, usize::MAX] {
        let got = RawAlloc::alloc(&arena, len, Alignment::of::<u8>(), Caller::here());
        assert!(got.is_none(), "alloc({len:#x}) gave {got:?}");
    }
    arena.set_allocation_limit(None);
    assert_usable(&arena);
}

#[test]
fn a_request_bigger_than_any_chunk_gets_a_chunk_that_fits() {
    let arena = Arena::with_capacity(64);
    take(&arena, Layout::from_size_align(1, 1).unwrap());
    let before = arena.stats().chunks;
    for size in [100_001, 100_003, 1 << 20, 3 << 20] {
        take(&arena, Layout::from_size_align(size, 1).unwrap());
    }
    assert!(arena.stats().chunks > before, "{:?}", arena.stats());
    assert!(arena.allocated_bytes() >= 100_001 + 100_003 + (1 << 20) + (3 << 20));
    assert_usable(&arena);
}

#[test]
fn an_alignment_larger_than_the_chunks_is_honoured_or_refused_cleanly() {
    let arena = Arena::with_capacity(100);
    take(&arena, Layout::from_size_align(4096, 64).unwrap());
    for _ in 0..3 {
        take(&arena, Layout::from_size_align(1, 4096).unwrap());
        take(&arena, Layout::from_size_align(1, 1 << 16).unwrap());
        take(&arena, Layout::from_size_align(1 << 16, 1 << 16).unwrap());
    }
    for log2 in [20, 24] {
        let layout = Layout::from_size_align(8, 1 << log2).unwrap();
        if let Ok(block) = arena.allocate(layout) {
            let p = block.cast::<u8>();
            assert_eq!(p.addr().get() % layout.align(), 0, "{layout:?} misaligned");
            assert!(arena.owns(p.as_ptr()));
        }
        assert_usable(&arena);
    }
}

#[test]
fn bumpalo_alignment_test_at_every_power_up_to_64() {
    for align in [2, 4, 8, 16, 32, 64] {
        let arena = Arena::with_capacity(513);
        let layout = Layout::from_size_align(align, align).unwrap();
        for _ in 0..if cfg!(miri) { 128 } else { 1024 } {
            take(&arena, layout);
        }
    }
}

#[test]
fn a_zero_capacity_arena_allocates_on_first_use() {
    let arena = Arena::with_capacity(0);
    assert_usable(&arena);

    let arena = Arena::new();
    assert_eq!(arena.allocated_bytes(), 0);
    let s = arena.stats();
    assert_eq!(
        (s.chunks, s.allocated_bytes, s.capacity, s.used),
        (0, 0, 0, 0)
    );
    assert_eq!(arena.chunk_capacity(), 0);
    assert!(!arena.owns(NonNull::<u64>::dangling().as_ptr().cast()));
    assert_usable(&arena);
    assert_eq!(arena.stats().chunks, 1);

    // `new` is `const`, and a zero-size request needs no chunk.
    let arena = const { Arena::new() };
    let z = arena.allocate(Layout::new::<()>()).unwrap();
    assert_eq!(z.len(), 0);
    assert_eq!(arena.stats().chunks, 0);
}

#[test]
fn an_impossible_capacity_is_an_error_not_a_panic() {
    // bumpalo's `try_with_capacity_too_large`.
    for n in [isize::MAX as usize + 1, usize::MAX, usize::MAX - 4095] {
        assert!(Arena::try_with_capacity(n).is_err(), "{n:#x}");
        assert!(Arena::try_with_capacity_in(n, Global).is_err(), "{n:#x}");
    }
    let arena = Arena::try_with_capacity(4096).unwrap();
    assert!(arena.chunk_capacity() >= 4096);
}

#[test]
fn chunk_capacity_goes_down_as_the_chunk_fills() {
    let arena = Arena::with_capacity(512);
    let orig = arena.chunk_capacity();
    assert!(orig >= 512, "with_capacity(512) left {orig} bytes");
    take(&arena, Layout::new::<bool>());
    assert!(arena.chunk_capacity() < orig);
}

#[test]
fn reset_keeps_one_chunk_and_reuses_it() {
    // bumpalo's `test_reset` and `reset_updates_allocated_bytes`.
    let mut arena = Arena::new();
    for _ in 0..if cfg!(miri) { 2_000 } else { 10_000 } {
        take(&arena, Layout::new::<u64>());
    }
    assert!(arena.stats().chunks > 1);
    let before = arena.allocated_bytes();
    arena.reset();
    let after = arena.allocated_bytes();
    assert!(after < before, "{after} >= {before}");
    assert_eq!(arena.stats().chunks, 1);
    assert_eq!(arena.stats().used, 0);
    take(&arena, Layout::new::<u64>());
    assert_eq!(
        arena.allocated_bytes(),
        after,
        "the kept chunk was not reused"
    );
}

// ---------------------------------------------------------------------------
// bumpalo's allocation-limit tests
// ---------------------------------------------------------------------------

#[test]
fn a_zero_limit_refuses_and_lifting_it_serves() {
    let arena = Arena::with_capacity(0);
    arena.set_allocation_limit(Some(0));
    assert!(arena.allocate(Layout::new::<u32>()).is_err());
    assert!(arena.allocation_limit().unwrap() >= arena.allocated_bytes());
    arena.set_allocation_limit(None);
    assert_usable(&arena);
}

#[test]
fn the_limit_changes_with_live_allocations() {
    let arena = Arena::new();
    arena.set_allocation_limit(Some(512));
    take(&arena, Layout::new::<u32>());
    assert!(arena.allocate(Layout::new::<[u32; 2048]>()).is_err());
    arena.set_allocation_limit(Some(16384));
    take(&arena, Layout::new::<[u32; 2048]>());
    assert!(arena.allocation_limit().unwrap() >= arena.allocated_bytes());

    let arena = Arena::new();
    arena.set_allocation_limit(Some(512));
    take(&arena, Layout::new::<u32>());
    assert!(arena.allocate(Layout::new::<[u32; 2048]>()).is_err());
    assert!(arena.allocation_limit().unwrap() >= arena.allocated_bytes());
    arena.set_allocation_limit(None);
    take(&arena, Layout::new::<[u32; 2048]>());
}

#[test]
fn reset_keeps_the_limit() {
    let mut arena = Arena::new();
    arena.set_allocation_limit(Some(512));
    arena.reset();
    assert_eq!(arena.allocation_limit(), Some(512));
    assert!(arena.allocate(Layout::new::<[u32; 2048]>()).is_err());
    assert!(arena.allocation_limit().unwrap() >= arena.allocated_bytes());
}

#[test]
fn a_small_limit_still_serves_a_small_request() {
    let arena = Arena::new();
    arena.set_allocation_limit(Some(64));
    take(&arena, Layout::new::<u8>());
    assert!(arena.allocated_bytes() <= 64);
}

#[test]
fn an_arena_moves_to_another_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Arena>();
    assert_send::<Arena<Counting<Global>>>();

    let arena = Arena::new();
    take(&arena, Layout::new::<[u64; 4]>());
    let chunks = arena.stats().chunks;
    let arena = std::thread::spawn(move || {
        assert_eq!(arena.stats().chunks, chunks);
        for _ in 0..100 {
            take(&arena, Layout::new::<u64>());
        }
        arena
    })
    .join()
    .unwrap();
    assert!(arena.stats().used >= 32 + 800);
    assert_usable(&arena);
}

// ---------------------------------------------------------------------------
// bumpalo's quickcheck properties at the allocator level
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum LimitOp {
    Alloc { size: usize, align_log2: u32 },
    Reset,
    SetLimit(Option<usize>),
}

fn limit_op() -> impl Strategy<Value = LimitOp> {
    prop_oneof![
        8 => (1..=256usize, 0..7u32).prop_map(|(size, align_log2)| LimitOp::Alloc { size, align_log2 }),
        1 => Just(LimitOp::Reset),
        1 => prop::option::of(0..4096usize).prop_map(LimitOp::SetLimit),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// bumpalo's `limit_is_never_exceeded`.
    #[test]
    fn the_limit_is_never_exceeded(limit in 0..16 * 1024usize) {
        let arena = Arena::new();
        arena.set_allocation_limit(Some(limit));
        let layout = Layout::array::<u8>(limit / 16).unwrap();
        for _ in 0..32 {
            let _ = arena.allocate(layout);
        }
        prop_assert!(arena.allocated_bytes() <= limit, "{:?}", arena.stats());
    }

    /// bumpalo's `layout_allocation_sequences_preserve_alignment_and_containment`:
    /// allocations, resets and limits; every live block aligned, owned and
    /// disjoint from the others, the limit kept across resets.
    #[test]
    fn layout_sequences_keep_blocks_aligned_owned_and_disjoint(
        ops in prop::collection::vec(limit_op(), 1..=64),
    ) {
        let mut arena = Arena::new();
        let mut live: std::vec::Vec<(usize, usize)> = std::vec::Vec::new();
        let mut limit = None;
        for op in ops {
            match op {
                LimitOp::Alloc { size, align_log2 } => {
                    let layout = Layout::from_size_align(size, 1 << align_log2).unwrap();
                    if let Ok(block) = arena.allocate(layout) {
                        let start = block.cast::<u8>().addr().get();
                        prop_assert_eq!(start % layout.align(), 0);
                        prop_assert!(arena.owns(block.cast::<u8>().as_ptr()));
                        let end = start + size;
                        prop_assert!(live.iter().all(|&(s, e)| end <= s || e <= start));
                        live.push((start, end));
                    } else {
                        prop_assert!(limit.is_some(), "refused without a limit");
                    }
                }
                LimitOp::Reset => {
                    arena.reset();
                    live.clear();
                    prop_assert_eq!(arena.allocation_limit(), limit);
                }
                LimitOp::SetLimit(l) => {
                    arena.set_allocation_limit(l);
                    limit = l;
                    prop_assert_eq!(arena.allocation_limit(), limit);
                }
            }
        }
    }
}
