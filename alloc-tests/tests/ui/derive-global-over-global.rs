// `#[allocator(global)]` over `Global` (Rust's global allocator, which the
// struct would then be): reported at the parent's type.
use alloc_runtime::{Allocator, Counting, Global, ThreadSafe};

#[derive(Allocator)]
#[allocator(global)]
struct Counted {
    #[allocator(parent)]
    inner: Counting<Global, ThreadSafe>,
}

fn main() {}
