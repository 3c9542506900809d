//! [`Counting`]: a wrapper that keeps allocation statistics.

use core::fmt;
use core::ptr::NonNull;

use crate::threading::sealed::Word;
use crate::{Alignment, Caller, Local, Owns, RawAlloc, ThreadSafe, Threading};
use counters::Counters;

mod counters;
#[cfg(test)]
mod tests;

/// A snapshot of what a [`Counting`] allocator has seen.
///
/// Bytes are counted as requested (not including alignment padding or
/// whatever the parent rounds up to). Zero-size requests never reach an
/// allocator through this crate, so they are not counted.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Bump, Counting};
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let counting = Counting::new(Bump::new(&mut buf));
/// let a = counting.allocator();
/// let p = a.create(1u32)?;
/// // SAFETY: `p` came from `create` on this allocator and is destroyed once.
/// unsafe { a.destroy(p) };
/// let s = counting.stats();
/// assert_eq!((s.allocations, s.frees, s.live_bytes, s.peak_live_bytes), (1, 1, 0, 4));
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Stats {
    /// Successful `alloc` calls.
    pub allocations: u64,
    /// `free` calls.
    pub frees: u64,
    /// Successful in-place `resize` calls.
    pub resizes: u64,
    /// Successful `remap` calls (moved or not).
    pub remaps: u64,
    /// `alloc` calls the parent refused.
    pub failures: u64,
    /// Bytes handed out: by `alloc`, plus growth by `resize`/`remap`.
    pub bytes_allocated: u64,
    /// Bytes given back: by `free`, plus shrinking by `resize`/`remap`.
    pub bytes_freed: u64,
    /// Bytes live now: `bytes_allocated - bytes_freed`.
    pub live_bytes: usize,
    /// The largest `live_bytes` ever was.
    pub peak_live_bytes: usize,
}

impl Stats {
    /// Allocations not freed yet: `allocations - frees`.
    ///
    /// ```
    /// let s = alloc_runtime::Stats::default();
    /// assert_eq!(s.live_allocations(), 0);
    /// ```
    #[inline]
    #[must_use]
    pub fn live_allocations(&self) -> u64 {
        self.allocations.wrapping_sub(self.frees)
    }
}

impl fmt::Display for Stats {
    /// A two-column table, one counter a line.
    ///
    /// ```
    /// let table = alloc_runtime::Stats::default().to_string();
    /// assert!(table.lines().any(|l| l.starts_with("allocations") && l.ends_with(" 0")));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: [(&str, u64); 10] = [
            ("allocations", self.allocations),
            ("frees", self.frees),
            ("live allocations", self.live_allocations()),
            ("resizes", self.resizes),
            ("remaps", self.remaps),
            ("failures", self.failures),
            ("bytes allocated", self.bytes_allocated),
            ("bytes freed", self.bytes_freed),
            ("live bytes", self.live_bytes as u64),
            ("peak live bytes", self.peak_live_bytes as u64),
        ];
        for (i, (name, value)) in rows.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{name:<17}{value:>12}")?;
        }
        Ok(())
    }
}

/// A wrapper that counts what passes through it to its parent allocator `A`:
/// allocations, frees, resizes, remaps, refusals, bytes, live and peak bytes.
///
/// Every call goes straight to the parent (a direct, inlined call). Moves
/// through `remap` and in-place `resize` keep `live_bytes` exact.
///
/// - **`Counting<A>`** (`T` = [`Local`], made with [`new`](Self::new)) keeps
///   its counters in `Cell`s, so it is not `Sync`.
/// - **`Counting<A, ThreadSafe>`** (made with [`new_sync`](Self::new_sync),
///   `const`) keeps them in atomics, so it is `Sync` when `A` is, and over
///   `std::alloc::System` it is a `#[global_allocator]` that counts the whole
///   program (see [`GlobalAlloc`](core::alloc::GlobalAlloc) below and
///   [`Region`](crate::Region) to measure a piece of code).
///
/// An allocation adds to two counters and nothing else: the peak of live
/// bytes is settled lazily, when live bytes fall (`free`, shrinking) and when
/// [`stats`](Self::stats) reads it, which is exact because live bytes only
/// grow in between. With atomics that is two `Relaxed` read-modify-writes
/// per allocation and three per free.
///
/// With `ThreadSafe`, each figure counts every update made before it is
/// read; figures read while other threads allocate are not one instant's
/// (the peak may lag by a block another thread is freeing right then).
/// Read after those threads are joined, every figure is exact.
///
/// Stack it by value (`Counting<Fail<Bump>>`), by reference
/// (`Counting<&Bump>`), or over a [`Handle`](crate::Handle).
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Bump, Counting};
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 1024];
/// let bump = Bump::new(&mut buf);
/// let counting = Counting::new(&bump);
/// let mut v: Vec<u8, _> = Vec::new_in(&counting);
/// v.extend_from_slice(b"hello");
/// v.extend_from_slice(b", world");
/// drop(v);
/// let s = counting.stats();
/// assert_eq!(s.allocations, 1);
/// assert!(s.resizes >= 1, "the Vec grew in place");
/// assert_eq!(s.live_bytes, 0);
/// assert!(s.peak_live_bytes >= 12);
/// ```
#[derive(alloc_derive::Allocator)]
// SAFETY: each override calls the same function of `inner` with the same
// arguments and returns its answer unchanged; it only updates counters.
#[allocator(unsafe(
    alloc = Self::counted_alloc,
    alloc_zeroed = Self::counted_alloc_zeroed,
    resize = Self::counted_resize,
    remap = Self::counted_remap,
    free = Self::counted_free,
))]
pub struct Counting<A, T: Threading = Local> {
    #[allocator(parent)]
    inner: A,
    /// Updated after every call the parent answered; read by `stats`.
    counters: Counters<T>,
}

impl<A> Counting<A> {
    /// Counts what passes to `inner`.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Counting};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let counting = Counting::new(Bump::new(&mut buf));
    /// assert_eq!(counting.stats(), Default::default());
    /// ```
    #[inline]
    #[must_use]
    pub const fn new(inner: A) -> Self {
        Self {
            inner,
            counters: Counters::local(),
        }
    }
}

#[cfg(target_has_atomic = "64")]
impl<A> Counting<A, ThreadSafe> {
    /// Counts what passes to `inner`, from any number of threads: the
    /// counters are atomics. `const`, so it can be a `static` — and, over
    /// `std::alloc::System`, the `#[global_allocator]`:
    ///
    /// ```
    /// use alloc_runtime::{Counting, ThreadSafe};
    /// use std::alloc::System;
    ///
    /// #[global_allocator]
    /// static GLOBAL: Counting<System, ThreadSafe> = Counting::new_sync(System);
    ///
    /// let before = GLOBAL.stats();
    /// let v = std::hint::black_box(vec![1u8; 100]);
    /// let after = GLOBAL.stats();
    /// assert!(after.allocations > before.allocations);
    /// assert!(after.bytes_allocated >= before.bytes_allocated + 100);
    /// # drop(v);
    /// ```
    #[inline]
    #[must_use]
    pub const fn new_sync(inner: A) -> Self {
        Self {
            inner,
            counters: Counters::thread_safe(),
        }
    }
}

impl<A, T: Threading> Counting<A, T> {
    /// The counters now.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Counting};
    /// use allocator_api2::boxed::Box;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let counting = Counting::new(Bump::new(&mut buf));
    /// let b = Box::new_in(7u64, &counting);
    /// assert_eq!(counting.stats().live_bytes, 8);
    /// drop(b);
    /// assert_eq!(counting.stats().frees, 1);
    /// ```
    #[must_use]
    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        let (live, freed) = c.live_and_freed();
        Stats {
            allocations: c.allocations(),
            frees: c.frees(),
            resizes: c.resizes.get(),
            remaps: c.remaps.get(),
            failures: c.failures.get(),
            bytes_allocated: freed.wrapping_add(live as u64),
            bytes_freed: freed,
            live_bytes: live,
            // Settled now: the stored peak covers up to the last decrease.
            peak_live_bytes: c.peak(live),
        }
    }

    /// The parent allocator.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Counting};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let counting = Counting::new(Bump::new(&mut buf));
    /// assert_eq!(counting.inner().capacity(), 64);
    /// ```
    #[inline]
    #[must_use]
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// The parent allocator, mutably (for `Bump::reset`, say). Counters are
    /// kept; nothing allocated can be alive, since it would borrow `self`.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Counting};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let mut counting = Counting::new(Bump::new(&mut buf));
    /// counting.allocator().create(1u8)?;
    /// counting.inner_mut().reset();
    /// assert_eq!(counting.inner().used(), 0);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    pub fn inner_mut(&mut self) -> &mut A {
        &mut self.inner
    }

    /// Unwraps the parent allocator.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Counting};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump: Bump<'_> = Counting::new(Bump::new(&mut buf)).into_inner();
    /// assert_eq!(bump.used(), 0);
    /// ```
    #[inline]
    pub fn into_inner(self) -> A {
        self.inner
    }
}

impl<A: RawAlloc, T: Threading> Counting<A, T> {
    #[inline(always)]
    fn counted_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let result = self.inner.alloc(len, align, caller);
        let c = &self.counters;
        if result.is_some() {
            c.allocated(len);
        } else {
            c.failed();
        }
        result
    }

    /// The parent's `alloc_zeroed` (so `calloc` over the system allocator),
    /// counted as an allocation.
    #[inline(always)]
    fn counted_alloc_zeroed(
        &self,
        len: usize,
        align: Alignment,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        let result = self.inner.alloc_zeroed(len, align, caller);
        let c = &self.counters;
        if result.is_some() {
            c.allocated(len);
        } else {
            c.failed();
        }
        result
    }

    /// # Safety
    ///
    /// `RawAlloc::resize`'s contract.
    #[inline(always)]
    unsafe fn counted_resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: the caller upholds `resize`'s contract; the parent made `memory`.
        let resized = unsafe { self.inner.resize(memory, align, new_len, caller) };
        if resized {
            self.counters.resizes.add(1);
            self.counters.changed(memory.len(), new_len);
        }
        resized
    }

    /// # Safety
    ///
    /// `RawAlloc::remap`'s contract.
    #[inline(always)]
    unsafe fn counted_remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        // SAFETY: the caller upholds `remap`'s contract; the parent made `memory`.
        let moved = unsafe { self.inner.remap(memory, align, new_len, caller) };
        if moved.is_some() {
            self.counters.remaps.add(1);
            self.counters.changed(memory.len(), new_len);
        }
        moved
    }

    /// # Safety
    ///
    /// `RawAlloc::free`'s contract.
    #[inline(always)]
    unsafe fn counted_free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        self.counters.freed(memory.len());
        // SAFETY: the caller upholds `free`'s contract; the parent made `memory`.
        unsafe { self.inner.free(memory, align, caller) }
    }
}

// SAFETY: `Counting` hands out exactly its parent's blocks (each override
// returns the parent's answer unchanged, with the length asked for), so its
// live blocks are the parent's live blocks with their current lengths, and
// the memory it manages is the parent's: the parent's answer is right.
unsafe impl<A: Owns, T: Threading> Owns for Counting<A, T> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.inner.owns(memory)
    }
}

impl<A: fmt::Debug, T: Threading> fmt::Debug for Counting<A, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Counting")
            .field("inner", &self.inner)
            .field("stats", &self.stats())
            .finish()
    }
}
