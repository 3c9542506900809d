// `Bump` keeps its position in a `Cell`: it must not be `Sync`
// (the iceoryx2 #991 bug: a cell-based allocator that silently became `Sync`).
use alloc_runtime::Bump;

fn assert_sync<T: Sync>() {}

fn main() {
    assert_sync::<Bump<'static>>();
}
