// `Global` is Rust's global allocator: under `#[global_allocator]` it would
// be the allocator calling itself. `Standalone` refuses it.
use alloc_runtime::{Counting, Global, ThreadSafe};

#[global_allocator]
static GLOBAL: Counting<Global, ThreadSafe> = Counting::new_sync(Global);

fn main() {}
