//! [`Alignment`]: a power of two, checked once at construction.

use core::alloc::Layout;
use core::fmt;
use core::num::NonZeroUsize;

/// A memory alignment in bytes: always a power of two.
///
/// The counterpart of Zig's `std.mem.Alignment`. An `Alignment` cannot hold
/// an invalid value, so the allocator functions that take one never check it
/// again. Arithmetic on addresses ([`forward`](Self::forward)) is checked and
/// reports overflow as `None` instead of wrapping.
///
/// # Examples
///
/// ```
/// use alloc_runtime::Alignment;
///
/// let a = Alignment::of::<u64>();
/// assert_eq!(a.to_bytes(), core::mem::align_of::<u64>());
/// assert_eq!(Alignment::new(16).unwrap().log2(), 4);
/// assert!(Alignment::new(12).is_none());
/// assert_eq!(Alignment::new(8).unwrap().forward(13), Some(16));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Alignment(
    /// Invariant: a power of two.
    NonZeroUsize,
);

impl Alignment {
    /// One byte: no alignment requirement at all.
    ///
    /// ```
    /// assert_eq!(alloc_runtime::Alignment::ONE.to_bytes(), 1);
    /// ```
    pub const ONE: Self = Self(NonZeroUsize::MIN);

    /// The largest alignment the type can express, `1 << (usize::BITS - 1)`.
    ///
    /// ```
    /// use alloc_runtime::Alignment;
    /// assert_eq!(Alignment::MAX.to_bytes(), 1 << (usize::BITS - 1));
    /// ```
    pub const MAX: Self = match Self::new(1 << (usize::BITS - 1)) {
        Some(a) => a,
        None => unreachable!(),
    };

    /// The alignment of `T`.
    ///
    /// ```
    /// use alloc_runtime::Alignment;
    /// assert_eq!(Alignment::of::<u32>().to_bytes(), 4);
    /// ```
    #[inline(always)]
    #[must_use]
    pub const fn of<T>() -> Self {
        match Self::new(align_of::<T>()) {
            Some(a) => a,
            // `align_of` is always a power of two.
            None => unreachable!(),
        }
    }

    /// The alignment of a [`Layout`].
    ///
    /// ```
    /// use alloc_runtime::Alignment;
    /// use core::alloc::Layout;
    /// let layout = Layout::from_size_align(24, 8).unwrap();
    /// assert_eq!(Alignment::of_layout(layout).to_bytes(), 8);
    /// ```
    #[inline(always)]
    #[must_use]
    pub const fn of_layout(layout: Layout) -> Self {
        // SAFETY: `Layout::align` is always a non-zero power of two (an
        // invariant of `Layout`), which is both `new_unchecked`'s contract and
        // this type's field invariant. Checking again would cost instructions
        // on every allocation through the allocator-api2 bridge.
        Self(unsafe { NonZeroUsize::new_unchecked(layout.align()) })
    }

    /// `Some` alignment of `bytes`, or `None` when `bytes` is not a power of two
    /// (zero included).
    ///
    /// ```
    /// use alloc_runtime::Alignment;
    /// assert!(Alignment::new(4096).is_some());
    /// assert!(Alignment::new(0).is_none());
    /// assert!(Alignment::new(3).is_none());
    /// ```
    #[inline]
    #[must_use]
    pub const fn new(bytes: usize) -> Option<Self> {
        match NonZeroUsize::new(bytes) {
            Some(n) if bytes.is_power_of_two() => Some(Self(n)),
            _ => None,
        }
    }

    /// `Some` alignment of `1 << log2`, or `None` when that does not fit in a
    /// `usize`.
    ///
    /// ```
    /// use alloc_runtime::Alignment;
    /// assert_eq!(Alignment::from_log2(3).unwrap().to_bytes(), 8);
    /// assert!(Alignment::from_log2(usize::BITS).is_none());
    /// ```
    #[inline]
    #[must_use]
    pub const fn from_log2(log2: u32) -> Option<Self> {
        if log2 >= usize::BITS {
            None
        } else {
            Self::new(1 << log2)
        }
    }

    /// The alignment in bytes.
    ///
    /// ```
    /// assert_eq!(alloc_runtime::Alignment::of::<u16>().to_bytes(), 2);
    /// ```
    #[inline(always)]
    #[must_use]
    pub const fn to_bytes(self) -> usize {
        self.0.get()
    }

    /// The layout of a request of `len` bytes at this alignment, for the
    /// system and global allocators: `None` for zero bytes or a length that,
    /// rounded up to the alignment, passes `isize::MAX` (what `Layout`
    /// refuses). One comparison each: the alignment is a power of two
    /// already, which is the rest of what `Layout::from_size_align` checks.
    #[cfg(feature = "alloc")]
    #[inline(always)]
    pub(crate) fn layout(self, len: usize) -> Option<Layout> {
        let align = self.to_bytes();
        if len == 0 || len > isize::MAX as usize - (align - 1) {
            return None;
        }
        // SAFETY: `align` is a non-zero power of two (an `Alignment`), and
        // `len` rounded up to it is at most `isize::MAX` (checked above).
        Some(unsafe { Layout::from_size_align_unchecked(len, align) })
    }

    /// The alignment in bytes, as a `NonZeroUsize`.
    ///
    /// ```
    /// assert_eq!(alloc_runtime::Alignment::of::<u32>().to_nonzero().get(), 4);
    /// ```
    #[inline(always)]
    #[must_use]
    pub const fn to_nonzero(self) -> NonZeroUsize {
        self.0
    }

    /// The base-two logarithm of the alignment.
    ///
    /// ```
    /// assert_eq!(alloc_runtime::Alignment::of::<u8>().log2(), 0);
    /// ```
    #[inline]
    #[must_use]
    pub const fn log2(self) -> u32 {
        self.0.trailing_zeros()
    }

    /// `to_bytes() - 1`: the low bits an aligned address has clear.
    #[inline(always)]
    #[must_use]
    pub(crate) const fn mask(self) -> usize {
        self.0.get() - 1
    }

    /// Whether `addr` is a multiple of this alignment.
    ///
    /// ```
    /// use alloc_runtime::Alignment;
    /// let a = Alignment::new(8).unwrap();
    /// assert!(a.is_aligned(24));
    /// assert!(!a.is_aligned(25));
    /// ```
    #[inline(always)]
    #[must_use]
    pub const fn is_aligned(self, addr: usize) -> bool {
        addr & self.mask() == 0
    }

    /// The smallest multiple of this alignment that is `>= addr`, or `None`
    /// when it would not fit in a `usize`.
    ///
    /// ```
    /// use alloc_runtime::Alignment;
    /// let a = Alignment::new(16).unwrap();
    /// assert_eq!(a.forward(0), Some(0));
    /// assert_eq!(a.forward(17), Some(32));
    /// assert_eq!(a.forward(usize::MAX - 3), None);
    /// ```
    #[inline(always)]
    #[must_use]
    pub const fn forward(self, addr: usize) -> Option<usize> {
        match addr.checked_add(self.mask()) {
            Some(bumped) => Some(bumped & !self.mask()),
            None => None,
        }
    }

    /// The largest multiple of this alignment that is `<= addr`.
    ///
    /// ```
    /// use alloc_runtime::Alignment;
    /// assert_eq!(Alignment::new(16).unwrap().backward(31), 16);
    /// ```
    #[inline(always)]
    #[must_use]
    pub const fn backward(self, addr: usize) -> usize {
        addr & !self.mask()
    }

    /// How many bytes must be skipped from `addr` to reach the next aligned
    /// address; always less than [`to_bytes`](Self::to_bytes).
    ///
    /// ```
    /// use alloc_runtime::Alignment;
    /// let a = Alignment::new(8).unwrap();
    /// assert_eq!(a.padding(13), 3);
    /// assert_eq!(a.padding(16), 0);
    /// assert_eq!(a.padding(usize::MAX), 1);
    /// ```
    #[inline(always)]
    #[must_use]
    pub const fn padding(self, addr: usize) -> usize {
        addr.wrapping_neg() & self.mask()
    }

    /// The larger of two alignments.
    ///
    /// ```
    /// use alloc_runtime::Alignment;
    /// assert_eq!(Alignment::of::<u8>().max(Alignment::of::<u64>()), Alignment::of::<u64>());
    /// ```
    #[inline]
    #[must_use]
    pub const fn max(self, other: Self) -> Self {
        if self.0.get() >= other.0.get() {
            self
        } else {
            other
        }
    }
}

impl Default for Alignment {
    /// [`Alignment::ONE`].
    #[inline]
    fn default() -> Self {
        Self::ONE
    }
}

impl fmt::Debug for Alignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Alignment({})", self.to_bytes())
    }
}

impl fmt::Display for Alignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_bytes(), f)
    }
}

impl From<Alignment> for usize {
    #[inline]
    fn from(a: Alignment) -> usize {
        a.to_bytes()
    }
}

impl TryFrom<usize> for Alignment {
    type Error = InvalidAlignment;

    /// ```
    /// use alloc_runtime::Alignment;
    /// assert!(Alignment::try_from(64usize).is_ok());
    /// assert!(Alignment::try_from(65usize).is_err());
    /// ```
    #[inline]
    fn try_from(bytes: usize) -> Result<Self, InvalidAlignment> {
        Self::new(bytes).ok_or(InvalidAlignment(bytes))
    }
}

/// The error of `Alignment::try_from` for a value that is not a power of two.
///
/// ```
/// use alloc_runtime::Alignment;
/// let err = Alignment::try_from(6usize).unwrap_err();
/// assert_eq!(err.to_string(), "alignment 6 is not a power of two");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidAlignment(pub usize);

impl fmt::Display for InvalidAlignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "alignment {} is not a power of two", self.0)
    }
}

impl core::error::Error for InvalidAlignment {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_the_powers_of_two() {
        for bit in 0..usize::BITS {
            let a = Alignment::new(1 << bit).unwrap();
            assert_eq!(a.log2(), bit);
            assert_eq!(Alignment::from_log2(bit), Some(a));
        }
        for bad in [0, 3, 5, 6, 7, 9, 12, 100, usize::MAX] {
            assert_eq!(Alignment::new(bad), None, "{bad}");
        }
    }

    #[test]
    fn forward_is_checked_at_the_top_of_the_address_space() {
        let a = Alignment::new(4096).unwrap();
        assert_eq!(a.forward(usize::MAX - 4095), Some(usize::MAX - 4095));
        assert_eq!(a.forward(usize::MAX - 4094), None);
        assert_eq!(Alignment::MAX.forward(1), Some(Alignment::MAX.to_bytes()));
        assert_eq!(Alignment::MAX.forward(Alignment::MAX.to_bytes() + 1), None);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn layout_agrees_with_layout_from_size_align() {
        for log2 in [0, 1, 3, 12, 20, usize::BITS - 2] {
            let a = Alignment::from_log2(log2).unwrap();
            let edge = isize::MAX as usize - (a.to_bytes() - 1);
            for len in [1, 2, 4095, 4096, edge - 1, edge, edge + 1, usize::MAX] {
                let expected = Layout::from_size_align(len, a.to_bytes()).ok();
                assert_eq!(a.layout(len), expected, "len {len}, align {}", a.to_bytes());
            }
            assert_eq!(a.layout(0), None, "zero bytes");
        }
    }

    #[test]
    fn padding_reaches_the_forward_address() {
        for align in [1, 2, 8, 64, 4096] {
            let a = Alignment::new(align).unwrap();
            for addr in [0, 1, 7, 63, 4095, 4096, 10_000] {
                assert_eq!(Some(addr + a.padding(addr)), a.forward(addr));
                assert!(a.padding(addr) < align);
            }
        }
    }

    #[test]
    fn of_layout_matches_layout_align() {
        for align in [1, 2, 4, 8, 16, 1 << 20] {
            let layout = Layout::from_size_align(0, align).unwrap();
            assert_eq!(Alignment::of_layout(layout).to_bytes(), align);
        }
    }
}
