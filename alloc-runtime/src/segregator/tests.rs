//! Tests of `Segregator`: the conformance suite and the allocator-api2
//! checks, the model test across the threshold, routing by length (of
//! allocations, resizes, frees, `validate` and `Owns`), zero lengths and
//! extreme thresholds, and every allocation failure of a composed stack.

use core::alloc::Layout;
use core::mem::MaybeUninit;
use std::vec;
use std::vec::Vec;

use allocator_api2::alloc::{AllocError, Allocator};
use allocator_api2::boxed::Box;
use proptest::prelude::*;

use super::*;
use crate::route::model;
use crate::testing::{self, CONFORMANCE_BYTES, Conformance, api2};
use crate::{Arena, Bump, Counting, Fail, Fallback, Global, Handle, Null, Stats, check};

/// Uninitialized room for a bump, on the heap.
fn room(bytes: usize) -> std::boxed::Box<[MaybeUninit<u8>]> {
    // Uninitialized: no loop over the bytes, which Miri would pay for.
    std::boxed::Box::new_uninit_slice(bytes)
}

/// `len` bytes through the raw `alloc`, as a slice pointer.
fn raw(a: &impl RawAlloc, len: usize) -> NonNull<[u8]> {
    let p = RawAlloc::alloc(a, len, Alignment::ONE, Caller::here()).expect("allocation refused");
    NonNull::slice_from_raw_parts(p, len)
}

/// Two counted bumps split at 64 bytes.
type Counted<'a> = Segregator<64, Counting<Bump<'a>>, Counting<Bump<'a>>>;

fn counted<'a>(small: &'a mut [MaybeUninit<u8>], large: &'a mut [MaybeUninit<u8>]) -> Counted<'a> {
    Segregator::new(
        Counting::new(Bump::new(small)),
        Counting::new(Bump::new(large)),
    )
}

// ---------------------------------------------------------------------------
// The conformance suite and allocator-api2's checks
// ---------------------------------------------------------------------------

#[test]
fn bump_and_global_pass_the_conformance_suite() {
    let mut buf = room(CONFORMANCE_BYTES);
    let a = Segregator::<64, _, _>::new(Bump::new(&mut buf), Global);
    testing::conformance(&a);
    api2::all(&a);
    assert!(a.small().used() > 0);
}

#[test]
fn arena_and_global_pass_the_conformance_suite() {
    let a = Segregator::<128, _, _>::new(Arena::new(), Global);
    testing::conformance(&a);
    api2::all(&a);
    assert!(a.small().allocated_bytes() > 0);
}

#[test]
fn two_bumps_pass_the_conformance_suite() {
    let (mut small, mut large) = (room(CONFORMANCE_BYTES), room(2 * CONFORMANCE_BYTES));
    let a = Segregator::<256, _, _>::new(Bump::new(&mut small), Bump::new(&mut large));
    Conformance::new().run(&a);
    api2::all(&a);
}

#[test]
fn a_fallback_of_a_segregator_passes_the_conformance_suite() {
    let (mut small, mut large) = (room(4096), room(4096));
    let a = Fallback::new(
        Segregator::<64, _, _>::new(Bump::new(&mut small), Bump::new(&mut large)),
        Global,
    );
    testing::conformance(&a);
    api2::all(&a);
}

#[test]
fn a_segregator_of_fallbacks_passes_the_conformance_suite() {
    let (mut small, mut large) = (room(2048), room(4096));
    let a = Segregator::<64, _, _>::new(
        Fallback::new(Bump::new(&mut small), Global),
        Fallback::new(Bump::new(&mut large), Global),
    );
    testing::conformance(&a);
    api2::all(&a);
    assert!(a.small().primary().used() > 0 && a.large().primary().used() > 0);
}

#[test]
fn extreme_thresholds_pass_the_conformance_suite() {
    let mut buf = room(CONFORMANCE_BYTES);
    // Everything but zero lengths to the large part.
    let a = Segregator::<0, _, _>::new(Null, Bump::new(&mut buf));
    testing::conformance(&a);
    // Everything to the small part.
    let a = Segregator::<{ usize::MAX }, _, _>::new(Global, Null);
    testing::conformance(&a);
}

// ---------------------------------------------------------------------------
// The model test
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(model::config())]

    /// Lengths around the threshold: blocks move across it both ways.
    #[test]
    fn model_bump_and_global(ops in model::ops(64, 200)) {
        let mut buf = room(16 * 1024);
        let a = Segregator::<64, _, _>::new(
            Counting::new(Bump::new(&mut buf)),
            Counting::new(Global),
        );
        model::run(
            &a,
            &|| vec![a.small().stats(), a.large().stats()],
            &|m| usize::from(m.len() > 64),
            &ops,
        )?;
    }

    /// Two small buffers that run out: refusals on both sides.
    #[test]
    fn model_two_bumps(ops in model::ops(128, 400)) {
        let (mut small, mut large) = (room(1024), room(2048));
        let a = Segregator::<128, _, _>::new(
            Counting::new(Bump::new(&mut small)),
            Counting::new(Bump::new(&mut large)),
        );
        model::run(
            &a,
            &|| vec![a.small().stats(), a.large().stats()],
            &|m| usize::from(m.len() > 128),
            &ops,
        )?;
    }

    /// An arena for the small side, a small buffer then the heap for the
    /// large side: three parts.
    #[test]
    fn model_arena_and_a_fallback(ops in model::ops(64, 1200)) {
        let mut buf = room(1024);
        let a = Segregator::<64, _, _>::new(
            Counting::new(Arena::new()),
            Fallback::new(Counting::new(Bump::new(&mut buf)), Counting::new(Global)),
        );
        model::run(
            &a,
            &|| vec![a.small().stats(), a.large().primary().stats(), a.large().secondary().stats()],
            &|m| match (m.len() <= 64, a.large().primary().owns(m)) {
                (true, _) => 0,
                (false, true) => 1,
                (false, false) => 2,
            },
            &ops,
        )?;
    }
}

// ---------------------------------------------------------------------------
// Routing by length
// ---------------------------------------------------------------------------

#[test]
fn allocations_go_to_the_side_their_length_names() {
    let (mut small, mut large) = (room(256), room(256));
    let a = counted(&mut small, &mut large);
    let (one, at, over) = (raw(&a, 1), raw(&a, 64), raw(&a, 65));
    assert!(a.small().owns(one) && a.small().owns(at));
    assert!(a.large().owns(over) && !a.small().owns(over));
    assert_eq!(a.small().stats().allocations, 2);
    assert_eq!(a.large().stats().allocations, 1);
}

#[test]
fn a_full_side_refuses_without_asking_the_other() {
    let (mut small, mut large) = (room(64), room(256));
    let a = counted(&mut small, &mut large);
    raw(&a, 64);
    assert!(RawAlloc::alloc(&a, 8, Alignment::ONE, Caller::here()).is_none());
    assert_eq!(a.small().stats().failures, 1);
    assert_eq!(a.large().stats(), Stats::default());
}

#[test]
fn frees_go_to_the_side_the_length_names() {
    let (mut small, mut large) = (room(4096), room(8192));
    let a = counted(&mut small, &mut large);
    let mut blocks: Vec<NonNull<[u8]>> = (1..=100).map(|len| raw(&a, len)).collect();
    blocks.reverse();
    blocks.rotate_left(37);
    for block in blocks {
        // SAFETY: a live block of `a` with its length, freed once.
        unsafe { a.free(block, Alignment::ONE, Caller::here()) };
    }
    let (s, l) = (a.small().stats(), a.large().stats());
    assert_eq!((s.allocations, s.frees), (64, 64));
    assert_eq!((l.allocations, l.frees), (36, 36));
    assert_eq!(
        (s.bytes_freed, l.bytes_freed),
        (s.bytes_allocated, l.bytes_allocated)
    );
    assert_eq!((s.live_bytes, l.live_bytes), (0, 0));
}

#[test]
fn resizes_on_one_side_stay_in_that_part() {
    let (mut small, mut large) = (room(256), room(256));
    let a = counted(&mut small, &mut large);
    let block = raw(&a, 8);
    // SAFETY: the live 8-byte block just made, alignment 1.
    assert!(unsafe { a.resize(block, Alignment::ONE, 64, Caller::here()) });
    assert_eq!(a.small().stats().resizes, 1);
    let big = raw(&a, 100);
    // SAFETY: the live 100-byte block just made, alignment 1.
    let remapped = unsafe { a.remap(big, Alignment::ONE, 65, Caller::here()) };
    assert_eq!(remapped, Some(big.cast()));
    assert_eq!(a.large().stats().remaps, 1);
    assert_eq!(a.large().stats().live_bytes, 65);
}

#[test]
fn a_resize_across_the_threshold_is_refused_in_place() {
    let (mut small, mut large) = (room(256), room(256));
    let a = counted(&mut small, &mut large);
    let block = raw(&a, 64);
    // SAFETY: the live 64-byte block just made, alignment 1.
    assert!(!unsafe { a.resize(block, Alignment::ONE, 65, Caller::here()) });
    // SAFETY: the same block, left as it was by the refusal.
    assert!(unsafe { a.remap(block, Alignment::ONE, 65, Caller::here()) }.is_none());
    let big = raw(&a, 65);
    // SAFETY: the live 65-byte block just made, alignment 1.
    assert!(!unsafe { a.resize(big, Alignment::ONE, 64, Caller::here()) });
    // SAFETY: the same block, left as it was by the refusal.
    assert!(unsafe { a.remap(big, Alignment::ONE, 1, Caller::here()) }.is_none());
    // The small block was the bump's last but one: it could have grown in
    // place had it been asked; neither part was.
    assert_eq!(a.small().stats().resizes + a.small().stats().remaps, 0);
    assert_eq!(a.large().stats().resizes + a.large().stats().remaps, 0);
}

#[test]
fn growing_across_the_threshold_moves_the_block_to_the_large_part() {
    let (mut small, mut large) = (room(256), room(256));
    let a = counted(&mut small, &mut large);
    let mut v: allocator_api2::vec::Vec<u8, _> = allocator_api2::vec::Vec::with_capacity_in(32, &a);
    v.extend(0..32);
    assert!(a.small().owns(NonNull::from(&v[..])));
    v.reserve_exact(68);
    v.extend(32..100);
    assert!(a.large().owns(NonNull::from(&v[..])));
    assert!(v.iter().copied().eq(0..100));
    assert_eq!(a.small().stats().frees, 1, "the old block went back");
    // And back again on a shrink.
    v.truncate(10);
    v.shrink_to_fit();
    assert!(a.small().owns(NonNull::from(&v[..])));
    assert!(v.iter().copied().eq(0..10));
    assert_eq!(a.large().stats().frees, 1);
    drop(v);
    assert_eq!(
        (a.small().stats().live_bytes, a.large().stats().live_bytes),
        (0, 0)
    );
}

#[test]
fn validate_asks_the_side_the_length_names() {
    let (mut small, mut large) = (room(256), room(256));
    let a = Segregator::<64, _, _>::new(Bump::new(&mut small), Bump::new(&mut large));
    let (block, big) = (raw(&a, 64), raw(&a, 100));
    assert!(a.validate(block, Alignment::ONE, Caller::here()));
    assert!(a.validate(big, Alignment::ONE, Caller::here()));
    // The small block named with a large length: the large part does not
    // know it.
    let misnamed = NonNull::slice_from_raw_parts(block.cast::<u8>(), 65);
    assert!(!a.validate(misnamed, Alignment::ONE, Caller::here()));
    let elsewhere = [0u8; 100];
    let foreign = NonNull::from(&elsewhere[..]);
    assert!(!a.validate(foreign, Alignment::ONE, Caller::here()));
}

#[test]
fn owns_asks_the_side_the_length_names() {
    let (mut small, mut large) = (room(256), room(256));
    let a = Segregator::<64, _, _>::new(Bump::new(&mut small), Bump::new(&mut large));
    let (block, big) = (raw(&a, 64), raw(&a, 100));
    assert!(a.owns(block) && a.owns(big));
    let elsewhere = [0u8; 100];
    assert!(!a.owns(NonNull::from(&elsewhere[..8])));
    assert!(!a.owns(NonNull::from(&elsewhere[..])));
}

#[test]
fn zero_length_direct_calls_go_to_the_small_part() {
    let (mut small, mut large) = (room(64), room(64));
    let a = counted(&mut small, &mut large);
    // Allowed by `alloc`'s contract, answered by the small part.
    let zero = RawAlloc::alloc(&a, 0, Alignment::ONE, Caller::here());
    assert!(zero.is_some(), "a bump answers a zero-length request");
    assert_eq!(a.small().stats().allocations, 1);
    let empty = NonNull::slice_from_raw_parts(NonNull::<u8>::dangling(), 0);
    // Safe with any arguments: no memory is touched.
    let _ = a.validate(empty, Alignment::ONE, Caller::here());
    let _ = a.owns(empty);
    assert_eq!(a.large().stats(), Stats::default());
    // Over the heap, the small part refuses a zero length.
    let heap = Segregator::<64, _, _>::new(Global, Global);
    assert!(RawAlloc::alloc(&heap, 0, Alignment::ONE, Caller::here()).is_none());
}

#[test]
fn impossible_requests_are_refused_on_the_large_side() {
    let mut buf = room(64);
    let a = Segregator::<64, _, _>::new(Bump::new(&mut buf), Global);
    for len in [usize::MAX, isize::MAX as usize + 1] {
        assert!(RawAlloc::alloc(&a, len, Alignment::ONE, Caller::here()).is_none());
    }
    assert!(a.allocator().alloc_slice::<u64>(usize::MAX / 4).is_err());
    assert!(Box::try_new_in([0u8; 32], &a).is_ok());
    let huge = Layout::from_size_align(isize::MAX as usize - 4096, 8).unwrap();
    if !cfg!(miri) {
        // The global allocator refuses this; Miri stops at the attempt.
        assert!(Allocator::allocate(&&a, huge).is_err());
    }
}

// ---------------------------------------------------------------------------
// Every allocation failure
// ---------------------------------------------------------------------------

/// A body with small and large requests and growth across the threshold.
fn mixed_body(h: impl Allocator + Copy) -> Result<usize, AllocError> {
    let small = Box::try_new_in(1u64, h)?;
    let mut v: allocator_api2::vec::Vec<u8, _> = allocator_api2::vec::Vec::new_in(h);
    v.try_reserve(16).map_err(|_| AllocError)?;
    v.extend_from_slice(&[3; 16]);
    v.try_reserve(200).map_err(|_| AllocError)?;
    v.extend_from_slice(&[4; 200]);
    let large = Box::try_new_in([5u8; 300], h)?;
    // (No `shrink_to_fit`: a shrink across the threshold allocates, and
    // the infallible API would abort on the induced failure.)
    v.truncate(8);
    Ok(*small as usize + v.len() + large.len())
}

#[test]
fn every_allocation_failure_over_a_segregator_is_handled() {
    // `Fail` at the top.
    let mut buf = room(4096);
    let backing = Segregator::<64, _, _>::new(Bump::new(&mut buf), Global);
    let summary = check::assert_all_allocation_failures(&backing, |h| mixed_body(h));
    assert!(summary.allocations >= 4, "{summary}");
}

#[test]
fn every_allocation_failure_of_one_side_is_handled() {
    // `Fail` as the large side.
    let summary = check::assert_all_allocation_failures(&Global, |h: Handle<'_>| {
        let mut buf = [MaybeUninit::uninit(); 256];
        let a = Segregator::<64, _, _>::new(Bump::new(&mut buf), h);
        mixed_body(&a)
    });
    assert!(summary.allocations >= 2, "{summary}");
}

#[test]
fn every_allocation_failure_with_fail_in_both_sides_is_handled() {
    // `Fail` in both parts, one refusing for good after two allocations,
    // under the check's own.
    let mut buf = room(4096);
    let backing = Segregator::<64, _, _>::new(
        Fail::new(Bump::new(&mut buf), usize::MAX),
        Fallback::new(Fail::new(Null, 0), Fail::new(Global, usize::MAX)),
    );
    let summary = check::assert_all_allocation_failures(&backing, |h| mixed_body(h));
    assert!(summary.allocations >= 4, "{summary}");
    assert!(backing.large().primary().has_induced_failure());
    assert!(backing.small().allocations() > 0 && backing.large().secondary().allocations() > 0);
}

#[test]
fn owns_every_prefix_of_its_blocks_on_either_side_of_the_threshold() {
    // `Owns`'s contract covers prefixes: a pool over the segregator asks
    // with the request's length, which may name the other side.
    let (mut small, mut large) = (room(1024), room(1024));
    let seg = Segregator::<64, _, _>::new(Bump::new(&mut small), Bump::new(&mut large));
    let big = raw(&seg, 200);
    assert!(Owns::owns(seg.large(), big));
    for len in [1, 8, 64, 65, 199, 200] {
        let prefix = NonNull::slice_from_raw_parts(big.cast::<u8>(), len);
        assert!(Owns::owns(&seg, prefix), "a prefix of {len} bytes");
    }
    let elsewhere = [0u8; 16];
    assert!(!Owns::owns(&seg, NonNull::from(&elsewhere[..])));
}
