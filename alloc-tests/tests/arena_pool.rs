//! `ArenaPool` under rayon: the `map_init` case from bumpalo's issue
//! tracker. Each worker borrows an arena once (`map_init`'s init), allocates
//! for every item it maps, and the references it returns are collected after
//! the parallel iterator has ended: they live as long as the pool, not as
//! long as the worker's loan. Checked: every value and string intact, every
//! block disjoint from the others, arenas reused across runs, and a reset
//! that gives the memory back.

use alloc_runtime::ArenaPool;
use allocator_api2::vec::Vec as ArenaVec;
use rayon::prelude::*;

/// Items mapped per run.
const ITEMS: usize = if cfg!(miri) { 200 } else { 20_000 };

/// A rayon pool of 4 threads, so the arenas really are lent to several
/// threads at once whatever the machine.
fn workers() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .expect("a rayon thread pool of 4 threads")
}

/// The byte ranges are pairwise disjoint.
fn assert_disjoint(mut ranges: Vec<(usize, usize)>) {
    ranges.sort_unstable();
    for pair in ranges.windows(2) {
        let ((a, a_len), (b, _)) = (pair[0], pair[1]);
        assert!(
            a + a_len <= b,
            "blocks at {a:#x}+{a_len} and {b:#x} overlap"
        );
    }
}

#[test]
fn map_init_values_outlive_the_parallel_iterator() {
    let mut pool = ArenaPool::new();
    let ints: Vec<&mut usize> = workers().install(|| {
        (0..ITEMS)
            .into_par_iter()
            .map_init(|| pool.get(), |arena, i| arena.alloc(i * 3))
            .collect()
    });
    // The iterator, its workers and their loans are gone; the values are not.
    assert_eq!(ints.len(), ITEMS);
    for (i, x) in ints.iter().enumerate() {
        assert_eq!(**x, i * 3);
    }
    let ranges = ints
        .iter()
        .map(|x| (core::ptr::from_ref(&**x).addr(), size_of::<usize>()))
        .collect();
    assert_disjoint(ranges);
    let stats = pool.stats();
    assert!(stats.arenas >= 1);
    assert_eq!(stats.idle, stats.arenas, "every loan came back");
    assert!(stats.totals.used >= ITEMS * size_of::<usize>());
    drop(ints);
    pool.reset();
    assert_eq!(pool.stats().totals.used, 0);
}

#[test]
fn map_init_strings_and_slices_outlive_the_parallel_iterator() {
    let pool = ArenaPool::new();
    let out: Vec<(&str, &[u32])> = workers().install(|| {
        (0..ITEMS as u32)
            .into_par_iter()
            .map_init(
                || pool.get(),
                |arena, i| {
                    let name = arena.alloc_fmt(format_args!("item-{i}"));
                    // A collection grown in the loaned arena, kept past it.
                    let mut v = ArenaVec::new_in(&**arena);
                    v.extend(i..i + i % 5);
                    (&*name, &*arena.leak_vec(v))
                },
            )
            .collect()
    });
    let mut ranges = Vec::new();
    for (i, (name, slice)) in (0..ITEMS as u32).zip(&out) {
        assert_eq!(*name, format!("item-{i}"));
        assert_eq!(*slice, (i..i + i % 5).collect::<Vec<_>>());
        ranges.push((name.as_ptr().addr(), name.len()));
        if !slice.is_empty() {
            ranges.push((slice.as_ptr().addr(), size_of_val(*slice)));
        }
    }
    assert_disjoint(ranges);
}

#[test]
fn later_parallel_runs_keep_the_earlier_runs_values() {
    let pool = ArenaPool::new();
    let rayon = workers();
    let mut all: Vec<&u64> = Vec::new();
    for run in 0..3u64 {
        let run_values: Vec<&u64> = rayon.install(|| {
            (0..ITEMS as u64)
                .into_par_iter()
                .map_init(|| pool.get(), |arena, i| &*arena.alloc(run * 1_000_000 + i))
                .collect()
        });
        all.extend(run_values);
    }
    // Later runs took the arenas the earlier ones gave back, not reset:
    // the first run's values are intact, and no block was handed out twice.
    for (k, x) in all.iter().enumerate() {
        let (run, i) = ((k / ITEMS) as u64, (k % ITEMS) as u64);
        assert_eq!(**x, run * 1_000_000 + i);
    }
    let ranges = all
        .iter()
        .map(|x| (core::ptr::from_ref(*x).addr(), 8))
        .collect();
    assert_disjoint(ranges);
    let stats = pool.stats();
    assert_eq!(stats.idle, stats.arenas);
}

#[test]
fn one_worker_reuses_one_arena_for_every_split() {
    // rayon calls `map_init`'s init once per split of the work; with one
    // thread the splits run one after the other, each giving its arena back
    // before the next takes it: one arena in all.
    let pool = ArenaPool::new();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a rayon thread pool of 1 thread");
    let inits = std::sync::atomic::AtomicUsize::new(0);
    let xs: Vec<&u32> = one.install(|| {
        (0..ITEMS as u32)
            .into_par_iter()
            .with_max_len(16)
            .map_init(
                || {
                    inits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    pool.get()
                },
                |arena, i| &*arena.alloc(i),
            )
            .collect()
    });
    assert!(
        xs.iter()
            .copied()
            .eq((0..ITEMS as u32).collect::<Vec<_>>().iter())
    );
    assert!(inits.into_inner() > 1, "the work was split");
    assert_eq!(pool.stats().arenas, 1);
}
