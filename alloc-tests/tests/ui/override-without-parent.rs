// Overrides replace some of the parent's functions; without a parent there
// is nothing to forward the others to.
use alloc_runtime::{Alignment, Allocator, Caller};
use core::ptr::NonNull;

#[derive(Allocator)]
#[allocator(unsafe(alloc = my_alloc))]
struct Mine;

fn my_alloc(_: &Mine, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
    None
}

fn main() {}
