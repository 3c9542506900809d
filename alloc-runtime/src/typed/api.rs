//! [`typed_api!`]: the inherent methods of the typed API, emitted once per
//! arena type over the generic functions of the parent module.

/// Emits the typed API as inherent methods of an arena type.
///
/// `impl [generics] Type;` names the type; `name` is how the docs call it;
/// `setup` is the first lines of every example, which must bind `arena`.
macro_rules! typed_api {
    (impl [$($generics:tt)*] $ty:ty; name: $name:literal; setup: $setup:literal;) => {
        impl<$($generics)*> $ty {
            /// Moves `val` into the
            #[doc = $name]
            /// and returns a mutable reference to it, borrowed from the
            /// arena (bumpalo's `alloc`).
            ///
            /// **The value's destructor never runs**: the arena frees its
            /// memory without looking at what is in it. Allocate values that
            /// own resources (a `std::vec::Vec`, a file) only if leaking them
            /// is fine; put an arena collection (whose own buffer lives in
            /// the arena) in instead, or drop the value in place yourself.
            ///
            /// A zero-size value takes no memory and never reaches the arena.
            ///
            /// # Panics
            ///
            /// When the arena has no room: through
            /// `alloc::alloc::handle_alloc_error` (which aborts by default)
            /// with feature `alloc`, with a panic without it. Use
            /// [`try_alloc`](Self::try_alloc) to get the failure as a value.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let x = arena.alloc(42u64);
*x += 1;
assert_eq!(*x, 43);
assert_eq!(x as *mut u64 as usize % align_of::<u64>(), 0);
```"#)]
            #[inline(always)]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc<T>(&self, val: T) -> &mut T {
                $crate::typed::infallible($crate::typed::alloc_with(self, || val))
            }

            /// [`alloc`](Self::alloc), with the failure as a value: `val` is
            /// dropped when the arena has no room.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request; it is left as it was.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let x = arena.try_alloc([1u8, 2, 3])?;
assert_eq!(x, &[1, 2, 3]);
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline(always)]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc<T>(&self, val: T) -> Result<&mut T, $crate::AllocError> {
                Ok($crate::typed::alloc_with(self, || val)?)
            }

            /// Allocates room for a `T`, then writes `f()` straight into it
            /// (bumpalo's `alloc_with`): a large value may be built in place
            /// instead of on the stack and copied.
            ///
            /// The destructor never runs, as for [`alloc`](Self::alloc). If
            /// `f` panics, nothing was written and the room is leaked.
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc); and
            /// when `f` panics.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let big = arena.alloc_with(|| [7u8; 256]);
assert!(big.iter().all(|&b| b == 7));
```"#)]
            #[inline(always)]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_with<F, T>(&self, f: F) -> &mut T
            where
                F: FnOnce() -> T,
            {
                $crate::typed::infallible($crate::typed::alloc_with(self, f))
            }

            /// [`alloc_with`](Self::alloc_with), with the failure as a
            /// value; `f` is not called when the arena has no room.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let x = arena.try_alloc_with(|| 5i32)?;
assert_eq!(*x, 5);
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline(always)]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_with<F, T>(&self, f: F) -> Result<&mut T, $crate::AllocError>
            where
                F: FnOnce() -> T,
            {
                Ok($crate::typed::alloc_with(self, f)?)
            }

            /// Allocates room for a `T`, then runs `f`: its `Ok` value is
            /// moved in, its `Err` is returned and the room given back
            /// (taken back by the arena if nothing was allocated after it)
            /// (bumpalo's `alloc_try_with`).
            ///
            /// The destructor never runs, as for [`alloc`](Self::alloc).
            ///
            /// # Errors
            ///
            /// `f`'s error.
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc); and
            /// when `f` panics.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let ok = arena.alloc_try_with(|| "12".parse::<u32>()).unwrap();
assert_eq!(*ok, 12);
assert!(arena.alloc_try_with(|| "x".parse::<u32>()).is_err());
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_try_with<F, T, E>(&self, f: F) -> Result<&mut T, E>
            where
                F: FnOnce() -> Result<T, E>,
            {
                $crate::typed::infallible($crate::typed::alloc_try_with(self, f))
            }

            /// [`alloc_try_with`](Self::alloc_try_with), with the
            /// allocation failure as a value too (bumpalo's
            /// `try_alloc_try_with`): `f` is not called when the arena has no
            /// room; when `f` returns `Err`, the room is given back (taken
            /// back by the arena if nothing was allocated after it).
            ///
            /// The destructor never runs, as for [`alloc`](Self::alloc).
            ///
            /// # Errors
            ///
            /// [`AllocOrInitError::Alloc`]($crate::AllocOrInitError::Alloc)
            /// when the arena cannot serve the request;
            /// [`AllocOrInitError::Init`]($crate::AllocOrInitError::Init)
            /// with `f`'s error.
            ///
            /// # Panics
            ///
            /// When `f` panics.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
use alloc_runtime::AllocOrInitError;
let ok = arena.try_alloc_try_with(|| "12".parse::<u32>())?;
assert_eq!(*ok, 12);
let bad = arena.try_alloc_try_with(|| "x".parse::<u32>());
assert!(matches!(bad, Err(AllocOrInitError::Init(_))));
# Ok::<(), AllocOrInitError<core::num::ParseIntError>>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_try_with<F, T, E>(
                &self,
                f: F,
            ) -> Result<&mut T, $crate::AllocOrInitError<E>>
            where
                F: FnOnce() -> Result<T, E>,
            {
                match $crate::typed::alloc_try_with(self, f) {
                    Ok(Ok(value)) => Ok(value),
                    Ok(Err(error)) => Err($crate::AllocOrInitError::Init(error)),
                    Err(refused) => Err($crate::AllocOrInitError::Alloc(refused.into())),
                }
            }

            /// A copy of `src` in the arena (bumpalo's `alloc_slice_copy`).
            /// An empty slice takes no memory.
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc).
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let xs = arena.alloc_slice_copy(&[1u16, 2, 3]);
xs[0] = 10;
assert_eq!(xs, &[10, 2, 3]);
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_slice_copy<T: Copy>(&self, src: &[T]) -> &mut [T] {
                $crate::typed::infallible($crate::typed::alloc_slice_copy(self, src))
            }

            /// [`alloc_slice_copy`](Self::alloc_slice_copy), with the
            /// failure as a value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.try_alloc_slice_copy(&[1u8, 2])?, &[1, 2]);
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_slice_copy<T: Copy>(
                &self,
                src: &[T],
            ) -> Result<&mut [T], $crate::AllocError> {
                Ok($crate::typed::alloc_slice_copy(self, src)?)
            }

            /// Clones of `src`'s values in the arena (bumpalo's
            /// `alloc_slice_clone`). Destructors never run, as for
            /// [`alloc`](Self::alloc).
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc); and
            /// when a `clone` panics (the clones made so far are dropped and
            /// the room is given back, as bumpalo rewinds).
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let words = ["a", "b"];
let copy = arena.alloc_slice_clone(&words);
assert_eq!(copy, &words);
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_slice_clone<T: Clone>(&self, src: &[T]) -> &mut [T] {
                $crate::typed::infallible($crate::typed::alloc_slice_fill_with(
                    self,
                    src.len(),
                    |i| src[i].clone(),
                ))
            }

            /// [`alloc_slice_clone`](Self::alloc_slice_clone), with the
            /// failure as a value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request; no `clone` ran.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.try_alloc_slice_clone(&[1, 2])?, &[1, 2]);
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_slice_clone<T: Clone>(
                &self,
                src: &[T],
            ) -> Result<&mut [T], $crate::AllocError> {
                Ok($crate::typed::alloc_slice_fill_with(self, src.len(), |i| {
                    src[i].clone()
                })?)
            }

            /// A copy of `src` in the arena (bumpalo's `alloc_str`). An
            /// empty string takes no memory.
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc).
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let s = arena.alloc_str("hello");
s.make_ascii_uppercase();
assert_eq!(s, "HELLO");
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_str(&self, src: &str) -> &mut str {
                $crate::typed::infallible($crate::typed::alloc_str(self, src))
            }

            /// [`alloc_str`](Self::alloc_str), with the failure as a value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.try_alloc_str("hi")?, "hi");
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_str(&self, src: &str) -> Result<&mut str, $crate::AllocError> {
                Ok($crate::typed::alloc_str(self, src)?)
            }

            /// A slice of `len` values `f(0)`, `f(1)`, ... in the arena,
            /// made in order (bumpalo's `alloc_slice_fill_with`).
            /// Destructors never run, as for [`alloc`](Self::alloc).
            ///
            /// # Panics
            ///
            /// When the arena has no room (or `len` values of `T` are more
            /// than `isize::MAX` bytes), as [`alloc`](Self::alloc); and when
            /// `f` panics (the values made so far are dropped and the
            /// room is given back, as bumpalo rewinds).
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let squares = arena.alloc_slice_fill_with(4, |i| i * i);
assert_eq!(squares, &[0, 1, 4, 9]);
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_slice_fill_with<T, F>(&self, len: usize, f: F) -> &mut [T]
            where
                F: FnMut(usize) -> T,
            {
                $crate::typed::infallible($crate::typed::alloc_slice_fill_with(self, len, f))
            }

            /// [`alloc_slice_fill_with`](Self::alloc_slice_fill_with), with
            /// the failure as a value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request (`f` never ran).
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.try_alloc_slice_fill_with(3, |i| i as u8)?, &[0, 1, 2]);
assert!(arena.try_alloc_slice_fill_with(usize::MAX, |_| 0u64).is_err());
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_slice_fill_with<T, F>(
                &self,
                len: usize,
                f: F,
            ) -> Result<&mut [T], $crate::AllocError>
            where
                F: FnMut(usize) -> T,
            {
                Ok($crate::typed::alloc_slice_fill_with(self, len, f)?)
            }

            /// A slice of `len` values from `f(0)`, `f(1)`, ... in the
            /// arena, made in order until `f` returns `Err` (bumpalo's
            /// `alloc_slice_try_fill_with`). On `Err`, the values made so far
            /// are dropped, the room is given back (taken back by the arena
            /// if nothing was allocated after it), and the error returned.
            /// Destructors of a finished slice never run, as for
            /// [`alloc`](Self::alloc).
            ///
            /// (bumpalo leaks the values made before the error; here they are
            /// dropped.)
            ///
            /// # Errors
            ///
            /// `f`'s first error.
            ///
            /// # Panics
            ///
            /// When the arena has no room (or `len` values of `T` are more
            /// than `isize::MAX` bytes), as [`alloc`](Self::alloc); and when
            /// `f` panics (the values made so far are dropped and the
            /// room is given back, as bumpalo rewinds).
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let ok: Result<&mut [usize], ()> = arena.alloc_slice_try_fill_with(4, |i| Ok(i * 2));
assert_eq!(ok.unwrap(), &[0, 2, 4, 6]);
let bad = arena.alloc_slice_try_fill_with(4, |i| if i == 2 { Err(i) } else { Ok(i) });
assert_eq!(bad, Err(2));
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_slice_try_fill_with<T, F, E>(
                &self,
                len: usize,
                f: F,
            ) -> Result<&mut [T], E>
            where
                F: FnMut(usize) -> Result<T, E>,
            {
                $crate::typed::infallible($crate::typed::alloc_slice_try_fill_with(self, len, f))
            }

            /// `len` copies of `value` in the arena (bumpalo's
            /// `alloc_slice_fill_copy`).
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc).
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.alloc_slice_fill_copy(3, 9u8), &[9, 9, 9]);
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_slice_fill_copy<T: Copy>(&self, len: usize, value: T) -> &mut [T] {
                $crate::typed::infallible($crate::typed::alloc_slice_fill_with(
                    self,
                    len,
                    |_| value,
                ))
            }

            /// [`alloc_slice_fill_copy`](Self::alloc_slice_fill_copy), with
            /// the failure as a value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.try_alloc_slice_fill_copy(2, 'x')?, &['x', 'x']);
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_slice_fill_copy<T: Copy>(
                &self,
                len: usize,
                value: T,
            ) -> Result<&mut [T], $crate::AllocError> {
                Ok($crate::typed::alloc_slice_fill_with(self, len, |_| value)?)
            }

            /// `len` clones of `value` in the arena (bumpalo's
            /// `alloc_slice_fill_clone`). Destructors never run, as for
            /// [`alloc`](Self::alloc).
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc); and
            /// when a `clone` panics (the clones made so far are dropped and
            /// the room is given back).
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.alloc_slice_fill_clone(2, &"ab"), &["ab", "ab"]);
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_slice_fill_clone<T: Clone>(&self, len: usize, value: &T) -> &mut [T] {
                $crate::typed::infallible($crate::typed::alloc_slice_fill_with(
                    self,
                    len,
                    |_| value.clone(),
                ))
            }

            /// [`alloc_slice_fill_clone`](Self::alloc_slice_fill_clone),
            /// with the failure as a value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.try_alloc_slice_fill_clone(1, &5)?, &[5]);
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_slice_fill_clone<T: Clone>(
                &self,
                len: usize,
                value: &T,
            ) -> Result<&mut [T], $crate::AllocError> {
                Ok($crate::typed::alloc_slice_fill_with(self, len, |_| {
                    value.clone()
                })?)
            }

            /// The values of an exact-size iterator in the arena (bumpalo's
            /// `alloc_slice_fill_iter`): room for `len()` values is taken
            /// first, then filled. Destructors never run, as for
            /// [`alloc`](Self::alloc).
            ///
            /// An iterator that has more values than its `len()` said is
            /// stopped at `len()`. For an iterator without an exact length
            /// use [`alloc_slice_from_iter`](Self::alloc_slice_from_iter).
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc); when
            /// the iterator panics; and when it runs out before `len()`
            /// values (an `ExactSizeIterator` that lies). The values taken
            /// so far are then dropped and the room is given back.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let xs = arena.alloc_slice_fill_iter([1, 2, 3].iter().map(|x| x * 10));
assert_eq!(xs, &[10, 20, 30]);
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_slice_fill_iter<T, I>(&self, iter: I) -> &mut [T]
            where
                I: IntoIterator<Item = T>,
                I::IntoIter: ExactSizeIterator,
            {
                $crate::typed::infallible($crate::typed::alloc_slice_fill_iter(self, iter))
            }

            /// [`alloc_slice_fill_iter`](Self::alloc_slice_fill_iter), with
            /// the failure as a value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request; the iterator was not advanced.
            ///
            /// # Panics
            ///
            /// When the iterator panics or runs out before `len()` values.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.try_alloc_slice_fill_iter(0..3u8)?, &[0, 1, 2]);
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_slice_fill_iter<T, I>(
                &self,
                iter: I,
            ) -> Result<&mut [T], $crate::AllocError>
            where
                I: IntoIterator<Item = T>,
                I::IntoIter: ExactSizeIterator,
            {
                Ok($crate::typed::alloc_slice_fill_iter(self, iter)?)
            }

            /// The values of an exact-size iterator of results in the arena,
            /// until its first `Err` (bumpalo's `alloc_slice_try_fill_iter`):
            /// room for `len()` values is taken first, then filled. On `Err`,
            /// the values taken so far are dropped, the room is given back
            /// (taken back by the arena if nothing was allocated after it),
            /// and the error returned. Destructors of a finished slice never
            /// run, as for [`alloc`](Self::alloc).
            ///
            /// An iterator that has more items than its `len()` said is
            /// stopped at `len()`; items after the first `Err` stay in it.
            ///
            /// # Errors
            ///
            /// The iterator's first error.
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc); when
            /// the iterator panics; and when it runs out before `len()`
            /// items. The values taken so far are then dropped and the room is
            /// given back.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let ok = arena.alloc_slice_try_fill_iter(["1", "2"].iter().map(|s| s.parse::<u8>()));
assert_eq!(ok.unwrap(), &[1, 2]);
let bad = arena.alloc_slice_try_fill_iter([Ok(1), Err("no"), Ok(3)]);
assert_eq!(bad, Err("no"));
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_slice_try_fill_iter<T, I, E>(&self, iter: I) -> Result<&mut [T], E>
            where
                I: IntoIterator<Item = Result<T, E>>,
                I::IntoIter: ExactSizeIterator,
            {
                $crate::typed::infallible($crate::typed::alloc_slice_try_fill_iter(self, iter))
            }

            /// `len` default values in the arena (bumpalo's
            /// `alloc_slice_fill_default`).
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc).
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.alloc_slice_fill_default::<u32>(3), &[0, 0, 0]);
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_slice_fill_default<T: Default>(&self, len: usize) -> &mut [T] {
                $crate::typed::infallible($crate::typed::alloc_slice_fill_with(
                    self,
                    len,
                    |_| T::default(),
                ))
            }

            /// [`alloc_slice_fill_default`](Self::alloc_slice_fill_default),
            /// with the failure as a value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.try_alloc_slice_fill_default::<bool>(2)?, &[false, false]);
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_slice_fill_default<T: Default>(
                &self,
                len: usize,
            ) -> Result<&mut [T], $crate::AllocError> {
                Ok($crate::typed::alloc_slice_fill_with(self, len, |_| {
                    T::default()
                })?)
            }

            /// The values of any iterator in the arena (bump-scope's
            /// `alloc_iter`): the slice grows at the end of the arena, in
            /// place while nothing else is allocated meanwhile, and its
            /// unused end is given back when the iterator is done.
            /// Destructors never run, as for [`alloc`](Self::alloc).
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc); and
            /// when the iterator panics. The values taken so far are then
            /// dropped and the room is given back.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let evens = arena.alloc_slice_from_iter((0..10).filter(|x| x % 2 == 0));
assert_eq!(evens, &[0, 2, 4, 6, 8]);
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_slice_from_iter<T, I>(&self, iter: I) -> &mut [T]
            where
                I: IntoIterator<Item = T>,
            {
                $crate::typed::infallible($crate::typed::alloc_slice_from_iter(self, iter))
            }

            /// [`alloc_slice_from_iter`](Self::alloc_slice_from_iter), with
            /// the failure as a value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// hold the values; those taken so far are dropped.
            ///
            /// # Panics
            ///
            /// When the iterator panics.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let words = arena.try_alloc_slice_from_iter("a b c".split(' '))?;
assert_eq!(words, &["a", "b", "c"]);
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_slice_from_iter<T, I>(
                &self,
                iter: I,
            ) -> Result<&mut [T], $crate::AllocError>
            where
                I: IntoIterator<Item = T>,
            {
                Ok($crate::typed::alloc_slice_from_iter(self, iter)?)
            }

            /// Uninitialized memory for `layout` in the arena (bumpalo's
            /// `alloc_layout`). A zero size gets a dangling pointer aligned
            /// to `layout.align()` without touching the arena.
            ///
            /// The memory stays valid while the arena is borrowed: writing
            /// to it or reading what was written needs `unsafe`, and a
            /// pointer kept past the borrow (a reset) dangles.
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc).
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
use core::alloc::Layout;
let p = arena.alloc_layout(Layout::from_size_align(24, 8).unwrap());
assert_eq!(p.as_ptr() as usize % 8, 0);
```"#)]
            #[inline(always)]
            #[track_caller]
            pub fn alloc_layout(&self, layout: core::alloc::Layout) -> core::ptr::NonNull<u8> {
                $crate::typed::infallible($crate::typed::alloc_layout(self, layout))
            }

            /// [`alloc_layout`](Self::alloc_layout), with the failure as a
            /// value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// serve the request.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
use core::alloc::Layout;
assert!(arena.try_alloc_layout(Layout::new::<u64>()).is_ok());
assert!(arena.try_alloc_layout(Layout::from_size_align(isize::MAX as usize, 1).unwrap()).is_err());
```"#)]
            #[inline(always)]
            #[track_caller]
            pub fn try_alloc_layout(
                &self,
                layout: core::alloc::Layout,
            ) -> Result<core::ptr::NonNull<u8>, $crate::AllocError> {
                Ok($crate::typed::alloc_layout(self, layout)?)
            }

            /// `args` formatted straight into the arena (bump-scope's
            /// `alloc_fmt`), with `core::fmt`: write
            /// `arena.alloc_fmt(format_args!(...))`. The string grows at the
            /// end of the arena, in place while nothing else is allocated
            /// meanwhile.
            ///
            /// # Panics
            ///
            /// When the arena has no room, as [`alloc`](Self::alloc); and,
            /// as `format!` does, when a `Display` (or other formatting
            /// trait) implementation returns an error of its own.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
let name = "arena";
let s = arena.alloc_fmt(format_args!("hello, {name} #{}", 1));
assert_eq!(s, "hello, arena #1");
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn alloc_fmt(&self, args: core::fmt::Arguments<'_>) -> &mut str {
                $crate::typed::infallible($crate::typed::alloc_fmt(self, args))
            }

            /// [`alloc_fmt`](Self::alloc_fmt), with the failure as a value.
            ///
            /// # Errors
            ///
            /// [`AllocError`]($crate::AllocError) when the arena cannot
            /// hold the string.
            ///
            /// # Panics
            ///
            /// When a formatting trait implementation returns an error of
            /// its own, as `format!` does.
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n", $setup, "\n", r#"
assert_eq!(arena.try_alloc_fmt(format_args!("{:>4}", 7))?, "   7");
# Ok::<(), alloc_runtime::AllocError>(())
```"#)]
            #[inline]
            #[track_caller]
            #[allow(clippy::mut_from_ref)]
            pub fn try_alloc_fmt(
                &self,
                args: core::fmt::Arguments<'_>,
            ) -> Result<&mut str, $crate::AllocError> {
                Ok($crate::typed::alloc_fmt(self, args)?)
            }
        }
    };
}
