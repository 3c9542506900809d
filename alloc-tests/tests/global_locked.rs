//! A small-object pool behind a lock as the `#[global_allocator]`:
//! `Segregator<256, Locked<SizeClasses<System>>, System>`, counted. Small
//! blocks are kept in size classes and reused; large ones go to the system.
//!
//! `harness = false` (see `Cargo.toml`): `main` runs the checks on one
//! thread, so the process-wide counters see only what is measured.

use std::alloc::System;
use std::hint::black_box;

use alloc_runtime::{Counting, Locked, Segregator, SizeClasses, ThreadSafe};

type Pool = Locked<SizeClasses<System>>;

#[global_allocator]
static GLOBAL: Counting<Segregator<256, Pool, System>, ThreadSafe> = Counting::new_sync(
    Segregator::new(Locked::new(SizeClasses::new(System)), System),
);

/// A small block freed and asked for again comes back from its class.
fn small_blocks_are_reused() {
    let first = Box::new([7u8; 48]);
    let address = &*first as *const [u8; 48] as usize;
    drop(first);
    let second = black_box(Box::new([9u8; 48]));
    assert_eq!(
        &*second as *const [u8; 48] as usize, address,
        "the kept block"
    );
    assert_eq!(second[47], 9);
}

/// Threads share the pool: their blocks are distinct while alive, intact
/// after, and the counters end where they began.
fn threads_share_the_pool() {
    let n = if cfg!(miri) { 20 } else { 2000 };
    let before = GLOBAL.stats();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..2u8)
            .map(|t| {
                s.spawn(move || {
                    let boxes: Vec<Box<[u8; 40]>> = (0..n).map(|_| Box::new([t; 40])).collect();
                    assert!(boxes.iter().all(|b| b.iter().all(|&x| x == t)));
                    let big = vec![t; 4096];
                    assert_eq!(big[4095], t);
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
    });
    let after = GLOBAL.stats();
    assert!(after.allocations - before.allocations >= 2 * (n as u64 + 2));
    assert_eq!(
        after.live_bytes, before.live_bytes,
        "the workers freed everything"
    );
}

/// A `Vec` growing across 256 bytes moves from the pool to the system.
fn growth_leaves_the_pool() {
    let mut v: Vec<u64> = Vec::with_capacity(4);
    v.extend(0..4);
    let small = v.as_ptr() as usize;
    v.reserve_exact(100); // 832 bytes
    v.extend(4..104);
    assert_ne!(v.as_ptr() as usize, small);
    assert_eq!(v.iter().sum::<u64>(), (0..104).sum());
    let pool = GLOBAL.inner().small();
    // The pool's lock is free again: `with` takes it.
    assert!(pool.with(|classes| classes.kept() >= 1));
}

fn main() {
    let checks: [(&str, fn()); 3] = [
        ("small_blocks_are_reused", small_blocks_are_reused),
        ("threads_share_the_pool", threads_share_the_pool),
        ("growth_leaves_the_pool", growth_leaves_the_pool),
    ];
    for (name, check) in checks {
        check();
        println!("test {name} ... ok");
    }
}
