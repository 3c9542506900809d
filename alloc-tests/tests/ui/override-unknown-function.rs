// Only `alloc`, `resize`, `remap` and `free` can be overridden.
use alloc_runtime::Allocator;

#[derive(Allocator)]
#[allocator(unsafe(allocate = my_alloc))]
struct Wrapper<A> {
    #[allocator(parent)]
    inner: A,
}

fn main() {}
