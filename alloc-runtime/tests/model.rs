//! Model-based property tests for `Bump`, `Counting` and `Fail`.
//!
//! One executable model describes a stack of layers, `Counting` (optional)
//! over `Fail` (optional) over `Bump`, at the level of the four `RawAlloc`
//! functions, and the allocator-api2 bridge on top of them. Random sequences
//! of operations run against the real allocator and the model side by side;
//! after every step the test compares the bump's cursor, the counters of the
//! layers and the contents of every live block (each block is filled with its
//! own byte, so an overlap or a stray write shows up as a wrong byte).
//!
//! Besides the model's predictions, every step also checks properties that do
//! not depend on the model: blocks are aligned, inside the buffer, below the
//! cursor and pairwise disjoint; `used() + remaining() == capacity()`; a
//! refused request leaves `used()` as it was; shrinking always succeeds; a
//! block that is not the most recent one never grows in place; `remap` never
//! moves; `live_bytes` is the sum of the live blocks' lengths.

use alloc_runtime::{Alignment, Bump, Caller, Counting, Fail, RawAlloc, Stats};
use allocator_api2::alloc::Allocator;
use core::alloc::Layout;
use core::fmt;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{RngAlgorithm, TestCaseError};

/// The size of the buffer under the bump (before the random skew).
const BUF: usize = 16 * 1024;

/// The longest operation sequence; Miri is some thousand times slower.
const MAX_OPS: usize = if cfg!(miri) { 40 } else { 200 };

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        // Persistence files cannot be written under Miri's isolation, and a
        // regression file per run is not wanted here either.
        failure_persistence: None,
        // ChaCha, the default, dominates the run time under Miri.
        rng_algorithm: if cfg!(miri) {
            RngAlgorithm::XorShift
        } else {
            RngAlgorithm::ChaCha
        },
        ..ProptestConfig::with_source_file(file!())
    }
}

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

/// The length of a new allocation.
#[derive(Clone, Debug)]
enum Len {
    /// A length in `0..=200`.
    Small(usize),
    /// A length far beyond what any buffer can serve (or exactly at its size).
    Huge(usize),
    /// `remaining() + k - 4`: around the exact-fit boundary.
    NearRest(usize),
}

/// The new length of a resize.
#[derive(Clone, Debug)]
enum NewLen {
    /// A length in `1..=300`.
    Abs(usize),
    /// The old length plus `d` (at least 1).
    Delta(i64),
    /// The old length plus `remaining() + k - 4`: around the in-place growth
    /// boundary of the most recent block.
    NearRest(usize),
    /// Zero: frees through the bridge's `shrink`; 1 for the raw functions.
    Zero,
}

/// Which live block an operation works on.
#[derive(Clone, Debug)]
enum Pick {
    /// The block ending at the cursor (else the highest one).
    Last,
    /// Any eligible block.
    Any(Index),
}

/// The path an allocation or free takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    /// `RawAlloc::alloc` / `RawAlloc::free`.
    Raw,
    /// `allocator_api2::alloc::Allocator::allocate` / `deallocate`.
    Bridge,
}

/// The function that changes a block's length.
#[derive(Clone, Copy, Debug)]
enum How {
    /// `RawAlloc::resize`.
    Resize,
    /// `RawAlloc::remap`.
    Remap,
    /// allocator-api2 `grow` (new length >= old) or `shrink`, to the same
    /// alignment (`None`) or another one.
    Bridge(Option<Alignment>),
}

#[derive(Clone, Debug)]
enum Op {
    Alloc {
        len: Len,
        align: Alignment,
        via: Via,
    },
    Resize {
        pick: Pick,
        new_len: NewLen,
        how: How,
    },
    Free {
        pick: Pick,
        via: Via,
    },
    Reset,
}

const HUGE: [usize; 8] = [
    usize::MAX,
    usize::MAX - 1,
    usize::MAX - 4095,
    usize::MAX / 2,
    isize::MAX as usize - 4096,
    isize::MAX as usize + 1,
    BUF,
    BUF + 1,
];

fn len_strategy() -> impl Strategy<Value = Len> {
    prop_oneof![
        12 => (0..=200usize).prop_map(Len::Small),
        1 => prop::sample::select(&HUGE[..]).prop_map(Len::Huge),
        2 => (0..=8usize).prop_map(Len::NearRest),
    ]
}

fn small_align() -> impl Strategy<Value = Alignment> {
    prop_oneof![
        8 => (0u32..=3).prop_map(|log2| Alignment::from_log2(log2).unwrap()),
        3 => (4u32..=12).prop_map(|log2| Alignment::from_log2(log2).unwrap()),
    ]
}

fn align_strategy() -> impl Strategy<Value = Alignment> {
    prop_oneof![
        20 => small_align(),
        1 => Just(Alignment::MAX),
        1 => (13u32..usize::BITS).prop_map(|log2| Alignment::from_log2(log2).unwrap()),
    ]
}

fn new_len_strategy() -> impl Strategy<Value = NewLen> {
    prop_oneof![
        4 => (1..=300usize).prop_map(NewLen::Abs),
        4 => (-16..=16i64).prop_map(NewLen::Delta),
        2 => (0..=8usize).prop_map(NewLen::NearRest),
        1 => Just(NewLen::Zero),
    ]
}

fn pick_strategy() -> impl Strategy<Value = Pick> {
    prop_oneof![Just(Pick::Last), any::<Index>().prop_map(Pick::Any)]
}

/// An operation; with `bridge_only`, allocator-api2 calls only, besides
/// `Reset` (of the bump, through `inner_mut`: counters are kept).
fn op_strategy(bridge_only: bool) -> BoxedStrategy<Op> {
    let via = if bridge_only {
        Just(Via::Bridge).boxed()
    } else {
        prop_oneof![Just(Via::Raw), Just(Via::Bridge)].boxed()
    };
    let how = if bridge_only {
        prop::option::weighted(0.25, small_align())
            .prop_map(How::Bridge)
            .boxed()
    } else {
        prop_oneof![
            Just(How::Resize),
            Just(How::Remap),
            prop::option::weighted(0.25, small_align()).prop_map(How::Bridge),
        ]
        .boxed()
    };
    let alloc = (len_strategy(), align_strategy(), via.clone())
        .prop_map(|(len, align, via)| Op::Alloc { len, align, via });
    let resize = (pick_strategy(), new_len_strategy(), how)
        .prop_map(|(pick, new_len, how)| Op::Resize { pick, new_len, how });
    let free = (pick_strategy(), via).prop_map(|(pick, via)| Op::Free { pick, via });
    prop_oneof![8 => alloc, 6 => resize, 4 => free, 1 => Just(Op::Reset)].boxed()
}

fn ops(bridge_only: bool) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op_strategy(bridge_only), 1..=MAX_OPS)
}

// ---------------------------------------------------------------------------
// The allocators under test
// ---------------------------------------------------------------------------

/// What the runner needs to see of a stack of layers over a `Bump`.
trait Stack: RawAlloc + Allocator {
    fn bump(&self) -> &Bump<'_>;
    fn reset_bump(&mut self);
    fn observed_stats(&self) -> Option<Stats> {
        None
    }
    /// `Fail`'s `(allocations(), induced_failures(), limit())`.
    fn observed_fail(&self) -> Option<(usize, usize, usize)> {
        None
    }
}

impl Stack for Bump<'_> {
    fn bump(&self) -> &Bump<'_> {
        self
    }
    fn reset_bump(&mut self) {
        self.reset();
    }
}

impl Stack for Counting<Bump<'_>> {
    fn bump(&self) -> &Bump<'_> {
        self.inner()
    }
    fn reset_bump(&mut self) {
        self.inner_mut().reset();
    }
    fn observed_stats(&self) -> Option<Stats> {
        Some(self.stats())
    }
}

impl Stack for Fail<Bump<'_>> {
    fn bump(&self) -> &Bump<'_> {
        self.inner()
    }
    fn reset_bump(&mut self) {
        self.inner_mut().reset();
    }
    fn observed_fail(&self) -> Option<(usize, usize, usize)> {
        Some((self.allocations(), self.induced_failures(), self.limit()))
    }
}

impl Stack for Counting<Fail<Bump<'_>>> {
    fn bump(&self) -> &Bump<'_> {
        self.inner().inner()
    }
    fn reset_bump(&mut self) {
        self.inner_mut().inner_mut().reset();
    }
    fn observed_stats(&self) -> Option<Stats> {
        Some(self.stats())
    }
    fn observed_fail(&self) -> Option<(usize, usize, usize)> {
        let fail = self.inner();
        Some((fail.allocations(), fail.induced_failures(), fail.limit()))
    }
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

/// A live block, as the model knows it.
#[derive(Clone, Debug)]
struct Block {
    /// The pointer the allocator returned (the only way to reach the memory).
    ptr: NonNull<u8>,
    /// Offset from the buffer start, or `None` for a zero-size block of the
    /// bridge (a dangling pointer that never reached the allocator).
    off: Option<usize>,
    len: usize,
    align: Alignment,
    /// Every byte of the block holds this.
    fill: u8,
}

impl Block {
    /// A zero-length block from a raw `alloc(0, ..)`: it cannot be resized
    /// or freed (the contract wants non-zero lengths); `Free` forgets it.
    fn is_raw_empty(&self) -> bool {
        self.off.is_some() && self.len == 0
    }
}

#[derive(Clone, Copy, Debug)]
struct FailModel {
    limit: usize,
    allocations: usize,
    induced: usize,
}

/// The predicted result of an allocator-api2 call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Refused,
    /// Memory in the buffer at this offset.
    At(usize),
    /// A dangling, aligned pointer for a zero-size layout.
    Dangling,
}

#[derive(Debug)]
struct Model {
    /// Address of the first byte of the buffer.
    base: usize,
    /// Length of the buffer.
    cap: usize,
    /// The expected `used()`.
    cur: usize,
    stats: Option<Stats>,
    fail: Option<FailModel>,
    blocks: Vec<Block>,
    next_fill: u8,
    /// Counted bytes and allocations that a `reset` dropped without a free.
    forgotten_bytes: usize,
    forgotten_allocations: u64,
    /// The stack's allocator-api2 `shrink` to a smaller alignment resizes in
    /// place (`Bump`'s own impl) instead of moving (the bridge's).
    shrinks_to_smaller_alignment_in_place: bool,
}

impl Model {
    fn new(base: usize, cap: usize, counting: bool, fail_limit: Option<usize>) -> Self {
        Self {
            base,
            cap,
            cur: 0,
            stats: counting.then(Stats::default),
            fail: fail_limit.map(|limit| FailModel {
                limit,
                allocations: 0,
                induced: 0,
            }),
            blocks: Vec::new(),
            next_fill: 0x11,
            forgotten_bytes: 0,
            forgotten_allocations: 0,
            shrinks_to_smaller_alignment_in_place: false,
        }
    }

    fn fill(&mut self) -> u8 {
        self.next_fill = self.next_fill.wrapping_add(0x35);
        self.next_fill
    }

    fn remaining(&self) -> usize {
        self.cap - self.cur
    }

    // -- Bump: the next aligned bytes from the cursor; only the block that
    //    ends at the cursor moves it back or forward.

    fn bump_alloc(&mut self, len: usize, align: Alignment) -> Option<usize> {
        let aligned = align.forward(self.base + self.cur)?;
        let off = aligned - self.base;
        let end = off.checked_add(len)?;
        if end > self.cap {
            return None;
        }
        self.cur = end;
        Some(off)
    }

    fn bump_resize(&mut self, off: usize, old: usize, new: usize) -> bool {
        let last = off + old == self.cur;
        if new <= old {
            if last {
                self.cur = off + new;
            }
            true
        } else if last && off + new <= self.cap {
            self.cur = off + new;
            true
        } else {
            false
        }
    }

    fn bump_free(&mut self, off: usize, len: usize) {
        if off + len == self.cur {
            self.cur = off;
        }
    }

    // -- Fail: refuses allocations and growth once `limit` allocations
    //    succeeded, counting each refused request.

    fn fail_refuses(&mut self) -> bool {
        match &mut self.fail {
            Some(f) if f.allocations >= f.limit => {
                f.induced += 1;
                true
            }
            _ => false,
        }
    }

    // -- Counting over Fail over Bump: the four functions of the stack.

    fn alloc(&mut self, len: usize, align: Alignment) -> Option<usize> {
        let result = if self.fail_refuses() {
            None
        } else {
            let result = self.bump_alloc(len, align);
            if let (Some(_), Some(f)) = (result, &mut self.fail) {
                f.allocations += 1;
            }
            result
        };
        if let Some(s) = &mut self.stats {
            if result.is_some() {
                s.allocations += 1;
                grew(s, len);
            } else {
                s.failures += 1;
            }
        }
        result
    }

    /// `resize` (or `remap`, which a bump serves the same way, in place).
    fn resize(&mut self, off: usize, old: usize, new: usize, remap: bool) -> bool {
        let done = if new > old && self.fail_refuses() {
            false
        } else {
            self.bump_resize(off, old, new)
        };
        if let (true, Some(s)) = (done, &mut self.stats) {
            if remap {
                s.remaps += 1;
            } else {
                s.resizes += 1;
            }
            if new >= old {
                grew(s, new - old);
            } else {
                shrank(s, old - new);
            }
        }
        done
    }

    fn free(&mut self, off: usize, len: usize) {
        if let Some(s) = &mut self.stats {
            s.frees += 1;
            shrank(s, len);
        }
        self.bump_free(off, len);
    }

    // -- The allocator-api2 bridge.

    fn bridge_allocate(&mut self, len: usize, align: Alignment) -> Outcome {
        if len == 0 {
            return Outcome::Dangling;
        }
        self.alloc(len, align).map_or(Outcome::Refused, Outcome::At)
    }

    /// `grow`/`shrink`: in place, else remap, else allocate + copy + free;
    /// a change of alignment goes straight to the last, except a shrink to a
    /// smaller alignment on a stack that does it in place.
    fn bridge_realloc(&mut self, block: &Block, new_len: usize, new_align: Alignment) -> Outcome {
        let Some(off) = block.off else {
            return self.bridge_allocate(new_len, new_align);
        };
        if new_len == 0 {
            self.free(off, block.len);
            return Outcome::Dangling;
        }
        // A smaller alignment is satisfied by the same address: `Bump`
        // shrinks such a block in place.
        if self.shrinks_to_smaller_alignment_in_place
            && new_align < block.align
            && new_len < block.len
            && self.resize(off, block.len, new_len, false)
        {
            return Outcome::At(off);
        }
        // Same alignment: `resize` in place, then `remap`.
        let same_align = block.align == new_align;
        if same_align
            && (self.resize(off, block.len, new_len, false)
                || self.resize(off, block.len, new_len, true))
        {
            return Outcome::At(off);
        }
        match self.alloc(new_len, new_align) {
            None => Outcome::Refused,
            Some(new) => {
                self.free(off, block.len);
                Outcome::At(new)
            }
        }
    }

    /// Indices of the blocks an operation may work on.
    fn eligible(&self, pred: impl Fn(&Block) -> bool) -> Vec<usize> {
        (0..self.blocks.len())
            .filter(|&i| pred(&self.blocks[i]))
            .collect()
    }

    fn choose(&self, eligible: &[usize], pick: &Pick) -> Option<usize> {
        if eligible.is_empty() {
            return None;
        }
        Some(match pick {
            Pick::Any(index) => eligible[index.index(eligible.len())],
            Pick::Last => *eligible
                .iter()
                .max_by_key(|&&i| {
                    let b = &self.blocks[i];
                    // The block ending at the cursor first, then the highest.
                    b.off.map(|off| (off + b.len == self.cur, off + b.len))
                })
                .unwrap(),
        })
    }
}

fn grew(s: &mut Stats, bytes: usize) {
    s.bytes_allocated += bytes as u64;
    s.live_bytes += bytes;
    s.peak_live_bytes = s.peak_live_bytes.max(s.live_bytes);
}

fn shrank(s: &mut Stats, bytes: usize) {
    s.bytes_freed += bytes as u64;
    s.live_bytes -= bytes;
}

// ---------------------------------------------------------------------------
// Memory access
// ---------------------------------------------------------------------------

fn write_fill(ptr: NonNull<u8>, len: usize, fill: u8) {
    // SAFETY: `ptr` is a live block of `len` bytes handed out by the
    // allocator under test (the model only keeps live blocks), valid for
    // writes; nothing else refers to it right now.
    unsafe { ptr.as_ptr().write_bytes(fill, len) };
}

/// The first byte in `ptr[..len]` that is not `fill`.
fn find_corruption(ptr: NonNull<u8>, len: usize, fill: u8) -> Option<(usize, u8)> {
    // SAFETY: `ptr` is a live block of at least `len` bytes, all of them
    // initialized by `write_fill` (or preserved by a resize that the test
    // checks through this function), and not written while the slice lives.
    let bytes = unsafe { core::slice::from_raw_parts(ptr.as_ptr(), len) };
    // One slice comparison (a `memcmp`, which Miri runs natively) first; the
    // byte loop only when something is wrong.
    if bytes == vec![fill; len] {
        return None;
    }
    bytes.iter().position(|&b| b != fill).map(|i| (i, bytes[i]))
}

// ---------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------

/// Where a failure happened, formatted only when needed (formatting every
/// step costs much under Miri).
struct Ctx<'a> {
    step: usize,
    op: Option<&'a Op>,
}

impl fmt::Display for Ctx<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.op {
            Some(op) => write!(f, "step {}: {op:?}", self.step),
            None => f.write_str("before the first step"),
        }
    }
}

/// Runs `ops` on `stack` and on the model, checking after every step.
fn run<S: Stack>(
    stack: &mut S,
    model: &mut Model,
    ops: &[Op],
    bridge_only: bool,
) -> Result<(), TestCaseError> {
    check(stack, model, &Ctx { step: 0, op: None })?;
    for (step, op) in ops.iter().enumerate() {
        let ctx = Ctx { step, op: Some(op) };
        if let Op::Reset = op {
            for b in model.blocks.drain(..) {
                if b.off.is_some() {
                    model.forgotten_bytes += b.len;
                    model.forgotten_allocations += 1;
                }
            }
            model.cur = 0;
            stack.reset_bump();
        } else {
            apply(stack, model, op, bridge_only, &ctx)?;
        }
        check(stack, model, &ctx)?;
    }
    Ok(())
}

fn apply<S: Stack>(
    stack: &S,
    model: &mut Model,
    op: &Op,
    bridge_only: bool,
    ctx: &Ctx<'_>,
) -> Result<(), TestCaseError> {
    let used_before = stack.bump().used();
    let fail_before = stack.observed_fail();
    let fail_exhausted = fail_before.is_some_and(|(allocations, _, limit)| allocations >= limit);
    match op {
        Op::Reset => unreachable!(),
        Op::Alloc { len, align, via } => {
            let align = *align;
            let len = match *len {
                Len::Small(n) | Len::Huge(n) => n,
                Len::NearRest(k) => (model.remaining() + k).saturating_sub(4),
            };
            let layout = Layout::from_size_align(len, align.to_bytes()).ok();
            let (expected, actual) = match (via, layout) {
                (Via::Bridge, Some(layout)) => {
                    let expected = model.bridge_allocate(len, align);
                    let actual = Allocator::allocate(stack, layout);
                    if let Ok(block) = actual {
                        prop_assert_eq!(block.len(), len, "{}: allocate's block length", ctx);
                    }
                    (expected, actual.ok().map(NonNull::cast::<u8>))
                }
                // No `Layout` describes the request: nothing to do through
                // allocator-api2.
                (Via::Bridge, None) if bridge_only => return Ok(()),
                _ => {
                    let expected = model
                        .alloc(len, align)
                        .map_or(Outcome::Refused, Outcome::At);
                    (expected, stack.alloc(len, align, Caller::here()))
                }
            };
            if fail_exhausted {
                prop_assert!(
                    actual.is_none() || expected == Outcome::Dangling,
                    "{}: an allocation past Fail's limit succeeded",
                    ctx
                );
            }
            match (expected, actual) {
                (Outcome::Refused, None) => {
                    prop_assert_eq!(
                        stack.bump().used(),
                        used_before,
                        "{}: a refused alloc moved the cursor",
                        ctx
                    );
                }
                (Outcome::At(off), Some(ptr)) => {
                    prop_assert_eq!(
                        ptr.addr().get().wrapping_sub(model.base),
                        off,
                        "{}: address",
                        ctx
                    );
                    let fill = model.fill();
                    write_fill(ptr, len, fill);
                    model.blocks.push(Block {
                        ptr,
                        off: Some(off),
                        len,
                        align,
                        fill,
                    });
                }
                (Outcome::Dangling, Some(ptr)) => {
                    prop_assert_eq!(
                        stack.bump().used(),
                        used_before,
                        "{}: a zero-size allocate took bytes",
                        ctx
                    );
                    model.blocks.push(Block {
                        ptr,
                        off: None,
                        len: 0,
                        align,
                        fill: 0,
                    });
                }
                (expected, actual) => {
                    return Err(TestCaseError::fail(format!(
                        "{ctx}: model expected {expected:?}, allocator returned {actual:?} (used {used_before} before)"
                    )));
                }
            }
        }
        Op::Resize { pick, new_len, how } => {
            let raw = !matches!(how, How::Bridge(_));
            let eligible = model.eligible(|b| {
                if raw {
                    b.off.is_some() && b.len > 0
                } else {
                    !b.is_raw_empty()
                }
            });
            let Some(i) = model.choose(&eligible, pick) else {
                return Ok(());
            };
            let block = model.blocks[i].clone();
            let new_len = match *new_len {
                NewLen::Abs(n) => n,
                NewLen::Delta(d) => block.len.saturating_add_signed(d as isize).max(1),
                NewLen::NearRest(k) => (block.len + model.remaining() + k).saturating_sub(4).max(1),
                NewLen::Zero => usize::from(raw),
            };
            let is_last = block.off.is_some()
                && block.ptr.addr().get() + block.len == model.base + used_before;
            let old_memory = NonNull::slice_from_raw_parts(block.ptr, block.len);
            let moved_to = match *how {
                How::Resize | How::Remap => {
                    let off = block.off.unwrap();
                    let remap = matches!(how, How::Remap);
                    let expected = model.resize(off, block.len, new_len, remap);
                    let done = if remap {
                        // SAFETY: `block` is a live allocation of `stack` with
                        // exactly this length and alignment; both lengths are
                        // non-zero.
                        let moved = unsafe {
                            stack.remap(old_memory, block.align, new_len, Caller::here())
                        };
                        if let Some(p) = moved {
                            prop_assert_eq!(
                                p,
                                block.ptr,
                                "{}: a bump's remap moved the block",
                                ctx
                            );
                        }
                        moved.is_some()
                    } else {
                        // SAFETY: as for `remap` above.
                        unsafe { stack.resize(old_memory, block.align, new_len, Caller::here()) }
                    };
                    prop_assert_eq!(
                        done,
                        expected,
                        "{}: resize/remap result (model {:?})",
                        ctx,
                        model
                    );
                    if new_len <= block.len {
                        prop_assert!(done, "{}: shrinking failed", ctx);
                    } else if !is_last || fail_exhausted {
                        prop_assert!(!done, "{}: a grow that must fail succeeded", ctx);
                    }
                    done.then_some(Outcome::At(off))
                }
                How::Bridge(new_align) => {
                    let new_align = new_align.unwrap_or(block.align);
                    let old_layout =
                        Layout::from_size_align(block.len, block.align.to_bytes()).unwrap();
                    // A zero-size block may have an alignment no non-empty
                    // `Layout` can have (`Alignment::MAX`).
                    let Ok(new_layout) = Layout::from_size_align(new_len, new_align.to_bytes())
                    else {
                        return Ok(());
                    };
                    let expected = model.bridge_realloc(&block, new_len, new_align);
                    let actual = if new_len >= block.len {
                        // SAFETY: `block.ptr` is a block currently allocated
                        // by `stack` (zero-size ones by this bridge), which
                        // `old_layout` fits; the new size is not smaller.
                        unsafe { Allocator::grow(stack, block.ptr, old_layout, new_layout) }
                    } else {
                        // SAFETY: as for `grow`; the new size is smaller.
                        unsafe { Allocator::shrink(stack, block.ptr, old_layout, new_layout) }
                    };
                    if let Ok(b) = actual {
                        prop_assert_eq!(b.len(), new_len, "{}: block length", ctx);
                    }
                    if fail_exhausted && new_len > block.len {
                        prop_assert!(
                            actual.is_err(),
                            "{}: a grow past Fail's limit succeeded",
                            ctx
                        );
                    }
                    match (expected, actual) {
                        (Outcome::Refused, Err(_)) => None,
                        (Outcome::At(off), Ok(b)) => {
                            let addr = b.cast::<u8>().addr().get();
                            prop_assert_eq!(addr.wrapping_sub(model.base), off, "{}: address", ctx);
                            model.blocks[i].ptr = b.cast();
                            model.blocks[i].align = new_align;
                            Some(Outcome::At(off))
                        }
                        (Outcome::Dangling, Ok(b)) => {
                            model.blocks[i].ptr = b.cast();
                            model.blocks[i].align = new_align;
                            Some(Outcome::Dangling)
                        }
                        (expected, actual) => {
                            return Err(TestCaseError::fail(format!(
                                "{ctx}: model expected {expected:?}, allocator returned {actual:?}"
                            )));
                        }
                    }
                }
            };
            match moved_to {
                None => {
                    prop_assert_eq!(
                        stack.bump().used(),
                        model.cur,
                        "{}: cursor after a refused resize",
                        ctx
                    );
                    if let Some((i, byte)) = find_corruption(block.ptr, block.len, block.fill) {
                        return Err(TestCaseError::fail(format!(
                            "{ctx}: a refused resize changed byte {i} of the block to {byte:#x}"
                        )));
                    }
                }
                Some(outcome) => {
                    let b = &mut model.blocks[i];
                    if let Outcome::At(off) = outcome {
                        let kept = block.len.min(new_len);
                        if let Some((at, byte)) = find_corruption(b.ptr, kept, block.fill) {
                            return Err(TestCaseError::fail(format!(
                                "{ctx}: resize lost byte {at} of {kept} kept ones (now {byte:#x})"
                            )));
                        }
                        b.off = Some(off);
                        b.len = new_len;
                    } else {
                        b.off = None;
                        b.len = 0;
                    }
                    b.fill = b.fill.wrapping_add(1);
                    write_fill(b.ptr, b.len, b.fill);
                }
            }
        }
        Op::Free { pick, via } => {
            let raw = *via == Via::Raw;
            let eligible = model.eligible(|b| {
                if raw {
                    b.off.is_some()
                } else {
                    !b.is_raw_empty()
                }
            });
            let Some(i) = model.choose(&eligible, pick) else {
                return Ok(());
            };
            let block = model.blocks.remove(i);
            let is_last = block.off.is_some()
                && block.ptr.addr().get() + block.len == model.base + used_before;
            match (block.off, raw) {
                // A zero-length raw block cannot be freed: just forget it.
                (Some(_), true) if block.len == 0 => {
                    model.forgotten_allocations += 1;
                }
                (Some(off), true) => {
                    model.free(off, block.len);
                    let memory = NonNull::slice_from_raw_parts(block.ptr, block.len);
                    // SAFETY: `block` is a live, non-empty allocation of
                    // `stack` with this length and alignment; the model has
                    // dropped it, so it is not used again.
                    unsafe { stack.free(memory, block.align, Caller::here()) };
                }
                (off, _) => {
                    if let Some(off) = off {
                        model.free(off, block.len);
                    }
                    let layout =
                        Layout::from_size_align(block.len, block.align.to_bytes()).unwrap();
                    // SAFETY: `block.ptr` is a block currently allocated by
                    // `stack` that `layout` fits; the model has dropped it.
                    unsafe { Allocator::deallocate(stack, block.ptr, layout) };
                }
            }
            let used = stack.bump().used();
            if is_last {
                prop_assert_eq!(
                    used,
                    used_before - block.len,
                    "{}: freeing the last block",
                    ctx
                );
            } else {
                prop_assert_eq!(
                    used,
                    used_before,
                    "{}: freeing a block that is not the last",
                    ctx
                );
            }
        }
    }
    Ok(())
}

/// Compares the allocator with the model and checks the invariants.
fn check<S: Stack>(stack: &S, model: &Model, ctx: &Ctx<'_>) -> Result<(), TestCaseError> {
    let bump = stack.bump();
    prop_assert_eq!(bump.capacity(), model.cap, "{}: capacity", ctx);
    prop_assert_eq!(
        bump.used() + bump.remaining(),
        bump.capacity(),
        "{}: used + remaining",
        ctx
    );
    prop_assert_eq!(bump.used(), model.cur, "{}: used() against the model", ctx);

    if let Some(expected) = &model.stats {
        let s = stack.observed_stats().unwrap();
        prop_assert_eq!(&s, expected, "{}: stats against the model", ctx);
        let live: usize = model
            .blocks
            .iter()
            .filter(|b| b.off.is_some())
            .map(|b| b.len)
            .sum();
        let count = model.blocks.iter().filter(|b| b.off.is_some()).count() as u64;
        prop_assert_eq!(
            s.live_bytes,
            live + model.forgotten_bytes,
            "{}: live_bytes = live blocks",
            ctx
        );
        prop_assert_eq!(
            s.live_allocations(),
            count + model.forgotten_allocations,
            "{}: live allocations",
            ctx
        );
        prop_assert_eq!(
            s.bytes_allocated - s.bytes_freed,
            s.live_bytes as u64,
            "{}: allocated - freed",
            ctx
        );
        prop_assert!(
            s.peak_live_bytes >= s.live_bytes,
            "{}: peak below live",
            ctx
        );
    }
    if let Some(f) = &model.fail {
        let (allocations, induced, limit) = stack.observed_fail().unwrap();
        prop_assert_eq!(limit, f.limit, "{}: limit", ctx);
        prop_assert!(
            allocations <= limit,
            "{}: more allocations than the limit",
            ctx
        );
        prop_assert_eq!(
            allocations,
            f.allocations,
            "{}: Fail::allocations against the model",
            ctx
        );
        prop_assert_eq!(
            induced,
            f.induced,
            "{}: Fail::induced_failures against the model",
            ctx
        );
    }

    let mut spans = Vec::new();
    for (i, b) in model.blocks.iter().enumerate() {
        let addr = b.ptr.addr().get();
        prop_assert!(
            b.align.is_aligned(addr),
            "{}: block {} at {:#x} not aligned to {}",
            ctx,
            i,
            addr,
            b.align
        );
        let Some(off) = b.off else { continue };
        prop_assert_eq!(addr - model.base, off, "{}: block {} moved", ctx, i);
        prop_assert!(off <= model.cap, "{}: block {} outside the buffer", ctx, i);
        if b.len > 0 {
            // (A zero-length block may end up past the cursor when the block
            // before it shrinks: it has no bytes to overlap with.)
            prop_assert!(
                off + b.len <= bump.used(),
                "{}: block {} reaches past the cursor",
                ctx,
                i
            );
            prop_assert!(bump.owns(b.ptr.as_ptr()), "{}: block {} not owned", ctx, i);
            prop_assert!(
                bump.owns(b.ptr.as_ptr().wrapping_add(b.len - 1)),
                "{}: block {} end not owned",
                ctx,
                i
            );
            spans.push((off, off + b.len, i));
        }
        if let Some((at, byte)) = find_corruption(b.ptr, b.len, b.fill) {
            return Err(TestCaseError::fail(format!(
                "{ctx}: block {i} ({b:?}) byte {at} is {byte:#x}, not {:#x}",
                b.fill
            )));
        }
    }
    spans.sort_unstable();
    for pair in spans.windows(2) {
        prop_assert!(
            pair[0].1 <= pair[1].0,
            "{}: blocks {} and {} overlap",
            ctx,
            pair[0].2,
            pair[1].2
        );
    }
    Ok(())
}

/// A buffer start shifted by `skew` bytes, so that the bump sees odd
/// addresses too.
fn buffer(buf: &mut [MaybeUninit<u8>], skew: usize) -> (&mut [MaybeUninit<u8>], usize) {
    let slice = &mut buf[skew..];
    let base = slice.as_ptr().addr();
    (slice, base)
}

proptest! {
    #![proptest_config(config())]

    /// `Bump` through the raw functions and the bridge, against the model.
    #[test]
    fn bump_follows_the_model(skew in 0..8usize, ops in ops(false)) {
        let mut buf = [MaybeUninit::<u8>::uninit(); BUF];
        let (slice, base) = buffer(&mut buf, skew);
        let mut bump = Bump::new(slice);
        let mut model = Model::new(base, BUF - skew, false, None);
        model.shrinks_to_smaller_alignment_in_place = true;
        run(&mut bump, &mut model, &ops, false)?;
    }

    /// `Counting<Bump>`'s statistics through allocator-api2, against the model.
    #[test]
    fn counting_stats_follow_the_model(skew in 0..8usize, ops in ops(true)) {
        let mut buf = [MaybeUninit::<u8>::uninit(); BUF];
        let (slice, base) = buffer(&mut buf, skew);
        let mut counting = Counting::new(Bump::new(slice));
        let mut model = Model::new(base, BUF - skew, true, None);
        run(&mut counting, &mut model, &ops, true)?;
    }

    /// `Counting<Fail<Bump>>` through allocator-api2, against the model.
    #[test]
    fn counting_over_fail_follows_the_model(skew in 0..8usize, limit in 0..=40usize, ops in ops(true)) {
        let mut buf = [MaybeUninit::<u8>::uninit(); BUF];
        let (slice, base) = buffer(&mut buf, skew);
        let mut counting = Counting::new(Fail::new(Bump::new(slice), limit));
        let mut model = Model::new(base, BUF - skew, true, Some(limit));
        run(&mut counting, &mut model, &ops, true)?;
    }

    /// `Fail<Bump>`: the first `limit` successful allocations pass, later
    /// allocations and grows fail, shrinks and frees work.
    #[test]
    fn fail_follows_the_model(skew in 0..8usize, limit in 0..=40usize, ops in ops(false)) {
        let mut buf = [MaybeUninit::<u8>::uninit(); BUF];
        let (slice, base) = buffer(&mut buf, skew);
        let mut fail = Fail::new(Bump::new(slice), limit);
        let mut model = Model::new(base, BUF - skew, false, Some(limit));
        run(&mut fail, &mut model, &ops, false)?;
    }
}
