//! [`Arena`]: a growing bump arena over chunks from a parent allocator,
//! Zig's `ArenaAllocator`, bumpalo's and bump-scope's `Bump`.

use core::alloc::Layout;
use core::cell::Cell;
use core::fmt;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;

use crate::handle::dangling;
use crate::region::{self, Region, bump_in, within};
use crate::{Alignment, AllocError, Caller, Handle, RawAlloc, bridge};
use chunk::Chunk;

mod chunk;
#[cfg(feature = "std")]
mod pool;
mod scope;
mod stats;
#[cfg(test)]
mod tests;

#[cfg(feature = "std")]
pub use pool::{ArenaPool, PoolStats, PooledArena};
pub use scope::Scope;
pub use stats::ArenaStats;

/// A growing bump arena: it takes chunks from a parent allocator `A` (the
/// global allocator by default), hands out their bytes in order, and gives
/// the chunks back on [`reset`](Self::reset) and drop. Zig's
/// `ArenaAllocator`; bumpalo's and bump-scope's `Bump`, on any allocator of
/// this crate.
///
/// - **Nothing until first use**: [`new`](Self::new) and
///   [`new_in`](Self::new_in) are `const` and allocate nothing; the first
///   request takes a chunk of 496 bytes (512 with `malloc`'s overhead).
/// - **Geometric growth**: each new chunk is twice the previous one; a
///   request larger than that gets a chunk that fits it. Chunk sizes plus
///   `malloc`'s usual 16 bytes are powers of two (whole pages above 4 KiB),
///   bumpalo's choice. A request aligned more than 16 gets a chunk allocated
///   with that alignment; one the parent cannot serve is `None`.
/// - **The fast path is [`Bump`](crate::Bump)'s**: one add chain from the
///   position, one checked add, one compare with the end, one word stored;
///   no call is reachable from it. Everything else (no chunk yet, a full
///   chunk) is in a cold, out-of-line function.
/// - **The most recent allocation** in the current chunk grows and shrinks
///   in place and gives its bytes back on `free`, as in `Bump`; other
///   blocks shrink in place, and their frees are no-ops. Memory the arena
///   did not hand out is never acted on.
/// - **Chunks go back with their exact layout**: each chunk's header records
///   the length and alignment it was allocated with.
/// - [`reset`](Self::reset) keeps the largest chunk and returns the others,
///   so a loop of phases settles on one chunk;
///   [`set_allocation_limit`](Self::set_allocation_limit) caps the chunks'
///   bytes (headers excluded, as bumpalo counts them); [`scope`](Self::scope)
///   gives a scope whose allocations are all released when it ends.
///
/// There is no `inner_mut`: replacing the parent would hand the arena's
/// chunks back to an allocator that did not allocate them.
///
/// `Arena` is `Send` when its parent is, and never `Sync`: its position is in
/// a `Cell`. Nothing it hands out is dropped by it: values placed in the
/// arena (by its typed API or by hand) do not have their destructors run.
///
/// # Examples
///
/// ```
/// use alloc_runtime::Arena;
/// use allocator_api2::vec::Vec;
///
/// let mut arena = Arena::new();
/// assert_eq!(arena.allocated_bytes(), 0); // nothing until first use
/// {
///     let mut v: Vec<u64, _> = Vec::new_in(&arena);
///     for i in 0..1000 {
///         v.push(i); // grows in place, then across several chunks
///     }
///     assert_eq!(v.iter().sum::<u64>(), 499_500);
/// }
/// assert!(arena.stats().chunks > 1);
/// arena.reset(); // keeps the largest chunk
/// assert_eq!(arena.stats().chunks, 1);
/// ```
///
/// Its chunks can come from any allocator of this crate: a fixed buffer
/// (no heap at all), a counting or failing layer, another arena.
///
/// ```
/// use alloc_runtime::{Arena, Bump, Counting};
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 4096];
/// let bump = Counting::new(Bump::new(&mut buf));
/// let arena = Arena::new_in(&bump);
/// for i in 0..100u64 {
///     arena.allocator().create(i)?;
/// }
/// assert_eq!(bump.stats().allocations, arena.stats().chunks as u64);
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[cfg(feature = "alloc")]
pub struct Arena<A: RawAlloc = crate::Global> {
    state: State,
    /// Where the chunks come from and go back to.
    parent: A,
}

/// A growing bump arena: it takes chunks from a parent allocator `A`, hands
/// out their bytes in order, and gives the chunks back on
/// [`reset`](Self::reset) and drop. Without the `alloc` feature there is no
/// default parent: any allocator of this crate will do, a [`Bump`] over a
/// static buffer for one. (With `alloc`, the parent defaults to the global
/// allocator, and this page says more.)
///
/// ```
/// use alloc_runtime::{Arena, Bump};
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 4096];
/// let bump = Bump::new(&mut buf);
/// let arena = Arena::new_in(&bump);
/// arena.allocator().create(1u32)?;
/// assert_eq!(arena.stats().chunks, 1);
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
///
/// [`Bump`]: crate::Bump
#[cfg(not(feature = "alloc"))]
pub struct Arena<A: RawAlloc> {
    state: State,
    /// Where the chunks come from and go back to.
    parent: A,
}

/// The arena's bookkeeping, apart from the parent.
///
/// Invariants:
/// - with no chunk (`current` is `None`), `start == cur` is a dangling
///   pointer at address 1 and `end` is 1: no request of one byte or more
///   fits, so the first one takes the slow path;
/// - otherwise `current` is a live chunk, `start` is its payload's first byte
///   (with the chunk's provenance), `start <= cur <= end`, `cur` is derived
///   from `start`, and `end` is the chunk's end address;
/// - the chunks form a doubly linked list (`prev`/`next` in their headers)
///   in the order they were used: the ones before `current` are full, the
///   ones after it are spares (kept after a scope) that nothing uses;
/// - everything in `start..cur`, and in each earlier chunk's payload up to
///   its `filled` address, may be handed out; nothing else is;
/// - `allocated` is the sum of the capacities (sizes minus the header) of
///   all chunks in the list.
struct State {
    /// The first free byte of the current chunk.
    cur: Cell<NonNull<u8>>,
    /// The end address of the current chunk.
    end: Cell<usize>,
    /// The first byte of the current chunk's payload.
    start: Cell<NonNull<u8>>,
    /// The chunk allocations come from now.
    current: Cell<Option<Chunk>>,
    /// Bytes of all chunks held, headers excluded (bumpalo's
    /// `allocated_bytes`).
    allocated: Cell<usize>,
    /// The cap on `allocated`, if any.
    limit: Cell<Option<usize>>,
}

impl State {
    /// No chunk.
    const fn empty() -> Self {
        let dangling = NonNull::<u8>::dangling();
        Self {
            cur: Cell::new(dangling),
            end: Cell::new(1),
            start: Cell::new(dangling),
            current: Cell::new(None),
            allocated: Cell::new(0),
            limit: Cell::new(None),
        }
    }
}

/// Where an arena was: its current chunk and position. Taken by a
/// [`Scope`] and restored when it ends.
#[derive(Clone, Copy)]
pub(crate) struct Checkpoint {
    /// The current chunk then.
    chunk: Option<Chunk>,
    /// The position then.
    cur: NonNull<u8>,
}

#[cfg(feature = "alloc")]
impl Arena<crate::Global> {
    /// An empty arena over the global allocator; it allocates nothing until
    /// first use.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// const EMPTY: Arena = Arena::new(); // a `const fn`
    /// let arena = EMPTY;
    /// assert_eq!(arena.allocated_bytes(), 0);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self::new_in(crate::Global)
    }

    /// [`new`](Self::new), as bumpalo's `try_new`: it allocates nothing, so
    /// it never fails; the `Result` is there so that code written for
    /// bumpalo compiles unchanged.
    ///
    /// # Errors
    ///
    /// None: always `Ok`.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let arena = Arena::try_new()?;
    /// assert_eq!(arena.stats().chunks, 0);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    pub const fn try_new() -> Result<Self, AllocError> {
        Ok(Self::new())
    }

    /// An arena over the global allocator with room for `capacity` bytes in
    /// its first chunk (none for `0`).
    ///
    /// # Panics
    ///
    /// Calls [`handle_alloc_error`](alloc::alloc::handle_alloc_error) (which
    /// aborts by default) if the chunk cannot be allocated.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let arena = Arena::with_capacity(1000);
    /// assert!(arena.chunk_capacity() >= 1000);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_in(capacity, crate::Global)
    }

    /// [`with_capacity`](Self::with_capacity), failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the chunk cannot be allocated.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// assert!(Arena::try_with_capacity(1000)?.chunk_capacity() >= 1000);
    /// assert!(Arena::try_with_capacity(usize::MAX).is_err());
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    pub fn try_with_capacity(capacity: usize) -> Result<Self, AllocError> {
        Self::try_with_capacity_in(capacity, crate::Global)
    }
}

#[cfg(feature = "alloc")]
impl Default for Arena<crate::Global> {
    /// [`Arena::new`].
    ///
    /// ```
    /// let arena: alloc_runtime::Arena = Default::default();
    /// assert_eq!(arena.stats().chunks, 0);
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

impl<A: RawAlloc> Arena<A> {
    /// An empty arena taking its chunks from `parent`; it allocates nothing
    /// until first use.
    ///
    /// ```
    /// use alloc_runtime::{Arena, Counting, Global};
    /// let counting = Counting::new(Global);
    /// let arena = Arena::new_in(&counting);
    /// assert_eq!(counting.stats().allocations, 0);
    /// arena.allocator().create(1u8)?;
    /// assert_eq!(counting.stats().allocations, 1); // the first chunk
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub const fn new_in(parent: A) -> Self {
        Self {
            state: State::empty(),
            parent,
        }
    }

    /// An arena over `parent` with room for `capacity` bytes in its first
    /// chunk (none for `0`).
    ///
    /// # Panics
    ///
    /// If the chunk cannot be allocated: with the `alloc` feature through
    /// [`handle_alloc_error`](alloc::alloc::handle_alloc_error) (which aborts
    /// by default), without it with a panic.
    ///
    /// ```
    /// use alloc_runtime::{Arena, Global};
    /// let arena = Arena::with_capacity_in(4096, Global);
    /// assert!(arena.chunk_capacity() >= 4096);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn with_capacity_in(capacity: usize, parent: A) -> Self {
        match Self::try_with_capacity_in(capacity, parent) {
            Ok(arena) => arena,
            Err(AllocError) => capacity_failed(capacity),
        }
    }

    /// [`with_capacity_in`](Self::with_capacity_in), failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the chunk cannot be allocated.
    ///
    /// ```
    /// use alloc_runtime::{Arena, Fail, Global};
    /// assert!(Arena::try_with_capacity_in(64, Fail::new(Global, 0)).is_err());
    /// assert!(Arena::try_with_capacity_in(0, Fail::new(Global, 0)).is_ok());
    /// ```
    #[track_caller]
    pub fn try_with_capacity_in(capacity: usize, parent: A) -> Result<Self, AllocError> {
        let arena = Self::new_in(parent);
        if capacity > 0 {
            let chunk = arena
                .new_chunk(capacity, Alignment::ONE, Caller::here())
                .ok_or(AllocError)?;
            arena.link_after_current(chunk);
            arena.enter(chunk);
        }
        Ok(arena)
    }

    /// The parent allocator. There is no `inner_mut`: replacing the parent
    /// would hand the arena's chunks to another allocator.
    ///
    /// ```
    /// use alloc_runtime::{Arena, Counting, Global};
    /// let arena = Arena::new_in(Counting::new(Global));
    /// arena.allocator().create(1u8)?;
    /// assert_eq!(arena.inner().stats().allocations, 1);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub fn inner(&self) -> &A {
        &self.parent
    }

    /// Frees every chunk and returns the parent.
    ///
    /// ```
    /// use alloc_runtime::{Arena, Counting, Global};
    /// let arena = Arena::new_in(Counting::new(Global));
    /// arena.allocator().create(1u8)?;
    /// let counting = arena.into_inner();
    /// assert_eq!(counting.stats().live_bytes, 0);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub fn into_inner(self) -> A {
        let mut this = ManuallyDrop::new(self);
        this.free_all();
        // SAFETY: `this` is never used again nor dropped (`ManuallyDrop`),
        // so the parent is moved out exactly once.
        unsafe { core::ptr::read(&this.parent) }
    }

    /// Releases everything allocated: keeps the largest chunk, returns all
    /// others to the parent, and starts again at the kept chunk's first
    /// byte. A loop of similar phases thus settles on one chunk large enough
    /// for a phase, and allocates nothing more.
    ///
    /// Takes `&mut self`: every allocation borrows the arena, so none is
    /// alive (or used) after a reset.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let mut arena = Arena::new();
    /// for _ in 0..3 {
    ///     for i in 0..100u64 {
    ///         arena.allocator().create(i)?;
    ///     }
    ///     arena.reset();
    ///     assert_eq!(arena.stats().chunks, 1);
    ///     assert_eq!(arena.stats().used, 0);
    /// }
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    pub fn reset(&mut self) {
        let Some(first) = self.first_chunk() else {
            return;
        };
        let mut largest = first;
        let mut at = Some(first);
        while let Some(chunk) = at {
            if chunk.size() > largest.size() {
                largest = chunk;
            }
            at = chunk.header().next.get();
        }
        let mut at = Some(first);
        while let Some(chunk) = at {
            at = chunk.header().next.get();
            if chunk != largest {
                // SAFETY: `chunk` is held by the arena (in its list) and
                // came from the parent with exactly this length and
                // alignment, recorded in its header; it is unlinked here
                // (the list is rebuilt below with `largest` alone) and
                // nothing handed out from it can be alive (`&mut self`).
                unsafe {
                    self.parent
                        .free(chunk.memory(), chunk.align(), Caller::here())
                };
            }
        }
        largest.header().prev.set(None);
        largest.header().next.set(None);
        self.state.allocated.set(largest.capacity());
        self.state.current.set(None);
        self.enter(largest);
    }

    /// Caps the bytes of the chunks the arena holds, headers excluded
    /// ([`allocated_bytes`](Self::allocated_bytes)), as bumpalo's
    /// `set_allocation_limit` does; `None` lifts the cap. Like bumpalo's, the
    /// cap is checked only when a new chunk is needed: requests that fit in
    /// the current chunk are served whatever the cap. A new chunk that would
    /// pass it is tried smaller (halved, down to what the request needs),
    /// then refused: the request fails with `None` (`Err(AllocError)` through
    /// allocator-api2). Chunks already held are kept, even above a new
    /// limit. The bytes taken from the parent are more, by one header per
    /// chunk ([`allocated_bytes_including_metadata`]).
    ///
    /// [`allocated_bytes_including_metadata`]: Self::allocated_bytes_including_metadata
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let arena = Arena::new();
    /// arena.set_allocation_limit(Some(0));
    /// assert!(arena.allocator().create(1u8).is_err());
    /// arena.set_allocation_limit(None);
    /// assert!(arena.allocator().create(1u8).is_ok());
    /// ```
    pub fn set_allocation_limit(&self, limit: Option<usize>) {
        self.state.limit.set(limit);
    }

    /// The cap set by [`set_allocation_limit`](Self::set_allocation_limit).
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let arena = Arena::new();
    /// assert_eq!(arena.allocation_limit(), None);
    /// arena.set_allocation_limit(Some(4096));
    /// assert_eq!(arena.allocation_limit(), Some(4096));
    /// ```
    #[must_use]
    pub fn allocation_limit(&self) -> Option<usize> {
        self.state.limit.get()
    }

    /// Bytes of the chunks held now, unused space and alignment padding
    /// included, each chunk's header excluded: bumpalo's `allocated_bytes`
    /// (which excludes its chunk footers). What the allocation limit caps.
    /// The bytes taken from the parent are
    /// [`allocated_bytes_including_metadata`](Self::allocated_bytes_including_metadata).
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let arena = Arena::new();
    /// arena.allocator().create(1u8)?;
    /// // The first chunk: 496 bytes from the parent, 48 of them its header.
    /// assert_eq!(arena.allocated_bytes(), 448);
    /// assert_eq!(arena.allocated_bytes(), arena.stats().capacity);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub fn allocated_bytes(&self) -> usize {
        self.state.allocated.get()
    }

    /// Bytes of the chunks held now as taken from the parent, headers
    /// included: [`allocated_bytes`](Self::allocated_bytes) plus one header
    /// per chunk, bumpalo's `allocated_bytes_including_metadata`. Walks the
    /// chunks.
    ///
    /// ```
    /// use alloc_runtime::{Arena, Counting, Global};
    /// let arena = Arena::new_in(Counting::new(Global));
    /// arena.allocator().create(1u8)?;
    /// assert_eq!(arena.allocated_bytes_including_metadata(), 496);
    /// assert_eq!(
    ///     arena.allocated_bytes_including_metadata(),
    ///     arena.inner().stats().live_bytes
    /// );
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub fn allocated_bytes_including_metadata(&self) -> usize {
        let mut total = 0;
        let mut at = self.first_chunk();
        while let Some(chunk) = at {
            total += chunk.size();
            at = chunk.header().next.get();
        }
        total
    }

    /// Bytes left in the current chunk (some may go to alignment padding):
    /// bumpalo's `chunk_capacity`.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let arena = Arena::with_capacity(100);
    /// let before = arena.chunk_capacity();
    /// arena.allocator().create(1u64)?;
    /// assert_eq!(arena.chunk_capacity(), before - 8);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub fn chunk_capacity(&self) -> usize {
        self.state.end.get() - self.state.cur.get().addr().get()
    }

    /// The bytes handed out of each chunk, most recent chunk first, as
    /// bumpalo's `iter_allocated_chunks`: for each chunk that has been
    /// allocated from, the part from its first byte to where allocation
    /// stopped (the current position for the current chunk). Spare chunks
    /// (kept after a scope, not used since) are not listed; a chunk kept by
    /// [`reset`](Self::reset) is listed, empty, until it is used.
    ///
    /// Unlike bumpalo's (which fills its chunks downwards), this arena fills
    /// its chunks upwards: inside a slice, **the oldest allocation comes
    /// first**.
    ///
    /// The bytes are `MaybeUninit<u8>`: alignment padding between blocks,
    /// padding inside values, and memory from
    /// [`alloc_layout`](Self::alloc_layout) never written are
    /// uninitialized. Reading them as `u8` (`assume_init`) is sound
    /// only for bytes you know were written: for example when every value in
    /// the arena is of one type with no padding, as bumpalo's docs put it.
    /// Values in the arena are never dropped, so they are all still there.
    ///
    /// Takes `&mut self`: no reference the arena handed out is alive while
    /// the slices are. Writing through a raw pointer to a block you kept
    /// (from [`alloc_layout`](Self::alloc_layout) or a
    /// [`Handle`](crate::Handle)) while a slice is alive is undefined
    /// behaviour, as for any memory behind a shared reference.
    ///
    /// bumpalo's `iter_allocated_chunks_raw` is not offered: walking the
    /// chunks needs no promise from the caller, so an `unsafe fn` would have
    /// no contract of its own to state.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let mut arena = Arena::new();
    /// arena.alloc(b'a');
    /// arena.alloc(b'b');
    /// arena.alloc_str("cd");
    /// let chunks: Vec<_> = arena.iter_allocated_chunks().collect();
    /// assert_eq!(chunks.len(), 1);
    /// // SAFETY: only `u8`s were allocated, all written: no padding.
    /// let bytes: Vec<u8> = chunks[0].iter().map(|b| unsafe { b.assume_init() }).collect();
    /// assert_eq!(bytes, b"abcd");
    /// ```
    pub fn iter_allocated_chunks(
        &mut self,
    ) -> impl core::iter::FusedIterator<Item = &[core::mem::MaybeUninit<u8>]> + '_ {
        let mut at = self.state.current.get();
        let mut end = self.state.cur.get().addr().get();
        core::iter::from_fn(move || {
            let chunk = at?;
            let start = chunk.start();
            // `start <= end`: the position of the current chunk, or an
            // earlier chunk's `filled`, both inside its payload.
            let len = end - start.addr().get();
            at = chunk.header().prev.get();
            if let Some(prev) = at {
                end = prev.header().filled.get();
            }
            // SAFETY: `start..start + len` is the part handed out of a chunk
            // the arena holds (the `State` invariants), inside the block the
            // parent gave, and `start` has its provenance. The chunk stays
            // held, and nothing is allocated, freed or reset, while `self`
            // is borrowed mutably for the lifetime of the slice (the
            // signature ties both to that borrow); no
            // reference the arena handed out is alive then (each borrows the
            // arena). `MaybeUninit<u8>` takes any byte, written or not.
            Some(unsafe { core::slice::from_raw_parts(start.cast().as_ptr(), len) })
        })
        .fuse()
    }

    /// Chunks, bytes and capacity now.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let arena = Arena::new();
    /// arena.allocator().create([0u8; 10])?;
    /// let s = arena.stats();
    /// assert_eq!((s.chunks, s.used), (1, 10));
    /// assert_eq!(s.used + s.remaining, s.capacity);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub fn stats(&self) -> ArenaStats {
        let mut stats = ArenaStats {
            allocated_bytes: self.allocated_bytes(),
            remaining: self.chunk_capacity(),
            ..ArenaStats::default()
        };
        let Some(current) = self.state.current.get() else {
            return stats;
        };
        let mut at = self.first_chunk();
        let mut spare = false;
        while let Some(chunk) = at {
            stats.chunks += 1;
            stats.capacity += chunk.capacity();
            stats.allocated_bytes_including_metadata += chunk.size();
            if spare {
                stats.spare_bytes += chunk.capacity();
            } else if chunk == current {
                stats.used += self.state.cur.get().addr().get() - chunk.start().addr().get();
                spare = true;
            } else {
                stats.used += chunk.header().filled.get() - chunk.start().addr().get();
                // What is left at the end of a full chunk is lost until
                // reset: not remaining, not used either.
            }
            at = chunk.header().next.get();
        }
        stats
    }

    /// Whether `ptr` points into memory this arena handed out (for fallback
    /// allocators that must route a `free` to the allocator that made the
    /// memory). Walks the chunks: not a fast path.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let arena = Arena::new();
    /// let p = arena.allocator().create(1u8)?;
    /// assert!(arena.owns(p.as_ptr()));
    /// assert!(!arena.owns(&0u8));
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub fn owns(&self, ptr: *const u8) -> bool {
        self.handed_out(ptr.addr(), 1)
    }

    /// The type-erased handle to this arena.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// let arena = Arena::new();
    /// let h = arena.allocator();
    /// let p = h.create(5u32)?;
    /// // SAFETY: `p` came from `create` on this handle, destroyed once.
    /// unsafe { h.destroy(p) };
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn allocator(&self) -> Handle<'_> {
        Handle::new(self)
    }

    /// Runs `f` with a [`Scope`] of this arena: `f` allocates through the
    /// scope, and everything it allocated is released when the scope ends
    /// (when `f` returns or unwinds). The scope is borrowed for its own
    /// lifetime, which `f`'s result cannot name, so nothing allocated in it
    /// can escape; and `&mut self` keeps the arena itself out of reach while
    /// the scope is open. Chunks taken during the scope are kept as spares
    /// for the arena's next growth.
    ///
    /// ```
    /// use alloc_runtime::Arena;
    /// use allocator_api2::vec::Vec;
    ///
    /// let mut arena = Arena::new();
    /// arena.allocator().create(1u64)?;
    /// let used = arena.stats().used;
    /// let sum = arena.scope(|s| {
    ///     let mut v = Vec::new_in(&s);
    ///     v.extend(0..10_000u32);
    ///     v.iter().sum::<u32>()
    /// });
    /// assert_eq!(sum, 49_995_000);
    /// assert_eq!(arena.stats().used, used); // released
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    pub fn scope<R>(&mut self, f: impl FnOnce(Scope<'_, A>) -> R) -> R {
        f(Scope::new(self))
    }
}

/// Private machinery: the slow path, chunk management, checkpoints.
impl<A: RawAlloc> Arena<A> {
    /// The oldest chunk held, if any.
    fn first_chunk(&self) -> Option<Chunk> {
        let mut chunk = self.state.current.get()?;
        while let Some(prev) = chunk.header().prev.get() {
            chunk = prev;
        }
        Some(chunk)
    }

    /// Where the arena is now.
    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            chunk: self.state.current.get(),
            cur: self.state.cur.get(),
        }
    }

    /// Goes back to `checkpoint`: its chunk becomes the current one again
    /// (every later chunk a spare) and its position the position.
    ///
    /// `&mut self`: nothing handed out after the checkpoint can be alive.
    /// The checkpoint must have been taken on this arena with no `reset`
    /// since (the only way chunks leave the list); [`Scope`] guarantees it
    /// by holding `&mut` to the arena from the checkpoint to the rewind.
    pub(crate) fn rewind(&mut self, checkpoint: Checkpoint) {
        match checkpoint.chunk {
            Some(chunk) => {
                self.state.current.set(Some(chunk));
                self.state.start.set(chunk.start());
                self.state.end.set(chunk.end());
                // `checkpoint.cur` was the position in `chunk`, derived from
                // its start; the chunk is still held.
                self.state.cur.set(checkpoint.cur);
            }
            None => {
                // There was no chunk: every chunk now is a spare. Make the
                // oldest the current one, with nothing handed out.
                if let Some(first) = self.first_chunk() {
                    self.state.current.set(None);
                    self.enter(first);
                }
            }
        }
    }

    /// Makes `chunk` the current chunk, with its whole payload free, and
    /// records how far the previous current chunk was filled.
    fn enter(&self, chunk: Chunk) {
        if let Some(old) = self.state.current.get() {
            old.header().filled.set(self.state.cur.get().addr().get());
        }
        let start = chunk.start();
        self.state.current.set(Some(chunk));
        self.state.start.set(start);
        self.state.cur.set(start);
        self.state.end.set(chunk.end());
    }

    /// Puts a fresh `chunk` right after the current one (before the spares),
    /// so the list stays in the order of use.
    fn link_after_current(&self, chunk: Chunk) {
        let Some(current) = self.state.current.get() else {
            return;
        };
        let spares = current.header().next.get();
        chunk.header().prev.set(Some(current));
        chunk.header().next.set(spares);
        if let Some(spare) = spares {
            spare.header().prev.set(Some(chunk));
        }
        current.header().next.set(Some(chunk));
    }

    /// Whether a new chunk with `capacity` bytes past its header keeps
    /// [`allocated_bytes`](Self::allocated_bytes) within the allocation
    /// limit (bumpalo's test: the chunk's size without its footer).
    fn within_limit(&self, capacity: usize) -> bool {
        let Some(total) = self.state.allocated.get().checked_add(capacity) else {
            return false;
        };
        self.state.limit.get().is_none_or(|limit| total <= limit)
    }

    /// A fresh chunk from the parent that serves `len` bytes aligned to
    /// `align`, not linked yet: the next geometric size (or the rounded size
    /// the request needs, if larger); when that would pass the allocation
    /// limit, halved down to exactly what the request needs. Counts it in
    /// `allocated`.
    ///
    /// A refusal of the parent is final (no retry with a smaller chunk): so
    /// each chunk the arena needs is one parent call, and a failing parent
    /// (`Fail`, `check_all_allocation_failures`) sees its refusal reach the
    /// caller instead of being swallowed by a retry.
    fn new_chunk(&self, len: usize, align: Alignment, caller: Caller) -> Option<Chunk> {
        let needed = chunk::needed(len, align)?;
        let chunk_align = chunk::chunk_align(align);
        let prev = self.state.current.get().map(Chunk::size);
        let mut size = chunk::grown(prev).max(chunk::rounded(needed).unwrap_or(needed));
        // `size >= needed >= HEADER`: no underflow.
        while !self.within_limit(size - chunk::HEADER) {
            if size <= needed {
                return None;
            }
            size = (size / 2).max(needed);
        }
        let memory = self.parent.alloc(size, chunk_align, caller)?;
        // `within_limit` checked the sum.
        self.state
            .allocated
            .set(self.state.allocated.get() + (size - chunk::HEADER));
        // SAFETY: `memory` is a live block of `size >= needed >= HEADER`
        // bytes from the parent, aligned to `chunk_align >= CHUNK_ALIGN`
        // (`alloc`'s contract), the arena's alone until it frees it.
        Some(unsafe { Chunk::init(memory, size, chunk_align) })
    }

    /// Everything the fast path does not do: the first chunk, a full chunk,
    /// zero-size requests that did not fit.
    ///
    /// `mask` is the alignment minus one ([`Alignment::mask`]).
    #[cold]
    #[inline(never)]
    fn alloc_slow(&self, len: usize, mask: usize, caller: Caller) -> Option<NonNull<u8>> {
        // `mask + 1` is the alignment the fast path had: a power of two, at
        // most `1 << (usize::BITS - 1)`, so the add cannot overflow.
        let align = Alignment::new(mask + 1)?;
        if len == 0 {
            // Never reaches the parent.
            return Some(dangling(align));
        }
        let current = self.state.current.get();
        let spare = current.and_then(|c| c.header().next.get());
        let chunk = match spare {
            Some(spare) if bump_in(spare.start(), spare.end(), len, align).is_some() => spare,
            _ => {
                let chunk = self.new_chunk(len, align, caller)?;
                self.link_after_current(chunk);
                chunk
            }
        };
        self.enter(chunk);
        let (block, next) = bump_in(self.state.cur.get(), self.state.end.get(), len, align)?;
        self.state.cur.set(next);
        Some(block)
    }

    /// Frees every chunk to the parent and leaves the arena empty.
    fn free_all(&mut self) {
        let mut at = self.first_chunk();
        while let Some(chunk) = at {
            at = chunk.header().next.get();
            // SAFETY: `chunk` is held by the arena and came from the parent
            // with exactly this length and alignment (its header's record);
            // the list is dropped below, so it is freed once; nothing handed
            // out from it is alive (`&mut self`).
            unsafe {
                self.parent
                    .free(chunk.memory(), chunk.align(), Caller::here())
            };
        }
        self.state = State {
            limit: Cell::new(self.state.limit.get()),
            ..State::empty()
        };
    }

    /// `resize` and `remap`: the most recent allocation grows or shrinks in
    /// place while it fits in the current chunk (`Region`'s paths, as in
    /// `Bump`); any other block the arena handed out, in an earlier chunk
    /// too, only shrinks; memory that is not the arena's is refused.
    #[inline(always)]
    fn resize_in_place(&self, memory: NonNull<[u8]>, new_len: usize) -> bool {
        self.resize_in_region(memory, new_len)
            || (new_len <= memory.len()
                && self.last_block(memory).is_none()
                && self.handed_out_before(memory.cast::<u8>().addr().get(), memory.len()))
    }

    /// Whether `len` bytes at `addr` lie inside the part handed out of some
    /// chunk. Walks the chunks.
    pub(crate) fn handed_out(&self, addr: usize, len: usize) -> bool {
        let start = self.state.start.get().addr().get();
        let cur = self.state.cur.get().addr().get();
        within(addr, len, start, cur) || self.handed_out_before(addr, len)
    }

    /// Whether `len` bytes at `addr` lie inside the part handed out of a
    /// chunk before the current one. Cold: walks the chunks.
    #[cold]
    #[inline(never)]
    fn handed_out_before(&self, addr: usize, len: usize) -> bool {
        let mut at = self.state.current.get().and_then(|c| c.header().prev.get());
        while let Some(chunk) = at {
            if within(
                addr,
                len,
                chunk.start().addr().get(),
                chunk.header().filled.get(),
            ) {
                return true;
            }
            at = chunk.header().prev.get();
        }
        false
    }
}

// SAFETY: the current chunk is the region: `State`'s invariants (on the
// struct) give `start <= cur <= end` with `cur` derived from `start`, whose
// provenance covers the chunk's payload `start..end`; with no chunk,
// `start == cur` is a dangling pointer at address 1 and `end` is 1, an
// empty region that no provided method can move `cur` out of (every block
// they accept has length 0 and address 1). Blocks are handed out from `cur`
// forward (`bump_in`) and nothing live lies in `cur..end`; blocks of
// earlier chunks lie outside the region.
unsafe impl<A: RawAlloc> Region for Arena<A> {
    #[inline(always)]
    fn start(&self) -> NonNull<u8> {
        self.state.start.get()
    }

    #[inline(always)]
    fn cur(&self) -> NonNull<u8> {
        self.state.cur.get()
    }

    #[inline(always)]
    fn set_cur(&self, cur: NonNull<u8>) {
        self.state.cur.set(cur);
    }

    #[inline(always)]
    fn end(&self) -> usize {
        self.state.end.get()
    }
}

/// The failure of an infallible `with_capacity`.
#[cold]
#[track_caller]
fn capacity_failed(capacity: usize) -> ! {
    #[cfg(feature = "alloc")]
    {
        let layout = Layout::from_size_align(capacity, 1).unwrap_or(Layout::new::<u8>());
        alloc::alloc::handle_alloc_error(layout)
    }
    #[cfg(not(feature = "alloc"))]
    panic!(
        "arena: could not allocate a first chunk of {capacity} bytes; use try_with_capacity_in to handle the failure"
    )
}

// SAFETY: memory handed out is the caller's alone: `alloc` hands out ranges
// of the current chunk's payload from `cur` forward and moves `cur` past
// them, within `end` (`bump_in`); a new chunk comes from the parent, which
// gives it to the arena alone, and chunks are freed only by `reset`,
// `into_inner` and drop (all `&mut self` or by value, with nothing handed
// out alive) — or, for the position, rewound by a `Scope` that held `&mut`
// to the arena since its checkpoint, so nothing handed out after it is
// alive. `resize`, `remap` and `free` move `cur` only for the most recent
// allocation of the current chunk (which starts in `start..=cur` and ends at
// `cur`; memory that is not the arena's is never acted on), so no live
// allocation is ever in `cur..end`, in a spare chunk, or past `filled` in an
// earlier chunk. Moving the arena moves no chunk. `validate` only compares
// addresses. Nothing here unwinds (the parent's functions do not).
unsafe impl<A: RawAlloc> RawAlloc for Arena<A> {
    /// The fast path, `Bump`'s: `(cur - 1) | mask`, one checked add, one
    /// compare with the end, one word stored; no call is reachable from it.
    /// The first request of an empty arena, a full chunk and zero-size
    /// requests that do not fit go to a cold, out-of-line function.
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        match bump_in(self.state.cur.get(), self.state.end.get(), len, align) {
            Some((block, next)) => {
                self.state.cur.set(next);
                Some(block)
            }
            // The mask, not the alignment: the fast path keeps it in a
            // register anyway, so the alignment itself need not survive
            // (one register move fewer on the fast path).
            None => self.alloc_slow(len, align.mask(), caller),
        }
    }

    #[inline]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        _align: Alignment,
        new_len: usize,
        _caller: Caller,
    ) -> bool {
        // Safe in itself: compares addresses and moves `cur` inside the
        // current chunk.
        self.resize_in_place(memory, new_len)
    }

    #[inline]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        _align: Alignment,
        new_len: usize,
        _caller: Caller,
    ) -> Option<NonNull<u8>> {
        self.resize_in_place(memory, new_len).then(|| memory.cast())
    }

    #[inline]
    unsafe fn free(&self, memory: NonNull<[u8]>, _align: Alignment, _caller: Caller) {
        self.free_last(memory);
    }

    /// `true` when `memory` lies inside the part handed out of one of the
    /// arena's chunks and its address is aligned to `align`. An arena keeps
    /// no record of each block, so a block inside that part with a wrong
    /// length can still pass. Walks the chunks: not a fast path.
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, _caller: Caller) -> bool {
        let addr = memory.cast::<u8>().addr().get();
        align.is_aligned(addr)
            && (self.tail(memory).is_some_and(|tail| memory.len() <= tail)
                || self.handed_out_before(addr, memory.len()))
    }
}

// SAFETY: every method is the allocator-api2 bridge over the `RawAlloc` impl
// above, which upholds the bridge's requirements, or does what the bridge
// would do with it, inline (as `Bump`'s impl does):
// - `allocate` is `alloc` without the bridge's zero-size test: a zero-size
//   block is either an aligned address inside the current chunk (`bump_in`
//   with `len == 0`, no byte handed out) or dangling and aligned (the slow
//   path); neither reaches the parent, and either is a valid zero-size
//   block, which `deallocate` leaves alone (below);
// - `deallocate` is `free` without the bridge's zero-size test: `free_last`
//   acts only on the most recent block of the current chunk, and gives back
//   exactly its length (zero bytes change nothing);
// - `grow` first does what the bridge's first step (`resize` at the same
//   alignment) does, with the same checks, and otherwise calls the bridge;
// - a shrink to a smaller alignment is a `resize` in place; the block keeps
//   its address, which satisfies the smaller alignment, and the arena never
//   looks at `align` afterwards.
// An `Arena` is not `Clone`; a reference to it is the same allocator
// wherever it is copied.
unsafe impl<A: RawAlloc> allocator_api2::alloc::Allocator for Arena<A> {
    /// `alloc` without the bridge's zero-size test: a zero-size request
    /// that fits takes the fast path like any other (it may skip alignment
    /// padding, and takes no bytes); one that does not fit gets a dangling,
    /// aligned block from the slow path, which never asks the parent for it.
    #[inline(always)]
    #[track_caller]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let len = layout.size();
        let align = Alignment::of_layout(layout);
        let block = match bump_in(self.state.cur.get(), self.state.end.get(), len, align) {
            Some((block, next)) => {
                self.state.cur.set(next);
                block
            }
            None => self
                .alloc_slow(len, align.mask(), Caller::here())
                .ok_or(AllocError)?,
        };
        Ok(NonNull::slice_from_raw_parts(block, len))
    }

    #[inline(always)]
    #[track_caller]
    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        bridge::allocate_zeroed(self, layout)
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.free_last(NonNull::slice_from_raw_parts(ptr, layout.size()));
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        bridge::debug_assert_grows(old_layout, new_layout, "grow");
        // The bridge's first step, inline: the most recent block grows in
        // place at the same alignment while it fits (`Region`, as in `Bump`).
        if let Some(grown) = self.grow_last(ptr, old_layout, new_layout) {
            return Ok(grown);
        }
        // SAFETY: allocator-api2's contract is the bridge's.
        unsafe { region::grow_elsewhere(self, ptr, old_layout, new_layout) }
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: allocator-api2's contract is the bridge's.
        unsafe { bridge::grow_zeroed(self, ptr, old_layout, new_layout) }
    }

    #[inline]
    #[track_caller]
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: allocator-api2's contract; this allocator's `resize`,
        // `remap` and `free` never look at `align`.
        unsafe { region::shrink(self, ptr, old_layout, new_layout) }
    }
}

// SAFETY: an arena owns its chunks (they are the parent's blocks, given to
// the arena alone) and its parent; moving it to another thread moves them
// all, and no allocation can be alive then (each borrows the arena). The
// parent must be `Send` to go along. It is not `Sync`: the position and the
// headers' links are `Cell`s, so `&Arena` must stay on one thread, which the
// missing `Sync` impl (from `Cell` and `NonNull`) ensures.
unsafe impl<A: RawAlloc + Send> Send for Arena<A> {}

impl<A: RawAlloc> Drop for Arena<A> {
    /// Frees every chunk to the parent, with the exact length and alignment
    /// it was allocated with. Values in the arena are not dropped.
    fn drop(&mut self) {
        self.free_all();
    }
}

impl<A: RawAlloc> fmt::Debug for Arena<A> {
    /// The statistics, not the contents.
    ///
    /// ```
    /// let arena = alloc_runtime::Arena::new();
    /// assert!(format!("{arena:?}").contains("chunks: 0"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.stats();
        f.debug_struct("Arena")
            .field("chunks", &s.chunks)
            .field("allocated_bytes", &s.allocated_bytes)
            .field("used", &s.used)
            .field("remaining", &s.remaining)
            .finish_non_exhaustive()
    }
}
