//! A chunk of an [`Arena`](super::Arena): a block from the parent with a
//! header at its start, and the arithmetic of chunk sizes.
//!
//! Layout of a chunk of `size` bytes, allocated from the parent with
//! alignment `align` (at least [`CHUNK_ALIGN`]):
//!
//! ```text
//! base                 base + HEADER                         base + size
//! | Header (padded)    | payload: handed out ... | free ...  |
//! ```
//!
//! The header records `size` and `align`, so the chunk goes back to the
//! parent with exactly the length and alignment it was allocated with
//! (bump-scope #32 freed a chunk with the wrong layout at large alignment).

use core::cell::Cell;
use core::ptr::NonNull;

use crate::Alignment;

/// The smallest alignment a chunk is allocated with: the header's, and a
/// payload start that suits every primitive type.
pub(super) const CHUNK_ALIGN: Alignment = match Alignment::new(16) {
    Some(align) => align,
    None => panic!("16 is a power of two"),
};

/// Bytes from the start of a chunk to its payload: the header, rounded up to
/// [`CHUNK_ALIGN`] so the payload starts 16-aligned.
pub(super) const HEADER: usize =
    (size_of::<Header>() + CHUNK_ALIGN.to_bytes() - 1) & !(CHUNK_ALIGN.to_bytes() - 1);

/// What a typical `malloc` adds to each block; chunk sizes are chosen so that
/// a chunk plus this overhead is a power of two (below a page) or a whole
/// number of pages, bumpalo's choice, so chunks fill the size classes.
const MALLOC_OVERHEAD: usize = 16;

/// The footprint of the first chunk: 512 bytes, like bumpalo's.
const FIRST_FOOTPRINT: usize = 512;

/// Above this footprint, chunk sizes are rounded to pages, not to powers of
/// two.
const PAGE: usize = 4096;

/// The header at the start of every chunk.
///
/// Its fields are `Cell`s: the arena reads and links headers through shared
/// references while it is shared (`&Arena`), on one thread (`Arena` is not
/// `Sync`).
pub(super) struct Header {
    /// The chunk used before this one (older), if any.
    pub(super) prev: Cell<Option<Chunk>>,
    /// The chunk after this one: for the current chunk, the first spare (a
    /// chunk taken during a scope and kept after it ended).
    pub(super) next: Cell<Option<Chunk>>,
    /// The exact length the chunk was allocated with from the parent.
    size: usize,
    /// The exact alignment the chunk was allocated with from the parent.
    align: Alignment,
    /// For a chunk before the current one: the address one past the last
    /// byte handed out from it (where the position was when the arena moved
    /// on). Meaningless for the current chunk and for spares.
    pub(super) filled: Cell<usize>,
}

/// A chunk held by an arena: a pointer to its header, with the provenance of
/// the whole block the parent returned (every pointer into the chunk is
/// derived from it).
///
/// Invariant: a `Chunk` value exists only while its block is live and held
/// by the arena: the arena frees a chunk only after unlinking it, and never
/// uses the value afterwards. That is what makes [`header`](Self::header)
/// sound.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Chunk(NonNull<Header>);

impl Chunk {
    /// Writes a fresh header (no links) at the start of `memory` and returns
    /// the chunk.
    ///
    /// # Safety
    ///
    /// `memory` is a live block of `size >= HEADER` bytes from the parent,
    /// allocated with alignment `align >= CHUNK_ALIGN`, valid for writes and
    /// owned by the caller (the arena) until it frees it.
    pub(super) unsafe fn init(memory: NonNull<u8>, size: usize, align: Alignment) -> Self {
        debug_assert!(size >= HEADER && align >= CHUNK_ALIGN);
        let header = memory.cast::<Header>();
        // SAFETY: the caller's contract: `memory` is valid for writes of
        // `size >= HEADER >= size_of::<Header>()` bytes and aligned to at
        // least `CHUNK_ALIGN`, which is `Header`'s alignment or more.
        unsafe {
            header.write(Header {
                prev: Cell::new(None),
                next: Cell::new(None),
                size,
                align,
                filled: Cell::new(0),
            });
        }
        let chunk = Self(header);
        chunk.header().filled.set(chunk.start().addr().get());
        chunk
    }

    /// The chunk's header.
    #[inline(always)]
    pub(super) fn header(&self) -> &Header {
        // SAFETY: the type's invariant: the chunk is live and held by the
        // arena, its header was written by `init`; headers are only accessed
        // through shared references (their mutable fields are `Cell`s) on
        // the arena's thread.
        unsafe { self.0.as_ref() }
    }

    /// The first byte of the payload, with the chunk's provenance.
    #[inline(always)]
    pub(super) fn start(self) -> NonNull<u8> {
        // SAFETY: `HEADER <= size` (`init`'s contract): the offset stays
        // inside the chunk.
        unsafe { self.0.cast::<u8>().byte_add(HEADER) }
    }

    /// The address one past the chunk's last byte. A live block does not
    /// wrap around the address space, so the sum does not overflow.
    #[inline(always)]
    pub(super) fn end(self) -> usize {
        self.0.addr().get() + self.header().size
    }

    /// The exact length the chunk was allocated with.
    #[inline]
    pub(super) fn size(self) -> usize {
        self.header().size
    }

    /// The exact alignment the chunk was allocated with.
    #[inline]
    pub(super) fn align(self) -> Alignment {
        self.header().align
    }

    /// Bytes of the payload.
    #[inline]
    pub(super) fn capacity(self) -> usize {
        self.size() - HEADER
    }

    /// The whole block, as the parent handed it out: what goes back to
    /// `free`.
    #[inline]
    pub(super) fn memory(self) -> NonNull<[u8]> {
        NonNull::slice_from_raw_parts(self.0.cast::<u8>(), self.size())
    }
}

/// The alignment to allocate a chunk with, to serve a request aligned to
/// `align`: the request's alignment when it is larger than [`CHUNK_ALIGN`].
#[inline]
pub(super) fn chunk_align(align: Alignment) -> Alignment {
    align.max(CHUNK_ALIGN)
}

/// The smallest chunk that serves `len` bytes aligned to `align`, when it is
/// allocated with [`chunk_align(align)`](chunk_align): the header, padding
/// from it to the first aligned address, and `len`. `None` when that
/// overflows (bumpalo #15: overflow near the top of the address space).
#[inline]
pub(super) fn needed(len: usize, align: Alignment) -> Option<usize> {
    align.forward(HEADER)?.checked_add(len)
}

/// `size` rounded up so that `size + MALLOC_OVERHEAD` is a power of two
/// (up to a page) or a whole number of pages; `None` on overflow.
#[inline]
pub(super) fn rounded(size: usize) -> Option<usize> {
    let footprint = size.checked_add(MALLOC_OVERHEAD)?;
    let rounded = if footprint <= PAGE {
        footprint.checked_next_power_of_two()?
    } else {
        footprint.checked_add(PAGE - 1)? & !(PAGE - 1)
    };
    Some(rounded - MALLOC_OVERHEAD)
}

/// The size of the chunk after one of `prev` bytes (the first when
/// `None`): twice the footprint, saturating.
#[inline]
pub(super) fn grown(prev: Option<usize>) -> usize {
    match prev {
        None => FIRST_FOOTPRINT - MALLOC_OVERHEAD,
        Some(prev) => prev
            .saturating_add(MALLOC_OVERHEAD)
            .saturating_mul(2)
            .saturating_sub(MALLOC_OVERHEAD),
    }
}
