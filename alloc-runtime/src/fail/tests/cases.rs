// `Fail`'s own tests, after the conformance suite; included once per
// marker by `mod.rs`, which defines `new` and `with_config`.

use crate::fail::*;
use crate::{Bump, Counting, testing};
use allocator_api2::vec::Vec;
use core::mem::MaybeUninit;

/// Requests per statistical test.
const DRAWS: usize = if cfg!(miri) { 400 } else { 20_000 };

/// Whether each of `n` one-byte `create`s succeeds.
fn outcomes(config: FailConfig, n: usize) -> std::vec::Vec<bool> {
    let mut buf = std::vec![MaybeUninit::uninit(); n + 64];
    let fail = with_config(Bump::new(&mut buf), config);
    let a = fail.allocator();
    (0..n).map(|_| a.create(0u8).is_ok()).collect()
}

#[test]
fn passes_the_conformance_suite_below_its_limit() {
    let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
    let fail = new(Bump::new(&mut buf), usize::MAX);
    testing::conformance(&fail);
    assert!(!fail.has_induced_failure());
}

#[test]
fn the_first_n_allocations_succeed_then_all_fail() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let fail = new(Bump::new(&mut buf), 3);
    let a = fail.allocator();
    for _ in 0..3 {
        a.create(0u32).unwrap();
    }
    for _ in 0..5 {
        assert!(a.create(0u32).is_err());
    }
    assert_eq!((fail.allocations(), fail.induced_failures()), (3, 5));
}

#[test]
fn growth_fails_but_shrink_and_free_still_work() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let counting = Counting::new(new(Bump::new(&mut buf), 1));
    let mut v: Vec<u64, _> = Vec::new_in(&counting);
    v.try_reserve_exact(4).unwrap();
    v.extend([1, 2, 3, 4]);
    assert!(
        v.try_reserve_exact(100).is_err(),
        "growing after the limit fails"
    );
    assert_eq!(v, [1, 2, 3, 4], "and leaves the Vec intact");
    v.truncate(1);
    v.shrink_to_fit();
    assert_eq!(v.capacity(), 1, "shrinking still works");
    drop(v);
    let s = counting.stats();
    assert_eq!((s.allocations, s.frees, s.live_bytes), (1, 1, 0));
    // One refused grow through the bridge is three refused calls: the
    // in-place `resize`, the `remap`, and the fallback `alloc`.
    assert_eq!(counting.inner().induced_failures(), 3);
}

#[test]
fn parent_refusals_do_not_count_as_allocations() {
    let mut buf = [MaybeUninit::uninit(); 16];
    let fail = new(Bump::new(&mut buf), 2);
    let a = fail.allocator();
    assert!(a.alloc_slice::<u8>(64).is_err(), "the bump is too small");
    assert_eq!((fail.allocations(), fail.induced_failures()), (0, 0));
    a.create(1u8).unwrap();
    a.create(1u8).unwrap();
    assert!(a.create(1u8).is_err());
    assert_eq!(fail.induced_failures(), 1);
}

#[test]
fn counters_follow_zig_allocations_and_frees_and_counting_has_the_bytes() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    // Zig's `allocated_bytes`/`freed_bytes` are `Counting`'s to keep: `Fail`
    // keeps one word per allocation.
    let counting = Counting::new(new(Bump::new(&mut buf), 10));
    let fail = counting.inner();
    let a = counting.allocator();
    let p = a.create(1u64).unwrap();
    let s = a.alloc_slice::<u8>(10).unwrap();
    // SAFETY: `s` came from `alloc_slice` on this handle, with this length.
    let s = unsafe { a.realloc(s, 30) }.unwrap(); // grows in place: the last allocation
    // SAFETY: as above; shrinking.
    let s = unsafe { a.realloc(s, 5) }.unwrap();
    // SAFETY: each came from this handle and is freed once.
    unsafe {
        a.free_slice(s);
    }
    // SAFETY: as above.
    unsafe { a.destroy(p) };
    assert_eq!(
        (fail.allocations(), fail.frees(), fail.growths()),
        (2, 2, 1)
    );
    let stats = counting.stats();
    assert_eq!(stats.bytes_allocated, 8 + 10 + 20);
    assert_eq!(stats.bytes_freed, 25 + 5 + 8);
    assert_eq!(stats.peak_live_bytes, 8 + 30);
    assert!(!fail.has_induced_failure());
    assert_eq!(fail.first_failure(), None);
}

#[test]
fn the_first_failure_names_the_calling_line_and_its_index() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let fail = new(Bump::new(&mut buf), 2);
    let a = fail.allocator();
    a.create(1u32).unwrap();
    a.create(2u32).unwrap();
    let (result, line) = (a.create(3u32), line!());
    assert!(result.is_err());
    assert!(
        a.create(4u32).is_err(),
        "a later failure does not replace it"
    );
    let caller = fail.first_failure().unwrap();
    assert_eq!(caller.location().file(), file!());
    assert_eq!(caller.location().line(), line);
    let first = fail.first_induced().unwrap();
    assert_eq!(first.allocation_index, 2);
    assert_eq!(first.reason, FailureReason::FailIndex);
    assert_eq!(first.call, FailedCall::Alloc);
    assert_eq!(fail.induced_failures(), 2);
}

#[test]
fn resize_fail_index_refuses_the_nth_growth_and_later_ones_only() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let config = FailConfig::new().resize_fail_index(1);
    let fail = with_config(Bump::new(&mut buf), config);
    let a = fail.allocator();
    let s = a.alloc_slice::<u8>(4).unwrap();
    // SAFETY: the last allocation, from this handle, with this length.
    let s = unsafe { a.realloc(s, 8) }.unwrap();
    assert_eq!((fail.growths(), fail.induced_failures()), (1, 0));
    // Growth index 1: `resize` and `remap` refused, then the fallback
    // alloc (not watched by `resize_fail_index`) moves it.
    // SAFETY: as above.
    let s = unsafe { a.realloc(s, 16) }.unwrap();
    assert_eq!((fail.allocations(), fail.induced_failures()), (2, 2));
    let first = fail.first_induced().unwrap();
    assert_eq!(
        (first.call, first.reason, first.growth_index),
        (FailedCall::Resize, FailureReason::ResizeFailIndex, 1)
    );
    // Shrinking is never refused.
    // SAFETY: as above.
    let s = unsafe { a.realloc(s, 2) }.unwrap();
    // SAFETY: as above.
    unsafe { a.free_slice(s) };
    assert_eq!(fail.induced_failures(), 2);
}

#[test]
fn a_resize_failure_can_stop_allocations_too() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let config = FailConfig::new()
        .resize_fail_index(0)
        .resize_failure_stops_allocations(true);
    let fail = with_config(Bump::new(&mut buf), config);
    let mut v: Vec<u8, _> = Vec::new_in(&fail);
    v.try_reserve_exact(4).unwrap();
    assert!(v.try_reserve_exact(8).is_err());
    assert_eq!(fail.induced_failures(), 3, "resize, remap, fallback alloc");
    assert!(fail.allocator().create(1u8).is_err(), "and every later one");
    assert_eq!(fail.first_induced().unwrap().allocation_index, 1);
}

#[test]
fn every_kth_request_fails() {
    let got = outcomes(FailConfig::new().fail_every(4), 12);
    let expected: std::vec::Vec<bool> = (1..=12).map(|r| r % 4 != 0).collect();
    assert_eq!(got, expected);
    assert!(
        outcomes(FailConfig::new().fail_every(1), 5)
            .iter()
            .all(|ok| !ok)
    );
    assert!(
        outcomes(FailConfig::new().fail_every(0), 5)
            .iter()
            .all(|ok| *ok)
    );
}

#[test]
fn requests_above_the_size_limit_fail_and_others_pass() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let fail = with_config(Bump::new(&mut buf), FailConfig::new().fail_above(16));
    let a = fail.allocator();
    assert!(a.create([0u8; 16]).is_ok());
    assert!(a.create([0u8; 17]).is_err());
    let s = a.alloc_slice::<u8>(8).unwrap();
    // SAFETY: the last allocation, from this handle, with this length.
    assert!(unsafe { a.realloc(s, 32) }.is_err(), "growth above it too");
    let first = fail.first_induced().unwrap();
    assert_eq!((first.reason, first.len), (FailureReason::AboveSize, 17));
    assert_eq!(
        fail.induced_failures(),
        4,
        "alloc, then resize + remap + alloc"
    );
}

#[test]
fn the_same_seed_gives_the_same_failures() {
    let config = FailConfig::new().fail_with_probability(0.3, 0xDEAD_BEEF);
    let n = DRAWS.min(2000);
    assert_eq!(outcomes(config, n), outcomes(config, n));
}

#[test]
fn different_seeds_give_different_failures() {
    let n = 200;
    let a = outcomes(FailConfig::new().fail_with_probability(0.5, 1), n);
    let b = outcomes(FailConfig::new().fail_with_probability(0.5, 2), n);
    assert_ne!(a, b);
}

#[test]
fn the_failure_rate_is_about_p() {
    for p in [0.1, 0.5, 0.9] {
        let got = outcomes(FailConfig::new().fail_with_probability(p, 7), DRAWS);
        let rate = got.iter().filter(|ok| !**ok).count() as f64 / DRAWS as f64;
        let tolerance = if cfg!(miri) { 0.1 } else { 0.02 };
        assert!((rate - p).abs() < tolerance, "p={p}, rate={rate}");
    }
    assert!(
        outcomes(FailConfig::new().fail_with_probability(0.0, 7), 50)
            .iter()
            .all(|ok| *ok)
    );
    assert!(
        outcomes(FailConfig::new().fail_with_probability(1.0, 7), 50)
            .iter()
            .all(|ok| !ok)
    );
    assert!(
        outcomes(FailConfig::new().fail_with_probability(f64::NAN, 7), 50)
            .iter()
            .all(|ok| *ok)
    );
}

#[test]
fn the_seed_shows_in_debug_display_and_reports() {
    let config = FailConfig::new().fail_with_probability(0.25, 0x1234);
    assert!(std::format!("{config:?}").contains("seed: 4660"));
    assert_eq!(std::format!("{config}"), "probability=0.25 (seed=0x1234)");
    let mut buf = [MaybeUninit::uninit(); 64];
    let fail = with_config(Bump::new(&mut buf), config);
    assert!(std::format!("{fail}").contains("seed=0x1234"));
    assert!(std::format!("{fail:?}").contains("seed: 4660"));
}

#[test]
fn knobs_combine_and_display_together() {
    let config = FailConfig::new()
        .fail_index(5)
        .resize_fail_index(2)
        .resize_failure_stops_allocations(true)
        .fail_every(3)
        .fail_above(100);
    assert_eq!(
        std::format!("{config}"),
        "fail_index=5, resize_fail_index=2 (then allocations fail too), fail_every=3, fail_above=100"
    );
    // Requests 3 (every 3rd) and 6 (every 3rd) fail; the 5th success
    // reaches the failure index.
    let got = outcomes(FailConfig::new().fail_index(5).fail_every(3), 9);
    assert_eq!(
        got,
        [true, true, false, true, true, false, true, false, false]
    );
}

#[test]
fn a_one_shot_fail_index_refuses_that_allocation_only() {
    let got = outcomes(FailConfig::new().fail_index(2).sticky(false), 6);
    assert_eq!(got, [true, true, false, true, true, true]);
    let sticky = outcomes(FailConfig::new().fail_index(2), 6);
    assert_eq!(sticky, [true, true, false, false, false, false]);
}

#[test]
fn a_one_shot_allocation_failure_can_hit_a_growth_as_a_whole() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let config = FailConfig::new().fail_index(1).sticky(false);
    let fail = with_config(Bump::new(&mut buf), config);
    let mut v: Vec<u8, _> = Vec::new_in(&fail);
    v.try_reserve_exact(4).unwrap();
    // Allocation index 1 is reached: the next request for more memory, a
    // growth, fails as a whole (resize, remap, fallback alloc) ...
    assert!(v.try_reserve_exact(8).is_err());
    assert_eq!(fail.induced_failures(), 3);
    // ... and nothing after it.
    assert!(v.try_reserve_exact(8).is_ok());
    assert!(fail.allocator().create(1u8).is_ok());
    assert_eq!(fail.induced_failures(), 3);
}

#[test]
fn a_one_shot_growth_failure_refuses_the_whole_growth_once() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let config = FailConfig::new()
        .resize_fail_index(1)
        .resize_failure_stops_allocations(true)
        .sticky(false);
    let fail = with_config(Bump::new(&mut buf), config);
    let mut v: Vec<u8, _> = Vec::new_in(&fail);
    v.try_reserve_exact(4).unwrap();
    v.try_reserve_exact(8).unwrap(); // growth index 0, in place
    assert!(v.try_reserve_exact(16).is_err(), "growth index 1 fails");
    assert_eq!(fail.induced_failures(), 3, "resize, remap, fallback alloc");
    let first = fail.first_induced().unwrap();
    assert_eq!((first.call, first.growth_index), (FailedCall::Resize, 1));
    assert!(v.try_reserve_exact(16).is_ok(), "the next growth succeeds");
    assert!(
        fail.allocator().create(1u8).is_ok(),
        "and so do allocations"
    );
    assert_eq!((fail.growths(), fail.induced_failures()), (2, 3));
}

#[test]
fn a_one_shot_growth_failure_without_stopping_allocations_moves_the_block() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let config = FailConfig::new().resize_fail_index(0).sticky(false);
    let fail = with_config(Bump::new(&mut buf), config);
    let mut v: Vec<u8, _> = Vec::new_in(&fail);
    v.try_reserve_exact(4).unwrap();
    v.try_reserve_exact(8).unwrap(); // resize and remap refused: moved
    assert_eq!((fail.allocations(), fail.induced_failures()), (2, 2));
    v.try_reserve_exact(16).unwrap(); // in place again: the index is spent
    assert_eq!((fail.allocations(), fail.growths()), (2, 1));
}

#[test]
fn one_shot_shows_in_the_configuration() {
    let config = FailConfig::new()
        .fail_index(3)
        .allocation_failure_stops_growth(false)
        .resize_fail_index(1)
        .resize_failure_stops_allocations(true)
        .sticky(false);
    assert_eq!(
        std::format!("{config}"),
        "fail_index=3 (one-shot, growth goes on), resize_fail_index=1 (one-shot, its fallback allocation fails too)"
    );
}
