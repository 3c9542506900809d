//! `GlobalAlloc` from the four functions: how a [`Standalone`],
//! [`RawAlloc`] stack becomes the `#[global_allocator]`.
//!
//! Every block of the crate implements `core::alloc::GlobalAlloc` when it is
//! [`RawAlloc`] and [`Standalone`] (its parents are); a struct of your own
//! gets it from `#[derive(Allocator)]` with `#[allocator(global)]`. A
//! `static` must be `Sync`, so only the `ThreadSafe` blocks, `Locked` and
//! the concurrent bump, and stacks of them, can be the global allocator.
//! The user-facing account is on [`Standalone`].
//!
//! What a global allocator may not do, and how it is kept from doing it:
//!
//! - **allocate through itself**: every part must be [`Standalone`], checked
//!   at compile time;
//! - **unwind**: [`RawAlloc`]'s functions never unwind (its contract; the
//!   derive aborts when an override panics), and the functions below abort
//!   if one does anyway;
//! - **wait for a lock it holds**: only `Locked` takes a lock, and only
//!   around its inner allocator, which is `Standalone` and so never comes
//!   back to the global allocator while the lock is held; `Fail<A,
//!   ThreadSafe>` takes a spin lock on its slow path around its own
//!   bookkeeping only, never across a call to its parent.

use core::alloc::Layout;
use core::ptr::{self, NonNull};

use crate::__private::AbortOnUnwind;
use crate::{Alignment, Caller, RawAlloc};

/// `GlobalAlloc::alloc` from `RawAlloc::alloc`: null when refused.
#[inline(always)]
pub fn alloc<A: RawAlloc + ?Sized>(allocator: &A, layout: Layout) -> *mut u8 {
    let guard = AbortOnUnwind::arm();
    let block = allocator.alloc(layout.size(), Alignment::of_layout(layout), Caller::here());
    guard.disarm();
    match block {
        Some(p) => p.as_ptr(),
        None => ptr::null_mut(),
    }
}

/// `GlobalAlloc::alloc_zeroed` from `RawAlloc::alloc_zeroed`: null when
/// refused.
#[inline(always)]
pub fn alloc_zeroed<A: RawAlloc + ?Sized>(allocator: &A, layout: Layout) -> *mut u8 {
    let guard = AbortOnUnwind::arm();
    let block = allocator.alloc_zeroed(layout.size(), Alignment::of_layout(layout), Caller::here());
    guard.disarm();
    match block {
        Some(p) => p.as_ptr(),
        None => ptr::null_mut(),
    }
}

/// `GlobalAlloc::dealloc` from `RawAlloc::free`.
///
/// # Safety
///
/// `GlobalAlloc::dealloc`'s contract: `ptr` was allocated by `allocator`
/// (through these functions) with `layout`, and is live.
#[inline(always)]
pub unsafe fn dealloc<A: RawAlloc + ?Sized>(allocator: &A, ptr: *mut u8, layout: Layout) {
    let guard = AbortOnUnwind::arm();
    // SAFETY: `ptr` came from `alloc` above, which never returns null for a
    // block it hands out.
    let memory =
        NonNull::slice_from_raw_parts(unsafe { NonNull::new_unchecked(ptr) }, layout.size());
    // SAFETY: the caller's contract: the block is live, from `allocator`,
    // with this length and alignment (`realloc` below keeps them in step).
    unsafe { allocator.free(memory, Alignment::of_layout(layout), Caller::here()) };
    guard.disarm();
}

/// `GlobalAlloc::realloc` from `remap`, then an in-place `resize`, then
/// allocate, copy and free.
///
/// # Safety
///
/// `GlobalAlloc::realloc`'s contract: `ptr` is live, allocated by
/// `allocator` with `layout` (a non-zero size), and `new_size` is non-zero
/// and, rounded up to `layout.align()`, at most `isize::MAX`.
#[inline(always)]
pub unsafe fn realloc<A: RawAlloc + ?Sized>(
    allocator: &A,
    ptr: *mut u8,
    layout: Layout,
    new_size: usize,
) -> *mut u8 {
    let guard = AbortOnUnwind::arm();
    let align = Alignment::of_layout(layout);
    let caller = Caller::here();
    // SAFETY: `ptr` is a live block (the caller's contract), so not null.
    let old = unsafe { NonNull::new_unchecked(ptr) };
    let memory = NonNull::slice_from_raw_parts(old, layout.size());
    // SAFETY: for `remap` and `resize` alike: `memory` is a live block of
    // `allocator` with its length and alignment, and both lengths are
    // non-zero (the caller's contract; a global allocation has a non-zero
    // size).
    let moved = unsafe { allocator.remap(memory, align, new_size, caller) };
    let result = if let Some(p) = moved {
        p.as_ptr()
    // SAFETY: as above; `remap` refused, so `memory` is unchanged.
    } else if unsafe { allocator.resize(memory, align, new_size, caller) } {
        ptr
    } else if let Some(new) = allocator.alloc(new_size, align, caller) {
        // SAFETY: `old` is live for `layout.size()` bytes and `new` for
        // `new_size`; they are distinct live blocks, so disjoint.
        unsafe { ptr::copy_nonoverlapping(ptr, new.as_ptr(), layout.size().min(new_size)) };
        // SAFETY: `memory` is still live (neither `remap` nor `resize`
        // changed it), with its length and alignment.
        unsafe { allocator.free(memory, align, caller) };
        new.as_ptr()
    } else {
        ptr::null_mut()
    };
    guard.disarm();
    result
}

use crate::{Counting, Fail, Fallback, Limit, Null, Segregator, Standalone, Threading};

/// `impl Standalone` and `GlobalAlloc` (through `__private::global_alloc!`)
/// for one of the crate's blocks: `global!([generics] Type, [where clause
/// for Standalone])`.
macro_rules! global {
    ([$($generics:tt)*] $ty:ty, [$($standalone:tt)*]) => {
        impl<$($generics)*> Standalone for $ty where $($standalone)* {}
        crate::__private::global_alloc! { impl [$($generics)*] $ty where [] }
    };
}

global!([A, T: Threading] Counting<A, T>, [A: Standalone]);
global!([A, T: Threading] Limit<A, T>, [A: Standalone]);
global!([A, T: Threading] Fail<A, T>, [A: Standalone]);
global!([P, S] Fallback<P, S>, [P: Standalone, S: Standalone]);
global!([const N: usize, Small, Large] Segregator<N, Small, Large>,
    [Small: Standalone, Large: Standalone]);
global!([] Null, []);

impl<A: RawAlloc + Standalone> Standalone for crate::Arena<A> {}
impl<A: RawAlloc + Standalone, const MIN: usize, const MAX: usize> Standalone
    for crate::FreeList<A, MIN, MAX>
{
}
impl<A: RawAlloc + Standalone, const STEP: usize, const CLASSES: usize> Standalone
    for crate::SizeClasses<A, STEP, CLASSES>
{
}
impl Standalone for crate::Bump<'_> {}

// A lock-free bump: one compare-and-swap, no calls out.
#[cfg(target_has_atomic = "ptr")]
global!(['a] crate::ConcurrentBump<'a>, []);

// A `Locked` is standalone when its allocator is and its lock never
// allocates: a lock that allocated while the global allocator waits for
// it, or while it holds it, would call the global allocator.
global!([A, M] crate::Locked<A, M>, [A: Standalone, M: crate::Lock<A> + Standalone]);

/// A spin mutex spins on one atomic word; it never allocates.
impl<T: ?Sized> Standalone for spin::mutex::SpinMutex<T> {}

/// Any `lock_api` mutex whose raw mutex is standalone (say, `spin`'s).
impl<R: lock_api::RawMutex + Standalone, T: ?Sized> Standalone for lock_api::Mutex<R, T> {}

/// `std`'s mutex where it is a futex or an OS lock allocated in place (it
/// allocates nothing to lock); elsewhere it may box a `pthread_mutex_t` on
/// first use, so it is not marked.
#[cfg(all(
    feature = "std",
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "windows",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "dragonfly",
        target_os = "fuchsia"
    )
))]
impl<T: ?Sized> Standalone for std::sync::Mutex<T> {}
