// A handle borrows its allocator: it cannot be used after the allocator is gone.
use alloc_runtime::{Bump, Handle};
use core::mem::MaybeUninit;

fn main() {
    let handle: Handle<'_>;
    {
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        handle = bump.allocator();
    }
    let _ = handle.create(1u8);
}
