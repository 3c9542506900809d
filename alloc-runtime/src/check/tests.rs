//! The check's own tests.

use super::*;
use crate::fail::FailConfig;
use crate::{AllocError, Bump, Global};
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use core::cell::Cell;
use core::mem::MaybeUninit;
use std::string::ToString;

fn map_err<T, E>(r: Result<T, E>) -> Result<T, AllocError> {
    r.map_err(|_| AllocError)
}

/// A body that builds a `Vec` and a `hashbrown::HashMap` correctly.
fn vec_and_map(h: Handle<'_>) -> Result<u64, AllocError> {
    let mut v: Vec<u64, _> = Vec::new_in(h);
    let mut map = hashbrown::HashMap::with_hasher_in(hashbrown::DefaultHashBuilder::default(), h);
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
    let mut map = hashbrown::HashMap::with_hasher_in(hashbrown::DefaultHashBuilder::default(), h);
    for &i in &v {
        map_err(map.try_reserve(1))?;
        map.insert(i, i * i);
    }
    Ok(map.values().sum())
}

#[test]
fn correct_code_with_a_vec_and_a_hash_map_passes() {
    let summary = assert_all_allocation_failures(&Global, vec_and_map);
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
    let err = check_all_allocation_failures(&Global, |h| {
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
            .sticky(false)
    );
    assert!(run.first_failure.is_some());
    let text = err.to_string();
    assert!(text.starts_with("allocation failure swallowed: with allocation index 0 of 1 failing"));
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
    let err = check_all_allocation_failures(&Global, |h| {
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
    let err = check_all_allocation_failures(&Global, |h| {
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
    let err = check_all_allocation_failures(&Global, |h| {
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
    let err = check_all_allocation_failures(&Global, |h| {
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
    let err = check_all_allocation_failures(&Global, |_| Err::<(), _>(42)).unwrap_err();
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
        text.contains("resize_fail_index=0 (one-shot, its fallback allocation fails too)"),
        "{text}"
    );
    assert!(
        text.contains("induced failure: resize of 68 bytes inside a collection "),
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
        check_all_allocation_failures(&Global, |_| Err::<(), _>("bad input"))
            .unwrap_err()
            .to_string(),
        check_all_allocation_failures(&Global, |h| {
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
        check_all_allocation_failures(&Global, |h| {
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
        check_all_allocation_failures(&Global, |h| {
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

/// Panics when dropped, with a string message.
#[cfg(feature = "std")]
#[derive(Debug)]
struct PanicsOnDrop;

#[cfg(feature = "std")]
impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("dropped");
    }
}

/// Panics when dropped, with a payload that panics when dropped.
#[cfg(feature = "std")]
struct PanicsTwiceOnDrop;

#[cfg(feature = "std")]
impl Drop for PanicsTwiceOnDrop {
    fn drop(&mut self) {
        std::panic::panic_any(PanicsOnDrop);
    }
}

/// Runs the check, failing the test (instead of unwinding) if a panic
/// escapes it.
#[cfg(feature = "std")]
fn check_caught<T, E, F>(body: F) -> Result<Summary, CheckError<E>>
where
    F: FnMut(Handle<'_>) -> Result<T, E>,
{
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_all_allocation_failures(&Global, body)
    }))
    .unwrap_or_else(|_| panic!("a panic escaped the check"))
}

#[cfg(feature = "std")]
#[test]
fn a_value_that_panics_when_dropped_is_reported_as_a_panic() {
    let err = check_caught(|h| {
        let b = Box::try_new_in(1u8, h)?;
        drop(b);
        Ok::<_, AllocError>(PanicsOnDrop)
    })
    .unwrap_err();
    let CheckError::Panicked { run, message } = &err else {
        panic!("not a panic: {err}");
    };
    assert_eq!(run.point, FailurePoint::Clean);
    assert_eq!(message.as_deref(), Some("dropped"));
}

#[cfg(feature = "std")]
#[test]
fn a_panic_payload_that_panics_when_dropped_is_reported_as_a_panic() {
    let err = check_caught(|h| {
        let b = Box::try_new_in(1u8, h).unwrap_or_else(|_| std::panic::panic_any(PanicsOnDrop));
        Ok::<_, AllocError>(*b)
    })
    .unwrap_err();
    let CheckError::Panicked { run, message } = &err else {
        panic!("not a panic: {err}");
    };
    assert_eq!(run.point, FailurePoint::Allocation { index: 0, of: 1 });
    assert_eq!(*message, None, "the payload is not a string");
}

#[cfg(feature = "std")]
#[test]
fn a_payload_whose_drop_panics_with_such_a_payload_is_forgotten_not_escaped() {
    let err = check_caught(|h| {
        let b =
            Box::try_new_in(1u8, h).unwrap_or_else(|_| std::panic::panic_any(PanicsTwiceOnDrop));
        Ok::<_, AllocError>(*b)
    })
    .unwrap_err();
    assert!(matches!(err, CheckError::Panicked { .. }), "{err}");
}

/// Panics when dropped, with a payload like itself: dropping never ends.
#[cfg(feature = "std")]
struct PanicsForeverOnDrop;

#[cfg(feature = "std")]
impl Drop for PanicsForeverOnDrop {
    fn drop(&mut self) {
        std::panic::panic_any(PanicsForeverOnDrop);
    }
}

#[cfg(feature = "std")]
#[test]
fn a_payload_that_panics_forever_when_dropped_is_forgotten_not_escaped() {
    let err = check_caught(|h| {
        let b =
            Box::try_new_in(1u8, h).unwrap_or_else(|_| std::panic::panic_any(PanicsForeverOnDrop));
        Ok::<_, AllocError>(*b)
    })
    .unwrap_err();
    assert!(matches!(err, CheckError::Panicked { .. }), "{err}");
}

#[cfg(feature = "std")]
#[test]
fn an_error_that_panics_when_dropped_is_reported_as_a_panic() {
    let err = check_caught(|h| {
        let b = Box::try_new_in(1u8, h).map_err(|_| PanicsOnDrop)?;
        Ok::<_, PanicsOnDrop>(*b)
    })
    .unwrap_err();
    let CheckError::Panicked { run, message } = &err else {
        panic!("not a panic: {err}");
    };
    assert_eq!(run.point, FailurePoint::Allocation { index: 0, of: 1 });
    assert_eq!(message.as_deref(), Some("dropped"));
}
