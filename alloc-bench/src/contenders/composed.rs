//! The composed small-object allocator of issue 10: size classes of free
//! lists over a growing arena for requests up to 256 bytes, the global
//! allocator for larger ones; bare and with `Counting` on top.
//!
//! Unlike the arenas, a composed allocator is made once and kept warm
//! across iterations, as the global allocator and mimalloc are: its free
//! lists and its arena's chunk persist, and every block a workload leaves
//! live is freed after the timer stops ([`Contender::free_blocks`]), back
//! onto the free lists.

use std::alloc::Layout;
use std::ptr::NonNull;

use alloc_runtime::{Arena, Counting, Global, Segregator, SizeClasses};
use allocator_api2::alloc::Allocator;

use super::Contender;
use crate::workloads::Workload;

/// The small-object allocator: `Segregator<256, SizeClasses<Arena<Global>>,
/// Global>` (sixteen classes of 16, 32, ..., 256 bytes).
pub type SmallObjects = Segregator<256, SizeClasses<Arena<Global>>, Global>;

/// A fresh [`SmallObjects`]: empty free lists over an arena that takes
/// nothing until its first request.
pub fn small_objects() -> SmallObjects {
    Segregator::new(SizeClasses::new(Arena::new()), Global)
}

/// Frees `blocks` through `a`.
///
/// # Safety
///
/// Each `(block, layout)` is a live block of `a` allocated with `layout`,
/// not used again.
unsafe fn free_all<A: Allocator>(a: &A, blocks: &[(NonNull<u8>, Layout)]) {
    for &(block, layout) in blocks {
        // SAFETY: the caller's contract: a live block of `a` with `layout`.
        unsafe { a.deallocate(block, layout) };
    }
}

/// [`SmallObjects`] through `&SmallObjects`, made once and kept warm.
pub struct Composed(SmallObjects);

impl Composed {
    /// A contender with a fresh [`SmallObjects`].
    pub fn new() -> Self {
        Self(small_objects())
    }
}

impl Default for Composed {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for Composed {
    const NAME: &'static str = "composed";

    type Arena<'s> = &'s SmallObjects;

    type Alloc<'a>
        = &'a SmallObjects
    where
        Self: 'a;

    fn arena(&mut self) -> &SmallObjects {
        &self.0
    }

    fn alloc<'a>(arena: &'a &SmallObjects) -> &'a SmallObjects {
        arena
    }

    fn runs(w: Workload) -> bool {
        Workload::MALLOC.contains(&w)
    }

    unsafe fn free_blocks(arena: &&SmallObjects, blocks: &[(NonNull<u8>, Layout)]) {
        // SAFETY: the caller's contract: live blocks of `*arena`.
        unsafe { free_all(*arena, blocks) };
    }
}

/// `Counting<SmallObjects>` through a reference: the composed allocator
/// with statistics, as the showcase prints them.
pub struct ComposedCounted(Counting<SmallObjects>);

impl ComposedCounted {
    /// A contender with a fresh, counted [`SmallObjects`].
    pub fn new() -> Self {
        Self(Counting::new(small_objects()))
    }

    /// The counted allocator (for its statistics).
    pub fn allocator(&self) -> &Counting<SmallObjects> {
        &self.0
    }
}

impl Default for ComposedCounted {
    fn default() -> Self {
        Self::new()
    }
}

impl Contender for ComposedCounted {
    const NAME: &'static str = "composed-counting";

    type Arena<'s> = &'s Counting<SmallObjects>;

    type Alloc<'a>
        = &'a Counting<SmallObjects>
    where
        Self: 'a;

    fn arena(&mut self) -> &Counting<SmallObjects> {
        &self.0
    }

    fn alloc<'a>(arena: &'a &Counting<SmallObjects>) -> &'a Counting<SmallObjects> {
        arena
    }

    fn runs(w: Workload) -> bool {
        Workload::MALLOC.contains(&w)
    }

    unsafe fn free_blocks(arena: &&Counting<SmallObjects>, blocks: &[(NonNull<u8>, Layout)]) {
        // SAFETY: the caller's contract: live blocks of `*arena`.
        unsafe { free_all(*arena, blocks) };
    }
}
