// Without a parent, the struct implements `RawAlloc` itself; forgetting to
// is one error, at the struct.
use alloc_runtime::Allocator;

#[derive(Allocator)]
struct Forgot;

fn main() {}
