//! `#[derive(Allocator)]` on inputs that must compile, used the way users do:
//! through `allocator_api2`'s `Vec` and `Box`, `hashbrown`, and the
//! `allocator()` handle.

use std::alloc::{Layout, alloc, dealloc, realloc};
use std::cell::Cell;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use alloc_runtime::{Alignment, Allocator, Bump, Caller, Counting, RawAlloc};
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;

/// The global heap, through the four functions: an allocator of the test's
/// own that implements `RawAlloc` by hand and derives the rest.
#[derive(Allocator)]
struct Heap;

// SAFETY: `alloc` hands out fresh blocks of the global allocator with the
// layout `(len, align)`; `free` and `remap` receive blocks of that layout
// (their contracts) and pass it back to the global allocator.
unsafe impl RawAlloc for Heap {
    fn alloc(&self, len: usize, align: Alignment, _: Caller) -> Option<NonNull<u8>> {
        let layout = Layout::from_size_align(len, align.to_bytes()).ok()?;
        // SAFETY: `len > 0` by `RawAlloc`'s contract, so the layout is not zero-size.
        NonNull::new(unsafe { alloc(layout) })
    }

    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        _: Caller,
    ) -> Option<NonNull<u8>> {
        Layout::from_size_align(new_len, align.to_bytes()).ok()?;
        // SAFETY: `memory` is a live block of this layout (the contract), and
        // the new size was checked to form a valid layout with `align`.
        let layout = unsafe { Layout::from_size_align_unchecked(memory.len(), align.to_bytes()) };
        // SAFETY: as above; `new_len > 0` by the contract.
        NonNull::new(unsafe { realloc(memory.cast::<u8>().as_ptr(), layout, new_len) })
    }

    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, _: Caller) {
        // SAFETY: `memory` was allocated by `alloc` or `remap` with this
        // length and alignment, which formed a valid layout then.
        let layout = unsafe { Layout::from_size_align_unchecked(memory.len(), align.to_bytes()) };
        // SAFETY: as above.
        unsafe { dealloc(memory.cast::<u8>().as_ptr(), layout) };
    }
}

/// A parent that counts how often each of its four functions is called and
/// forwards to the heap; shows which calls reach the parent.
#[derive(Allocator, Default)]
struct Probe {
    calls: Cell<[usize; 4]>,
}

impl Probe {
    fn bump(&self, index: usize) {
        let mut calls = self.calls.get();
        calls[index] += 1;
        self.calls.set(calls);
    }

    /// Calls so far to `[alloc, resize, remap, free]`.
    fn calls(&self) -> [usize; 4] {
        self.calls.get()
    }
}

// SAFETY: every call is forwarded to `Heap` unchanged.
unsafe impl RawAlloc for Probe {
    fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.bump(0);
        Heap.alloc(len, align, caller)
    }

    unsafe fn resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        self.bump(1);
        // SAFETY: the caller's contract, for the heap that made `memory`.
        unsafe { Heap.resize(memory, align, new_len, caller) }
    }

    unsafe fn remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        self.bump(2);
        // SAFETY: the caller's contract, for the heap that made `memory`.
        unsafe { Heap.remap(memory, align, new_len, caller) }
    }

    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        self.bump(3);
        // SAFETY: the caller's contract, for the heap that made `memory`.
        unsafe { Heap.free(memory, align, caller) }
    }
}

/// The plainest wrapper: no bound written, the derive adds `A: RawAlloc`.
#[derive(Allocator)]
struct PassThrough<A> {
    #[allocator(parent)]
    inner: A,
}

/// Lifetimes, bounds with `?Sized`, a default parameter, a const parameter
/// and a where-clause, with a borrowed parent.
#[derive(Allocator)]
struct Scoped<'a, 'b: 'a, P: ?Sized + 'b, T = u8, const N: usize = 2>
where
    T: Copy + Default,
{
    label: [T; N],
    #[allocator(parent)]
    parent: &'a P,
    _outlives: core::marker::PhantomData<&'b ()>,
}

/// A struct that is unsized when its parent is: `Unsized<dyn RawAlloc>`.
#[derive(Allocator)]
struct Unsized<A: ?Sized> {
    requests: Cell<usize>,
    #[allocator(parent)]
    inner: A,
}

/// A tuple struct whose parent is not the first field.
#[derive(Allocator)]
struct Tuple<A>(u32, #[allocator(parent)] A);

/// A wrapper whose parent needs no parameter: `&'static Heap`.
#[derive(Allocator)]
struct Static(#[allocator(parent)] &'static Heap);

/// Every function overridden, the safe ones by safe functions and the
/// unsafe ones by `unsafe fn`s; each counts, then forwards to the parent.
#[derive(Allocator)]
// SAFETY: each override counts, then forwards to the parent with the same
// arguments, so the parent's contract holds for the wrapper.
#[allocator(unsafe(
    alloc = Self::on_alloc,
    resize = Self::on_resize,
    remap = Self::on_remap,
    free = Self::on_free,
))]
struct Hooks<A> {
    #[allocator(parent)]
    inner: A,
    /// `[alloc, resize, remap, free]` calls seen by the overrides.
    seen: Cell<[usize; 4]>,
}

impl<A: RawAlloc> Hooks<A> {
    fn new(inner: A) -> Self {
        Hooks {
            inner,
            seen: Cell::new([0; 4]),
        }
    }

    fn see(&self, index: usize) {
        let mut seen = self.seen.get();
        seen[index] += 1;
        self.seen.set(seen);
    }

    fn on_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        self.see(0);
        self.inner.alloc(len, align, caller)
    }

    /// # Safety
    ///
    /// `RawAlloc::resize`'s contract.
    unsafe fn on_resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        self.see(1);
        // SAFETY: forwarded under the caller's contract.
        unsafe { self.inner.resize(memory, align, new_len, caller) }
    }

    /// # Safety
    ///
    /// `RawAlloc::remap`'s contract.
    unsafe fn on_remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        self.see(2);
        // SAFETY: forwarded under the caller's contract.
        unsafe { self.inner.remap(memory, align, new_len, caller) }
    }

    /// # Safety
    ///
    /// `RawAlloc::free`'s contract.
    unsafe fn on_free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        self.see(3);
        // SAFETY: forwarded under the caller's contract.
        unsafe { self.inner.free(memory, align, caller) }
    }
}

/// Only `alloc` overridden, by a free function: it refuses large requests
/// and leaves the rest to the parent.
#[derive(Allocator)]
// SAFETY: `small_only` refuses or forwards to the parent unchanged.
#[allocator(unsafe(alloc = small_only))]
struct SmallOnly<A> {
    #[allocator(parent)]
    inner: A,
}

fn small_only<A: RawAlloc>(
    this: &SmallOnly<A>,
    len: usize,
    align: Alignment,
    caller: Caller,
) -> Option<NonNull<u8>> {
    if len > 64 {
        None
    } else {
        this.inner.alloc(len, align, caller)
    }
}

/// A parent that keeps one record: it knows only 8-byte blocks, and says so
/// through `validate`; counts the questions.
#[derive(Allocator, Default)]
struct EightOnly {
    asked: Cell<usize>,
}

// SAFETY: `alloc` hands out nothing; `validate` only compares a length.
unsafe impl RawAlloc for EightOnly {
    fn alloc(&self, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
        None
    }

    unsafe fn free(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}

    fn validate(&self, memory: NonNull<[u8]>, _: Alignment, _: Caller) -> bool {
        self.asked.set(self.asked.get() + 1);
        memory.len() == 8
    }
}

/// Wrappers that need no `unsafe`: the derive's output has none of its
/// own, so they compile where `unsafe_code` is forbidden.
mod safe_only {
    #![forbid(unsafe_code)]

    use alloc_runtime::{Alignment, Allocator, Caller, RawAlloc};
    use std::ptr::NonNull;

    /// `validate` overridden by a safe function, no `unsafe` needed: it also
    /// refuses over-aligned blocks, then asks the parent.
    #[derive(Allocator)]
    #[allocator(validate = Self::small_align)]
    pub struct AlignCheck<A> {
        #[allocator(parent)]
        pub inner: A,
    }

    impl<A: RawAlloc> AlignCheck<A> {
        fn small_align(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) -> bool {
            align.to_bytes() <= 8 && self.inner.validate(memory, align, caller)
        }
    }
}

use safe_only::AlignCheck;

/// A block of `len` bytes that is never read: `validate` only compares.
fn block(len: usize) -> NonNull<[u8]> {
    NonNull::slice_from_raw_parts(NonNull::dangling(), len)
}

/// The runtime named by an explicit path, and by a path through this crate.
#[derive(Allocator)]
#[allocator(crate = "alloc_runtime")]
struct Explicit<A>(#[allocator(parent)] A);

mod reexport {
    pub use alloc_runtime as rt;
}

#[derive(Allocator)]
#[allocator(crate = "crate::reexport::rt")]
struct ThroughReexport<A>(#[allocator(parent)] A);

/// Pushes, grows and drops through `allocator_api2`'s `Vec`, and boxes.
fn exercise<A: allocator_api2::alloc::Allocator + Copy>(a: A) {
    let mut v = Vec::new_in(a);
    v.extend(0..100u32);
    assert_eq!(v.iter().sum::<u32>(), 4950);
    v.truncate(3);
    v.shrink_to_fit();
    assert_eq!(v, [0, 1, 2]);
    let b = Box::new_in([7u64; 4], a);
    assert_eq!(b[3], 7);
}

#[test]
fn own_allocator_works_with_collections() {
    exercise(&Heap);
    let handle = Heap.allocator();
    let p = handle.create(5u16).unwrap();
    // SAFETY: `p` came from `create` on this handle and is destroyed once.
    unsafe { handle.destroy(p) };
    let sync = Heap.sync_allocator();
    exercise(sync);
}

#[test]
fn pass_through_forwards_everything() {
    let probe = Probe::default();
    let wrapper = PassThrough { inner: &probe };
    exercise(&wrapper);
    let [alloc, resize, remap, free] = probe.calls();
    assert!(alloc >= 2, "{:?}", probe.calls());
    assert!(resize + remap >= 1, "the Vec grew: {:?}", probe.calls());
    assert_eq!(free, alloc, "every block was freed once");

    // Owned parent, used through the handle.
    let owned = PassThrough {
        inner: Probe::default(),
    };
    let p = owned.allocator().create(1u8).unwrap();
    // SAFETY: made by `create` on a handle to `owned`, destroyed once.
    unsafe { owned.allocator().destroy(p) };
    assert_eq!(owned.inner.calls(), [1, 0, 0, 1]);
}

#[test]
fn pass_through_over_a_bump() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let bump = Bump::new(&mut buf);
    let wrapper = PassThrough { inner: &bump };
    let mut v = Vec::new_in(&wrapper);
    v.extend_from_slice(b"hello");
    assert_eq!(v, b"hello");
    assert!(bump.used() >= 5);
    // A wrapper of a wrapper.
    let twice = PassThrough { inner: &wrapper };
    let b = Box::new_in(3u8, &twice);
    assert_eq!(*b, 3);
}

#[test]
fn generic_struct_with_lifetimes_and_where_clauses() {
    let probe = Probe::default();
    let scoped: Scoped<'_, '_, Probe> = Scoped {
        label: [0u8; 2],
        parent: &probe,
        _outlives: core::marker::PhantomData,
    };
    exercise(&scoped);
    assert_eq!(scoped.label, [0, 0]);
    assert!(probe.calls()[0] >= 2);

    // An unsized parent: `dyn RawAlloc` behind the reference.
    let erased: &dyn RawAlloc = &probe;
    let scoped: Scoped<'_, '_, dyn RawAlloc, u16, 1> = Scoped {
        label: [9],
        parent: erased,
        _outlives: core::marker::PhantomData,
    };
    let b = Box::new_in(1u32, &scoped);
    drop(b);
    assert_eq!(scoped.label, [9]);
    let _ = scoped.allocator();
}

#[test]
fn unsized_wrapper() {
    let sized = Unsized {
        requests: Cell::new(0),
        inner: Probe::default(),
    };
    // The handles need a sized allocator; the sized form has them.
    let p = sized.allocator().create(1u8).unwrap();
    // SAFETY: made by `create` on a handle to `sized`, destroyed once.
    unsafe { sized.allocator().destroy(p) };
    let erased: &Unsized<dyn RawAlloc> = &sized;
    exercise(erased);
    erased.requests.set(1);
    assert_eq!(sized.requests.get(), 1);
    assert!(sized.inner.calls()[0] >= 3);
}

#[test]
fn tuple_struct_and_static_parent() {
    let probe = Probe::default();
    let tuple = Tuple(7, &probe);
    exercise(&tuple);
    assert_eq!(tuple.0, 7);
    assert!(probe.calls()[0] >= 2);

    static HEAP: Heap = Heap;
    let s = Static(&HEAP);
    exercise(&s);
    // `Static` is `Sync`: its handle may cross threads.
    let handle = s.sync_allocator();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let p = handle.create(1u64).unwrap();
            // SAFETY: made by `create` on this handle, destroyed once.
            unsafe { handle.destroy(p) };
        });
    });
}

#[test]
fn every_override_is_called_instead_of_the_parent() {
    let probe = Probe::default();
    let hooks = Hooks::new(&probe);
    exercise(&hooks);
    // The overrides saw exactly what reached the parent: they forward.
    assert_eq!(hooks.seen.get(), probe.calls());
    let [alloc, resize, remap, free] = hooks.seen.get();
    assert!(
        alloc >= 2 && free == alloc && resize + remap >= 1,
        "{:?}",
        hooks.seen.get()
    );
}

#[test]
fn one_override_and_the_rest_forwarded() {
    let probe = Probe::default();
    let small = SmallOnly { inner: &probe };
    // Refused by the override: the parent never sees it.
    assert!(small.allocator().alloc_slice::<u8>(65).is_err());
    assert_eq!(probe.calls(), [0, 0, 0, 0]);
    // Accepted: the override calls the parent's `alloc`; `free` is forwarded.
    let b = Box::new_in(1u64, &small);
    drop(b);
    assert_eq!(probe.calls(), [1, 0, 0, 1]);
    let mut v = Vec::<u8, _>::new_in(&small);
    assert!(v.try_reserve(1000).is_err());
}

#[test]
fn hashbrown_with_a_derived_allocator() {
    let counting = Counting::new(Heap);
    let wrapper = PassThrough { inner: &counting };
    let mut map =
        hashbrown::HashMap::with_hasher_in(hashbrown::DefaultHashBuilder::default(), &wrapper);
    for i in 0..100u32 {
        map.insert(i, i * 2);
    }
    assert_eq!(map[&42], 84);
    assert!(counting.stats().allocations >= 1);
    drop(map);
    assert_eq!(counting.stats().live_bytes, 0);
}

#[test]
fn explicit_crate_paths() {
    let probe = Probe::default();
    exercise(&Explicit(&probe));
    exercise(&ThroughReexport(&probe));
    let through = ThroughReexport(&probe);
    let p = through.allocator().create(1u8).unwrap();
    // SAFETY: made by `create` on a handle to `through`, destroyed once.
    unsafe { through.allocator().destroy(p) };
}

#[test]
fn derived_types_are_raw_allocators() {
    fn takes<A: RawAlloc>(a: A) -> A {
        a
    }
    static HEAP: Heap = Heap;
    let nested = takes(PassThrough {
        inner: Hooks::new(Tuple(0, Static(&HEAP))),
    });
    exercise(&nested);
    assert!(nested.inner.seen.get()[0] >= 2);
    // A type-erased handle is a parent too.
    let probe = Probe::default();
    let over_handle = PassThrough {
        inner: probe.allocator(),
    };
    exercise(&over_handle);
    assert!(probe.calls()[0] >= 2);
}

#[test]
fn validate_is_forwarded_to_the_parent() {
    let parent = EightOnly::default();
    let wrapper = PassThrough { inner: &parent };
    assert!(wrapper.validate(block(8), Alignment::ONE, Caller::here()));
    assert!(!wrapper.validate(block(4), Alignment::ONE, Caller::here()));
    assert_eq!(parent.asked.get(), 2);
    // Through two layers.
    let nested = Tuple(0, PassThrough { inner: &parent });
    assert!(!nested.validate(block(16), Alignment::ONE, Caller::here()));
    assert_eq!(parent.asked.get(), 3);
}

#[test]
fn validate_override_is_called_instead_of_the_parent() {
    let parent = EightOnly::default();
    let check = AlignCheck { inner: &parent };
    let big = Alignment::new(64).unwrap();
    // Refused by the override: the parent is not asked.
    assert!(!check.validate(block(8), big, Caller::here()));
    assert_eq!(parent.asked.get(), 0);
    // Passed on: the parent's answer.
    assert!(check.validate(block(8), Alignment::ONE, Caller::here()));
    assert!(!check.validate(block(3), Alignment::ONE, Caller::here()));
    assert_eq!(parent.asked.get(), 2);
    // The other functions still reach the parent.
    assert!(check.allocator().create(1u8).is_err());
}
