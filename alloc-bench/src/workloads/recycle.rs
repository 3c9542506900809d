//! The workloads that free as they go, where a recycling allocator (a free
//! list, `malloc`) gets its blocks back: the churn of a map of short-lived
//! strings, and allocate/free pairs of mixed small sizes in a window.

use std::alloc::Layout;
use std::hash::{Hash, Hasher};
use std::ptr::NonNull;

use allocator_api2::alloc::Allocator;
use allocator_api2::vec::Vec;
use hashbrown::{DefaultHashBuilder, Equivalent, HashMap};

use super::api::Work;
use super::{ChurnStep, Inputs, PAIRS_WINDOW};
use crate::shape::Reach;

/// [`Workload::Churn`](super::Workload::Churn).
pub(super) enum Churn {}
/// [`Workload::Pairs`](super::Workload::Pairs).
pub(super) enum Pairs {}

impl Work for Churn {
    #[inline(always)]
    fn run<A: Allocator + Copy, R: Reach>(
        a: A,
        inputs: &Inputs,
        _: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize) {
        (churn::<A, R>(a, &inputs.churn_keys, &inputs.churn), 0)
    }
}

impl Work for Pairs {
    #[inline(always)]
    fn run<A: Allocator + Copy, R: Reach>(
        a: A,
        inputs: &Inputs,
        blocks: &mut [(NonNull<u8>, Layout)],
    ) -> (u64, usize) {
        (pairs::<A, R>(a, &inputs.pairs, blocks), 0)
    }
}

/// A key of the churn map: a string's bytes in a vector of the allocator
/// under test, hashed and compared as a byte slice.
struct Key<A: Allocator>(Vec<u8, A>);

impl<A: Allocator> Hash for Key<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_slice().hash(state);
    }
}

impl<A: Allocator> PartialEq for Key<A> {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_slice() == other.0.as_slice()
    }
}

impl<A: Allocator> Eq for Key<A> {}

/// A key looked up by its bytes, without building a [`Key`]: hashes as
/// [`Key`] does.
#[derive(Hash)]
struct Probe<'a>(&'a [u8]);

impl<A: Allocator> Equivalent<Key<A>> for Probe<'_> {
    fn equivalent(&self, key: &Key<A>) -> bool {
        self.0 == key.0.as_slice()
    }
}

/// The churn: step `i` copies `keys[i]` into a new vector of `a` and
/// inserts it with the value `i`, then removes the key `steps[i].remove`
/// names, if any (an older one, picked at random when the schedule was
/// made). Returns the sum of the values the removals found plus, shifted
/// by 32 bits, the bytes of the keys left in the map (then dropped).
///
/// # Panics
///
/// If a removal finds nothing (a lost or corrupted key).
fn churn<A: Allocator + Copy, R: Reach>(
    a: A,
    keys: &[std::vec::Vec<u8>],
    steps: &[ChurnStep],
) -> u64 {
    let mut map: HashMap<Key<A>, u64, _, A> =
        HashMap::with_hasher_in(DefaultHashBuilder::default(), R::reach(a));
    let mut removed = 0;
    for ((value, bytes), step) in (0u64..).zip(keys).zip(steps) {
        let mut key = Vec::with_capacity_in(bytes.len(), R::reach(a));
        key.extend_from_slice(bytes);
        map.insert(Key(key), value);
        if let Some(old) = step.remove {
            removed += map
                .remove(&Probe(&keys[old as usize]))
                .expect("the removed key is in the map");
        }
    }
    let left: usize = map.keys().map(|k| k.0.len()).sum();
    removed + ((left as u64) << 32)
}

/// The bytes written into the block of `pairs`' step `step`: its first
/// byte and its last.
///
/// ```
/// assert_eq!(alloc_bench::pair_marks(9), (9, 1 ^ 0x5a));
/// ```
pub fn pair_marks(step: usize) -> (u8, u8) {
    (step as u8, (step >> 3) as u8 ^ 0x5a)
}

/// Allocate/free pairs: step `i` frees the block in window slot
/// `steps[i].0` (if any) and allocates one of layout `steps[i].1` there,
/// writing [`pair_marks`] into its first and last byte; at the end the
/// blocks still in the window are freed. The window is the first
/// [`PAIRS_WINDOW`] entries of `blocks`. Returns the sum of the marks read
/// back from every block just before it was freed (a block that another
/// one overlapped would give another sum).
///
/// # Panics
///
/// If a step's slot is outside the window or its layout has size zero.
fn pairs<A: Allocator + Copy, R: Reach>(
    a: A,
    steps: &[(usize, Layout)],
    blocks: &mut [(NonNull<u8>, Layout)],
) -> u64 {
    /// The marks of a live block of `layout.size() >= 1` bytes, then the
    /// block freed.
    ///
    /// # Safety
    ///
    /// `block` is a live block of `a` with `layout`, of at least one byte,
    /// its first and last byte written, not used again.
    #[inline(always)]
    unsafe fn take<A: Allocator + Copy, R: Reach>(a: A, block: NonNull<u8>, layout: Layout) -> u64 {
        // SAFETY: the block has `layout.size() >= 1` bytes: its last byte
        // is in it.
        let end = unsafe { block.add(layout.size() - 1) };
        // SAFETY: the first byte of a live block, written by `pairs`.
        let first = unsafe { block.read() };
        // SAFETY: the last byte of a live block, written by `pairs`.
        let last = unsafe { end.read() };
        // SAFETY: a live block of `a` with `layout`, not used again.
        unsafe { R::reach(a).deallocate(block, layout) };
        u64::from(first) + u64::from(last)
    }

    let empty = (NonNull::dangling(), Layout::new::<()>());
    let window = &mut blocks[..PAIRS_WINDOW];
    window.fill(empty);
    let mut marks = 0;
    for (step, &(slot, layout)) in steps.iter().enumerate() {
        let (old, old_layout) = window[slot];
        if old_layout.size() != 0 {
            // SAFETY: a block this loop allocated with `old_layout` (not
            // zero-sized) and marked; the slot is overwritten below.
            marks += unsafe { take::<A, R>(a, old, old_layout) };
        }
        // A compare per step (not a scan of the schedule before the loop,
        // which would be timed too).
        let last_byte = layout
            .size()
            .checked_sub(1)
            .expect("pairs' sizes are 8 or more");
        let block = R::reach(a)
            .allocate(layout)
            .expect("a small block")
            .cast::<u8>();
        let (first, last) = pair_marks(step);
        // SAFETY: `block` is a fresh block of `layout.size()` bytes, at
        // least one (checked above): its last byte is in it.
        let end = unsafe { block.add(last_byte) };
        // SAFETY: the first byte of the fresh, writable block.
        unsafe { block.write(first) };
        // SAFETY: the last byte of the fresh, writable block.
        unsafe { end.write(last) };
        window[slot] = (block, layout);
    }
    for slot in window.iter_mut() {
        let (block, layout) = std::mem::replace(slot, empty);
        if layout.size() != 0 {
            // SAFETY: as in the loop: a live, marked block of `a`.
            marks += unsafe { take::<A, R>(a, block, layout) };
        }
    }
    marks
}
