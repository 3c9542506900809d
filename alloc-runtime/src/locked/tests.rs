//! Tests of `Locked`: the conformance suite with each kind of lock, several
//! threads at once (disjoint blocks, collections, figures that add up, a
//! probe that sees every call alone), poisoning, and the forwarding of
//! `Owns`, `validate`, `get_mut` and `into_inner`.

use core::cell::Cell;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::vec::Vec as StdVec;

use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;

use super::*;
use crate::concurrent_bump::tests::contention::{
    Got, PER_THREAD, assert_disjoint, fill, hammer, on_threads, request, tag, threads,
};
use crate::test_support::{raw_alloc, raw_free};
use crate::testing;
use crate::{Arena, Bump, Counting, Global};

/// A `no_std` spin lock through `lock_api`.
type Spin<A> = lock_api::Mutex<spin::mutex::SpinMutex<()>, A>;

const _: () = {
    const fn sync_and_send<T: Sync + Send>() {}
    sync_and_send::<Locked<Bump<'static>>>();
    sync_and_send::<Locked<Arena>>();
    sync_and_send::<Locked<Bump<'static>, Spin<Bump<'static>>>>();
};

/// A heap buffer of `bytes` uninitialized bytes.
fn storage(bytes: usize) -> StdVec<u8> {
    StdVec::with_capacity(bytes)
}

#[test]
fn locked_bump_passes_the_conformance_suite() {
    let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
    let locked = Locked::new(Bump::new(&mut buf));
    testing::conformance(&locked);
    let mut buf = [MaybeUninit::uninit(); 64 * 1024];
    testing::api2::all(&Locked::new(Bump::new(&mut buf)));
}

#[test]
fn a_spin_locked_bump_passes_the_conformance_suite() {
    let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
    let locked = Locked::from_lock(Spin::new(Bump::new(&mut buf)));
    testing::conformance(&locked);
    let mut buf = [MaybeUninit::uninit(); 64 * 1024];
    testing::api2::all(&Locked::from_lock(Spin::new(Bump::new(&mut buf))));
}

#[test]
fn locked_counting_global_and_arena_pass_the_conformance_suite() {
    let locked = Locked::new(Counting::new(Global));
    testing::conformance(&locked);
    testing::api2::all(&locked);
    let stats = locked.with(Counting::stats);
    assert_eq!(stats.live_bytes, 0, "the suite frees what it allocates");
    assert!(stats.allocations > 0);
    let arena = Locked::new(Arena::new());
    testing::conformance(&arena);
}

#[test]
fn threads_get_aligned_disjoint_blocks_from_a_locked_bump() {
    let bytes = threads() * PER_THREAD * (48 + 64);
    let mut storage = storage(bytes);
    let buffer = &mut storage.spare_capacity_mut()[..bytes];
    let (start, end) = (buffer.as_ptr().addr(), buffer.as_ptr().addr() + bytes);
    let locked = Locked::new(Bump::new(buffer));
    let (blocks, refused) = hammer(&locked);
    assert_eq!(refused, 0);
    assert_eq!(blocks.len(), threads() * PER_THREAD);
    assert_disjoint(&blocks, start, end);
    let handed_out: usize = blocks.iter().map(|g| g.len).sum();
    assert!(handed_out <= locked.with(Bump::used));
}

#[test]
fn threads_share_a_spin_locked_bump_and_its_frees() {
    // Allocate, fill, check, free, over and over, on every thread: frees of
    // the most recent block give bytes back, and other threads take them.
    // Room for every request even if no free gave anything back.
    let bytes = threads() * PER_THREAD * (48 + 64);
    let mut storage = storage(bytes);
    let buffer = &mut storage.spare_capacity_mut()[..bytes];
    let (start, end) = (buffer.as_ptr().addr(), buffer.as_ptr().addr() + bytes);
    let locked = Locked::from_lock(Spin::new(Bump::new(buffer)));
    on_threads(|t, meeting| {
        let mut seed = 0x853c_49e6_748f_ea9bu64 ^ (t as u64 + 1);
        for i in 0..PER_THREAD {
            if i % 20 == 0 {
                meeting.wait();
            }
            let (len, al) = request(&mut seed);
            let ptr = raw_alloc(&locked, len, al).expect("room");
            let block = Got {
                ptr,
                len,
                align: al,
                tag: tag(t, i),
            };
            fill(&block);
            assert_disjoint(&[block], start, end);
            // SAFETY: live, as allocated, not used again.
            unsafe { raw_free(&locked, ptr, len, al) };
        }
    });
    // Every free either rolled back or was ignored; whatever is left is
    // inside the buffer.
    assert!(locked.with(Bump::used) <= bytes);
}

/// The collections each thread builds in [`collections_on_several_threads`],
/// and what they must hold.
fn build<A: allocator_api2::alloc::Allocator + Copy>(a: A, t: usize) -> u64 {
    let n = if cfg!(miri) { 20 } else { 300 };
    let mut v: Vec<u64, A> = Vec::new_in(a);
    let mut map = hashbrown::HashMap::new_in(a);
    let mut boxes = StdVec::new();
    for i in 0..n {
        v.push(i * t as u64);
        map.insert(i, i + t as u64);
        boxes.push(Box::new_in([t as u8; 24], a));
    }
    assert!(boxes.iter().all(|b| **b == [t as u8; 24]));
    assert!((0..n).all(|i| map[&i] == i + t as u64));
    assert_eq!(v.iter().sum::<u64>(), t as u64 * n * (n - 1) / 2);
    v.iter().sum()
}

#[test]
fn collections_on_several_threads_count_exactly_what_one_thread_does() {
    // The figures of a locked `Counting` after every thread ran the same
    // workload are the sum of what each thread's workload counts alone: no
    // update is lost (the counters are plain `Cell`s, serialized by the
    // lock; under Miri, unserialized updates would be data races).
    let alone: StdVec<_> = (0..threads())
        .map(|t| {
            let counting = Counting::new(Global);
            build(&counting, t);
            counting.stats()
        })
        .collect();
    let locked = Locked::new(Counting::new(Global));
    on_threads(|t, _| build(&locked, t));
    let stats = locked.with(Counting::stats);
    assert_eq!(stats.live_bytes, 0);
    assert_eq!(
        stats.allocations,
        alone.iter().map(|s| s.allocations).sum::<u64>()
    );
    assert_eq!(stats.frees, alone.iter().map(|s| s.frees).sum::<u64>());
    assert_eq!(
        stats.bytes_allocated,
        alone.iter().map(|s| s.bytes_allocated).sum::<u64>()
    );
}

#[test]
fn collections_on_several_threads_from_a_locked_arena() {
    let locked = Locked::new(Arena::new());
    on_threads(|t, _| build(&locked, t));
    let handle = locked.sync_allocator();
    on_threads(|t, _| {
        let p = handle.create(t as u64).unwrap();
        // SAFETY: `p` was just created with its value.
        assert_eq!(unsafe { p.read() }, t as u64);
        // SAFETY: created by this handle, destroyed once.
        unsafe { handle.destroy(p) };
    });
}

/// An allocator that is `Send` but not `Sync` (its call count is a
/// `Cell`), and that notices when two threads are inside it at once.
struct Probe<'a> {
    bump: Bump<'a>,
    calls: Cell<usize>,
    inside: AtomicBool,
    overlaps: AtomicUsize,
}

impl Probe<'_> {
    /// Runs `f` as one call: counts it, and records an overlap if another
    /// thread is inside.
    fn call<R>(&self, f: impl FnOnce() -> R) -> R {
        if self.inside.swap(true, Ordering::Relaxed) {
            self.overlaps.fetch_add(1, Ordering::Relaxed);
        }
        self.calls.set(self.calls.get() + 1);
        let r = f();
        // Stay inside a little longer, so that a second thread let in at
        // the same time (without a lock) would very likely be seen.
        for _ in 0..if cfg!(miri) { 1 } else { 64 } {
            core::hint::spin_loop();
        }
        self.inside.store(false, Ordering::Relaxed);
        r
    }
}

// SAFETY: every call is forwarded to the bump, which keeps the contract;
// the probe only counts.
unsafe impl RawAlloc for Probe<'_> {
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.call(|| RawAlloc::alloc(&self.bump, len, align, caller))
    }

    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        // SAFETY: the caller keeps `free`'s contract for the bump's block.
        self.call(|| unsafe { self.bump.free(memory, align, caller) });
    }

    fn validate(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
        self.call(|| self.bump.validate(memory, align, caller))
    }
}

#[test]
fn the_lock_lets_one_thread_at_a_time_into_an_allocator_that_is_not_sync() {
    let bytes = 2 * threads() * PER_THREAD * (48 + 64);
    let mut storage = storage(bytes);
    let probe = Probe {
        bump: Bump::new(&mut storage.spare_capacity_mut()[..bytes]),
        calls: Cell::new(0),
        inside: AtomicBool::new(false),
        overlaps: AtomicUsize::new(0),
    };
    // Behind a `std` mutex.
    let locked = Locked::new(probe);
    let (blocks, refused) = hammer(&locked);
    assert_eq!(refused, 0);
    assert_eq!(blocks.len(), threads() * PER_THREAD);
    let probe = locked.into_inner();
    assert_eq!(
        probe.overlaps.load(Ordering::Relaxed),
        0,
        "two threads inside"
    );
    assert_eq!(probe.calls.get(), threads() * PER_THREAD, "a lost count");
    // The same probe behind a spin lock.
    let locked = Locked::from_lock(Spin::new(probe));
    let (blocks, refused) = hammer(&locked);
    assert_eq!(refused, 0);
    assert_eq!(blocks.len(), threads() * PER_THREAD);
    let probe = locked.into_inner();
    assert_eq!(
        probe.overlaps.load(Ordering::Relaxed),
        0,
        "two threads inside"
    );
    assert_eq!(
        probe.calls.get(),
        2 * threads() * PER_THREAD,
        "a lost count"
    );
}

#[test]
fn a_poisoned_mutex_still_serves() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let mut locked = Locked::new(Bump::new(&mut buf));
    let _kept = raw_alloc(&locked, 8, 1).unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        locked.with(|_| panic!("a panic while holding the lock"));
    }));
    assert!(panicked.is_err());
    let p = raw_alloc(&locked, 8, 1).expect("poisoned, and still serving");
    assert_eq!(locked.with(Bump::used), 16);
    // SAFETY: `p` is the live, most recent 8-byte block.
    unsafe { raw_free(&locked, p, 8, 1) };
    assert_eq!(locked.get_mut().used(), 8);
    assert_eq!(locked.into_inner().used(), 8);
}

#[test]
fn owns_and_validate_are_the_inner_allocators() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let locked = Locked::new(Bump::new(&mut buf));
    let p = raw_alloc(&locked, 8, 1).unwrap();
    let block = NonNull::slice_from_raw_parts(p, 8);
    assert!(Owns::owns(&locked, block));
    assert!(locked.validate(block, Alignment::ONE, Caller::here()));
    let elsewhere = [0u8; 8];
    let foreign = NonNull::from(&elsewhere[..]);
    assert!(!Owns::owns(&locked, foreign));
    assert!(!locked.validate(foreign, Alignment::ONE, Caller::here()));
    let too_long = NonNull::slice_from_raw_parts(p, 16);
    assert!(!locked.validate(too_long, Alignment::ONE, Caller::here()));
}

#[test]
fn get_mut_and_into_inner_reach_the_same_allocator() {
    let mut buf = [MaybeUninit::uninit(); 64];
    let mut locked = Locked::from_lock(Spin::new(Bump::new(&mut buf)));
    let _ = raw_alloc(&locked, 8, 1).unwrap();
    assert_eq!(locked.get_mut().used(), 8);
    locked.get_mut().reset();
    assert_eq!(locked.with(Bump::used), 0);
    let _ = raw_alloc(&locked, 4, 1).unwrap();
    assert_eq!(locked.into_inner().used(), 4);
}

#[test]
fn a_poisoned_mutex_gives_its_allocator_back() {
    let mutex = Mutex::new(5);
    let _ = std::panic::catch_unwind(|| {
        let _guard = mutex.lock().unwrap();
        panic!("poison it");
    });
    assert!(mutex.is_poisoned());
    assert_eq!(Lock::with(&mutex, |n| *n), 5);
    let mut mutex = mutex;
    *Lock::get_mut(&mut mutex) += 1;
    assert_eq!(Lock::into_inner(mutex), 6);
}

#[test]
fn debug_shows_the_lock() {
    let locked = Locked::new(Global);
    assert!(std::format!("{locked:?}").starts_with("Locked { lock: Mutex {"));
}
