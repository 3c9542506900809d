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
//!   goes straight to the last).
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

/// allocator-api2's `allocate_zeroed`: [`allocate`], then zero the bytes.
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
    let block = allocate_at(a, layout, Caller::here())?;
    // SAFETY: `block` is valid for writes of its whole length (just allocated).
    unsafe { block.cast::<u8>().as_ptr().write_bytes(0, block.len()) };
    Ok(block)
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
/// [`AllocError`] when no memory could be had; the old block is untouched.
///
/// # Safety
///
/// allocator-api2's contract: `ptr` denotes a block currently allocated by
/// `a`, `old_layout` fits it, and `new_layout.size() >= old_layout.size()`.
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
    // SAFETY: the caller's contract is `realloc`'s.
    unsafe { realloc(a, ptr, old_layout, new_layout, Caller::here()) }
}

/// allocator-api2's `grow_zeroed`: [`grow`], then zero the new bytes.
///
/// # Errors
///
/// [`AllocError`] when no memory could be had; the old block is untouched.
///
/// # Safety
///
/// The same as [`grow`].
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
    // SAFETY: the caller's contract is `realloc`'s.
    let block = unsafe { realloc(a, ptr, old_layout, new_layout, Caller::here())? };
    let old = old_layout.size();
    // SAFETY: `old <= new_layout.size()` by `grow`'s contract: the offset
    // stays inside `block`.
    let tail = unsafe { block.cast::<u8>().add(old) };
    // SAFETY: `block` is valid for writes of its `new_layout.size()` bytes,
    // of which `tail` is the last `block.len() - old`.
    unsafe { tail.write_bytes(0, block.len() - old) };
    Ok(block)
}

/// allocator-api2's `shrink`: resize in place, else remap, else allocate +
/// copy + free. Shrinking to zero bytes frees the block.
///
/// # Errors
///
/// [`AllocError`] when no memory could be had; the old block is untouched.
///
/// # Safety
///
/// allocator-api2's contract: `ptr` denotes a block currently allocated by
/// `a`, `old_layout` fits it, and `new_layout.size() <= old_layout.size()`.
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
    // SAFETY: the caller's contract is `realloc`'s.
    unsafe { realloc(a, ptr, old_layout, new_layout, Caller::here()) }
}

#[inline(always)]
fn allocate_at<A: RawAlloc + ?Sized>(
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

/// Moves a block from `old_layout` to `new_layout`, the shared body of
/// `grow` and `shrink`.
///
/// # Safety
///
/// `ptr` denotes a block currently allocated by `a` through this bridge and
/// `old_layout` fits it.
#[inline]
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
        // SAFETY: as above; the refused `resize` changed nothing.
        if let Some(moved) = unsafe { a.remap(memory, old_align, new_size, caller) } {
            return Ok(NonNull::slice_from_raw_parts(moved, new_size));
        }
    }
    let new = a.alloc(new_size, new_align, caller).ok_or(AllocError)?;
    // SAFETY: `memory` is readable for `old_size` bytes and `new` writable for
    // `new_size`; they are distinct live blocks of `a`, so they do not overlap.
    unsafe {
        new.as_ptr()
            .copy_from_nonoverlapping(ptr.as_ptr(), old_size.min(new_size))
    };
    // SAFETY: `memory` is still the live block the caller handed over; after
    // a successful move, allocator-api2 callers do not use it again.
    unsafe { a.free(memory, old_align, caller) };
    Ok(NonNull::slice_from_raw_parts(new, new_size))
}
