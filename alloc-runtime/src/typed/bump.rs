//! The typed API on the fixed-buffer [`Bump`].

use super::ArenaMemory;
use crate::Bump;

// SAFETY: a `Bump` hands out `start..cur` and never the bytes below `cur`
// again while `cur` stays where it is; `cur` moves back (making bytes
// available again) only
// - in `reset(&mut self)`: exclusive, so no shared borrow is alive;
// - in `free`/`free_last` (through `RawAlloc::free` and allocator-api2's
//   `deallocate`) and in a shrinking `resize`/`remap`/`shrink`: all `unsafe`,
//   whose callers promise that the block passed is theirs and live with
//   exactly that length. `last_block` acts only when that block ends exactly
//   at `cur` and lies inside `start..cur`, and gives back bytes of that block
//   only. A block the typed API returned was handed out before anything now
//   above it, so a later block that ends at `cur` lies wholly above it: giving
//   that one back never reaches it. Only a caller who breaks its own `unsafe`
//   promise (passing a made-up block that spans ours) could move `cur` below
//   it — and the typed API never frees a block it has handed out.
// Safe code reaches these calls only through collections freeing, growing or
// shrinking their *own* buffers (allocator-api2's `Vec`, `Box`, the arena
// `String`), and through `Handle`s, whose freeing methods are all `unsafe`.
// The buffer is borrowed for `'a`, longer than any borrow of the bump; the
// bump cannot move or be dropped while borrowed.
unsafe impl ArenaMemory for Bump<'_> {}

typed_api! {
    impl ['b] Bump<'b>;
    name: "bump's buffer";
    setup: "use alloc_runtime::Bump;\nuse core::mem::MaybeUninit;\n\nlet mut buf = [MaybeUninit::uninit(); 1024];\nlet arena = Bump::new(&mut buf);";
}
