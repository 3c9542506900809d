// A pooled arena is one thread's loan: it may move to another thread, but
// not be shared; the pool is shared only over a `Sync` parent.
use alloc_runtime::{ArenaPool, Counting, Global, PooledArena};

fn assert_sync<T: Sync>() {}
fn assert_send<T: Send>() {}

fn main() {
    assert_sync::<PooledArena<'static>>();
    assert_sync::<ArenaPool<Counting<Global>>>();
    assert_send::<PooledArena<'static, Counting<Global>>>();
}
