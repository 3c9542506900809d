// The buffer is borrowed by the bump for as long as the bump's memory lives.
use alloc_runtime::Bump;
use allocator_api2::boxed::Box;
use core::mem::MaybeUninit;

fn main() {
    let mut buf = [MaybeUninit::<u8>::uninit(); 64];
    let bump = Bump::new(&mut buf);
    let b = Box::new_in(5u32, &bump);
    buf[0] = MaybeUninit::new(0);
    assert_eq!(*b, 5);
}
