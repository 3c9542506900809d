//! What a check reports: [`Summary`] when every failure was handled, else a
//! [`CheckError`] with the [`RunReport`] of the run that went wrong.

use core::fmt;

#[cfg(doc)]
use super::{Check, check_all_allocation_failures};
#[cfg(doc)]
use crate::Fail;
use crate::Stats;
#[cfg(feature = "alloc")]
use crate::caller::Site;
use crate::fail::{FailConfig, InducedFailure};
#[cfg(feature = "alloc")]
use crate::{Alignment, Caller};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;
#[cfg(feature = "std")]
use std::string::String;

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
    /// Allocation `index` of the clean run's `of` failed (and, with
    /// [`Check::sticky`], every allocation after it).
    Allocation {
        /// The allocation index that failed.
        index: usize,
        /// The allocations of the clean run.
        of: usize,
    },
    /// Growth `index` of the clean run's `of` failed as a whole (and, with
    /// [`Check::sticky`], every request for more memory after it).
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
    /// the body's line, not the `Vec`'s). The report prints it, as `inside a
    /// collection called at <frame>`, when the first failure's
    /// [`Caller`](crate::Caller) is not the user's line. `None` under Miri,
    /// or when no frame qualifies.
    #[cfg(feature = "std")]
    pub requested_at: Option<String>,
    /// Allocations the backing allocator itself refused (it ran out?).
    pub backing_refusals: u64,
    /// The blocks still live after the body returned, in allocation order,
    /// each with the site that allocated it (feature `alloc`; without it,
    /// [`stats`](Self::stats) has the counts only).
    #[cfg(feature = "alloc")]
    pub live: Vec<LiveBlock>,
}

impl RunReport {
    /// Successful allocations of the run.
    pub(super) fn allocations(&self) -> usize {
        // At most the address space's worth: fits in a `usize`.
        self.stats.allocations as usize
    }

    /// Whether memory is still live after the body returned.
    pub(super) fn leaked(&self) -> bool {
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
    /// assert!(err.run().to_string().contains("\n  fail config: fail_index=0 (one-shot, growth goes on)\n"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[cfg(feature = "std")]
        let frame = self.requested_at.as_deref();
        #[cfg(not(feature = "std"))]
        let frame = None;
        match self.first_failure {
            Some(first) => write!(
                f,
                "  induced failure: {}; {} induced failure{} in all",
                first.describe(frame),
                self.induced_failures,
                plural(self.induced_failures)
            )?,
            None => f.write_str("  induced failure: none")?,
        }
        #[cfg(feature = "alloc")]
        for block in &self.live {
            write!(f, "\n  still live: {block}")?;
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

/// A block still live after the body returned, in a
/// [`CheckError::Leak`]'s [`RunReport`] (feature `alloc`).
///
/// Displays as `8 bytes (align 8, allocation index 0) allocated at
/// src/x.rs:10:5`; for a block a collection allocated, `inside a collection
/// called at <the user's frame>` instead (see
/// [`Caller::is_user_code`](crate::Caller::is_user_code)).
///
/// # Examples
///
/// ```
/// use alloc_runtime::{check, AllocError, Bump};
/// let mut buf = [core::mem::MaybeUninit::uninit(); 256];
/// let backing = Bump::new(&mut buf);
/// let err = check::check_all_allocation_failures(&backing, |h| {
///     let (p, line) = (h.create(1u32)?, line!()); // never destroyed
///     let _ = p;
///     Ok::<_, AllocError>(line)
/// })
/// .unwrap_err();
/// let block = &err.run().live[0];
/// assert_eq!((block.len, block.align.to_bytes(), block.allocation_index), (4, 4, 0));
/// assert_eq!(block.caller.location().file(), file!());
/// assert!(err.to_string().contains("\n  still live: 4 bytes (align 4, allocation index 0) allocated "));
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LiveBlock {
    /// Its address.
    pub address: usize,
    /// Its length in bytes.
    pub len: usize,
    /// Its alignment.
    pub align: Alignment,
    /// Its allocation index in the run: successful allocations before it.
    pub allocation_index: usize,
    /// Where it was allocated (the `alloc` call; a block moved by a growth
    /// keeps the site of the allocation that moved it there).
    pub caller: Caller,
    /// The user's frame where it was allocated, from a backtrace (feature
    /// `std`, not under Miri): the first frame outside this crate,
    /// allocator-api2, hashbrown and the standard library. The check finds
    /// it by running the leaking run once more, capturing a backtrace at the
    /// allocations that leaked.
    #[cfg(feature = "std")]
    pub frame: Option<String>,
}

#[cfg(feature = "alloc")]
impl fmt::Display for LiveBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[cfg(feature = "std")]
        let frame = self.frame.as_deref();
        #[cfg(not(feature = "std"))]
        let frame = None;
        let site = Site {
            caller: self.caller,
            frame,
        };
        write!(
            f,
            "{} byte{} (align {}, allocation index {}) allocated {site}",
            self.len,
            plural(self.len),
            self.align.to_bytes(),
            self.allocation_index,
        )
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
/// assert!(text.contains("\n  induced failure: alloc of 4 bytes "));
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
