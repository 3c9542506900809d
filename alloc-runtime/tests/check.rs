//! `check_all_allocation_failures` from outside the crate, as users call it:
//! reports name the body's own line even when a collection made the request.

use alloc_runtime::check::{CheckError, FailurePoint};
use alloc_runtime::{AllocError, Bump, Check, Handle, check_all_allocation_failures};
use allocator_api2::vec::Vec;
use core::mem::MaybeUninit;
use std::sync::atomic::{AtomicU32, Ordering};

/// The line of `copy_swallowing`'s reservation, set when it runs.
static RESERVE_LINE: AtomicU32 = AtomicU32::new(0);

/// Copies `input`, but treats a failed reservation as "nothing to copy".
fn copy_swallowing(h: Handle<'_>, input: &[u64]) -> Result<usize, AllocError> {
    let mut out: Vec<u64, _> = Vec::new_in(h);
    let (reserved, line) = (out.try_reserve(input.len()), line!());
    RESERVE_LINE.store(line, Ordering::Relaxed);
    if reserved.is_err() {
        return Ok(0);
    }
    out.extend_from_slice(input);
    Ok(out.len())
}

/// Whether `text` names `line` of this file: a `file:line:column` whose
/// file is this one (a backtrace may print it relative to the package
/// directory, `file!()` relative to the workspace).
fn names_line(text: &str, line: u32) -> bool {
    let needle = format!(":{line}:");
    text.match_indices(&needle).any(|(at, _)| {
        let start = text[..at].rfind(' ').map_or(0, |space| space + 1);
        let file = &text[start..at];
        !file.is_empty() && file!().ends_with(file)
    })
}

/// Asserts that no line of `report` is inside this crate's source or a
/// collection's.
fn assert_no_internal_site(report: &str) {
    for internal in [
        "alloc-runtime/src/",
        "allocator-api2",
        "hashbrown",
        "/rustc/",
    ] {
        assert!(!report.contains(internal), "{internal} in:\n{report}");
    }
}

#[test]
fn a_swallowed_failure_in_a_vec_names_the_bodys_line() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let bump = Bump::new(&mut buf);
    let err = check_all_allocation_failures(&bump, |h: Handle<'_>| copy_swallowing(h, &[1, 2, 3]))
        .unwrap_err();
    assert!(matches!(err, CheckError::Swallowed { .. }), "{err}");
    let run = err.run();
    let first = run.first_failure.expect("a failure was induced");
    // The `Vec` asked from inside its own code (through the handle's
    // thunk): not the user's line, so the report must not print it.
    assert!(!first.caller.is_user_code(), "{}", first.caller);
    let text = err.to_string();
    assert_no_internal_site(&text);
    let expected = format!(
        "induced failure: alloc of {} bytes inside a collection",
        first.len
    );
    assert!(text.contains(&expected), "{text}");
    if cfg!(miri) {
        // No backtraces under Miri: "inside a collection", no line.
        assert_eq!(run.requested_at, None);
    } else {
        let site = run
            .requested_at
            .as_deref()
            .expect("a frame outside the allocator and collection code");
        let line = RESERVE_LINE.load(Ordering::Relaxed);
        assert!(names_line(site, line), "{site} is not line {line}");
        assert!(text.contains(&format!("called at {site} (")), "{text}");
    }
}

/// Cleans up when the `Vec` cannot reserve, but leaks when the last
/// allocation fails: a box made with `create` (its `Caller` is the user's
/// line) and the `Vec`'s buffer (allocated inside the `Vec`).
fn leaky(h: Handle<'_>, lines: &[AtomicU32; 2]) -> Result<(), AllocError> {
    let (first, line) = (h.create(1u64), line!());
    lines[0].store(line, Ordering::Relaxed);
    let first = first?;
    let mut v: Vec<u8, _> = Vec::new_in(h);
    let (reserved, line) = (v.try_reserve_exact(16), line!());
    lines[1].store(line, Ordering::Relaxed);
    if reserved.is_err() {
        // SAFETY: `first` came from `create` on `h` and is destroyed once.
        unsafe { h.destroy(first) };
        return Err(AllocError);
    }
    match h.create(2u64) {
        Ok(second) => {
            // SAFETY: both came from `create` on `h` and are destroyed once.
            unsafe { h.destroy(second) };
            // SAFETY: as above.
            unsafe { h.destroy(first) };
            Ok(())
        }
        Err(error) => {
            core::mem::forget(v); // the bug: leaks `first` and the buffer
            Err(error)
        }
    }
}

#[test]
fn a_leak_report_lists_each_live_block_with_the_line_that_allocated_it() {
    let mut buf = [MaybeUninit::uninit(); 4096];
    let bump = Bump::new(&mut buf);
    let lines = [AtomicU32::new(0), AtomicU32::new(0)];
    let err = check_all_allocation_failures(&bump, |h: Handle<'_>| leaky(h, &lines)).unwrap_err();
    let CheckError::Leak { run, error } = &err else {
        panic!("not a leak: {err}");
    };
    assert_eq!(*error, Some(AllocError));
    assert_eq!(run.point, FailurePoint::Allocation { index: 2, of: 3 });
    assert_eq!(run.live.len(), 2, "{err}");
    let text = err.to_string();
    assert_no_internal_site(&text);

    // The box: its `Caller` is the user's line.
    let box_line = lines[0].load(Ordering::Relaxed);
    assert_eq!(run.live[0].caller.location().file(), file!());
    assert_eq!(run.live[0].caller.location().line(), box_line);
    let expected = format!(
        "\n  still live: 8 bytes (align 8, allocation index 0) allocated at {}:{box_line}:",
        file!()
    );
    assert!(text.contains(&expected), "{text}");

    // The buffer: allocated inside the `Vec`; the frame names the user's line.
    let buffer = &run.live[1];
    assert!(!buffer.caller.is_user_code(), "{}", buffer.caller);
    let expected =
        "\n  still live: 16 bytes (align 1, allocation index 1) allocated inside a collection";
    assert!(text.contains(expected), "{text}");
    if cfg!(miri) {
        assert_eq!(buffer.frame, None, "no backtraces under Miri");
    } else {
        let frame = buffer.frame.as_deref().expect("the user's frame");
        let vec_line = lines[1].load(Ordering::Relaxed);
        assert!(
            names_line(frame, vec_line),
            "{frame} is not line {vec_line}"
        );
        assert!(
            text.contains(&format!("{expected} called at {frame}")),
            "{text}"
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
    let FailurePoint::Allocation { index, .. } = run.point else {
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
