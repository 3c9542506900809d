//! Every workload computes what it should on every contender in both shapes
//! (the benchmarks would otherwise time something else).

use crate::{
    BumpScope, Bumpalo, Contender, Counted, Failing, Inputs, MAP_ENTRIES, Ours, OursHandle, Reach,
    Reference, Register, SMALL_ALLOCS, Stack, Std, TREE_NODES, VEC_PUSHES, Workload, blocks, run,
};

/// Runs every workload twice on `c` in shape `R` and checks each result and
/// the blocks left live.
fn check<C: Contender, R: Reach>(c: &mut C) {
    let inputs = Inputs::new();
    let mut blocks = blocks();
    let string_bytes: u64 = inputs.strings.iter().map(|s| s.len() as u64).sum();
    let map_check: u64 = (0..MAP_ENTRIES).step_by(97).sum();
    for _ in 0..2 {
        for w in Workload::ALL {
            let arena = c.arena();
            let (got, live) = run::<C::Alloc<'_>, R>(C::alloc(&arena), w, &inputs, &mut blocks);
            let live_blocks = &blocks[..live];
            let want = match w {
                Workload::SmallAllocs => SMALL_ALLOCS as u64,
                Workload::Tree => TREE_NODES * (TREE_NODES - 1) / 2,
                Workload::Strings => string_bytes,
                Workload::VecPush => VEC_PUSHES * (VEC_PUSHES - 1) / 2,
                Workload::HashMap => map_check,
            };
            assert_eq!(got, want, "{} {} {}", C::NAME, R::NAME, w.name());
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

fn both<C: Contender>(c: &mut C) {
    check::<C, Register>(c);
    check::<C, Reference>(c);
}

#[test]
fn bump() {
    both(&mut Ours::new());
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
fn bumpalo() {
    both(&mut Bumpalo::new());
}

#[test]
fn bump_scope() {
    both(&mut BumpScope::new());
}

#[test]
fn std() {
    both(&mut Std);
}
