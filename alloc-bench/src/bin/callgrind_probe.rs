//! Instruction-count probe for `benches/callgrind.sh`: calls allocator-api2's
//! `Allocator::allocate` `N` times on one allocator, each call through an
//! `#[inline(never)]` function with its own name (`probe_bump`,
//! `probe_bumpalo`, `probe_stack`, `probe_handle`, `probe_std`), so that
//! callgrind's inclusive count of that function divided by `N` is the cost of
//! one allocation, call and return included.
//!
//! ```text
//! callgrind_probe <bump|bumpalo|stack|handle|std> [N=10000] [SIZE=24] [ALIGN=8]
//! ```
//!
//! - `bump`: alloc-runtime's `Bump`, through `&Bump`;
//! - `bumpalo`: `bumpalo::Bump`, through `&bumpalo::Bump`;
//! - `stack`: `Counting<Fail<Bump>>` (no failure limit);
//! - `handle`: the type-erased `Handle` of a `Bump` (`bump.allocator()`);
//! - `std`: the global allocator (allocator-api2's `Global`).
//!
//! The layout comes from the command line through `black_box`, so the probes
//! are compiled for a size and alignment unknown at compile time. The arenas
//! get a buffer big enough for all `N` allocations; the program fails if any
//! allocation does.

use std::alloc::Layout;
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::process::ExitCode;
use std::ptr::NonNull;

use alloc_runtime::{Bump, Counting, Fail, Handle};
use allocator_api2::alloc::{AllocError, Allocator, Global};

// The probes are `#[unsafe(no_mangle)] pub`: an exported symbol keeps its
// signature, so LLVM cannot pass the allocator's fields in registers instead
// of `&A` (argument promotion) or specialize the probe for its one caller;
// each probe counts everything from `&A` and a `Layout` to the result. The
// names are unique in the program (nothing else defines `probe_*`), which
// is what `no_mangle` asks of us.

/// The one allocation every probe makes: allocator-api2's `allocate`.
#[inline(always)]
fn allocate<A: Allocator + ?Sized>(a: &A, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
    a.allocate(layout)
}

/// One allocation from alloc-runtime's `Bump`.
#[inline(never)]
#[unsafe(no_mangle)]
pub fn probe_bump(a: &Bump<'_>, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
    allocate(a, layout)
}

/// One allocation from `bumpalo::Bump` (allocator-api2 is implemented for
/// `&bumpalo::Bump`).
#[inline(never)]
#[unsafe(no_mangle)]
pub fn probe_bumpalo(a: &bumpalo::Bump, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
    allocate(&a, layout)
}

/// One allocation from `Counting<Fail<Bump>>`.
#[inline(never)]
#[unsafe(no_mangle)]
pub fn probe_stack(
    a: &Counting<Fail<Bump<'_>>>,
    layout: Layout,
) -> Result<NonNull<[u8]>, AllocError> {
    allocate(a, layout)
}

/// One allocation through the type-erased `Handle` of a `Bump`.
#[inline(never)]
#[unsafe(no_mangle)]
pub fn probe_handle(a: &Handle<'_>, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
    allocate(a, layout)
}

/// One allocation from the global allocator.
#[inline(never)]
#[unsafe(no_mangle)]
pub fn probe_std(a: &Global, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
    allocate(a, layout)
}

/// The signature every probe has.
type Probe<A> = fn(&A, Layout) -> Result<NonNull<[u8]>, AllocError>;

/// Calls `probe` `n` times with the same (opaque) arguments; returns how
/// many calls failed.
fn drive<A: ?Sized>(n: usize, a: &A, layout: Layout, probe: Probe<A>) -> usize {
    let mut failures = 0;
    for _ in 0..n {
        match probe(black_box(a), black_box(layout)) {
            Ok(block) => {
                black_box(block);
            }
            Err(AllocError) => failures += 1,
        }
    }
    failures
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> Result<T, String> {
    args.get(i).map_or(Ok(default), |s| {
        s.parse().map_err(|_| format!("bad argument {s:?}"))
    })
}

fn run(args: &[String]) -> Result<(), String> {
    let which = args.first().ok_or("missing allocator")?.as_str();
    let n: usize = arg(args, 1, 10_000)?;
    let size: usize = arg(args, 2, 24)?;
    let align: usize = arg(args, 3, 8)?;
    let layout = black_box(Layout::from_size_align(size, align).map_err(|e| e.to_string())?);
    // Room for every allocation and its worst-case padding.
    let bytes = n
        .checked_mul(size + align)
        .and_then(|b| b.checked_add(4096))
        .ok_or("N * (SIZE + ALIGN) overflows")?;
    let failures = match which {
        "bump" => {
            let mut buf = vec![MaybeUninit::uninit(); bytes];
            let bump = Bump::new(&mut buf);
            drive(n, &bump, layout, probe_bump)
        }
        "bumpalo" => {
            let bump = bumpalo::Bump::with_capacity(bytes);
            drive(n, &bump, layout, probe_bumpalo)
        }
        "stack" => {
            let mut buf = vec![MaybeUninit::uninit(); bytes];
            let stack = Counting::new(Fail::new(Bump::new(&mut buf), usize::MAX));
            let failures = drive(n, &stack, layout, probe_stack);
            assert_eq!(stack.stats().allocations, (n - failures) as u64);
            failures
        }
        "handle" => {
            let mut buf = vec![MaybeUninit::uninit(); bytes];
            let bump = Bump::new(&mut buf);
            drive(n, &bump.allocator(), layout, probe_handle)
        }
        // The blocks are leaked: freeing them is not what is measured.
        "std" => drive(n, &Global, layout, probe_std),
        other => return Err(format!("unknown allocator {other:?}")),
    };
    if failures == 0 {
        Ok(())
    } else {
        Err(format!("{failures} of {n} allocations failed"))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("callgrind_probe: {e}");
            eprintln!(
                "usage: callgrind_probe <bump|bumpalo|stack|handle|std> [N=10000] [SIZE=24] [ALIGN=8]"
            );
            ExitCode::FAILURE
        }
    }
}
