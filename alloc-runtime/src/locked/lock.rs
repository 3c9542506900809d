//! [`Lock`]: the mutual exclusion [`Locked`](crate::Locked) takes around
//! every call, implemented for `std::sync::Mutex` (feature `std`) and for
//! any `lock_api::Mutex`.

/// A lock around a value of type `A`: [`with`](Self::with) runs a closure
/// on the value while no other thread can, which is what makes
/// [`Locked`](crate::Locked)`<A, Self>` `Sync` for an allocator that is
/// only `Send` ([`Bump`](crate::Bump), [`Arena`](crate::Arena)).
///
/// Implemented for `std::sync::Mutex<A>` (feature `std`; a poisoned mutex
/// is used as it is, see [`Locked`](crate::Locked#poisoning)) and for
/// `lock_api::Mutex<R, A>` with any raw mutex `R` (a spin lock such as
/// `spin::mutex::SpinMutex<()>` under `no_std`, `parking_lot`'s).
///
/// # Safety
///
/// `Locked` hands a `&A` to several threads through `with` and trusts this
/// trait for the absence of data races. An implementation promises, for
/// every value `lock` of the type:
///
/// - **mutual exclusion**: while a closure passed to `lock.with` runs, no
///   closure passed to `with` on the same `lock` runs on another thread;
/// - **ordering**: everything one such closure did happens before
///   everything the next one (on any thread) does — the lock is released
///   with `Release` and taken with `Acquire` ordering, or stronger;
/// - **one value**: `with` passes a reference to the same `A` every time,
///   the one the lock was made with, which [`get_mut`](Self::get_mut) and
///   [`into_inner`](Self::into_inner) also return;
/// - `with` calls `f` exactly once and returns what it returns. It may wait
///   for other threads first. Called again from inside `f` on the same
///   thread it may block forever or panic (a lock that lets the same thread
///   in again is allowed too: it gives out `&A`, never `&mut A`).
///
/// # Examples
///
/// A lock of your own must keep all of that; a spin lock on an
/// `AtomicBool` with `Acquire`/`Release` does:
///
/// ```
/// use alloc_runtime::{Bump, Lock, Locked};
/// use core::cell::UnsafeCell;
/// use core::mem::MaybeUninit;
/// use core::sync::atomic::{AtomicBool, Ordering};
///
/// struct Spin<A> {
///     locked: AtomicBool,
///     value: UnsafeCell<A>,
/// }
///
/// // SAFETY: the value is only reached inside `with`, under the flag (and
/// // by `&mut self`); it moves between threads, so it must be `Send`.
/// unsafe impl<A: Send> Sync for Spin<A> {}
///
/// // SAFETY: `with` runs `f` once, between a successful `Acquire` swap of
/// // the flag to `true` and a `Release` store of `false`: mutual exclusion,
/// // and each critical section happens before the next. The value is
/// // always `self.value`.
/// unsafe impl<A> Lock<A> for Spin<A> {
///     fn with<R>(&self, f: impl FnOnce(&A) -> R) -> R {
///         while self.locked.swap(true, Ordering::Acquire) {
///             core::hint::spin_loop();
///         }
///         // SAFETY: the flag is ours: no other thread is inside `with`, and
///         // `&mut` access needs `&mut self`.
///         let r = f(unsafe { &*self.value.get() });
///         self.locked.store(false, Ordering::Release);
///         r
///     }
///     fn get_mut(&mut self) -> &mut A {
///         self.value.get_mut()
///     }
///     fn into_inner(self) -> A {
///         self.value.into_inner()
///     }
/// }
///
/// let mut buf = [MaybeUninit::uninit(); 256];
/// let bump = Locked::from_lock(Spin { locked: AtomicBool::new(false), value: UnsafeCell::new(Bump::new(&mut buf)) });
/// std::thread::scope(|s| {
///     s.spawn(|| bump.allocator().create(1u64).map(|_| ()));
///     s.spawn(|| bump.allocator().create(2u64).map(|_| ()));
/// });
/// assert!(bump.with(|b| b.used()) >= 16);
/// ```
///
/// (The example does not restore the flag if `f` unwinds; `Locked` never
/// lets an allocator function unwind, so it is still a sound lock for it.)
pub unsafe trait Lock<A> {
    /// Runs `f` on the value while no other thread can; waits for the lock
    /// first.
    ///
    /// ```
    /// use alloc_runtime::Lock;
    /// let lock = std::sync::Mutex::new(5);
    /// assert_eq!(lock.with(|n| n + 1), 6);
    /// ```
    fn with<R>(&self, f: impl FnOnce(&A) -> R) -> R;

    /// The value, through exclusive access to the lock (no locking needed).
    ///
    /// ```
    /// use alloc_runtime::Lock;
    /// let mut lock = std::sync::Mutex::new(5);
    /// *Lock::get_mut(&mut lock) += 1;
    /// assert_eq!(lock.with(|n| *n), 6);
    /// ```
    fn get_mut(&mut self) -> &mut A;

    /// The value, giving up the lock.
    ///
    /// ```
    /// use alloc_runtime::Lock;
    /// let lock = std::sync::Mutex::new(5);
    /// assert_eq!(Lock::into_inner(lock), 5);
    /// ```
    fn into_inner(self) -> A
    where
        Self: Sized;
}

// SAFETY: `Mutex::lock` gives mutual exclusion among threads and orders
// critical sections (its documentation: a mutex "for protecting shared
// data", with the guarantees of std's synchronization), and its guard
// derefs to the one value it was made with; `f` is called once, between
// taking and dropping the guard. Poisoning only records that a thread
// panicked while holding the guard; the value is still the one value,
// reached under the lock (see `Locked`'s docs for why using it is right).
#[cfg(feature = "std")]
unsafe impl<A> Lock<A> for std::sync::Mutex<A> {
    #[inline]
    fn with<R>(&self, f: impl FnOnce(&A) -> R) -> R {
        let guard = self
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&guard)
    }

    #[inline]
    fn get_mut(&mut self) -> &mut A {
        std::sync::Mutex::get_mut(self).unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[inline]
    fn into_inner(self) -> A {
        std::sync::Mutex::into_inner(self).unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

// SAFETY: `lock_api::Mutex::lock` gives mutual exclusion: the
// `unsafe trait RawMutex` it is built on promises that "a lock can't be
// acquired while the mutex is already locked". Ordering the critical
// sections is part of that promise as lock_api relies on it: its `Mutex` is
// `Sync` for any `RawMutex + Sync` and hands out `&mut A` across threads on
// no other grounds. The guard derefs to the one value the mutex was made
// with; `f` is called once, between taking and dropping the guard.
unsafe impl<R: lock_api::RawMutex, A> Lock<A> for lock_api::Mutex<R, A> {
    #[inline]
    fn with<T>(&self, f: impl FnOnce(&A) -> T) -> T {
        let guard = self.lock();
        f(&guard)
    }

    #[inline]
    fn get_mut(&mut self) -> &mut A {
        lock_api::Mutex::get_mut(self)
    }

    #[inline]
    fn into_inner(self) -> A {
        lock_api::Mutex::into_inner(self)
    }
}
