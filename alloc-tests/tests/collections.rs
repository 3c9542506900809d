//! Every allocator of the crate — by value, by reference, and through the
//! handle — drives `allocator_api2::vec::Vec`, `allocator_api2::boxed::Box`
//! and `hashbrown::HashMap`; a `Sync` allocator's handle crosses threads.

use alloc_runtime::{
    Alignment, Allocator, Bump, Caller, Counting, Fail, Handle, RawAlloc, ThreadSafe,
};
use allocator_api2::alloc::Allocator as AllocatorApi;
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use hashbrown::{DefaultHashBuilder, HashMap};

const BUFFER: usize = 256 * 1024;
/// Elements per collection: fewer under Miri, which is slow, but the same paths.
const N: u64 = if cfg!(miri) { 40 } else { 2_000 };

/// Uses `a` with the three collections and checks what they hold.
fn exercise<A: AllocatorApi + Clone>(a: A) {
    let mut v: Vec<u64, A> = Vec::new_in(a.clone());
    for i in 0..N {
        v.push(i * 3);
    }
    assert_eq!(v.iter().sum::<u64>(), 3 * (N - 1) * N / 2);
    v.truncate(10);
    v.shrink_to_fit();
    assert_eq!(v.len(), 10);

    let b = Box::new_in([7u128; 5], a.clone());
    assert!(b.iter().all(|&x| x == 7));

    let mut map = HashMap::with_hasher_in(DefaultHashBuilder::default(), a);
    let n = N as u32 / 2;
    for i in 0..n {
        map.insert(i, i * i);
    }
    assert_eq!(map.len(), n as usize);
    assert_eq!(map[&(n - 1)], (n - 1) * (n - 1));
    map.retain(|k, _| k % 2 == 0);
    map.shrink_to_fit();
    assert_eq!(map.len(), n as usize / 2);
}

fn buffer() -> std::vec::Vec<MaybeUninit<u8>> {
    std::vec![MaybeUninit::uninit(); BUFFER]
}

#[test]
fn bump_by_reference_and_handle() {
    let mut buf = buffer();
    let bump = Bump::new(&mut buf);
    exercise(&bump);
    exercise(bump.allocator());
    exercise(&bump.allocator());
}

#[test]
fn bump_by_value() {
    let mut buf = buffer();
    // A collection may own its allocator: the memory is in the buffer, not
    // in the `Bump`, so moving the `Bump` into the Vec keeps it valid.
    let mut v: Vec<u8, Bump<'_>> = Vec::new_in(Bump::new(&mut buf));
    v.extend_from_slice(b"owned");
    let moved = v;
    assert_eq!(&moved[..], b"owned");
    assert!(moved.allocator().owns(moved.as_ptr()));
    assert_eq!(moved.allocator().used(), moved.capacity());
}

#[test]
fn counting_fail_bump_stacked_by_value() {
    let mut buf = buffer();
    let layers = Counting::new(Fail::new(Bump::new(&mut buf), usize::MAX));
    exercise(&layers);
    exercise(layers.allocator());
    let s = layers.stats();
    assert!(s.allocations > 0);
    assert_eq!(s.live_bytes, 0, "every collection was dropped");
    assert_eq!(s.failures, 0);
}

#[test]
fn counting_over_a_reference_and_over_a_handle() {
    let mut buf = buffer();
    let bump = Bump::new(&mut buf);
    let by_ref: Counting<&Bump<'_>> = Counting::new(&bump);
    exercise(&by_ref);
    let through_handle: Counting<Handle<'_>> = Counting::new(bump.allocator());
    exercise(&through_handle);
    assert_eq!(
        by_ref.stats().allocations,
        through_handle.stats().allocations,
        "the same work counts the same through either"
    );
}

#[test]
fn fail_limits_hashbrown_growth() {
    let mut buf = buffer();
    let fail = Fail::new(Bump::new(&mut buf), 2);
    let mut map: HashMap<u32, u32, _, _> =
        HashMap::with_hasher_in(DefaultHashBuilder::default(), &fail);
    let mut inserted = 0;
    for i in 0..N as u32 {
        if map.try_reserve(1).is_err() {
            break;
        }
        map.insert(i, i);
        inserted += 1;
    }
    assert!(inserted < N as usize, "growth stopped");
    assert!(fail.has_induced_failure());
    assert_eq!(map.len(), inserted, "the map is intact after the failure");
}

/// A `Sync` bump allocator over atomics, for the thread-crossing handle.
#[derive(Allocator)]
struct AtomicBump {
    /// Base of the buffer; all blocks are derived from it.
    base: NonNull<u8>,
    len: usize,
    /// Offset of the first free byte.
    next: AtomicUsize,
}

// SAFETY: the buffer outlives the `AtomicBump` (the test keeps it alive)
// and blocks are disjoint ranges claimed by compare-exchange.
unsafe impl Sync for AtomicBump {}
// SAFETY: as above; nothing is tied to a thread.
unsafe impl Send for AtomicBump {}

// SAFETY: `alloc` claims disjoint, aligned, in-bounds ranges atomically;
// `free` does nothing, so nothing is ever handed out twice.
unsafe impl RawAlloc for AtomicBump {
    fn alloc(&self, len: usize, align: Alignment, _: Caller) -> Option<NonNull<u8>> {
        let base = self.base.addr().get();
        let mut next = self.next.load(Ordering::Relaxed);
        loop {
            let start = align.forward(base.checked_add(next)?)? - base;
            let end = start.checked_add(len)?;
            if end > self.len {
                return None;
            }
            match self
                .next
                .compare_exchange_weak(next, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                // SAFETY: `start + len <= self.len`: inside the buffer.
                Ok(_) => return Some(unsafe { self.base.add(start) }),
                Err(seen) => next = seen,
            }
        }
    }

    unsafe fn free(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}
}

#[test]
fn a_sync_allocators_handle_crosses_threads() {
    let mut buf = buffer();
    let len = buf.len();
    let shared = AtomicBump {
        base: NonNull::from(&mut buf[..]).cast(),
        len,
        next: AtomicUsize::new(0),
    };
    let handle: Handle<'_, ThreadSafe> = shared.sync_allocator();
    let sums: std::vec::Vec<u64> = std::thread::scope(|s| {
        let workers: std::vec::Vec<_> = (0..4u64)
            .map(|t| {
                s.spawn(move || {
                    let mut v: Vec<u64, _> = Vec::new_in(handle);
                    v.extend((0..N / 4).map(|i| i * t));
                    v.iter().sum::<u64>()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let expected: std::vec::Vec<u64> = (0..4).map(|t| t * (N / 4 - 1) * (N / 4) / 2).collect();
    assert_eq!(sums, expected);
    exercise(handle);
    exercise(handle.local());
}
