//! The global-allocator benchmark's peer: stats_alloc 0.1's
//! `StatsAlloc<System>` (`StatsAlloc::system()`, the same as its
//! `INSTRUMENTED_SYSTEM`, held by value as ours is) as the `#[global_allocator]`.
//! `global_stats_alloc WORKLOAD [ITERS] [REPS]`; see `global_interleaved`.

use std::alloc::System;
use std::process::ExitCode;

use alloc_bench::global::{self, Figures};
use stats_alloc::StatsAlloc;

#[global_allocator]
static GLOBAL: StatsAlloc<System> = StatsAlloc::system();

fn main() -> ExitCode {
    global::main("stats_alloc", || {
        let s = GLOBAL.stats();
        Figures {
            allocations: Some(s.allocations as u64),
            frees: Some(s.deallocations as u64),
            bytes_allocated: Some(s.bytes_allocated as u64),
            live_bytes: Some(s.bytes_allocated as i64 - s.bytes_deallocated as i64),
        }
    })
}
