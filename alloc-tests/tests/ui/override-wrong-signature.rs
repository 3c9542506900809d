// An override takes `&Self` and the arguments of the function it replaces;
// a mismatch is reported at the path.
use alloc_runtime::{Alignment, Allocator};
use core::ptr::NonNull;

#[derive(Allocator)]
#[allocator(unsafe(alloc = too_few))]
struct Wrapper<A> {
    #[allocator(parent)]
    inner: A,
}

fn too_few<A>(_: &Wrapper<A>, _: usize, _: Alignment) -> Option<NonNull<u8>> {
    None
}

fn main() {}
