// `#[allocator(crate = "...")]` cannot point at a look-alike runtime without
// an `unsafe` the lint sees: the derive writes no `unsafe impl` itself, it
// calls the runtime's macros, so a fake must write its own `unsafe impl`.
// This one re-exports the real allocator-api2 trait but brings a safe
// `RawAlloc` and bridge of its own.
#![forbid(unsafe_code)]

mod fake {
    pub mod __private {
        pub use alloc_runtime::{Handle, ThreadSafe};
        pub use core::marker::Sync;

        /// A `RawAlloc` with no safety contract.
        pub trait RawAlloc {}

        pub mod bridge {
            use core::alloc::Layout;
            use core::ptr::NonNull;

            /// Hands out a dangling pointer of any size.
            pub fn allocate<A: ?Sized>(_: &A, layout: Layout) -> Result<NonNull<[u8]>, allocator_api2::alloc::AllocError> {
                Ok(NonNull::slice_from_raw_parts(NonNull::dangling(), layout.size()))
            }
        }

        macro_rules! impl_allocator {
            ($(#[$attr:meta])* impl [$($g:tt)*] $ty:ty where [$($w:tt)*]) => {
                unsafe impl $($g)* allocator_api2::alloc::Allocator for $ty {
                    fn allocate(&self, layout: core::alloc::Layout) -> Result<core::ptr::NonNull<[u8]>, allocator_api2::alloc::AllocError> {
                        crate::fake::__private::bridge::allocate(self, layout)
                    }
                    unsafe fn deallocate(&self, _: core::ptr::NonNull<u8>, _: core::alloc::Layout) {}
                }
            };
        }
        pub(crate) use impl_allocator;
    }
}

#[derive(alloc_runtime::Allocator)]
#[allocator(crate = "crate::fake")]
struct Evil;

impl fake::__private::RawAlloc for Evil {}

fn main() {}
