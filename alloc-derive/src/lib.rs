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
/// `#[allocator(parent)]` field, `RawAlloc` by forwarding to that field.
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
/// yourself (an allocator of your own), or mark one field
/// `#[allocator(parent)]` (a wrapper): the derive then implements
/// `RawAlloc` too, by forwarding each of the four functions and `validate`
/// to that field, except those the struct overrides. The field's type needs no bound
/// written: the derive adds `where FieldType: RawAlloc` itself.
///
/// # Attributes
///
/// | attribute | where | meaning |
/// | --- | --- | --- |
/// | `#[allocator(parent)]` | one field | forward `RawAlloc` to this field |
/// | `#[allocator(unsafe(alloc = path, resize = path, remap = path, free = path))]` | struct with a parent | call `path(self, args...)` instead of the parent for these functions (any subset) |
/// | `#[allocator(validate = path)]` | struct with a parent | call the safe `path(self, memory, align, caller)` instead of the parent's `validate` |
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
/// The derive writes no `unsafe impl` itself: the runtime's macros do
/// (`__private`), naming everything through their own crate. So
/// `crate = "path"` may rename the runtime but cannot replace it with a
/// look-alike unless that look-alike writes an `unsafe impl` of its own,
/// which the lint sees.
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
