// A `Bump` takes `[MaybeUninit<u8>]`, not `[u8]`: collections may store
// uninitialized bytes in its memory, which a `[u8]` buffer would later expose.
use alloc_runtime::Bump;

fn main() {
    let mut buf = [0u8; 64];
    let _bump = Bump::new(&mut buf);
}
