//! `check_all_allocation_failures` from outside the crate, as users call it:
//! reports name the body's own line even when a collection made the request.

use alloc_runtime::check::CheckError;
use alloc_runtime::{AllocError, Bump, Check, Handle, check_all_allocation_failures};
use allocator_api2::vec::Vec;
use core::mem::MaybeUninit;

/// Copies `input`, but treats a failed reservation as "nothing to copy".
fn copy_swallowing(h: Handle<'_>, input: &[u64]) -> Result<usize, AllocError> {
    let mut out: Vec<u64, _> = Vec::new_in(h);
    if out.try_reserve(input.len()).is_err() {
        return Ok(0);
    }
    out.extend_from_slice(input);
    Ok(out.len())
}

#[test]
fn a_swallowed_failure_in_a_vec_names_the_bodys_line() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let bump = Bump::new(&mut buf);
    let err = check_all_allocation_failures(&bump, |h: Handle<'_>| copy_swallowing(h, &[1, 2, 3]))
        .unwrap_err();
    assert!(matches!(err, CheckError::Swallowed { .. }), "{err}");
    let run = err.run();
    assert!(run.first_failure.is_some());
    if cfg!(miri) {
        // No backtraces under Miri: the report falls back to the `Caller`.
        assert_eq!(run.requested_at, None);
    } else {
        let site = run
            .requested_at
            .as_deref()
            .expect("a frame outside the allocator and collection code");
        assert!(
            site.contains("check.rs") || site.contains("copy_swallowing"),
            "{site}"
        );
        assert!(
            err.to_string().contains(&format!("requested at: {site}")),
            "{err}"
        );
    }
}

#[test]
fn correct_code_passes_and_reports_nothing() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let bump = Bump::new(&mut buf);
    let summary = check_all_allocation_failures(&bump, |h: Handle<'_>| {
        let mut out: Vec<u64, _> = Vec::new_in(h);
        out.try_reserve(3).map_err(|_| AllocError)?;
        out.extend_from_slice(&[1, 2, 3]);
        Ok::<_, AllocError>(out.len())
    })
    .expect("every failure is returned, nothing leaks");
    assert_eq!(summary.allocations, 1);
}

/// The bug: a failed reservation skips a word instead of failing.
/// Returns the positions it recorded; all 8 when nothing fails.
fn rose_positions(h: Handle<'_>) -> Result<usize, AllocError> {
    let mut positions: Vec<usize, _> = Vec::new_in(h);
    for (i, _word) in "a rose is a rose is a rose".split(' ').enumerate() {
        if positions.try_reserve(1).is_err() {
            continue; // the bug: the failure is swallowed
        }
        positions.push(i);
    }
    // A later allocation: with sticky failures it fails too, and the body
    // returns `Err` by accident.
    let count = allocator_api2::boxed::Box::try_new_in(positions.len(), h)?;
    Ok(*count)
}

#[test]
fn a_failure_swallowed_by_continue_is_reported_by_default() {
    let mut buf = [MaybeUninit::uninit(); 4096];
    let bump = Bump::new(&mut buf);
    let err = check_all_allocation_failures(&bump, rose_positions).unwrap_err();
    let CheckError::Swallowed { run } = &err else {
        panic!("not swallowed: {err}");
    };
    assert!(!run.config.to_string().is_empty());
    assert!(
        err.to_string().contains("(one-shot"),
        "the report says how failures were induced: {err}"
    );
    // What the body returned in that run: fewer than 8 positions, silently.
    let alloc_runtime::check::FailurePoint::Allocation { index, .. } = run.point else {
        panic!("not an allocation failure: {err}");
    };
    let mut buf = [MaybeUninit::uninit(); 4096];
    let fail = alloc_runtime::Fail::with_config(Bump::new(&mut buf), run.config);
    assert!(index < 8);
    let positions = rose_positions(fail.allocator()).expect("one-shot: the body returns Ok");
    assert!(positions < 8, "{positions} of 8 positions");
}

#[test]
fn sticky_failures_hide_the_same_swallowed_failure() {
    let mut buf = [MaybeUninit::uninit(); 4096];
    let bump = Bump::new(&mut buf);
    // Zig's sticky mode: every run with a failure induced returns `Err`
    // (the final `Box` fails too), so the check passes: the bug is missed.
    let summary = Check::new(&bump)
        .sticky(true)
        .run(rose_positions)
        .expect("sticky failures hide the swallowed error");
    assert!(summary.allocations >= 2, "{summary}");
}
