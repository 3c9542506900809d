//! One run of the body: calling it (and catching its panics), and judging
//! how it ended.

use crate::Handle;

use super::report::{CheckError, RunReport};
#[cfg(feature = "std")]
use std::string::String;

/// Calls the body and drops its value; under `std`, catches a panic of
/// either (the value's `Drop` runs inside the same `catch_unwind`, so a value
/// that panics when dropped is reported, not propagated).
pub(super) fn call<T, E, F>(body: &mut F, handle: Handle<'_>) -> Outcome<E>
where
    F: FnMut(Handle<'_>) -> Result<T, E>,
{
    #[cfg(feature = "std")]
    return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| finish(body(handle))))
        .unwrap_or_else(|payload| Outcome::Panicked(take_message(payload)));
    #[cfg(not(feature = "std"))]
    finish(body(handle))
}

/// Drops the body's value: part of the call, inside its `catch_unwind`.
fn finish<T, E>(result: Result<T, E>) -> Outcome<E> {
    match result {
        Ok(value) => {
            drop(value);
            Outcome::Ok
        }
        Err(error) => Outcome::Err(error),
    }
}

/// Drops `value` (a body's error the check does not keep) under
/// `catch_unwind`: `Err` with the panic's message if its `Drop` panicked.
#[cfg(feature = "std")]
pub(super) fn drop_caught<E>(value: E) -> Result<(), Option<String>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(value))).map_err(take_message)
}

/// Without `std` there is no unwinding to catch: drops `value`.
#[cfg(not(feature = "std"))]
pub(super) fn drop_caught<E>(value: E) -> Result<(), core::convert::Infallible> {
    drop(value);
    Ok(())
}

/// The message of a panic payload, when it is a string; then drops the
/// payload without letting a panic out.
///
/// A payload is any `Box<dyn Any + Send>`, and its `Drop` may panic in turn
/// (`panic_any(x)` where `x`'s `Drop` panics). That panic is caught too, and
/// its payload dropped the same way, up to [`PAYLOAD_DROPS`] payloads deep;
/// a payload still panicking past that (a `Drop` that panics with a payload
/// like itself, forever) is leaked with `mem::forget`, once, in a run that is
/// reported as a panic anyway. So the check neither unwinds nor aborts.
#[cfg(feature = "std")]
fn take_message(payload: std::boxed::Box<dyn core::any::Any + Send>) -> Option<String> {
    let message = if let Some(s) = payload.downcast_ref::<&str>() {
        Some(String::from(*s))
    } else {
        payload.downcast_ref::<String>().cloned()
    };
    let mut payload = payload;
    for _ in 0..PAYLOAD_DROPS {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(payload))) {
            Ok(()) => return message,
            Err(next) => payload = next,
        }
    }
    core::mem::forget(payload);
    message
}

/// How many panic payloads deep [`take_message`] drops before it forgets.
#[cfg(feature = "std")]
const PAYLOAD_DROPS: usize = 8;

/// How the body ended.
pub(super) enum Outcome<E> {
    Ok,
    Err(E),
    #[cfg(feature = "std")]
    Panicked(Option<String>),
}

/// A finished run: how it ended, and its counts.
pub(super) struct Ran<E> {
    pub(super) outcome: Outcome<E>,
    pub(super) run: RunReport,
}

impl<E> Ran<E> {
    /// Judges a run that had a failure point.
    pub(super) fn judge_failing(
        self,
        allocations: usize,
        growths: usize,
    ) -> Result<(), CheckError<E>> {
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
            Outcome::Err(error) => drop_caught(error).map_err(|_message| {
                #[cfg(feature = "std")]
                return CheckError::Panicked {
                    run,
                    message: _message,
                };
                #[cfg(not(feature = "std"))]
                match _message {}
            }),
        }
    }

    /// Judges the last run, with no failure induced.
    pub(super) fn judge_recheck(
        self,
        allocations: usize,
        growths: usize,
    ) -> Result<(), CheckError<E>> {
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
