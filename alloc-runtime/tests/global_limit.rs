//! `Limit<Counting<System, ThreadSafe>, ThreadSafe>` as the
//! `#[global_allocator]` of this test binary: collections, threads and a
//! formatted panic message run through it, the limit's figures agree with
//! the counting parent's exactly, and a request past the budget is refused
//! process-wide (as `try_reserve`'s error) and counted once.
//!
//! Without the test harness (`harness = false`): the figures are the whole
//! process's, and libtest's own threads would allocate while the checks run.

use std::alloc::System;
use std::collections::{BTreeMap, HashMap};

use alloc_runtime::{Counting, Limit, ThreadSafe};

#[global_allocator]
static GLOBAL: Limit<Counting<System, ThreadSafe>, ThreadSafe> =
    Limit::new_sync(Counting::new_sync(System), 512 << 20);

/// The limit's figures and the parent's agree: both count every request
/// the parent granted (and nothing is in flight between two statements of
/// this thread when no other thread runs).
fn assert_figures_agree() {
    let stats = GLOBAL.inner().stats();
    assert_eq!(GLOBAL.live_bytes(), stats.live_bytes);
    assert_eq!(GLOBAL.total_bytes() as u64, stats.bytes_allocated);
    assert_eq!(stats.failures, 0, "the system allocator refused nothing");
}

fn main() {
    the_global_limit_counts_the_whole_process_and_refuses_past_its_budget();
    println!("global_limit: 1 passed, 0 failed");
}

fn the_global_limit_counts_the_whole_process_and_refuses_past_its_budget() {
    // Collections.
    let before = GLOBAL.live_bytes();
    let mut map: HashMap<u64, String> = HashMap::new();
    let mut tree = BTreeMap::new();
    let n = if cfg!(miri) { 100 } else { 1000 };
    for i in 0..n {
        map.insert(i, format!("value {i}"));
        tree.insert(i.to_string(), vec![i; 3]);
    }
    assert!(GLOBAL.live_bytes() as u64 >= before as u64 + n * (8 + 3 * 8));
    assert_figures_agree();
    drop((map, tree));
    assert_eq!(GLOBAL.live_bytes(), before, "everything given back");
    assert_figures_agree();

    // Threads, each with collections of its own.
    let sums: Vec<u64> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                s.spawn(move || {
                    let v: Vec<Box<u64>> = (0..500).map(|i| Box::new(i * t)).collect();
                    v.iter().map(|b| **b).sum::<u64>()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(sums, [0, 124_750, 249_500, 374_250]);
    assert_figures_agree();

    // A formatted panic message, caught (once first, for what the panic
    // machinery sets up once).
    std::panic::set_hook(Box::new(|_| {}));
    let panic_with = |n: u32| std::panic::catch_unwind(move || panic!("formatted {n:>6}"));
    drop(panic_with(0));
    let before = GLOBAL.live_bytes();
    let payload = panic_with(42).unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().unwrap(),
        "formatted     42"
    );
    drop(payload);
    assert_eq!(GLOBAL.live_bytes(), before);
    let _ = std::panic::take_hook();
    assert_figures_agree();

    // Past the budget: refused, counted once, and the process goes on.
    let refused = GLOBAL.refused();
    let parent_allocations = GLOBAL.inner().stats().allocations;
    let mut big: Vec<u8> = Vec::new();
    assert!(big.try_reserve_exact(GLOBAL.remaining() + 1).is_err());
    assert_eq!(GLOBAL.refused(), refused + 1);
    assert_eq!(
        GLOBAL.inner().stats().allocations,
        parent_allocations,
        "the refusal never reached the system allocator"
    );
    // Lowering the budget applies to the whole process at once.
    let max = GLOBAL.max_live();
    GLOBAL.set_max_live(GLOBAL.live_bytes() + 1024);
    assert!(big.try_reserve_exact(2048).is_err());
    assert!(big.try_reserve_exact(512).is_ok());
    GLOBAL.set_max_live(max);
    assert_eq!(GLOBAL.refused(), refused + 2);
    drop(big);
    assert_figures_agree();
}
