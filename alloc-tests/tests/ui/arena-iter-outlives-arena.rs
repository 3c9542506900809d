// An iterator over arena data cannot outlive the arena (bumpalo #178).
use alloc_runtime::Arena;

fn main() {
    let iter;
    {
        let arena = Arena::new();
        let slice = arena.alloc_slice_fill_iter(0u32..3);
        iter = slice.iter();
    }
    assert_eq!(iter.count(), 3);
}
