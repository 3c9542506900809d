// A wrapper forwards to one parent.
use alloc_runtime::Allocator;

#[derive(Allocator)]
struct Both<A, B> {
    #[allocator(parent)]
    first: A,
    #[allocator(parent)]
    second: B,
}

fn main() {}
