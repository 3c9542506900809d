//! [`Bump`]: a fixed-buffer bump allocator, Zig's `FixedBufferAllocator`.

use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

use core::alloc::Layout;

use crate::region::{self, Region};
use crate::{Alignment, AllocError, Caller, Handle, RawAlloc, bridge};

/// A bump allocator over a borrowed buffer: each allocation takes the next
/// aligned bytes; memory comes back all at once with [`reset`](Self::reset).
///
/// - **Alignment is computed on the address**, so a buffer at any address,
///   odd ones included, yields correctly aligned memory.
/// - **Every size computation is checked**: a request near `usize::MAX`, an
///   alignment like `1 << 40`, or more than what is left returns `None` and
///   leaves the bump as it was.
/// - **Short paths, also behind a shared reference** (as a collection holds
///   it, so the position is loaded and stored every call): an allocation
///   rounds `cur - 1` to the alignment, adds the length once (its carry is
///   the overflow check) and compares once with the end; freeing or growing
///   the most recent allocation is two compares. No call is reachable from
///   these paths; only one word, the position, is stored.
/// - **The most recent allocation is special**: `resize`/`remap` grow and
///   shrink it in place (a `Vec` that grows while it is the last allocation
///   never moves), and `free` gives its bytes back. Other frees are no-ops,
///   and other allocations can only shrink in place.
/// - **Memory it does not own is never acted on**: a `free`, `resize` or
///   `remap` of a block outside the part of the buffer handed out (a
///   foreign block that happens to end where the free space begins, say) is
///   ignored or refused, and [`validate`](RawAlloc::validate) answers
///   `false` for it. The check costs one compare on those paths.
/// - **Alignment is not recorded**: `resize`, `remap` and `free` do not look
///   at their `align`, so through allocator-api2 a shrink to a smaller
///   alignment happens in place (the address satisfies it), as in bumpalo,
///   instead of allocating, copying and wasting the old bytes.
/// - [`reset`](Self::reset) takes `&mut self`, so no allocation (they all
///   borrow the bump) can outlive it.
///
/// `Bump` is `Send` but not `Sync`: it keeps its position in a `Cell`.
///
/// The buffer is `[MaybeUninit<u8>]`, not `[u8]`: collections may store
/// uninitialized bytes (padding, `MaybeUninit` values) in what the bump hands
/// out, and a `[u8]` buffer that the caller reads after the bump is gone (or
/// forgotten) would then expose them — undefined behaviour reachable from
/// safe code. An array `[MaybeUninit::uninit(); N]` is as easy to write as
/// `[0; N]`.
///
/// # Examples
///
/// ```
/// use alloc_runtime::Bump;
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 1024];
/// let mut bump = Bump::new(&mut buf);
/// {
///     let mut v: Vec<u32, _> = Vec::new_in(&bump);
///     v.extend(0..100);
///     assert_eq!(v.iter().sum::<u32>(), 4950);
///     assert!(bump.owns(v.as_ptr().cast()));
///     assert!(bump.used() >= 400);
/// }
/// // Dropping the Vec freed the most recent allocation: its bytes came back
/// // (all but the padding, if any, that aligned it).
/// assert!(bump.used() < 4);
/// bump.allocator().create(1u64)?;
/// bump.reset();
/// assert_eq!(bump.used(), 0);
/// assert_eq!(bump.remaining(), bump.capacity());
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
pub struct Bump<'a> {
    /// The first byte of the buffer. Its provenance covers the whole buffer:
    /// every pointer the bump hands out is derived from it (or from `cur`,
    /// which is).
    start: NonNull<u8>,
    /// The address one past the last byte of the buffer; `start <= end`.
    end: usize,
    /// The first free byte: `start <= cur <= end`, derived from `start`.
    /// Everything in `start..cur` may be handed out; nothing after it is.
    cur: Cell<NonNull<u8>>,
    /// The bump has the buffer to itself for `'a`.
    _buffer: PhantomData<&'a mut [MaybeUninit<u8>]>,
}

// SAFETY: a `Bump` owns a `&mut` to its buffer, which is `Send`; moving the
// bump to another thread moves that exclusive access with it (no allocation
// can be alive then: each one borrows the bump). It is not `Sync`: `cur` is a
// `Cell`, so `&Bump` must stay on one thread, which the missing `Sync` impl
// (from `Cell` and `NonNull`) ensures.
unsafe impl Send for Bump<'_> {}

impl<'a> Bump<'a> {
    /// A bump allocator over `buffer`, which it borrows for `'a`.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 256];
    /// let bump = Bump::new(&mut buf);
    /// assert_eq!(bump.capacity(), 256);
    /// ```
    #[inline]
    #[must_use]
    pub fn new(buffer: &'a mut [MaybeUninit<u8>]) -> Self {
        let len = buffer.len();
        let start = NonNull::from(buffer).cast::<u8>();
        Self {
            start,
            // A slice never wraps around the address space: no overflow.
            end: start.addr().get() + len,
            cur: Cell::new(start),
            _buffer: PhantomData,
        }
    }

    /// Bytes handed out so far, alignment padding included.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// bump.allocator().create(0u32)?;
    /// assert!(bump.used() >= 4);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn used(&self) -> usize {
        Region::used(self)
    }

    /// Bytes still free (some may go to alignment padding).
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// assert_eq!(bump.remaining(), 64);
    /// ```
    #[inline]
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.end - self.cur.get().addr().get()
    }

    /// The size of the buffer: `used() + remaining()`.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// assert_eq!(bump.used() + bump.remaining(), bump.capacity());
    /// ```
    #[inline]
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.end - self.start.addr().get()
    }

    /// Whether `ptr` points into this bump's buffer (for fallback allocators
    /// that must route a `free` to the allocator that made the memory).
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let p = bump.allocator().create(1u8)?;
    /// assert!(bump.owns(p.as_ptr()));
    /// assert!(!bump.owns(&0u8));
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn owns(&self, ptr: *const u8) -> bool {
        (self.start.addr().get()..self.end).contains(&ptr.addr())
    }

    /// Makes the whole buffer free again.
    ///
    /// Takes `&mut self`: every allocation borrows the bump, so none can be
    /// alive (or used) after a reset.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let mut bump = Bump::new(&mut buf);
    /// bump.allocator().create(1u64)?;
    /// bump.reset();
    /// assert_eq!(bump.used(), 0);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    pub fn reset(&mut self) {
        self.cur.set(self.start);
    }
}

// SAFETY: `start`'s provenance covers the borrowed buffer `start..end`;
// `cur` starts at `start` and moves only through `set_cur`, which only
// `Region`'s provided methods and `alloc` (through `bump_in`) call, with
// pointers derived from `start` inside `start..=end` (and `reset`, to
// `start`); blocks are handed out from `cur` forward and `cur` moves past
// them, so nothing live lies in `cur..end`.
unsafe impl Region for Bump<'_> {
    #[inline(always)]
    fn start(&self) -> NonNull<u8> {
        self.start
    }

    #[inline(always)]
    fn cur(&self) -> NonNull<u8> {
        self.cur.get()
    }

    #[inline(always)]
    fn set_cur(&self, cur: NonNull<u8>) {
        self.cur.set(cur);
    }

    #[inline(always)]
    fn end(&self) -> usize {
        self.end
    }
}

// SAFETY: memory handed out is the caller's alone: `alloc` hands out ranges
// of `start..end` that are disjoint from each other, since each comes from
// `cur` forward and moves `cur` past itself, within `end`; the buffer is
// borrowed exclusively for `'a`, so nothing else can use it, and `Bump` is
// not `Clone`. `resize`, `remap` and `free` move `cur` only for the most
// recent allocation (which starts in `start..=cur` and ends at `cur`; memory
// that is not the bump's is never acted on), so no live allocation is ever
// inside `cur..end` and `cur` never leaves the buffer. Memory stays valid for
// `'a` (the buffer borrow) and does not move with the `Bump`. `validate` only
// compares addresses.
unsafe impl RawAlloc for Bump<'_> {
    /// The allocation fast path, in the shape of bump-scope's upward bump
    /// (`region::bump_in`, shared with `Arena`): one add chain from
    /// `cur - 1`, one add of `len` whose carry is the only overflow check,
    /// one compare with `end`, one word stored, no call. Alignment is
    /// computed on the address, not on an offset.
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, _caller: Caller) -> Option<NonNull<u8>> {
        self.bump(len, align)
    }

    #[inline]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        _align: Alignment,
        new_len: usize,
        _caller: Caller,
    ) -> bool {
        // Safe in itself: `resize_in_place` only compares addresses and
        // moves `cur` inside the buffer.
        self.resize_in_region(memory, new_len)
    }

    #[inline]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        _align: Alignment,
        new_len: usize,
        _caller: Caller,
    ) -> Option<NonNull<u8>> {
        // A bump can only change the length where the memory is; moving it
        // would cost what the caller's allocate + copy + free costs.
        self.resize_in_region(memory, new_len)
            .then(|| memory.cast())
    }

    #[inline]
    unsafe fn free(&self, memory: NonNull<[u8]>, _align: Alignment, _caller: Caller) {
        self.free_last(memory);
    }

    /// `true` when `memory` lies inside the part of the buffer handed out
    /// (`start..cur`) and its address is aligned to `align`. A bump keeps no
    /// record of each block, so a block inside that part with a wrong length
    /// can still pass; memory outside it, or running into the free space,
    /// cannot.
    #[inline]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, _caller: Caller) -> bool {
        self.tail(memory).is_some_and(|tail| {
            memory.len() <= tail && align.is_aligned(memory.cast::<u8>().addr().get())
        })
    }
}

impl Bump<'_> {
    /// The type-erased handle to this bump: a pointer to it and the table of
    /// its functions.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// assert!(bump.allocator().create(1u32).is_ok());
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn allocator(&self) -> Handle<'_> {
        Handle::new(self)
    }
}

// SAFETY: every method is the allocator-api2 bridge over the `RawAlloc`
// impl above, which upholds the bridge's requirements, or does what the
// bridge would do with it, inline:
// - `deallocate` is `free` without the bridge's zero-size test: `free_last`
//   acts only on the most recent block of the bump, and gives back exactly
//   its length (zero bytes for a zero-size block, which changes nothing);
// - `grow` first does what the bridge's first step (`resize` at the same
//   alignment) does, with the same checks (`last_block`, then the room up to
//   `end`), and otherwise calls the bridge;
// - a shrink to a smaller alignment is a `resize` in place, and the block
//   keeps its address, which satisfies the smaller alignment; the bump never
//   looks at `align` afterwards, so the block's later calls with the new
//   layout are served as if it had been allocated with it.
// A `Bump` is not `Clone`, and a reference to it is the same allocator
// wherever it is copied.
unsafe impl allocator_api2::alloc::Allocator for Bump<'_> {
    #[inline(always)]
    #[track_caller]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        bridge::allocate(self, layout)
    }

    #[inline(always)]
    #[track_caller]
    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        bridge::allocate_zeroed(self, layout)
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // The bridge's `deallocate` without its zero-size test: a zero-size
        // block is never the bump's most recent allocation with bytes to
        // give back (if its dangling address happens to be `cur`, giving
        // back zero bytes changes nothing), so `free_last` leaves it alone.
        self.free_last(NonNull::slice_from_raw_parts(ptr, layout.size()));
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        bridge::debug_assert_grows(old_layout, new_layout, "grow");
        // The bridge's first step, inline: the most recent block grows in
        // place at the same alignment while it fits.
        if let Some(grown) = self.grow_last(ptr, old_layout, new_layout) {
            return Ok(grown);
        }
        // SAFETY: allocator-api2's contract is the bridge's.
        unsafe { region::grow_elsewhere(self, ptr, old_layout, new_layout) }
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: allocator-api2's contract is the bridge's.
        unsafe { bridge::grow_zeroed(self, ptr, old_layout, new_layout) }
    }

    #[inline]
    #[track_caller]
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: allocator-api2's contract; this allocator's `resize`,
        // `remap` and `free` never look at `align`.
        unsafe { region::shrink(self, ptr, old_layout, new_layout) }
    }
}

impl fmt::Debug for Bump<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bump")
            .field("used", &self.used())
            .field("capacity", &self.capacity())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use allocator_api2::boxed::Box;
    use allocator_api2::vec::Vec;
    use core::alloc::Layout;
    use core::num::NonZeroUsize;

    const ITERATIONS: usize = if cfg!(miri) { 40 } else { 1000 };

    fn raw(bump: &Bump<'_>, len: usize, align: usize) -> Option<NonNull<u8>> {
        RawAlloc::alloc(bump, len, Alignment::new(align).unwrap(), Caller::here())
    }

    #[test]
    fn passes_the_conformance_suite() {
        let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
        let bump = Bump::new(&mut buf);
        testing::conformance(&bump);
        assert!(
            bump.used() < testing::CONFORMANCE_BYTES / 4,
            "the suite's leftovers on a bump"
        );
    }

    #[test]
    fn passes_the_conformance_suite_with_a_larger_buffer() {
        let bytes = 4 * testing::CONFORMANCE_BYTES;
        // Uninitialized room, without a loop writing each element (slow under Miri).
        let mut storage = std::vec::Vec::<u8>::with_capacity(bytes);
        let bump = Bump::new(&mut storage.spare_capacity_mut()[..bytes]);
        testing::Conformance::new().buffer_bytes(bytes).run(&bump);
    }

    #[test]
    fn reset_reuses_the_first_address() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let mut bump = Bump::new(&mut buf);
        testing::reset_reuses_the_first_address(&mut bump, Bump::reset);
    }

    #[test]
    fn aligns_the_address_not_the_offset() {
        let mut buf = [MaybeUninit::<u8>::uninit(); 256];
        // A buffer that starts at an odd address.
        let odd = buf
            .iter()
            .position(|b| (core::ptr::from_ref(b) as usize) % 2 == 1)
            .unwrap();
        let bump = Bump::new(&mut buf[odd..]);
        for align in [2, 4, 8, 16, 32] {
            let p = raw(&bump, 1, align).unwrap();
            assert_eq!(p.addr().get() % align, 0, "align {align}");
        }
    }

    #[test]
    fn alignments_above_16_are_honoured() {
        // bumpalo #19: alignments above 16 were silently rounded down.
        let mut buf = [MaybeUninit::uninit(); 16 * 1024];
        let bump = Bump::new(&mut buf);
        for align in [32, 64, 128, 256, 512, 1024, 4096] {
            let _ = raw(&bump, 3, 1); // knock `cur` off alignment first
            let p = raw(&bump, 8, align).unwrap();
            assert_eq!(p.addr().get() % align, 0, "align {align}");
        }
    }

    #[test]
    fn huge_sizes_and_alignments_fail_without_wrapping() {
        // bumpalo #15: overflow near the top of the address space.
        let mut buf = [MaybeUninit::uninit(); 128];
        let (start, end) = (buf.as_ptr().addr(), buf.as_ptr().addr() + buf.len());
        let bump = Bump::new(&mut buf);
        let _ = raw(&bump, 3, 1).unwrap();
        let used = bump.used();
        for len in [
            usize::MAX,
            usize::MAX - 1,
            usize::MAX / 2 + 1,
            isize::MAX as usize,
            129,
        ] {
            assert!(raw(&bump, len, 1).is_none(), "len {len}");
            assert!(raw(&bump, len, 4096).is_none(), "len {len}");
        }
        assert_eq!(
            bump.used(),
            used,
            "failed requests leave the bump as it was"
        );
        for log2 in [12, 20, 40, usize::BITS - 1] {
            // The stack buffer may happen to contain a multiple of a 4 KiB
            // alignment (a few runs in a hundred): then the request is served.
            let align = Alignment::from_log2(log2).unwrap();
            let before = bump.used();
            let fits = (start + before)
                .checked_next_multiple_of(align.to_bytes())
                .is_some_and(|aligned| aligned < end);
            let got = RawAlloc::alloc(&bump, 1, align, Caller::here());
            assert_eq!(got.is_some(), fits, "align 2^{log2}");
            match got {
                Some(p) => assert!(align.is_aligned(p.addr().get()), "align 2^{log2}"),
                None => assert_eq!(bump.used(), before, "a refusal leaves the bump as it was"),
            }
        }
        assert!(raw(&bump, 8, 8).is_some(), "and usable");
    }

    #[test]
    fn exact_fit_succeeds_and_one_more_byte_fails() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        assert!(raw(&bump, 64, 1).is_some());
        assert_eq!(bump.remaining(), 0);
        assert!(raw(&bump, 1, 1).is_none());
    }

    #[test]
    fn grows_last_allocation_in_place() {
        // 400 `u64`s grow the Vec to 512 of them: 4 KiB, plus alignment padding.
        let mut buf = [MaybeUninit::uninit(); 4096 + 8];
        let bump = Bump::new(&mut buf);
        let mut v: Vec<u64, _> = Vec::new_in(&bump);
        v.push(0);
        let first = v.as_ptr();
        for i in 1..400 {
            v.push(i);
            assert_eq!(v.as_ptr(), first, "moved at {i}");
        }
        assert!(v.iter().copied().eq(0..400));
    }

    #[test]
    fn growing_in_place_does_not_write_past_the_end() {
        // RUSTSEC-2020-0006: growing the last allocation in place copied past
        // its end. Fill a neighbour with a pattern, grow, check the pattern.
        let mut buf = [MaybeUninit::uninit(); 256];
        let bump = Bump::new(&mut buf);
        let layout = Layout::new::<[u8; 16]>();
        let a = allocator_api2::alloc::Allocator::allocate(&bump, layout).unwrap();
        // SAFETY: `a` is 16 writable bytes.
        unsafe { a.cast::<u8>().as_ptr().write_bytes(0xA5, 16) };
        let grown = Layout::new::<[u8; 200]>();
        // SAFETY: `a` was allocated by `bump` with `layout`.
        let b = unsafe { allocator_api2::alloc::Allocator::grow(&bump, a.cast(), layout, grown) }
            .unwrap();
        assert_eq!(b.cast::<u8>(), a.cast::<u8>());
        // SAFETY: the first 16 bytes were initialized and kept by `grow`.
        assert_eq!(unsafe { &b.as_ref()[..16] }, [0xA5; 16]);
        // Too much: refused, and the old block is intact.
        let too_big = Layout::new::<[u8; 257]>();
        // SAFETY: `b` is the live block with layout `grown`.
        let refused =
            unsafe { allocator_api2::alloc::Allocator::grow(&bump, b.cast(), grown, too_big) };
        assert!(refused.is_err());
        assert_eq!(bump.used(), 200);
    }

    #[test]
    fn alignment_survives_the_grow_fallback() {
        // bumpalo #43/#45: alignment was lost when growing had to move.
        let mut buf = [MaybeUninit::uninit(); 4096];
        let bump = Bump::new(&mut buf);
        let old = Layout::from_size_align(8, 64).unwrap();
        let new = Layout::from_size_align(100, 64).unwrap();
        let a = allocator_api2::alloc::Allocator::allocate(&bump, old).unwrap();
        let _pin = raw(&bump, 1, 1).unwrap(); // `a` is no longer last: growing must move
        // SAFETY: `a` was allocated by `bump` with `old`.
        let b =
            unsafe { allocator_api2::alloc::Allocator::grow(&bump, a.cast(), old, new) }.unwrap();
        assert_ne!(b.cast::<u8>(), a.cast::<u8>());
        assert_eq!(b.cast::<u8>().addr().get() % 64, 0);
        // And to a larger alignment, which never resizes in place.
        let newer = Layout::from_size_align(100, 512).unwrap();
        // SAFETY: `b` is live with layout `new`.
        let c =
            unsafe { allocator_api2::alloc::Allocator::grow(&bump, b.cast(), new, newer) }.unwrap();
        assert_eq!(c.cast::<u8>().addr().get() % 512, 0);
    }

    #[test]
    fn free_of_the_last_allocation_gives_its_bytes_back() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let a = raw(&bump, 8, 1).unwrap();
        let b = raw(&bump, 8, 1).unwrap();
        // SAFETY: `a` is a live 8-byte allocation, not last: a no-op.
        unsafe {
            bump.free(
                NonNull::slice_from_raw_parts(a, 8),
                Alignment::ONE,
                Caller::here(),
            )
        };
        assert_eq!(bump.used(), 16);
        // SAFETY: `b` is the live, last 8-byte allocation.
        unsafe {
            bump.free(
                NonNull::slice_from_raw_parts(b, 8),
                Alignment::ONE,
                Caller::here(),
            )
        };
        assert_eq!(bump.used(), 8);
    }

    #[test]
    fn shrinks_any_allocation_but_grows_only_the_last() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let a = NonNull::slice_from_raw_parts(raw(&bump, 16, 1).unwrap(), 16);
        let _b = raw(&bump, 16, 1).unwrap();
        // SAFETY: `a` is live with length 16, alignment 1.
        assert!(!unsafe { bump.resize(a, Alignment::ONE, 17, Caller::here()) });
        // SAFETY: as above (the refused resize changed nothing).
        assert!(unsafe { bump.resize(a, Alignment::ONE, 4, Caller::here()) });
        assert_eq!(bump.used(), 32, "a non-last shrink keeps the bytes");
    }

    #[test]
    fn owns_exactly_its_buffer() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let range = buf.as_ptr_range();
        let bump = Bump::new(&mut buf);
        assert!(bump.owns(range.start.cast()));
        assert!(bump.owns(range.end.cast::<u8>().wrapping_sub(1)));
        assert!(!bump.owns(range.end.cast()));
        assert!(!bump.owns(range.start.cast::<u8>().wrapping_sub(1)));
    }

    /// A buffer split in two: the bump gets the second half, and the first
    /// half is a foreign block that ends exactly where the bump's free space
    /// begins.
    fn with_foreign_neighbour(check: impl FnOnce(&Bump<'_>, NonNull<[u8]>)) {
        let mut buf = [MaybeUninit::<u8>::uninit(); 128];
        let (foreign, mine) = buf.split_at_mut(64);
        let foreign = NonNull::from(foreign).cast::<u8>();
        let bump = Bump::new(mine);
        check(&bump, NonNull::slice_from_raw_parts(foreign, 64));
        assert_eq!(bump.used(), 0, "the bump acted on memory it does not own");
        let p = raw(&bump, 64, 1).expect("the bump is still whole");
        assert!(bump.owns(p.as_ptr()), "allocated outside its buffer");
    }

    #[test]
    fn ignores_a_free_of_a_foreign_block_that_ends_at_its_free_space() {
        with_foreign_neighbour(|bump, foreign| {
            // SAFETY: deliberately breaks `free`'s contract (the block is not
            // the bump's); the bump must notice and touch nothing.
            unsafe { bump.free(foreign, Alignment::ONE, Caller::here()) };
        });
    }

    #[test]
    fn refuses_to_resize_or_remap_a_foreign_block() {
        with_foreign_neighbour(|bump, foreign| {
            for new_len in [1, 32, 64, 65, 100] {
                // SAFETY: deliberately breaks `resize`'s contract, as above.
                let resized =
                    unsafe { bump.resize(foreign, Alignment::ONE, new_len, Caller::here()) };
                assert!(!resized, "resized a foreign block to {new_len}");
                // SAFETY: as above, for `remap`.
                let remapped =
                    unsafe { bump.remap(foreign, Alignment::ONE, new_len, Caller::here()) };
                assert!(remapped.is_none(), "remapped a foreign block to {new_len}");
            }
        });
    }

    #[test]
    fn refuses_a_block_claimed_past_its_free_space() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let a = raw(&bump, 8, 1).unwrap();
        // `a` claimed with a length that runs into the free space.
        let too_long = NonNull::slice_from_raw_parts(a, 16);
        assert!(!bump.validate(too_long, Alignment::ONE, Caller::here()));
        // SAFETY: deliberately breaks `resize`'s contract (wrong length).
        assert!(!unsafe { bump.resize(too_long, Alignment::ONE, 4, Caller::here()) });
        // The free space itself, claimed as a block.
        // SAFETY: `a + 8` is inside the buffer.
        let free_space = NonNull::slice_from_raw_parts(unsafe { a.add(8) }, 8);
        assert!(!bump.validate(free_space, Alignment::ONE, Caller::here()));
        // SAFETY: deliberately breaks `resize`'s contract (not a block).
        assert!(!unsafe { bump.resize(free_space, Alignment::ONE, 4, Caller::here()) });
        assert_eq!(bump.used(), 8);
        let block = NonNull::slice_from_raw_parts(a, 8);
        assert!(bump.validate(block, Alignment::ONE, Caller::here()));
        assert!(!bump.validate(block, Alignment::new(1 << 20).unwrap(), Caller::here()));
    }

    #[test]
    fn shrinks_to_a_smaller_alignment_in_place_on_a_full_bump() {
        use allocator_api2::alloc::Allocator;
        let mut buf = [MaybeUninit::uninit(); 256];
        let bump = Bump::new(&mut buf);
        let old = Layout::from_size_align(64, 64).unwrap();
        let new = Layout::from_size_align(16, 8).unwrap();
        let block = bump.allocate(old).unwrap().cast::<u8>();
        // SAFETY: `block` is 64 writable bytes.
        unsafe { block.as_ptr().write_bytes(0x3C, 64) };
        let rest = bump.remaining();
        let _fill = raw(&bump, rest, 1).unwrap(); // the bump is full
        // `block` is not the most recent: shrinking keeps its bytes.
        // SAFETY: `block` is live with layout `old`; 16 <= 64.
        let shrunk = unsafe { bump.shrink(block, old, new) }.expect("shrunk in place");
        assert_eq!(shrunk.cast::<u8>(), block);
        assert_eq!(shrunk.len(), 16);
        // The most recent block, on a full bump: shrinks in place and gives
        // its tail back.
        let mut buf = [MaybeUninit::uninit(); 256];
        let bump = Bump::new(&mut buf);
        let _pad = raw(&bump, 1, 1).unwrap();
        let block = bump.allocate(old).unwrap().cast::<u8>();
        // SAFETY: `block` is 64 writable bytes.
        unsafe { block.as_ptr().write_bytes(0x3C, 64) };
        let filled = bump.used() + bump.remaining();
        let rest = bump.remaining();
        let last = Layout::from_size_align(64 + rest, 64).unwrap();
        // SAFETY: `block` is live with layout `old`; it grows in place to fill the bump.
        let block = unsafe { bump.grow(block, old, last) }.unwrap().cast::<u8>();
        assert_eq!(bump.remaining(), 0, "the bump is full");
        // SAFETY: `block` is live with layout `last`; 16 <= its size.
        let shrunk = unsafe { bump.shrink(block, last, new) }.expect("shrunk in place");
        assert_eq!(shrunk.cast::<u8>(), block, "moved");
        assert_eq!(bump.used(), filled - (64 + rest) + 16, "the tail came back");
        // SAFETY: `shrink` kept the first 16 bytes.
        assert_eq!(unsafe { &shrunk.as_ref()[..16] }, [0x3C; 16]);
        // SAFETY: `shrunk` is live with layout `new`.
        unsafe { bump.deallocate(shrunk.cast(), new) };
        assert_eq!(
            bump.used(),
            filled - (64 + rest),
            "freed with its new layout"
        );
    }

    #[test]
    fn an_empty_buffer_refuses_everything() {
        let bump = Bump::new(&mut []);
        assert!(raw(&bump, 1, 1).is_none());
        assert_eq!(bump.capacity(), 0);
        // Zero-size requests never reach it, so they still succeed.
        let b = Box::new_in((), &bump);
        drop(b);
    }

    /// Where `alloc(len, align)` must put a block when the free space
    /// starts at `cur` and ends at `end`, computed the plain way: the next
    /// aligned address, checked, plus `len`, checked, within `end`.
    fn expected(cur: usize, end: usize, len: usize, align: Alignment) -> Option<usize> {
        let at = align.forward(cur)?;
        (at.checked_add(len)? <= end).then_some(at)
    }

    /// Lengths around every boundary of the fast path's arithmetic for a
    /// free space `cur..end` and an alignment: zero, exact fit and one
    /// more, and the lengths where `before + len` reaches `usize::MAX` with
    /// and without a carry (`before` is the byte before the aligned address).
    fn edge_lengths(cur: usize, end: usize, align: Alignment) -> std::vec::Vec<usize> {
        let mut lens = std::vec![0, 1, 2, end - cur, end - cur + 1, isize::MAX as usize];
        if let Some(at) = align.forward(cur) {
            lens.extend([end.saturating_sub(at), end.saturating_sub(at) + 1]);
        }
        let before = (cur - 1) | (align.to_bytes() - 1);
        let no_carry = usize::MAX - before;
        lens.extend([
            no_carry - 1,
            no_carry,
            no_carry.wrapping_add(1),
            usize::MAX - 1,
            usize::MAX,
        ]);
        lens
    }

    /// Runs every alignment from 1 to `1 << (usize::BITS - 1)` and every
    /// edge length against `bump` from its current position, comparing each
    /// outcome with [`expected`]: the same address, or the same refusal with
    /// the bump left as it was.
    fn agrees_with_checked_arithmetic(bump: &Bump<'_>) {
        let (cur, end) = (bump.start.addr().get() + bump.used(), bump.end);
        for log2 in 0..usize::BITS {
            let align = Alignment::from_log2(log2).unwrap();
            for len in edge_lengths(cur, end, align) {
                let used = bump.used();
                let got = RawAlloc::alloc(&bump, len, align, Caller::here());
                let want = expected(cur, end, len, align);
                assert_eq!(
                    got.map(|p| p.addr().get()),
                    want,
                    "alloc({len}, 2^{log2}) from {cur:#x} to {end:#x}"
                );
                match got {
                    Some(p) => {
                        assert_eq!(bump.used(), p.addr().get() + len - bump.start.addr().get());
                        // Take the block back (it is the most recent one),
                        // then its padding (`cur..p`, now the most recent
                        // bytes): `reset` would need `&mut`.
                        let pad = p.addr().get() - cur;
                        let from = bump.start.with_addr(NonZeroUsize::new(cur).unwrap());
                        for (at, n) in [(p, len), (from, pad)] {
                            if n > 0 {
                                // SAFETY: `at..at + n` is the most recent
                                // part handed out, non-empty.
                                unsafe {
                                    bump.free(
                                        NonNull::slice_from_raw_parts(at, n),
                                        align,
                                        Caller::here(),
                                    )
                                };
                            }
                        }
                        assert_eq!(bump.used(), used, "could not rewind");
                    }
                    None => assert_eq!(bump.used(), used, "a refusal moved the bump"),
                }
            }
        }
    }

    #[test]
    fn every_alignment_and_edge_length_agrees_with_checked_arithmetic() {
        let mut buf = [MaybeUninit::<u8>::uninit(); 256];
        let odd = buf
            .iter()
            .position(|b| (core::ptr::from_ref(b) as usize) % 2 == 1)
            .unwrap();
        // From the start of a buffer at an odd address, and from a position
        // knocked off every alignment.
        let bump = Bump::new(&mut buf[odd..odd + 200]);
        agrees_with_checked_arithmetic(&bump);
        let _ = raw(&bump, 7, 1).unwrap();
        agrees_with_checked_arithmetic(&bump);
        // A full bump.
        let rest = bump.remaining();
        let _ = raw(&bump, rest, 1).unwrap();
        agrees_with_checked_arithmetic(&bump);
    }

    #[test]
    fn a_zero_length_buffer_agrees_with_checked_arithmetic() {
        let bump = Bump::new(&mut []);
        agrees_with_checked_arithmetic(&bump);
        assert_eq!(bump.used(), 0);
        // Through allocator-api2 a zero-size request is dangling and takes
        // nothing; any other is refused.
        let block =
            allocator_api2::alloc::Allocator::allocate(&bump, Layout::new::<[u64; 0]>()).unwrap();
        assert_eq!(block.len(), 0);
        assert_eq!(block.cast::<u8>().addr().get() % 8, 0);
        assert!(allocator_api2::alloc::Allocator::allocate(&bump, Layout::new::<u8>()).is_err());
        assert_eq!(bump.used(), 0);
    }

    #[test]
    fn a_one_byte_buffer_at_an_odd_address() {
        let mut buf = [MaybeUninit::<u8>::uninit(); 4];
        let odd = buf
            .iter()
            .position(|b| (core::ptr::from_ref(b) as usize) % 2 == 1)
            .unwrap();
        let bump = Bump::new(&mut buf[odd..=odd]);
        agrees_with_checked_arithmetic(&bump);
        // Alignment 2 or more cannot fit a byte there: the next even
        // address is the end.
        assert!(raw(&bump, 1, 2).is_none());
        let p = raw(&bump, 1, 1).expect("exact fit");
        assert_eq!(bump.remaining(), 0);
        assert!(raw(&bump, 1, 1).is_none());
        agrees_with_checked_arithmetic(&bump);
        // SAFETY: `p` is the live, most recent 1-byte block.
        unsafe {
            bump.free(
                NonNull::slice_from_raw_parts(p, 1),
                Alignment::ONE,
                Caller::here(),
            )
        };
        assert_eq!(bump.used(), 0);
        assert_eq!(raw(&bump, 1, 1), Some(p), "the byte came back");
    }

    #[test]
    fn exact_fits_after_alignment_padding() {
        let mut buf = [MaybeUninit::<u8>::uninit(); 80];
        let odd = buf
            .iter()
            .position(|b| (core::ptr::from_ref(b) as usize) % 2 == 1)
            .unwrap();
        let bump = Bump::new(&mut buf[odd..odd + 64]);
        let at = Alignment::new(8)
            .unwrap()
            .forward(bump.start.addr().get())
            .unwrap();
        let fit = bump.end - at;
        assert!(raw(&bump, fit + 1, 8).is_none(), "one byte too many");
        let p = raw(&bump, fit, 8).expect("exact fit after the padding");
        assert_eq!(p.addr().get(), at);
        assert_eq!(bump.remaining(), 0);
        // The most recent block grows by nothing and shrinks back in place.
        let block = NonNull::slice_from_raw_parts(p, fit);
        // SAFETY: `block` is the live, most recent block; lengths non-zero.
        assert!(!unsafe {
            bump.resize(block, Alignment::new(8).unwrap(), fit + 1, Caller::here())
        });
        // SAFETY: as above; the refused resize changed nothing.
        assert!(unsafe { bump.resize(block, Alignment::new(8).unwrap(), 1, Caller::here()) });
        assert_eq!(bump.end - bump.start.addr().get() - bump.used(), fit - 1);
    }

    #[test]
    fn grow_in_place_refuses_sizes_near_the_layout_limit() {
        use allocator_api2::alloc::Allocator;
        let mut buf = [MaybeUninit::uninit(); 256];
        let bump = Bump::new(&mut buf);
        let old = Layout::from_size_align(16, 8).unwrap();
        let block = bump.allocate(old).unwrap().cast::<u8>();
        // SAFETY: `block` is 16 writable bytes.
        unsafe { block.as_ptr().write_bytes(0x77, 16) };
        let used = bump.used();
        for size in [
            isize::MAX as usize - 7,
            isize::MAX as usize / 2,
            257,
            256 - used + 17,
        ] {
            let new = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: `block` is live with layout `old`; `size >= 16`.
            let grown = unsafe { bump.grow(block, old, new) };
            assert!(grown.is_err(), "grew to {size}");
            assert_eq!(bump.used(), used, "a refused grow moved the bump");
        }
        // The largest in-place growth still fits exactly.
        let new = Layout::from_size_align(16 + bump.remaining(), 8).unwrap();
        // SAFETY: as above.
        let grown = unsafe { bump.grow(block, old, new) }.unwrap();
        assert_eq!(grown.cast::<u8>(), block);
        assert_eq!(bump.remaining(), 0);
        // SAFETY: `grow` kept the first 16 bytes.
        assert_eq!(unsafe { &grown.as_ref()[..16] }, [0x77; 16]);
    }

    #[test]
    fn ignores_a_block_whose_length_wraps_around_to_its_free_space() {
        // A made-up block in the free space whose end, modulo the address
        // space, is where the free space begins.
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let a = raw(&bump, 8, 1).unwrap();
        // SAFETY: `a + 16` is inside the buffer.
        let inside = unsafe { a.add(16) };
        let wraps = NonNull::slice_from_raw_parts(inside, usize::MAX - 7);
        assert_eq!(
            inside.addr().get().wrapping_add(wraps.len()),
            a.addr().get() + 8,
            "the made-up block ends at the free space"
        );
        // SAFETY: deliberately breaks the contracts (not a block); the bump
        // must notice and touch nothing.
        unsafe { bump.free(wraps, Alignment::ONE, Caller::here()) };
        // SAFETY: as above.
        assert!(!unsafe { bump.resize(wraps, Alignment::ONE, 1, Caller::here()) });
        assert!(!bump.validate(wraps, Alignment::ONE, Caller::here()));
        assert_eq!(bump.used(), 8);
    }

    #[test]
    fn deallocating_a_zero_size_block_leaves_the_bump_alone() {
        use allocator_api2::alloc::Allocator;
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let _ = raw(&bump, 5, 1).unwrap();
        for align in [1, 2, 8, 64] {
            let layout = Layout::from_size_align(0, align).unwrap();
            let empty = bump.allocate(layout).unwrap().cast::<u8>();
            // SAFETY: `empty` came from `allocate` with `layout`.
            unsafe { bump.deallocate(empty, layout) };
            assert_eq!(bump.used(), 5);
        }
        // A zero-size block claimed at the free space itself.
        // SAFETY: `start + 5` is inside the buffer.
        let at_cur = unsafe { bump.start.add(5) };
        // SAFETY: deliberately a block the bump did not hand out.
        unsafe { bump.deallocate(at_cur, Layout::new::<()>()) };
        assert_eq!(bump.used(), 5);
    }

    // A buffer that ends at or near the top of the address space (where
    // `before + len` would carry for ordinary lengths) cannot be had in a
    // test: no allocator hands one out. The carry is exercised instead by
    // lengths near `usize::MAX` in the tests above.

    #[test]
    fn random_requests_stay_in_bounds_aligned_and_disjoint() {
        let mut buf = [MaybeUninit::uninit(); 8192];
        let start = buf.as_ptr() as usize;
        let bump = Bump::new(&mut buf);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut last_end = start;
        for _ in 0..ITERATIONS {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 48) as usize + 1;
            let align = 1 << ((seed >> 60) % 8);
            match raw(&bump, len, align) {
                Some(p) => {
                    let addr = p.addr().get();
                    assert_eq!(addr % align, 0);
                    assert!(addr >= last_end, "overlap");
                    last_end = addr + len;
                    assert!(last_end <= start + 8192);
                }
                None => assert!(bump.remaining() < len + align),
            }
        }
    }
}
