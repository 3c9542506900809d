//! [`test_allocator`]: Zig's `std.testing.allocator`, a [`DebugAlloc`]
//! over the global allocator that fails the test that leaked (feature
//! `std`).

use super::{Config, DebugAlloc, OnDrop};
use crate::Global;

/// The allocator of [`test_allocator`]: a [`DebugAlloc`] over [`Global`].
///
/// ```
/// fn takes(a: &alloc_runtime::debug::TestAllocator) -> usize {
///     a.live_allocations()
/// }
/// assert_eq!(takes(&alloc_runtime::debug::test_allocator()), 0);
/// ```
pub type TestAllocator = DebugAlloc<Global>;

/// Zig's `std.testing.allocator`: a [`DebugAlloc`] over the global
/// allocator that **panics when dropped** with leaks or misuse on record,
/// failing the test that caused them (unless the thread is already
/// panicking: then it prints the report). End it with
/// [`finish`](DebugAlloc::finish) to get the [`Report`](super::Report) as a
/// value instead. It captures a backtrace per allocation (except under
/// Miri), so a leak made through a collection names the test's line, not
/// the collection's. Freed blocks go through the default quarantine.
///
/// ```
/// use alloc_runtime::debug::test_allocator;
/// use alloc_runtime::Global;
/// use std::panic::{catch_unwind, AssertUnwindSafe};
///
/// let a = test_allocator();
/// let p = a.allocator().create([0u64; 4])?;
/// let panic = catch_unwind(AssertUnwindSafe(|| drop(a))).unwrap_err();
/// let message = panic.downcast_ref::<String>().unwrap();
/// assert!(message.starts_with("alloc_runtime::debug: 1 leak (32 bytes):\n  leak: 32 bytes (align 8) at 0x"));
/// # // SAFETY: from `create` on the test allocator, whose parent is `Global`.
/// # unsafe { Global.allocator().destroy(p) };
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[must_use]
pub fn test_allocator() -> TestAllocator {
    // Backtraces name the test's own line even for a collection's requests;
    // Miri cannot capture them in reasonable time.
    DebugAlloc::with_config(
        Global,
        Config::new()
            .with_on_drop(OnDrop::Panic)
            .with_backtraces(!cfg!(miri)),
    )
}
