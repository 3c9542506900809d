//! [`Segregator`]: small requests to one allocator, large to another.

use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

#[cfg(test)]
mod tests;

/// Requests of at most `THRESHOLD` bytes go to `Small`, larger ones to
/// `Large` (D's `Segregator`); a block's length tells which part it
/// belongs to, so no [`Owns`] is needed. A resize across the threshold
/// moves the block between the parts.
///
/// TODO(skeleton): full docs and a runnable example.
#[derive(alloc_derive::Allocator, Debug, Default)]
pub struct Segregator<const THRESHOLD: usize, Small, Large> {
    small: Small,
    large: Large,
}

impl<const THRESHOLD: usize, Small, Large> Segregator<THRESHOLD, Small, Large> {
    /// The composite: requests up to `THRESHOLD` bytes to `small`, the
    /// rest to `large`.
    pub const fn new(small: Small, large: Large) -> Self {
        Self { small, large }
    }

    /// The part for requests of at most `THRESHOLD` bytes.
    pub const fn small(&self) -> &Small {
        &self.small
    }

    /// The part for requests over `THRESHOLD` bytes.
    pub const fn large(&self) -> &Large {
        &self.large
    }

    /// The two parts.
    pub fn into_parts(self) -> (Small, Large) {
        (self.small, self.large)
    }
}

// SAFETY: TODO(skeleton)
unsafe impl<const THRESHOLD: usize, Small: RawAlloc, Large: RawAlloc> RawAlloc
    for Segregator<THRESHOLD, Small, Large>
{
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let _ = (len, align, caller);
        todo!()
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        let _ = (memory, align, caller);
        todo!()
    }
}

// SAFETY: TODO(skeleton)
unsafe impl<const THRESHOLD: usize, Small: Owns, Large: Owns> Owns
    for Segregator<THRESHOLD, Small, Large>
{
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        let _ = memory;
        todo!()
    }
}
