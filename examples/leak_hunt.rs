//! A small program with real, plausible allocation bugs, and the tools that
//! find them: `check_all_allocation_failures` (Zig's
//! `checkAllAllocationFailures`), `DebugAlloc` (Zig's `DebugAllocator`) and
//! `Logging`.
//!
//! Run it with `cargo run --release --example leak_hunt`.

use alloc_runtime::debug::DebugAlloc;
use alloc_runtime::logging::{Event, Logging};
use alloc_runtime::{AllocError, Bump, Fail, FailConfig, Handle, check_all_allocation_failures};
use allocator_api2::vec::Vec;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

/// A `key=value` setting, built Zig-style with the handle's `dupe` and
/// `create`, freed with `free_setting`.
struct Setting {
    key: NonNull<[u8]>,
    value: NonNull<[u8]>,
}

/// Bug 1: manual memory management that forgets the error path. When the
/// second `dupe` or the `create` fails, `?` returns early and the copies
/// made before it are never freed (Zig code would have `errdefer`).
fn parse_setting(h: Handle<'_>, line: &str) -> Result<NonNull<Setting>, AllocError> {
    let (key, value) = line.split_once('=').unwrap_or((line, ""));
    let key = h.dupe(key.as_bytes())?;
    let value = h.dupe(value.as_bytes())?;
    h.create(Setting { key, value })
}

/// Frees what `parse_setting` built.
///
/// # Safety
///
/// `setting` came from `parse_setting` on a handle to the same allocator and
/// is not used again.
unsafe fn free_setting(h: Handle<'_>, setting: NonNull<Setting>) {
    // SAFETY: the caller's promise: a live `Setting` from `parse_setting`.
    let Setting { key, value } = unsafe { setting.read() };
    // SAFETY: both slices came from `dupe` on this allocator, freed once.
    unsafe { h.free_slice(key) };
    // SAFETY: as above.
    unsafe { h.free_slice(value) };
    // SAFETY: `setting` came from `create` on this allocator, freed once.
    unsafe { h.destroy(setting) };
}

/// Bug 2: a swallowed allocation failure. The reservation's error is
/// ignored with `let _ =`, and when it failed the function returns an empty
/// list as if the text had no words.
fn words<'a, 't>(h: Handle<'a>, text: &'t str) -> Result<Vec<&'t str, Handle<'a>>, AllocError> {
    let mut out = Vec::new_in(h);
    let n = text.split_whitespace().count();
    let _ = out.try_reserve_exact(n);
    if out.capacity() < n {
        return Ok(out);
    }
    out.extend(text.split_whitespace());
    Ok(out)
}

/// Bug 3: renames a setting, freeing the old key before the new copy
/// exists. When the copy fails, the setting still points at the freed key,
/// and the caller's cleanup frees it a second time.
fn rename(h: Handle<'_>, setting: NonNull<Setting>, new_key: &str) -> Result<(), AllocError> {
    // SAFETY: `setting` is a live, unaliased `Setting` from `parse_setting`.
    let setting = unsafe { &mut *setting.as_ptr() };
    // SAFETY: the key came from `dupe` on this allocator.
    unsafe { h.free_slice(setting.key) };
    setting.key = h.dupe(new_key.as_bytes())?;
    Ok(())
}

fn main() {
    let mut buf = [MaybeUninit::uninit(); 64 * 1024];

    println!("leak hunt\n");

    println!("1. check_all_allocation_failures on parse_setting (bug 1)\n");
    {
        let bump = Bump::new(&mut buf);
        let result = check_all_allocation_failures(&bump, |h: Handle<'_>| {
            let setting = parse_setting(h, "name=alloc-runtime")?;
            // SAFETY: `setting` came from `parse_setting` on `h`, freed once.
            unsafe { free_setting(h, setting) };
            Ok::<(), AllocError>(())
        });
        match result {
            Ok(summary) => println!("   passed: {summary:?}"),
            Err(report) => println!("{}", indent(&report.to_string())),
        }
    }

    println!("\n2. check_all_allocation_failures on words (bug 2)\n");
    {
        let bump = Bump::new(&mut buf);
        let text = "the quick brown fox";
        let result =
            check_all_allocation_failures(&bump, |h: Handle<'_>| words(h, text).map(|w| w.len()));
        match result {
            Ok(summary) => println!("   passed: {summary:?}"),
            Err(report) => println!("{}", indent(&report.to_string())),
        }
    }

    println!("\n3. DebugAlloc over Fail over Bump: the leaked blocks of bug 1, with call sites\n");
    {
        let failing = Fail::with_config(Bump::new(&mut buf), FailConfig::new().fail_index(2));
        let debug = DebugAlloc::new(failing);
        let result = parse_setting(debug.allocator(), "name=alloc-runtime");
        println!("   parse_setting returned {:?}", result.map(|_| ()));
        println!("{}", indent(&debug.report().to_string()));
        // The report is also a value to assert on in a test.
        assert_eq!(debug.leaks().len(), 2);
        let _ = debug.finish();
    }

    println!(
        "\n4. DebugAlloc over Fail over Bump: the double free of bug 3, caught and not passed on\n"
    );
    {
        // The fourth allocation (rename's copy of the new key) fails.
        let failing = Fail::with_config(Bump::new(&mut buf), FailConfig::new().fail_index(3));
        let debug = DebugAlloc::new(failing);
        let h = debug.allocator();
        let setting = parse_setting(h, "mode=debug").expect("the first three allocations succeed");
        if let Err(e) = rename(h, setting, "profile") {
            println!("   rename failed ({e}); cleaning up");
            // SAFETY: `setting` came from `parse_setting` on `h`, freed once;
            // its key was already freed by `rename`: the bug DebugAlloc reports.
            unsafe { free_setting(h, setting) };
        }
        println!("{}", indent(&debug.report().to_string()));
        assert_eq!(debug.misuses().len(), 1);
        let _ = debug.finish();
    }

    println!("\n5. Logging: every call of a fixed parse_setting run, to a closure sink\n");
    {
        let logged = Logging::new(Bump::new(&mut buf), |e: &Event| println!("   {e}"));
        let setting = parse_setting(logged.allocator(), "level=3").expect("room in the bump");
        // SAFETY: `setting` came from `parse_setting` on this allocator, freed once.
        unsafe { free_setting(logged.allocator(), setting) };
    }
}

/// The report's lines, indented under the heading.
fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("   {l}"))
        .collect::<std::vec::Vec<_>>()
        .join("\n")
}
