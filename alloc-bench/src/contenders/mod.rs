//! The allocators under test.
//!
//! Each iteration of a workload gets an arena from its contender, outside
//! the timed part:
//!
//! - alloc-runtime's fixed-buffer `Bump` and the layers over it are made
//!   anew over the contender's buffer (cheap, and the arena is then a local
//!   of the timing function, whose state the compiler may keep in registers
//!   when the shape lets it) ([`fixed`]);
//! - the warm growing arenas (ours, bumpalo, bump-scope, each with a first
//!   chunk of [`BUFFER_BYTES`]) are reset: they keep their chunk, so a new
//!   arena would only add page faults ([`growing`]);
//! - the growing arenas "from empty" (`arena-new`, `bumpalo-new`,
//!   `bump-scope-new`) are made anew with `new()` and dropped after the
//!   timer stops, so that their time includes taking every chunk from the
//!   global allocator and touching fresh memory ([`growing`]);
//! - the global allocator has no arena; blocks a workload leaves live are
//!   freed after the timer stops ([`global`]); so for mimalloc
//!   ([`mimalloc`]) and for the composed small-object allocator of issue 10
//!   ([`composed`]), which is made once and kept warm.

use std::alloc::Layout;
use std::ptr::NonNull;

use allocator_api2::alloc::Allocator;

use crate::workloads::Workload;

mod composed;
mod fixed;
mod global;
mod growing;
mod mimalloc;

pub use composed::{Composed, ComposedCounted, SmallObjects, small_objects};
pub use fixed::{Counted, Failing, Ours, OursHandle, Stack};
pub use global::Std;
pub use growing::{BumpScope, BumpScopeNew, Bumpalo, BumpaloNew, OurArena, OurArenaNew};
pub use mimalloc::{MiAlloc, Mimalloc};

/// Bytes of every warm arena's buffer or first chunk: far more than one
/// iteration of any warm workload needs (the tree of `Box`es through a
/// handle, the largest, takes about 560 KiB).
pub const BUFFER_BYTES: usize = 4 << 20;

/// An allocator under test.
pub trait Contender {
    /// The contender's name in reports.
    const NAME: &'static str;

    /// What one iteration allocates from, owned by the timing function.
    type Arena<'s>
    where
        Self: 's;

    /// What the workloads are given: `&Bump`, a `Handle`, `Global`...
    type Alloc<'a>: Allocator + Copy
    where
        Self: 'a;

    /// An empty arena for one iteration.
    fn arena(&mut self) -> Self::Arena<'_>;

    /// The allocator of `arena`.
    fn alloc<'a>(arena: &'a Self::Arena<'_>) -> Self::Alloc<'a>;

    /// Whether this contender runs `w`: by default the allocator-api2
    /// workloads on a warm arena ([`Workload::API`]). A fixed buffer cannot
    /// run [`Workload::Growth`]; only a [`Typed`] contender can run the
    /// workloads of [`Workload::typed`].
    fn runs(w: Workload) -> bool {
        Workload::API.contains(&w)
    }

    /// Gives back blocks a workload left live. Arenas do nothing here: the
    /// next `arena()` reclaims everything.
    ///
    /// # Safety
    ///
    /// Each `(block, layout)` was allocated by `Self::alloc(arena)` with
    /// `layout`, is still live and is not used again.
    unsafe fn free_blocks(arena: &Self::Arena<'_>, blocks: &[(NonNull<u8>, Layout)]) {
        let _ = (arena, blocks);
    }
}

/// An arena contender with bumpalo's typed API and a reset: what the phase
/// loop and `alloc_str` need.
pub trait Typed: Contender {
    /// Frees everything allocated from `arena` and keeps it for more
    /// (`Bump::reset` in all three crates).
    fn reset(arena: &mut Self::Arena<'_>);

    /// Copies `s` into the arena through its typed API (`alloc_str`).
    fn alloc_str<'a>(a: Self::Alloc<'a>, s: &str) -> &'a mut str
    where
        Self: 'a;
}
