// Misspelled keys, on the struct and on a field.
use alloc_runtime::Allocator;

#[derive(Allocator)]
#[allocator(krate = "alloc_runtime")]
struct Wrapper<A> {
    #[allocator(parnet)]
    inner: A,
}

fn main() {}
