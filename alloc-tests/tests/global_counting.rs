//! `Counting<System, ThreadSafe>` as the `#[global_allocator]`: real
//! workloads (collections, threads, a formatted panic message), with exact
//! counts afterwards.
//!
//! A test binary of its own with `harness = false` (see `Cargo.toml`): the
//! global counter counts every thread of the process, and libtest's threads
//! (and other tests running beside these) would allocate in the middle of a
//! measurement. Here `main` runs the checks one after another on one thread,
//! and the threads it spawns are the ones measured.

use std::alloc::System;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hint::black_box;

use alloc_runtime::{
    Budget, Counting, Stats, ThreadSafe, assert_allocations, assert_no_allocations,
};

#[global_allocator]
static GLOBAL: Counting<System, ThreadSafe> = Counting::new_sync(System);

/// What happened between two snapshots of the global counters.
#[derive(Debug, PartialEq, Eq)]
struct Delta {
    allocations: u64,
    frees: u64,
    remaps: u64,
    bytes_allocated: u64,
    live: i64,
}

fn delta(before: &Stats, after: &Stats) -> Delta {
    Delta {
        allocations: after.allocations - before.allocations,
        frees: after.frees - before.frees,
        remaps: after.remaps - before.remaps,
        bytes_allocated: after.bytes_allocated - before.bytes_allocated,
        live: after.live_bytes as i64 - before.live_bytes as i64,
    }
}

/// Runs `f` and returns what it did to the global counters.
fn measure(f: impl FnOnce()) -> Delta {
    let before = GLOBAL.stats();
    f();
    delta(&before, &GLOBAL.stats())
}

/// `Vec` growth goes through `GlobalAlloc::realloc`, which `Counting`
/// passes to the system's `realloc` as a `remap`: one allocation, one remap
/// per doubling, and the bytes of the last capacity.
fn vec_growth_is_realloc() {
    let n = if cfg!(miri) { 100 } else { 1000 };
    let mut capacity = 0;
    let d = measure(|| {
        let mut v: Vec<u64> = Vec::new();
        for i in 0..n {
            v.push(black_box(i));
        }
        capacity = v.capacity();
        drop(black_box(v));
    });
    // Capacities 4, 8, ..., up to the first power of two >= n.
    let doublings = u64::from(capacity.trailing_zeros() - 4u32.trailing_zeros());
    assert_eq!(
        d,
        Delta {
            allocations: 1,
            frees: 1,
            remaps: doublings,
            bytes_allocated: capacity as u64 * 8,
            live: 0,
        }
    );
}

/// `vec![0; n]` asks for zeroed memory (`calloc` underneath): one
/// allocation of exactly the bytes, counted like any other.
fn zeroed_vec() {
    let n = if cfg!(miri) { 4096 } else { 1 << 20 };
    let d = measure(|| {
        let v = black_box(vec![0u8; n]);
        assert!(v.iter().all(|&b| b == 0));
    });
    assert_eq!(
        d,
        Delta {
            allocations: 1,
            frees: 1,
            remaps: 0,
            bytes_allocated: n as u64,
            live: 0
        }
    );
}

/// A map of owned keys: one table allocation (its size measured alone), one
/// per key, exactly the key bytes beside the table; all freed on drop.
fn map_of_strings() {
    let n: u64 = if cfg!(miri) { 20 } else { 500 };
    let table = measure(|| drop(black_box(HashMap::<String, u64>::with_capacity(n as usize))));
    assert_eq!((table.allocations, table.frees, table.live), (1, 1, 0));

    let mut key_bytes = 0;
    let before = GLOBAL.stats();
    let mut map = HashMap::<String, u64>::with_capacity(n as usize);
    for i in 0..n {
        let mut key = String::with_capacity(16);
        write!(key, "key-{i:08}").unwrap();
        key_bytes += key.capacity() as u64;
        map.insert(key, i);
    }
    let full = delta(&before, &GLOBAL.stats());
    assert_eq!(full.allocations, n + 1, "the table and one key each");
    assert_eq!(full.bytes_allocated, table.bytes_allocated + key_bytes);
    assert_eq!(full.live, full.bytes_allocated as i64);
    assert_eq!(map.get("key-00000007"), Some(&7));
    drop(map);
    let d = delta(&before, &GLOBAL.stats());
    assert_eq!((d.allocations, d.frees, d.live), (n + 1, n + 1, 0));
}

/// Threads allocate through the same counters; what the workers did is the
/// difference from the same spawns with empty bodies.
fn threads() {
    let per_thread: u64 = if cfg!(miri) { 10 } else { 1000 };
    let spawn = |work: bool| {
        measure(|| {
            std::thread::scope(|s| {
                let workers: Vec<_> = (0..2u64)
                    .map(|t| {
                        s.spawn(move || {
                            if work {
                                let boxes: Vec<Box<u64>> = (0..per_thread)
                                    .map(|i| Box::new(black_box(t * i)))
                                    .collect();
                                drop(black_box(boxes));
                            }
                        })
                    })
                    .collect();
                // Joined by hand: `join` waits until the thread has ended,
                // its thread-locals freed; the end of the scope alone only
                // waits until the closures have returned.
                for worker in workers {
                    worker.join().unwrap();
                }
            });
        })
    };
    spawn(false); // the first spawn sets up process-wide state; not measured
    let empty = spawn(false);
    let busy = spawn(true);
    assert_eq!(empty.live, 0, "a joined thread leaves nothing allocated");
    assert_eq!(busy.live, 0, "the workers free what they allocate");
    // Per thread: the `Vec` (exact capacity, a `Range` is `TrustedLen`) and
    // one box per element.
    assert_eq!(busy.allocations - empty.allocations, 2 * (per_thread + 1));
    assert_eq!(busy.frees - empty.frees, 2 * (per_thread + 1));
    assert_eq!(
        busy.bytes_allocated - empty.bytes_allocated,
        2 * (per_thread * 8 + per_thread * 8)
    );
}

/// A formatted panic message is allocated through the global allocator,
/// caught, read, and freed.
fn formatted_panic_message() {
    let caught = || {
        let payload = std::panic::catch_unwind(|| {
            panic!("worker {} failed: {}", black_box(7), black_box("disk full"))
        })
        .unwrap_err();
        let message = payload
            .downcast_ref::<String>()
            .expect("a formatted message");
        assert_eq!(message, "worker 7 failed: disk full");
    };
    caught(); // the first panic sets up process-wide state; not measured
    let first = measure(caught);
    let second = measure(caught);
    assert_eq!(first.live, 0, "the payload is freed with the `Box`");
    assert!(first.allocations >= 2, "the message and its box: {first:?}");
    assert!(first.bytes_allocated >= "worker 7 failed: disk full".len() as u64);
    assert_eq!(first, second, "the same panic allocates the same");
}

/// The region assertions over the global counter: a budget kept, one
/// broken (its message names the figures), code that must not allocate.
fn region_assertions() {
    let parse =
        |line: &str| -> Vec<u32> { line.split(',').map(|n| n.trim().parse().unwrap()).collect() };
    let numbers = assert_allocations(&GLOBAL, Budget::new().allocations(1).bytes(64), || {
        parse("1, 2, 3, 4")
    });
    let mut total = 0;
    assert_no_allocations(&GLOBAL, || total = numbers.iter().sum::<u32>());
    assert_eq!(total, 10);

    let over = std::panic::catch_unwind(|| {
        assert_allocations(&GLOBAL, Budget::new().allocations(1), || {
            black_box((Box::new(1u64), Box::new(2u64)))
        })
    })
    .unwrap_err();
    let message = over.downcast_ref::<String>().expect("a formatted message");
    assert!(
        message.contains("2 allocations (at most 1)")
            && message
                .lines()
                .any(|l| l.starts_with("bytes allocated") && l.ends_with(" 16")),
        "{message}"
    );
}

fn main() {
    // The default hook would print the expected panic above; a hook that
    // keeps quiet about it (and only it) is installed before any
    // measurement, since installing it allocates.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let expected = info.payload().downcast_ref::<String>().is_some_and(|m| {
            m.starts_with("worker 7 failed") || m.contains("went over its allocation budget")
        });
        if !expected {
            default_hook(info);
        }
    }));
    let checks: [(&str, fn()); 6] = [
        ("region_assertions", region_assertions),
        ("vec_growth_is_realloc", vec_growth_is_realloc),
        ("zeroed_vec", zeroed_vec),
        ("map_of_strings", map_of_strings),
        ("threads", threads),
        ("formatted_panic_message", formatted_panic_message),
    ];
    for (name, check) in checks {
        check();
        println!("test {name} ... ok");
    }
    let s = GLOBAL.stats();
    assert!(s.allocations > 0 && s.frees > 0 && s.peak_live_bytes >= s.live_bytes);
    println!("\n{} checks passed; the whole run:\n{s}", checks.len());
}
