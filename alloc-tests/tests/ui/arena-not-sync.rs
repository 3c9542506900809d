// `Arena` keeps its position in cells: it is `Send` but not `Sync`, so a
// `&Arena` cannot be shared with another thread.
use alloc_runtime::Arena;

fn main() {
    let arena = Arena::new();
    std::thread::scope(|t| {
        t.spawn(|| arena.allocated_bytes());
    });
}
