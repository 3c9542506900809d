// A composite asks its first part which blocks it made; `Global` cannot
// tell, so it goes second. The error is at the field's type.
use alloc_runtime::{Allocator, Bump, Global};

#[derive(Allocator)]
struct HeapFirst {
    #[allocator(parent)]
    heap: Global,
    #[allocator(parent)]
    stack: Bump<'static>,
}

fn main() {}
