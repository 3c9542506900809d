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
#[inline(always)]
pub fn alloc<F: RawAlloc, S: RawAlloc>(
    first: &F,
    second: &S,
    route: Route,
    len: usize,
    align: Alignment,
    caller: Caller,
) -> Option<NonNull<u8>> {
    let _ = (first, second, route, len, align, caller);
    todo!()
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
    let _ = (first, second, memory, align, new_len, caller);
    todo!()
}

/// Remaps in the part that owns `memory`.
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
    let _ = (first, second, memory, align, new_len, caller);
    todo!()
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
    let _ = (first, second, memory, align, caller);
    todo!()
}

/// Asks the part that owns `memory` to validate it.
#[inline(always)]
pub fn validate<F: RawAlloc + Owns, S: RawAlloc>(
    first: &F,
    second: &S,
    memory: NonNull<[u8]>,
    align: Alignment,
    caller: Caller,
) -> bool {
    let _ = (first, second, memory, align, caller);
    todo!()
}

/// Whether either part owns `memory`.
#[inline(always)]
pub fn owns<F: Owns, S: Owns>(first: &F, second: &S, memory: NonNull<[u8]>) -> bool {
    first.owns(memory) || second.owns(memory)
}
