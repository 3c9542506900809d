// One route function per composite.
use alloc_runtime::{Alignment, Allocator, Bump, Global, Route};

#[derive(Allocator)]
#[allocator(route = small_first)]
#[allocator(route = large_first)]
struct Pair<'a> {
    #[allocator(parent)]
    stack: Bump<'a>,
    #[allocator(parent)]
    heap: Global,
}

fn small_first(_: &Pair<'_>, _: usize, _: Alignment) -> Route {
    Route::FirstThenSecond
}

fn large_first(_: &Pair<'_>, _: usize, _: Alignment) -> Route {
    Route::Second
}

fn main() {}
