//! [`Handle`]: a type-erased allocator, Zig's `std.mem.Allocator`.

use core::alloc::Layout;
use core::fmt;
use core::marker::PhantomData;
use core::mem::{align_of, size_of};
use core::ptr::{self, NonNull};

use crate::{Alignment, AllocError, Caller, Local, RawAlloc, ThreadSafe, Threading};

/// The functions of one allocator type, called through a context pointer:
/// what a [`Handle`] carries beside the pointer.
///
/// The counterpart of Zig's `std.mem.Allocator.VTable`. [`VTable::of`] builds
/// the table for any [`RawAlloc`] type; a hand-made table (for an allocator
/// implemented outside Rust, say) is made with [`VTable::new`] (and
/// [`with_validate`](VTable::with_validate)) and goes into a handle through
/// [`Handle::from_raw_parts`]. The fields are private, so the only entries a
/// table has are the [`RawAlloc`] functions it was made from: the handle's
/// allocator-api2 fast paths (`allocate`, `deallocate`, `grow`, `shrink`:
/// one indirect call each) are always built from the table's own functions,
/// and cannot claim more memory than `alloc` handed out.
///
/// Each function's contract is the one of the [`RawAlloc`] method of the same
/// name, plus: `ctx` is the context pointer the handle was made with, and the
/// object behind it is alive.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Alignment, Bump, Caller, VTable};
/// use core::{mem::MaybeUninit, ptr::NonNull};
///
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let bump = Bump::new(&mut buf);
/// let table = VTable::of::<Bump>();
/// let ctx = NonNull::from(&bump).cast();
/// // SAFETY: `ctx` points to a live `Bump`, the type the table was made for.
/// let p = unsafe { (table.alloc())(ctx, 8, Alignment::ONE, Caller::here()) };
/// assert!(p.is_some());
/// assert_eq!(bump.used(), 8);
/// ```
#[derive(Debug)]
pub struct VTable {
    /// [`RawAlloc::alloc`] on the context.
    alloc: AllocFn,
    /// [`RawAlloc::resize`] on the context.
    resize: ResizeFn,
    /// [`RawAlloc::remap`] on the context.
    remap: RemapFn,
    /// [`RawAlloc::free`] on the context.
    free: FreeFn,
    /// [`RawAlloc::validate`] on the context.
    validate: ValidateFn,
    /// allocator-api2's `allocate` on the context: the handle's fast path
    /// for collections, one indirect call straight into the allocator's
    /// inlined `alloc`.
    ///
    /// Invariant (shared by the three entries below it): the
    /// [`bridge`](crate::bridge) over the same allocator as the `alloc`,
    /// `resize`, `remap`, `free` and `validate` entries — over the allocator
    /// type `A` in [`VTable::of::<A>`], over a handle of the table's own five
    /// entries ([`thunk::through_entries`]) in [`VTable::new`]. Private, so
    /// no table can break it: the handle's `Allocator` impl relies on it.
    allocate: AllocateFn,
    /// allocator-api2's `deallocate` on the context: one indirect call
    /// straight into the allocator's inlined `free`. Invariant: as for
    /// `allocate`.
    deallocate: DeallocateFn,
    /// allocator-api2's `grow` on the context: the bridge's in-place
    /// `resize`, `remap`, then allocate + copy + free, all monomorphized
    /// for the allocator. Invariant: as for `allocate`.
    grow: ReallocFn,
    /// allocator-api2's `shrink` on the context, as `grow`. Invariant: as
    /// for `allocate`.
    shrink: ReallocFn,
}

/// [`VTable::alloc`]: [`RawAlloc::alloc`] on a context pointer.
pub type AllocFn = unsafe fn(
    ctx: NonNull<()>,
    len: usize,
    align: Alignment,
    caller: Caller,
) -> Option<NonNull<u8>>;

/// [`VTable::resize`]: [`RawAlloc::resize`] on a context pointer.
pub type ResizeFn = unsafe fn(
    ctx: NonNull<()>,
    memory: NonNull<[u8]>,
    align: Alignment,
    new_len: usize,
    caller: Caller,
) -> bool;

/// [`VTable::remap`]: [`RawAlloc::remap`] on a context pointer.
pub type RemapFn = unsafe fn(
    ctx: NonNull<()>,
    memory: NonNull<[u8]>,
    align: Alignment,
    new_len: usize,
    caller: Caller,
) -> Option<NonNull<u8>>;

/// [`VTable::free`]: [`RawAlloc::free`] on a context pointer.
pub type FreeFn =
    unsafe fn(ctx: NonNull<()>, memory: NonNull<[u8]>, align: Alignment, caller: Caller);

/// [`VTable::validate`]: [`RawAlloc::validate`] on a context pointer.
pub type ValidateFn =
    unsafe fn(ctx: NonNull<()>, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool;

/// allocator-api2's `allocate` on a context pointer, given the table it
/// belongs to. Private: only [`VTable::of`] and [`VTable::new`] fill it.
///
/// The private entries take the context first and the table last, with
/// allocator-api2's arguments between in its own order, so a call leaves
/// those arguments where the handle's method received them and only adds
/// the two words (and the caller); only [`VTable::new`]'s entries read the
/// table. (Taking the handle by reference instead saves one instruction
/// behind `&Handle` but makes a handle held in registers spill to the
/// stack on every call.)
type AllocateFn = unsafe fn(
    ctx: NonNull<()>,
    layout: Layout,
    caller: Caller,
    vtable: &'static VTable,
) -> Result<NonNull<[u8]>, AllocError>;

/// allocator-api2's `deallocate` on a context pointer; private, as
/// [`AllocateFn`].
type DeallocateFn = unsafe fn(
    ctx: NonNull<()>,
    ptr: NonNull<u8>,
    layout: Layout,
    caller: Caller,
    vtable: &'static VTable,
);

/// allocator-api2's `grow` or `shrink` on a context pointer; private, as
/// [`AllocateFn`].
type ReallocFn = unsafe fn(
    ctx: NonNull<()>,
    ptr: NonNull<u8>,
    old_layout: Layout,
    new_layout: Layout,
    caller: Caller,
    vtable: &'static VTable,
) -> Result<NonNull<[u8]>, AllocError>;

impl VTable {
    /// The table for allocator type `A`: a `&'static` constant whose
    /// functions cast the context pointer back to `&A` and call its methods.
    ///
    /// ```
    /// use alloc_runtime::{Bump, VTable};
    /// let table: &'static VTable = VTable::of::<Bump>();
    /// # let _ = table;
    /// ```
    #[inline(always)]
    #[must_use]
    pub const fn of<A: RawAlloc>() -> &'static VTable {
        const {
            &VTable {
                alloc: thunk::alloc::<A>,
                resize: thunk::resize::<A>,
                remap: thunk::remap::<A>,
                free: thunk::free::<A>,
                validate: thunk::validate::<A>,
                allocate: thunk::allocate::<A>,
                deallocate: thunk::deallocate::<A>,
                grow: thunk::grow::<A>,
                shrink: thunk::shrink::<A>,
            }
        }
    }

    /// A table of four hand-written functions (for an allocator implemented
    /// outside Rust, say), like the tables Zig code writes by hand.
    ///
    /// The handle's allocator-api2 methods go through these functions
    /// (`allocate` through `alloc`, `deallocate` through `free`, `grow` and
    /// `shrink` through `resize`, `remap`, `validate`, `alloc` and `free`, as
    /// the [`bridge`](crate::bridge) does), and `validate` answers `true`
    /// ([`VTable::no_validate`]: a table without records cannot tell); give
    /// it a real one with [`with_validate`](Self::with_validate).
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Caller, Handle, VTable};
    /// use core::ptr::NonNull;
    ///
    /// /// Never has memory.
    /// fn alloc(_: NonNull<()>, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
    ///     None
    /// }
    /// static EMPTY: VTable = VTable::new(alloc, VTable::no_resize, VTable::no_remap, VTable::no_free);
    ///
    /// // SAFETY: the functions never touch the context; nothing is ever handed out.
    /// let handle = unsafe { Handle::from_raw_parts(NonNull::dangling(), &EMPTY) };
    /// assert!(handle.create(1u8).is_err());
    /// assert!(handle.create(()).is_ok()); // zero-size: never reaches `alloc`
    /// ```
    #[must_use]
    pub const fn new(alloc: AllocFn, resize: ResizeFn, remap: RemapFn, free: FreeFn) -> VTable {
        VTable {
            alloc,
            resize,
            remap,
            free,
            validate: VTable::no_validate,
            allocate: thunk::through_entries::allocate,
            deallocate: thunk::through_entries::deallocate,
            grow: thunk::through_entries::grow,
            shrink: thunk::through_entries::shrink,
        }
    }

    /// The same table with `validate` as its [`RawAlloc::validate`] entry,
    /// for a hand-made table whose allocator keeps records.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Caller, Handle, RawAlloc, VTable};
    /// use core::ptr::NonNull;
    ///
    /// fn alloc(_: NonNull<()>, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
    ///     None
    /// }
    /// /// Nothing was ever handed out, so nothing is valid.
    /// fn validate(_: NonNull<()>, _: NonNull<[u8]>, _: Alignment, _: Caller) -> bool {
    ///     false
    /// }
    /// static EMPTY: VTable =
    ///     VTable::new(alloc, VTable::no_resize, VTable::no_remap, VTable::no_free).with_validate(validate);
    ///
    /// // SAFETY: the functions never touch the context; nothing is ever handed out.
    /// let handle = unsafe { Handle::from_raw_parts(NonNull::dangling(), &EMPTY) };
    /// let memory = NonNull::slice_from_raw_parts(NonNull::<u8>::dangling(), 8);
    /// assert!(!handle.validate(memory, Alignment::ONE, Caller::here()));
    /// ```
    #[must_use]
    pub const fn with_validate(self, validate: ValidateFn) -> VTable {
        VTable { validate, ..self }
    }

    /// The table's [`RawAlloc::alloc`] entry.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Bump, Caller, VTable};
    /// use core::{mem::MaybeUninit, ptr::NonNull};
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// // SAFETY: `&bump` is a live `Bump`, the type of the table.
    /// let p = unsafe { (VTable::of::<Bump>().alloc())(NonNull::from(&bump).cast(), 4, Alignment::ONE, Caller::here()) };
    /// assert!(p.is_some());
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn alloc(&self) -> AllocFn {
        self.alloc
    }

    /// The table's [`RawAlloc::resize`] entry.
    ///
    /// ```
    /// use alloc_runtime::VTable;
    /// let resize = VTable::new(|_, _, _, _| None, VTable::no_resize, VTable::no_remap, VTable::no_free).resize();
    /// # let _ = resize;
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn resize(&self) -> ResizeFn {
        self.resize
    }

    /// The table's [`RawAlloc::remap`] entry.
    ///
    /// ```
    /// use alloc_runtime::VTable;
    /// let remap = VTable::new(|_, _, _, _| None, VTable::no_resize, VTable::no_remap, VTable::no_free).remap();
    /// # let _ = remap;
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn remap(&self) -> RemapFn {
        self.remap
    }

    /// The table's [`RawAlloc::free`] entry.
    ///
    /// ```
    /// use alloc_runtime::VTable;
    /// let free = VTable::new(|_, _, _, _| None, VTable::no_resize, VTable::no_remap, VTable::no_free).free();
    /// # let _ = free;
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn free(&self) -> FreeFn {
        self.free
    }

    /// The table's [`RawAlloc::validate`] entry.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Caller, VTable};
    /// use core::ptr::NonNull;
    /// let table = VTable::new(|_, _, _, _| None, VTable::no_resize, VTable::no_remap, VTable::no_free);
    /// let memory = NonNull::slice_from_raw_parts(NonNull::<u8>::dangling(), 1);
    /// // SAFETY: `no_validate` never looks at the context.
    /// assert!(unsafe { (table.validate())(NonNull::dangling(), memory, Alignment::ONE, Caller::here()) });
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn validate(&self) -> ValidateFn {
        self.validate
    }

    /// A `resize` that always refuses: Zig's `Allocator.noResize`, for
    /// hand-made tables.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Caller, VTable};
    /// use core::ptr::NonNull;
    /// let mut byte = 0u8;
    /// let memory = NonNull::slice_from_raw_parts(NonNull::from(&mut byte), 1);
    /// assert!(!VTable::no_resize(NonNull::dangling(), memory, Alignment::ONE, 2, Caller::here()));
    /// ```
    pub fn no_resize(
        ctx: NonNull<()>,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        let _ = (ctx, memory, align, new_len, caller);
        false
    }

    /// A `remap` that always refuses: Zig's `Allocator.noRemap`.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Caller, VTable};
    /// use core::ptr::NonNull;
    /// let mut byte = 0u8;
    /// let memory = NonNull::slice_from_raw_parts(NonNull::from(&mut byte), 1);
    /// assert!(VTable::no_remap(NonNull::dangling(), memory, Alignment::ONE, 2, Caller::here()).is_none());
    /// ```
    pub fn no_remap(
        ctx: NonNull<()>,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        let _ = (ctx, memory, align, new_len, caller);
        None
    }

    /// A `free` that does nothing: Zig's `Allocator.noFree`.
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Caller, VTable};
    /// use core::ptr::NonNull;
    /// let mut byte = 0u8;
    /// let memory = NonNull::slice_from_raw_parts(NonNull::from(&mut byte), 1);
    /// VTable::no_free(NonNull::dangling(), memory, Alignment::ONE, Caller::here());
    /// ```
    pub fn no_free(ctx: NonNull<()>, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        let _ = (ctx, memory, align, caller);
    }

    /// A `validate` that answers `true`: the default of [`VTable::new`], for
    /// allocators that keep no records and so cannot tell
    /// ([`RawAlloc::validate`]'s default).
    ///
    /// ```
    /// use alloc_runtime::{Alignment, Caller, VTable};
    /// use core::ptr::NonNull;
    /// let memory = NonNull::slice_from_raw_parts(NonNull::<u8>::dangling(), 1);
    /// assert!(VTable::no_validate(NonNull::dangling(), memory, Alignment::ONE, Caller::here()));
    /// ```
    pub fn no_validate(
        ctx: NonNull<()>,
        memory: NonNull<[u8]>,
        align: Alignment,
        caller: Caller,
    ) -> bool {
        let _ = (ctx, memory, align, caller);
        true
    }
}

/// The functions behind [`VTable::of`]: each casts the context pointer back
/// to `&A` (in [`context`], where the one `unsafe` step lives) and calls `A`.
mod thunk {
    use super::*;

    /// Turns a handle's context pointer back into the allocator it was made from.
    ///
    /// # Safety
    ///
    /// `ctx` was made from a `&'a A` by [`Handle::new`]/[`Handle::new_sync`]
    /// (so it is non-null, aligned, and points to an `A`), and `'a` has not
    /// ended: the handle that carries `ctx` borrows the allocator for `'a`.
    #[inline(always)]
    unsafe fn context<'a, A>(ctx: NonNull<()>) -> &'a A {
        // SAFETY: the function's contract: `ctx` is a live `&'a A`, erased.
        unsafe { ctx.cast::<A>().as_ref() }
    }

    pub(super) unsafe fn alloc<A: RawAlloc>(
        ctx: NonNull<()>,
        len: usize,
        align: Alignment,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        // SAFETY: the vtable contract: `ctx` is the context of a handle made
        // from a live `&A` (this thunk is only reachable through `VTable::of::<A>`).
        let a = unsafe { context::<A>(ctx) };
        a.alloc(len, align, caller)
    }

    pub(super) unsafe fn resize<A: RawAlloc>(
        ctx: NonNull<()>,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: as in `alloc` above.
        let a = unsafe { context::<A>(ctx) };
        // SAFETY: the caller upholds `resize`'s contract for this allocator.
        unsafe { a.resize(memory, align, new_len, caller) }
    }

    pub(super) unsafe fn remap<A: RawAlloc>(
        ctx: NonNull<()>,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        // SAFETY: as in `alloc` above.
        let a = unsafe { context::<A>(ctx) };
        // SAFETY: the caller upholds `remap`'s contract for this allocator.
        unsafe { a.remap(memory, align, new_len, caller) }
    }

    /// allocator-api2's `allocate` on the `A` behind `ctx`: the
    /// [`bridge`](crate::bridge) over `A`.
    ///
    /// # Safety
    ///
    /// `ctx` is the context of a live handle made from a `&A` (the entries
    /// of [`VTable::of::<A>`] are only reachable through such a handle).
    pub(super) unsafe fn allocate<A: RawAlloc>(
        ctx: NonNull<()>,
        layout: Layout,
        caller: Caller,
        _vtable: &'static VTable,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the function's contract: `ctx` is a live `&A`, erased.
        let a = unsafe { context::<A>(ctx) };
        crate::bridge::allocate_at(a, layout, caller)
    }

    /// allocator-api2's `deallocate` on the `A` behind `ctx`.
    ///
    /// # Safety
    ///
    /// As for [`allocate`], and allocator-api2's `deallocate` contract for
    /// the handle `ctx` belongs to.
    pub(super) unsafe fn deallocate<A: RawAlloc>(
        ctx: NonNull<()>,
        ptr: NonNull<u8>,
        layout: Layout,
        caller: Caller,
        _vtable: &'static VTable,
    ) {
        // SAFETY: as in `allocate` above.
        let a = unsafe { context::<A>(ctx) };
        // SAFETY: the caller upholds allocator-api2's contract for the
        // handle, and every block the handle's allocator-api2 methods hand
        // out comes from the bridge over this same `a` (the table's
        // invariant), so it holds for the bridge over `a`.
        unsafe { crate::bridge::deallocate_at(a, ptr, layout, caller) }
    }

    /// allocator-api2's `grow` on the `A` behind `ctx`.
    ///
    /// # Safety
    ///
    /// As for [`allocate`], and allocator-api2's `grow` contract for the
    /// handle `ctx` belongs to.
    pub(super) unsafe fn grow<A: RawAlloc>(
        ctx: NonNull<()>,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
        caller: Caller,
        _vtable: &'static VTable,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: as in `allocate` above.
        let a = unsafe { context::<A>(ctx) };
        // SAFETY: as in `deallocate` above, for `grow`.
        unsafe { crate::bridge::grow_at(a, ptr, old_layout, new_layout, caller) }
    }

    /// allocator-api2's `shrink` on the `A` behind `ctx`.
    ///
    /// # Safety
    ///
    /// As for [`allocate`], and allocator-api2's `shrink` contract for the
    /// handle `ctx` belongs to.
    pub(super) unsafe fn shrink<A: RawAlloc>(
        ctx: NonNull<()>,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
        caller: Caller,
        _vtable: &'static VTable,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: as in `allocate` above.
        let a = unsafe { context::<A>(ctx) };
        // SAFETY: as in `deallocate` above, for `shrink`.
        unsafe { crate::bridge::shrink_at(a, ptr, old_layout, new_layout, caller) }
    }

    pub(super) unsafe fn validate<A: RawAlloc>(
        ctx: NonNull<()>,
        memory: NonNull<[u8]>,
        align: Alignment,
        caller: Caller,
    ) -> bool {
        // SAFETY: as in `alloc` above.
        let a = unsafe { context::<A>(ctx) };
        a.validate(memory, align, caller)
    }

    /// The allocator-api2 entries of [`VTable::new`]: the
    /// [`bridge`](crate::bridge) over a handle of the same context and table
    /// (the entries' `vtable` argument), so every request goes through the
    /// table's own `alloc`, `resize`, `remap`, `free` and `validate`, and
    /// none can claim memory those did not hand out.
    pub(super) mod through_entries {
        use super::*;

        /// A handle of `ctx` and `vtable`, whose [`RawAlloc`] impl calls
        /// the table's five entries.
        ///
        /// # Safety
        ///
        /// `ctx` and `vtable` are the two halves of a live handle: calling
        /// the table's functions on `ctx` upholds their contracts (what
        /// [`Handle::from_raw_parts`] asks) for as long as the result is
        /// used, which is within the entry's call.
        #[inline(always)]
        unsafe fn handle<'a>(ctx: NonNull<()>, vtable: &'static VTable) -> Handle<'a> {
            // SAFETY: the function's contract is `from_raw_parts`'s.
            unsafe { Handle::from_raw_parts(ctx, vtable) }
        }

        /// allocator-api2's `allocate` through the table's `alloc`.
        ///
        /// # Safety
        ///
        /// As for [`handle`].
        pub(in crate::handle) unsafe fn allocate(
            ctx: NonNull<()>,
            layout: Layout,
            caller: Caller,
            vtable: &'static VTable,
        ) -> Result<NonNull<[u8]>, AllocError> {
            // SAFETY: the function's contract is `handle`'s.
            let handle = unsafe { handle(ctx, vtable) };
            crate::bridge::allocate_at(&handle, layout, caller)
        }

        /// allocator-api2's `deallocate` through the table's `free`.
        ///
        /// # Safety
        ///
        /// As for [`handle`], and allocator-api2's `deallocate` contract for
        /// the handle `ctx` belongs to.
        pub(in crate::handle) unsafe fn deallocate(
            ctx: NonNull<()>,
            ptr: NonNull<u8>,
            layout: Layout,
            caller: Caller,
            vtable: &'static VTable,
        ) {
            // SAFETY: the function's contract covers `handle`'s.
            let handle = unsafe { handle(ctx, vtable) };
            // SAFETY: the caller upholds allocator-api2's contract for the
            // handle `ctx` belongs to, which `handle` is a copy of.
            unsafe { crate::bridge::deallocate_at(&handle, ptr, layout, caller) }
        }

        /// allocator-api2's `grow` through the table's `resize`, `remap`,
        /// `validate`, `alloc` and `free`.
        ///
        /// # Safety
        ///
        /// As for [`handle`], and allocator-api2's `grow` contract for the
        /// handle `ctx` belongs to.
        pub(in crate::handle) unsafe fn grow(
            ctx: NonNull<()>,
            ptr: NonNull<u8>,
            old_layout: Layout,
            new_layout: Layout,
            caller: Caller,
            vtable: &'static VTable,
        ) -> Result<NonNull<[u8]>, AllocError> {
            // SAFETY: the function's contract covers `handle`'s.
            let handle = unsafe { handle(ctx, vtable) };
            // SAFETY: as in `deallocate` above, for `grow`.
            unsafe { crate::bridge::grow_at(&handle, ptr, old_layout, new_layout, caller) }
        }

        /// allocator-api2's `shrink`, as [`grow`].
        ///
        /// # Safety
        ///
        /// As for [`handle`], and allocator-api2's `shrink` contract for the
        /// handle `ctx` belongs to.
        pub(in crate::handle) unsafe fn shrink(
            ctx: NonNull<()>,
            ptr: NonNull<u8>,
            old_layout: Layout,
            new_layout: Layout,
            caller: Caller,
            vtable: &'static VTable,
        ) -> Result<NonNull<[u8]>, AllocError> {
            // SAFETY: the function's contract covers `handle`'s.
            let handle = unsafe { handle(ctx, vtable) };
            // SAFETY: as in `deallocate` above, for `shrink`.
            unsafe { crate::bridge::shrink_at(&handle, ptr, old_layout, new_layout, caller) }
        }
    }

    pub(super) unsafe fn free<A: RawAlloc>(
        ctx: NonNull<()>,
        memory: NonNull<[u8]>,
        align: Alignment,
        caller: Caller,
    ) {
        // SAFETY: as in `alloc` above.
        let a = unsafe { context::<A>(ctx) };
        // SAFETY: the caller upholds `free`'s contract for this allocator.
        unsafe { a.free(memory, align, caller) }
    }
}

/// A type-erased allocator: a context pointer and a `&'static` [`VTable`],
/// two words, `Copy`.
///
/// The counterpart of Zig's `std.mem.Allocator`, with the sharp edges
/// removed: the handle **borrows** its allocator for `'a`, so it cannot
/// outlive it, and a handle to an allocator that is not `Sync` cannot be sent
/// to another thread (`M` is [`Local`]; [`ThreadSafe`] handles come only from
/// `Sync` allocators).
///
/// A handle is itself an allocator: it implements [`RawAlloc`] (so it can be
/// the parent of any wrapper, `Counting::new(bump.allocator())`) and
/// allocator-api2's `Allocator` by value (so `Vec::new_in(handle)` works).
/// Beside those, it has Zig's typed helpers: [`create`](Self::create) /
/// [`destroy`](Self::destroy) one value, [`alloc_slice`](Self::alloc_slice) /
/// [`free_slice`](Self::free_slice), [`realloc`](Self::realloc),
/// [`dupe`](Self::dupe). Zero-size requests are answered without calling the
/// allocator.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Bump, Handle};
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
///
/// fn build(a: Handle<'_>) -> Vec<u32, Handle<'_>> {
///     let mut v = Vec::new_in(a);
///     v.extend([1, 2, 3]);
///     v
/// }
///
/// let mut buf = [MaybeUninit::uninit(); 256];
/// let bump = Bump::new(&mut buf);
/// assert_eq!(build(bump.allocator()), [1, 2, 3]);
/// ```
pub struct Handle<'a, M: Threading = Local> {
    /// Points to the allocator the vtable's functions expect, borrowed for `'a`.
    ctx: NonNull<()>,
    /// The functions of the allocator type behind `ctx`.
    vtable: &'static VTable,
    _marker: PhantomData<(&'a (), M)>,
}

impl<'a> Handle<'a> {
    /// The handle of `allocator`.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Handle};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let handle = Handle::new(&bump);
    /// assert!(handle.create(7u32).is_ok());
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn new<A: RawAlloc>(allocator: &'a A) -> Self {
        Self {
            ctx: NonNull::from(allocator).cast(),
            vtable: VTable::of::<A>(),
            _marker: PhantomData,
        }
    }

    /// A handle from a context pointer and a table of functions for it.
    ///
    /// # Safety
    ///
    /// For as long as `'a` lasts (and the handle or a copy of it is used),
    /// calling `vtable`'s functions (`alloc`, `resize`, `remap`, `free` and
    /// `validate`: the entries it was made with by [`VTable::new`] and
    /// [`VTable::with_validate`], or those of [`VTable::of`]) with `ctx` must
    /// uphold the contract of the [`RawAlloc`] method of the same name:
    /// whatever `ctx` points to must stay alive and act as one allocator,
    /// without being `Sync` necessarily (this handle is [`Local`]). The
    /// table's other entries, the allocator-api2 fast paths (`allocate`,
    /// `deallocate`, `grow`, `shrink`), are always derived from those
    /// functions, so they need no promise of their own.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::{Bump, Handle, VTable};
    /// use core::{mem::MaybeUninit, ptr::NonNull};
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// // SAFETY: `ctx` is `&bump`, which outlives the handle, and the table is Bump's.
    /// let handle = unsafe { Handle::from_raw_parts(NonNull::from(&bump).cast(), VTable::of::<Bump>()) };
    /// assert!(handle.create(1u8).is_ok());
    /// ```
    #[inline]
    #[must_use]
    pub unsafe fn from_raw_parts(ctx: NonNull<()>, vtable: &'static VTable) -> Self {
        Self {
            ctx,
            vtable,
            _marker: PhantomData,
        }
    }
}

impl<'a> Handle<'a, ThreadSafe> {
    /// The handle of a `Sync` allocator; the handle is `Send` and `Sync`.
    ///
    /// ```
    /// use alloc_runtime::{Handle, ThreadSafe};
    /// fn assert_send<T: Send + Sync>(_: &T) {}
    /// # struct Global;
    /// # // SAFETY: refuses everything.
    /// # unsafe impl alloc_runtime::RawAlloc for Global {
    /// #     fn alloc(&self, _: usize, _: alloc_runtime::Alignment, _: alloc_runtime::Caller) -> Option<core::ptr::NonNull<u8>> { None }
    /// #     unsafe fn free(&self, _: core::ptr::NonNull<[u8]>, _: alloc_runtime::Alignment, _: alloc_runtime::Caller) {}
    /// # }
    /// let h: Handle<'_, ThreadSafe> = Handle::new_sync(&Global);
    /// assert_send(&h);
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn new_sync<A: RawAlloc + Sync>(allocator: &'a A) -> Self {
        Self {
            ctx: NonNull::from(allocator).cast(),
            vtable: VTable::of::<A>(),
            _marker: PhantomData,
        }
    }

    /// Forgets that the allocator is `Sync`.
    ///
    /// ```
    /// # struct Global;
    /// # // SAFETY: refuses everything.
    /// # unsafe impl alloc_runtime::RawAlloc for Global {
    /// #     fn alloc(&self, _: usize, _: alloc_runtime::Alignment, _: alloc_runtime::Caller) -> Option<core::ptr::NonNull<u8>> { None }
    /// #     unsafe fn free(&self, _: core::ptr::NonNull<[u8]>, _: alloc_runtime::Alignment, _: alloc_runtime::Caller) {}
    /// # }
    /// let local: alloc_runtime::Handle<'_> = alloc_runtime::Handle::new_sync(&Global).local();
    /// # let _ = local;
    /// ```
    #[inline]
    #[must_use]
    pub fn local(self) -> Handle<'a> {
        Handle {
            ctx: self.ctx,
            vtable: self.vtable,
            _marker: PhantomData,
        }
    }
}

impl<'a> From<Handle<'a, ThreadSafe>> for Handle<'a> {
    #[inline]
    fn from(handle: Handle<'a, ThreadSafe>) -> Self {
        handle.local()
    }
}

// SAFETY: a `ThreadSafe` handle is only made from a `&A` with `A: Sync`
// (`new_sync`), and `&A` is `Send` when `A: Sync`; the handle is nothing more.
unsafe impl Send for Handle<'_, ThreadSafe> {}
// SAFETY: as above: sharing the handle shares a `&A` with `A: Sync`.
unsafe impl Sync for Handle<'_, ThreadSafe> {}

impl<M: Threading> Clone for Handle<'_, M> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: Threading> Copy for Handle<'_, M> {}

impl<M: Threading> fmt::Debug for Handle<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("ctx", &self.ctx)
            .field("vtable", &ptr::from_ref(self.vtable))
            .finish()
    }
}

impl<'a, M: Threading> Handle<'a, M> {
    /// The context pointer: the allocator, type-erased.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::{mem::MaybeUninit, ptr::NonNull};
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// assert_eq!(bump.allocator().context(), NonNull::from(&bump).cast());
    /// ```
    #[inline]
    #[must_use]
    pub fn context(self) -> NonNull<()> {
        self.ctx
    }

    /// The table of functions called on the context.
    ///
    /// ```
    /// use alloc_runtime::{Bump, VTable};
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let table: &'static VTable = bump.allocator().vtable();
    /// # let _ = table;
    /// ```
    #[inline]
    #[must_use]
    pub fn vtable(self) -> &'static VTable {
        self.vtable
    }

    /// Allocates room for one `T` and moves `value` into it: Zig's `create`.
    /// Free it with [`destroy`](Self::destroy) on a handle to the same
    /// allocator. A zero-size `T` is not allocated.
    ///
    /// `value` exists before the allocation does, so it passes through the
    /// stack; for a large value, build it in place with
    /// [`create_with`](Self::create_with).
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the allocator refuses; `value` is dropped then.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let a = bump.allocator();
    /// let p = a.create([1u64, 2, 3])?;
    /// // SAFETY: `p` was just initialized by `create` and is not aliased.
    /// assert_eq!(unsafe { p.as_ref() }[1], 2);
    /// // SAFETY: `p` came from `create` on this allocator and is destroyed once.
    /// unsafe { a.destroy(p) };
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn create<T>(self, value: T) -> Result<NonNull<T>, AllocError> {
        let ptr = self.alloc_uninit::<T>(1, Caller::here())?.cast::<T>();
        // SAFETY: `ptr` is valid for writing one `T` (just allocated with its
        // size and alignment, or dangling-but-aligned for a zero-size `T`).
        unsafe { ptr.as_ptr().write(value) };
        Ok(ptr)
    }

    /// Allocates room for one `T`, then calls `f` and writes the value it
    /// returns straight into that memory: bumpalo's `alloc_with`.
    ///
    /// [`create`](Self::create) takes the value as an argument, so it exists
    /// on the stack before it is moved into the allocation; a large value (a
    /// multi-megabyte array) can overflow a small stack there. Here memory is
    /// allocated first and `f` is called in an `#[inline(always)]` writer, so
    /// an optimised build builds the value in place, never on the stack. This
    /// is the optimiser's work, not a language guarantee: unoptimised builds
    /// may still go through a temporary.
    ///
    /// If `f` panics, the memory is freed and the panic continues. A
    /// zero-size `T` is not allocated.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the allocator refuses; `f` is not called then.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 1 << 16];
    /// let bump = Bump::new(&mut buf);
    /// let a = bump.allocator();
    /// let p = a.create_with(|| [7u8; 1 << 15])?;
    /// // SAFETY: `create_with` initialized the value; nothing else refers to it.
    /// assert!(unsafe { p.as_ref() }.iter().all(|&b| b == 7));
    /// // SAFETY: `p` came from `create_with` on this allocator and is destroyed once.
    /// unsafe { a.destroy(p) };
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn create_with<T, F: FnOnce() -> T>(self, f: F) -> Result<NonNull<T>, AllocError> {
        /// Frees the allocation if `f` unwinds.
        struct FreeOnUnwind<'h, M: Threading> {
            handle: Handle<'h, M>,
            ptr: NonNull<u8>,
            bytes: usize,
            align: Alignment,
            caller: Caller,
        }
        impl<M: Threading> Drop for FreeOnUnwind<'_, M> {
            fn drop(&mut self) {
                if self.bytes != 0 {
                    let memory = NonNull::slice_from_raw_parts(self.ptr, self.bytes);
                    // SAFETY: `memory` is the live, non-empty block just
                    // allocated for the value, with this alignment; the value
                    // was never written, and the block is not used again.
                    unsafe { self.handle.free(memory, self.align, self.caller) };
                }
            }
        }

        /// Writes `f()` to `ptr`; inlined so the value can be built there.
        ///
        /// # Safety
        ///
        /// `ptr` is valid for writing one `T`.
        #[inline(always)]
        unsafe fn write_with<T, F: FnOnce() -> T>(ptr: *mut T, f: F) {
            // SAFETY: the function's contract.
            unsafe { ptr.write(f()) }
        }

        let caller = Caller::here();
        let ptr = self.alloc_uninit::<T>(1, caller)?;
        let guard = FreeOnUnwind {
            handle: self,
            ptr,
            bytes: size_of::<T>(),
            align: Alignment::of::<T>(),
            caller,
        };
        // SAFETY: `ptr` is valid for writing one `T` (just allocated with its
        // size and alignment, or dangling-but-aligned for a zero-size `T`).
        unsafe { write_with(ptr.cast::<T>().as_ptr(), f) };
        core::mem::forget(guard);
        Ok(ptr.cast())
    }

    /// Drops the value behind `ptr` and frees its memory: Zig's `destroy`.
    ///
    /// # Safety
    ///
    /// `ptr` came from [`create`](Self::create) on a handle to the same
    /// allocator, has not been destroyed, and is not used again.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let a = bump.allocator();
    /// let p = a.create(5u32)?;
    /// let used = bump.used();
    /// // SAFETY: `p` came from `create` on this allocator and is destroyed once.
    /// unsafe { a.destroy(p) };
    /// assert_eq!(bump.used(), used - 4); // the most recent allocation's bytes came back
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub unsafe fn destroy<T>(self, ptr: NonNull<T>) {
        // SAFETY: the caller promises `ptr` holds a live `T` from `create`.
        unsafe { ptr.as_ptr().drop_in_place() };
        // SAFETY: the same promise: one `T`-sized allocation of this allocator.
        unsafe { self.free_uninit::<T>(ptr.cast(), 1, Caller::here()) };
    }

    /// Allocates an uninitialized slice of `len` values of `T`: Zig's
    /// `alloc(T, n)`. Free it with [`free_slice`](Self::free_slice).
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the allocator refuses or `len * size_of::<T>()`
    /// does not fit in `isize`.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 128];
    /// let bump = Bump::new(&mut buf);
    /// let a = bump.allocator();
    /// let s = a.alloc_slice::<u16>(10)?;
    /// assert_eq!(s.len(), 10);
    /// assert!(a.alloc_slice::<u64>(usize::MAX).is_err()); // size overflows: an error, not a panic
    /// // SAFETY: `s` came from `alloc_slice` here and is freed once.
    /// unsafe { a.free_slice(s) };
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice<T>(self, len: usize) -> Result<NonNull<[T]>, AllocError> {
        let ptr = self.alloc_uninit::<T>(len, Caller::here())?;
        Ok(NonNull::slice_from_raw_parts(ptr.cast(), len))
    }

    /// Copies `src` into a new allocation: Zig's `dupe`.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the allocator refuses.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let copy = bump.allocator().dupe(b"hello")?;
    /// // SAFETY: `dupe` returned an initialized, unaliased slice.
    /// assert_eq!(unsafe { copy.as_ref() }, b"hello");
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn dupe<T: Copy>(self, src: &[T]) -> Result<NonNull<[T]>, AllocError> {
        let ptr = self
            .alloc_uninit::<T>(src.len(), Caller::here())?
            .cast::<T>();
        // SAFETY: `ptr` is valid for `src.len()` writes of `T` (just
        // allocated); memory handed out is disjoint from everything else
        // live, whoever allocated it (`RawAlloc`'s contract), so it does not
        // overlap `src`, a live borrow; `T: Copy` needs no drop bookkeeping.
        unsafe {
            ptr.as_ptr()
                .copy_from_nonoverlapping(src.as_ptr(), src.len())
        };
        Ok(NonNull::slice_from_raw_parts(ptr, src.len()))
    }

    /// Frees a slice from [`alloc_slice`](Self::alloc_slice),
    /// [`dupe`](Self::dupe) or [`realloc`](Self::realloc), without dropping
    /// its elements.
    ///
    /// # Safety
    ///
    /// `slice` came from one of those functions on a handle to the same
    /// allocator, with exactly this length, and is not used again.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let a = bump.allocator();
    /// let s = a.alloc_slice::<u32>(4)?;
    /// // SAFETY: `s` came from `alloc_slice` here and is freed once.
    /// unsafe { a.free_slice(s) };
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub unsafe fn free_slice<T>(self, slice: NonNull<[T]>) {
        // SAFETY: the caller's promise: a live allocation of `slice.len()` `T`s.
        unsafe { self.free_uninit::<T>(slice.cast(), slice.len(), Caller::here()) }
    }

    /// Changes the length of a slice to `new_len`, keeping its first
    /// `min(len, new_len)` elements: in place if the allocator can
    /// ([`RawAlloc::resize`]), else by [`RawAlloc::remap`], else by allocating,
    /// copying and freeing. Zig's `realloc`.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when no new memory could be had, or when the slice has
    /// to move and the allocator's [`validate`](RawAlloc::validate) says it
    /// is not one of its blocks with this length (nothing is then read,
    /// allocated or freed); `slice` is then still valid and unchanged.
    ///
    /// # Safety
    ///
    /// `slice` came from [`alloc_slice`](Self::alloc_slice),
    /// [`dupe`](Self::dupe) or `realloc` on a handle to the same allocator,
    /// with exactly this length; on success it is not used again (use the
    /// returned slice). Elements past `new_len` are not dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 128];
    /// let bump = Bump::new(&mut buf);
    /// let a = bump.allocator();
    /// let s = a.dupe(&[1u32, 2, 3])?;
    /// // SAFETY: `s` came from `dupe` on this allocator, with this length.
    /// let s = unsafe { a.realloc(s, 8)? };
    /// assert_eq!(s.len(), 8);
    /// // SAFETY: the first three elements were kept by `realloc`.
    /// assert_eq!(unsafe { &s.as_ref()[..3] }, [1, 2, 3]);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[track_caller]
    pub unsafe fn realloc<T>(
        self,
        slice: NonNull<[T]>,
        new_len: usize,
    ) -> Result<NonNull<[T]>, AllocError> {
        let caller = Caller::here();
        let align = Alignment::of::<T>();
        let old_bytes = slice.len() * size_of::<T>();
        let new_bytes = bytes_for::<T>(new_len)?;
        let old = slice.cast::<u8>();
        let done = |p: NonNull<u8>| Ok(NonNull::slice_from_raw_parts(p.cast::<T>(), new_len));
        if old_bytes == 0 {
            return self.alloc_slice::<T>(new_len);
        }
        let old_memory = NonNull::slice_from_raw_parts(old, old_bytes);
        if new_bytes == 0 {
            // SAFETY: the caller's promise: `old_memory` is a live, non-empty
            // allocation of this allocator with alignment `align`.
            unsafe { self.free(old_memory, align, caller) };
            return done(dangling(align));
        }
        // SAFETY: as above; both lengths are non-zero.
        if unsafe { self.resize(old_memory, align, new_bytes, caller) } {
            return done(old);
        }
        // SAFETY: as above; `resize` refused, so `old_memory` is unchanged.
        if let Some(p) = unsafe { self.remap(old_memory, align, new_bytes, caller) } {
            return done(p);
        }
        // Moving reads the old block: ask the allocator first, and on `false`
        // (a wrong length, a foreign slice) give up before anything is
        // allocated, copied or freed.
        if !self.validate(old_memory, align, caller) {
            return Err(AllocError);
        }
        let new = self.alloc(new_bytes, align, caller).ok_or(AllocError)?;
        // SAFETY: both are valid for `min(old, new)` bytes and distinct
        // allocations, disjoint from each other (memory handed out is the
        // caller's alone), so they do not overlap.
        unsafe {
            new.as_ptr()
                .copy_from_nonoverlapping(old.as_ptr(), old_bytes.min(new_bytes))
        };
        // SAFETY: `old_memory` is still the caller's live allocation; it is
        // not used after this (the caller's promise on success).
        unsafe { self.free(old_memory, align, caller) };
        done(new)
    }

    /// Allocates room for `len` `T`s, answering zero bytes without a call.
    #[inline(always)]
    fn alloc_uninit<T>(self, len: usize, caller: Caller) -> Result<NonNull<u8>, AllocError> {
        let align = Alignment::of::<T>();
        let bytes = bytes_for::<T>(len)?;
        if bytes == 0 {
            return Ok(dangling(align));
        }
        self.alloc(bytes, align, caller).ok_or(AllocError)
    }

    /// Frees what [`alloc_uninit`](Self::alloc_uninit) returned.
    ///
    /// # Safety
    ///
    /// `ptr` came from `alloc_uninit::<T>(len)` on this allocator and is not
    /// used again.
    #[inline(always)]
    unsafe fn free_uninit<T>(self, ptr: NonNull<u8>, len: usize, caller: Caller) {
        let bytes = len * size_of::<T>();
        if bytes != 0 {
            // SAFETY: the caller's promise; `bytes` is the allocated length
            // (it did not overflow when the memory was allocated).
            unsafe {
                self.free(
                    NonNull::slice_from_raw_parts(ptr, bytes),
                    Alignment::of::<T>(),
                    caller,
                )
            };
        }
    }
}

/// `len * size_of::<T>()`, or an error when it exceeds `isize::MAX` (the
/// largest object Rust allows).
#[inline(always)]
fn bytes_for<T>(len: usize) -> Result<usize, AllocError> {
    match len.checked_mul(size_of::<T>()) {
        Some(bytes) if bytes <= isize::MAX as usize - (align_of::<T>() - 1) => Ok(bytes),
        _ => Err(AllocError),
    }
}

/// A non-null pointer aligned to `align`, valid for zero-size accesses.
#[inline(always)]
pub(crate) fn dangling(align: Alignment) -> NonNull<u8> {
    NonNull::<u8>::dangling().with_addr(align.to_nonzero())
}

// SAFETY: every call goes to the vtable built for the allocator behind `ctx`
// (`VTable::of`, or a table the `from_raw_parts` caller vouched for), which
// upholds the contract; `'a` keeps that allocator alive and in place.
unsafe impl<M: Threading> RawAlloc for Handle<'_, M> {
    #[inline(always)]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        // SAFETY: `ctx` and `vtable` belong together (see the impl's comment).
        unsafe { (self.vtable.alloc)(self.ctx, len, align, caller) }
    }

    #[inline(always)]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: they belong together, and the caller upholds `resize`'s contract.
        unsafe { (self.vtable.resize)(self.ctx, memory, align, new_len, caller) }
    }

    #[inline(always)]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        // SAFETY: they belong together, and the caller upholds `remap`'s contract.
        unsafe { (self.vtable.remap)(self.ctx, memory, align, new_len, caller) }
    }

    #[inline(always)]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        // SAFETY: they belong together, and the caller upholds `free`'s contract.
        unsafe { (self.vtable.free)(self.ctx, memory, align, caller) }
    }

    #[inline(always)]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        // SAFETY: they belong together; `validate` has no other precondition.
        unsafe { (self.vtable.validate)(self.ctx, memory, align, caller) }
    }
}

// SAFETY: `allocate`, `deallocate`, `grow` and `shrink` call the table's
// allocator-api2 entries, which its private invariant makes the bridge over
// the same allocator as its `RawAlloc` entries (over the allocator type for
// `VTable::of`, over a handle of the table's own entries for `VTable::new`);
// `allocate_zeroed` and `grow_zeroed` are `allocate` and `grow` followed by
// zeroing, as in the bridge. The bridge upholds allocator-api2's contract
// given `RawAlloc`'s, and copies of a handle are the same allocator.
unsafe impl<M: Threading> allocator_api2::alloc::Allocator for Handle<'_, M> {
    #[inline(always)]
    #[track_caller]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: `ctx` and `vtable` belong together (see `RawAlloc` above).
        unsafe { (self.vtable.allocate)(self.ctx, layout, Caller::here(), self.vtable) }
    }

    #[inline(always)]
    #[track_caller]
    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let block = self.allocate(layout)?;
        // SAFETY: `block` is valid for writes of its whole length (just allocated).
        unsafe { block.cast::<u8>().as_ptr().write_bytes(0, block.len()) };
        Ok(block)
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: `ctx` and `vtable` belong together, as in `allocate`; the
        // caller upholds allocator-api2's contract, which is the entry's.
        unsafe { (self.vtable.deallocate)(self.ctx, ptr, layout, Caller::here(), self.vtable) }
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // Checked here too, so a debug build's panic names the caller's line.
        crate::bridge::debug_assert_grows(old_layout, new_layout, "grow");
        // SAFETY: as in `deallocate`, for `grow`.
        unsafe {
            (self.vtable.grow)(
                self.ctx,
                ptr,
                old_layout,
                new_layout,
                Caller::here(),
                self.vtable,
            )
        }
    }

    #[inline(always)]
    #[track_caller]
    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        crate::bridge::debug_assert_grows(old_layout, new_layout, "grow_zeroed");
        // SAFETY: the caller upholds allocator-api2's contract for `grow`,
        // which is `grow_zeroed`'s.
        let block = unsafe { self.grow(ptr, old_layout, new_layout)? };
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

    #[inline(always)]
    #[track_caller]
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // Checked here too, so a debug build's panic names the caller's line.
        crate::bridge::debug_assert_shrinks(old_layout, new_layout);
        // SAFETY: as in `deallocate`, for `shrink`.
        unsafe {
            (self.vtable.shrink)(
                self.ctx,
                ptr,
                old_layout,
                new_layout,
                Caller::here(),
                self.vtable,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bump;
    use crate::testing::record::{Call, Recording};
    use allocator_api2::alloc::Allocator;
    use core::cell::Cell;
    use core::mem::MaybeUninit;

    #[test]
    fn a_direct_allocate_through_the_handle_names_the_callers_line() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let fail = crate::Fail::new(Bump::new(&mut buf), 0);
        let handle = fail.allocator();
        let line = line!() + 1;
        assert!(handle.allocate(Layout::new::<u64>()).is_err());
        let caller = fail.first_failure().expect("the refusal was recorded");
        assert_eq!(caller.location().file(), file!());
        assert_eq!(caller.location().line(), line);
    }

    std::thread_local! {
        /// The lengths the hand-made table's `alloc` was asked for.
        static ASKED: Cell<usize> = const { Cell::new(0) };
    }

    /// A hand-made `alloc` over a `Bump` context that records its length.
    ///
    /// # Safety
    ///
    /// `ctx` points to a live `Bump`.
    unsafe fn bump_alloc(
        ctx: NonNull<()>,
        len: usize,
        align: Alignment,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        ASKED.with(|asked| asked.set(asked.get() + len));
        // SAFETY: the function's contract.
        let bump = unsafe { ctx.cast::<Bump<'_>>().as_ref() };
        RawAlloc::alloc(bump, len, align, caller)
    }

    #[test]
    fn a_hand_made_table_allocates_through_its_own_alloc() {
        static TABLE: VTable = VTable::new(
            bump_alloc,
            VTable::no_resize,
            VTable::no_remap,
            VTable::no_free,
        );
        let mut buf = [MaybeUninit::uninit(); 256];
        let bump = Bump::new(&mut buf);
        // SAFETY: `ctx` is `&bump`, alive for the handle; `bump_alloc` is
        // `Bump::alloc`, and the other entries refuse or do nothing.
        let handle = unsafe { Handle::from_raw_parts(NonNull::from(&bump).cast(), &TABLE) };
        ASKED.with(|asked| asked.set(0));
        let block = handle.allocate(Layout::new::<[u8; 24]>()).unwrap();
        assert_eq!(block.len(), 24, "allocate reported another length");
        assert_eq!(
            ASKED.with(Cell::get),
            24,
            "allocate did not go through alloc"
        );
        assert_eq!(bump.used(), 24);
        assert!(bump.owns(block.cast::<u8>().as_ptr()));
        let memory = NonNull::slice_from_raw_parts(NonNull::<u8>::dangling(), 1);
        assert!(
            handle.validate(memory, Alignment::ONE, Caller::here()),
            "no_validate says true"
        );
    }

    #[test]
    fn forwards_validate_to_the_allocator() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let handle = bump.allocator();
        let block = handle.alloc_slice::<u8>(8).unwrap();
        let foreign = [0u8; 8];
        let foreign = NonNull::slice_from_raw_parts(NonNull::from(&foreign).cast::<u8>(), 8);
        assert!(handle.validate(block, Alignment::ONE, Caller::here()));
        assert!(
            !handle.validate(foreign, Alignment::ONE, Caller::here()),
            "the handle answered for the bump instead of asking it"
        );
        let sync = Recording::new(&bump);
        sync.valid.set(false);
        assert!(
            !sync
                .allocator()
                .validate(block, Alignment::ONE, Caller::here())
        );
        assert_eq!(sync.take(), [Call::Validate(8)]);
    }

    #[test]
    fn realloc_asks_validate_before_it_moves_a_slice() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let rec = Recording::new(Bump::new(&mut buf));
        let a = rec.allocator();
        let s = a.dupe(&[1u32, 2, 3, 4]).unwrap();
        let _pin = a.create(0u8).unwrap(); // `s` is no longer last: growing moves it
        rec.take();
        rec.valid.set(false);
        // SAFETY: `s` came from `dupe` on `a` with this length.
        let refused = unsafe { a.realloc(s, 20) };
        assert!(refused.is_err(), "moved a block the allocator disowned");
        assert_eq!(
            rec.take(),
            [
                Call::Resize(16, 80),
                Call::Remap(16, 80),
                Call::Validate(16)
            ],
            "nothing may be allocated, copied or freed after validate says no"
        );
        rec.valid.set(true);
        // SAFETY: as above: the refused realloc left `s` as it was.
        let moved = unsafe { a.realloc(s, 20) }.unwrap();
        // SAFETY: `realloc` kept the four elements `dupe` initialized.
        assert_eq!(unsafe { &moved.as_ref()[..4] }, [1, 2, 3, 4]);
        assert_eq!(
            rec.take(),
            [
                Call::Resize(16, 80),
                Call::Remap(16, 80),
                Call::Validate(16),
                Call::Alloc(80),
                Call::Free(16)
            ]
        );
    }

    /// Bytes of the value `create_with` builds: larger than the stack of
    /// the thread it runs on in an optimised build.
    const LARGE: usize = if cfg!(miri) {
        1 << 14
    } else if cfg!(debug_assertions) {
        1 << 20
    } else {
        8 << 20
    };

    #[test]
    fn create_with_builds_a_large_value_in_place() {
        // Optimised: a stack 32 times smaller than the value, so the test
        // overflows it unless the value is built in the allocation.
        // Unoptimised code keeps temporaries (no in-place guarantee there),
        // so the stack then has room for a few copies and the test checks
        // the contents only. (The optimiser builds an inline closure's value
        // in place; one returned by a function it does not inline still goes
        // through a temporary, as with bumpalo's `alloc_with`.)
        let stack = if cfg!(debug_assertions) {
            4 * LARGE + (1 << 20)
        } else {
            LARGE / 32
        };
        let worker = std::thread::Builder::new().stack_size(stack).spawn(|| {
            let mut storage = std::vec::Vec::<u8>::with_capacity(LARGE + 64);
            let bump = Bump::new(&mut storage.spare_capacity_mut()[..LARGE + 64]);
            let a = bump.allocator();
            let p = a
                .create_with(|| [0xC3u8; LARGE])
                .expect("room for the value");
            assert!(bump.owns(p.as_ptr().cast()), "the value is not in the bump");
            assert_eq!(bump.used(), LARGE, "one allocation, of the value's size");
            // SAFETY: `create_with` initialized the value; nothing else refers to it.
            let value = unsafe { p.as_ref() };
            let step = if cfg!(miri) { 61 } else { 1 };
            assert!(
                value.iter().step_by(step).all(|&b| b == 0xC3),
                "lost the value"
            );
            // SAFETY: from `create_with` on `a`, destroyed once.
            unsafe { a.destroy(p) };
            assert_eq!(bump.used(), 0, "the most recent block came back");
        });
        worker.expect("spawn").join().expect("the worker finished");
    }

    #[test]
    fn create_with_frees_the_memory_when_the_closure_panics() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let a = bump.allocator();
        let unwound = std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| {
            a.create_with::<[u8; 8], _>(|| panic!("no value"))
        }));
        assert!(unwound.is_err());
        assert_eq!(bump.used(), 0, "the block for the value leaked");
        let refused = Bump::new(&mut []);
        let called = Cell::new(false);
        assert!(
            refused.allocator().create_with(|| called.set(true)).is_ok(),
            "zero-size"
        );
        assert!(called.get());
        assert!(refused.allocator().create_with(|| 5u8).is_err());
    }

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn allocator_api2_calls_take_the_tables_allocator_api2_entries() {
        // The `RawAlloc` entries refuse or do nothing, the allocator-api2
        // entries are `Recording<Bump>`'s: whatever reaches the recording
        // came through the allocator-api2 entries, not through `free` or
        // `resize` (which would record nothing).
        static TABLE: VTable = VTable {
            alloc: |_, _, _, _| None,
            resize: VTable::no_resize,
            remap: VTable::no_remap,
            free: VTable::no_free,
            validate: VTable::no_validate,
            ..*VTable::of::<Recording<Bump<'static>>>()
        };
        let mut buf = [MaybeUninit::uninit(); 256];
        let rec = Recording::new(Bump::new(&mut buf));
        // SAFETY: `ctx` is `&rec`, alive for the handle. The table's
        // allocator-api2 entries are `Recording<Bump>`'s own; its `RawAlloc`
        // entries refuse or do nothing, which each contract allows, and the
        // test makes no `RawAlloc` call that would mix the two.
        let handle = unsafe { Handle::from_raw_parts(NonNull::from(&rec).cast(), &TABLE) };
        let block = handle.allocate(layout(16, 8)).unwrap().cast::<u8>();
        assert_eq!(rec.take(), [Call::Alloc(16)]);
        // The buffer's own address may need padding before an 8-aligned block.
        let padding = rec.parent.used() - 16;
        // SAFETY: `block` is live with layout 16/8, the last block: it grows in place.
        let grown = unsafe { handle.grow(block, layout(16, 8), layout(32, 8)) }.unwrap();
        assert_eq!(grown.cast::<u8>(), block);
        assert_eq!(rec.take(), [Call::Resize(16, 32)]);
        // SAFETY: `block` is live with layout 32/8; 40 >= 32.
        let zeroed = unsafe { handle.grow_zeroed(block, layout(32, 8), layout(40, 8)) }.unwrap();
        assert_eq!(zeroed.cast::<u8>(), block);
        // SAFETY: the last 8 of the 40 bytes were just zeroed.
        assert_eq!(unsafe { &zeroed.as_ref()[32..] }, [0; 8]);
        assert_eq!(rec.take(), [Call::Resize(32, 40)]);
        // SAFETY: `block` is live with layout 40/8; 8 <= 40.
        let shrunk = unsafe { handle.shrink(block, layout(40, 8), layout(8, 8)) }.unwrap();
        assert_eq!(shrunk.cast::<u8>(), block);
        assert_eq!(rec.take(), [Call::Resize(40, 8)]);
        assert_eq!(rec.parent.used(), padding + 8);
        // SAFETY: `block` is live with layout 8/8 and not used again.
        unsafe { handle.deallocate(block, layout(8, 8)) };
        assert_eq!(rec.take(), [Call::Free(8)]);
        assert_eq!(
            rec.parent.used(),
            padding,
            "the free did not reach the bump"
        );
        let zeroed = handle.allocate_zeroed(layout(4, 4)).unwrap();
        // SAFETY: four bytes, just zeroed.
        assert_eq!(unsafe { zeroed.as_ref() }, [0; 4]);
        assert_eq!(rec.take(), [Call::Alloc(4)]);
    }

    std::thread_local! {
        /// The calls that reached the hand-made table's four functions.
        static CALLS: core::cell::RefCell<std::vec::Vec<Call>> =
            const { core::cell::RefCell::new(std::vec::Vec::new()) };
    }

    /// The calls recorded in [`CALLS`], forgotten.
    fn take_calls() -> std::vec::Vec<Call> {
        CALLS.with(|calls| calls.take())
    }

    fn record(call: Call) {
        CALLS.with(|calls| calls.borrow_mut().push(call));
    }

    /// The `Bump` behind a hand-made table's context.
    ///
    /// # Safety
    ///
    /// `ctx` points to a live `Bump`, borrowed for `'a`.
    unsafe fn bump_of<'a>(ctx: NonNull<()>) -> &'a Bump<'a> {
        // SAFETY: the function's contract.
        unsafe { ctx.cast::<Bump<'a>>().as_ref() }
    }

    /// Hand-made functions over a `Bump` context that record each call.
    /// Each has the contract of the `RawAlloc` method of its name, with
    /// `ctx` pointing to a live `Bump`.
    mod recorded {
        use super::*;

        pub(super) unsafe fn alloc(
            ctx: NonNull<()>,
            len: usize,
            align: Alignment,
            caller: Caller,
        ) -> Option<NonNull<u8>> {
            record(Call::Alloc(len));
            // SAFETY: the function's contract: `ctx` is a live `Bump`.
            RawAlloc::alloc(unsafe { bump_of(ctx) }, len, align, caller)
        }

        pub(super) unsafe fn resize(
            ctx: NonNull<()>,
            memory: NonNull<[u8]>,
            align: Alignment,
            new_len: usize,
            caller: Caller,
        ) -> bool {
            record(Call::Resize(memory.len(), new_len));
            // SAFETY: the function's contract: `ctx` is a live `Bump`.
            let bump = unsafe { bump_of(ctx) };
            // SAFETY: the caller upholds `resize`'s contract for the bump.
            unsafe { bump.resize(memory, align, new_len, caller) }
        }

        pub(super) unsafe fn remap(
            ctx: NonNull<()>,
            memory: NonNull<[u8]>,
            align: Alignment,
            new_len: usize,
            caller: Caller,
        ) -> Option<NonNull<u8>> {
            record(Call::Remap(memory.len(), new_len));
            // SAFETY: the function's contract: `ctx` is a live `Bump`.
            let bump = unsafe { bump_of(ctx) };
            // SAFETY: the caller upholds `remap`'s contract for the bump.
            unsafe { bump.remap(memory, align, new_len, caller) }
        }

        pub(super) unsafe fn free(
            ctx: NonNull<()>,
            memory: NonNull<[u8]>,
            align: Alignment,
            caller: Caller,
        ) {
            record(Call::Free(memory.len()));
            // SAFETY: the function's contract: `ctx` is a live `Bump`.
            let bump = unsafe { bump_of(ctx) };
            // SAFETY: the caller upholds `free`'s contract for the bump.
            unsafe { bump.free(memory, align, caller) }
        }

        pub(super) unsafe fn validate(
            ctx: NonNull<()>,
            memory: NonNull<[u8]>,
            align: Alignment,
            caller: Caller,
        ) -> bool {
            record(Call::Validate(memory.len()));
            // SAFETY: the function's contract: `ctx` is a live `Bump`.
            unsafe { bump_of(ctx) }.validate(memory, align, caller)
        }
    }

    #[test]
    fn a_hand_made_tables_allocator_api2_calls_go_through_its_own_functions() {
        static TABLE: VTable = VTable::new(
            recorded::alloc,
            recorded::resize,
            recorded::remap,
            recorded::free,
        )
        .with_validate(recorded::validate);
        let mut buf = [MaybeUninit::uninit(); 256];
        let bump = Bump::new(&mut buf);
        // SAFETY: `ctx` is `&bump`, alive for the handle; the functions are
        // `Bump`'s, recorded.
        let handle = unsafe { Handle::from_raw_parts(NonNull::from(&bump).cast(), &TABLE) };
        take_calls();
        let block = handle.allocate(layout(16, 8)).unwrap().cast::<u8>();
        assert_eq!(take_calls(), [Call::Alloc(16)]);
        // SAFETY: `block` is live with layout 16/8, the last block.
        let grown = unsafe { handle.grow(block, layout(16, 8), layout(32, 8)) }.unwrap();
        assert_eq!(grown.cast::<u8>(), block, "the last block grows in place");
        assert_eq!(take_calls(), [Call::Resize(16, 32)]);
        let pin = handle.allocate(layout(1, 1)).unwrap().cast::<u8>();
        take_calls();
        // SAFETY: `block` is live with layout 32/8; no longer the last: it moves.
        let moved = unsafe { handle.grow(block, layout(32, 8), layout(64, 8)) }
            .unwrap()
            .cast::<u8>();
        assert_ne!(moved, block);
        assert_eq!(
            take_calls(),
            [
                Call::Resize(32, 64),
                Call::Remap(32, 64),
                Call::Validate(32),
                Call::Alloc(64),
                Call::Free(32)
            ]
        );
        // SAFETY: `moved` is live with layout 64/8; 8 <= 64.
        unsafe { handle.shrink(moved, layout(64, 8), layout(8, 8)) }.unwrap();
        assert_eq!(take_calls(), [Call::Resize(64, 8)]);
        // SAFETY: `moved` is live with layout 8/8 and not used again.
        unsafe { handle.deallocate(moved, layout(8, 8)) };
        // SAFETY: `pin` is live with layout 1/1 and not used again.
        unsafe { handle.deallocate(pin, layout(1, 1)) };
        // SAFETY: a zero-size block never reaches the functions.
        unsafe { handle.deallocate(NonNull::dangling(), layout(0, 1)) };
        assert_eq!(take_calls(), [Call::Free(8), Call::Free(1)]);
    }

    /// A `Bump` that records the line of each request's `Caller`.
    struct Lines<'b> {
        bump: Bump<'b>,
        lines: core::cell::RefCell<std::vec::Vec<u32>>,
    }

    impl Lines<'_> {
        fn note(&self, caller: Caller) {
            assert_eq!(caller.location().file(), file!());
            self.lines.borrow_mut().push(caller.location().line());
        }
    }

    // SAFETY: every call is forwarded unchanged to the bump, which upholds
    // the contract; recording a line touches no memory handed out.
    unsafe impl RawAlloc for Lines<'_> {
        fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
            self.note(caller);
            RawAlloc::alloc(&self.bump, len, align, caller)
        }

        unsafe fn resize(
            &self,
            memory: NonNull<[u8]>,
            align: Alignment,
            new_len: usize,
            caller: Caller,
        ) -> bool {
            self.note(caller);
            // SAFETY: the caller upholds `resize`'s contract for the bump.
            unsafe { self.bump.resize(memory, align, new_len, caller) }
        }

        unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
            self.note(caller);
            // SAFETY: the caller upholds `free`'s contract for the bump.
            unsafe { self.bump.free(memory, align, caller) }
        }
    }

    #[test]
    fn the_allocator_api2_entries_pass_the_callers_line_down() {
        let mut buf = [MaybeUninit::uninit(); 128];
        let lines = Lines {
            bump: Bump::new(&mut buf),
            lines: core::cell::RefCell::default(),
        };
        let handle = Handle::new(&lines);
        let mut expected = std::vec::Vec::new();
        expected.push(line!() + 1);
        let block = handle.allocate(layout(8, 8)).unwrap().cast::<u8>();
        // The buffer's own address may need padding before an 8-aligned block.
        let padding = lines.bump.used() - 8;
        expected.push(line!() + 2);
        // SAFETY: `block` is live with layout 8/8, the last block.
        unsafe { handle.grow(block, layout(8, 8), layout(16, 8)) }.unwrap();
        expected.push(line!() + 2);
        // SAFETY: `block` is live with layout 16/8.
        unsafe { handle.grow_zeroed(block, layout(16, 8), layout(24, 8)) }.unwrap();
        expected.push(line!() + 2);
        // SAFETY: `block` is live with layout 24/8.
        unsafe { handle.shrink(block, layout(24, 8), layout(8, 8)) }.unwrap();
        expected.push(line!() + 2);
        // SAFETY: `block` is live with layout 8/8 and not used again.
        unsafe { handle.deallocate(block, layout(8, 8)) };
        assert_eq!(*lines.lines.borrow(), expected);
        assert_eq!(
            lines.bump.used(),
            padding,
            "the free did not reach the bump"
        );
    }

    /// Calls `f` on a handle and a live 16-byte block of its bump.
    fn on_a_block(f: impl FnOnce(Handle<'_>, NonNull<u8>, Layout)) {
        let mut buf = [MaybeUninit::uninit(); 256];
        let bump = Bump::new(&mut buf);
        let handle = bump.allocator();
        let old = layout(16, 8);
        let block = handle.allocate(old).unwrap().cast::<u8>();
        f(handle, block, old);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "grow to a smaller size (4 bytes from 16); call shrink")]
    fn a_handles_grow_to_a_smaller_size_names_the_mistake() {
        on_a_block(|handle, block, old| {
            // SAFETY: deliberately breaks `grow`'s contract (4 < 16), which
            // the debug assertion must catch before anything happens.
            let _ = unsafe { handle.grow(block, old, layout(4, 8)) };
        });
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "grow_zeroed to a smaller size (4 bytes from 16); call shrink")]
    fn a_handles_grow_zeroed_to_a_smaller_size_names_the_mistake() {
        on_a_block(|handle, block, old| {
            // SAFETY: deliberately breaks `grow_zeroed`'s contract, as above.
            let _ = unsafe { handle.grow_zeroed(block, old, layout(4, 8)) };
        });
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "shrink to a larger size (64 bytes from 16); call grow")]
    fn a_handles_shrink_to_a_larger_size_names_the_mistake() {
        on_a_block(|handle, block, old| {
            // SAFETY: deliberately breaks `shrink`'s contract (64 > 16).
            let _ = unsafe { handle.shrink(block, old, layout(64, 8)) };
        });
    }
}
