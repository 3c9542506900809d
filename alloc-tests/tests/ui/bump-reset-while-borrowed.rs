// `Bump::reset` takes `&mut self`: no allocation can be alive across a reset.
use alloc_runtime::Bump;
use allocator_api2::vec::Vec;
use core::mem::MaybeUninit;

fn main() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let mut bump = Bump::new(&mut buf);
    let mut v: Vec<u8, _> = Vec::new_in(&bump);
    v.push(1);
    bump.reset();
    v.push(2);
}
