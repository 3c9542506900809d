// An override is an unsafe promise: under `#![forbid(unsafe_code)]` it is an
// error at the `unsafe` of `#[allocator(unsafe(...))]`, even when the
// function is safe (this one hands out a dangling pointer).
#![forbid(unsafe_code)]

use alloc_runtime::{Alignment, Allocator, Caller};
use core::ptr::NonNull;

#[derive(Allocator)]
#[allocator(unsafe(alloc = Self::dangling))]
struct Liar<A> {
    #[allocator(parent)]
    inner: A,
}

impl<A> Liar<A> {
    fn dangling(&self, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
        Some(NonNull::dangling())
    }
}

fn main() {}
