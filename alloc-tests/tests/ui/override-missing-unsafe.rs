// An override is an unsafe promise and says so.
use alloc_runtime::{Alignment, Allocator, Caller, RawAlloc};
use core::ptr::NonNull;

#[derive(Allocator)]
#[allocator(alloc = Self::logged)]
struct Logging<A> {
    #[allocator(parent)]
    inner: A,
}

impl<A: RawAlloc> Logging<A> {
    fn logged(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.inner.alloc(len, align, caller)
    }
}

fn main() {}
