// What a scope allocates is released when it closes: it cannot leave the
// closure.
use alloc_runtime::Arena;

fn main() {
    let mut arena = Arena::new();
    let escaped: &mut u32 = arena.scope(|scope| scope.alloc(7u32));
    *escaped += 1;
}
