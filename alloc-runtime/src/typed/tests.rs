//! The typed API on `Bump` (and, after the arena branch is merged, on
//! `Arena`): contents, alignment, zero sizes, failures, panics midway.

use core::alloc::Layout;
use core::cell::Cell;
use core::fmt;
use core::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::string::ToString;
use std::vec::Vec;

use crate::Bump;

/// Counts drops of the values it makes.
#[derive(Debug)]
struct Counted<'c> {
    drops: &'c Cell<usize>,
    id: usize,
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

/// Clones fine until the `limit`-th clone, which panics.
struct PanicsOnClone<'c> {
    clones: &'c Cell<usize>,
    limit: usize,
    value: Counted<'c>,
}

impl Clone for PanicsOnClone<'_> {
    fn clone(&self) -> Self {
        let n = self.clones.get() + 1;
        self.clones.set(n);
        assert!(n < self.limit, "clone number {n} panics on purpose");
        Self {
            clones: self.clones,
            limit: self.limit,
            value: Counted {
                drops: self.value.drops,
                id: self.value.id,
            },
        }
    }
}

#[repr(align(64))]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Aligned64(u8);

#[repr(align(4096))]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct ZeroSizeAligned4096;

fn is_aligned<T>(ptr: *const T) -> bool {
    ptr.addr() % align_of::<T>() == 0
}

#[test]
fn alloc_moves_the_value_in_aligned_and_disjoint_from_the_others() {
    let mut buf = [MaybeUninit::uninit(); 512];
    let bump = Bump::new(&mut buf);
    let a = bump.alloc(1u8);
    let b = bump.alloc(0x0102_0304_0506_0708_u64);
    let c = bump.alloc(u128::MAX - 1);
    let d = bump.alloc(Aligned64(9));
    assert!(is_aligned::<u64>(b) && is_aligned::<u128>(c) && is_aligned::<Aligned64>(d));
    *a += 1;
    *b += 1;
    *c += 1;
    d.0 += 1;
    assert_eq!(
        (*a, *b, *c, *d),
        (2, 0x0102_0304_0506_0709, u128::MAX, Aligned64(10))
    );
    let (a, b) = (a as *mut u8 as usize, b as *mut u64 as usize);
    assert!(a < b || b + 8 <= a, "blocks overlap");
    assert!(bump.owns(d as *mut Aligned64 as *const u8));
}

#[test]
fn alloc_never_runs_the_destructor() {
    let drops = Cell::new(0);
    {
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let value = bump.alloc(Counted {
            drops: &drops,
            id: 7,
        });
        assert_eq!(value.id, 7);
    }
    assert_eq!(drops.get(), 0);
}

#[test]
fn zero_sizes_never_touch_the_bump_and_are_aligned() {
    // A bump with no room at all: every call below must succeed anyway.
    let mut buf: [MaybeUninit<u8>; 0] = [];
    let bump = Bump::new(&mut buf);
    let unit: &mut () = bump.alloc(());
    *unit = ();
    let z = bump.alloc(ZeroSizeAligned4096);
    assert!(is_aligned::<ZeroSizeAligned4096>(z));
    assert_eq!(bump.alloc_slice_copy::<u64>(&[]), &[] as &[u64]);
    assert!(is_aligned(bump.alloc_slice_copy::<u64>(&[]).as_ptr()));
    assert_eq!(bump.alloc_slice_clone::<u32>(&[]).len(), 0);
    assert_eq!(bump.alloc_str(""), "");
    assert_eq!(bump.alloc_slice_fill_with(0, |i| i).len(), 0);
    assert_eq!(
        bump.alloc_slice_fill_iter(core::iter::empty::<u16>()).len(),
        0
    );
    assert_eq!(
        bump.alloc_slice_from_iter((0..10u64).filter(|_| false))
            .len(),
        0
    );
    assert_eq!(bump.alloc_fmt(format_args!("")), "");
    let many = bump.alloc_slice_fill_default::<ZeroSizeAligned4096>(1000);
    assert_eq!(many.len(), 1000);
    assert!(is_aligned(many.as_ptr()));
    let from_iter = bump.alloc_slice_from_iter(core::iter::repeat_n((), 300));
    assert_eq!(from_iter.len(), 300);
    let layout = Layout::from_size_align(0, 4096).unwrap();
    assert_eq!(bump.alloc_layout(layout).as_ptr().addr() % 4096, 0);
    assert_eq!(bump.used(), 0);
    assert_eq!(bump.try_alloc(1u8), Err(crate::AllocError));
}

#[test]
fn slices_and_strings_hold_their_contents() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let bump = Bump::new(&mut buf);
    let copy = bump.alloc_slice_copy(&[1u32, 2, 3]);
    copy[1] = 20;
    let clone = bump.alloc_slice_clone(&["x".to_string(), "yz".to_string()]);
    let s = bump.alloc_str("héllo");
    s.make_ascii_uppercase();
    let with = bump.alloc_slice_fill_with(5, |i| i as u16 * 3);
    let fill_copy = bump.alloc_slice_fill_copy(3, Aligned64(4));
    let fill_clone = bump.alloc_slice_fill_clone(2, &"ab".to_string());
    let default = bump.alloc_slice_fill_default::<i64>(4);
    let iter = bump.alloc_slice_fill_iter([5u8, 6, 7].into_iter().rev());
    assert_eq!(copy, &[1, 20, 3]);
    assert_eq!(clone, &["x", "yz"]);
    assert_eq!(s, "HéLLO");
    assert_eq!(with, &[0, 3, 6, 9, 12]);
    assert_eq!(fill_copy, &[Aligned64(4); 3]);
    assert!(is_aligned(fill_copy.as_ptr()));
    assert_eq!(fill_clone, &["ab", "ab"]);
    assert_eq!(default, &[0; 4]);
    assert_eq!(iter, &[7, 6, 5]);
    assert!(is_aligned(default.as_ptr()) && is_aligned(with.as_ptr()));
    // The `String`s cloned into the bump are never dropped: free them here
    // so the test does not leak heap memory.
    for string in clone.iter_mut().chain(fill_clone.iter_mut()) {
        drop(core::mem::take(string));
    }
}

#[test]
fn alloc_with_builds_the_value_after_allocating() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let used_inside = Cell::new(0);
    let value = bump.alloc_with(|| {
        used_inside.set(bump.used());
        [3u8; 32]
    });
    assert_eq!(*value, [3; 32]);
    assert_eq!(used_inside.get(), 32, "the room was taken before `f` ran");
    assert_eq!(*bump.try_alloc_with(|| 4u8).unwrap(), 4);
}

#[test]
fn alloc_try_with_gives_the_room_back_on_error() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let ok: Result<&mut [u8; 16], ()> = bump.alloc_try_with(|| Ok([1; 16]));
    assert_eq!(ok.unwrap(), &[1; 16]);
    let before = bump.used();
    let err: Result<&mut [u8; 16], &str> = bump.alloc_try_with(|| Err("no"));
    assert_eq!(err, Err("no"));
    assert_eq!(
        bump.used(),
        before,
        "the room of the failed value came back"
    );
    // When `f` allocates after the room was taken, the room is not the last
    // block any more: it stays taken, and what `f` allocated stays valid.
    let inner = Cell::new(None);
    let err: Result<&mut [u8; 16], ()> = bump.alloc_try_with(|| {
        inner.set(Some(bump.alloc(0xAB_u8) as *mut u8));
        Err(())
    });
    assert!(err.is_err());
    assert_eq!(bump.used(), before + 17);
    let p = inner.get().unwrap();
    // SAFETY: `p` is the `u8` allocated inside `f`, still live in `bump`.
    assert_eq!(unsafe { *p }, 0xAB);
}

#[test]
fn try_forms_fail_on_a_full_bump_and_leave_it_as_it_was() {
    let mut buf = [MaybeUninit::uninit(); 16];
    let bump = Bump::new(&mut buf);
    bump.alloc_str("0123456789");
    let before = bump.used();
    let big = [0u8; 32];
    assert!(bump.try_alloc(big).is_err());
    assert!(
        bump.try_alloc_with(|| -> [u8; 32] { unreachable!("f runs only with room") })
            .is_err()
    );
    assert!(bump.try_alloc_slice_copy(&big).is_err());
    assert!(bump.try_alloc_slice_clone(&big).is_err());
    assert!(
        bump.try_alloc_str(core::str::from_utf8(&big).unwrap())
            .is_err()
    );
    assert!(
        bump.try_alloc_slice_fill_with(32, |_| -> u8 { unreachable!() })
            .is_err()
    );
    assert!(bump.try_alloc_slice_fill_copy(32, 0u8).is_err());
    assert!(bump.try_alloc_slice_fill_clone(32, &0u8).is_err());
    assert!(bump.try_alloc_slice_fill_default::<u8>(32).is_err());
    assert!(bump.try_alloc_slice_fill_iter(0..32u8).is_err());
    assert!(
        bump.try_alloc_slice_from_iter((0..32u8).filter(|_| true))
            .is_err()
    );
    assert!(bump.try_alloc_layout(Layout::new::<[u8; 32]>()).is_err());
    let long = "a string too long for the bump";
    assert!(bump.try_alloc_fmt(format_args!("{long}")).is_err());
    assert!(
        bump.try_alloc_fmt(format_args!("{}{}", "abc", long))
            .is_err()
    );
    assert_eq!(bump.used(), before, "a refusal changed the bump");
    // Sizes that no `Layout` describes are refused too, not a panic.
    assert!(bump.try_alloc_slice_fill_copy(usize::MAX, 0u64).is_err());
    assert!(
        bump.try_alloc_slice_fill_with(usize::MAX / 2, |_| 0u16)
            .is_err()
    );
    // What still fits is served.
    assert_eq!(bump.try_alloc_str("abc").unwrap(), "abc");
}

#[test]
fn alloc_layout_honours_large_alignments() {
    let mut buf = [MaybeUninit::uninit(); 2048];
    let bump = Bump::new(&mut buf);
    for align in [1, 2, 8, 64, 256] {
        let layout = Layout::from_size_align(3, align).unwrap();
        let p = bump.alloc_layout(layout);
        assert_eq!(p.as_ptr().addr() % align, 0);
        assert!(bump.owns(p.as_ptr()));
    }
}

#[test]
fn a_panicking_clone_drops_the_clones_made_and_leaves_the_bump_usable() {
    let drops = Cell::new(0);
    let clones = Cell::new(0);
    let mut buf = [MaybeUninit::uninit(); 512];
    let bump = Bump::new(&mut buf);
    let src: Vec<PanicsOnClone<'_>> = (0..5)
        .map(|id| PanicsOnClone {
            clones: &clones,
            limit: 3,
            value: Counted { drops: &drops, id },
        })
        .collect();
    let result = catch_unwind(AssertUnwindSafe(|| {
        bump.alloc_slice_clone(&src);
    }));
    assert!(result.is_err());
    assert_eq!(clones.get(), 3, "the third clone panicked");
    assert_eq!(
        drops.get(),
        2,
        "each of the two clones made is dropped once"
    );
    drop(src);
    assert_eq!(
        drops.get(),
        7,
        "the originals are dropped once, by their owner"
    );
    assert_eq!(*bump.alloc(5u32), 5);
    let result = catch_unwind(AssertUnwindSafe(|| {
        bump.alloc_slice_fill_with(4, |i| {
            assert!(i < 2, "closure call {i} panics on purpose");
            Counted {
                drops: &drops,
                id: i,
            }
        });
    }));
    assert!(result.is_err());
    assert_eq!(drops.get(), 9);
    assert_eq!(bump.alloc_str("still fine"), "still fine");
}

#[test]
fn alloc_with_a_panicking_closure_writes_nothing() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let bump = Bump::new(&mut buf);
    let result = catch_unwind(AssertUnwindSafe(|| {
        bump.alloc_with(|| -> u64 { panic!("on purpose") });
    }));
    assert!(result.is_err());
    assert_eq!(*bump.alloc(1u64), 1);
}

/// An `ExactSizeIterator` whose `len()` says `claims`, but that yields
/// `yields` values.
struct Lying<'c> {
    claims: usize,
    yields: usize,
    given: usize,
    drops: &'c Cell<usize>,
}

impl<'c> Iterator for Lying<'c> {
    type Item = Counted<'c>;
    fn next(&mut self) -> Option<Counted<'c>> {
        (self.given < self.yields).then(|| {
            self.given += 1;
            Counted {
                drops: self.drops,
                id: self.given - 1,
            }
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.claims.saturating_sub(self.given);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Lying<'_> {}

#[test]
fn an_iterator_shorter_than_its_len_panics_and_drops_what_it_gave() {
    let drops = Cell::new(0);
    let mut buf = [MaybeUninit::uninit(); 512];
    let bump = Bump::new(&mut buf);
    let lying = Lying {
        claims: 5,
        yields: 3,
        given: 0,
        drops: &drops,
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        bump.alloc_slice_fill_iter(lying);
    }));
    let message = *result
        .unwrap_err()
        .downcast::<std::string::String>()
        .unwrap();
    assert!(
        message.contains("yielded 3 items but its len() promised 5"),
        "{message}"
    );
    assert_eq!(drops.get(), 3, "the three values given are dropped once");
    assert_eq!(bump.alloc_slice_copy(&[1u8, 2]), &[1, 2]);
}

#[test]
fn an_iterator_longer_than_its_len_is_stopped_at_its_len() {
    let drops = Cell::new(0);
    let mut buf = [MaybeUninit::uninit(); 512];
    let bump = Bump::new(&mut buf);
    let mut lying = Lying {
        claims: 2,
        yields: 4,
        given: 0,
        drops: &drops,
    };
    let slice = bump.alloc_slice_fill_iter(&mut lying);
    assert_eq!(slice.iter().map(|c| c.id).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(lying.given, 2, "no value was taken past len()");
    assert_eq!(lying.next().map(|c| c.id), Some(2));
    assert_eq!(drops.get(), 1, "only the value taken out here was dropped");
}

#[test]
fn alloc_slice_from_iter_grows_in_place_and_gives_the_rest_back() {
    let mut buf = [MaybeUninit::uninit(); 4096];
    let bump = Bump::new(&mut buf);
    let before = bump.used();
    let n = if cfg!(miri) { 100 } else { 500 };
    let slice = bump.alloc_slice_from_iter((0..n as u32).filter(|x| x % 3 != 1));
    let expected: Vec<u32> = (0..n as u32).filter(|x| x % 3 != 1).collect();
    assert_eq!(slice, expected.as_slice());
    assert!(is_aligned(slice.as_ptr()));
    let padding = 3;
    assert!(
        bump.used() - before <= slice.len() * 4 + padding,
        "the unused end was not given back: {} bytes for {}",
        bump.used() - before,
        slice.len() * 4
    );
}

#[test]
fn alloc_slice_from_iter_moves_when_the_iterator_allocates_too() {
    let mut buf = [MaybeUninit::uninit(); 4096];
    let bump = Bump::new(&mut buf);
    let side = Cell::new(0usize);
    let slice = bump.alloc_slice_from_iter((0..40u64).map(|i| {
        // Allocating here makes the growing slice not the last block.
        let x = bump.alloc(i as u8);
        side.set(side.get() + usize::from(*x));
        i * 7
    }));
    assert_eq!(
        slice,
        (0..40u64).map(|i| i * 7).collect::<Vec<_>>().as_slice()
    );
    assert_eq!(side.get(), (0..40).sum::<usize>());
}

#[test]
fn a_panicking_iterator_drops_what_alloc_slice_from_iter_took() {
    let drops = Cell::new(0);
    let mut buf = [MaybeUninit::uninit(); 1024];
    let bump = Bump::new(&mut buf);
    let result = catch_unwind(AssertUnwindSafe(|| {
        bump.alloc_slice_from_iter((0..10).map(|id| {
            assert!(id < 6, "item {id} panics on purpose");
            Counted { drops: &drops, id }
        }));
    }));
    assert!(result.is_err());
    assert_eq!(drops.get(), 6);
    assert_eq!(*bump.alloc(3i8), 3);
}

#[test]
fn try_alloc_slice_from_iter_refuses_up_front_when_the_size_hint_does_not_fit() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let bump = Bump::new(&mut buf);
    let taken = Cell::new(0);
    let result =
        bump.try_alloc_slice_from_iter((0..1000u64).inspect(|_| taken.set(taken.get() + 1)));
    assert!(result.is_err());
    assert_eq!(taken.get(), 0, "the iterator was not advanced");
    assert_eq!(bump.used(), 0);
}

#[test]
fn try_alloc_slice_from_iter_drops_what_it_took_when_refused() {
    let drops = Cell::new(0);
    let mut buf = [MaybeUninit::uninit(); 64];
    let bump = Bump::new(&mut buf);
    let taken = Cell::new(0);
    // `filter` hides the length, so the slice grows step by step.
    let result = bump.try_alloc_slice_from_iter((0..1000).filter(|_| true).map(|id| {
        taken.set(taken.get() + 1);
        Counted { drops: &drops, id }
    }));
    assert!(result.is_err());
    assert!(taken.get() > 0 && taken.get() < 1000);
    // Every value taken is dropped exactly once: those stored by the slice,
    // and the one that did not fit.
    assert_eq!(drops.get(), taken.get());
    assert_eq!(bump.try_alloc_str("ok").unwrap(), "ok");
}

#[test]
fn alloc_fmt_formats_into_the_bump() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let bump = Bump::new(&mut buf);
    let x = 42;
    let s = bump.alloc_fmt(format_args!("x = {x:>5}, {:?}, {}", "q", 1.5));
    assert_eq!(s, r#"x =    42, "q", 1.5"#);
    let literal = bump.alloc_fmt(format_args!("just text"));
    assert_eq!(literal, "just text");
    let long = bump
        .try_alloc_fmt(format_args!("{}", "é".repeat(200)))
        .unwrap();
    assert_eq!(long.chars().count(), 200);
    assert!(bump.owns(long.as_ptr()));
}

/// A `Display` that fails on its own.
struct Broken;

impl fmt::Display for Broken {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Err(fmt::Error)
    }
}

#[test]
fn a_display_that_fails_on_its_own_panics_like_format() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let result = catch_unwind(AssertUnwindSafe(|| {
        bump.try_alloc_fmt(format_args!("before {Broken}")).ok();
    }));
    let message = *result.unwrap_err().downcast::<&str>().unwrap();
    assert!(message.contains("formatting trait implementation returned an error"));
    assert_eq!(bump.alloc_str("usable"), "usable");
}

#[test]
fn returned_references_live_as_long_as_the_bump_is_borrowed() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let mut bump = Bump::new(&mut buf);
    let refs: Vec<&mut u64> = (0..20).map(|i| bump.alloc(i)).collect();
    for (i, r) in refs.into_iter().enumerate() {
        assert_eq!(*r, i as u64);
        *r += 100;
    }
    bump.reset();
    assert_eq!(bump.used(), 0);
    assert_eq!(*bump.alloc(7u64), 7);
}

#[test]
fn an_infallible_slice_larger_than_any_layout_panics_with_a_message() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let bump = Bump::new(&mut buf);
    let result = catch_unwind(AssertUnwindSafe(|| {
        bump.alloc_slice_fill_copy(usize::MAX / 4, 0u32);
    }));
    let message = *result.unwrap_err().downcast::<&str>().unwrap();
    assert!(
        message.contains("larger than isize::MAX bytes"),
        "{message}"
    );
    assert_eq!(bump.used(), 0);
}

#[test]
fn slices_of_over_aligned_values_stay_aligned_when_they_grow_and_move() {
    let mut buf = [MaybeUninit::uninit(); 4096];
    let bump = Bump::new(&mut buf);
    let slice = bump.alloc_slice_from_iter((0..20u8).filter(|_| true).map(|i| {
        bump.alloc(i);
        Aligned64(i)
    }));
    assert!(is_aligned(slice.as_ptr()));
    assert_eq!(slice, (0..20).map(Aligned64).collect::<Vec<_>>().as_slice());
    let filled = bump.alloc_slice_fill_iter((0..3).map(Aligned64));
    assert!(is_aligned(filled.as_ptr()));
}

/// The same API on `Arena`: un-ignore these once the arena branch is merged.
#[cfg(feature = "alloc")]
mod arena_after_merge {
    use super::*;
    use crate::Arena;

    #[test]
    #[ignore = "needs the arena branch"]
    fn the_typed_api_works_on_an_arena() {
        let arena = Arena::new();
        let x = arena.alloc(5u64);
        let s = arena.alloc_str("hello");
        let copy = arena.alloc_slice_copy(&[1u8, 2, 3]);
        let iter = arena.alloc_slice_fill_iter(0..4u16);
        let from_iter = arena.alloc_slice_from_iter((0..1000u32).filter(|x| x % 2 == 0));
        let fmt = arena.alloc_fmt(format_args!("{}-{}", 1, "two"));
        let aligned = arena.alloc(Aligned64(1));
        assert_eq!(*x, 5);
        assert_eq!(s, "hello");
        assert_eq!(copy, &[1, 2, 3]);
        assert_eq!(iter, &[0, 1, 2, 3]);
        assert_eq!(from_iter.len(), 500);
        assert_eq!(fmt, "1-two");
        assert!(is_aligned::<Aligned64>(aligned));
        assert_eq!(arena.alloc(()), &());
    }

    #[test]
    #[ignore = "needs the arena branch"]
    fn a_growing_arena_serves_more_than_one_chunk() {
        let arena = Arena::new();
        let n = if cfg!(miri) { 200 } else { 20_000 };
        let values: Vec<&mut u64> = (0..n).map(|i| arena.alloc(i)).collect();
        for (i, v) in values.iter().enumerate() {
            assert_eq!(**v, i as u64);
        }
        let big = arena.alloc_slice_fill_copy(100_000, 1u8);
        assert_eq!(big.len(), 100_000);
    }

    #[test]
    #[ignore = "needs the arena branch"]
    fn try_forms_fail_past_the_allocation_limit() {
        let arena = Arena::new();
        arena.set_allocation_limit(Some(0));
        assert!(arena.try_alloc(1u8).is_err());
        assert!(arena.try_alloc_str("x").is_err());
        assert!(arena.try_alloc_slice_from_iter(0..10u8).is_err());
        assert!(arena.try_alloc_fmt(format_args!("{}", 12345)).is_err());
        assert_eq!(arena.try_alloc(()).copied(), Ok(()));
    }

    #[test]
    #[ignore = "needs the arena branch"]
    fn a_panicking_clone_leaves_the_arena_usable() {
        let drops = Cell::new(0);
        let clones = Cell::new(0);
        let arena = Arena::new();
        let src = [PanicsOnClone {
            clones: &clones,
            limit: 1,
            value: Counted {
                drops: &drops,
                id: 0,
            },
        }];
        assert!(catch_unwind(AssertUnwindSafe(|| arena.alloc_slice_clone(&src).len())).is_err());
        assert_eq!(drops.get(), 0);
        assert_eq!(*arena.alloc(1u8), 1);
    }

    #[test]
    #[ignore = "needs the arena branch"]
    fn a_reset_arena_serves_again() {
        let mut arena = Arena::new();
        for round in 0..10u32 {
            let s = arena.alloc_fmt(format_args!("round {round}"));
            assert_eq!(*s, std::format!("round {round}"));
            arena.reset();
        }
    }
}
