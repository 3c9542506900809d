//! [`Null`]: the allocator that refuses everything.

use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

/// Refuses every request and owns nothing: the terminator of a
/// composition (D's `NullAllocator`), and an allocator for tests of the
/// paths where memory runs out.
///
/// `Fallback<Bump, Null>` is a bump whose exhaustion is an error, written
/// as a composite; a [`Segregator`](crate::Segregator) with `Null` on one
/// side refuses that side's sizes.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{Null, Owns};
/// use allocator_api2::boxed::Box;
///
/// assert!(Box::try_new_in(1u8, Null).is_err());
/// assert!(Null.allocator().create(1u64).is_err());
/// let elsewhere = [0u8; 4];
/// assert!(!Null.owns(core::ptr::NonNull::from(&elsewhere[..])));
/// ```
#[derive(alloc_derive::Allocator, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Null;

// SAFETY: `alloc` never hands out memory, so no block can be passed to the
// other functions (their contracts need a live block of this allocator):
// they are never called legitimately, and do nothing.
unsafe impl RawAlloc for Null {
    #[inline(always)]
    fn alloc(&self, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
        None
    }

    #[inline(always)]
    unsafe fn free(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}

    #[inline(always)]
    fn validate(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) -> bool {
        false
    }
}

// SAFETY: `Null` hands out nothing and manages no memory: `false` is right
// for every range.
unsafe impl Owns for Null {
    #[inline(always)]
    fn owns(&self, _: NonNull<[u8]>) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Fallback, testing};
    use core::mem::MaybeUninit;

    #[test]
    fn refuses_everything_and_owns_nothing() {
        for len in [1, 8, 4096, usize::MAX] {
            for align in [
                Alignment::ONE,
                Alignment::of::<u64>(),
                Alignment::new(4096).unwrap(),
            ] {
                assert!(Null.alloc(len, align, Caller::here()).is_none());
            }
        }
        let local = [0u8; 8];
        let memory = NonNull::from(&local[..]);
        assert!(!Null.owns(memory));
        assert!(!Null.validate(memory, Alignment::ONE, Caller::here()));
        assert!(Null.allocator().create(1u8).is_err());
        assert!(allocator_api2::boxed::Box::try_new_in(1u8, Null).is_err());
    }

    #[test]
    fn terminates_a_fallback() {
        let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
        let composite = Fallback::new(crate::Bump::new(&mut buf), Null);
        testing::conformance(&composite);
    }
}
