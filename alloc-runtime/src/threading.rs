//! [`Threading`]: whether an allocator, or a handle to one, may be shared
//! across threads — [`Local`] or [`ThreadSafe`].
//!
//! The same two markers choose the state of the blocks that keep counters:
//! `Counting<A>` (that is, `Counting<A, Local>`) keeps them in `Cell`s and
//! is not `Sync`; `Counting<A, ThreadSafe>` keeps them in atomics and is
//! `Sync` when its parent is; likewise `Limit` and `Fail`. The state words
//! behind the markers are this module's sealed [`Word`](sealed::Word) trait
//! (and [`Locked`](sealed::Locked), for state that changes as a whole on a
//! cold path), not public API.

use core::cell::Cell;
#[cfg(target_has_atomic = "64")]
use core::sync::atomic::AtomicU64;
#[cfg(target_has_atomic = "ptr")]
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Whether an allocator's state, or a [`Handle`](crate::Handle), may be
/// shared across threads: [`Local`] (the default) or [`ThreadSafe`].
///
/// Sealed: the two markers are the only implementations.
///
/// ```
/// use alloc_runtime::{Counting, Global, Local, ThreadSafe};
///
/// fn is_sync<T: Sync>(_: &T) {}
/// let shared: Counting<Global, ThreadSafe> = Counting::new_sync(Global);
/// is_sync(&shared);
/// let local: Counting<Global, Local> = Counting::new(Global);
/// # let _ = local;
/// // is_sync(&local); // error: `Cell<u64>` cannot be shared between threads
/// ```
pub trait Threading: Sealed {}

/// The single-threaded marker, the default: state in `Cell`s, so the block
/// (or the [`Handle`](crate::Handle)) is neither `Sync` nor shareable.
/// Nothing is paid for synchronization.
///
/// ```
/// use alloc_runtime::{Counting, Global, Local};
/// let counting: Counting<Global, Local> = Counting::new(Global);
/// # let _ = counting;
/// ```
#[derive(Debug)]
pub enum Local {}

/// The thread-safe marker: state in atomics (updated with `Relaxed`
/// ordering: they order nothing else), so the block is `Sync` when its
/// parent is, and a [`Handle`](crate::Handle) made with
/// [`Handle::new_sync`](crate::Handle::new_sync) is `Send` and `Sync`.
///
/// The blocks' `ThreadSafe` constructors need 64-bit atomics
/// (`cfg(target_has_atomic = "64")`).
///
/// ```
/// use alloc_runtime::{Counting, Global, ThreadSafe};
/// let counting: Counting<Global, ThreadSafe> = Counting::new_sync(Global);
/// std::thread::scope(|s| {
///     s.spawn(|| drop(allocator_api2::boxed::Box::new_in(1u8, &counting)));
/// });
/// assert_eq!(counting.stats().frees, 1);
/// ```
#[derive(Debug)]
pub enum ThreadSafe {}

impl Threading for Local {}
impl Threading for ThreadSafe {}

/// The state words behind the markers. Public in a private module: nameable
/// inside the crate only.
pub(crate) mod sealed {
    use core::fmt;

    /// A [`Threading`](super::Threading) marker's state words.
    pub trait Sealed {
        /// A `u64` counter: `Cell<u64>`, or `AtomicU64`.
        type U64: Word<u64>;
        /// A `usize` word: `Cell<usize>`, or `AtomicUsize`.
        type Usize: Word<usize>;
        /// Several fields that change together, on a cold path:
        /// `Cell<S>`, or a `spin` mutex around `S` (`Fail` keeps its
        /// records and random state in one).
        type Locked<S: Copy + Send>: Locked<S>;
        /// Whether other threads may update the words concurrently. With
        /// `false` (`Local`) a block may check its state, ask its parent,
        /// and count after the answer, since nothing can come in between;
        /// with `true` (`ThreadSafe`) it reserves before asking (`Limit`'s
        /// bytes, `Fail`'s indices). A constant: each marker compiles to
        /// its own path. `measure`'s reports also say, when `true`, that
        /// other threads' allocations are counted too.
        const SHARED: bool;
    }

    /// A `Copy` value updated as a whole under a lock ([`Sealed::Locked`]).
    /// `Cell`: copied out, changed, copied back; the spin mutex: locked for
    /// the closure (held only for bookkeeping, never across a call to a
    /// parent allocator, so a global allocator never waits on itself).
    pub trait Locked<S: Copy> {
        /// Runs `f` on the value, alone. `f` must not call `with` on the
        /// same value (a `Cell` would lose one update; a lock would spin
        /// forever).
        fn with<R>(&self, f: impl FnOnce(&mut S) -> R) -> R;
    }

    /// One word of a block's state, in a `Cell` or an atomic. Atomics use
    /// `Relaxed` ordering: counters and budgets publish no other memory.
    pub trait Word<T: Copy>: fmt::Debug {
        /// The value now.
        fn get(&self) -> T;
        /// Replaces the value.
        fn set(&self, value: T);
        /// Adds `by`, wrapping; returns the value before.
        fn add(&self, by: T) -> T;
        /// Subtracts `by`, wrapping; returns the value before.
        fn sub(&self, by: T) -> T;
        /// Raises the value to `value` if that is larger.
        fn raise(&self, value: T);
        /// Replaces the value `v` with `f(v)` unless `f` answers `None`;
        /// returns the value before, `Err` when `f` refused. Atomics retry
        /// until no other thread changed the value in between.
        fn update(&self, f: impl FnMut(T) -> Option<T>) -> Result<T, T>;
    }
}

use sealed::{Locked, Sealed, Word};

impl Sealed for Local {
    type U64 = Cell<u64>;
    type Usize = Cell<usize>;
    type Locked<S: Copy + Send> = Cell<S>;
    const SHARED: bool = false;
}

#[cfg(target_has_atomic = "64")]
impl Sealed for ThreadSafe {
    type U64 = AtomicU64;
    type Usize = AtomicUsize;
    type Locked<S: Copy + Send> = spin::mutex::SpinMutex<S>;
    const SHARED: bool = true;
}

/// Targets without 64-bit atomics: `ThreadSafe` blocks cannot be made (their
/// constructors need `AtomicU64`); the word type is uninhabited.
#[cfg(not(target_has_atomic = "64"))]
impl Sealed for ThreadSafe {
    type U64 = NoAtomics;
    type Usize = NoAtomics;
    type Locked<S: Copy + Send> = NoAtomics;
    const SHARED: bool = true;
}

/// The state word of `ThreadSafe` on targets without 64-bit atomics: no
/// value exists, so no block holding one can be made.
#[cfg(not(target_has_atomic = "64"))]
#[derive(Debug)]
pub enum NoAtomics {}

#[cfg(not(target_has_atomic = "64"))]
impl<T: Copy> Word<T> for NoAtomics {
    fn get(&self) -> T {
        match *self {}
    }
    fn set(&self, _: T) {
        match *self {}
    }
    fn add(&self, _: T) -> T {
        match *self {}
    }
    fn sub(&self, _: T) -> T {
        match *self {}
    }
    fn raise(&self, _: T) {
        match *self {}
    }
    fn update(&self, _: impl FnMut(T) -> Option<T>) -> Result<T, T> {
        match *self {}
    }
}

#[cfg(not(target_has_atomic = "64"))]
impl<S: Copy> Locked<S> for NoAtomics {
    fn with<R>(&self, _: impl FnOnce(&mut S) -> R) -> R {
        match *self {}
    }
}

impl<S: Copy> Locked<S> for Cell<S> {
    #[inline(always)]
    fn with<R>(&self, f: impl FnOnce(&mut S) -> R) -> R {
        let mut value = self.get();
        let result = f(&mut value);
        self.set(value);
        result
    }
}

#[cfg(target_has_atomic = "64")]
impl<S: Copy> Locked<S> for spin::mutex::SpinMutex<S> {
    #[inline]
    fn with<R>(&self, f: impl FnOnce(&mut S) -> R) -> R {
        f(&mut self.lock())
    }
}

macro_rules! cell_word {
    ($t:ty) => {
        impl Word<$t> for Cell<$t> {
            #[inline(always)]
            fn get(&self) -> $t {
                Cell::get(self)
            }
            #[inline(always)]
            fn set(&self, value: $t) {
                Cell::set(self, value)
            }
            #[inline(always)]
            fn add(&self, by: $t) -> $t {
                let before = Cell::get(self);
                Cell::set(self, before.wrapping_add(by));
                before
            }
            #[inline(always)]
            fn sub(&self, by: $t) -> $t {
                let before = Cell::get(self);
                Cell::set(self, before.wrapping_sub(by));
                before
            }
            #[inline(always)]
            fn raise(&self, value: $t) {
                if value > Cell::get(self) {
                    Cell::set(self, value);
                }
            }
            #[inline(always)]
            fn update(&self, mut f: impl FnMut($t) -> Option<$t>) -> Result<$t, $t> {
                let before = Cell::get(self);
                match f(before) {
                    Some(after) => {
                        Cell::set(self, after);
                        Ok(before)
                    }
                    None => Err(before),
                }
            }
        }
    };
}

cell_word!(u64);
cell_word!(usize);

macro_rules! atomic_word {
    ($t:ty, $atomic:ty) => {
        impl Word<$t> for $atomic {
            #[inline(always)]
            fn get(&self) -> $t {
                self.load(Relaxed)
            }
            #[inline(always)]
            fn set(&self, value: $t) {
                self.store(value, Relaxed)
            }
            #[inline(always)]
            fn add(&self, by: $t) -> $t {
                self.fetch_add(by, Relaxed)
            }
            #[inline(always)]
            fn sub(&self, by: $t) -> $t {
                self.fetch_sub(by, Relaxed)
            }
            #[inline(always)]
            fn raise(&self, value: $t) {
                // A load first: once the peak is reached, most calls find
                // it higher and skip the read-modify-write.
                if value > self.load(Relaxed) {
                    self.fetch_max(value, Relaxed);
                }
            }
            #[inline(always)]
            fn update(&self, f: impl FnMut($t) -> Option<$t>) -> Result<$t, $t> {
                self.fetch_update(Relaxed, Relaxed, f)
            }
        }
    };
}

#[cfg(target_has_atomic = "64")]
atomic_word!(u64, AtomicU64);
#[cfg(target_has_atomic = "ptr")]
atomic_word!(usize, AtomicUsize);
