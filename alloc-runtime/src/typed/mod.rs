//! The typed, safe API of the arenas (`alloc`, `alloc_str`,
//! `alloc_slice_copy`, ...) with bumpalo's names, shared by
//! [`Bump`](crate::Bump) and [`Arena`](crate::Arena).
//!
//! Every method is written once here, as a private function generic over
//! [`ArenaMemory`]; the [`typed_api!`] macro (in `api.rs`) turns them into
//! *inherent* methods of each arena type, so a program coming from bumpalo
//! needs no trait import: changing `use bumpalo::Bump` is enough.
//!
//! The internal functions return [`Refused`] on failure; the `try_` methods
//! turn it into [`AllocError`], the others into
//! `alloc::alloc::handle_alloc_error` (feature `alloc`) or a panic.
#![allow(
    clippy::mut_from_ref,
    reason = "handing out `&mut` from `&self` is the point; `ArenaMemory` makes it sound"
)]

use core::alloc::Layout;
use core::fmt;
use core::mem::{self, ManuallyDrop};
use core::ptr::{self, NonNull};
use core::slice;

use crate::{Alignment, AllocError, Caller, RawAlloc};

#[macro_use]
mod api;
mod arena;
mod bump;
mod error;
#[cfg(test)]
mod tests;

pub use error::AllocOrInitError;

/// An allocator whose blocks may be handed out as `&'a mut T` borrowed from
/// `&'a self`: the memory of the typed API's arenas.
///
/// # Safety
///
/// Beyond [`RawAlloc`]'s contract, an implementation promises that a block
/// returned by [`alloc`](RawAlloc::alloc) (with a non-zero length) stays
/// valid for reads and writes, and is never handed out again, reused or
/// overwritten by the allocator, **for as long as the allocator is borrowed
/// shared** — moves are ruled out by that borrow. The block's memory may be
/// reclaimed only
///
/// - through `&mut self` (a reset, a scope that ends, the drop), which no
///   shared borrow can outlive; or
/// - through an `unsafe` call — [`free`](RawAlloc::free),
///   [`resize`](RawAlloc::resize), [`remap`](RawAlloc::remap), or
///   allocator-api2's `deallocate`, `grow`, `shrink` — on that very block,
///   whose caller promised not to use (that part of) it again.
///
/// In particular no safe method taking `&self` (an allocation limit, a
/// statistics call, a handle) may give memory back, and an `unsafe` call on
/// one block (a collection freeing its *own* buffer) must never give back
/// bytes of another.
pub(crate) unsafe trait ArenaMemory: RawAlloc {}

/// Why an allocation of the typed API was refused: the layout the arena
/// could not serve, or `None` when the request does not fit in a `Layout`
/// (more than `isize::MAX` bytes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Refused(Option<Layout>);

impl Refused {
    /// What an infallible method does on failure: allocator-api2's and std's
    /// `handle_alloc_error` with feature `alloc`, a panic without it; a
    /// request larger than any `Layout` panics either way, as `Vec` does.
    #[cold]
    #[inline(never)]
    #[track_caller]
    pub(crate) fn fail(self) -> ! {
        match self.0 {
            #[cfg(feature = "alloc")]
            Some(layout) => alloc::alloc::handle_alloc_error(layout),
            #[cfg(not(feature = "alloc"))]
            Some(layout) => panic!(
                "the arena has no room for {} bytes aligned to {}; call the try_ form of the method to handle the failure",
                layout.size(),
                layout.align()
            ),
            None => panic!(
                "the requested allocation is larger than isize::MAX bytes; ask for fewer elements"
            ),
        }
    }
}

impl From<Refused> for AllocError {
    #[inline]
    fn from(_: Refused) -> Self {
        AllocError
    }
}

/// Unwraps an internal result for an infallible method.
#[inline(always)]
#[track_caller]
pub(crate) fn infallible<T>(result: Result<T, Refused>) -> T {
    match result {
        Ok(value) => value,
        Err(refused) => refused.fail(),
    }
}

/// A dangling pointer aligned to `align`, for zero-size blocks: never
/// dereferenced for more than zero bytes, never given to the allocator.
#[inline(always)]
fn dangling(align: usize) -> NonNull<u8> {
    // `Layout` alignments are powers of two, never zero; `dangling` is the
    // fallback that cannot happen, kept to avoid an `unsafe` here.
    NonNull::new(ptr::without_provenance_mut(align)).unwrap_or(NonNull::dangling())
}

/// A fresh block for `layout`: from the arena for a non-zero size, a
/// dangling aligned pointer without touching the arena for a zero size.
#[inline(always)]
#[track_caller]
fn block<M: ArenaMemory + ?Sized>(arena: &M, layout: Layout) -> Result<NonNull<u8>, Refused> {
    if layout.size() == 0 {
        return Ok(dangling(layout.align()));
    }
    arena
        .alloc(layout.size(), Alignment::of_layout(layout), Caller::here())
        .ok_or(Refused(Some(layout)))
}

/// Gives back a block from [`block`] that was never handed out (the arena
/// takes its bytes back if it is still the most recent block).
///
/// # Safety
///
/// `ptr` came from `block(arena, layout)`, and nothing uses it again.
#[inline]
#[track_caller]
unsafe fn give_back<M: ArenaMemory + ?Sized>(arena: &M, ptr: NonNull<u8>, layout: Layout) {
    if layout.size() != 0 {
        let memory = NonNull::slice_from_raw_parts(ptr, layout.size());
        // SAFETY: the function's contract: `memory` is a live block of the
        // arena with exactly this length and alignment, non-empty, and it is
        // not used again.
        unsafe { arena.free(memory, Alignment::of_layout(layout), Caller::here()) };
    }
}

/// A block for `len` values of `T`.
#[inline(always)]
#[track_caller]
fn slice_block<M: ArenaMemory + ?Sized, T>(arena: &M, len: usize) -> Result<NonNull<T>, Refused> {
    let layout = Layout::array::<T>(len).map_err(|_| Refused(None))?;
    Ok(block(arena, layout)?.cast())
}

/// `alloc_layout`: a block for `layout`.
#[inline(always)]
#[track_caller]
pub(crate) fn alloc_layout<M: ArenaMemory + ?Sized>(
    arena: &M,
    layout: Layout,
) -> Result<NonNull<u8>, Refused> {
    block(arena, layout)
}

/// `alloc_with`: allocates a `T`, then writes `f()` into it.
#[inline(always)]
#[track_caller]
pub(crate) fn alloc_with<M: ArenaMemory + ?Sized, T, F: FnOnce() -> T>(
    arena: &M,
    f: F,
) -> Result<&mut T, Refused> {
    let ptr = block(arena, Layout::new::<T>())?.cast::<T>();
    // SAFETY: `ptr` is a fresh block of `size_of::<T>()` bytes aligned for
    // `T` (dangling and aligned for a zero-size `T`), valid for writes. If
    // `f` panics nothing was written and the block is leaked.
    unsafe { ptr.write(f()) };
    // SAFETY: the value was just written; `ArenaMemory`: the block stays
    // valid and is nobody else's for as long as `arena` is borrowed shared,
    // which is the lifetime of the returned reference.
    Ok(unsafe { &mut *ptr.as_ptr() })
}

/// `alloc_try_with`: allocates a `T`, then runs `f`; on `Err` the block is
/// given back (the arena reuses it if it is still the most recent block).
#[inline]
#[track_caller]
pub(crate) fn alloc_try_with<M: ArenaMemory + ?Sized, T, E, F: FnOnce() -> Result<T, E>>(
    arena: &M,
    f: F,
) -> Result<Result<&mut T, E>, Refused> {
    let layout = Layout::new::<T>();
    let ptr = block(arena, layout)?;
    match f() {
        Ok(value) => {
            let ptr = ptr.cast::<T>();
            // SAFETY: as in `alloc_with`: a fresh block for one `T`.
            unsafe { ptr.write(value) };
            // SAFETY: as in `alloc_with`: written; `ArenaMemory`.
            Ok(Ok(unsafe { &mut *ptr.as_ptr() }))
        }
        Err(error) => {
            // SAFETY: `ptr` came from `block(arena, layout)` and was never
            // handed out; it is not used again.
            unsafe { give_back(arena, ptr, layout) };
            Ok(Err(error))
        }
    }
}

/// The first `len` values of a slice under construction: dropped if the
/// construction panics or fails midway, forgotten once it is complete.
struct Initialized<T> {
    /// The first element; the block has room for at least `len` values.
    ptr: NonNull<T>,
    /// How many elements, from `ptr` on, are initialized.
    len: usize,
}

impl<T> Drop for Initialized<T> {
    fn drop(&mut self) {
        let slice = ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), self.len);
        // SAFETY: the first `len` elements are initialized and owned by no
        // one else: no reference to them was handed out yet.
        unsafe { ptr::drop_in_place(slice) };
    }
}

/// A slice under construction in a fresh block of `arena`: if it is dropped
/// before [`finish`](Self::finish) (a panic, or an `Err` midway), the values
/// written so far are dropped, once, and the block is given back (the arena
/// takes its bytes back if it is still the most recent block), as bumpalo
/// rewinds a fill that panics.
struct Filling<'m, M: ArenaMemory + ?Sized, T> {
    arena: &'m M,
    /// The block's layout, as allocated by [`block`].
    layout: Layout,
    /// The values written so far, at the start of the block.
    values: Initialized<T>,
}

impl<'m, M: ArenaMemory + ?Sized, T> Filling<'m, M, T> {
    /// A fresh block for `len` values of `T`, none written yet.
    #[inline(always)]
    #[track_caller]
    fn new(arena: &'m M, len: usize) -> Result<Self, Refused> {
        let layout = Layout::array::<T>(len).map_err(|_| Refused(None))?;
        let ptr = block(arena, layout)?.cast::<T>();
        Ok(Self {
            arena,
            layout,
            values: Initialized { ptr, len: 0 },
        })
    }

    /// Writes `value` after the values written so far.
    ///
    /// # Safety
    ///
    /// Fewer values than the block has room for were written so far.
    #[inline(always)]
    unsafe fn push(&mut self, value: T) {
        // SAFETY: the caller's contract: `values.len` is below the block's
        // length in values, so the slot is inside the block.
        let slot = unsafe { self.values.ptr.add(self.values.len) };
        // SAFETY: the slot is in the fresh block, aligned for `T`, and not
        // initialized yet: nothing is overwritten.
        unsafe { slot.write(value) };
        self.values.len += 1;
    }

    /// The finished slice, handed out for as long as `arena` is borrowed.
    ///
    /// # Safety
    ///
    /// The block's every value was written.
    #[inline(always)]
    unsafe fn finish(self) -> &'m mut [T] {
        let this = ManuallyDrop::new(self);
        let (ptr, len) = (this.values.ptr, this.values.len);
        // SAFETY: the caller's contract: all `len` values are initialized;
        // `ArenaMemory` keeps the block valid and exclusive for the lifetime
        // of the borrow of `arena`. `this` is not dropped, so neither are
        // the values nor the block.
        unsafe { slice::from_raw_parts_mut(ptr.as_ptr(), len) }
    }
}

impl<M: ArenaMemory + ?Sized, T> Drop for Filling<'_, M, T> {
    fn drop(&mut self) {
        let ptr = self.values.ptr;
        // Drops the values written so far, exactly once (the field is left
        // with none).
        drop(mem::replace(&mut self.values, Initialized { ptr, len: 0 }));
        // SAFETY: `ptr` came from `block(arena, layout)`, was never handed
        // out (only `finish`, which forgets `self`, hands it out), and its
        // values were just dropped; it is not used again.
        unsafe { give_back(self.arena, ptr.cast(), self.layout) };
    }
}

/// `alloc_slice_fill_with`: `len` values `f(0), f(1), ...`, written in order.
/// If `f` panics, the values already written are dropped (once) and the
/// block is given back; nothing is handed out.
#[inline]
#[track_caller]
pub(crate) fn alloc_slice_fill_with<M: ArenaMemory + ?Sized, T, F: FnMut(usize) -> T>(
    arena: &M,
    len: usize,
    mut f: F,
) -> Result<&mut [T], Refused> {
    let mut filling = Filling::<M, T>::new(arena, len)?;
    for i in 0..len {
        let value = f(i);
        // SAFETY: `i < len` values were written so far.
        unsafe { filling.push(value) };
    }
    // SAFETY: all `len` values were written.
    Ok(unsafe { filling.finish() })
}

/// `alloc_slice_try_fill_with`: `len` values from `f(0)`, `f(1)`, ...,
/// written in order until `f` returns `Err`. Then (and if `f` panics) the
/// values already written are dropped (once), the block is given back (the
/// arena takes its bytes back if it is still the most recent block) and the
/// error returned.
#[inline]
#[track_caller]
pub(crate) fn alloc_slice_try_fill_with<M, T, E, F>(
    arena: &M,
    len: usize,
    mut f: F,
) -> Result<Result<&mut [T], E>, Refused>
where
    M: ArenaMemory + ?Sized,
    F: FnMut(usize) -> Result<T, E>,
{
    let mut filling = Filling::<M, T>::new(arena, len)?;
    for i in 0..len {
        match f(i) {
            // SAFETY: `i < len` values were written so far.
            Ok(value) => unsafe { filling.push(value) },
            // Dropping `filling` drops the values and gives the block back.
            Err(error) => return Ok(Err(error)),
        }
    }
    // SAFETY: all `len` values were written.
    Ok(Ok(unsafe { filling.finish() }))
}

/// `alloc_slice_copy`: a copy of `src`.
#[inline]
#[track_caller]
pub(crate) fn alloc_slice_copy<'m, M: ArenaMemory + ?Sized, T: Copy>(
    arena: &'m M,
    src: &[T],
) -> Result<&'m mut [T], Refused> {
    let ptr = slice_block::<M, T>(arena, src.len())?;
    // SAFETY: the block has room for `src.len()` values and is disjoint
    // from `src` (it is fresh); `T: Copy`, so a bitwise copy is a copy.
    unsafe { ptr::copy_nonoverlapping(src.as_ptr(), ptr.as_ptr(), src.len()) };
    // SAFETY: all values were copied in; `ArenaMemory` as above.
    Ok(unsafe { slice::from_raw_parts_mut(ptr.as_ptr(), src.len()) })
}

/// `alloc_str`: a copy of `src`.
#[inline]
#[track_caller]
pub(crate) fn alloc_str<'m, M: ArenaMemory + ?Sized>(
    arena: &'m M,
    src: &str,
) -> Result<&'m mut str, Refused> {
    let bytes = alloc_slice_copy(arena, src.as_bytes())?;
    // SAFETY: the bytes are a copy of a `str`, so they are UTF-8.
    Ok(unsafe { core::str::from_utf8_unchecked_mut(bytes) })
}

/// The message of a lying `ExactSizeIterator` given to `method`.
#[cold]
#[inline(never)]
fn too_few_items(method: &str, yielded: usize, promised: usize) -> ! {
    panic!(
        "{method}: the iterator yielded {yielded} items but its len() promised {promised}; use alloc_slice_from_iter for iterators without an exact length"
    )
}

/// `alloc_slice_fill_iter`: the values of an exact-size iterator. It takes
/// `len()` values and stops there (further values stay in the iterator);
/// an iterator that runs dry early panics, after dropping the values taken.
#[inline]
#[track_caller]
pub(crate) fn alloc_slice_fill_iter<M: ArenaMemory + ?Sized, T, I>(
    arena: &M,
    iter: I,
) -> Result<&mut [T], Refused>
where
    I: IntoIterator<Item = T>,
    I::IntoIter: ExactSizeIterator,
{
    let mut iter = iter.into_iter();
    let len = iter.len();
    alloc_slice_fill_with(arena, len, |i| match iter.next() {
        Some(value) => value,
        None => too_few_items("alloc_slice_fill_iter", i, len),
    })
}

/// `alloc_slice_try_fill_iter`: the values of an exact-size iterator of
/// results, until the first `Err` (then as `alloc_slice_try_fill_with`). It
/// takes at most `len()` items; an iterator that runs dry early panics, after
/// dropping the values taken.
#[inline]
#[track_caller]
pub(crate) fn alloc_slice_try_fill_iter<M: ArenaMemory + ?Sized, T, E, I>(
    arena: &M,
    iter: I,
) -> Result<Result<&mut [T], E>, Refused>
where
    I: IntoIterator<Item = Result<T, E>>,
    I::IntoIter: ExactSizeIterator,
{
    let mut iter = iter.into_iter();
    let len = iter.len();
    alloc_slice_try_fill_with(arena, len, |i| match iter.next() {
        Some(item) => item,
        None => too_few_items("alloc_slice_try_fill_iter", i, len),
    })
}

/// A slice that grows at the end of the arena: in place while it is the
/// most recent block, by moving otherwise. Drops its values and gives its
/// block back unless [`finish`](Self::finish)ed.
struct Growing<'m, M: ArenaMemory + ?Sized, T> {
    arena: &'m M,
    /// The values written so far, and the block (`cap` values long, a live
    /// block of `arena` when `cap * size_of::<T>() > 0`).
    values: Initialized<T>,
    /// Room in the block, in values; `usize::MAX` for a zero-size `T`.
    cap: usize,
}

impl<'m, M: ArenaMemory + ?Sized, T> Growing<'m, M, T> {
    /// Empty; allocates nothing yet.
    fn new(arena: &'m M) -> Self {
        Self {
            arena,
            values: Initialized {
                ptr: NonNull::dangling(),
                len: 0,
            },
            cap: if size_of::<T>() == 0 { usize::MAX } else { 0 },
        }
    }

    /// The current block, as bytes (empty when nothing is allocated).
    fn memory(&self) -> NonNull<[u8]> {
        // `cap * size_of::<T>()` was a valid `Layout` size when allocated.
        NonNull::slice_from_raw_parts(self.values.ptr.cast(), self.cap * size_of::<T>())
    }

    /// Makes room for `additional` more values.
    #[track_caller]
    fn reserve(&mut self, additional: usize) -> Result<(), Refused> {
        let needed = self
            .values
            .len
            .checked_add(additional)
            .ok_or(Refused(None))?;
        if needed <= self.cap {
            return Ok(());
        }
        // `needed > cap` only happens for a `T` with a size.
        let new_cap = needed.max(self.cap.saturating_mul(2)).max(8);
        let new_layout = Layout::array::<T>(new_cap).map_err(|_| Refused(None))?;
        let align = Alignment::of::<T>();
        let old = self.memory();
        if !old.is_empty() {
            // SAFETY: `old` is this slice's live block of the arena, with
            // exactly its length and `T`'s alignment; both lengths are
            // non-zero.
            if unsafe {
                self.arena
                    .resize(old, align, new_layout.size(), Caller::here())
            } {
                self.cap = new_cap;
                return Ok(());
            }
        }
        let new = block(self.arena, new_layout)?.cast::<T>();
        // SAFETY: the first `len` values of the old block are initialized;
        // the new block is fresh (disjoint) and has room for them.
        unsafe {
            ptr::copy_nonoverlapping(self.values.ptr.as_ptr(), new.as_ptr(), self.values.len)
        };
        if !old.is_empty() {
            // SAFETY: `old` is live with exactly this length and alignment,
            // non-empty; its values were moved out, and it is not used again
            // (`ptr` is replaced below).
            unsafe { self.arena.free(old, align, Caller::here()) };
        }
        self.values.ptr = new;
        self.cap = new_cap;
        Ok(())
    }

    /// Appends `value`.
    #[track_caller]
    fn push(&mut self, value: T) -> Result<(), Refused> {
        self.reserve(1)?;
        // SAFETY: `len < cap` after `reserve`: inside the block.
        let slot = unsafe { self.values.ptr.add(self.values.len) };
        // SAFETY: the slot is in the block, aligned, not initialized.
        unsafe { slot.write(value) };
        self.values.len += 1;
        Ok(())
    }

    /// Gives the unused end of the block back (in place, if the arena can)
    /// and hands the values out for the lifetime of the arena's borrow.
    #[track_caller]
    fn finish(self) -> &'m mut [T] {
        let this = ManuallyDrop::new(self);
        let (ptr, len) = (this.values.ptr, this.values.len);
        let old = this.memory();
        let used = len * size_of::<T>();
        if !old.is_empty() && used < old.len() {
            let align = Alignment::of::<T>();
            if used == 0 {
                // SAFETY: `old` is this slice's live, non-empty block with
                // exactly its length and alignment; nothing uses it again.
                unsafe { this.arena.free(old, align, Caller::here()) };
            } else {
                // SAFETY: as above; both lengths are non-zero. A refusal
                // leaves the block as it was, which is fine.
                unsafe { this.arena.resize(old, align, used, Caller::here()) };
            }
        }
        if len == 0 {
            return &mut [];
        }
        // SAFETY: `len` values are initialized in a block that holds at
        // least `len` values (a shrink in place keeps them); `ArenaMemory`
        // keeps it valid and exclusive for `'m`, the borrow of the arena.
        unsafe { slice::from_raw_parts_mut(ptr.as_ptr(), len) }
    }
}

impl<M: ArenaMemory + ?Sized, T> Drop for Growing<'_, M, T> {
    fn drop(&mut self) {
        // Drops the values first (and marks them gone, so `Initialized`'s
        // own drop, which runs after this one, drops nothing).
        let ptr = self.values.ptr;
        drop(mem::replace(&mut self.values, Initialized { ptr, len: 0 }));
        let old = self.memory();
        if !old.is_empty() {
            // SAFETY: the live block with exactly its length and alignment,
            // non-empty; its values are dropped and it is not used again.
            unsafe { self.arena.free(old, Alignment::of::<T>(), Caller::here()) };
        }
    }
}

/// `alloc_slice_from_iter`: the values of any iterator, in a block that
/// grows in place while it is the arena's most recent one. If the iterator
/// panics or the arena refuses, the values taken are dropped.
#[inline]
#[track_caller]
pub(crate) fn alloc_slice_from_iter<M: ArenaMemory + ?Sized, T, I: IntoIterator<Item = T>>(
    arena: &M,
    iter: I,
) -> Result<&mut [T], Refused> {
    let iter = iter.into_iter();
    let mut slice = Growing::new(arena);
    // The lower bound of the size hint is taken at its word: an iterator
    // that claims more than it has gets a refusal (or, for the infallible
    // form, `handle_alloc_error`) if that much does not fit, never UB.
    slice.reserve(iter.size_hint().0)?;
    for value in iter {
        slice.push(value)?;
    }
    Ok(slice.finish())
}

/// The `fmt::Write` behind `alloc_fmt`: whole `str`s appended to a growing
/// byte slice, so the bytes are always UTF-8.
struct FmtWriter<'m, M: ArenaMemory + ?Sized> {
    bytes: Growing<'m, M, u8>,
    /// Set when the arena refused, to tell that apart from a formatting
    /// trait's own error.
    refused: Option<Refused>,
}

impl<M: ArenaMemory + ?Sized> fmt::Write for FmtWriter<'_, M> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Err(refused) = self.bytes.reserve(s.len()) {
            self.refused = Some(refused);
            return Err(fmt::Error);
        }
        let values = &mut self.bytes.values;
        // SAFETY: `reserve` made room for `s.len()` more bytes after the
        // first `len`.
        let end = unsafe { values.ptr.add(values.len) };
        // SAFETY: room for `s.len()` bytes at `end`, in the arena's block,
        // disjoint from `s` (which the arena never handed out as this block).
        unsafe { ptr::copy_nonoverlapping(s.as_ptr(), end.as_ptr(), s.len()) };
        values.len += s.len();
        Ok(())
    }
}

/// The panic of a formatting trait that fails on its own.
#[cold]
#[inline(never)]
fn formatting_failed() -> ! {
    panic!(
        "a formatting trait implementation returned an error when the arena did not; return Err from fmt only when the Formatter does"
    )
}

/// `alloc_fmt`: `args` formatted into the arena.
#[inline]
#[track_caller]
pub(crate) fn alloc_fmt<'m, M: ArenaMemory + ?Sized>(
    arena: &'m M,
    args: fmt::Arguments<'_>,
) -> Result<&'m mut str, Refused> {
    if let Some(s) = args.as_str() {
        return alloc_str(arena, s);
    }
    let mut writer = FmtWriter {
        bytes: Growing::new(arena),
        refused: None,
    };
    if fmt::write(&mut writer, args).is_err() {
        match writer.refused {
            Some(refused) => return Err(refused),
            None => formatting_failed(),
        }
    }
    let bytes = writer.bytes.finish();
    // SAFETY: every byte came from a whole `&str` given to `write_str`, so
    // the bytes are a concatenation of UTF-8 strings.
    Ok(unsafe { core::str::from_utf8_unchecked_mut(bytes) })
}
