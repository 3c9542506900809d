// A wrapper forwards `Owns` only where its parent implements it: one over
// `Global` is an allocator (it compiles and allocates), but not `Owns`, so
// it cannot be the first part of a composite.
use alloc_runtime::{Allocator, Global, Owns, RawAlloc};

#[derive(Allocator)]
struct OverGlobal {
    #[allocator(parent)]
    global: Global,
}

fn raw_alloc<A: RawAlloc>(_: &A) {}

fn owns<A: Owns>(_: &A) {}

fn main() {
    let wrapper = OverGlobal { global: Global };
    raw_alloc(&wrapper);
    owns(&wrapper);
}
