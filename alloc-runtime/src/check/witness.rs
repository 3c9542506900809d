//! [`Witness`]: the check's own layer, which records where induced failures
//! were requested.

use core::ptr::NonNull;

use crate::fail::Fail;
use crate::{Alignment, Caller, RawAlloc};
#[cfg(feature = "std")]
use std::string::String;

/// Passes every call to the [`Fail`] below it and, under `std`, captures a
/// backtrace at the first induced failure, trimmed to the body's frame.
#[derive(alloc_derive::Allocator)]
#[allocator(unsafe(
    alloc = Self::watch_alloc,
    resize = Self::watch_resize,
    remap = Self::watch_remap,
))]
pub(super) struct Witness<A> {
    #[allocator(parent)]
    pub(super) inner: Fail<A>,
    /// Where the first induced failure was requested, once known.
    #[cfg(feature = "std")]
    pub(super) site: core::cell::RefCell<Option<String>>,
}

impl<A> Witness<A>
where
    Fail<A>: RawAlloc,
{
    pub(super) fn new(inner: Fail<A>) -> Self {
        Self {
            inner,
            #[cfg(feature = "std")]
            site: core::cell::RefCell::new(None),
        }
    }

    /// Records the caller's frame if the call just made was the first
    /// induced failure (`induced_before` is the count from before it).
    #[inline]
    fn witness(&self, induced_before: usize) {
        #[cfg(all(feature = "std", not(miri)))]
        if induced_before == 0 && self.inner.induced_failures() > 0 {
            if let Ok(mut site) = self.site.try_borrow_mut() {
                *site = crate::debug::capture_user_frame();
            }
        }
        let _ = induced_before;
    }

    fn watch_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let before = self.inner.induced_failures();
        let result = self.inner.alloc(len, align, caller);
        if result.is_none() {
            self.witness(before);
        }
        result
    }

    /// # Safety
    ///
    /// `RawAlloc::resize`'s contract.
    unsafe fn watch_resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        let before = self.inner.induced_failures();
        // SAFETY: the caller upholds `resize`'s contract; the parent made `memory`.
        let resized = unsafe { self.inner.resize(memory, align, new_len, caller) };
        if !resized {
            self.witness(before);
        }
        resized
    }

    /// # Safety
    ///
    /// `RawAlloc::remap`'s contract.
    unsafe fn watch_remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        let before = self.inner.induced_failures();
        // SAFETY: the caller upholds `remap`'s contract; the parent made `memory`.
        let moved = unsafe { self.inner.remap(memory, align, new_len, caller) };
        if moved.is_none() {
            self.witness(before);
        }
        moved
    }
}
