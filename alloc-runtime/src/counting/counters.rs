//! The live counters of a [`Counting`](super::Counting): [`Stats`](super::Stats)
//! in `Cell`s.

use core::cell::Cell;

/// `cell += by`, wrapping: an allocator never panics, and `u64` counters do
/// not wrap in practice.
#[inline(always)]
pub(super) fn bump_u64(cell: &Cell<u64>, by: u64) {
    cell.set(cell.get().wrapping_add(by));
}

/// The live counters: [`Stats`](super::Stats) in `Cell`s.
///
/// An allocation updates two words, `allocations` and `bytes_allocated`;
/// the peak is settled lazily, see
/// [`peak_live_bytes`](Self::peak_live_bytes).
#[derive(Default)]
pub(super) struct Counters {
    allocations: Cell<u64>,
    frees: Cell<u64>,
    pub(super) resizes: Cell<u64>,
    pub(super) remaps: Cell<u64>,
    pub(super) failures: Cell<u64>,
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

impl Counters {
    /// Counts a successful allocation of `len` bytes.
    #[inline(always)]
    pub(super) fn allocated(&self, len: usize) {
        bump_u64(&self.allocations, 1);
        // No peak update: see `peak_live_bytes`.
        bump_u64(&self.bytes_allocated, len as u64);
    }

    /// Successful allocations so far.
    #[inline(always)]
    pub(super) fn allocations(&self) -> u64 {
        self.allocations.get()
    }

    /// Bytes handed out so far (allocations and growth).
    #[inline(always)]
    pub(super) fn bytes_allocated(&self) -> u64 {
        self.bytes_allocated.get()
    }

    /// `free` calls so far.
    #[inline(always)]
    pub(super) fn frees(&self) -> u64 {
        self.frees.get()
    }

    /// Bytes given back so far (frees and shrinking).
    #[inline(always)]
    pub(super) fn bytes_freed(&self) -> u64 {
        self.bytes_freed.get()
    }

    /// Live bytes now.
    #[inline(always)]
    pub(super) fn live(&self) -> u64 {
        self.bytes_allocated().wrapping_sub(self.bytes_freed.get())
    }

    /// The exact peak of live bytes so far.
    #[inline(always)]
    pub(super) fn peak(&self) -> u64 {
        self.peak_live_bytes.get().max(self.live())
    }

    /// Counts a `free` of `len` bytes.
    #[inline(always)]
    pub(super) fn freed(&self, len: usize) {
        bump_u64(&self.frees, 1);
        self.shrank(len);
    }

    /// Counts a block grown or shrunk from `old_len` to `new_len` bytes.
    #[inline(always)]
    pub(super) fn changed(&self, old_len: usize, new_len: usize) {
        if new_len >= old_len {
            // No peak update: see `peak_live_bytes`.
            bump_u64(&self.bytes_allocated, (new_len - old_len) as u64);
        } else {
            self.shrank(old_len - new_len);
        }
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
        let c = Counters::default();
        allocate(&c, 4, 10);
        c.freed(10);
        c.changed(10, 30);
        assert_eq!((c.frees(), c.bytes_freed()), (1, 10));
        assert_eq!(c.live(), 50);
        assert_eq!(c.peak(), 50);
        c.changed(30, 0);
        c.freed(0);
        assert_eq!(c.live(), 20);
        assert_eq!(c.peak(), 50);
    }
}
