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
//!    (and every allocation after it) failing, each run with fresh state;
//! 3. with [`Check::resize_failures`], once for each growth index `g` in
//!    `0..G`, with growth `g` (and every request for more memory after it)
//!    failing;
//! 4. and once more with no failure induced, which must allocate exactly as
//!    the clean run did.
//!
//! A run with a failure induced must return `Err` and leave nothing
//! allocated. The first problem stops the walk and is returned as a
//! [`CheckError`], whose `Display` names the kind of problem, the failure
//! point (`index of N`), the request refused and the line it came from (a
//! [`Caller`]), the [`FailConfig`] (with its seed, if any) and
//! the counts of the run:
//!
//! | problem | reported as |
//! | --- | --- |
//! | `Ok` although a failure was induced | [`CheckError::Swallowed`] |
//! | `Ok` without reaching the failure point, `Err` with no failure induced, or a recheck that allocates differently | [`CheckError::Nondeterministic`] |
//! | bytes or allocations still live after the body returned | [`CheckError::Leak`] |
//! | a panic (feature `std`) | [`CheckError::Panicked`] |
//! | an error in the clean run | [`CheckError::CleanRunFailed`] |
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
//! still prints its message first. Without `std`, a panic propagates out of
//! the check.
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

use crate::fail::{Fail, FailConfig, InducedFailure};
use crate::{Alignment, Caller, Counting, Handle, RawAlloc, Stats};
use core::ptr::NonNull;

#[cfg(feature = "std")]
use std::string::String;

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
        }
    }

    /// Whether to walk growth failures too: for each growing
    /// `resize`/`remap` the clean run made (growth index `g` of `G`), a run
    /// where that growth fails as a whole (`resize`, `remap` and the
    /// fallback allocation refused, and every later request for more
    /// memory): [`FailConfig::resize_fail_index`] with
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
                .allocation_failure_stops_growth(false);
            runs += 1;
            self.run_once(&mut body, point, config)
                .judge_failing(allocations, growths)?;
        }
        if self.resize_failures {
            for index in 0..growths {
                let point = FailurePoint::Growth { index, of: growths };
                let config = FailConfig::new()
                    .resize_fail_index(index)
                    .resize_failure_stops_allocations(true);
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
        // first induced failure was requested) over Fail over Counting (what
        // the backing refused) over the backing.
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
        };
        Ran { outcome, run }
    }
}

/// Calls the body, dropping its value; catches a panic under `std`.
fn call<T, E, F>(body: &mut F, handle: Handle<'_>) -> Outcome<E>
where
    F: FnMut(Handle<'_>) -> Result<T, E>,
{
    #[cfg(feature = "std")]
    let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(handle))) {
        Ok(result) => result,
        Err(payload) => return Outcome::Panicked(panic_message(payload.as_ref())),
    };
    #[cfg(not(feature = "std"))]
    let result = body(handle);
    match result {
        Ok(value) => {
            drop(value);
            Outcome::Ok
        }
        Err(error) => Outcome::Err(error),
    }
}

/// The message of a panic payload, when it is a string.
#[cfg(feature = "std")]
fn panic_message(payload: &(dyn core::any::Any + Send)) -> Option<String> {
    if let Some(s) = payload.downcast_ref::<&str>() {
        Some(String::from(*s))
    } else {
        payload.downcast_ref::<String>().cloned()
    }
}

/// How the body ended.
enum Outcome<E> {
    Ok,
    Err(E),
    #[cfg(feature = "std")]
    Panicked(Option<String>),
}

/// A finished run: how it ended, and its counts.
struct Ran<E> {
    outcome: Outcome<E>,
    run: RunReport,
}

impl<E> Ran<E> {
    /// Judges a run that had a failure point.
    fn judge_failing(self, allocations: usize, growths: usize) -> Result<(), CheckError<E>> {
        let Ran { outcome, run } = self;
        let induced = run.induced_failures > 0;
        match outcome {
            #[cfg(feature = "std")]
            Outcome::Panicked(message) => Err(CheckError::Panicked { run, message }),
            Outcome::Ok if induced => Err(CheckError::Swallowed { run }),
            Outcome::Ok => Err(CheckError::Nondeterministic {
                run,
                clean_allocations: allocations,
                clean_growths: growths,
                error: None,
            }),
            Outcome::Err(error) if !induced => Err(CheckError::Nondeterministic {
                run,
                clean_allocations: allocations,
                clean_growths: growths,
                error: Some(error),
            }),
            Outcome::Err(error) if run.leaked() => Err(CheckError::Leak {
                run,
                error: Some(error),
            }),
            Outcome::Err(_) => Ok(()),
        }
    }

    /// Judges the last run, with no failure induced.
    fn judge_recheck(self, allocations: usize, growths: usize) -> Result<(), CheckError<E>> {
        let Ran { outcome, run } = self;
        let same = run.allocations() == allocations && run.growths == growths;
        match outcome {
            #[cfg(feature = "std")]
            Outcome::Panicked(message) => Err(CheckError::Panicked { run, message }),
            Outcome::Ok if same && run.leaked() => Err(CheckError::Leak { run, error: None }),
            Outcome::Ok if same => Ok(()),
            Outcome::Ok => Err(CheckError::Nondeterministic {
                run,
                clean_allocations: allocations,
                clean_growths: growths,
                error: None,
            }),
            Outcome::Err(error) => Err(CheckError::Nondeterministic {
                run,
                clean_allocations: allocations,
                clean_growths: growths,
                error: Some(error),
            }),
        }
    }
}

/// What a check found when there was no problem.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{check, AllocError, Bump};
/// let mut buf = [core::mem::MaybeUninit::uninit(); 256];
/// let backing = Bump::new(&mut buf);
/// let summary = check::assert_all_allocation_failures(&backing, |h| {
///     let p = h.create(5u32)?;
///     // SAFETY: `p` came from `create` on `h` and is destroyed once.
///     unsafe { h.destroy(p) };
///     Ok::<_, AllocError>(())
/// });
/// assert_eq!(summary.to_string(), "1 allocation point, 0 growth points walked in 3 runs: every failure handled");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Summary {
    /// Allocations of the clean run: the allocation failure points, `N`.
    pub allocations: usize,
    /// In-place growths of the clean run: the growth failure points, `G`
    /// (walked only with [`Check::resize_failures`]).
    pub growths: usize,
    /// Runs of the body, the clean run and the recheck included.
    pub runs: usize,
}

impl fmt::Display for Summary {
    /// `N allocation points, G growth points walked in R runs: every failure
    /// handled`.
    ///
    /// ```
    /// # use alloc_runtime::{check, Bump};
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// # let backing = Bump::new(&mut buf);
    /// let summary = check::assert_all_allocation_failures(&backing, |_| Ok::<_, ()>(()));
    /// assert!(summary.to_string().ends_with("every failure handled"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} allocation point{}, {} growth point{} walked in {} runs: every failure handled",
            self.allocations,
            plural(self.allocations),
            self.growths,
            plural(self.growths),
            self.runs
        )
    }
}

/// Which failure a run had.
///
/// # Examples
///
/// ```
/// use alloc_runtime::check::FailurePoint;
/// let point = FailurePoint::Allocation { index: 2, of: 5 };
/// assert_eq!(point.to_string(), "allocation index 2 of 5");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailurePoint {
    /// The first run, with no failure induced.
    Clean,
    /// Allocation `index` of the clean run's `of` failed, and every
    /// allocation after it.
    Allocation {
        /// The allocation index that failed.
        index: usize,
        /// The allocations of the clean run.
        of: usize,
    },
    /// Growth `index` of the clean run's `of` failed as a whole, and every
    /// request for more memory after it.
    Growth {
        /// The growth index that failed.
        index: usize,
        /// The in-place growths of the clean run.
        of: usize,
    },
    /// The last run, with no failure induced, which must match the clean run.
    Recheck,
}

impl fmt::Display for FailurePoint {
    /// `the clean run`, `allocation index i of N`, `growth index g of G`,
    /// `the recheck run`.
    ///
    /// ```
    /// use alloc_runtime::check::FailurePoint;
    /// assert_eq!(FailurePoint::Growth { index: 0, of: 1 }.to_string(), "growth index 0 of 1");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Clean => f.write_str("the clean run (no failure induced)"),
            Self::Allocation { index, of } => write!(f, "allocation index {index} of {of}"),
            Self::Growth { index, of } => write!(f, "growth index {index} of {of}"),
            Self::Recheck => f.write_str("the recheck run (no failure induced)"),
        }
    }
}

/// The counts of one run of the body, taken after it returned and its value
/// was dropped.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{check, AllocError, Bump};
/// let mut buf = [core::mem::MaybeUninit::uninit(); 256];
/// let backing = Bump::new(&mut buf);
/// let err = check::check_all_allocation_failures(&backing, |h| {
///     h.create(1u32)?; // never destroyed
///     Ok::<_, AllocError>(())
/// })
/// .unwrap_err();
/// let run = err.run();
/// assert_eq!(run.point, check::FailurePoint::Clean);
/// assert_eq!((run.stats.live_bytes, run.stats.live_allocations()), (4, 1));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RunReport {
    /// The failure this run had.
    pub point: FailurePoint,
    /// The [`Fail`] configuration of the run (with the seed, if any).
    pub config: FailConfig,
    /// What reached the allocator below the body: allocations, frees, live
    /// bytes and allocations after the body returned, and so on.
    pub stats: Stats,
    /// Successful in-place growths.
    pub growths: usize,
    /// Requests refused on purpose.
    pub induced_failures: usize,
    /// The first of them: the request, its caller, its indices.
    pub first_failure: Option<InducedFailure>,
    /// Where the body asked for the first induced failure: the first frame
    /// of a backtrace captured then that is outside this crate, allocator-api2,
    /// hashbrown and the standard library (so a request made by a `Vec` names
    /// the body's line, not the `Vec`'s). `None` under Miri, or when no frame
    /// qualifies.
    #[cfg(feature = "std")]
    pub requested_at: Option<String>,
    /// Allocations the backing allocator itself refused (it ran out?).
    pub backing_refusals: u64,
}

impl RunReport {
    /// Successful allocations of the run.
    fn allocations(&self) -> usize {
        // At most the address space's worth: fits in a `usize`.
        self.stats.allocations as usize
    }

    /// Whether memory is still live after the body returned.
    fn leaked(&self) -> bool {
        self.stats.live_bytes != 0 || self.stats.live_allocations() != 0
    }
}

impl fmt::Display for RunReport {
    /// The lines of a report below its headline: the induced failure, the
    /// configuration, the counts.
    ///
    /// ```
    /// use alloc_runtime::{check, AllocError, Bump};
    /// let mut buf = [core::mem::MaybeUninit::uninit(); 256];
    /// let backing = Bump::new(&mut buf);
    /// let err = check::check_all_allocation_failures(&backing, |h| {
    ///     let _ = allocator_api2::boxed::Box::try_new_in(1u32, h);
    ///     Ok::<_, AllocError>(())
    /// })
    /// .unwrap_err();
    /// assert!(err.run().to_string().contains("\n  fail config: fail_index=0 (growth goes on)\n"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.first_failure {
            Some(first) => write!(
                f,
                "  induced failure: {first}; {} induced failure{} in all",
                self.induced_failures,
                plural(self.induced_failures)
            )?,
            None => f.write_str("  induced failure: none")?,
        }
        #[cfg(feature = "std")]
        if let Some(site) = &self.requested_at {
            write!(f, "\n  requested at: {site}")?;
        }
        write!(f, "\n  fail config: {}", self.config)?;
        let s = &self.stats;
        write!(
            f,
            "\n  this run: {} allocation{}, {} growth{}, {} free{}; {} live byte{} in {} live allocation{} after the body returned",
            s.allocations,
            plural(s.allocations),
            self.growths,
            plural(self.growths),
            s.frees,
            plural(s.frees),
            s.live_bytes,
            plural(s.live_bytes),
            s.live_allocations(),
            plural(s.live_allocations()),
        )?;
        if self.backing_refusals > 0 {
            write!(
                f,
                "\n  the backing allocator refused {} request{} (out of memory?)",
                self.backing_refusals,
                plural(self.backing_refusals)
            )?;
        }
        Ok(())
    }
}

/// What [`check_all_allocation_failures`] found wrong: the first problem,
/// with the run it happened in.
///
/// `Display` gives a headline naming the problem and the failure point,
/// then the [`RunReport`] lines: the induced failure (request, caller,
/// indices), the [`FailConfig`], and the counts. `E` is the body's error
/// type; it is shown with `Debug`.
///
/// # Examples
///
/// ```
/// use alloc_runtime::{check, AllocError, Bump};
/// let mut buf = [core::mem::MaybeUninit::uninit(); 256];
/// let backing = Bump::new(&mut buf);
/// let err = check::check_all_allocation_failures(&backing, |h| {
///     if let Ok(p) = h.create(1u32) {
///         // SAFETY: `p` came from `create` on `h` and is destroyed once.
///         unsafe { h.destroy(p) };
///     } // else: the failure is swallowed
///     Ok::<_, AllocError>(())
/// })
/// .unwrap_err();
/// let text = err.to_string();
/// assert!(text.starts_with(
///     "allocation failure swallowed: with allocation index 0 of 1 failing, the body returned Ok"
/// ));
/// assert!(text.contains(file!()));
/// let _: &dyn core::error::Error = &err;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CheckError<E> {
    /// The clean run, with no failure induced, returned an error.
    CleanRunFailed {
        /// The body's error.
        error: E,
        /// The run.
        run: RunReport,
    },
    /// A run returned `Ok` although a failure was induced: the body dropped
    /// an allocation failure on the floor (`let _ = v.try_reserve(..)`).
    Swallowed {
        /// The run.
        run: RunReport,
    },
    /// The body does not allocate the same way every run: a run with a
    /// failure point returned `Ok` without reaching it, or returned an error
    /// with no failure induced, or the recheck run allocated or grew a
    /// different number of times than the clean run (or failed). An
    /// exhausted backing allocator looks the same; the run's
    /// `backing_refusals` tells.
    Nondeterministic {
        /// The run.
        run: RunReport,
        /// Allocations of the clean run.
        clean_allocations: usize,
        /// In-place growths of the clean run.
        clean_growths: usize,
        /// The body's error, if it returned one.
        error: Option<E>,
    },
    /// Memory was still live after the body returned and its value was
    /// dropped: on the error path of a run with a failure induced (`error`
    /// is `Some`), or on the success path of a run without.
    Leak {
        /// The run.
        run: RunReport,
        /// The body's error, on the error path.
        error: Option<E>,
    },
    /// The body panicked (caught with feature `std`): it does not return
    /// allocation failure as a value.
    #[cfg(feature = "std")]
    Panicked {
        /// The run.
        run: RunReport,
        /// The panic message, when it was a string.
        message: Option<String>,
    },
}

impl<E> CheckError<E> {
    /// The run the problem happened in.
    ///
    /// ```
    /// use alloc_runtime::{check, Bump};
    /// let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let backing = Bump::new(&mut buf);
    /// let err = check::check_all_allocation_failures(&backing, |_| Err::<(), _>(())).unwrap_err();
    /// assert_eq!(err.run().point, check::FailurePoint::Clean);
    /// ```
    #[must_use]
    pub fn run(&self) -> &RunReport {
        match self {
            Self::CleanRunFailed { run, .. }
            | Self::Swallowed { run }
            | Self::Nondeterministic { run, .. }
            | Self::Leak { run, .. } => run,
            #[cfg(feature = "std")]
            Self::Panicked { run, .. } => run,
        }
    }
}

impl<E: fmt::Debug> fmt::Display for CheckError<E> {
    /// A headline, then the lines of the [`RunReport`].
    ///
    /// ```
    /// use alloc_runtime::{check, Bump};
    /// let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let backing = Bump::new(&mut buf);
    /// let err = check::check_all_allocation_failures(&backing, |_| Err::<(), _>("bad input")).unwrap_err();
    /// assert!(err.to_string().starts_with(
    ///     "the body failed with no failure induced: it returned Err(\"bad input\") in the clean run"
    /// ));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let run = self.run();
        let point = run.point;
        match self {
            Self::CleanRunFailed { error, .. } => write!(
                f,
                "the body failed with no failure induced: it returned Err({error:?}) in the clean run, \
                 so there is nothing to walk"
            )?,
            Self::Swallowed { .. } => write!(
                f,
                "allocation failure swallowed: with {point} failing, the body returned Ok \
                 (the failure was ignored or handled as success; return it as an error)"
            )?,
            Self::Nondeterministic {
                clean_allocations,
                clean_growths,
                error,
                ..
            } => {
                f.write_str("the body's allocations are not deterministic: ")?;
                let (allocations, growths) = (run.allocations(), run.growths);
                match (point, error) {
                    (FailurePoint::Recheck, None) => write!(
                        f,
                        "the clean run made {clean_allocations} allocation{} and {clean_growths} growth{}, \
                         the recheck run {allocations} and {growths}",
                        plural(*clean_allocations),
                        plural(*clean_growths)
                    )?,
                    (_, Some(error)) => write!(
                        f,
                        "in {point}, the body returned Err({error:?}) although no failure was induced \
                         (after {allocations} allocation{}; the clean run made {clean_allocations})",
                        plural(allocations)
                    )?,
                    (_, None) => write!(
                        f,
                        "with {point} failing, the body returned Ok without reaching it \
                         ({allocations} allocation{} and {growths} growth{}; the clean run made \
                         {clean_allocations} and {clean_growths})",
                        plural(allocations),
                        plural(growths)
                    )?,
                }
            }
            Self::Leak { error, .. } => {
                let s = &run.stats;
                match error {
                    Some(error) => write!(
                        f,
                        "leak on the error path: with {point} failing, the body returned Err({error:?}) \
                         but left {} byte{} live in {} allocation{}",
                        s.live_bytes,
                        plural(s.live_bytes),
                        s.live_allocations(),
                        plural(s.live_allocations())
                    )?,
                    None => write!(
                        f,
                        "leak: in {point}, the body returned Ok but left {} byte{} live in {} allocation{}",
                        s.live_bytes,
                        plural(s.live_bytes),
                        s.live_allocations(),
                        plural(s.live_allocations())
                    )?,
                }
            }
            #[cfg(feature = "std")]
            Self::Panicked { message, .. } => {
                match point {
                    FailurePoint::Allocation { .. } | FailurePoint::Growth { .. } => {
                        write!(f, "panic: with {point} failing, the body panicked")?;
                    }
                    FailurePoint::Clean | FailurePoint::Recheck => {
                        write!(f, "panic: in {point}, the body panicked")?;
                    }
                }
                match message {
                    Some(message) => write!(f, ": {message:?}")?,
                    None => f.write_str(" (with a payload that is not a string)")?,
                }
                f.write_str(" (allocation failure must be returned as a value, not unwrapped)")?;
            }
        }
        write!(f, "\n{run}")
    }
}

impl<E: fmt::Debug> core::error::Error for CheckError<E> {}

/// `"s"` unless `n` is 1.
fn plural<N: TryInto<u64>>(n: N) -> &'static str {
    if n.try_into().ok() == Some(1) {
        ""
    } else {
        "s"
    }
}

/// Passes every call to the [`Fail`] below it and, under `std`, captures a
/// backtrace at the first induced failure, trimmed to the body's frame.
#[derive(alloc_derive::Allocator)]
#[allocator(unsafe(
    alloc = Self::watch_alloc,
    resize = Self::watch_resize,
    remap = Self::watch_remap,
))]
struct Witness<A> {
    #[allocator(parent)]
    inner: Fail<A>,
    /// Where the first induced failure was requested, once known.
    #[cfg(feature = "std")]
    site: core::cell::RefCell<Option<String>>,
}

impl<A> Witness<A>
where
    Fail<A>: RawAlloc,
{
    fn new(inner: Fail<A>) -> Self {
        Self {
            inner,
            #[cfg(feature = "std")]
            site: core::cell::RefCell::new(None),
        }
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

    fn watch_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let before = self.inner.induced_failures();
        let result = self.inner.alloc(len, align, caller);
        if result.is_none() {
            self.witness(before);
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
        if !resized {
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
        if moved.is_none() {
            self.witness(before);
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Alignment, AllocError, Bump, Caller};
    use allocator_api2::boxed::Box;
    use allocator_api2::vec::Vec;
    use core::alloc::Layout;
    use core::cell::Cell;
    use core::mem::MaybeUninit;
    use core::ptr::NonNull;
    use std::string::ToString;

    /// The global allocator as a backing allocator: frees come back, in any
    /// order.
    struct Heap;

    // SAFETY: the global allocator hands out distinct, valid blocks for
    // layouts built from the same length and alignment that free receives.
    unsafe impl RawAlloc for Heap {
        fn alloc(&self, len: usize, align: Alignment, _: Caller) -> Option<NonNull<u8>> {
            let layout = Layout::from_size_align(len, align.to_bytes()).ok()?;
            if len == 0 {
                return None;
            }
            // SAFETY: the layout has a non-zero size.
            NonNull::new(unsafe { std::alloc::alloc(layout) })
        }

        unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, _: Caller) {
            // SAFETY: `free`'s contract: `memory` came from `alloc` with this
            // length and alignment, which formed a valid layout then.
            let layout =
                unsafe { Layout::from_size_align_unchecked(memory.len(), align.to_bytes()) };
            // SAFETY: as above; the block is live and freed once.
            unsafe { std::alloc::dealloc(memory.cast().as_ptr(), layout) };
        }
    }

    fn map_err<T, E>(r: Result<T, E>) -> Result<T, AllocError> {
        r.map_err(|_| AllocError)
    }

    /// A body that builds a `Vec` and a `hashbrown::HashMap` correctly.
    fn vec_and_map(h: Handle<'_>) -> Result<u64, AllocError> {
        let mut v: Vec<u64, _> = Vec::new_in(h);
        let mut map =
            hashbrown::HashMap::with_hasher_in(hashbrown::DefaultHashBuilder::default(), h);
        for i in 0..20u64 {
            map_err(v.try_reserve(1))?;
            v.push(i);
            map_err(map.try_reserve(1))?;
            map.insert(i, i * i);
        }
        let boxed = Box::try_new_in(v.iter().sum::<u64>(), h)?;
        Ok(*boxed + map.values().sum::<u64>())
    }

    /// A body whose `Vec` grows in place on a bump (it is the last
    /// allocation while it grows), then builds a map.
    fn vec_then_map(h: Handle<'_>) -> Result<u64, AllocError> {
        let mut v: Vec<u64, _> = Vec::new_in(h);
        for i in 0..20u64 {
            map_err(v.try_reserve(1))?;
            v.push(i);
        }
        let mut map =
            hashbrown::HashMap::with_hasher_in(hashbrown::DefaultHashBuilder::default(), h);
        for &i in &v {
            map_err(map.try_reserve(1))?;
            map.insert(i, i * i);
        }
        Ok(map.values().sum())
    }

    #[test]
    fn correct_code_with_a_vec_and_a_hash_map_passes() {
        let summary = assert_all_allocation_failures(&Heap, vec_and_map);
        assert!(summary.allocations > 5, "{summary}");
        assert_eq!(summary.runs, summary.allocations + 2);
    }

    #[test]
    fn correct_code_passes_the_growth_walk_on_a_bump() {
        let mut buf = std::vec![MaybeUninit::uninit(); 64 * 1024];
        let backing = Bump::new(&mut buf);
        let summary = Check::new(&backing)
            .resize_failures(true)
            .assert(vec_then_map);
        assert!(summary.growths > 0, "{summary}");
        assert_eq!(
            summary.runs,
            summary.allocations + summary.growths + 2,
            "{summary}"
        );
    }

    #[test]
    fn a_swallowed_failure_is_detected() {
        let err = check_all_allocation_failures(&Heap, |h| {
            let mut v: Vec<u8, _> = Vec::new_in(h);
            let _ = v.try_reserve(8);
            Ok::<_, AllocError>(v.len())
        })
        .unwrap_err();
        let CheckError::Swallowed { run } = &err else {
            panic!("not swallowed: {err}");
        };
        assert_eq!(run.point, FailurePoint::Allocation { index: 0, of: 1 });
        assert_eq!(
            run.config,
            FailConfig::new()
                .fail_index(0)
                .allocation_failure_stops_growth(false)
        );
        assert!(run.first_failure.is_some());
        let text = err.to_string();
        assert!(
            text.starts_with("allocation failure swallowed: with allocation index 0 of 1 failing")
        );
        assert!(text.contains("fail config: fail_index=0"), "{text}");
    }

    #[test]
    fn a_leak_on_the_error_path_is_detected_with_its_caller() {
        // Leaks go to a bump on the stack, so that Miri sees none.
        let mut buf = [MaybeUninit::uninit(); 1024];
        let backing = Bump::new(&mut buf);
        let line = Cell::new(0);
        let err = check_all_allocation_failures(&backing, |h| {
            let first = h.create(1u64)?;
            let (second, at) = (h.create(2u64), line!());
            line.set(at);
            let second = second?; // leaks `first`
            // SAFETY: both came from `create` on `h` and are destroyed once.
            unsafe {
                h.destroy(second);
            }
            // SAFETY: as above.
            unsafe { h.destroy(first) };
            Ok::<_, AllocError>(())
        })
        .unwrap_err();
        let CheckError::Leak { run, error } = &err else {
            panic!("not a leak: {err}");
        };
        assert_eq!(*error, Some(AllocError));
        assert_eq!(run.point, FailurePoint::Allocation { index: 1, of: 2 });
        assert_eq!((run.stats.live_bytes, run.stats.live_allocations()), (8, 1));
        let caller = run.first_failure.unwrap().caller;
        assert_eq!(
            (caller.location().file(), caller.location().line()),
            (file!(), line.get())
        );
        let text = err.to_string();
        assert!(text.starts_with(
            "leak on the error path: with allocation index 1 of 2 failing, the body returned Err(AllocError) but left 8 bytes live in 1 allocation"
        ), "{text}");
        assert!(
            text.contains(&std::format!("{}:{}:", file!(), line.get())),
            "{text}"
        );
    }

    #[test]
    fn a_leak_on_the_success_path_is_detected() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let backing = Bump::new(&mut buf);
        let err = check_all_allocation_failures(&backing, |h| {
            let p = h.create([0u8; 3])?;
            let _ = p; // never destroyed
            Ok::<_, AllocError>(())
        })
        .unwrap_err();
        assert!(matches!(err, CheckError::Leak { error: None, .. }), "{err}");
        assert_eq!(err.run().point, FailurePoint::Clean);
        assert!(err.to_string().starts_with(
            "leak: in the clean run (no failure induced), the body returned Ok but left 3 bytes live in 1 allocation"
        ));
    }

    #[cfg(feature = "std")]
    #[test]
    fn a_panic_is_caught_and_reported() {
        let err = check_all_allocation_failures(&Heap, |h| {
            let b = Box::try_new_in(7u32, h).expect("out of memory");
            Ok::<_, AllocError>(*b)
        })
        .unwrap_err();
        let CheckError::Panicked { run, message } = &err else {
            panic!("not a panic: {err}");
        };
        assert_eq!(run.point, FailurePoint::Allocation { index: 0, of: 1 });
        assert_eq!(message.as_deref(), Some("out of memory: AllocError"));
        assert!(err.to_string().starts_with(
            "panic: with allocation index 0 of 1 failing, the body panicked: \"out of memory: AllocError\""
        ));
    }

    #[test]
    fn a_body_that_allocates_less_each_time_is_nondeterministic() {
        let calls = Cell::new(0usize);
        let err = check_all_allocation_failures(&Heap, |h| {
            calls.set(calls.get() + 1);
            // 3 allocations in the clean run, then 2, 1, 0, ...
            for _ in 0..3usize.saturating_sub(calls.get() - 1) {
                let p = h.create(0u16)?;
                // SAFETY: from `create` on `h`, destroyed once.
                unsafe { h.destroy(p) };
            }
            Ok::<_, AllocError>(())
        })
        .unwrap_err();
        let CheckError::Nondeterministic {
            run,
            clean_allocations,
            error,
            ..
        } = &err
        else {
            panic!("not nondeterministic: {err}");
        };
        assert_eq!((*clean_allocations, error.is_none()), (3, true));
        // The run failing allocation 1 is the third call: one allocation.
        assert_eq!(run.point, FailurePoint::Allocation { index: 1, of: 3 });
        assert!(err.to_string().starts_with(
            "the body's allocations are not deterministic: with allocation index 1 of 3 failing, the body returned Ok without reaching it (1 allocation and 0 growths; the clean run made 3 and 0)"
        ), "{err}");
    }

    #[test]
    fn a_body_that_allocates_more_each_time_is_nondeterministic() {
        let calls = Cell::new(0usize);
        let err = check_all_allocation_failures(&Heap, |h| {
            calls.set(calls.get() + 1);
            for _ in 0..calls.get() {
                let p = h.create(0u16)?;
                // SAFETY: from `create` on `h`, destroyed once.
                unsafe { h.destroy(p) };
            }
            Ok::<_, AllocError>(())
        })
        .unwrap_err();
        assert!(
            matches!(err, CheckError::Nondeterministic { error: None, .. }),
            "{err}"
        );
        assert_eq!(err.run().point, FailurePoint::Recheck);
        assert!(err.to_string().starts_with(
            "the body's allocations are not deterministic: the clean run made 1 allocation and 0 growths, the recheck run 3 and 0"
        ), "{err}");
    }

    #[test]
    fn an_error_without_an_induced_failure_is_nondeterministic() {
        let calls = Cell::new(0usize);
        let err = check_all_allocation_failures(&Heap, |h| {
            calls.set(calls.get() + 1);
            if calls.get() > 1 {
                return Err("flaky");
            }
            let p = h.create(0u8).map_err(|_| "oom")?;
            // SAFETY: from `create` on `h`, destroyed once.
            unsafe { h.destroy(p) };
            Ok(())
        })
        .unwrap_err();
        assert!(
            matches!(
                err,
                CheckError::Nondeterministic {
                    error: Some("flaky"),
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("returned Err(\"flaky\") although no failure was induced")
        );
    }

    #[test]
    fn an_error_in_the_clean_run_is_reported() {
        let err = check_all_allocation_failures(&Heap, |_| Err::<(), _>(42)).unwrap_err();
        assert!(matches!(err, CheckError::CleanRunFailed { error: 42, .. }));
    }

    #[test]
    fn the_growth_walk_finds_a_swallowed_in_place_growth_failure() {
        let mut buf = [MaybeUninit::uninit(); 1024];
        let backing = Bump::new(&mut buf);
        let body = |h: Handle<'_>| {
            let mut v: Vec<u8, _> = Vec::new_in(h);
            map_err(v.try_reserve_exact(4))?;
            v.extend_from_slice(b"abcd");
            let _ = v.try_reserve_exact(64); // in place on the bump
            Ok::<_, AllocError>(v.len())
        };
        let summary = Check::new(&backing).assert(body);
        assert_eq!((summary.allocations, summary.growths), (1, 1));
        let err = Check::new(&backing)
            .resize_failures(true)
            .run(body)
            .unwrap_err();
        let CheckError::Swallowed { run } = &err else {
            panic!("not swallowed: {err}");
        };
        assert_eq!(run.point, FailurePoint::Growth { index: 0, of: 1 });
        assert_eq!(run.induced_failures, 3, "resize, remap, fallback alloc");
        let text = err.to_string();
        assert!(
            text.contains("resize_fail_index=0 (then allocations fail too)"),
            "{text}"
        );
        assert!(
            text.contains("induced failure: resize of 68 bytes at "),
            "{text}"
        );
    }

    #[test]
    fn an_exhausted_backing_allocator_is_named_in_the_report() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let backing = Bump::new(&mut buf);
        let err = check_all_allocation_failures(&backing, |h| {
            let p = h.create([0u8; 100])?;
            // SAFETY: from `create` on `h`, destroyed once.
            unsafe { h.destroy(p) };
            Ok::<_, AllocError>(())
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("the backing allocator refused 1 request (out of memory?)"),
            "{err}"
        );
    }

    #[test]
    fn reports_print_one_example_of_each_kind() {
        // Shows what users see: `cargo test -p alloc-runtime --lib
        // check::tests::reports -- --nocapture`.
        let calls = Cell::new(0usize);
        let mut buf = [MaybeUninit::uninit(); 1024];
        let backing = Bump::new(&mut buf);
        let reports = [
            check_all_allocation_failures(&Heap, |_| Err::<(), _>("bad input"))
                .unwrap_err()
                .to_string(),
            check_all_allocation_failures(&Heap, |h| {
                let mut v: Vec<u8, _> = Vec::new_in(h);
                let _ = v.try_reserve(8);
                Ok::<_, AllocError>(())
            })
            .unwrap_err()
            .to_string(),
            check_all_allocation_failures(&backing, |h| {
                let first = h.create(1u64)?;
                let second = h.create(2u64)?;
                // SAFETY: both came from `create` on `h` and are destroyed once.
                unsafe { h.destroy(second) };
                // SAFETY: as above.
                unsafe { h.destroy(first) };
                Ok::<_, AllocError>(())
            })
            .unwrap_err()
            .to_string(),
            check_all_allocation_failures(&Heap, |h| {
                calls.set(calls.get() + 1);
                for _ in 0..calls.get() {
                    let p = h.create(0u16)?;
                    // SAFETY: from `create` on `h`, destroyed once.
                    unsafe { h.destroy(p) };
                }
                Ok::<_, AllocError>(())
            })
            .unwrap_err()
            .to_string(),
            #[cfg(feature = "std")]
            check_all_allocation_failures(&Heap, |h| {
                Ok::<_, AllocError>(*Box::try_new_in(7u32, h).expect("out of memory"))
            })
            .unwrap_err()
            .to_string(),
        ];
        for report in reports {
            assert!(report.lines().count() >= 4, "{report}");
            std::println!("{report}\n");
        }
    }
}
