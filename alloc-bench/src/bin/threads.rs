//! The two-thread runner (issue 11): two threads make the same small
//! allocations at once from a `Locked<Bump>` (one buffer behind a
//! `std::sync::Mutex`), from a `ConcurrentBump` (one buffer, lock-free) and
//! from a `Bump` each (two buffers, nothing shared); an empty round trip
//! (the threads start and stop, allocating nothing) is the baseline, and
//! `concurrent-alone` (one thread allocates from a `ConcurrentBump`, the
//! other nothing) shows the compare-and-swap without contention. Every
//! contender runs in every round, in an order shuffled anew each round, as
//! in the interleaved runner; it prints the medians and their ratios.
//!
//! ```text
//! cargo run --release -p alloc-bench --bin threads -- [ROUNDS=101]
//! ```
//!
//! One sample: the allocators are made over their buffers and the two
//! threads spawned, outside the timing; the threads meet at a barrier,
//! and the time runs from the earlier thread's start to the later one's
//! last allocation, each read on its own thread. Each thread makes [`ALLOCS`] allocations
//! through allocator-api2's `Allocator::allocate` on a shared reference,
//! sizes 8 to 64 bytes at alignment 8 from a fixed xorshift sequence (the
//! two threads' sequences differ), writes the first byte of each block and
//! keeps every block live (a bump gives nothing back anyway).

use std::alloc::Layout;
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::process::ExitCode;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use alloc_runtime::{Bump, ConcurrentBump, Locked};
use allocator_api2::alloc::Allocator;

/// Allocations per thread and sample.
const ALLOCS: usize = 10_000;

/// Threads per sample.
const THREADS: usize = 2;

/// Bytes per thread: every allocation at its largest, with its padding.
const PER_THREAD_BYTES: usize = ALLOCS * 64 + 4096;

/// The contenders, by name.
const NAMES: [&str; 5] = [
    "baseline",
    "locked-bump",
    "concurrent-bump",
    "per-thread-bump",
    "concurrent-alone",
];

/// One thread's allocations from `a`: the number of blocks whose first
/// byte reads back as written (all of them), so that nothing is optimized
/// away.
fn work<A: Allocator>(a: A, thread: usize) -> usize {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ (thread as u64 + 1);
    let mut good = 0;
    for i in 0..ALLOCS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let size = 8 + (seed % 57) as usize;
        let layout = Layout::from_size_align(size, 8).expect("a small layout");
        let block = a.allocate(layout).expect("the buffer holds every block");
        let first = block.cast::<u8>();
        // SAFETY: the block has at least `size >= 8` writable bytes.
        unsafe { first.write(i as u8) };
        // SAFETY: written just above.
        good += usize::from(unsafe { first.read() } == i as u8);
    }
    good
}

/// Runs `body(t)` on [`THREADS`] threads released together by a barrier,
/// and returns the time from the first thread's start to the last thread's
/// end, each read on its own thread (the main thread may be scheduled after
/// the workers have finished).
fn on_threads(body: impl Fn(usize) -> usize + Sync) -> Duration {
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (body, barrier) = (&body, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    let good = body(t);
                    (start, Instant::now(), good)
                })
            })
            .collect();
        let mut span: Option<(Instant, Instant)> = None;
        for h in handles {
            let (start, end, good) = h.join().expect("a benchmark thread panicked");
            assert!(good == ALLOCS || good == 0, "a block lost its byte");
            span = Some(span.map_or((start, end), |(s, e)| (s.min(start), e.max(end))));
        }
        let (start, end) = span.expect("at least one thread");
        end - start
    })
}

/// One sample of contender `which` over `buffer`.
fn sample(which: usize, buffer: &mut [MaybeUninit<u8>]) -> Duration {
    match which {
        0 => on_threads(|_| black_box(0)),
        1 => {
            let locked = Locked::new(Bump::new(buffer));
            on_threads(|t| work(&locked, t))
        }
        2 => {
            let bump = ConcurrentBump::new(buffer);
            on_threads(|t| work(&bump, t))
        }
        3 => {
            let (first, second) = buffer.split_at_mut(PER_THREAD_BYTES);
            let bumps = [Bump::new(first), Bump::new(second)];
            // A `Bump` is `Send` but not `Sync`: each thread gets its own,
            // moved in. Making them is outside the timing, as for the others.
            let bumps: Vec<_> = bumps.into_iter().map(std::sync::Mutex::new).collect();
            on_threads(|t| {
                let bump = bumps[t].lock().expect("not poisoned");
                work(&*bump, t)
            })
        }
        4 => {
            // The compare-and-swap without contention: one thread allocates,
            // the other returns at once.
            let bump = ConcurrentBump::new(buffer);
            on_threads(|t| if t == 0 { work(&bump, t) } else { 0 })
        }
        _ => unreachable!("five contenders"),
    }
}

/// The median of `xs` (sorted in place).
fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

fn main() -> ExitCode {
    let rounds = match std::env::args().nth(1).map(|a| a.parse::<usize>()) {
        None => 101,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("threads: write a round count of at least 1");
            eprintln!("usage: threads [ROUNDS=101]");
            return ExitCode::FAILURE;
        }
    };
    let mut storage = vec![MaybeUninit::<u8>::uninit(); THREADS * PER_THREAD_BYTES];
    let mut samples = vec![Vec::with_capacity(rounds); NAMES.len()];
    let mut order: Vec<usize> = (0..NAMES.len()).collect();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    eprintln!(
        "threads: {rounds} rounds (and one warm-up round), {THREADS} threads x {ALLOCS} allocations"
    );
    for round in 0..=rounds {
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &which in &order {
            let t = sample(which, &mut storage);
            if round > 0 {
                samples[which].push(t.as_secs_f64() * 1e6);
            }
        }
    }
    let medians: Vec<f64> = samples.iter_mut().map(|xs| median(xs)).collect();
    println!(
        "median time per sample, µs ({rounds} rounds, {THREADS} threads x {ALLOCS} allocations)"
    );
    for (name, m) in NAMES.iter().zip(&medians) {
        println!("{name:<16} {m:>9.1}");
    }
    println!();
    println!("ratios of the medians (baseline subtracted in the second column)");
    let base = medians[0];
    for (i, name) in NAMES.iter().enumerate().skip(1).filter(|&(i, _)| i != 3) {
        let per_thread = medians[3];
        println!(
            "{:<34} {:>6.2} {:>6.2}",
            format!("{name}/per-thread-bump"),
            medians[i] / per_thread,
            (medians[i] - base) / (per_thread - base)
        );
    }
    ExitCode::SUCCESS
}
