//! [`ArenaPool`]: arenas lent to threads, whose allocations live as long as
//! the pool (bumpalo-herd's `Herd`, bump-scope's pool), for the rayon
//! `map_init` case.

use core::fmt;
use core::mem::ManuallyDrop;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use super::Arena;
use crate::{ArenaStats, RawAlloc};

mod member;
mod stats;
#[cfg(test)]
mod tests;

pub use member::PooledArena;
pub use stats::PoolStats;

/// A pool of [`Arena`]s for many threads (feature `std`): each thread
/// borrows an arena with [`get`](Self::get), allocates from it, and gives it
/// back when the [`PooledArena`] is dropped; **what it allocated lives as
/// long as the pool**, not as long as the borrow. bumpalo-herd's `Herd`,
/// bump-scope's pool; the answer to the rayon `map_init` case:
///
/// ```
/// use alloc_runtime::ArenaPool;
///
/// let mut pool = ArenaPool::new();
/// let words: Vec<&str> = std::thread::scope(|s| {
///     let workers: Vec<_> = (0..4)
///         .map(|t| {
///             let pool = &pool;
///             // `map_init`'s shape: one arena per worker, many items each.
///             s.spawn(move || {
///                 let arena = pool.get();
///                 (0..3)
///                     .map(|i| &*arena.alloc_fmt(format_args!("{t}.{i}")))
///                     .collect::<Vec<_>>()
///             })
///         })
///         .collect();
///     workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
/// });
/// // The workers and their arenas' borrows are gone; the strings are not.
/// assert_eq!(words.len(), 12);
/// assert!(words.contains(&"3.2"));
/// pool.reset(); // needs `&mut`: only once no string is used any more
/// ```
///
/// - **Arenas are reused, never reset while lent**: a dropped
///   [`PooledArena`] goes back to the pool as it is, and the next
///   [`get`](Self::get) (on any thread) goes on allocating after what it
///   holds. The pool makes a new arena only when none is idle, so it holds
///   about as many arenas as threads used it at once.
/// - **Memory goes back only through `&mut self`**: [`reset`](Self::reset)
///   and the drop; both need every reference handed out to be gone, which
///   the borrow checker sees, since each one borrows the pool.
/// - **Destructors never run**, as for the [`Arena`]'s typed API: the pool
///   frees its chunks without looking at what is in them.
/// - **One parent, cloned**: every arena takes its chunks from a clone of
///   `parent` ([`new_in`](Self::new_in)); [`RawAlloc`]'s contract makes all
///   clones one allocator.
///
/// # Threads
///
/// `ArenaPool<A>` is `Sync` when `A: Send + Sync` (the arenas move between
/// threads, and `get` clones the parent through `&A` on any thread) and
/// `Send` when `A: Send`; [`PooledArena`] is `Send` then, never `Sync`. The
/// idle arenas are kept under a [`std::sync::Mutex`], taken once by each
/// `get` and once by each give-back; allocating from a lent arena takes no
/// lock at all. The list of idle arenas lives in the global allocator
/// (whatever the parent), and no code of the parent's runs under the lock.
///
/// # Why it is sound
///
/// Every arena the pool made is, at any time, either idle in the pool or
/// lent to exactly one [`PooledArena`] (or leaked, if that was forgotten).
/// No arena is reset or dropped while the pool is borrowed: the only code
/// that does either is [`reset`](Self::reset) (`&mut self`) and the pool's
/// drop; a [`PooledArena`] gives out its arena only as `&Arena` (no
/// `&mut Arena`, so no `reset`, `scope` or `into_inner` through it), and
/// gives it back unchanged when dropped — or leaks it if giving it back
/// fails, never dropping it. An arena's chunks are freed only when the arena
/// is reset or dropped, and moving an arena moves none of its chunks. So
/// memory an arena handed out stays valid, and is never handed out again,
/// for as long as the pool is borrowed: the lifetime `'pool` of
/// [`PooledArena`]'s allocations. Bytes of the most recent block of an
/// arena come back only through an `unsafe` `free` (or a collection freeing
/// its own buffer), never those of a block already handed out as a
/// reference.
pub struct ArenaPool<A: RawAlloc = crate::Global> {
    /// The arenas not lent now, most recently given back last (taken first,
    /// while its memory is warm in the cache).
    idle: Mutex<Vec<Arena<A>>>,
    /// How many arenas the pool made: idle, lent, or leaked with a
    /// forgotten `PooledArena`.
    made: AtomicUsize,
    /// What each new arena takes a clone of.
    parent: A,
}

impl ArenaPool<crate::Global> {
    /// An empty pool over the global allocator; it allocates nothing until
    /// an arena is used. A `const fn`, so a pool can be a `static` (whose
    /// allocations then live for the whole program).
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    ///
    /// static POOL: ArenaPool = ArenaPool::new();
    /// let greeting: &'static str = POOL.get().alloc_str("hello");
    /// assert_eq!(greeting, "hello");
    /// assert_eq!(POOL.stats().arenas, 1);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self::new_in(crate::Global)
    }
}

impl Default for ArenaPool<crate::Global> {
    /// [`ArenaPool::new`].
    ///
    /// ```
    /// let pool: alloc_runtime::ArenaPool = Default::default();
    /// assert_eq!(pool.stats().arenas, 0);
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

impl<A: RawAlloc> ArenaPool<A> {
    /// An empty pool whose arenas take their chunks from clones of
    /// `parent`; it allocates nothing until an arena is used.
    ///
    /// ```
    /// use alloc_runtime::{ArenaPool, Counting, Global};
    ///
    /// let counting = Counting::new(Global);
    /// let pool = ArenaPool::new_in(&counting);
    /// pool.get().alloc(1u8);
    /// assert_eq!(counting.stats().allocations, 1); // one chunk
    /// drop(pool);
    /// assert_eq!(counting.stats().live_bytes, 0); // freed with the pool
    /// ```
    #[must_use]
    pub const fn new_in(parent: A) -> Self {
        Self {
            idle: Mutex::new(Vec::new()),
            made: AtomicUsize::new(0),
            parent,
        }
    }

    /// The parent allocator the arenas' chunks come from (through clones).
    ///
    /// ```
    /// use alloc_runtime::{ArenaPool, Counting, Global};
    /// let counting = Counting::new(Global);
    /// let pool = ArenaPool::new_in(&counting);
    /// assert!(core::ptr::eq(*pool.inner(), &counting));
    /// ```
    #[must_use]
    pub fn inner(&self) -> &A {
        &self.parent
    }

    /// Resets every arena of the pool ([`Arena::reset`]: each keeps its
    /// largest chunk, gives the others back to the parent, and starts again
    /// at its first byte). The arenas stay in the pool for the next
    /// [`get`](Self::get).
    ///
    /// Takes `&mut self`: every allocation borrows the pool, so none is
    /// alive (or used) after a reset — and no arena is lent, since each
    /// [`PooledArena`] borrows the pool too. An arena whose [`PooledArena`]
    /// was forgotten is not in the pool any more and is not reset (it leaks).
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    ///
    /// let mut pool = ArenaPool::new();
    /// for round in 0..3u64 {
    ///     let xs: Vec<&u64> = (0..100).map(|i| &*pool.get().alloc(round * i)).collect();
    ///     assert_eq!(*xs[99], round * 99);
    ///     pool.reset();
    ///     assert_eq!(pool.stats().totals.used, 0);
    ///     assert_eq!(pool.stats().totals.chunks, 1); // the largest is kept
    /// }
    /// ```
    pub fn reset(&mut self) {
        for arena in self.idle_mut().iter_mut() {
            arena.reset();
        }
    }

    /// How many arenas the pool made and holds, and the statistics of the
    /// idle ones summed up. Arenas lent out now are counted in
    /// [`arenas`](PoolStats::arenas) but not in
    /// [`totals`](PoolStats::totals) (they are in another thread's hands);
    /// with no arena lent, the totals are the whole pool's. Takes the lock
    /// and walks each idle arena's chunks: not a fast path.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    ///
    /// let pool = ArenaPool::new();
    /// let a = pool.get();
    /// let b = pool.get(); // `a` is lent: a second arena
    /// a.alloc([0u8; 10]);
    /// drop((a, b));
    /// let s = pool.stats();
    /// assert_eq!((s.arenas, s.idle), (2, 2));
    /// assert_eq!(s.totals.chunks, 1); // `b` never allocated
    /// assert_eq!(s.totals.used, 10);
    /// ```
    #[must_use]
    pub fn stats(&self) -> PoolStats {
        let idle = self.idle();
        let mut totals = ArenaStats::default();
        for arena in idle.iter() {
            let s = arena.stats();
            totals.chunks += s.chunks;
            totals.allocated_bytes += s.allocated_bytes;
            totals.allocated_bytes_including_metadata += s.allocated_bytes_including_metadata;
            totals.capacity += s.capacity;
            totals.used += s.used;
            totals.remaining += s.remaining;
            totals.spare_bytes += s.spare_bytes;
        }
        PoolStats {
            arenas: self.made.load(Ordering::Relaxed),
            idle: idle.len(),
            totals,
        }
    }

    /// Bytes of the chunks of the idle arenas, headers excluded (each
    /// arena's [`Arena::allocated_bytes`], summed): with no arena lent, the
    /// whole pool's. Takes the lock.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    ///
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.allocated_bytes(), 0);
    /// pool.get().alloc(1u64);
    /// assert_eq!(pool.allocated_bytes(), 448); // one first chunk
    /// ```
    #[must_use]
    pub fn allocated_bytes(&self) -> usize {
        self.idle().iter().map(Arena::allocated_bytes).sum()
    }

    /// The idle arenas, locked. A poisoned lock is taken all the same: the
    /// list is valid whatever panicked while it was held (nothing here
    /// panics with it held but an allocation failure of the list itself).
    fn idle(&self) -> MutexGuard<'_, Vec<Arena<A>>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The idle arenas, through `&mut self`: no lock needed.
    fn idle_mut(&mut self) -> &mut Vec<Arena<A>> {
        self.idle.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts a lent arena back, as it is (never reset: what it handed out
    /// lives as long as the pool). If the list cannot grow to hold it, the
    /// arena is leaked, never dropped: dropping it would free chunks that
    /// references of lifetime `'pool` point into.
    fn give_back(&self, arena: ManuallyDrop<Arena<A>>) {
        let mut idle = self.idle();
        if idle.try_reserve(1).is_ok() {
            // Cannot panic or allocate: room for one was reserved.
            idle.push(ManuallyDrop::into_inner(arena));
        }
        // Else `arena` (a `ManuallyDrop`) goes out of scope: leaked.
    }
}

impl<A: RawAlloc + Clone> ArenaPool<A> {
    /// Lends an arena: the idle one given back last, or a new one (over a
    /// clone of the parent, allocating nothing until first use) when none is
    /// idle. Allocations through the [`PooledArena`] live as long as the
    /// pool; dropping it gives the arena back, not reset.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    ///
    /// let pool = ArenaPool::new();
    /// let x = {
    ///     let arena = pool.get();
    ///     arena.alloc(42u32)
    /// }; // the arena is back in the pool; `x` lives on
    /// let again = pool.get(); // the same arena, reused
    /// let y = again.alloc(7u32);
    /// assert_eq!((*x, *y), (42, 7));
    /// assert_eq!(pool.stats().arenas, 1);
    /// ```
    pub fn get(&self) -> PooledArena<'_, A> {
        // The lock is released before `clone` runs: the parent's code never
        // runs under it.
        let idle = self.idle().pop();
        let arena = idle.unwrap_or_else(|| {
            let arena = Arena::new_in(self.parent.clone());
            // Counted once made (a `clone` that panics made none).
            self.made.fetch_add(1, Ordering::Relaxed);
            arena
        });
        PooledArena::new(self, arena)
    }
}

impl<A: RawAlloc> fmt::Debug for ArenaPool<A> {
    /// The statistics, not the contents.
    ///
    /// ```
    /// let pool = alloc_runtime::ArenaPool::new();
    /// pool.get().alloc(1u8);
    /// let text = format!("{pool:?}");
    /// assert!(text.contains("arenas: 1") && text.contains("idle: 1"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.stats();
        f.debug_struct("ArenaPool")
            .field("arenas", &s.arenas)
            .field("idle", &s.idle)
            .field("allocated_bytes", &s.totals.allocated_bytes)
            .field("used", &s.totals.used)
            .finish_non_exhaustive()
    }
}
