// The crate path is given once.
use alloc_runtime::Allocator;

#[derive(Allocator)]
#[allocator(crate = "alloc_runtime", crate = "alloc_runtime")]
struct Wrapper<A> {
    #[allocator(parent)]
    inner: A,
}

fn main() {}
