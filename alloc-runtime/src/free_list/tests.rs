//! Tests of `FreeList` and `SizeClasses`: the conformance suite and the
//! allocator-api2 checks on each, their own cases, a model test, and
//! allocation failures walked through them.

use core::cell::{Cell, RefCell};
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use std::vec::Vec as StdVec;

use allocator_api2::alloc::AllocError;
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;

use super::*;
use crate::test_support::{raw_alloc, raw_free, raw_remap, raw_resize};
use crate::testing::{self, Conformance};
use crate::{Arena, Bump, Counting, Global};

mod model;

/// A parent that records the live blocks it handed out and panics when a
/// free, resize or remap does not name one of them with exactly its length
/// and alignment: the check that every block goes back as it was allocated.
/// It serves from `Global` and can be told to refuse.
#[derive(Default)]
pub(super) struct Ledger {
    /// Live blocks: address, length, alignment.
    live: RefCell<StdVec<(usize, usize, usize)>>,
    /// Successful allocations.
    pub(super) allocations: Cell<usize>,
    /// Frees.
    pub(super) frees: Cell<usize>,
    /// Refuse every request while set.
    pub(super) refuse: Cell<bool>,
}

impl Ledger {
    pub(super) fn live_blocks(&self) -> usize {
        self.live.borrow().len()
    }

    /// Removes the record of `memory`; panics if there is none that matches
    /// exactly.
    #[track_caller]
    fn take(&self, memory: NonNull<[u8]>, align: Alignment, what: &str) {
        let key = (
            memory.cast::<u8>().addr().get(),
            memory.len(),
            align.to_bytes(),
        );
        let mut live = self.live.borrow_mut();
        let at = live.iter().position(|&b| b == key).unwrap_or_else(|| {
            panic!("{what} of {key:?} does not match a live parent block: {live:?}")
        });
        live.swap_remove(at);
    }
}

// SAFETY: every call goes to `Global` unchanged; the ledger only records
// (and panics, in tests, on a call `Global` would find undefined).
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

    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new: usize,
        _: Caller,
    ) -> bool {
        // Checks the block; `Global` never resizes in place.
        self.take(memory, align, "resize");
        self.live.borrow_mut().push((
            memory.cast::<u8>().addr().get(),
            memory.len(),
            align.to_bytes(),
        ));
        let _ = new;
        false
    }

    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new: usize,
        c: Caller,
    ) -> Option<NonNull<u8>> {
        // SAFETY: the same contract, passed on.
        let resized = unsafe { self.resize(memory, align, new, c) };
        resized.then_some(memory.cast())
    }

    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        self.take(memory, align, "free");
        self.frees.set(self.frees.get() + 1);
        // SAFETY: the record matched: `Global` made the block with this
        // length and alignment, and it is live.
        unsafe { Global.free(memory, align, caller) };
    }
}

const ROUNDS: usize = if cfg!(miri) { 20 } else { 1000 };

// ---------------------------------------------------------------------------
// Conformance and allocator-api2
// ---------------------------------------------------------------------------

#[test]
fn free_list_over_global_passes_the_conformance_suite() {
    let ledger = Ledger::default();
    {
        let pool: FreeList<&Ledger, 1, 64> = FreeList::new(&ledger);
        testing::conformance(&pool);
        testing::api2::all(&pool);
        assert!(pool.kept() > 0, "the suite frees small blocks");
    }
    assert_eq!(ledger.live_blocks(), 0, "drop gives every kept block back");
}

#[test]
fn free_list_over_bump_passes_the_conformance_suite() {
    let bytes = 4 * testing::CONFORMANCE_BYTES;
    let mut storage = StdVec::<u8>::with_capacity(bytes);
    let bump = Bump::new(&mut storage.spare_capacity_mut()[..bytes]);
    let pool: FreeList<&Bump<'_>, 8, 32> = FreeList::new(&bump);
    Conformance::new().buffer_bytes(bytes).run(&pool);
    drop(pool);
    let pool: FreeList<&Bump<'_>, 8, 32> = FreeList::new(&bump);
    testing::api2::all(&pool);
}

#[test]
fn size_classes_over_global_pass_the_conformance_suite() {
    let ledger = Ledger::default();
    {
        let classes: SizeClasses<&Ledger> = SizeClasses::new(&ledger);
        testing::conformance(&classes);
        testing::api2::all(&classes);
        assert!(classes.kept() > 1);
    }
    assert_eq!(ledger.live_blocks(), 0, "drop gives every kept block back");
}

#[test]
fn size_classes_over_an_arena_pass_the_conformance_suite() {
    let classes: SizeClasses<Arena> = SizeClasses::new(Arena::new());
    testing::conformance(&classes);
    testing::api2::all(&classes);
}

#[test]
fn size_classes_over_bump_pass_the_conformance_suite() {
    let bytes = 4 * testing::CONFORMANCE_BYTES;
    let mut storage = StdVec::<u8>::with_capacity(bytes);
    let bump = Bump::new(&mut storage.spare_capacity_mut()[..bytes]);
    let classes: SizeClasses<&Bump<'_>, 8, 8> = SizeClasses::new(&bump);
    Conformance::new().buffer_bytes(bytes).run(&classes);
    drop(classes);
    let classes: SizeClasses<&Bump<'_>, 8, 8> = SizeClasses::new(&bump);
    testing::api2::all(&classes);
}

// ---------------------------------------------------------------------------
// FreeList
// ---------------------------------------------------------------------------

#[test]
fn a_freed_block_serves_the_next_request_in_range() {
    let ledger = Ledger::default();
    let pool: FreeList<&Ledger, 16, 48> = FreeList::new(&ledger);
    let a = raw_alloc(&pool, 20, 8).unwrap();
    assert_eq!(ledger.live.borrow()[0].1, 48, "a block of MAX bytes");
    assert_eq!(ledger.live.borrow()[0].2, 16, "aligned to min(MAX, 16)");
    // SAFETY: live, 20 bytes, alignment 8.
    unsafe { raw_free(&pool, a, 20, 8) };
    assert_eq!(pool.kept(), 1);
    let b = raw_alloc(&pool, 48, 16).unwrap();
    assert_eq!(a, b);
    assert_eq!((pool.kept(), ledger.allocations.get()), (0, 1));
    // SAFETY: live, 48 bytes, alignment 16.
    unsafe { raw_free(&pool, b, 48, 16) };
}

#[test]
fn requests_out_of_range_go_to_the_parent_unchanged() {
    let ledger = Ledger::default();
    let pool: FreeList<&Ledger, 16, 48> = FreeList::new(&ledger);
    for (len, al) in [(15, 1), (49, 8), (32, 32), (1000, 4096)] {
        let p = raw_alloc(&pool, len, al).unwrap();
        assert_eq!(
            *ledger.live.borrow().last().unwrap(),
            (p.addr().get(), len, al)
        );
        // SAFETY: live, as allocated.
        unsafe { raw_free(&pool, p, len, al) };
        assert_eq!((pool.kept(), ledger.live_blocks()), (0, 0), "{len} {al}");
    }
    assert!(
        pool.alloc(0, Alignment::ONE, Caller::here()).is_none(),
        "Global refuses 0"
    );
    assert_eq!(ledger.allocations.get(), 4);
}

#[test]
fn the_bound_sends_frees_past_it_to_the_parent() {
    let ledger = Ledger::default();
    let pool: FreeList<&Ledger, 1, 8> = FreeList::with_max_kept(&ledger, 2);
    let blocks: StdVec<_> = (0..5).map(|_| raw_alloc(&pool, 8, 8).unwrap()).collect();
    for (i, &p) in blocks.iter().enumerate() {
        // SAFETY: live, 8 bytes, alignment 8, freed once.
        unsafe { raw_free(&pool, p, 8, 8) };
        assert_eq!(pool.kept(), (i + 1).min(2));
    }
    assert_eq!((ledger.frees.get(), ledger.live_blocks()), (3, 2));
    drop(pool);
    assert_eq!(ledger.live_blocks(), 0);
}

#[test]
fn a_bound_of_zero_keeps_nothing() {
    let ledger = Ledger::default();
    let pool: FreeList<&Ledger, 1, 8> = FreeList::with_max_kept(&ledger, 0);
    for _ in 0..3 {
        let p = raw_alloc(&pool, 4, 4).unwrap();
        // SAFETY: live, as allocated.
        unsafe { raw_free(&pool, p, 4, 4) };
    }
    assert_eq!(
        (pool.kept(), ledger.allocations.get(), ledger.live_blocks()),
        (0, 3, 0)
    );
}

#[test]
fn tiny_blocks_are_a_pointer_long() {
    let ledger = Ledger::default();
    let pool: FreeList<&Ledger, 1, 1> = FreeList::new(&ledger);
    let a = raw_alloc(&pool, 1, 1).unwrap();
    let b = raw_alloc(&pool, 1, 1).unwrap();
    let size = size_of::<*mut u8>();
    assert_eq!(ledger.live.borrow()[0].1, size);
    // SAFETY: live, 1 byte each, freed once.
    unsafe { raw_free(&pool, a, 1, 1) };
    // SAFETY: as above.
    unsafe { raw_free(&pool, b, 1, 1) };
    assert_eq!(raw_alloc(&pool, 1, 1), Some(b));
    assert_eq!(raw_alloc(&pool, 1, 1), Some(a));
    assert_eq!(ledger.allocations.get(), 2);
    // SAFETY: live, freed once.
    unsafe { raw_free(&pool, a, 1, 1) };
    // SAFETY: as above.
    unsafe { raw_free(&pool, b, 1, 1) };
}

#[test]
fn resizes_in_range_in_place_and_refuses_across_the_edge() {
    let ledger = Ledger::default();
    let pool: FreeList<&Ledger, 8, 32> = FreeList::new(&ledger);
    let p = raw_alloc(&pool, 8, 8).unwrap();
    // SAFETY: (each call below) the block at `p` is live with the length
    // given, alignment 8; refusals leave it as it was.
    assert!(unsafe { raw_resize(&pool, p, 8, 8, 32) });
    // SAFETY: as above.
    assert_eq!(unsafe { raw_remap(&pool, p, 32, 8, 9) }, Some(p));
    // SAFETY: as above.
    assert!(!unsafe { raw_resize(&pool, p, 9, 8, 33) });
    // SAFETY: as above.
    assert!(!unsafe { raw_resize(&pool, p, 9, 8, 7) });
    // SAFETY: as above.
    assert_eq!(unsafe { raw_remap(&pool, p, 9, 8, 100) }, None);
    // Out of range both ways: the parent's (whose ledger checks the block).
    let q = raw_alloc(&pool, 100, 8).unwrap();
    // SAFETY: as above, for the 100-byte block at `q`.
    assert!(!unsafe { raw_resize(&pool, q, 100, 8, 200) });
    // SAFETY: as above.
    assert!(!unsafe { raw_resize(&pool, q, 100, 8, 20) });
    // SAFETY: live, as allocated, freed once.
    unsafe { raw_free(&pool, q, 100, 8) };
    // SAFETY: live, 9 bytes now, freed once.
    unsafe { raw_free(&pool, p, 9, 8) };
    assert_eq!((pool.kept(), ledger.live_blocks()), (1, 1));
}

#[test]
fn growing_across_the_edge_moves_the_block_through_the_bridge() {
    let ledger = Ledger::default();
    let pool: FreeList<&Ledger, 1, 16> = FreeList::new(&ledger);
    let mut v: Vec<u8, _> = Vec::with_capacity_in(4, &pool);
    v.extend(0..16);
    assert_eq!(v.capacity(), 16, "grown in place within the range");
    let kept_before = pool.kept();
    v.extend(16..40);
    assert_eq!(pool.kept(), kept_before + 1, "the old block was kept");
    assert!(v.iter().copied().eq(0..40));
    drop(v);
    assert_eq!(ledger.live_blocks(), 1, "only the kept block remains");
}

#[test]
fn drop_gives_back_every_kept_block_as_it_was_allocated() {
    let counting = Counting::new(Global);
    {
        let pool: FreeList<&Counting<Global>, 1, 24> = FreeList::new(&counting);
        let blocks: StdVec<_> = (1..=24)
            .map(|len| (raw_alloc(&pool, len, 8).unwrap(), len))
            .collect();
        for (p, len) in blocks {
            // SAFETY: live, as allocated.
            unsafe { raw_free(&pool, p, len, 8) };
        }
        assert_eq!(pool.kept(), 24);
        assert_eq!(counting.stats().live_bytes, 24 * 24);
    }
    let s = counting.stats();
    assert_eq!((s.live_bytes, s.allocations, s.frees), (0, 24, 24));
}

#[test]
fn owns_is_the_parents_answer() {
    let arena = Arena::new();
    let pool: FreeList<&Arena, 1, 32> = FreeList::new(&arena);
    let p = raw_alloc(&pool, 5, 1).unwrap();
    assert!(Owns::owns(&pool, NonNull::slice_from_raw_parts(p, 5)));
    let elsewhere = [0u8; 5];
    assert!(!Owns::owns(&pool, NonNull::from(&elsewhere[..])));
}

#[test]
fn a_refusing_parent_is_a_refusal() {
    let ledger = Ledger::default();
    let pool: FreeList<&Ledger, 1, 16> = FreeList::new(&ledger);
    let p = raw_alloc(&pool, 16, 1).unwrap();
    ledger.refuse.set(true);
    assert!(raw_alloc(&pool, 16, 1).is_none());
    // SAFETY: live, as allocated.
    unsafe { raw_free(&pool, p, 16, 1) };
    assert_eq!(
        raw_alloc(&pool, 3, 1),
        Some(p),
        "a kept block needs no parent"
    );
    assert!(raw_alloc(&pool, 3, 1).is_none());
    // SAFETY: live, 3 bytes.
    unsafe { raw_free(&pool, p, 3, 1) };
}

#[test]
fn recycles_through_boxes_for_many_rounds() {
    let counting = Counting::new(Global);
    let pool: FreeList<&Counting<Global>, 24, 32> = FreeList::new(&counting);
    for i in 0..ROUNDS as u64 {
        let a = Box::new_in([i; 3], &pool);
        let b = Box::new_in([i; 4], &pool);
        assert_eq!((a[2], b[3]), (i, i));
    }
    assert_eq!(counting.stats().allocations, 2);
}

// ---------------------------------------------------------------------------
// SizeClasses
// ---------------------------------------------------------------------------

#[test]
fn each_class_takes_blocks_of_its_length() {
    let ledger = Ledger::default();
    let classes: SizeClasses<&Ledger> = SizeClasses::new(&ledger);
    for (len, class_len) in [
        (1, 16),
        (16, 16),
        (17, 32),
        (100, 112),
        (255, 256),
        (256, 256),
    ] {
        let p = raw_alloc(&classes, len, 1).unwrap();
        assert_eq!(
            *ledger.live.borrow().last().unwrap(),
            (p.addr().get(), class_len, 16),
            "length {len}"
        );
        // SAFETY: live, as allocated.
        unsafe { raw_free(&classes, p, len, 1) };
        assert_eq!(classes.kept_in(class_len / 16 - 1), 1);
    }
    assert_eq!(classes.kept(), 4, "1 and 16 share a class, 255 and 256 too");
    let p = raw_alloc(&classes, 257, 1).unwrap();
    assert_eq!(
        *ledger.live.borrow().last().unwrap(),
        (p.addr().get(), 257, 1)
    );
    // SAFETY: live, as allocated.
    unsafe { raw_free(&classes, p, 257, 1) };
    assert_eq!(classes.kept(), 4, "a large block goes back");
    drop(classes);
    assert_eq!(ledger.live_blocks(), 0);
}

#[test]
fn a_freed_block_comes_back_for_the_next_request_of_its_class() {
    let classes: SizeClasses<Arena> = SizeClasses::new(Arena::new());
    let a = raw_alloc(&classes, 24, 8).unwrap();
    let other = raw_alloc(&classes, 40, 8).unwrap();
    // SAFETY: live, 24 bytes, alignment 8.
    unsafe { raw_free(&classes, a, 24, 8) };
    assert_ne!(raw_alloc(&classes, 33, 8), Some(a), "another class");
    assert_eq!(raw_alloc(&classes, 20, 16), Some(a));
    let _ = other;
}

#[test]
fn alignments_beyond_the_step_go_to_the_parent() {
    let ledger = Ledger::default();
    let classes: SizeClasses<&Ledger, 24, 4> = SizeClasses::new(&ledger);
    let p = raw_alloc(&classes, 24, 8).unwrap();
    assert_eq!(
        *ledger.live.borrow().last().unwrap(),
        (p.addr().get(), 24, 8)
    );
    let q = raw_alloc(&classes, 24, 16).unwrap();
    assert_eq!(
        *ledger.live.borrow().last().unwrap(),
        (q.addr().get(), 24, 16)
    );
    // SAFETY: live, as allocated.
    unsafe { raw_free(&classes, q, 24, 16) };
    // SAFETY: as above.
    unsafe { raw_free(&classes, p, 24, 8) };
    assert_eq!((classes.kept(), ledger.live_blocks()), (1, 1));
}

#[test]
fn length_zero_goes_to_the_parent() {
    let ledger = Ledger::default();
    let classes: SizeClasses<&Ledger> = SizeClasses::new(&ledger);
    assert!(raw_alloc(&classes, 0, 1).is_none(), "Global refuses zero");
    assert_eq!((classes.kept(), ledger.allocations.get()), (0, 0));
    let pool: FreeList<&Ledger, 1, 8> = FreeList::new(&ledger);
    assert!(raw_alloc(&pool, 0, 1).is_none());
}

#[test]
fn resizes_within_a_class_in_place_and_refuses_across_classes() {
    let ledger = Ledger::default();
    let classes: SizeClasses<&Ledger> = SizeClasses::new(&ledger);
    let p = raw_alloc(&classes, 17, 8).unwrap();
    // SAFETY: (each call below) the block at `p` is live with the length
    // given, alignment 8; refusals leave it as it was.
    assert!(unsafe { raw_resize(&classes, p, 17, 8, 32) });
    // SAFETY: as above.
    assert_eq!(unsafe { raw_remap(&classes, p, 32, 8, 20) }, Some(p));
    // SAFETY: as above.
    assert!(!unsafe { raw_resize(&classes, p, 20, 8, 33) });
    // SAFETY: as above.
    assert!(!unsafe { raw_resize(&classes, p, 20, 8, 16) });
    // SAFETY: as above.
    assert!(!unsafe { raw_resize(&classes, p, 20, 8, 1000) });
    // SAFETY: as above.
    assert_eq!(unsafe { raw_remap(&classes, p, 20, 8, 16) }, None);
    // SAFETY: live, 20 bytes now, freed once.
    unsafe { raw_free(&classes, p, 20, 8) };
    assert_eq!(classes.kept_in(1), 1);
}

#[test]
fn the_bound_is_per_class() {
    let counting = Counting::new(Global);
    let classes: SizeClasses<&Counting<Global>, 8, 4> = SizeClasses::with_max_kept(&counting, 2);
    let blocks: StdVec<_> = (0..4)
        .flat_map(|class| (0..3).map(move |_| 8 * class + 1))
        .map(|len| (raw_alloc(&classes, len, 1).unwrap(), len))
        .collect();
    for (p, len) in blocks {
        // SAFETY: live, as allocated.
        unsafe { raw_free(&classes, p, len, 1) };
    }
    assert_eq!(classes.kept(), 8);
    assert!((0..4).all(|i| classes.kept_in(i) == 2));
    assert_eq!(counting.stats().frees, 4);
    drop(classes);
    assert_eq!(counting.stats().live_bytes, 0);
}

#[test]
fn a_step_that_is_not_a_power_of_two_rounds_to_its_multiples() {
    let ledger = Ledger::default();
    let classes: SizeClasses<&Ledger, 24, 3> = SizeClasses::new(&ledger);
    for (len, class_len) in [(1, 24), (24, 24), (25, 48), (72, 72)] {
        let p = raw_alloc(&classes, len, 8).unwrap();
        assert_eq!(
            *ledger.live.borrow().last().unwrap(),
            (p.addr().get(), class_len, 8)
        );
        // SAFETY: live, as allocated.
        unsafe { raw_free(&classes, p, len, 8) };
    }
    drop(classes);
    assert_eq!(ledger.live_blocks(), 0);
}

#[test]
fn hashbrown_tables_are_served_from_the_classes() {
    let counting = Counting::new(Global);
    let classes: SizeClasses<&Counting<Global>, 16, 64> = SizeClasses::new(&counting);
    let mut map = hashbrown::HashMap::with_capacity_in(4, &classes);
    for round in 0..ROUNDS as u32 {
        map.insert(round % 3, round);
        if round % 7 == 0 {
            map = hashbrown::HashMap::with_capacity_in(4, &classes);
        }
    }
    assert!(counting.stats().allocations <= 2, "{}", counting.stats());
}

#[test]
fn size_classes_are_send_when_the_parent_is() {
    fn is_send<T: Send>(_: &T) {}
    let classes: SizeClasses<Global> = SizeClasses::new(Global);
    let p = raw_alloc(&classes, 8, 1).unwrap();
    // SAFETY: live, as allocated.
    unsafe { raw_free(&classes, p, 8, 1) };
    is_send(&classes);
    let address = p.addr().get();
    let again = std::thread::spawn(move || {
        let q = raw_alloc(&classes, 8, 1).unwrap();
        // SAFETY: live, as allocated.
        unsafe { raw_free(&classes, q, 8, 1) };
        q.addr().get()
    });
    assert_eq!(
        again.join().unwrap(),
        address,
        "the kept block moved with it"
    );
}

// ---------------------------------------------------------------------------
// Allocation failures
// ---------------------------------------------------------------------------

#[test]
fn every_parent_failure_under_the_pools_is_handled() {
    let summary = crate::check_all_allocation_failures(&Global, |h| {
        let classes: SizeClasses<_, 16, 8> = SizeClasses::new(h);
        let pool: FreeList<_, 1, 24> = FreeList::with_max_kept(h, 2);
        let mut v: Vec<u32, _> = Vec::new_in(&classes);
        for i in 0..40u32 {
            v.try_reserve(1).map_err(|_| AllocError)?;
            v.push(i);
        }
        for i in 0..6u64 {
            let a = Box::try_new_in([i; 3], &pool)?;
            let b = Box::try_new_in(i, &classes)?;
            assert_eq!(a[0], *b);
        }
        Ok::<_, AllocError>(v.len())
    })
    .expect("no swallowed failure, leak or panic");
    assert!(summary.allocations > 4, "{summary:?}");
}

#[test]
fn the_bump_under_free_lists_is_refilled_from_kept_blocks_only() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let pool: FreeList<&Bump<'_>, 1, 64> = FreeList::new(&bump);
    let blocks: StdVec<_> = core::iter::from_fn(|| raw_alloc(&pool, 64, 16)).collect();
    assert!(!blocks.is_empty() && blocks.len() <= 4);
    for &p in &blocks {
        // SAFETY: live, as allocated.
        unsafe { raw_free(&pool, p, 64, 16) };
    }
    let again: StdVec<_> = core::iter::from_fn(|| raw_alloc(&pool, 1, 1)).collect();
    assert_eq!(
        again.len(),
        blocks.len(),
        "every kept block once, then the bump is full"
    );
}

#[test]
fn a_checking_parent_sees_no_leak_and_no_wrong_size_free() {
    // DebugAlloc keeps records per block: a few of the suite's cases (every
    // class, alignments to 4096, out-of-order frees, moves across classes)
    // rather than all of it, which is slow under Miri.
    let debug = crate::DebugAlloc::new(Global);
    {
        let classes: SizeClasses<&crate::DebugAlloc<Global>, 16, 4> =
            SizeClasses::with_max_kept(&debug, 3);
        let pool: FreeList<&crate::DebugAlloc<Global>, 8, 40> = FreeList::with_max_kept(&debug, 2);
        testing::basic(&classes);
        testing::frees_out_of_order(&classes);
        testing::grows_and_shrinks_at_each_alignment(&classes);
        testing::basic(&pool);
        testing::frees_out_of_order(&pool);
        testing::grows_and_shrinks_at_each_alignment(&pool);
        assert!(classes.kept() > 0 && pool.kept() > 0);
        assert!(
            debug.live_allocations() > 0,
            "kept blocks are live in the parent"
        );
    }
    debug
        .check()
        .expect("every block back, each with its own layout");
    assert_eq!(debug.live_allocations(), 0);
}
