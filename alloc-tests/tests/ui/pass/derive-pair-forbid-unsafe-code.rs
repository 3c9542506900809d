// A composite with a route needs no `unsafe`: which part allocates is the
// route's safe choice, and frees find their part through `Owns`, an unsafe
// trait implemented by the runtime's blocks. So it compiles under
// `#![forbid(unsafe_code)]`.
#![forbid(unsafe_code)]

use alloc_runtime::{Alignment, Allocator, Bump, Global, Route};
use core::mem::MaybeUninit;

#[derive(Allocator)]
#[allocator(route = Self::small_to_stack)]
struct SmallToStack<'a> {
    #[allocator(parent)]
    stack: Bump<'a>,
    #[allocator(parent)]
    heap: Global,
}

impl SmallToStack<'_> {
    fn small_to_stack(&self, len: usize, _: Alignment) -> Route {
        if len <= 64 { Route::FirstThenSecond } else { Route::Second }
    }
}

fn main() {
    let mut buffer = [MaybeUninit::uninit(); 256];
    let a = SmallToStack { stack: Bump::new(&mut buffer), heap: Global };
    let mut v = allocator_api2::vec::Vec::new_in(&a);
    v.extend_from_slice(&[1u8; 100]);
    assert_eq!(v.len(), 100);
}
