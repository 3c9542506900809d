// Only a `Sync` allocator gives a `ThreadSafe` handle.
use alloc_runtime::{Bump, Handle};
use core::mem::MaybeUninit;

fn main() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let bump = Bump::new(&mut buf);
    let _ = Handle::new_sync(&bump);
}
