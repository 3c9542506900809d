//! The global-allocator benchmark's baseline: plain `std::alloc::System`
//! (glibc `malloc` here). `global_system WORKLOAD [ITERS] [REPS]`; see
//! `global_interleaved`.

use std::alloc::System;
use std::process::ExitCode;

use alloc_bench::global::{self, Figures};

#[global_allocator]
static GLOBAL: System = System;

fn main() -> ExitCode {
    global::main("system", || Figures::NONE)
}
