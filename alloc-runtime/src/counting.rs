//! [`Counting`]: a wrapper that keeps allocation statistics.

use core::cell::Cell;
use core::fmt;
use core::ptr::NonNull;

use crate::{Alignment, Caller, RawAlloc};

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

/// The live counters: [`Stats`] in `Cell`s.
///
/// An allocation updates two words (`allocations`, `bytes_allocated`); the
/// peak is settled lazily, see `peak_live_bytes`.
#[derive(Default)]
struct Counters {
    allocations: Cell<u64>,
    frees: Cell<u64>,
    resizes: Cell<u64>,
    remaps: Cell<u64>,
    failures: Cell<u64>,
    bytes_allocated: Cell<u64>,
    bytes_freed: Cell<u64>,
    /// The largest live bytes (`bytes_allocated - bytes_freed`, derived
    /// rather than stored) ever were, up to the last decrease of live bytes.
    ///
    /// Settled lazily: live bytes only grow between two decreases (a `free`,
    /// a shrinking `resize`/`remap`), so their largest value in between is
    /// the one just before the decrease. Every decrease settles the peak
    /// first ([`Counters::shrank`]), and [`Counters::peak`] (what `stats`
    /// reads) takes the larger of this and live bytes now; so the peak read
    /// is exact, and an allocation or a growth never touches it.
    peak_live_bytes: Cell<u64>,
}

/// `cell += by`, wrapping: an allocator never panics, and `u64` counters do
/// not wrap in practice.
#[inline(always)]
fn bump_u64(cell: &Cell<u64>, by: u64) {
    cell.set(cell.get().wrapping_add(by));
}

impl Counters {
    /// Live bytes now.
    #[inline(always)]
    fn live(&self) -> u64 {
        self.bytes_allocated
            .get()
            .wrapping_sub(self.bytes_freed.get())
    }

    /// The exact peak of live bytes so far.
    #[inline(always)]
    fn peak(&self) -> u64 {
        self.peak_live_bytes.get().max(self.live())
    }

    #[inline(always)]
    fn grew(&self, bytes: usize) {
        // No peak update: see `peak_live_bytes`.
        bump_u64(&self.bytes_allocated, bytes as u64);
    }

    #[inline(always)]
    fn shrank(&self, bytes: usize) {
        // Live bytes are about to fall: settle the peak at their value now
        // (stored only when it is a new peak).
        let live = self.live();
        if live > self.peak_live_bytes.get() {
            self.peak_live_bytes.set(live);
        }
        bump_u64(&self.bytes_freed, bytes as u64);
    }

    #[inline(always)]
    fn changed(&self, old_len: usize, new_len: usize) {
        if new_len >= old_len {
            self.grew(new_len - old_len);
        } else {
            self.shrank(old_len - new_len);
        }
    }
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
            allocations: c.allocations.get(),
            frees: c.frees.get(),
            resizes: c.resizes.get(),
            remaps: c.remaps.get(),
            failures: c.failures.get(),
            bytes_allocated: c.bytes_allocated.get(),
            bytes_freed: c.bytes_freed.get(),
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
            bump_u64(&c.allocations, 1);
            c.grew(len);
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
        bump_u64(&self.counters.frees, 1);
        self.counters.shrank(memory.len());
        // SAFETY: the caller upholds `free`'s contract; the parent made `memory`.
        unsafe { self.inner.free(memory, align, caller) }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bump, testing};
    use allocator_api2::vec::Vec;
    use core::mem::MaybeUninit;

    #[test]
    fn passes_the_conformance_suite() {
        let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
        let counting = Counting::new(Bump::new(&mut buf));
        testing::conformance(&counting);
        let s = counting.stats();
        assert!(s.allocations > 0);
        assert_eq!(s.live_bytes, 0, "the suite frees what it allocates");
    }

    #[test]
    fn counts_only_what_reaches_the_parent() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let counting = Counting::new(Bump::new(&mut buf));
        let a = counting.allocator();
        let zst = a.create(()).unwrap();
        // SAFETY: from `create` on this allocator, destroyed once.
        unsafe { a.destroy(zst) };
        assert_eq!(
            counting.stats(),
            Stats::default(),
            "zero-size requests are not counted"
        );
        assert!(a.alloc_slice::<u8>(65).is_err());
        let s = counting.stats();
        assert_eq!((s.allocations, s.failures), (0, 1));
    }

    #[test]
    fn keeps_live_bytes_exact_through_resize_and_remap() {
        let mut buf = [MaybeUninit::uninit(); 4096];
        let counting = Counting::new(Bump::new(&mut buf));
        let mut v: Vec<u32, _> = Vec::new_in(&counting);
        for i in 0..300 {
            v.push(i);
            assert_eq!(counting.stats().live_bytes, v.capacity() * 4);
        }
        v.truncate(10);
        v.shrink_to_fit();
        assert_eq!(counting.stats().live_bytes, 40);
        let peak = counting.stats().peak_live_bytes;
        drop(v);
        let s = counting.stats();
        assert_eq!(s.live_bytes, 0);
        assert_eq!(s.peak_live_bytes, peak);
        assert_eq!(s.bytes_allocated - s.bytes_freed, 0);
        assert_eq!(s.live_allocations(), 0);
    }

    #[test]
    fn the_peak_is_exact_when_read_with_no_free_since_it_was_reached() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let counting = Counting::new(Bump::new(&mut buf));
        let a = counting.allocator();
        let x = a.create(1u64).unwrap();
        let y = a.create([0u8; 16]).unwrap();
        assert_eq!(
            counting.stats().peak_live_bytes,
            24,
            "read with no free at all"
        );
        // SAFETY: from `create` on this allocator, destroyed once.
        unsafe { a.destroy(x) };
        let z = a.create(1u32).unwrap();
        let s = counting.stats();
        assert_eq!((s.live_bytes, s.peak_live_bytes), (20, 24));
        let w = a.create([0u8; 16]).unwrap();
        let s = counting.stats();
        assert_eq!(
            (s.live_bytes, s.peak_live_bytes),
            (36, 36),
            "a new peak, no free since"
        );
        for p in [y, w] {
            // SAFETY: as above.
            unsafe { a.destroy(p) };
        }
        // SAFETY: as above.
        unsafe { a.destroy(z) };
        let s = counting.stats();
        assert_eq!((s.live_bytes, s.peak_live_bytes), (0, 36));
    }

    #[test]
    fn the_peak_counts_growth_in_place_before_a_shrink() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let counting = Counting::new(Bump::new(&mut buf));
        let a = counting.allocator();
        let s = a.alloc_slice::<u8>(10).unwrap();
        // SAFETY: `s` came from `alloc_slice` on this handle, with this length.
        let s = unsafe { a.realloc(s, 100) }.unwrap(); // in place: the last allocation
        // SAFETY: as above; shrinking, in place.
        let s = unsafe { a.realloc(s, 4) }.unwrap();
        let st = counting.stats();
        assert_eq!(st.resizes + st.remaps, 2, "grown and shrunk");
        let peak = counting.stats().peak_live_bytes;
        // SAFETY: as above; freed once.
        unsafe { a.free_slice(s) };
        let stats = counting.stats();
        assert_eq!(
            (peak, stats.peak_live_bytes, stats.live_bytes),
            (100, 100, 0)
        );
    }

    #[test]
    fn stacks_by_reference_and_through_the_handle() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let bump = Bump::new(&mut buf);
        let by_ref = Counting::new(&bump);
        let through_handle = Counting::new(bump.allocator());
        by_ref.allocator().create(1u64).unwrap();
        through_handle.allocator().create(1u32).unwrap();
        assert_eq!(by_ref.stats().bytes_allocated, 8);
        assert_eq!(through_handle.stats().bytes_allocated, 4);
        assert!(bump.used() >= 12);
    }

    #[test]
    fn display_lists_every_counter() {
        let table = alloc::string::ToString::to_string(&Stats::default());
        for name in [
            "allocations",
            "frees",
            "resizes",
            "remaps",
            "failures",
            "live bytes",
            "peak live bytes",
        ] {
            assert!(
                table.lines().any(|l| l.starts_with(name)),
                "{name} missing from\n{table}"
            );
        }
    }
}
