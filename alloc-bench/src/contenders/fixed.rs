//! alloc-runtime's fixed-buffer `Bump`, and the layers and the handle over
//! it. Each is made anew over the contender's buffer for every iteration.

use std::hint::black_box;
use std::mem::MaybeUninit;

use alloc_runtime::{Bump, Counting, Fail, Handle};

use super::{BUFFER_BYTES, Contender, Typed};
use crate::workloads::Workload;

/// A buffer for one of our arenas, allocated once, outside any timing.
fn buffer() -> Vec<MaybeUninit<u8>> {
    vec![MaybeUninit::uninit(); BUFFER_BYTES]
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

    /// Everything but [`Workload::Growth`]: the buffer cannot grow.
    fn runs(w: Workload) -> bool {
        w != Workload::Growth
    }
}

impl Typed for Ours {
    fn reset(arena: &mut Bump<'_>) {
        arena.reset();
    }

    fn alloc_str<'a>(a: &'a Bump<'a>, s: &str) -> &'a mut str
    where
        Self: 'a,
    {
        a.alloc_str(s)
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
