//! The workloads that take any allocator, through allocator-api2.

use std::alloc::Layout;
use std::hint::black_box;
use std::ptr::NonNull;

use allocator_api2::alloc::Allocator;
use allocator_api2::boxed::Box;
use hashbrown::{DefaultHashBuilder, HashMap};

use super::{GROWTH_ALLOCS, Inputs, TREE_NODES};
use crate::shape::Reach;

/// A workload as a type, so that each gets its own timing loop.
pub(super) trait Work {
    /// One iteration, as [`run`](super::run) describes.
    fn run<A: Allocator + Copy, R: Reach>(
        a: A,
        inputs: &Inputs,
        blocks: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize);
}

/// [`Workload::SmallAllocs`](super::Workload::SmallAllocs).
pub(super) enum SmallAllocs {}
/// [`Workload::Growth`](super::Workload::Growth).
pub(super) enum Growth {}
/// [`Workload::Tree`](super::Workload::Tree).
pub(super) enum Tree {}
/// [`Workload::Strings`](super::Workload::Strings).
pub(super) enum Strings {}
/// [`Workload::VecPush`](super::Workload::VecPush).
pub(super) enum VecPush {}
/// [`Workload::HashMap`](super::Workload::HashMap).
pub(super) enum HashMapInsert {}

impl Work for SmallAllocs {
    #[inline(always)]
    fn run<A: Allocator + Copy, R: Reach>(
        a: A,
        inputs: &Inputs,
        blocks: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize) {
        let live = small_allocs::<A, R>(a, &inputs.layouts, blocks);
        (live as u64, live)
    }
}

impl Work for Growth {
    #[inline(always)]
    fn run<A: Allocator + Copy, R: Reach>(
        a: A,
        inputs: &Inputs,
        _: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize) {
        (growth::<A, R>(a, &inputs.layouts), 0)
    }
}

impl Work for Tree {
    #[inline(always)]
    fn run<A: Allocator + Copy, R: Reach>(
        a: A,
        _: &Inputs,
        _: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize) {
        (tree::<A, R>(a), 0)
    }
}

impl Work for Strings {
    #[inline(always)]
    fn run<A: Allocator + Copy, R: Reach>(
        a: A,
        inputs: &Inputs,
        blocks: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize) {
        let (live, bytes) = strings::<A, R>(a, &inputs.strings, blocks);
        (bytes, live)
    }
}

impl Work for VecPush {
    #[inline(always)]
    fn run<A: Allocator + Copy, R: Reach>(
        a: A,
        inputs: &Inputs,
        _: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize) {
        (vec_push::<A, R>(a, &inputs.values), 0)
    }
}

impl Work for HashMapInsert {
    #[inline(always)]
    fn run<A: Allocator + Copy, R: Reach>(
        a: A,
        inputs: &Inputs,
        _: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize) {
        (hashmap::<A, R>(a, &inputs.keys), 0)
    }
}

/// One `allocate` per layout; the blocks stay live (written to `blocks`,
/// which is long enough). Returns how many blocks were allocated.
fn small_allocs<A: Allocator + Copy, R: Reach>(
    a: A,
    layouts: &[Layout],
    blocks: &mut [(NonNull<u8>, Layout)],
) -> usize {
    for (slot, &layout) in blocks.iter_mut().zip(layouts) {
        // No `black_box` on the layout: it would be a memory clobber, which
        // forces every allocator's state through memory in both shapes. The
        // layouts come from a heap slice: the compiler does not know them.
        let block = R::reach(a)
            .allocate(layout)
            .expect("the buffer is big enough");
        *slot = (block.cast(), layout);
    }
    layouts.len()
}

/// `GROWTH_ALLOCS` allocations, `layouts` over and over; the first byte of
/// each block is written. Blocks are not kept (an arena frees them all at
/// once). Returns how many blocks came back aligned as asked.
///
/// # Panics
///
/// If a layout has size zero, or `GROWTH_ALLOCS` is not a multiple of
/// `layouts.len()`.
fn growth<A: Allocator + Copy, R: Reach>(a: A, layouts: &[Layout]) -> u64 {
    assert!(layouts.iter().all(|layout| layout.size() > 0));
    assert_eq!(GROWTH_ALLOCS % layouts.len(), 0);
    let mut aligned = 0;
    for round in 0..GROWTH_ALLOCS / layouts.len() {
        for &layout in layouts {
            let block = R::reach(a)
                .allocate(layout)
                .expect("the arena can grow")
                .cast::<u8>();
            // SAFETY: `block` is a fresh block of at least `layout.size()`
            // bytes, which is not zero (checked above).
            unsafe { block.as_ptr().write(round as u8) };
            aligned += u64::from(block.as_ptr().addr() & (layout.align() - 1) == 0);
        }
    }
    aligned
}

/// A node of `tree`.
struct Node<A: Allocator> {
    left: Option<Box<Node<A>, A>>,
    right: Option<Box<Node<A>, A>>,
    value: u64,
}

/// The balanced tree of the values `lo..hi`, children allocated first.
fn build<A: Allocator + Copy, R: Reach>(a: A, lo: u64, hi: u64) -> Option<Box<Node<A>, A>> {
    if lo >= hi {
        return None;
    }
    let mid = lo + (hi - lo) / 2;
    let left = build::<A, R>(a, lo, mid);
    let right = build::<A, R>(a, mid + 1, hi);
    Some(Box::new_in(
        Node {
            left,
            right,
            value: mid,
        },
        R::reach(a),
    ))
}

/// The sum of a tree's values.
fn sum<A: Allocator>(node: &Option<Box<Node<A>, A>>) -> u64 {
    node.as_ref()
        .map_or(0, |n| n.value + sum(&n.left) + sum(&n.right))
}

/// Builds the tree of `TREE_NODES` nodes, sums it and drops it; returns the
/// sum.
fn tree<A: Allocator + Copy, R: Reach>(a: A) -> u64 {
    let root = build::<A, R>(a, 0, black_box(TREE_NODES));
    sum(&root)
}

/// Copies each string into a block of its length (alignment 1); the blocks
/// stay live (written to `blocks`, which is long enough). Returns how many
/// blocks were allocated and the bytes copied.
fn strings<A: Allocator + Copy, R: Reach>(
    a: A,
    strings: &[String],
    blocks: &mut [(NonNull<u8>, Layout)],
) -> (usize, u64) {
    let mut bytes = 0;
    for (slot, s) in blocks.iter_mut().zip(strings) {
        let layout = Layout::for_value(s.as_bytes());
        let block = R::reach(a)
            .allocate(layout)
            .expect("the buffer is big enough")
            .cast::<u8>();
        // SAFETY: `block` is a fresh block of `s.len()` bytes, writable and
        // not overlapping `s`, which is `s.len()` readable bytes.
        unsafe { block.as_ptr().copy_from_nonoverlapping(s.as_ptr(), s.len()) };
        *slot = (block, layout);
        bytes += s.len() as u64;
    }
    (strings.len(), bytes)
}

/// Pushes each of `values` onto a `Vec` in `a` (no reserve) and drops it;
/// returns the sum of what it held.
fn vec_push<A: Allocator + Copy, R: Reach>(a: A, values: &[u64]) -> u64 {
    let mut v: allocator_api2::vec::Vec<u64, A> = allocator_api2::vec::Vec::new_in(R::reach(a));
    // The values come from a heap slice, unknown to the compiler, rather
    // than through `black_box` (which spills each value to the stack and
    // reloads it: a load that, depending on where the stack and the
    // vector's buffer happen to lie, waits on the vector's stores, so the
    // same code ran at two speeds 40 % apart from one run to the next).
    for &value in values {
        v.push(value);
    }
    black_box(&v).iter().sum()
}

/// Inserts each key into a `HashMap` in `a` and drops it; returns the sum
/// of the values found again by key.
fn hashmap<A: Allocator + Copy, R: Reach>(a: A, keys: &[u64]) -> u64 {
    let mut map = HashMap::with_hasher_in(DefaultHashBuilder::default(), R::reach(a));
    for (value, &key) in (0u64..).zip(keys) {
        map.insert(black_box(key), value);
    }
    let map = black_box(&map);
    keys.iter().step_by(97).map(|k| map[k]).sum()
}
