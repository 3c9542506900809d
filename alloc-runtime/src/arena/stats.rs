//! [`ArenaStats`] (SKELETON).

/// What an arena holds (SKELETON: fields are the helper's to settle).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ArenaStats {
    /// Chunks held now.
    pub chunks: usize,
    /// Bytes of those chunks, taken from the parent (headers included).
    pub allocated_bytes: usize,
    /// Bytes of those chunks that allocations can use.
    pub capacity: usize,
    /// Bytes handed out (padding included) since the last reset.
    pub used: usize,
    /// Bytes left in the current chunk.
    pub remaining: usize,
}
