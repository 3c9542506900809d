// Every mistake is reported in one compile.
use alloc_runtime::Allocator;

#[derive(Allocator)]
#[allocator(crate = 1, alloc = f)]
#[allocator(unsafe(alloc = a, alloc = b, allocate = c))]
struct Wrapper<A, B> {
    #[allocator(parent, prent)]
    first: A,
    #[allocator(parent = true)]
    second: B,
}

fn main() {}
