//! Tests of the arena pool: threads that allocate through lent arenas and
//! hand references out past their end, arena reuse, reset, the parent.

use std::collections::HashSet;
use std::format;
use std::string::ToString;
use std::thread;
use std::vec::Vec;

use allocator_api2::vec::Vec as ArenaVec;
use core::mem::MaybeUninit;

use crate::{Arena, ArenaPool, Bump, Counting, Global, PooledArena};

/// Threads and items per thread: small under Miri.
const THREADS: usize = if cfg!(miri) { 3 } else { 8 };
const ITEMS: usize = if cfg!(miri) { 20 } else { 2000 };

/// The byte ranges of `refs` (address, length) are pairwise disjoint.
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

fn assert_sync<T: Sync>() {}
fn assert_send<T: Send>() {}

#[test]
fn pool_is_sync_and_lent_arena_is_send() {
    assert_sync::<ArenaPool>();
    assert_send::<ArenaPool>();
    assert_send::<PooledArena<'static>>();
    assert_sync::<ArenaPool<&'static Global>>();
    assert_send::<PooledArena<'static, std::sync::Arc<Global>>>();
}

#[test]
fn threads_allocate_values_and_strings_that_outlive_them() {
    let pool = ArenaPool::new();
    let results: Vec<Vec<(&u64, &str)>> = thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let pool = &pool;
                s.spawn(move || {
                    let arena = pool.get();
                    (0..ITEMS)
                        .map(|i| {
                            let tag = (t * 1_000_000 + i) as u64;
                            let value: &u64 = arena.alloc(tag);
                            let text: &str = if i % 2 == 0 {
                                arena.alloc_fmt(format_args!("t{t}-i{i}"))
                            } else {
                                arena.alloc_str(&format!("t{t}-i{i}"))
                            };
                            (value, text)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    // Every thread has ended and given its arena back; the pool holds as
    // many arenas as were lent at once, at most one a thread.
    let stats = pool.stats();
    assert!((1..=THREADS).contains(&stats.arenas), "{stats:?}");
    assert_eq!(stats.idle, stats.arenas);
    let mut ranges = Vec::new();
    for (t, items) in results.iter().enumerate() {
        assert_eq!(items.len(), ITEMS);
        for (i, (value, text)) in items.iter().enumerate() {
            assert_eq!(**value, (t * 1_000_000 + i) as u64);
            assert_eq!(*text, format!("t{t}-i{i}"));
            ranges.push((core::ptr::from_ref(*value).addr(), 8));
            ranges.push((text.as_ptr().addr(), text.len()));
        }
    }
    let addresses: HashSet<usize> = ranges.iter().map(|r| r.0).collect();
    assert_eq!(addresses.len(), THREADS * ITEMS * 2);
    assert_disjoint(ranges);
    assert!(pool.stats().totals.used >= THREADS * ITEMS * 8);
}

#[test]
fn map_init_shape_one_arena_per_worker_many_items() {
    let pool = ArenaPool::new();
    let inputs: Vec<u32> = (0..(THREADS * ITEMS) as u32).collect();
    let chunks: Vec<&[u32]> = inputs.chunks(ITEMS).collect();
    // `map_init(|| pool.get(), |arena, x| ...)`, by hand: each worker runs
    // the init once and the map for each of its items.
    let init = || pool.get();
    fn map<'p>(arena: &mut PooledArena<'p>, x: u32) -> &'p [u32] {
        arena.alloc_slice_from_iter((0..x % 7).map(|k| x + k))
    }
    let out: Vec<&[u32]> = thread::scope(|s| {
        let workers: Vec<_> = chunks
            .iter()
            .map(|items| {
                s.spawn(|| {
                    let mut arena = init();
                    items
                        .iter()
                        .map(|&x| map(&mut arena, x))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert_eq!(out.len(), inputs.len());
    for (x, slice) in inputs.iter().zip(&out) {
        let expected: Vec<u32> = (0..x % 7).map(|k| x + k).collect();
        assert_eq!(*slice, &expected[..]);
    }
    let ranges = out
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| (s.as_ptr().addr(), s.len() * 4))
        .collect();
    assert_disjoint(ranges);
}

#[test]
fn dropped_arena_is_lent_again_not_reset() {
    let pool = ArenaPool::new();
    let first = pool.get();
    let a = first.alloc(1u64);
    let used = first.stats().used;
    drop(first);
    assert_eq!(pool.stats().arenas, 1);
    let second = pool.get();
    // The same arena, its position kept: it allocates after `a`.
    assert_eq!(second.stats().used, used);
    let b = second.alloc(2u64);
    assert_eq!(second.stats().used, used + 8);
    assert!(second.owns(core::ptr::from_ref(a).cast()));
    drop(second);
    assert_eq!((*a, *b), (1, 2));
    let s = pool.stats();
    assert_eq!((s.arenas, s.idle, s.totals.chunks), (1, 1, 1));
}

#[test]
fn arenas_lent_at_once_are_distinct_and_all_come_back() {
    let pool = ArenaPool::new();
    let lent: Vec<_> = (0..4).map(|_| pool.get()).collect();
    let values: Vec<&mut u32> = lent.iter().zip(0..).map(|(a, i)| a.alloc(i)).collect();
    for (i, arena) in lent.iter().enumerate() {
        for (j, v) in values.iter().enumerate() {
            assert_eq!(arena.owns(core::ptr::from_ref(&**v).cast()), i == j);
        }
    }
    assert_eq!((pool.stats().arenas, pool.stats().idle), (4, 0));
    drop(lent);
    assert_eq!((pool.stats().arenas, pool.stats().idle), (4, 4));
    // The next `get`s reuse them: no fifth arena.
    let again: Vec<_> = (0..4).map(|_| pool.get()).collect();
    assert_eq!(pool.stats().arenas, 4);
    drop(again);
    assert_eq!(values.iter().map(|v| **v).collect::<Vec<_>>(), [0, 1, 2, 3]);
}

#[test]
fn reset_keeps_one_chunk_per_arena_and_releases_everything() {
    let mut pool = ArenaPool::new();
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let arena = pool.get();
                for i in 0..ITEMS {
                    arena.alloc_slice_fill_copy(16, i as u8);
                }
            });
        }
    });
    let before = pool.stats();
    assert!(before.totals.chunks >= before.arenas);
    assert!(before.totals.used >= 2 * ITEMS * 16);
    pool.reset();
    let after = pool.stats();
    assert_eq!(after.arenas, before.arenas);
    assert_eq!(after.totals.used, 0);
    assert_eq!(after.totals.chunks, after.arenas);
    assert!(after.totals.allocated_bytes > 0);
    assert_eq!(pool.allocated_bytes(), after.totals.allocated_bytes);
    // Usable again after the reset.
    let x = pool.get().alloc_str("again");
    assert_eq!(x, "again");
}

#[test]
fn every_chunk_comes_from_the_parent_and_goes_back_with_the_pool() {
    let counting = Counting::new(Global);
    let pool = ArenaPool::new_in(&counting);
    {
        let a = pool.get();
        let b = pool.get();
        for i in 0..ITEMS {
            a.alloc(i);
            b.alloc_str("0123456789");
        }
    }
    let s = pool.stats();
    assert_eq!(s.arenas, 2);
    assert_eq!(counting.stats().allocations, s.totals.chunks as u64);
    assert_eq!(
        counting.stats().live_bytes,
        s.totals.allocated_bytes_including_metadata
    );
    drop(pool);
    assert_eq!(counting.stats().live_bytes, 0);
    assert_eq!(counting.stats().frees, counting.stats().allocations);
}

#[test]
fn a_forgotten_lent_arena_leaks_and_its_values_stay() {
    // The chunks come from a buffer on the stack, so the leak is the
    // buffer's alone (and Miri's leak check has nothing to report).
    let mut buf = [MaybeUninit::uninit(); 2048];
    let counting = Counting::new(Bump::new(&mut buf));
    let pool = ArenaPool::new_in(&counting);
    let lent = pool.get();
    let x = lent.alloc(5u8);
    core::mem::forget(lent);
    assert_eq!(*x, 5);
    let s = pool.stats();
    assert_eq!((s.arenas, s.idle), (1, 0));
    // The next loan is a new arena: the forgotten one never came back.
    let next = pool.get();
    next.alloc(6u8);
    drop(next);
    assert_eq!(pool.stats().arenas, 2);
    drop(pool);
    // The new arena's chunk went back with the pool; the forgotten one's
    // was never given back.
    assert_eq!(counting.stats().allocations, 2);
    assert_eq!(counting.stats().frees, 1);
}

#[test]
fn leak_vec_keeps_a_collection_past_its_lent_arena() {
    let pool = ArenaPool::new();
    let kept: &[u64] = {
        let arena = pool.get();
        let mut v = ArenaVec::with_capacity_in(4, &*arena);
        for i in 0..ITEMS as u64 {
            v.push(i * i);
        }
        let slack = v.capacity() - v.len();
        let used = arena.stats().used;
        let slice = arena.leak_vec(v);
        // The unused capacity went back: the vector was the last block.
        assert_eq!(arena.stats().used, used - slack * 8);
        slice
    };
    assert_eq!(kept.len(), ITEMS);
    assert!(kept.iter().zip(0..).all(|(x, i)| *x == i * i));
    let arena = pool.get();
    let empty: &[u8] = arena.leak_vec(ArenaVec::new_in(&*arena));
    drop(arena);
    assert!(empty.is_empty());
}

#[test]
#[should_panic(expected = "leak_vec: the vector was allocated by another arena")]
fn leak_vec_refuses_a_vector_of_another_arena() {
    let pool = ArenaPool::new();
    let other = Arena::new();
    let mut v = ArenaVec::new_in(&other);
    v.push(1u8);
    let _ = pool.get().leak_vec(v);
}

#[test]
fn leak_vec_of_another_lent_arena_is_refused_too() {
    let pool = ArenaPool::new();
    let (a, b) = (pool.get(), pool.get());
    let mut v = ArenaVec::new_in(&*a);
    v.push(1u8);
    let refused = std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| b.leak_vec(v)));
    assert!(refused.is_err());
}

#[test]
fn a_static_pool_hands_out_static_references() {
    static POOL: ArenaPool = ArenaPool::new();
    let s: &'static str = thread::spawn(|| &*POOL.get().alloc_str("static"))
        .join()
        .unwrap();
    assert_eq!(s, "static");
}

#[test]
fn every_typed_method_keeps_its_values_past_the_loan() {
    let pool = ArenaPool::new();
    let arena = pool.get();
    let a = arena.alloc(1u8);
    let b = arena.try_alloc(2u16).unwrap();
    let c = arena.alloc_with(|| 3u32);
    let d = arena.try_alloc_with(|| 4u64).unwrap();
    let e = arena.alloc_try_with(|| Ok::<_, ()>(5i8)).unwrap();
    let f = arena.try_alloc_try_with(|| Ok::<_, ()>(6i16)).unwrap();
    let g = arena.alloc_slice_copy(&[7u8, 7]);
    let h = arena.try_alloc_slice_copy(&[8u8]).unwrap();
    let i = arena.alloc_slice_clone(&["9"]);
    let j = arena.try_alloc_slice_clone(&["10"]).unwrap();
    let k = arena.alloc_str("11");
    let l = arena.try_alloc_str("12").unwrap();
    let m = arena.alloc_fmt(format_args!("{}", 13));
    let n = arena.try_alloc_fmt(format_args!("{}", 14)).unwrap();
    let o = arena.alloc_slice_fill_with(2, |x| x + 15);
    let p = arena.try_alloc_slice_fill_with(1, |_| 17).unwrap();
    let q = arena.alloc_slice_fill_copy(2, 18u8);
    let r = arena.try_alloc_slice_fill_copy(1, 19u8).unwrap();
    let s = arena.alloc_slice_fill_clone(1, &"20");
    let t = arena.try_alloc_slice_fill_clone(1, &"21").unwrap();
    let u = arena.alloc_slice_fill_default::<u8>(2);
    let v = arena.try_alloc_slice_fill_default::<u8>(1).unwrap();
    let w = arena.alloc_slice_fill_iter(22..24u8);
    let x = arena.try_alloc_slice_fill_iter(24..25u8).unwrap();
    let y = arena
        .alloc_slice_try_fill_iter([Ok::<_, ()>(25u8)])
        .unwrap();
    let z = arena.alloc_slice_from_iter((26..30u8).filter(|x| x % 2 == 0));
    let zz = arena.try_alloc_slice_from_iter([30u8]).unwrap();
    let raw = arena.alloc_layout(core::alloc::Layout::new::<u32>());
    drop(arena);
    // Writes through all of them after the loan ended, then reads.
    *a += 1;
    g[0] += 1;
    o[1] += 1;
    // SAFETY: `raw` is a fresh, aligned block for a `u32` that the pool
    // keeps; nothing else points to it.
    unsafe { raw.cast::<u32>().write(31) };
    assert_eq!((*a, *b, *c, *d, *e, *f), (2, 2, 3, 4, 5, 6));
    assert_eq!(
        (&*g, &*h, &*i, &*j),
        (&[8u8, 7][..], &[8u8][..], &["9"][..], &["10"][..])
    );
    assert_eq!((&*k, &*l, &*m, &*n), ("11", "12", "13", "14"));
    assert_eq!((&*o, &*p), (&[15, 17][..], &[17][..]));
    assert_eq!(
        (&*q, &*r, &*s, &*t),
        (&[18, 18][..], &[19][..], &["20"][..], &["21"][..])
    );
    assert_eq!(
        (&*u, &*v, &*w, &*x),
        (&[0, 0][..], &[0][..], &[22, 23][..], &[24][..])
    );
    assert_eq!((&*y, &*z, &*zz), (&[25][..], &[26, 28][..], &[30][..]));
    // SAFETY: written above.
    assert_eq!(unsafe { raw.cast::<u32>().read() }, 31);
}

#[test]
fn failures_are_values_and_leave_the_lent_arena_usable() {
    let fail = crate::Fail::new(Global, 1);
    let pool = ArenaPool::new_in(&fail);
    let arena = pool.get();
    let first = arena.try_alloc(1u32).unwrap(); // the one chunk allowed
    assert!(arena.try_alloc([0u8; 4096]).is_err());
    assert!(arena.try_alloc_str(&"x".repeat(4096)).is_err());
    assert!(
        arena
            .try_alloc_slice_fill_with(usize::MAX, |_| 0u64)
            .is_err()
    );
    assert_eq!(*arena.try_alloc(2u32).unwrap(), 2);
    assert_eq!(*first, 1);
}

#[test]
fn debug_shows_the_counts() {
    let pool = ArenaPool::new();
    let arena = pool.get();
    arena.alloc(1u8);
    assert!(format!("{arena:?}").contains("chunks: 1"));
    assert!(format!("{pool:?}").contains("arenas: 1, idle: 0"));
    drop(arena);
    assert!(format!("{pool:?}").contains("idle: 1"));
    assert!(pool.stats().to_string().contains("arenas"));
}

#[test]
fn a_lent_arena_moves_to_another_thread() {
    let pool = ArenaPool::new();
    let arena = pool.get();
    let here = arena.alloc(1u32);
    let there = thread::scope(|s| s.spawn(move || arena.alloc(2u32)).join().unwrap());
    assert_eq!((*here, *there), (1, 2));
    let s = pool.stats();
    assert_eq!((s.arenas, s.idle), (1, 1));
}

#[test]
fn a_thread_that_panics_gives_its_arena_back_and_what_it_allocated_stays() {
    let pool = ArenaPool::new();
    let (kept, outcome) = thread::scope(|s| {
        let (sender, receiver) = std::sync::mpsc::channel();
        let pool = &pool;
        let worker = s.spawn(move || {
            let arena = pool.get();
            sender.send(&*arena.alloc_str("before the panic")).unwrap();
            arena.alloc_with(|| -> u64 { panic!("the worker fails") });
        });
        let outcome = worker.join();
        (receiver.recv().unwrap(), outcome)
    });
    assert!(outcome.is_err());
    // The unwind dropped the `PooledArena`: back in the pool, unreset.
    let s = pool.stats();
    assert_eq!((s.arenas, s.idle), (1, 1));
    assert_eq!(kept, "before the panic");
    // The next loan goes on after the kept string.
    let next = pool.get().alloc_str("after");
    assert_eq!((kept, &*next), ("before the panic", "after"));
}
