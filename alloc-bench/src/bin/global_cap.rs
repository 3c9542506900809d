//! The global-allocator benchmark's peer: cap 0.1's `Cap<System>` with no
//! limit (`usize::MAX`) as the `#[global_allocator]`; it keeps one figure,
//! the bytes allocated now. `global_cap WORKLOAD [ITERS] [REPS]`; see
//! `global_interleaved`.

use std::alloc::System;
use std::process::ExitCode;

use alloc_bench::global::{self, Figures};
use cap::Cap;

#[global_allocator]
static GLOBAL: Cap<System> = Cap::new(System, usize::MAX);

fn main() -> ExitCode {
    global::main("cap", || Figures {
        live_bytes: Some(GLOBAL.allocated() as i64),
        ..Figures::NONE
    })
}
