//! Several threads on one `Sync` allocator at once, and the checks on what
//! they got: every block aligned, inside the buffer, disjoint from every
//! other, and still holding the pattern its thread wrote. Used by the
//! tests of `ConcurrentBump` and `Locked`.

use core::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::vec::Vec as StdVec;

use crate::RawAlloc;
use crate::test_support::{align, raw_alloc};

/// Threads per contention test: as many as the machine runs at once, from
/// 2 to 4 (more threads than cores mostly take turns, and a race needs two
/// of them inside the same few instructions at the same time); 3 under
/// Miri, whose scheduler interleaves them at random points anyway.
pub(crate) fn threads() -> usize {
    if cfg!(miri) {
        3
    } else {
        std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4))
    }
}

/// Allocations per thread and contention test.
pub(crate) const PER_THREAD: usize = if cfg!(miri) { 40 } else { 4000 };

/// Allocations per thread between two meetings (`Meeting::wait`): the
/// threads start each burst together, so that they overlap in time again
/// and again rather than only at the start (a thread can finish a long run
/// before the others are scheduled).
pub(crate) const BURST: usize = 20;

/// A block one thread got, sent back to the main thread when it is done.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Got {
    pub(crate) ptr: NonNull<u8>,
    pub(crate) len: usize,
    pub(crate) align: usize,
    /// The byte pattern written into it: thread and block number.
    pub(crate) tag: u8,
}

// SAFETY: a `Got` is a pointer to a block that its thread allocated and
// stopped using before sending it; the main thread reads it only after
// joining that thread, so it is used by one thread at a time.
unsafe impl Send for Got {}

/// A xorshift step, for sizes and alignments that differ per thread.
pub(crate) fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// A length in `1..=48` and an alignment in `1..=64` from `seed`.
pub(crate) fn request(seed: &mut u64) -> (usize, usize) {
    let r = next(seed);
    ((r % 48) as usize + 1, 1 << ((r >> 32) % 7))
}

/// The tag of block `i` of thread `t`.
pub(crate) fn tag(t: usize, i: usize) -> u8 {
    (t * 64 + i * 7 + 1) as u8
}

/// Writes `tag` and its byte index into every byte of the block.
pub(crate) fn fill(got: &Got) {
    // SAFETY: the block has `len` writable bytes, and they are ours.
    let bytes = unsafe { core::slice::from_raw_parts_mut(got.ptr.as_ptr(), got.len) };
    for (k, byte) in bytes.iter_mut().enumerate() {
        *byte = got.tag ^ k as u8;
    }
}

/// Panics unless the block still holds what [`fill`] wrote.
#[track_caller]
pub(crate) fn check(got: &Got) {
    // SAFETY: the block has `len` bytes, all written by `fill`, and they are
    // ours (unless blocks overlap, which is what this looks for: another
    // owner's writes show as a wrong byte, or under Miri as a data race).
    let bytes = unsafe { core::slice::from_raw_parts(got.ptr.as_ptr(), got.len) };
    for (k, &byte) in bytes.iter().enumerate() {
        assert_eq!(
            byte,
            got.tag ^ k as u8,
            "byte {k} of a {}-byte block at {:#x} was overwritten: blocks overlap",
            got.len,
            got.ptr.addr()
        );
    }
}

/// What the threads of [`on_threads`] share: how many meetings they have
/// arrived at in all, and whether one of them panicked.
struct Shared {
    threads: usize,
    arrived: AtomicUsize,
    failed: AtomicBool,
}

/// One thread's side of the meetings of [`on_threads`]: a barrier that
/// gives up (panics) when another thread has failed, so that a failed
/// check on one thread ends the test instead of leaving the others waiting.
pub(crate) struct Meeting<'a> {
    shared: &'a Shared,
    /// Meetings this thread has arrived at.
    count: usize,
}

impl Meeting<'_> {
    /// Waits until every thread has arrived here (at its meeting of the
    /// same number).
    pub(crate) fn wait(&mut self) {
        self.count += 1;
        self.shared.arrived.fetch_add(1, Ordering::AcqRel);
        while self.shared.arrived.load(Ordering::Acquire) < self.shared.threads * self.count {
            assert!(
                !self.shared.failed.load(Ordering::Relaxed),
                "another thread failed"
            );
            std::thread::yield_now();
        }
    }
}

/// Marks the test failed when its thread unwinds.
struct OnPanic<'a>(&'a AtomicBool);

impl Drop for OnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

/// Runs `body(t, meeting)` on [`threads`] threads that start together, and
/// returns what each returned, in thread order. `body` may meet the others
/// again ([`Meeting::wait`]); every thread must do so the same number of
/// times.
pub(crate) fn on_threads<R: Send>(body: impl Fn(usize, &mut Meeting<'_>) -> R + Sync) -> StdVec<R> {
    let shared = Shared {
        threads: threads(),
        arrived: AtomicUsize::new(0),
        failed: AtomicBool::new(false),
    };
    std::thread::scope(|s| {
        let handles: StdVec<_> = (0..shared.threads)
            .map(|t| {
                let (body, shared) = (&body, &shared);
                s.spawn(move || {
                    let _on_panic = OnPanic(&shared.failed);
                    let mut meeting = Meeting { shared, count: 0 };
                    meeting.wait();
                    body(t, &mut meeting)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// [`threads`] threads each allocate `PER_THREAD` blocks of mixed lengths
/// and alignments from `a` at once, filling each; returns the blocks each
/// thread got (refusals are skipped) and the number of refusals.
pub(crate) fn hammer<A: RawAlloc + Sync>(a: &A) -> (StdVec<Got>, usize) {
    let per_thread = on_threads(|t, meeting| {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ ((t as u64 + 1) * 0x2545_f491);
        let mut got = StdVec::with_capacity(PER_THREAD);
        let mut refused = 0;
        for i in 0..PER_THREAD {
            if i % BURST == 0 {
                meeting.wait();
            }
            let (len, al) = request(&mut seed);
            match raw_alloc(a, len, al) {
                Some(ptr) => {
                    let block = Got {
                        ptr,
                        len,
                        align: al,
                        tag: tag(t, i),
                    };
                    fill(&block);
                    got.push(block);
                }
                None => refused += 1,
            }
        }
        (got, refused)
    });
    let refused = per_thread.iter().map(|(_, r)| r).sum();
    (
        per_thread.into_iter().flat_map(|(g, _)| g).collect(),
        refused,
    )
}

/// Panics unless every block is aligned, inside `from..to` (addresses),
/// disjoint from every other, and holds its pattern.
#[track_caller]
pub(crate) fn assert_disjoint(blocks: &[Got], from: usize, to: usize) {
    let mut sorted: StdVec<Got> = blocks.to_vec();
    sorted.sort_by_key(|g| g.ptr.addr());
    for g in &sorted {
        let addr = g.ptr.addr().get();
        assert!(align(g.align).is_aligned(addr), "{g:?} is not aligned");
        assert!(
            addr >= from && addr + g.len <= to,
            "{g:?} is outside {from:#x}..{to:#x}"
        );
        check(g);
    }
    for pair in sorted.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        assert!(
            a.ptr.addr().get() + a.len <= b.ptr.addr().get(),
            "{a:?} and {b:?} overlap"
        );
    }
}
