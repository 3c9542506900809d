// `parent` is a flag.
use alloc_runtime::Allocator;

#[derive(Allocator)]
struct Wrapper<A> {
    #[allocator(parent = 1)]
    inner: A,
}

fn main() {}
