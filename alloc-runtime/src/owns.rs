//! [`Owns`]: "did this allocator hand out this memory?", the question
//! routing composites ask before they pass a block back.

use core::ptr::NonNull;

use crate::region::Region;
use crate::{Arena, Bump, RawAlloc, Scope};

/// Whether a block was handed out by this allocator: the question a
/// composite asks to send a `free`, `resize` or `remap` to the part that
/// made the block (D's `owns`).
///
/// [`Fallback`](crate::Fallback) and two-parent structs made with
/// `#[derive(Allocator)]` need it of their first part. [`Bump`],
/// [`Arena`] and [`Scope`] answer it exactly with address compares; the
/// composites answer it when their parts do; wrappers forward it.
/// [`Global`](crate::Global) cannot answer it (the global allocator keeps
/// no records), so it goes last in a composition.
///
/// # Safety
///
/// Composites trust the answer with memory safety: a block passed to the
/// wrong part is undefined behaviour. An implementation promises, for
/// every `memory` of non-zero length:
///
/// - **`true` for its own blocks**: every block this allocator (or a
///   clone or copy of it) handed out and that is still live, with its
///   current length, and every non-empty prefix of such a block (a pool
///   that serves a short request with a longer block of its parent asks
///   the parent with the shorter length);
/// - **`false` for anyone else's**: every range disjoint from all the
///   memory this allocator manages (the blocks it hands out and the room
///   it hands them out from). Blocks another allocator handed out and
///   that are live are such ranges.
///
/// The call never reads or writes through `memory` and never unwinds.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Arena, Caller, Owns};
///
/// let arena = Arena::new();
/// let block = arena.allocator().alloc_slice::<u8>(16)?;
/// assert!(Owns::owns(&arena, block));
///
/// let elsewhere = [0u8; 16];
/// assert!(!Owns::owns(&arena, core::ptr::NonNull::from(&elsewhere[..])));
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot tell which blocks it handed out",
    label = "`{Self}` does not implement `Owns`",
    note = "a composite routes frees by asking its first part `Owns::owns`; put an allocator that keeps its memory in one place (`Bump`, `Arena`, or a composite of them) first, and `Global` last"
)]
pub unsafe trait Owns {
    /// Whether `memory` is a block this allocator handed out (see the
    /// trait's contract for the exact promise).
    fn owns(&self, memory: NonNull<[u8]>) -> bool;
}

macro_rules! forward_owns {
    ($($(#[$attr:meta])* [$($generics:tt)*] $ty:ty;)*) => {$(
        $(#[$attr])*
        // SAFETY: forwarded unchanged to the allocator behind the pointer,
        // which keeps the contract; the pointer's blocks are its blocks.
        unsafe impl<$($generics)*> Owns for $ty {
            #[inline(always)]
            fn owns(&self, memory: NonNull<[u8]>) -> bool {
                A::owns(self, memory)
            }
        }
    )*};
}

forward_owns! {
    ['a, A: Owns + ?Sized] &'a A;
    ['a, A: Owns + ?Sized] &'a mut A;
    #[cfg(feature = "alloc")]
    [A: Owns + ?Sized] alloc::boxed::Box<A>;
    #[cfg(feature = "alloc")]
    [A: Owns + ?Sized] alloc::rc::Rc<A>;
    #[cfg(feature = "alloc")]
    [A: Owns + ?Sized] alloc::sync::Arc<A>;
}

// SAFETY: every block the bump hands out, and every prefix of one, lies
// inside its buffer `start..end`, and the buffer is memory the bump
// manages: a range inside it is answered `true`, any range disjoint from it
// `false`. Address compares only.
unsafe impl Owns for Bump<'_> {
    #[inline]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        crate::region::within(
            memory.cast::<u8>().addr().get(),
            memory.len(),
            Region::start(self).addr().get(),
            Region::end(self),
        )
    }
}

// SAFETY: `handed_out` answers whether the range lies inside the handed-out
// part of one of the arena's chunks; every live block of the arena (and
// every prefix of one) does,
// and chunks are memory the arena manages, so a range disjoint from them
// is answered `false`. Address compares only.
unsafe impl<A: RawAlloc> Owns for Arena<A> {
    #[inline]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.handed_out(memory.cast::<u8>().addr().get(), memory.len())
    }
}

// SAFETY: a scope's blocks are its arena's blocks.
unsafe impl<A: RawAlloc> Owns for Scope<'_, A> {
    #[inline]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        Owns::owns(&**self, memory)
    }
}
