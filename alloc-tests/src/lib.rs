//! The workspace's integration tests (`tests/`): collections driven by every
//! allocator, `#[derive(Allocator)]` expansion, hygiene and lints, and the
//! compile-fail tests in `tests/ui` (trybuild). Run them with `cargo test -p
//! alloc-tests`. The library is empty; the package is not published.
#![no_std]
