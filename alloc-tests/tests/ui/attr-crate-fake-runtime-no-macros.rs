// The look-alike runtime of issue 7 as it was: the real allocator-api2 trait,
// a safe `RawAlloc` and bridge of its own, and no `unsafe` anywhere. The
// derive asks the runtime for the `unsafe impl`s, which this one cannot give.
#![forbid(unsafe_code)]

mod fake {
    pub mod __private {
        #![allow(unused_imports)]
        pub use alloc_runtime::{Alignment, Caller, Handle, ThreadSafe};
        pub use allocator_api2::alloc::{AllocError, Allocator};
        pub use core::alloc::Layout;
        pub use core::marker::Sync;
        pub use core::option::Option;
        pub use core::ptr::NonNull;
        pub use core::result::Result;

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
    }
}

#[derive(alloc_runtime::Allocator)]
#[allocator(crate = "crate::fake")]
struct Evil;

impl fake::__private::RawAlloc for Evil {}

fn main() {}
