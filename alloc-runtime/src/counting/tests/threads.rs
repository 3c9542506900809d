//! `Counting<_, ThreadSafe>` shared by several threads: after the threads
//! are joined every figure is exact, and the peak is exact when the threads
//! meet at barriers so that the largest live total is known.

use std::sync::Barrier;
use std::thread;
use std::vec::Vec as StdVec;

use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use hashbrown::HashMap;
use std::alloc::System;

use crate::{Counting, Global, RawAlloc, Stats, ThreadSafe};

/// Threads sharing the counter; rounds each runs. Lower under Miri, whose
/// data-race detector and scheduler make each step slow.
const THREADS: usize = if cfg!(miri) { 3 } else { 4 };
const ROUNDS: usize = if cfg!(miri) { 4 } else { 2000 };

/// `f(thread index)` on `THREADS` scoped threads at once (they start
/// together, so their calls overlap); their answers, in thread order.
fn on_threads<R: Send>(f: impl Fn(usize) -> R + Sync) -> StdVec<R> {
    let (f, start) = (&f, &Barrier::new(THREADS));
    thread::scope(|s| {
        let handles: StdVec<_> = (0..THREADS)
            .map(|i| {
                s.spawn(move || {
                    start.wait();
                    f(i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Each thread allocates and drops `ROUNDS` boxes of 24 bytes through
/// `shared`: the figures afterwards follow from that alone.
fn boxes_are_counted_exactly<A: RawAlloc + Sync>(shared: &Counting<A, ThreadSafe>) {
    on_threads(|i| {
        for r in 0..ROUNDS {
            let b = Box::new_in([i as u64, r as u64, 7], shared);
            assert_eq!(b[2], 7);
        }
    });
    let s = shared.stats();
    let n = (THREADS * ROUNDS) as u64;
    assert_eq!((s.allocations, s.frees, s.failures), (n, n, 0));
    assert_eq!((s.resizes, s.remaps), (0, 0));
    assert_eq!((s.bytes_allocated, s.bytes_freed), (24 * n, 24 * n));
    assert_eq!(s.live_bytes, 0);
    assert!(
        (24..=24 * THREADS).contains(&s.peak_live_bytes),
        "each thread holds one box at a time: {s}"
    );
}

#[test]
fn boxes_from_every_thread_are_counted_exactly_over_system() {
    boxes_are_counted_exactly(&Counting::new_sync(System));
}

#[test]
fn boxes_from_every_thread_are_counted_exactly_over_global() {
    boxes_are_counted_exactly(&Counting::new_sync(Global));
}

/// Collections that grow, shrink and move, built on every thread at once.
/// Each thread also counts its own calls in a `Local` counter stacked over
/// the shared one; the shared figures are the sums of the threads' figures.
fn collections_add_up_to_the_threads_counts<A: RawAlloc + Sync>(shared: &Counting<A, ThreadSafe>) {
    let per_thread = on_threads(|i| {
        let local = Counting::new(shared);
        let mut map = HashMap::new_in(&local);
        for r in 0..ROUNDS {
            let mut v: Vec<u32, _> = Vec::new_in(&local);
            v.extend(0..(r % 40) as u32 + i as u32);
            v.truncate(v.len() / 2);
            v.shrink_to_fit();
            map.insert(r, v);
            if r % 3 == 0 {
                map.remove(&(r / 2));
            }
        }
        assert!(!map.is_empty());
        drop(map);
        local.stats()
    });
    let sum = per_thread.iter().fold(Stats::default(), |mut sum, s| {
        sum.allocations += s.allocations;
        sum.frees += s.frees;
        sum.resizes += s.resizes;
        sum.remaps += s.remaps;
        sum.failures += s.failures;
        sum.bytes_allocated += s.bytes_allocated;
        sum.bytes_freed += s.bytes_freed;
        sum
    });
    let s = shared.stats();
    assert!(
        sum.allocations > 0 && sum.remaps > 0,
        "a real workload: {sum}"
    );
    assert_eq!(
        (s.allocations, s.frees, s.resizes, s.remaps, s.failures),
        (
            sum.allocations,
            sum.frees,
            sum.resizes,
            sum.remaps,
            sum.failures
        )
    );
    assert_eq!(
        (s.bytes_allocated, s.bytes_freed),
        (sum.bytes_allocated, sum.bytes_freed)
    );
    assert_eq!((s.live_bytes, s.live_allocations()), (0, 0));
    let largest_thread_peak = per_thread.iter().map(|s| s.peak_live_bytes).max();
    let sum_of_thread_peaks: usize = per_thread.iter().map(|s| s.peak_live_bytes).sum();
    assert!(
        (largest_thread_peak.unwrap()..=sum_of_thread_peaks).contains(&s.peak_live_bytes),
        "the shared peak lies between the largest thread's and the sum: {s}"
    );
}

#[test]
fn collections_on_every_thread_add_up_over_system() {
    collections_add_up_to_the_threads_counts(&Counting::new_sync(System));
}

#[test]
fn collections_on_every_thread_add_up_over_global() {
    collections_add_up_to_the_threads_counts(&Counting::new_sync(Global));
}

/// The bytes thread `i` holds in round `r` of the barrier test: rounds of
/// different totals, so the peak is one round's and not the last one's.
fn held(i: usize, r: usize) -> usize {
    8 * (i + 1) * [3, 1, 5, 2, 4][r % 5]
}

#[test]
fn the_peak_is_exact_when_threads_hold_their_blocks_at_a_barrier() {
    let shared = Counting::new_sync(System);
    let barrier = Barrier::new(THREADS + 1);
    let rounds = if cfg!(miri) { 12 } else { 200 };
    // Nothing asserts until every thread is past its last barrier: a panic
    // in between would leave the others waiting.
    let (capacities, seen) = thread::scope(|s| {
        let workers: StdVec<_> = (0..THREADS)
            .map(|i| {
                let (shared, barrier) = (&shared, &barrier);
                s.spawn(move || {
                    let mut capacities = StdVec::new();
                    for r in 0..rounds {
                        // Half of the block now, grown (`remap`) to the
                        // full size: the peak is reached by growth too.
                        let mut v: Vec<u8, _> = Vec::with_capacity_in(held(i, r) / 2, shared);
                        v.reserve_exact(held(i, r));
                        capacities.push(v.capacity());
                        barrier.wait(); // every block held
                        barrier.wait(); // read by the main thread
                        drop(v);
                        barrier.wait(); // every block freed
                        barrier.wait(); // read by the main thread
                    }
                    capacities
                })
            })
            .collect();
        let mut seen = StdVec::new();
        for _ in 0..rounds {
            barrier.wait();
            let held = shared.stats();
            barrier.wait();
            barrier.wait();
            let freed = shared.stats();
            barrier.wait();
            seen.push((held, freed));
        }
        let capacities: StdVec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        (capacities, seen)
    });
    let mut expected_peak = 0;
    for (r, (held_stats, freed_stats)) in seen.iter().enumerate() {
        let total: usize = (0..THREADS).map(|i| held(i, r)).sum();
        for (i, c) in capacities.iter().enumerate() {
            assert_eq!(
                c[r],
                held(i, r),
                "thread {i}, round {r}: the block grew exactly"
            );
        }
        expected_peak = expected_peak.max(total);
        let st = held_stats;
        assert_eq!(st.live_bytes, total, "round {r}, blocks held");
        assert_eq!(st.peak_live_bytes, expected_peak, "round {r}, blocks held");
        let st = freed_stats;
        assert_eq!(st.live_bytes, 0, "round {r}, blocks freed");
        assert_eq!(st.peak_live_bytes, expected_peak, "round {r}, blocks freed");
    }
    let s = shared.stats();
    let n = (THREADS * rounds) as u64;
    assert_eq!((s.allocations, s.frees, s.remaps), (n, n, n));
    assert_eq!(s.bytes_allocated, s.bytes_freed);
}

/// xorshift64: a deterministic sequence per thread, no dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn the_peak_is_at_least_every_live_total_a_thread_saw() {
    let shared = Counting::new_sync(System);
    let steps = if cfg!(miri) { 12 } else { 2000 };
    let seen = on_threads(|i| {
        let mut state = 0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1);
        let mut held: StdVec<Vec<u8, _>> = StdVec::new();
        let (mut own, mut own_max, mut seen_max) = (0, 0, 0);
        for _ in 0..steps {
            let x = next(&mut state);
            if held.len() < 8 && (x % 3 != 0 || held.is_empty()) {
                let len = 1 + (x >> 8) as usize % 200;
                held.push(Vec::with_capacity_in(len, &shared));
                own += len;
            } else {
                let v = held.swap_remove((x >> 8) as usize % held.len());
                own -= v.capacity();
            }
            own_max = own_max.max(own);
            let s = shared.stats();
            assert!(s.peak_live_bytes >= s.live_bytes, "{s}");
            seen_max = seen_max.max(s.live_bytes);
        }
        (own_max, seen_max)
    });
    let s = shared.stats();
    assert_eq!(s.live_bytes, 0);
    for (i, &(own_max, seen_max)) in seen.iter().enumerate() {
        assert!(
            s.peak_live_bytes >= seen_max,
            "thread {i} saw {seen_max} bytes live, above the peak: {s}"
        );
        assert!(
            s.peak_live_bytes >= own_max,
            "thread {i} alone held {own_max} bytes, above the peak: {s}"
        );
    }
    let sum_of_maxima: usize = seen.iter().map(|&(own_max, _)| own_max).sum();
    assert!(
        s.peak_live_bytes <= sum_of_maxima,
        "the peak is above what all threads together ever held ({sum_of_maxima}): {s}"
    );
}
