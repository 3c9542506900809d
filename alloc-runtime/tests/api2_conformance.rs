//! What `allocator-api2-tests` (its 0.2 line) checks, run on every block of
//! the crate through its allocator-api2 `Allocator` impl, by reference, and
//! through its type-erased `Handle`: `testing::api2`. A block added to the
//! crate gets a line here.

use alloc_runtime::Global;
use alloc_runtime::debug::{DebugAlloc, test_allocator};
use alloc_runtime::logging::Event;
use alloc_runtime::testing::{CONFORMANCE_BYTES, api2};
use alloc_runtime::{Bump, Counting, Fail, Handle, Logging};
use core::mem::MaybeUninit;

/// A buffer for one bump: the checks need about 13 KiB at once, and the
/// largest sizes are refused.
fn buffer() -> Box<[MaybeUninit<u8>]> {
    // Uninitialized: no loop writing each byte (slow under Miri).
    Box::<[u8]>::new_uninit_slice(CONFORMANCE_BYTES)
}

#[test]
fn bump() {
    let mut buf = buffer();
    let bump = Bump::new(&mut buf);
    api2::all(&bump);
}

#[test]
fn counting() {
    let mut buf = buffer();
    let counting = Counting::new(Bump::new(&mut buf));
    api2::all(&counting);
    let stats = counting.stats();
    assert!(stats.allocations > 15);
    assert_eq!(stats.live_bytes, 0, "the checks free everything");
}

#[test]
fn fail_below_its_limit() {
    let mut buf = buffer();
    let fail = Fail::new(Bump::new(&mut buf), usize::MAX);
    api2::all(&fail);
    assert!(!fail.has_induced_failure());
}

#[test]
fn logging() {
    let events = core::cell::Cell::new(0usize);
    let mut buf = buffer();
    let logging = Logging::new(Bump::new(&mut buf), |_: &Event| {
        events.set(events.get() + 1);
    });
    api2::all(&logging);
    assert!(events.get() > 30);
}

#[test]
fn debug_alloc_over_a_bump() {
    let mut buf = buffer();
    let debug = DebugAlloc::new(Bump::new(&mut buf));
    api2::all(&debug);
    assert_eq!(debug.check(), Ok(()), "no leak, no misuse");
}

#[test]
fn debug_alloc_over_the_global_allocator() {
    let debug = test_allocator();
    api2::all(&debug);
    debug.finish().expect("no leak, no misuse");
}

#[test]
fn handle() {
    let mut buf = buffer();
    let bump = Bump::new(&mut buf);
    let handle: Handle<'_> = bump.allocator();
    api2::all(handle);
}

#[test]
fn sync_handle() {
    api2::all(Global.sync_allocator());
}

/// The std global allocator as a block.
#[test]
fn global() {
    api2::all(Global);
}
