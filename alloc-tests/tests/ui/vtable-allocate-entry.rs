// A hand-made table cannot set the handle's allocator-api2 `allocate` entry:
// one that reported more bytes than `alloc` handed out would be undefined
// behaviour in safe code. Write `VTable::new(alloc, resize, remap, free)`.
use alloc_runtime::{Alignment, AllocError, Caller, VTable};
use core::alloc::Layout;
use core::ptr::NonNull;

fn alloc(_: NonNull<()>, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
    None
}

/// Claims a gigabyte it never allocated.
fn lying(
    _: NonNull<()>,
    _: &'static VTable,
    _: Layout,
    _: Caller,
) -> Result<NonNull<[u8]>, AllocError> {
    Ok(NonNull::slice_from_raw_parts(NonNull::dangling(), 1 << 30))
}

static LYING: VTable = VTable {
    alloc,
    resize: VTable::no_resize,
    remap: VTable::no_remap,
    free: VTable::no_free,
    allocate: lying,
};

fn main() {}
