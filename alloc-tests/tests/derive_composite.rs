//! `#[derive(Allocator)]` on a user's own composites: two
//! `#[allocator(parent)]` fields, with and without a `route`, and the
//! `Owns` that single-parent wrappers forward. Each part is wrapped in a
//! `Counting`, so the tests see which part every call reached.

use std::cell::Cell;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use alloc_runtime::{Alignment, Allocator, Bump, Counting, Global, Owns, RawAlloc, Route, testing};
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;

/// D's `FallbackAllocator<Region, Mallocator>`: the stack buffer first, the
/// heap when it is full. No `route`: first, then second.
#[derive(Allocator)]
struct StackThenHeap<'a> {
    #[allocator(parent)]
    stack: Counting<Bump<'a>>,
    #[allocator(parent)]
    heap: Counting<Global>,
}

impl<'a> StackThenHeap<'a> {
    fn new(buffer: &'a mut [MaybeUninit<u8>]) -> Self {
        Self {
            stack: Counting::new(Bump::new(buffer)),
            heap: Counting::new(Global),
        }
    }
}

/// Small requests to the stack buffer (then the heap if it is full), large
/// ones straight to the heap; counts the route's answers.
#[derive(Allocator)]
#[allocator(route = Self::by_size)]
struct SmallToStack<'a> {
    threshold: usize,
    #[allocator(parent)]
    small: Counting<Bump<'a>>,
    #[allocator(parent)]
    large: Counting<Global>,
    asked: Cell<usize>,
}

impl<'a> SmallToStack<'a> {
    fn new(buffer: &'a mut [MaybeUninit<u8>], threshold: usize) -> Self {
        Self {
            threshold,
            small: Counting::new(Bump::new(buffer)),
            large: Counting::new(Global),
            asked: Cell::new(0),
        }
    }

    fn by_size(&self, len: usize, _: Alignment) -> Route {
        self.asked.set(self.asked.get() + 1);
        if len <= self.threshold {
            Route::FirstThenSecond
        } else {
            Route::Second
        }
    }
}

/// A wrapper without overrides: the derive forwards `Owns` to the parent.
#[derive(Allocator)]
struct Wrapped<A> {
    #[allocator(parent)]
    inner: A,
}

/// A wrapper over a non-generic parent that is not `Owns`: compiles, and is
/// not `Owns` (see `tests/ui/derive-wrapper-over-global-not-owns.rs`).
#[derive(Allocator)]
struct OverGlobal {
    #[allocator(parent)]
    global: Global,
}

/// A tuple-struct composite whose first part is itself a composite of two
/// bumps, `Owns` because both its parts are.
#[derive(Allocator)]
struct Nested<'a>(
    #[allocator(parent)] Bumps<'a>,
    #[allocator(parent)] Wrapped<Global>,
);

#[derive(Allocator)]
#[allocator(route = Self::second_first)]
struct Bumps<'a> {
    #[allocator(parent)]
    one: Wrapped<Bump<'a>>,
    #[allocator(parent)]
    two: Bump<'a>,
}

impl Bumps<'_> {
    const fn second_first(&self, _: usize, _: Alignment) -> Route {
        Route::SecondThenFirst
    }
}

fn is_owns<A: Owns + ?Sized>(_: &A) {}

fn is_raw_alloc<A: RawAlloc + ?Sized>(_: &A) {}

fn slice<T>(v: &[T]) -> NonNull<[u8]> {
    let len = size_of_val(v);
    NonNull::slice_from_raw_parts(NonNull::from(v).cast::<u8>(), len)
}

fn buffer<const N: usize>() -> [MaybeUninit<u8>; N] {
    [MaybeUninit::uninit(); N]
}

#[test]
fn stack_then_heap_passes_conformance() {
    // Small enough that the suite's larger blocks go to the heap.
    let mut buf = buffer::<4096>();
    let c = StackThenHeap::new(&mut buf);
    testing::conformance(&c);
    let (stack, heap) = (c.stack.stats(), c.heap.stats());
    assert!(stack.allocations > 0, "{stack:?}");
    assert!(heap.allocations > 0, "{heap:?}");
    assert_eq!((stack.live_bytes, heap.live_bytes), (0, 0));
    assert_eq!(stack.live_allocations(), 0);
    assert_eq!(heap.live_allocations(), 0);
}

#[test]
fn routed_composite_passes_conformance() {
    let mut buf = buffer::<4096>();
    let c = SmallToStack::new(&mut buf, 64);
    testing::conformance(&c);
    let (small, large) = (c.small.stats(), c.large.stats());
    assert!(small.allocations > 0, "{small:?}");
    assert!(large.allocations > 0, "{large:?}");
    assert_eq!((small.live_bytes, large.live_bytes), (0, 0));
    // Every allocation asked the route once: one that the small part
    // refused went on to the large part, so the composite's allocations
    // are the small part's successes and the large part's attempts.
    assert!(c.asked.get() > 0);
    assert_eq!(
        c.asked.get() as u64,
        small.allocations + large.allocations + large.failures
    );
}

#[test]
fn the_route_decides_where_each_block_comes_from() {
    let mut buf = buffer::<1024>();
    let c = SmallToStack::new(&mut buf, 64);
    let small = Box::new_in([1u8; 64], &c);
    let large = Box::new_in([2u8; 65], &c);
    assert!(c.small.owns(slice(&small[..])));
    assert!(!c.small.owns(slice(&large[..])));
    assert_eq!(c.small.stats().live_bytes, 64);
    assert_eq!(c.large.stats().live_bytes, 65);
    // The bump had room for the large block: the route alone sent it away.
    assert_eq!(c.small.stats().failures, 0);
    assert_eq!(c.asked.get(), 2);
    drop(large);
    drop(small);
    assert_eq!(c.small.stats().live_bytes, 0);
    assert_eq!(c.large.stats().live_bytes, 0);
}

#[test]
fn frees_reach_the_part_that_made_the_block() {
    let mut buf = buffer::<512>();
    let c = StackThenHeap::new(&mut buf);
    // Sizes that fill the stack part and spill into the heap part.
    let mut blocks: std::vec::Vec<(Vec<u64, _>, bool)> = (1..=24)
        .map(|i| {
            let mut v = Vec::with_capacity_in(i, &c);
            v.extend((0..i).map(|x| x as u64 * 7 + i as u64));
            let on_stack = c.stack.owns(slice(&v[..]));
            (v, on_stack)
        })
        .collect();
    let live = |blocks: &[(Vec<u64, _>, bool)], stack: bool| {
        blocks
            .iter()
            .filter(|(_, on_stack)| *on_stack == stack)
            .map(|(v, _)| v.capacity() * 8)
            .sum::<usize>()
    };
    assert!(blocks.iter().any(|(_, s)| *s) && blocks.iter().any(|(_, s)| !*s));
    assert_eq!(c.stack.stats().live_bytes, live(&blocks, true));
    assert_eq!(c.heap.stats().live_bytes, live(&blocks, false));
    // Free out of order: every other block, then the rest from the back.
    let mut index = 0;
    while index < blocks.len() {
        let (v, _) = blocks.remove(index);
        assert!(
            v.iter()
                .enumerate()
                .all(|(x, &value)| value == x as u64 * 7 + v.len() as u64)
        );
        drop(v);
        assert_eq!(c.stack.stats().live_bytes, live(&blocks, true));
        assert_eq!(c.heap.stats().live_bytes, live(&blocks, false));
        index += 1;
    }
    while let Some((v, _)) = blocks.pop() {
        drop(v);
        assert_eq!(c.stack.stats().live_bytes, live(&blocks, true));
        assert_eq!(c.heap.stats().live_bytes, live(&blocks, false));
    }
    let (stack, heap) = (c.stack.stats(), c.heap.stats());
    assert_eq!((stack.live_bytes, heap.live_bytes), (0, 0));
    assert_eq!(stack.allocations, stack.frees);
    assert_eq!(heap.allocations, heap.frees);
}

#[test]
fn a_grow_that_does_not_fit_moves_to_the_second_part() {
    let mut buf = buffer::<128>();
    let c = StackThenHeap::new(&mut buf);
    let mut v: Vec<u8, _> = Vec::with_capacity_in(32, &c);
    v.extend(0..32u8);
    // A later block, so `v` cannot grow in place.
    let later = Box::new_in([9u8; 16], &c);
    assert!(c.stack.owns(slice(&v[..])));
    v.reserve_exact(200);
    assert!(
        !c.stack.owns(slice(&v[..])),
        "moved out of the full stack part"
    );
    assert_eq!(v[..], (0..32u8).collect::<std::vec::Vec<_>>()[..]);
    assert_eq!(c.stack.stats().live_bytes, 16);
    assert_eq!(c.heap.stats().live_bytes, v.capacity());
    // A shrink may move it again (the bridge allocates anew when no part
    // shrinks in place): wherever it lands, the part that owns it counts
    // it, and its free goes there.
    v.shrink_to_fit();
    assert_eq!(v[..], (0..32u8).collect::<std::vec::Vec<_>>()[..]);
    let (stack, heap) = if c.stack.owns(slice(&v[..])) {
        (16 + 32, 0)
    } else {
        (16, 32)
    };
    assert_eq!(c.stack.stats().live_bytes, stack);
    assert_eq!(c.heap.stats().live_bytes, heap);
    drop(v);
    assert_eq!(*later, [9; 16]);
    drop(later);
    assert_eq!(c.stack.stats().live_bytes, 0);
    assert_eq!(c.heap.stats().live_bytes, 0);
    assert_eq!(c.heap.stats().frees, c.heap.stats().allocations);
}

#[test]
fn a_grow_that_fits_stays_in_the_first_part() {
    let mut buf = buffer::<256>();
    let c = StackThenHeap::new(&mut buf);
    let mut v: Vec<u8, _> = Vec::with_capacity_in(16, &c);
    v.extend(0..16u8);
    v.reserve_exact(48);
    assert!(c.stack.owns(slice(&v[..])));
    assert_eq!(c.heap.stats().allocations, 0);
    assert_eq!(v[..], (0..16u8).collect::<std::vec::Vec<_>>()[..]);
}

#[test]
fn wrappers_forward_owns() {
    let mut buf = buffer::<64>();
    let wrapped = Wrapped {
        inner: Bump::new(&mut buf),
    };
    is_owns(&wrapped);
    let b = Box::new_in(7u32, &wrapped);
    assert!(wrapped.owns(NonNull::from(&*b).cast::<[u8; 4]>()));
    let elsewhere = [0u8; 4];
    assert!(!wrapped.owns(slice(&elsewhere[..])));
    drop(b);

    // A wrapper over `Global` compiles and allocates; it is not `Owns`.
    let over = OverGlobal { global: Global };
    is_raw_alloc(&over);
    let b = Box::new_in(1u64, &over);
    assert_eq!(*b, 1);
}

#[test]
fn a_composite_of_owning_parts_is_owns_and_can_come_first() {
    let (mut one, mut two) = (buffer::<64>(), buffer::<64>());
    let nested = Nested(
        Bumps {
            one: Wrapped {
                inner: Bump::new(&mut one),
            },
            two: Bump::new(&mut two),
        },
        Wrapped { inner: Global },
    );
    is_owns(&nested.0);
    // `Bumps` tries its second bump first, then its first, then `Nested`
    // goes to the heap.
    let a = Box::new_in([1u8; 48], &nested);
    let b = Box::new_in([2u8; 48], &nested);
    let c = Box::new_in([3u8; 48], &nested);
    assert!(Owns::owns(&nested.0.two, slice(&a[..])));
    assert!(nested.0.one.owns(slice(&b[..])));
    assert!(!nested.0.owns(slice(&c[..])));
    assert!(nested.0.owns(slice(&a[..])) && nested.0.owns(slice(&b[..])));
    testing::conformance(&nested);
    assert_eq!((a[0], b[47], c[10]), (1, 2, 3));
}

#[test]
fn composites_have_the_handle() {
    let mut buf = buffer::<256>();
    let c = StackThenHeap::new(&mut buf);
    let h = c.allocator();
    let n = h.create(5u16).unwrap();
    assert!(c.stack.owns(n.cast::<[u8; 2]>()));
    assert_eq!(c.stack.stats().live_bytes, 2);
    // SAFETY: `n` was created on this handle's allocator, and is not used
    // again.
    unsafe { h.destroy(n) };
    assert_eq!(c.stack.stats().live_bytes, 0);
}
