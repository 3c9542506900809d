//! [`Recording`]: a test allocator that records each call and answers
//! `validate` as told, for the crate's own tests of the move paths.

use core::cell::{Cell, RefCell};
use core::ptr::NonNull;
use std::vec::Vec;

use crate::{Alignment, Caller, RawAlloc};

/// One call that reached a [`Recording`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Call {
    Alloc(usize),
    Resize(usize, usize),
    Remap(usize, usize),
    Free(usize),
    Validate(usize),
}

/// Forwards to `parent`, records every call, and answers `validate` with
/// `valid` (without asking the parent).
pub(crate) struct Recording<A> {
    pub(crate) parent: A,
    pub(crate) calls: RefCell<Vec<Call>>,
    pub(crate) valid: Cell<bool>,
}

impl<A: RawAlloc> Recording<A> {
    pub(crate) fn new(parent: A) -> Self {
        Self {
            parent,
            calls: RefCell::new(Vec::new()),
            valid: Cell::new(true),
        }
    }

    /// The calls recorded so far, and forgets them.
    pub(crate) fn take(&self) -> Vec<Call> {
        self.calls.take()
    }

    fn record(&self, call: Call) {
        self.calls.borrow_mut().push(call);
    }
}

// SAFETY: every call is forwarded unchanged to `parent`, which upholds the
// contract; recording touches no memory handed out. `validate` may answer
// `false` for a live block: that only makes callers give up.
unsafe impl<A: RawAlloc> RawAlloc for Recording<A> {
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.record(Call::Alloc(len));
        self.parent.alloc(len, align, caller)
    }

    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        self.record(Call::Resize(memory.len(), new_len));
        // SAFETY: the caller upholds `resize`'s contract for the parent's memory.
        unsafe { self.parent.resize(memory, align, new_len, caller) }
    }

    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        self.record(Call::Remap(memory.len(), new_len));
        // SAFETY: the caller upholds `remap`'s contract for the parent's memory.
        unsafe { self.parent.remap(memory, align, new_len, caller) }
    }

    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        self.record(Call::Free(memory.len()));
        // SAFETY: the caller upholds `free`'s contract for the parent's memory.
        unsafe { self.parent.free(memory, align, caller) }
    }

    fn validate(&self, memory: NonNull<[u8]>, _align: Alignment, _caller: Caller) -> bool {
        self.record(Call::Validate(memory.len()));
        self.valid.get()
    }
}
