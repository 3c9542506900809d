//! Tests of `Limit`: the conformance suite and allocator-api2 checks, the
//! budget's edges, overflow, growth and shrink accounting, refusals that
//! never reach the parent, a model test, and allocation failures — once per
//! marker (`cases.rs`) — then threads racing for a budget (`threads.rs`).

/// The cases over `Limit<A, Local>`.
mod local {
    /// The limit under test: `Limit::new`.
    fn new<A>(parent: A, max_live: usize) -> Limit<A, Local> {
        Limit::new(parent, max_live)
    }

    include!("cases.rs");
}

/// The same cases over `Limit<A, ThreadSafe>`, on one thread.
mod thread_safe {
    /// The limit under test: `Limit::new_sync`.
    fn new<A>(parent: A, max_live: usize) -> Limit<A, ThreadSafe> {
        Limit::new_sync(parent, max_live)
    }

    include!("cases.rs");
}

mod threads;
