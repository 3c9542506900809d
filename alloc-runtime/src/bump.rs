//! [`Bump`]: a fixed-buffer bump allocator, Zig's `FixedBufferAllocator`.

use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

use core::alloc::Layout;

use crate::{Alignment, AllocError, Caller, Handle, RawAlloc, bridge};

/// A bump allocator over a borrowed buffer: each allocation takes the next
/// aligned bytes; memory comes back all at once with [`reset`](Self::reset).
///
/// - **Alignment is computed on the address**, so a buffer at any address,
///   odd ones included, yields correctly aligned memory.
/// - **Every size computation is checked**: a request near `usize::MAX`, an
///   alignment like `1 << 40`, or more than what is left returns `None` and
///   leaves the bump as it was.
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
        self.cur.get().addr().get() - self.start.addr().get()
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

    /// Where `memory` lies: `Some(tail)`, the bytes from its start to the
    /// first free byte, when it starts inside the part handed out
    /// (`start..=cur`); `None` for memory that is not the bump's.
    ///
    /// One compare: an address below `start` wraps to an offset larger than
    /// any buffer, so `offset <= used` also rules it out.
    #[inline(always)]
    fn tail(&self, memory: NonNull<[u8]>) -> Option<usize> {
        let used = self.used();
        let offset = memory
            .cast::<u8>()
            .addr()
            .get()
            .wrapping_sub(self.start.addr().get());
        (offset <= used).then(|| used - offset)
    }

    /// Whether `memory` is the bump's most recent allocation: it starts in
    /// the part handed out and ends exactly where the free space begins.
    ///
    /// Ending at the free space is not enough on its own: a foreign block
    /// that ends where this buffer begins would pass, and giving its bytes
    /// back would move the free space out of the buffer.
    #[inline(always)]
    fn is_last(&self, memory: NonNull<[u8]>) -> bool {
        self.tail(memory) == Some(memory.len())
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
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, _caller: Caller) -> Option<NonNull<u8>> {
        let cur = self.cur.get();
        let base = cur.addr().get();
        // Both steps are checked: a huge alignment or length is `None`,
        // never a wrapped-around address.
        let aligned = align.forward(base)?;
        let next = aligned.checked_add(len)?;
        if next > self.end {
            return None;
        }
        // SAFETY: `base <= aligned <= next <= end`: the offset stays inside
        // the buffer that `cur`'s provenance covers.
        let ptr = unsafe { cur.byte_add(aligned - base) };
        // SAFETY: as above, `ptr + len == next <= end`.
        self.cur.set(unsafe { ptr.byte_add(len) });
        Some(ptr)
    }

    #[inline]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        _align: Alignment,
        new_len: usize,
        _caller: Caller,
    ) -> bool {
        let old_len = memory.len();
        let Some(tail) = self.tail(memory) else {
            // Not the bump's memory: refused, nothing touched.
            return false;
        };
        if tail != old_len {
            // Not the most recent allocation. Shrinking one in place is
            // always possible (the tail is just lost), if it is one: it must
            // end inside the part handed out.
            return new_len <= old_len && old_len <= tail;
        }
        let cur = self.cur.get();
        if new_len <= old_len {
            // SAFETY: `memory` starts in `start..=cur` and ends at `cur`
            // (`tail == old_len`), so `cur - (old_len - new_len)` is still
            // inside the buffer.
            self.cur.set(unsafe { cur.byte_sub(old_len - new_len) });
            true
        } else if new_len - old_len <= self.end.wrapping_sub(cur.addr().get()) {
            // SAFETY: the growth fits in `cur..end`.
            self.cur.set(unsafe { cur.byte_add(new_len - old_len) });
            true
        } else {
            false
        }
    }

    #[inline]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        // A bump can only change the length where the memory is; moving it
        // would cost what the caller's allocate + copy + free costs.
        // SAFETY: the caller upholds `remap`'s contract, which is `resize`'s.
        unsafe { self.resize(memory, align, new_len, caller) }.then(|| memory.cast())
    }

    #[inline]
    unsafe fn free(&self, memory: NonNull<[u8]>, _align: Alignment, _caller: Caller) {
        if self.is_last(memory) {
            // SAFETY: `is_last`: `memory` starts in `start..=cur` and ends
            // at `cur`, so `cur - len` is its start, inside the buffer.
            self.cur
                .set(unsafe { self.cur.get().byte_sub(memory.len()) });
        }
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
// impl above, which upholds the bridge's requirements, except a shrink to a
// smaller alignment: that is a `resize` in place, and the block keeps its
// address, which satisfies the smaller alignment; the bump never looks at
// `align` afterwards, so the block's later calls with the new layout are
// served as if it had been allocated with it. A `Bump` is not `Clone`, and a
// reference to it is the same allocator wherever it is copied.
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
        // SAFETY: allocator-api2's contract is the bridge's.
        unsafe { bridge::deallocate(self, ptr, layout) }
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: allocator-api2's contract is the bridge's.
        unsafe { bridge::grow(self, ptr, old_layout, new_layout) }
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
        let (old_size, new_size) = (old_layout.size(), new_layout.size());
        if new_layout.align() < old_layout.align() && new_size != 0 && new_size <= old_size {
            let memory = NonNull::slice_from_raw_parts(ptr, old_size);
            let old_align = Alignment::of_layout(old_layout);
            // SAFETY: allocator-api2's contract: `ptr` is a live block of
            // this bump with layout `old_layout`, non-empty (`new_size != 0`
            // and `new_size <= old_size`); the new length is non-zero.
            if unsafe { self.resize(memory, old_align, new_size, Caller::here()) } {
                return Ok(NonNull::slice_from_raw_parts(ptr, new_size));
            }
        }
        // SAFETY: allocator-api2's contract is the bridge's.
        unsafe { bridge::shrink(self, ptr, old_layout, new_layout) }
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

    const ITERATIONS: usize = if cfg!(miri) { 40 } else { 1000 };

    fn raw(bump: &Bump<'_>, len: usize, align: usize) -> Option<NonNull<u8>> {
        bump.alloc(len, Alignment::new(align).unwrap(), Caller::here())
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
        for log2 in [12, 20, 40, usize::BITS - 1] {
            let align = Alignment::from_log2(log2).unwrap();
            assert!(
                bump.alloc(1, align, Caller::here()).is_none(),
                "align 2^{log2}"
            );
        }
        assert_eq!(
            bump.used(),
            used,
            "failed requests leave the bump as it was"
        );
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
