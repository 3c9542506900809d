//! Model-based property test of `Arena`: random sequences of allocate,
//! grow, shrink, free (of any live block), reset and scopes (each with a
//! nested random sequence, possibly with scopes of its own), run through
//! allocator-api2 on `&Arena` (so every move goes through the real bridge)
//! next to a model that knows every live block.
//!
//! After every step: each live block is aligned, inside memory the arena
//! owns (`owns` of its first and last byte), disjoint from every other live
//! block, and still holds its own fill byte (so an overlap, a stray write or
//! a move that lost bytes shows up); `stats()` is consistent (a chunk once
//! anything is allocated, `allocated_bytes >= capacity >= used`, `used`
//! covers the live blocks) and agrees with what the parent, a `Counting`,
//! saw: its live bytes are the arena's
//! `allocated_bytes_including_metadata`, its live
//! allocations the arena's chunks. A reset leaves one chunk or none and
//! nothing used; closing a scope gives back exactly what the scope used and
//! leaves the blocks from before it intact. Dropping the arena frees every
//! chunk.

use alloc_runtime::{Arena, Counting, Global, RawAlloc, Scope};
use allocator_api2::alloc::Allocator;
use core::alloc::Layout;
use core::ptr::NonNull;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{RngAlgorithm, TestCaseError};

/// The longest top-level operation sequence; Miri is some thousand times
/// slower.
const MAX_OPS: usize = if cfg!(miri) { 24 } else { 80 };

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 256 },
        // Persistence files cannot be written under Miri's isolation.
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

#[derive(Clone, Debug)]
enum Op {
    /// `allocate(len, 1 << align_log2)`.
    Alloc { len: usize, align_log2: u32 },
    /// `grow` a live block of this level by `by` bytes, to its own
    /// alignment or to `1 << log2`.
    Grow {
        pick: Index,
        by: usize,
        align_log2: Option<u32>,
    },
    /// `shrink` a live block of this level to `keep.index(len + 1)` bytes.
    Shrink { pick: Index, keep: Index },
    /// `deallocate` a live block of this level (any of them, not only the
    /// most recent).
    Free { pick: Index },
    /// `reset` (top level only: a scope has no `&mut Arena`); the model
    /// forgets every block first.
    Reset,
    /// Runs the operations in a scope, then closes it.
    Scope(Vec<Op>),
}

/// Mostly small lengths, sometimes one far beyond a first chunk.
fn len_strategy() -> impl Strategy<Value = usize> {
    prop_oneof![20 => 0..=300usize, 1 => 5_000..=70_000usize]
}

fn align_strategy() -> impl Strategy<Value = u32> {
    prop_oneof![6 => 0..=3u32, 2 => 4..=12u32]
}

fn flat_op() -> BoxedStrategy<Op> {
    let alloc = (len_strategy(), align_strategy())
        .prop_map(|(len, align_log2)| Op::Alloc { len, align_log2 });
    let by = prop_oneof![10 => 1..=300usize, 1 => 5_000..=70_000usize];
    let grow = (
        any::<Index>(),
        by,
        prop::option::weighted(0.25, align_strategy()),
    )
        .prop_map(|(pick, by, align_log2)| Op::Grow {
            pick,
            by,
            align_log2,
        });
    let shrink =
        (any::<Index>(), any::<Index>()).prop_map(|(pick, keep)| Op::Shrink { pick, keep });
    let free = any::<Index>().prop_map(|pick| Op::Free { pick });
    prop_oneof![
        10 => alloc,
        4 => grow,
        3 => shrink,
        5 => free,
        1 => Just(Op::Reset),
    ]
    .boxed()
}

fn op_strategy() -> impl Strategy<Value = Op> {
    flat_op().prop_recursive(3, 64, 12, |inner| {
        prop_oneof![
            12 => flat_op(),
            1 => prop::collection::vec(inner, 0..=12).prop_map(Op::Scope),
        ]
    })
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op_strategy(), 1..=MAX_OPS)
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

/// A live block as the model knows it.
#[derive(Clone, Copy, Debug)]
struct Block {
    /// The pointer the arena returned (the only way to reach the memory).
    ptr: NonNull<u8>,
    /// The requested size (the layout's, which `deallocate` gets back).
    len: usize,
    align: usize,
    /// Every byte of the block holds this.
    fill: u8,
    /// The scope depth it was allocated at (0: the arena itself).
    depth: usize,
}

impl Block {
    fn layout(&self) -> Layout {
        Layout::from_size_align(self.len, self.align).unwrap()
    }
}

#[derive(Debug, Default)]
struct Model {
    blocks: Vec<Block>,
    next_fill: u8,
}

impl Model {
    fn fill(&mut self) -> u8 {
        self.next_fill = self.next_fill.wrapping_add(0x35);
        if self.next_fill == 0 {
            self.next_fill = 0x35;
        }
        self.next_fill
    }

    /// The index (in `blocks`) of the block `pick` selects among those of
    /// scope depth `depth`.
    fn pick(&self, pick: &Index, depth: usize) -> Option<usize> {
        let eligible: Vec<usize> = (0..self.blocks.len())
            .filter(|&i| self.blocks[i].depth == depth)
            .collect();
        (!eligible.is_empty()).then(|| eligible[pick.index(eligible.len())])
    }
}

/// Writes `fill` into `len` bytes at `ptr`.
fn write_fill(ptr: NonNull<u8>, len: usize, fill: u8) {
    // SAFETY: the caller passes memory the arena handed out with at least
    // `len` bytes, live and not shared with any other block.
    unsafe { ptr.as_ptr().write_bytes(fill, len) };
}

/// The first of `len` bytes at `ptr` that is not `fill`, with its offset.
fn find_corruption(ptr: NonNull<u8>, len: usize, fill: u8) -> Option<(usize, u8)> {
    if len == 0 {
        return None;
    }
    // SAFETY: a live block of `len` initialized bytes (written by
    // `write_fill`); nothing writes to it while the slice is alive.
    let bytes = unsafe { core::slice::from_raw_parts(ptr.as_ptr(), len) };
    // Compared a page at a time (`==` on byte slices is one `memcmp`, which
    // Miri runs natively), then searched byte by byte only on a mismatch.
    let pattern = [fill; 4096];
    for (k, part) in bytes.chunks(4096).enumerate() {
        if part != &pattern[..part.len()] {
            let at = part.iter().position(|&b| b != fill).unwrap();
            return Some((k * 4096 + at, part[at]));
        }
    }
    None
}

// ---------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------

/// Runs one operation that works the same at every level (allocate, grow,
/// shrink, free) on `arena`: the arena, a scope (its own allocator-api2
/// impl) or the arena a scope derefs to.
fn step<X: Allocator>(
    arena: &X,
    model: &mut Model,
    op: &Op,
    depth: usize,
) -> Result<(), TestCaseError> {
    match op {
        Op::Alloc { len, align_log2 } => {
            let layout = Layout::from_size_align(*len, 1 << align_log2).unwrap();
            let got = arena.allocate(layout);
            prop_assert!(got.is_ok(), "allocate({:?}) refused", layout);
            let got = got.unwrap();
            prop_assert!(
                got.len() >= *len,
                "allocate({:?}) gave {} bytes",
                layout,
                got.len()
            );
            let fill = model.fill();
            let ptr = got.cast::<u8>();
            write_fill(ptr, *len, fill);
            model.blocks.push(Block {
                ptr,
                len: *len,
                align: layout.align(),
                fill,
                depth,
            });
        }
        Op::Grow {
            pick,
            by,
            align_log2,
        } => {
            let Some(i) = model.pick(pick, depth) else {
                return Ok(());
            };
            let old = model.blocks[i];
            let new_align = align_log2.map_or(old.align, |log2| 1 << log2);
            let new_layout = Layout::from_size_align(old.len + by, new_align).unwrap();
            // SAFETY: `old` is live, allocated by this arena (or by the
            // scope it derefs to, at this depth) with `old.layout()`; the
            // new size is larger.
            let got = unsafe { arena.grow(old.ptr, old.layout(), new_layout) };
            prop_assert!(got.is_ok(), "grow({:?} -> {:?}) refused", old, new_layout);
            let got = got.unwrap();
            prop_assert!(got.len() >= new_layout.size());
            let ptr = got.cast::<u8>();
            if let Some((at, byte)) = find_corruption(ptr, old.len, old.fill) {
                return Err(TestCaseError::fail(format!(
                    "grow({old:?} -> {new_layout:?}) to {ptr:?}: byte {at} is {byte:#x}, not {:#x}",
                    old.fill
                )));
            }
            // SAFETY: within the `new_layout.size()` bytes of the block.
            write_fill(
                unsafe { ptr.add(old.len) },
                new_layout.size() - old.len,
                old.fill,
            );
            model.blocks[i] = Block {
                ptr,
                len: new_layout.size(),
                align: new_align,
                ..old
            };
        }
        Op::Shrink { pick, keep } => {
            let Some(i) = model.pick(pick, depth) else {
                return Ok(());
            };
            let old = model.blocks[i];
            let new_layout = Layout::from_size_align(keep.index(old.len + 1), old.align).unwrap();
            // SAFETY: `old` is live, from this arena with `old.layout()`;
            // the new size is not larger.
            let got = unsafe { arena.shrink(old.ptr, old.layout(), new_layout) };
            prop_assert!(got.is_ok(), "shrink({:?} -> {:?}) refused", old, new_layout);
            let got = got.unwrap();
            prop_assert!(got.len() >= new_layout.size());
            let ptr = got.cast::<u8>();
            if let Some((at, byte)) = find_corruption(ptr, new_layout.size(), old.fill) {
                return Err(TestCaseError::fail(format!(
                    "shrink({old:?} -> {new_layout:?}) to {ptr:?}: byte {at} is {byte:#x}, not {:#x}",
                    old.fill
                )));
            }
            model.blocks[i] = Block {
                ptr,
                len: new_layout.size(),
                ..old
            };
        }
        Op::Free { pick } => {
            let Some(i) = model.pick(pick, depth) else {
                return Ok(());
            };
            let old = model.blocks.remove(i);
            // SAFETY: `old` is live, from this arena with `old.layout()`,
            // and forgotten by the model.
            unsafe { arena.deallocate(old.ptr, old.layout()) };
        }
        Op::Reset | Op::Scope(_) => unreachable!("handled by the level"),
    }
    Ok(())
}

/// Compares the arena with the model and checks the invariants.
fn check<P: RawAlloc>(
    arena: &Arena<P>,
    model: &Model,
    parent: Option<&Counting<Global>>,
    ctx: &str,
) -> Result<(), TestCaseError> {
    let s = arena.stats();
    let mut spans = Vec::new();
    let mut live = 0;
    for (i, b) in model.blocks.iter().enumerate() {
        let addr = b.ptr.addr().get();
        prop_assert!(
            addr % b.align == 0,
            "{}: block {} {:?} not aligned",
            ctx,
            i,
            b
        );
        if b.len == 0 {
            continue;
        }
        live += b.len;
        prop_assert!(
            arena.owns(b.ptr.as_ptr()),
            "{}: block {} {:?} not owned",
            ctx,
            i,
            b
        );
        prop_assert!(
            arena.owns(b.ptr.as_ptr().wrapping_add(b.len - 1)),
            "{}: last byte of block {} {:?} not owned",
            ctx,
            i,
            b
        );
        spans.push((addr, addr + b.len, i));
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

    if live > 0 {
        prop_assert!(s.chunks > 0, "{}: live blocks but no chunk: {:?}", ctx, s);
    }
    prop_assert!(
        s.allocated_bytes >= s.capacity,
        "{}: allocated_bytes below capacity: {:?}",
        ctx,
        s
    );
    prop_assert!(
        s.capacity >= s.used,
        "{}: capacity below used: {:?}",
        ctx,
        s
    );
    prop_assert!(
        s.capacity >= s.remaining,
        "{}: capacity below remaining: {:?}",
        ctx,
        s
    );
    prop_assert!(
        s.used >= live,
        "{}: used ({}) below the live blocks' bytes ({})",
        ctx,
        s.used,
        live
    );
    prop_assert_eq!(
        arena.allocated_bytes(),
        s.allocated_bytes,
        "{}: allocated_bytes()",
        ctx
    );
    prop_assert_eq!(
        arena.chunk_capacity(),
        s.remaining,
        "{}: chunk_capacity()",
        ctx
    );
    if let Some(parent) = parent {
        let p = parent.stats();
        prop_assert_eq!(
            p.live_bytes,
            s.allocated_bytes_including_metadata,
            "{}: the parent's live bytes are the arena's allocated_bytes_including_metadata",
            ctx
        );
        prop_assert_eq!(
            p.live_allocations(),
            s.chunks as u64,
            "{}: the parent's live allocations are the arena's chunks",
            ctx
        );
    }
    Ok(())
}

/// Runs `ops` in a scope at depth `depth`, nesting further scopes.
fn run_scope<P: RawAlloc>(
    scope: &mut Scope<'_, P>,
    model: &mut Model,
    ops: &[Op],
    depth: usize,
    parent: Option<&Counting<Global>>,
) -> Result<(), TestCaseError> {
    for (k, op) in ops.iter().enumerate() {
        let ctx = format!("depth {depth}, op {k} {op:?}");
        match op {
            // A scope cannot reset the arena.
            Op::Reset => {}
            Op::Scope(inner) => {
                let used_before = scope.stats().used;
                scope.scope(|mut s| run_scope(&mut s, model, inner, depth + 1, parent))?;
                model.blocks.retain(|b| b.depth <= depth);
                prop_assert_eq!(
                    scope.stats().used,
                    used_before,
                    "{}: closing the scope gives back what it used",
                    ctx
                );
            }
            // Odd depths through the scope's own allocator-api2 impl, even
            // ones through the arena it derefs to.
            other if depth % 2 == 1 => step(&*scope, model, other, depth)?,
            other => step::<Arena<P>>(scope, model, other, depth)?,
        }
        check(scope, model, parent, &ctx)?;
    }
    Ok(())
}

/// Runs `ops` on the arena itself.
fn run<P: RawAlloc>(
    arena: &mut Arena<P>,
    model: &mut Model,
    ops: &[Op],
    parent: Option<&Counting<Global>>,
) -> Result<(), TestCaseError> {
    for (k, op) in ops.iter().enumerate() {
        let ctx = format!("top, op {k} {op:?}");
        match op {
            Op::Reset => {
                let before = arena.stats();
                model.blocks.clear();
                arena.reset();
                let after = arena.stats();
                prop_assert!(after.chunks <= 1, "{}: reset kept {:?}", ctx, after);
                prop_assert_eq!(after.used, 0, "{}: used after reset", ctx);
                prop_assert!(
                    after.allocated_bytes <= before.allocated_bytes,
                    "{}: reset took memory: {:?} -> {:?}",
                    ctx,
                    before,
                    after
                );
                if before.chunks > 0 {
                    prop_assert_eq!(after.chunks, 1, "{}: reset keeps one chunk", ctx);
                }
            }
            Op::Scope(inner) => {
                let used_before = arena.stats().used;
                arena.scope(|mut s| run_scope(&mut s, model, inner, 1, parent))?;
                model.blocks.retain(|b| b.depth == 0);
                prop_assert_eq!(
                    arena.stats().used,
                    used_before,
                    "{}: closing the scope gives back what it used",
                    ctx
                );
            }
            other => step::<Arena<P>>(arena, model, other, 0)?,
        }
        check(arena, model, parent, &ctx)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// An arena over a counting global allocator, empty or with a first
    /// chunk, follows the model; dropped, it frees every chunk.
    #[test]
    fn arena_follows_the_model(
        capacity in prop::option::of(0..=5_000usize),
        ops in ops(),
    ) {
        let counting = Counting::new(Global);
        let mut arena = match capacity {
            Some(n) => Arena::with_capacity_in(n, &counting),
            None => Arena::new_in(&counting),
        };
        let mut model = Model::default();
        check(&arena, &model, Some(&counting), "new")?;
        run(&mut arena, &mut model, &ops, Some(&counting))?;
        drop(arena);
        let s = counting.stats();
        prop_assert_eq!(s.live_bytes, 0, "chunks left after drop: {}", s);
        prop_assert_eq!(s.allocations, s.frees, "chunks left after drop: {}", s);
    }
}
