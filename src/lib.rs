//! The workspace's root package: it holds the integration tests (`tests/`),
//! examples (`examples/`) and benchmarks (`benches/`) of `alloc-runtime` and
//! `alloc-derive`, so that `cargo test` and `cargo run --example` at the
//! repository root build and run them. It is not published and has no API.
#![no_std]
