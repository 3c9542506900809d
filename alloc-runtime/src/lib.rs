#![doc = include_str!("../../README.md")]
//!
//! # Crate map
//!
//! - [`RawAlloc`]: the four functions (`alloc`, `resize`, `remap`, `free`)
//!   every allocator implements; [`Alignment`] and [`Caller`] are their
//!   argument types.
//! - [`Handle`]: the type-erased allocator, a context pointer and a
//!   `&'static` [`VTable`]; Zig's `std.mem.Allocator`.
//! - [`bridge`]: allocator-api2's `Allocator` built from the four functions,
//!   so every allocator here works with `allocator_api2::vec::Vec`, `Box`
//!   and `hashbrown`.
//! - Building blocks: [`Arena`], [`Bump`], [`Counting`], [`Fail`] (with
//!   [`FailConfig`]), [`Logging`], [`Global`] (feature `alloc`).
//! - [`ArenaPool`] (feature `std`): arenas lent to threads, whose
//!   allocations live as long as the pool (the rayon `map_init` case).
//! - Composition, after D's `std.experimental.allocator.building_blocks`:
//!   [`Fallback`], [`Segregator`], [`FreeList`], [`SizeClasses`],
//!   [`Limit`], [`Null`], and [`Owns`], the question routing asks; a
//!   struct with two `#[allocator(parent)]` fields is a composite of your
//!   own ([`Route`] picks where each allocation goes).
//! - Threads: the markers [`Local`] (the default) and [`ThreadSafe`]
//!   choose where a block keeps its state, so `Counting<A, ThreadSafe>`,
//!   `Limit<A, ThreadSafe>` and `Fail<A, ThreadSafe>` are `Sync` (their
//!   `new_sync` constructors are `const`); [`Locked`] makes any allocator
//!   `Sync` with a [`Lock`] around every call (Zig's
//!   `ThreadSafeAllocator`); [`ConcurrentBump`] is a lock-free bump
//!   allocator over a fixed buffer.
//! - The global allocator: every block implements `core::alloc::GlobalAlloc`
//!   when it is [`Standalone`] (it never calls Rust's global allocator), so
//!   a `Sync` stack over `std::alloc::System` (a [`RawAlloc`] too) can be
//!   the `#[global_allocator]`; a struct of your own gets it with
//!   `#[allocator(global)]`.
//! - Testing tools, in the manner of Zig's `std.testing`:
//!   [`check_all_allocation_failures`] (module [`check`]) fails each
//!   allocation of a test body in turn and reports swallowed failures, leaks
//!   on error paths and panics; `DebugAlloc` (module `debug`, feature
//!   `alloc`) finds leaks, double frees and wrong-size frees with call sites,
//!   and `debug::test_allocator()` (feature `std`) fails the `#[test]` that
//!   leaked.
//! - Measuring: a [`Region`] of a [`Counting`] allocator (the global one, or
//!   a local one over an arena) gives the [`Change`] since it began;
//!   [`measure`] runs a closure in one, and [`assert_allocations`] (with a
//!   [`Budget`]) and [`assert_no_allocations`] fail a test whose code
//!   allocated more than allowed, with a readable [`OverBudget`] message.
//! - [`testing`]: a conformance suite to run on your own allocators.
//! - [`#[derive(Allocator)]`](derive@Allocator) (feature `derive`, on by
//!   default): its page lists the `#[allocator(...)]` attributes.
//!
//! # Features
//!
//! - `derive` (default): re-exports `#[derive(Allocator)]`.
//! - `std` (default): implies `alloc`.
//! - `alloc`: [`RawAlloc`] for `Box`, `Rc` and `Arc` of an allocator, the
//!   collection checks of the [`testing`] suite, and the `debug` module
//!   (its bookkeeping lives in the global allocator, never in the allocator
//!   being checked).
//! - `log` (off by default): `logging::LogSink`, a [`Logging`] sink that
//!   forwards to the `log` facade.
//!
//! Without features the crate is `#![no_std]` and needs no `alloc`.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

// Lets `#[derive(Allocator)]` name `::alloc_runtime` inside this crate too.
extern crate self as alloc_runtime;

mod alignment;
mod arena;
pub mod bridge;
mod bump;
mod caller;
pub mod check;
pub mod collections;
// Needs compare-and-swap on a pointer-sized word.
#[cfg(target_has_atomic = "ptr")]
mod concurrent_bump;
mod counting;
pub mod debug;
mod fail;
mod fallback;
mod free_list;
mod global;
mod global_alloc;
mod handle;
mod limit;
mod locked;
pub mod logging;
mod measure;
mod null;
mod owns;
mod raw;
mod region;
mod route;
mod segregator;
mod standalone;
mod system;
#[cfg(test)]
mod test_support;
pub mod testing;
mod threading;
mod typed;

pub use crate::alignment::{Alignment, InvalidAlignment};
pub use crate::arena::{Arena, ArenaStats, Scope};
#[cfg(feature = "std")]
pub use crate::arena::{ArenaPool, PoolStats, PooledArena};
pub use crate::bump::Bump;
pub use crate::caller::Caller;
pub use crate::check::{Check, assert_all_allocation_failures, check_all_allocation_failures};
#[cfg(target_has_atomic = "ptr")]
pub use crate::concurrent_bump::ConcurrentBump;
pub use crate::counting::{Counting, Stats};
#[cfg(feature = "alloc")]
pub use crate::debug::DebugAlloc;
pub use crate::fail::{Fail, FailConfig, FailedCall, FailureReason, InducedFailure};
pub use crate::fallback::Fallback;
pub use crate::free_list::{FreeList, SizeClasses};
#[cfg(feature = "alloc")]
pub use crate::global::Global;
pub use crate::handle::{AllocFn, FreeFn, Handle, RemapFn, ResizeFn, VTable, ValidateFn};
pub use crate::limit::Limit;
pub use crate::locked::{Lock, Locked};
pub use crate::logging::Logging;
pub use crate::measure::{
    Budget, Change, OverBudget, Region, assert_allocations, assert_no_allocations, measure,
};
pub use crate::null::Null;
pub use crate::owns::Owns;
pub use crate::raw::RawAlloc;
pub use crate::route::Route;
pub use crate::segregator::Segregator;
pub use crate::standalone::Standalone;
pub use crate::threading::{Local, ThreadSafe, Threading};
pub use crate::typed::AllocOrInitError;
/// The error of a refused allocation: allocator-api2's `AllocError`.
pub use allocator_api2::alloc::AllocError;

#[cfg(feature = "derive")]
pub use alloc_derive::Allocator;

/// What code generated by `#[derive(Allocator)]` names; not public API.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// allocator-api2, the version whose `Allocator` this crate's allocators
/// implement: its collections work with them without a dependency of your
/// own, and compiler messages name its trait by this path.
///
/// ```
/// use alloc_runtime::Bump;
/// use alloc_runtime::allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
///
/// let mut buffer = [MaybeUninit::uninit(); 64];
/// let bump = Bump::new(&mut buffer);
/// let mut v = Vec::new_in(&bump);
/// v.push(1u32);
/// assert_eq!(v, [1]);
/// ```
pub use allocator_api2;
