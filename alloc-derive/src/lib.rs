//! `#[derive(Allocator)]` for [alloc-runtime]: turns a struct into an
//! allocator that collections can use.
//!
//! Use it through the runtime, which re-exports it
//! (`alloc_runtime::Allocator`, feature `derive`, on by default). What it
//! generates, its attributes and examples are on [the derive
//! itself](macro@Allocator).
//!
//! [alloc-runtime]: https://docs.rs/alloc-runtime
#![warn(missing_docs)]

extern crate proc_macro;

mod ast;
mod attr;
mod ctxt;
mod expand;
mod fallback;
mod render;
mod symbol;
mod valid;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Implements allocator-api2's `Allocator`, the `allocator()` and
/// `sync_allocator()` handles and, for a struct with an
/// `#[allocator(parent)]` field, `RawAlloc` (and `Owns`) by forwarding to
/// that field; for a struct with two, `RawAlloc` and `Owns` of a composite
/// of the two.
///
/// # What it generates
///
/// For every struct:
///
/// - inherent methods `allocator(&self) -> Handle<'_>` (the type-erased
///   handle) and `sync_allocator(&self) -> Handle<'_, ThreadSafe>` (for a
///   `Sync` allocator), so that neither needs an import;
/// - allocator-api2's `Allocator`, built from the four functions of
///   `RawAlloc` by the runtime's `bridge`, so that the struct works with
///   `allocator_api2::vec::Vec`, `allocator_api2::boxed::Box` and
///   `hashbrown`.
///
/// Both need the struct to implement `RawAlloc`. Either write that impl
/// yourself (an allocator of your own), or mark fields
/// `#[allocator(parent)]`:
///
/// - **one field (a wrapper)**: the derive implements `RawAlloc` by
///   forwarding each of the four functions, `alloc_zeroed` and `validate`
///   to that field, except those the struct overrides (with `alloc`
///   overridden and `alloc_zeroed` not, `alloc_zeroed` is the overridden
///   `alloc` followed by zeros). The field's type needs no bound
///   written: the derive adds `where FieldType: RawAlloc` itself. Unless
///   `alloc`, `alloc_zeroed`, `resize` or `remap` is overridden, it also implements `Owns`
///   ("did this allocator hand out this block?") by asking the field, where
///   the field's type is `Owns`: a wrapper over a `Bump` can be the first
///   part of a composite, and one over `Global` still compiles, without
///   `Owns`. Those four overrides decide what memory is handed out, so
///   with one of them no `Owns` is generated: write `unsafe impl Owns`
///   yourself if the answer is still the parent's (example below).
///   `free` and `validate` overrides keep it.
/// - **two fields (a composite)**, D's `FallbackAllocator` and more: each
///   allocation goes to the parts a `Route` names, by default the first
///   part, then the second if the first refuses (`Route::FirstThenSecond`);
///   with `#[allocator(route = path)]`, the route function decides per
///   request. `free`, `resize`, `remap` and `validate` go to the first part
///   when its `Owns` says it made the block, else to the second. So the
///   first part must implement `Owns` (`Bump`, `Arena`, a wrapper or a
///   composite of those); `Global`, which cannot tell, goes second. The
///   derive adds the bounds (`First: RawAlloc + Owns, Second: RawAlloc`)
///   itself, and a first part of a type without generic parameters that is
///   not `Owns` is reported at its field. The
///   struct is `Owns` itself where both parts are, so composites nest. A
///   block that does not fit when it grows moves, by the usual allocate,
///   copy and free, to wherever the route sends the new size.
///
/// A route function is safe: `fn(&Self, len: usize, align: Alignment) ->
/// Route`. Any answer is sound, because frees never depend on it: they
/// are routed by `Owns`, an `unsafe` trait whose implementer promises the
/// exact answer. A two-parent struct therefore needs no `unsafe` of yours
/// and compiles under `#![forbid(unsafe_code)]`. No allocator function may
/// unwind: a panic out of the route function aborts the process, as one
/// out of a `validate` override does.
///
/// # Attributes
///
/// | attribute | where | meaning |
/// | --- | --- | --- |
/// | `#[allocator(parent)]` | one field | forward `RawAlloc` (and `Owns`, see above) to this field |
/// | `#[allocator(parent)]` | two fields | a composite of the two: allocate from the first, then the second; the rest to the part that owns the block |
/// | `#[allocator(unsafe(alloc = path, alloc_zeroed = path, resize = path, remap = path, free = path))]` | struct with one parent | call `path(self, args...)` instead of the parent for these functions (any subset) |
/// | `#[allocator(validate = path)]` | struct with one parent | call the safe `path(self, memory, align, caller)` instead of the parent's `validate` |
/// | `#[allocator(route = path)]` | struct with two parents | call the safe `path(self, len, align) -> Route` to choose where each allocation goes |
/// | `#[allocator(global)]` | struct | also `Standalone` (when every parent is) and `core::alloc::GlobalAlloc`, so a `Sync` value can be the `#[global_allocator]` |
/// | `#[allocator(crate = "path")]` | struct | where the runtime is, if not at `::alloc_runtime` |
///
/// An override of one of the four functions is an unsafe promise, hence
/// `unsafe(...)` as in Rust 2024's `#[unsafe(no_mangle)]`: the function
/// decides what memory safe collections receive, so it must keep
/// `RawAlloc`'s contract together with the functions still forwarded to the
/// parent. A function with the same arguments as the `RawAlloc` method,
/// after `&self`, fits; it may be safe or `unsafe`. The derive calls it in an
/// `unsafe` block that carries the span of your `unsafe` token, so the
/// `unsafe_code` lint sees the promise where you wrote it:
/// `#![forbid(unsafe_code)]` or `#![deny(unsafe_code)]` reject the
/// attribute (under `deny`, an `#[allow(unsafe_code)]` on the struct lets it
/// through), and clippy's `undocumented_unsafe_blocks` asks for a
/// `// SAFETY:` comment on the line above it.
///
/// `validate` is overridden outside `unsafe(...)`: its answer only tells a
/// caller whether to go on (`RawAlloc::validate`), so a wrong one cannot
/// cause undefined behaviour, and safe code cannot read through the pointer
/// it receives. An unwind out of it aborts the process, as no allocator
/// function may unwind.
///
/// Overrides are for wrappers: a composite's functions are fixed by the
/// routing (write `unsafe impl RawAlloc` yourself, without the two
/// `#[allocator(parent)]`, to change them), and a third parent is one too
/// many (make one part a composite of its own).
///
/// The derive writes no `unsafe impl` itself: the runtime's macros do
/// (`__private`), naming everything through their own crate. So
/// `crate = "path"` may rename the runtime but cannot replace it with a
/// look-alike unless that look-alike writes an `unsafe impl` of its own,
/// which the lint sees.
///
/// `global` implements `GlobalAlloc` through the four functions (`realloc`
/// tries `remap`, then an in-place `resize`, then allocates, copies and
/// frees) for a struct that is `RawAlloc` and `Standalone`: it never calls
/// Rust's global allocator, which under `#[global_allocator]` would be
/// itself. A wrapper or composite is `Standalone` when its parents are; a
/// parent that is not (`Global`, `DebugAlloc`, `Logging`) is reported at its
/// type. A struct without parents writes `impl Standalone` itself. The
/// `static` must be `Sync`, so the parents are the `ThreadSafe` blocks,
/// `Locked` or the concurrent bump:
///
/// ```
/// use alloc_runtime::{Allocator, Counting, ThreadSafe};
/// use std::alloc::System;
///
/// /// Counts every allocation of the program.
/// #[derive(Allocator)]
/// #[allocator(global)]
/// struct Counted {
///     #[allocator(parent)]
///     inner: Counting<System, ThreadSafe>,
/// }
///
/// #[global_allocator]
/// static GLOBAL: Counted = Counted { inner: Counting::new_sync(System) };
///
/// let before = GLOBAL.inner.stats();
/// let v = std::hint::black_box(vec![0u64; 16]);
/// assert_eq!(GLOBAL.inner.stats().bytes_allocated - before.bytes_allocated, 128);
/// # drop(v);
/// ```
///
/// Mistakes are all reported at once, each at the token at fault.
///
/// # Examples
///
/// A wrapper that counts allocations and forwards everything else:
///
/// ```
/// use alloc_runtime::{Alignment, Allocator, Bump, Caller, RawAlloc};
/// use core::{cell::Cell, mem::MaybeUninit, ptr::NonNull};
///
/// #[derive(Allocator)]
/// // SAFETY: `counted` forwards to the parent unchanged.
/// #[allocator(unsafe(alloc = Self::counted))]
/// struct Tally<A> {
///     #[allocator(parent)]
///     inner: A,
///     count: Cell<usize>,
/// }
///
/// impl<A: RawAlloc> Tally<A> {
///     fn counted(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
///         self.count.set(self.count.get() + 1);
///         self.inner.alloc(len, align, caller)
///     }
/// }
///
/// let mut buffer = [MaybeUninit::uninit(); 256];
/// let tally = Tally { inner: Bump::new(&mut buffer), count: Cell::new(0) };
///
/// let mut v = allocator_api2::vec::Vec::new_in(&tally);
/// v.push(1u32);
/// tally.allocator().create(2u64).unwrap();
/// assert_eq!(tally.count.get(), 2);
/// ```
///
/// A composite of your own, in the style of D's `Segregator` and
/// `FallbackAllocator` at once: small requests to a stack buffer (then the
/// heap when it is full), large ones straight to the heap. No `unsafe`:
///
/// ```
/// # #![forbid(unsafe_code)]
/// use alloc_runtime::{Alignment, Allocator, Bump, Global, Route};
/// use core::mem::MaybeUninit;
///
/// #[derive(Allocator)]
/// #[allocator(route = Self::by_size)]
/// struct SmallOnStack<'a> {
///     #[allocator(parent)]
///     stack: Bump<'a>,
///     #[allocator(parent)]
///     heap: Global,
/// }
///
/// impl SmallOnStack<'_> {
///     fn by_size(&self, len: usize, _: Alignment) -> Route {
///         if len <= 64 { Route::FirstThenSecond } else { Route::Second }
///     }
/// }
///
/// let mut buffer = [MaybeUninit::uninit(); 1024];
/// let a = SmallOnStack { stack: Bump::new(&mut buffer), heap: Global };
///
/// let small = allocator_api2::boxed::Box::new_in([1u8; 16], &a);
/// let large = allocator_api2::boxed::Box::new_in([2u8; 4096], &a);
/// assert!(a.stack.owns(small.as_ptr()));
/// assert!(!a.stack.owns(large.as_ptr()));
/// // Frees find their part again, whatever the route said.
/// drop((small, large));
/// ```
///
/// A wrapper forwards `Owns` to its parent, so it can come first in a
/// composite; one that overrides `alloc` (here, to refuse large requests)
/// decides what it hands out, and says so itself:
///
/// ```
/// use alloc_runtime::{Alignment, Allocator, Bump, Caller, Global, Owns, RawAlloc};
/// use core::{mem::MaybeUninit, ptr::NonNull};
///
/// /// Forwards everything: `Owns` where `A: Owns`.
/// #[derive(Allocator)]
/// struct Tagged<A> {
///     #[allocator(parent)]
///     inner: A,
///     tag: &'static str,
/// }
///
/// /// Refuses requests over 64 bytes.
/// #[derive(Allocator)]
/// // SAFETY: `small_only` hands out the parent's blocks, or nothing.
/// #[allocator(unsafe(alloc = Self::small_only))]
/// struct SmallOnly<A> {
///     #[allocator(parent)]
///     inner: A,
/// }
///
/// impl<A: RawAlloc> SmallOnly<A> {
///     fn small_only(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
///         if len <= 64 { self.inner.alloc(len, align, caller) } else { None }
///     }
/// }
///
/// // SAFETY: every block `SmallOnly` hands out is one of `inner`'s (see
/// // `small_only`), and the memory it manages is `inner`'s.
/// unsafe impl<A: Owns> Owns for SmallOnly<A> {
///     fn owns(&self, memory: NonNull<[u8]>) -> bool {
///         self.inner.owns(memory)
///     }
/// }
///
/// /// The stack buffer for small requests, the heap for the rest.
/// #[derive(Allocator)]
/// struct StackFirst<'a> {
///     #[allocator(parent)]
///     stack: Tagged<SmallOnly<Bump<'a>>>,
///     #[allocator(parent)]
///     heap: Tagged<Global>,
/// }
///
/// let mut buffer = [MaybeUninit::uninit(); 1024];
/// let a = StackFirst {
///     stack: Tagged { inner: SmallOnly { inner: Bump::new(&mut buffer) }, tag: "stack" },
///     heap: Tagged { inner: Global, tag: "heap" },
/// };
/// use allocator_api2::vec::Vec;
/// let block = |v: &Vec<u8, _>| {
///     NonNull::slice_from_raw_parts(NonNull::new(v.as_ptr().cast_mut()).unwrap(), v.capacity())
/// };
/// let small = Vec::with_capacity_in(64, &a);
/// let large = Vec::with_capacity_in(65, &a); // refused by `SmallOnly`
/// assert!(a.stack.owns(block(&small)));
/// assert!(!a.stack.owns(block(&large)));
/// # assert_eq!((a.stack.tag, a.heap.tag), ("stack", "heap"));
/// ```
///
/// An allocator of your own implements `RawAlloc` and derives the rest:
///
/// ```
/// use alloc_runtime::{Alignment, Allocator, Caller, RawAlloc};
/// use core::ptr::NonNull;
///
/// /// Refuses every request.
/// #[derive(Allocator)]
/// struct Empty;
///
/// // SAFETY: it never hands out memory, so there is nothing to misuse.
/// unsafe impl RawAlloc for Empty {
///     fn alloc(&self, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
///         None
///     }
///
///     unsafe fn free(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}
/// }
///
/// assert!(Empty.allocator().create(1u8).is_err());
/// assert!(allocator_api2::boxed::Box::try_new_in(1u8, Empty).is_err());
/// ```
///
/// Forgetting that impl is one error, at the struct:
///
/// ```compile_fail
/// #[derive(alloc_runtime::Allocator)]
/// struct Forgot; // error: `Forgot` does not implement the four allocator functions
/// ```
#[proc_macro_derive(Allocator, attributes(allocator))]
pub fn derive_allocator(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
