use core::alloc::Layout;
use core::cell::{Cell, RefCell};
use core::ptr::NonNull;
use std::string::ToString;
use std::vec::Vec as StdVec;

use allocator_api2::alloc::Allocator;
use allocator_api2::vec::Vec;

use super::*;
use crate::testing;
use crate::{Counting, Fail, Global};

const ITERATIONS: usize = if cfg!(miri) { 60 } else { 2000 };

fn raw<A: RawAlloc>(a: &A, len: usize, align: usize) -> Option<NonNull<u8>> {
    a.alloc(len, Alignment::new(align).unwrap(), Caller::here())
}

/// A parent that keeps a ledger of the live blocks it handed out, and
/// panics when a free does not name one of them with exactly its length and
/// alignment. It can be told to refuse.
#[derive(Default)]
struct Ledger {
    /// Live blocks: address, length, alignment.
    live: RefCell<StdVec<(usize, usize, usize)>>,
    /// Successful allocations so far.
    allocations: Cell<usize>,
    /// Refuse every request while set.
    refuse: Cell<bool>,
}

impl Ledger {
    fn live_blocks(&self) -> usize {
        self.live.borrow().len()
    }
}

// SAFETY: every call goes to `Global` unchanged; the ledger only records.
unsafe impl RawAlloc for Ledger {
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if self.refuse.get() {
            return None;
        }
        let p = Global.alloc(len, align, caller)?;
        self.live
            .borrow_mut()
            .push((p.addr().get(), len, align.to_bytes()));
        self.allocations.set(self.allocations.get() + 1);
        Some(p)
    }

    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        let key = (
            memory.cast::<u8>().addr().get(),
            memory.len(),
            align.to_bytes(),
        );
        let mut live = self.live.borrow_mut();
        let at = live
            .iter()
            .position(|&block| block == key)
            .unwrap_or_else(|| panic!("freed {key:?}, which is not a live block: {live:?}"));
        live.swap_remove(at);
        // SAFETY: the ledger shows `memory` is a live block of `Global` with
        // this length and alignment.
        unsafe { Global.free(memory, align, caller) };
    }
}

/// Fills `len` bytes at `p` with `byte`.
fn fill(p: NonNull<u8>, len: usize, byte: u8) {
    // SAFETY: every caller passes a live block of at least `len` bytes.
    unsafe { p.write_bytes(byte, len) };
}

/// Whether `len` bytes at `p` all hold `byte`.
fn holds(p: NonNull<u8>, len: usize, byte: u8) -> bool {
    // SAFETY: every caller passes a live block of `len` bytes it filled.
    let bytes = unsafe { core::slice::from_raw_parts(p.as_ptr(), len) };
    bytes.iter().all(|&b| b == byte)
}

#[test]
fn passes_the_conformance_suite() {
    testing::conformance(&Arena::new());
    testing::conformance(&Arena::with_capacity(testing::CONFORMANCE_BYTES));
}

#[test]
fn passes_the_conformance_suite_through_a_scope() {
    let mut arena = Arena::new();
    arena.allocator().create(1u8).unwrap();
    arena.scope(|s| testing::conformance(&s));
    arena.scope(|mut s| s.scope(|inner| testing::conformance(&inner)));
}

#[test]
fn passes_the_allocator_api2_checks() {
    let arena = Arena::new();
    testing::api2::all(&arena);
    testing::api2::all(arena.allocator());
    let mut arena = Arena::new();
    arena.scope(|s| testing::api2::all(&s));
}

#[test]
fn reset_reuses_the_first_address() {
    let mut arena = Arena::new();
    testing::reset_reuses_the_first_address(&mut arena, Arena::reset);
}

#[test]
fn grows_across_many_chunks_and_keeps_contents() {
    let ledger = Ledger::default();
    let arena = Arena::new_in(&ledger);
    let mut blocks = StdVec::new();
    for i in 0..ITERATIONS {
        let len = 1 + i % 97;
        let align = 1 << (i % 5);
        let p = raw(&arena, len, align).expect("the global allocator has room");
        assert_eq!(p.addr().get() % align, 0, "misaligned");
        assert!(arena.owns(p.as_ptr()));
        fill(p, len, i as u8);
        blocks.push((p, len, i as u8));
    }
    let chunks = arena.stats().chunks;
    assert!(chunks >= 3, "only {chunks} chunks");
    assert_eq!(ledger.live_blocks(), chunks);
    // Geometric: each chunk twice the footprint of the one before.
    assert!(arena.allocated_bytes() < 4 * (ITERATIONS * 100 + 512));
    for (i, &(p, len, byte)) in blocks.iter().enumerate() {
        assert!(holds(p, len, byte), "block {i} was overwritten");
        assert!(arena.validate(
            NonNull::slice_from_raw_parts(p, len),
            Alignment::ONE,
            Caller::here()
        ));
    }
    drop(arena);
    assert_eq!(ledger.live_blocks(), 0);
}

#[test]
fn a_request_larger_than_any_chunk_gets_a_chunk_that_fits() {
    let ledger = Ledger::default();
    let arena = Arena::new_in(&ledger);
    raw(&arena, 8, 8).unwrap();
    let big = 100_000;
    let p = raw(&arena, big, 8).expect("a chunk that fits");
    fill(p, big, 0xAB);
    assert!(holds(p, big, 0xAB));
    assert_eq!(ledger.live_blocks(), 2);
    assert!(arena.allocated_bytes() >= big);
    // A small request after it goes on in the big chunk's rest or a new one.
    let q = raw(&arena, 16, 8).unwrap();
    assert!(arena.owns(q.as_ptr()));
    assert!(holds(p, big, 0xAB));
}

#[test]
fn alignment_larger_than_the_chunks_is_honoured() {
    let ledger = Ledger::default();
    let arena = Arena::new_in(&ledger);
    raw(&arena, 3, 1).unwrap();
    for align in [32, 4096, 1 << 20] {
        let p = raw(&arena, 100, align).expect("honoured");
        assert_eq!(p.addr().get() % align, 0, "alignment {align}");
        fill(p, 100, 7);
        assert!(holds(p, 100, 7));
    }
    // Through allocator-api2 too, and the chunk of each large alignment was
    // allocated with it (the ledger checks each free's alignment).
    let layout = Layout::from_size_align(10, 8192).unwrap();
    let block = arena.allocate(layout).unwrap();
    assert_eq!(block.cast::<u8>().addr().get() % 8192, 0);
    assert!(ledger.live.borrow().iter().any(|&(_, _, a)| a == 1 << 20));
    drop(arena);
    assert_eq!(ledger.live_blocks(), 0);
}

#[test]
fn huge_sizes_and_alignments_are_refused_and_the_arena_still_works() {
    let ledger = Ledger::default();
    let arena = Arena::new_in(&ledger);
    let top = 1usize << (usize::BITS - 1);
    for (len, align) in [
        (usize::MAX, 1),
        (usize::MAX - 15, 16),
        (isize::MAX as usize, 1),
        (isize::MAX as usize + 1, 1),
        (1, top),
        (usize::MAX, top),
        (top, top),
    ] {
        assert!(raw(&arena, len, align).is_none(), "{len} bytes at {align}");
        assert_eq!(ledger.live_blocks(), 0, "a refused request kept a chunk");
    }
    let p = raw(&arena, 24, 8).unwrap();
    fill(p, 24, 1);
    for (len, align) in [(usize::MAX, 1), (isize::MAX as usize, 8), (1, top)] {
        assert!(raw(&arena, len, align).is_none());
    }
    assert!(holds(p, 24, 1));
    let q = raw(&arena, 24, 8).unwrap();
    assert_eq!(
        q.addr().get(),
        p.addr().get() + 24,
        "refusals moved the arena"
    );
    let too_big = Layout::from_size_align(isize::MAX as usize - 4095, 4096).unwrap();
    assert!(arena.allocate(too_big).is_err());
}

#[test]
fn a_zero_capacity_arena_allocates_nothing_until_used() {
    let counting = Counting::new(Global);
    let arena = Arena::with_capacity_in(0, &counting);
    assert_eq!(arena.stats(), ArenaStats::default());
    assert_eq!(arena.chunk_capacity(), 0);
    // Zero-size requests never reach the parent, at any alignment.
    for align in [1, 8, 4096] {
        let layout = Layout::from_size_align(0, align).unwrap();
        let block = arena.allocate(layout).unwrap();
        assert_eq!(block.cast::<u8>().addr().get() % align, 0);
        let p = raw(&arena, 0, align).expect("a dangling block");
        assert_eq!(p.addr().get() % align, 0);
    }
    assert_eq!(counting.stats().allocations, 0);
    assert!(!arena.owns(NonNull::<u8>::dangling().as_ptr()));
    raw(&arena, 1, 1).unwrap();
    assert_eq!(counting.stats().allocations, 1);
}

#[test]
fn with_capacity_then_no_growth() {
    let counting = Counting::new(Global);
    let n = 10_000;
    let arena = Arena::with_capacity_in(n, &counting);
    assert_eq!(counting.stats().allocations, 1);
    assert!(arena.chunk_capacity() >= n);
    for _ in 0..n / 8 {
        raw(&arena, 8, 8).unwrap();
    }
    assert_eq!(counting.stats().allocations, 1, "grew");
    assert_eq!(arena.stats().chunks, 1);
    assert!(Arena::try_with_capacity_in(n, Fail::new(Global, 0)).is_err());
    assert!(Arena::try_with_capacity_in(usize::MAX, Global).is_err());
}

#[test]
fn reset_keeps_the_largest_chunk() {
    let ledger = Ledger::default();
    let mut arena = Arena::new_in(&ledger);
    for _ in 0..ITERATIONS {
        raw(&arena, 64, 8).unwrap();
    }
    let largest = ledger.live.borrow().iter().map(|b| b.1).max().unwrap();
    assert!(ledger.live_blocks() > 1);
    arena.reset();
    assert_eq!(ledger.live_blocks(), 1);
    assert_eq!(ledger.live.borrow()[0].1, largest);
    let s = arena.stats();
    assert_eq!((s.chunks, s.allocated_bytes, s.used), (1, largest, 0));
    assert_eq!(s.remaining, s.capacity);
}

#[test]
fn a_phase_loop_settles_on_one_chunk() {
    let counting = Counting::new(Global);
    let mut arena = Arena::new_in(&counting);
    let objects = if cfg!(miri) { 200 } else { 10_000 };
    let mut after = StdVec::new();
    for _ in 0..5 {
        for i in 0..objects {
            let p = raw(&arena, 16, 8).unwrap();
            fill(p, 16, i as u8);
        }
        arena.reset();
        assert_eq!(arena.stats().chunks, 1);
        after.push(counting.stats().allocations);
    }
    // The largest chunk of the first phase holds half of it; the second
    // phase takes one chunk of twice that, which holds a whole phase: no
    // allocation after that.
    assert_eq!(after[1], after[2], "{after:?}");
    assert_eq!(after[2], after[4], "{after:?}");
    assert_eq!(counting.stats().live_bytes, arena.allocated_bytes());
}

#[test]
fn the_allocation_limit_is_respected() {
    let counting = Counting::new(Global);
    let arena = Arena::new_in(&counting);
    arena.set_allocation_limit(Some(2000));
    assert_eq!(arena.allocation_limit(), Some(2000));
    let mut taken = 0;
    while raw(&arena, 100, 1).is_some() {
        taken += 100;
        assert!(arena.allocated_bytes() <= 2000);
    }
    assert!(taken >= 1000, "only {taken} bytes under the limit");
    assert!(arena.allocated_bytes() <= 2000);
    // A chunk smaller than the geometric one was tried before refusing:
    // what is held is more than the first two geometric chunks.
    assert!(
        arena.allocated_bytes() > 496 + 1008,
        "{}",
        arena.allocated_bytes()
    );
    assert!(raw(&arena, 5000, 1).is_none());
    arena.set_allocation_limit(None);
    assert!(raw(&arena, 5000, 1).is_some());
    // A limit of zero refuses the first chunk.
    let arena = Arena::new_in(&counting);
    arena.set_allocation_limit(Some(0));
    assert!(arena.allocate(Layout::new::<u8>()).is_err());
    assert_eq!(arena.allocated_bytes(), 0);
}

#[test]
fn chunks_are_freed_with_their_exact_layout() {
    let debug = crate::DebugAlloc::new(Global);
    let ledger = Ledger::default();
    {
        let mut arena = Arena::new_in(&ledger);
        let other = Arena::new_in(&debug);
        for align in [1, 64, 4096, 1 << 16] {
            for a in [&arena, &Arena::new_in(&ledger)] {
                raw(a, 1000, align).unwrap();
                raw(a, 5, 1).unwrap();
            }
            raw(&other, 1000, align).unwrap();
        }
        arena.reset();
        raw(&arena, 1 << 16, 1 << 12).unwrap();
    }
    assert_eq!(ledger.live_blocks(), 0);
    assert_eq!(debug.check(), Ok(()));
}

#[test]
fn the_most_recent_block_grows_shrinks_and_frees_in_place() {
    let arena = Arena::with_capacity(4096);
    let old = Layout::from_size_align(16, 8).unwrap();
    let a = arena.allocate(old).unwrap().cast::<u8>();
    fill(a, 16, 3);
    let used = arena.stats().used;
    let new = Layout::from_size_align(200, 8).unwrap();
    // SAFETY: `a` is live with layout `old`; 200 >= 16.
    let b = unsafe { arena.grow(a, old, new) }.unwrap();
    assert_eq!(b.cast::<u8>(), a, "moved");
    assert_eq!(arena.stats().used, used + 184);
    assert!(holds(a, 16, 3));
    let small = Layout::from_size_align(8, 1).unwrap();
    // SAFETY: `a` is live with layout `new`; 8 <= 200.
    let c = unsafe { arena.shrink(a, new, small) }.unwrap();
    assert_eq!(c.cast::<u8>(), a);
    assert_eq!(arena.stats().used, used - 8);
    // SAFETY: `a` is live with layout `small`.
    unsafe { arena.deallocate(a, small) };
    assert_eq!(arena.stats().used, used - 16);
    // An older block: its free is a no-op, it shrinks in place.
    let x = raw(&arena, 32, 8).unwrap();
    let _y = raw(&arena, 32, 8).unwrap();
    let used = arena.stats().used;
    let xs = NonNull::slice_from_raw_parts(x, 32);
    // SAFETY: `x` is a live 32-byte block of the arena; 16 > 0.
    assert!(unsafe { arena.resize(xs, Alignment::ONE, 16, Caller::here()) });
    let xs = NonNull::slice_from_raw_parts(x, 16);
    // SAFETY: `x` is now a live 16-byte block; 64 > 0.
    assert!(!unsafe { arena.resize(xs, Alignment::ONE, 64, Caller::here()) });
    // SAFETY: `x` is a live 16-byte block, freed once.
    unsafe { arena.free(xs, Alignment::ONE, Caller::here()) };
    assert_eq!(arena.stats().used, used);
}

#[test]
fn blocks_of_earlier_chunks_shrink_in_place_and_validate() {
    let arena = Arena::new();
    let first = raw(&arena, 64, 8).unwrap();
    fill(first, 64, 9);
    while arena.stats().chunks < 3 {
        raw(&arena, 100, 8).unwrap();
    }
    let memory = NonNull::slice_from_raw_parts(first, 64);
    assert!(arena.validate(memory, Alignment::of::<u64>(), Caller::here()));
    // SAFETY: `first` is a live 64-byte block; 10 > 0.
    assert!(unsafe { arena.resize(memory, Alignment::ONE, 10, Caller::here()) });
    // Through allocator-api2, a shrink to a smaller alignment stays put.
    let memory = NonNull::slice_from_raw_parts(first, 10);
    // SAFETY: live, 10 bytes; 8 <= 10.
    let s = unsafe {
        arena.shrink(
            first,
            Layout::from_size_align(10, 8).unwrap(),
            Layout::from_size_align(8, 1).unwrap(),
        )
    }
    .unwrap();
    assert_eq!(s.cast::<u8>(), first);
    assert!(holds(first, 8, 9));
    // A grow of it moves (alloc, copy, free).
    // SAFETY: live with 8 bytes at alignment 1; 5000 >= 8.
    let g = unsafe {
        arena.grow(
            first,
            Layout::from_size_align(8, 1).unwrap(),
            Layout::from_size_align(5000, 1).unwrap(),
        )
    }
    .unwrap();
    assert!(holds(g.cast(), 8, 9));
    let _ = memory;
}

#[test]
fn memory_the_arena_does_not_own_is_never_acted_on() {
    let arena = Arena::new();
    let p = raw(&arena, 8, 8).unwrap();
    let used = arena.stats().used;
    let mut local = [0u8; 64];
    let foreign = NonNull::slice_from_raw_parts(NonNull::from(&mut local).cast::<u8>(), 64);
    assert!(!arena.validate(foreign, Alignment::ONE, Caller::here()));
    assert!(!arena.owns(local.as_ptr()));
    // SAFETY: deliberately not the arena's memory: it must notice and touch
    // nothing.
    unsafe { arena.free(foreign, Alignment::ONE, Caller::here()) };
    // SAFETY: as above.
    assert!(!unsafe { arena.resize(foreign, Alignment::ONE, 8, Caller::here()) });
    // A made-up block ending at the position, longer than the part handed
    // out.
    // SAFETY: `p + 8` is inside the chunk.
    let end = unsafe { p.add(8) }.addr().get();
    let wraps = NonNull::slice_from_raw_parts(
        p.with_addr(core::num::NonZeroUsize::new(end - 100_000).unwrap()),
        100_000,
    );
    // SAFETY: deliberately not a block of the arena.
    unsafe { arena.free(wraps, Alignment::ONE, Caller::here()) };
    assert!(!arena.validate(wraps, Alignment::ONE, Caller::here()));
    assert_eq!(arena.stats().used, used);
    // Not handed out yet: the free space.
    let free =
        NonNull::slice_from_raw_parts(p.with_addr(core::num::NonZeroUsize::new(end).unwrap()), 8);
    assert!(!arena.validate(free, Alignment::ONE, Caller::here()));
    assert!(!arena.owns(free.cast::<u8>().as_ptr()));
}

#[test]
fn a_scope_restores_the_position_and_reuses_spare_chunks() {
    let counting = Counting::new(Global);
    let mut arena = Arena::new_in(&counting);
    let before = raw(&arena, 24, 8).unwrap();
    fill(before, 24, 0x11);
    let used = arena.stats().used;
    let n = if cfg!(miri) { 300 } else { 5000 };
    let grown = arena.scope(|s| {
        let mut v: Vec<u64, _> = Vec::new_in(&s);
        for i in 0..n {
            v.push(i);
            raw(&*s, 8, 8).unwrap();
        }
        assert_eq!(v.iter().sum::<u64>(), n * (n - 1) / 2);
        s.stats().chunks
    });
    assert!(grown > 1);
    let s = arena.stats();
    assert_eq!(s.used, used, "the scope's allocations were not released");
    assert_eq!(s.chunks, grown, "spares were given back");
    assert!(s.spare_bytes > 0);
    assert!(holds(before, 24, 0x11));
    let allocations = counting.stats().allocations;
    // The same work again reuses the spares.
    arena.scope(|s| {
        let mut v: Vec<u64, _> = Vec::new_in(&s);
        for i in 0..n {
            v.push(i);
            raw(&*s, 8, 8).unwrap();
        }
    });
    assert_eq!(
        counting.stats().allocations,
        allocations,
        "spares not reused"
    );
    // The next allocation after the scope is where the scope began.
    let after = raw(&arena, 24, 8).unwrap();
    assert_eq!(after.addr().get(), before.addr().get() + 24);
    arena.reset();
    assert_eq!(arena.stats().chunks, 1);
}

#[test]
fn a_scope_of_an_empty_arena_keeps_its_chunks_as_spares() {
    let counting = Counting::new(Global);
    let mut arena = Arena::new_in(&counting);
    let last = arena.scope(|s| {
        let mut last = None;
        for _ in 0..100 {
            last = raw(&*s, 64, 8);
        }
        assert!(s.owns(last.unwrap().as_ptr()));
        last.unwrap().addr()
    });
    let s = arena.stats();
    assert!(s.chunks >= 2);
    assert_eq!(s.used, 0);
    // What the scope handed out is no longer the arena's: a spare chunk
    // holds nothing handed out.
    assert!(!arena.owns(core::ptr::without_provenance(last.get())));
    let allocations = counting.stats().allocations;
    for _ in 0..100 {
        raw(&arena, 64, 8).unwrap();
    }
    assert_eq!(
        counting.stats().allocations,
        allocations,
        "spares not reused"
    );
}

#[test]
fn nested_scopes_restore_in_order() {
    let mut arena = Arena::new();
    raw(&arena, 8, 8).unwrap();
    let level0 = arena.stats().used;
    arena.scope(|mut outer| {
        let a = raw(&*outer, 104, 8).unwrap();
        fill(a, 104, 1);
        let level1 = outer.stats().used;
        outer.scope(|mut inner| {
            for _ in 0..50 {
                raw(&*inner, 200, 8).unwrap();
            }
            inner.scope(|innermost| {
                raw(&*innermost, 10_000, 64).unwrap();
            });
            assert!(holds(a, 104, 1));
        });
        assert_eq!(outer.stats().used, level1);
        assert!(holds(a, 104, 1));
        let b = raw(&*outer, 8, 8).unwrap();
        assert_eq!(b.addr().get(), a.addr().get() + 104);
    });
    assert_eq!(arena.stats().used, level0);
}

#[test]
fn a_scope_rewinds_when_it_unwinds() {
    let mut arena = Arena::new();
    raw(&arena, 8, 8).unwrap();
    let used = arena.stats().used;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        arena.scope(|s| {
            for _ in 0..100 {
                raw(&*s, 64, 8).unwrap();
            }
            panic!("inside the scope");
        })
    }));
    assert!(result.is_err());
    assert_eq!(arena.stats().used, used);
    let again = raw(&arena, 8, 8).unwrap();
    assert!(arena.owns(again.as_ptr()));
}

#[test]
fn a_forgotten_scope_leaks_until_reset() {
    let mut arena = Arena::new();
    arena.scope(|s| {
        raw(&*s, 64, 8).unwrap();
        core::mem::forget(s);
    });
    assert_eq!(arena.stats().used, 64);
    let p = raw(&arena, 8, 8).unwrap();
    assert!(arena.owns(p.as_ptr()));
    arena.reset();
    assert_eq!(arena.stats().used, 0);
}

#[test]
fn failing_chunk_allocations_are_clean() {
    for k in 0..8 {
        let arena = Arena::new_in(Fail::new(Global, k));
        let mut blocks = StdVec::new();
        let mut refused = false;
        for i in 0..ITERATIONS {
            match raw(&arena, 40, 8) {
                Some(p) => {
                    assert!(!refused || arena.inner().allocations() <= k);
                    fill(p, 40, i as u8);
                    blocks.push((p, i as u8));
                }
                None => refused = true,
            }
        }
        assert!(refused || k >= arena.stats().chunks);
        assert_eq!(arena.stats().chunks, k.min(arena.stats().chunks));
        for &(p, byte) in &blocks {
            assert!(holds(p, 40, byte));
        }
        let parent = arena.into_inner();
        assert_eq!(parent.allocations(), parent.frees(), "chunks leaked");
    }
}

#[test]
fn every_chunk_failure_is_handled() {
    let summary = crate::check_all_allocation_failures(&Global, |h| {
        let arena = Arena::new_in(h);
        let mut v: Vec<u32, _> = Vec::new_in(&arena);
        for i in 0..300u32 {
            v.try_reserve(1).map_err(|_| AllocError)?;
            v.push(i);
        }
        let h = arena.allocator();
        for _ in 0..20 {
            h.create([0u8; 100])?;
        }
        Ok::<_, AllocError>(v.len())
    })
    .expect("no swallowed failure, leak or panic");
    assert!(summary.allocations > 2, "{summary:?}");
}

#[test]
fn drop_frees_everything() {
    let counting = Counting::new(Global);
    {
        let arena = Arena::new_in(&counting);
        let mut v: Vec<u8, _> = Vec::new_in(&arena);
        v.extend(0..=255);
        for _ in 0..50 {
            raw(&arena, 333, 16).unwrap();
        }
        raw(&arena, 1000, 4096).unwrap();
        assert!(counting.stats().live_bytes > 0);
    }
    let s = counting.stats();
    assert_eq!(s.live_bytes, 0);
    assert_eq!(s.allocations, s.frees);
    let arena = Arena::new_in(Counting::new(Global));
    raw(&arena, 10, 1).unwrap();
    let parent = arena.into_inner();
    assert_eq!(parent.stats().live_bytes, 0);
}

#[test]
fn stats_add_up() {
    let arena = Arena::new();
    assert_eq!(arena.stats(), ArenaStats::default());
    let mut handed = 0;
    for i in 0..ITERATIONS {
        let len = 1 + i % 50;
        raw(&arena, len, 1).unwrap();
        handed += len;
    }
    let s = arena.stats();
    assert_eq!(s.used, handed);
    assert_eq!(s.allocated_bytes, arena.allocated_bytes());
    assert_eq!(s.remaining, arena.chunk_capacity());
    assert!(s.capacity >= s.used + s.remaining);
    assert_eq!(s.allocated_bytes - s.capacity, s.chunks * chunk::HEADER);
    let table = s.to_string();
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("used") && l.ends_with(&handed.to_string()))
    );
}

#[test]
fn random_requests_stay_in_bounds_aligned_disjoint_and_kept() {
    let mut arena = Arena::new();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..3 {
        let mut live: StdVec<(NonNull<u8>, usize, u8)> = StdVec::new();
        for i in 0..ITERATIONS {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 300) as usize + 1;
            let align = 1usize << ((seed >> 58) % 8);
            let p = raw(&arena, len, align).unwrap();
            assert_eq!(p.addr().get() % align, 0);
            let (a, b) = (p.addr().get(), p.addr().get() + len);
            for &(q, qlen, _) in &live {
                let (c, d) = (q.addr().get(), q.addr().get() + qlen);
                assert!(b <= c || d <= a, "overlap");
            }
            let byte = (i + round) as u8;
            fill(p, len, byte);
            match seed % 4 {
                // Free the most recent block: its bytes come back.
                0 => {
                    // SAFETY: `p` is live, `len` bytes, freed once.
                    unsafe {
                        arena.free(
                            NonNull::slice_from_raw_parts(p, len),
                            Alignment::ONE,
                            Caller::here(),
                        )
                    };
                }
                // Grow it in place if it fits.
                1 => {
                    let memory = NonNull::slice_from_raw_parts(p, len);
                    // SAFETY: `p` is live with `len` bytes; the new length is non-zero.
                    if unsafe { arena.resize(memory, Alignment::ONE, len * 2, Caller::here()) } {
                        fill(p, len * 2, byte);
                        live.push((p, len * 2, byte));
                    } else {
                        live.push((p, len, byte));
                    }
                }
                _ => live.push((p, len, byte)),
            }
        }
        for (k, &(p, len, byte)) in live.iter().enumerate() {
            assert!(
                holds(p, len, byte),
                "block {k} of round {round} lost its contents"
            );
        }
        arena.reset();
    }
}

#[test]
fn an_arena_is_send_when_its_parent_is() {
    fn send<T: Send>(_: &T) {}
    let arena = Arena::new();
    send(&arena);
    let arena = std::thread::spawn(move || {
        raw(&arena, 8, 8).unwrap();
        arena
    })
    .join()
    .unwrap();
    assert_eq!(arena.stats().chunks, 1);
}

#[test]
fn chunk_size_arithmetic_is_checked_near_the_top_of_the_address_space() {
    let top = Alignment::MAX;
    assert_eq!(chunk::needed(usize::MAX, Alignment::ONE), None);
    assert_eq!(
        chunk::needed(usize::MAX - chunk::HEADER + 1, Alignment::ONE),
        None
    );
    assert_eq!(
        chunk::needed(usize::MAX - chunk::HEADER, Alignment::ONE),
        Some(usize::MAX)
    );
    assert_eq!(chunk::needed(0, top), Some(top.to_bytes()));
    assert_eq!(chunk::needed(top.to_bytes(), top), None);
    assert_eq!(chunk::rounded(usize::MAX), None);
    assert_eq!(chunk::rounded(usize::MAX - 100), None);
    assert_eq!(chunk::rounded(1), Some(16));
    assert_eq!(chunk::rounded(496), Some(496));
    assert_eq!(chunk::rounded(497), Some(1008));
    assert_eq!(chunk::rounded(5000), Some(8192 - 16));
    assert_eq!(chunk::grown(None), 496);
    assert_eq!(chunk::grown(Some(496)), 1008);
    assert_eq!(chunk::grown(Some(usize::MAX - 3)), usize::MAX - 16);
    assert_eq!(chunk::chunk_align(Alignment::ONE), chunk::CHUNK_ALIGN);
    assert_eq!(chunk::chunk_align(top), top);
}

#[test]
fn zero_size_blocks_through_allocator_api2_take_no_bytes() {
    let counting = Counting::new(Global);
    let arena = Arena::new_in(&counting);
    raw(&arena, 3, 1).unwrap();
    let used = arena.stats().used;
    for align in [1, 2, 8, 64, 1 << 20] {
        let layout = Layout::from_size_align(0, align).unwrap();
        let block = arena.allocate(layout).unwrap();
        assert_eq!(block.len(), 0);
        assert_eq!(block.cast::<u8>().addr().get() % align, 0);
        // SAFETY: `block` came from `allocate` with `layout`.
        unsafe { arena.deallocate(block.cast(), layout) };
        let p = raw(&arena, 1, 1).unwrap();
        assert!(arena.owns(p.as_ptr()));
        // SAFETY: `p` is the live, most recent 1-byte block, freed once.
        unsafe {
            arena.free(
                NonNull::slice_from_raw_parts(p, 1),
                Alignment::ONE,
                Caller::here(),
            )
        };
    }
    // At most the alignment padding of the zero-size blocks was skipped.
    assert!(arena.stats().used < used + 64, "{:?}", arena.stats());
    assert_eq!(
        counting.stats().allocations,
        1,
        "a zero-size block took a chunk"
    );
}

/// A small xorshift generator for the model test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }
}

/// A live block of the model: where, how long, what it holds.
#[derive(Clone, Copy)]
struct Block {
    at: NonNull<u8>,
    len: usize,
    byte: u8,
}

/// Random allocations, in-place grows and shrinks, frees of the most recent
/// block and nested scopes at `depth`, checked against the model `live`:
/// every block aligned, disjoint from every other live one (those of the
/// enclosing scopes included), and its contents kept; the blocks of this
/// level are dropped from the model when the scope ends.
fn model_level<A: RawAlloc>(a: &A, rng: &mut Rng, live: &mut StdVec<Block>, steps: usize) {
    let mark = live.len();
    for _ in 0..steps {
        match rng.below(10) {
            0..=5 => {
                let most = if rng.below(20) == 0 { 3000 } else { 100 };
                let len = 1 + rng.below(most);
                let align = 1usize << rng.below(7);
                let at = raw(a, len, align).expect("the global allocator has room");
                assert_eq!(at.addr().get() % align, 0, "misaligned");
                let (lo, hi) = (at.addr().get(), at.addr().get() + len);
                for b in live.iter() {
                    let (c, d) = (b.at.addr().get(), b.at.addr().get() + b.len);
                    assert!(hi <= c || d <= lo, "overlaps a live block");
                }
                let byte = rng.next() as u8;
                fill(at, len, byte);
                live.push(Block { at, len, byte });
            }
            6 | 7 if live.len() > mark => {
                // Resize the most recent block in place (grow or shrink).
                let b = *live.last().unwrap();
                let new_len = 1 + rng.below(2 * b.len as u64);
                let memory = NonNull::slice_from_raw_parts(b.at, b.len);
                // SAFETY: `b` is a live block of `a` with this length; both
                // lengths are non-zero.
                if unsafe { a.resize(memory, Alignment::ONE, new_len, Caller::here()) } {
                    fill(b.at, new_len, b.byte);
                    live.last_mut().unwrap().len = new_len;
                } else {
                    assert!(new_len > b.len, "a shrink in place was refused");
                }
            }
            8 if live.len() > mark => {
                let b = live.pop().unwrap();
                // SAFETY: `b` is a live block of `a`, freed once.
                unsafe {
                    a.free(
                        NonNull::slice_from_raw_parts(b.at, b.len),
                        Alignment::ONE,
                        Caller::here(),
                    )
                };
            }
            _ => {}
        }
    }
    for (i, b) in live.iter().enumerate() {
        assert!(holds(b.at, b.len, b.byte), "block {i} lost its contents");
    }
}

fn model_scope<A: RawAlloc>(
    mut scope: Scope<'_, A>,
    rng: &mut Rng,
    live: &mut StdVec<Block>,
    depth: usize,
    steps: usize,
) {
    let mark = live.len();
    model_level(&scope, rng, live, steps);
    if depth > 0 {
        for _ in 0..2 {
            scope.scope(|inner| model_scope(inner, rng, live, depth - 1, steps));
        }
        model_level(&scope, rng, live, steps);
    }
    live.truncate(mark);
}

#[test]
fn random_operations_and_nested_scopes_agree_with_a_model() {
    let ledger = Ledger::default();
    let mut arena = Arena::new_in(&ledger);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let steps = if cfg!(miri) { 12 } else { 200 };
    for _ in 0..3 {
        let mut live = StdVec::new();
        model_level(&arena, &mut rng, &mut live, steps);
        let used = arena.stats().used;
        arena.scope(|s| model_scope(s, &mut rng, &mut live, 3, steps));
        assert_eq!(arena.stats().used, used, "the scopes were not released");
        model_level(&arena, &mut rng, &mut live, steps);
        arena.reset();
        assert_eq!(ledger.live_blocks(), 1);
    }
    drop(arena);
    assert_eq!(ledger.live_blocks(), 0);
}
