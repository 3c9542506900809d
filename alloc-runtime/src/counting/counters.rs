//! The live counters of a [`Counting`](super::Counting): [`Stats`](super::Stats)
//! in `Cell`s ([`Local`](crate::Local)) or atomics
//! ([`ThreadSafe`](crate::ThreadSafe)).

use core::cell::Cell;
use core::fmt;

use crate::threading::sealed::{Sealed, Word};
use crate::{Local, Threading};

/// The live counters: [`Stats`](super::Stats) in the words of `T`.
///
/// An allocation updates two words, `allocations` and `live`; bytes
/// allocated are derived (`bytes_freed + live`), and the peak is settled
/// lazily, see [`peak_live_bytes`](Self::peak_live_bytes). The same code
/// serves both markers: with atomics every update is one `Relaxed`
/// read-modify-write, and every figure stays exact, since each is a sum of
/// the updates made so far.
pub(super) struct Counters<T: Threading = Local> {
    allocations: <T as Sealed>::U64,
    frees: <T as Sealed>::U64,
    pub(super) resizes: <T as Sealed>::U64,
    pub(super) remaps: <T as Sealed>::U64,
    pub(super) failures: <T as Sealed>::U64,
    bytes_freed: <T as Sealed>::U64,
    /// Requested bytes of the live blocks.
    live: <T as Sealed>::Usize,
    /// The largest `live` ever was, up to its last decrease.
    ///
    /// Settled lazily: live bytes only grow between two decreases (a `free`,
    /// a shrinking `resize`/`remap`), so their largest value in between is
    /// the one just before the decrease, which the decrease reads back from
    /// its own update (`Word::sub` returns the value before; for atomics
    /// that is the value just before it in `live`'s modification order, so
    /// no other thread's update can slip in between). Every decrease settles
    /// the peak ([`Counters::shrank`]), and [`Counters::peak`] (what `stats`
    /// reads) takes the larger of this and live bytes now; so the peak read
    /// is exact, and an allocation or a growth never touches it.
    peak_live_bytes: <T as Sealed>::Usize,
}

impl Counters<Local> {
    /// All zero, in `Cell`s; `const` for `const` constructors.
    pub(super) const fn local() -> Self {
        Self {
            allocations: Cell::new(0),
            frees: Cell::new(0),
            resizes: Cell::new(0),
            remaps: Cell::new(0),
            failures: Cell::new(0),
            bytes_freed: Cell::new(0),
            live: Cell::new(0),
            peak_live_bytes: Cell::new(0),
        }
    }
}

#[cfg(target_has_atomic = "64")]
impl Counters<crate::ThreadSafe> {
    /// All zero, in atomics; `const` for a `static`.
    pub(super) const fn thread_safe() -> Self {
        use core::sync::atomic::{AtomicU64, AtomicUsize};
        Self {
            allocations: AtomicU64::new(0),
            frees: AtomicU64::new(0),
            resizes: AtomicU64::new(0),
            remaps: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            bytes_freed: AtomicU64::new(0),
            live: AtomicUsize::new(0),
            peak_live_bytes: AtomicUsize::new(0),
        }
    }
}

impl<T: Threading> Counters<T> {
    /// Counts a successful allocation of `len` bytes.
    #[inline(always)]
    pub(super) fn allocated(&self, len: usize) {
        self.allocations.add(1);
        // No peak update: see `peak_live_bytes`.
        self.live.add(len);
    }

    /// Counts an allocation the parent refused.
    #[inline(always)]
    pub(super) fn failed(&self) {
        self.failures.add(1);
    }

    /// Successful allocations so far.
    #[inline(always)]
    pub(super) fn allocations(&self) -> u64 {
        self.allocations.get()
    }

    /// `free` calls so far.
    #[inline(always)]
    pub(super) fn frees(&self) -> u64 {
        self.frees.get()
    }

    /// Live bytes and bytes given back so far (frees and shrinking), read in
    /// that order.
    ///
    /// A decrease adds to `bytes_freed` before it takes from `live`, so with
    /// other threads running the two figures read here never sum to less
    /// than the bytes allocated when `live` was read.
    #[inline(always)]
    pub(super) fn live_and_freed(&self) -> (usize, u64) {
        let live = self.live.get();
        (live, self.bytes_freed.get())
    }

    /// The exact peak of live bytes so far, given live bytes now.
    #[inline(always)]
    pub(super) fn peak(&self, live: usize) -> usize {
        self.peak_live_bytes.get().max(live)
    }

    /// Counts a `free` of `len` bytes.
    #[inline(always)]
    pub(super) fn freed(&self, len: usize) {
        self.frees.add(1);
        self.shrank(len);
    }

    /// Counts a block grown or shrunk from `old_len` to `new_len` bytes.
    #[inline(always)]
    pub(super) fn changed(&self, old_len: usize, new_len: usize) {
        if new_len >= old_len {
            // No peak update: see `peak_live_bytes`.
            self.live.add(new_len - old_len);
        } else {
            self.shrank(old_len - new_len);
        }
    }

    #[inline(always)]
    fn shrank(&self, bytes: usize) {
        self.bytes_freed.add(bytes as u64);
        // Live bytes fall now: settle the peak at their value just before
        // (stored only when it is a new peak).
        let before = self.live.sub(bytes);
        self.peak_live_bytes.raise(before);
    }
}

impl<T: Threading> fmt::Debug for Counters<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Counters")
            .field("allocations", &self.allocations)
            .field("frees", &self.frees)
            .field("live", &self.live)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts `n` allocations of `len` bytes the way `Counting` does.
    fn allocate(c: &Counters, n: u64, len: usize) {
        for _ in 0..n {
            c.allocated(len);
        }
    }

    #[test]
    fn frees_settle_the_peak() {
        let c = Counters::local();
        allocate(&c, 4, 10);
        c.freed(10);
        c.changed(10, 30);
        assert_eq!(c.frees(), 1);
        assert_eq!(c.live_and_freed(), (50, 10));
        assert_eq!(c.peak(50), 50);
        c.changed(30, 0);
        c.freed(0);
        assert_eq!(c.live_and_freed(), (20, 40));
        assert_eq!(c.peak(20), 50);
    }
}
