//! Every workload computes what it should on every contender that runs it,
//! in both shapes (the benchmarks would otherwise time something else).

use crate::{
    BumpScope, BumpScopeNew, Bumpalo, BumpaloNew, Contender, Counted, Failing, GROWTH_ALLOCS,
    Inputs, MAP_ENTRIES, OurArena, OurArenaNew, Ours, OursHandle, PHASE_OBJECTS, PHASES, Reach,
    Reference, Register, SMALL_ALLOCS, Stack, Std, TREE_NODES, Typed, VEC_PUSHES, Workload, blocks,
    run, run_typed,
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
    }
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
