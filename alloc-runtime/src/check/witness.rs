//! [`Witness`]: the check's own layer, which records where induced failures
//! were requested and, with `alloc`, which blocks are live and who
//! allocated them.

use core::ptr::NonNull;

use crate::fail::Fail;
use crate::{Alignment, Caller, RawAlloc};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;
#[cfg(feature = "std")]
use std::string::String;

#[cfg(feature = "alloc")]
use super::report::LiveBlock;

/// Passes every call to the [`Fail`] below it; under `std`, captures a
/// backtrace at the first induced failure, trimmed to the body's frame; with
/// `alloc`, keeps a record of every live block (in the global allocator,
/// never in the allocator being checked).
#[derive(alloc_derive::Allocator)]
// SAFETY: each override calls the same function of `inner` with the same
// arguments and returns its answer unchanged; it only keeps records.
#[allocator(unsafe(
    alloc = Self::watch_alloc,
    resize = Self::watch_resize,
    remap = Self::watch_remap,
    free = Self::watch_free,
))]
pub(super) struct Witness<A> {
    #[allocator(parent)]
    pub(super) inner: Fail<A>,
    /// Where the first induced failure was requested, once known.
    #[cfg(feature = "std")]
    pub(super) site: core::cell::RefCell<Option<String>>,
    /// The live blocks, in allocation order, and which allocation indices
    /// to capture a backtrace at.
    #[cfg(feature = "alloc")]
    records: core::cell::RefCell<Records>,
}

/// The live blocks of a run.
#[cfg(feature = "alloc")]
struct Records {
    /// Live blocks, oldest first.
    live: Vec<LiveBlock>,
    /// Successful allocations so far: the next block's allocation index.
    allocations: usize,
    /// Allocation indices at which to capture the user's frame (sorted).
    #[cfg(all(feature = "std", not(miri)))]
    capture: Vec<usize>,
    /// Whether a record could not be kept (a reentrant call); the list is
    /// then incomplete and not reported.
    incomplete: bool,
}

impl<A> Witness<A>
where
    Fail<A>: RawAlloc,
{
    /// A witness that captures no frames for allocations.
    pub(super) fn new(inner: Fail<A>) -> Self {
        Self {
            inner,
            #[cfg(feature = "std")]
            site: core::cell::RefCell::new(None),
            #[cfg(feature = "alloc")]
            records: core::cell::RefCell::new(Records {
                live: Vec::new(),
                allocations: 0,
                #[cfg(all(feature = "std", not(miri)))]
                capture: Vec::new(),
                incomplete: false,
            }),
        }
    }

    /// A witness that captures the user's frame at the allocations with
    /// these allocation indices (sorted).
    #[cfg(all(feature = "std", not(miri)))]
    pub(super) fn capturing(inner: Fail<A>, capture: Vec<usize>) -> Self {
        let witness = Self::new(inner);
        witness.records.borrow_mut().capture = capture;
        witness
    }

    /// The blocks still live, oldest first; `None` if the record is
    /// incomplete.
    #[cfg(feature = "alloc")]
    pub(super) fn take_live(&self) -> Option<Vec<LiveBlock>> {
        let mut records = self.records.try_borrow_mut().ok()?;
        (!records.incomplete).then(|| core::mem::take(&mut records.live))
    }

    /// Records the caller's frame if the call just made was the first
    /// induced failure (`induced_before` is the count from before it).
    #[inline]
    fn witness(&self, induced_before: usize) {
        #[cfg(all(feature = "std", not(miri)))]
        if induced_before == 0 && self.inner.induced_failures() > 0 {
            if let Ok(mut site) = self.site.try_borrow_mut() {
                *site = crate::debug::capture_user_frame();
            }
        }
        let _ = induced_before;
    }

    /// Records a new live block.
    #[inline]
    fn allocated(&self, ptr: NonNull<u8>, len: usize, align: Alignment, caller: Caller) {
        #[cfg(feature = "alloc")]
        {
            let Ok(mut records) = self.records.try_borrow_mut() else {
                return;
            };
            let index = records.allocations;
            records.allocations += 1;
            #[cfg(all(feature = "std", not(miri)))]
            let frame = if records.capture.binary_search(&index).is_ok() {
                crate::debug::capture_user_frame()
            } else {
                None
            };
            #[cfg(all(feature = "std", miri))]
            let frame = None;
            records.live.push(LiveBlock {
                address: ptr.addr().get(),
                len,
                align,
                allocation_index: index,
                caller,
                #[cfg(feature = "std")]
                frame,
            });
        }
        let _ = (ptr, len, align, caller);
    }

    /// Updates the record of the live block at `old` (now `new_len` bytes
    /// at `new`), or forgets it (`new_len == 0`: freed).
    #[inline]
    fn changed(&self, old: NonNull<u8>, new: NonNull<u8>, new_len: usize) {
        #[cfg(feature = "alloc")]
        {
            let Ok(mut records) = self.records.try_borrow_mut() else {
                return;
            };
            // Blocks are mostly freed newest first: search from the end.
            let address = old.addr().get();
            let Some(at) = records.live.iter().rposition(|b| b.address == address) else {
                records.incomplete = true;
                return;
            };
            if new_len == 0 {
                records.live.remove(at);
            } else {
                let block = &mut records.live[at];
                block.address = new.addr().get();
                block.len = new_len;
            }
        }
        let _ = (old, new, new_len);
    }

    fn watch_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let before = self.inner.induced_failures();
        let result = self.inner.alloc(len, align, caller);
        match result {
            Some(ptr) => self.allocated(ptr, len, align, caller),
            None => self.witness(before),
        }
        result
    }

    /// # Safety
    ///
    /// `RawAlloc::resize`'s contract.
    unsafe fn watch_resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        let before = self.inner.induced_failures();
        // SAFETY: the caller upholds `resize`'s contract; the parent made `memory`.
        let resized = unsafe { self.inner.resize(memory, align, new_len, caller) };
        if resized {
            self.changed(memory.cast(), memory.cast(), new_len);
        } else {
            self.witness(before);
        }
        resized
    }

    /// # Safety
    ///
    /// `RawAlloc::remap`'s contract.
    unsafe fn watch_remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        let before = self.inner.induced_failures();
        // SAFETY: the caller upholds `remap`'s contract; the parent made `memory`.
        let moved = unsafe { self.inner.remap(memory, align, new_len, caller) };
        match moved {
            Some(new) => self.changed(memory.cast(), new, new_len),
            None => self.witness(before),
        }
        moved
    }

    /// # Safety
    ///
    /// `RawAlloc::free`'s contract.
    unsafe fn watch_free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        self.changed(memory.cast(), memory.cast(), 0);
        // SAFETY: the caller upholds `free`'s contract; the parent made `memory`.
        unsafe { self.inner.free(memory, align, caller) }
    }
}
