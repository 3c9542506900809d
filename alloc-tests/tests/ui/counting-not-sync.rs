// `Counting` keeps its counters in `Cell`s: it is not `Sync`, even over a
// `Sync` parent.
use alloc_runtime::{Bump, Counting, Handle, ThreadSafe};

fn assert_sync<T: Sync>() {}

fn main() {
    assert_sync::<Handle<'static, ThreadSafe>>();
    assert_sync::<Counting<Handle<'static, ThreadSafe>>>();
    assert_sync::<Counting<Bump<'static>>>();
}
