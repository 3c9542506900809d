//! [`AllocOrInitError`]: the error of `try_alloc_try_with`, bumpalo's.

use core::fmt;

use crate::AllocError;

/// Why [`try_alloc_try_with`](crate::Arena::try_alloc_try_with) failed:
/// the arena had no room, or the initializer returned an error (bumpalo's
/// `AllocOrInitError`).
///
/// # Examples
///
/// ```
/// use alloc_runtime::{AllocOrInitError, Arena};
///
/// let arena = Arena::new();
/// let r = arena.try_alloc_try_with(|| "x".parse::<u8>());
/// assert!(matches!(r, Err(AllocOrInitError::Init(_))));
///
/// let full = Arena::new();
/// full.set_allocation_limit(Some(0)); // no chunk may be taken
/// let r = full.try_alloc_try_with(|| Ok::<u8, ()>(1));
/// assert_eq!(r, Err(AllocOrInitError::Alloc(alloc_runtime::AllocError)));
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum AllocOrInitError<E> {
    /// The arena could not serve the allocation; the initializer did not
    /// run.
    Alloc(AllocError),
    /// The initializer returned this error after the allocation succeeded;
    /// the room taken was given back (the arena reuses it if nothing was
    /// allocated after it).
    Init(E),
}

impl<E> From<AllocError> for AllocOrInitError<E> {
    /// The [`Alloc`](AllocOrInitError::Alloc) variant.
    ///
    /// ```
    /// use alloc_runtime::{AllocError, AllocOrInitError};
    /// let e: AllocOrInitError<()> = AllocError.into();
    /// assert_eq!(e, AllocOrInitError::Alloc(AllocError));
    /// ```
    fn from(error: AllocError) -> Self {
        Self::Alloc(error)
    }
}

impl<E: fmt::Display> fmt::Display for AllocOrInitError<E> {
    /// `AllocError`'s message, or `initialization failed: ` and the
    /// initializer's error, as bumpalo writes them.
    ///
    /// ```
    /// use alloc_runtime::AllocOrInitError;
    /// let e = AllocOrInitError::<&str>::Init("bad digit");
    /// assert_eq!(e.to_string(), "initialization failed: bad digit");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Alloc(error) => fmt::Display::fmt(error, f),
            Self::Init(error) => write!(f, "initialization failed: {error}"),
        }
    }
}

#[cfg(feature = "std")]
impl<E: std::error::Error + 'static> std::error::Error for AllocOrInitError<E> {
    /// The initializer's error for [`Init`](AllocOrInitError::Init), the
    /// `AllocError` for [`Alloc`](AllocOrInitError::Alloc).
    ///
    /// ```
    /// use alloc_runtime::AllocOrInitError;
    /// use std::error::Error;
    /// let parse = "x".parse::<u8>().unwrap_err();
    /// let e = AllocOrInitError::Init(parse.clone());
    /// assert_eq!(e.source().unwrap().to_string(), parse.to_string());
    /// ```
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Alloc(error) => Some(error),
            Self::Init(error) => Some(error),
        }
    }
}
