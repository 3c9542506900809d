//! [`measure`], [`assert_allocations`], [`assert_no_allocations`]: a
//! [`Region`] around a closure.

use super::{Budget, Change, Region};
use crate::threading::sealed::Sealed;
use crate::{Counting, Threading};

/// Runs `f` and answers its value with what `counting` saw meanwhile: a
/// [`Region`] around the call.
///
/// The value is still live when the change is read: a `Vec` that `f`
/// returns counts in [`Change::live_bytes`]. With a `ThreadSafe` counter,
/// other threads' allocations count too: see [`Region`] (*Other threads*).
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Counting, Global, measure};
/// use allocator_api2::vec::Vec;
///
/// let counting = Counting::new(Global);
/// let (v, change) = measure(&counting, || {
///     let mut v: Vec<u64, _> = Vec::new_in(&counting);
///     v.extend(0..10);
///     v
/// });
/// assert_eq!(v.len(), 10);
/// assert_eq!(change.allocations, 1);
/// assert_eq!(change.live_bytes as usize, v.capacity() * 8);
/// ```
pub fn measure<A, T: Threading, R>(
    counting: &Counting<A, T>,
    f: impl FnOnce() -> R,
) -> (R, Change) {
    let region = Region::new(counting);
    let value = f();
    (value, region.change())
}

/// Runs `f` and answers its value; panics, at the caller's line, when
/// `counting` saw more than `budget` allows meanwhile.
///
/// The message names each figure over its limit, then shows the whole
/// [`Change`] (see [`OverBudget`](crate::OverBudget)), for example:
///
/// ```text
/// the code went over its allocation budget: 5 allocations (at most 3), 2,048 bytes allocated (at most 1,024)
/// what it did:
/// allocations                     5
/// ...
/// ```
///
/// # Other threads
///
/// The budget is checked against the counter, not the code: with a
/// `ThreadSafe` counter (the `#[global_allocator]`), another thread's
/// allocations meanwhile count against the budget, and nothing can tell them
/// apart, so the assertion can fail for a test that is right when `cargo
/// test` runs other tests in parallel. Measure with the global counter in a
/// test binary of its own (one test, or `harness = false`), or run with
/// `--test-threads=1`; the panic message of a `ThreadSafe` counter says so.
/// A `Local` counter cannot be shared, so this does not arise.
///
/// # Panics
///
/// When a figure of the change is above its limit in `budget`; and when
/// `f` panics (its own panic, unchanged).
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Budget, Counting, Global, assert_allocations};
/// use allocator_api2::vec::Vec;
///
/// let counting = Counting::new(Global);
/// let v = assert_allocations(&counting, Budget::new().allocations(1).bytes(400), || {
///     let mut v: Vec<u32, _> = Vec::with_capacity_in(100, &counting);
///     v.extend(0..100);
///     v
/// });
/// assert_eq!(v[99], 99);
/// ```
///
/// One allocation too many:
///
/// ```should_panic
/// use alloc_runtime::{Budget, Counting, Global, assert_allocations};
/// use allocator_api2::boxed::Box;
///
/// let counting = Counting::new(Global);
/// assert_allocations(&counting, Budget::new().allocations(1), || {
///     (Box::new_in(1u8, &counting), Box::new_in(2u8, &counting))
/// });
/// ```
#[track_caller]
pub fn assert_allocations<A, T: Threading, R>(
    counting: &Counting<A, T>,
    budget: Budget,
    f: impl FnOnce() -> R,
) -> R {
    let (value, change) = measure(counting, f);
    if let Err(over) = budget.check(&change) {
        over_budget(&over.shared(<T as Sealed>::SHARED));
    }
    value
}

/// Runs `f` and answers its value; panics, at the caller's line, when
/// `counting` saw an allocation meanwhile, or a block grow:
/// [`assert_allocations`] with [`Budget::nothing`]. Freeing is allowed.
///
/// The same caveat on other threads as [`assert_allocations`].
///
/// # Panics
///
/// When `f` allocated; and when `f` panics.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Counting, Global, assert_no_allocations};
/// use allocator_api2::vec::Vec;
///
/// let counting = Counting::new(Global);
/// let mut v: Vec<u32, _> = Vec::with_capacity_in(8, &counting);
/// assert_no_allocations(&counting, || v.extend(0..8));
/// ```
///
/// ```should_panic
/// use alloc_runtime::{Counting, Global, assert_no_allocations};
/// use allocator_api2::vec::Vec;
///
/// let counting = Counting::new(Global);
/// let mut v: Vec<u32, _> = Vec::with_capacity_in(8, &counting);
/// assert_no_allocations(&counting, || v.extend(0..9)); // grows
/// ```
#[track_caller]
pub fn assert_no_allocations<A, T: Threading, R>(
    counting: &Counting<A, T>,
    f: impl FnOnce() -> R,
) -> R {
    assert_allocations(counting, Budget::nothing(), f)
}

/// The panic, out of line.
#[cold]
#[inline(never)]
#[track_caller]
fn over_budget(over: &super::OverBudget) -> ! {
    panic!("{over}")
}
