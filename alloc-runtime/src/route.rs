//! [`Route`] and the functions behind every composite of two parts whose
//! blocks are told apart by the first part's [`Owns`]: [`Fallback`] and
//! two-parent structs made with `#[derive(Allocator)]`.
//!
//! Allocation goes where a [`Route`] says (any answer is safe); `free`,
//! `resize`, `remap` and `validate` go to the first part when it owns the
//! block and to the second otherwise. Soundness rests on `Owns` alone.
//!
//! [`Fallback`]: crate::Fallback

use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

#[cfg(test)]
pub(crate) mod model;

/// Where a two-part composite sends an allocation.
///
/// Returned by the `route` function of a two-parent
/// `#[derive(Allocator)]` struct; [`Fallback`](crate::Fallback) always
/// answers [`FirstThenSecond`](Route::FirstThenSecond). Any answer is
/// safe: whichever part made a block gets it back, because frees are
/// routed by the first part's [`Owns`], not by this answer.
///
/// ```
/// use alloc_runtime::Route;
/// let small_first = |len: usize| if len <= 64 { Route::FirstThenSecond } else { Route::Second };
/// assert_eq!(small_first(8), Route::FirstThenSecond);
/// assert_eq!(small_first(1000), Route::Second);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// Only the first part.
    First,
    /// Only the second part.
    Second,
    /// The first part, then the second if the first refuses.
    FirstThenSecond,
    /// The second part, then the first if the second refuses.
    SecondThenFirst,
}

/// Allocates from the parts `route` names, in its order.
///
/// With [`Route::FirstThenSecond`] this is the first part's `alloc` and one
/// branch; the second part is reached through a `#[cold]` call only when
/// the first refuses. Safe: the block comes from one part, and the other
/// functions of this module find that part again with [`Owns`].
#[inline(always)]
pub fn alloc<F: RawAlloc, S: RawAlloc>(
    first: &F,
    second: &S,
    route: Route,
    len: usize,
    align: Alignment,
    caller: Caller,
) -> Option<NonNull<u8>> {
    match route {
        Route::First => first.alloc(len, align, caller),
        Route::Second => second.alloc(len, align, caller),
        Route::FirstThenSecond => match first.alloc(len, align, caller) {
            Some(memory) => Some(memory),
            None => alloc_cold(second, len, align, caller),
        },
        Route::SecondThenFirst => match second.alloc(len, align, caller) {
            Some(memory) => Some(memory),
            None => alloc_cold(first, len, align, caller),
        },
    }
}

/// [`alloc`], each part asked for zeroed memory (`RawAlloc::alloc_zeroed`).
#[inline]
pub fn alloc_zeroed<F: RawAlloc, S: RawAlloc>(
    first: &F,
    second: &S,
    route: Route,
    len: usize,
    align: Alignment,
    caller: Caller,
) -> Option<NonNull<u8>> {
    match route {
        Route::First => first.alloc_zeroed(len, align, caller),
        Route::Second => second.alloc_zeroed(len, align, caller),
        Route::FirstThenSecond => first
            .alloc_zeroed(len, align, caller)
            .or_else(|| second.alloc_zeroed(len, align, caller)),
        Route::SecondThenFirst => second
            .alloc_zeroed(len, align, caller)
            .or_else(|| first.alloc_zeroed(len, align, caller)),
    }
}

/// The other part's `alloc`, out of the fast path: reached only when the
/// part tried first refused.
#[cold]
#[inline(never)]
fn alloc_cold<A: RawAlloc>(
    part: &A,
    len: usize,
    align: Alignment,
    caller: Caller,
) -> Option<NonNull<u8>> {
    part.alloc(len, align, caller)
}

/// Resizes in place in the part that owns `memory`.
///
/// # Safety
///
/// `resize`'s contract for the composite: `memory` came from
/// [`alloc`] (or a successful resize/remap) over these same two parts.
#[inline(always)]
pub unsafe fn resize<F: RawAlloc + Owns, S: RawAlloc>(
    first: &F,
    second: &S,
    memory: NonNull<[u8]>,
    align: Alignment,
    new_len: usize,
    caller: Caller,
) -> bool {
    if first.owns(memory) {
        // SAFETY: the caller's `resize` contract makes `memory` a live,
        // non-empty block of one of the parts with its current length and
        // alignment; `Owns` answers `false` for the second part's live
        // blocks (they are disjoint from the first's memory), so `true`
        // means the first part made it.
        unsafe { first.resize(memory, align, new_len, caller) }
    } else {
        // SAFETY: as above; `Owns` answers `true` for every live block of
        // the first part, so `false` means the second part made it.
        unsafe { second.resize(memory, align, new_len, caller) }
    }
}

/// Remaps in the part that owns `memory`.
///
/// A block the part moves stays in that part, so later calls find it
/// there again.
///
/// # Safety
///
/// As for [`resize`].
#[inline(always)]
pub unsafe fn remap<F: RawAlloc + Owns, S: RawAlloc>(
    first: &F,
    second: &S,
    memory: NonNull<[u8]>,
    align: Alignment,
    new_len: usize,
    caller: Caller,
) -> Option<NonNull<u8>> {
    if first.owns(memory) {
        // SAFETY: the caller's `remap` contract makes `memory` a live,
        // non-empty block of one of the parts; `Owns` is exact for it
        // (`true` only for the first part's live blocks), so the first
        // part made it.
        unsafe { first.remap(memory, align, new_len, caller) }
    } else {
        // SAFETY: as above; `Owns` answers `true` for every live block of
        // the first part, so `false` means the second part made it.
        unsafe { second.remap(memory, align, new_len, caller) }
    }
}

/// Frees to the part that owns `memory`.
///
/// # Safety
///
/// `free`'s contract for the composite: `memory` came from [`alloc`] (or
/// a successful resize/remap) over these same two parts.
#[inline(always)]
pub unsafe fn free<F: RawAlloc + Owns, S: RawAlloc>(
    first: &F,
    second: &S,
    memory: NonNull<[u8]>,
    align: Alignment,
    caller: Caller,
) {
    if first.owns(memory) {
        // SAFETY: the caller's `free` contract makes `memory` a live,
        // non-empty block of one of the parts, not used again; `Owns`
        // answers `false` for the second part's live blocks, so `true`
        // means the first part made it.
        unsafe { first.free(memory, align, caller) }
    } else {
        // SAFETY: as above; `Owns` answers `true` for every live block of
        // the first part, so `false` means the second part made it.
        unsafe { second.free(memory, align, caller) }
    }
}

/// Asks the part that owns `memory` to validate it.
///
/// A block the first part does not own goes to the second part's
/// `validate`, which answers for it as far as it can tell (`false` from a
/// part that keeps records and did not hand it out, `true` from one that
/// keeps none). Safe with any arguments: `Owns` and `validate` only
/// compare addresses.
#[inline(always)]
pub fn validate<F: RawAlloc + Owns, S: RawAlloc>(
    first: &F,
    second: &S,
    memory: NonNull<[u8]>,
    align: Alignment,
    caller: Caller,
) -> bool {
    if first.owns(memory) {
        first.validate(memory, align, caller)
    } else {
        second.validate(memory, align, caller)
    }
}

/// Whether either part owns `memory`.
#[inline(always)]
pub fn owns<F: Owns, S: Owns>(first: &F, second: &S, memory: NonNull<[u8]>) -> bool {
    first.owns(memory) || second.owns(memory)
}
