//! [`DebugAlloc`]: the checking wrapper itself.

use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::ptr::NonNull;

use super::quarantine::{BlockPtr, Held};
use super::records::{Freed, Record, State};
use super::{Config, Leak, Misuse, MisuseKind, OnDrop, Op, Report, Site};
use crate::{Alignment, Caller, Owns, RawAlloc};

/// A wrapper over any [`RawAlloc`] that records every live allocation and
/// catches misuse: Zig's `DebugAllocator`. See the [module](super) docs.
///
/// It is an allocator itself (`#[derive(Allocator)]`): `.allocator()` gives
/// the [`Handle`](crate::Handle), and `&DebugAlloc<A>` works with
/// allocator-api2 collections and hashbrown.
///
/// Not `Sync` (its state is in `Cell`/`RefCell`; `Send` when `A` is). The
/// bookkeeping is in the global allocator, never in `A`.
///
/// # Queries while busy
///
/// The queries ([`live_allocations`](Self::live_allocations),
/// [`leaks`](Self::leaks), [`misuses`](Self::misuses),
/// [`report`](Self::report), [`check`](Self::check),
/// [`release_quarantine`](Self::release_quarantine)) never panic. Asked
/// while the allocator is serving a request — from code its parent runs,
/// such as a [`Logging`](crate::Logging) sink below it — they cannot see
/// the records, so they answer with a documented fallback and count a
/// refused reentrant call ([`Report::reentrant_calls`]), which keeps every
/// later report from being clean. [`is_busy`](Self::is_busy) says whether
/// that is the case; [`live_allocations`](Self::live_allocations) is
/// always exact.
///
/// # Examples
///
/// ```
/// use alloc_runtime::debug::DebugAlloc;
/// use alloc_runtime::Bump;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 256];
/// let a = DebugAlloc::new(Bump::new(&mut buf));
/// let h = a.allocator();
/// let (kept, line) = (h.create(1u64)?, line!());
/// let freed = h.create(2u32)?;
/// // SAFETY: from `create` on `h`, destroyed once.
/// unsafe { h.destroy(freed) };
///
/// let report = a.check().unwrap_err();
/// assert_eq!(report.leaks.len(), 1);
/// assert_eq!(report.leaks[0].allocated_at.caller.location().line(), line);
/// println!("{report}"); // 1 leak (8 bytes):\n  leak: 8 bytes (align 8) at 0x…, allocated at src/…
/// # // SAFETY: allocated above on this allocator, freed once.
/// # unsafe { h.destroy(kept) };
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(alloc_derive::Allocator)]
pub struct DebugAlloc<A> {
    /// The parent: every block handed out is one of its blocks.
    inner: A,
    config: Config,
    /// The records; borrowed for the whole of each call, parent call
    /// included, so a reentrant call finds it busy.
    pub(super) state: RefCell<State>,
    /// The number of live blocks (`state.live.len()`), readable while
    /// `state` is busy.
    live: Cell<usize>,
    /// Calls and queries refused because `state` was busy.
    reentrant: Cell<u64>,
    /// Whether dropping still reports (`finish` disarms it).
    armed: Cell<bool>,
    /// `free_in::<A>`, set by the first free (the only way into the
    /// quarantine), so that `Drop`, which cannot ask for `A: RawAlloc`, can
    /// give the quarantine back. Its type does not name `A`, which keeps
    /// `DebugAlloc<A>` covariant in `A`.
    parent_free: Cell<Option<FreeIn>>,
}

/// [`free_in`] with `A` erased.
type FreeIn = unsafe fn(NonNull<()>, NonNull<[u8]>, Alignment, Caller);

/// `A::free` on the `A` that `parent` points to.
///
/// # Safety
///
/// `parent` points to a live `A`, and `memory`, `align` meet
/// [`RawAlloc::free`]'s contract for it.
unsafe fn free_in<A: RawAlloc>(
    parent: NonNull<()>,
    memory: NonNull<[u8]>,
    align: Alignment,
    caller: Caller,
) {
    // SAFETY: the caller's promise: `parent` points to a live `A`, only
    // read through shared references meanwhile.
    let parent = unsafe { parent.cast::<A>().as_ref() };
    // SAFETY: the caller's promise: `free`'s contract for this `A`.
    unsafe { parent.free(memory, align, caller) };
}

impl<A> DebugAlloc<A> {
    /// Checks what passes to `inner`, with the default [`Config`].
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// use alloc_runtime::Bump;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(Bump::new(&mut buf));
    /// assert!(a.report().is_clean());
    /// ```
    #[must_use]
    pub fn new(inner: A) -> Self {
        Self::with_config(inner, Config::new())
    }

    /// Checks what passes to `inner`, with `config`.
    ///
    /// ```
    /// use alloc_runtime::debug::{Config, DebugAlloc, OnDrop};
    /// use alloc_runtime::Bump;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::with_config(Bump::new(&mut buf), Config::new().with_on_drop(OnDrop::Ignore));
    /// assert_eq!(a.config().on_drop, OnDrop::Ignore);
    /// ```
    #[must_use]
    pub fn with_config(inner: A, config: Config) -> Self {
        Self {
            inner,
            config,
            state: RefCell::new(State::default()),
            live: Cell::new(0),
            reentrant: Cell::new(0),
            armed: Cell::new(true),
            parent_free: Cell::new(None),
        }
    }

    /// The settings.
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// assert_eq!(a.config().poison, Some(0xDD));
    /// ```
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The parent allocator.
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// assert_eq!(a.inner().capacity(), 64);
    /// ```
    #[must_use]
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// Whether the allocator is serving a request right now, so that the
    /// queries answer with their fallbacks (see [Queries while
    /// busy](Self#queries-while-busy)). Only code the parent runs during a
    /// request can see `true`.
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// assert!(!a.is_busy());
    /// ```
    #[must_use]
    pub fn is_busy(&self) -> bool {
        self.state.try_borrow_mut().is_err()
    }

    /// The number of live allocations (blocks in the quarantine are not
    /// live). Exact even while the allocator is busy.
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// let b = allocator_api2::boxed::Box::new_in(5u8, &a);
    /// assert_eq!(a.live_allocations(), 1);
    /// drop(b);
    /// assert_eq!(a.live_allocations(), 0);
    /// ```
    #[must_use]
    pub fn live_allocations(&self) -> usize {
        self.live.get()
    }

    /// The allocations still live now, oldest first. Blocks in the
    /// quarantine are freed, not leaks.
    ///
    /// While the allocator is busy: an empty list, and a refused reentrant
    /// call is counted (see [Queries while busy](Self#queries-while-busy)).
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// let s = a.allocator().alloc_slice::<u16>(3)?;
    /// assert_eq!(a.leaks()[0].len, 6);
    /// # // SAFETY: allocated above on this allocator, freed once.
    /// # unsafe { a.allocator().free_slice(s) };
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub fn leaks(&self) -> Vec<Leak> {
        match self.state.try_borrow() {
            Ok(state) => state.leaks(),
            Err(_) => {
                self.refuse_reentrant();
                Vec::new()
            }
        }
    }

    /// The misuses recorded so far (the first [`Config::max_misuses`]).
    ///
    /// While the allocator is busy: an empty list, and a refused reentrant
    /// call is counted (see [Queries while busy](Self#queries-while-busy)).
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// assert!(a.misuses().is_empty());
    /// ```
    #[must_use]
    pub fn misuses(&self) -> Vec<Misuse> {
        match self.state.try_borrow() {
            Ok(state) => state.misuses.clone(),
            Err(_) => {
                self.refuse_reentrant();
                Vec::new()
            }
        }
    }

    /// Everything found so far: leaks (what is live now), misuses.
    ///
    /// While the allocator is busy: a report with no leaks and no misuses
    /// whose [`reentrant_calls`](Report::reentrant_calls) counts this query
    /// too, so it is never [clean](Report::is_clean) (see [Queries while
    /// busy](Self#queries-while-busy)).
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// let b = allocator_api2::boxed::Box::new_in(5u8, &a);
    /// assert_eq!(a.report().leaks.len(), 1);
    /// drop(b);
    /// assert!(a.report().is_clean());
    /// ```
    #[must_use]
    pub fn report(&self) -> Report {
        let Ok(state) = self.state.try_borrow() else {
            self.refuse_reentrant();
            return Report {
                reentrant_calls: self.reentrant.get(),
                ..Report::default()
            };
        };
        Report {
            leaks: state.leaks(),
            misuses: state.misuses.clone(),
            dropped_misuses: state.dropped_misuses,
            reentrant_calls: self.reentrant.get(),
        }
    }

    /// `Ok` when the [`report`](Self::report) is clean, else the report.
    ///
    /// # Errors
    ///
    /// The [`Report`] when anything is live, any misuse was caught or any
    /// reentrant call refused — including this one, when the allocator is
    /// busy (see [Queries while busy](Self#queries-while-busy)).
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// let b = allocator_api2::boxed::Box::new_in(5u8, &a);
    /// assert!(a.check().is_err());
    /// drop(b);
    /// a.check()?;
    /// # Ok::<(), alloc_runtime::debug::Report>(())
    /// ```
    pub fn check(&self) -> Result<(), Report> {
        let report = self.report();
        if report.is_clean() {
            Ok(())
        } else {
            Err(report)
        }
    }

    /// Gives every block in the quarantine back to the parent now, oldest
    /// first, and returns how many. They stay remembered (up to
    /// [`Config::max_freed`]) until the parent hands their addresses out
    /// again.
    ///
    /// While the allocator is busy: nothing, `0`, and a refused reentrant
    /// call is counted (see [Queries while busy](Self#queries-while-busy)).
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// use alloc_runtime::{Bump, Counting};
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(Counting::new(Bump::new(&mut buf)));
    /// let p = a.allocator().create(1u64)?;
    /// // SAFETY: from `create` on this allocator, destroyed once.
    /// unsafe { a.allocator().destroy(p) };
    /// assert_eq!(a.inner().stats().frees, 0, "held in the quarantine");
    /// assert_eq!(a.release_quarantine(), 1);
    /// assert_eq!(a.inner().stats().frees, 1);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[track_caller]
    pub fn release_quarantine(&self) -> usize {
        let caller = Caller::here();
        let Ok(mut state) = self.state.try_borrow_mut() else {
            self.refuse_reentrant();
            return 0;
        };
        let mut released = 0;
        while let Some(held) = state.quarantine.take_oldest() {
            self.release(&mut state, held, caller);
            released += 1;
        }
        released
    }

    /// Gives a freed block back to the parent and remembers it, after
    /// checking that it still holds the poison.
    fn release(&self, state: &mut State, held: Held, caller: Caller) {
        let memory = held.memory();
        let align = held.freed.align;
        if let Some(offset) = self.written_after_free(&held) {
            let address = memory.cast::<u8>().addr().get();
            let misuse = Misuse {
                kind: MisuseKind::WrittenAfterFree { offset },
                op: Op::Free,
                address,
                len: held.freed.len,
                align,
                new_len: None,
                at: self.site(caller),
                block: Some(held.freed.block(address)),
            };
            state.misuse(misuse, self.config.max_misuses);
        }
        state.remember_freed(
            memory.cast::<u8>().addr().get(),
            held.freed,
            self.config.max_freed,
        );
        // Always set: blocks enter the quarantine only through
        // `checked_free`, which sets it first. Without it the block would
        // leak, which is safe.
        let Some(free) = self.parent_free.get() else {
            return;
        };
        let parent = NonNull::from(&self.inner).cast::<()>();
        // SAFETY: `free` is `free_in::<A>` (set by `checked_free`) and
        // `parent` points to `self.inner`, the live `A`. `memory` is a block
        // that parent handed out, with the length and alignment it knows
        // (checked against its record when it was freed). Since then it was
        // held in the quarantine, reachable by no one else, and it leaves
        // the quarantine once: it is freed once.
        unsafe { free(parent, memory, align, caller) };
    }

    /// The first byte of a held block that is not the poison any more, if
    /// there is a poison byte.
    fn written_after_free(&self, held: &Held) -> Option<usize> {
        let poison = self.config.poison?;
        // SAFETY: a held block is `parent_len` bytes the parent handed out
        // and has not got back (valid for reads until `release` frees it),
        // all written with `poison` when the block was freed (initialized).
        // Nothing else holds a reference to them: their user freed them.
        let bytes = unsafe { held.memory().as_ref() };
        bytes.iter().position(|&b| b != poison)
    }

    /// The call site of a request: the caller, and a backtrace frame if on.
    fn site(&self, caller: Caller) -> Site {
        Site {
            caller,
            frame: self.frame(),
        }
    }

    #[cfg(feature = "std")]
    fn frame(&self) -> Option<alloc::string::String> {
        if !self.config.backtraces {
            return None;
        }
        super::capture_user_frame()
    }

    #[cfg(not(feature = "std"))]
    fn frame(&self) -> Option<alloc::string::String> {
        None
    }

    /// Counts a call refused because the bookkeeping is busy.
    fn refuse_reentrant(&self) {
        self.reentrant.set(self.reentrant.get().saturating_add(1));
    }

    /// Finds `memory` among the live blocks with its exact length and
    /// alignment (its user's and its parent's lengths), or records what is
    /// wrong and returns `None`. Never touches `memory`.
    fn find_or_record(
        &self,
        state: &mut State,
        op: Op,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: Option<usize>,
        caller: Caller,
    ) -> Option<(usize, usize)> {
        let address = memory.cast::<u8>().addr().get();
        let (kind, block) = match state.find(address, memory.len(), align, new_len) {
            Ok(lengths) => return Some(lengths),
            Err(wrong) => wrong,
        };
        // The bridge and `Handle::realloc` try `resize`, then `remap`, then
        // ask `validate` before they move, with the same block and caller:
        // one wrong call is one misuse, named by the step that refused it
        // last, with the new length the first step asked for.
        if state.dropped_misuses == 0 {
            if let Some(last) = state.misuses.last_mut() {
                let continues = matches!(
                    (last.op, op),
                    (Op::Resize, Op::Remap) | (Op::Resize | Op::Remap, Op::Move)
                ) && (last.kind, last.address, last.len, last.align)
                    == (kind, address, memory.len(), align)
                    && last.at.caller == caller;
                if continues {
                    last.op = op;
                    return None;
                }
            }
        }
        let misuse = Misuse {
            kind,
            op,
            address,
            len: memory.len(),
            align,
            new_len,
            at: self.site(caller),
            block,
        };
        state.misuse(misuse, self.config.max_misuses);
        None
    }
}

/// Writes `len` copies of `byte` at `ptr + offset`.
///
/// # Safety
///
/// `ptr + offset .. ptr + offset + len` is valid for writes, inside one
/// allocation.
unsafe fn paint(ptr: NonNull<u8>, offset: usize, len: usize, byte: Option<u8>) {
    let Some(byte) = byte else { return };
    // SAFETY: the caller's promise: `offset` stays inside the allocation.
    let start = unsafe { ptr.add(offset) };
    // SAFETY: the caller's promise: `len` bytes from `start` are writable.
    unsafe { start.as_ptr().write_bytes(byte, len) };
}

impl<A: RawAlloc> DebugAlloc<A> {
    /// [`check`](Self::check), then drops the allocator without its
    /// [`OnDrop`] action: the non-panicking end of a `test_allocator()`.
    /// The quarantine goes back to the parent either way.
    ///
    /// # Errors
    ///
    /// The [`Report`] when anything is live or any misuse was caught.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::debug::test_allocator;
    /// use alloc_runtime::Global;
    /// let a = test_allocator();
    /// let p = a.allocator().create(1u32)?;
    /// // The leak is returned, not panicked with.
    /// assert_eq!(a.finish().unwrap_err().leaks.len(), 1);
    /// // SAFETY: `p` came from `create` on the test allocator, whose parent
    /// // is `Global`, and was not freed.
    /// unsafe { Global.allocator().destroy(p) };
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    pub fn finish(self) -> Result<(), Report> {
        self.armed.set(false);
        self.check()
        // Dropping `self` gives the quarantine back.
    }

    fn checked_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if len == 0 {
            return None;
        }
        let Ok(mut state) = self.state.try_borrow_mut() else {
            self.refuse_reentrant();
            return None;
        };
        let ptr = self.inner.alloc(len, align, caller)?;
        // SAFETY: the parent just handed out `len` writable bytes at `ptr`.
        unsafe { paint(ptr, 0, len, self.config.fill) };
        let address = ptr.addr().get();
        state.reused(address, len);
        let seq = state.next_seq();
        let record = Record {
            len,
            parent_len: len,
            align,
            allocated_at: self.site(caller),
            seq,
        };
        state.live.insert(address, record);
        self.live.set(state.live.len());
        Some(ptr)
    }

    /// Changes the length of a checked block in place: within what the
    /// parent holds by bookkeeping alone, beyond it by the parent's
    /// `resize`. Returns whether it did.
    ///
    /// # Safety
    ///
    /// `RawAlloc::resize`'s contract. Breaking it by naming a block that is
    /// not live with this length and alignment is caught, recorded and not
    /// passed on; what is relied on is that a `memory` which matches a live
    /// record is that block, with the provenance it was handed out with.
    unsafe fn change_in_place(
        &self,
        op: Op,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            self.refuse_reentrant();
            return false;
        };
        let Some((old_len, parent_len)) =
            self.find_or_record(&mut state, op, memory, align, Some(new_len), caller)
        else {
            return false;
        };
        let ptr = memory.cast::<u8>();
        let address = ptr.addr().get();
        let new_parent_len = if new_len <= parent_len {
            parent_len
        } else {
            let held = NonNull::slice_from_raw_parts(ptr, parent_len);
            // SAFETY: `held` is the live block the parent handed out (its
            // record was found with the right length and alignment above),
            // with the length and alignment the parent knows; both lengths
            // are non-zero.
            if !unsafe { self.inner.resize(held, align, new_len, caller) } {
                return false;
            }
            state.reused(address, new_len);
            new_len
        };
        if new_len < old_len {
            // SAFETY: the parent still holds `parent_len >= old_len` bytes
            // at `ptr`; the tail `new_len..old_len` is inside them.
            unsafe { paint(ptr, new_len, old_len - new_len, self.config.poison) };
        } else {
            // SAFETY: the block now has `new_parent_len >= new_len` bytes.
            unsafe { paint(ptr, old_len, new_len - old_len, self.config.fill) };
        }
        if let Some(record) = state.live.get_mut(&address) {
            record.len = new_len;
            record.parent_len = new_parent_len;
        }
        true
    }

    /// # Safety
    ///
    /// As [`change_in_place`](Self::change_in_place), for `free`.
    unsafe fn checked_free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            // Not passed on: the block leaks rather than risk the parent.
            self.refuse_reentrant();
            return;
        };
        if self
            .find_or_record(&mut state, Op::Free, memory, align, None, caller)
            .is_none()
        {
            return;
        }
        let ptr = memory.cast::<u8>();
        let address = ptr.addr().get();
        let Some(record) = state.live.remove(&address) else {
            return;
        };
        self.live.set(state.live.len());
        self.parent_free.set(Some(free_in::<A>));
        let seq = state.next_seq();
        let freed = Freed {
            len: record.len,
            align: record.align,
            allocated_at: record.allocated_at,
            freed_at: self.site(caller),
            seq,
        };
        // SAFETY: the parent holds `parent_len` bytes at `ptr` (the record
        // was found with this length and alignment), live until they go
        // back to it from the quarantine.
        unsafe { paint(ptr, 0, record.parent_len, self.config.poison) };
        let held = Held {
            ptr: BlockPtr(ptr),
            parent_len: record.parent_len,
            freed,
        };
        let (max_blocks, max_bytes) = (self.config.quarantine_blocks, self.config.quarantine_bytes);
        if let Some(not_held) = state.quarantine.admit(held, max_blocks, max_bytes) {
            self.release(&mut state, not_held, caller);
        }
        while let Some(oldest) = state.quarantine.evict(max_blocks, max_bytes) {
            self.release(&mut state, oldest, caller);
        }
    }
}

// SAFETY: every block handed out is one the parent just handed out for the
// same length and alignment (the parent's contract: disjoint from all else
// that is live, and `DebugAlloc` is not `Clone`), recorded as live until it
// is freed. Only calls that match a live record (address, length,
// alignment) reach the parent, with the length the parent knows; a freed
// block's record is removed before it goes back to the parent, at once or
// later from the quarantine, where no one can reach it, so each block is
// given back once and never handed out twice. Misuse is recorded, not
// passed on. `validate` compares addresses and never touches the memory.
// Nothing here unwinds: the bookkeeping uses `try_borrow*`.
unsafe impl<A: RawAlloc> RawAlloc for DebugAlloc<A> {
    #[inline]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.checked_alloc(len, align, caller)
    }

    #[inline]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: `resize`'s contract, which the caller upholds, is
        // `change_in_place`'s.
        unsafe { self.change_in_place(Op::Resize, memory, align, new_len, caller) }
    }

    /// Never moves: changes the length in place or returns `None`.
    #[inline]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        // SAFETY: `remap`'s contract, which the caller upholds, is
        // `resize`'s, which is `change_in_place`'s.
        unsafe { self.change_in_place(Op::Remap, memory, align, new_len, caller) }
            .then(|| memory.cast())
    }

    #[inline]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        // SAFETY: `free`'s contract, which the caller upholds, is
        // `checked_free`'s.
        unsafe { self.checked_free(memory, align, caller) }
    }

    /// `true` only for a live block with exactly this length and alignment.
    /// Otherwise (a freed, quarantined or unknown block, or the wrong
    /// length or alignment) the misuse is recorded as [`Op::Move`], as a
    /// wrong free is, and the answer is `false`; the memory is never
    /// touched. While the allocator is busy: `false`, and a refused
    /// reentrant call is counted.
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            self.refuse_reentrant();
            return false;
        };
        self.find_or_record(&mut state, Op::Move, memory, align, None, caller)
            .is_some()
    }
}

/// Asks the parent: every block `DebugAlloc` hands out is a parent block at
/// the same address. A block shrunk in place keeps its parent length, so
/// for a live block the parent is asked about the block it holds (address
/// and parent length, from the records); anything else is asked as given.
/// While the allocator is busy (a call from code its parent runs) the
/// records cannot be read: the parent is asked about `memory` as given,
/// and a refused reentrant call is counted.
// SAFETY: the blocks `DebugAlloc` hands out are the parent's blocks at the
// same address, and the memory it manages is the parent's (held blocks, in
// the quarantine, are still allocated at the parent, so they are memory the
// parent manages too). For a live block with its current length, its
// record (found by address) gives the length the parent holds, and the
// parent answers `true` for its own live block; a length shrunk in place
// only by bookkeeping is never passed on as such. A range disjoint from all
// the memory `DebugAlloc` manages is disjoint from the parent's, and no
// live record starts inside it, so the parent, asked about it as given,
// answers `false`. While busy, the range as given is asked: a block shrunk
// in place only by bookkeeping is a non-empty prefix of the parent's live
// block, for which `Owns`'s contract makes the parent answer `true` too.
// Reads of the records are `try_borrow`: no unwinding.
unsafe impl<A: Owns> Owns for DebugAlloc<A> {
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        let ptr = memory.cast::<u8>();
        let parent_len = match self.state.try_borrow() {
            Ok(state) => state
                .live
                .get(&ptr.addr().get())
                .filter(|record| record.len == memory.len())
                .map(|record| record.parent_len),
            Err(_) => {
                self.refuse_reentrant();
                None
            }
        };
        let held = NonNull::slice_from_raw_parts(ptr, parent_len.unwrap_or(memory.len()));
        self.inner.owns(held)
    }
}

impl<A> Drop for DebugAlloc<A> {
    fn drop(&mut self) {
        self.release_quarantine();
        if !self.armed.get() || self.config.on_drop == OnDrop::Ignore {
            return;
        }
        let Err(report) = self.check() else {
            return;
        };
        #[cfg(feature = "std")]
        let print = self.config.on_drop == OnDrop::Print || std::thread::panicking();
        #[cfg(not(feature = "std"))]
        let print = self.config.on_drop == OnDrop::Print;
        if !print {
            panic!("alloc_runtime::debug: {report}");
        }
        #[cfg(feature = "std")]
        std::eprintln!("alloc_runtime::debug: {report}");
    }
}

impl<A: fmt::Debug> fmt::Debug for DebugAlloc<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("DebugAlloc");
        s.field("inner", &self.inner).field("config", &self.config);
        match self.state.try_borrow() {
            Ok(state) => s
                .field("live_allocations", &state.live.len())
                .field("misuses", &state.misuses.len())
                .field("quarantined_blocks", &state.quarantine.len())
                .field("quarantined_bytes", &state.quarantine.bytes()),
            Err(_) => s.field("state", &"<busy>"),
        };
        s.finish()
    }
}
