// A derive with a mistake still provides its methods and impls, so code that
// uses the allocator reports nothing more than the mistake.
use alloc_runtime::{Allocator, Bump, RawAlloc};
use allocator_api2::vec::Vec;
use core::mem::MaybeUninit;

#[derive(Allocator)]
#[allocator(unsafe(free = Self::noop, free = Self::noop))]
struct Wrapper<A> {
    #[allocator(parent)]
    inner: A,
}

fn takes_raw(_: &impl RawAlloc) {}

fn main() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let w = Wrapper {
        inner: Bump::new(&mut buf),
    };
    takes_raw(&w);
    let _ = w.allocator();
    let mut v = Vec::new_in(&w);
    v.push(1u8);
}
