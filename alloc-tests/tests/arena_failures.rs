//! The arena's chunk-growth paths with a parent that fails, counts or
//! checks: every chunk allocation failing in turn, Zig's
//! `checkAllAllocationFailures` over an arena, chunk counts against the
//! parent's, the allocation limit, the reset phase loop, and chunks freed
//! with the layout they were allocated with at large alignments (the
//! regression of bump-scope #32).

use alloc_runtime::check::Check;
use alloc_runtime::debug::Config;
use alloc_runtime::{AllocError, Arena, Counting, DebugAlloc, Fail, FailConfig, Global, RawAlloc};
use allocator_api2::alloc::Allocator;
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use core::alloc::Layout;
use core::ptr::NonNull;
use hashbrown::{DefaultHashBuilder, HashMap};

/// Requests of the workload: lengths and alignments that need new chunks
/// now and then (a large block, a page-aligned one).
const REQUESTS: usize = if cfg!(miri) { 24 } else { 80 };

fn request(k: usize) -> Layout {
    const LENS: [usize; 7] = [24, 100, 7, 3_000, 64, 20_000, 1];
    const ALIGNS: [usize; 7] = [8, 1, 16, 4096, 8, 64, 1];
    Layout::from_size_align(LENS[k % 7], ALIGNS[k % 7]).unwrap()
}

/// A block the workload got, filled with its own byte.
struct Held {
    ptr: NonNull<u8>,
    layout: Layout,
    fill: u8,
}

fn fill(k: usize) -> u8 {
    (k as u8).wrapping_mul(37).wrapping_add(1)
}

/// Allocates `layout` from `arena` and fills it.
fn take<P: RawAlloc>(arena: &Arena<P>, layout: Layout, fill: u8) -> Option<Held> {
    let ptr = arena.allocate(layout).ok()?.cast::<u8>();
    assert_eq!(
        ptr.addr().get() % layout.align(),
        0,
        "{layout:?} misaligned"
    );
    // SAFETY: `layout.size()` bytes were just handed out.
    unsafe { ptr.as_ptr().write_bytes(fill, layout.size()) };
    Some(Held { ptr, layout, fill })
}

/// Every held block is still owned and holds its byte.
fn assert_intact<P: RawAlloc>(arena: &Arena<P>, held: &[Held], ctx: &str) {
    for (i, h) in held.iter().enumerate() {
        // SAFETY: a live block of the arena, written by `take`.
        let bytes = unsafe { core::slice::from_raw_parts(h.ptr.as_ptr(), h.layout.size()) };
        // A page at a time: `==` on byte slices is one `memcmp`, which Miri
        // runs natively.
        let pattern = [h.fill; 4096];
        assert!(
            bytes
                .chunks(4096)
                .all(|part| part == &pattern[..part.len()]),
            "{ctx}: block {i} ({:?}) lost its contents",
            h.layout
        );
        assert!(arena.owns(h.ptr.as_ptr()), "{ctx}: block {i} not owned");
    }
}

/// The arena's statistics agree with what its parent, a `Counting`, saw.
fn assert_counts_agree<A: RawAlloc>(arena: &Arena<&Counting<A>>, ctx: &str) {
    let s = arena.stats();
    let p = arena.inner().stats();
    assert_eq!(
        p.live_allocations(),
        s.chunks as u64,
        "{ctx}: the parent's live allocations are the arena's chunks ({s:?}, {p})"
    );
    assert_eq!(
        p.live_bytes, s.allocated_bytes_including_metadata,
        "{ctx}: the parent's live bytes are the arena's allocated_bytes_including_metadata ({s:?}, {p})"
    );
    assert_eq!(arena.allocated_bytes(), s.allocated_bytes, "{ctx}");
    assert!(
        s.allocated_bytes >= s.capacity && s.capacity >= s.used,
        "{ctx}: {s:?}"
    );
}

/// Runs the workload on a clean counting parent; returns, for each parent
/// allocation index, the request that made it.
fn clean_run() -> std::vec::Vec<usize> {
    let counting = Counting::new(Global);
    let arena = Arena::new_in(&counting);
    let mut trigger = std::vec::Vec::new();
    let mut held = std::vec::Vec::new();
    for k in 0..REQUESTS {
        let before = counting.stats().allocations;
        held.push(take(&arena, request(k), fill(k)).expect("clean run refused"));
        let after = counting.stats().allocations;
        trigger.extend(core::iter::repeat_n(k, (after - before) as usize));
        assert_counts_agree(&arena, "clean run");
    }
    assert_intact(&arena, &held, "clean run");
    drop(arena);
    assert_eq!(counting.stats().live_bytes, 0);
    assert!(trigger.len() >= 3, "the workload needs several chunks");
    trigger
}

#[test]
fn each_chunk_allocation_failing_in_turn_fails_its_request_only() {
    let trigger = clean_run();
    for (i, &needed_by) in trigger.iter().enumerate() {
        let ctx = format!("chunk allocation {i} failing (needed by request {needed_by})");
        // Counting over Fail: the failure sticks, every later chunk
        // allocation fails too.
        let stack = Counting::new(Fail::new(Global, i));
        let arena = Arena::new_in(&stack);
        let mut held = std::vec::Vec::new();
        for k in 0..needed_by {
            held.push(
                take(&arena, request(k), fill(k))
                    .unwrap_or_else(|| panic!("{ctx}: request {k} refused")),
            );
        }
        let before = arena.stats();
        assert!(
            take(&arena, request(needed_by), 0xEE).is_none(),
            "{ctx}: the request that needed the chunk succeeded"
        );
        assert_eq!(stack.inner().allocations(), i, "{ctx}");
        // Consistent and usable: nothing lost, nothing counted twice, and
        // the rest of the current chunk still serves requests.
        let after = arena.stats();
        assert_eq!(after.chunks, before.chunks, "{ctx}: chunks changed");
        assert_eq!(after.allocated_bytes, before.allocated_bytes, "{ctx}");
        assert_intact(&arena, &held, &ctx);
        assert_counts_agree(&arena, &ctx);
        let rest = arena.chunk_capacity();
        if rest > 0 {
            let layout = Layout::from_size_align(rest, 1).unwrap();
            held.push(take(&arena, layout, 0x5A).unwrap_or_else(|| {
                panic!("{ctx}: the {rest} bytes left in the chunk were refused")
            }));
        }
        assert!(
            take(&arena, Layout::new::<[u64; 8]>(), 0x11).is_none()
                || arena.stats().chunks == before.chunks,
            "{ctx}: a new chunk came from a failing parent"
        );
        assert_intact(&arena, &held, &ctx);
        drop(arena);
        let s = stack.stats();
        assert_eq!(s.live_bytes, 0, "{ctx}: chunks left after drop: {s}");
        assert_eq!(s.allocations, s.frees, "{ctx}: chunks left after drop: {s}");
    }
}

#[test]
fn a_one_shot_chunk_failure_leaves_the_arena_usable() {
    let trigger = clean_run();
    for (i, &needed_by) in trigger.iter().enumerate() {
        let ctx = format!("chunk allocation {i} failing once (needed by request {needed_by})");
        let config = FailConfig::new().fail_index(i).sticky(false);
        let stack = Counting::new(Fail::with_config(Global, config));
        let arena = Arena::new_in(&stack);
        let mut held = std::vec::Vec::new();
        for k in 0..REQUESTS {
            match take(&arena, request(k), fill(k)) {
                Some(h) => held.push(h),
                // The arena may retry a smaller chunk; if it does not, the
                // request that needed the chunk is the one refused.
                None => assert_eq!(k, needed_by, "{ctx}: request {k} refused"),
            }
            assert_counts_agree(&arena, &ctx);
        }
        assert_intact(&arena, &held, &ctx);
        drop(arena);
        let s = stack.stats();
        assert_eq!(s.live_bytes, 0, "{ctx}: chunks left after drop: {s}");
        assert_eq!(s.allocations, s.frees, "{ctx}: chunks left after drop: {s}");
    }
}

#[test]
fn every_chunk_failure_of_collections_in_an_arena_comes_back_as_an_error() {
    let n: u64 = if cfg!(miri) { 300 } else { 3_000 };
    // One-shot (the default: an arena that swallowed a refusal, e.g. by
    // retrying, would be reported) and sticky, as Zig walks.
    for sticky in [false, true] {
        let summary = Check::new(&Global)
            .sticky(sticky)
            .run(|h| {
                let arena = Arena::new_in(h);
                let mut v: Vec<u64, &Arena<_>> = Vec::new_in(&arena);
                for i in 0..n {
                    if v.len() == v.capacity() {
                        v.try_reserve(v.len().max(8)).map_err(|_| AllocError)?;
                    }
                    v.push(i);
                }
                let mut map = HashMap::with_hasher_in(DefaultHashBuilder::default(), &arena);
                map.try_reserve(500).map_err(|_| AllocError)?;
                for i in 0..500u32 {
                    map.insert(i, i * 2);
                }
                let big = Box::try_new_in([7u8; 5_000], &arena)?;
                Ok::<_, AllocError>(v.iter().sum::<u64>() + map.len() as u64 + big.len() as u64)
            })
            .unwrap_or_else(|e| panic!("sticky {sticky}: {e}"));
        assert!(
            summary.allocations >= 2,
            "the body needs several chunks: {summary}"
        );
    }
}

#[test]
fn an_arena_over_counting_counts_its_chunks() {
    let mut arena = Arena::new_in(Counting::new(Global));
    let mut held = std::vec::Vec::new();
    let n = if cfg!(miri) { 300 } else { 3_000 };
    for k in 0..n {
        held.push(take(&arena, Layout::from_size_align(100, 8).unwrap(), fill(k)).unwrap());
        let s = arena.stats();
        let p = arena.inner().stats();
        assert_eq!(
            p.live_allocations(),
            s.chunks as u64,
            "after {k}: {s:?} {p}"
        );
        assert_eq!(
            p.live_bytes, s.allocated_bytes_including_metadata,
            "after {k}: {s:?} {p}"
        );
    }
    assert_intact(&arena, &held, "filled");
    assert!(arena.stats().chunks > 1, "{:?}", arena.stats());
    held.clear();
    arena.reset();
    let s = arena.stats();
    let p = arena.inner().stats();
    assert_eq!(s.chunks, 1, "{s:?}");
    assert_eq!(p.live_allocations(), 1, "{p}");
    assert_eq!(
        p.live_bytes, s.allocated_bytes_including_metadata,
        "{s:?} {p}"
    );
    let counting = arena.into_inner();
    assert_eq!(counting.stats().live_bytes, 0, "{}", counting.stats());
    assert_eq!(counting.stats().live_allocations(), 0);
}

#[test]
fn past_the_allocation_limit_requests_fail_and_under_it_they_succeed() {
    const LIMIT: usize = 64 * 1024;
    let counting = Counting::new(Global);
    let arena = Arena::new_in(&counting);
    arena.set_allocation_limit(Some(LIMIT));
    assert_eq!(arena.allocation_limit(), Some(LIMIT));
    let layout = Layout::from_size_align(100, 8).unwrap();
    let mut held = std::vec::Vec::new();
    let mut refused = false;
    for k in 0..2 * LIMIT / 100 {
        match take(&arena, layout, fill(k)) {
            Some(h) => held.push(h),
            None => {
                refused = true;
                break;
            }
        }
        assert!(arena.allocated_bytes() <= LIMIT, "{:?}", arena.stats());
        // The limit caps the chunks' bytes without their headers, as
        // bumpalo's caps them without its footers; the parent sees both.
        let s = arena.stats();
        assert_eq!(
            counting.stats().live_bytes,
            s.allocated_bytes_including_metadata
        );
        assert!(s.allocated_bytes_including_metadata - s.allocated_bytes <= 64 * s.chunks);
    }
    assert!(refused, "twice the limit was handed out");
    assert!(
        held.len() * 100 >= LIMIT / 4,
        "only {} bytes handed out under a limit of {LIMIT}",
        held.len() * 100
    );
    // A refusal leaves the arena usable.
    assert_intact(&arena, &held, "at the limit");
    assert_counts_agree(&arena, "at the limit");
    assert!(take(&arena, Layout::new::<[u8; 32 * 1024]>(), 1).is_none());
    arena.set_allocation_limit(None);
    assert_eq!(arena.allocation_limit(), None);
    held.push(take(&arena, Layout::new::<[u8; 32 * 1024]>(), 2).expect("limit lifted"));
    assert_intact(&arena, &held, "limit lifted");

    // Well under a limit, everything passes.
    let under = Arena::new_in(&counting);
    under.set_allocation_limit(Some(1 << 20));
    for k in 0..1_000 {
        assert!(
            take(&under, layout, fill(k)).is_some(),
            "request {k} refused under the limit: {:?}",
            under.stats()
        );
    }
    assert!(under.allocated_bytes() <= 1 << 20);
}

#[test]
fn a_reset_phase_loop_settles_on_one_chunk_with_no_parent_allocation() {
    let objects = if cfg!(miri) { 1_000 } else { 10_000 };
    let phases = if cfg!(miri) { 5 } else { 20 };
    let counting = Counting::new(Global);
    let mut arena = Arena::new_in(&counting);
    let layout = Layout::new::<u64>();
    let mut allocations = std::vec::Vec::new();
    for phase in 0..phases {
        for k in 0..objects {
            let p = arena.allocate(layout).expect("small object refused");
            // SAFETY: 8 bytes just handed out, aligned for a u64.
            unsafe { p.cast::<u64>().write(k) };
        }
        arena.reset();
        assert_eq!(
            arena.stats().chunks,
            1,
            "phase {phase}: {:?}",
            arena.stats()
        );
        assert_counts_agree(&arena, &format!("phase {phase}"));
        allocations.push(counting.stats().allocations);
    }
    // The chunk kept by the first reset is the largest of the first phase,
    // which may be smaller than a whole phase: the second phase may take
    // one more chunk (the one it is then kept). From then on, none.
    assert!(
        allocations[1] - allocations[0] <= 1,
        "the second phase took {} chunks",
        allocations[1] - allocations[0]
    );
    assert_eq!(
        allocations[phases - 1],
        allocations[1],
        "phases after the second allocated chunks: {allocations:?}"
    );
}

#[test]
fn chunks_are_freed_with_their_layout_at_large_alignments() {
    // bump-scope #32: a chunk allocated at a large alignment was freed with
    // another layout. DebugAlloc reports a free whose size or alignment is
    // not the allocation's.
    // Under Miri, without poisoning, filling and the quarantine, whose byte
    // loops over these large chunks take minutes there; the record of each
    // chunk's layout, which the check is about, stays.
    let config = if cfg!(miri) {
        Config::new()
            .with_poison(None)
            .with_fill(None)
            .with_quarantine(0, 0)
    } else {
        Config::new()
    };
    let debug = DebugAlloc::with_config(Global, config);
    {
        let mut arena = Arena::new_in(&debug);
        for &align in &[1usize, 4096, 1 << 16, 8, 1 << 16, 4096] {
            for len in [1usize, 100, 70_000] {
                let layout = Layout::from_size_align(len, align).unwrap();
                let h = take(&arena, layout, 0x42).expect("aligned request refused");
                assert!(arena.owns(h.ptr.as_ptr()));
            }
        }
        arena.reset();
        let layout = Layout::from_size_align(10, 1 << 16).unwrap();
        take(&arena, layout, 1).unwrap();
        arena.scope(|s| {
            take(&s, Layout::from_size_align(200_000, 1 << 16).unwrap(), 2).unwrap();
        });
        take(&arena, layout, 3).unwrap();
    }
    let first = Arena::with_capacity_in(0, &debug);
    take(&first, Layout::from_size_align(3, 1 << 16).unwrap(), 4).unwrap();
    drop(first);
    let kept = Arena::with_capacity_in(100, &debug);
    take(&kept, Layout::from_size_align(5_000, 4096).unwrap(), 5).unwrap();
    let _ = kept.into_inner();
    if let Err(report) = debug.finish() {
        panic!("{report}");
    }
}

#[test]
fn a_first_chunk_the_parent_refuses_is_an_error_from_try_with_capacity_in() {
    let stack = Counting::new(Fail::new(Global, 0));
    assert!(Arena::try_with_capacity_in(1_000, &stack).is_err());
    let arena = Arena::new_in(&stack);
    assert!(arena.allocate(Layout::new::<u64>()).is_err());
    assert_eq!(arena.stats().chunks, 0);
    assert_eq!(arena.allocated_bytes(), 0);
    drop(arena);
    let s = stack.stats();
    assert_eq!((s.allocations, s.frees, s.live_bytes), (0, 0, 0), "{s}");
    assert!(s.failures >= 2, "{s}");
}
