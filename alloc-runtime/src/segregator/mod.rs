//! [`Segregator`]: small requests to one allocator, large to another.

use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

#[cfg(test)]
mod tests;

/// Requests of at most `THRESHOLD` bytes go to `Small`, larger ones to
/// `Large` (D's `Segregator`).
///
/// A block's length tells which part it belongs to, so routing a `free`
/// needs no [`Owns`]: every block of at most `THRESHOLD` bytes is the small
/// part's, every longer one the large part's. `free` and `validate` go to
/// the side `memory.len()` names (`free`'s contract makes that the block's
/// current length). `resize` and `remap` stay in the part when the old and
/// the new length are on the same side; across the threshold they answer
/// `false`/`None`, and the caller (the allocator-api2 bridge,
/// [`Handle::realloc`](crate::Handle::realloc)) moves the block by
/// allocate + copy + free, which takes it from one part to the other.
///
/// A segregator is [`Owns`] when both parts are: the length names the part
/// to ask. Its overhead over the part is one compare and one branch on
/// every call.
///
/// A zero-length direct call (which the bridge and the [`Handle`](crate::Handle)
/// never make) goes to the small part, whose answer it is.
///
/// # Examples
///
/// Small blocks from a stack buffer, large ones from the heap:
///
/// ```
/// use alloc_runtime::{Bump, Global, Segregator};
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 1024];
/// let a = Segregator::<64, _, _>::new(Bump::new(&mut buf), Global);
///
/// let small: Vec<u8, _> = Vec::with_capacity_in(64, &a);
/// assert_eq!(a.small().used(), 64);
///
/// // 65 bytes and more go to the heap.
/// let mut v: Vec<u8, _> = Vec::with_capacity_in(65, &a);
/// assert_eq!(a.small().used(), 64);
///
/// // Shrinking across the threshold moves the block to the small part.
/// v.extend_from_slice(&[7; 10]);
/// v.shrink_to_fit();
/// assert_eq!(a.small().used(), 74);
/// assert_eq!(v, [7; 10]);
/// # drop(small);
/// ```
#[derive(alloc_derive::Allocator, Debug, Default)]
pub struct Segregator<const THRESHOLD: usize, Small, Large> {
    /// Holds exactly the live blocks of at most `THRESHOLD` bytes.
    small: Small,
    /// Holds exactly the live blocks of more than `THRESHOLD` bytes.
    large: Large,
}

impl<const THRESHOLD: usize, Small, Large> Segregator<THRESHOLD, Small, Large> {
    /// The composite: requests up to `THRESHOLD` bytes to `small`, the
    /// rest to `large`.
    ///
    /// ```
    /// use alloc_runtime::{Global, Null, Segregator};
    /// use allocator_api2::boxed::Box;
    ///
    /// // Refuses what is over 16 bytes.
    /// const SMALL_ONLY: Segregator<16, Global, Null> = Segregator::new(Global, Null);
    /// assert!(Box::try_new_in([0u8; 16], &SMALL_ONLY).is_ok());
    /// assert!(Box::try_new_in([0u8; 17], &SMALL_ONLY).is_err());
    /// ```
    pub const fn new(small: Small, large: Large) -> Self {
        Self { small, large }
    }

    /// The part for requests of at most `THRESHOLD` bytes.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Global, Segregator};
    /// use allocator_api2::boxed::Box;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = Segregator::<8, _, _>::new(Bump::new(&mut buf), Global);
    /// let b = Box::new_in(1u64, &a);
    /// assert!(a.small().owns(&*b as *const u64 as *const u8));
    /// ```
    pub const fn small(&self) -> &Small {
        &self.small
    }

    /// The part for requests over `THRESHOLD` bytes.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Global, Segregator};
    /// use allocator_api2::boxed::Box;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = Segregator::<8, Global, _>::new(Global, Bump::new(&mut buf));
    /// let b = Box::new_in([1u64; 2], &a);
    /// assert!(a.large().owns(b.as_ptr().cast()));
    /// ```
    pub const fn large(&self) -> &Large {
        &self.large
    }

    /// The two parts, small first.
    ///
    /// ```
    /// use alloc_runtime::{Global, Null, Segregator};
    /// let (small, large) = Segregator::<8, _, _>::new(Null, Global).into_parts();
    /// assert_eq!((small, large), (Null, Global));
    /// ```
    pub fn into_parts(self) -> (Small, Large) {
        (self.small, self.large)
    }
}

// SAFETY: every block handed out is one a part just handed out for the same
// length and alignment, so it is valid, aligned and disjoint from all else
// that is live by that part's contract. The invariant on the fields (the
// small part holds exactly the live blocks of at most `THRESHOLD` bytes)
// holds because `alloc` asks the side the length names and `resize`/`remap`
// pass a block on only when its new length is on the same side; so the
// block a caller names with its current length (the contracts of `resize`,
// `remap` and `free`) is a live block of the part that length names, which
// receives it with the caller's arguments. `validate` only compares lengths
// before a part's `validate`. Nothing here unwinds.
unsafe impl<const THRESHOLD: usize, Small: RawAlloc, Large: RawAlloc> RawAlloc
    for Segregator<THRESHOLD, Small, Large>
{
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if len <= THRESHOLD {
            self.small.alloc(len, align, caller)
        } else {
            large_alloc(&self.large, len, align, caller)
        }
    }

    /// The part the length names zeroes it (`calloc`, for a large part over
    /// the system allocator).
    #[inline(always)]
    fn alloc_zeroed(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if len <= THRESHOLD {
            self.small.alloc_zeroed(len, align, caller)
        } else {
            self.large.alloc_zeroed(len, align, caller)
        }
    }

    #[inline(always)]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        match (memory.len() <= THRESHOLD, new_len <= THRESHOLD) {
            // SAFETY: the caller's `resize` contract: `memory` is a live,
            // non-empty block with its current length; a length of at most
            // `THRESHOLD` makes it the small part's (the field invariant),
            // and the new length keeps it on that side.
            (true, true) => unsafe { self.small.resize(memory, align, new_len, caller) },
            // SAFETY: as above, for a length over `THRESHOLD`: the large
            // part's block, staying on its side.
            (false, false) => unsafe { self.large.resize(memory, align, new_len, caller) },
            // Across the threshold: the caller moves it.
            _ => false,
        }
    }

    #[inline(always)]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        match (memory.len() <= THRESHOLD, new_len <= THRESHOLD) {
            // SAFETY: the caller's `remap` contract: `memory` is a live,
            // non-empty block with its current length; a length of at most
            // `THRESHOLD` makes it the small part's (the field invariant),
            // and the new length keeps it on that side.
            (true, true) => unsafe { self.small.remap(memory, align, new_len, caller) },
            // SAFETY: as above, for a length over `THRESHOLD`: the large
            // part's block, staying on its side.
            (false, false) => unsafe { self.large.remap(memory, align, new_len, caller) },
            // Across the threshold: the caller moves it.
            _ => None,
        }
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        if memory.len() <= THRESHOLD {
            // SAFETY: the caller's `free` contract: `memory` is a live,
            // non-empty block with its current length, not used again; a
            // length of at most `THRESHOLD` makes it the small part's (the
            // field invariant).
            unsafe { self.small.free(memory, align, caller) }
        } else {
            // SAFETY: as above: a length over `THRESHOLD` makes it the large
            // part's.
            unsafe { self.large.free(memory, align, caller) }
        }
    }

    /// Asks the part the length names.
    #[inline(always)]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        if memory.len() <= THRESHOLD {
            self.small.validate(memory, align, caller)
        } else {
            self.large.validate(memory, align, caller)
        }
    }
}

// SAFETY: a live block of the segregator, or a non-empty prefix of one, lies
// in a live block of one part, which answers `true` for it by its own
// contract (a prefix may be short enough to name the other side, so both
// parts are asked, not the one the length names). A range disjoint from all
// the memory the segregator manages is disjoint from all each part manages,
// so both answer `false`. Neither `owns` reads memory or unwinds.
unsafe impl<const THRESHOLD: usize, Small: Owns, Large: Owns> Owns
    for Segregator<THRESHOLD, Small, Large>
{
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.small.owns(memory) || self.large.owns(memory)
    }
}

/// The large part's `alloc`, out of line: the small part's path, inlined
/// into the caller, then keeps no registers for the large part's call
/// (`malloc`, mostly), which costs far more than a call anyway.
#[inline(never)]
fn large_alloc<L: RawAlloc>(
    large: &L,
    len: usize,
    align: Alignment,
    caller: Caller,
) -> Option<NonNull<u8>> {
    large.alloc(len, align, caller)
}
