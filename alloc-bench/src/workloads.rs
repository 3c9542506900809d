//! The workloads, each timed on one contender in one shape.

use std::alloc::Layout;
use std::hint::black_box;
use std::ptr::NonNull;
use std::time::{Duration, Instant};

use allocator_api2::alloc::Allocator;
use allocator_api2::boxed::Box;
use hashbrown::{DefaultHashBuilder, HashMap};

use crate::contenders::Contender;
use crate::shape::{Reach, Reference, Register, Shape};

/// Allocations per `small_allocs` iteration.
pub const SMALL_ALLOCS: usize = 1_000;
/// `Box` nodes per `tree` iteration.
pub const TREE_NODES: u64 = 10_000;
/// Strings per `strings` iteration.
pub const STRINGS: usize = 10_000;
/// Pushes per `vec_push` iteration.
pub const VEC_PUSHES: u64 = 10_000;
/// Inserts per `hashmap` iteration.
pub const MAP_ENTRIES: u64 = 1_000;

/// One of the five workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// 1,000 `Allocator::allocate` calls, sizes 1–64 bytes, alignments 1–16
    /// (mostly 8), layouts known only at run time; the allocations alone
    /// are timed (the global allocator's blocks are freed untimed).
    SmallAllocs,
    /// A balanced binary tree of 10,000 `allocator_api2::boxed::Box` nodes,
    /// built, summed and dropped.
    Tree,
    /// 10,000 short strings (4–23 bytes) copied into blocks of the
    /// allocator (the global allocator's blocks are freed untimed).
    Strings,
    /// `allocator_api2::vec::Vec<u64, _>::new_in`, 10,000 pushes (no
    /// reserve), drop.
    VecPush,
    /// `hashbrown::HashMap::with_hasher_in`, 1,000 inserts, drop.
    HashMap,
}

impl Workload {
    /// Every workload, in report order.
    pub const ALL: [Self; 5] = [
        Self::SmallAllocs,
        Self::Tree,
        Self::Strings,
        Self::VecPush,
        Self::HashMap,
    ];

    /// The workload's name in reports (and criterion's group prefix).
    pub const fn name(self) -> &'static str {
        match self {
            Self::SmallAllocs => "small_allocs",
            Self::Tree => "tree",
            Self::Strings => "strings",
            Self::VecPush => "vec_push",
            Self::HashMap => "hashmap",
        }
    }
}

/// The workloads' inputs, made once, outside any timing.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// `small_allocs`' layouts.
    pub layouts: Vec<Layout>,
    /// `strings`' strings.
    pub strings: Vec<String>,
    /// `hashmap`'s keys, all distinct.
    pub keys: Vec<u64>,
}

impl Inputs {
    /// The fixed inputs (the same on every run).
    pub fn new() -> Self {
        const ALIGNS: [usize; 8] = [1, 2, 4, 8, 8, 8, 8, 16];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let layouts = (0..SMALL_ALLOCS)
            .map(|_| {
                let r = next();
                let size = (r % 64) as usize + 1;
                let align = ALIGNS[(r >> 32) as usize % ALIGNS.len()];
                Layout::from_size_align(size, align).expect("a valid layout")
            })
            .collect();
        let strings = (0..STRINGS)
            .map(|i| {
                let tail = "abcdefghijklmnop";
                let extra = (next() % 12) as usize;
                format!("k{i}-{}", &tail[..extra])
            })
            .collect();
        // An odd multiplier is a bijection: the keys are distinct.
        let keys = (0..MAP_ENTRIES)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        Self {
            layouts,
            strings,
            keys,
        }
    }
}

/// Room for the blocks one [`run`] leaves live (`small_allocs` and
/// `strings`): a fresh heap block, so that the compiler knows the workloads'
/// writes to it do not touch the allocator under test (a buffer reached
/// through `&mut Inputs` could, as far as it knows, and would force the
/// allocator's state through memory in the register shape too).
pub fn blocks() -> Vec<(NonNull<u8>, Layout)> {
    vec![(NonNull::dangling(), Layout::new::<u8>()); SMALL_ALLOCS.max(STRINGS)]
}

impl Default for Inputs {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs `workload` `iters` times on `contender` in `shape` and returns the
/// total time: each iteration is timed on its own, making the contender's
/// arena (and the global allocator's untimed frees) left out.
pub fn time<C: Contender>(
    contender: &mut C,
    workload: Workload,
    shape: Shape,
    inputs: &Inputs,
    iters: u64,
) -> Duration {
    match shape {
        Shape::Register => time_in::<C, Register>(contender, workload, inputs, iters),
        Shape::Reference => time_in::<C, Reference>(contender, workload, inputs, iters),
    }
}

/// [`time`] for a shape known at compile time.
pub fn time_in<C: Contender, R: Reach>(
    contender: &mut C,
    workload: Workload,
    inputs: &Inputs,
    iters: u64,
) -> Duration {
    // One loop per workload, each with an arena of its own: an arena that
    // one workload hands to a function the compiler does not inline (the
    // tree's `build`) would otherwise count as escaped in all of them, and
    // no loop could keep its state in registers.
    match workload {
        Workload::SmallAllocs => time_work::<C, R, SmallAllocs>(contender, inputs, iters),
        Workload::Tree => time_work::<C, R, Tree>(contender, inputs, iters),
        Workload::Strings => time_work::<C, R, Strings>(contender, inputs, iters),
        Workload::VecPush => time_work::<C, R, VecPush>(contender, inputs, iters),
        Workload::HashMap => time_work::<C, R, HashMapInsert>(contender, inputs, iters),
    }
}

/// [`time`] for a workload and shape known at compile time.
fn time_work<C: Contender, R: Reach, W: Work>(
    contender: &mut C,
    inputs: &Inputs,
    iters: u64,
) -> Duration {
    let mut blocks = blocks();
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let arena = contender.arena();
        let a = C::alloc(&arena);
        let start = Instant::now();
        let (check, live) = W::run::<C::Alloc<'_>, R>(a, inputs, &mut blocks);
        total += start.elapsed();
        black_box(check);
        let live = black_box(&mut blocks[..live]);
        // SAFETY: `W::run` left in `blocks[..live]` only live blocks it
        // allocated from `C::alloc(&arena)` with the layout beside each, and
        // nothing uses them after this.
        unsafe { C::free_blocks(&arena, live) };
    }
    total
}

/// One iteration of `workload` on `a` in shape `R`. Returns a number
/// computed from what was built (checked by the tests) and how many blocks
/// the workload left live, at the start of `blocks` (made by [`blocks`]),
/// for the caller to free (an arena's reset does).
pub fn run<A: Allocator + Copy, R: Reach>(
    a: A,
    workload: Workload,
    inputs: &Inputs,
    blocks: &mut [(NonNull<u8>, Layout)],
) -> (u64, usize) {
    match workload {
        Workload::SmallAllocs => SmallAllocs::run::<A, R>(a, inputs, blocks),
        Workload::Tree => Tree::run::<A, R>(a, inputs, blocks),
        Workload::Strings => Strings::run::<A, R>(a, inputs, blocks),
        Workload::VecPush => VecPush::run::<A, R>(a, inputs, blocks),
        Workload::HashMap => HashMapInsert::run::<A, R>(a, inputs, blocks),
    }
}

/// A workload as a type, so that each gets its own timing loop.
trait Work {
    /// One iteration, as [`run`] describes.
    fn run<A: Allocator + Copy, R: Reach>(
        a: A,
        inputs: &Inputs,
        blocks: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize);
}

/// [`Workload::SmallAllocs`].
enum SmallAllocs {}
/// [`Workload::Tree`].
enum Tree {}
/// [`Workload::Strings`].
enum Strings {}
/// [`Workload::VecPush`].
enum VecPush {}
/// [`Workload::HashMap`].
enum HashMapInsert {}

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
        _: &Inputs,
        _: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize) {
        (vec_push::<A, R>(a), 0)
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

/// Pushes `VEC_PUSHES` values onto a `Vec` in `a` and drops it; returns the
/// sum of what it held.
fn vec_push<A: Allocator + Copy, R: Reach>(a: A) -> u64 {
    let mut v: allocator_api2::vec::Vec<u64, A> = allocator_api2::vec::Vec::new_in(R::reach(a));
    for i in 0..VEC_PUSHES {
        v.push(black_box(i));
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
