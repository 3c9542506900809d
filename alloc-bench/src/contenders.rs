//! The allocators under test.
//!
//! Each iteration of a workload gets an empty arena from its contender:
//! alloc-runtime's arenas are made anew over the contender's buffer (cheap,
//! and the arena is then a local of the timing function, whose state the
//! compiler may keep in registers when the shape lets it), bumpalo and
//! bump-scope are reset (their position lives in their heap chunk, so a new
//! arena would only add page faults).

use std::alloc::Layout;
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use alloc_runtime::{Bump, Counting, Fail, Handle};
use allocator_api2::alloc::{Allocator, Global};

/// Bytes of every arena's buffer: far more than one iteration of any
/// workload needs (the tree of `Box`es through a handle, the largest, takes
/// about 560 KiB).
pub const BUFFER_BYTES: usize = 4 << 20;

/// A buffer for one of our arenas, allocated once, outside any timing.
fn buffer() -> Vec<MaybeUninit<u8>> {
    vec![MaybeUninit::uninit(); BUFFER_BYTES]
}

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

/// alloc-runtime's `Bump`, through `&Bump` (static dispatch).
pub struct Ours(Vec<MaybeUninit<u8>>);

impl Ours {
    /// A contender with a buffer of [`BUFFER_BYTES`].
    pub fn new() -> Self {
        Self(buffer())
    }
}

impl Default for Ours {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for Ours {
    const NAME: &'static str = "bump";

    type Arena<'s> = Bump<'s>;

    type Alloc<'a> = &'a Bump<'a>;

    fn arena(&mut self) -> Bump<'_> {
        Bump::new(&mut self.0)
    }

    fn alloc<'a>(arena: &'a Bump<'_>) -> &'a Bump<'a> {
        arena
    }
}

/// alloc-runtime's `Bump` through its type-erased `Handle`.
pub struct OursHandle(Vec<MaybeUninit<u8>>);

impl OursHandle {
    /// A contender with a buffer of [`BUFFER_BYTES`].
    pub fn new() -> Self {
        Self(buffer())
    }
}

impl Default for OursHandle {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for OursHandle {
    const NAME: &'static str = "handle";

    type Arena<'s> = Bump<'s>;

    type Alloc<'a> = Handle<'a>;

    fn arena(&mut self) -> Bump<'_> {
        Bump::new(&mut self.0)
    }

    fn alloc<'a>(arena: &'a Bump<'_>) -> Handle<'a> {
        // Opaque, as a handle that comes from elsewhere is: without this the
        // compiler sees which vtable it holds and calls `Bump` directly.
        black_box(arena.allocator())
    }
}

/// `Counting<Fail<Bump>>` with no failure limit: the cost of two layers.
pub struct Stack(Vec<MaybeUninit<u8>>);

impl Stack {
    /// A contender with a buffer of [`BUFFER_BYTES`].
    pub fn new() -> Self {
        Self(buffer())
    }
}

impl Default for Stack {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for Stack {
    const NAME: &'static str = "stack";

    type Arena<'s> = Counting<Fail<Bump<'s>>>;

    type Alloc<'a> = &'a Counting<Fail<Bump<'a>>>;

    fn arena(&mut self) -> Counting<Fail<Bump<'_>>> {
        Counting::new(Fail::new(Bump::new(&mut self.0), usize::MAX))
    }

    fn alloc<'a>(arena: &'a Counting<Fail<Bump<'_>>>) -> &'a Counting<Fail<Bump<'a>>> {
        arena
    }
}

/// `Counting<Bump>`: the cost of the counting layer alone.
pub struct Counted(Vec<MaybeUninit<u8>>);

impl Counted {
    /// A contender with a buffer of [`BUFFER_BYTES`].
    pub fn new() -> Self {
        Self(buffer())
    }
}

impl Default for Counted {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for Counted {
    const NAME: &'static str = "counting";

    type Arena<'s> = Counting<Bump<'s>>;

    type Alloc<'a> = &'a Counting<Bump<'a>>;

    fn arena(&mut self) -> Counting<Bump<'_>> {
        Counting::new(Bump::new(&mut self.0))
    }

    fn alloc<'a>(arena: &'a Counting<Bump<'_>>) -> &'a Counting<Bump<'a>> {
        arena
    }
}

/// `Fail<Bump>` with no failure limit: the cost of the failure layer alone.
pub struct Failing(Vec<MaybeUninit<u8>>);

impl Failing {
    /// A contender with a buffer of [`BUFFER_BYTES`].
    pub fn new() -> Self {
        Self(buffer())
    }
}

impl Default for Failing {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for Failing {
    const NAME: &'static str = "fail";

    type Arena<'s> = Fail<Bump<'s>>;

    type Alloc<'a> = &'a Fail<Bump<'a>>;

    fn arena(&mut self) -> Fail<Bump<'_>> {
        Fail::new(Bump::new(&mut self.0), usize::MAX)
    }

    fn alloc<'a>(arena: &'a Fail<Bump<'_>>) -> &'a Fail<Bump<'a>> {
        arena
    }
}

/// `bumpalo::Bump`, one chunk of [`BUFFER_BYTES`].
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
}

/// `bump_scope::Bump` (default settings: upwards, minimum alignment 1), a
/// first chunk of [`BUFFER_BYTES`].
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
}

/// The global allocator (the system `malloc` here).
pub struct Std;

impl Contender for Std {
    const NAME: &'static str = "std";

    type Arena<'s> = ();

    type Alloc<'a> = Global;

    fn arena(&mut self) {}

    fn alloc(_: &()) -> Global {
        Global
    }

    unsafe fn free_blocks(_: &(), blocks: &[(NonNull<u8>, Layout)]) {
        for &(block, layout) in blocks {
            // SAFETY: the caller's contract: `block` is a live block of
            // `Global` allocated with `layout`, not used again.
            unsafe { Global.deallocate(block, layout) };
        }
    }
}
