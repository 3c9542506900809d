// `#[derive(Allocator)]` is for structs.
use alloc_runtime::Allocator;

#[derive(Allocator)]
union Raw {
    bytes: [u8; 8],
    word: u64,
}

fn main() {}
