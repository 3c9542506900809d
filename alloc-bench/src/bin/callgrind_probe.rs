//! Instruction-count probe for `benches/callgrind.sh`: makes `N` calls of
//! one allocator-api2 operation on one allocator, each call through an
//! `#[inline(never)]` function with its own name (`probe_<allocator>_<op>`),
//! so that callgrind's inclusive count of that function divided by `N` is
//! the cost of one operation, call and return included.
//!
//! ```text
//! callgrind_probe <ALLOCATOR> <OP> [N=10000] [SIZE=24] [ALIGN=8]
//! ```
//!
//! `ALLOCATOR` is one of
//!
//! - `bump`: alloc-runtime's `Bump`, through `&Bump`;
//! - `arena`: alloc-runtime's growing `Arena` (over the global allocator),
//!   made with `Arena::with_capacity` big enough for all `N` operations, so
//!   every call takes the warm path, through `&Arena`;
//! - `bumpalo`: `bumpalo::Bump`, through `&bumpalo::Bump`;
//! - `bump-scope`: `bump_scope::Bump` (default settings), through `&Bump`;
//! - `stack`: `Counting<Fail<Bump>>` (no failure limit);
//! - `handle`: the type-erased `Handle` of a `Bump` (`bump.allocator()`);
//! - `std`: the global allocator (allocator-api2's `Global`);
//!
//! and the composition blocks of issue 10, each over `Bump` (its parent),
//! to compare with `bump`:
//!
//! - `segregator`: `Segregator<64, Bump, Bump>` (`SIZE` up to 64 goes to
//!   the first);
//! - `fallback`: `Fallback<Bump, Null>` (the primary always has room);
//! - `free-list`: `FreeList<Bump, 17, 32>`; for `allocate`, `N` blocks are
//!   allocated and freed first (outside the probe), so every probed
//!   `allocate` is a hit (a block taken off the list; the program checks
//!   the list is empty at the end); `SIZE` must be in 17..=32;
//! - `size-classes`: `SizeClasses<Bump>` (classes of 16, 32, ..., 256
//!   bytes), hits as for `free-list`; `SIZE` up to 256;
//! - `limit`: `Limit<Bump>` with a budget of `usize::MAX`;
//! - `composed`: the small-object allocator
//!   `Segregator<256, SizeClasses<Arena<Global>>, Global>`, hits as for
//!   `free-list`.
//!
//! and `OP` one of
//!
//! - `allocate`: `allocate(Layout { SIZE, ALIGN })`;
//! - `grow`: `grow` of the block just allocated (the last one, which an
//!   arena can grow in place) from `SIZE` to `2 * SIZE` bytes, same
//!   alignment; the program prints how many grows kept their address;
//! - `deallocate`: `deallocate` of the block just allocated (which an arena
//!   takes back);
//! - `allocate_const`: `allocate(Layout::new::<[u64; 3]>())`, a layout known
//!   at compile time (24 bytes, alignment 8, whatever `SIZE` and `ALIGN`
//!   say), as `Box::new_in` and the typed API have it; only for `bump`,
//!   `arena`, `bumpalo` and `bump-scope`;
//! - `alloc_str`: the typed API's `alloc_str` of a string of `SIZE` bytes
//!   (the copy, a `memcpy` call, included); only for `bump`, `arena`,
//!   `bumpalo` and `bump-scope`.
//!
//! For `grow` and `deallocate`, the block is allocated just before, through
//! the `allocate` probe, which callgrind counts apart. The layout comes from the command line through
//! `black_box`, so the probes are compiled for a size and alignment unknown
//! at compile time. The arenas get a buffer big enough for all `N`
//! operations; the program fails if any allocation does.

use std::alloc::Layout;
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::process::ExitCode;
use std::ptr::NonNull;

use alloc_runtime::{
    Arena, Bump, Counting, Fail, Fallback, FreeList, Global as RtGlobal, Handle, Limit, Null,
    Segregator, SizeClasses,
};
use allocator_api2::alloc::{AllocError, Allocator, Global};

// The probes are `#[unsafe(no_mangle)] pub`: an exported symbol keeps its
// signature, so LLVM cannot pass the allocator's fields in registers instead
// of `&A` (argument promotion) or specialize the probe for its one caller;
// each probe counts everything from `&A` and its arguments to the result.
// The names are unique in the program (nothing else defines `probe_*`),
// which is what `no_mangle` asks of us.

/// Defines the three probes of one allocator type.
macro_rules! probes {
    ($ty:ty, $allocate:ident, $grow:ident, $deallocate:ident) => {
        /// One `allocate`.
        #[inline(never)]
        #[unsafe(no_mangle)]
        pub fn $allocate(a: &$ty, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
            (&a).allocate(layout)
        }

        /// One `grow`.
        ///
        /// # Safety
        ///
        /// As `Allocator::grow`: `ptr` is a live block of `a` with layout
        /// `old`, and `new.size() >= old.size()`.
        #[inline(never)]
        #[unsafe(no_mangle)]
        pub unsafe fn $grow(
            a: &$ty,
            ptr: NonNull<u8>,
            old: Layout,
            new: Layout,
        ) -> Result<NonNull<[u8]>, AllocError> {
            // SAFETY: the caller's contract, which is `grow`'s.
            unsafe { (&a).grow(ptr, old, new) }
        }

        /// One `deallocate`.
        ///
        /// # Safety
        ///
        /// As `Allocator::deallocate`: `ptr` is a live block of `a` with
        /// layout `layout`, not used again.
        #[inline(never)]
        #[unsafe(no_mangle)]
        pub unsafe fn $deallocate(a: &$ty, ptr: NonNull<u8>, layout: Layout) {
            // SAFETY: the caller's contract, which is `deallocate`'s.
            unsafe { (&a).deallocate(ptr, layout) }
        }
    };
}

/// The layout of the `allocate_const` probes.
type Const = [u64; 3];

/// Defines the `allocate_const` and `alloc_str` probes of one arena type;
/// `$copy` is its `alloc_str` as a closure.
macro_rules! arena_probes {
    ($ty:ty, $allocate_const:ident, $alloc_str:ident, $copy:expr) => {
        /// One `allocate` of a layout known at compile time.
        #[inline(never)]
        #[unsafe(no_mangle)]
        pub fn $allocate_const(a: &$ty) -> Result<NonNull<[u8]>, AllocError> {
            (&a).allocate(Layout::new::<Const>())
        }

        /// One `alloc_str` of the typed API.
        #[inline(never)]
        #[unsafe(no_mangle)]
        pub fn $alloc_str<'a>(a: &'a $ty, s: &str) -> &'a mut str {
            let copy: fn(&'a $ty, &str) -> &'a mut str = $copy;
            copy(a, s)
        }
    };
}

arena_probes!(
    Bump<'_>,
    probe_bump_allocate_const,
    probe_bump_alloc_str,
    |a, s| a.alloc_str(s)
);
arena_probes!(
    Arena,
    probe_arena_allocate_const,
    probe_arena_alloc_str,
    |a, s| a.alloc_str(s)
);
arena_probes!(
    bumpalo::Bump,
    probe_bumpalo_allocate_const,
    probe_bumpalo_alloc_str,
    |a, s| a.alloc_str(s)
);
arena_probes!(
    bump_scope::Bump,
    probe_bump_scope_allocate_const,
    probe_bump_scope_alloc_str,
    |a, s| a.alloc_str(s).into_mut()
);

probes!(
    Arena,
    probe_arena_allocate,
    probe_arena_grow,
    probe_arena_deallocate
);
probes!(
    Bump<'_>,
    probe_bump_allocate,
    probe_bump_grow,
    probe_bump_deallocate
);
probes!(
    bumpalo::Bump,
    probe_bumpalo_allocate,
    probe_bumpalo_grow,
    probe_bumpalo_deallocate
);
probes!(
    bump_scope::Bump,
    probe_bump_scope_allocate,
    probe_bump_scope_grow,
    probe_bump_scope_deallocate
);
probes!(
    Counting<Fail<Bump<'_>>>,
    probe_stack_allocate,
    probe_stack_grow,
    probe_stack_deallocate
);
probes!(
    Handle<'_>,
    probe_handle_allocate,
    probe_handle_grow,
    probe_handle_deallocate
);
probes!(
    Global,
    probe_std_allocate,
    probe_std_grow,
    probe_std_deallocate
);

probes!(
    Segregator<64, Bump<'_>, Bump<'_>>,
    probe_segregator_allocate,
    probe_segregator_grow,
    probe_segregator_deallocate
);
probes!(
    Fallback<Bump<'_>, Null>,
    probe_fallback_allocate,
    probe_fallback_grow,
    probe_fallback_deallocate
);
probes!(
    FreeList<Bump<'_>, 17, 32>,
    probe_free_list_allocate,
    probe_free_list_grow,
    probe_free_list_deallocate
);
probes!(
    SizeClasses<Bump<'_>>,
    probe_size_classes_allocate,
    probe_size_classes_grow,
    probe_size_classes_deallocate
);
probes!(
    Limit<Bump<'_>>,
    probe_limit_allocate,
    probe_limit_grow,
    probe_limit_deallocate
);
probes!(
    Segregator<256, SizeClasses<Arena<RtGlobal>>, RtGlobal>,
    probe_composed_allocate,
    probe_composed_grow,
    probe_composed_deallocate
);

/// Allocates `n` blocks of `layout` from `a` and frees them all, so that a
/// recycling allocator keeps them for the probed calls; `a` is reached
/// directly, not through the probes, so callgrind does not count this.
fn prefill<A: Allocator>(a: &A, layout: Layout, n: usize) -> Result<(), String> {
    let blocks = (0..n)
        .map(|_| a.allocate(layout).map(NonNull::cast::<u8>))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "the prefill failed: make N smaller")?;
    for block in blocks {
        // SAFETY: `block` was allocated from `a` with `layout` above and is
        // not used again.
        unsafe { a.deallocate(block, layout) };
    }
    Ok(())
}

/// Checks what a recycling allocator keeps after `op`: nothing after the
/// `allocate` run (every probed call took a block off the list), one block
/// after the `deallocate` run (each free was kept, each allocation after
/// the first took it back).
fn check_kept(kept: usize, op: Op) -> Result<(), String> {
    match (op, kept) {
        (Op::Allocate, 0) | (Op::Deallocate, 1) | (Op::Grow, _) => Ok(()),
        (Op::Allocate | Op::Deallocate, k) => Err(format!(
            "the free list keeps {k} blocks after the run: some calls missed it (is SIZE in the list's range?)"
        )),
        (Op::AllocateConst | Op::AllocStr, _) => unreachable!("no such probes"),
    }
}

/// The operation a run measures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Allocate,
    Grow,
    Deallocate,
    AllocateConst,
    AllocStr,
}

/// What `allocate` and `grow` return.
type Block = Result<NonNull<[u8]>, AllocError>;

/// The probes of one allocator.
struct Probes<A: ?Sized> {
    allocate: fn(&A, Layout) -> Block,
    grow: unsafe fn(&A, NonNull<u8>, Layout, Layout) -> Block,
    deallocate: unsafe fn(&A, NonNull<u8>, Layout),
    arena: Option<ArenaProbes<A>>,
}

/// The probes only the arenas have.
struct ArenaProbes<A: ?Sized> {
    allocate_const: fn(&A) -> Block,
    alloc_str: for<'a> fn(&'a A, &str) -> &'a mut str,
}

/// What a run did: failed allocations, and grows that kept their address.
struct Outcome {
    failures: usize,
    in_place: usize,
}

/// Makes `n` calls of `op`'s probe on `a` with the same (opaque) layouts.
///
/// # Errors
///
/// `op` is `allocate_const` or `alloc_str` and the allocator is not one of
/// the arenas.
fn drive<A: ?Sized>(
    n: usize,
    a: &A,
    op: Op,
    layout: Layout,
    probes: &Probes<A>,
) -> Result<Outcome, String> {
    let arena = match (op, &probes.arena) {
        (Op::AllocateConst | Op::AllocStr, None) => {
            return Err(
                "allocate_const and alloc_str have probes for bump, arena, bumpalo and bump-scope only: write one of those"
                    .into(),
            );
        }
        (_, arena) => arena.as_ref(),
    };
    let text = "x".repeat(layout.size());
    let grown = Layout::from_size_align(layout.size() * 2, layout.align()).expect("checked in run");
    let mut outcome = Outcome {
        failures: 0,
        in_place: 0,
    };
    for _ in 0..n {
        let result = match op {
            Op::Allocate => (probes.allocate)(black_box(a), black_box(layout)),
            Op::AllocateConst => match arena {
                Some(arena) => (arena.allocate_const)(black_box(a)),
                None => unreachable!("checked before the loop"),
            },
            Op::AllocStr => match arena {
                Some(arena) => {
                    let copy = (arena.alloc_str)(black_box(a), black_box(&text));
                    let len = copy.len();
                    Ok(NonNull::slice_from_raw_parts(
                        NonNull::from(copy).cast(),
                        len,
                    ))
                }
                None => unreachable!("checked before the loop"),
            },
            Op::Grow => (probes.allocate)(a, layout).and_then(|block| {
                let block = block.cast::<u8>();
                // SAFETY: `block` was just allocated from `a` with `layout`,
                // and `grown` is at least as large. The grown block is
                // leaked (an arena's bytes come back with the buffer).
                let new = unsafe { (probes.grow)(black_box(a), black_box(block), layout, grown) };
                if new.is_ok_and(|new| new.cast::<u8>() == block) {
                    outcome.in_place += 1;
                }
                new
            }),
            Op::Deallocate => (probes.allocate)(a, layout).inspect(|block| {
                // SAFETY: `block` was just allocated from `a` with `layout`
                // and is not used again (only its address is passed on).
                unsafe { (probes.deallocate)(black_box(a), black_box(block.cast()), layout) };
            }),
        };
        match result {
            Ok(block) => {
                black_box(block);
            }
            Err(AllocError) => outcome.failures += 1,
        }
    }
    Ok(outcome)
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> Result<T, String> {
    args.get(i).map_or(Ok(default), |s| {
        s.parse()
            .map_err(|_| format!("bad argument {s:?}: write a non-negative integer"))
    })
}

fn run(args: &[String]) -> Result<String, String> {
    let which = args.first().ok_or("missing allocator")?.as_str();
    let op = match args.get(1).map(String::as_str) {
        Some("allocate") => Op::Allocate,
        Some("grow") => Op::Grow,
        Some("deallocate") => Op::Deallocate,
        Some("allocate_const") => Op::AllocateConst,
        Some("alloc_str") => Op::AllocStr,
        Some(other) => {
            return Err(format!(
                "unknown operation {other:?}: write allocate, grow, deallocate, allocate_const or alloc_str"
            ));
        }
        None => return Err("missing operation".into()),
    };
    let n: usize = arg(args, 2, 10_000)?;
    let size: usize = arg(args, 3, 24)?;
    let align: usize = arg(args, 4, 8)?;
    let layout = black_box(Layout::from_size_align(size, align).map_err(|e| e.to_string())?);
    size.checked_mul(2)
        .and_then(|s| Layout::from_size_align(s, align).ok())
        .ok_or("2 * SIZE is too large for a layout")?;
    // Room for every allocation, grown, and its worst-case padding.
    let bytes = n
        .checked_mul((2 * size).max(size_of::<Const>()) + align)
        .and_then(|b| b.checked_add(4096))
        .ok_or("N * (2 * SIZE + ALIGN) overflows")?;
    let outcome = match which {
        "bump" => {
            let mut buf = vec![MaybeUninit::uninit(); bytes];
            let bump = Bump::new(&mut buf);
            let probes = Probes {
                allocate: probe_bump_allocate,
                grow: probe_bump_grow,
                deallocate: probe_bump_deallocate,
                arena: Some(ArenaProbes {
                    allocate_const: probe_bump_allocate_const,
                    alloc_str: probe_bump_alloc_str,
                }),
            };
            drive(n, &bump, op, layout, &probes)?
        }
        "arena" => {
            let arena = Arena::with_capacity(bytes);
            let probes = Probes {
                allocate: probe_arena_allocate,
                grow: probe_arena_grow,
                deallocate: probe_arena_deallocate,
                arena: Some(ArenaProbes {
                    allocate_const: probe_arena_allocate_const,
                    alloc_str: probe_arena_alloc_str,
                }),
            };
            let outcome = drive(n, &arena, op, layout, &probes)?;
            // Every call took the warm path: the arena never grew.
            assert_eq!(arena.stats().chunks, 1, "the arena grew");
            outcome
        }
        "bumpalo" => {
            let bump = bumpalo::Bump::with_capacity(bytes);
            let probes = Probes {
                allocate: probe_bumpalo_allocate,
                grow: probe_bumpalo_grow,
                deallocate: probe_bumpalo_deallocate,
                arena: Some(ArenaProbes {
                    allocate_const: probe_bumpalo_allocate_const,
                    alloc_str: probe_bumpalo_alloc_str,
                }),
            };
            drive(n, &bump, op, layout, &probes)?
        }
        "bump-scope" => {
            let bump = bump_scope::Bump::<bump_scope::alloc::Global>::with_size(bytes);
            let probes = Probes {
                allocate: probe_bump_scope_allocate,
                grow: probe_bump_scope_grow,
                deallocate: probe_bump_scope_deallocate,
                arena: Some(ArenaProbes {
                    allocate_const: probe_bump_scope_allocate_const,
                    alloc_str: probe_bump_scope_alloc_str,
                }),
            };
            drive(n, &bump, op, layout, &probes)?
        }
        "stack" => {
            let mut buf = vec![MaybeUninit::uninit(); bytes];
            let stack = Counting::new(Fail::new(Bump::new(&mut buf), usize::MAX));
            let probes = Probes {
                allocate: probe_stack_allocate,
                grow: probe_stack_grow,
                deallocate: probe_stack_deallocate,
                arena: None,
            };
            let outcome = drive(n, &stack, op, layout, &probes)?;
            assert_eq!(stack.stats().allocations, (n - outcome.failures) as u64);
            outcome
        }
        "handle" => {
            let mut buf = vec![MaybeUninit::uninit(); bytes];
            let bump = Bump::new(&mut buf);
            let probes = Probes {
                allocate: probe_handle_allocate,
                grow: probe_handle_grow,
                deallocate: probe_handle_deallocate,
                arena: None,
            };
            drive(n, &bump.allocator(), op, layout, &probes)?
        }
        // The blocks of `allocate` and `grow` are leaked: freeing them is
        // not what is measured.
        "std" => {
            let probes = Probes {
                allocate: probe_std_allocate,
                grow: probe_std_grow,
                deallocate: probe_std_deallocate,
                arena: None,
            };
            drive(n, &Global, op, layout, &probes)?
        }
        "segregator" => {
            let (mut small, mut large) = (
                vec![MaybeUninit::uninit(); bytes],
                vec![MaybeUninit::uninit(); bytes],
            );
            let seg = Segregator::<64, _, _>::new(Bump::new(&mut small), Bump::new(&mut large));
            let probes = Probes {
                allocate: probe_segregator_allocate,
                grow: probe_segregator_grow,
                deallocate: probe_segregator_deallocate,
                arena: None,
            };
            drive(n, &seg, op, layout, &probes)?
        }
        "fallback" => {
            let mut buf = vec![MaybeUninit::uninit(); bytes];
            let fallback = Fallback::new(Bump::new(&mut buf), Null);
            let probes = Probes {
                allocate: probe_fallback_allocate,
                grow: probe_fallback_grow,
                deallocate: probe_fallback_deallocate,
                arena: None,
            };
            drive(n, &fallback, op, layout, &probes)?
        }
        "free-list" => {
            if !(17..=32).contains(&size) {
                return Err("free-list recycles sizes 17..=32: write a SIZE in that range".into());
            }
            let mut buf = vec![MaybeUninit::uninit(); bytes];
            let list = FreeList::<_, 17, 32>::new(Bump::new(&mut buf));
            let probes = Probes {
                allocate: probe_free_list_allocate,
                grow: probe_free_list_grow,
                deallocate: probe_free_list_deallocate,
                arena: None,
            };
            if op == Op::Allocate {
                prefill(&list, layout, n)?;
            }
            let outcome = drive(n, &list, op, layout, &probes)?;
            check_kept(list.kept(), op)?;
            outcome
        }
        "size-classes" => {
            if !(1..=256).contains(&size) {
                return Err(
                    "size-classes recycles sizes 1..=256: write a SIZE in that range".into(),
                );
            }
            let mut buf = vec![MaybeUninit::uninit(); bytes];
            let classes = SizeClasses::<_>::new(Bump::new(&mut buf));
            let probes = Probes {
                allocate: probe_size_classes_allocate,
                grow: probe_size_classes_grow,
                deallocate: probe_size_classes_deallocate,
                arena: None,
            };
            if op == Op::Allocate {
                prefill(&classes, layout, n)?;
            }
            let outcome = drive(n, &classes, op, layout, &probes)?;
            check_kept(classes.kept(), op)?;
            outcome
        }
        "limit" => {
            let mut buf = vec![MaybeUninit::uninit(); bytes];
            let limit = Limit::new(Bump::new(&mut buf), usize::MAX);
            let probes = Probes {
                allocate: probe_limit_allocate,
                grow: probe_limit_grow,
                deallocate: probe_limit_deallocate,
                arena: None,
            };
            drive(n, &limit, op, layout, &probes)?
        }
        "composed" => {
            if !(1..=256).contains(&size) {
                return Err("composed recycles sizes 1..=256: write a SIZE in that range".into());
            }
            let composed = Segregator::<256, _, _>::new(SizeClasses::new(Arena::new()), RtGlobal);
            let probes = Probes {
                allocate: probe_composed_allocate,
                grow: probe_composed_grow,
                deallocate: probe_composed_deallocate,
                arena: None,
            };
            if op == Op::Allocate {
                prefill(&composed, layout, n)?;
            }
            let outcome = drive(n, &composed, op, layout, &probes)?;
            check_kept(composed.small().kept(), op)?;
            outcome
        }
        other => {
            return Err(format!(
                "unknown allocator {other:?}: write bump, arena, bumpalo, bump-scope, stack, handle, std, segregator, fallback, free-list, size-classes, limit or composed"
            ));
        }
    };
    if outcome.failures != 0 {
        return Err(format!("{} of {n} allocations failed", outcome.failures));
    }
    Ok(match op {
        Op::Grow => format!("in-place grows: {} of {n}", outcome.in_place),
        Op::Allocate | Op::Deallocate | Op::AllocateConst | Op::AllocStr => format!("calls: {n}"),
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("callgrind_probe: {e}");
            eprintln!(
                "usage: callgrind_probe <bump|arena|bumpalo|bump-scope|stack|handle|std|segregator|fallback|free-list|size-classes|limit|composed> <allocate|grow|deallocate|allocate_const|alloc_str> [N=10000] [SIZE=24] [ALIGN=8]"
            );
            ExitCode::FAILURE
        }
    }
}
