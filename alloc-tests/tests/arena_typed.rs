//! The typed API (bumpalo's names) on the growing `Arena` and on the
//! fixed-buffer `Bump`: what bumpalo's published tests and quickcheck
//! properties check, as our own tests, run on both. Values and slices keep
//! their contents and never overlap; zero-size values and empty slices;
//! `alloc` never runs destructors (as bumpalo documents); a lying
//! `ExactSizeIterator`; a panic while filling a slice drops what was made
//! and hands nothing out; re-entrant use of the arena from inside the
//! iterator, the closure or the `Display` being written; every `try_` form
//! returns `AllocError` instead of panicking; strings.

use alloc_runtime::{AllocError, Arena, Bump};
use core::cell::Cell;
use core::fmt;
use core::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The size of the array built in place by `alloc_with`.
const BIG: usize = if cfg!(miri) { 10_000 } else { 100_000 };

/// The buffer of the fixed-buffer `Bump` the tests run on.
const BUMP_BYTES: usize = 512 * 1024;

fn with_arena(f: impl FnOnce(&Arena)) {
    f(&Arena::new());
}

fn arena_used(a: &Arena) -> usize {
    a.stats().used
}

fn with_bump(f: impl FnOnce(&Bump<'_>)) {
    // `new_uninit_slice`: no per-byte loop to set up (slow under Miri).
    let mut buf = Box::<[u8]>::new_uninit_slice(BUMP_BYTES);
    f(&Bump::new(&mut buf));
}

fn bump_used(b: &Bump<'_>) -> usize {
    b.used()
}

/// Counts its drops.
#[derive(Debug)]
struct Counted<'c> {
    drops: &'c Cell<usize>,
    value: u64,
}

impl Clone for Counted<'_> {
    fn clone(&self) -> Self {
        Self {
            drops: self.drops,
            value: self.value,
        }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

/// An iterator whose `len()` says `claimed` and which yields `actual` items.
struct Lying<'c> {
    claimed: usize,
    actual: usize,
    made: usize,
    drops: &'c Cell<usize>,
}

impl<'c> Iterator for Lying<'c> {
    type Item = Counted<'c>;
    fn next(&mut self) -> Option<Counted<'c>> {
        (self.made < self.actual).then(|| {
            self.made += 1;
            Counted {
                drops: self.drops,
                value: self.made as u64,
            }
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.claimed.saturating_sub(self.made);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Lying<'_> {}

fn range<T: ?Sized>(r: &T) -> (usize, usize) {
    let start = (r as *const T).cast::<u8>().addr();
    (start, start + size_of_val(r))
}

fn disjoint(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 == a.1 || b.0 == b.1 || a.1 <= b.0 || b.1 <= a.0
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Big {
    data: [u64; 32],
}

macro_rules! typed_tests {
    ($module:ident, $T:ty, $with:path, $used:path) => {
        mod $module {
            use super::*;
            use proptest::prelude::*;
            use proptest::test_runner::RngAlgorithm;

            fn config() -> ProptestConfig {
                ProptestConfig {
                    cases: if cfg!(miri) { 4 } else { 128 },
                    failure_persistence: None,
                    rng_algorithm: if cfg!(miri) {
                        RngAlgorithm::XorShift
                    } else {
                        RngAlgorithm::ChaCha
                    },
                    ..ProptestConfig::with_source_file(file!())
                }
            }

            #[test]
            fn alloc_never_runs_destructors() {
                let drops = Cell::new(0);
                $with(|arena: &$T| {
                    for value in 0..10 {
                        let c = arena.alloc(Counted { drops: &drops, value });
                        assert_eq!(c.value, value);
                    }
                    let w = arena.alloc_with(|| Counted { drops: &drops, value: 99 });
                    assert_eq!(w.value, 99);
                    let t = arena.try_alloc(Counted { drops: &drops, value: 7 }).unwrap();
                    assert_eq!(t.value, 7);
                    let proto = Counted { drops: &drops, value: 5 };
                    let s = arena.alloc_slice_clone(core::slice::from_ref(&proto));
                    assert_eq!(s[0].value, 5);
                    let f = arena.alloc_slice_fill_clone(3, &proto);
                    assert_eq!(f.len(), 3);
                    drop(proto);
                    assert_eq!(drops.get(), 1, "only the prototype was dropped");
                });
                assert_eq!(drops.get(), 1, "dropping the arena ran destructors");
            }

            #[test]
            fn slices_keep_what_was_copied_cloned_or_made() {
                $with(|arena: &$T| {
                    let src: &[u16] = &[0xFEED, 0xFACE, 0xA7, 0xCAFE];
                    assert_eq!(arena.alloc_slice_copy(src), src);
                    let vecs = vec![vec![0], vec![1, 2], vec![3, 4, 5], vec![6, 7, 8, 9]];
                    let cloned = arena.alloc_slice_clone(&vecs);
                    assert_eq!(cloned, &vecs[..]);
                    // The clones are deep: dropping the source keeps them.
                    drop(vecs);
                    assert_eq!(cloned[3], [6, 7, 8, 9]);
                    // The arena never drops them: give their buffers back.
                    for v in cloned.iter_mut() {
                        drop(core::mem::take(v));
                    }
                    assert_eq!(arena.alloc_slice_fill_with(5, |i| i * i), &[0, 1, 4, 9, 16]);
                    assert_eq!(arena.alloc_slice_fill_copy(3, 7u8), &[7, 7, 7]);
                    assert_eq!(arena.alloc_slice_fill_default::<u32>(2), &[0, 0]);
                    assert_eq!(arena.alloc_slice_fill_iter((0..4).map(|x| x * 10)), &[0, 10, 20, 30]);
                    let evens = arena.alloc_slice_from_iter((0..20).filter(|x| x % 2 == 0));
                    assert_eq!(evens, &[0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
                    let big = arena.alloc_with(|| [4u8; BIG]);
                    assert!(big.iter().all(|&b| b == 4));
                    let r: Result<&mut u32, &str> = arena.alloc_try_with(|| Ok(3));
                    assert_eq!(r.map(|x| *x), Ok(3));
                    let e: Result<&mut u32, &str> = arena.alloc_try_with(|| Err("no"));
                    assert_eq!(e, Err("no"));
                });
            }

            #[test]
            fn zero_sized_values_and_empty_slices() {
                #[derive(Debug, PartialEq)]
                struct Zst;
                $with(|arena: &$T| {
                    let a = arena.alloc(Zst);
                    assert_eq!(*a, Zst);
                    let b = arena.alloc(());
                    let _: &mut () = b;
                    let c = arena.alloc([0u64; 0]);
                    assert_eq!(c.len(), 0);
                    assert!(arena.alloc_slice_copy::<u64>(&[]).is_empty());
                    assert!(arena.alloc_slice_clone::<String>(&[]).is_empty());
                    assert!(
                        arena
                            .alloc_slice_fill_with::<String, _>(0, |_| panic!("called for an empty slice"))
                            .is_empty()
                    );
                    assert!(arena.alloc_slice_fill_copy(0, 42u64).is_empty());
                    assert!(arena.alloc_slice_fill_clone(0, &"hello".to_string()).is_empty());
                    assert!(arena.alloc_slice_fill_default::<String>(0).is_empty());
                    assert!(arena.alloc_slice_fill_iter(core::iter::empty::<u32>()).is_empty());
                    assert!(arena.alloc_slice_from_iter(core::iter::empty::<u32>()).is_empty());
                    assert_eq!(arena.alloc_str(""), "");
                    assert_eq!(arena.alloc_fmt(format_args!("")), "");
                    let zsts = arena.alloc_slice_fill_with(1000, |_| Zst);
                    assert_eq!(zsts.len(), 1000);
                    let aligned = arena.alloc_slice_copy::<u128>(&[]);
                    assert_eq!(aligned.as_ptr().addr() % align_of::<u128>(), 0);
                    // Still usable for real values.
                    assert_eq!(*arena.alloc(5u32), 5);
                });
            }

            #[test]
            fn a_lying_exact_size_iterator_is_stopped_or_refused() {
                let drops = Cell::new(0);
                $with(|arena: &$T| {
                    // More items than claimed: stopped at `len()`.
                    let more = Lying { claimed: 3, actual: 8, made: 0, drops: &drops };
                    let s = arena.alloc_slice_fill_iter(more);
                    assert_eq!(s.len(), 3);
                    assert_eq!(s.iter().map(|c| c.value).collect::<Vec<_>>(), [1, 2, 3]);
                    assert_eq!(drops.get(), 0);

                    // Fewer items than claimed: a panic, and what was made
                    // is dropped.
                    let fewer = Lying { claimed: 6, actual: 2, made: 0, drops: &drops };
                    let r = catch_unwind(AssertUnwindSafe(|| arena.alloc_slice_fill_iter(fewer).len()));
                    assert!(r.is_err(), "a short iterator filled a slice");
                    assert_eq!(drops.get(), 2, "the values made were not dropped");
                    let fewer = Lying { claimed: 4, actual: 1, made: 0, drops: &drops };
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        arena.try_alloc_slice_fill_iter(fewer).map(|s| s.len())
                    }));
                    assert!(r.is_err());
                    assert_eq!(drops.get(), 3);
                    assert_eq!(*arena.alloc(11u64), 11);
                });
            }

            #[test]
            fn a_panic_while_filling_drops_what_was_made() {
                let drops = Cell::new(0);
                $with(|arena: &$T| {
                    let _prefix = arena.alloc([1u8; 17]);
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        arena
                            .alloc_slice_fill_with(8, |i| {
                                assert!(i != 3, "boom");
                                Counted { drops: &drops, value: i as u64 }
                            })
                            .len()
                    }));
                    assert!(r.is_err());
                    assert_eq!(drops.get(), 3);
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        arena
                            .try_alloc_slice_fill_with(8, |i| {
                                assert!(i != 4, "boom");
                                Counted { drops: &drops, value: i as u64 }
                            })
                            .map(|s| s.len())
                    }));
                    assert!(r.is_err());
                    assert_eq!(drops.get(), 7);
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        arena
                            .alloc_slice_from_iter((0..100).map(|i| {
                                assert!(i != 50, "boom");
                                Counted { drops: &drops, value: i }
                            }))
                            .len()
                    }));
                    assert!(r.is_err());
                    assert_eq!(drops.get(), 57);
                    assert_eq!(arena.alloc_str("after"), "after");
                });
            }

            #[test]
            fn a_failed_alloc_try_with_gives_its_room_back() {
                $with(|arena: &$T| {
                    // An 8-aligned cursor: no padding before the blocks below.
                    let _prefix = arena.alloc([3u64; 3]);
                    let used = $used(arena);
                    let e: Result<&mut u64, ()> = arena.alloc_try_with(|| Err(()));
                    assert!(e.is_err());
                    assert_eq!($used(arena), used, "alloc_try_with kept its room");
                    let e: Result<&mut [u8; 300], ()> = arena.alloc_try_with(|| Err(()));
                    assert!(e.is_err());
                    assert_eq!($used(arena), used, "alloc_try_with of an array kept its room");
                });
            }

            #[test]
            fn a_panicking_fill_gives_its_room_back() {
                // bumpalo's `alloc_slice_fill_with_panic_rewinds_last_allocation`
                // and its `try_` form: after a panic in the closure or a
                // short iterator, the arena's cursor is where it was.
                $with(|arena: &$T| {
                    // An 8-aligned cursor: no padding before the blocks below.
                    let _prefix = arena.alloc([3u64; 3]);
                    let used = $used(arena);
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        arena
                            .alloc_slice_fill_with(8, |i| {
                                assert!(i != 3, "boom");
                                i
                            })
                            .len()
                    }));
                    assert!(r.is_err());
                    assert_eq!($used(arena), used, "alloc_slice_fill_with kept its room");
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        arena
                            .try_alloc_slice_fill_with(8, |i| {
                                assert!(i != 4, "boom");
                                i
                            })
                            .map(|s| s.len())
                    }));
                    assert!(r.is_err());
                    assert_eq!($used(arena), used, "try_alloc_slice_fill_with kept its room");
                    let drops = Cell::new(0);
                    let fewer = Lying { claimed: 6, actual: 2, made: 0, drops: &drops };
                    let r = catch_unwind(AssertUnwindSafe(|| arena.alloc_slice_fill_iter(fewer).len()));
                    assert!(r.is_err());
                    assert_eq!($used(arena), used, "a short iterator's slice kept its room");
                });
            }

            #[test]
            fn the_arena_can_be_used_from_inside_the_iterator_closure_and_display() {
                $with(|arena: &$T| {
                    let mut inner = Vec::new();
                    let outer = arena.alloc_slice_from_iter((0..200u64).map(|i| {
                        inner.push(arena.alloc(i * 3));
                        i
                    }));
                    assert!(outer.iter().copied().eq(0..200));
                    assert!(inner.iter().map(|x| **x).eq((0..200).map(|i| i * 3)));
                    let ranges: Vec<_> = inner.iter().map(|x| range(&**x)).collect();
                    assert!(ranges.iter().all(|&r| disjoint(r, range(&*outer))));

                    // Inner allocations large enough to need new chunks
                    // while the outer slice is being collected.
                    let mut blocks = Vec::new();
                    let grown = arena.alloc_slice_from_iter((0..if cfg!(miri) { 40u64 } else { 150 }).map(|i| {
                        blocks.push(&*arena.alloc_slice_fill_copy(1024, i as u8));
                        i
                    }));
                    assert!(grown.iter().copied().eq(0..grown.len() as u64));
                    for (i, b) in blocks.iter().enumerate() {
                        assert!(b.iter().all(|&x| x == i as u8));
                        assert!(disjoint(range(*b), range(&*grown)));
                    }

                    let filled = arena.alloc_slice_fill_with(50, |i| *arena.alloc(i as u32 + 1));
                    assert!(filled.iter().copied().eq(1..=50));

                    // A `Display` that allocates in the arena while the
                    // arena formats it.
                    struct Sneaky<F>(F);
                    impl<F: Fn(usize) -> bool> fmt::Display for Sneaky<F> {
                        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                            for i in 0..40 {
                                assert!((self.0)(i), "allocation {i} inside fmt went wrong");
                                write!(f, "<{i}>")?;
                            }
                            Ok(())
                        }
                    }
                    let kept = core::cell::RefCell::new(Vec::new());
                    let sneaky = Sneaky(|i: usize| {
                        let s = arena.alloc_fmt(format_args!("({i})"));
                        let ok = *s == format!("({i})");
                        kept.borrow_mut().push(&*s);
                        ok
                    });
                    let s = arena.alloc_fmt(format_args!("[{}]", sneaky));
                    let expected: String = (0..40).map(|i| format!("<{i}>")).collect();
                    for (i, k) in kept.borrow().iter().enumerate() {
                        assert_eq!(*k, format!("({i})"));
                    }
                    assert_eq!(&*s, format!("[{expected}]"));
                });
            }

            #[test]
            fn strings_keep_their_contents() {
                $with(|arena: &$T| {
                    let a = arena.alloc_str("héllo, wörld ✓");
                    let b = arena.alloc_fmt(format_args!("{}-{:>5}-{:x}", "x", 42, 255));
                    let long = arena.alloc_fmt(format_args!("{:>10000}", "end"));
                    a.make_ascii_uppercase();
                    assert_eq!(a, "HéLLO, WöRLD ✓");
                    assert_eq!(b, "x-   42-ff");
                    assert_eq!(long.len(), 10000);
                    assert!(long.ends_with("end") && long.starts_with("    "));
                    assert_eq!(arena.try_alloc_str("ok").unwrap(), "ok");
                    assert_eq!(arena.try_alloc_fmt(format_args!("{}", 1.5)).unwrap(), "1.5");
                });
            }

            #[test]
            fn impossible_requests_are_errors_from_the_try_forms() {
                $with(|arena: &$T| {
                    let _ = arena.alloc(1u8);
                    assert_eq!(arena.try_alloc_slice_fill_copy(usize::MAX, 0u64).err(), Some(AllocError));
                    assert_eq!(arena.try_alloc_slice_fill_default::<u32>(usize::MAX / 2).err(), Some(AllocError));
                    assert_eq!(
                        arena.try_alloc_slice_fill_with(isize::MAX as usize, |i| i as u16).err(),
                        Some(AllocError)
                    );
                    // (8, 1 << 60) reaches the arena's parent, which refuses it
                    // natively; Miri stops the program instead (an alignment
                    // above rustc's maximum), so it runs natively only.
                    let layouts = [(isize::MAX as usize, 1), (isize::MAX as usize - 4095, 4096), (8, 1 << 60)];
                    for (size, align) in layouts.into_iter().take(if cfg!(miri) { 2 } else { 3 }) {
                        let layout = core::alloc::Layout::from_size_align(size, align).unwrap();
                        assert!(arena.try_alloc_layout(layout).is_err(), "{layout:?}");
                    }
                    assert_eq!(*arena.alloc(3u8), 3);
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        arena.alloc_slice_fill_copy(usize::MAX, 0u64).len()
                    }));
                    assert!(r.is_err(), "an impossible infallible request returned");
                    assert_eq!(*arena.alloc(4u8), 4);
                });
            }

            #[test]
            fn arena_strings_and_vecs_keep_their_contents() {
                use alloc_runtime::collections::{String, Vec};
                use core::fmt::Write as _;
                let drops = Cell::new(0);
                $with(|arena: &$T| {
                    let mut s = String::from_str_in("héllo", arena);
                    // Other allocations in between: the string cannot grow
                    // in place and moves.
                    let other = arena.alloc_str("between");
                    s.push_str(", wörld");
                    s.push('✓');
                    write!(s, " {}", 42).unwrap();
                    assert_eq!(s, "héllo, wörld✓ 42");
                    assert!(s.capacity() >= s.len());
                    let kept = s.into_bump_str();
                    let after = arena.alloc_fmt(format_args!("{}", 7));
                    kept.make_ascii_uppercase();
                    assert_eq!(kept, "HéLLO, WöRLD✓ 42");
                    assert_eq!((&*other, &*after), ("between", "7"));
                    let f = alloc_runtime::format!(in arena, "{}-{:03}", "n", 5);
                    assert_eq!(f.as_str(), "n-005");

                    let mut v: Vec<Counted<'_>, _> = Vec::new_in(arena);
                    for value in 0..100 {
                        v.push(Counted { drops: &drops, value });
                        let _ = arena.alloc(value);
                    }
                    assert!(v.iter().map(|c| c.value).eq(0..100));
                    v.truncate(10);
                    v.shrink_to_fit();
                    assert_eq!(drops.get(), 90);
                    assert!(v.iter().map(|c| c.value).eq(0..10));
                    // Vecs of vecs in the same arena (bumpalo's `recursive_vecs`).
                    let mut outer: Vec<Vec<u32, _>, _> = Vec::new_in(arena);
                    for i in 0..20u32 {
                        let mut inner = Vec::new_in(arena);
                        inner.extend(0..i);
                        outer.push(inner);
                    }
                    for (i, inner) in outer.iter().enumerate() {
                        assert!(inner.iter().copied().eq(0..i as u32));
                    }
                    drop(v);
                    // A `Vec` drops its items, unlike `alloc`.
                    assert_eq!(drops.get(), 100);
                });
            }

            proptest! {
                #![proptest_config(config())]

                /// bumpalo's `can_allocate_big_values`,
                /// `big_allocations_never_overlap`, `all_allocations_in_a_chunk`.
                #[test]
                fn big_values_keep_their_contents_and_never_overlap(
                    seeds in prop::collection::vec(any::<u64>(), 0..=if cfg!(miri) { 20 } else { 300 }),
                ) {
                    $with(|arena: &$T| {
                        let values: Vec<Big> = seeds.iter().map(|&s| Big { data: core::array::from_fn(|i| s ^ i as u64) }).collect();
                        let got: Vec<&Big> = values.iter().map(|&v| &*arena.alloc(v)).collect();
                        for (i, (v, g)) in values.iter().zip(&got).enumerate() {
                            assert_eq!(v, *g);
                            assert!(arena.owns((*g as *const Big).cast()));
                            for h in &got[..i] {
                                assert!(disjoint(range(*g), range(*h)));
                            }
                        }
                    });
                }

                /// bumpalo's `can_allocate_heterogeneous_things_and_they_dont_overlap`.
                #[test]
                fn heterogeneous_values_never_overlap(
                    things in prop::collection::vec((0..6u8, any::<u64>()), 0..=if cfg!(miri) { 30 } else { 400 }),
                ) {
                    $with(|arena: &$T| {
                        let mut ranges: Vec<(usize, usize)> = Vec::new();
                        for &(kind, v) in &things {
                            let r = match kind {
                                0 => range(arena.alloc(v as u8)),
                                1 => range(arena.alloc([v as u8; 2])),
                                2 => range(arena.alloc([v as u8; 4])),
                                3 => range(arena.alloc(v)),
                                4 => range(arena.alloc([v; 2])),
                                _ => range(arena.alloc([v; 4])),
                            };
                            assert!(ranges.iter().all(|&s| disjoint(r, s)));
                            ranges.push(r);
                        }
                    });
                }

                /// bumpalo's `alloc_slices`.
                #[test]
                fn filled_slices_hold_their_value(
                    allocs in prop::collection::vec((any::<u8>(), 0..100usize), 0..=if cfg!(miri) { 10 } else { 100 }),
                ) {
                    $with(|arena: &$T| {
                        let mut made: Vec<(&[u8], u8)> = Vec::new();
                        for &(val, len) in &allocs {
                            let s = arena.alloc_slice_fill_copy(len, val);
                            assert_eq!(s.len(), len);
                            assert!(made.iter().all(|(m, _)| disjoint(range(*m), range(&*s))));
                            made.push((s, val));
                        }
                        for (s, val) in made {
                            assert!(s.iter().all(|b| *b == val));
                        }
                    });
                }

                /// bumpalo's string operation sequences: the arena `String`
                /// against `std::string::String`, with other allocations
                /// interleaved so that growth moves it.
                #[test]
                fn arena_string_follows_std_string(
                    ops in prop::collection::vec((0..4u8, any::<char>(), "[a-zé✓ ]{0,8}"), 0..=if cfg!(miri) { 12 } else { 64 }),
                ) {
                    use alloc_runtime::collections::String;
                    use core::fmt::Write as _;
                    $with(|arena: &$T| {
                        let mut actual = String::new_in(arena);
                        let mut expected = std::string::String::new();
                        for (k, (op, ch, text)) in ops.iter().enumerate() {
                            match op {
                                0 => {
                                    actual.push(*ch);
                                    expected.push(*ch);
                                }
                                1 => {
                                    actual.push_str(text);
                                    expected.push_str(text);
                                }
                                2 => {
                                    write!(actual, "{text}{k}").unwrap();
                                    write!(expected, "{text}{k}").unwrap();
                                }
                                _ => {
                                    let _ = arena.alloc_str(text);
                                }
                            }
                            assert_eq!(actual.as_str(), expected.as_str());
                            assert!(actual.capacity() >= actual.len());
                        }
                        actual.clear();
                        assert!(actual.is_empty());
                    });
                }

                /// bumpalo's `alloc_strs`.
                #[test]
                fn strings_come_back_equal(
                    strings in prop::collection::vec(".{0,40}", 0..=if cfg!(miri) { 5 } else { 50 }),
                ) {
                    $with(|arena: &$T| {
                        let got: Vec<&str> = strings.iter().map(|s| &*arena.alloc_str(s)).collect();
                        for (expected, actual) in strings.iter().zip(got) {
                            assert_eq!(expected, actual);
                        }
                    });
                }
            }
        }
    };
}

typed_tests!(arena, Arena, with_arena, arena_used);
typed_tests!(bump, Bump<'_>, with_bump, bump_used);

#[test]
fn every_try_form_of_a_full_arena_returns_alloc_error() {
    let arena = Arena::new();
    arena.set_allocation_limit(Some(0));
    assert_full(&arena);
    // And the arena works again once the limit is lifted.
    arena.set_allocation_limit(None);
    assert_eq!(*arena.alloc(1u8), 1);

    let mut buf = [MaybeUninit::uninit(); 8];
    let bump = Bump::new(&mut buf);
    let _ = bump.alloc([0u8; 8]);
    assert_full(&bump);
}

/// Every `try_` form refuses a non-empty request.
macro_rules! assert_full_body {
    ($a:ident) => {{
        let drops = Cell::new(0);
        let made = Cell::new(0);
        let make = |value: u32| {
            made.set(made.get() + 1);
            Counted {
                drops: &drops,
                value: value.into(),
            }
        };
        assert_eq!($a.try_alloc(5u64).err(), Some(AllocError));
        assert_eq!($a.try_alloc_with(|| 5u64).err(), Some(AllocError));
        assert_eq!($a.try_alloc_slice_copy(&[1u32, 2]).err(), Some(AllocError));
        assert_eq!(
            $a.try_alloc_slice_clone(&[String::new()]).err(),
            Some(AllocError)
        );
        assert_eq!($a.try_alloc_str("text").err(), Some(AllocError));
        assert_eq!(
            $a.try_alloc_slice_fill_with(3, |i| i).err(),
            Some(AllocError)
        );
        assert_eq!($a.try_alloc_slice_fill_copy(3, 1u8).err(), Some(AllocError));
        assert_eq!(
            $a.try_alloc_slice_fill_clone(3, &1u8).err(),
            Some(AllocError)
        );
        assert_eq!(
            $a.try_alloc_slice_fill_default::<u16>(3).err(),
            Some(AllocError)
        );
        assert!($a.try_alloc_slice_fill_iter((0..3u32).map(make)).is_err());
        assert_eq!(
            made.get(),
            0,
            "values were made before the room was checked"
        );
        assert!(
            $a.try_alloc_slice_from_iter((0..3u32).map(make).filter(|_| true))
                .is_err()
        );
        assert_eq!(
            $a.try_alloc_layout(core::alloc::Layout::new::<u32>()).err(),
            Some(AllocError)
        );
        assert_eq!(
            $a.try_alloc_fmt(format_args!("{}", 12345)).err(),
            Some(AllocError)
        );
        // The exact-size form checks room before taking any value; the
        // other may have taken some, and must have dropped them.
        assert_eq!(drops.get(), made.get(), "values made were not dropped");
    }};
}

fn assert_full(a: &impl Full) {
    a.assert_full();
}

trait Full {
    fn assert_full(&self);
}

impl Full for Arena {
    fn assert_full(&self) {
        assert_full_body!(self);
    }
}

impl Full for Bump<'_> {
    fn assert_full(&self) {
        assert_full_body!(self);
    }
}
