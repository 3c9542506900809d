//! Every allocation failure, one at a time: Zig's
//! `std.testing.checkAllAllocationFailures`, with growth failures, leak
//! counts, panic reports and a determinism check.
//!
//! [`check_all_allocation_failures`] (or the [`Check`] builder) runs a test
//! body over a [`Fail`]-wrapped, counting stack on a backing allocator:
//!
//! 1. once with no failure induced (the *clean run*), counting its
//!    allocations, `N`, and its in-place growths, `G`; it must return `Ok`
//!    and free everything;
//! 2. then once for each allocation index `i` in `0..N`, with allocation `i`
//!    failing, each run with fresh state;
//! 3. with [`Check::resize_failures`], once for each growth index `g` in
//!    `0..G`, with growth `g` failing as a whole;
//! 4. and once more with no failure induced, which must allocate exactly as
//!    the clean run did.
//!
//! Failures are **one-shot** by default: only the request at the failure
//! point fails, and later ones succeed, so a body that swallows the failure
//! and carries on returns `Ok` and is reported. [`Check::sticky`]`(true)`
//! walks as Zig does, with every request for more memory after the failure
//! point failing too.
//!
//! A run with a failure induced must return `Err` and leave nothing
//! allocated. The first problem stops the walk and is returned as a
//! [`CheckError`], whose `Display` names the kind of problem, the failure
//! point (`index of N`), the request refused and where it came from, each
//! block still live with where it was allocated (feature `alloc`), the
//! [`FailConfig`] (with its seed, if any) and the counts of the run:
//!
//! | problem | reported as |
//! | --- | --- |
//! | `Ok` although a failure was induced | [`CheckError::Swallowed`] |
//! | `Ok` without reaching the failure point, `Err` with no failure induced, or a recheck that allocates differently | [`CheckError::Nondeterministic`] |
//! | bytes or allocations still live after the body returned | [`CheckError::Leak`] |
//! | a panic (feature `std`) | [`CheckError::Panicked`] |
//! | an error in the clean run | [`CheckError::CleanRunFailed`] |
//!
//! # Sites in reports
//!
//! A site is the user's line, never one inside this crate or a collection.
//! A request made through the [`Handle`]'s typed helpers (`create`, `dupe`,
//! ...) carries the calling line (a [`Caller`](crate::Caller)), and the
//! report prints `at file:line:column`. A request a collection makes
//! (`Vec::try_reserve`, `Box::try_new_in`) comes from the collection's own
//! code, so its `Caller` names a line there (or this crate's thunk behind
//! the handle's `allocate`): the report says `inside a collection` instead,
//! followed, with feature `std` and not under Miri, by `called at` and the
//! first frame of a backtrace outside this crate, allocator-api2, hashbrown
//! and the standard library. For a leak, that frame comes from one more run
//! of the leaking failure point with backtraces captured at the leaked
//! allocations only.
//!
//! # Use fallible APIs in the body
//!
//! The body must turn allocation failure into a value: `Vec::try_reserve`,
//! `Box::try_new_in`, `HashMap::try_reserve`, [`Handle::create`], and so on.
//! The infallible ones (`push` past the capacity, `Box::new_in`,
//! `HashMap::insert` that must grow) call `handle_alloc_error` when the
//! allocator refuses; with `std` that prints `memory allocation of N bytes
//! failed` and **aborts the whole process** (the test binary dies with
//! `SIGABRT`, no report, no other test results) — an abort is not a panic,
//! and `catch_unwind` cannot catch it. (Without `std`, the default handler
//! panics.) Reserve first, then use the infallible operations within the
//! reserved capacity.
//!
//! # Values cannot escape the body
//!
//! The body is `FnMut(Handle<'_>) -> Result<T, E>`, that is
//! `for<'h> FnMut(Handle<'h>) -> Result<T, E>`: `T` and `E` are chosen
//! outside, so they cannot mention `'h`, and no collection or box that
//! borrows the handle can be returned, or stored in the closure's captures.
//! Everything allocated must be dropped (or freed) inside the body, which is
//! what lets the leak check, made after it returns, be exact. Memory that
//! survives anyway (a leaked raw pointer from [`Handle::create`], a
//! `mem::forget`) is a leak and reported as one, on the success path too.
//!
//! # The backing allocator
//!
//! Every run allocates from `backing` anew, so it must take frees back (or
//! have room for all the runs): a [`Bump`](crate::Bump) only reclaims its
//! most recent allocation, so give it room for `N + 3` runs of the body if
//! the body frees out of order. Requests the backing refuses are counted
//! and named in the reports, so that running out there is not mistaken for
//! non-determinism. The growth walk only finds growths that succeed in
//! place (`resize`/`remap` of the backing, as `Bump`'s last allocation
//! does); over an allocator without them every growth is an allocation and
//! the allocation walk covers it.
//!
//! # Panics
//!
//! With feature `std`, a panic in the body is caught
//! (`std::panic::catch_unwind` with `AssertUnwindSafe`; the body is not
//! called again) and reported as [`CheckError::Panicked`]; the panic hook
//! still prints its message first. So is a panic in the `Drop` of the
//! body's `Ok` value (dropped inside the same `catch_unwind`), of an error
//! the check drops, or of the panic's payload: a payload is dropped under
//! `catch_unwind` too, and so is the payload of a panic in that drop, a few
//! levels deep; a payload still panicking after that is leaked with
//! `mem::forget` rather than dropped, so nothing unwinds out of the check and
//! nothing aborts. Without `std`, a panic propagates out of the
//! check.
//!
//! # Examples
//!
//! ```
//! use alloc_runtime::{check, AllocError, Bump};
//! use allocator_api2::{boxed::Box, vec::Vec};
//! use core::mem::MaybeUninit;
//!
//! let mut buf = [MaybeUninit::uninit(); 16 * 1024];
//! let backing = Bump::new(&mut buf);
//!
//! // Correct: every failure comes back as an error, nothing leaks.
//! let summary = check::check_all_allocation_failures(&backing, |h| {
//!     let mut v: Vec<u32, _> = Vec::new_in(h);
//!     v.try_reserve(10).map_err(|_| AllocError)?;
//!     v.extend(0..10);
//!     let b = Box::try_new_in(v.iter().sum::<u32>(), h)?;
//!     Ok::<_, AllocError>(*b)
//! })?;
//! assert_eq!(summary.allocations, 2);
//!
//! // Wrong: the first box leaks when the second allocation fails.
//! let err = check::check_all_allocation_failures(&backing, |h| {
//!     let first = h.create(1u64)?;
//!     let second = h.create(2u64)?;
//!     // SAFETY: both came from `create` on `h` and are destroyed once.
//!     unsafe { h.destroy(second); h.destroy(first) };
//!     Ok::<_, AllocError>(())
//! }).unwrap_err();
//! assert!(matches!(err, check::CheckError::Leak { .. }));
//! assert!(err.to_string().starts_with("leak on the error path: with allocation index 1 of 2 failing"));
//! # Ok::<(), check::CheckError<AllocError>>(())
//! ```

// A report is a few hundred bytes, made once, at the end of a test; boxing
// it would need `alloc`, and the check works without.
#![allow(
    clippy::result_large_err,
    reason = "the error is a one-off test report, and no_std has no Box"
)]

use core::fmt;

use crate::fail::{Fail, FailConfig};
use crate::{Counting, Handle, RawAlloc};

mod outcome;
mod report;
#[cfg(test)]
mod tests;
mod witness;

use outcome::{Outcome, Ran, call};
#[cfg(feature = "alloc")]
pub use report::LiveBlock;
pub use report::{CheckError, FailurePoint, RunReport, Summary};
use witness::Witness;

/// Runs `body` once per allocation failure point; see the
/// [module documentation](self) for the walk, the reports, and why the body
/// must use fallible APIs.
///
/// The body receives the [`Handle`] of a fresh `Counting<Fail<...>>` stack
/// over `backing` on every run (a `Handle` is an allocator-api2 allocator by
/// value: `Vec::new_in(h)`, `Box::try_new_in(x, h)`,
/// `hashbrown::HashMap::with_hasher_in(s, h)`). `T` and `E` cannot borrow
/// the handle, so everything allocated is dropped inside the body; the
/// values returned are dropped before the leak check.
///
/// # Errors
///
/// The first problem found, as a [`CheckError`].
///
/// # Examples
///
/// ```
/// use alloc_runtime::{check, AllocError, Bump};
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 4096];
/// let backing = Bump::new(&mut buf);
/// let err = check::check_all_allocation_failures(&backing, |h| {
///     let mut v: Vec<u8, _> = Vec::new_in(h);
///     let _ = v.try_reserve(8); // the failure is dropped on the floor
///     Ok::<_, AllocError>(v.capacity())
/// })
/// .unwrap_err();
/// assert!(matches!(err, check::CheckError::Swallowed { .. }));
/// ```
///
/// The body's values cannot outlive it: returning the `Vec` does not compile.
///
/// ```compile_fail
/// use alloc_runtime::{check, AllocError, Bump};
/// use allocator_api2::vec::Vec;
/// let mut buf = [core::mem::MaybeUninit::uninit(); 4096];
/// let backing = Bump::new(&mut buf);
/// let _ = check::check_all_allocation_failures(&backing, |h| {
///     let mut v: Vec<u8, _> = Vec::new_in(h);
///     v.try_reserve(8).map_err(|_| AllocError)?;
///     Ok::<_, AllocError>(v) // error: the Vec borrows the handle
/// });
/// ```
pub fn check_all_allocation_failures<A, T, E, F>(
    backing: &A,
    body: F,
) -> Result<Summary, CheckError<E>>
where
    A: RawAlloc + ?Sized,
    F: FnMut(Handle<'_>) -> Result<T, E>,
{
    Check::new(backing).run(body)
}

/// [`check_all_allocation_failures`] for a `#[test]`: panics with the
/// report's `Display` (at the caller's line) if there is a problem.
///
/// # Panics
///
/// When the check finds a problem; the message is the [`CheckError`]'s
/// `Display`.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{check, AllocError, Bump};
/// use allocator_api2::boxed::Box;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 1024];
/// let backing = Bump::new(&mut buf);
/// let summary = check::assert_all_allocation_failures(&backing, |h| {
///     let a = Box::try_new_in(1u64, h)?;
///     let b = Box::try_new_in(2u64, h)?;
///     Ok::<_, AllocError>(*a + *b)
/// });
/// assert_eq!(summary.allocations, 2);
/// ```
#[track_caller]
pub fn assert_all_allocation_failures<A, T, E, F>(backing: &A, body: F) -> Summary
where
    A: RawAlloc + ?Sized,
    E: fmt::Debug,
    F: FnMut(Handle<'_>) -> Result<T, E>,
{
    Check::new(backing).assert(body)
}

/// The check, configured: [`check_all_allocation_failures`] with options.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{check::Check, AllocError, Bump, Handle};
/// use allocator_api2::vec::Vec;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 4096];
/// let backing = Bump::new(&mut buf);
/// // A closure stored in a variable needs its argument's type written out,
/// // so that it accepts a handle of any lifetime.
/// let body = |h: Handle<'_>| {
///     let mut v: Vec<u8, _> = Vec::new_in(h);
///     v.try_reserve_exact(4).map_err(|_| AllocError)?;
///     v.extend_from_slice(b"abcd");
///     let _ = v.try_reserve_exact(64); // grows in place on a Bump; failure ignored
///     Ok::<_, AllocError>(v.len())
/// };
/// assert!(Check::new(&backing).run(body).is_ok()); // no allocation is ignored
/// let err = Check::new(&backing).resize_failures(true).run(body).unwrap_err();
/// assert!(err.to_string().starts_with("allocation failure swallowed: with growth index 0 of 1 failing"));
/// ```
#[derive(Debug)]
pub struct Check<'a, A: ?Sized> {
    backing: &'a A,
    resize_failures: bool,
    sticky: bool,
}

impl<A: ?Sized> Clone for Check<'_, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A: ?Sized> Copy for Check<'_, A> {}

impl<'a, A: RawAlloc + ?Sized> Check<'a, A> {
    /// A check over `backing` that walks allocation failures.
    ///
    /// ```
    /// use alloc_runtime::{check::Check, Bump};
    /// let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let backing = Bump::new(&mut buf);
    /// let summary = Check::new(&backing).run(|_| Ok::<_, ()>(())).unwrap();
    /// assert_eq!(summary.runs, 2); // the clean run and the recheck
    /// ```
    #[must_use]
    pub fn new(backing: &'a A) -> Self {
        Self {
            backing,
            resize_failures: false,
            sticky: false,
        }
    }

    /// Whether to walk growth failures too: for each growing
    /// `resize`/`remap` the clean run made (growth index `g` of `G`), a run
    /// where that growth fails as a whole (`resize`, `remap` and the
    /// fallback allocation refused; with [`sticky`](Self::sticky), every
    /// later request for more memory too): [`FailConfig::resize_fail_index`] with
    /// [`FailConfig::resize_failure_stops_allocations`].
    ///
    /// Zig's `checkAllAllocationFailures` only fails allocations; a `Vec`
    /// that grows in place (as on a bump allocator) is never made to fail
    /// there.
    ///
    /// ```
    /// use alloc_runtime::{check::Check, AllocError, Bump};
    /// use allocator_api2::vec::Vec;
    /// let mut buf = [core::mem::MaybeUninit::uninit(); 1024];
    /// let backing = Bump::new(&mut buf);
    /// let summary = Check::new(&backing).resize_failures(true).run(|h| {
    ///     let mut v: Vec<u8, _> = Vec::new_in(h);
    ///     for n in [4, 8, 16] {
    ///         v.try_reserve_exact(n - v.len()).map_err(|_| AllocError)?;
    ///         v.resize(n, 0);
    ///     }
    ///     Ok::<_, AllocError>(())
    /// }).unwrap();
    /// assert_eq!((summary.allocations, summary.growths, summary.runs), (1, 2, 5));
    /// ```
    #[must_use]
    pub fn resize_failures(mut self, walk: bool) -> Self {
        self.resize_failures = walk;
        self
    }

    /// Whether induced failures stick ([`FailConfig::sticky`]).
    ///
    /// - `false` (the default): **one-shot**. In the run for allocation
    ///   index `i`, only that allocation fails; later requests succeed. A
    ///   body that swallows the failure (`if v.try_reserve(1).is_err() {
    ///   continue; }`) then goes on and returns `Ok`, and is reported as
    ///   [`CheckError::Swallowed`].
    /// - `true`: Zig's `checkAllAllocationFailures`. Allocation `i` and every
    ///   request for more memory after it fail. A swallowed failure is
    ///   missed whenever a later allocation fails too and the body returns
    ///   its error by accident; choose it to reproduce Zig's walk, or for a
    ///   body that retries a failed allocation with a smaller one.
    ///
    /// ```
    /// use alloc_runtime::{check::{Check, CheckError}, AllocError, Bump, Handle};
    /// use allocator_api2::{boxed::Box, vec::Vec};
    /// let mut buf = [core::mem::MaybeUninit::uninit(); 1024];
    /// let backing = Bump::new(&mut buf);
    /// let words = |h: Handle<'_>| {
    ///     let mut v: Vec<&str, _> = Vec::new_in(h);
    ///     for word in "a rose is a rose".split(' ') {
    ///         if v.try_reserve(1).is_err() {
    ///             continue; // swallowed
    ///         }
    ///         v.push(word);
    ///     }
    ///     Ok::<_, AllocError>(*Box::try_new_in(v.len(), h)?)
    /// };
    /// let err = Check::new(&backing).run(words).unwrap_err();
    /// assert!(matches!(err, CheckError::Swallowed { .. }));
    /// assert!(Check::new(&backing).sticky(true).run(words).is_ok()); // missed
    /// ```
    #[must_use]
    pub fn sticky(mut self, sticky: bool) -> Self {
        self.sticky = sticky;
        self
    }

    /// Runs the check on `body`; see [`check_all_allocation_failures`].
    ///
    /// # Errors
    ///
    /// The first problem found, as a [`CheckError`].
    ///
    /// ```
    /// use alloc_runtime::{check::{Check, CheckError}, AllocError, Bump};
    /// let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let backing = Bump::new(&mut buf);
    /// let err = Check::new(&backing).run(|_| Err::<(), _>("no")).unwrap_err();
    /// assert!(matches!(err, CheckError::CleanRunFailed { error: "no", .. }));
    /// ```
    pub fn run<T, E, F>(&self, mut body: F) -> Result<Summary, CheckError<E>>
    where
        F: FnMut(Handle<'_>) -> Result<T, E>,
    {
        self.walk(&mut body).map_err(|mut err| {
            #[cfg(all(feature = "std", not(miri)))]
            if let CheckError::Leak { run, .. } = &mut err {
                self.name_leaks(&mut body, run);
            }
            #[cfg(not(all(feature = "std", not(miri))))]
            let _ = &mut err;
            err
        })
    }

    /// The walk of [`run`](Self::run).
    fn walk<T, E, F>(&self, mut body: F) -> Result<Summary, CheckError<E>>
    where
        F: FnMut(Handle<'_>) -> Result<T, E>,
    {
        let clean = self.run_once(&mut body, FailurePoint::Clean, FailConfig::new());
        let (allocations, growths) = (clean.run.allocations(), clean.run.growths);
        match clean.outcome {
            Outcome::Ok if clean.run.leaked() => {
                return Err(CheckError::Leak {
                    run: clean.run,
                    error: None,
                });
            }
            Outcome::Ok => {}
            Outcome::Err(error) => {
                return Err(CheckError::CleanRunFailed {
                    error,
                    run: clean.run,
                });
            }
            #[cfg(feature = "std")]
            Outcome::Panicked(message) => {
                return Err(CheckError::Panicked {
                    run: clean.run,
                    message,
                });
            }
        }
        let mut runs = 1;
        for index in 0..allocations {
            let point = FailurePoint::Allocation {
                index,
                of: allocations,
            };
            let config = FailConfig::new()
                .fail_index(index)
                .allocation_failure_stops_growth(false)
                .sticky(self.sticky);
            runs += 1;
            self.run_once(&mut body, point, config)
                .judge_failing(allocations, growths)?;
        }
        if self.resize_failures {
            for index in 0..growths {
                let point = FailurePoint::Growth { index, of: growths };
                let config = FailConfig::new()
                    .resize_fail_index(index)
                    .resize_failure_stops_allocations(true)
                    .sticky(self.sticky);
                runs += 1;
                self.run_once(&mut body, point, config)
                    .judge_failing(allocations, growths)?;
            }
        }
        let recheck = self.run_once(&mut body, FailurePoint::Recheck, FailConfig::new());
        runs += 1;
        recheck.judge_recheck(allocations, growths)?;
        Ok(Summary {
            allocations,
            growths,
            runs,
        })
    }

    /// [`run`](Self::run) for a `#[test]`: panics with the report's
    /// `Display` if there is a problem.
    ///
    /// # Panics
    ///
    /// When the check finds a problem.
    ///
    /// ```should_panic
    /// use alloc_runtime::{check::Check, AllocError, Bump};
    /// use allocator_api2::boxed::Box;
    /// let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let backing = Bump::new(&mut buf);
    /// // panics: "allocation failure swallowed: with allocation index 0 of 1 failing, ..."
    /// Check::new(&backing).assert(|h| Ok::<_, AllocError>(Box::try_new_in(1u8, h).is_ok()));
    /// ```
    #[track_caller]
    pub fn assert<T, E, F>(&self, body: F) -> Summary
    where
        E: fmt::Debug,
        F: FnMut(Handle<'_>) -> Result<T, E>,
    {
        match self.run(body) {
            Ok(summary) => summary,
            Err(err) => panic!("{err}"),
        }
    }

    /// One run of `body` on a fresh stack failing as `config` says.
    fn run_once<T, E, F>(&self, body: &mut F, point: FailurePoint, config: FailConfig) -> Ran<E>
    where
        F: FnMut(Handle<'_>) -> Result<T, E>,
    {
        // Counting (live bytes, for the leak check) over Witness (where the
        // first induced failure was requested, and the live blocks) over
        // Fail over Counting (what the backing refused) over the backing.
        let stack = Counting::new(Witness::new(Fail::with_config(
            Counting::new(self.backing),
            config,
        )));
        let outcome = call(body, stack.allocator());
        let witness = stack.inner();
        let fail = &witness.inner;
        let run = RunReport {
            point,
            config,
            stats: stack.stats(),
            growths: fail.growths(),
            induced_failures: fail.induced_failures(),
            first_failure: fail.first_induced(),
            #[cfg(feature = "std")]
            requested_at: witness.site.take(),
            backing_refusals: fail.inner().stats().failures,
            #[cfg(feature = "alloc")]
            live: witness.take_live().unwrap_or_default(),
        };
        Ran { outcome, run }
    }

    /// Finds the user's frame for each leaked block of `run`: runs the body
    /// once more as in that run, capturing a backtrace at the allocations
    /// that leaked. The body is deterministic (the walk checked), so the same
    /// allocation indices leak again; if they do not, no frame is named.
    #[cfg(all(feature = "std", not(miri)))]
    fn name_leaks<T, E, F>(&self, body: &mut F, run: &mut RunReport)
    where
        F: FnMut(Handle<'_>) -> Result<T, E>,
    {
        use alloc::vec::Vec;
        let leaked: Vec<usize> = run.live.iter().map(|b| b.allocation_index).collect();
        if leaked.is_empty() {
            return;
        }
        let stack = Counting::new(Witness::capturing(
            Fail::with_config(Counting::new(self.backing), run.config),
            leaked.clone(),
        ));
        if let Outcome::Err(error) = call(body, stack.allocator()) {
            let _ = outcome::drop_caught(error);
        }
        let Some(again) = stack.inner().take_live() else {
            return;
        };
        let same = again.len() == leaked.len()
            && again
                .iter()
                .zip(&run.live)
                .all(|(a, b)| a.allocation_index == b.allocation_index && a.len == b.len);
        if same {
            for (block, again) in run.live.iter_mut().zip(again) {
                block.frame = again.frame;
            }
        }
    }
}
