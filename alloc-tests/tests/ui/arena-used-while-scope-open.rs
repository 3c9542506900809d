// A scope borrows its arena mutably: the arena cannot be used until the
// scope is closed.
use alloc_runtime::Arena;

fn main() {
    let mut arena = Arena::new();
    arena.scope(|_scope| {
        let _ = arena.allocated_bytes();
    });
}
