//! `Fail`'s tests: the conformance suite and every knob, once per marker
//! (`cases.rs`), then threads racing for the failure indices
//! (`threads.rs`).

/// The cases over `Fail<A, Local>`.
mod local {
    /// The failing allocator under test: `Fail::new`.
    fn new<A>(inner: A, n: usize) -> Fail<A, Local> {
        Fail::new(inner, n)
    }

    /// The failing allocator under test: `Fail::with_config`.
    fn with_config<A>(inner: A, config: FailConfig) -> Fail<A, Local> {
        Fail::with_config(inner, config)
    }

    include!("cases.rs");
}

/// The same cases over `Fail<A, ThreadSafe>`, on one thread.
mod thread_safe {
    /// The failing allocator under test: `Fail::new_sync`.
    fn new<A>(inner: A, n: usize) -> Fail<A, ThreadSafe> {
        Fail::new_sync(inner, n)
    }

    /// The failing allocator under test: `Fail::with_config_sync`.
    fn with_config<A>(inner: A, config: FailConfig) -> Fail<A, ThreadSafe> {
        Fail::with_config_sync(inner, config)
    }

    include!("cases.rs");
}

mod threads;
