//! [`ArenaStats`]: what an [`Arena`](super::Arena) holds.

use core::fmt;

/// What an [`Arena`](super::Arena) holds now, from
/// [`Arena::stats`](super::Arena::stats).
///
/// `allocated_bytes` is the chunks' bytes with their headers excluded
/// (bumpalo's `allocated_bytes`, and
/// [`Arena::allocated_bytes`](super::Arena::allocated_bytes));
/// `allocated_bytes_including_metadata` is what the parent gave, headers
/// included; `capacity` is the part allocations can use, the same as
/// `allocated_bytes`; `used` is what was handed out since the last reset
/// (alignment padding
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
/// assert!(s.allocated_bytes < s.allocated_bytes_including_metadata); // the header
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ArenaStats {
    /// Chunks held now (spares included).
    pub chunks: usize,
    /// Bytes of those chunks, headers excluded: bumpalo's
    /// `allocated_bytes`, what the allocation limit caps.
    pub allocated_bytes: usize,
    /// Bytes of those chunks as allocated from the parent, headers
    /// included: bumpalo's `allocated_bytes_including_metadata`.
    pub allocated_bytes_including_metadata: usize,
    /// Bytes of those chunks that allocations can use (headers excluded):
    /// the same as `allocated_bytes`.
    pub capacity: usize,
    /// Bytes handed out (padding included) since the last reset.
    pub used: usize,
    /// Bytes left in the current chunk.
    pub remaining: usize,
    /// Bytes of spare chunks, headers excluded: taken during a scope that
    /// ended, kept for the next growth (part of `allocated_bytes`).
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
        let rows: [(&str, usize); 7] = [
            ("chunks", self.chunks),
            ("allocated bytes", self.allocated_bytes),
            ("with metadata", self.allocated_bytes_including_metadata),
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
