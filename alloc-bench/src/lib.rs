//! Benchmarks of `alloc-runtime` against bumpalo, bump-scope and the global
//! allocator: the contenders, the five workloads and the two shapes that the
//! criterion benchmarks (`benches/alloc.rs`) and the interleaved runner
//! (`src/bin/interleaved.rs`) share. See `benches/README.md` for the method.
//!
//! ```
//! use alloc_bench::{Contender, Inputs, Ours, Shape, Workload, time};
//!
//! let mut bump = Ours::new();
//! let inputs = Inputs::new();
//! let spent = time(&mut bump, Workload::Tree, Shape::Reference, &inputs, 1);
//! println!("{}: one tree in {spent:?}", Ours::NAME);
//! ```

mod contenders;
mod shape;
mod workloads;

pub use contenders::{
    BUFFER_BYTES, BumpScope, Bumpalo, Contender, Counted, Failing, Ours, OursHandle, Stack, Std,
};
pub use shape::{Reach, Reference, Register, Shape};
pub use workloads::{
    Inputs, MAP_ENTRIES, SMALL_ALLOCS, STRINGS, TREE_NODES, VEC_PUSHES, Workload, blocks, run,
    time, time_in,
};

#[cfg(test)]
mod tests;
