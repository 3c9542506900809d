// `#[allocator]` always takes a list.
use alloc_runtime::Allocator;

#[derive(Allocator)]
#[allocator]
struct Bare<A> {
    #[allocator(parent)]
    inner: A,
}

#[derive(Allocator)]
#[allocator = "alloc_runtime"]
struct Assigned<A> {
    #[allocator(parent)]
    inner: A,
}

#[derive(Allocator)]
struct FieldBare<A> {
    #[allocator]
    inner: A,
}

fn main() {}
