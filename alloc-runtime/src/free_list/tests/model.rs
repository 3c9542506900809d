//! The model test of `FreeList` and `SizeClasses`: random allocate, grow,
//! shrink and free through allocator-api2, with sizes across the class
//! edges and above the largest class and alignments 1 to 64, against a
//! model of the kept stacks.
//!
//! After every step: contents of every live block preserved, blocks
//! aligned and pairwise disjoint, the kept counts as the model says and
//! within the bound; a request of a class with kept blocks gets the last
//! one freed (address equality). The parent is a [`Ledger`], which panics
//! when a block comes back with any other length or alignment than it was
//! allocated with, and must hold nothing after the drop.

use core::alloc::Layout;
use std::vec::Vec as StdVec;

use allocator_api2::alloc::Allocator;
use proptest::prelude::*;

use super::*;

const MAX_OPS: usize = if cfg!(miri) { 30 } else { 150 };

/// What the model needs to know of a pool: which kept stack a request
/// uses (`None`: the parent's), and how many blocks each stack keeps.
trait Pool: RawAlloc + Allocator {
    const STACKS: usize;
    fn stack_of(size: usize, align: usize) -> Option<usize>;
    fn kept_in_stack(&self, stack: usize) -> usize;
    fn kept_total(&self) -> usize;
    fn bound(&self) -> usize;
}

impl<const MIN: usize, const MAX: usize> Pool for FreeList<&Ledger, MIN, MAX> {
    const STACKS: usize = 1;
    fn stack_of(size: usize, align: usize) -> Option<usize> {
        ((MIN..=MAX).contains(&size) && align <= Self::BLOCK_ALIGN.to_bytes()).then_some(0)
    }
    fn kept_in_stack(&self, _: usize) -> usize {
        self.kept()
    }
    fn kept_total(&self) -> usize {
        self.kept()
    }
    fn bound(&self) -> usize {
        self.max_kept()
    }
}

impl<const STEP: usize, const CLASSES: usize> Pool for SizeClasses<&Ledger, STEP, CLASSES> {
    const STACKS: usize = CLASSES;
    fn stack_of(size: usize, align: usize) -> Option<usize> {
        (size >= 1 && size <= STEP * CLASSES && align <= Self::ALIGN.to_bytes())
            .then(|| size.div_ceil(STEP) - 1)
    }
    fn kept_in_stack(&self, stack: usize) -> usize {
        self.kept_in(stack)
    }
    fn kept_total(&self) -> usize {
        self.kept()
    }
    fn bound(&self) -> usize {
        self.max_kept()
    }
}

/// An operation; indices pick a live block modulo the live count.
#[derive(Clone, Debug)]
enum Op {
    /// Allocate `size` bytes at `1 << align_log2`.
    Alloc { size: usize, align_log2: u32 },
    /// Grow or shrink a block to `size` (the bridge picks by the sizes).
    Realloc { index: usize, size: usize },
    /// Free a block.
    Free { index: usize },
}

/// Sizes that land on, next to and between class edges (multiples of 8
/// and 16), and above the largest class.
fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        1usize..=200,
        (1usize..=16).prop_map(|k| k * 8),
        (1usize..=16).prop_map(|k| k * 8 + 1),
        300usize..2000,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (size(), 0u32..=6).prop_map(|(size, align_log2)| Op::Alloc { size, align_log2 }),
        2 => (any::<usize>(), size()).prop_map(|(index, size)| Op::Realloc { index, size }),
        2 => any::<usize>().prop_map(|index| Op::Free { index }),
    ]
}

/// A live block: its address, layout and fill byte.
#[derive(Clone, Copy, Debug)]
struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
    tag: u8,
}

fn fill(b: &Block) {
    // SAFETY: the block is live and valid for `layout.size()` bytes.
    unsafe { b.ptr.write_bytes(b.tag, b.layout.size()) };
}

fn holds(b: &Block, len: usize) -> bool {
    // SAFETY: the block is live, with at least `len` initialized bytes.
    let bytes = unsafe { core::slice::from_raw_parts(b.ptr.as_ptr(), len) };
    bytes.iter().all(|&x| x == b.tag)
}

/// The model: the addresses each stack keeps, last freed on top.
struct Model {
    stacks: StdVec<StdVec<usize>>,
    bound: usize,
}

impl Model {
    /// The address a request of `stack` must get, if the model knows it.
    fn take(&mut self, stack: Option<usize>) -> Option<usize> {
        stack.and_then(|s| self.stacks[s].pop())
    }

    fn give(&mut self, stack: Option<usize>, addr: usize) {
        if let Some(s) = stack {
            if self.stacks[s].len() < self.bound {
                self.stacks[s].push(addr);
            }
        }
    }
}

fn run<P: Pool>(pool: &P, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut model = Model {
        stacks: (0..P::STACKS).map(|_| StdVec::new()).collect(),
        bound: pool.bound(),
    };
    let mut live: StdVec<Block> = StdVec::new();
    let mut next_tag = 1u8;
    for op in ops {
        match *op {
            Op::Alloc { size, align_log2 } => {
                let layout = Layout::from_size_align(size, 1 << align_log2).unwrap();
                let stack = P::stack_of(size, layout.align());
                let expected = model.take(stack);
                let ptr = pool
                    .allocate(layout)
                    .map_err(|_| TestCaseError::fail("refused"))?;
                let ptr = ptr.cast::<u8>();
                if let Some(addr) = expected {
                    prop_assert_eq!(ptr.addr().get(), addr, "the last kept block of its class");
                }
                let b = Block {
                    ptr,
                    layout,
                    tag: next_tag,
                };
                next_tag = next_tag.wrapping_add(1).max(1);
                fill(&b);
                live.push(b);
            }
            Op::Realloc { index, size } if !live.is_empty() => {
                let i = index % live.len();
                let old = live[i];
                let new_layout = Layout::from_size_align(size, old.layout.align()).unwrap();
                let (s_old, s_new) = (
                    P::stack_of(old.layout.size(), old.layout.align()),
                    P::stack_of(size, old.layout.align()),
                );
                let in_place = s_old.is_some() && s_old == s_new;
                // A move allocates the new block first, then frees the old.
                let expected = if in_place {
                    Some(old.ptr.addr().get())
                } else {
                    model.take(s_new)
                };
                let result = if size >= old.layout.size() {
                    // SAFETY: `old` is live with this layout; `size` is at least its size.
                    unsafe { pool.grow(old.ptr, old.layout, new_layout) }
                } else {
                    // SAFETY: as above; `size` is smaller.
                    unsafe { pool.shrink(old.ptr, old.layout, new_layout) }
                };
                let ptr = result
                    .map_err(|_| TestCaseError::fail("refused"))?
                    .cast::<u8>();
                if let Some(addr) = expected {
                    prop_assert_eq!(ptr.addr().get(), addr);
                }
                let moved = ptr != old.ptr;
                prop_assert!(!in_place || !moved, "a resize within a class moved");
                if moved {
                    model.give(s_old, old.ptr.addr().get());
                }
                let b = Block {
                    ptr,
                    layout: new_layout,
                    tag: old.tag,
                };
                prop_assert!(holds(&b, old.layout.size().min(size)), "contents lost");
                live[i] = b;
                fill(&live[i]);
            }
            Op::Free { index } if !live.is_empty() => {
                let b = live.swap_remove(index % live.len());
                prop_assert!(holds(&b, b.layout.size()), "contents changed while live");
                // SAFETY: live with this layout, freed once.
                unsafe { pool.deallocate(b.ptr, b.layout) };
                model.give(
                    P::stack_of(b.layout.size(), b.layout.align()),
                    b.ptr.addr().get(),
                );
            }
            _ => {}
        }
        // Every step: the figures, the bound, alignment, disjointness, contents.
        for s in 0..P::STACKS {
            prop_assert_eq!(pool.kept_in_stack(s), model.stacks[s].len());
            prop_assert!(pool.kept_in_stack(s) <= pool.bound());
        }
        prop_assert_eq!(
            pool.kept_total(),
            model.stacks.iter().map(StdVec::len).sum::<usize>()
        );
        let mut spans: StdVec<(usize, usize)> = live
            .iter()
            .map(|b| (b.ptr.addr().get(), b.ptr.addr().get() + b.layout.size()))
            .collect();
        spans.sort_unstable();
        prop_assert!(
            spans.windows(2).all(|w| w[0].1 <= w[1].0),
            "overlapping blocks"
        );
        for b in &live {
            prop_assert_eq!(b.ptr.addr().get() % b.layout.align(), 0, "misaligned");
            prop_assert!(holds(b, b.layout.size()), "a live block was overwritten");
        }
    }
    for b in live {
        // SAFETY: live with this layout, freed once.
        unsafe { pool.deallocate(b.ptr, b.layout) };
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::test_support::proptest_config(256, 4))]

    #[test]
    fn a_free_list_recycles_as_the_model_says(
        bound in prop_oneof![Just(usize::MAX), 0usize..4],
        ops in proptest::collection::vec(op(), 1..MAX_OPS),
    ) {
        let ledger = Ledger::default();
        {
            let pool: FreeList<&Ledger, 24, 48> = FreeList::with_max_kept(&ledger, bound);
            run(&pool, &ops)?;
        }
        prop_assert_eq!(ledger.live_blocks(), 0, "a block was not given back");
    }

    #[test]
    fn size_classes_recycle_as_the_model_says(
        bound in prop_oneof![Just(usize::MAX), 0usize..4],
        ops in proptest::collection::vec(op(), 1..MAX_OPS),
    ) {
        let ledger = Ledger::default();
        {
            let classes: SizeClasses<&Ledger, 16, 8> = SizeClasses::with_max_kept(&ledger, bound);
            run(&classes, &ops)?;
        }
        prop_assert_eq!(ledger.live_blocks(), 0, "a block was not given back");
    }

    #[test]
    fn size_classes_with_an_odd_step_recycle_as_the_model_says(
        bound in prop_oneof![Just(usize::MAX), 0usize..4],
        ops in proptest::collection::vec(op(), 1..MAX_OPS),
    ) {
        let ledger = Ledger::default();
        {
            let classes: SizeClasses<&Ledger, 24, 5> = SizeClasses::with_max_kept(&ledger, bound);
            run(&classes, &ops)?;
        }
        prop_assert_eq!(ledger.live_blocks(), 0, "a block was not given back");
    }
}
