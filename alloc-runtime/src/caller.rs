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

impl Caller {
    /// Whether the location is in the user's code: not inside this crate
    /// (its handle's thunks, the allocator-api2 bridge) and not inside a
    /// collection or the standard library (allocator-api2, hashbrown,
    /// `core`/`alloc`/`std`).
    ///
    /// A request made by a collection (`Vec::try_reserve`, `Box::try_new_in`)
    /// reaches the allocator from the collection's own code, which is not
    /// `#[track_caller]`: its `Caller` names a line there. Reports show
    /// such a `Caller` as "inside a collection", with the user's frame from
    /// a backtrace when there is one. This crate's own unit tests (files
    /// named `tests.rs`) count as user code.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Caller, Fail};
    /// use allocator_api2::vec::Vec;
    /// use core::mem::MaybeUninit;
    ///
    /// // In your crate, `Caller::here().is_user_code()` is `true`. (Not
    /// // asserted here: this example's own file is this crate's source
    /// // when rustdoc runs it on its own, as under Miri.)
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let fail = Fail::new(Bump::new(&mut buf), 0);
    /// let mut v: Vec<u8, _> = Vec::new_in(fail.allocator());
    /// assert!(v.try_reserve(8).is_err());
    /// assert!(!fail.first_failure().unwrap().is_user_code()); // the Vec's code asked
    /// ```
    #[must_use]
    pub fn is_user_code(self) -> bool {
        !self.is_inside_this_crate() && !self.is_inside_a_library()
    }

    /// Whether the location is in this crate's own source, its unit tests
    /// (`tests.rs` files) aside.
    fn is_inside_this_crate(self) -> bool {
        let file = self.0.file();
        // This file's path, as the compiler names every file of this crate
        // (relative in a workspace, absolute from a registry, remapped
        // alike), less its name: the crate's source directory.
        let here = file!();
        let dir = &here[..here.len() - "caller.rs".len()];
        file.starts_with(dir) && !file.ends_with("tests.rs")
    }

    /// Whether the location is in allocator-api2, hashbrown or the
    /// standard library.
    fn is_inside_a_library(self) -> bool {
        let file = self.0.file();
        [
            "allocator-api2",
            "allocator_api2",
            "hashbrown",
            "/rustc/",
            "library/core/",
            "library/alloc/",
            "library/std/",
        ]
        .iter()
        .any(|p| file.contains(p))
    }
}

/// Where a request came from, for reports: `at file:line:column` when the
/// [`Caller`] is the user's line, else `inside a collection`, followed by
/// `called at <frame>` when a backtrace named the user's frame. Never a line
/// inside this crate.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Site<'a> {
    pub(crate) caller: Caller,
    /// The user's frame (`file:line:column`) from a backtrace, if any.
    pub(crate) frame: Option<&'a str>,
}

impl fmt::Display for Site<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.caller.is_user_code() {
            write!(f, "at {}", self.caller)
        } else {
            f.write_str("inside a collection")?;
            match self.frame {
                Some(frame) => write!(f, " called at {frame}"),
                None => Ok(()),
            }
        }
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

    #[test]
    fn sites_inside_this_crate_and_libraries_are_not_user_code() {
        // A location inside this crate: one made in this very file.
        assert!(Caller::here().is_inside_this_crate());
        assert!(!Caller::here().is_user_code());
        let recorder = Recorder(core::cell::Cell::new(None));
        let handle = crate::Handle::new(&recorder);
        // A `Vec` over a handle: the handle passes its caller through, so
        // the request names allocator-api2's code, not the handle's thunk.
        let mut v: allocator_api2::vec::Vec<u8, _> = allocator_api2::vec::Vec::new_in(handle);
        assert!(v.try_reserve(1).is_err());
        let through_handle = recorder.0.take().unwrap();
        assert!(through_handle.is_inside_a_library(), "{through_handle}");
        assert!(!through_handle.is_user_code());
        let boxed = allocator_api2::boxed::Box::try_new_in(1u8, &recorder);
        assert!(boxed.is_err());
        let collection = recorder.0.take().unwrap();
        assert!(collection.is_inside_a_library(), "{collection}");
        assert!(!collection.is_user_code());
    }

    /// Records the `Caller` allocator-api2 passes down, refusing everything.
    #[derive(alloc_derive::Allocator)]
    struct Recorder(core::cell::Cell<Option<Caller>>);

    // SAFETY: refuses every request, so nothing is ever handed out.
    unsafe impl crate::RawAlloc for Recorder {
        fn alloc(
            &self,
            _: usize,
            _: crate::Alignment,
            caller: Caller,
        ) -> Option<core::ptr::NonNull<u8>> {
            self.0.set(Some(caller));
            None
        }

        unsafe fn free(&self, _: core::ptr::NonNull<[u8]>, _: crate::Alignment, _: Caller) {}
    }
}
