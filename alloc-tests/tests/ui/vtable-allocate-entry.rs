// A hand-made table cannot set the handle's allocator-api2 entries
// (`allocate`, `deallocate`, `grow`, `shrink`): an `allocate` that reported
// more bytes than `alloc` handed out, or a `deallocate` that skipped `free`,
// would break the handle's `Allocator` impl in safe code. Write
// `VTable::new(alloc, resize, remap, free)`, which derives them. (With the
// fields public this would compile: privacy is the only error.)
use alloc_runtime::{Bump, VTable};
use core::ptr::NonNull;

static LYING: VTable = VTable {
    // Claims a gigabyte it never allocated.
    allocate: |_, _, _, _| Ok(NonNull::slice_from_raw_parts(NonNull::dangling(), 1 << 30)),
    // Skips `free`.
    deallocate: |_, _, _, _, _| {},
    ..*VTable::of::<Bump<'static>>()
};

fn main() {}
