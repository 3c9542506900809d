//! `alloc_runtime::debug` from outside the crate: call sites in the user's
//! code (through the typed helpers and, with backtraces, through
//! collections), the test allocator with collections, and the reports.

use alloc_runtime::debug::{Config, DebugAlloc, MisuseKind, OnDrop, Site, test_allocator};
use alloc_runtime::{Alignment, Bump, Caller, RawAlloc};
use allocator_api2::vec::Vec;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

/// The line of `site` as `file:line`, whichever way it was found.
fn line_of(site: &Site) -> String {
    let text = site.to_string();
    let mut parts = text.rsplitn(3, ':');
    let (_column, line, file) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
    format!("{}:{line}", file.trim_start_matches("./"))
}

#[test]
fn the_handle_helpers_name_the_users_line() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Bump::new(&mut buf),
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let h = a.allocator();
    let (p, line) = (h.dupe(b"leak").unwrap(), line!());
    let report = a.check().unwrap_err();
    println!("{report}");
    assert_eq!(
        line_of(&report.leaks[0].allocated_at),
        format!("{}:{line}", file!())
    );
    // SAFETY: from `dupe` on `h`, freed once.
    unsafe { h.free_slice(p) };
    a.finish().unwrap();
}

#[cfg(not(miri))] // capturing backtraces under Miri is slow; the paths are the same
#[test]
fn backtraces_name_the_users_line_through_a_collection() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let a = DebugAlloc::with_config(
        Bump::new(&mut buf),
        Config::new()
            .with_backtraces(true)
            .with_on_drop(OnDrop::Ignore),
    );
    let mut v: Vec<u64, _> = Vec::new_in(&a);
    let line = line!() + 1;
    v.push(1);
    let mut map = hashbrown::HashMap::with_hasher_in(hashbrown::DefaultHashBuilder::default(), &a);
    let map_line = line!() + 1;
    map.insert(1u32, 2u32);
    let report = a.report();
    println!("{report}");
    assert_eq!(report.leaks.len(), 2);
    let vec_site = &report.leaks[0].allocated_at;
    assert!(!vec_site.is_inside_collection() && vec_site.frame.is_some());
    assert!(
        vec_site.caller.location().file().contains("allocator-api2"),
        "without the backtrace, the caller is inside the collection: {}",
        vec_site.caller
    );
    assert_eq!(line_of(vec_site), format!("tests/debug.rs:{line}"));
    assert_eq!(
        line_of(&report.leaks[1].allocated_at),
        format!("tests/debug.rs:{map_line}")
    );
    assert!(!report.to_string().contains("note:"));
    drop((v, map));
    a.finish().unwrap();
}

#[test]
fn the_test_allocator_serves_collections() {
    let a = test_allocator();
    let mut v: Vec<String, _> = Vec::new_in(&a);
    let n = if cfg!(miri) { 20 } else { 200 };
    for i in 0..n {
        v.push(i.to_string());
    }
    let mut map =
        hashbrown::HashMap::with_hasher_in(hashbrown::DefaultHashBuilder::default(), a.allocator());
    for s in &v {
        map.insert(s.as_str(), s.len());
    }
    assert_eq!(map["19"], 2);
    let b = allocator_api2::boxed::Box::new_in([0u8; 100], &a);
    assert_eq!(a.live_allocations(), 3);
    drop((map, b));
    drop(v);
    a.finish().unwrap();
}

#[test]
fn every_detector_reports_in_one_readable_list() {
    let mut buf = [MaybeUninit::uninit(); 512];
    let a = DebugAlloc::with_config(
        Bump::new(&mut buf),
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let h = a.allocator();
    let _leak = h.create([0u64; 4]).unwrap();
    let twice = h.create(1u64).unwrap();
    let short = h.alloc_slice::<u8>(16).unwrap();
    let mut on_stack = 0u32;
    let (one, eight) = (Alignment::ONE, Alignment::of::<u64>());
    let bytes = |len| NonNull::slice_from_raw_parts(short.cast::<u8>(), len);
    // SAFETY: `twice` came from `create` on `h`, destroyed once.
    unsafe { h.destroy(twice) };
    // Each of these is deliberately wrong, caught by the debug allocator
    // and not passed on.
    // SAFETY: (deliberately) a double free.
    unsafe { h.destroy(twice) };
    // SAFETY: (deliberately) not from `h`.
    unsafe { h.destroy(NonNull::from(&mut on_stack)) };
    // SAFETY: (deliberately) the wrong length.
    unsafe { h.free(bytes(8), one, Caller::here()) };
    // SAFETY: (deliberately) the wrong alignment.
    unsafe { h.free(bytes(16), eight, Caller::here()) };
    // SAFETY: (deliberately) the wrong length.
    let resized = unsafe { h.resize(bytes(4), one, 32, Caller::here()) };
    assert!(!resized);
    let report = a.report();
    println!("{report}");
    let kinds: std::vec::Vec<_> = report.misuses.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        [
            MisuseKind::AlreadyFreed,
            MisuseKind::NotAllocated,
            MisuseKind::WrongLength,
            MisuseKind::WrongAlignment,
            MisuseKind::WrongLength,
        ]
    );
    let text = report.to_string();
    assert!(
        text.starts_with("2 leaks (48 bytes), 5 misuses:\n  leak: 32 bytes (align 8) at 0x"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1 + 2 + 5);
    let _ = a.finish();
}

#[test]
fn a_wrapper_of_a_handle_checks_a_shared_parent() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let a = DebugAlloc::new(bump.allocator());
    let b = allocator_api2::boxed::Box::new_in(3u32, &a);
    assert_eq!(*b, 3);
    drop(b);
    assert!(a.report().is_clean());
    assert!(bump.used() == 0 || a.live_allocations() == 0);
}
