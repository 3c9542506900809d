//! `Limit<A, ThreadSafe>` shared by threads: the budget holds exactly when
//! they race for it, and every figure is exact once they are done.

use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::alloc::System;
use std::sync::Barrier;
use std::vec::Vec;

use crate::test_support::{raw_alloc, raw_free, raw_remap};
use crate::{Counting, Limit, ThreadSafe};

/// Threads racing.
const THREADS: usize = if cfg!(miri) { 3 } else { 4 };
/// Rounds of the races (a race lost in one round is likely won in another).
const ROUNDS: usize = if cfg!(miri) { 2 } else { 300 };

/// The stack under test: the limit over a counting parent that shows what
/// reached it.
type Stack = Limit<Counting<System, ThreadSafe>, ThreadSafe>;

fn stack(max_live: usize) -> Stack {
    Limit::new_sync(Counting::new_sync(System), max_live)
}

/// Each of `THREADS` threads asks for `tries` blocks of `len` bytes at
/// once (a barrier lines them up), keeps what it got until every thread
/// has asked, then frees it. Returns how many requests succeeded.
fn race(limit: &Stack, tries: usize, len: usize) -> usize {
    let start = Barrier::new(THREADS);
    let asked = Barrier::new(THREADS);
    let won = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                start.wait();
                let blocks: Vec<NonNull<u8>> = (0..tries)
                    .filter_map(|_| raw_alloc(limit, len, 8))
                    .collect();
                won.fetch_add(blocks.len(), Ordering::Relaxed);
                asked.wait();
                for p in blocks {
                    // SAFETY: live, allocated here with this length and
                    // alignment, freed once.
                    unsafe { raw_free(limit, p, len, 8) };
                }
            });
        }
    });
    won.into_inner()
}

#[test]
fn threads_racing_for_the_last_bytes_get_exactly_the_budget() {
    let (len, fits) = (24, 5);
    let tries = 3; // THREADS * tries > fits: some requests must lose
    let limit = stack(len * fits + len - 1); // room for `fits`, not one more
    for round in 1..=ROUNDS {
        assert_eq!(race(&limit, tries, len), fits, "round {round}");
        let asked = round * THREADS * tries;
        assert_eq!(limit.refused(), round * (THREADS * tries - fits));
        assert_eq!(limit.live_bytes(), 0);
        assert_eq!(limit.total_bytes(), round * fits * len);
        let parent = limit.inner().stats();
        assert_eq!(
            (parent.allocations, parent.failures, parent.live_bytes),
            ((round * fits) as u64, 0, 0),
            "a refusal never reached the parent ({asked} asked)"
        );
    }
}

#[test]
fn threads_racing_for_a_total_budget_get_exactly_the_budget() {
    let len = 16;
    let total = len * if cfg!(miri) { 4 } else { 200 };
    let limit = stack(usize::MAX).with_max_total(total);
    let won = AtomicUsize::new(0);
    let asked = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                // Allocate and free at once until refused: the live budget
                // never binds, the total does.
                while let Some(p) = raw_alloc(&limit, len, 8) {
                    won.fetch_add(1, Ordering::Relaxed);
                    asked.fetch_add(1, Ordering::Relaxed);
                    // SAFETY: live, allocated just now, freed once.
                    unsafe { raw_free(&limit, p, len, 8) };
                }
                asked.fetch_add(1, Ordering::Relaxed);
            });
        }
    });
    assert_eq!(won.into_inner() * len, total);
    assert_eq!(limit.total_bytes(), total);
    assert_eq!(limit.refused(), asked.into_inner() - total / len);
    assert_eq!(
        limit.refused(),
        THREADS,
        "each thread stopped at one refusal"
    );
    assert_eq!((limit.live_bytes(), limit.remaining()), (0, 0));
}

/// A deterministic stream of small numbers per thread.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize % n
    }
}

#[test]
fn churning_threads_never_hold_more_than_the_budget() {
    let budget = 1000;
    let limit = stack(budget);
    // Bytes the threads hold: raised after a block is handed out, lowered
    // before it is freed, so it never exceeds the limit's live bytes.
    let held = AtomicUsize::new(0);
    let refusals = AtomicUsize::new(0);
    let granted = AtomicUsize::new(0);
    let steps = if cfg!(miri) { 40 } else { 20_000 };
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (limit, held, refusals, granted) = (&limit, &held, &refusals, &granted);
            s.spawn(move || {
                let mut rng = Lcg(t as u64 + 1);
                let mut blocks: Vec<(NonNull<u8>, usize)> = Vec::new();
                for _ in 0..steps {
                    match rng.below(4) {
                        0 | 1 => {
                            let len = 1 + rng.below(300);
                            match raw_alloc(limit, len, 8) {
                                Some(p) => {
                                    let now = held.fetch_add(len, Ordering::Relaxed) + len;
                                    assert!(now <= budget, "{now} bytes held, budget {budget}");
                                    granted.fetch_add(len, Ordering::Relaxed);
                                    blocks.push((p, len));
                                }
                                None => {
                                    refusals.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        }
                        2 if !blocks.is_empty() => {
                            // Grow (or shrink) a block by `remap`.
                            let i = rng.below(blocks.len());
                            let (p, len) = blocks[i];
                            let new_len = 1 + rng.below(300);
                            if new_len < len {
                                held.fetch_sub(len - new_len, Ordering::Relaxed);
                            }
                            // SAFETY: `p` is live with length `len`, alignment 8.
                            match unsafe { raw_remap(limit, p, len, 8, new_len) } {
                                Some(q) => {
                                    if new_len > len {
                                        let now = held.fetch_add(new_len - len, Ordering::Relaxed)
                                            + (new_len - len);
                                        assert!(now <= budget, "{now} held after a growth");
                                        granted.fetch_add(new_len - len, Ordering::Relaxed);
                                    }
                                    blocks[i] = (q, new_len);
                                }
                                None => {
                                    assert!(new_len > len, "shrinking is never refused");
                                }
                            }
                        }
                        _ => {
                            if let Some((p, len)) = blocks.pop() {
                                held.fetch_sub(len, Ordering::Relaxed);
                                // SAFETY: live with this length, freed once.
                                unsafe { raw_free(limit, p, len, 8) };
                            }
                        }
                    }
                    assert!(limit.live_bytes() <= budget);
                }
                for (p, len) in blocks {
                    held.fetch_sub(len, Ordering::Relaxed);
                    // SAFETY: live with this length, freed once.
                    unsafe { raw_free(limit, p, len, 8) };
                }
            });
        }
    });
    assert_eq!((limit.live_bytes(), held.into_inner()), (0, 0));
    assert_eq!(limit.total_bytes(), granted.into_inner());
    // `System` never refuses these sizes: every refused `alloc` was the
    // budget's (refused growths are not counted).
    assert_eq!(limit.refused(), refusals.into_inner());
    let parent = limit.inner().stats();
    assert_eq!((parent.live_bytes, parent.failures), (0, 0));
}
