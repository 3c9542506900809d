// A derived allocator implements allocator-api2's `Allocator`, not the
// standard library's unstable one; the message names allocator-api2's
// trait by its public path, never the runtime's private module.
use alloc_runtime::Bump;
use core::mem::MaybeUninit;

fn main() {
    let mut buffer = [MaybeUninit::uninit(); 64];
    let bump = Bump::new(&mut buffer);
    let _ = std::vec::Vec::<u8, _>::new_in(&bump);
}
