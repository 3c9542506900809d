//! The allocator-api2 bridge: allocator-api2's `Allocator` methods built from
//! the four functions of [`RawAlloc`].
//!
//! `#[derive(Allocator)]` implements `allocator_api2::alloc::Allocator` (the
//! 0.2 line that `hashbrown` and `bumpalo` use) for a type by calling these
//! functions; they are public so a hand-written impl can do the same.
//!
//! - A zero-size `Layout` never reaches the allocator: it gets a dangling,
//!   aligned pointer, and its `deallocate` is dropped.
//! - `grow` and `shrink` try [`RawAlloc::resize`] in place, then
//!   [`RawAlloc::remap`], then allocate + copy + free (a change of alignment
//!   goes straight to the last: [`RawAlloc`]'s `free` must receive the
//!   alignment a block was allocated with, so the bridge cannot relabel a
//!   block with a smaller one; an allocator that ignores alignment, such as
//!   [`Bump`](crate::Bump), shrinks to a smaller alignment in place in its
//!   own `Allocator` impl).
//! - Only the in-place `resize` is inline in `grow` and `shrink`; `remap`
//!   and allocate + copy + free are in a `#[cold]`, never-inlined function,
//!   so that growing in place keeps no registers or stack for them.
//! - Before the allocate + copy + free fallback reads the old block, it asks
//!   [`RawAlloc::validate`]; on `false` it returns `Err(AllocError)` having
//!   allocated, copied and freed nothing.
//! - A `grow` to a smaller size or a `shrink` to a larger one (a caller's
//!   contract violation) fails a `debug_assert!` that names the mistake; a
//!   release build never computes a negative length from it.
//! - The [`Caller`] passed down is the location of the allocator-api2 call.
//!
//! # Examples
//!
//! ```
//! use alloc_runtime::{bridge, Bump};
//! use core::{alloc::Layout, mem::MaybeUninit};
//!
//! let mut buf = [MaybeUninit::uninit(); 64];
//! let bump = Bump::new(&mut buf);
//! let block = bridge::allocate(&bump, Layout::new::<[u32; 4]>())?;
//! assert_eq!(block.len(), 16);
//! let used = bump.used();
//! let empty = bridge::allocate(&bump, Layout::new::<()>())?;
//! assert_eq!(empty.len(), 0);
//! assert_eq!(bump.used(), used); // the zero-size request took nothing
//! # Ok::<(), alloc_runtime::AllocError>(())
//! ```

use core::alloc::Layout;
use core::ptr::NonNull;

use crate::handle::dangling;
use crate::{Alignment, AllocError, Caller, RawAlloc};

/// allocator-api2's `allocate`: `layout.size()` bytes aligned to
/// `layout.align()`.
///
/// # Errors
///
/// [`AllocError`] when the allocator refuses.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{bridge, Bump};
/// use core::{alloc::Layout, mem::MaybeUninit};
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let bump = Bump::new(&mut buf);
/// assert!(bridge::allocate(&bump, Layout::new::<[u8; 100]>()).is_err());
/// ```
#[inline(always)]
#[track_caller]
pub fn allocate<A: RawAlloc + ?Sized>(a: &A, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
    allocate_at(a, layout, Caller::here())
}

/// allocator-api2's `allocate_zeroed`, through
/// [`RawAlloc::alloc_zeroed`] (which allocates and zeroes unless the
/// allocator does better).
///
/// # Errors
///
/// [`AllocError`] when the allocator refuses.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{bridge, Bump};
/// use core::{alloc::Layout, mem::MaybeUninit};
/// let mut buf = [MaybeUninit::new(0xAA); 64];
/// let bump = Bump::new(&mut buf);
/// let block = bridge::allocate_zeroed(&bump, Layout::new::<[u8; 8]>())?;
/// // SAFETY: the block is 8 initialized (zeroed) bytes, not aliased.
/// assert_eq!(unsafe { block.as_ref() }, [0; 8]);
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[inline]
#[track_caller]
pub fn allocate_zeroed<A: RawAlloc + ?Sized>(
    a: &A,
    layout: Layout,
) -> Result<NonNull<[u8]>, AllocError> {
    let align = Alignment::of_layout(layout);
    let size = layout.size();
    if size == 0 {
        return Ok(NonNull::slice_from_raw_parts(dangling(align), 0));
    }
    match a.alloc_zeroed(size, align, Caller::here()) {
        Some(ptr) => Ok(NonNull::slice_from_raw_parts(ptr, size)),
        None => Err(AllocError),
    }
}

/// allocator-api2's `deallocate`.
///
/// # Safety
///
/// allocator-api2's contract: `ptr` denotes a block currently allocated by
/// `a` (through this bridge) and `layout` fits it (the layout it was
/// allocated or last resized with).
///
/// # Examples
///
/// ```
/// use alloc_runtime::{bridge, Bump};
/// use core::{alloc::Layout, mem::MaybeUninit};
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let bump = Bump::new(&mut buf);
/// let layout = Layout::new::<u64>();
/// let block = bridge::allocate(&bump, layout)?;
/// let used = bump.used();
/// // SAFETY: `block` was allocated by `bump` with `layout` and is not used again.
/// unsafe { bridge::deallocate(&bump, block.cast(), layout) };
/// assert_eq!(bump.used(), used - 8); // the last block's bytes came back
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[inline(always)]
#[track_caller]
pub unsafe fn deallocate<A: RawAlloc + ?Sized>(a: &A, ptr: NonNull<u8>, layout: Layout) {
    if layout.size() != 0 {
        let memory = NonNull::slice_from_raw_parts(ptr, layout.size());
        // SAFETY: the caller's contract: a live, non-empty block of `a` with
        // this length and alignment (non-empty ones are the only ones that
        // reached `a`).
        unsafe { a.free(memory, Alignment::of_layout(layout), Caller::here()) }
    }
}

/// allocator-api2's `grow`: resize in place, else remap, else allocate +
/// copy + free.
///
/// # Errors
///
/// [`AllocError`] when no memory could be had, or when the block has to
/// move and [`RawAlloc::validate`] disowns it; the old block is untouched.
///
/// # Safety
///
/// allocator-api2's contract: `ptr` denotes a block currently allocated by
/// `a`, `old_layout` fits it, and `new_layout.size() >= old_layout.size()`.
///
/// # Panics
///
/// In debug builds, when `new_layout.size() < old_layout.size()`.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{bridge, Bump};
/// use core::{alloc::Layout, mem::MaybeUninit};
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let bump = Bump::new(&mut buf);
/// let (old, new) = (Layout::new::<[u8; 8]>(), Layout::new::<[u8; 32]>());
/// let block = bridge::allocate(&bump, old)?;
/// // SAFETY: `block` was allocated by `bump` with `old`; 32 >= 8.
/// let grown = unsafe { bridge::grow(&bump, block.cast(), old, new)? };
/// assert_eq!(grown.cast::<u8>(), block.cast::<u8>()); // the last allocation grew in place
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[inline]
#[track_caller]
pub unsafe fn grow<A: RawAlloc + ?Sized>(
    a: &A,
    ptr: NonNull<u8>,
    old_layout: Layout,
    new_layout: Layout,
) -> Result<NonNull<[u8]>, AllocError> {
    debug_assert_grows(old_layout, new_layout, "grow");
    // SAFETY: the caller's contract is `realloc`'s.
    unsafe { realloc(a, ptr, old_layout, new_layout, Caller::here()) }
}

/// allocator-api2's `grow_zeroed`: [`grow`], then zero the new bytes.
///
/// # Errors
///
/// [`AllocError`] when no memory could be had, or when the block has to
/// move and [`RawAlloc::validate`] disowns it; the old block is untouched.
///
/// # Safety
///
/// The same as [`grow`].
///
/// # Panics
///
/// In debug builds, when `new_layout.size() < old_layout.size()`.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{bridge, Bump};
/// use core::{alloc::Layout, mem::MaybeUninit};
/// let mut buf = [MaybeUninit::new(0xAA); 64];
/// let bump = Bump::new(&mut buf);
/// let (old, new) = (Layout::new::<[u8; 2]>(), Layout::new::<[u8; 4]>());
/// let block = bridge::allocate_zeroed(&bump, old)?;
/// // SAFETY: `block` was allocated by `bump` with `old`; 4 >= 2.
/// let grown = unsafe { bridge::grow_zeroed(&bump, block.cast(), old, new)? };
/// // SAFETY: all four bytes are initialized (zeroed), not aliased.
/// assert_eq!(unsafe { grown.as_ref() }, [0; 4]);
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[inline]
#[track_caller]
pub unsafe fn grow_zeroed<A: RawAlloc + ?Sized>(
    a: &A,
    ptr: NonNull<u8>,
    old_layout: Layout,
    new_layout: Layout,
) -> Result<NonNull<[u8]>, AllocError> {
    debug_assert_grows(old_layout, new_layout, "grow_zeroed");
    // SAFETY: the caller's contract is `realloc`'s.
    let block = unsafe { realloc(a, ptr, old_layout, new_layout, Caller::here())? };
    // Clamped, so a caller's smaller `new_layout` (caught above in debug
    // builds) zeroes nothing rather than underflowing the length.
    let old = old_layout.size().min(block.len());
    // SAFETY: `old <= block.len()`: the offset stays inside `block`.
    let tail = unsafe { block.cast::<u8>().add(old) };
    // SAFETY: `block` is valid for writes of its `block.len()` bytes, of
    // which `tail` is the last `block.len() - old`.
    unsafe { tail.write_bytes(0, block.len() - old) };
    Ok(block)
}

/// allocator-api2's `shrink`: resize in place, else remap, else allocate +
/// copy + free. Shrinking to zero bytes frees the block.
///
/// # Errors
///
/// [`AllocError`] when no memory could be had, or when the block has to
/// move and [`RawAlloc::validate`] disowns it; the old block is untouched.
///
/// # Safety
///
/// allocator-api2's contract: `ptr` denotes a block currently allocated by
/// `a`, `old_layout` fits it, and `new_layout.size() <= old_layout.size()`.
///
/// # Panics
///
/// In debug builds, when `new_layout.size() > old_layout.size()`.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{bridge, Bump};
/// use core::{alloc::Layout, mem::MaybeUninit};
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let bump = Bump::new(&mut buf);
/// let (old, new) = (Layout::new::<[u8; 32]>(), Layout::new::<[u8; 8]>());
/// let block = bridge::allocate(&bump, old)?;
/// // SAFETY: `block` was allocated by `bump` with `old`; 8 <= 32.
/// unsafe { bridge::shrink(&bump, block.cast(), old, new)? };
/// assert_eq!(bump.used(), 8);
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[inline]
#[track_caller]
pub unsafe fn shrink<A: RawAlloc + ?Sized>(
    a: &A,
    ptr: NonNull<u8>,
    old_layout: Layout,
    new_layout: Layout,
) -> Result<NonNull<[u8]>, AllocError> {
    debug_assert_shrinks(old_layout, new_layout);
    // SAFETY: the caller's contract is `realloc`'s.
    unsafe { realloc(a, ptr, old_layout, new_layout, Caller::here()) }
}

/// Debug builds: panics naming the mistake when `function` (`grow` or
/// `grow_zeroed`) is asked for a smaller block.
#[inline(always)]
#[track_caller]
pub(crate) fn debug_assert_grows(old_layout: Layout, new_layout: Layout, function: &str) {
    debug_assert!(
        new_layout.size() >= old_layout.size(),
        "{function} to a smaller size ({} bytes from {}); call shrink for a smaller block",
        new_layout.size(),
        old_layout.size(),
    );
}

#[inline(always)]
pub(crate) fn allocate_at<A: RawAlloc + ?Sized>(
    a: &A,
    layout: Layout,
    caller: Caller,
) -> Result<NonNull<[u8]>, AllocError> {
    let align = Alignment::of_layout(layout);
    let size = layout.size();
    if size == 0 {
        return Ok(NonNull::slice_from_raw_parts(dangling(align), 0));
    }
    match a.alloc(size, align, caller) {
        Some(ptr) => Ok(NonNull::slice_from_raw_parts(ptr, size)),
        None => Err(AllocError),
    }
}

/// [`deallocate`] with the request's [`Caller`] given: a handle's
/// `deallocate` entry passes its own caller's location down.
///
/// # Safety
///
/// As for [`deallocate`].
#[inline(always)]
pub(crate) unsafe fn deallocate_at<A: RawAlloc + ?Sized>(
    a: &A,
    ptr: NonNull<u8>,
    layout: Layout,
    caller: Caller,
) {
    if layout.size() != 0 {
        let memory = NonNull::slice_from_raw_parts(ptr, layout.size());
        // SAFETY: the caller's contract: a live, non-empty block of `a` with
        // this length and alignment (non-empty ones are the only ones that
        // reached `a`).
        unsafe { a.free(memory, Alignment::of_layout(layout), caller) }
    }
}

/// [`grow`] with the request's [`Caller`] given, as [`deallocate_at`].
///
/// # Safety
///
/// As for [`grow`].
#[inline(always)]
pub(crate) unsafe fn grow_at<A: RawAlloc + ?Sized>(
    a: &A,
    ptr: NonNull<u8>,
    old_layout: Layout,
    new_layout: Layout,
    caller: Caller,
) -> Result<NonNull<[u8]>, AllocError> {
    debug_assert_grows(old_layout, new_layout, "grow");
    // SAFETY: the caller's contract is `realloc`'s.
    unsafe { realloc(a, ptr, old_layout, new_layout, caller) }
}

/// [`shrink`] with the request's [`Caller`] given, as [`deallocate_at`].
///
/// # Safety
///
/// As for [`shrink`].
#[inline(always)]
pub(crate) unsafe fn shrink_at<A: RawAlloc + ?Sized>(
    a: &A,
    ptr: NonNull<u8>,
    old_layout: Layout,
    new_layout: Layout,
    caller: Caller,
) -> Result<NonNull<[u8]>, AllocError> {
    debug_assert_shrinks(old_layout, new_layout);
    // SAFETY: the caller's contract is `realloc`'s.
    unsafe { realloc(a, ptr, old_layout, new_layout, caller) }
}

/// Debug builds: panics naming the mistake when `shrink` is asked for a
/// larger block ([`shrink`], [`shrink_at`], and the handle's `shrink`,
/// which checks before its indirect call so the panic names the caller's
/// line).
#[inline(always)]
#[track_caller]
pub(crate) fn debug_assert_shrinks(old_layout: Layout, new_layout: Layout) {
    debug_assert!(
        new_layout.size() <= old_layout.size(),
        "shrink to a larger size ({} bytes from {}); call grow for a larger block",
        new_layout.size(),
        old_layout.size(),
    );
}

/// Moves a block from `old_layout` to `new_layout`, the shared body of
/// `grow` and `shrink`.
///
/// # Safety
///
/// `ptr` denotes a block currently allocated by `a` through this bridge and
/// `old_layout` fits it.
#[inline(always)]
unsafe fn realloc<A: RawAlloc + ?Sized>(
    a: &A,
    ptr: NonNull<u8>,
    old_layout: Layout,
    new_layout: Layout,
    caller: Caller,
) -> Result<NonNull<[u8]>, AllocError> {
    let (old_size, new_size) = (old_layout.size(), new_layout.size());
    if old_size == 0 {
        // A zero-size block never reached `a`: nothing to move or free.
        return allocate_at(a, new_layout, caller);
    }
    let old_align = Alignment::of_layout(old_layout);
    let new_align = Alignment::of_layout(new_layout);
    let memory = NonNull::slice_from_raw_parts(ptr, old_size);
    if new_size == 0 {
        // SAFETY: the function's contract: a live, non-empty block of `a`.
        unsafe { a.free(memory, old_align, caller) };
        return Ok(NonNull::slice_from_raw_parts(dangling(new_align), 0));
    }
    if old_align == new_align {
        // SAFETY: a live, non-empty block of `a` with its own alignment; the
        // new length is non-zero.
        if unsafe { a.resize(memory, old_align, new_size, caller) } {
            return Ok(NonNull::slice_from_raw_parts(ptr, new_size));
        }
    }
    // SAFETY: the function's contract, and both lengths are non-zero; a
    // refused `resize` changed nothing.
    unsafe { realloc_elsewhere(a, memory, old_align, new_layout, caller) }
}

/// What [`realloc`] does when the block cannot change in place: `remap`
/// (at the same alignment), else allocate + copy + free. Out of line and
/// cold, so that the in-place path before it keeps no registers or stack
/// for a call, a copy or a second try; either of these costs a call and
/// more anyway.
///
/// # Safety
///
/// `memory` is a live, non-empty block of `a` allocated with `old_align`
/// through this bridge (its length may be a caller's wrong claim: `validate`
/// is asked before it is read); `new_layout.size()` is non-zero.
#[cold]
#[inline(never)]
unsafe fn realloc_elsewhere<A: RawAlloc + ?Sized>(
    a: &A,
    memory: NonNull<[u8]>,
    old_align: Alignment,
    new_layout: Layout,
    caller: Caller,
) -> Result<NonNull<[u8]>, AllocError> {
    let (old_size, new_size) = (memory.len(), new_layout.size());
    let new_align = Alignment::of_layout(new_layout);
    if old_align == new_align {
        // SAFETY: the function's contract: a live, non-empty block of `a`
        // with its own alignment; the new length is non-zero.
        if let Some(moved) = unsafe { a.remap(memory, old_align, new_size, caller) } {
            return Ok(NonNull::slice_from_raw_parts(moved, new_size));
        }
    }
    // Moving reads `old_size` bytes of the old block: ask the allocator
    // first, and on `false` (a wrong `old_layout`, a foreign pointer) give up
    // before anything is allocated, copied or freed.
    if !a.validate(memory, old_align, caller) {
        return Err(AllocError);
    }
    let new = a.alloc(new_size, new_align, caller).ok_or(AllocError)?;
    let ptr = memory.cast::<u8>();
    // SAFETY: `memory` is readable for `old_size` bytes and `new` writable for
    // `new_size`; both are live blocks, and memory handed out is disjoint
    // from everything else live (`RawAlloc`'s contract), so they do not
    // overlap.
    unsafe {
        new.as_ptr()
            .copy_from_nonoverlapping(ptr.as_ptr(), old_size.min(new_size))
    };
    // SAFETY: `memory` is still the live block the caller handed over; after
    // a successful move, allocator-api2 callers do not use it again.
    unsafe { a.free(memory, old_align, caller) };
    Ok(NonNull::slice_from_raw_parts(new, new_size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bump;
    use crate::testing::record::{Call, Recording};
    use core::mem::MaybeUninit;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    /// A block of `old` on a recording bump, pinned by a later allocation so
    /// it cannot change in place, handed to `body` with `validate` saying no.
    fn disowned(old: Layout, body: impl FnOnce(&Recording<Bump<'_>>, NonNull<u8>)) {
        let mut buf = [MaybeUninit::uninit(); 512];
        let rec = Recording::new(Bump::new(&mut buf));
        let block = allocate(&rec, old).unwrap().cast::<u8>();
        // SAFETY: `block` is `old.size()` writable bytes.
        unsafe { block.as_ptr().write_bytes(0x5A, old.size()) };
        let _pin = allocate(&rec, layout(1, 1)).unwrap();
        rec.take();
        rec.valid.set(false);
        body(&rec, block);
        rec.valid.set(true);
        assert!(rec.validate(
            NonNull::slice_from_raw_parts(block, old.size()),
            Alignment::of_layout(old),
            Caller::here()
        ));
        // SAFETY: the refused move left `block` live and as it was.
        assert_eq!(unsafe { block.as_ptr().read() }, 0x5A);
    }

    #[test]
    fn grow_asks_validate_before_it_copies() {
        let (old, new) = (layout(16, 8), layout(64, 8));
        disowned(old, |rec, block| {
            // SAFETY: `block` is live with layout `old`; 64 >= 16.
            assert!(unsafe { grow(rec, block, old, new) }.is_err());
            assert_eq!(
                rec.take(),
                [
                    Call::Resize(16, 64),
                    Call::Remap(16, 64),
                    Call::Validate(16)
                ],
                "allocated, copied or freed after validate said no"
            );
        });
    }

    #[test]
    fn grow_zeroed_asks_validate_before_it_copies() {
        let (old, new) = (layout(16, 8), layout(64, 64));
        disowned(old, |rec, block| {
            // SAFETY: `block` is live with layout `old`; 64 >= 16.
            assert!(unsafe { grow_zeroed(rec, block, old, new) }.is_err());
            assert_eq!(rec.take(), [Call::Validate(16)]);
        });
    }

    #[test]
    fn shrink_asks_validate_before_it_copies() {
        // A larger alignment cannot be had in place: the shrink must move.
        let (old, new) = (layout(64, 8), layout(16, 64));
        disowned(old, |rec, block| {
            // SAFETY: `block` is live with layout `old`; 16 <= 64.
            assert!(unsafe { shrink(rec, block, old, new) }.is_err());
            assert_eq!(rec.take(), [Call::Validate(64)]);
        });
    }

    #[test]
    fn a_move_that_validate_allows_copies_then_frees() {
        let (old, new) = (layout(16, 8), layout(64, 8));
        let mut buf = [MaybeUninit::uninit(); 512];
        let rec = Recording::new(Bump::new(&mut buf));
        let block = allocate(&rec, old).unwrap().cast::<u8>();
        let _pin = allocate(&rec, layout(1, 1)).unwrap();
        rec.take();
        // SAFETY: `block` is live with layout `old`; 64 >= 16.
        let moved = unsafe { grow(&rec, block, old, new) }.unwrap();
        assert_ne!(moved.cast::<u8>(), block);
        assert_eq!(
            rec.take(),
            [
                Call::Resize(16, 64),
                Call::Remap(16, 64),
                Call::Validate(16),
                Call::Alloc(64),
                Call::Free(16)
            ]
        );
    }

    /// Calls `f` on a live 16-byte block of a bump.
    fn on_a_block(f: impl FnOnce(&Bump<'_>, NonNull<u8>, Layout)) {
        let mut buf = [MaybeUninit::uninit(); 256];
        let bump = Bump::new(&mut buf);
        let old = layout(16, 8);
        let block = allocate(&bump, old).unwrap().cast::<u8>();
        f(&bump, block, old);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "grow_zeroed to a smaller size (4 bytes from 16); call shrink")]
    fn grow_zeroed_to_a_smaller_size_names_the_mistake() {
        on_a_block(|bump, block, old| {
            // SAFETY: deliberately breaks `grow_zeroed`'s contract (4 < 16),
            // which the debug assertion must catch before anything happens.
            let _ = unsafe { grow_zeroed(bump, block, old, layout(4, 8)) };
        });
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "grow to a smaller size (4 bytes from 16); call shrink")]
    fn grow_to_a_smaller_size_names_the_mistake() {
        on_a_block(|bump, block, old| {
            // SAFETY: deliberately breaks `grow`'s contract, as above.
            let _ = unsafe { grow(bump, block, old, layout(4, 8)) };
        });
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "shrink to a larger size (64 bytes from 16); call grow")]
    fn shrink_to_a_larger_size_names_the_mistake() {
        on_a_block(|bump, block, old| {
            // SAFETY: deliberately breaks `shrink`'s contract (64 > 16).
            let _ = unsafe { shrink(bump, block, old, layout(64, 8)) };
        });
    }
}
