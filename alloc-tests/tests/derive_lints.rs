//! The code `#[derive(Allocator)]` generates triggers no lint, even with
//! strict settings (run it under `cargo clippy --all-targets`).
#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    unused_qualifications,
    unused_lifetimes,
    single_use_lifetimes,
    unused_results,
    unsafe_op_in_unsafe_fn,
    trivial_casts,
    elided_lifetimes_in_paths,
    explicit_outlives_requirements,
    unused_extern_crates
)]
#![deny(
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    clippy::undocumented_unsafe_blocks,
    clippy::multiple_unsafe_ops_per_block,
    clippy::missing_inline_in_public_items,
    clippy::absolute_paths,
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::unwrap_used,
    clippy::missing_trait_methods,
    clippy::allow_attributes_without_reason,
    clippy::pub_underscore_fields,
    clippy::used_underscore_binding,
    clippy::used_underscore_items
)]

use core::cell::Cell;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

use alloc_runtime::{Alignment, Allocator, Bump, Caller, Null, RawAlloc, Route};

/// An allocator of its own (no parameters: its bound is checked by an
/// assertion and written under a binder).
#[derive(Allocator, Debug)]
pub struct Refuse;

#[expect(
    clippy::missing_trait_methods,
    reason = "the lint is for the generated impls; the handles' defaults are wanted here"
)]
// SAFETY: it never hands out memory.
unsafe impl RawAlloc for Refuse {
    #[inline]
    fn alloc(&self, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
        None
    }

    #[inline]
    unsafe fn resize(&self, _: NonNull<[u8]>, _: Alignment, _: usize, _: Caller) -> bool {
        false
    }

    #[inline]
    unsafe fn remap(
        &self,
        _: NonNull<[u8]>,
        _: Alignment,
        _: usize,
        _: Caller,
    ) -> Option<NonNull<u8>> {
        None
    }

    #[inline]
    unsafe fn free(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}
}

/// A generic wrapper.
#[derive(Allocator, Debug)]
pub struct Wrapper<A> {
    #[allocator(parent)]
    inner: A,
}

/// A wrapper with lifetimes, bounds, a where-clause and the crate named.
#[derive(Allocator, Debug)]
#[allocator(crate = "alloc_runtime")]
pub struct Scoped<'a, P: ?Sized, T = u8>
where
    T: Copy,
{
    #[allocator(parent)]
    parent: &'a P,
    tag: T,
}

/// A tuple wrapper with a global parent and overrides, safe and unsafe.
#[derive(Allocator, Debug)]
// SAFETY: both overrides forward to the parent unchanged after counting.
#[allocator(unsafe(alloc = Self::counted, free = Self::forward_free))]
pub struct Counted(#[allocator(parent)] &'static Refuse, Cell<usize>);

impl Counted {
    #[inline]
    fn counted(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.1.set(self.1.get() + 1);
        self.0.alloc(len, align, caller)
    }

    /// # Safety
    ///
    /// `RawAlloc::free`'s contract.
    #[inline]
    unsafe fn forward_free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        // SAFETY: forwarded under the caller's contract.
        unsafe { self.0.free(memory, align, caller) }
    }
}

/// A composite with a route and a generic second part.
#[derive(Allocator, Debug)]
#[allocator(route = Self::large_to_second)]
pub struct Routed<'a, S> {
    #[allocator(parent)]
    small: Bump<'a>,
    #[allocator(parent)]
    large: S,
    threshold: usize,
}

impl<S> Routed<'_, S> {
    #[inline]
    const fn large_to_second(&self, len: usize, _: Alignment) -> Route {
        if len > self.threshold {
            Route::Second
        } else {
            Route::FirstThenSecond
        }
    }
}

/// A tuple composite of two global parents, without a route.
#[derive(Allocator, Debug)]
pub struct Fixed(
    #[allocator(parent)] Null,
    #[allocator(parent)] &'static Refuse,
);

/// Overrides in a module that denies `unsafe_code`: an `#[allow]` on the
/// struct reaches the generated impl that holds the override's block.
pub mod denied {
    #![deny(unsafe_code)]

    use core::cell::Cell;
    use core::ptr::NonNull;

    use alloc_runtime::{Alignment, Allocator, Caller, RawAlloc};

    /// Counts requests, then forwards them.
    #[allow(unsafe_code, reason = "the override is an unsafe promise")]
    #[derive(Allocator, Debug)]
    // SAFETY: `counted` forwards to the parent unchanged after counting.
    #[allocator(unsafe(alloc = Self::counted))]
    pub struct Allowed(
        #[allocator(parent)] pub &'static super::Refuse,
        pub Cell<usize>,
    );

    impl Allowed {
        #[inline]
        fn counted(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
            self.1.set(self.1.get() + 1);
            self.0.alloc(len, align, caller)
        }
    }
}

#[test]
fn derived_allocators_work() {
    static REFUSE: Refuse = Refuse;
    let counted = Counted(&REFUSE, Cell::new(0));
    assert!(counted.allocator().create(1_u8).is_err());
    assert_eq!(counted.1.get(), 1);

    let mut buf = [MaybeUninit::uninit(); 64];
    let bump = Bump::new(&mut buf);
    let wrapper = Wrapper { inner: &bump };
    let scoped = Scoped {
        parent: &wrapper,
        tag: 0_u8,
    };
    assert!(scoped.allocator().create(1_u32).is_ok());
    assert_eq!(scoped.tag, 0);
    assert!(Refuse.sync_allocator().create(1_u8).is_err());

    let mut buf = [MaybeUninit::uninit(); 64];
    let routed = Routed {
        small: Bump::new(&mut buf),
        large: Fixed(Null, &REFUSE),
        threshold: 16,
    };
    assert!(routed.allocator().create(1_u32).is_ok());
    assert!(routed.allocator().create([0_u8; 17]).is_err());

    let allowed = denied::Allowed(&REFUSE, Cell::new(0));
    assert!(allowed.allocator().create(1_u8).is_err());
    assert_eq!(allowed.1.get(), 1);
}
