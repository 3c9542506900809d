//! The workspace's root package: it holds the examples (`examples/`) of
//! `alloc-runtime` and `alloc-derive`, so that `cargo run --example` at the
//! repository root builds and runs them. The integration tests are in
//! `alloc-tests/`, the benchmarks in `alloc-bench/`. It is not published and
//! has no API.
#![no_std]
