//! One run of the body: calling it (and catching its panics), and judging
//! how it ended.

use crate::Handle;

use super::report::{CheckError, RunReport};
#[cfg(feature = "std")]
use std::string::String;

/// Calls the body, dropping its value; catches a panic under `std`.
pub(super) fn call<T, E, F>(body: &mut F, handle: Handle<'_>) -> Outcome<E>
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
            Outcome::Err(_) => Ok(()),
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
