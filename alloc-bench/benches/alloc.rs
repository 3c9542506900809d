//! Criterion benchmarks of `alloc-runtime`'s allocators against bumpalo,
//! bump-scope and the global allocator, on the workloads and in the shapes
//! of `alloc_bench` (the same code the interleaved runner times).
//!
//! - `<workload>/<shape>`: every contender that runs the workload (`arena`,
//!   `bumpalo`, `bump-scope`: warm, one 4 MiB chunk, reset; `arena-new`,
//!   `bumpalo-new`, `bump-scope-new`: from `new()`; `bump`: the fixed
//!   buffer; `stack` = `Counting<Fail<Bump>>`, `handle` = the `Handle` of a
//!   `Bump`, `std`, `mimalloc`, and issue 10's `composed` =
//!   `Segregator<256, SizeClasses<Arena<Global>>, Global>` and
//!   `composed-counting` = the same under `Counting`) on one workload
//!   (`small_allocs`, `growth`, `phases`, `tree`, `strings`, `alloc_str`,
//!   `vec_push`, `hashmap`, `churn`, `pairs`) in one shape
//!   (`register`: the allocator as the code was given it; `reference`:
//!   through `black_box` at every allocation site).
//! - `debug`: `DebugAlloc<Bump>` (default configuration: fill and poison
//!   bytes, no backtraces) against a bare `Bump`, on 1,000 allocate +
//!   deallocate pairs and on `vec_push`.
//!
//! Run with `cargo bench -p alloc-bench` (a criterion filter selects groups:
//! `-- small_allocs/reference`); see `benches/README.md` for the method.

use std::alloc::Layout;
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::time::{Duration, Instant};

use alloc_bench::{
    BumpScope, BumpScopeNew, Bumpalo, BumpaloNew, Composed, ComposedCounted, Contender, Inputs,
    Mimalloc, OurArena, OurArenaNew, Ours, OursHandle, Shape, Stack, Std, Typed, VEC_PUSHES,
    Workload, time, time_typed,
};
use alloc_runtime::Bump;
use alloc_runtime::debug::{Config, DebugAlloc};
use allocator_api2::alloc::Allocator;
use allocator_api2::vec::Vec;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

fn configure<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group
}

/// `contender` on `workload` in `shape`, as one benchmark of `group`, if it
/// runs that workload.
fn bench<C: Contender>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    contender: &mut C,
    workload: Workload,
    shape: Shape,
    inputs: &Inputs,
) {
    if C::runs(workload) {
        group.bench_function(C::NAME, |b| {
            b.iter_custom(|n| time(contender, workload, shape, inputs, n));
        });
    }
}

/// [`bench`] for a contender with the typed API and a reset.
fn bench_typed<C: Typed>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    contender: &mut C,
    workload: Workload,
    shape: Shape,
    inputs: &Inputs,
) {
    if C::runs(workload) {
        group.bench_function(C::NAME, |b| {
            b.iter_custom(|n| time_typed(contender, workload, shape, inputs, n));
        });
    }
}

/// One group per workload and shape, every contender that runs the
/// workload in each.
fn workloads(c: &mut Criterion) {
    let inputs = Inputs::new();
    let (mut arena, mut bumpalo, mut bump_scope) =
        (OurArena::new(), Bumpalo::new(), BumpScope::new());
    let (mut bump, mut stack, mut handle) = (Ours::new(), Stack::new(), OursHandle::new());
    // Made once and kept warm, as the global allocator is.
    let (mut mimalloc, mut composed, mut counted) =
        (Mimalloc::new(), Composed::new(), ComposedCounted::new());
    for workload in Workload::ALL {
        for shape in Shape::ALL {
            let mut group = configure(c, &format!("{}/{}", workload.name(), shape.name()));
            if matches!(workload, Workload::Growth | Workload::Phases) {
                // One iteration takes milliseconds.
                group.sample_size(10);
            }
            bench_typed(&mut group, &mut arena, workload, shape, &inputs);
            bench_typed(&mut group, &mut OurArenaNew, workload, shape, &inputs);
            bench_typed(&mut group, &mut bumpalo, workload, shape, &inputs);
            bench_typed(&mut group, &mut BumpaloNew, workload, shape, &inputs);
            bench_typed(&mut group, &mut bump_scope, workload, shape, &inputs);
            bench_typed(&mut group, &mut BumpScopeNew, workload, shape, &inputs);
            bench_typed(&mut group, &mut bump, workload, shape, &inputs);
            bench(&mut group, &mut stack, workload, shape, &inputs);
            bench(&mut group, &mut handle, workload, shape, &inputs);
            bench(&mut group, &mut Std, workload, shape, &inputs);
            bench(&mut group, &mut mimalloc, workload, shape, &inputs);
            bench(&mut group, &mut composed, workload, shape, &inputs);
            bench(&mut group, &mut counted, workload, shape, &inputs);
            group.finish();
        }
    }
}

/// `iters` rounds of one allocate + deallocate pair per layout, each block
/// freed right away (so a bump gets its bytes back).
fn time_alloc_free<A: Allocator>(iters: u64, a: &A, layouts: &[Layout]) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        for &layout in layouts {
            let block = a
                .allocate(black_box(layout))
                .expect("the buffer is large enough");
            // SAFETY: `block` was just allocated by `a` with `layout`.
            unsafe { a.deallocate(black_box(block.cast()), layout) };
        }
    }
    start.elapsed()
}

/// `iters` rounds of a `Vec<u64>` of `VEC_PUSHES` pushes, dropped; the
/// vector's blocks are freed last first, so a bump gets all its bytes back.
fn time_vec_push<A: Allocator>(iters: u64, a: &A) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        let mut v: Vec<u64, &A> = Vec::new_in(a);
        for i in 0..VEC_PUSHES {
            v.push(black_box(i));
        }
        black_box(&v);
    }
    start.elapsed()
}

fn debug(c: &mut Criterion) {
    let layouts = Inputs::new().layouts;
    let mut bare_buf = vec![MaybeUninit::uninit(); 1 << 20];
    let mut debug_buf = vec![MaybeUninit::uninit(); 1 << 20];
    let bare = Bump::new(&mut bare_buf);
    // No quarantine: the workloads free each block at once and rely on the
    // bump taking its last block back, which a held block never is.
    let debugged = DebugAlloc::with_config(
        Bump::new(&mut debug_buf),
        Config::new().with_quarantine(0, 0),
    );
    let mut group = configure(c, "debug");
    group.bench_function("bare/alloc_free", |b| {
        b.iter_custom(|n| time_alloc_free(n, &bare, &layouts));
    });
    group.bench_function("debug/alloc_free", |b| {
        b.iter_custom(|n| time_alloc_free(n, &debugged, &layouts));
    });
    group.bench_function("bare/vec_push", |b| {
        b.iter_custom(|n| time_vec_push(n, &bare));
    });
    group.bench_function("debug/vec_push", |b| {
        b.iter_custom(|n| time_vec_push(n, &debugged));
    });
    group.finish();
    let report = debugged.report();
    assert!(
        report.is_clean(),
        "the benchmark itself leaked or misused:\n{report}"
    );
}

criterion_group!(benches, workloads, debug);
criterion_main!(benches);
