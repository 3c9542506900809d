// `Counting<A, ThreadSafe>` has atomic counters, but is `Sync` only when
// its parent is: over a `Bump` (a `Cell` position) it is not.
use alloc_runtime::{Bump, Counting, ThreadSafe};

fn assert_sync<T: Sync>() {}

fn main() {
    assert_sync::<Counting<Bump<'static>, ThreadSafe>>();
}
