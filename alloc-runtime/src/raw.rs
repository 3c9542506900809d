//! [`RawAlloc`]: the four functions every allocator implements.

use core::ptr::NonNull;

use crate::{Alignment, Caller, Handle, ThreadSafe};

/// The four allocator functions: `alloc`, `resize`, `remap`, `free`.
///
/// This is Zig's `std.mem.Allocator.VTable` as a Rust trait. All four take
/// `&self`, so many collections can share one allocator; allocators with state
/// use interior mutability (`Cell` for single-threaded ones, atomics or locks
/// for `Sync` ones).
///
/// Implement `alloc` and `free`; `resize` and `remap` default to "cannot",
/// which callers handle by allocating, copying and freeing. Then
/// `#[derive(Allocator)]` (feature `derive`) adds the type-erased
/// [`allocator()`](Handle) handle and the allocator-api2 `Allocator` impl, so
/// the type works with `allocator_api2::vec::Vec`, `Box`, and `hashbrown`.
///
/// # Zero sizes
///
/// Zero-size requests never reach these functions from this crate: the
/// [`Handle`]'s helpers and the allocator-api2 bridge answer them with a
/// dangling, aligned pointer and drop their frees, as Zig's `Allocator` does.
/// A direct call with `len == 0` is allowed and must not be undefined
/// behaviour, but its result is up to the implementation.
///
/// # Safety
///
/// Implementations promise, for every call that meets the preconditions
/// written on each method:
///
/// - **memory handed out is the caller's alone.** Memory returned by
///   `alloc` and `remap`, and memory extended by `resize`, is valid for reads
///   and writes of the requested length, aligned to the requested alignment,
///   and disjoint from everything else that is live: every other live
///   allocation, *whoever* allocated it (this allocator, a clone or copy of
///   it, or any other allocator), and any memory the allocator itself uses;
/// - it stays valid until it is passed to `free`, or to a `resize` that
///   returns `true` or a `remap` that returns `Some` (which then describe the
///   new extent), or until the allocator is dropped — moving the allocator
///   does not invalidate it (the allocator-api2 rule);
/// - **clones and copies behave as one allocator.** If the type is `Clone`
///   (or `Copy`), a clone or copy acts as the same allocator: memory from one
///   may be passed to `resize`, `remap`, `free` and `validate` of any other,
///   and stays valid while any of them is alive (allocator-api2's rule for
///   `Allocator`, which `#[derive(Allocator)]` implements on top of these
///   functions). A type whose clones would hand out the same memory twice
///   (a copy of a bump pointer, say) must not be `Clone`;
/// - memory returned by `alloc_zeroed` is zeroed (all its `len` bytes);
/// - `validate` never reads or writes through the pointer it is given;
/// - none of the functions unwinds;
/// - a `Sync` implementation is sound to call from several threads at once.
///
/// # Examples
///
/// A minimal allocator that forwards to the global one (`alloc` feature):
///
/// ```
/// use alloc_runtime::{Alignment, Caller, RawAlloc};
/// use core::alloc::Layout;
/// use core::ptr::NonNull;
/// extern crate alloc;
///
/// struct Global;
///
/// // SAFETY: the global allocator hands out valid blocks, disjoint from
/// // everything else live, for `Layout`s built from the same length and
/// // alignment that free receives; all values of `Global` are one allocator.
/// unsafe impl RawAlloc for Global {
///     fn alloc(&self, len: usize, align: Alignment, _: Caller) -> Option<NonNull<u8>> {
///         let layout = Layout::from_size_align(len, align.to_bytes()).ok()?;
///         if len == 0 {
///             return None;
///         }
///         // SAFETY: the layout has a non-zero size.
///         NonNull::new(unsafe { alloc::alloc::alloc(layout) })
///     }
///
///     unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, _: Caller) {
///         // SAFETY: `free`'s contract: `memory` came from `alloc` with this
///         // length and alignment, which formed a valid layout then.
///         unsafe {
///             let layout = Layout::from_size_align_unchecked(memory.len(), align.to_bytes());
///             alloc::alloc::dealloc(memory.cast().as_ptr(), layout);
///         }
///     }
/// }
///
/// let handle = Global.allocator();
/// let p = handle.create(42u64).unwrap();
/// // SAFETY: `p` came from `create` on this handle and is destroyed once.
/// unsafe { handle.destroy(p) };
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement the four allocator functions",
    label = "`{Self}` is not an allocator",
    note = "write `unsafe impl RawAlloc for {Self}` with `alloc` and `free`, or mark the field to delegate to with `#[allocator(parent)]`"
)]
pub unsafe trait RawAlloc {
    /// Returns a pointer to `len` bytes aligned to `align`, or `None` when the
    /// request cannot be served.
    ///
    /// Never panics: running out of memory, or a request too large to
    /// describe, is `None`. `caller` names the source line that asked, for
    /// layers that log or track; allocators that ignore it pay nothing.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Bump, Caller, RawAlloc};
    /// use core::mem::MaybeUninit;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// // `bump.alloc(value)` is the typed API's; the raw function is called by path.
    /// let p = RawAlloc::alloc(&bump, 8, Alignment::of::<u64>(), Caller::here()).unwrap();
    /// assert!(Alignment::of::<u64>().is_aligned(p.as_ptr() as usize));
    /// assert!(RawAlloc::alloc(&bump, 1 << 20, Alignment::ONE, Caller::here()).is_none());
    /// ```
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>>;

    /// [`alloc`](Self::alloc), with the memory zeroed.
    ///
    /// The default allocates and writes the zeros. An allocator that can do
    /// better overrides it: `std::alloc::System` and [`Global`](crate::Global)
    /// call `calloc`-style `alloc_zeroed`, which for large blocks takes
    /// fresh pages the system already zeroed instead of writing them, and
    /// wrappers made with `#[derive(Allocator)]` pass it to their parent
    /// (unless they override `alloc`). `vec![0; n]` and `GlobalAlloc`'s
    /// `alloc_zeroed` end up here.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Bump, Caller, RawAlloc};
    /// use core::mem::MaybeUninit;
    ///
    /// let mut buf = [MaybeUninit::new(0xAAu8); 64];
    /// let bump = Bump::new(&mut buf);
    /// let p = bump.alloc_zeroed(16, Alignment::ONE, Caller::here()).unwrap();
    /// // SAFETY: `p` is a live block of 16 bytes, initialized (zeroed).
    /// assert_eq!(unsafe { core::slice::from_raw_parts(p.as_ptr(), 16) }, [0; 16]);
    /// ```
    #[inline]
    fn alloc_zeroed(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let block = self.alloc(len, align, caller)?;
        // SAFETY: `alloc`'s contract: `block` is valid for writes of `len`
        // bytes and the caller's alone.
        unsafe { block.as_ptr().write_bytes(0, len) };
        Some(block)
    }

    /// Tries to change the length of `memory` **in place**, growing or
    /// shrinking it; returns whether it did. On `false` nothing changed.
    ///
    /// The default never resizes.
    ///
    /// # Safety
    ///
    /// - `memory` is a live allocation of this allocator (from `alloc`, or as
    ///   left by a successful `resize`/`remap`), with exactly its current
    ///   length, and `align` is the alignment it was allocated with;
    /// - `memory.len()` and `new_len` are both greater than zero.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Bump, Caller, RawAlloc};
    /// use core::{mem::MaybeUninit, ptr::NonNull};
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let p = RawAlloc::alloc(&bump, 8, Alignment::ONE, Caller::here()).unwrap();
    /// // SAFETY: `p` is the live 8-byte allocation just made, alignment 1.
    /// let grown = unsafe {
    ///     bump.resize(NonNull::slice_from_raw_parts(p, 8), Alignment::ONE, 32, Caller::here())
    /// };
    /// assert!(grown); // the most recent allocation grows in place
    /// assert_eq!(bump.used(), 32);
    /// ```
    #[inline]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        let _ = (memory, align, new_len, caller);
        false
    }

    /// Changes the length of `memory`, moving it if the allocator can do that
    /// more cheaply than allocate + copy + free (for example with `mremap`).
    /// Returns the (possibly new) address, or `None` when the caller should
    /// fall back to allocate + copy + free. On `Some`, the first
    /// `min(memory.len(), new_len)` bytes are preserved and the old memory is
    /// no longer valid unless the address is unchanged.
    ///
    /// The default never remaps.
    ///
    /// # Safety
    ///
    /// The same as [`resize`](Self::resize).
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Bump, Caller, RawAlloc};
    /// use core::{mem::MaybeUninit, ptr::NonNull};
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let p = RawAlloc::alloc(&bump, 16, Alignment::ONE, Caller::here()).unwrap();
    /// // SAFETY: `p` is the live 16-byte allocation just made, alignment 1.
    /// let q = unsafe {
    ///     bump.remap(NonNull::slice_from_raw_parts(p, 16), Alignment::ONE, 4, Caller::here())
    /// };
    /// assert_eq!(q, Some(p));
    /// assert_eq!(bump.used(), 4);
    /// ```
    #[inline]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        let _ = (memory, align, new_len, caller);
        None
    }

    /// Gives `memory` back to the allocator. Never fails; an allocator that
    /// cannot reuse memory (a bump allocator, mostly) may ignore it.
    ///
    /// # Safety
    ///
    /// - `memory` is a live allocation of this allocator with exactly its
    ///   current length, and `align` is the alignment it was allocated with;
    /// - `memory.len()` is greater than zero;
    /// - `memory` is not used again.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Bump, Caller, RawAlloc};
    /// use core::{mem::MaybeUninit, ptr::NonNull};
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let p = RawAlloc::alloc(&bump, 16, Alignment::ONE, Caller::here()).unwrap();
    /// // SAFETY: `p` is the live 16-byte allocation just made and is not used again.
    /// unsafe { bump.free(NonNull::slice_from_raw_parts(p, 16), Alignment::ONE, Caller::here()) };
    /// assert_eq!(bump.used(), 0); // the most recent allocation gives its bytes back
    /// ```
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller);

    /// Whether `memory`, allocated with `align`, can be a live allocation of
    /// this allocator with exactly this length, as far as the allocator can
    /// tell.
    ///
    /// Callers ask before they *read* a block to move it — the
    /// allocate-copy-free fallback of growing and shrinking in the
    /// [`bridge`](crate::bridge) and [`Handle::realloc`] — and give up
    /// (`Err`/`None`, nothing copied, nothing freed) on `false`. An allocator
    /// that keeps records (a checking allocator such as `DebugAlloc`, a bump
    /// that knows its buffer) answers `false` for memory it did not hand out
    /// or for the wrong length or alignment, and may record the misuse; one
    /// without records answers `true`. A wrapper forwards the question to
    /// its parent (`#[derive(Allocator)]` does).
    ///
    /// `false` diagnoses a caller's bug; it is not a refusal for lack of
    /// memory. The call is safe with any arguments: implementations compare
    /// addresses and lengths and never dereference `memory`.
    ///
    /// The default answers `true`.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Caller, RawAlloc};
    /// use core::ptr::NonNull;
    ///
    /// /// Refuses everything; has no records, so it cannot tell.
    /// struct Refuse;
    ///
    /// // SAFETY: hands out no memory at all.
    /// unsafe impl RawAlloc for Refuse {
    ///     fn alloc(&self, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
    ///         None
    ///     }
    ///     unsafe fn free(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}
    /// }
    ///
    /// let memory = NonNull::slice_from_raw_parts(NonNull::<u8>::dangling(), 8);
    /// assert!(Refuse.validate(memory, Alignment::ONE, Caller::here()));
    /// ```
    #[inline]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        let _ = (memory, align, caller);
        true
    }

    /// A type-erased [`Handle`] to this allocator (context pointer + vtable).
    ///
    /// Types with `#[derive(Allocator)]` also have this as an inherent method,
    /// so it needs no import there.
    ///
    /// ```
    /// use alloc_runtime::{Bump, RawAlloc};
    /// use core::mem::MaybeUninit;
    ///
    /// fn erase<A: RawAlloc>(a: &A) -> alloc_runtime::Handle<'_> {
    ///     a.allocator()
    /// }
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// assert!(erase(&bump).create(1u8).is_ok());
    /// ```
    #[inline]
    fn allocator(&self) -> Handle<'_>
    where
        Self: Sized,
    {
        Handle::new(self)
    }

    /// A type-erased handle that may cross threads, for `Sync` allocators.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Caller, RawAlloc};
    /// use core::ptr::NonNull;
    ///
    /// /// Refuses everything; it has no state, so it is `Sync`.
    /// struct Refuse;
    ///
    /// // SAFETY: hands out no memory at all.
    /// unsafe impl RawAlloc for Refuse {
    ///     fn alloc(&self, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
    ///         None
    ///     }
    ///     unsafe fn free(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}
    /// }
    ///
    /// let handle = Refuse.sync_allocator();
    /// std::thread::scope(|s| {
    ///     s.spawn(move || assert!(handle.create(1u8).is_err()));
    /// });
    /// ```
    #[inline]
    fn sync_allocator(&self) -> Handle<'_, ThreadSafe>
    where
        Self: Sized + Sync,
    {
        Handle::new_sync(self)
    }
}

macro_rules! forward_raw_alloc {
    ($($(#[$attr:meta])* [$($generics:tt)*] $ty:ty;)*) => {$(
        $(#[$attr])*
        // SAFETY: every call is forwarded unchanged to the allocator behind
        // the pointer, which upholds the contract; forwarding adds nothing.
        unsafe impl<$($generics)*> RawAlloc for $ty {
            #[inline(always)]
            fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
                A::alloc(self, len, align, caller)
            }

            #[inline(always)]
            fn alloc_zeroed(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
                A::alloc_zeroed(self, len, align, caller)
            }

            #[inline(always)]
            unsafe fn resize(
                &self,
                memory: NonNull<[u8]>,
                align: Alignment,
                new_len: usize,
                caller: Caller,
            ) -> bool {
                // SAFETY: the caller upholds `resize`'s contract for the same allocator.
                unsafe { A::resize(self, memory, align, new_len, caller) }
            }

            #[inline(always)]
            unsafe fn remap(
                &self,
                memory: NonNull<[u8]>,
                align: Alignment,
                new_len: usize,
                caller: Caller,
            ) -> Option<NonNull<u8>> {
                // SAFETY: the caller upholds `remap`'s contract for the same allocator.
                unsafe { A::remap(self, memory, align, new_len, caller) }
            }

            #[inline(always)]
            unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
                // SAFETY: the caller upholds `free`'s contract for the same allocator.
                unsafe { A::free(self, memory, align, caller) }
            }

            #[inline(always)]
            fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
                A::validate(self, memory, align, caller)
            }
        }
    )*};
}

forward_raw_alloc! {
    ['a, A: RawAlloc + ?Sized] &'a A;
    ['a, A: RawAlloc + ?Sized] &'a mut A;
    #[cfg(feature = "alloc")]
    [A: RawAlloc + ?Sized] alloc::boxed::Box<A>;
    #[cfg(feature = "alloc")]
    [A: RawAlloc + ?Sized] alloc::rc::Rc<A>;
    #[cfg(feature = "alloc")]
    [A: RawAlloc + ?Sized] alloc::sync::Arc<A>;
}
