//! Measuring what a piece of code allocates, with a [`Counting`]
//! allocator: stats_alloc's `Region` and dhat's heap assertions.
//!
//! - [`Region`]: a snapshot of the counters; [`Region::change`] gives what
//!   happened since, as a [`Change`].
//! - [`measure`]: a region around a closure.
//! - [`assert_allocations`] with a [`Budget`], and
//!   [`assert_no_allocations`]: panic with a readable account
//!   ([`OverBudget`]) when the closure allocated more than allowed.
//!
//! A global counter counts every thread: see [`Region`] (*Other threads*).
//!
//! [`Counting`]: crate::Counting

mod assert;
mod budget;
mod change;
mod grouped;
mod region;
#[cfg(test)]
mod tests;

pub use assert::{assert_allocations, assert_no_allocations, measure};
pub use budget::{Budget, OverBudget};
pub use change::Change;
pub use region::Region;
