// `Fail` keeps its counters in `Cell`s: it is not `Sync`, even over a `Sync`
// parent.
use alloc_runtime::{Fail, Handle, ThreadSafe};

fn assert_sync<T: Sync>() {}

fn main() {
    assert_sync::<Fail<Handle<'static, ThreadSafe>>>();
}
