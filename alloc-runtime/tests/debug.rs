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

/// A grow or shrink with the wrong `old_layout` (allocator-api2's
/// `Allocator` of `DebugAlloc`, which `&DebugAlloc` forwards to) must be
/// refused before a byte is copied: over the global allocator, copying `old_layout.size()`
/// bytes out of a smaller block is an out-of-bounds read (Miri reports
/// it), and the bad free that follows leaks the block.
///
/// The bridge asks `RawAlloc::validate` before its allocate-copy-free
/// fallback, and `DebugAlloc` answers from its records.
#[test]
fn a_wrong_layout_grow_or_shrink_through_allocator_api2_is_refused_untouched() {
    use allocator_api2::alloc::Allocator;
    use core::alloc::Layout;

    let a = DebugAlloc::with_config(
        alloc_runtime::Global,
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let real = Layout::from_size_align(16, 8).unwrap();
    let block = a.allocate(real).unwrap().cast::<u8>();
    // SAFETY: `block` has 16 writable bytes.
    unsafe { block.as_ptr().write_bytes(0x5A, 16) };
    let calls = [
        // Too long: the copy would read past the block.
        (64, 8, 128, 8),
        // Too short: the copy stays inside, but the free would be refused
        // and the block leak, with `Ok` returned.
        (8, 8, 128, 8),
        // Another alignment: straight to the fallback.
        (64, 8, 128, 16),
        // A shrink with the wrong length and a smaller alignment.
        (32, 8, 4, 1),
    ];
    for (old_size, old_align, new_size, new_align) in calls {
        let old = Layout::from_size_align(old_size, old_align).unwrap();
        let new = Layout::from_size_align(new_size, new_align).unwrap();
        let result = if new_size >= old_size {
            // SAFETY: deliberately wrong: `old` does not fit the block. The
            // debug allocator must refuse before anything is read.
            unsafe { a.grow(block, old, new) }
        } else {
            // SAFETY: as above.
            unsafe { a.shrink(block, old, new) }
        };
        assert!(result.is_err(), "{old:?} -> {new:?} was not refused");
        assert_eq!(a.live_allocations(), 1, "nothing allocated, nothing freed");
    }
    let report = a.report();
    println!("{report}");
    assert!(!report.misuses.is_empty());
    assert!(
        report
            .misuses
            .iter()
            .all(|m| m.address == block.addr().get() && m.kind == MisuseKind::WrongLength),
        "{report}"
    );
    let ops: std::vec::Vec<_> = report.misuses.iter().map(|m| m.op).collect();
    assert_eq!(
        ops,
        [alloc_runtime::debug::Op::Move; 4],
        "one misuse per call, refused before its copy"
    );
    // SAFETY: the block is still live with 16 initialized bytes.
    let bytes = unsafe { NonNull::slice_from_raw_parts(block, 16).as_ref() };
    assert_eq!(bytes, [0x5A; 16]);
    // The right layout still works, and frees the block.
    // SAFETY: `block` is live with layout `real`.
    unsafe { a.deallocate(block, real) };
    assert!(a.finish().unwrap_err().leaks.is_empty());
}

/// `Handle::realloc` with the wrong length must be refused before a byte
/// is copied, as the bridge's grow is.
///
/// `Handle::realloc` (through the handle's table) asks `RawAlloc::validate`
/// before allocate-copy-free.
#[test]
fn a_wrong_length_handle_realloc_is_refused_untouched() {
    let a = DebugAlloc::with_config(
        alloc_runtime::Global,
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let h = a.allocator();
    let s = h.dupe(&[3u16; 8]).unwrap();
    let wrong = NonNull::slice_from_raw_parts(s.cast::<u16>(), 32);
    // SAFETY: deliberately wrong: the slice has 8 elements, not 32. The
    // debug allocator must refuse before anything is read.
    assert!(unsafe { h.realloc(wrong, 64) }.is_err());
    assert_eq!(a.live_allocations(), 1);
    let misuses = a.misuses();
    assert!(
        misuses
            .iter()
            .any(|m| m.op == alloc_runtime::debug::Op::Move && m.kind == MisuseKind::WrongLength),
        "{misuses:?}"
    );
    // SAFETY: `s` is still live with its 8 elements.
    assert_eq!(unsafe { s.as_ref() }, [3; 8]);
    // SAFETY: from `dupe` on `h`, freed once.
    unsafe { h.free_slice(s) };
    assert!(a.leaks().is_empty());
}

/// The stale free through the public API, over the test allocator.
#[test]
fn a_stale_free_is_reported_as_a_double_free() {
    let a = DebugAlloc::with_config(
        alloc_runtime::Global,
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let h = a.allocator();
    let p = h.create(1u64).unwrap();
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(p) };
    let q = h.create(2u64).unwrap();
    let stale = NonNull::slice_from_raw_parts(p.cast::<u8>(), 8);
    // SAFETY: deliberately wrong, a stale free: caught, not passed on.
    unsafe { h.free(stale, Alignment::of::<u64>(), Caller::here()) };
    let kinds: std::vec::Vec<_> = a.misuses().iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [MisuseKind::AlreadyFreed]);
    // SAFETY: `q` is live.
    assert_eq!(unsafe { q.read() }, 2);
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(q) };
    assert!(a.finish().unwrap_err().leaks.is_empty());
}
