//! The global allocator.

use std::alloc::Layout;
use std::ptr::NonNull;

use allocator_api2::alloc::{Allocator, Global};

use super::Contender;
use crate::workloads::Workload;

/// The global allocator (the system `malloc` here).
pub struct Std;

impl Contender for Std {
    const NAME: &'static str = "std";

    type Arena<'s> = ();

    type Alloc<'a> = Global;

    fn arena(&mut self) {}

    fn alloc(_: &()) -> Global {
        Global
    }

    fn runs(w: Workload) -> bool {
        Workload::MALLOC.contains(&w)
    }

    unsafe fn free_blocks(_: &(), blocks: &[(NonNull<u8>, Layout)]) {
        for &(block, layout) in blocks {
            // SAFETY: the caller's contract: `block` is a live block of
            // `Global` allocated with `layout`, not used again.
            unsafe { Global.deallocate(block, layout) };
        }
    }
}
