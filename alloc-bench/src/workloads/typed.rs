//! The workloads that need a [`Typed`] contender: the phase loop (which
//! resets the arena between phases) and `alloc_str` (bumpalo's typed API).

use std::alloc::Layout;

use allocator_api2::alloc::Allocator;

use super::{Inputs, PHASE_OBJECTS, PHASES};
use crate::contenders::Typed;
use crate::shape::Reach;

/// A typed workload as a type, so that each gets its own timing loop.
pub(super) trait TypedWork {
    /// One iteration, as [`run_typed`](super::run_typed) describes.
    fn run<C: Typed, R: Reach>(arena: &mut C::Arena<'_>, inputs: &Inputs) -> u64;
}

/// [`Workload::Phases`](super::Workload::Phases).
pub(super) enum Phases {}
/// [`Workload::AllocStr`](super::Workload::AllocStr).
pub(super) enum AllocStr {}

impl TypedWork for Phases {
    #[inline(always)]
    fn run<C: Typed, R: Reach>(arena: &mut C::Arena<'_>, _: &Inputs) -> u64 {
        let mut check = 0;
        for p in 0..PHASES {
            check += phase::<C::Alloc<'_>, R>(C::alloc(arena), p);
            C::reset(arena);
        }
        check
    }
}

impl TypedWork for AllocStr {
    #[inline(always)]
    fn run<C: Typed, R: Reach>(arena: &mut C::Arena<'_>, inputs: &Inputs) -> u64 {
        alloc_str::<C, R>(C::alloc(arena), &inputs.strings)
    }
}

/// An object of the phase loop.
type Object = [u64; 3];

/// The object number `i` of phase `p`.
fn object(p: u64, i: u64) -> Object {
    [i, p, i ^ (p << 32)]
}

/// One phase: `PHASE_OBJECTS` objects allocated (`Layout::new`, a constant
/// layout) and written; the first and the last are read back after all are
/// written. Returns the sum of their words (wrapping).
fn phase<A: Allocator + Copy, R: Reach>(a: A, p: u64) -> u64 {
    let layout = Layout::new::<Object>();
    let mut first = None;
    let mut last = None;
    for i in 0..PHASE_OBJECTS {
        let block = R::reach(a)
            .allocate(layout)
            .expect("the arena can grow")
            .cast::<Object>();
        // SAFETY: `block` is a fresh block of `Object`'s layout.
        unsafe { block.as_ptr().write(object(p, i)) };
        first.get_or_insert(block);
        last = Some(block);
    }
    [first, last]
        .into_iter()
        .flatten()
        // SAFETY: each is a block written above, still live (the arena is
        // reset after this returns).
        .flat_map(|block| unsafe { block.as_ptr().read() })
        .fold(0, u64::wrapping_add)
}

/// Copies each string in with `alloc_str`. Returns, summed over the copies,
/// their length times 256 plus their last byte, read back from the copy.
fn alloc_str<'a, C: Typed + 'a, R: Reach>(a: C::Alloc<'a>, strings: &[String]) -> u64 {
    let mut check = 0;
    for s in strings {
        let copy: &mut str = C::alloc_str(R::reach(a), s);
        let last = copy.as_bytes().last().copied().unwrap_or(0);
        check += ((copy.len() as u64) << 8) + u64::from(last);
    }
    check
}
