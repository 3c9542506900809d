// `global` is a bare word, written once.
use alloc_runtime::{Allocator, Counting, ThreadSafe};
use std::alloc::System;

#[derive(Allocator)]
#[allocator(global = true)]
struct WithValue {
    #[allocator(parent)]
    inner: Counting<System, ThreadSafe>,
}

#[derive(Allocator)]
#[allocator(global, global)]
struct Twice {
    #[allocator(parent)]
    inner: Counting<System, ThreadSafe>,
}

fn main() {}
