//! What a [`Fail`] refused: [`InducedFailure`], with the call
//! ([`FailedCall`]) and the knob ([`FailureReason`]).

use core::fmt;

#[cfg(doc)]
use super::{Fail, FailConfig};
use crate::Caller;
use crate::caller::Site;

/// Which function a [`Fail`] refused.
///
/// ```
/// use alloc_runtime::{Bump, Fail, FailConfig, FailedCall};
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 256];
/// let fail = Fail::with_config(Bump::new(&mut buf), FailConfig::new().resize_fail_index(0));
/// let mut v: Vec<u8, _> = Vec::new_in(&fail);
/// v.try_reserve_exact(1).unwrap();
/// v.try_reserve_exact(2).unwrap(); // in place refused; moved instead
/// assert_eq!(fail.first_induced().unwrap().call, FailedCall::Resize);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailedCall {
    /// `alloc`.
    Alloc,
    /// A growing `resize`.
    Resize,
    /// A growing `remap`.
    Remap,
}

impl fmt::Display for FailedCall {
    /// `alloc`, `resize` or `remap`.
    ///
    /// ```
    /// assert_eq!(alloc_runtime::FailedCall::Remap.to_string(), "remap");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Alloc => "alloc",
            Self::Resize => "resize",
            Self::Remap => "remap",
        })
    }
}

/// Which knob of a [`FailConfig`] made a [`Fail`] refuse.
///
/// ```
/// use alloc_runtime::{Bump, Fail, FailConfig, FailureReason};
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 256];
/// let fail = Fail::with_config(Bump::new(&mut buf), FailConfig::new().fail_every(1));
/// assert!(fail.allocator().create(1u8).is_err());
/// assert_eq!(fail.first_induced().unwrap().reason, FailureReason::EveryKth);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureReason {
    /// The allocation failure index was reached
    /// ([`FailConfig::fail_index`], or a resize failure with
    /// [`FailConfig::resize_failure_stops_allocations`]); for a growth, with
    /// [`FailConfig::allocation_failure_stops_growth`].
    FailIndex,
    /// The growth failure index was reached ([`FailConfig::resize_fail_index`]).
    ResizeFailIndex,
    /// Every `k`-th request ([`FailConfig::fail_every`]).
    EveryKth,
    /// The seeded draw ([`FailConfig::fail_with_probability`]).
    Probability,
    /// The request was too large ([`FailConfig::fail_above`]).
    AboveSize,
}

impl fmt::Display for FailureReason {
    /// What was reached, in words.
    ///
    /// ```
    /// use alloc_runtime::FailureReason;
    /// assert_eq!(FailureReason::FailIndex.to_string(), "the allocation failure index");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::FailIndex => "the allocation failure index",
            Self::ResizeFailIndex => "the growth failure index",
            Self::EveryKth => "every k-th request",
            Self::Probability => "the seeded probability",
            Self::AboveSize => "the size limit",
        })
    }
}

/// One request a [`Fail`] refused on purpose: what, where from, and why.
///
/// [`Fail::first_induced`] keeps the first one.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Bump, Fail, FailedCall, FailureReason};
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let fail = Fail::new(Bump::new(&mut buf), 0);
/// let (result, line) = (fail.allocator().create(7u32), line!());
/// assert!(result.is_err());
/// let first = fail.first_induced().unwrap();
/// assert_eq!((first.call, first.reason, first.len), (FailedCall::Alloc, FailureReason::FailIndex, 4));
/// assert_eq!(first.caller.location().line(), line);
/// assert!(first.to_string().starts_with("alloc of 4 bytes "));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct InducedFailure {
    /// Where the request came from.
    pub caller: Caller,
    /// The function refused.
    pub call: FailedCall,
    /// The knob that refused it.
    pub reason: FailureReason,
    /// The bytes asked for (for a growth, the new length).
    pub len: usize,
    /// The allocation index at the time: successful allocations before it.
    pub allocation_index: usize,
    /// The growth index at the time: successful growths before it.
    pub growth_index: usize,
}

impl InducedFailure {
    /// The `Display` text with `frame`, the user's frame from a backtrace,
    /// named when the caller is inside a collection.
    pub(crate) fn describe(self, frame: Option<&str>) -> impl fmt::Display {
        Described {
            failure: self,
            frame,
        }
    }
}

/// [`InducedFailure::describe`].
struct Described<'a> {
    failure: InducedFailure,
    frame: Option<&'a str>,
}

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failure = &self.failure;
        write!(
            f,
            "{} of {} byte{} {} (allocation index {}, growth index {}; {})",
            failure.call,
            failure.len,
            if failure.len == 1 { "" } else { "s" },
            Site {
                caller: failure.caller,
                frame: self.frame
            },
            failure.allocation_index,
            failure.growth_index,
            failure.reason
        )
    }
}

impl fmt::Display for InducedFailure {
    /// `alloc of 24 bytes at src/x.rs:10:5 (allocation index 3, growth index
    /// 0; the allocation failure index)`; for a request a collection made
    /// (see [`Caller::is_user_code`]), `inside a collection` instead of the
    /// collection's (or this crate's) line.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Fail};
    /// use allocator_api2::vec::Vec;
    /// let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 0);
    /// let (_, line) = (fail.allocator().create(7u32), line!());
    /// let text = fail.first_induced().unwrap().to_string();
    /// // In your crate: "alloc of 4 bytes at src/….rs:{line}:…".
    /// assert!(text.starts_with("alloc of 4 bytes "));
    /// assert_eq!(fail.first_induced().unwrap().caller.location().line(), line);
    /// assert!(text.ends_with("(allocation index 0, growth index 0; the allocation failure index)"));
    ///
    /// let fail = Fail::new(Bump::new(&mut buf), 0);
    /// let mut v: Vec<u32, _> = Vec::new_in(fail.allocator());
    /// assert!(v.try_reserve(4).is_err());
    /// let text = fail.first_induced().unwrap().to_string();
    /// assert!(text.starts_with("alloc of 16 bytes inside a collection (allocation index 0"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.describe(None), f)
    }
}
