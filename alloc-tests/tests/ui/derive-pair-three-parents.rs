// A wrapper forwards to one parent, a composite routes between two; a third
// part goes in by making one of the two a composite of its own.
use alloc_runtime::Allocator;

#[derive(Allocator)]
struct Three<A, B, C> {
    #[allocator(parent)]
    first: A,
    #[allocator(parent)]
    second: B,
    #[allocator(parent)]
    third: C,
}

fn main() {}
