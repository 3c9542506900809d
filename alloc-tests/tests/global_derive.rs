//! A user's own `#[derive(Allocator)]` struct with `#[allocator(global)]`
//! as the `#[global_allocator]`: requests of at most 256 bytes and larger
//! ones counted apart, every request counted on top, from several threads.
//!
//! `harness = false` (see `Cargo.toml`): `main` runs the checks on one
//! thread, so the process-wide counters see only what is measured.

use std::alloc::System;
use std::hint::black_box;

use alloc_runtime::{Allocator, Counting, Segregator, Stats, ThreadSafe};

type Counted = Counting<System, ThreadSafe>;

/// The process's allocator: small and large requests counted apart.
#[derive(Allocator)]
#[allocator(global)]
struct ProcessAllocator {
    #[allocator(parent)]
    inner: Counting<Segregator<256, Counted, Counted>, ThreadSafe>,
}

impl ProcessAllocator {
    const fn new() -> Self {
        Self {
            inner: Counting::new_sync(Segregator::new(
                Counting::new_sync(System),
                Counting::new_sync(System),
            )),
        }
    }

    /// (all, small, large)
    fn stats(&self) -> (Stats, Stats, Stats) {
        let parts = self.inner.inner();
        (
            self.inner.stats(),
            parts.small().stats(),
            parts.large().stats(),
        )
    }
}

#[global_allocator]
static GLOBAL: ProcessAllocator = ProcessAllocator::new();

/// Boxes of 64 bytes go to the small part, vectors of 4 KiB to the large
/// one, from two threads; the parts' counts add up to the total.
fn small_and_large_apart() {
    let n: u64 = if cfg!(miri) { 10 } else { 1000 };
    let (all0, small0, large0) = GLOBAL.stats();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(move || {
                    for i in 0..n {
                        drop(black_box(Box::new([i as u8; 64])));
                        drop(black_box(vec![i as u8; 4096]));
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
    });
    let (all, small, large) = GLOBAL.stats();
    let d = |after: u64, before: u64| after - before;
    // At least the workers' own; thread start-up adds some of its own.
    assert!(d(small.allocations, small0.allocations) >= 2 * n);
    assert!(d(large.allocations, large0.allocations) >= 2 * n);
    assert!(d(large.bytes_allocated, large0.bytes_allocated) >= 2 * n * 4096);
    assert_eq!(
        d(all.allocations, all0.allocations),
        d(small.allocations, small0.allocations) + d(large.allocations, large0.allocations),
        "every allocation reached exactly one part"
    );
    assert_eq!(
        d(all.bytes_allocated, all0.bytes_allocated),
        d(small.bytes_allocated, small0.bytes_allocated)
            + d(large.bytes_allocated, large0.bytes_allocated),
    );
    assert_eq!(
        all.live_bytes - all0.live_bytes,
        0,
        "the workers freed everything"
    );
}

/// A `Vec` growing past 256 bytes moves from the small part to the large
/// one (`Segregator`'s resize across the threshold): one allocation in
/// each part, the small block freed when it moved.
fn growth_moves_across_the_threshold() {
    let (_, small0, large0) = GLOBAL.stats();
    let mut v: Vec<u8> = Vec::with_capacity(200);
    v.extend(std::iter::repeat_n(1u8, 200));
    v.reserve_exact(800); // 1,000 bytes: the large part
    let (_, small, large) = GLOBAL.stats();
    assert_eq!(small.allocations - small0.allocations, 1);
    assert_eq!(small.frees - small0.frees, 1, "the small block moved out");
    assert_eq!(large.allocations - large0.allocations, 1);
    assert_eq!(large.live_bytes - large0.live_bytes, 1000);
    assert!(v.iter().all(|&b| b == 1), "contents kept across the move");
    drop(v);
    assert_eq!(GLOBAL.stats().2.live_bytes, large0.live_bytes);
}

fn main() {
    let checks: [(&str, fn()); 2] = [
        ("small_and_large_apart", small_and_large_apart),
        (
            "growth_moves_across_the_threshold",
            growth_moves_across_the_threshold,
        ),
    ];
    for (name, check) in checks {
        check();
        println!("test {name} ... ok");
    }
}
