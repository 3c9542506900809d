//! Composites of composites: a model test of a deep stack built from every
//! composition block (`Fallback`, `Segregator`, `SizeClasses` over an
//! `Arena`, `Counting`), where blocks move across the `Fallback` and
//! `Segregator` boundaries, and allocation failures induced at different
//! depths of such stacks.

use alloc_runtime::{
    Arena, Bump, Check, Counting, Fail, FailConfig, Fallback, Global, Owns, Segregator,
    SizeClasses, testing,
};
use allocator_api2::alloc::{AllocError, Allocator};
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use core::alloc::Layout;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use proptest::prelude::*;

/// Requests up to this many bytes go to the size classes.
const SMALL: usize = 128;

/// The deep stack: a bump buffer first; when it is full, small requests
/// to size classes over an arena, large ones to the global allocator.
/// The arena's parent and the large side are counted separately, so each
/// free can be traced to the part that made the block.
type Deep<'a, 'b> = Counting<
    Fallback<
        Bump<'b>,
        Segregator<SMALL, SizeClasses<Arena<&'a Counting<Global>>>, &'a Counting<Global>>,
    >,
>;

fn deep<'a, 'b>(
    buffer: &'b mut [MaybeUninit<u8>],
    chunks: &'a Counting<Global>,
    large: &'a Counting<Global>,
) -> Deep<'a, 'b> {
    Counting::new(Fallback::new(
        Bump::new(buffer),
        Segregator::new(SizeClasses::new(Arena::new_in(chunks)), large),
    ))
}

#[test]
fn the_deep_stack_passes_the_conformance_suite() {
    let (chunks, large) = (Counting::new(Global), Counting::new(Global));
    {
        let mut buffer = [MaybeUninit::uninit(); 4096];
        let stack = deep(&mut buffer, &chunks, &large);
        testing::conformance(&stack);
        testing::api2::all(&stack);
    }
    assert_eq!(
        chunks.stats().live_bytes,
        0,
        "the arena gave its chunks back"
    );
    assert_eq!(large.stats().live_bytes, 0, "every large block came back");
}

#[derive(Clone, Debug)]
enum Op {
    Alloc { size: usize, align_log2: u32 },
    Grow { slot: usize, size: usize },
    Shrink { slot: usize, size: usize },
    Free { slot: usize },
}

fn op() -> impl Strategy<Value = Op> {
    // Sizes straddle the threshold (128) and the bump's capacity (1 KiB).
    let size = prop_oneof![1usize..=SMALL, SMALL - 8..=SMALL + 8, SMALL + 1..=2048];
    prop_oneof![
        3 => (size.clone(), 0u32..=6).prop_map(|(size, align_log2)| Op::Alloc { size, align_log2 }),
        2 => (any::<usize>(), size.clone()).prop_map(|(slot, size)| Op::Grow { slot, size }),
        1 => (any::<usize>(), 1usize..=SMALL + 64).prop_map(|(slot, size)| Op::Shrink { slot, size }),
        2 => any::<usize>().prop_map(|slot| Op::Free { slot }),
    ]
}

/// A live block of the model: where it is, its layout, and the byte its
/// contents were filled with.
struct Live {
    ptr: NonNull<u8>,
    layout: Layout,
    fill: u8,
}

fn fill(block: &Live) {
    // SAFETY: the block is live, `layout.size()` bytes long, and ours alone.
    unsafe {
        block
            .ptr
            .as_ptr()
            .write_bytes(block.fill, block.layout.size())
    };
}

fn check_contents(block: &Live, len: usize) {
    // SAFETY: the block is live and at least `len` bytes long.
    let bytes = unsafe { core::slice::from_raw_parts(block.ptr.as_ptr(), len) };
    assert!(
        bytes.iter().all(|&b| b == block.fill),
        "a block of {} bytes lost its contents",
        block.layout.size()
    );
}

/// Checks alignment, disjointness, and that the large side holds exactly
/// the large blocks the bump does not own.
fn check_invariants(bump: &Bump<'_>, large: &Counting<Global>, live: &[Live]) {
    let mut spans: std::vec::Vec<(usize, usize)> = live
        .iter()
        .map(|b| {
            assert_eq!(b.ptr.as_ptr() as usize % b.layout.align(), 0, "misaligned");
            (b.ptr.as_ptr() as usize, b.layout.size())
        })
        .collect();
    spans.sort_unstable();
    for pair in spans.windows(2) {
        assert!(
            pair[0].0 + pair[0].1 <= pair[1].0,
            "two live blocks overlap"
        );
    }
    let large_live: usize = live
        .iter()
        .filter(|b| {
            b.layout.size() > SMALL
                && !Owns::owns(bump, NonNull::slice_from_raw_parts(b.ptr, b.layout.size()))
        })
        .map(|b| b.layout.size())
        .sum();
    assert_eq!(
        large.stats().live_bytes,
        large_live,
        "the global allocator holds exactly the large blocks the bump does not"
    );
}

fn run_model(ops: &[Op]) {
    let (chunks, large) = (Counting::new(Global), Counting::new(Global));
    {
        let mut buffer = [MaybeUninit::uninit(); 1024];
        let stack = deep(&mut buffer, &chunks, &large);
        let mut live: std::vec::Vec<Live> = std::vec::Vec::new();
        let mut next_fill = 1u8;
        for op in ops {
            match *op {
                Op::Alloc { size, align_log2 } => {
                    let layout = Layout::from_size_align(size, 1 << align_log2).unwrap();
                    let ptr = stack
                        .allocate(layout)
                        .expect("the global allocator never runs out here");
                    next_fill = next_fill.wrapping_add(1).max(1);
                    let block = Live {
                        ptr: ptr.cast(),
                        layout,
                        fill: next_fill,
                    };
                    fill(&block);
                    live.push(block);
                }
                Op::Grow { slot, size } if !live.is_empty() => {
                    let at = slot % live.len();
                    let block = &mut live[at];
                    let new = Layout::from_size_align(
                        block.layout.size().max(size),
                        block.layout.align(),
                    )
                    .unwrap();
                    // SAFETY: the block is live with this layout; the new one is not smaller.
                    let ptr = unsafe { stack.grow(block.ptr, block.layout, new) }.expect("grows");
                    block.ptr = ptr.cast();
                    check_contents(block, block.layout.size());
                    block.layout = new;
                    fill(block);
                }
                Op::Shrink { slot, size } if !live.is_empty() => {
                    let at = slot % live.len();
                    let block = &mut live[at];
                    let new = Layout::from_size_align(
                        block.layout.size().min(size),
                        block.layout.align(),
                    )
                    .unwrap();
                    // SAFETY: the block is live with this layout; the new one is not larger.
                    let ptr =
                        unsafe { stack.shrink(block.ptr, block.layout, new) }.expect("shrinks");
                    block.ptr = ptr.cast();
                    block.layout = new;
                    check_contents(block, new.size());
                }
                Op::Free { slot } if !live.is_empty() => {
                    let block = live.swap_remove(slot % live.len());
                    check_contents(&block, block.layout.size());
                    // SAFETY: the block is live with this layout and not used again.
                    unsafe { stack.deallocate(block.ptr, block.layout) };
                }
                _ => {}
            }
            let bump = stack.inner().primary();
            check_invariants(bump, &large, &live);
            let arena = stack.inner().secondary().small().inner();
            for block in &live {
                let memory = NonNull::slice_from_raw_parts(block.ptr, block.layout.size());
                let (in_bump, in_arena) = (Owns::owns(bump, memory), Owns::owns(arena, memory));
                assert!(!(in_bump && in_arena), "a block in two parts at once");
                if block.layout.size() <= SMALL {
                    assert!(
                        in_bump || in_arena,
                        "a small block came from the bump or the size classes"
                    );
                } else {
                    assert!(!in_arena, "a large block never comes from the size classes");
                }
            }
        }
        for block in live.drain(..) {
            check_contents(&block, block.layout.size());
            // SAFETY: as above.
            unsafe { stack.deallocate(block.ptr, block.layout) };
        }
        assert_eq!(stack.stats().live_bytes, 0);
        assert_eq!(
            large.stats().live_bytes,
            0,
            "every large free reached the global allocator"
        );
    }
    assert_eq!(
        chunks.stats().live_bytes,
        0,
        "the arena's chunks went back when it was dropped"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        // Persistence files cannot be written under Miri's isolation.
        failure_persistence: None,
        // ChaCha, the default, dominates the run time under Miri.
        rng_algorithm: if cfg!(miri) {
            proptest::test_runner::RngAlgorithm::XorShift
        } else {
            proptest::test_runner::RngAlgorithm::ChaCha
        },
        ..ProptestConfig::with_source_file(file!())
    })]

    #[test]
    fn blocks_move_across_the_fallback_and_segregator_boundaries(
        ops in proptest::collection::vec(op(), 1..if cfg!(miri) { 24 } else { 160 })
    ) {
        run_model(&ops);
    }
}

/// A body that allocates like a program: small vectors of mixed sizes,
/// a growth past the size classes, boxes, frees in between.
fn workload<A: Allocator + Copy>(a: A) -> Result<u64, AllocError> {
    let mut held: Vec<Vec<u8, A>, A> = Vec::new_in(a);
    held.try_reserve(24).map_err(|_| AllocError)?;
    for i in 0..24usize {
        let mut v = Vec::new_in(a);
        v.try_reserve(8 + (i * 37) % 300).map_err(|_| AllocError)?;
        v.extend((0..v.capacity()).map(|j| (i + j) as u8));
        held.push(v);
    }
    held.retain(|v| v.len() % 3 != 0);
    let mut grown: Vec<u64, A> = Vec::new_in(a);
    for i in 0..100u64 {
        grown.try_reserve(1).map_err(|_| AllocError)?;
        grown.push(i);
    }
    let boxed = Box::try_new_in([7u64; 4], a)?;
    Ok(held.iter().flatten().map(|&b| u64::from(b)).sum::<u64>()
        + grown.iter().sum::<u64>()
        + boxed.iter().sum::<u64>())
}

#[test]
fn failures_induced_on_top_of_the_stack_are_all_reported() {
    let stack = Segregator::<SMALL, _, _>::new(SizeClasses::<_>::new(Arena::new()), Global);
    let summary = Check::new(&stack)
        .resize_failures(true)
        .run(|h| workload(h))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(summary.allocations > 20, "{summary:?}");
}

/// Runs the workload once cleanly, then once for each of its allocations
/// reaching `depth`'s `Fail`, built anew by `run(config)`: every run
/// returns the clean run's result or an error, and nothing stays live.
fn sweep(run: impl Fn(FailConfig) -> (Result<u64, AllocError>, usize, usize)) -> (usize, usize) {
    let (clean, reached, live) = run(FailConfig::new());
    let clean = clean.expect("the clean run succeeds");
    assert_eq!(live, 0);
    assert!(reached > 0, "the workload reaches this depth");
    let (mut absorbed, mut surfaced) = (0, 0);
    for i in 0..reached {
        let (result, _, live) = run(FailConfig::new().fail_index(i));
        assert_eq!(live, 0, "failure {i} of {reached} leaked");
        match result {
            Ok(value) => {
                assert_eq!(value, clean, "failure {i} changed the result");
                absorbed += 1;
            }
            Err(AllocError) => surfaced += 1,
        }
    }
    (absorbed, surfaced)
}

#[test]
fn failures_under_the_arena_surface_as_errors_and_leak_nothing() {
    let (absorbed, surfaced) = sweep(|config| {
        let backing = Counting::new(Global);
        let fail = Fail::with_config(&backing, config);
        let reached = {
            let stack =
                Segregator::<SMALL, _, _>::new(SizeClasses::<_>::new(Arena::new_in(&fail)), &fail);
            let result = workload(&stack);
            drop(stack);
            (result, fail.allocations())
        };
        (reached.0, reached.1, backing.stats().live_bytes)
    });
    assert_eq!(
        absorbed, 0,
        "nothing above the failing parent can absorb a refusal"
    );
    assert!(surfaced > 0);
}

#[test]
fn failures_in_a_fallback_primary_are_absorbed_by_the_secondary() {
    let (absorbed, surfaced) = sweep(|config| {
        let backing = Counting::new(Global);
        let reached = {
            let mut buffer = [MaybeUninit::uninit(); 2048];
            let stack = Fallback::new(Fail::with_config(Bump::new(&mut buffer), config), &backing);
            let result = workload(&stack);
            (result, stack.primary().allocations())
        };
        (reached.0, reached.1, backing.stats().live_bytes)
    });
    assert_eq!(surfaced, 0, "the secondary serves what the primary refuses");
    assert!(absorbed > 0);
}

#[test]
fn failures_between_the_size_classes_and_the_arena_surface_as_errors() {
    let (absorbed, surfaced) = sweep(|config| {
        let backing = Counting::new(Global);
        let reached = {
            let stack = Segregator::<SMALL, _, _>::new(
                SizeClasses::<_>::new(Fail::with_config(Arena::new_in(&backing), config)),
                &backing,
            );
            let result = workload(&stack);
            let reached = stack.small().inner().allocations();
            drop(stack);
            (result, reached)
        };
        (reached.0, reached.1, backing.stats().live_bytes)
    });
    assert_eq!(absorbed, 0);
    assert!(surfaced > 0);
}
