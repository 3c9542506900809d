//! [`Counting`]: a wrapper that keeps allocation statistics.

use core::fmt;
use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};
use counters::{Counters, bump_u64};

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
/// Every call goes straight to the parent (a direct, inlined call); the
/// counters are `Cell`s, so `Counting` is not `Sync`. Moves through `remap`
/// and in-place `resize` keep `live_bytes` exact.
///
/// An allocation adds to two counters and nothing else: the peak of live
/// bytes is settled lazily, when live bytes fall (`free`, shrinking) and when
/// [`stats`](Self::stats) reads it, which is exact because live bytes only
/// grow in between.
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
    resize = Self::counted_resize,
    remap = Self::counted_remap,
    free = Self::counted_free,
))]
pub struct Counting<A> {
    #[allocator(parent)]
    inner: A,
    /// Updated after every call the parent answered; read by `stats`.
    counters: Counters,
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
    pub fn new(inner: A) -> Self {
        Self {
            inner,
            counters: Counters::default(),
        }
    }

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
        Stats {
            allocations: c.allocations(),
            frees: c.frees(),
            resizes: c.resizes.get(),
            remaps: c.remaps.get(),
            failures: c.failures.get(),
            bytes_allocated: c.bytes_allocated(),
            bytes_freed: c.bytes_freed(),
            // Live bytes fit in the address space, so in a `usize`.
            live_bytes: c.live() as usize,
            // Settled now: the stored peak covers up to the last decrease.
            peak_live_bytes: c.peak() as usize,
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

impl<A: RawAlloc> Counting<A> {
    #[inline(always)]
    fn counted_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let result = self.inner.alloc(len, align, caller);
        let c = &self.counters;
        if result.is_some() {
            c.allocated(len);
        } else {
            bump_u64(&c.failures, 1);
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
            bump_u64(&self.counters.resizes, 1);
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
            bump_u64(&self.counters.remaps, 1);
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
unsafe impl<A: Owns> Owns for Counting<A> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.inner.owns(memory)
    }
}

impl<A: fmt::Debug> fmt::Debug for Counting<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Counting")
            .field("inner", &self.inner)
            .field("stats", &self.stats())
            .finish()
    }
}
