// `DebugAlloc` keeps its records in the global allocator: it cannot be part
// of the global allocator (not `Standalone`), whatever makes it `Sync`.
use alloc_runtime::{Counting, DebugAlloc, ThreadSafe};
use core::alloc::GlobalAlloc;
use std::alloc::System;

fn global_allocator<A: GlobalAlloc + Sync>() {}

fn main() {
    global_allocator::<Counting<DebugAlloc<System>, ThreadSafe>>();
}
