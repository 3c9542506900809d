// What a pooled arena allocates lives as long as the pool, not longer.
use alloc_runtime::ArenaPool;

fn main() {
    let value: &mut u64 = {
        let pool = ArenaPool::new();
        let arena = pool.get();
        arena.alloc(1)
    };
    *value += 1;
}
