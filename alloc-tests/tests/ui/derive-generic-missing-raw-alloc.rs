// A generic struct with neither an `#[allocator(parent)]` field nor an
// `unsafe impl RawAlloc`: the derive cannot tell at the struct (the impl may
// be written for some parameters only), so the first use reports it, once,
// saying what to write.
use alloc_runtime::{Allocator, Bump};
use core::mem::MaybeUninit;

#[derive(Allocator)]
struct Wrapper<A> {
    inner: A,
}

fn main() {
    let mut buffer = [MaybeUninit::uninit(); 64];
    let wrapper = Wrapper { inner: Bump::new(&mut buffer) };
    let mut v = allocator_api2::vec::Vec::new_in(&wrapper);
    v.push(1u8);
}
