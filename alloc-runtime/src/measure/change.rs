//! [`Change`]: what a [`Counting`](crate::Counting) allocator saw between
//! two snapshots of its [`Stats`].

use core::fmt;

use super::grouped::Grouped;
use crate::Stats;

/// What a [`Counting`](crate::Counting) allocator saw between two
/// snapshots: what a [`Region`](crate::Region) or [`measure`](crate::measure)
/// answers.
///
/// The counters are the differences of the two [`Stats`]: calls and bytes
/// since the first snapshot. Live bytes can fall (the code freed more than
/// it allocated), so [`live_bytes`](Self::live_bytes) is signed. There is
/// no peak: the largest live total inside the region cannot be told from two
/// snapshots (read [`Stats::peak_live_bytes`] for the all-time one).
///
/// Its `Display` is a table of the figures, one a line, that panic messages
/// and logs can show as they are.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Bump, Change, Counting};
/// use allocator_api2::boxed::Box;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let counting = Counting::new(Bump::new(&mut buf));
/// let kept = Box::new_in(1u64, &counting);
/// let before = counting.stats();
/// drop(kept);
/// let change = Change::between(&before, &counting.stats());
/// assert_eq!((change.allocations, change.frees), (0, 1));
/// assert_eq!(change.live_bytes, -8);
/// assert!(change.to_string().lines().any(|l| l.starts_with("live bytes") && l.ends_with("-8")));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Change {
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
    /// Live bytes at the second snapshot minus live bytes at the first:
    /// `bytes_allocated - bytes_freed`, negative when the code freed blocks
    /// allocated before the first snapshot.
    pub live_bytes: isize,
}

impl Change {
    /// What happened between the snapshot `before` and the later snapshot
    /// `after` of the same counter.
    ///
    /// ```
    /// use alloc_runtime::{Change, Counting, Global};
    ///
    /// let counting = Counting::new(Global);
    /// let before = counting.stats();
    /// let v: allocator_api2::vec::Vec<u8, _> = allocator_api2::vec::Vec::with_capacity_in(100, &counting);
    /// let change = Change::between(&before, &counting.stats());
    /// assert_eq!((change.allocations, change.bytes_allocated, change.live_bytes), (1, 100, 100));
    /// # drop(v);
    /// ```
    #[must_use]
    pub fn between(before: &Stats, after: &Stats) -> Self {
        Self {
            allocations: after.allocations.wrapping_sub(before.allocations),
            frees: after.frees.wrapping_sub(before.frees),
            resizes: after.resizes.wrapping_sub(before.resizes),
            remaps: after.remaps.wrapping_sub(before.remaps),
            failures: after.failures.wrapping_sub(before.failures),
            bytes_allocated: after.bytes_allocated.wrapping_sub(before.bytes_allocated),
            bytes_freed: after.bytes_freed.wrapping_sub(before.bytes_freed),
            live_bytes: after.live_bytes.wrapping_sub(before.live_bytes) as isize,
        }
    }

    /// Allocations made and not freed: `allocations - frees`, negative when
    /// the code freed blocks allocated before.
    ///
    /// ```
    /// let change = alloc_runtime::Change::default();
    /// assert_eq!(change.live_allocations(), 0);
    /// ```
    #[inline]
    #[must_use]
    pub fn live_allocations(&self) -> i64 {
        self.allocations.wrapping_sub(self.frees) as i64
    }

    /// Nothing allocated, freed, resized or refused.
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, measure};
    ///
    /// let counting = Counting::new(Global);
    /// let ((), change) = measure(&counting, || ());
    /// assert!(change.is_none());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_none(&self) -> bool {
        *self == Self::default()
    }
}

impl fmt::Display for Change {
    /// A two-column table, one figure a line; the live figures carry their
    /// sign.
    ///
    /// ```
    /// let table = alloc_runtime::Change::default().to_string();
    /// assert!(table.lines().any(|l| l.starts_with("allocations") && l.ends_with(" 0")));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = [
            ("allocations", Grouped::unsigned(self.allocations)),
            ("frees", Grouped::unsigned(self.frees)),
            ("live allocations", Grouped::signed(self.live_allocations())),
            ("resizes", Grouped::unsigned(self.resizes)),
            ("remaps", Grouped::unsigned(self.remaps)),
            ("failures", Grouped::unsigned(self.failures)),
            ("bytes allocated", Grouped::unsigned(self.bytes_allocated)),
            ("bytes freed", Grouped::unsigned(self.bytes_freed)),
            ("live bytes", Grouped::signed(self.live_bytes as i64)),
        ];
        for (i, (name, value)) in rows.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{name:<17}{value:>16}")?;
        }
        Ok(())
    }
}
