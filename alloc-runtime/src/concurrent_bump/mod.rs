//! [`ConcurrentBump`]: a lock-free bump allocator over a fixed buffer, for
//! several threads at once.

use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use core::sync::atomic::AtomicUsize;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::{Alignment, Caller, Owns, RawAlloc};

#[cfg(test)]
pub(crate) mod tests;

/// A bump allocator over a borrowed buffer that several threads can use at
/// once, without a lock: [`Bump`](crate::Bump) with its position in an
/// atomic, moved by compare-and-swap.
///
/// - **`Sync` and `Send`**: share `&ConcurrentBump` between threads
///   (`std::thread::scope`, a `static`); every block it hands out is
///   disjoint from every other live one, whichever thread asked.
/// - **One compare-and-swap per call**: an allocation computes the aligned
///   block from the position it loaded and swaps in the position after it,
///   retrying from the new position if another thread moved it first;
///   `free`, `resize` and `remap` are a single compare-and-swap each.
///   No call takes a lock or waits for another thread.
/// - **The most recent allocation is special**, as for `Bump`: `free`
///   gives its bytes back and `resize`/`remap` grow or shrink it in place,
///   while it is the most recent (no other thread has allocated after it).
///   Other frees are ignored, other blocks only shrink in place.
/// - The rest is `Bump`'s: alignment computed on the address, every size
///   computation checked (a huge length or alignment is `None` and changes
///   nothing), memory it does not own never acted on, `validate` by
///   address range, [`reset`](Self::reset) through `&mut self`.
///
/// Under contention the threads' compare-and-swaps on the one position
/// make each other retry, and the position's cache line moves between the
/// cores on every allocation: two threads doing nothing but allocate
/// measured about 40 times as long as with a [`Bump`](crate::Bump) per
/// thread (an uncontended allocation costs about 3 times a `Bump`'s). It
/// is for sharing blocks among threads that allocate now and then; for
/// parallel work that allocates a lot, lend each thread an arena
/// ([`ArenaPool`](crate::ArenaPool)). It is faster than a
/// [`Locked`](crate::Locked)`<Bump>` (about 1.6 times).
///
/// # Examples
///
/// ```
/// use alloc_runtime::ConcurrentBump;
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 4096];
/// let mut bump = ConcurrentBump::new(&mut buf);
/// std::thread::scope(|s| {
///     for t in 0..4u64 {
///         let bump = &bump;
///         s.spawn(move || {
///             let mut v: Vec<u64, _> = Vec::new_in(bump);
///             v.extend(0..t + 10);
///             assert_eq!(v.len() as u64, t + 10);
///         });
///     }
/// });
/// assert!(bump.used() <= bump.capacity());
/// bump.reset();
/// assert_eq!(bump.used(), 0);
/// ```
///
/// `const`, so a `static` can hold one over a `static` buffer:
///
/// ```
/// use alloc_runtime::ConcurrentBump;
/// use core::mem::MaybeUninit;
///
/// static mut BUFFER: [MaybeUninit<u8>; 1024] = [MaybeUninit::uninit(); 1024];
/// // SAFETY: `BUFFER` is borrowed here once, and never used otherwise.
/// static BUMP: ConcurrentBump<'static> = ConcurrentBump::new(unsafe { &mut *(&raw mut BUFFER) });
///
/// let a = allocator_api2::boxed::Box::new_in(7u32, &BUMP);
/// assert!(BUMP.owns((&*a as *const u32).cast()));
/// ```
#[derive(alloc_derive::Allocator)]
pub struct ConcurrentBump<'a> {
    /// The first byte of the buffer. Its provenance covers the whole
    /// buffer: every pointer the bump hands out is derived from it.
    start: NonNull<u8>,
    /// The length of the buffer; `start + len` does not wrap (a slice never
    /// does).
    len: usize,
    /// The offset of the first free byte: `0 <= cur <= len` at all times.
    /// Everything in `start..start + cur` may be handed out; nothing live
    /// lies after it. Changed only by compare-and-swap (or through
    /// `&mut self`), always to a value in `0..=len`.
    cur: AtomicUsize,
    /// The bump has the buffer to itself for `'a`.
    _buffer: PhantomData<&'a mut [MaybeUninit<u8>]>,
}

// SAFETY: a `ConcurrentBump` owns a `&mut` to its buffer, which is `Send`;
// moving it moves that exclusive access (no allocation can be alive then:
// each borrows the bump, or is a raw block the caller may only free to
// this bump, which it moved along).
unsafe impl Send for ConcurrentBump<'_> {}

// Why no loom: the only shared state is the one word `cur`, and every
// operation is a single compare-and-swap on it (a loop of them for an
// allocation, each attempt starting afresh from the value it read), so
// each operation's correctness is that of one atomic step on its own, with
// no protocol across several atomics for loom's exhaustive interleavings
// to explore. The tests check it under contention, and Miri's data-race
// detector checks the orderings.
//
// SAFETY: `&ConcurrentBump` only reads `start` and `len`, which never
// change, and changes `cur` by atomic compare-and-swap. Each successful
// swap moves the position from the value it read, so two allocations can
// never both claim bytes past the same position: every block handed out is
// disjoint from every other live block, on any thread. Bytes handed back
// (a free or shrink of the most recent block: `Release`) and handed out
// again (an allocation or growth: `Acquire`) are ordered through the
// position, so the new owner's accesses happen after the old owner's (see
// `alloc`). `reset` takes `&mut self`.
unsafe impl Sync for ConcurrentBump<'_> {}

impl<'a> ConcurrentBump<'a> {
    /// A concurrent bump allocator over `buffer`, which it borrows for `'a`.
    /// `const`, so a `static` can hold it.
    ///
    /// ```
    /// use alloc_runtime::ConcurrentBump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 256];
    /// let bump = ConcurrentBump::new(&mut buf);
    /// assert_eq!(bump.capacity(), 256);
    /// ```
    #[inline]
    #[must_use]
    pub const fn new(buffer: &'a mut [MaybeUninit<u8>]) -> Self {
        let len = buffer.len();
        // SAFETY: a slice's pointer is never null (dangling and aligned
        // when the slice is empty).
        let start = unsafe { NonNull::new_unchecked(buffer.as_mut_ptr().cast::<u8>()) };
        Self {
            start,
            len,
            cur: AtomicUsize::new(0),
            _buffer: PhantomData,
        }
    }

    /// Bytes handed out so far, alignment padding included: a snapshot,
    /// which other threads may change at once.
    ///
    /// ```
    /// use alloc_runtime::ConcurrentBump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = ConcurrentBump::new(&mut buf);
    /// bump.allocator().create(0u32)?;
    /// assert!(bump.used() >= 4);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn used(&self) -> usize {
        // Relaxed: a figure, never used to reach memory.
        self.cur.load(Relaxed)
    }

    /// Bytes still free (some may go to alignment padding): a snapshot.
    ///
    /// ```
    /// use alloc_runtime::ConcurrentBump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = ConcurrentBump::new(&mut buf);
    /// assert_eq!(bump.remaining(), 64);
    /// ```
    #[inline]
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.len - self.used()
    }

    /// The size of the buffer: `used() + remaining()`.
    ///
    /// ```
    /// use alloc_runtime::ConcurrentBump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = ConcurrentBump::new(&mut buf);
    /// assert_eq!(bump.capacity(), 64);
    /// ```
    #[inline]
    #[must_use]
    pub const fn capacity(&self) -> usize {
        self.len
    }

    /// Whether `ptr` points into this bump's buffer.
    ///
    /// ```
    /// use alloc_runtime::ConcurrentBump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = ConcurrentBump::new(&mut buf);
    /// let p = bump.allocator().create(1u8)?;
    /// assert!(bump.owns(p.as_ptr()));
    /// assert!(!bump.owns(&0u8));
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn owns(&self, ptr: *const u8) -> bool {
        ptr.addr().wrapping_sub(self.start.addr().get()) < self.len
    }

    /// Makes the whole buffer free again.
    ///
    /// Takes `&mut self`: every allocation borrows the bump, so none can be
    /// alive (or used) after a reset, and no other thread can be using it.
    ///
    /// ```
    /// use alloc_runtime::ConcurrentBump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let mut bump = ConcurrentBump::new(&mut buf);
    /// bump.allocator().create(1u64)?;
    /// bump.reset();
    /// assert_eq!(bump.used(), 0);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    pub fn reset(&mut self) {
        *self.cur.get_mut() = 0;
    }

    /// The address of the first byte of the buffer.
    #[inline(always)]
    fn base(&self) -> usize {
        self.start.addr().get()
    }

    /// The offset of the end of `memory` (where the free space begins if
    /// it is the most recent block) and of its start, when `memory` starts
    /// in the buffer and ends at most at its end; `None` otherwise, with
    /// no wrapping: an address below `start` wraps to an offset larger than
    /// any buffer.
    #[inline(always)]
    fn offsets(&self, memory: NonNull<[u8]>) -> Option<(usize, usize)> {
        let from = memory.cast::<u8>().addr().get().wrapping_sub(self.base());
        (from <= self.len && memory.len() <= self.len - from).then(|| (from, from + memory.len()))
    }

    /// Gives the bytes of `memory` back when it is the most recent
    /// allocation: one compare-and-swap from its end to its start. Anything
    /// else (an older block, a block another thread has allocated after,
    /// memory that is not the bump's) is left alone.
    #[inline]
    fn free_last(&self, memory: NonNull<[u8]>) {
        if let Some((from, to)) = self.offsets(memory) {
            // The swap succeeds only if the position is the block's end:
            // then the block is the most recent, nothing live lies after it
            // (the caller gives the block up), and the position moves back
            // over it. Otherwise another thread has allocated after it
            // (or it is not a block): nothing to do.
            //
            // Release: the bytes given back may be handed to another thread
            // by its next allocation (an `Acquire` swap that reads this
            // position, or a later one in its release sequence: every
            // change of the position is a read-modify-write). Our accesses
            // to them must happen before that thread's, or the two would
            // race. Relaxed on failure: nothing was given back.
            let _ = self.cur.compare_exchange(to, from, Release, Relaxed);
        }
    }

    /// `resize` and `remap` in place: the most recent allocation grows or
    /// shrinks with one compare-and-swap, while it fits; any other block of
    /// the part handed out only shrinks (its tail is lost until a reset);
    /// memory that is not in that part is refused.
    #[inline]
    fn resize_in_place(&self, memory: NonNull<[u8]>, new_len: usize) -> bool {
        let Some((from, to)) = self.offsets(memory) else {
            return false;
        };
        if new_len <= self.len - from {
            // Ordering: growth takes bytes that may have been given back by
            // another thread's free or shrink (`Release`): `Acquire`, as an
            // allocation. Shrinking gives bytes back: `Release`, as a free.
            let order = if new_len > memory.len() {
                Acquire
            } else {
                Release
            };
            // Succeeds only if the block is the most recent (the position
            // is its end), as in `free_last`.
            if self
                .cur
                .compare_exchange(to, from + new_len, order, Relaxed)
                .is_ok()
            {
                return true;
            }
        }
        // Not the most recent block (or no longer: another thread
        // allocated after it). Shrinking it in place is always possible,
        // if it is one of ours: it must end inside the part handed out.
        // Relaxed: only compared, never used to reach memory.
        new_len <= memory.len() && to <= self.cur.load(Relaxed)
    }
}

// SAFETY: memory handed out is the caller's alone: `alloc` hands out
// `block..next` only after a compare-and-swap moved the position from
// `cur` (at most `block`) to `next`, so no other call, on any thread, can
// hand out those bytes while they are live; everything is inside
// `start..start + len`, borrowed exclusively for `'a` (nothing else uses
// it), and `ConcurrentBump` is not `Clone`. `free`, `resize` and `remap`
// move the position back only by a compare-and-swap from the end of the
// caller's block (which is live and the caller's, so nothing live lies
// after it when the position is there), and forward over free bytes only,
// so no live block is ever after the position, and the position stays in
// `0..=len`. Memory stays valid for `'a` and does not move with the bump.
// Hand-overs of bytes between threads are ordered (see `free_last` and
// `alloc`). `validate` compares addresses only. Nothing unwinds.
unsafe impl RawAlloc for ConcurrentBump<'_> {
    /// One compare-and-swap loop: from the position loaded, the block is
    /// the bytes after it rounded up to the alignment (`Bump`'s upward
    /// shape: `cur - 1` with the alignment's low bits set, plus `len`,
    /// whose carry is the overflow check, compared with the end); the swap
    /// moves the position past it, or fails because another thread moved
    /// it, and the loop starts again from the new position.
    #[inline]
    fn alloc(&self, len: usize, align: Alignment, _caller: Caller) -> Option<NonNull<u8>> {
        let base = self.base();
        let end = base + self.len;
        // Relaxed: a guess, checked by the swap below.
        let mut cur = self.cur.load(Relaxed);
        loop {
            // `base >= 1` and `cur <= len`: neither step wraps.
            let before = (base + cur - 1) | align.mask();
            let last = before.checked_add(len)?;
            if last >= end {
                return None;
            }
            // `base + cur - 1 <= before <= last < end`: no wrap, and the
            // new position `next` is in `cur + len..=self.len`.
            let next = last + 1 - base;
            // Acquire on success: the bytes taken may have been given back
            // by another thread's free or shrink, whose `Release` swap this
            // one reads from (directly, or through the later swaps of the
            // release sequence it heads); the giver's accesses then happen
            // before ours. Without it the two threads' accesses to those
            // bytes would be a data race. Weak: a spurious failure just goes
            // round again. Relaxed on failure: the value is only a new guess.
            match self.cur.compare_exchange_weak(cur, next, Acquire, Relaxed) {
                // SAFETY: `next - len` is in `cur..=len`: inside the buffer,
                // which `start`'s provenance covers.
                Ok(_) => return Some(unsafe { self.start.byte_add(next - len) }),
                Err(moved) => cur = moved,
            }
        }
    }

    #[inline]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        _align: Alignment,
        new_len: usize,
        _caller: Caller,
    ) -> bool {
        self.resize_in_place(memory, new_len)
    }

    #[inline]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        _align: Alignment,
        new_len: usize,
        _caller: Caller,
    ) -> Option<NonNull<u8>> {
        // A bump can only change the length where the memory is.
        self.resize_in_place(memory, new_len).then(|| memory.cast())
    }

    #[inline]
    unsafe fn free(&self, memory: NonNull<[u8]>, _align: Alignment, _caller: Caller) {
        self.free_last(memory);
    }

    /// `true` when `memory` lies inside the part of the buffer handed out
    /// (as the position stands now) and its address is aligned to `align`.
    /// A bump keeps no record of each block, so a block inside that part
    /// with a wrong length can still pass; memory outside it cannot.
    #[inline]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, _caller: Caller) -> bool {
        self.offsets(memory).is_some_and(|(_, to)| {
            // Relaxed: only compared.
            to <= self.cur.load(Relaxed) && align.is_aligned(memory.cast::<u8>().addr().get())
        })
    }
}

// SAFETY: every block the bump hands out, and every prefix of one, lies
// inside its buffer, which is the memory it manages: a range inside it is
// answered `true`, a range disjoint from it `false`. Address compares only.
unsafe impl Owns for ConcurrentBump<'_> {
    #[inline]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        crate::region::within(
            memory.cast::<u8>().addr().get(),
            memory.len(),
            self.base(),
            self.base() + self.len,
        )
    }
}

/// Shows the figures.
///
/// ```
/// use alloc_runtime::ConcurrentBump;
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let bump = ConcurrentBump::new(&mut buf);
/// assert_eq!(format!("{bump:?}"), "ConcurrentBump { used: 0, capacity: 64 }");
/// ```
impl fmt::Debug for ConcurrentBump<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrentBump")
            .field("used", &self.used())
            .field("capacity", &self.len)
            .finish()
    }
}
