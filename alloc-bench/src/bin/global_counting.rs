//! The global-allocator benchmark's contender: alloc-runtime's
//! `Counting<System, ThreadSafe>` (atomic counters) as the
//! `#[global_allocator]`. `global_counting WORKLOAD [ITERS] [REPS]`; see
//! `global_interleaved`.

use std::alloc::System;
use std::process::ExitCode;

use alloc_bench::global::{self, Figures};
use alloc_runtime::{Counting, ThreadSafe};

#[global_allocator]
static GLOBAL: Counting<System, ThreadSafe> = Counting::new_sync(System);

fn main() -> ExitCode {
    global::main("counting", || {
        let s = GLOBAL.stats();
        Figures {
            allocations: Some(s.allocations),
            frees: Some(s.frees),
            bytes_allocated: Some(s.bytes_allocated),
            live_bytes: Some(s.live_bytes as i64),
        }
    })
}
