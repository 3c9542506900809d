//! Benchmarks of `alloc-runtime` against bumpalo, bump-scope and the global
//! allocator: the contenders, the ten workloads and the two shapes that
//! the criterion benchmarks (`benches/alloc.rs`), the interleaved runner
//! (`src/bin/interleaved.rs`) and the peak-memory probe
//! (`src/bin/peak_rss.rs`) share, and the workloads of the global-allocator
//! benchmark ([`global`]). See `benches/README.md` for the method.
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
pub mod global;
mod shape;
mod workloads;

pub use contenders::{
    BUFFER_BYTES, BumpScope, BumpScopeNew, Bumpalo, BumpaloNew, Composed, ComposedCounted,
    Contender, Counted, Failing, MiAlloc, Mimalloc, OurArena, OurArenaNew, Ours, OursHandle,
    SmallObjects, Stack, Std, Typed, small_objects,
};
pub use shape::{Reach, Reference, Register, Shape};
pub use workloads::{
    CHURN_LIVE, CHURN_STEPS, ChurnStep, GROWTH_ALLOCS, Inputs, MAP_ENTRIES, PAIRS_STEPS,
    PAIRS_WINDOW, PHASE_OBJECTS, PHASES, SMALL_ALLOCS, STRINGS, TREE_NODES, VEC_PUSHES, Workload,
    blocks, pair_marks, run, run_typed, time, time_in, time_typed, time_typed_in,
};

#[cfg(test)]
mod tests;
