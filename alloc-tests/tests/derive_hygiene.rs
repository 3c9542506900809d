//! `#[derive(Allocator)]` needs nothing from the user's scope: it compiles
//! under `#![no_implicit_prelude]`, with the runtime renamed, and next to
//! items that shadow every name it could have used unqualified.
#![no_implicit_prelude]
#![allow(non_camel_case_types, dead_code)]

extern crate alloc_runtime as renamed;
extern crate allocator_api2;
extern crate std;

use ::core::ptr::NonNull;
use ::std::assert;

use renamed::{Alignment, Caller, RawAlloc};

/// Names the generated code must not pick up.
mod shadows {
    pub struct usize;
    pub struct u8;
    pub struct bool;
    pub struct Option;
    pub struct Result;
    pub struct Sized;
    pub struct Sync;
    pub struct Layout;
    pub struct NonNull;
    pub struct Handle;
    pub struct ThreadSafe;
    pub trait RawAlloc {}
    pub trait Owns {}
    pub enum Route {}
    pub mod route {}
    pub trait Allocator {}
    pub mod core {}
    pub mod alloc_runtime {}
    pub mod bridge {}
}

/// Refuses every request; `RawAlloc` written by hand.
#[derive(renamed::Allocator)]
#[allocator(crate = "renamed")]
pub struct Never;

// SAFETY: it never hands out memory.
unsafe impl RawAlloc for Never {
    fn alloc(
        &self,
        _: ::core::primitive::usize,
        _: Alignment,
        _: Caller,
    ) -> ::core::option::Option<NonNull<::core::primitive::u8>> {
        ::core::option::Option::None
    }

    unsafe fn free(&self, _: NonNull<[::core::primitive::u8]>, _: Alignment, _: Caller) {}
}

/// Derives inside a module full of shadowing names.
mod shadowed {
    use super::shadows::*;

    /// Wrapper, with the runtime reached through the crate root.
    #[derive(super::renamed::Allocator)]
    #[allocator(crate = "crate::renamed")]
    pub struct Wrapper<A> {
        #[allocator(parent)]
        pub inner: A,
    }

    /// Every function overridden by a function of the shadowing module's
    /// neighbour, named by path.
    #[derive(super::renamed::Allocator)]
    // SAFETY: `refuse` hands out nothing, so `ignore` never gets memory.
    #[allocator(crate = "crate::renamed", unsafe(alloc = super::refuse, free = super::ignore))]
    #[allocator(validate = super::knows_nothing)]
    pub struct Hooked<A>(#[allocator(parent)] pub A);

    /// A global parent: checked by the derive's assertion.
    #[derive(super::renamed::Allocator)]
    #[allocator(crate = "crate::renamed")]
    pub struct Fixed(#[allocator(parent)] pub &'static super::Never);

    /// A composite with a route, its first part a global type.
    #[derive(super::renamed::Allocator)]
    #[allocator(crate = "crate::renamed", route = super::second_first)]
    pub struct Pair<A>(
        #[allocator(parent)] pub super::renamed::Null,
        #[allocator(parent)] pub A,
    );

    /// The shadowing names are in scope here.
    pub fn uses_shadows(
        _: (usize, u8, bool),
        _: (Option, Result, Sized),
        _: (Sync, Layout, Handle),
    ) {
    }
}

fn second_first<A>(
    _: &shadowed::Pair<A>,
    _: ::core::primitive::usize,
    _: Alignment,
) -> renamed::Route {
    renamed::Route::SecondThenFirst
}

fn refuse<A>(
    _: &shadowed::Hooked<A>,
    _: ::core::primitive::usize,
    _: Alignment,
    _: Caller,
) -> ::core::option::Option<NonNull<::core::primitive::u8>> {
    ::core::option::Option::None
}

fn ignore<A>(
    _: &shadowed::Hooked<A>,
    _: NonNull<[::core::primitive::u8]>,
    _: Alignment,
    _: Caller,
) {
}

fn knows_nothing<A>(
    _: &shadowed::Hooked<A>,
    _: NonNull<[::core::primitive::u8]>,
    _: Alignment,
    _: Caller,
) -> ::core::primitive::bool {
    false
}

#[test]
fn derives_work_without_a_prelude() {
    static NEVER: Never = Never;
    let wrapper = shadowed::Wrapper { inner: &NEVER };
    assert!(wrapper.allocator().create(1u32).is_err());
    assert!(allocator_api2::boxed::Box::try_new_in(1u8, &wrapper).is_err());

    let hooked = shadowed::Hooked(&NEVER);
    assert!(hooked.sync_allocator().create(1u8).is_err());
    let mut v = allocator_api2::vec::Vec::<u8, _>::new_in(&hooked);
    assert!(v.try_reserve(1).is_err());
    let block = NonNull::slice_from_raw_parts(NonNull::dangling(), 1);
    assert!(!hooked.validate(block, Alignment::ONE, Caller::here()));
    assert!(wrapper.validate(block, Alignment::ONE, Caller::here()));

    let pair = shadowed::Pair(renamed::Null, &wrapper);
    assert!(pair.allocator().create(1u16).is_err());
    let nulls = shadowed::Pair(renamed::Null, renamed::Null);
    assert!(!renamed::Owns::owns(&nulls, block));

    let fixed = shadowed::Fixed(&NEVER);
    assert!(fixed.allocator().create(0u64).is_err());
    assert!(Never.allocator().create(1u8).is_err());
}
