//! `Counting`'s tests: each single-threaded case runs on both markers
//! (`local` and `thread_safe` tests of the same name), and [`threads`]
//! shares `Counting<_, ThreadSafe>` between threads.

use super::*;
use crate::test_support::{Marker, on_both_markers};
use crate::{Bump, testing};
use allocator_api2::vec::Vec;
use core::mem::MaybeUninit;

#[cfg(all(feature = "std", target_has_atomic = "64"))]
mod threads;

on_both_markers!(
    passes_the_conformance_suite,
    counts_only_what_reaches_the_parent,
    keeps_live_bytes_exact_through_resize_and_remap,
    the_peak_is_exact_when_read_with_no_free_since_it_was_reached,
    the_peak_counts_growth_in_place_before_a_shrink,
    stacks_by_reference_and_through_the_handle,
);

fn passes_the_conformance_suite<T: Marker>() {
    let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
    let counting = T::counting(Bump::new(&mut buf));
    testing::conformance(&counting);
    let s = counting.stats();
    assert!(s.allocations > 0);
    assert_eq!(s.live_bytes, 0, "the suite frees what it allocates");
}

fn counts_only_what_reaches_the_parent<T: Marker>() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let counting = T::counting(Bump::new(&mut buf));
    let a = counting.allocator();
    let zst = a.create(()).unwrap();
    // SAFETY: from `create` on this allocator, destroyed once.
    unsafe { a.destroy(zst) };
    assert_eq!(
        counting.stats(),
        Stats::default(),
        "zero-size requests are not counted"
    );
    assert!(a.alloc_slice::<u8>(65).is_err());
    let s = counting.stats();
    assert_eq!((s.allocations, s.failures), (0, 1));
}

fn keeps_live_bytes_exact_through_resize_and_remap<T: Marker>() {
    let mut buf = [MaybeUninit::uninit(); 4096];
    let counting = T::counting(Bump::new(&mut buf));
    let mut v: Vec<u32, _> = Vec::new_in(&counting);
    for i in 0..300 {
        v.push(i);
        assert_eq!(counting.stats().live_bytes, v.capacity() * 4);
    }
    v.truncate(10);
    v.shrink_to_fit();
    assert_eq!(counting.stats().live_bytes, 40);
    let peak = counting.stats().peak_live_bytes;
    drop(v);
    let s = counting.stats();
    assert_eq!(s.live_bytes, 0);
    assert_eq!(s.peak_live_bytes, peak);
    assert_eq!(s.bytes_allocated - s.bytes_freed, 0);
    assert_eq!(s.live_allocations(), 0);
}

fn the_peak_is_exact_when_read_with_no_free_since_it_was_reached<T: Marker>() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let counting = T::counting(Bump::new(&mut buf));
    let a = counting.allocator();
    let x = a.create(1u64).unwrap();
    let y = a.create([0u8; 16]).unwrap();
    assert_eq!(
        counting.stats().peak_live_bytes,
        24,
        "read with no free at all"
    );
    // SAFETY: from `create` on this allocator, destroyed once.
    unsafe { a.destroy(x) };
    let z = a.create(1u32).unwrap();
    let s = counting.stats();
    assert_eq!((s.live_bytes, s.peak_live_bytes), (20, 24));
    let w = a.create([0u8; 16]).unwrap();
    let s = counting.stats();
    assert_eq!(
        (s.live_bytes, s.peak_live_bytes),
        (36, 36),
        "a new peak, no free since"
    );
    for p in [y, w] {
        // SAFETY: as above.
        unsafe { a.destroy(p) };
    }
    // SAFETY: as above.
    unsafe { a.destroy(z) };
    let s = counting.stats();
    assert_eq!((s.live_bytes, s.peak_live_bytes), (0, 36));
}

fn the_peak_counts_growth_in_place_before_a_shrink<T: Marker>() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let counting = T::counting(Bump::new(&mut buf));
    let a = counting.allocator();
    let s = a.alloc_slice::<u8>(10).unwrap();
    // SAFETY: `s` came from `alloc_slice` on this handle, with this length.
    let s = unsafe { a.realloc(s, 100) }.unwrap(); // in place: the last allocation
    // SAFETY: as above; shrinking, in place.
    let s = unsafe { a.realloc(s, 4) }.unwrap();
    let st = counting.stats();
    assert_eq!(st.resizes + st.remaps, 2, "grown and shrunk");
    let peak = counting.stats().peak_live_bytes;
    // SAFETY: as above; freed once.
    unsafe { a.free_slice(s) };
    let stats = counting.stats();
    assert_eq!(
        (peak, stats.peak_live_bytes, stats.live_bytes),
        (100, 100, 0)
    );
}

fn stacks_by_reference_and_through_the_handle<T: Marker>() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let by_ref = T::counting(&bump);
    let through_handle = T::counting(bump.allocator());
    by_ref.allocator().create(1u64).unwrap();
    through_handle.allocator().create(1u32).unwrap();
    assert_eq!(by_ref.stats().bytes_allocated, 8);
    assert_eq!(through_handle.stats().bytes_allocated, 4);
    assert!(bump.used() >= 12);
}

#[test]
fn display_lists_every_counter() {
    let table = alloc::string::ToString::to_string(&Stats::default());
    for name in [
        "allocations",
        "frees",
        "resizes",
        "remaps",
        "failures",
        "live bytes",
        "peak live bytes",
    ] {
        assert!(
            table.lines().any(|l| l.starts_with(name)),
            "{name} missing from\n{table}"
        );
    }
}
