//! [`Standalone`]: allocators that never call Rust's global allocator, so
//! they may be (or sit under) the `#[global_allocator]`.

/// An allocator that never calls Rust's global allocator (`alloc::alloc`,
/// `Box`, `Vec`, …) while it allocates or frees, so it may be the
/// `#[global_allocator]` or a part of it.
///
/// A global allocator that allocates through the global allocator calls
/// itself: it recurses until the stack overflows, or, under a lock, waits for
/// itself forever. This trait is how the crate refuses such stacks at
/// compile time: every block's `GlobalAlloc` impl requires `Self:
/// Standalone`, and a wrapper is `Standalone` only when its parents are.
///
/// - **Implemented by** `std::alloc::System`, [`Bump`](crate::Bump),
///   [`Null`](crate::Null), and by every block over standalone parents
///   ([`Counting`](crate::Counting), [`Limit`](crate::Limit),
///   [`Fail`](crate::Fail), [`Fallback`](crate::Fallback),
///   [`Segregator`](crate::Segregator), [`FreeList`](crate::FreeList),
///   [`SizeClasses`](crate::SizeClasses), [`Arena`](crate::Arena)), by
///   [`ConcurrentBump`](crate::ConcurrentBump), by
///   [`Locked`](crate::Locked) when its lock is standalone too (`spin`'s,
///   a `lock_api` mutex over a standalone raw mutex, `std::sync::Mutex`
///   where it locks without allocating), and by references to them.
/// - **Not implemented by** [`Global`](crate::Global) (it *is* the global
///   allocator: use `std::alloc::System` under `#[global_allocator]`),
///   `DebugAlloc` (it keeps its records in the global allocator), and
///   [`Logging`](crate::Logging) (its sinks format, and may allocate).
///
/// It is a safe trait: the promise is about progress, not memory safety. A
/// wrong `impl Standalone` makes a program that hangs or overflows its stack;
/// never one with undefined behaviour (a `#[global_allocator]` made here
/// aborts rather than unwind).
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Counting, Standalone, ThreadSafe};
/// use std::alloc::System;
///
/// fn can_be_global<A: Standalone + Sync>(_: &A) {}
/// can_be_global(&Counting::new_sync(System));
/// ```
///
/// The crate's `Global` cannot be the parent of the global allocator:
///
/// ```compile_fail,E0277
/// use alloc_runtime::{Counting, Global, ThreadSafe};
///
/// #[global_allocator]
/// static GLOBAL: Counting<Global, ThreadSafe> = Counting::new_sync(Global);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` may call the global allocator, so it cannot be part of `#[global_allocator]`",
    label = "not `Standalone`",
    note = "under `#[global_allocator]`, allocate from `std::alloc::System` (not `alloc_runtime::Global`), and leave out `DebugAlloc` and `Logging`, which allocate for their records"
)]
pub trait Standalone {}

impl<A: Standalone + ?Sized> Standalone for &A {}
