// A slice allocated in an arena cannot outlive it (bumpalo #178).
use alloc_runtime::Arena;

fn main() {
    let slice: &[u32];
    {
        let arena = Arena::new();
        slice = arena.alloc_slice_copy(&[1, 2, 3]);
    }
    assert_eq!(slice.len(), 3);
}
