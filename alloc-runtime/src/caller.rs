//! [`Caller`]: which line of source code asked for memory.

use core::fmt;
use core::panic::Location;

/// The source location that made an allocation request, for debugging layers.
///
/// Zig passes a return address (`ret_addr`) to every allocator function; Rust
/// has a portable, symbolized equivalent in [`Location::caller`]. Every entry
/// point of this crate that takes a request from user code (the typed helpers
/// on [`Handle`](crate::Handle), the allocator-api2 bridge) is
/// `#[track_caller]` and captures one; allocators that do not look at it pay
/// nothing, because an unused argument is removed when the call is inlined.
///
/// `Caller` is one pointer wide and `Copy`.
///
/// # Examples
///
/// ```
/// use alloc_runtime::Caller;
///
/// let (here, line) = (Caller::here(), line!());
/// assert_eq!(here.location().file(), file!());
/// assert_eq!(here.location().line(), line);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Caller(&'static Location<'static>);

impl Caller {
    /// The location of the (outermost `#[track_caller]`) caller.
    ///
    /// ```
    /// use alloc_runtime::Caller;
    ///
    /// #[track_caller]
    /// fn who_called() -> Caller {
    ///     Caller::here()
    /// }
    /// assert_eq!(who_called().location().line(), line!());
    /// ```
    #[inline(always)]
    #[track_caller]
    #[must_use]
    pub const fn here() -> Self {
        Self(Location::caller())
    }

    /// Wraps a location obtained elsewhere.
    ///
    /// ```
    /// use alloc_runtime::Caller;
    /// use core::panic::Location;
    /// let c = Caller::from_location(Location::caller());
    /// assert_eq!(c.location().line(), line!() - 1);
    /// ```
    #[inline]
    #[must_use]
    pub const fn from_location(location: &'static Location<'static>) -> Self {
        Self(location)
    }

    /// The file, line and column of the request.
    ///
    /// ```
    /// let c = alloc_runtime::Caller::here();
    /// assert!(c.location().column() > 0);
    /// ```
    #[inline]
    #[must_use]
    pub const fn location(self) -> &'static Location<'static> {
        self.0
    }
}

impl fmt::Debug for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Caller({})", self.0)
    }
}

impl fmt::Display for Caller {
    /// `file:line:column`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_file_line_column() {
        let (c, line) = (Caller::here(), line!());
        let column = c.location().column();
        assert_eq!(c.location().line(), line);
        assert_eq!(
            std::format!("{c}"),
            std::format!("{}:{line}:{column}", file!())
        );
        assert_eq!(std::format!("{c:?}"), std::format!("Caller({c})"));
    }
}
