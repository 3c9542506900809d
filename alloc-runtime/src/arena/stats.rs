//! [`ArenaStats`]: what an [`Arena`](super::Arena) holds.

use core::fmt;

/// What an [`Arena`](super::Arena) holds now, from
/// [`Arena::stats`](super::Arena::stats).
///
/// `allocated_bytes` is what the parent gave (headers included; bumpalo's
/// `allocated_bytes`); `capacity` is the part of it allocations can use;
/// `used` is what was handed out since the last reset (alignment padding
/// included, what was given back by freeing the most recent allocation
/// excluded); `remaining` is what is left in the current chunk. Bytes at the
/// end of a full chunk, which the arena skipped to take a new one, are in
/// neither `used` nor `remaining`.
///
/// # Examples
///
/// ```
/// use alloc_runtime::Arena;
/// let arena = Arena::new();
/// arena.allocator().create(7u32)?;
/// let s = arena.stats();
/// assert_eq!(s.chunks, 1);
/// assert_eq!(s.used, 4);
/// assert!(s.capacity < s.allocated_bytes); // the chunk's header
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ArenaStats {
    /// Chunks held now (spares included).
    pub chunks: usize,
    /// Bytes of those chunks, as allocated from the parent (headers
    /// included).
    pub allocated_bytes: usize,
    /// Bytes of those chunks that allocations can use (headers excluded).
    pub capacity: usize,
    /// Bytes handed out (padding included) since the last reset.
    pub used: usize,
    /// Bytes left in the current chunk.
    pub remaining: usize,
    /// Bytes of spare chunks: taken during a scope that ended, kept for the
    /// next growth (part of `allocated_bytes`).
    pub spare_bytes: usize,
}

impl fmt::Display for ArenaStats {
    /// A two-column table, one figure a line.
    ///
    /// ```
    /// let table = alloc_runtime::ArenaStats::default().to_string();
    /// assert!(table.lines().any(|l| l.starts_with("chunks") && l.ends_with(" 0")));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: [(&str, usize); 6] = [
            ("chunks", self.chunks),
            ("allocated bytes", self.allocated_bytes),
            ("capacity", self.capacity),
            ("used", self.used),
            ("remaining", self.remaining),
            ("spare bytes", self.spare_bytes),
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
