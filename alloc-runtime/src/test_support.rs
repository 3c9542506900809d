//! What the unit tests of several blocks share: the raw functions called
//! with a block given as pointer, length and alignment in bytes, and the
//! proptest configuration that keeps model tests short under Miri.

use core::ptr::NonNull;

use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm};

use crate::{Alignment, Caller, RawAlloc};

/// `bytes` as an alignment; panics unless a power of two.
pub(crate) fn align(bytes: usize) -> Alignment {
    Alignment::new(bytes).unwrap()
}

/// `alloc` of `len` bytes at alignment `al`.
pub(crate) fn raw_alloc<A: RawAlloc>(a: &A, len: usize, al: usize) -> Option<NonNull<u8>> {
    a.alloc(len, align(al), Caller::here())
}

/// `free` of the `len`-byte block at `p`, allocated at alignment `al`.
///
/// # Safety
///
/// `free`'s contract for `a`.
pub(crate) unsafe fn raw_free<A: RawAlloc>(a: &A, p: NonNull<u8>, len: usize, al: usize) {
    let memory = NonNull::slice_from_raw_parts(p, len);
    // SAFETY: the caller's promise.
    unsafe { a.free(memory, align(al), Caller::here()) };
}

/// `resize` of the `len`-byte block at `p` (alignment `al`) to `new`.
///
/// # Safety
///
/// `resize`'s contract for `a`.
pub(crate) unsafe fn raw_resize<A: RawAlloc>(
    a: &A,
    p: NonNull<u8>,
    len: usize,
    al: usize,
    new: usize,
) -> bool {
    let memory = NonNull::slice_from_raw_parts(p, len);
    // SAFETY: the caller's promise.
    unsafe { a.resize(memory, align(al), new, Caller::here()) }
}

/// `remap` of the `len`-byte block at `p` (alignment `al`) to `new`.
///
/// # Safety
///
/// `remap`'s contract for `a`.
pub(crate) unsafe fn raw_remap<A: RawAlloc>(
    a: &A,
    p: NonNull<u8>,
    len: usize,
    al: usize,
    new: usize,
) -> Option<NonNull<u8>> {
    let memory = NonNull::slice_from_raw_parts(p, len);
    // SAFETY: the caller's promise.
    unsafe { a.remap(memory, align(al), new, Caller::here()) }
}

/// The proptest configuration of the model tests: `cases` cases, or
/// `miri_cases` under Miri with a cheaper random number generator (ChaCha
/// dominates the run time there), and no persistence files (Miri's
/// isolation forbids them).
pub(crate) fn proptest_config(cases: u32, miri_cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { miri_cases } else { cases },
        failure_persistence: None,
        rng_algorithm: if cfg!(miri) {
            RngAlgorithm::XorShift
        } else {
            RngAlgorithm::ChaCha
        },
        ..ProptestConfig::default()
    }
}

/// A marker's constructor, so one test body serves `Local` and `ThreadSafe`.
pub(crate) trait Marker: crate::Threading + Sized {
    /// `Counting::new` or `Counting::new_sync`.
    fn counting<A>(inner: A) -> crate::Counting<A, Self>;
}

impl Marker for crate::Local {
    fn counting<A>(inner: A) -> crate::Counting<A, Self> {
        crate::Counting::new(inner)
    }
}

#[cfg(target_has_atomic = "64")]
impl Marker for crate::ThreadSafe {
    fn counting<A>(inner: A) -> crate::Counting<A, Self> {
        crate::Counting::new_sync(inner)
    }
}

/// For each generic test body `name::<T: Marker>`, a module `name` with the
/// tests `local` and `thread_safe`.
macro_rules! on_both_markers {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn local() {
                super::$name::<crate::Local>();
            }

            #[cfg(target_has_atomic = "64")]
            #[test]
            fn thread_safe() {
                super::$name::<crate::ThreadSafe>();
            }
        }
    )*};
}
pub(crate) use on_both_markers;
