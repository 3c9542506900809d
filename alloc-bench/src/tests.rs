//! Every workload computes what it should on every contender that runs it,
//! in both shapes (the benchmarks would otherwise time something else).

use std::collections::HashSet;

use crate::{
    BumpScope, BumpScopeNew, Bumpalo, BumpaloNew, CHURN_LIVE, CHURN_STEPS, Composed,
    ComposedCounted, Contender, Counted, Failing, GROWTH_ALLOCS, Inputs, MAP_ENTRIES, Mimalloc,
    OurArena, OurArenaNew, Ours, OursHandle, PAIRS_STEPS, PAIRS_WINDOW, PHASE_OBJECTS, PHASES,
    Reach, Reference, Register, SMALL_ALLOCS, Stack, Std, TREE_NODES, Typed, VEC_PUSHES, Workload,
    blocks, pair_marks, run, run_typed,
};

/// What `w` computes on a correct allocator, worked out here without one.
fn want(w: Workload, inputs: &Inputs) -> u64 {
    match w {
        Workload::SmallAllocs => SMALL_ALLOCS as u64,
        Workload::Growth => GROWTH_ALLOCS as u64,
        Workload::Phases => {
            let words = |p: u64, i: u64| [i, p, i ^ (p << 32)];
            (0..PHASES)
                .flat_map(|p| [words(p, 0), words(p, PHASE_OBJECTS - 1)])
                .flatten()
                .fold(0, u64::wrapping_add)
        }
        Workload::Tree => TREE_NODES * (TREE_NODES - 1) / 2,
        Workload::Strings => inputs.strings.iter().map(|s| s.len() as u64).sum(),
        Workload::AllocStr => inputs
            .strings
            .iter()
            .map(|s| ((s.len() as u64) << 8) + u64::from(*s.as_bytes().last().unwrap()))
            .sum(),
        Workload::VecPush => VEC_PUSHES * (VEC_PUSHES - 1) / 2,
        Workload::HashMap => (0..MAP_ENTRIES).step_by(97).sum(),
        Workload::Churn => {
            let removed: u64 = inputs
                .churn
                .iter()
                .filter_map(|step| step.remove)
                .map(u64::from)
                .sum();
            let gone: HashSet<u32> = inputs.churn.iter().filter_map(|s| s.remove).collect();
            let left: usize = (0u32..)
                .zip(&inputs.churn_keys)
                .filter(|(i, _)| !gone.contains(i))
                .map(|(_, k)| k.len())
                .sum();
            removed + ((left as u64) << 32)
        }
        // Every block is freed, its two marks read back, once.
        Workload::Pairs => (0..PAIRS_STEPS)
            .map(pair_marks)
            .map(|(first, last)| u64::from(first) + u64::from(last))
            .sum(),
    }
}

/// The schedules of `churn` and `pairs` are what their docs say: distinct
/// keys of 5–60 bytes, removals of older live keys that keep
/// `CHURN_LIVE` live, window slots in range and sizes of 8–256 bytes of
/// both kinds.
#[test]
fn recycling_schedules() {
    let inputs = Inputs::new();
    assert_eq!(inputs.churn_keys.len(), CHURN_STEPS);
    assert!(
        inputs
            .churn_keys
            .iter()
            .all(|k| (5..=60).contains(&k.len()))
    );
    let distinct: HashSet<&Vec<u8>> = inputs.churn_keys.iter().collect();
    assert_eq!(distinct.len(), CHURN_STEPS);
    let mut live = HashSet::new();
    for (i, step) in (0u32..).zip(&inputs.churn) {
        live.insert(i);
        if let Some(old) = step.remove {
            assert!(old < i, "step {i} removes a newer key");
            assert!(live.remove(&old), "step {i} removes a dead key");
        }
        assert!(live.len() <= CHURN_LIVE);
    }
    assert_eq!(live.len(), CHURN_LIVE);
    assert_eq!(inputs.pairs.len(), PAIRS_STEPS);
    assert!(
        inputs
            .pairs
            .iter()
            .all(|&(slot, layout)| slot < PAIRS_WINDOW
                && (8..=256).contains(&layout.size())
                && layout.align() == 8)
    );
    assert!(inputs.pairs.iter().any(|(_, l)| l.size() <= 64));
    assert!(inputs.pairs.iter().any(|(_, l)| l.size() > 64));
}

/// Runs every allocator-api2 workload `c` runs, twice, in shape `R`, and
/// checks each result and the blocks left live.
fn check<C: Contender, R: Reach>(c: &mut C) {
    let inputs = Inputs::new();
    let mut blocks = blocks();
    for _ in 0..2 {
        for w in Workload::ALL
            .into_iter()
            .filter(|&w| C::runs(w) && !w.typed())
        {
            let arena = c.arena();
            let (got, live) = run::<C::Alloc<'_>, R>(C::alloc(&arena), w, &inputs, &mut blocks);
            let live_blocks = &blocks[..live];
            assert_eq!(
                got,
                want(w, &inputs),
                "{} {} {}",
                C::NAME,
                R::NAME,
                w.name()
            );
            let want_live = match w {
                Workload::SmallAllocs => SMALL_ALLOCS,
                Workload::Strings => inputs.strings.len(),
                _ => 0,
            };
            assert_eq!(live, want_live, "{}", C::NAME);
            for &(block, layout) in live_blocks {
                assert_eq!(block.as_ptr().addr() % layout.align(), 0, "{}", C::NAME);
            }
            if w == Workload::Strings {
                for (s, &(block, layout)) in inputs.strings.iter().zip(live_blocks) {
                    // SAFETY: `block` is a live block of `layout.size()`
                    // bytes that `strings` initialized from `s`.
                    let copy =
                        unsafe { core::slice::from_raw_parts(block.as_ptr(), layout.size()) };
                    assert_eq!(copy, s.as_bytes(), "{}", C::NAME);
                }
            }
            // SAFETY: the blocks are live blocks of `c`, not used again.
            unsafe { C::free_blocks(&arena, live_blocks) };
        }
    }
}

/// [`check`], then every typed workload `c` runs, twice, in shape `R`.
fn check_typed<C: Typed, R: Reach>(c: &mut C) {
    check::<C, R>(c);
    let inputs = Inputs::new();
    for _ in 0..2 {
        for w in Workload::ALL
            .into_iter()
            .filter(|&w| C::runs(w) && w.typed())
        {
            let mut arena = c.arena();
            let got = run_typed::<C, R>(&mut arena, w, &inputs);
            assert_eq!(
                got,
                want(w, &inputs),
                "{} {} {}",
                C::NAME,
                R::NAME,
                w.name()
            );
        }
    }
}

/// A contender without the typed API must not claim a typed workload.
fn both<C: Contender>(c: &mut C) {
    for w in Workload::ALL.into_iter().filter(|w| w.typed()) {
        assert!(
            !C::runs(w),
            "{} runs {} but is not Typed",
            C::NAME,
            w.name()
        );
    }
    check::<C, Register>(c);
    check::<C, Reference>(c);
}

fn both_typed<C: Typed>(c: &mut C) {
    check_typed::<C, Register>(c);
    check_typed::<C, Reference>(c);
}

#[test]
fn bump() {
    both_typed(&mut Ours::new());
}

#[test]
fn handle() {
    both(&mut OursHandle::new());
}

#[test]
fn stack() {
    both(&mut Stack::new());
}

#[test]
fn counting() {
    both(&mut Counted::new());
}

#[test]
fn fail() {
    both(&mut Failing::new());
}

#[test]
fn arena() {
    both_typed(&mut OurArena::new());
}

#[test]
fn arena_new() {
    both_typed(&mut OurArenaNew);
}

#[test]
fn bumpalo() {
    both_typed(&mut Bumpalo::new());
}

#[test]
fn bumpalo_new() {
    both_typed(&mut BumpaloNew);
}

#[test]
fn bump_scope() {
    both_typed(&mut BumpScope::new());
}

#[test]
fn bump_scope_new() {
    both_typed(&mut BumpScopeNew);
}

#[test]
fn std() {
    both(&mut Std);
}

#[test]
fn mimalloc() {
    both(&mut Mimalloc::new());
}

#[test]
fn composed() {
    both(&mut Composed::new());
}

/// The counted composite also counts what the workloads did: every block
/// they allocated was freed (the workloads' own frees, and the runner's
/// for the blocks `small_allocs` and `strings` leave live).
#[test]
fn composed_counting() {
    let mut c = ComposedCounted::new();
    both(&mut c);
    let stats = c.allocator().stats();
    assert!(stats.allocations > 0);
    assert_eq!(stats.live_bytes, 0, "{stats:?}");
    assert_eq!(stats.live_allocations(), 0, "{stats:?}");
}

/// The general-purpose allocators run every workload that takes any
/// allocator, and the two that free as they go.
#[test]
fn general_purpose_allocators_run_the_recycling_workloads() {
    for w in [Workload::Churn, Workload::Pairs] {
        assert!(Std::runs(w) && Mimalloc::runs(w) && Composed::runs(w));
        assert!(ComposedCounted::runs(w));
    }
    for w in Workload::API {
        assert!(Std::runs(w) && Mimalloc::runs(w) && Composed::runs(w));
    }
}

/// Every workload has a contender of each kind it needs: the arenas from
/// empty run the growth workload, the fixed buffer does not.
#[test]
fn who_runs_what() {
    assert!(OurArenaNew::runs(Workload::Growth));
    assert!(BumpaloNew::runs(Workload::Growth));
    assert!(BumpScopeNew::runs(Workload::Growth));
    assert!(!Ours::runs(Workload::Growth));
    assert!(!OurArena::runs(Workload::Growth));
    for w in Workload::ALL {
        assert!(
            [
                OurArena::runs(w),
                OurArenaNew::runs(w),
                Bumpalo::runs(w),
                BumpaloNew::runs(w)
            ]
            .contains(&true),
            "nobody runs {}",
            w.name()
        );
    }
}
