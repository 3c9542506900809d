// Memory from a bump borrows the bump: a collection cannot outlive it.
use alloc_runtime::Bump;
use allocator_api2::boxed::Box;
use core::mem::MaybeUninit;

fn main() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let bump = Bump::new(&mut buf);
    let b = Box::new_in(5u32, &bump);
    drop(bump);
    assert_eq!(*b, 5);
}
