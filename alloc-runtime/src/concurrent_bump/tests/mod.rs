//! Tests of `ConcurrentBump`: the conformance suite and allocator-api2
//! checks, `Bump`'s edges on one thread (alignment on the address, checked
//! arithmetic, the most recent block, foreign memory), and several threads
//! at once: disjoint aligned blocks, frees and reuse, growth and
//! shrinking, exhaustion.

use core::mem::MaybeUninit;
use core::ptr::NonNull;
use std::vec::Vec as StdVec;

use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;

use super::*;
use crate::test_support::{raw_alloc, raw_free, raw_remap, raw_resize};
use crate::testing;

pub(crate) mod contention;

use contention::{
    BURST, Got, PER_THREAD, assert_disjoint, check, fill, hammer, on_threads, threads,
};

/// A buffer of `bytes` uninitialized bytes on the heap (no loop writing
/// each one: slow under Miri).
fn storage(bytes: usize) -> StdVec<u8> {
    StdVec::with_capacity(bytes)
}

/// The buffer of `storage`, `bytes` long.
fn buffer(storage: &mut StdVec<u8>, bytes: usize) -> &mut [MaybeUninit<u8>] {
    &mut storage.spare_capacity_mut()[..bytes]
}

/// The addresses of the buffer of `bump`: `start..end`.
fn range(bump: &ConcurrentBump<'_>) -> (usize, usize) {
    (bump.base(), bump.base() + bump.capacity())
}

#[test]
fn passes_the_conformance_suite() {
    let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
    let bump = ConcurrentBump::new(&mut buf);
    testing::conformance(&bump);
    assert!(
        bump.used() < testing::CONFORMANCE_BYTES / 4,
        "the suite's leftovers on a bump"
    );
    let mut buf = [MaybeUninit::uninit(); 64 * 1024];
    testing::api2::all(&ConcurrentBump::new(&mut buf));
}

#[test]
fn reset_reuses_the_first_address() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let mut bump = ConcurrentBump::new(&mut buf);
    testing::reset_reuses_the_first_address(&mut bump, ConcurrentBump::reset);
}

#[test]
fn aligns_the_address_not_the_offset() {
    let mut buf = [MaybeUninit::<u8>::uninit(); 512];
    let odd = buf
        .iter()
        .position(|b| core::ptr::from_ref(b).addr() % 2 == 1)
        .unwrap();
    let bump = ConcurrentBump::new(&mut buf[odd..]);
    for al in [2, 4, 8, 16, 32, 64] {
        let _ = raw_alloc(&bump, 1, 1); // knock the position off alignment
        let p = raw_alloc(&bump, 3, al).unwrap();
        assert_eq!(p.addr().get() % al, 0, "align {al}");
    }
}

/// Where `alloc(len, align)` must put a block when the free space is
/// `cur..end`, computed the plain way.
fn expected(cur: usize, end: usize, len: usize, align: Alignment) -> Option<usize> {
    let at = align.forward(cur)?;
    (at.checked_add(len)? <= end).then_some(at)
}

/// Every alignment and the lengths at each edge of the arithmetic (zero,
/// exact fit, one more, the carry out of `before + len`), from the bump's
/// position: each outcome must be [`expected`]'s, and a refusal must leave
/// the bump as it was.
fn agrees_with_checked_arithmetic(bump: &ConcurrentBump<'_>) {
    let (start, end) = range(bump);
    let cur = start + bump.used();
    for log2 in 0..usize::BITS {
        let align = Alignment::from_log2(log2).unwrap();
        let before = (cur - 1) | (align.to_bytes() - 1);
        let no_carry = usize::MAX - before;
        let mut lens = std::vec![0, 1, 2, end - cur, end - cur + 1, isize::MAX as usize];
        if let Some(at) = align.forward(cur) {
            lens.extend([end.saturating_sub(at), end.saturating_sub(at) + 1]);
        }
        lens.extend([no_carry - 1, no_carry, no_carry.wrapping_add(1), usize::MAX]);
        for len in lens {
            let used = bump.used();
            let got = RawAlloc::alloc(bump, len, align, Caller::here());
            assert_eq!(
                got.map(|p| p.addr().get()),
                expected(cur, end, len, align),
                "alloc({len}, 2^{log2}) from {cur:#x} to {end:#x}"
            );
            match got {
                Some(p) => {
                    assert_eq!(bump.used(), p.addr().get() + len - start);
                    // Give the block back (the most recent), then its padding.
                    let pad = p.addr().get() - cur;
                    // SAFETY: `cur - start` is at most the buffer's length.
                    let from = unsafe { bump.start.byte_add(cur - start) };
                    for (at, n) in [(p, len), (from, pad)] {
                        if n > 0 {
                            // SAFETY: `at..at + n` is the most recent part
                            // handed out, non-empty.
                            unsafe { raw_free(bump, at, n, 1) };
                        }
                    }
                    assert_eq!(bump.used(), used, "could not rewind");
                }
                None => assert_eq!(bump.used(), used, "a refusal moved the bump"),
            }
        }
    }
}

#[test]
fn every_alignment_and_edge_length_agrees_with_checked_arithmetic() {
    let mut buf = [MaybeUninit::<u8>::uninit(); 256];
    let odd = buf
        .iter()
        .position(|b| core::ptr::from_ref(b).addr() % 2 == 1)
        .unwrap();
    let bump = ConcurrentBump::new(&mut buf[odd..odd + 200]);
    agrees_with_checked_arithmetic(&bump);
    let _ = raw_alloc(&bump, 7, 1).unwrap();
    agrees_with_checked_arithmetic(&bump);
    let rest = bump.remaining();
    let _ = raw_alloc(&bump, rest, 1).unwrap();
    agrees_with_checked_arithmetic(&bump);
}

#[test]
fn an_empty_buffer_refuses_everything_but_zero_sizes_through_the_bridge() {
    let bump = ConcurrentBump::new(&mut []);
    agrees_with_checked_arithmetic(&bump);
    assert!(raw_alloc(&bump, 1, 1).is_none());
    assert_eq!((bump.used(), bump.capacity()), (0, 0));
    drop(Box::new_in((), &bump));
    assert!(Box::try_new_in(1u8, &bump).is_err());
}

#[test]
fn huge_lengths_and_alignments_are_refused_and_change_nothing() {
    let mut buf = [MaybeUninit::uninit(); 128];
    let bump = ConcurrentBump::new(&mut buf);
    let _ = raw_alloc(&bump, 3, 1).unwrap();
    for len in [usize::MAX, usize::MAX - 1, isize::MAX as usize, 126] {
        assert!(raw_alloc(&bump, len, 1).is_none(), "len {len}");
        assert!(raw_alloc(&bump, len, 4096).is_none(), "len {len}");
    }
    let top = Alignment::from_log2(usize::BITS - 1).unwrap();
    assert!(RawAlloc::alloc(&bump, 1, top, Caller::here()).is_none());
    assert_eq!(bump.used(), 3, "refusals leave the bump as it was");
}

#[test]
fn free_gives_back_only_the_most_recent_block() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let bump = ConcurrentBump::new(&mut buf);
    let a = raw_alloc(&bump, 8, 1).unwrap();
    let b = raw_alloc(&bump, 8, 1).unwrap();
    // SAFETY: `a` is live, 8 bytes, not the most recent: ignored.
    unsafe { raw_free(&bump, a, 8, 1) };
    assert_eq!(bump.used(), 16);
    // SAFETY: `b` is the live, most recent 8-byte block.
    unsafe { raw_free(&bump, b, 8, 1) };
    assert_eq!(bump.used(), 8);
    assert_eq!(raw_alloc(&bump, 8, 1), Some(b), "its bytes came back");
}

#[test]
fn resize_and_remap_move_only_the_most_recent_block_and_shrink_the_rest() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let bump = ConcurrentBump::new(&mut buf);
    let a = raw_alloc(&bump, 16, 1).unwrap();
    let b = raw_alloc(&bump, 8, 1).unwrap();
    // SAFETY: (each call) a live block with the length given; refusals
    // change nothing.
    assert!(unsafe { raw_resize(&bump, b, 8, 1, 48) }, "the last grows");
    assert_eq!(bump.used(), 64);
    // SAFETY: as above.
    assert!(!unsafe { raw_resize(&bump, b, 48, 1, 49) }, "past the end");
    // SAFETY: as above.
    assert_eq!(unsafe { raw_remap(&bump, b, 48, 1, 4) }, Some(b));
    assert_eq!(bump.used(), 20, "the shrunk tail came back");
    // SAFETY: as above.
    let grew = unsafe { raw_resize(&bump, a, 16, 1, 17) };
    assert!(!grew, "an older block does not grow");
    // SAFETY: as above.
    let shrunk = unsafe { raw_resize(&bump, a, 16, 1, 4) };
    assert!(shrunk, "an older block shrinks in place");
    // SAFETY: as above.
    assert_eq!(unsafe { raw_remap(&bump, a, 4, 1, 2) }, Some(a));
    assert_eq!(bump.used(), 20, "an older block's tail stays lost");
}

#[test]
fn a_vec_grows_in_place_while_it_is_the_most_recent_block() {
    let mut buf = [MaybeUninit::uninit(); 4096 + 8];
    let bump = ConcurrentBump::new(&mut buf);
    let mut v: Vec<u64, _> = Vec::new_in(&bump);
    v.push(0);
    let first = v.as_ptr();
    for i in 1..400 {
        v.push(i);
    }
    assert_eq!(v.as_ptr(), first, "moved");
    assert_eq!(v.iter().sum::<u64>(), 399 * 400 / 2);
    drop(v);
    assert!(bump.used() < 8, "dropping the Vec gave its bytes back");
}

/// A buffer split in two: the bump gets the second half, and the first half
/// is a foreign block that ends exactly where the bump's buffer begins.
#[test]
fn foreign_memory_is_never_acted_on() {
    let mut buf = [MaybeUninit::<u8>::uninit(); 128];
    let (foreign, mine) = buf.split_at_mut(64);
    let foreign = NonNull::from(foreign).cast::<u8>();
    let bump = ConcurrentBump::new(mine);
    let block = NonNull::slice_from_raw_parts(foreign, 64);
    // SAFETY: (each call) deliberately breaks the contract (not the
    // bump's block); the bump must notice and touch nothing.
    unsafe { raw_free(&bump, foreign, 64, 1) };
    for new_len in [1, 32, 64, 65] {
        // SAFETY: as above.
        assert!(!unsafe { raw_resize(&bump, foreign, 64, 1, new_len) });
        // SAFETY: as above.
        assert!(unsafe { raw_remap(&bump, foreign, 64, 1, new_len) }.is_none());
    }
    assert!(!bump.validate(block, Alignment::ONE, Caller::here()));
    assert!(!Owns::owns(&bump, block));
    assert_eq!(bump.used(), 0, "the bump acted on memory it does not own");
    // A block whose length wraps around the address space to end at the
    // free space.
    let p = raw_alloc(&bump, 8, 1).unwrap();
    // SAFETY: `p + 16` is inside the buffer.
    let inside = unsafe { p.add(16) };
    let wraps = NonNull::slice_from_raw_parts(inside, usize::MAX - 7);
    // SAFETY: deliberately not a block, as above.
    unsafe { bump.free(wraps, Alignment::ONE, Caller::here()) };
    // SAFETY: as above.
    assert!(!unsafe { bump.resize(wraps, Alignment::ONE, 1, Caller::here()) });
    assert!(!bump.validate(wraps, Alignment::ONE, Caller::here()));
    assert_eq!(bump.used(), 8);
}

#[test]
fn validate_and_owns_answer_by_address_range() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let (start, end) = (buf.as_ptr().addr(), buf.as_ptr().addr() + 64);
    let bump = ConcurrentBump::new(&mut buf);
    let a = raw_alloc(&bump, 8, 1).unwrap();
    let block = NonNull::slice_from_raw_parts(a, 8);
    assert!(bump.validate(block, Alignment::ONE, Caller::here()));
    assert!(Owns::owns(&bump, block));
    let too_long = NonNull::slice_from_raw_parts(a, 16);
    assert!(!bump.validate(too_long, Alignment::ONE, Caller::here()));
    assert!(
        Owns::owns(&bump, too_long),
        "inside the buffer, which it manages"
    );
    // SAFETY: `a + 8` is inside the buffer.
    let free_space = NonNull::slice_from_raw_parts(unsafe { a.add(8) }, 8);
    assert!(!bump.validate(free_space, Alignment::ONE, Caller::here()));
    // SAFETY: deliberately not a block: refused, nothing changes.
    assert!(!unsafe { bump.resize(free_space, Alignment::ONE, 4, Caller::here()) });
    assert_eq!(bump.used(), 8);
    let at = |addr: usize| {
        bump.start
            .with_addr(core::num::NonZeroUsize::new(addr).unwrap())
    };
    assert!(bump.owns(at(start).as_ptr()));
    assert!(bump.owns(at(end - 1).as_ptr()));
    assert!(!bump.owns(at(end).as_ptr()));
    assert!(!bump.owns(at(start - 1).as_ptr()));
}

const _: () = {
    const fn sync_and_send<T: Sync + Send>() {}
    sync_and_send::<ConcurrentBump<'static>>();
};

#[test]
fn threads_get_aligned_disjoint_blocks_under_contention() {
    // Room for every request with its worst padding: none is refused.
    let bytes = threads() * PER_THREAD * (48 + 64);
    let mut storage = storage(bytes);
    let bump = ConcurrentBump::new(buffer(&mut storage, bytes));
    let (start, end) = range(&bump);
    let (blocks, refused) = hammer(&bump);
    assert_eq!(refused, 0);
    assert_eq!(blocks.len(), threads() * PER_THREAD);
    assert_disjoint(&blocks, start, end);
    let handed_out: usize = blocks.iter().map(|g| g.len).sum();
    assert!(handed_out <= bump.used() && bump.used() <= bytes);
}

#[test]
fn exhaustion_under_contention_hands_out_exactly_the_capacity() {
    // Equal requests at alignment 1, twice as many as fit, in a tight loop
    // (the blocks are filled afterwards, so that the threads spend their
    // time allocating, where a race would be): no padding, so the threads
    // between them must hand out every byte once, and the fewer than 8
    // bytes left at the end stay; once a thread is refused, it is refused
    // for good (nothing is freed). Several rounds, the bump reset between
    // them: each is another chance for a race to show.
    let (rounds, per_thread) = if cfg!(miri) {
        (1, PER_THREAD)
    } else {
        (100, 4 * PER_THREAD)
    };
    let bytes = threads() * per_thread * 8 / 2 + 5;
    let mut storage = storage(bytes);
    let mut bump = ConcurrentBump::new(buffer(&mut storage, bytes));
    let (start, end) = range(&bump);
    for round in 0..rounds {
        let per_thread = on_threads(|t, meeting| {
            let mut got = StdVec::with_capacity(per_thread);
            let mut refused = 0;
            for i in 0..per_thread {
                if i % (4 * BURST) == 0 {
                    meeting.wait();
                }
                match raw_alloc(&bump, 8, 1) {
                    Some(ptr) => {
                        assert_eq!(refused, 0, "served after a refusal, with nothing freed");
                        got.push(ptr);
                    }
                    None => refused += 1,
                }
            }
            let got: StdVec<Got> = got
                .into_iter()
                .enumerate()
                .map(|(i, ptr)| Got {
                    ptr,
                    len: 8,
                    align: 1,
                    tag: contention::tag(t, i),
                })
                .collect();
            got.iter().for_each(fill);
            got
        });
        let blocks: StdVec<Got> = per_thread.into_iter().flatten().collect();
        assert_disjoint(&blocks, start, end);
        assert_eq!(
            blocks.len() * 8,
            bump.used(),
            "round {round}: every byte handed out once"
        );
        assert_eq!(bump.remaining(), 5);
        bump.reset();
    }
}

#[test]
fn exhaustion_with_mixed_requests_refuses_cleanly() {
    let bytes = if cfg!(miri) { 2048 } else { 32 * 1024 };
    let mut storage = storage(bytes);
    let bump = ConcurrentBump::new(buffer(&mut storage, bytes));
    let (start, end) = range(&bump);
    let (blocks, refused) = hammer(&bump);
    assert!(refused > 0, "the buffer is too small for all requests");
    assert_disjoint(&blocks, start, end);
    let handed_out: usize = blocks.iter().map(|g| g.len).sum();
    assert!(handed_out <= bump.used() && bump.used() <= bytes);
}

#[test]
fn frees_roll_back_and_the_bytes_are_reused_across_threads() {
    // Each thread allocates, fills, checks and frees a block, over and
    // over: a free of the most recent block gives its bytes back, and the
    // next allocation (often another thread's) takes them. A block that
    // overlapped one held by another thread would lose its pattern; under
    // Miri, bytes handed over without `Release`/`Acquire` are a data race.
    let rounds = PER_THREAD;
    let bytes = threads() * rounds * (48 + 64);
    let mut storage = storage(bytes);
    let bump = ConcurrentBump::new(buffer(&mut storage, bytes));
    let (start, end) = range(&bump);
    let rolled_back = on_threads(|t, meeting| {
        let mut seed = 0x51_7cc1_b727_220au64 ^ (t as u64 + 1);
        let mut rolled_back = 0;
        for i in 0..rounds {
            if i % BURST == 0 {
                meeting.wait();
            }
            let (len, al) = contention::request(&mut seed);
            let ptr = raw_alloc(&bump, len, al).expect("room for every request");
            let block = Got {
                ptr,
                len,
                align: al,
                tag: contention::tag(t, i),
            };
            fill(&block);
            // Aligned, inside the buffer, and still holding its pattern.
            assert_disjoint(&[block], start, end);
            let before = bump.used();
            // SAFETY: live, as allocated, not used again.
            unsafe { raw_free(&bump, ptr, len, al) };
            if bump.used() < before {
                rolled_back += 1;
            }
        }
        rolled_back
    });
    assert!(bump.used() <= bytes);
    // A thread's free rolls back unless another thread allocated between
    // its allocation and its free: some of them do (all failing would take
    // another thread's allocation inside every one of those short windows).
    assert!(rolled_back.iter().sum::<usize>() > 0, "no free rolled back");
    // On one thread, every free does.
    let mut buf = [MaybeUninit::uninit(); 64];
    let alone = ConcurrentBump::new(&mut buf);
    for _ in 0..10 {
        let p = raw_alloc(&alone, 16, 8).unwrap();
        // SAFETY: live, most recent, not used again.
        unsafe { raw_free(&alone, p, 16, 8) };
    }
    assert!(alone.used() < 8, "only the first padding stays");
}

#[test]
fn growing_and_shrinking_the_last_block_under_contention_never_overlaps() {
    // Each thread allocates a block, grows it while it is the most recent
    // (until another thread allocates after it), fills it, then shrinks it
    // (giving the tail back if it is still the most recent) and keeps it.
    let rounds = PER_THREAD / 4;
    let bytes = threads() * rounds * (8 * 9);
    let mut storage = storage(bytes);
    let bump = ConcurrentBump::new(buffer(&mut storage, bytes));
    let (start, end) = range(&bump);
    let per_thread = on_threads(|t, meeting| {
        let mut got = StdVec::new();
        for i in 0..rounds {
            if i % (BURST / 4) == 0 {
                meeting.wait();
            }
            let ptr = raw_alloc(&bump, 8, 8).expect("room");
            let mut len = 8;
            while len < 64 {
                // SAFETY: `ptr` is live with length `len`; a refusal
                // changes nothing.
                if !unsafe { raw_resize(&bump, ptr, len, 8, len + 8) } {
                    break;
                }
                len += 8;
            }
            let block = Got {
                ptr,
                len,
                align: 8,
                tag: contention::tag(t, i),
            };
            fill(&block);
            check(&block);
            let shrunk = len / 2;
            // SAFETY: as above; `shrunk` is not zero.
            let moved = unsafe { raw_remap(&bump, ptr, len, 8, shrunk) };
            assert_eq!(moved, Some(ptr), "a shrink always happens in place");
            let block = Got {
                len: shrunk,
                ..block
            };
            check(&block);
            got.push(block);
        }
        got
    });
    let blocks: StdVec<Got> = per_thread.into_iter().flatten().collect();
    assert_disjoint(&blocks, start, end);
}

#[test]
fn collections_on_several_threads_at_once() {
    let bytes = if cfg!(miri) { 64 * 1024 } else { 1 << 20 };
    let mut storage = storage(bytes);
    let bump = ConcurrentBump::new(buffer(&mut storage, bytes));
    let sums = on_threads(|t, _| {
        let n = if cfg!(miri) { 20 } else { 500 };
        let mut v: Vec<u64, _> = Vec::new_in(&bump);
        let mut map = hashbrown::HashMap::new_in(&bump);
        let mut boxes = StdVec::new();
        for i in 0..n {
            v.push(i * t as u64);
            map.insert(i, i + t as u64);
            boxes.push(Box::new_in([t as u8; 24], &bump));
        }
        assert!(boxes.iter().all(|b| **b == [t as u8; 24]));
        assert!((0..n).all(|i| map[&i] == i + t as u64));
        v.iter().sum::<u64>()
    });
    let n = if cfg!(miri) { 20 } else { 500 };
    for (t, sum) in sums.into_iter().enumerate() {
        assert_eq!(sum, t as u64 * n * (n - 1) / 2);
    }
}

#[test]
fn its_thread_safe_handle_crosses_threads() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let bump = ConcurrentBump::new(&mut buf);
    let handle = bump.sync_allocator();
    let values = on_threads(|t, _| {
        let p = handle.create(t as u64 * 3).unwrap();
        // SAFETY: `p` was just created with its value.
        unsafe { p.read() }
    });
    assert_eq!(
        values,
        (0..threads() as u64).map(|t| t * 3).collect::<StdVec<_>>()
    );
    assert!(bump.used() >= threads() * 8);
}
