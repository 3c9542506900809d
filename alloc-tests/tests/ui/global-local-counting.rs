// A global allocator is a `static`, so it must be `Sync`: `Counting<A>`
// (`Local`, counters in `Cell`s) cannot be one; `Counting<A, ThreadSafe>`
// can.
use alloc_runtime::Counting;
use std::alloc::System;

#[global_allocator]
static GLOBAL: Counting<System> = Counting::new(System);

fn main() {}
