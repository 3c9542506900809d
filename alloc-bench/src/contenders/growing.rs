//! The growing arenas: ours (`alloc_runtime::Arena`), bumpalo's and
//! bump-scope's, each warm (a first chunk of [`BUFFER_BYTES`], reset before
//! every iteration) and from empty (made with `new()` for every iteration,
//! dropped after the timer stops).

use alloc_runtime::Arena;

use super::{BUFFER_BYTES, Contender, Typed};
use crate::workloads::Workload;

/// What a warm arena runs: everything but [`Workload::Growth`] (which a
/// chunk kept from the previous iteration would turn into something else).
fn warm_runs(w: Workload) -> bool {
    w != Workload::Growth
}

/// What an arena from empty runs: the workloads that start from an empty
/// arena and grow it, [`Workload::Growth`] and [`Workload::Phases`].
fn from_empty_runs(w: Workload) -> bool {
    matches!(w, Workload::Growth | Workload::Phases)
}

/// alloc-runtime's growing `Arena` (over the global allocator), one chunk
/// of [`BUFFER_BYTES`] made once, reset before every iteration.
pub struct OurArena(Arena);

impl OurArena {
    /// An arena with a first chunk of [`BUFFER_BYTES`].
    pub fn new() -> Self {
        Self(Arena::with_capacity(BUFFER_BYTES))
    }
}

impl Default for OurArena {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for OurArena {
    const NAME: &'static str = "arena";

    type Arena<'s> = &'s mut Arena;

    type Alloc<'a> = &'a Arena;

    fn arena(&mut self) -> &mut Arena {
        self.0.reset();
        &mut self.0
    }

    fn alloc<'a>(arena: &'a &mut Arena) -> &'a Arena {
        arena
    }

    fn runs(w: Workload) -> bool {
        warm_runs(w)
    }
}

impl Typed for OurArena {
    fn reset(arena: &mut &mut Arena) {
        arena.reset();
    }

    fn alloc_str<'a>(a: &'a Arena, s: &str) -> &'a mut str
    where
        Self: 'a,
    {
        a.alloc_str(s)
    }
}

/// alloc-runtime's growing `Arena` from empty: `Arena::new()` (which
/// allocates nothing) for every iteration.
pub struct OurArenaNew;

impl Contender for OurArenaNew {
    const NAME: &'static str = "arena-new";

    type Arena<'s> = Arena;

    type Alloc<'a> = &'a Arena;

    fn arena(&mut self) -> Arena {
        Arena::new()
    }

    fn alloc(arena: &Arena) -> &Arena {
        arena
    }

    fn runs(w: Workload) -> bool {
        from_empty_runs(w)
    }
}

impl Typed for OurArenaNew {
    fn reset(arena: &mut Arena) {
        arena.reset();
    }

    fn alloc_str<'a>(a: &'a Arena, s: &str) -> &'a mut str
    where
        Self: 'a,
    {
        a.alloc_str(s)
    }
}

/// `bumpalo::Bump::with_capacity(BUFFER_BYTES)`, made once, reset before
/// every iteration.
pub struct Bumpalo(bumpalo::Bump);

impl Bumpalo {
    /// A bumpalo arena with one chunk of [`BUFFER_BYTES`].
    pub fn new() -> Self {
        Self(bumpalo::Bump::with_capacity(BUFFER_BYTES))
    }
}

impl Default for Bumpalo {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for Bumpalo {
    const NAME: &'static str = "bumpalo";

    type Arena<'s> = &'s mut bumpalo::Bump;

    type Alloc<'a> = &'a bumpalo::Bump;

    fn arena(&mut self) -> &mut bumpalo::Bump {
        self.0.reset();
        &mut self.0
    }

    fn alloc<'a>(arena: &'a &mut bumpalo::Bump) -> &'a bumpalo::Bump {
        arena
    }

    fn runs(w: Workload) -> bool {
        warm_runs(w)
    }
}

impl Typed for Bumpalo {
    fn reset(arena: &mut &mut bumpalo::Bump) {
        arena.reset();
    }

    fn alloc_str<'a>(a: &'a bumpalo::Bump, s: &str) -> &'a mut str
    where
        Self: 'a,
    {
        a.alloc_str(s)
    }
}

/// `bumpalo::Bump::new()` (which allocates nothing) for every iteration.
pub struct BumpaloNew;

impl Contender for BumpaloNew {
    const NAME: &'static str = "bumpalo-new";

    type Arena<'s> = bumpalo::Bump;

    type Alloc<'a> = &'a bumpalo::Bump;

    fn arena(&mut self) -> bumpalo::Bump {
        bumpalo::Bump::new()
    }

    fn alloc(arena: &bumpalo::Bump) -> &bumpalo::Bump {
        arena
    }

    fn runs(w: Workload) -> bool {
        from_empty_runs(w)
    }
}

impl Typed for BumpaloNew {
    fn reset(arena: &mut bumpalo::Bump) {
        arena.reset();
    }

    fn alloc_str<'a>(a: &'a bumpalo::Bump, s: &str) -> &'a mut str
    where
        Self: 'a,
    {
        a.alloc_str(s)
    }
}

/// `bump_scope::Bump::with_size(BUFFER_BYTES)` (default settings: upwards,
/// minimum alignment 1), made once, reset before every iteration.
pub struct BumpScope(bump_scope::Bump);

impl BumpScope {
    /// A bump-scope arena with a first chunk of [`BUFFER_BYTES`].
    pub fn new() -> Self {
        Self(bump_scope::Bump::with_size(BUFFER_BYTES))
    }
}

impl Default for BumpScope {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for BumpScope {
    const NAME: &'static str = "bump-scope";

    type Arena<'s> = &'s mut bump_scope::Bump;

    type Alloc<'a> = &'a bump_scope::Bump;

    fn arena(&mut self) -> &mut bump_scope::Bump {
        self.0.reset();
        &mut self.0
    }

    fn alloc<'a>(arena: &'a &mut bump_scope::Bump) -> &'a bump_scope::Bump {
        arena
    }

    fn runs(w: Workload) -> bool {
        warm_runs(w)
    }
}

impl Typed for BumpScope {
    fn reset(arena: &mut &mut bump_scope::Bump) {
        arena.reset();
    }

    fn alloc_str<'a>(a: &'a bump_scope::Bump, s: &str) -> &'a mut str
    where
        Self: 'a,
    {
        a.alloc_str(s).into_mut()
    }
}

/// `bump_scope::Bump::new()` for every iteration: default settings, and a
/// first chunk of bump-scope's minimum size (512 bytes, taken by `new()`
/// itself, outside the timing).
pub struct BumpScopeNew;

impl Contender for BumpScopeNew {
    const NAME: &'static str = "bump-scope-new";

    type Arena<'s> = bump_scope::Bump;

    type Alloc<'a> = &'a bump_scope::Bump;

    fn arena(&mut self) -> bump_scope::Bump {
        bump_scope::Bump::new()
    }

    fn alloc(arena: &bump_scope::Bump) -> &bump_scope::Bump {
        arena
    }

    fn runs(w: Workload) -> bool {
        from_empty_runs(w)
    }
}

impl Typed for BumpScopeNew {
    fn reset(arena: &mut bump_scope::Bump) {
        arena.reset();
    }

    fn alloc_str<'a>(a: &'a bump_scope::Bump, s: &str) -> &'a mut str
    where
        Self: 'a,
    {
        a.alloc_str(s).into_mut()
    }
}
