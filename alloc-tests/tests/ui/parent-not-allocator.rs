// `#[allocator(parent)]` on a field that is no allocator: the error says so,
// at the field's type, and does not advise adding `#[allocator(parent)]`.
use alloc_runtime::{Allocator, Bump};

#[derive(Allocator)]
struct Limited<'a> {
    inner: Bump<'a>,
    #[allocator(parent)]
    limit: usize,
}

fn main() {}
