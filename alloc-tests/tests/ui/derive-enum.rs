// `#[derive(Allocator)]` is for structs.
use alloc_runtime::Allocator;

#[derive(Allocator)]
enum Either<A, B> {
    Left(A),
    Right(B),
}

fn main() {}
