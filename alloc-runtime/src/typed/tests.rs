//! The typed API on `Bump` and `Arena`: contents, alignment, zero sizes,
//! failures, panics midway.

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

/// The same API on `Arena`.
#[cfg(feature = "alloc")]
mod arena {
    use super::*;
    use crate::Arena;

    #[test]
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
    fn a_reset_arena_serves_again() {
        let mut arena = Arena::new();
        for round in 0..10u32 {
            let s = arena.alloc_fmt(format_args!("round {round}"));
            assert_eq!(*s, std::format!("round {round}"));
            arena.reset();
        }
    }
}

/// A zero-size value that counts its drops in a thread-local counter.
struct CountedZst;

std::thread_local! {
    static ZST_DROPS: Cell<usize> = const { Cell::new(0) };
}

impl Drop for CountedZst {
    fn drop(&mut self) {
        ZST_DROPS.with(|d| d.set(d.get() + 1));
    }
}

/// The fallible-initializer methods (`alloc_slice_try_fill_with`,
/// `alloc_slice_try_fill_iter`, `try_alloc_try_with`), run on a `Bump` and
/// on an `Arena`: `$make` builds the arena, and may borrow `buf`, a local
/// buffer of 4 KiB.
macro_rules! try_fill_tests {
    ($module:ident, $buf:ident => $make:expr) => {
        mod $module {
            use super::*;
            use crate::AllocOrInitError;

            #[test]
            fn alloc_slice_try_fill_with_holds_the_values_in_order() {
                #[allow(unused_mut, unused_variables)]
                let mut $buf = [MaybeUninit::<u8>::uninit(); 4096];
                let arena = $make;
                let xs: &mut [u64] = arena
                    .alloc_slice_try_fill_with(5, |i| Ok::<_, ()>(i as u64 * 3 + 1))
                    .unwrap();
                assert_eq!(xs, &[1, 4, 7, 10, 13]);
                assert!(is_aligned(xs.as_ptr()));
                let aligned = arena
                    .alloc_slice_try_fill_with(3, |i| Ok::<_, ()>(Aligned64(i as u8)))
                    .unwrap();
                assert!(is_aligned(aligned.as_ptr()));
                assert_eq!(aligned, &[Aligned64(0), Aligned64(1), Aligned64(2)]);
                // The earlier slice is intact.
                assert_eq!(xs, &[1, 4, 7, 10, 13]);
            }

            #[test]
            fn alloc_slice_try_fill_with_drops_the_values_made_and_gives_the_room_back() {
                #[allow(unused_mut, unused_variables)]
                let mut $buf = [MaybeUninit::<u8>::uninit(); 4096];
                let arena = $make;
                let anchor = arena.alloc(1u8);
                let drops = Cell::new(0);
                let calls = Cell::new(0);
                let err = arena.alloc_slice_try_fill_with(6, |i| {
                    calls.set(calls.get() + 1);
                    if i == 3 {
                        Err(i * 100)
                    } else {
                        Ok(Counted { drops: &drops, id: i })
                    }
                });
                assert_eq!(err.map(|s| s.len()), Err(300));
                assert_eq!(calls.get(), 4, "f is not called after its first error");
                assert_eq!(drops.get(), 3, "the three values made are dropped once");
                // The room came back: the next block for `Counted`s is the
                // first address after the anchor aligned for them.
                let next = arena.alloc_slice_fill_with(6, |i| Counted { drops: &drops, id: i });
                let anchor_addr = core::ptr::from_mut(anchor).addr();
                let align = align_of::<Counted<'_>>();
                assert_eq!(next.as_ptr().addr(), (anchor_addr + 1).next_multiple_of(align));
                assert_eq!(next[5].id, 5);
                assert_eq!(drops.get(), 3, "a finished slice is never dropped");
                assert_eq!(*anchor, 1);
            }

            #[test]
            fn a_failed_fill_is_taken_back_so_the_next_block_reuses_its_address() {
                #[allow(unused_mut, unused_variables)]
                let mut $buf = [MaybeUninit::<u8>::uninit(); 4096];
                let arena = $make;
                let anchor = core::ptr::from_mut(arena.alloc(0u8)).addr();
                let expected = (anchor + 1).next_multiple_of(4);
                let err: Result<&mut [u32], &str> = arena.alloc_slice_try_fill_with(8, |i| {
                    if i == 5 { Err("five") } else { Ok(i as u32) }
                });
                assert_eq!(err, Err("five"));
                let err: Result<&mut [u32], &str> =
                    arena.alloc_slice_try_fill_iter([Ok(1), Ok(2), Err("two")]);
                assert_eq!(err, Err("two"));
                let e = arena.try_alloc_try_with(|| Err::<[u32; 8], _>("init"));
                assert_eq!(e, Err(AllocOrInitError::Init("init")));
                // Nothing was left taken by the three failures.
                let ok = arena.alloc_slice_fill_copy(8, 7u32);
                assert_eq!(ok.as_ptr().addr(), expected);
                assert_eq!(ok, &[7; 8]);
            }

            #[test]
            fn a_panic_in_the_fill_drops_each_value_made_once() {
                #[allow(unused_mut, unused_variables)]
                let mut $buf = [MaybeUninit::<u8>::uninit(); 4096];
                let arena = $make;
                let drops = Cell::new(0);
                let result = catch_unwind(AssertUnwindSafe(|| {
                    let _: Result<&mut [Counted<'_>], ()> =
                        arena.alloc_slice_try_fill_with(5, |i| {
                            assert!(i != 2, "panics on purpose at 2");
                            Ok(Counted { drops: &drops, id: i })
                        });
                }));
                assert!(result.is_err());
                assert_eq!(drops.get(), 2);
                let result = catch_unwind(AssertUnwindSafe(|| {
                    let items = (0..4).map(|i| {
                        assert!(i != 3, "panics on purpose at 3");
                        Ok::<_, ()>(Counted { drops: &drops, id: i })
                    });
                    let _ = arena.alloc_slice_try_fill_iter(items);
                }));
                assert!(result.is_err());
                assert_eq!(drops.get(), 5);
                let result = catch_unwind(AssertUnwindSafe(|| {
                    let _ = arena.try_alloc_try_with(|| -> Result<Counted<'_>, ()> {
                        panic!("panics on purpose")
                    });
                }));
                assert!(result.is_err());
                assert_eq!(drops.get(), 5);
                assert_eq!(arena.alloc_slice_copy(&[1u8, 2]), &[1, 2], "still usable");
            }

            #[test]
            fn empty_and_zero_size_fills_take_no_room() {
                #[allow(unused_mut, unused_variables)]
                let mut $buf = [MaybeUninit::<u8>::uninit(); 4096];
                let arena = $make;
                let empty: &mut [u64] = arena
                    .alloc_slice_try_fill_with(0, |_| -> Result<u64, ()> {
                        unreachable!("no value is asked for")
                    })
                    .unwrap();
                assert!(empty.is_empty() && is_aligned(empty.as_ptr()));
                let empty: &mut [u8] = arena
                    .alloc_slice_try_fill_iter(core::iter::empty::<Result<u8, ()>>())
                    .unwrap();
                assert!(empty.is_empty());
                ZST_DROPS.with(|d| d.set(0));
                let zsts = arena
                    .alloc_slice_try_fill_with(4, |_| Ok::<_, ()>(CountedZst))
                    .unwrap();
                assert_eq!(zsts.len(), 4);
                let err = arena.alloc_slice_try_fill_with(5, |i| {
                    if i == 3 { Err(i) } else { Ok(CountedZst) }
                });
                assert_eq!(err.map(|s| s.len()), Err(3));
                assert_eq!(ZST_DROPS.with(Cell::get), 3, "three ZSTs made, dropped once");
                let err = arena.alloc_slice_try_fill_iter([Ok(CountedZst), Err(7)]);
                assert_eq!(err.map(|s| s.len()), Err(7));
                assert_eq!(ZST_DROPS.with(Cell::get), 4);
                let aligned = arena
                    .alloc_slice_try_fill_with(3, |_| Ok::<_, ()>(ZeroSizeAligned4096))
                    .unwrap();
                assert!(is_aligned(aligned.as_ptr()));
                let unit = arena.try_alloc_try_with(|| Ok::<(), ()>(())).unwrap();
                assert_eq!(*unit, ());
                assert_eq!(
                    arena.try_alloc_try_with(|| Err::<ZeroSizeAligned4096, _>(1)),
                    Err(AllocOrInitError::Init(1))
                );
                // Nothing above reached the arena: the first real block is
                // where it would have been anyway.
                let a = arena.alloc(1u8) as *mut u8 as usize;
                let b = arena.alloc(2u8) as *mut u8 as usize;
                assert_eq!(b, a + 1);
            }

            #[test]
            fn alloc_slice_try_fill_iter_stops_at_the_first_error_and_leaves_the_rest() {
                #[allow(unused_mut, unused_variables)]
                let mut $buf = [MaybeUninit::<u8>::uninit(); 4096];
                let arena = $make;
                let drops = Cell::new(0);
                let mut items = (0..6).map(|i| {
                    if i == 2 {
                        Err(i)
                    } else {
                        Ok(Counted { drops: &drops, id: i })
                    }
                });
                let err = arena.alloc_slice_try_fill_iter(items.by_ref());
                assert_eq!(err.map(|s| s.len()), Err(2));
                assert_eq!(drops.get(), 2);
                let rest: Vec<usize> = items.map(|r| r.unwrap().id).collect();
                assert_eq!(rest, [3, 4, 5], "items after the error stay in the iterator");
                assert_eq!(drops.get(), 5);
                let ok = arena
                    .alloc_slice_try_fill_iter(["4", "5", "6"].iter().map(|s| s.parse::<u16>()))
                    .unwrap();
                assert_eq!(ok, &[4, 5, 6]);
                // Longer than its `len()`: stopped at `len()`.
                let mut long = (0..10u8).map(Ok::<u8, ()>);
                let short = ExactLen { inner: &mut long, len: 3 };
                assert_eq!(arena.alloc_slice_try_fill_iter(short).unwrap(), &[0, 1, 2]);
                assert_eq!(long.next(), Some(Ok(3)));
            }

            #[test]
            fn an_iterator_of_results_shorter_than_its_len_panics_and_drops_what_it_gave() {
                #[allow(unused_mut, unused_variables)]
                let mut $buf = [MaybeUninit::<u8>::uninit(); 4096];
                let arena = $make;
                let drops = Cell::new(0);
                let lying = Lying { claims: 4, yields: 2, given: 0, drops: &drops };
                let result = catch_unwind(AssertUnwindSafe(|| {
                    let _ = arena.alloc_slice_try_fill_iter(lying.map(Ok::<_, ()>));
                }));
                let message = *result
                    .unwrap_err()
                    .downcast::<std::string::String>()
                    .unwrap();
                assert!(
                    message.contains(
                        "alloc_slice_try_fill_iter: the iterator yielded 2 items but its len() promised 4"
                    ),
                    "{message}"
                );
                assert_eq!(drops.get(), 2);
            }

            #[test]
            fn try_alloc_try_with_returns_the_value_or_says_which_step_failed() {
                #[allow(unused_mut, unused_variables)]
                let mut $buf = [MaybeUninit::<u8>::uninit(); 4096];
                let arena = $make;
                let x = arena.try_alloc_try_with(|| Ok::<_, ()>(0x1234_u64)).unwrap();
                *x += 1;
                assert_eq!(*x, 0x1235);
                let drops = Cell::new(0);
                let before = arena.alloc(0u64) as *mut u64 as usize;
                let e = arena.try_alloc_try_with(|| {
                    Err::<u64, _>(Counted { drops: &drops, id: 3 })
                });
                match e {
                    Err(AllocOrInitError::Init(c)) => assert_eq!(c.id, 3),
                    _ => panic!("expected Init"),
                }
                assert_eq!(drops.get(), 1, "the error is the caller's, dropped once");
                let after = arena.alloc(0u64) as *mut u64 as usize;
                assert_eq!(after, before + 8, "the room of the failed value came back");
                assert_eq!(*x, 0x1235);
            }

            #[test]
            fn an_infallible_try_fill_larger_than_any_layout_panics_before_calling_f() {
                #[allow(unused_mut, unused_variables)]
                let mut $buf = [MaybeUninit::<u8>::uninit(); 4096];
                let arena = $make;
                let result = catch_unwind(AssertUnwindSafe(|| {
                    let _: Result<&mut [u32], ()> = arena
                        .alloc_slice_try_fill_with(usize::MAX / 4, |_| {
                            unreachable!("f must not run")
                        });
                }));
                let message = *result.unwrap_err().downcast::<&str>().unwrap();
                assert!(message.contains("larger than isize::MAX bytes"), "{message}");
                assert_eq!(*arena.alloc(3u8), 3);
            }
        }
    };
}

/// An `ExactSizeIterator` over the first `len` items of `inner`.
struct ExactLen<'i, I> {
    inner: &'i mut I,
    len: usize,
}

impl<I: Iterator> Iterator for ExactLen<'_, I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        // Claims `len` but would go on: the arena must stop at `len`.
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl<I: Iterator> ExactSizeIterator for ExactLen<'_, I> {}

try_fill_tests!(try_fill_on_bump, buf => Bump::new(&mut buf));
#[cfg(feature = "alloc")]
try_fill_tests!(try_fill_on_arena, buf => crate::Arena::new());

#[test]
fn try_alloc_try_with_on_a_full_bump_is_an_alloc_error_and_f_does_not_run() {
    let mut buf = [MaybeUninit::uninit(); 8];
    let bump = Bump::new(&mut buf);
    let ran = Cell::new(false);
    let e = bump.try_alloc_try_with(|| {
        ran.set(true);
        Ok::<_, ()>([0u8; 16])
    });
    assert_eq!(e, Err(crate::AllocOrInitError::Alloc(crate::AllocError)));
    assert!(!ran.get());
    assert_eq!(bump.used(), 0);
}

#[test]
#[cfg(feature = "std")]
fn alloc_or_init_error_displays_and_converts_like_bumpalos() {
    use crate::{AllocError, AllocOrInitError};
    use std::error::Error;
    let alloc: AllocOrInitError<&str> = AllocError.into();
    assert_eq!(alloc, AllocOrInitError::Alloc(AllocError));
    assert_eq!(alloc.to_string(), AllocError.to_string());
    let init = AllocOrInitError::Init("bad digit");
    assert_eq!(init.to_string(), "initialization failed: bad digit");
    let parse = "x".parse::<u8>().unwrap_err();
    let boxed: std::boxed::Box<dyn Error> =
        std::boxed::Box::new(AllocOrInitError::Init(parse.clone()));
    assert_eq!(boxed.source().unwrap().to_string(), parse.to_string());
    assert!(std::format!("{:?}", AllocOrInitError::<u8>::Init(4)).contains("Init(4)"));
}
