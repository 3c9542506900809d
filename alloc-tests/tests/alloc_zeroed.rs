//! `RawAlloc::alloc_zeroed` reaches the allocator that can zero cheaply
//! (`calloc` in the system allocator): wrappers made with the derive pass it
//! to their parent, `Counting` counts it, and an `alloc` override keeps
//! control of what is handed out, zeroed by the default.

use alloc_runtime::{Alignment, Allocator, Bump, Caller, Counting, RawAlloc, ThreadSafe};
use core::cell::Cell;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

/// A bump over a buffer full of 0xAA that counts which function was asked,
/// and zeroes in `alloc_zeroed` itself.
struct Spy<'a> {
    bump: Bump<'a>,
    allocs: Cell<u32>,
    zeroed: Cell<u32>,
}

impl<'a> Spy<'a> {
    fn new(buf: &'a mut [MaybeUninit<u8>]) -> Self {
        buf.fill(MaybeUninit::new(0xAA));
        Spy {
            bump: Bump::new(buf),
            allocs: Cell::new(0),
            zeroed: Cell::new(0),
        }
    }
}

// SAFETY: every function forwards to the bump (whose contract holds) and
// `alloc_zeroed` zeroes the block it returns.
unsafe impl RawAlloc for Spy<'_> {
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.allocs.set(self.allocs.get() + 1);
        RawAlloc::alloc(&self.bump, len, align, caller)
    }

    fn alloc_zeroed(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.zeroed.set(self.zeroed.get() + 1);
        RawAlloc::alloc_zeroed(&self.bump, len, align, caller)
    }

    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        // SAFETY: the caller's contract; the bump made `memory`.
        unsafe { self.bump.free(memory, align, caller) }
    }
}

#[derive(Allocator)]
struct Forward<A> {
    #[allocator(parent)]
    inner: A,
}

#[derive(Allocator)]
// SAFETY: `first_fit` forwards to the parent's `alloc` unchanged.
#[allocator(unsafe(alloc = Self::first_fit))]
struct OwnAlloc<A> {
    #[allocator(parent)]
    inner: A,
}

impl<A: RawAlloc> OwnAlloc<A> {
    fn first_fit(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.inner.alloc(len, align, caller)
    }
}

fn zeroed_bytes(p: NonNull<u8>, len: usize) -> bool {
    // SAFETY: the callers pass a live block of `len` initialized bytes.
    unsafe { core::slice::from_raw_parts(p.as_ptr(), len) }
        .iter()
        .all(|&b| b == 0)
}

#[test]
fn a_wrapper_passes_alloc_zeroed_to_its_parent() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let spy = Spy::new(&mut buf);
    let wrapped = Forward {
        inner: Counting::new(&spy),
    };
    let p = wrapped
        .alloc_zeroed(64, Alignment::ONE, Caller::here())
        .unwrap();
    assert!(zeroed_bytes(p, 64));
    assert_eq!(
        (spy.allocs.get(), spy.zeroed.get()),
        (0, 1),
        "the parent zeroed it"
    );
    let s = wrapped.inner.stats();
    assert_eq!(
        (s.allocations, s.bytes_allocated),
        (1, 64),
        "and Counting counted it"
    );
}

#[test]
fn an_alloc_override_is_followed_by_zeros() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let spy = Spy::new(&mut buf);
    let own = OwnAlloc { inner: &spy };
    let p = own
        .alloc_zeroed(64, Alignment::ONE, Caller::here())
        .unwrap();
    assert_eq!(
        (spy.allocs.get(), spy.zeroed.get()),
        (1, 0),
        "the override chose the block"
    );
    assert!(
        zeroed_bytes(p, 64),
        "over a buffer of 0xAA, zeroed afterwards"
    );
}

#[test]
fn collections_ask_for_zeroed_memory_through_the_bridge() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let spy = Spy::new(&mut buf);
    let counted = Counting::new(&spy);
    let v = allocator_api2::vec::from_elem_in(0u32, 16, &counted);
    assert!(v.iter().all(|&x| x == 0));
    drop(v);
    // `Vec`'s zeroed path, if it takes it; the bridge's `allocate_zeroed`
    // in any case:
    let block =
        alloc_runtime::bridge::allocate_zeroed(&counted, core::alloc::Layout::new::<[u8; 32]>())
            .unwrap();
    assert!(zeroed_bytes(block.cast(), 32));
    assert!(spy.zeroed.get() >= 1);
    assert_eq!(
        counted.stats().allocations,
        u64::from(spy.allocs.get() + spy.zeroed.get())
    );
}

#[test]
fn the_global_allocator_path_is_zeroed() {
    use core::alloc::{GlobalAlloc, Layout};
    let global = Counting::new_sync(std::alloc::System);
    let layout = Layout::from_size_align(4096, 64).unwrap();
    // SAFETY: a non-zero layout; the block is freed with it below.
    let p = unsafe { GlobalAlloc::alloc_zeroed(&global, layout) };
    assert!(!p.is_null() && p as usize % 64 == 0);
    assert!(zeroed_bytes(NonNull::new(p).unwrap(), 4096));
    // SAFETY: `p` is live, allocated with `layout` by `global`.
    unsafe { GlobalAlloc::dealloc(&global, p, layout) };
    let s = global.stats();
    assert_eq!(
        (s.allocations, s.frees, s.bytes_allocated, s.live_bytes),
        (1, 1, 4096, 0)
    );
    let _: &Counting<std::alloc::System, ThreadSafe> = &global;
}

#[test]
fn composites_ask_the_part_that_allocates() {
    let (mut a, mut b) = ([MaybeUninit::uninit(); 256], [MaybeUninit::uninit(); 256]);
    let (small, large) = (Spy::new(&mut a), Spy::new(&mut b));
    let seg = alloc_runtime::Segregator::<32, _, _>::new(&small, &large);
    let p = seg
        .alloc_zeroed(100, Alignment::ONE, Caller::here())
        .unwrap();
    assert!(zeroed_bytes(p, 100));
    assert_eq!((small.zeroed.get(), large.zeroed.get()), (0, 1));
    let q = seg.alloc_zeroed(8, Alignment::ONE, Caller::here()).unwrap();
    assert!(zeroed_bytes(q, 8));
    assert_eq!((small.zeroed.get(), large.zeroed.get()), (1, 1));
    assert_eq!(
        small.allocs.get() + large.allocs.get(),
        0,
        "never alloc, then zeros"
    );

    // A two-part composite: the first part's `alloc_zeroed`, then the
    // second's when the first refuses (its buffer is 256 bytes).
    let (mut c, mut d) = ([MaybeUninit::uninit(); 256], [MaybeUninit::uninit(); 1024]);
    let (first, second) = (Spy::new(&mut c), Spy::new(&mut d));
    let fallback = alloc_runtime::Fallback::new(&first.bump, &second);
    let r = fallback
        .alloc_zeroed(512, Alignment::ONE, Caller::here())
        .unwrap();
    assert!(zeroed_bytes(r, 512));
    assert_eq!((second.allocs.get(), second.zeroed.get()), (0, 1));
}

#[test]
fn a_limit_checks_zeroed_requests_against_its_budget() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let spy = Spy::new(&mut buf);
    let limit = alloc_runtime::Limit::new(&spy, 100);
    let p = limit
        .alloc_zeroed(64, Alignment::ONE, Caller::here())
        .unwrap();
    assert!(zeroed_bytes(p, 64));
    assert_eq!(
        (spy.allocs.get(), spy.zeroed.get()),
        (0, 1),
        "the parent zeroed it"
    );
    assert_eq!(limit.live_bytes(), 64);
    assert!(
        limit
            .alloc_zeroed(64, Alignment::ONE, Caller::here())
            .is_none()
    );
    assert_eq!(
        (limit.refused(), spy.zeroed.get()),
        (1, 1),
        "refused before the parent"
    );
}
