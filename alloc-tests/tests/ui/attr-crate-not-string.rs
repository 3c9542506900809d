// The crate path is a string, as in serde's `#[serde(crate = "...")]`.
use alloc_runtime::Allocator;

#[derive(Allocator)]
#[allocator(crate = alloc_runtime)]
struct Wrapper<A> {
    #[allocator(parent)]
    inner: A,
}

fn main() {}
