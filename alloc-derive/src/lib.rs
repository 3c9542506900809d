//! `#[derive(Allocator)]` for [alloc-runtime]: turns a struct into an
//! allocator that collections can use.
//!
//! Use it through the runtime, which re-exports it
//! (`alloc_runtime::Allocator`, feature `derive`, on by default).
//!
//! [alloc-runtime]: https://docs.rs/alloc-runtime
//!
//! # What it generates
//!
//! For every struct:
//!
//! - inherent methods `allocator(&self) -> Handle<'_>` (the type-erased
//!   handle) and `sync_allocator(&self) -> Handle<'_, ThreadSafe>` (for a
//!   `Sync` allocator), so that neither needs an import;
//! - allocator-api2's `Allocator`, built from the four functions of
//!   `RawAlloc` by the runtime's `bridge`, so that the struct works with
//!   `allocator_api2::vec::Vec`, `allocator_api2::boxed::Box` and
//!   `hashbrown`.
//!
//! Both need the struct to implement `RawAlloc`. Either write that impl
//! yourself (an allocator of your own), or mark one field
//! `#[allocator(parent)]` (a wrapper): the derive then implements
//! `RawAlloc` too, by forwarding each of the four functions to that field,
//! except those the struct overrides. The field's type needs no bound
//! written: the derive adds `where FieldType: RawAlloc` itself.
//!
//! # Attributes
//!
//! | attribute | where | meaning |
//! | --- | --- | --- |
//! | `#[allocator(parent)]` | one field | forward `RawAlloc` to this field |
//! | `#[allocator(unsafe(alloc = path, resize = path, remap = path, free = path))]` | struct with a parent | call `path(self, args...)` instead of the parent for these functions (any subset) |
//! | `#[allocator(crate = "path")]` | struct | where the runtime is, if not at `::alloc_runtime` |
//!
//! An override is an unsafe promise, hence `unsafe(...)` as in Rust 2024's
//! `#[unsafe(no_mangle)]`: the function decides what memory safe
//! collections receive, so it must keep `RawAlloc`'s contract together with
//! the functions still forwarded to the parent. A function with the same
//! arguments as the `RawAlloc` method, after `&self`, fits; it may be safe or
//! `unsafe`.
//!
//! Mistakes are all reported at once, each at the token at fault.
//!
//! # Examples
//!
//! A wrapper that counts allocations and forwards everything else:
//!
//! ```
//! use alloc_runtime::{Alignment, Allocator, Bump, Caller, RawAlloc};
//! use core::{cell::Cell, mem::MaybeUninit, ptr::NonNull};
//!
//! #[derive(Allocator)]
//! #[allocator(unsafe(alloc = Self::counted))]
//! struct Tally<A> {
//!     #[allocator(parent)]
//!     inner: A,
//!     count: Cell<usize>,
//! }
//!
//! impl<A: RawAlloc> Tally<A> {
//!     fn counted(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
//!         self.count.set(self.count.get() + 1);
//!         self.inner.alloc(len, align, caller)
//!     }
//! }
//!
//! let mut buffer = [MaybeUninit::uninit(); 256];
//! let tally = Tally { inner: Bump::new(&mut buffer), count: Cell::new(0) };
//!
//! let mut v = allocator_api2::vec::Vec::new_in(&tally);
//! v.push(1u32);
//! tally.allocator().create(2u64).unwrap();
//! assert_eq!(tally.count.get(), 2);
//! ```
//!
//! An allocator of your own implements `RawAlloc` and derives the rest:
//!
//! ```
//! use alloc_runtime::{Alignment, Allocator, Caller, RawAlloc};
//! use core::ptr::NonNull;
//!
//! /// Refuses every request.
//! #[derive(Allocator)]
//! struct Empty;
//!
//! // SAFETY: it never hands out memory, so there is nothing to misuse.
//! unsafe impl RawAlloc for Empty {
//!     fn alloc(&self, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
//!         None
//!     }
//!
//!     unsafe fn free(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}
//! }
//!
//! assert!(Empty.allocator().create(1u8).is_err());
//! assert!(allocator_api2::boxed::Box::try_new_in(1u8, Empty).is_err());
//! ```
//!
//! Forgetting that impl is one error, at the struct:
//!
//! ```compile_fail
//! #[derive(alloc_runtime::Allocator)]
//! struct Forgot; // error: `Forgot` does not implement the four allocator functions
//! ```
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
/// See the [crate documentation](crate) for the attributes.
#[proc_macro_derive(Allocator, attributes(allocator))]
pub fn derive_allocator(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
