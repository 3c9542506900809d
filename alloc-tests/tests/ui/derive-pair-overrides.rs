// A composite's functions go to the part that owns each block; overriding
// one of them (or `validate`) is not part of the two-parent form.
use alloc_runtime::{Alignment, Allocator, Bump, Caller, Global};
use core::ptr::NonNull;

#[derive(Allocator)]
#[allocator(unsafe(free = Self::free_all), validate = Self::check)]
struct Pair<'a> {
    #[allocator(parent)]
    stack: Bump<'a>,
    #[allocator(parent)]
    heap: Global,
}

impl Pair<'_> {
    fn free_all(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}

    fn check(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) -> bool {
        true
    }
}

fn main() {}
