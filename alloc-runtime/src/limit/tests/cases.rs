// The cases of `Limit`, included once per marker by `mod.rs`, which
// defines `new` (`Limit::new` or `Limit::new_sync`).

use core::mem::MaybeUninit;
use std::vec::Vec as StdVec;

use allocator_api2::alloc::AllocError;
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use proptest::prelude::*;

use crate::limit::*;
use crate::threading::sealed::Word;
use crate::test_support::{align, proptest_config, raw_alloc, raw_free, raw_remap, raw_resize};
use crate::testing::{self, Conformance};
use crate::{Bump, Counting, Global};

#[test]
fn limit_over_global_passes_the_conformance_suite() {
    let limit = new(Counting::new(Global), usize::MAX);
    testing::conformance(&limit);
    testing::api2::all(&limit);
    assert_eq!(limit.live_bytes(), 0, "the suite frees what it allocates");
    assert_eq!(limit.inner().stats().live_bytes, 0);
    assert!(limit.total_bytes() > 0);
    assert_eq!(
        limit.refused(),
        0,
        "a budget of usize::MAX refuses nothing itself"
    );
}

#[test]
fn limit_over_bump_passes_the_conformance_suite() {
    let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
    let limit = new(Bump::new(&mut buf), testing::CONFORMANCE_BYTES);
    Conformance::new().run(&limit);
    assert_eq!(limit.live_bytes(), 0);
    let mut buf = [MaybeUninit::uninit(); 64 * 1024];
    let limit = new(Bump::new(&mut buf), usize::MAX);
    testing::api2::all(&limit);
    assert_eq!(limit.live_bytes(), 0);
}

#[test]
fn refuses_exactly_past_the_budget_and_never_asks_the_parent() {
    let limit = new(Counting::new(Global), 100);
    let a = raw_alloc(&limit, 60, 8).unwrap();
    assert!(raw_alloc(&limit, 41, 8).is_none(), "61 + 40 > 100");
    assert_eq!((limit.refused(), limit.inner().stats().failures), (1, 0));
    assert_eq!(
        limit.inner().stats().allocations,
        1,
        "the refusal never reached it"
    );
    let b = raw_alloc(&limit, 40, 8).expect("exactly the budget");
    assert_eq!((limit.live_bytes(), limit.remaining()), (100, 0));
    assert!(raw_alloc(&limit, 1, 8).is_none());
    assert_eq!(limit.refused(), 2);
    // SAFETY: live, as allocated, freed once.
    unsafe { raw_free(&limit, b, 40, 8) };
    // SAFETY: as above.
    unsafe { raw_free(&limit, a, 60, 8) };
    assert_eq!((limit.live_bytes(), limit.total_bytes()), (0, 100));
    assert_eq!(limit.inner().stats().live_bytes, 0);
}

#[test]
fn the_total_budget_counts_freed_bytes_and_growth() {
    let limit = new(Counting::new(Global), usize::MAX).with_max_total(100);
    let a = raw_alloc(&limit, 50, 8).unwrap();
    // SAFETY: live, as allocated, freed once.
    unsafe { raw_free(&limit, a, 50, 8) };
    let b = raw_alloc(&limit, 30, 8).unwrap();
    assert_eq!(limit.remaining(), 20);
    // Global never grows in place, so growth is seen through `Bump` below;
    // here the refusal comes first, before the parent is asked.
    // SAFETY: live 30-byte block at `b`.
    assert!(!unsafe { raw_resize(&limit, b, 30, 8, 51) });
    assert_eq!(limit.refused(), 0, "resize refusals are not counted");
    assert!(raw_alloc(&limit, 21, 8).is_none());
    let c = raw_alloc(&limit, 20, 8).unwrap();
    assert!(raw_alloc(&limit, 1, 8).is_none(), "100 bytes ever, 50 live");
    // SAFETY: live, as allocated, freed once.
    unsafe { raw_free(&limit, b, 30, 8) };
    // SAFETY: as above.
    unsafe { raw_free(&limit, c, 20, 8) };
    assert_eq!(
        (limit.live_bytes(), limit.total_bytes(), limit.refused()),
        (0, 100, 2)
    );
}

#[test]
fn growth_checks_the_difference_and_shrinking_gives_it_back() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let limit = new(Bump::new(&mut buf), 100);
    let p = raw_alloc(&limit, 40, 8).unwrap();
    // SAFETY: (each call below) the most recent block at `p`, live with the
    // length given; refusals leave it as it was.
    assert!(unsafe { raw_resize(&limit, p, 40, 8, 100) });
    assert_eq!((limit.live_bytes(), limit.total_bytes()), (100, 100));
    // SAFETY: as above.
    let over = unsafe { raw_resize(&limit, p, 100, 8, 101) };
    assert!(!over, "one byte over");
    assert_eq!((limit.live_bytes(), limit.refused()), (100, 0));
    // SAFETY: as above.
    assert_eq!(unsafe { raw_remap(&limit, p, 100, 8, 10) }, Some(p));
    assert_eq!((limit.live_bytes(), limit.total_bytes()), (10, 100));
    // SAFETY: as above.
    assert_eq!(unsafe { raw_remap(&limit, p, 10, 8, 101) }, None);
    assert_eq!(limit.live_bytes(), 10);
    // SAFETY: as above.
    assert_eq!(unsafe { raw_remap(&limit, p, 10, 8, 100) }, Some(p));
    assert_eq!((limit.live_bytes(), limit.total_bytes()), (100, 190));
    // SAFETY: as above.
    assert!(unsafe { raw_resize(&limit, p, 100, 8, 1) });
    assert_eq!(limit.live_bytes(), 1);
    // SAFETY: live, 1 byte now, freed once.
    unsafe { raw_free(&limit, p, 1, 8) };
    assert_eq!(limit.live_bytes(), 0);
}

#[test]
fn a_growth_the_parent_refuses_changes_nothing() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let limit = new(Bump::new(&mut buf), 1000);
    let p = raw_alloc(&limit, 16, 8).unwrap();
    let q = raw_alloc(&limit, 16, 8).unwrap();
    // SAFETY: live 16-byte block at `p`, not the bump's most recent one.
    assert!(!unsafe { raw_resize(&limit, p, 16, 8, 32) });
    // SAFETY: live 16-byte block at `q`; the bump has no room for 500.
    assert_eq!(unsafe { raw_remap(&limit, q, 16, 8, 500) }, None);
    assert_eq!(
        (limit.live_bytes(), limit.total_bytes(), limit.refused()),
        (32, 32, 0)
    );
    assert!(
        raw_alloc(&limit, 900, 8).is_none(),
        "the bump refuses, not the budget"
    );
    assert_eq!((limit.live_bytes(), limit.refused()), (32, 0));
}

#[test]
fn overflow_near_usize_max_is_a_refusal() {
    let limit = new(Counting::new(Global), usize::MAX);
    let p = raw_alloc(&limit, 64, 8).unwrap();
    assert!(
        raw_alloc(&limit, usize::MAX, 8).is_none(),
        "64 + usize::MAX overflows"
    );
    assert!(raw_alloc(&limit, usize::MAX - 63, 8).is_none());
    assert_eq!(limit.refused(), 2);
    assert!(
        raw_alloc(&limit, usize::MAX - 64, 8).is_none(),
        "within budget, the parent refuses"
    );
    assert_eq!((limit.refused(), limit.inner().stats().failures), (2, 1));
    // SAFETY: live 64-byte block at `p`.
    assert!(!unsafe { raw_resize(&limit, p, 64, 8, usize::MAX) });
    assert_eq!(
        limit.refused(),
        2,
        "live would be exactly usize::MAX: the parent refuses"
    );
    let q = raw_alloc(&limit, 8, 8).unwrap();
    // SAFETY: live 64-byte block at `p`.
    let resized = unsafe { raw_resize(&limit, p, 64, 8, usize::MAX) };
    assert!(!resized, "72 + (usize::MAX - 64) overflows");
    assert_eq!(
        (limit.refused(), limit.inner().stats().failures),
        (2, 1),
        "not asked"
    );
    // SAFETY: live, as allocated, freed once.
    unsafe { raw_free(&limit, q, 8, 8) };
    // SAFETY: live, as allocated, freed once.
    unsafe { raw_free(&limit, p, 64, 8) };
    assert_eq!(limit.live_bytes(), 0);
    assert_eq!(limit.inner().stats().allocations, 2);
}

#[test]
fn the_total_saturates_instead_of_refusing_when_unset() {
    let limit = new(Counting::new(Global), usize::MAX);
    Word::set(&limit.total, usize::MAX - 10);
    let p = raw_alloc(&limit, 64, 8).expect("no total budget: saturation is not a refusal");
    assert_eq!(limit.total_bytes(), usize::MAX);
    // SAFETY: live, as allocated, freed once.
    unsafe { raw_free(&limit, p, 64, 8) };
    let limit = new(Global, usize::MAX).with_max_total(usize::MAX - 1);
    Word::set(&limit.total, usize::MAX - 10);
    assert!(raw_alloc(&limit, 64, 8).is_none());
}

#[test]
fn lowering_the_budget_below_live_refuses_until_freed() {
    let limit = new(Global, 64);
    let v = Box::new_in([0u8; 48], &limit);
    limit.set_max_live(32);
    assert_eq!(limit.remaining(), 0);
    assert!(Box::try_new_in(0u8, &limit).is_err());
    drop(v);
    assert_eq!(limit.remaining(), 32);
    assert!(Box::try_new_in([0u8; 32], &limit).is_ok());
}

#[test]
fn collections_see_the_refusal_as_an_error_and_keep_their_contents() {
    let limit = new(Counting::new(Global), 256);
    let mut v: Vec<u64, _> = Vec::new_in(&limit);
    let mut pushed = 0u64;
    while v.try_reserve(1).is_ok() {
        v.push(pushed);
        pushed += 1;
    }
    assert!(v.iter().copied().eq(0..pushed));
    assert!(limit.live_bytes() <= 256 && limit.live_bytes() == v.capacity() * 8);
    assert_eq!(limit.live_bytes(), limit.inner().stats().live_bytes);
    assert!(limit.refused() >= 1);
    drop(v);
    assert_eq!(
        (limit.live_bytes(), limit.inner().stats().live_bytes),
        (0, 0)
    );
}

#[test]
fn every_failure_under_the_limit_is_handled() {
    let summary = crate::check_all_allocation_failures(&Global, |h| {
        let limit = new(h, 4096);
        let mut v: Vec<u32, _> = Vec::new_in(&limit);
        for i in 0..200u32 {
            v.try_reserve(1).map_err(|_| AllocError)?;
            v.push(i);
        }
        let b = Box::try_new_in([7u8; 100], &limit)?;
        assert_eq!(limit.live_bytes(), v.capacity() * 4 + 100);
        Ok::<_, AllocError>(v.len() + b.len())
    })
    .expect("no swallowed failure, leak or panic");
    // The vector grows through the global allocator's `realloc`: growths.
    assert!(summary.allocations + summary.growths > 2, "{summary:?}");
}

// ---------------------------------------------------------------------------
// Model test
// ---------------------------------------------------------------------------

/// An operation of the model test.
#[derive(Clone, Debug)]
enum Op {
    /// Allocate this many bytes.
    /// Allocate this many bytes at `1 << align_log2`.
    Alloc(usize, u32),
    /// Resize the block at this index (modulo the live count) to this length.
    Resize(usize, usize),
    /// Remap likewise.
    Remap(usize, usize),
    /// Free the block at this index.
    Free(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1usize..300, 0u32..=6).prop_map(|(n, a)| Op::Alloc(n, a)),
        (any::<usize>(), 1usize..300).prop_map(|(i, n)| Op::Resize(i, n)),
        (any::<usize>(), 1usize..300).prop_map(|(i, n)| Op::Remap(i, n)),
        any::<usize>().prop_map(Op::Free),
    ]
}

proptest! {
    #![proptest_config(proptest_config(256, 4))]

    /// Live and total bytes follow a model exactly; a refusal happens
    /// exactly when the model says the budget would be passed, and then
    /// nothing reaches the parent; the parent's live bytes equal the
    /// limit's.
    #[test]
    fn the_figures_follow_the_model(
        max_live in 0usize..1200,
        max_total in 0usize..4000,
        ops in proptest::collection::vec(op(), 1..if cfg!(miri) { 30 } else { 120 }),
    ) {
        let mut buf = [MaybeUninit::uninit(); 8192];
        let limit = new(Counting::new(Bump::new(&mut buf)), max_live).with_max_total(max_total);
        let (mut live, mut total, mut refused) = (0usize, 0usize, 0usize);
        let mut blocks: StdVec<(NonNull<u8>, usize, usize)> = StdVec::new();
        for op in ops {
            let asks_before = limit.inner().stats().allocations + limit.inner().stats().failures;
            match op {
                Op::Alloc(n, align_log2) => {
                    let al = 1usize << align_log2;
                    let fits = live + n <= max_live && total + n <= max_total;
                    match limit.alloc(n, align(al), Caller::here()) {
                        Some(p) => {
                            prop_assert!(fits);
                            live += n;
                            total += n;
                            prop_assert_eq!(p.addr().get() % al, 0);
                            blocks.push((p, n, al));
                        }
                        None if fits => {} // the bump is full
                        None => {
                            refused += 1;
                            let asks = limit.inner().stats().allocations + limit.inner().stats().failures;
                            prop_assert_eq!(asks, asks_before, "a refusal reached the parent");
                        }
                    }
                }
                Op::Resize(i, n) | Op::Remap(i, n) if !blocks.is_empty() => {
                    let i = i % blocks.len();
                    let (p, old, al) = blocks[i];
                    let fits = n <= old || (live + (n - old) <= max_live && total + (n - old) <= max_total);
                    let done = if matches!(op, Op::Resize(..)) {
                        // SAFETY: `p` is live with length `old`, alignment 8.
                        unsafe { raw_resize(&limit, p, old, al, n) }.then_some(p)
                    } else {
                        // SAFETY: as above.
                        unsafe { raw_remap(&limit, p, old, al, n) }
                    };
                    if let Some(q) = done {
                        prop_assert!(fits);
                        if n > old { live += n - old; total += n - old; } else { live -= old - n; }
                        blocks[i] = (q, n, al);
                    }
                }
                Op::Free(i) if !blocks.is_empty() => {
                    let (p, n, al) = blocks.swap_remove(i % blocks.len());
                    // SAFETY: live, with its current length, freed once.
                    unsafe { raw_free(&limit, p, n, al) };
                    live -= n;
                }
                _ => {}
            }
            prop_assert_eq!(limit.live_bytes(), live);
            prop_assert_eq!(limit.total_bytes(), total);
            prop_assert_eq!(limit.refused(), refused);
            prop_assert_eq!(limit.inner().stats().live_bytes, live);
            prop_assert_eq!(limit.remaining(), (max_live.saturating_sub(live)).min(max_total.saturating_sub(total)));
        }
        for (p, n, al) in blocks {
            // SAFETY: live, with its current length, freed once.
            unsafe { raw_free(&limit, p, n, al) };
        }
        prop_assert_eq!(limit.live_bytes(), 0);
        prop_assert_eq!(limit.inner().stats().live_bytes, 0);
    }
}
