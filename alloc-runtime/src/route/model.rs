//! A model test for composites of several parts ([`Fallback`],
//! [`Segregator`] and their nestings), shared by their tests.
//!
//! Each part is wrapped in a [`Counting`], whose counters say which part a
//! call reached. Random sequences of allocator-api2 calls (allocate, grow,
//! shrink, deallocate, with random sizes and alignments) run on the
//! composite; the model remembers every live block, its contents (a byte of
//! its own), and the part that made it (the one whose allocation counter
//! moved). After every step:
//!
//! - every live block keeps its contents, is aligned, and is disjoint from
//!   the others;
//! - the part the counters name is the part the composite's own rule names
//!   for the block (`owner`: the primary's `Owns`, the side of the
//!   threshold);
//! - each part's live bytes are exactly the lengths of the model's blocks
//!   it made: a free, grow or shrink that reached another part than the one
//!   that made the block shows up here;
//!
//! and at the end, after everything is freed, every part's live bytes are
//! zero.
//!
//! [`Fallback`]: crate::Fallback
//! [`Segregator`]: crate::Segregator
//! [`Counting`]: crate::Counting

use core::alloc::Layout;
use core::ptr::NonNull;
use std::vec::Vec;

use allocator_api2::alloc::Allocator;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

use crate::Stats;

/// The longest operation sequence; Miri is some thousand times slower.
pub(crate) const MAX_OPS: usize = if cfg!(miri) { 24 } else { 160 };

/// The proptest settings: few cases under Miri.
pub(crate) fn config() -> ProptestConfig {
    crate::test_support::proptest_config(192, 3)
}

/// One allocator-api2 call.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// `allocate` of `len` bytes aligned to `1 << align_log2`.
    Alloc { len: usize, align_log2: u32 },
    /// `grow` or `shrink` of a live block to `new_len` bytes (`shrink` to
    /// zero frees), keeping its alignment or taking `1 << log2`.
    Resize {
        pick: Index,
        new_len: usize,
        align_log2: Option<u32>,
    },
    /// `deallocate` of a live block.
    Free { pick: Index },
}

/// Lengths from 1 to `max_len`, half of them within 16 of `threshold`.
fn len_strategy(threshold: usize, max_len: usize) -> BoxedStrategy<usize> {
    let low = threshold.saturating_sub(16).max(1);
    let high = (threshold + 16).min(max_len);
    prop_oneof![(low..=high), (1..=max_len),].boxed()
}

/// Alignments up to 4096, mostly small.
fn align_strategy() -> BoxedStrategy<u32> {
    prop_oneof![8 => 0u32..=4, 1 => 5u32..=12].boxed()
}

/// Sequences of operations with lengths around `threshold` and up to
/// `max_len`.
pub(crate) fn ops(threshold: usize, max_len: usize) -> impl Strategy<Value = Vec<Op>> {
    let alloc = (len_strategy(threshold, max_len), align_strategy())
        .prop_map(|(len, align_log2)| Op::Alloc { len, align_log2 });
    let resize = (
        any::<Index>(),
        prop_oneof![10 => len_strategy(threshold, max_len), 1 => Just(0)],
        prop::option::weighted(0.2, align_strategy()),
    )
        .prop_map(|(pick, new_len, align_log2)| Op::Resize {
            pick,
            new_len,
            align_log2,
        });
    let free = any::<Index>().prop_map(|pick| Op::Free { pick });
    prop::collection::vec(prop_oneof![5 => alloc, 5 => resize, 3 => free], 1..=MAX_OPS)
}

/// A live block of the model.
struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
    /// The byte every one of its bytes holds.
    fill: u8,
    /// The part that made it.
    part: usize,
}

impl Block {
    fn memory(&self) -> NonNull<[u8]> {
        NonNull::slice_from_raw_parts(self.ptr, self.layout.size())
    }
}

/// Runs `ops` on the composite `a`, whose parts' counters `parts` reads,
/// and whose rule `owner` names the part a block belongs to; then frees
/// what is left. Fails on the first broken promise.
///
/// # Errors
///
/// A [`TestCaseError`] naming the broken promise.
pub(crate) fn run<A: Allocator + Copy>(
    a: A,
    parts: &dyn Fn() -> Vec<Stats>,
    owner: &dyn Fn(NonNull<[u8]>) -> usize,
    ops: &[Op],
) -> Result<(), TestCaseError> {
    let mut model = Model {
        a,
        parts,
        owner,
        blocks: Vec::new(),
        next_fill: 0,
    };
    for op in ops {
        model.step(op)?;
        model.check()?;
    }
    while let Some(block) = model.blocks.pop() {
        // SAFETY: a live block of `a`, with the layout it has now.
        unsafe { a.deallocate(block.ptr, block.layout) };
        model.check()?;
    }
    for (i, stats) in parts().into_iter().enumerate() {
        prop_assert_eq!(stats.live_bytes, 0, "part {} keeps live bytes", i);
        prop_assert_eq!(
            stats.allocations,
            stats.frees,
            "part {} allocated and freed a different number of blocks",
            i
        );
    }
    Ok(())
}

struct Model<'m, A> {
    a: A,
    parts: &'m dyn Fn() -> Vec<Stats>,
    owner: &'m dyn Fn(NonNull<[u8]>) -> usize,
    blocks: Vec<Block>,
    next_fill: u8,
}

impl<A: Allocator + Copy> Model<'_, A> {
    fn fill(&mut self) -> u8 {
        self.next_fill = self.next_fill.wrapping_add(1).max(1);
        self.next_fill
    }

    /// The part whose allocation counter moved between `before` and now,
    /// if one did.
    fn allocated_in(&self, before: &[Stats]) -> Result<Option<usize>, TestCaseError> {
        let now = (self.parts)();
        let moved: Vec<usize> = (0..now.len())
            .filter(|&i| now[i].allocations != before[i].allocations)
            .collect();
        prop_assert!(moved.len() <= 1, "one request reached parts {:?}", moved);
        Ok(moved.first().copied())
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        match *op {
            Op::Alloc { len, align_log2 } => {
                let layout = Layout::from_size_align(len, 1 << align_log2).unwrap();
                let before = (self.parts)();
                let Ok(memory) = self.a.allocate(layout) else {
                    prop_assert!(
                        self.allocated_in(&before)?.is_none(),
                        "a refused request allocated"
                    );
                    return Ok(());
                };
                prop_assert!(
                    memory.len() >= len,
                    "allocate gave {} of {} bytes",
                    memory.len(),
                    len
                );
                let part = self.allocated_in(&before)?;
                let Some(part) = part else {
                    return Err(TestCaseError::fail("a block no part allocated"));
                };
                let fill = self.fill();
                let ptr = memory.cast::<u8>();
                // SAFETY: `memory` is `len` fresh writable bytes.
                unsafe { ptr.write_bytes(fill, len) };
                self.blocks.push(Block {
                    ptr,
                    layout,
                    fill,
                    part,
                });
            }
            Op::Resize {
                pick,
                new_len,
                align_log2,
            } => {
                if self.blocks.is_empty() {
                    return Ok(());
                }
                let i = pick.index(self.blocks.len());
                let old = self.blocks[i].layout;
                let align = align_log2.map_or(old.align(), |log2| 1 << log2);
                let new = Layout::from_size_align(new_len, align).unwrap();
                let before = (self.parts)();
                let result = if new_len >= old.size() {
                    // SAFETY: a live block of `a` with layout `old`; the new
                    // size is not smaller.
                    unsafe { self.a.grow(self.blocks[i].ptr, old, new) }
                } else {
                    // SAFETY: a live block of `a` with layout `old`; the new
                    // size is not larger.
                    unsafe { self.a.shrink(self.blocks[i].ptr, old, new) }
                };
                let Ok(memory) = result else {
                    prop_assert!(
                        self.allocated_in(&before)?.is_none(),
                        "a refused resize allocated"
                    );
                    return Ok(());
                };
                let moved_to = self.allocated_in(&before)?;
                if new_len == 0 {
                    // The bridge freed it; its part must have seen the free.
                    prop_assert!(moved_to.is_none(), "a shrink to zero allocated");
                    let block = self.blocks.swap_remove(i);
                    let now = (self.parts)();
                    prop_assert_eq!(
                        now[block.part].frees,
                        before[block.part].frees + 1,
                        "a shrink to zero did not free to the part that made the block"
                    );
                    return Ok(());
                }
                let kept = old.size().min(new_len);
                let block = &mut self.blocks[i];
                let ptr = memory.cast::<u8>();
                // SAFETY: the first `kept` bytes are the old contents.
                let bytes = unsafe { core::slice::from_raw_parts(ptr.as_ptr(), kept) };
                prop_assert!(
                    bytes.iter().all(|&b| b == block.fill),
                    "a resize from {} to {} bytes lost the contents",
                    old.size(),
                    new_len
                );
                if let Some(part) = moved_to {
                    let now = (self.parts)();
                    prop_assert_eq!(
                        now[block.part].frees,
                        before[block.part].frees + 1,
                        "a moved block was not freed to the part that made it"
                    );
                    block.part = part;
                }
                block.ptr = ptr;
                block.layout = new;
                if new_len > kept {
                    // SAFETY: `kept < new_len`: inside the block.
                    let tail = unsafe { ptr.add(kept) };
                    // SAFETY: the block has `new_len` writable bytes now,
                    // of which `tail` starts the last `new_len - kept`.
                    unsafe { tail.write_bytes(block.fill, new_len - kept) };
                }
            }
            Op::Free { pick } => {
                if self.blocks.is_empty() {
                    return Ok(());
                }
                let block = self.blocks.swap_remove(pick.index(self.blocks.len()));
                let before = (self.parts)();
                // SAFETY: a live block of `a` with its current layout, not
                // used again.
                unsafe { self.a.deallocate(block.ptr, block.layout) };
                let now = (self.parts)();
                prop_assert_eq!(
                    now[block.part].frees,
                    before[block.part].frees + 1,
                    "a free did not reach the part that made the block"
                );
            }
        }
        Ok(())
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let stats = (self.parts)();
        let mut live = std::vec![0usize; stats.len()];
        for (i, block) in self.blocks.iter().enumerate() {
            let address = block.ptr.addr().get();
            let len = block.layout.size();
            prop_assert_eq!(
                address % block.layout.align(),
                0,
                "block {} is misaligned",
                i
            );
            // SAFETY: a live block of `len` initialized bytes.
            let bytes = unsafe { core::slice::from_raw_parts(block.ptr.as_ptr(), len) };
            prop_assert!(
                bytes.iter().all(|&b| b == block.fill),
                "block {} was overwritten",
                i
            );
            for other in &self.blocks[i + 1..] {
                let other_address = other.ptr.addr().get();
                prop_assert!(
                    address + len <= other_address
                        || other_address + other.layout.size() <= address,
                    "two live blocks overlap"
                );
            }
            let owner = (self.owner)(block.memory());
            prop_assert_eq!(
                owner,
                block.part,
                "a block of {} bytes made by part {} is routed to part {}",
                len,
                block.part,
                owner
            );
            live[block.part] += len;
        }
        for (part, (stats, &expected)) in stats.iter().zip(&live).enumerate() {
            prop_assert_eq!(
                stats.live_bytes,
                expected,
                "part {} counts {} live bytes, its blocks have {}",
                part,
                stats.live_bytes,
                expected
            );
        }
        Ok(())
    }
}
