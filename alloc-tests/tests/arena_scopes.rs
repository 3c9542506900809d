//! Scopes of the arena: what a scope allocates is released when it closes
//! (also by a panic), what was allocated before it is kept, nested scopes
//! release innermost first, a later scope reuses the chunks an earlier one
//! took, and forgetting a scope leaks its memory but nothing worse.

use alloc_runtime::collections::{String, Vec};
use alloc_runtime::{Arena, Counting, Fail, Global};
use core::alloc::Layout;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Elements of the collections built in scopes (fewer under Miri).
const N: u32 = if cfg!(miri) { 300 } else { 5_000 };

#[test]
fn closing_a_scope_gives_back_what_it_used_and_keeps_what_was_before() {
    let mut arena = Arena::new();
    let before: &[u64] = arena.alloc_slice_fill_with(100, |i| i as u64 * 7);
    let before = before.to_vec();
    let kept = arena.alloc_slice_copy(&before) as *const [u64];
    let used = arena.stats().used;
    let sum = arena.scope(|s| {
        let mut v: Vec<u32, _> = Vec::new_in(&s);
        v.extend(0..N);
        let text = String::from_str_in("scoped", &s);
        let x = s.alloc(5u64);
        let f = alloc_runtime::format!(in &*s, "{}-{}", text, x);
        assert_eq!(f, "scoped-5");
        assert!(s.stats().used > used);
        v.iter().map(|&x| u64::from(x)).sum::<u64>() + *x
    });
    assert_eq!(sum, u64::from(N) * u64::from(N - 1) / 2 + 5);
    assert_eq!(
        arena.stats().used,
        used,
        "the scope's memory was not released"
    );
    // SAFETY: allocated in the arena before the scope; the arena was not
    // reset, and a scope releases only what it allocated.
    assert_eq!(unsafe { &*kept }, &before[..]);
    assert_eq!(*arena.alloc(9u8), 9);
}

#[test]
fn a_second_scope_reuses_the_chunks_of_the_first() {
    let counting = Counting::new(Global);
    let mut arena = Arena::with_capacity_in(64, &counting);
    let work = |s: &alloc_runtime::Scope<'_, &Counting<Global>>| {
        for i in 0..N {
            let _ = s.alloc([u64::from(i); 4]);
        }
    };
    arena.scope(|s| work(&s));
    let chunks = arena.stats().chunks;
    let allocations = counting.stats().allocations;
    for _ in 0..3 {
        arena.scope(|s| work(&s));
    }
    assert_eq!(
        counting.stats().allocations,
        allocations,
        "later scopes asked the parent again"
    );
    assert_eq!(arena.stats().chunks, chunks);
    assert_eq!(arena.stats().used, 0);
}

#[test]
fn nested_scopes_release_the_innermost_first() {
    let mut arena = Arena::new();
    let top = arena.alloc(1u32) as *const u32;
    arena.scope(|mut outer| {
        let a = outer.alloc(2u32) as *const u32;
        let used = outer.stats().used;
        outer.scope(|mut inner| {
            // A reference into `inner` cannot be alive while a scope of it
            // is open (it needs `&mut inner`): keep a raw pointer.
            let b = inner.alloc_slice_fill_copy(1000, 3u32) as *const [u32];
            inner.scope(|innermost| {
                let c = innermost.alloc_slice_fill_copy(100_000, 4u8);
                assert!(c.iter().all(|&x| x == 4));
            });
            // SAFETY: allocated in `inner`, still open.
            assert!(unsafe { &*b }.iter().all(|&x| x == 3));
        });
        assert_eq!(outer.stats().used, used);
        // SAFETY: allocated in `outer`, which is still open.
        assert_eq!(unsafe { *a }, 2);
    });
    assert_eq!(arena.stats().used, 4);
    // SAFETY: allocated in the arena before any scope; no reset since.
    assert_eq!(unsafe { *top }, 1);
}

#[test]
fn a_panic_in_a_scope_still_releases_it() {
    let mut arena = Arena::new();
    let _ = arena.alloc(0u64);
    let used = arena.stats().used;
    let r = catch_unwind(AssertUnwindSafe(|| {
        arena.scope(|s| {
            let v = s.alloc_slice_fill_copy(10_000, 1u8);
            assert!(v.is_empty(), "boom");
        });
    }));
    assert!(r.is_err());
    assert_eq!(arena.stats().used, used);
    assert_eq!(arena.alloc_str("after"), "after");
}

#[test]
fn forgetting_a_scope_leaks_its_memory_and_nothing_else() {
    let mut arena = Arena::new();
    let used = arena.stats().used;
    arena.scope(|mut s| {
        let a = s.alloc(10u64) as *const u64;
        s.scope(|inner| {
            let _ = inner.alloc_slice_fill_copy(50_000, 2u8);
            core::mem::forget(inner);
        });
        // SAFETY: allocated in `s`, still open.
        assert_eq!(unsafe { *a }, 10);
        assert_eq!(*s.alloc(11u64), 11);
    });
    assert_eq!(arena.stats().used, used, "the outer scope was not released");

    arena.scope(|s| {
        let _ = s.alloc([5u8; 100]);
        core::mem::forget(s);
    });
    assert!(
        arena.stats().used >= used + 100,
        "a forgotten scope gave back"
    );
    assert_eq!(*arena.alloc(12u32), 12);
    arena.reset();
    assert_eq!(arena.stats().used, 0);
    assert_eq!(*arena.alloc(13u32), 13);
}

#[test]
fn a_refusing_parent_in_a_scope_is_an_error_and_the_arena_recovers() {
    let fail = Fail::new(Global, 1);
    let mut arena = Arena::with_capacity_in(256, &fail);
    arena.scope(|s| {
        assert!(s.try_alloc(1u8).is_ok());
        assert!(s.try_alloc([0u8; 100_000]).is_err());
        assert!(s.try_alloc_slice_fill_copy(50_000, 1u16).is_err());
        let layout = Layout::from_size_align(8, 8).unwrap();
        assert!(s.try_alloc_layout(layout).is_ok());
    });
    assert_eq!(arena.stats().used, 0);
    assert!(arena.try_alloc(3u32).is_ok());
}
