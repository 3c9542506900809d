// Under `#![deny(unsafe_code)]` each override is an error at the `unsafe` of
// the `unsafe(...)` it is written in.
#![deny(unsafe_code)]

use alloc_runtime::{Alignment, Allocator, Caller, RawAlloc};
use core::ptr::NonNull;

#[derive(Allocator)]
#[allocator(unsafe(alloc = Self::forward))]
#[allocator(unsafe(free = Self::ignore))]
struct Hooked<A> {
    #[allocator(parent)]
    inner: A,
}

impl<A: RawAlloc> Hooked<A> {
    fn forward(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.inner.alloc(len, align, caller)
    }

    fn ignore(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}
}

fn main() {}
