// A handle to an allocator that is not `Sync` cannot cross threads.
use alloc_runtime::Bump;
use core::mem::MaybeUninit;

fn main() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let bump = Bump::new(&mut buf);
    let handle = bump.allocator();
    std::thread::scope(|s| {
        s.spawn(move || {
            let _ = handle.create(1u8);
        });
    });
}
