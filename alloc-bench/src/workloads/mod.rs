//! The workloads, each timed on one contender in one shape.
//!
//! The allocator-api2 workloads ([`api`]) take any contender's allocator;
//! the phase loop and `alloc_str` ([`typed`]) need a [`Typed`] contender,
//! one with a reset and bumpalo's typed API.

use std::alloc::Layout;
use std::hint::black_box;
use std::ptr::NonNull;
use std::time::{Duration, Instant};

use allocator_api2::alloc::Allocator;

use crate::contenders::{Contender, Typed};
use crate::shape::{Reach, Reference, Register, Shape};

mod api;
mod recycle;
mod typed;

pub use recycle::pair_marks;

/// Allocations per `small_allocs` iteration.
pub const SMALL_ALLOCS: usize = 1_000;
/// Allocations per `growth` iteration.
pub const GROWTH_ALLOCS: usize = 1_000_000;
/// Phases per `phases` iteration.
pub const PHASES: u64 = 100;
/// Objects per phase of `phases`.
pub const PHASE_OBJECTS: u64 = 10_000;
/// `Box` nodes per `tree` iteration.
pub const TREE_NODES: u64 = 10_000;
/// Strings per `strings` and `alloc_str` iteration.
pub const STRINGS: usize = 10_000;
/// Pushes per `vec_push` iteration.
pub const VEC_PUSHES: u64 = 10_000;
/// Inserts per `hashmap` iteration.
pub const MAP_ENTRIES: u64 = 1_000;
/// Insert steps per `churn` iteration (each but the first few also removes
/// a key).
pub const CHURN_STEPS: usize = 5_000;
/// Keys `churn` keeps live: past this many, every insert removes an older
/// key.
pub const CHURN_LIVE: usize = 300;
/// Allocate/free steps per `pairs` iteration.
pub const PAIRS_STEPS: usize = 10_000;
/// Blocks `pairs` keeps live: each step frees the block of a random slot of
/// this window and allocates a new one there.
pub const PAIRS_WINDOW: usize = 64;

/// One of the ten workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// 1,000 `Allocator::allocate` calls, sizes 1–64 bytes, alignments 1–16
    /// (mostly 8), layouts known only at run time; the allocations alone
    /// are timed (the global allocator's blocks are freed untimed).
    SmallAllocs,
    /// 1,000,000 `Allocator::allocate` calls with `small_allocs`' layouts
    /// (cycled), from an arena made with `new()` just before the timer
    /// starts: every chunk is taken from the global allocator inside the
    /// timing. One byte of each block is written (so every page is touched,
    /// as a program that uses its blocks does). The arena is dropped after
    /// the timer stops.
    Growth,
    /// 100 phases of 10,000 objects (`[u64; 3]`, `Layout::new`) allocated
    /// and written, the first and last read back, then the arena reset.
    Phases,
    /// A balanced binary tree of 10,000 `allocator_api2::boxed::Box` nodes,
    /// built, summed and dropped.
    Tree,
    /// 10,000 short strings (4–23 bytes) copied into blocks of the
    /// allocator (the global allocator's blocks are freed untimed).
    Strings,
    /// The same 10,000 strings copied in with the arena's typed API
    /// (`alloc_str`, returning `&mut str`).
    AllocStr,
    /// `allocator_api2::vec::Vec<u64, _>::new_in`, 10,000 pushes (no
    /// reserve) of values read from a slice, drop.
    VecPush,
    /// `hashbrown::HashMap::with_hasher_in`, 1,000 inserts, drop.
    HashMap,
    /// A `hashbrown` map of short-lived small strings: 5,000 keys (5–60
    /// bytes, each copied into an `allocator_api2::vec::Vec<u8, _>` of the
    /// allocator) inserted; past 300 live keys each insert also removes a
    /// random older key; drop.
    Churn,
    /// 10,000 allocate/free pairs of mixed small sizes (8–256 bytes,
    /// alignment 8) in a window of 64 live blocks: each step frees the
    /// block of a random slot and allocates a new one in it; the window is
    /// freed at the end (timed).
    Pairs,
}

impl Workload {
    /// Every workload, in report order.
    pub const ALL: [Self; 10] = [
        Self::SmallAllocs,
        Self::Growth,
        Self::Phases,
        Self::Tree,
        Self::Strings,
        Self::AllocStr,
        Self::VecPush,
        Self::HashMap,
        Self::Churn,
        Self::Pairs,
    ];

    /// The workloads that take any allocator (allocator-api2) and need no
    /// growth: what every contender runs.
    pub const API: [Self; 5] = [
        Self::SmallAllocs,
        Self::Tree,
        Self::Strings,
        Self::VecPush,
        Self::HashMap,
    ];

    /// What the general-purpose allocators run (the global allocator,
    /// mimalloc, the composed small-object allocator): [`Workload::API`]
    /// and the two workloads that free as they go, [`Workload::Churn`] and
    /// [`Workload::Pairs`].
    pub const MALLOC: [Self; 7] = [
        Self::SmallAllocs,
        Self::Tree,
        Self::Strings,
        Self::VecPush,
        Self::HashMap,
        Self::Churn,
        Self::Pairs,
    ];

    /// The workload's name in reports (and criterion's group prefix).
    pub const fn name(self) -> &'static str {
        match self {
            Self::SmallAllocs => "small_allocs",
            Self::Growth => "growth",
            Self::Phases => "phases",
            Self::Tree => "tree",
            Self::Strings => "strings",
            Self::AllocStr => "alloc_str",
            Self::VecPush => "vec_push",
            Self::HashMap => "hashmap",
            Self::Churn => "churn",
            Self::Pairs => "pairs",
        }
    }

    /// Whether the workload needs a [`Typed`] contender (a reset, or the
    /// typed API).
    pub const fn typed(self) -> bool {
        matches!(self, Self::Phases | Self::AllocStr)
    }
}

/// One step of `churn` after its insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChurnStep {
    /// The key (by its step) to remove after this step's insert, if any:
    /// always an older one, live at that point.
    pub remove: Option<u32>,
}

/// The workloads' inputs, made once, outside any timing.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// `small_allocs`' layouts (and `growth`'s, cycled).
    pub layouts: Vec<Layout>,
    /// `strings`' and `alloc_str`'s strings.
    pub strings: Vec<String>,
    /// `hashmap`'s keys, all distinct.
    pub keys: Vec<u64>,
    /// `vec_push`'s values: `0..VEC_PUSHES`.
    pub values: Vec<u64>,
    /// `churn`'s keys, one per step, all distinct, 5–60 bytes.
    pub churn_keys: Vec<Vec<u8>>,
    /// `churn`'s removals, one per step.
    pub churn: Vec<ChurnStep>,
    /// `pairs`' steps: the window slot to free and fill, and the new
    /// block's layout (8–256 bytes, alignment 8).
    pub pairs: Vec<(usize, Layout)>,
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
        // Distinct: each key starts with its step's number and a `-`.
        let churn_keys = (0..CHURN_STEPS)
            .map(|i| {
                let len = (next() % 56) as usize + 5;
                let mut key = i.to_string().into_bytes();
                key.push(b'-');
                let fill = b"abcdefghijklmnopqrstuvwxyz0123456789";
                let mut j = 0;
                while key.len() < len {
                    key.push(fill[(i + j) % fill.len()]);
                    j += 1;
                }
                key
            })
            .collect();
        let mut live: Vec<u32> = Vec::with_capacity(CHURN_LIVE + 1);
        let churn = (0..CHURN_STEPS as u32)
            .map(|i| {
                live.push(i);
                let remove = (live.len() > CHURN_LIVE).then(|| {
                    // Any live key but the one just inserted.
                    let at = (next() % (live.len() as u64 - 1)) as usize;
                    live.swap_remove(at)
                });
                ChurnStep { remove }
            })
            .collect();
        let pairs = (0..PAIRS_STEPS)
            .map(|_| {
                let r = next();
                let slot = (r % PAIRS_WINDOW as u64) as usize;
                // Three in four requests of 8–64 bytes, the rest 65–256.
                let size = if (r >> 16) % 4 == 0 {
                    65 + (r >> 24) % 192
                } else {
                    8 + (r >> 24) % 57
                };
                (
                    slot,
                    Layout::from_size_align(size as usize, 8).expect("a valid layout"),
                )
            })
            .collect();
        Self {
            layouts,
            strings,
            keys,
            values: (0..VEC_PUSHES).collect(),
            churn_keys,
            churn,
            pairs,
        }
    }
}

impl Default for Inputs {
    fn default() -> Self {
        Self::new()
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

/// Runs `workload` `iters` times on `contender` in `shape` and returns the
/// total time: each iteration is timed on its own, making the contender's
/// arena (and the global allocator's untimed frees) left out.
///
/// # Panics
///
/// If `workload` needs a [`Typed`] contender (use [`time_typed`]).
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

/// [`time`] for every workload, the typed ones included.
pub fn time_typed<C: Typed>(
    contender: &mut C,
    workload: Workload,
    shape: Shape,
    inputs: &Inputs,
    iters: u64,
) -> Duration {
    match shape {
        Shape::Register => time_typed_in::<C, Register>(contender, workload, inputs, iters),
        Shape::Reference => time_typed_in::<C, Reference>(contender, workload, inputs, iters),
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
        Workload::SmallAllocs => time_work::<C, R, api::SmallAllocs>(contender, inputs, iters),
        Workload::Growth => time_work::<C, R, api::Growth>(contender, inputs, iters),
        Workload::Tree => time_work::<C, R, api::Tree>(contender, inputs, iters),
        Workload::Strings => time_work::<C, R, api::Strings>(contender, inputs, iters),
        Workload::VecPush => time_work::<C, R, api::VecPush>(contender, inputs, iters),
        Workload::HashMap => time_work::<C, R, api::HashMapInsert>(contender, inputs, iters),
        Workload::Churn => time_work::<C, R, recycle::Churn>(contender, inputs, iters),
        Workload::Pairs => time_work::<C, R, recycle::Pairs>(contender, inputs, iters),
        Workload::Phases | Workload::AllocStr => panic!(
            "{} needs a reset and the typed API: time {} with time_typed",
            workload.name(),
            C::NAME
        ),
    }
}

/// [`time_typed`] for a shape known at compile time.
pub fn time_typed_in<C: Typed, R: Reach>(
    contender: &mut C,
    workload: Workload,
    inputs: &Inputs,
    iters: u64,
) -> Duration {
    match workload {
        Workload::Phases => time_typed_work::<C, R, typed::Phases>(contender, inputs, iters),
        Workload::AllocStr => time_typed_work::<C, R, typed::AllocStr>(contender, inputs, iters),
        _ => time_in::<C, R>(contender, workload, inputs, iters),
    }
}

/// [`time`] for an allocator-api2 workload and a shape known at compile
/// time.
fn time_work<C: Contender, R: Reach, W: api::Work>(
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
        // `arena` is dropped here, after the timer stopped.
    }
    total
}

/// [`time_typed`] for a typed workload and a shape known at compile time.
fn time_typed_work<C: Typed, R: Reach, W: typed::TypedWork>(
    contender: &mut C,
    inputs: &Inputs,
    iters: u64,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let mut arena = contender.arena();
        let start = Instant::now();
        let check = W::run::<C, R>(&mut arena, inputs);
        total += start.elapsed();
        black_box(check);
    }
    total
}

/// One iteration of an allocator-api2 `workload` on `a` in shape `R`.
/// Returns a number computed from what was built (checked by the tests) and
/// how many blocks the workload left live, at the start of `blocks` (made by
/// [`blocks`]), for the caller to free (an arena's reset does).
///
/// # Panics
///
/// If `workload` needs a [`Typed`] contender (use [`run_typed`]).
pub fn run<A: Allocator + Copy, R: Reach>(
    a: A,
    workload: Workload,
    inputs: &Inputs,
    blocks: &mut [(NonNull<u8>, Layout)],
) -> (u64, usize) {
    use api::Work;
    match workload {
        Workload::SmallAllocs => api::SmallAllocs::run::<A, R>(a, inputs, blocks),
        Workload::Growth => api::Growth::run::<A, R>(a, inputs, blocks),
        Workload::Tree => api::Tree::run::<A, R>(a, inputs, blocks),
        Workload::Strings => api::Strings::run::<A, R>(a, inputs, blocks),
        Workload::VecPush => api::VecPush::run::<A, R>(a, inputs, blocks),
        Workload::HashMap => api::HashMapInsert::run::<A, R>(a, inputs, blocks),
        Workload::Churn => recycle::Churn::run::<A, R>(a, inputs, blocks),
        Workload::Pairs => recycle::Pairs::run::<A, R>(a, inputs, blocks),
        Workload::Phases | Workload::AllocStr => panic!(
            "{} needs a reset and the typed API: run it with run_typed",
            workload.name()
        ),
    }
}

/// One iteration of a typed `workload` (one of [`Workload::typed`]) on
/// `arena` in shape `R`; returns a number computed from what was built.
///
/// # Panics
///
/// If `workload` is not typed (use [`run`]).
pub fn run_typed<C: Typed, R: Reach>(
    arena: &mut C::Arena<'_>,
    workload: Workload,
    inputs: &Inputs,
) -> u64 {
    use typed::TypedWork;
    match workload {
        Workload::Phases => typed::Phases::run::<C, R>(arena, inputs),
        Workload::AllocStr => typed::AllocStr::run::<C, R>(arena, inputs),
        _ => panic!("{} takes any allocator: run it with run", workload.name()),
    }
}
