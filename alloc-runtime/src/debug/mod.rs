//! [`DebugAlloc`]: Zig's `DebugAllocator` for Rust — leaks, double frees,
//! foreign frees, wrong lengths and alignments, reported with call sites
//! (feature `alloc`).
//!
//! Wrap any [`RawAlloc`](crate::RawAlloc) in a [`DebugAlloc`] and it records
//! every live allocation (address, length, alignment, call site). Misuse — a
//! double free, a free of memory it never handed out, a free, resize or
//! remap with the wrong length or alignment, a grow or shrink that would
//! copy a block with the wrong length — is **recorded and not passed on**
//! to the parent, so the parent is never corrupted and the program keeps
//! running. What is still live when you ask is a leak.
//! [`DebugAlloc::report`] returns both as a [`Report`], a value that also
//! prints as a readable list.
//!
//! Memory given back is first overwritten with [`POISON`] (`0xDD`), so a read
//! after free sees `0xDDDD…` instead of stale data; fresh memory is filled
//! with [`FILL`] (`0xAA`), so a read of uninitialized memory is recognizable
//! too. Both bytes can be changed or turned off in [`Config`]. Freed blocks
//! then wait in a **quarantine** before they go back to the parent
//! ([`Config::with_quarantine`]), so a stale pointer's second free is still
//! a double free even when the parent would have reused the address, and a
//! block that no longer holds its poison when it leaves was written after
//! it was freed.
//!
//! For tests, [`test_allocator()`] (feature `std`) is Zig's
//! `std.testing.allocator`: a [`DebugAlloc`] over the global allocator that
//! panics when dropped with leaks or misuse, failing the test that caused
//! them.
//!
//! ```
//! use alloc_runtime::debug::test_allocator;
//! use allocator_api2::vec::Vec;
//!
//! let a = test_allocator();
//! let mut v: Vec<u32, _> = Vec::new_in(&a);
//! v.extend([1, 2, 3]);
//! drop(v);
//! a.finish().expect("no leaks, no misuse"); // or just let `a` drop
//! ```
//!
//! # Call sites
//!
//! Every site is first the [`Caller`](crate::Caller) of the request: the
//! user's line for the typed helpers of [`Handle`](crate::Handle)
//! (`create`, `alloc_slice`, `dupe`, …), which are `#[track_caller]`.
//! Collections call through allocator-api2, whose code is not
//! `#[track_caller]`, so their `Caller` is a line inside the collection.
//! For those, turn on [`Config::with_backtraces`] (feature `std`): each site
//! then also captures a `std::backtrace::Backtrace` and keeps the first
//! frame outside this crate, allocator-api2, hashbrown and the standard
//! library ([`user_frame`]). Capturing and symbolizing a backtrace costs far
//! more than the allocation itself, so it is off by default.
//!
//! # What it cannot catch
//!
//! - **Reads and writes through a dangling or out-of-bounds pointer, as
//!   they happen.** It sees only the calls to the allocator, never the
//!   loads and stores. Poison makes a read after free *visible* (`0xDD…`),
//!   it does not stop it. A write after free is found only into a block
//!   still in the quarantine, and only later, when the block leaves it
//!   ([`MisuseKind::WrittenAfterFree`]); a write past the end of a live
//!   block, or into memory already given back, goes unnoticed. Miri finds
//!   all of these.
//! - **A stale free after the block left the quarantine** and the parent
//!   handed its address out again: the free then names a live block and,
//!   with the same length and alignment, frees it. The quarantine (64
//!   blocks or 1 MiB by default) only makes the window wide.
//! - **Double frees older than [`Config::max_freed`]** released blocks are
//!   reported as frees of memory not allocated here (still caught, not
//!   passed on).
//! - **Misuse below it**: memory obtained from the parent directly, not
//!   through the `DebugAlloc`, is not tracked.
//! - **Wrong-layout grows through callers that do not ask
//!   [`RawAlloc::validate`](crate::RawAlloc::validate)** before copying a
//!   block out: this crate's bridge and
//!   [`Handle::realloc`](crate::Handle::realloc) ask; code that calls
//!   `alloc`, copies and calls `free` itself reads before anyone checks.
//! - **Threads**: it is not `Sync`.
//!
//! # Design choices
//!
//! - **Bookkeeping lives in the global allocator**, never in the checked
//!   one: `BTreeMap`s of records in a `RefCell`. That is why the module
//!   needs the `alloc` feature: without `alloc` the only storage would be a
//!   fixed-capacity table, whose size would have to be a const generic on
//!   every type that names the allocator, and which, once full, would have
//!   to refuse allocations or forget records (and then report false
//!   "foreign frees"). Tests, where a debug allocator is used, have `alloc`.
//! - **Not `Sync`**: the state is in `Cell`/`RefCell`. Nothing panics on
//!   re-entry: a request that finds the bookkeeping busy (a parent that
//!   calls back into its own wrapper) is refused, and a query asked then
//!   (from a [`Logging`](crate::Logging) sink below it, say) answers with a
//!   documented fallback; both are counted ([`Report::reentrant_calls`]).
//!   See [Queries while busy](DebugAlloc#queries-while-busy).
//! - **Validation before a move.** Growing or shrinking a block that cannot
//!   change in place copies it to a new one; the bridge and
//!   [`Handle::realloc`](crate::Handle::realloc) ask
//!   [`RawAlloc::validate`](crate::RawAlloc::validate) first, and a
//!   `DebugAlloc` answers `false` (recording an [`Op::Move`] misuse) unless
//!   the block is live with exactly that length and alignment, so nothing
//!   is read out of bounds and the caller gets an error.
//! - **Shrinking keeps the parent's block.** A shrink (by `resize` or
//!   `remap`) only shortens the record and poisons the cut-off tail; the
//!   parent still holds the full block, so the tail stays valid memory full
//!   of `0xDD`, and a later growth up to the original length happens in
//!   place. The parent sees the original length when the block is freed.
//! - **`remap` never moves.** It changes the length in place or returns
//!   `None`; the caller then allocates, copies and frees through this
//!   wrapper, so the old block is checked and poisoned like any other free.
//! - **Quarantined blocks are not leaks**, and not live: they are freed
//!   memory on its way back to the parent, given back when evicted, on
//!   [`DebugAlloc::release_quarantine`] and when the allocator is dropped.
//!   A parent that reclaims only its last block (a [`Bump`](crate::Bump))
//!   gets nothing back from a quarantined free; turn the quarantine off
//!   (`with_quarantine(0, 0)`) when it must.
//! - **Double frees are recognized** for every quarantined block and for the
//!   last [`Config::with_max_freed`] blocks given back (1024 by default)
//!   that the parent has not handed out again; older ones are reported as
//!   frees of memory not allocated here.
//! - A direct call of `alloc` with length zero returns `None` (the
//!   [`Handle`](crate::Handle) and the allocator-api2 bridge never make one).
#![cfg(feature = "alloc")]
#![cfg_attr(docsrs, doc(cfg(feature = "alloc")))]

mod allocator;
mod config;
mod quarantine;
mod records;
mod report;
mod site;
#[cfg(feature = "std")]
mod test_allocator;
#[cfg(test)]
mod tests;

pub use self::allocator::DebugAlloc;
pub use self::config::{Config, FILL, OnDrop, POISON};
pub use self::report::{Block, Leak, Misuse, MisuseKind, Op, Report};
#[cfg(feature = "std")]
pub(crate) use self::site::capture_user_frame;
pub use self::site::{Frame, Site, user_frame};
#[cfg(feature = "std")]
pub use self::test_allocator::{TestAllocator, test_allocator};
