//! The typed API on the growing [`Arena`].

use super::ArenaMemory;
use crate::{Arena, RawAlloc};

// SAFETY: what the arena's own code guarantees (`arena/`): a block handed out
// by `alloc` lies in a chunk the arena holds, and chunks go back to the parent
// only through `&mut self` — `reset`, `into_inner`, the drop, and the end of
// a `scope` (which holds the arena by `&mut` for its whole life, so nothing
// borrowed from the scope outlives it). Inside a chunk, bytes come back only
// through `unsafe` `free`/`resize`/`remap` (and allocator-api2's
// `deallocate`/`grow`/`shrink`) of the most recent block, exactly that
// block's bytes, as in `Bump`; `set_allocation_limit`, the statistics and
// `allocator()` take `&self` and never give memory back. A moved arena cannot
// be borrowed; chunks do not move with it (they live in the parent's memory).
unsafe impl<A: RawAlloc> ArenaMemory for Arena<A> {}

typed_api! {
    impl [A: RawAlloc] Arena<A>;
    name: "arena";
    setup: "use alloc_runtime::Arena;\n\nlet arena = Arena::new();";
}
