// A route chooses between two parts: a wrapper or an allocator of its own
// has nothing to choose between.
use alloc_runtime::{Alignment, Allocator, Route};

#[derive(Allocator)]
#[allocator(route = Self::pick)]
struct Wrapper<A> {
    #[allocator(parent)]
    inner: A,
}

impl<A> Wrapper<A> {
    fn pick(&self, _: usize, _: Alignment) -> Route {
        Route::First
    }
}

fn main() {}
