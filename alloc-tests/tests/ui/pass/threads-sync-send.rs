// The thread-safe blocks are `Sync` and `Send` over `Sync`/`Send` parents,
// and can be the global allocator.
use alloc_runtime::{Counting, Global, Handle, ThreadSafe};
use core::alloc::GlobalAlloc;
use std::alloc::System;

fn assert_sync_send<T: Sync + Send>() {}
fn assert_global<T: GlobalAlloc + Sync>() {}

#[global_allocator]
static GLOBAL: Counting<System, ThreadSafe> = Counting::new_sync(System);

fn main() {
    assert_sync_send::<Counting<System, ThreadSafe>>();
    assert_sync_send::<Counting<Global, ThreadSafe>>();
    assert_sync_send::<Counting<Handle<'static, ThreadSafe>, ThreadSafe>>();
    assert_sync_send::<Counting<Counting<System, ThreadSafe>, ThreadSafe>>();
    assert_global::<Counting<Counting<System, ThreadSafe>, ThreadSafe>>();
    let v = vec![1u8; 10];
    assert!(GLOBAL.stats().live_bytes >= 10);
    drop(v);
}
