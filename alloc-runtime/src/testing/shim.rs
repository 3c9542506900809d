//! [`Checked`]: the shim the suite puts between itself and the allocator
//! under test, checking every call on the way down and every result on the
//! way up.

use core::ptr::NonNull;

use super::pattern::assert_aligned;
use crate::{Alignment, Caller, RawAlloc};

/// Forwards to the allocator under test, and panics when a zero length
/// reaches `resize`, `remap` or `free` (the handle and the bridge must
/// answer those themselves), when `alloc` or `remap` returns memory that
/// is not aligned as asked, or when `validate` disowns a block the suite
/// holds (every block passed to `resize`, `remap` or `free` here is live,
/// with its own length and alignment, so `validate` must answer `true`).
pub(super) struct Checked<'a, A: ?Sized>(pub(super) &'a A);

impl<A: RawAlloc + ?Sized> Checked<'_, A> {
    #[track_caller]
    fn assert_valid(&self, memory: NonNull<[u8]>, align: Alignment, function: &str) {
        assert!(
            self.0.validate(memory, align, Caller::here()),
            "validate disowned a live block of {} bytes (align {align}) before {function}",
            memory.len()
        );
    }
}

// SAFETY: every call is forwarded unchanged to the allocator under test,
// which upholds the contract; the checks only read the arguments and
// results.
unsafe impl<A: RawAlloc + ?Sized> RawAlloc for Checked<'_, A> {
    #[track_caller]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let ptr = self.0.alloc(len, align, caller)?;
        assert_aligned(ptr, align, "alloc");
        Some(ptr)
    }

    #[track_caller]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        assert!(
            !memory.is_empty() && new_len != 0,
            "a zero length reached resize ({} to {new_len} bytes)",
            memory.len()
        );
        self.assert_valid(memory, align, "resize");
        // SAFETY: the caller upholds `resize`'s contract for the same allocator.
        unsafe { self.0.resize(memory, align, new_len, caller) }
    }

    #[track_caller]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        assert!(
            !memory.is_empty() && new_len != 0,
            "a zero length reached remap ({} to {new_len} bytes)",
            memory.len()
        );
        self.assert_valid(memory, align, "remap");
        // SAFETY: the caller upholds `remap`'s contract for the same allocator.
        let ptr = unsafe { self.0.remap(memory, align, new_len, caller) }?;
        assert_aligned(ptr, align, "remap");
        Some(ptr)
    }

    #[track_caller]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        assert!(!memory.is_empty(), "a zero length reached free");
        self.assert_valid(memory, align, "free");
        // SAFETY: the caller upholds `free`'s contract for the same allocator.
        unsafe { self.0.free(memory, align, caller) }
    }

    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        self.0.validate(memory, align, caller)
    }
}
