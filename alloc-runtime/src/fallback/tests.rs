//! Tests of `Fallback`: the conformance suite and the allocator-api2 checks
//! over the classic stacks, the model test across the primary/secondary
//! boundary, where blocks go and where their frees go, bad input, the
//! wrappers' `Owns`, and every allocation failure of a composed stack.

use core::cell::{Cell, RefCell};
use core::mem::MaybeUninit;
use std::vec;
use std::vec::Vec;

use allocator_api2::alloc::{AllocError, Allocator};
use allocator_api2::boxed::Box;
use proptest::prelude::*;

use super::*;
use crate::debug::{Config, DebugAlloc, OnDrop};
use crate::logging::{Logging, Tally};
use crate::route::model;
use crate::testing::{self, CONFORMANCE_BYTES, Conformance, api2};
use crate::{
    Alignment, Arena, Bump, Caller, Counting, Fail, Global, Handle, Null, Owns, RawAlloc,
    Segregator, Stats, check,
};
use core::ptr::NonNull;

/// Uninitialized room for a bump, on the heap (the suite's buffers are
/// too large for a test thread's stack).
fn room(bytes: usize) -> std::boxed::Box<[MaybeUninit<u8>]> {
    // Uninitialized: no loop over the bytes, which Miri would pay for.
    std::boxed::Box::new_uninit_slice(bytes)
}

/// `len` bytes of `alloc` through the raw function, as a slice pointer.
fn raw(a: &impl RawAlloc, len: usize) -> NonNull<[u8]> {
    let p = RawAlloc::alloc(a, len, Alignment::ONE, Caller::here()).expect("allocation refused");
    NonNull::slice_from_raw_parts(p, len)
}

// ---------------------------------------------------------------------------
// The conformance suite and allocator-api2's checks
// ---------------------------------------------------------------------------

#[test]
fn bump_then_global_passes_the_conformance_suite() {
    // A primary too small for the suite (most of it spills), one that holds
    // part of it, and one that holds all of it.
    let sizes: &[usize] = if cfg!(miri) {
        &[4096]
    } else {
        &[256, 4096, CONFORMANCE_BYTES]
    };
    for &bytes in sizes {
        let mut buf = room(bytes);
        let a = Fallback::new(Bump::new(&mut buf), Global);
        testing::conformance(&a);
        api2::all(&a);
    }
}

#[test]
fn arena_then_global_passes_the_conformance_suite() {
    let arena = Arena::new();
    // Past 8 KiB the arena refuses, and the heap takes over.
    arena.set_allocation_limit(Some(8 * 1024));
    let a = Fallback::new(arena, Global);
    testing::conformance(&a);
    api2::all(&a);
    assert!(
        a.primary().allocated_bytes() > 0,
        "the arena served nothing"
    );
}

#[test]
fn bump_then_bump_passes_the_conformance_suite() {
    let (mut first, mut second) = (room(4096), room(2 * CONFORMANCE_BYTES));
    let a = Fallback::new(Bump::new(&mut first), Bump::new(&mut second));
    Conformance::new().run(&a);
    api2::all(&a);
    assert!(a.secondary().used() > 0, "the secondary served nothing");
}

#[test]
fn a_segregator_then_global_passes_the_conformance_suite() {
    let (mut small, mut large) = (room(8 * 1024), room(8 * 1024));
    let a = Fallback::new(
        Segregator::<64, _, _>::new(Bump::new(&mut small), Bump::new(&mut large)),
        Global,
    );
    testing::conformance(&a);
    api2::all(&a);
    assert!(a.primary().small().used() > 0 && a.primary().large().used() > 0);
}

#[test]
fn fallbacks_nest() {
    let (mut first, mut second) = (room(1024), room(4096));
    let a = Fallback::new(
        Fallback::new(Bump::new(&mut first), Bump::new(&mut second)),
        Global,
    );
    testing::conformance(&a);
    api2::all(&a);
    assert!(a.primary().primary().used() > 0 && a.primary().secondary().used() > 0);
}

#[test]
fn wrapped_primaries_pass_the_conformance_suite() {
    let mut buf = room(4096);
    let a = Fallback::new(Counting::new(Bump::new(&mut buf)), Global);
    testing::conformance(&a);
    assert_eq!(a.primary().stats().live_bytes, 0);

    let mut buf = room(4096);
    // Refuses after 20 allocations: the rest goes to the heap.
    let a = Fallback::new(Fail::new(Bump::new(&mut buf), 20), Global);
    testing::conformance(&a);
    assert!(a.primary().has_induced_failure());

    let mut buf = room(4096);
    let a = Fallback::new(Logging::new(Bump::new(&mut buf), Tally::default()), Global);
    testing::conformance(&a);

    let mut buf = room(4096);
    let a = Fallback::new(DebugAlloc::new(Bump::new(&mut buf)), Global);
    testing::conformance(&a);
    assert!(a.primary().check().is_ok(), "{}", a.primary().report());
}

// ---------------------------------------------------------------------------
// The model test
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(model::config())]

    /// A small buffer, then the heap: lengths around and beyond the
    /// buffer, so blocks spill, and grow out of the buffer.
    #[test]
    fn model_bump_then_global(ops in model::ops(512, 1500)) {
        let mut buf = room(1024);
        let a = Fallback::new(Counting::new(Bump::new(&mut buf)), Counting::new(Global));
        model::run(
            &a,
            &|| vec![a.primary().stats(), a.secondary().stats()],
            &|m| usize::from(!a.primary().owns(m)),
            &ops,
        )?;
    }

    /// Two buffers: both can run out, and the secondary's `validate` has
    /// records.
    #[test]
    fn model_bump_then_bump(ops in model::ops(256, 700)) {
        let (mut first, mut second) = (room(1024), room(16 * 1024));
        let a = Fallback::new(
            Counting::new(Bump::new(&mut first)),
            Counting::new(Bump::new(&mut second)),
        );
        model::run(
            &a,
            &|| vec![a.primary().stats(), a.secondary().stats()],
            &|m| usize::from(!a.primary().owns(m)),
            &ops,
        )?;
    }

    /// An arena with a limit, then the heap.
    #[test]
    fn model_arena_then_global(ops in model::ops(512, 1500)) {
        let arena = Arena::new();
        arena.set_allocation_limit(Some(4096));
        let a = Fallback::new(Counting::new(arena), Counting::new(Global));
        model::run(
            &a,
            &|| vec![a.primary().stats(), a.secondary().stats()],
            &|m| usize::from(!a.primary().owns(m)),
            &ops,
        )?;
    }

    /// A segregator of two buffers, then the heap: three parts, blocks move
    /// across both boundaries.
    #[test]
    fn model_segregator_then_global(ops in model::ops(64, 600)) {
        let (mut small, mut large) = (room(1024), room(2048));
        let a = Fallback::new(
            Segregator::<64, _, _>::new(
                Counting::new(Bump::new(&mut small)),
                Counting::new(Bump::new(&mut large)),
            ),
            Counting::new(Global),
        );
        model::run(
            &a,
            &|| vec![
                a.primary().small().stats(),
                a.primary().large().stats(),
                a.secondary().stats(),
            ],
            &|m| match (a.primary().owns(m), m.len() <= 64) {
                (true, true) => 0,
                (true, false) => 1,
                (false, _) => 2,
            },
            &ops,
        )?;
    }
}

// ---------------------------------------------------------------------------
// Where blocks go
// ---------------------------------------------------------------------------

#[test]
fn allocates_from_the_primary_while_it_has_room() {
    let (mut first, mut second) = (room(64), room(256));
    let a = Fallback::new(
        Counting::new(Bump::new(&mut first)),
        Counting::new(Bump::new(&mut second)),
    );
    let block = raw(&a, 64);
    assert!(a.primary().owns(block));
    assert_eq!(a.primary().stats().allocations, 1);
    assert_eq!(a.secondary().stats(), Stats::default());
}

#[test]
fn a_full_primary_sends_allocations_to_the_secondary() {
    let (mut first, mut second) = (room(64), room(256));
    let a = Fallback::new(
        Counting::new(Bump::new(&mut first)),
        Counting::new(Bump::new(&mut second)),
    );
    raw(&a, 64);
    let spilled = raw(&a, 8);
    assert!(!a.primary().owns(spilled));
    assert!(a.secondary().owns(spilled));
    assert_eq!(
        a.primary().stats().failures,
        1,
        "the primary was asked first"
    );
    assert_eq!(a.secondary().stats().allocations, 1);
    // A request the primary could never hold goes there too.
    let big = raw(&a, 100);
    assert!(a.secondary().owns(big));
    // Both refusing is a refusal.
    assert!(RawAlloc::alloc(&a, 1024, Alignment::ONE, Caller::here()).is_none());
}

#[test]
fn growing_a_primary_block_that_cannot_grow_moves_it_to_the_secondary() {
    let mut buf = room(64);
    let a = Fallback::new(Bump::new(&mut buf), Counting::new(Global));
    let mut v: allocator_api2::vec::Vec<u8, _> = allocator_api2::vec::Vec::new_in(&a);
    v.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    // Another block after it: the vector cannot grow in place.
    let _after = Box::new_in(9u8, &a);
    assert!(Owns::owns(a.primary(), NonNull::from(&v[..])));
    v.extend(9..=100);
    assert!(
        !Owns::owns(a.primary(), NonNull::from(&v[..])),
        "still in the buffer"
    );
    assert!(v.iter().copied().eq(1..=100), "the contents moved with it");
    assert_eq!(a.secondary().stats().allocations, 1);
    drop(v);
    assert_eq!(a.secondary().stats().live_bytes, 0);
}

#[test]
fn a_block_that_fits_moves_within_the_primary() {
    let mut buf = room(256);
    let a = Fallback::new(Bump::new(&mut buf), Counting::new(Global));
    let mut v: allocator_api2::vec::Vec<u8, _> = allocator_api2::vec::Vec::with_capacity_in(8, &a);
    v.extend_from_slice(b"abcdefgh");
    let _after = Box::new_in(9u8, &a);
    v.extend_from_slice(b"ijklmnop");
    assert!(Owns::owns(a.primary(), NonNull::from(&v[..])));
    assert_eq!(&v[..], b"abcdefghijklmnop");
    assert_eq!(a.secondary().stats(), Stats::default());
}

#[test]
fn a_grown_last_block_stays_in_place_in_the_primary() {
    let mut buf = room(256);
    let a = Fallback::new(Bump::new(&mut buf), Counting::new(Global));
    let block = raw(&a, 8);
    // SAFETY: the live 8-byte block just made, alignment 1.
    assert!(unsafe { a.resize(block, Alignment::ONE, 64, Caller::here()) });
    assert_eq!(a.primary().used(), 64);
    let grown = NonNull::slice_from_raw_parts(block.cast::<u8>(), 64);
    // SAFETY: the block as the resize left it.
    let same = unsafe { a.remap(grown, Alignment::ONE, 16, Caller::here()) };
    assert_eq!(same, Some(block.cast()));
    assert_eq!(a.secondary().stats(), Stats::default());
}

#[test]
fn a_secondary_block_resizes_in_the_secondary() {
    let (mut first, mut second) = (room(8), room(256));
    let a = Fallback::new(Bump::new(&mut first), Counting::new(Bump::new(&mut second)));
    let block = raw(&a, 16);
    // SAFETY: the live 16-byte block just made (in the secondary), alignment 1.
    assert!(unsafe { a.resize(block, Alignment::ONE, 32, Caller::here()) });
    assert_eq!(a.secondary().stats().resizes, 1);
    assert_eq!(a.secondary().stats().live_bytes, 32);
    assert_eq!(a.primary().used(), 0);
}

// ---------------------------------------------------------------------------
// Where frees go, and bad input
// ---------------------------------------------------------------------------

#[test]
fn frees_reach_only_the_part_that_made_the_block() {
    let (mut first, mut second) = (room(96), room(4096));
    let a = Fallback::new(
        Counting::new(Bump::new(&mut first)),
        Counting::new(Bump::new(&mut second)),
    );
    let mut blocks: Vec<NonNull<[u8]>> = (1..=40).map(|len| raw(&a, len)).collect();
    let (primary, secondary) = (a.primary().stats(), a.secondary().stats());
    assert!(primary.allocations > 0 && secondary.allocations > 0);
    assert_eq!(primary.allocations + secondary.allocations, 40);
    // Out of order: odd lengths first, then the rest from the end.
    blocks.sort_by_key(|b| (b.len() % 2 == 0, usize::MAX - b.len()));
    for block in blocks {
        // SAFETY: a live block of `a` with its length, freed once.
        unsafe { a.free(block, Alignment::ONE, Caller::here()) };
    }
    let (p, s) = (a.primary().stats(), a.secondary().stats());
    assert_eq!((p.frees, p.bytes_freed), (p.allocations, p.bytes_allocated));
    assert_eq!((s.frees, s.bytes_freed), (s.allocations, s.bytes_allocated));
    assert_eq!((p.live_bytes, s.live_bytes), (0, 0));
}

#[test]
fn validate_is_false_for_a_block_neither_part_owns() {
    let (mut first, mut second) = (room(64), room(64));
    let a = Fallback::new(Bump::new(&mut first), Bump::new(&mut second));
    let elsewhere = [0u8; 16];
    let foreign = NonNull::from(&elsewhere[..]);
    assert!(!a.validate(foreign, Alignment::ONE, Caller::here()));
    assert!(!a.owns(foreign));
    let (mine, theirs) = (raw(&a, 64), raw(&a, 16));
    assert!(a.validate(mine, Alignment::ONE, Caller::here()));
    assert!(a.validate(theirs, Alignment::ONE, Caller::here()));
    assert!(a.owns(mine) && a.owns(theirs));
    // A live block with the wrong length is not one of them either.
    let wrong = NonNull::slice_from_raw_parts(theirs.cast::<u8>(), 32);
    assert!(!a.validate(wrong, Alignment::ONE, Caller::here()));
}

#[test]
fn moving_a_foreign_block_is_refused_and_reaches_no_part() {
    let (mut first, mut second) = (room(64), room(64));
    let a = Fallback::new(
        Counting::new(Bump::new(&mut first)),
        Counting::new(Bump::new(&mut second)),
    );
    let mut elsewhere = [7u8; 16];
    let foreign = NonNull::from(&mut elsewhere[..]).cast::<u8>();
    let (old, new) = (Layout::new::<[u8; 16]>(), Layout::new::<[u8; 48]>());
    // A caller's bug: the bridge asks `validate` before it moves a block,
    // and the composite sends the question to the secondary, which knows
    // the block is not its own.
    // SAFETY: not met on purpose (the block is not `a`'s); the bridge's
    // `validate` check is what is tested, and it stops before the memory
    // is touched or freed.
    let moved = unsafe { a.grow(foreign, old, new) };
    assert!(moved.is_err());
    assert_eq!(elsewhere, [7; 16]);
    assert_eq!(a.primary().stats().frees, 0);
    assert_eq!(a.secondary().stats().frees, 0);
}

use core::alloc::Layout;

/// A bump that answers `Owns` only for its live blocks with their exact
/// lengths (the least the contract asks), to test that wrappers ask their
/// parent about the block the parent holds.
struct Exact<'a> {
    bump: Bump<'a>,
    live: RefCell<Vec<(usize, usize)>>,
}

// SAFETY: every call goes to the bump, which upholds the contract; the list
// of live blocks is bookkeeping only.
unsafe impl RawAlloc for Exact<'_> {
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let p = RawAlloc::alloc(&self.bump, len, align, caller)?;
        self.live.borrow_mut().push((p.addr().get(), len));
        Some(p)
    }

    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: the caller upholds `resize`'s contract for the bump's block.
        let done = unsafe { self.bump.resize(memory, align, new_len, caller) };
        if done {
            let key = (memory.cast::<u8>().addr().get(), memory.len());
            for block in self.live.borrow_mut().iter_mut() {
                if *block == key {
                    block.1 = new_len;
                }
            }
        }
        done
    }

    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        let key = (memory.cast::<u8>().addr().get(), memory.len());
        self.live.borrow_mut().retain(|&block| block != key);
        // SAFETY: the caller upholds `free`'s contract for the bump's block.
        unsafe { self.bump.free(memory, align, caller) }
    }
}

// SAFETY: `true` only for a live block with its exact length, which is in
// the list; `false` for everything else, a superset of the ranges disjoint
// from the bump's memory. `try_borrow` does not unwind.
unsafe impl Owns for Exact<'_> {
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        let key = (memory.cast::<u8>().addr().get(), memory.len());
        self.live.try_borrow().is_ok_and(|live| live.contains(&key))
    }
}

#[test]
fn wrappers_answer_owns_as_their_parent() {
    let mut buf = room(256);
    let bump = Bump::new(&mut buf);
    let elsewhere = [0u8; 8];
    let foreign = NonNull::from(&elsewhere[..]);
    let counting = Counting::new(&bump);
    let fail = Fail::new(&bump, usize::MAX);
    let logging = Logging::new(&bump, Tally::default());
    let debug = DebugAlloc::new(&bump);
    let blocks = [
        raw(&counting, 8),
        raw(&fail, 8),
        raw(&logging, 8),
        raw(&debug, 8),
    ];
    for block in blocks {
        assert!(counting.owns(block) && fail.owns(block));
        assert!(logging.owns(block) && debug.owns(block));
    }
    assert!(!counting.owns(foreign) && !fail.owns(foreign));
    assert!(!logging.owns(foreign) && !debug.owns(foreign));
    // SAFETY: the block `debug` made above, with its length, freed once.
    unsafe { debug.free(blocks[3], Alignment::ONE, Caller::here()) };
    assert!(debug.check().is_ok());
}

#[test]
fn debug_alloc_owns_a_block_it_shrank_without_its_parent() {
    let (mut first, mut second) = (room(256), room(256));
    let parent = Exact {
        bump: Bump::new(&mut first),
        live: RefCell::new(Vec::new()),
    };
    let config = Config::new().with_on_drop(OnDrop::Ignore);
    let a = Fallback::new(
        DebugAlloc::with_config(parent, config),
        Counting::new(Bump::new(&mut second)),
    );
    let block = raw(&a, 64);
    // SAFETY: the live 64-byte block just made, alignment 1.
    assert!(unsafe { a.resize(block, Alignment::ONE, 8, Caller::here()) });
    let shrunk = NonNull::slice_from_raw_parts(block.cast::<u8>(), 8);
    // The parent still holds 64 bytes and owns only those: the debug
    // allocator must ask about them, not about the 8 its user holds.
    assert!(!a.primary().inner().owns(shrunk));
    assert!(a.primary().owns(shrunk));
    // SAFETY: the block with its current length, freed once.
    unsafe { a.free(shrunk, Alignment::ONE, Caller::here()) };
    assert_eq!(
        a.secondary().stats().frees,
        0,
        "the free went to the secondary"
    );
    assert!(a.primary().check().is_ok(), "{}", a.primary().report());
}

#[test]
fn a_composite_of_owns_parts_owns_their_blocks() {
    let (mut first, mut second) = (room(16), room(64));
    let a = Fallback::new(Bump::new(&mut first), Bump::new(&mut second));
    let (mine, theirs) = (raw(&a, 16), raw(&a, 16));
    assert!(Owns::owns(a.primary(), mine) && Owns::owns(a.secondary(), theirs));
    assert!(a.owns(mine) && a.owns(theirs));
    let terminated = Fallback::new(Null, Null);
    assert!(!terminated.owns(mine));
    assert!(RawAlloc::alloc(&terminated, 1, Alignment::ONE, Caller::here()).is_none());
}

// ---------------------------------------------------------------------------
// Every allocation failure
// ---------------------------------------------------------------------------

/// A body that spills out of a small primary and grows a vector across
/// the boundary; every failure comes back as an error.
fn spilling_body(h: impl Allocator + Copy) -> Result<u64, AllocError> {
    let mut v: allocator_api2::vec::Vec<u64, _> = allocator_api2::vec::Vec::new_in(h);
    v.try_reserve(4).map_err(|_| AllocError)?;
    v.extend(0..4);
    let b = Box::try_new_in([7u8; 24], h)?;
    v.try_reserve(60).map_err(|_| AllocError)?;
    v.extend(4..64);
    let mut w: allocator_api2::vec::Vec<u8, _> = allocator_api2::vec::Vec::new_in(h);
    w.try_reserve(200).map_err(|_| AllocError)?;
    w.extend_from_slice(&[1; 200]);
    w.truncate(100);
    Ok(v.iter().sum::<u64>() + u64::from(b[0]) + w.iter().map(|&x| u64::from(x)).sum::<u64>())
}

#[test]
fn every_allocation_failure_over_a_fallback_is_handled() {
    // `Fail` at the top: the check wraps the composite.
    let mut buf = room(256);
    let backing = Fallback::new(Bump::new(&mut buf), Global);
    let summary = check::assert_all_allocation_failures(&backing, |h| spilling_body(h));
    assert!(summary.allocations >= 4, "{summary}");
}

#[test]
fn every_allocation_failure_of_a_fallback_secondary_is_handled() {
    // `Fail` as the secondary: the body composes over the check's handle.
    let summary = check::assert_all_allocation_failures(&Global, |h: Handle<'_>| {
        let mut buf = [MaybeUninit::uninit(); 128];
        let a = Fallback::new(Bump::new(&mut buf), h);
        spilling_body(&a)
    });
    assert!(summary.allocations >= 2, "{summary}");
}

#[test]
fn every_allocation_failure_deep_in_a_nested_composite_is_handled() {
    // `Fail` two levels down, on both sides of a segregator.
    let summary = check::assert_all_allocation_failures(&Global, |h: Handle<'_>| {
        let mut buf = [MaybeUninit::uninit(); 128];
        let a = Segregator::<64, _, _>::new(h, Fallback::new(Bump::new(&mut buf), h));
        spilling_body(&a)
    });
    assert!(summary.allocations >= 3, "{summary}");
}

#[test]
fn every_allocation_failure_with_fail_inside_the_parts_is_handled() {
    // `Fail` in both parts (the primary refuses after a few allocations,
    // the secondary never) and at the top. The parts are built anew in
    // each run, so every run starts from the same state.
    let (primary_failed, secondary_used) = (Cell::new(false), Cell::new(false));
    let summary = check::assert_all_allocation_failures(&Global, |h: Handle<'_>| {
        let mut buf = room(1024);
        let a = Fallback::new(Fail::new(Bump::new(&mut buf), 3), Fail::new(h, usize::MAX));
        let result = spilling_body(&a);
        primary_failed.set(primary_failed.get() | a.primary().has_induced_failure());
        secondary_used.set(secondary_used.get() | (a.secondary().allocations() > 0));
        result
    });
    assert!(summary.allocations >= 1, "{summary}");
    assert!(primary_failed.get() && secondary_used.get());
}

#[test]
fn a_swallowed_failure_behind_a_fallback_is_reported() {
    let mut buf = room(64);
    let backing = Fallback::new(Bump::new(&mut buf), Global);
    let result = check::check_all_allocation_failures(&backing, |h| {
        let mut v: allocator_api2::vec::Vec<u8, _> = allocator_api2::vec::Vec::new_in(h);
        let _ = v.try_reserve(100); // served by the secondary; failure ignored
        Ok::<_, AllocError>(v.capacity())
    });
    assert!(matches!(result, Err(check::CheckError::Swallowed { .. })));
}
