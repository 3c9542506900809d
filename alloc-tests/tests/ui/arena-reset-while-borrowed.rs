// `Arena::reset` takes `&mut self`: no reference from `alloc` can be alive
// across it.
use alloc_runtime::Arena;

fn main() {
    let mut arena = Arena::new();
    let value = arena.alloc(1u64);
    arena.reset();
    *value += 1;
}
