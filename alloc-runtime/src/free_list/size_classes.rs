//! [`SizeClasses`]: one free list per size class over one parent.

use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

use super::stack::Stack;

/// Recycles small blocks of mixed sizes (D's `Bucketizer` of free lists,
/// the size classes of every malloc): requests of up to `STEP * CLASSES`
/// bytes are rounded up to a multiple of `STEP` and served from that
/// class's kept blocks, refilled from the one parent; larger requests go
/// to the parent unchanged. With the defaults, classes of 16, 32, ...,
/// 256 bytes.
///
/// - **Classes**: class `i` serves lengths `i * STEP + 1 ..= (i + 1) *
///   STEP` with blocks of `(i + 1) * STEP` bytes.
/// - **Alignment served**: the largest power of two dividing `STEP`, at
///   most 16 ([`ALIGN`](Self::ALIGN)); requests asking for more go to the
///   parent unchanged, whatever their length.
/// - **Bound**: [`with_max_kept`](Self::with_max_kept) caps the blocks kept
///   *per class*; frees past it go back to the parent.
/// - **`resize` / `remap`**: within one class, in place at no cost; both
///   lengths above the classes, the parent's; otherwise refused, so the
///   caller moves the block to its new class.
/// - **Drop**: every kept block goes back to the parent with its class's
///   length and [`ALIGN`](Self::ALIGN).
///
/// A hit is the class index (a subtract and a shift when `STEP` is a
/// power of two), a compare, and a pop of that class's stack. Length 0
/// (which the handle and bridge never pass) goes to the parent.
///
/// `STEP` must be at least the size of a pointer (a kept block holds a
/// link), `CLASSES` at least 1, and `STEP * CLASSES` must not overflow;
/// other values do not compile.
///
/// # Miri
///
/// As for [`FreeList`](super::FreeList#miri): under Stacked Borrows, a
/// `Box<T>` shorter than its class block hands back a pointer whose
/// provenance covers `size_of::<T>()` bytes, and Miri reports its reuse
/// or return (rust-lang/miri#2104); Tree Borrows accepts it.
///
/// # Examples
///
/// Over an [`Arena`](crate::Arena), freed blocks are recycled instead of
/// lost: a freed 24-byte block (class 32) comes back for the next 20-byte
/// request.
///
/// ```
/// use alloc_runtime::{Alignment, Arena, Caller, RawAlloc, SizeClasses};
/// use core::ptr::NonNull;
///
/// let classes: SizeClasses<Arena> = SizeClasses::new(Arena::new());
/// let a = classes.alloc(24, Alignment::ONE, Caller::here()).unwrap();
/// // SAFETY: `a` is the live 24-byte block just allocated, freed once.
/// unsafe { classes.free(NonNull::slice_from_raw_parts(a, 24), Alignment::ONE, Caller::here()) };
/// assert_eq!(classes.kept(), 1);
/// let b = classes.alloc(20, Alignment::ONE, Caller::here()).unwrap();
/// assert_eq!(a, b, "the same 32-byte block");
/// assert_eq!(classes.inner().stats().used, 32, "one block taken from the arena");
/// # // SAFETY: `b` is live, 20 bytes.
/// # unsafe { classes.free(NonNull::slice_from_raw_parts(b, 20), Alignment::ONE, Caller::here()) };
/// ```
///
/// With collections, through the allocator-api2 bridge:
///
/// ```
/// use alloc_runtime::{Counting, Global, SizeClasses};
/// use allocator_api2::vec::Vec;
///
/// let classes: SizeClasses<_> = SizeClasses::new(Counting::new(Global));
/// for round in 0..100u64 {
///     let mut v = Vec::new_in(&classes);
///     v.extend([round; 4]); // 32 bytes
/// }
/// assert_eq!(classes.inner().stats().allocations, 1, "one block, reused 100 times");
/// ```
#[derive(alloc_derive::Allocator)]
pub struct SizeClasses<A: RawAlloc, const STEP: usize = 16, const CLASSES: usize = 16> {
    parent: A,
    /// Kept blocks per class: those of `classes[i]` were allocated from
    /// `parent` with `(i + 1) * STEP` bytes and [`Self::ALIGN`]; at most
    /// `max_kept` in each.
    classes: [Stack; CLASSES],
    max_kept: usize,
}

impl<A: RawAlloc, const STEP: usize, const CLASSES: usize> SizeClasses<A, STEP, CLASSES> {
    /// The alignment of every class block, and the largest served: the
    /// largest power of two dividing `STEP`, at most 16.
    ///
    /// ```
    /// use alloc_runtime::{Global, SizeClasses};
    /// assert_eq!(SizeClasses::<Global>::ALIGN.to_bytes(), 16);
    /// assert_eq!(SizeClasses::<Global, 24, 4>::ALIGN.to_bytes(), 8);
    /// ```
    pub const ALIGN: Alignment = {
        let lowest_bit = STEP & STEP.wrapping_neg();
        let capped = if lowest_bit == 0 || lowest_bit > 16 {
            16
        } else {
            lowest_bit
        };
        match Alignment::new(capped) {
            Some(a) => a,
            None => Alignment::ONE,
        }
    };

    /// The longest request served from the classes: `STEP * CLASSES`.
    ///
    /// ```
    /// use alloc_runtime::{Global, SizeClasses};
    /// assert_eq!(SizeClasses::<Global>::MAX_LEN, 256);
    /// ```
    pub const MAX_LEN: usize = STEP.wrapping_mul(CLASSES);

    /// Size classes over `parent` that keep every freed block (until they
    /// are dropped, when the blocks go back to the parent).
    ///
    /// ```
    /// use alloc_runtime::{Global, SizeClasses};
    /// let classes: SizeClasses<Global> = const { SizeClasses::new(Global) };
    /// assert_eq!(classes.kept(), 0);
    /// ```
    pub const fn new(parent: A) -> Self {
        Self::with_max_kept(parent, usize::MAX)
    }

    /// Size classes over `parent` that keep at most `max_kept` freed
    /// blocks in each class; further frees go back to the parent.
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, SizeClasses};
    /// use allocator_api2::boxed::Box;
    ///
    /// let classes: SizeClasses<_> = SizeClasses::with_max_kept(Counting::new(Global), 1);
    /// let (a, b, c) = (Box::new_in(1u8, &classes), Box::new_in(2u8, &classes), Box::new_in([0u8; 100], &classes));
    /// drop((a, b, c));
    /// assert_eq!(classes.kept(), 2, "one of class 16, one of class 112");
    /// assert_eq!(classes.inner().stats().frees, 1);
    /// ```
    ///
    /// Nonsense parameters are refused when the type is used:
    ///
    /// ```compile_fail
    /// use alloc_runtime::{Global, SizeClasses};
    /// let c: SizeClasses<Global, 2, 8> = SizeClasses::new(Global); // STEP below a pointer
    /// ```
    ///
    /// ```compile_fail
    /// use alloc_runtime::{Global, SizeClasses};
    /// let c: SizeClasses<Global, 16, 0> = SizeClasses::new(Global); // no classes
    /// ```
    ///
    /// ```compile_fail
    /// use alloc_runtime::{Global, SizeClasses};
    /// let c: SizeClasses<Global, { usize::MAX / 2 }, 4> = SizeClasses::new(Global); // overflow
    /// ```
    pub const fn with_max_kept(parent: A, max_kept: usize) -> Self {
        const {
            assert!(
                STEP >= size_of::<*mut u8>(),
                "SizeClasses: STEP is smaller than a pointer, which a kept block must hold; write a STEP of at least size_of::<*mut u8>() (8 on 64-bit targets)"
            );
            assert!(
                CLASSES >= 1,
                "SizeClasses: CLASSES is 0, so nothing would be recycled; write at least 1 class"
            );
            assert!(
                STEP.checked_mul(CLASSES).is_some(),
                "SizeClasses: STEP * CLASSES overflows usize; write a smaller STEP or fewer CLASSES"
            );
        }
        Self {
            parent,
            classes: [const { Stack::new() }; CLASSES],
            max_kept,
        }
    }

    /// The number of freed blocks kept for reuse, in all classes.
    ///
    /// ```
    /// use alloc_runtime::{Global, SizeClasses};
    /// use allocator_api2::boxed::Box;
    ///
    /// let classes: SizeClasses<Global> = SizeClasses::new(Global);
    /// drop((Box::new_in(1u8, &classes), Box::new_in([0u8; 40], &classes)));
    /// assert_eq!(classes.kept(), 2);
    /// ```
    pub fn kept(&self) -> usize {
        self.classes.iter().map(Stack::len).sum()
    }

    /// The number of freed blocks kept in class `class` (the blocks of
    /// `(class + 1) * STEP` bytes); 0 past the last class.
    ///
    /// ```
    /// use alloc_runtime::{Global, SizeClasses};
    /// use allocator_api2::boxed::Box;
    ///
    /// let classes: SizeClasses<Global> = SizeClasses::new(Global);
    /// drop(Box::new_in([0u8; 40], &classes)); // class 2: 33..=48 bytes
    /// assert_eq!((classes.kept_in(2), classes.kept_in(1)), (1, 0));
    /// ```
    pub fn kept_in(&self, class: usize) -> usize {
        self.classes.get(class).map_or(0, Stack::len)
    }

    /// The bound on kept blocks per class (`usize::MAX` for
    /// [`new`](Self::new)).
    ///
    /// ```
    /// use alloc_runtime::{Global, SizeClasses};
    /// let classes: SizeClasses<Global> = SizeClasses::with_max_kept(Global, 8);
    /// assert_eq!(classes.max_kept(), 8);
    /// ```
    pub const fn max_kept(&self) -> usize {
        self.max_kept
    }

    /// The parent.
    ///
    /// ```
    /// use alloc_runtime::{Counting, Global, SizeClasses};
    /// let classes: SizeClasses<_> = SizeClasses::new(Counting::new(Global));
    /// assert_eq!(classes.inner().stats().allocations, 0);
    /// ```
    pub const fn inner(&self) -> &A {
        &self.parent
    }

    /// The class of a block of `len` bytes at `align` and its stack, or
    /// `None` when the parent serves it: a subtract, a shift (a divide if
    /// `STEP` is not a power of two), two compares. Length 0 wraps to a
    /// class past the last.
    #[inline(always)]
    fn class(&self, len: usize, align: Alignment) -> Option<(usize, &Stack)> {
        let i = len.wrapping_sub(1) / STEP;
        match self.classes.get(i) {
            Some(stack) if align.to_bytes() <= Self::ALIGN.to_bytes() => Some((i, stack)),
            _ => None,
        }
    }

    /// The class index alone, for `resize`'s same-class question.
    #[inline(always)]
    fn index(len: usize, align: Alignment) -> Option<usize> {
        let i = len.wrapping_sub(1) / STEP;
        (i < CLASSES && align.to_bytes() <= Self::ALIGN.to_bytes()).then_some(i)
    }

    /// The whole parent block of class `i` at `ptr`.
    #[inline(always)]
    fn block(ptr: NonNull<u8>, i: usize) -> NonNull<[u8]> {
        NonNull::slice_from_raw_parts(ptr, (i + 1) * STEP)
    }

    /// Every request no kept block serves, out of line with the hit's own
    /// arguments (a tail call, so the hit path saves no registers): a fresh
    /// block of its class from the parent, or the request itself past the
    /// classes.
    #[inline(never)]
    fn miss(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        match Self::index(len, align) {
            Some(i) => self.parent.alloc((i + 1) * STEP, Self::ALIGN, caller),
            None => self.parent.alloc(len, align, caller),
        }
    }
}

impl<A: RawAlloc + core::fmt::Debug, const STEP: usize, const CLASSES: usize> core::fmt::Debug
    for SizeClasses<A, STEP, CLASSES>
{
    /// The parent, the number of kept blocks (in all classes) and the
    /// bound per class.
    ///
    /// ```
    /// use alloc_runtime::{Global, SizeClasses};
    /// let classes: SizeClasses<Global> = SizeClasses::with_max_kept(Global, 4);
    /// assert_eq!(format!("{classes:?}"), "SizeClasses { parent: Global, kept: 0, max_kept: 4 }");
    /// ```
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SizeClasses")
            .field("parent", &self.parent)
            .field("kept", &self.kept())
            .field("max_kept", &self.max_kept)
            .finish()
    }
}

impl<A: RawAlloc, const STEP: usize, const CLASSES: usize> Drop for SizeClasses<A, STEP, CLASSES> {
    fn drop(&mut self) {
        for (i, stack) in self.classes.iter().enumerate() {
            while let Some(block) = stack.pop() {
                // SAFETY: every block kept in class `i` was allocated from
                // `parent` with `(i + 1) * STEP` bytes and `ALIGN` (the
                // invariant on `classes`), is live there and used by no one.
                unsafe {
                    self.parent
                        .free(Self::block(block, i), Self::ALIGN, Caller::here());
                }
            }
        }
    }
}

// SAFETY: a request of class `i` gets a kept block of that class or a fresh
// parent block, both of `(i + 1) * STEP >= len` bytes at `ALIGN >= align`,
// and nobody else's: kept blocks were freed to us (`free`'s contract) and
// are popped once. The class is a function of `(len, align)`, which
// `free`'s and `resize`'s contracts make the same as at allocation (or as
// left by a successful in-class resize, which keeps the class), so every
// block goes back to the parent with the length and alignment it was
// allocated with: its class's, or the caller's own out of the classes.
// The parent's blocks stay valid while the size classes (which own the
// parent) live.
unsafe impl<A: RawAlloc, const STEP: usize, const CLASSES: usize> RawAlloc
    for SizeClasses<A, STEP, CLASSES>
{
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if let Some((_, stack)) = self.class(len, align) {
            if let Some(block) = stack.pop() {
                return Some(block);
            }
        }
        self.miss(len, align, caller)
    }

    #[inline(always)]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        match (
            Self::index(memory.len(), align),
            Self::index(new_len, align),
        ) {
            (Some(old), Some(new)) => old == new,
            // SAFETY: out of the classes, `memory` is the parent's own block
            // with its length and alignment (`resize`'s contract, routed the
            // same way as at allocation); `new_len > 0` by that contract.
            (None, None) => unsafe { self.parent.resize(memory, align, new_len, caller) },
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
        match (
            Self::index(memory.len(), align),
            Self::index(new_len, align),
        ) {
            (Some(old), Some(new)) => (old == new).then_some(memory.cast()),
            // SAFETY: as in `resize`: the parent's own block, as allocated.
            (None, None) => unsafe { self.parent.remap(memory, align, new_len, caller) },
            _ => None,
        }
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        match self.class(memory.len(), align) {
            None => {
                // SAFETY: out of the classes, `memory` is the parent's block
                // with the length and alignment it was allocated with
                // (`free`'s contract).
                unsafe { self.parent.free(memory, align, caller) };
            }
            Some((_, stack)) if stack.len() < self.max_kept => {
                // SAFETY: `memory` is a class block of at least `STEP >=
                // size_of::<*mut u8>()` bytes from the parent, live there
                // while we live, and not used again by the caller (`free`'s
                // contract): it is ours to keep.
                unsafe { stack.push(memory.cast()) };
            }
            Some((i, _)) => {
                // SAFETY: a block of class `i`, allocated from the parent
                // with `(i + 1) * STEP` bytes and `ALIGN`; not used again.
                unsafe {
                    self.parent
                        .free(Self::block(memory.cast(), i), Self::ALIGN, caller);
                }
            }
        }
    }

    #[inline]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        match Self::index(memory.len(), align) {
            Some(i) => self
                .parent
                .validate(Self::block(memory.cast(), i), Self::ALIGN, caller),
            None => self.parent.validate(memory, align, caller),
        }
    }
}

// SAFETY: as for `FreeList`: every block handed out is a parent block or,
// in a class, a prefix of one (the class block starts at the same address),
// live in the parent while handed out, so the parent answers `true` (the
// `Owns` contract's promise for a block and a prefix of it). Kept blocks
// are memory the size classes manage, so the parent's `true` for a stale
// pointer into one answers for no one else's memory; a range disjoint from
// all the parent's memory is disjoint from all of ours and gets `false`.
unsafe impl<A: RawAlloc + Owns, const STEP: usize, const CLASSES: usize> Owns
    for SizeClasses<A, STEP, CLASSES>
{
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.parent.owns(memory)
    }
}
