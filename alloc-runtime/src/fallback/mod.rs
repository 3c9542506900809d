//! [`Fallback`]: try one allocator, then another.

use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc, route};

#[cfg(test)]
mod tests;

/// Allocates from `primary`, and from `secondary` when the primary
/// refuses (D's `FallbackAllocator`). `free`, `resize` and `remap` go to
/// whichever part owns the block, which the primary's [`Owns`] tells.
///
/// TODO(skeleton): full docs and a runnable example.
#[derive(alloc_derive::Allocator, Debug, Default)]
pub struct Fallback<P, S> {
    primary: P,
    secondary: S,
}

impl<P, S> Fallback<P, S> {
    /// The composite of `primary`, tried first, and `secondary`.
    pub const fn new(primary: P, secondary: S) -> Self {
        Self { primary, secondary }
    }

    /// The part tried first.
    pub const fn primary(&self) -> &P {
        &self.primary
    }

    /// The part tried when the primary refuses.
    pub const fn secondary(&self) -> &S {
        &self.secondary
    }

    /// The two parts.
    pub fn into_parts(self) -> (P, S) {
        (self.primary, self.secondary)
    }
}

// SAFETY: TODO(skeleton)
unsafe impl<P: RawAlloc + Owns, S: RawAlloc> RawAlloc for Fallback<P, S> {
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        route::alloc(
            &self.primary,
            &self.secondary,
            route::Route::FirstThenSecond,
            len,
            align,
            caller,
        )
    }

    #[inline(always)]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: TODO(skeleton)
        unsafe {
            route::resize(
                &self.primary,
                &self.secondary,
                memory,
                align,
                new_len,
                caller,
            )
        }
    }

    #[inline(always)]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        // SAFETY: TODO(skeleton)
        unsafe {
            route::remap(
                &self.primary,
                &self.secondary,
                memory,
                align,
                new_len,
                caller,
            )
        }
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        // SAFETY: TODO(skeleton)
        unsafe { route::free(&self.primary, &self.secondary, memory, align, caller) }
    }

    #[inline(always)]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        route::validate(&self.primary, &self.secondary, memory, align, caller)
    }
}

// SAFETY: TODO(skeleton)
unsafe impl<P: Owns, S: Owns> Owns for Fallback<P, S> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        route::owns(&self.primary, &self.secondary, memory)
    }
}
