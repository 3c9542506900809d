//! [`Config`]: the settings of a [`DebugAlloc`](super::DebugAlloc), with
//! the bytes it paints memory with.

/// The byte that freed memory (and the tail cut off by a shrink) is filled
/// with before it goes back to the parent: `0xDD`, "dead". The same byte as
/// the MSVC debug heap's freed-memory fill.
///
/// ```
/// assert_eq!(alloc_runtime::debug::POISON, 0xDD);
/// ```
pub const POISON: u8 = 0xDD;

/// The byte fresh memory (and the new part of a grown block) is filled with
/// before it is handed out: `0xAA`, Zig's `undefined` in safe builds.
///
/// ```
/// use alloc_runtime::debug::{DebugAlloc, FILL};
/// use alloc_runtime::{Bump, Allocator};
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let a = DebugAlloc::new(Bump::new(&mut buf));
/// let block = a.allocator().alloc_slice::<u8>(4)?;
/// // SAFETY: the debug allocator initialized the four bytes with `FILL`.
/// assert_eq!(unsafe { block.as_ref() }, [FILL; 4]);
/// # // SAFETY: allocated above on this allocator, freed once.
/// # unsafe { a.allocator().free_slice(block) };
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
pub const FILL: u8 = 0xAA;

/// What a [`DebugAlloc`](super::DebugAlloc) does when it is dropped with
/// leaks or misuse on record.
///
/// ```
/// use alloc_runtime::debug::{Config, OnDrop};
/// assert_eq!(Config::new().on_drop, OnDrop::Print);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OnDrop {
    /// Nothing: read the results with
    /// [`DebugAlloc::report`](super::DebugAlloc::report) before.
    Ignore,
    /// Print the [`Report`](super::Report) to standard error (feature `std`;
    /// without it, nothing). The default.
    Print,
    /// Panic with the [`Report`](super::Report), failing the test (unless
    /// the thread is already panicking, with feature `std`: then print it).
    /// Without `std` the panicking state cannot be seen, and a panic during
    /// unwinding aborts. `test_allocator()` uses this.
    Panic,
}

/// Settings of a [`DebugAlloc`](super::DebugAlloc): build one with
/// [`Config::new`] and the `with_*` methods.
///
/// ```
/// use alloc_runtime::debug::{Config, OnDrop};
/// let config = Config::new().with_fill(None).with_max_misuses(8).with_on_drop(OnDrop::Panic);
/// assert_eq!(config.poison, Some(0xDD));
/// assert_eq!((config.fill, config.max_misuses), (None, 8));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Config {
    /// The byte freed memory and shrunk tails are overwritten with;
    /// [`POISON`] by default, `None` to leave them as they are.
    pub poison: Option<u8>,
    /// The byte fresh memory is filled with; [`FILL`] by default, `None` to
    /// leave it as the parent gives it.
    pub fill: Option<u8>,
    /// Whether each call site also captures a backtrace and keeps the first
    /// frame in the user's code (feature `std`; slow). Off by default.
    pub backtraces: bool,
    /// How many misuses are kept in full; later ones are only counted.
    /// 64 by default.
    pub max_misuses: usize,
    /// How many blocks already given back to the parent are remembered to
    /// recognize double frees, as long as the parent has not handed their
    /// address out again. 1024 by default. Blocks in the quarantine are
    /// recognized whatever this says.
    pub max_freed: usize,
    /// The most freed blocks held back from the parent at once (the
    /// quarantine); 64 by default. See [`Config::with_quarantine`].
    pub quarantine_blocks: usize,
    /// The most bytes held back from the parent at once (the quarantine);
    /// 1 MiB by default. See [`Config::with_quarantine`].
    pub quarantine_bytes: usize,
    /// What dropping the allocator does with leaks or misuse on record.
    pub on_drop: OnDrop,
}

impl Config {
    /// The defaults: poison `0xDD`, fill `0xAA`, no backtraces, 64 misuses
    /// kept, 1024 released blocks remembered, a quarantine of 64 blocks or
    /// 1 MiB, print the report on drop.
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new();
    /// assert_eq!(config, Default::default());
    /// assert!(!config.backtraces);
    /// assert_eq!((config.quarantine_blocks, config.quarantine_bytes), (64, 1 << 20));
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            poison: Some(POISON),
            fill: Some(FILL),
            backtraces: false,
            max_misuses: 64,
            max_freed: 1024,
            quarantine_blocks: 64,
            quarantine_bytes: 1 << 20,
            on_drop: OnDrop::Print,
        }
    }

    /// Sets [`poison`](Self::poison).
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new().with_poison(Some(0xFE));
    /// assert_eq!(config.poison, Some(0xFE));
    /// ```
    #[must_use]
    pub const fn with_poison(mut self, byte: Option<u8>) -> Self {
        self.poison = byte;
        self
    }

    /// Sets [`fill`](Self::fill).
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new().with_fill(None);
    /// assert_eq!(config.fill, None);
    /// ```
    #[must_use]
    pub const fn with_fill(mut self, byte: Option<u8>) -> Self {
        self.fill = byte;
        self
    }

    /// Sets [`backtraces`](Self::backtraces): each call site then names the
    /// first frame of the user's code (feature `std`; without it, ignored).
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new().with_backtraces(true);
    /// assert!(config.backtraces);
    /// ```
    #[must_use]
    pub const fn with_backtraces(mut self, on: bool) -> Self {
        self.backtraces = on;
        self
    }

    /// Sets [`max_misuses`](Self::max_misuses).
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new().with_max_misuses(1);
    /// assert_eq!(config.max_misuses, 1);
    /// ```
    #[must_use]
    pub const fn with_max_misuses(mut self, n: usize) -> Self {
        self.max_misuses = n;
        self
    }

    /// Sets [`max_freed`](Self::max_freed); `0` turns the recognition of
    /// double frees of released blocks off (they are then frees of memory
    /// not allocated here, still caught; the quarantine's blocks are still
    /// recognized as double frees).
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new().with_max_freed(0);
    /// assert_eq!(config.max_freed, 0);
    /// ```
    #[must_use]
    pub const fn with_max_freed(mut self, n: usize) -> Self {
        self.max_freed = n;
        self
    }

    /// Sets the quarantine: freed blocks are poisoned and **held back from
    /// the parent** while at most `blocks` of them, of at most `bytes`
    /// together, are held; the oldest is given back when a free goes past
    /// either limit (a block larger than `bytes` goes straight back). As
    /// in Zig's `DebugAllocator` and AddressSanitizer, a held block's
    /// address cannot be handed out again, so a stale free of it (a double
    /// free after the parent would have reused the address) is still
    /// recognized, and the block allocated meanwhile is left alone.
    ///
    /// `0` for either turns the quarantine off; `usize::MAX` leaves that
    /// dimension unlimited. The default is 64 blocks or 1 MiB. Held blocks
    /// are not leaks; they go back to the parent when evicted, on
    /// [`DebugAlloc::release_quarantine`](super::DebugAlloc::release_quarantine),
    /// and when the allocator is dropped (or
    /// [`finish`](super::DebugAlloc::finish)ed).
    ///
    /// A parent that reclaims only its most recent block (a
    /// [`Bump`](crate::Bump)) gets nothing back from a quarantined free:
    /// turn the quarantine off when such a parent must reuse its bytes.
    ///
    /// ```
    /// use alloc_runtime::debug::Config;
    /// let config = Config::new().with_quarantine(16, 4096);
    /// assert_eq!((config.quarantine_blocks, config.quarantine_bytes), (16, 4096));
    /// let off = Config::new().with_quarantine(0, 0);
    /// assert_eq!(off.quarantine_blocks, 0);
    /// ```
    #[must_use]
    pub const fn with_quarantine(mut self, blocks: usize, bytes: usize) -> Self {
        self.quarantine_blocks = blocks;
        self.quarantine_bytes = bytes;
        self
    }

    /// Sets [`on_drop`](Self::on_drop).
    ///
    /// ```
    /// use alloc_runtime::debug::{Config, OnDrop};
    /// assert_eq!(Config::new().with_on_drop(OnDrop::Ignore).on_drop, OnDrop::Ignore);
    /// ```
    #[must_use]
    pub const fn with_on_drop(mut self, on_drop: OnDrop) -> Self {
        self.on_drop = on_drop;
        self
    }
}

impl Default for Config {
    /// [`Config::new`].
    fn default() -> Self {
        Self::new()
    }
}
