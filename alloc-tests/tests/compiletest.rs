//! Compile-fail tests: `tests/ui/*.rs` must fail to compile with exactly the
//! errors in the `.stderr` beside each (blessed on the pinned toolchain with
//! `TRYBUILD=overwrite cargo test -p alloc-tests --test compiletest`, then
//! reviewed).
//!
//! - `derive-*`, `attr-*`, `parent-*`, `override-*`: misuse of
//!   `#[derive(Allocator)]`, one report with every mistake at its token;
//!   among them what `unsafe_code` catches: an override under
//!   `forbid`/`deny(unsafe_code)`, a look-alike runtime behind
//!   `crate = "..."`, a hand-written call of the runtime's private macro;
//! - `global-*`: what cannot be the `#[global_allocator]` (a `Local` block,
//!   which is not `Sync`; a stack over `Global` or `DebugAlloc`, which are
//!   not `Standalone`);
//! - the others: what the runtime's types refuse at compile time (handles
//!   outliving their allocator, non-`Sync` allocators across threads, ...).
//!
//! `tests/ui/pass/*.rs` must compile (and run): what the lints must accept,
//! such as a two-parent composite with a route under
//! `#![forbid(unsafe_code)]`, and the other direction of the `Sync` checks
//! (the `ThreadSafe` blocks are `Sync` and `Send`, and global allocators).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
