//! [`PooledArena`]: an arena lent by an [`ArenaPool`], whose allocations
//! live as long as the pool.
#![allow(
    clippy::mut_from_ref,
    reason = "handing out `&'pool mut` from `&self` is the point; the pool's invariant makes it sound"
)]

use core::alloc::Layout;
use core::fmt;
use core::mem::ManuallyDrop;
use core::ops::Deref;
use core::ptr::{self, NonNull};

use allocator_api2::vec::Vec;

use super::ArenaPool;
use crate::{AllocError, AllocOrInitError, Arena, RawAlloc};

/// An [`Arena`] lent by an [`ArenaPool`] to one thread (bumpalo-herd's
/// `Member`), from [`ArenaPool::get`]. Its allocation methods return
/// references of the **pool's** lifetime `'pool`, not its own: they stay
/// valid after the `PooledArena` is dropped (its arena goes back to the pool,
/// not reset) until the pool is [`reset`](ArenaPool::reset) or dropped.
///
/// - The typed API of [`Arena`] is here with `'pool` lifetimes: `alloc`,
///   `alloc_str`, `alloc_slice_copy`, `alloc_fmt`, `alloc_slice_from_iter`
///   and the rest, each with its `try_` form. As in the arena, **destructors
///   never run**.
/// - It dereferences to the [`Arena`] (shared: there is no `DerefMut`), so
///   the arena's other methods work on it, and `&*arena` is an allocator for
///   collections: `Vec::new_in(&*arena)`. Such a collection borrows the
///   `PooledArena`; [`leak_vec`](Self::leak_vec) turns one into a slice of
///   lifetime `'pool` when you are done growing it.
/// - It is `Send` when the pool is `Sync` (`A: Send + Sync`), so a worker
///   may take it along; never `Sync` (an arena is not).
///
/// An allocation limit set through it ([`Arena::set_allocation_limit`])
/// stays with the arena when it goes back to the pool.
/// [`mem::forget`](core::mem::forget) of a `PooledArena` leaks its arena
/// (with everything in it) instead of giving it back: a leak, never unsound.
///
/// # Examples
///
/// ```
/// use alloc_runtime::ArenaPool;
///
/// let pool = ArenaPool::new();
/// let (n, s) = {
///     let arena = pool.get();
///     (arena.alloc(1u32), arena.alloc_str("one"))
/// }; // the `PooledArena` is dropped here, its allocations are not
/// *n += 1;
/// assert_eq!((*n, &*s), (2, "one"));
/// ```
pub struct PooledArena<'pool, A: RawAlloc = crate::Global> {
    /// Where the arena goes back to.
    pool: &'pool ArenaPool<A>,
    /// The arena, lent: given back (never dropped) by the `Drop` impl.
    /// `ManuallyDrop` so that it is never dropped by accident, for example
    /// during an unwind.
    arena: ManuallyDrop<Arena<A>>,
}

/// `r`, with the lifetime of the pool.
///
/// # Safety
///
/// `r` is memory handed out by the arena of a [`PooledArena`] of a pool
/// borrowed for `'pool` (its typed API's result, or a collection's buffer
/// that will never be freed), and nothing gives any of it back to the arena
/// (no `unsafe` `free`, `resize`, `remap` of it).
#[inline(always)]
unsafe fn keep<'pool, T: ?Sized + 'pool>(r: &mut T) -> &'pool mut T {
    // SAFETY: the caller's promise: `r` lies in a chunk of an arena of a
    // pool borrowed for `'pool`. The pool's invariant (on `ArenaPool`): its
    // arenas are reset or dropped only by `ArenaPool::reset(&mut self)` or
    // the pool's drop, neither of which can happen while the pool is
    // borrowed; an arena frees chunks only then; nothing gives these bytes
    // back to the arena. So the memory stays valid, and is the caller's
    // alone (the arena never hands it out again), for `'pool`. `r` itself is
    // not used again.
    unsafe { &mut *ptr::from_mut(r) }
}

impl<'pool, A: RawAlloc> PooledArena<'pool, A> {
    /// Lends `arena`, taken from `pool` or made by it.
    pub(super) fn new(pool: &'pool ArenaPool<A>, arena: Arena<A>) -> Self {
        Self {
            pool,
            arena: ManuallyDrop::new(arena),
        }
    }

    /// The pool this arena was lent by.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let arena = pool.get();
    /// assert!(core::ptr::eq(arena.pool(), &pool));
    /// ```
    #[must_use]
    pub fn pool(&self) -> &'pool ArenaPool<A> {
        self.pool
    }

    /// Moves `val` into the arena and returns a reference that lives as long
    /// as the pool ([`Arena::alloc`]). Its destructor never runs.
    ///
    /// # Panics
    ///
    /// When the arena has no room, as [`Arena::alloc`]; use
    /// [`try_alloc`](Self::try_alloc) to get the failure as a value.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let arena = pool.get();
    /// let x = arena.alloc(42u64);
    /// drop(arena);
    /// *x += 1;
    /// assert_eq!(*x, 43);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn alloc<T: 'pool>(&self, val: T) -> &'pool mut T {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc(val)) }
    }

    /// [`alloc`](Self::alloc), with the failure as a value
    /// ([`Arena::try_alloc`]).
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let x = pool.get().try_alloc([1u8, 2])?;
    /// assert_eq!(x, &[1, 2]);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn try_alloc<T: 'pool>(&self, val: T) -> Result<&'pool mut T, AllocError> {
        let r = self.arena.try_alloc(val)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// Allocates room for a `T`, then writes `f()` straight into it
    /// ([`Arena::alloc_with`]), for the pool's lifetime.
    ///
    /// # Panics
    ///
    /// When the arena has no room, and when `f` panics.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let big = pool.get().alloc_with(|| [7u8; 256]);
    /// assert!(big.iter().all(|&b| b == 7));
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn alloc_with<T: 'pool, F: FnOnce() -> T>(&self, f: F) -> &'pool mut T {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_with(f)) }
    }

    /// [`alloc_with`](Self::alloc_with), with the failure as a value; `f` is
    /// not called when the arena has no room.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(*pool.get().try_alloc_with(|| 5i32)?, 5);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn try_alloc_with<T: 'pool, F: FnOnce() -> T>(
        &self,
        f: F,
    ) -> Result<&'pool mut T, AllocError> {
        let r = self.arena.try_alloc_with(f)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// Allocates room for a `T`, then runs `f`: its `Ok` value is moved in,
    /// its `Err` returned ([`Arena::alloc_try_with`]).
    ///
    /// # Errors
    ///
    /// `f`'s error.
    ///
    /// # Panics
    ///
    /// When the arena has no room, and when `f` panics.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let arena = pool.get();
    /// assert_eq!(*arena.alloc_try_with(|| "12".parse::<u32>()).unwrap(), 12);
    /// assert!(arena.alloc_try_with(|| "x".parse::<u32>()).is_err());
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_try_with<T: 'pool, E, F>(&self, f: F) -> Result<&'pool mut T, E>
    where
        F: FnOnce() -> Result<T, E>,
    {
        let r = self.arena.alloc_try_with(f)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// [`alloc_try_with`](Self::alloc_try_with), with the allocation failure
    /// as a value too ([`Arena::try_alloc_try_with`]).
    ///
    /// # Errors
    ///
    /// [`AllocOrInitError::Alloc`] when the arena cannot serve the request;
    /// [`AllocOrInitError::Init`] with `f`'s error.
    ///
    /// # Panics
    ///
    /// When `f` panics.
    ///
    /// ```
    /// use alloc_runtime::{AllocOrInitError, ArenaPool};
    /// let pool = ArenaPool::new();
    /// let arena = pool.get();
    /// assert_eq!(*arena.try_alloc_try_with(|| "12".parse::<u32>())?, 12);
    /// let bad = arena.try_alloc_try_with(|| "x".parse::<u32>());
    /// assert!(matches!(bad, Err(AllocOrInitError::Init(_))));
    /// # Ok::<(), AllocOrInitError<core::num::ParseIntError>>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_try_with<T: 'pool, E, F>(
        &self,
        f: F,
    ) -> Result<&'pool mut T, AllocOrInitError<E>>
    where
        F: FnOnce() -> Result<T, E>,
    {
        let r = self.arena.try_alloc_try_with(f)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// A copy of `src` in the arena, for the pool's lifetime
    /// ([`Arena::alloc_slice_copy`]).
    ///
    /// # Panics
    ///
    /// When the arena has no room, as [`alloc`](Self::alloc).
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let xs = pool.get().alloc_slice_copy(&[1u16, 2, 3]);
    /// xs[0] = 10;
    /// assert_eq!(xs, &[10, 2, 3]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_copy<T: Copy + 'pool>(&self, src: &[T]) -> &'pool mut [T] {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_slice_copy(src)) }
    }

    /// [`alloc_slice_copy`](Self::alloc_slice_copy), with the failure as a
    /// value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().try_alloc_slice_copy(&[1u8, 2])?, &[1, 2]);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_slice_copy<T: Copy + 'pool>(
        &self,
        src: &[T],
    ) -> Result<&'pool mut [T], AllocError> {
        let r = self.arena.try_alloc_slice_copy(src)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// Clones of `src`'s values in the arena, for the pool's lifetime
    /// ([`Arena::alloc_slice_clone`]). Destructors never run.
    ///
    /// # Panics
    ///
    /// When the arena has no room, and when a `clone` panics.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let words = ["a", "b"];
    /// assert_eq!(pool.get().alloc_slice_clone(&words), &words);
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_clone<T: Clone + 'pool>(&self, src: &[T]) -> &'pool mut [T] {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_slice_clone(src)) }
    }

    /// [`alloc_slice_clone`](Self::alloc_slice_clone), with the failure as a
    /// value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request; no `clone`
    /// ran.
    ///
    /// # Panics
    ///
    /// When a `clone` panics.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().try_alloc_slice_clone(&[1, 2])?, &[1, 2]);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_slice_clone<T: Clone + 'pool>(
        &self,
        src: &[T],
    ) -> Result<&'pool mut [T], AllocError> {
        let r = self.arena.try_alloc_slice_clone(src)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// A copy of `src` in the arena, for the pool's lifetime
    /// ([`Arena::alloc_str`]).
    ///
    /// # Panics
    ///
    /// When the arena has no room, as [`alloc`](Self::alloc).
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let s = pool.get().alloc_str("hello");
    /// s.make_ascii_uppercase();
    /// assert_eq!(s, "HELLO");
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_str(&self, src: &str) -> &'pool mut str {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_str(src)) }
    }

    /// [`alloc_str`](Self::alloc_str), with the failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().try_alloc_str("hi")?, "hi");
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_str(&self, src: &str) -> Result<&'pool mut str, AllocError> {
        let r = self.arena.try_alloc_str(src)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// `args` formatted straight into the arena, for the pool's lifetime
    /// ([`Arena::alloc_fmt`]): write
    /// `arena.alloc_fmt(format_args!(...))`.
    ///
    /// # Panics
    ///
    /// When the arena has no room, and when a formatting trait
    /// implementation returns an error of its own, as `format!` does.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let s = pool.get().alloc_fmt(format_args!("{}-{}", 1, "two"));
    /// assert_eq!(s, "1-two");
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_fmt(&self, args: fmt::Arguments<'_>) -> &'pool mut str {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_fmt(args)) }
    }

    /// [`alloc_fmt`](Self::alloc_fmt), with the failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot hold the string.
    ///
    /// # Panics
    ///
    /// When a formatting trait implementation returns an error of its own.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().try_alloc_fmt(format_args!("{:>3}", 7))?, "  7");
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_fmt(&self, args: fmt::Arguments<'_>) -> Result<&'pool mut str, AllocError> {
        let r = self.arena.try_alloc_fmt(args)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// A slice of `len` values `f(0)`, `f(1)`, ... in the arena, for the
    /// pool's lifetime ([`Arena::alloc_slice_fill_with`]). Destructors never
    /// run.
    ///
    /// # Panics
    ///
    /// When the arena has no room, and when `f` panics.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().alloc_slice_fill_with(4, |i| i * i), &[0, 1, 4, 9]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_fill_with<T: 'pool, F>(&self, len: usize, f: F) -> &'pool mut [T]
    where
        F: FnMut(usize) -> T,
    {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_slice_fill_with(len, f)) }
    }

    /// [`alloc_slice_fill_with`](Self::alloc_slice_fill_with), with the
    /// failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request (`f` never
    /// ran).
    ///
    /// # Panics
    ///
    /// When `f` panics.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let arena = pool.get();
    /// assert_eq!(arena.try_alloc_slice_fill_with(3, |i| i as u8)?, &[0, 1, 2]);
    /// assert!(arena.try_alloc_slice_fill_with(usize::MAX, |_| 0u64).is_err());
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_slice_fill_with<T: 'pool, F>(
        &self,
        len: usize,
        f: F,
    ) -> Result<&'pool mut [T], AllocError>
    where
        F: FnMut(usize) -> T,
    {
        let r = self.arena.try_alloc_slice_fill_with(len, f)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// `len` copies of `value` in the arena, for the pool's lifetime
    /// ([`Arena::alloc_slice_fill_copy`]).
    ///
    /// # Panics
    ///
    /// When the arena has no room, as [`alloc`](Self::alloc).
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().alloc_slice_fill_copy(3, 9u8), &[9, 9, 9]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_fill_copy<T: Copy + 'pool>(&self, len: usize, value: T) -> &'pool mut [T] {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_slice_fill_copy(len, value)) }
    }

    /// [`alloc_slice_fill_copy`](Self::alloc_slice_fill_copy), with the
    /// failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().try_alloc_slice_fill_copy(2, 'x')?, &['x', 'x']);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_slice_fill_copy<T: Copy + 'pool>(
        &self,
        len: usize,
        value: T,
    ) -> Result<&'pool mut [T], AllocError> {
        let r = self.arena.try_alloc_slice_fill_copy(len, value)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// `len` clones of `value` in the arena, for the pool's lifetime
    /// ([`Arena::alloc_slice_fill_clone`]). Destructors never run.
    ///
    /// # Panics
    ///
    /// When the arena has no room, and when a `clone` panics.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().alloc_slice_fill_clone(2, &"ab"), &["ab", "ab"]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_fill_clone<T: Clone + 'pool>(
        &self,
        len: usize,
        value: &T,
    ) -> &'pool mut [T] {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_slice_fill_clone(len, value)) }
    }

    /// [`alloc_slice_fill_clone`](Self::alloc_slice_fill_clone), with the
    /// failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request.
    ///
    /// # Panics
    ///
    /// When a `clone` panics.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().try_alloc_slice_fill_clone(1, &5)?, &[5]);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_slice_fill_clone<T: Clone + 'pool>(
        &self,
        len: usize,
        value: &T,
    ) -> Result<&'pool mut [T], AllocError> {
        let r = self.arena.try_alloc_slice_fill_clone(len, value)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// `len` default values in the arena, for the pool's lifetime
    /// ([`Arena::alloc_slice_fill_default`]).
    ///
    /// # Panics
    ///
    /// When the arena has no room, as [`alloc`](Self::alloc).
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().alloc_slice_fill_default::<u32>(3), &[0, 0, 0]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_fill_default<T: Default + 'pool>(&self, len: usize) -> &'pool mut [T] {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_slice_fill_default(len)) }
    }

    /// [`alloc_slice_fill_default`](Self::alloc_slice_fill_default), with the
    /// failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().try_alloc_slice_fill_default::<bool>(2)?, &[false, false]);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_slice_fill_default<T: Default + 'pool>(
        &self,
        len: usize,
    ) -> Result<&'pool mut [T], AllocError> {
        let r = self.arena.try_alloc_slice_fill_default(len)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// The values of an exact-size iterator in the arena, for the pool's
    /// lifetime ([`Arena::alloc_slice_fill_iter`]). Destructors never run.
    ///
    /// # Panics
    ///
    /// When the arena has no room, when the iterator panics, and when it
    /// runs out before `len()` values.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let xs = pool.get().alloc_slice_fill_iter([1, 2, 3].iter().map(|x| x * 10));
    /// assert_eq!(xs, &[10, 20, 30]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_fill_iter<T: 'pool, I>(&self, iter: I) -> &'pool mut [T]
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_slice_fill_iter(iter)) }
    }

    /// [`alloc_slice_fill_iter`](Self::alloc_slice_fill_iter), with the
    /// failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request; the iterator
    /// was not advanced.
    ///
    /// # Panics
    ///
    /// When the iterator panics or runs out before `len()` values.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// assert_eq!(pool.get().try_alloc_slice_fill_iter(0..3u8)?, &[0, 1, 2]);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_slice_fill_iter<T: 'pool, I>(
        &self,
        iter: I,
    ) -> Result<&'pool mut [T], AllocError>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        let r = self.arena.try_alloc_slice_fill_iter(iter)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// The values of an exact-size iterator of results in the arena, until
    /// its first `Err` ([`Arena::alloc_slice_try_fill_iter`]), for the
    /// pool's lifetime. On `Err` the values taken are dropped.
    ///
    /// # Errors
    ///
    /// The iterator's first error.
    ///
    /// # Panics
    ///
    /// When the arena has no room, when the iterator panics, and when it
    /// runs out before `len()` items.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let arena = pool.get();
    /// let ok = arena.alloc_slice_try_fill_iter([Ok::<_, &str>(1), Ok(2)]);
    /// assert_eq!(ok, Ok(&mut [1, 2][..]));
    /// assert_eq!(arena.alloc_slice_try_fill_iter([Ok(1), Err("no")]), Err("no"));
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_try_fill_iter<T: 'pool, I, E>(&self, iter: I) -> Result<&'pool mut [T], E>
    where
        I: IntoIterator<Item = Result<T, E>>,
        I::IntoIter: ExactSizeIterator,
    {
        let r = self.arena.alloc_slice_try_fill_iter(iter)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// The values of any iterator in the arena, for the pool's lifetime
    /// ([`Arena::alloc_slice_from_iter`]): the slice grows at the end of the
    /// arena, in place. Destructors never run.
    ///
    /// # Panics
    ///
    /// When the arena has no room, and when the iterator panics.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let evens = pool.get().alloc_slice_from_iter((0..10).filter(|x| x % 2 == 0));
    /// assert_eq!(evens, &[0, 2, 4, 6, 8]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_from_iter<T: 'pool, I>(&self, iter: I) -> &'pool mut [T]
    where
        I: IntoIterator<Item = T>,
    {
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        unsafe { keep(self.arena.alloc_slice_from_iter(iter)) }
    }

    /// [`alloc_slice_from_iter`](Self::alloc_slice_from_iter), with the
    /// failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot hold the values; those taken so
    /// far are dropped.
    ///
    /// # Panics
    ///
    /// When the iterator panics.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// let pool = ArenaPool::new();
    /// let words = pool.get().try_alloc_slice_from_iter("a b".split(' '))?;
    /// assert_eq!(words, &["a", "b"]);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_alloc_slice_from_iter<T: 'pool, I>(
        &self,
        iter: I,
    ) -> Result<&'pool mut [T], AllocError>
    where
        I: IntoIterator<Item = T>,
    {
        let r = self.arena.try_alloc_slice_from_iter(iter)?;
        // SAFETY: `keep`'s contract: just handed out by this lent arena's
        // typed API, and nothing gives it back; the pool resets or drops its
        // arenas only through `&mut ArenaPool` or its drop, after `'pool`.
        Ok(unsafe { keep(r) })
    }

    /// Uninitialized memory for `layout` in the arena
    /// ([`Arena::alloc_layout`]). It stays valid until the pool is reset or
    /// dropped; writing to it or reading what was written needs `unsafe`.
    ///
    /// # Panics
    ///
    /// When the arena has no room, as [`alloc`](Self::alloc).
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// use core::alloc::Layout;
    /// let pool = ArenaPool::new();
    /// let p = pool.get().alloc_layout(Layout::from_size_align(24, 8).unwrap());
    /// assert_eq!(p.as_ptr() as usize % 8, 0);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        self.arena.alloc_layout(layout)
    }

    /// [`alloc_layout`](Self::alloc_layout), with the failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the arena cannot serve the request.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// use core::alloc::Layout;
    /// let pool = ArenaPool::new();
    /// let arena = pool.get();
    /// assert!(arena.try_alloc_layout(Layout::new::<u64>()).is_ok());
    /// let huge = Layout::from_size_align(isize::MAX as usize, 1).unwrap();
    /// assert!(arena.try_alloc_layout(huge).is_err());
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn try_alloc_layout(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        self.arena.try_alloc_layout(layout)
    }

    /// Turns a vector grown in this arena into a slice that lives as long as
    /// the pool (bumpalo's `into_bump_slice`): its unused capacity is given
    /// back (in place, if it is the arena's most recent block), and its
    /// buffer is never freed. Destructors of its values never run.
    ///
    /// This is how a collection outlives the `PooledArena` it was grown in:
    /// a `Vec::new_in(&*arena)` borrows the `PooledArena` (it may allocate
    /// from the arena until it is dropped, so it must not outlive the loan);
    /// once it is done growing, `leak_vec` ends the loan's part and keeps the
    /// values.
    ///
    /// # Panics
    ///
    /// When `vec` was not allocated by this arena (its allocator is another
    /// arena): its buffer would be freed with that arena.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// use allocator_api2::vec::Vec;
    ///
    /// let pool = ArenaPool::new();
    /// let squares: &[u64] = {
    ///     let arena = pool.get();
    ///     let mut v = Vec::new_in(&*arena);
    ///     v.extend((0..100).map(|i| i * i));
    ///     arena.leak_vec(v)
    /// };
    /// assert_eq!(squares[99], 9801);
    /// ```
    #[track_caller]
    pub fn leak_vec<T: 'pool>(&self, vec: Vec<T, &Arena<A>>) -> &'pool mut [T] {
        assert!(
            ptr::eq(*vec.allocator(), &*self.arena),
            "leak_vec: the vector was allocated by another arena; grow it in this one with Vec::new_in(&*arena)"
        );
        let slice = allocator_api2::boxed::Box::leak(vec.into_boxed_slice());
        // SAFETY: the vector's buffer was allocated by this arena (its
        // allocator is this very arena, checked above, and a `Vec` only
        // holds a buffer from its allocator); the box is leaked, so nothing
        // frees or resizes it again. See `keep`.
        unsafe { keep(slice) }
    }
}

impl<A: RawAlloc> Deref for PooledArena<'_, A> {
    type Target = Arena<A>;

    /// The arena, shared: its whole `&self` API (statistics, an allocator
    /// for collections, the typed API with the borrow's lifetime), but no
    /// `reset` or `scope`, which need `&mut` and would free what the pool
    /// promised to keep.
    ///
    /// ```
    /// use alloc_runtime::ArenaPool;
    /// use allocator_api2::vec::Vec;
    ///
    /// let pool = ArenaPool::new();
    /// let arena = pool.get();
    /// let mut v = Vec::new_in(&*arena);
    /// v.extend([1u8, 2, 3]);
    /// assert_eq!(arena.stats().used, v.capacity()); // the buffer is in the arena
    /// ```
    fn deref(&self) -> &Arena<A> {
        &self.arena
    }
}

impl<A: RawAlloc> Drop for PooledArena<'_, A> {
    /// Gives the arena back to the pool, as it is: not reset, so what it
    /// handed out stays valid as long as the pool.
    fn drop(&mut self) {
        // SAFETY: this is the drop: `self.arena` is taken once, here, and
        // never used again.
        let arena = unsafe { ManuallyDrop::take(&mut self.arena) };
        self.pool.give_back(ManuallyDrop::new(arena));
    }
}

impl<A: RawAlloc> fmt::Debug for PooledArena<'_, A> {
    /// The arena's statistics.
    ///
    /// ```
    /// let pool = alloc_runtime::ArenaPool::new();
    /// let arena = pool.get();
    /// assert!(format!("{arena:?}").starts_with("PooledArena"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.arena.stats();
        f.debug_struct("PooledArena")
            .field("chunks", &s.chunks)
            .field("allocated_bytes", &s.allocated_bytes)
            .field("used", &s.used)
            .finish_non_exhaustive()
    }
}
