// The runtime's macro behind `#[allocator(parent)]` takes an override only
// as an `unsafe { ... }` block, which the `unsafe_code` lint sees where it is
// written; calling it by hand with a safe body does not compile.
#![forbid(unsafe_code)]

use alloc_runtime::Bump;
use core::ptr::NonNull;

struct Evil<'a> {
    inner: Bump<'a>,
}

alloc_runtime::__private::delegate_raw_alloc! {
    impl [<'a>] Evil<'a> where [];
    parent = inner: Bump<'a>;
    names = (self, len, align, memory, new_len, caller);
    alloc = [const { Some(NonNull::dangling()) }];
    alloc_zeroed = [];
    resize = [];
    remap = [];
    free = [];
    validate = [];
}

fn main() {}
