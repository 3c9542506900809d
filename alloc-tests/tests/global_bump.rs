//! A lock-free bump over a static buffer first, the system after, as the
//! `#[global_allocator]`: `Fallback<Counting<ConcurrentBump>,
//! Counting<System>>`. Frees find the part that made the block by asking
//! the bump whether it owns it.
//!
//! `harness = false` (see `Cargo.toml`): `main` runs the checks on one
//! thread, so the process-wide counters see only what is measured.

use std::alloc::System;
use std::hint::black_box;
use std::mem::MaybeUninit;

use alloc_runtime::{ConcurrentBump, Counting, Fallback, ThreadSafe};

const BUFFER: usize = 64 * 1024;

static mut BUFFER_BYTES: [MaybeUninit<u8>; BUFFER] = [MaybeUninit::uninit(); BUFFER];

type Parts = Fallback<Counting<ConcurrentBump<'static>, ThreadSafe>, Counting<System, ThreadSafe>>;

#[global_allocator]
static GLOBAL: Parts = Fallback::new(
    Counting::new_sync(ConcurrentBump::new({
        let buffer = &raw mut BUFFER_BYTES;
        // SAFETY: the only reference ever made to `BUFFER_BYTES`, here, once.
        unsafe { &mut *buffer }
    })),
    Counting::new_sync(System),
);

fn bump() -> &'static Counting<ConcurrentBump<'static>, ThreadSafe> {
    GLOBAL.primary()
}

fn system() -> &'static Counting<System, ThreadSafe> {
    GLOBAL.secondary()
}

/// Blocks come from the buffer while it has room, then from the system;
/// each free reaches the part that made the block.
fn the_buffer_first_then_the_system() {
    let start = (bump().stats(), system().stats());
    let mut boxes = Vec::with_capacity(BUFFER / 64);
    while bump().inner().remaining() >= 256 {
        boxes.push(black_box(Box::new([1u8; 64])));
    }
    let from_system = black_box(vec![2u8; 4 * BUFFER]);
    let (b, s) = (bump().stats(), system().stats());
    assert!(b.allocations - start.0.allocations >= boxes.len() as u64);
    assert_eq!(
        s.live_bytes - start.1.live_bytes,
        4 * BUFFER,
        "larger than the buffer"
    );
    assert!(boxes.iter().all(|b| b[63] == 1));
    drop(from_system);
    drop(boxes);
    let (b, s) = (bump().stats(), system().stats());
    assert_eq!(
        s.live_bytes, start.1.live_bytes,
        "the system's block went back to it"
    );
    assert_eq!(
        b.live_bytes, start.0.live_bytes,
        "and the bump's to the bump"
    );
}

/// Threads allocate through the same lock-free bump and system.
fn threads() {
    let n = if cfg!(miri) { 10 } else { 1000 };
    let before = (bump().stats(), system().stats());
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..2u8)
            .map(|t| {
                s.spawn(move || {
                    let v: Vec<Box<u32>> = (0..n).map(|i| Box::new(i * u32::from(t))).collect();
                    assert!(
                        v.iter()
                            .enumerate()
                            .all(|(i, b)| **b == i as u32 * u32::from(t))
                    );
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
    });
    let (b, s) = (bump().stats(), system().stats());
    let refused = b.failures - before.0.failures;
    let served = (b.allocations - before.0.allocations) + (s.allocations - before.1.allocations);
    assert!(
        served >= 2 * (u64::from(n) + 1),
        "every request was served: {served}"
    );
    assert!(
        s.allocations - before.1.allocations >= refused,
        "what the full buffer refused, the system served"
    );
    assert_eq!(s.live_bytes, before.1.live_bytes, "and got back");
}

fn main() {
    let checks: [(&str, fn()); 2] = [
        (
            "the_buffer_first_then_the_system",
            the_buffer_first_then_the_system,
        ),
        ("threads", threads),
    ];
    for (name, check) in checks {
        check();
        println!("test {name} ... ok");
    }
}
