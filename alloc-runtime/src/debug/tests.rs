//! The tests of [`DebugAlloc`]: the conformance suite, each detector, the
//! quarantine, validation before a move, and queries while busy.

use super::*;
use crate::{Alignment, Bump, Caller, Counting, Global, Handle, RawAlloc, VTable, testing};
use alloc::string::ToString;
use alloc::vec::Vec;
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec as ApiVec;
use core::cell::Cell;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use std::println;

/// A quiet debug allocator over a bump of `buf`: drop does nothing, so
/// tests look at the report themselves.
fn quiet(buf: &mut [MaybeUninit<u8>]) -> DebugAlloc<Bump<'_>> {
    DebugAlloc::with_config(Bump::new(buf), Config::new().with_on_drop(OnDrop::Ignore))
}

fn raw(ptr: NonNull<u8>, len: usize) -> NonNull<[u8]> {
    NonNull::slice_from_raw_parts(ptr, len)
}

const EIGHT: Alignment = Alignment::of::<u64>();

#[test]
fn passes_the_conformance_suite_and_ends_clean() {
    // Over a bump, without a quarantine: the suite's frees must give the
    // bump its last block back, which a held block never is.
    let mut buf = std::vec![MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
    let a = DebugAlloc::with_config(
        Bump::new(&mut buf),
        Config::new()
            .with_quarantine(0, 0)
            .with_on_drop(OnDrop::Ignore),
    );
    testing::conformance(&a);
    assert_eq!(a.check(), Ok(()), "the suite frees what it allocates");

    // Over the global allocator, with the default quarantine.
    let global = test_allocator();
    testing::conformance(&global);
    global
        .finish()
        .expect("clean over the global allocator too");
}

#[test]
fn a_leak_names_the_line_that_allocated_it() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = quiet(&mut buf);
    let h = a.allocator();
    let (kept, line) = (h.create([0u64; 4]).unwrap(), line!());
    let freed = h.create(1u16).unwrap();
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(freed) };
    let report = a.check().unwrap_err();
    println!("{report}");
    assert_eq!(report.leaks.len(), 1);
    assert!(report.misuses.is_empty());
    let leak = &report.leaks[0];
    assert_eq!(
        (leak.address, leak.len, leak.align),
        (kept.addr().get(), 32, EIGHT)
    );
    assert_eq!(leak.allocated_at.caller.location().file(), file!());
    assert_eq!(leak.allocated_at.caller.location().line(), line);
    let text = report.to_string();
    assert!(text.starts_with("1 leak (32 bytes):\n  leak: 32 bytes (align 8) at 0x"));
    assert!(text.ends_with(&std::format!("allocated at {}", leak.allocated_at.caller)));
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(kept) };
    assert_eq!(a.check(), Ok(()));
}

#[test]
fn a_double_free_is_caught_and_not_passed_on() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Counting::new(Bump::new(&mut buf)),
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let h = a.allocator();
    let (p, allocated) = (h.create(5u64).unwrap(), line!());
    let _after = h.create(6u64).unwrap();
    let freed = line!() + 2;
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(p) };
    let again = line!() + 3;
    // SAFETY: deliberately wrong, a double free: the debug allocator
    // catches it and does not pass it on (`u64` has no drop glue).
    unsafe { h.destroy(p) };
    assert_eq!(a.inner().stats().frees, 0, "the first free is quarantined");
    assert_eq!(a.release_quarantine(), 1);
    assert_eq!(
        a.inner().stats().frees,
        1,
        "the second free was not passed on"
    );
    let m = &a.misuses()[0];
    println!("{}", a.report());
    assert_eq!(
        (m.kind, m.op, m.address, m.len),
        (MisuseKind::AlreadyFreed, Op::Free, p.addr().get(), 8)
    );
    assert_eq!(m.at.caller.location().line(), again);
    let block = m.block.as_ref().unwrap();
    assert_eq!(block.allocated_at.caller.location().line(), allocated);
    assert_eq!(
        block.freed_at.as_ref().unwrap().caller.location().line(),
        freed
    );
    let text = m.to_string();
    assert!(text.starts_with("double free: 0x"), "{text}");
    assert!(text.contains(", first freed at "), "{text}");
}

#[test]
fn a_free_of_memory_from_elsewhere_is_caught() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let mut other_buf = [MaybeUninit::uninit(); 64];
    let a = DebugAlloc::with_config(
        Counting::new(Bump::new(&mut buf)),
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let other = Bump::new(&mut other_buf);
    let h = a.allocator();
    let mut on_stack = 7u32;
    let from_other = other.allocator().create(8u32).unwrap();
    let block = h.alloc_slice::<u32>(8).unwrap();
    // SAFETY: `block` has 8 elements: `1` is inside it.
    let interior = unsafe { block.cast::<u32>().add(1) };
    for foreign in [NonNull::from(&mut on_stack), from_other, interior] {
        // SAFETY: deliberately wrong: none of these came from `h`. The
        // debug allocator catches them and passes nothing on.
        unsafe { h.destroy(foreign) };
    }
    assert_eq!(a.inner().stats().frees, 0);
    let report = a.report();
    println!("{report}");
    let kinds: Vec<_> = report.misuses.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [MisuseKind::NotAllocated; 3]);
    assert!(report.misuses[..2].iter().all(|m| m.block.is_none()));
    let inside = report.misuses[2].block.as_ref().unwrap();
    assert_eq!(
        (inside.address, inside.len),
        (block.cast::<u8>().addr().get(), 32)
    );
    assert!(
        report.misuses[2]
            .to_string()
            .contains("inside the 32-byte block at 0x")
    );
    assert!(
        report.misuses[0]
            .to_string()
            .starts_with("free of memory not allocated here: 0x")
    );
    assert_eq!(on_stack, 7);
    // SAFETY: from `alloc_slice` on `h`, freed once.
    unsafe { h.free_slice(block) };
}

#[test]
fn a_free_with_the_wrong_length_or_alignment_is_caught() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Counting::new(Bump::new(&mut buf)),
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let p = a.alloc(24, EIGHT, Caller::here()).unwrap();
    for (len, align) in [(16, EIGHT), (24, Alignment::ONE)] {
        // SAFETY: deliberately wrong length, then wrong alignment:
        // caught, not passed on.
        unsafe { a.free(raw(p, len), align, Caller::here()) };
    }
    assert_eq!(a.inner().stats().frees, 0);
    let report = a.report();
    println!("{report}");
    let m = &report.misuses;
    assert_eq!(
        (m[0].kind, m[0].len, m[0].align),
        (MisuseKind::WrongLength, 16, EIGHT)
    );
    assert_eq!(
        (m[1].kind, m[1].len, m[1].align),
        (MisuseKind::WrongAlignment, 24, Alignment::ONE)
    );
    assert!(m[0].to_string().contains("(16 bytes, align 8)"));
    assert!(
        m[0].to_string()
            .contains("; the block is 24 bytes (align 8), allocated at ")
    );
    assert!(
        m[1].to_string()
            .starts_with("free with the wrong alignment: ")
    );
    assert_eq!(report.leaks.len(), 1, "the block is still live");
    // SAFETY: the right length and alignment.
    unsafe { a.free(raw(p, 24), EIGHT, Caller::here()) };
    assert!(a.leaks().is_empty());
}

#[test]
fn a_bad_resize_is_false_and_a_bad_remap_none() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Counting::new(Bump::new(&mut buf)),
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let p = a.alloc(16, EIGHT, Caller::here()).unwrap();
    let q = a.alloc(16, EIGHT, Caller::here()).unwrap();
    // SAFETY: `q` is live with these arguments, freed once.
    unsafe { a.free(raw(q, 16), EIGHT, Caller::here()) };
    let bad_resizes = [
        (p, 8, EIGHT, 32),
        (p, 16, Alignment::ONE, 32),
        (p, 16, EIGHT, 0),
        (q, 16, EIGHT, 32),
    ];
    for (ptr, len, align, new_len) in bad_resizes {
        // SAFETY: deliberately wrong, each of them: caught, not passed on.
        let resized = unsafe { a.resize(raw(ptr, len), align, new_len, Caller::here()) };
        assert!(!resized);
    }
    for (ptr, len) in [(p, 12), (q, 16)] {
        // SAFETY: deliberately wrong (wrong length, freed): caught.
        let remapped = unsafe { a.remap(raw(ptr, len), EIGHT, 4, Caller::here()) };
        assert!(remapped.is_none());
    }
    let s = a.inner().stats();
    assert_eq!((s.resizes, s.remaps), (0, 0));
    let report = a.report();
    println!("{report}");
    let got: Vec<_> = report
        .misuses
        .iter()
        .map(|m| (m.op, m.kind, m.new_len))
        .collect();
    assert_eq!(
        got,
        [
            (Op::Resize, MisuseKind::WrongLength, Some(32)),
            (Op::Resize, MisuseKind::WrongAlignment, Some(32)),
            (Op::Resize, MisuseKind::ZeroLength, Some(0)),
            (Op::Resize, MisuseKind::AlreadyFreed, Some(32)),
            (Op::Remap, MisuseKind::WrongLength, Some(4)),
            (Op::Remap, MisuseKind::AlreadyFreed, Some(4)),
        ]
    );
    assert!(
        report.misuses[0]
            .to_string()
            .contains("(8 -> 32 bytes, align 8)")
    );
    assert!(
        report.misuses[3]
            .to_string()
            .starts_with("resize of freed memory: ")
    );
    // `q` goes back to the bump, which takes the last block's bytes back:
    // `p` is last again.
    assert_eq!(a.release_quarantine(), 1);
    // SAFETY: the right arguments: a live block, grown in place.
    assert!(unsafe { a.resize(raw(p, 16), EIGHT, 32, Caller::here()) });
    // SAFETY: live with its new length.
    unsafe { a.free(raw(p, 32), EIGHT, Caller::here()) };
    assert!(a.leaks().is_empty());
}

#[test]
fn freed_memory_reads_as_poison() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = quiet(&mut buf);
    let h = a.allocator();
    let p = h.create(0x0123_4567_89AB_CDEFu64).unwrap();
    let _later = h.create(0u64).unwrap(); // so `p` is not the bump's last block
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(p) };
    // SAFETY: the bump does not take back a block that is not its last,
    // so `p`'s 8 bytes are still valid memory of its buffer (a read
    // after free only in the allocator's bookkeeping). They are
    // initialized: the debug allocator wrote the poison there.
    let stale = unsafe { p.read() };
    assert_eq!(stale, u64::from_ne_bytes([POISON; 8]));
}

#[test]
fn the_tail_cut_off_by_a_shrink_reads_as_poison() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Counting::new(Bump::new(&mut buf)),
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let h = a.allocator();
    let s = h.dupe(&[7u8; 16]).unwrap();
    // SAFETY: from `dupe` on `h` with this length.
    let short = unsafe { h.realloc(s, 4) }.unwrap();
    assert_eq!(short.cast::<u8>(), s.cast::<u8>(), "shrunk in place");
    // SAFETY: the debug allocator keeps the parent's 16-byte block
    // while the user holds 4 bytes, so the tail is valid memory still,
    // initialized with the poison.
    let tail = unsafe { s.cast::<[u8; 16]>().read() };
    assert_eq!(tail[..4], [7; 4]);
    assert_eq!(tail[4..], [POISON; 12]);
    // Growing back within the parent's block needs no parent call.
    // SAFETY: `short` is live with 4 bytes.
    let long = unsafe { h.realloc(short, 12) }.unwrap();
    assert_eq!(a.inner().stats().resizes, 0);
    // SAFETY: `realloc` kept 4 bytes and the debug allocator filled the rest.
    let grown = unsafe { long.as_ref() };
    assert_eq!(
        grown[..],
        [7, 7, 7, 7, FILL, FILL, FILL, FILL, FILL, FILL, FILL, FILL]
    );
    // SAFETY: live with 12 bytes.
    unsafe { h.free_slice(long) };
    assert_eq!(a.check(), Ok(()));
    assert_eq!(a.release_quarantine(), 1);
    assert_eq!(
        a.inner().stats().live_bytes,
        0,
        "the parent got its 16 bytes back"
    );
}

#[test]
fn fresh_memory_is_filled_and_can_be_left_alone() {
    let mut buf = [MaybeUninit::new(0x11); 64];
    let a = quiet(&mut buf);
    let s = a.allocator().alloc_slice::<u8>(8).unwrap();
    // SAFETY: filled by the debug allocator.
    assert_eq!(unsafe { s.as_ref() }, [FILL; 8]);
    // SAFETY: live, freed once.
    unsafe { a.allocator().free_slice(s) };
    drop(a);
    let a = DebugAlloc::with_config(
        Bump::new(&mut buf),
        Config::new().with_fill(None).with_poison(None),
    );
    let s = a.allocator().alloc_slice::<u8>(8).unwrap();
    // SAFETY: the buffer's bytes, initialized to 0xDD by the free above.
    assert_eq!(unsafe { s.as_ref() }, [POISON; 8]);
    // SAFETY: live, freed once.
    unsafe { a.allocator().free_slice(s) };
}

#[test]
fn correct_code_passes() {
    let mut buf = std::vec![MaybeUninit::uninit(); 64 * 1024];
    let on_bump = quiet(&mut buf);
    let on_heap = test_allocator();
    fn exercise<A: allocator_api2::alloc::Allocator + Copy>(a: A) {
        let n = if cfg!(miri) { 40 } else { 400 };
        let mut v: ApiVec<u64, A> = ApiVec::new_in(a);
        v.extend(0..n);
        v.truncate(3);
        v.shrink_to_fit();
        assert_eq!(v, [0, 1, 2]);
        let b = Box::new_in([3u16; 17], a);
        assert_eq!(b[16], 3);
        let mut map =
            hashbrown::HashMap::with_hasher_in(hashbrown::DefaultHashBuilder::default(), a);
        for i in 0..n {
            map.insert(i, i * 2);
        }
        map.retain(|k, _| k % 3 == 0);
        map.shrink_to_fit();
        assert_eq!(map[&9], 18);
    }
    exercise(&on_bump);
    exercise(on_bump.allocator());
    exercise(&on_heap);
    exercise(on_heap.allocator());
    assert_eq!(on_bump.check(), Ok(()));
    on_heap.finish().unwrap();
}

#[test]
fn misuses_past_the_limit_are_counted() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let a = DebugAlloc::with_config(
        Bump::new(&mut buf),
        Config::new()
            .with_max_misuses(2)
            .with_on_drop(OnDrop::Ignore),
    );
    let mut x = 0u8;
    for _ in 0..5 {
        // SAFETY: deliberately wrong: not from `a`; caught, not passed on.
        unsafe {
            a.free(
                raw(NonNull::from(&mut x), 1),
                Alignment::ONE,
                Caller::here(),
            )
        };
    }
    let report = a.report();
    assert_eq!((report.misuses.len(), report.dropped_misuses), (2, 3));
    assert_eq!(report.misuse_count(), 5);
    let text = report.to_string();
    assert!(text.starts_with("5 misuses:\n"));
    assert!(
        text.ends_with("\n  … and 3 more misuses not kept"),
        "{text}"
    );
}

#[test]
fn double_frees_are_remembered_up_to_the_limit() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Bump::new(&mut buf),
        Config::new()
            .with_max_freed(2)
            .with_quarantine(0, 0)
            .with_on_drop(OnDrop::Ignore),
    );
    let blocks: Vec<_> = (0..4)
        .map(|_| a.alloc(8, EIGHT, Caller::here()).unwrap())
        .collect();
    for &p in &blocks {
        // SAFETY: live, freed once.
        unsafe { a.free(raw(p, 8), EIGHT, Caller::here()) };
    }
    for &p in &blocks {
        // SAFETY: deliberately wrong, double frees: caught, not passed on.
        unsafe { a.free(raw(p, 8), EIGHT, Caller::here()) };
    }
    let kinds: Vec<_> = a.misuses().iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        [
            MisuseKind::NotAllocated,
            MisuseKind::NotAllocated,
            MisuseKind::AlreadyFreed,
            MisuseKind::AlreadyFreed
        ]
    );
    assert!(a.state.borrow().freed_order.len() <= 2 * 2 + 16);
}

#[test]
fn an_address_handed_out_again_is_live_not_freed() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let a = DebugAlloc::with_config(
        Bump::new(&mut buf),
        Config::new()
            .with_quarantine(0, 0)
            .with_on_drop(OnDrop::Ignore),
    );
    let p = a.alloc(8, EIGHT, Caller::here()).unwrap();
    // SAFETY: live, freed once.
    unsafe { a.free(raw(p, 8), EIGHT, Caller::here()) };
    let q = a.alloc(16, EIGHT, Caller::here()).unwrap();
    assert_eq!(p, q, "the bump hands the last block's bytes out again");
    // SAFETY: live, freed once.
    unsafe { a.free(raw(q, 16), EIGHT, Caller::here()) };
    assert_eq!(a.check(), Ok(()));
}

/// A parent that calls back into the debug allocator wrapping it.
struct Reenter<'b> {
    bump: Bump<'b>,
    hook: Cell<Option<Handle<'static>>>,
}

// SAFETY: forwards to the bump; the hook's calls are refused by the
// debug allocator (its bookkeeping is busy) and hand out nothing.
unsafe impl RawAlloc for Reenter<'_> {
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if let Some(hook) = self.hook.get() {
            assert!(hook.alloc(len, align, caller).is_none());
            let mut x = 0u8;
            // SAFETY: the debug allocator refuses it without looking.
            unsafe { hook.free(raw(NonNull::from(&mut x), 1), Alignment::ONE, caller) };
        }
        RawAlloc::alloc(&self.bump, len, align, caller)
    }

    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        // SAFETY: the caller's contract, for the bump.
        unsafe { self.bump.free(memory, align, caller) }
    }
}

#[test]
fn reentrant_calls_are_refused_and_counted() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let parent = Reenter {
        bump: Bump::new(&mut buf),
        hook: Cell::new(None),
    };
    let a = DebugAlloc::with_config(&parent, Config::new().with_on_drop(OnDrop::Ignore));
    // SAFETY: the context is `a`, of the type the table is for; the
    // hook is cleared below, before `a` goes away.
    let hook = unsafe {
        Handle::from_raw_parts(
            NonNull::from(&a).cast(),
            VTable::of::<DebugAlloc<&Reenter<'_>>>(),
        )
    };
    parent.hook.set(Some(hook));
    let p = a.alloc(4, Alignment::ONE, Caller::here()).unwrap();
    parent.hook.set(None);
    // SAFETY: live, freed once.
    unsafe { a.free(raw(p, 4), Alignment::ONE, Caller::here()) };
    let report = a.report();
    assert_eq!(report.reentrant_calls, 2);
    assert!(report.leaks.is_empty() && report.misuses.is_empty());
    assert_eq!(report.to_string(), "2 reentrant calls refused:");
}

#[test]
fn a_zero_size_request_is_refused() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let a = quiet(&mut buf);
    assert!(a.alloc(0, Alignment::ONE, Caller::here()).is_none());
    assert_eq!(a.inner().used(), 0);
    assert!(a.report().is_clean());
}

#[test]
fn a_site_inside_a_collection_adds_a_note() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let a = quiet(&mut buf);
    let v: ApiVec<u8, _> = ApiVec::with_capacity_in(4, &a);
    let report = a.report();
    println!("{report}");
    assert!(report.leaks[0].allocated_at.is_inside_collection());
    assert!(
        report
            .to_string()
            .contains("\n  note: sites inside allocator-api2")
    );
    drop(v);
}

#[cfg(not(miri))]
#[test]
fn backtraces_inside_this_crate_find_no_user_frame() {
    // Every frame of a unit test is in `alloc_runtime`, so the site
    // falls back to the caller (the integration tests see a frame).
    let mut buf = [MaybeUninit::uninit(); 64];
    let a = DebugAlloc::with_config(
        Bump::new(&mut buf),
        Config::new()
            .with_backtraces(true)
            .with_on_drop(OnDrop::Ignore),
    );
    let p = a.allocator().create(1u8).unwrap();
    let leak = &a.leaks()[0];
    assert_eq!(
        leak.allocated_at.to_string(),
        leak.allocated_at.caller.to_string()
    );
    // SAFETY: from `create` here, destroyed once.
    unsafe { a.allocator().destroy(p) };
}

/// Frees a block through the global allocator when dropped: declared
/// before a panicking test allocator, it runs during the unwinding, so
/// the deliberate leak does not outlive the test (Miri checks).
struct FreeLater(Cell<Option<NonNull<u64>>>);

impl Drop for FreeLater {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            // SAFETY: `p` came from `create::<u64>` on a test
            // allocator, whose parent is `Global`, and was not freed.
            unsafe { Global.allocator().destroy(p) };
        }
    }
}

#[test]
#[should_panic(
    expected = "alloc_runtime::debug: 1 leak (8 bytes):\n  leak: 8 bytes (align 8) at 0x"
)]
fn the_test_allocator_panics_on_a_leak() {
    let cleanup = FreeLater(Cell::new(None));
    let a = test_allocator();
    cleanup.0.set(Some(a.allocator().create(1u64).unwrap()));
    drop(a);
}

#[test]
#[should_panic(expected = "alloc_runtime::debug: 1 misuse:\n  double free: 0x")]
fn the_test_allocator_panics_on_misuse() {
    let a = test_allocator();
    let p = a.allocator().create(1u64).unwrap();
    // SAFETY: from `create`, destroyed once.
    unsafe { a.allocator().destroy(p) };
    // SAFETY: deliberately again: caught, not passed on. Through `free`,
    // not `destroy`: the memory is freed (held in the quarantine, and it
    // would be the global allocator's again without it), so even dropping
    // the `u64` in place would touch freed memory.
    unsafe { a.free(raw(p.cast(), 8), EIGHT, Caller::here()) };
}

#[test]
fn the_test_allocator_is_quiet_when_all_is_well() {
    let a = test_allocator();
    let mut v: ApiVec<u32, _> = ApiVec::new_in(&a);
    v.extend(0..10);
    assert_eq!(v.len(), 10);
    drop(v);
    // Dropped at the end of the test: no panic.
}

#[test]
fn finish_returns_the_report_instead_of_panicking() {
    let a = test_allocator();
    let p = a.allocator().create(9u64).unwrap();
    let report = a.finish().unwrap_err();
    assert_eq!(report.leaks.len(), 1);
    // SAFETY: from `create` on the test allocator over `Global`.
    unsafe { Global.allocator().destroy(p) };
}

// Validation before a move (issue 7, section 2, first bullet).

#[test]
fn validate_refuses_what_is_not_a_live_block_and_records_it() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Counting::new(Bump::new(&mut buf)),
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let p = a.alloc(16, EIGHT, Caller::here()).unwrap();
    let q = a.alloc(8, EIGHT, Caller::here()).unwrap();
    // SAFETY: `q` is live with these arguments, freed once.
    unsafe { a.free(raw(q, 8), EIGHT, Caller::here()) };
    // SAFETY: `p` is a live 16-byte block.
    unsafe { p.as_ptr().write_bytes(0x5A, 16) };
    assert!(a.validate(raw(p, 16), EIGHT, Caller::here()));
    assert!(a.misuses().is_empty(), "a live block is no misuse");

    let mut on_stack = [0u8; 4];
    let stack = NonNull::from(&mut on_stack).cast::<u8>();
    // SAFETY: `p` has 16 bytes: `4` is inside it.
    let interior = unsafe { p.add(4) };
    let wrong = [
        (raw(p, 32), EIGHT, MisuseKind::WrongLength),
        (raw(p, 8), EIGHT, MisuseKind::WrongLength),
        (raw(p, 16), Alignment::ONE, MisuseKind::WrongAlignment),
        (raw(q, 8), EIGHT, MisuseKind::AlreadyFreed),
        (raw(stack, 4), Alignment::ONE, MisuseKind::NotAllocated),
        (raw(interior, 4), Alignment::ONE, MisuseKind::NotAllocated),
    ];
    for (memory, align, _) in wrong {
        assert!(!a.validate(memory, align, Caller::here()), "{memory:p}");
    }
    let report = a.report();
    println!("{report}");
    let got: Vec<_> = report.misuses.iter().map(|m| (m.op, m.kind)).collect();
    let expected: Vec<_> = wrong.iter().map(|&(_, _, kind)| (Op::Move, kind)).collect();
    assert_eq!(got, expected);
    assert!(
        report.misuses[0]
            .to_string()
            .starts_with("move with the wrong length: 0x"),
        "{}",
        report.misuses[0]
    );
    assert!(
        report.misuses[3]
            .to_string()
            .starts_with("move of freed memory: 0x")
    );
    // Nothing touched: not the block, not the stack, not the parent.
    // SAFETY: `p` is live with 16 initialized bytes.
    assert_eq!(unsafe { raw(p, 16).as_ref() }, [0x5A; 16]);
    assert_eq!(on_stack, [0; 4]);
    let s = a.inner().stats();
    assert_eq!((s.allocations, s.resizes, s.remaps, s.frees), (2, 0, 0, 0));
    assert_eq!(a.leaks().len(), 1);
    // SAFETY: live with these arguments, freed once.
    unsafe { a.free(raw(p, 16), EIGHT, Caller::here()) };
    assert!(a.leaks().is_empty());
}

// The quarantine (issue 7, section 2, second bullet).

/// The scenario: free `p`, allocate `q`, free `p` again.
#[test]
fn a_stale_free_is_a_double_free_and_spares_the_block_allocated_since() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Counting::new(Bump::new(&mut buf)),
        Config::new().with_on_drop(OnDrop::Ignore),
    );
    let h = a.allocator();
    let p = h.create(1u64).unwrap();
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(p) };
    let q = h.create(0x0123_4567_89AB_CDEFu64).unwrap();
    assert_ne!(q, p, "the bump would hand `p`'s bytes out again; held back");
    let again = line!() + 2;
    // SAFETY: deliberately wrong, a stale free: caught, not passed on.
    unsafe { a.free(raw(p.cast(), 8), EIGHT, Caller::here()) };
    let m = a.misuses();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].kind, m[0].op, m[0].address),
        (MisuseKind::AlreadyFreed, Op::Free, p.addr().get())
    );
    assert_eq!(m[0].at.caller.location().line(), again);
    assert!(m[0].to_string().starts_with("double free: 0x"));
    // SAFETY: `q` is live; the stale free did not reach it.
    assert_eq!(unsafe { q.read() }, 0x0123_4567_89AB_CDEF);
    assert_eq!(a.live_allocations(), 1);
    assert_eq!(a.leaks()[0].address, q.addr().get());
    assert_eq!(a.inner().stats().frees, 0, "nothing reached the parent");
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(q) };
    assert!(a.leaks().is_empty());
}

#[test]
fn a_stale_free_over_the_global_allocator_is_a_double_free() {
    let a = DebugAlloc::with_config(Global, Config::new().with_on_drop(OnDrop::Ignore));
    let h = a.allocator();
    let p = h.create([1u64; 4]).unwrap();
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(p) };
    let q = h.create([7u64; 4]).unwrap();
    assert_ne!(q.cast::<u8>(), p.cast::<u8>(), "`p` is still held back");
    // SAFETY: deliberately wrong, a stale free: caught, not passed on; the
    // memory is held in the quarantine, not the global allocator's.
    unsafe { a.free(raw(p.cast(), 32), EIGHT, Caller::here()) };
    let kinds: Vec<_> = a.misuses().iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [MisuseKind::AlreadyFreed]);
    // SAFETY: `q` is live.
    assert_eq!(unsafe { q.read() }, [7; 4]);
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(q) };
    let report = a.finish().unwrap_err();
    assert!(report.leaks.is_empty());
}

/// What the quarantine is for: without it, the stale free names the new
/// block and frees it, which no allocator that reuses addresses can tell.
#[test]
fn without_a_quarantine_a_stale_free_of_a_reused_address_goes_unseen() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Counting::new(Bump::new(&mut buf)),
        Config::new()
            .with_quarantine(0, 0)
            .with_on_drop(OnDrop::Ignore),
    );
    let p = a.alloc(8, EIGHT, Caller::here()).unwrap();
    // SAFETY: live, freed once.
    unsafe { a.free(raw(p, 8), EIGHT, Caller::here()) };
    let q = a.alloc(8, EIGHT, Caller::here()).unwrap();
    assert_eq!(q, p, "the bump hands the bytes out again at once");
    // SAFETY: the "stale" free names the live block `q` with its own
    // length and alignment: to the allocator, it is `q`'s free.
    unsafe { a.free(raw(p, 8), EIGHT, Caller::here()) };
    assert!(a.misuses().is_empty());
    assert_eq!(a.live_allocations(), 0, "`q` was freed");
    assert_eq!(a.inner().stats().frees, 2);
}

#[test]
fn the_quarantine_gives_the_oldest_block_back_past_its_block_limit() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Counting::new(Bump::new(&mut buf)),
        Config::new()
            .with_quarantine(2, usize::MAX)
            .with_on_drop(OnDrop::Ignore),
    );
    let blocks: Vec<_> = (0..3)
        .map(|_| a.alloc(8, EIGHT, Caller::here()).unwrap())
        .collect();
    for (i, &p) in blocks.iter().enumerate() {
        // SAFETY: live, freed once.
        unsafe { a.free(raw(p, 8), EIGHT, Caller::here()) };
        assert_eq!(a.inner().stats().frees, i.saturating_sub(1) as u64);
    }
    assert_eq!(a.live_allocations(), 0);
    assert!(a.report().is_clean(), "held blocks are not leaks");
    for &p in &blocks {
        // SAFETY: deliberately wrong, double frees: caught, not passed on
        // (the oldest was given back and is remembered, the others held).
        unsafe { a.free(raw(p, 8), EIGHT, Caller::here()) };
    }
    let kinds: Vec<_> = a.misuses().iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [MisuseKind::AlreadyFreed; 3]);
    assert_eq!(a.inner().stats().frees, 1);
    assert!(std::format!("{a:?}").contains("quarantined_blocks: 2"));
    assert_eq!(a.release_quarantine(), 2);
    assert_eq!(a.inner().stats().frees, 3);
}

#[test]
fn the_quarantine_gives_blocks_back_past_its_byte_limit() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Counting::new(Bump::new(&mut buf)),
        Config::new()
            .with_quarantine(usize::MAX, 24)
            .with_on_drop(OnDrop::Ignore),
    );
    let small = [16, 16].map(|len| a.alloc(len, EIGHT, Caller::here()).unwrap());
    let large = a.alloc(32, EIGHT, Caller::here()).unwrap();
    // SAFETY: live, freed once.
    unsafe { a.free(raw(small[0], 16), EIGHT, Caller::here()) };
    assert_eq!(a.inner().stats().frees, 0);
    // SAFETY: live, freed once.
    unsafe { a.free(raw(small[1], 16), EIGHT, Caller::here()) };
    assert_eq!(
        a.inner().stats().frees,
        1,
        "32 held bytes > 24: the oldest goes"
    );
    // SAFETY: live, freed once.
    unsafe { a.free(raw(large, 32), EIGHT, Caller::here()) };
    assert_eq!(
        a.inner().stats().frees,
        2,
        "a block over the limit goes straight back"
    );
    assert!(std::format!("{a:?}").contains("quarantined_bytes: 16"));
    assert_eq!(a.release_quarantine(), 1);
    assert_eq!(a.inner().stats().live_bytes, 0);
}

#[test]
fn the_quarantine_goes_back_to_the_parent_on_drop_and_on_finish() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let counting = Counting::new(Bump::new(&mut buf));
    for finish in [false, true] {
        let before = counting.stats().frees;
        // Panics on drop if anything were on record: held blocks are not.
        let a = DebugAlloc::with_config(&counting, Config::new().with_on_drop(OnDrop::Panic));
        let h = a.allocator();
        let blocks: Vec<_> = (0..3u32).map(|i| h.create(i).unwrap()).collect();
        for p in blocks {
            // SAFETY: from `create` on `h`, destroyed once.
            unsafe { h.destroy(p) };
        }
        assert_eq!(a.live_allocations(), 0);
        assert_eq!(counting.stats().frees, before, "all three held");
        if finish {
            a.finish().unwrap();
        } else {
            drop(a);
        }
        assert_eq!(counting.stats().frees, before + 3);
        assert_eq!(counting.stats().live_bytes, 0);
    }
}

// Queries while busy (issue 7, section 2, third bullet).

/// What each query answered, asked from a sink below the allocator.
#[derive(Debug)]
struct Answers {
    busy: bool,
    live: usize,
    leaks: usize,
    misuses: usize,
    report: Report,
    check: Result<(), Report>,
    released: usize,
    valid: bool,
    debug: std::string::String,
}

/// Asks a debug allocator every query.
trait Probe {
    fn probe(&self, memory: NonNull<[u8]>) -> Answers;
}

impl<A: RawAlloc + core::fmt::Debug> Probe for DebugAlloc<A> {
    fn probe(&self, memory: NonNull<[u8]>) -> Answers {
        Answers {
            busy: self.is_busy(),
            live: self.live_allocations(),
            leaks: self.leaks().len(),
            misuses: self.misuses().len(),
            report: self.report(),
            check: self.check(),
            released: self.release_quarantine(),
            valid: self.validate(memory, Alignment::ONE, Caller::here()),
            debug: std::format!("{self:?}"),
        }
    }
}

#[test]
fn queries_from_a_logging_sink_below_never_panic() {
    use crate::logging::{Event, Logging};
    use alloc::rc::{Rc, Weak};
    use core::cell::{OnceCell, RefCell};

    let slot: Rc<OnceCell<Weak<dyn Probe>>> = Rc::new(OnceCell::new());
    let answers: Rc<RefCell<Vec<(std::string::String, Answers)>>> = Rc::default();
    let sink = {
        let (slot, answers) = (Rc::clone(&slot), Rc::clone(&answers));
        move |event: &Event| {
            let Some(a) = slot.get().and_then(Weak::upgrade) else {
                return;
            };
            let mut x = 0u8;
            let memory = raw(NonNull::from(&mut x), 1);
            let answer = a.probe(memory);
            answers.borrow_mut().push((event.to_string(), answer));
        }
    };
    let a = Rc::new(DebugAlloc::with_config(
        Logging::new(Global, sink),
        Config::new().with_on_drop(OnDrop::Ignore),
    ));
    let weak: Weak<dyn Probe> = Rc::downgrade(&a) as Weak<_>;
    assert!(slot.set(weak).is_ok());

    let kept = Box::new_in(1u64, &*a); // alloc: one probe
    let mut v: ApiVec<u8, _> = ApiVec::with_capacity_in(1, &*a); // alloc
    v.extend([1, 2]); // grow: resize (refused by `Global`), alloc, then the old block is held
    drop(v); // held
    assert_eq!(a.release_quarantine(), 2); // two frees reach the parent
    drop(kept); // held

    let answers = answers.borrow();
    let events: Vec<_> = answers.iter().map(|(e, _)| e.as_str()).collect();
    println!("{events:#?}");
    assert!(answers.len() >= 5, "{events:?}");
    for (event, answer) in answers.iter() {
        assert!(answer.busy, "{event}");
        assert_eq!(
            (answer.leaks, answer.misuses, answer.released),
            (0, 0, 0),
            "{event}"
        );
        assert!(answer.report.leaks.is_empty() && answer.report.misuses.is_empty());
        assert!(
            answer.report.reentrant_calls > 0,
            "a busy report is never clean"
        );
        assert!(!answer.report.is_clean());
        assert!(answer.check.is_err(), "{event}");
        assert!(!answer.valid, "{event}");
        assert!(answer.debug.contains("<busy>"), "{}", answer.debug);
        assert!(answer.live <= 2, "{event}");
    }
    // The first probe ran inside the first allocation: nothing was live.
    assert_eq!(answers[0].1.live, 0);
    assert!(events[0].starts_with("alloc("), "{}", events[0]);
    // Each probe refused six queries: leaks, misuses, report, check,
    // release_quarantine and validate.
    let report = a.report();
    assert_eq!(report.reentrant_calls, 6 * answers.len() as u64);
    assert!(report.leaks.is_empty() && report.misuses.is_empty());
    assert_eq!(a.live_allocations(), 0);
}

/// The bridge's fallback chain for one wrong grow: `resize`, `remap`, then
/// `validate` before the move, all with the same block and caller.
#[test]
fn one_wrong_grow_is_one_misuse_however_many_steps_refuse_it() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = quiet(&mut buf);
    let p = a.alloc(16, EIGHT, Caller::here()).unwrap();
    let (caller, wrong) = (Caller::here(), raw(p, 64));
    // SAFETY: deliberately wrong (64 bytes, not 16): caught, not passed on.
    assert!(!unsafe { a.resize(wrong, EIGHT, 128, caller) });
    // SAFETY: as above.
    assert!(unsafe { a.remap(wrong, EIGHT, 128, caller) }.is_none());
    assert!(!a.validate(wrong, EIGHT, caller));
    let m = a.misuses();
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(
        (m[0].op, m[0].kind, m[0].len, m[0].new_len),
        (Op::Move, MisuseKind::WrongLength, 64, Some(128))
    );
    assert!(
        m[0].to_string()
            .starts_with("move with the wrong length: 0x"),
        "{}",
        m[0]
    );
    assert!(m[0].to_string().contains("(64 -> 128 bytes, align 8)"));
    // Another call (another caller) is another misuse, and so is a second
    // resize from the same caller: only the chain's order folds.
    assert!(!a.validate(wrong, EIGHT, Caller::here()));
    // SAFETY: deliberately wrong, as above.
    assert!(!unsafe { a.resize(wrong, EIGHT, 128, caller) });
    // SAFETY: as above.
    assert!(!unsafe { a.resize(wrong, EIGHT, 128, caller) });
    let ops: Vec<_> = a.misuses().iter().map(|m| m.op).collect();
    assert_eq!(ops, [Op::Move, Op::Move, Op::Resize, Op::Resize]);
    // SAFETY: live with these arguments, freed once.
    unsafe { a.free(raw(p, 16), EIGHT, Caller::here()) };
}

#[test]
fn a_write_after_free_is_found_when_the_block_leaves_the_quarantine() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = quiet(&mut buf);
    let h = a.allocator();
    let (p, allocated) = (h.create([0u8; 16]).unwrap(), line!());
    let freed = line!() + 2;
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(p) };
    // SAFETY: `p` had 16 bytes: `5` is inside them.
    let byte = unsafe { p.cast::<u8>().add(5) };
    // SAFETY: deliberately wrong, a write after free. The block is held in
    // the quarantine, so its bytes are still valid memory of the bump's
    // buffer; only the allocator's bookkeeping calls them freed.
    unsafe { byte.write(7) };
    assert!(a.misuses().is_empty(), "not seen before the block leaves");
    let released = line!() + 1;
    assert_eq!(a.release_quarantine(), 1);
    let m = a.misuses();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].kind, m[0].op, m[0].address, m[0].len),
        (
            MisuseKind::WrittenAfterFree { offset: 5 },
            Op::Free,
            p.addr().get(),
            16
        )
    );
    assert_eq!(m[0].at.caller.location().line(), released);
    let block = m[0].block.as_ref().unwrap();
    assert_eq!(block.allocated_at.caller.location().line(), allocated);
    assert_eq!(
        block.freed_at.as_ref().unwrap().caller.location().line(),
        freed
    );
    let text = m[0].to_string();
    println!("{text}");
    assert!(text.starts_with("write after free: 0x"), "{text}");
    assert!(text.contains(" (16 bytes, align 1) found at "), "{text}");
    assert!(text.contains("; byte 5 changed; allocated at "), "{text}");

    // An untouched block passes.
    let q = h.create(1u32).unwrap();
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(q) };
    assert_eq!(a.release_quarantine(), 1);
    assert_eq!(a.misuses().len(), 1);
}

#[test]
fn without_a_poison_byte_a_write_after_free_goes_unseen() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let a = DebugAlloc::with_config(
        Bump::new(&mut buf),
        Config::new().with_poison(None).with_on_drop(OnDrop::Ignore),
    );
    let p = a.allocator().create(0u64).unwrap();
    // SAFETY: from `create` on this allocator, destroyed once.
    unsafe { a.allocator().destroy(p) };
    // SAFETY: deliberately wrong, a write after free, into memory still
    // held in the quarantine (valid bytes of the bump's buffer).
    unsafe { p.write(u64::MAX) };
    assert_eq!(a.release_quarantine(), 1);
    assert!(a.misuses().is_empty(), "nothing to compare with");
}

/// `DebugAlloc<A>` stays covariant in `A`, as a wrapper holding an `A` is.
#[allow(dead_code)]
fn is_covariant<'s, 'l: 's>(a: &'s DebugAlloc<Bump<'l>>) -> &'s DebugAlloc<Bump<'s>> {
    a
}

#[test]
fn moves_to_another_thread_with_its_quarantine() {
    let a = test_allocator();
    let h = a.allocator();
    let p = h.create([5u64; 4]).unwrap();
    // SAFETY: from `create` on `h`, destroyed once.
    unsafe { h.destroy(p) };
    assert!(std::format!("{a:?}").contains("quarantined_blocks: 1"));
    std::thread::scope(|s| {
        s.spawn(move || {
            let q = a.allocator().create(6u8).unwrap();
            // SAFETY: from `create` on this allocator, destroyed once.
            unsafe { a.allocator().destroy(q) };
            // Both blocks go back to the global allocator on this thread.
            a.finish().unwrap();
        });
    });
}
