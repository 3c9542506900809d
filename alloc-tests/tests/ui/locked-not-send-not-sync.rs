// A lock serializes the calls, but an allocator that must stay on its
// thread (here an `Rc`, not `Send`) stays there: `Locked<A>` is `Sync`
// only when `A` is `Send`, and `Send` only when `A` is.
use alloc_runtime::{Global, Locked};
use std::rc::Rc;

fn assert_sync<T: Sync>() {}
fn assert_send<T: Send>() {}

fn main() {
    assert_sync::<Locked<Rc<Global>>>();
    assert_send::<Locked<Rc<Global>>>();
}
