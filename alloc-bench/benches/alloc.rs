//! Criterion benchmarks of `alloc-runtime`'s allocators, each group measured
//! against baselines from the same run.
//!
//! - `small_allocs`: 1,000 `Allocator::allocate` calls with small layouts
//!   known only at run time; only the allocations are timed (the arenas are
//!   reset, and the global allocator's blocks freed, outside the timer).
//! - `vec_push`: 10,000 pushes onto an `allocator_api2::vec::Vec<u64, _>`
//!   made with `new_in` (no reserve), drop included.
//! - `hashmap`: 1,000 inserts into a `hashbrown::HashMap`, drop included.
//! - `stack`: `Counting<Fail<Bump>>` against a bare `Bump`.
//! - `handle`: the type-erased `Handle` (`bump.allocator()`) against static
//!   dispatch through `&Bump`.
//! - `debug`: `DebugAlloc<Bump>` (leak and misuse detection, default
//!   configuration: fill and poison bytes, no backtraces) against a bare
//!   `Bump`, on 1,000 allocate + deallocate pairs and on `vec_push`.
//!
//! The competitors are alloc-runtime's `Bump` (`ours`), `bumpalo::Bump` and
//! the global allocator (`std`, allocator-api2's `Global`). Arenas get a
//! 1 MiB buffer allocated once, outside the timed loop, and are reset before
//! each iteration (untimed). Run with `cargo bench --bench alloc`; see
//! `benches/README.md` for the results.

use std::alloc::Layout;
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::ptr::NonNull;
use std::time::{Duration, Instant};

use alloc_runtime::debug::{Config, DebugAlloc};
use alloc_runtime::{Bump, Counting, Fail, Handle};
use allocator_api2::alloc::{Allocator, Global};
use allocator_api2::vec::Vec;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use hashbrown::{DefaultHashBuilder, HashMap};

/// The arenas' buffer: far more than any one iteration needs (the largest,
/// `vec_push`, peaks at 128 KiB with in-place growth).
const BUFFER_BYTES: usize = 1 << 20;
/// Allocations per `small_allocs` iteration.
const SMALL_ALLOCS: usize = 1_000;
/// Pushes per `vec_push` iteration.
const VEC_PUSHES: u64 = 10_000;
/// Inserts per `hashmap` iteration.
const MAP_ENTRIES: u64 = 1_000;

/// An allocator under test and what it needs between iterations.
trait Subject {
    /// What the collections are given: `&Bump`, a `Handle`, `Global`...
    type Alloc<'s>: Allocator
    where
        Self: 's;

    /// The allocator for one iteration.
    fn allocator(&self) -> Self::Alloc<'_>;

    /// Makes the whole arena free again (no-op for the global allocator).
    fn reset(&mut self);

    /// Gives back the blocks of one `small_allocs` iteration. Arenas do
    /// nothing here: their `reset` reclaims everything.
    ///
    /// # Safety
    ///
    /// `blocks[i]` was allocated by `self.allocator()` with `layouts[i]`, is
    /// still live and is not used again.
    unsafe fn free_blocks(&self, blocks: &[NonNull<u8>], layouts: &[Layout]) {
        let _ = (blocks, layouts);
    }
}

/// alloc-runtime's `Bump`, through `&Bump` (static dispatch).
struct Ours<'b>(Bump<'b>);

impl<'b> Subject for Ours<'b> {
    type Alloc<'s>
        = &'s Bump<'b>
    where
        Self: 's;

    fn allocator(&self) -> &Bump<'b> {
        &self.0
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

/// alloc-runtime's `Bump`, through its type-erased `Handle` (dynamic
/// dispatch through the vtable).
struct OursHandle<'b>(Bump<'b>);

impl Subject for OursHandle<'_> {
    type Alloc<'s>
        = Handle<'s>
    where
        Self: 's;

    fn allocator(&self) -> Handle<'_> {
        // Opaque, as a handle that comes from elsewhere is: without this the
        // compiler sees which vtable it holds and calls `Bump` directly.
        black_box(self.0.allocator())
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

/// `Counting<Fail<Bump>>` with no failure limit: the cost of two layers.
struct Stack<'b>(Counting<Fail<Bump<'b>>>);

impl<'b> Subject for Stack<'b> {
    type Alloc<'s>
        = &'s Counting<Fail<Bump<'b>>>
    where
        Self: 's;

    fn allocator(&self) -> &Counting<Fail<Bump<'b>>> {
        &self.0
    }

    fn reset(&mut self) {
        // The counters keep running: with a bump, every allocation raises the
        // live and peak byte counts either way.
        self.0.inner_mut().inner_mut().reset();
    }
}

/// `DebugAlloc<Bump>`: every block recorded, filled and poisoned. Nothing
/// to reset: the workloads it runs free every block, last first, which gives
/// the bump its bytes back (the quarantine is off for that).
struct Debugged<'b>(DebugAlloc<Bump<'b>>);

impl<'b> Subject for Debugged<'b> {
    type Alloc<'s>
        = &'s DebugAlloc<Bump<'b>>
    where
        Self: 's;

    fn allocator(&self) -> &DebugAlloc<Bump<'b>> {
        &self.0
    }

    fn reset(&mut self) {}
}

/// `bumpalo::Bump`, one chunk of the same size as our buffer.
struct Bumpalo(bumpalo::Bump);

impl Subject for Bumpalo {
    type Alloc<'s> = &'s bumpalo::Bump;

    fn allocator(&self) -> &bumpalo::Bump {
        &self.0
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

/// The global allocator (the system `malloc` here).
struct Std;

impl Subject for Std {
    type Alloc<'s> = Global;

    fn allocator(&self) -> Global {
        Global
    }

    fn reset(&mut self) {}

    unsafe fn free_blocks(&self, blocks: &[NonNull<u8>], layouts: &[Layout]) {
        for (&block, &layout) in blocks.iter().zip(layouts) {
            // SAFETY: the caller's contract: `block` is a live block of
            // `Global` allocated with `layout`, not used again.
            unsafe { Global.deallocate(block, layout) };
        }
    }
}

fn buffer() -> std::vec::Vec<MaybeUninit<u8>> {
    vec![MaybeUninit::uninit(); BUFFER_BYTES]
}

fn bumpalo() -> Bumpalo {
    Bumpalo(bumpalo::Bump::with_capacity(BUFFER_BYTES))
}

/// `SMALL_ALLOCS` layouts of 1 to 64 bytes, alignments 1 to 16 (mostly 8),
/// from a fixed xorshift sequence.
fn small_layouts() -> std::vec::Vec<Layout> {
    const ALIGNS: [usize; 8] = [1, 2, 4, 8, 8, 8, 8, 16];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    (0..SMALL_ALLOCS)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let size = (seed % 64) as usize + 1;
            let align = ALIGNS[(seed >> 32) as usize % ALIGNS.len()];
            Layout::from_size_align(size, align).expect("a valid layout")
        })
        .collect()
}

/// `MAP_ENTRIES` distinct keys (an odd multiplier is a bijection).
fn map_keys() -> std::vec::Vec<u64> {
    (0..MAP_ENTRIES)
        .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .collect()
}

/// `iters` rounds of one `allocate` per layout; only the allocations are
/// timed.
fn time_small_allocs<S: Subject>(iters: u64, subject: &mut S, layouts: &[Layout]) -> Duration {
    let mut blocks = vec![NonNull::<u8>::dangling(); layouts.len()];
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        subject.reset();
        let start = Instant::now();
        {
            let alloc = subject.allocator();
            for (slot, &layout) in blocks.iter_mut().zip(layouts) {
                *slot = alloc
                    .allocate(black_box(layout))
                    .expect("the buffer is big enough")
                    .cast();
            }
        }
        total += start.elapsed();
        black_box(blocks.as_mut_slice());
        // SAFETY: `blocks[i]` was just allocated by `subject.allocator()` with
        // `layouts[i]` and is not used after this.
        unsafe { subject.free_blocks(&blocks, layouts) };
    }
    total
}

/// `iters` rounds of `layouts.len()` allocate + deallocate pairs, each
/// block freed right away (so a bump gets its bytes back); reset untimed.
fn time_alloc_free<S: Subject>(iters: u64, subject: &mut S, layouts: &[Layout]) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        subject.reset();
        let a = subject.allocator();
        let start = Instant::now();
        for &layout in layouts {
            let block = a
                .allocate(black_box(layout))
                .expect("the buffer is large enough");
            // SAFETY: `block` was just allocated by `a` with `layout`.
            unsafe { a.deallocate(black_box(block.cast()), layout) };
        }
        total += start.elapsed();
    }
    total
}

/// `iters` rounds of building a `Vec<u64>` by `VEC_PUSHES` pushes and
/// dropping it; reset untimed.
fn time_vec_push<S: Subject>(iters: u64, subject: &mut S) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        subject.reset();
        let start = Instant::now();
        {
            let mut v: Vec<u64, _> = Vec::new_in(subject.allocator());
            for i in 0..VEC_PUSHES {
                v.push(black_box(i));
            }
            black_box(&v);
        }
        total += start.elapsed();
    }
    total
}

/// `iters` rounds of building a `HashMap<u64, u64>` of `keys.len()` entries
/// and dropping it; reset untimed.
fn time_hashmap<S: Subject>(iters: u64, subject: &mut S, keys: &[u64]) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        subject.reset();
        let start = Instant::now();
        {
            let mut map =
                HashMap::with_hasher_in(DefaultHashBuilder::default(), subject.allocator());
            for (value, &key) in (0u64..).zip(keys) {
                map.insert(black_box(key), value);
            }
            black_box(&map);
        }
        total += start.elapsed();
    }
    total
}

fn configure<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group
}

fn small_allocs(c: &mut Criterion) {
    let layouts = small_layouts();
    let mut buf = buffer();
    let mut ours = Ours(Bump::new(&mut buf));
    let mut bumpalo = bumpalo();
    let mut group = configure(c, "small_allocs");
    group.bench_function("ours", |b| {
        b.iter_custom(|n| time_small_allocs(n, &mut ours, &layouts));
    });
    group.bench_function("bumpalo", |b| {
        b.iter_custom(|n| time_small_allocs(n, &mut bumpalo, &layouts));
    });
    group.bench_function("std", |b| {
        b.iter_custom(|n| time_small_allocs(n, &mut Std, &layouts));
    });
    group.finish();
}

fn vec_push(c: &mut Criterion) {
    let mut buf = buffer();
    let mut ours = Ours(Bump::new(&mut buf));
    let mut bumpalo = bumpalo();
    let mut group = configure(c, "vec_push");
    group.bench_function("ours", |b| b.iter_custom(|n| time_vec_push(n, &mut ours)));
    group.bench_function("bumpalo", |b| {
        b.iter_custom(|n| time_vec_push(n, &mut bumpalo))
    });
    group.bench_function("std", |b| b.iter_custom(|n| time_vec_push(n, &mut Std)));
    group.finish();
}

fn hashmap(c: &mut Criterion) {
    let keys = map_keys();
    let mut buf = buffer();
    let mut ours = Ours(Bump::new(&mut buf));
    let mut bumpalo = bumpalo();
    let mut group = configure(c, "hashmap");
    group.bench_function("ours", |b| {
        b.iter_custom(|n| time_hashmap(n, &mut ours, &keys))
    });
    group.bench_function("bumpalo", |b| {
        b.iter_custom(|n| time_hashmap(n, &mut bumpalo, &keys));
    });
    group.bench_function("std", |b| {
        b.iter_custom(|n| time_hashmap(n, &mut Std, &keys))
    });
    group.finish();
}

/// `bare/...` and `<other>/...` on `small_allocs` and `vec_push`, in the
/// current group.
fn versus<A: Subject, B: Subject>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    (bare_name, bare): (&str, &mut A),
    (other_name, other): (&str, &mut B),
) {
    let layouts = small_layouts();
    group.bench_function(format!("{bare_name}/small_allocs"), |b| {
        b.iter_custom(|n| time_small_allocs(n, bare, &layouts));
    });
    group.bench_function(format!("{other_name}/small_allocs"), |b| {
        b.iter_custom(|n| time_small_allocs(n, other, &layouts));
    });
    group.bench_function(format!("{bare_name}/vec_push"), |b| {
        b.iter_custom(|n| time_vec_push(n, bare));
    });
    group.bench_function(format!("{other_name}/vec_push"), |b| {
        b.iter_custom(|n| time_vec_push(n, other));
    });
}

fn stack(c: &mut Criterion) {
    let (mut bare_buf, mut stack_buf) = (buffer(), buffer());
    let mut bare = Ours(Bump::new(&mut bare_buf));
    let mut stack = Stack(Counting::new(Fail::new(
        Bump::new(&mut stack_buf),
        usize::MAX,
    )));
    let mut group = configure(c, "stack");
    versus(&mut group, ("bare", &mut bare), ("stack", &mut stack));
    group.finish();
    assert!(
        !stack.0.inner().has_induced_failure(),
        "no limit, no failure"
    );
}

fn handle(c: &mut Criterion) {
    let (mut static_buf, mut handle_buf) = (buffer(), buffer());
    let mut fixed = Ours(Bump::new(&mut static_buf));
    let mut erased = OursHandle(Bump::new(&mut handle_buf));
    let mut group = configure(c, "handle");
    versus(&mut group, ("static", &mut fixed), ("handle", &mut erased));
    group.finish();
}

fn debug(c: &mut Criterion) {
    let layouts = small_layouts();
    let (mut bare_buf, mut debug_buf) = (buffer(), buffer());
    let mut bare = Ours(Bump::new(&mut bare_buf));
    // No quarantine: the workloads free each block at once and rely on the
    // bump taking its last block back, which a held block never is.
    let mut debugged = Debugged(DebugAlloc::with_config(
        Bump::new(&mut debug_buf),
        Config::new().with_quarantine(0, 0),
    ));
    let mut group = configure(c, "debug");
    group.bench_function("bare/alloc_free", |b| {
        b.iter_custom(|n| time_alloc_free(n, &mut bare, &layouts));
    });
    group.bench_function("debug/alloc_free", |b| {
        b.iter_custom(|n| time_alloc_free(n, &mut debugged, &layouts));
    });
    group.bench_function("bare/vec_push", |b| {
        b.iter_custom(|n| time_vec_push(n, &mut bare));
    });
    group.bench_function("debug/vec_push", |b| {
        b.iter_custom(|n| time_vec_push(n, &mut debugged));
    });
    group.finish();
    let report = debugged.0.report();
    assert!(
        report.is_clean(),
        "the benchmark itself leaked or misused:\n{report}"
    );
}

criterion_group!(
    benches,
    small_allocs,
    vec_push,
    hashmap,
    stack,
    handle,
    debug
);
criterion_main!(benches);
