//! `Fail<A, ThreadSafe>` shared by threads: the failure indices and the
//! per-request knobs fail exactly the requests they would on one thread,
//! counted once each, however the threads race.

use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::alloc::System;
use std::sync::Barrier;

use crate::test_support::{raw_alloc, raw_free, raw_remap};
use crate::{Fail, FailConfig, FailedCall, FailureReason, ThreadSafe};

/// Threads racing.
const THREADS: usize = if cfg!(miri) { 3 } else { 4 };
/// Requests per thread.
const EACH: usize = if cfg!(miri) { 6 } else { 2_000 };
/// Rounds of the races that are quick to set up.
const ROUNDS: usize = if cfg!(miri) { 1 } else { 100 };

/// What the threads saw: requests that succeeded and that were refused.
#[derive(Debug, PartialEq)]
struct Seen {
    succeeded: usize,
    refused: usize,
}

/// `THREADS` threads, lined up by a barrier, each make `each` one-byte
/// allocations and free each at once.
fn allocate_and_free(fail: &Fail<System, ThreadSafe>, each: usize) -> Seen {
    let start = Barrier::new(THREADS);
    let succeeded = AtomicUsize::new(0);
    let refused = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                start.wait();
                for _ in 0..each {
                    match raw_alloc(fail, 1, 1) {
                        Some(p) => {
                            succeeded.fetch_add(1, Ordering::Relaxed);
                            // SAFETY: live, allocated just now, freed once.
                            unsafe { raw_free(fail, p, 1, 1) };
                        }
                        None => {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    Seen {
        succeeded: succeeded.into_inner(),
        refused: refused.into_inner(),
    }
}

#[test]
fn exactly_n_allocations_pass_a_sticky_index_across_threads() {
    let n = THREADS * EACH / 2;
    for round in 0..ROUNDS {
        let fail = Fail::new_sync(System, n);
        let seen = allocate_and_free(&fail, EACH);
        let rest = THREADS * EACH - n;
        assert_eq!(
            seen,
            Seen {
                succeeded: n,
                refused: rest
            },
            "round {round}"
        );
        assert_eq!((fail.allocations(), fail.frees()), (n, n));
        assert_eq!(fail.induced_failures(), rest);
        let first = fail.first_induced().unwrap();
        assert_eq!(
            (first.allocation_index, first.reason),
            (n, FailureReason::FailIndex)
        );
    }
}

#[test]
fn a_one_shot_index_fails_exactly_one_of_the_racing_allocations() {
    for round in 0..ROUNDS {
        // The index falls where the threads are all running.
        let n = THREADS * EACH / 2 + round % THREADS;
        let config = FailConfig::new().fail_index(n).sticky(false);
        let fail = Fail::with_config_sync(System, config);
        let seen = allocate_and_free(&fail, EACH);
        let all = THREADS * EACH;
        assert_eq!(
            seen,
            Seen {
                succeeded: all - 1,
                refused: 1
            },
            "round {round}"
        );
        assert_eq!((fail.allocations(), fail.frees()), (all - 1, all - 1));
        assert_eq!(fail.induced_failures(), 1);
        let first = fail.first_induced().unwrap();
        assert_eq!((first.call, first.allocation_index), (FailedCall::Alloc, n));
    }
}

#[test]
fn every_kth_request_fails_across_threads() {
    let k = 7;
    let fail = Fail::with_config_sync(System, FailConfig::new().fail_every(k));
    let seen = allocate_and_free(&fail, EACH);
    let all = THREADS * EACH;
    assert_eq!(
        seen,
        Seen {
            succeeded: all - all / k,
            refused: all / k
        }
    );
    assert_eq!(fail.induced_failures(), all / k);
    assert_eq!(
        (fail.allocations(), fail.frees()),
        (seen.succeeded, seen.succeeded)
    );
}

#[test]
fn a_seed_fails_as_many_requests_across_threads_as_on_one() {
    let config = FailConfig::new().fail_with_probability(0.3, 0x5EED);
    let all = THREADS * EACH;
    // On one thread, the same number of requests, in order.
    let alone = Fail::with_config(System, config);
    let expected = (0..all)
        .filter(|_| match raw_alloc(&alone, 1, 1) {
            Some(p) => {
                // SAFETY: live, allocated just now, freed once.
                unsafe { raw_free(&alone, p, 1, 1) };
                false
            }
            None => true,
        })
        .count();
    assert!(expected > 0 && expected < all, "{expected} of {all}");
    let fail = Fail::with_config_sync(System, config);
    let seen = allocate_and_free(&fail, EACH);
    assert_eq!(
        seen.refused, expected,
        "request numbers are taken under the lock"
    );
    assert_eq!(fail.induced_failures(), expected);
    assert_eq!(fail.allocations(), all - expected);
}

#[test]
fn a_one_shot_growth_index_fails_exactly_one_of_the_racing_growths() {
    let growths = if cfg!(miri) { 4 } else { 300 };
    for round in 0..ROUNDS {
        // The index falls where the threads are all running.
        let n = THREADS * growths / 2 + round % THREADS;
        let config = FailConfig::new().resize_fail_index(n).sticky(false);
        let fail = Fail::with_config_sync(System, config);
        let refused = grow_with_lengths_of_their_own(&fail, growths);
        assert_eq!(refused, 1, "round {round}");
        assert_eq!(fail.growths(), THREADS * growths - 1, "round {round}");
        assert_eq!(fail.induced_failures(), 1, "round {round}");
        // The record has the index the refused growth was judged at, not
        // one moved by the growths other threads made while it was being
        // recorded (no longer watched once the one-shot index is spent).
        let first = fail.first_induced().unwrap();
        assert_eq!(
            (first.call, first.reason, first.growth_index),
            (FailedCall::Remap, FailureReason::ResizeFailIndex, n),
            "round {round}"
        );
        assert_eq!((fail.allocations(), fail.frees()), (THREADS, THREADS));
    }
}

/// `THREADS` threads, lined up by a barrier, each grow a block of their own
/// `growths` times through `remap`, to lengths no other thread uses (so that
/// no other thread's request looks like the rest of a refused growth); a
/// refused growth is not tried again. Returns the growths refused.
fn grow_with_lengths_of_their_own(fail: &Fail<System, ThreadSafe>, growths: usize) -> usize {
    let start = Barrier::new(THREADS);
    let refused = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (fail, start, refused) = (fail, &start, &refused);
            s.spawn(move || {
                let len_at = |step: usize| THREADS * (step + 1) + t;
                let (mut p, mut len): (NonNull<u8>, usize) =
                    (raw_alloc(fail, len_at(0), 8).unwrap(), len_at(0));
                start.wait();
                for step in 1..=growths {
                    let new_len = len_at(step);
                    // SAFETY: `p` is live with length `len`, alignment 8.
                    match unsafe { raw_remap(fail, p, len, 8, new_len) } {
                        Some(q) => (p, len) = (q, new_len),
                        None => {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                // SAFETY: live with this length, freed once.
                unsafe { raw_free(fail, p, len, 8) };
            });
        }
    });
    refused.into_inner()
}

/// `THREADS` threads, lined up by a barrier, each grow a block of their
/// own by one byte `growths` times through `remap` (a refused growth is
/// tried again with the next length). Returns the growths that succeeded.
fn grow_by_one(fail: &Fail<System, ThreadSafe>, growths: usize) -> usize {
    let start = Barrier::new(THREADS);
    let grown = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (fail, start, grown) = (fail, &start, &grown);
            s.spawn(move || {
                let (mut p, mut len) = (raw_alloc(fail, 8 + t, 8).unwrap(), 8 + t);
                start.wait();
                for _ in 0..growths {
                    // SAFETY: `p` is live with length `len`, alignment 8.
                    if let Some(q) = unsafe { raw_remap(fail, p, len, 8, len + 1) } {
                        grown.fetch_add(1, Ordering::Relaxed);
                        (p, len) = (q, len + 1);
                    }
                }
                // SAFETY: live with this length, freed once.
                unsafe { raw_free(fail, p, len, 8) };
            });
        }
    });
    grown.into_inner()
}

#[test]
fn a_sticky_growth_index_lets_exactly_n_growths_through_across_threads() {
    let growths = if cfg!(miri) { 4 } else { 100 };
    for round in 0..ROUNDS {
        let n = THREADS * growths / 2 + round % THREADS;
        let fail = Fail::with_config_sync(System, FailConfig::new().resize_fail_index(n));
        assert_eq!(grow_by_one(&fail, growths), n, "round {round}");
        assert_eq!(fail.growths(), n);
        assert_eq!(fail.induced_failures(), THREADS * growths - n);
        assert_eq!((fail.allocations(), fail.frees()), (THREADS, THREADS));
    }
}
