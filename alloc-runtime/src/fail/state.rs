//! [`Cold`]: the state a [`Fail`](super::Fail)'s slow path reads and
//! changes together, behind its lock (a `Cell` for `Local`).

use super::FailConfig;
use super::induced::InducedFailure;

/// The slow path's state: the allocation failure index, the trip point of
/// the countdown, the per-request knobs' request number and random state,
/// and the records. Changed only as a whole, under the lock
/// ([`Locked::with`](crate::threading::sealed::Locked::with)).
#[derive(Clone, Copy)]
pub(super) struct Cold {
    /// The allocation index from which `alloc` takes the slow path (see
    /// `Fail::trip`), or the allocation index now if that is later: so the
    /// allocation index is always `alloc_trip - alloc_left`.
    pub(super) alloc_trip: usize,
    /// The allocation failure index now (the configured one, or where a
    /// growth failure stopped allocations; `NEVER` once a one-shot index is
    /// spent).
    pub(super) alloc_fail_at: usize,
    /// Requests for more memory looked at by the per-request knobs.
    pub(super) requests: u64,
    /// The SplitMix64 state.
    rng: u64,
    /// The first request refused on purpose.
    pub(super) first: Option<InducedFailure>,
    /// A one-shot growth failure in progress (its first refused call): the
    /// rest of that growth (its `remap`, maybe its fallback `alloc`) is
    /// refused too. While it is set, `alloc_left` is 0, so every request
    /// takes the slow path.
    pub(super) refusing: Option<InducedFailure>,
}

impl Cold {
    /// The state of a new `Fail` with `config`, whose countdown starts at
    /// `trip` (the allocation index is 0).
    pub(super) const fn new(config: &FailConfig, trip: usize) -> Self {
        Self {
            alloc_trip: trip,
            alloc_fail_at: config.fail_index,
            requests: 0,
            rng: config.seed,
            first: None,
            refusing: None,
        }
    }

    /// SplitMix64 (Steele, Lea, Flood 2014): the next uniform `u64`.
    pub(super) fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
