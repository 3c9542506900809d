//! [`PoolStats`]: what an [`ArenaPool`](super::ArenaPool) holds.

use core::fmt;

use crate::ArenaStats;

/// What an [`ArenaPool`](super::ArenaPool) holds now, from
/// [`ArenaPool::stats`](super::ArenaPool::stats): how many arenas it made,
/// how many are idle in it, and the statistics of the idle ones summed.
///
/// # Examples
///
/// ```
/// use alloc_runtime::ArenaPool;
/// let pool = ArenaPool::new();
/// let lent = pool.get();
/// lent.alloc(1u64);
/// let s = pool.stats();
/// assert_eq!((s.arenas, s.idle), (1, 0));
/// assert_eq!(s.totals.chunks, 0); // the lent arena is not counted
/// drop(lent);
/// assert_eq!(pool.stats().totals.chunks, 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PoolStats {
    /// Arenas the pool made: idle, lent, and leaked with a forgotten
    /// `PooledArena`. A new one is made only when none is idle at a `get`.
    pub arenas: usize,
    /// Arenas idle in the pool now.
    pub idle: usize,
    /// The [`ArenaStats`] of the idle arenas, summed field by field.
    pub totals: ArenaStats,
}

impl fmt::Display for PoolStats {
    /// The arena counts, then the totals' table.
    ///
    /// ```
    /// let table = alloc_runtime::PoolStats::default().to_string();
    /// assert!(table.lines().any(|l| l.starts_with("arenas") && l.ends_with(" 0")));
    /// assert!(table.lines().any(|l| l.starts_with("chunks")));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<17}{:>12}", "arenas", self.arenas)?;
        writeln!(f, "{:<17}{:>12}", "idle", self.idle)?;
        fmt::Display::fmt(&self.totals, f)
    }
}
