// The parent must be an allocator; the error is at its type, once.
use alloc_runtime::Allocator;

#[derive(Allocator)]
struct Wrapper {
    #[allocator(parent)]
    inner: u32,
}

fn main() {}
