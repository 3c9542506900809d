// Each function is overridden once.
use alloc_runtime::Allocator;

#[derive(Allocator)]
#[allocator(unsafe(alloc = first))]
#[allocator(unsafe(alloc = second))]
struct Wrapper<A> {
    #[allocator(parent)]
    inner: A,
}

fn main() {}
