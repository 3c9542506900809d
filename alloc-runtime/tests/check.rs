//! `check_all_allocation_failures` from outside the crate, as users call it:
//! reports name the body's own line even when a collection made the request.

use alloc_runtime::check::CheckError;
use alloc_runtime::{AllocError, Bump, Handle, check_all_allocation_failures};
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
