//! [`Locked`]: any allocator made `Sync` by a lock around every call, Zig's
//! `ThreadSafeAllocator`; [`Lock`], the locks it can take.

use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

mod lock;

pub use lock::Lock;

#[cfg(test)]
mod tests;

// The docs live in `doc.md`, shared by the two declarations: with `std`,
// the lock defaults to `std::sync::Mutex<A>`; without, there is no default.
#[cfg(feature = "std")]
#[doc = include_str!("doc.md")]
#[derive(alloc_derive::Allocator)]
pub struct Locked<A, M = std::sync::Mutex<A>> {
    /// The inner allocator, behind the lock. Never reachable from outside
    /// except through `with` (which gives `&A`) or by `&mut self`/`self`: a
    /// caller holding the lock could replace the allocator under live
    /// blocks.
    lock: M,
    /// `Locked` owns an `A` (inside `lock`): `Send` only when `A` is.
    _inner: PhantomData<A>,
}

#[cfg(not(feature = "std"))]
#[doc = include_str!("doc.md")]
#[derive(alloc_derive::Allocator)]
pub struct Locked<A, M> {
    /// The inner allocator, behind the lock. Never reachable from outside
    /// except through `with` (which gives `&A`) or by `&mut self`/`self`: a
    /// caller holding the lock could replace the allocator under live
    /// blocks.
    lock: M,
    /// `Locked` owns an `A` (inside `lock`): `Send` only when `A` is.
    _inner: PhantomData<A>,
}

// SAFETY: `&Locked` reaches the inner allocator only through `Lock::with`
// on `lock` (no method exposes `&M`, and `get_mut`/`into_inner` take
// `&mut self`/`self`). Sharing `&Locked` between threads shares `&M`,
// which `M: Sync` allows; `Lock`'s contract makes the `&A` it hands out
// reachable by one thread at a time, each critical section ordered before
// the next. So the inner allocator is used by one thread at a time, in
// order, as if it moved between them, which `A: Send` allows; it is never
// used concurrently, so it need not be `Sync`.
unsafe impl<A: Send, M: Lock<A> + Sync> Sync for Locked<A, M> {}

#[cfg(feature = "std")]
impl<A> Locked<A> {
    /// `inner` behind a `std::sync::Mutex` (feature `std`). `const`, so a
    /// `static` can hold it.
    ///
    /// ```
    /// use alloc_runtime::{Global, Limit, Locked};
    ///
    /// static SHARED: Locked<Limit<Global>> = Locked::new(Limit::new(Global, 1 << 20));
    ///
    /// std::thread::scope(|s| {
    ///     s.spawn(|| allocator_api2::boxed::Box::new_in(1u32, &SHARED));
    ///     s.spawn(|| allocator_api2::boxed::Box::new_in(2u32, &SHARED));
    /// });
    /// assert_eq!(SHARED.with(|l| (l.live_bytes(), l.total_bytes())), (0, 8));
    /// ```
    #[inline]
    #[must_use]
    pub const fn new(inner: A) -> Self {
        Self::from_lock(std::sync::Mutex::new(inner))
    }
}

impl<A, M: Lock<A>> Locked<A, M> {
    /// The allocator inside `lock`, any [`Lock`]: a `lock_api::Mutex<R, A>`
    /// for a `no_std` spin lock, say. `const`, so a `static` can hold it.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Locked};
    /// use core::mem::MaybeUninit;
    ///
    /// type Spin = spin::mutex::SpinMutex<()>;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Locked::from_lock(lock_api::Mutex::<Spin, _>::new(Bump::new(&mut buf)));
    /// assert_eq!(bump.with(|b| b.capacity()), 64);
    /// ```
    #[inline]
    #[must_use]
    pub const fn from_lock(lock: M) -> Self {
        Self {
            lock,
            _inner: PhantomData,
        }
    }

    /// Runs `f` on the inner allocator under the lock: to read its figures
    /// ([`Bump::used`](crate::Bump::used), `Counting::stats`), say.
    ///
    /// `f` must not allocate through this `Locked` (see
    /// [Reentrancy](Self#reentrancy)); it may use the inner allocator, which
    /// is the same allocator.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Locked};
    /// use core::mem::MaybeUninit;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Locked::new(Bump::new(&mut buf));
    /// let _one = bump.allocator().create(1u8)?;
    /// assert_eq!(bump.with(|b| b.used()), 1);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&A) -> R) -> R {
        self.lock.with(f)
    }

    /// The inner allocator, through exclusive access (no locking): to
    /// [`reset`](crate::Bump::reset) a `Bump`, say.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Locked};
    /// use core::mem::MaybeUninit;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let mut bump = Locked::new(Bump::new(&mut buf));
    /// bump.allocator().create(1u64)?;
    /// bump.get_mut().reset();
    /// assert_eq!(bump.with(|b| b.used()), 0);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    pub fn get_mut(&mut self) -> &mut A {
        self.lock.get_mut()
    }

    /// The inner allocator, giving up the lock.
    ///
    /// ```
    /// use alloc_runtime::{Bump, Locked};
    /// use core::mem::MaybeUninit;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Locked::new(Bump::new(&mut buf));
    /// assert_eq!(bump.into_inner().capacity(), 64);
    /// ```
    #[inline]
    pub fn into_inner(self) -> A {
        self.lock.into_inner()
    }

    /// `f` on the inner allocator under the lock, for the allocator
    /// functions, which must not unwind: if the lock panics (`std`'s mutex
    /// may, when the thread that holds it takes it again), the process
    /// aborts instead.
    #[inline(always)]
    fn call<R>(&self, f: impl FnOnce(&A) -> R) -> R {
        let guard = AbortOnUnwind;
        let r = self.lock.with(f);
        core::mem::forget(guard);
        r
    }
}

/// Turns an unwind out of a lock into an abort: dropped only while
/// unwinding (the normal path forgets it), it panics again, and a panic
/// while panicking aborts.
struct AbortOnUnwind;

impl Drop for AbortOnUnwind {
    #[cold]
    fn drop(&mut self) {
        panic!(
            "alloc_runtime: the lock of a `Locked` panicked inside an allocator function (did the inner allocator allocate through the same `Locked`?); aborting"
        );
    }
}

// SAFETY: every call reaches the inner allocator unchanged, under the
// lock, so the inner allocator's contract carries over: its blocks are
// disjoint and valid until freed or until it is dropped, which is when the
// `Locked` is (moving the `Locked` moves the inner allocator, which keeps
// its blocks valid by its own contract). The lock serializes the calls,
// so an inner allocator that is not `Sync` is never called concurrently
// (see the `Sync` impl). `Locked` is not `Clone`. No function unwinds:
// the inner allocator's do not, and `call` aborts if the lock would.
unsafe impl<A: RawAlloc, M: Lock<A>> RawAlloc for Locked<A, M> {
    #[inline]
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.call(|a| a.alloc(len, align, caller))
    }

    #[inline]
    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        self.call(|a| {
            // SAFETY: the caller upholds `resize`'s contract for this
            // allocator, whose blocks are the inner allocator's.
            unsafe { a.resize(memory, align, new_len, caller) }
        })
    }

    #[inline]
    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        self.call(|a| {
            // SAFETY: the caller upholds `remap`'s contract for this
            // allocator, whose blocks are the inner allocator's.
            unsafe { a.remap(memory, align, new_len, caller) }
        })
    }

    #[inline]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        self.call(|a| {
            // SAFETY: the caller upholds `free`'s contract for this
            // allocator, whose blocks are the inner allocator's.
            unsafe { a.free(memory, align, caller) }
        });
    }

    #[inline]
    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        self.call(|a| a.validate(memory, align, caller))
    }
}

// SAFETY: the blocks of a `Locked` are its inner allocator's, and the
// memory it manages is the inner allocator's: the answer is the inner
// allocator's, asked under the lock; `call` never unwinds.
unsafe impl<A: Owns, M: Lock<A>> Owns for Locked<A, M> {
    #[inline]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.call(|a| a.owns(memory))
    }
}

/// Shows the lock (a `std::sync::Mutex` shows the allocator unless it is
/// locked at that moment).
///
/// ```
/// use alloc_runtime::{Global, Locked};
/// assert_eq!(format!("{:?}", Locked::new(Global)), "Locked { lock: Mutex { data: Global, poisoned: false, .. } }");
/// ```
impl<A, M: fmt::Debug> fmt::Debug for Locked<A, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locked").field("lock", &self.lock).finish()
    }
}
