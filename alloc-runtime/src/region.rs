//! [`Region`]: the position arithmetic that the bump allocators of this
//! crate share — [`Bump`](crate::Bump) over its buffer,
//! [`Arena`](crate::Arena) over its current chunk. One copy of the fast
//! paths (allocate, free, resize and grow of the most recent block) and of
//! the ownership checks that keep them from acting on foreign memory.

use core::alloc::Layout;
use core::ptr::NonNull;

use crate::{Alignment, AllocError, Caller, RawAlloc, bridge};

/// Where `len` bytes aligned to `align` go when the free space is
/// `cur..end`, and the position after them: `Some((block, next))`, or `None`
/// when they do not fit.
///
/// bump-scope's upward shape: `cur - 1` with the alignment's low bits set is
/// the byte before the first aligned address `>= cur` (`cur` is not null,
/// and an OR cannot overflow); adding `len` gives the block's last byte, and
/// a carry out of that add (a huge length, or an aligned address past the
/// top of the address space) is `None`; otherwise `last < end` says the
/// block fits. One add chain, one checked add, one compare, no call.
///
/// `cur <= end`, and `cur..end` inside the allocation `cur`'s provenance
/// covers (or `cur == end`), is the caller's invariant; both pointers
/// returned are derived from `cur`.
#[inline(always)]
pub(crate) fn bump_in(
    cur: NonNull<u8>,
    end: usize,
    len: usize,
    align: Alignment,
) -> Option<(NonNull<u8>, NonNull<u8>)> {
    let base = cur.addr().get();
    let before = (base - 1) | align.mask();
    let last = before.checked_add(len)?;
    if last >= end {
        return None;
    }
    // `base - 1 <= before <= last < end`, so `next` is at most `end` and at
    // least `base + len`: neither step below can wrap.
    let next = last + 1;
    // SAFETY: `base <= next - len <= next <= end`: the aligned address is
    // inside `cur..=end`, which `cur`'s provenance covers (the caller's
    // invariant).
    let block = unsafe { cur.byte_add(next - len - base) };
    // SAFETY: `base <= next <= end`, as above.
    let next = unsafe { cur.byte_add(next - base) };
    Some((block, next))
}

/// The state of a bump over one contiguous region: `start..cur` has been
/// handed out, `cur..end` is free. The provided methods are the paths that
/// act on the most recent block; they only compare addresses and move `cur`
/// inside `start..=end`.
///
/// # Safety
///
/// An implementation guarantees, for as long as it exists:
/// - `start()`'s provenance covers `start..end`, and `start <= cur <= end`
///   (as addresses) at every call;
/// - `cur()` returns the last value given to `set_cur`, or a pointer derived
///   from `start()` with `start <= cur <= end`;
/// - every allocation it handed out that is still live lies in `start..cur`
///   or outside the region altogether (in an earlier chunk, say): nothing
///   live is in `cur..end`.
///
/// The provided methods keep these: they move `cur` only to addresses in
/// `start..=end` derived from `start`, and only back over the most recent
/// block (which the caller gives up) or forward over free space.
pub(crate) unsafe trait Region {
    /// The first byte of the region.
    fn start(&self) -> NonNull<u8>;
    /// The first free byte.
    fn cur(&self) -> NonNull<u8>;
    /// Moves the first free byte.
    fn set_cur(&self, cur: NonNull<u8>);
    /// The address one past the region's last byte.
    fn end(&self) -> usize;

    /// Hands out `len` bytes aligned to `align` from the free space, or
    /// `None` when they do not fit (nothing changes then): [`bump_in`], and
    /// the position stored.
    ///
    /// Written out rather than calling `bump_in`: with the store between
    /// the two pointer computations, LLVM keeps the result in the return
    /// register and the fixed-buffer `Bump`'s allocator-api2 `allocate`
    /// takes 15 instructions instead of 16.
    #[inline(always)]
    fn bump(&self, len: usize, align: Alignment) -> Option<NonNull<u8>> {
        let cur = self.cur();
        let base = cur.addr().get();
        let before = (base - 1) | align.mask();
        let last = before.checked_add(len)?;
        if last >= self.end() {
            return None;
        }
        // `base - 1 <= before <= last < end`: neither step below can wrap.
        let next = last + 1;
        // SAFETY: `base <= next - len <= next <= end`: inside `cur..=end`,
        // which `start`'s provenance covers (the trait's contract).
        let block = unsafe { cur.byte_add(next - len - base) };
        // SAFETY: `base <= next <= end`, as above.
        self.set_cur(unsafe { cur.byte_add(next - base) });
        Some(block)
    }

    /// Bytes handed out from the region, alignment padding included.
    #[inline(always)]
    fn used(&self) -> usize {
        self.cur().addr().get() - self.start().addr().get()
    }

    /// Where `memory` lies: `Some(tail)`, the bytes from its start to the
    /// first free byte, when it starts inside the part handed out
    /// (`start..=cur`); `None` for memory outside it.
    ///
    /// One compare: an address below `start` wraps to an offset larger than
    /// any region, so `offset <= used` also rules it out.
    #[inline(always)]
    fn tail(&self, memory: NonNull<[u8]>) -> Option<usize> {
        let used = self.used();
        let offset = memory
            .cast::<u8>()
            .addr()
            .get()
            .wrapping_sub(self.start().addr().get());
        (offset <= used).then(|| used - offset)
    }

    /// `Some(block)` when `memory` is the most recent allocation: it starts
    /// in the part handed out (`start..=cur`) and ends exactly where the
    /// free space begins. `block` is `memory`'s address with the region's
    /// provenance (from `start`), not `memory`'s.
    ///
    /// Ending at the free space is not enough on its own: a foreign block
    /// that ends where this region begins would pass, and giving its bytes
    /// back would move the free space out of the region. So the length must
    /// also fit in the part handed out: `len <= cur - start` puts
    /// `cur - len` in `start..=cur` without wrapping, and
    /// `addr + len == cur` (modulo the address space) then makes `addr`
    /// exactly `cur - len`. Two compares, no other branch.
    #[inline(always)]
    fn last_block(&self, memory: NonNull<[u8]>) -> Option<NonNull<u8>> {
        let (addr, len) = (memory.cast::<u8>().addr(), memory.len());
        let cur = self.cur().addr().get();
        (addr.get().wrapping_add(len) == cur && len <= cur - self.start().addr().get())
            .then(|| self.start().with_addr(addr))
    }

    /// Gives the bytes of `memory` back when it is the most recent
    /// allocation; anything else (an older block, memory that is not the
    /// region's, an empty block) is left alone.
    #[inline(always)]
    fn free_last(&self, memory: NonNull<[u8]>) {
        if let Some(block) = self.last_block(memory) {
            self.set_cur(block);
        }
    }

    /// Makes the most recent allocation, which starts at `block` (from
    /// [`last_block`](Self::last_block)), `new_len` bytes long, if they fit
    /// before the end: `true` then, `false` and nothing changes otherwise.
    #[inline(always)]
    fn set_last_len(&self, block: NonNull<u8>, new_len: usize) -> bool {
        // `start <= block <= cur <= end`: no underflow.
        if new_len > self.end() - block.addr().get() {
            return false;
        }
        // SAFETY: `block + new_len <= end`: inside the region, whose
        // provenance `block` has (`last_block` derives it from `start`).
        self.set_cur(unsafe { block.byte_add(new_len) });
        true
    }

    /// `resize` and `remap` within the region: the most recent allocation
    /// grows or shrinks in place while it fits; any other block of the
    /// region only shrinks (its tail is lost until a reset); memory that is
    /// not in the part handed out, or runs into the free space, is refused.
    #[inline(always)]
    fn resize_in_region(&self, memory: NonNull<[u8]>, new_len: usize) -> bool {
        if let Some(block) = self.last_block(memory) {
            return self.set_last_len(block, new_len);
        }
        // Not the most recent allocation. Shrinking one in place is always
        // possible (the tail is just lost), if it is one: it must lie inside
        // the part handed out.
        new_len <= memory.len() && self.tail(memory).is_some_and(|tail| memory.len() <= tail)
    }

    /// allocator-api2's `grow` when it can happen in place: the most recent
    /// block, at the same alignment, with room before the end. `None` leaves
    /// everything as it was (the caller then moves the block).
    #[inline(always)]
    fn grow_last(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Option<NonNull<[u8]>> {
        let new_size = new_layout.size();
        if old_layout.align() == new_layout.align() {
            let memory = NonNull::slice_from_raw_parts(ptr, old_layout.size());
            if let Some(block) = self.last_block(memory) {
                // `start <= block <= cur <= end`: no underflow.
                if new_size <= self.end() - block.addr().get() {
                    // SAFETY: `block + new_size <= end`: inside the region,
                    // whose provenance `block` has.
                    self.set_cur(unsafe { block.byte_add(new_size) });
                    return Some(NonNull::slice_from_raw_parts(block, new_size));
                }
            }
        }
        None
    }
}

/// Everything a bump's allocator-api2 `grow` does not do inline (after
/// [`Region::grow_last`]): the bridge's `grow`, out of line, so that the
/// in-place path keeps no registers or stack for it.
///
/// # Safety
///
/// allocator-api2's `grow` contract, which is the bridge's.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) unsafe fn grow_elsewhere<A: RawAlloc>(
    a: &A,
    ptr: NonNull<u8>,
    old_layout: Layout,
    new_layout: Layout,
) -> Result<NonNull<[u8]>, AllocError> {
    // SAFETY: the function's contract is the bridge's.
    unsafe { bridge::grow(a, ptr, old_layout, new_layout) }
}

/// allocator-api2's `shrink` for a bump: a shrink to a smaller alignment is
/// a `resize` in place, and the block keeps its address, which satisfies
/// the smaller alignment; anything else is the bridge's `shrink`.
///
/// # Safety
///
/// allocator-api2's `shrink` contract, which is the bridge's; and `a`'s
/// `resize`, `remap` and `free` never look at their `align` (so the
/// block's later calls, with the new layout, are served as if it had been
/// allocated with it) — true of `Bump` and `Arena`.
#[inline]
#[track_caller]
pub(crate) unsafe fn shrink<A: RawAlloc>(
    a: &A,
    ptr: NonNull<u8>,
    old_layout: Layout,
    new_layout: Layout,
) -> Result<NonNull<[u8]>, AllocError> {
    let (old_size, new_size) = (old_layout.size(), new_layout.size());
    if new_layout.align() < old_layout.align() && new_size != 0 && new_size <= old_size {
        let memory = NonNull::slice_from_raw_parts(ptr, old_size);
        let old_align = Alignment::of_layout(old_layout);
        // SAFETY: allocator-api2's contract: `ptr` is a live block of `a`
        // with layout `old_layout`, non-empty (`new_size != 0` and
        // `new_size <= old_size`); the new length is non-zero.
        if unsafe { a.resize(memory, old_align, new_size, Caller::here()) } {
            return Ok(NonNull::slice_from_raw_parts(ptr, new_size));
        }
    }
    // SAFETY: allocator-api2's contract is the bridge's.
    unsafe { bridge::shrink(a, ptr, old_layout, new_layout) }
}

/// Whether `addr..addr + len` lies inside `from..to` (without overflow).
#[inline(always)]
pub(crate) fn within(addr: usize, len: usize, from: usize, to: usize) -> bool {
    addr >= from && addr < to && len <= to - addr
}
