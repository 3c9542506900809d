//! `Fail<System, ThreadSafe>` as the `#[global_allocator]` of this test
//! binary, refusing any single request above 1 GiB: collections, threads
//! and a formatted panic message run through it with exact counts, and the
//! one huge request fails as `try_reserve`'s error, recorded with its
//! length.
//!
//! Without the test harness (`harness = false`): the figures are the whole
//! process's, and libtest's own threads would allocate while the checks run.

use std::alloc::System;

use alloc_runtime::{Fail, FailConfig, FailedCall, FailureReason, ThreadSafe};

#[global_allocator]
static GLOBAL: Fail<System, ThreadSafe> =
    Fail::with_config_sync(System, FailConfig::new().fail_above(1 << 30));

/// Allocations not freed yet.
fn live() -> usize {
    GLOBAL.allocations() - GLOBAL.frees()
}

fn main() {
    the_global_fail_counts_every_allocation_and_refuses_only_the_huge_one();
    println!("global_fail: 1 passed, 0 failed");
}

fn the_global_fail_counts_every_allocation_and_refuses_only_the_huge_one() {
    // Exact counts for code whose allocations are known: three boxes.
    let (allocations, frees) = (GLOBAL.allocations(), GLOBAL.frees());
    let boxes = [Box::new(1u64), Box::new(2), Box::new(3)];
    assert_eq!(GLOBAL.allocations(), allocations + 3);
    drop(boxes);
    assert_eq!(GLOBAL.frees(), frees + 3);

    // A vector grown by pushes: one allocation, then growths (in place or
    // moved by `realloc`), and one free.
    let (allocations, frees, growths) = (GLOBAL.allocations(), GLOBAL.frees(), GLOBAL.growths());
    let mut v = Vec::new();
    for i in 0..if cfg!(miri) { 1000 } else { 10_000u32 } {
        v.push(i);
    }
    assert_eq!(GLOBAL.allocations(), allocations + 1);
    assert!(GLOBAL.growths() > growths);
    drop(v);
    assert_eq!(GLOBAL.frees(), frees + 1);

    // Threads: whatever they allocate is freed by the time they are joined.
    let before = live();
    let lens: Vec<usize> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..4u32)
            .map(|t| {
                s.spawn(move || {
                    let strings: Vec<String> = (0..200).map(|i| format!("{t}:{i}")).collect();
                    strings.iter().map(String::len).sum()
                })
            })
            .collect();
        // Joined here, so each thread has ended (its thread-locals too).
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(lens, [890; 4]);
    drop(lens);
    assert_eq!(live(), before);

    // A formatted panic message, caught (once first, for what the panic
    // machinery sets up once).
    std::panic::set_hook(Box::new(|_| {}));
    let panic_with = |n: u32| std::panic::catch_unwind(move || panic!("formatted {n:>6}"));
    drop(panic_with(0));
    let before = live();
    let payload = panic_with(7).unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().unwrap(),
        "formatted      7"
    );
    drop(payload);
    assert_eq!(live(), before);
    let _ = std::panic::take_hook();

    // Nothing refused so far; then the one huge request is.
    assert_eq!(GLOBAL.induced_failures(), 0);
    let mut huge: Vec<u8> = Vec::new();
    assert!(huge.try_reserve_exact(2 << 30).is_err());
    assert_eq!(GLOBAL.induced_failures(), 1);
    let first = GLOBAL.first_induced().unwrap();
    assert_eq!(
        (first.call, first.reason, first.len),
        (FailedCall::Alloc, FailureReason::AboveSize, 2 << 30)
    );
    assert!(
        huge.try_reserve_exact(1 << 20).is_ok(),
        "and the process goes on"
    );
}
