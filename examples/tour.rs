//! A tour of `alloc-runtime`: a growing arena with bumpalo's API (an
//! interner and a syntax tree, phases with `reset`, a scope), a
//! `Counting<Fail<Bump>>` stack driving `Vec` and `HashMap`, the type-erased
//! handle, a user's own `#[derive(Allocator)]` wrapper, and failure
//! injection walking an error path, a composite (a stack buffer first,
//! the heap after, under a budget), and threads: a pool of arenas lent to
//! worker threads, a counter they share, and the global allocator, which is
//! itself a `Counting` here and counts the whole tour.
//!
//! Run it with `cargo run --release --example tour`.

use alloc_runtime::{
    Alignment, Allocator, Arena, ArenaPool, Bump, Caller, ConcurrentBump, Counting, Fail, Fallback,
    Global, Handle, Limit, RawAlloc, Stats, ThreadSafe, assert_no_allocations, measure,
};
use allocator_api2::alloc::Allocator as AllocatorApi;
use allocator_api2::collections::TryReserveError;
use allocator_api2::vec::Vec;
use core::cell::Cell;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use hashbrown::{DefaultHashBuilder, HashMap};

/// The program's global allocator: the system's, counted. Every `Box`,
/// `String` and `std::vec::Vec` of the tour goes through it.
#[global_allocator]
static GLOBAL: Counting<std::alloc::System, ThreadSafe> = Counting::new_sync(std::alloc::System);

const TEXT: &str = "the quick brown fox jumps over the lazy dog and the dog sleeps \
                    while the fox runs over the hill and far away from the dog";

/// A user's own allocator: refuses any request that would make one block
/// larger than `max` bytes, and counts the refusals. `alloc`, `resize` and
/// `remap` are overridden; `free` goes straight to the parent, a direct call.
#[derive(Allocator)]
// SAFETY: each override refuses (None/false) or forwards to the parent
// unchanged, so the parent's contract holds for the wrapper.
#[allocator(unsafe(alloc = Self::capped_alloc, resize = Self::capped_resize, remap = Self::capped_remap))]
struct SizeCap<A> {
    #[allocator(parent)]
    inner: A,
    max: usize,
    refused: Cell<u32>,
}

impl<A: RawAlloc> SizeCap<A> {
    fn new(inner: A, max: usize) -> Self {
        Self {
            inner,
            max,
            refused: Cell::new(0),
        }
    }

    /// Whether `len` is over the cap; counts the refusal if so.
    fn over(&self, len: usize) -> bool {
        let over = len > self.max;
        if over {
            self.refused.set(self.refused.get() + 1);
        }
        over
    }

    fn capped_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if self.over(len) {
            return None;
        }
        self.inner.alloc(len, align, caller)
    }

    /// # Safety
    ///
    /// `RawAlloc::resize`'s contract.
    unsafe fn capped_resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: the caller upholds `resize`'s contract for the parent's memory.
        !self.over(new_len) && unsafe { self.inner.resize(memory, align, new_len, caller) }
    }

    /// # Safety
    ///
    /// `RawAlloc::remap`'s contract.
    unsafe fn capped_remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        if self.over(new_len) {
            return None;
        }
        // SAFETY: the caller upholds `remap`'s contract for the parent's memory.
        unsafe { self.inner.remap(memory, align, new_len, caller) }
    }
}

/// The one error of the code under test: some allocation was refused.
#[derive(Debug)]
struct OutOfMemory;

impl std::fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("out of memory")
    }
}

impl From<TryReserveError> for OutOfMemory {
    fn from(_: TryReserveError) -> Self {
        OutOfMemory
    }
}

impl From<hashbrown::TryReserveError> for OutOfMemory {
    fn from(_: hashbrown::TryReserveError) -> Self {
        OutOfMemory
    }
}

/// Splits `text` into words, with fallible allocation only: every failure
/// comes back as an error value, never as an abort.
fn words_in<A: AllocatorApi>(text: &str, alloc: A) -> Result<Vec<&str, A>, OutOfMemory> {
    let mut words = Vec::new_in(alloc);
    for word in text.split_whitespace() {
        words.try_reserve(1)?;
        words.push(word);
    }
    Ok(words)
}

/// Counts each word, with fallible allocation only.
fn word_counts<A: AllocatorApi + Clone>(
    text: &str,
    alloc: A,
) -> Result<HashMap<&str, u32, DefaultHashBuilder, A>, OutOfMemory> {
    let words = words_in(text, alloc.clone())?;
    let mut counts = HashMap::with_hasher_in(DefaultHashBuilder::default(), alloc);
    for word in words.iter() {
        counts.try_reserve(1)?;
        *counts.entry(*word).or_insert(0) += 1;
    }
    Ok(counts)
}

/// A syntax tree in an arena: nodes refer to each other by `&'a`.
enum Expr<'a> {
    Num(i64),
    Var(&'a str),
    Add(&'a Expr<'a>, &'a Expr<'a>),
    Mul(&'a Expr<'a>, &'a Expr<'a>),
}

impl Expr<'_> {
    fn eval(&self, x: i64) -> i64 {
        match self {
            Expr::Num(n) => *n,
            Expr::Var(_) => x,
            Expr::Add(a, b) => a.eval(x) + b.eval(x),
            Expr::Mul(a, b) => a.eval(x) * b.eval(x),
        }
    }
}

impl std::fmt::Display for Expr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expr::Num(n) => write!(f, "{n}"),
            Expr::Var(v) => f.write_str(v),
            Expr::Add(a, b) => write!(f, "({a} + {b})"),
            Expr::Mul(a, b) => write!(f, "{a} * {b}"),
        }
    }
}

/// `1 + 2x + 3x^2 + ... + n x^(n-1)` in Horner form, every node in `arena`.
fn polynomial<'a, A: RawAlloc>(arena: &'a Arena<A>, n: i64) -> &'a Expr<'a> {
    let x: &Expr<'_> = arena.alloc(Expr::Var(arena.alloc_str("x")));
    let mut e: &Expr<'_> = arena.alloc(Expr::Num(n));
    for k in (1..n).rev() {
        let times_x = arena.alloc(Expr::Mul(e, x));
        e = arena.alloc(Expr::Add(arena.alloc(Expr::Num(k)), times_x));
    }
    e
}

/// Section 0: the growing arena, chunks taken from a counted global allocator.
fn arena_tour() {
    println!("0. Arena<&Counting<Global>>: bumpalo's API, chunks from a counted parent");
    let heap = Counting::new(Global);
    let mut arena = Arena::new_in(&heap);

    // An interner: each distinct word copied into the arena once.
    let mut interned: HashMap<&str, u32, DefaultHashBuilder, &Arena<&Counting<Global>>> =
        HashMap::with_hasher_in(DefaultHashBuilder::default(), &arena);
    for word in TEXT.split_whitespace() {
        match interned.get_mut(word) {
            Some(count) => *count += 1,
            None => {
                interned.insert(arena.alloc_str(word), 1);
            }
        }
    }
    println!(
        "   interned {} distinct words; \"the\" seen {} times",
        interned.len(),
        interned["the"]
    );
    drop(interned);

    // A syntax tree whose nodes point at each other, and a line formatted
    // straight into the arena.
    let tree = polynomial(&arena, 4);
    let line = arena.alloc_fmt(format_args!("{tree} at x = 2 is {}", tree.eval(2)));
    println!("   {line}");
    println!(
        "   {} chunk(s), {} bytes taken from the heap in {} allocation(s)",
        arena.stats().chunks,
        arena.allocated_bytes_including_metadata(),
        heap.stats().allocations
    );

    // Phases: `reset` keeps the largest chunk, so the loop settles and stops
    // asking the heap for memory.
    for phase in 1..=5 {
        arena.reset();
        let before = heap.stats().allocations;
        let squares = arena.alloc_slice_fill_with(2_000, |i| (i as u64) * (i as u64));
        let total: u64 = squares.iter().sum();
        println!(
            "   phase {phase}: sum of 2,000 squares = {total}, heap allocations this phase: {}",
            heap.stats().allocations - before
        );
    }

    // A scope: everything allocated in it is released when it ends, and
    // nothing allocated in it can outlive it (the compiler checks).
    let used = arena.stats().used;
    let longest = arena.scope(|s| {
        let words = s.alloc_slice_from_iter(TEXT.split_whitespace());
        words.iter().map(|w| w.len()).max().unwrap_or(0)
    });
    println!(
        "   a scope found the longest word ({longest} letters); used bytes before {used}, after {}",
        arena.stats().used
    );
    println!("\n   arena statistics:");
    for line in arena.stats().to_string().lines() {
        println!("     {line}");
    }
    drop(arena);
    println!(
        "   after the drop: {} live bytes on the heap, {} allocations and {} frees\n",
        heap.stats().live_bytes,
        heap.stats().allocations,
        heap.stats().frees
    );
}

fn main() {
    let mut buf = vec![MaybeUninit::uninit(); 256 * 1024];
    let mut columns: std::vec::Vec<(String, Stats)> = std::vec::Vec::new();

    println!("alloc-runtime tour\n");

    arena_tour();

    // 1. Layers stacked by value, statically dispatched, driving allocator-api2
    //    and hashbrown collections.
    println!("1. Counting<Fail<Bump>> driving Vec and hashbrown::HashMap");
    let layers = Counting::new(Fail::new(Bump::new(&mut buf), usize::MAX));
    {
        let mut squares: Vec<u64, _> = Vec::new_in(&layers);
        for i in 0..1_000u64 {
            squares.push(i * i);
        }
        let counts = word_counts(TEXT, &layers).expect("no failure injected yet");
        let mut top: std::vec::Vec<_> = counts.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        println!(
            "   sum of 1,000 squares = {}; most frequent words: {:?}",
            squares.iter().sum::<u64>(),
            &top[..3]
        );
        println!(
            "   bump: {} of {} bytes used; the Vec grew in place {} times",
            layers.inner().inner().used(),
            layers.inner().inner().capacity(),
            layers.stats().resizes
        );
    }
    columns.push(("Vec + HashMap".into(), layers.stats()));

    // 2. The type-erased handle: a context pointer and a vtable, `Copy`, and
    //    an allocator in its own right, so layers stack through it too.
    println!(
        "\n2. The handle: Counting<Handle> over a Bump, Zig-style create/destroy, dupe, a Vec"
    );
    let bump = Bump::new(&mut buf);
    let counted = Counting::new(bump.allocator());
    let handle: Handle<'_> = counted.allocator();
    let point = handle.create((3.0f64, 4.0f64)).expect("room for a point");
    // SAFETY: `point` was initialized by `create` and is not aliased.
    let (x, y) = unsafe { *point.as_ptr() };
    println!(
        "   created a point at {point:p}: length {}",
        (x * x + y * y).sqrt()
    );
    // SAFETY: `point` came from `create` on this handle and is destroyed once.
    unsafe { handle.destroy(point) };
    let greeting = handle
        .dupe(b"hello from a handle")
        .expect("room for a copy");
    // SAFETY: `dupe` returned an initialized, unaliased slice.
    let text = unsafe { greeting.as_ref() };
    println!(
        "   duplicated {:?}",
        std::str::from_utf8(text).expect("ASCII")
    );
    // SAFETY: `greeting` came from `dupe` on this handle, freed once.
    unsafe { handle.free_slice(greeting) };
    let mut erased: Vec<u32, Handle<'_>> = Vec::new_in(handle);
    erased.extend(1..=10);
    println!(
        "   a Vec<u32, Handle> sums to {}",
        erased.iter().sum::<u32>()
    );
    drop(erased);
    columns.push(("handle".into(), counted.stats()));

    // 3. A user's derived allocator in the stack, stacked over a reference.
    println!("\n3. A user's #[derive(Allocator)] wrapper: SizeCap<Counting<&Bump>>");
    let bump = Bump::new(&mut buf);
    let counted = Counting::new(&bump);
    let capped = SizeCap::new(&counted, 256);
    let small = words_in("a few words fit", &capped);
    let many = words_in(TEXT, &capped);
    println!(
        "   a short text: {:?}; a long one: {}",
        small.as_ref().map(|w| w.len()),
        match &many {
            Ok(w) => format!("{} words", w.len()),
            Err(e) => format!("refused ({e})"),
        }
    );
    println!(
        "   SizeCap refused {} request(s) above 256 bytes",
        capped.refused.get()
    );
    drop((small, many));
    columns.push(("SizeCap".into(), counted.stats()));

    // 4. Failure injection: fail the n-th allocation for every n, and check
    //    the code under test returns an error (no abort, no leak) each time.
    println!("\n4. Failure injection: word_counts with the n-th allocation failing");
    let mut n = 0;
    loop {
        let mut buf = [MaybeUninit::uninit(); 16 * 1024];
        let stack = Counting::new(Fail::new(Bump::new(&mut buf), n));
        let result = word_counts(TEXT, &stack).map(|counts| counts.len());
        let stats = stack.stats();
        let injected = stack.inner().induced_failures();
        println!(
            "   n = {n}: {:<32} induced failures: {injected}, live bytes after: {}",
            match result {
                Ok(distinct) => format!("ok, {distinct} distinct words"),
                Err(ref e) => format!("error: {e}"),
            },
            stats.live_bytes
        );
        assert_eq!(stats.live_bytes, 0, "the error path leaked");
        if result.is_ok() {
            columns.push((format!("fail at n={n}"), stats));
            break;
        }
        if n == 0 {
            columns.push(("fail at n=0".into(), stats));
        }
        n += 1;
    }

    // 5. Composition: a small stack buffer first and the heap after, each
    //    part counted, under a budget. Frees find the part that made the
    //    block by asking the buffer whether it owns it.
    println!("\n5. Composition: Limit<Fallback<Counting<Bump>, Counting<Global>>>");
    let mut small_buf = [MaybeUninit::uninit(); 512];
    let parts = Fallback::new(
        Counting::new(Bump::new(&mut small_buf)),
        Counting::new(Global),
    );
    let budget = Limit::new(&parts, 64 * 1024);
    let counts = word_counts(TEXT, &budget).expect("within the budget");
    println!(
        "   {} distinct words: {} allocation(s) in the 512-byte buffer, {} on the heap, {} bytes live under a 64 KiB budget",
        counts.len(),
        parts.primary().stats().allocations,
        parts.secondary().stats().allocations,
        budget.live_bytes(),
    );
    drop(counts);
    let tight = Limit::new(&parts, 100);
    let refused = word_counts(TEXT, &tight);
    assert!(refused.is_err());
    println!(
        "   under a 100-byte budget: {} ({} refusal(s)); live bytes after: {} in the buffer, {} on the heap",
        refused.err().map_or(String::new(), |e| e.to_string()),
        tight.refused(),
        parts.primary().stats().live_bytes,
        parts.secondary().stats().live_bytes,
    );
    assert_eq!(
        parts.secondary().stats().live_bytes,
        0,
        "a heap block leaked"
    );
    columns.push(("composite heap".into(), parts.secondary().stats()));
    println!(
        "   (cargo run --release --example small_objects assembles a small-object allocator from these blocks)"
    );

    threads_tour(&mut columns);

    columns.push(("whole program".into(), GLOBAL.stats()));
    println!("\nStatistics (bytes as requested; \"whole program\" is the global allocator):\n");
    print_table(&columns);
}

/// 6. Threads: arenas lent to workers whose strings outlive them, and one
///    counter shared by all threads.
fn threads_tour(columns: &mut std::vec::Vec<(String, Stats)>) {
    println!(
        "\n6. Threads: ArenaPool, a shared Counting<Global, ThreadSafe>, ConcurrentBump, a Region"
    );
    let pool = ArenaPool::new();
    let shared = Counting::new_sync(Global);
    let parts: std::vec::Vec<&str> = TEXT.split(" and ").collect();
    let summaries: std::vec::Vec<&str> = std::thread::scope(|s| {
        let workers: std::vec::Vec<_> = parts
            .iter()
            .map(|part| {
                let (pool, shared) = (&pool, &shared);
                s.spawn(move || {
                    // Each worker borrows an arena; what it allocates lives
                    // as long as the pool, past the thread.
                    let arena = pool.get();
                    let words: Vec<&str, _> = words_in(part, shared).expect("heap");
                    &*arena.alloc_fmt(format_args!("{} words", words.len()))
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect()
    });
    println!(
        "   {} workers, {} arena(s) made: {:?}",
        parts.len(),
        pool.stats().arenas,
        summaries
    );
    let s = shared.stats();
    println!(
        "   the shared counter saw {} allocations from {} threads; {} bytes live",
        s.allocations,
        parts.len(),
        s.live_bytes
    );
    assert_eq!(s.live_bytes, 0, "every worker freed its words");
    columns.push(("threads".into(), s));

    // A lock-free bump shared by two threads: one compare-and-swap each.
    let mut buffer = vec![MaybeUninit::uninit(); 4096];
    let bump = ConcurrentBump::new(&mut buffer);
    let lists: std::vec::Vec<Vec<&str, &ConcurrentBump<'_>>> = std::thread::scope(|s| {
        let workers: std::vec::Vec<_> = parts[..2]
            .iter()
            .map(|part| {
                let bump = &bump;
                s.spawn(move || words_in(part, bump).expect("room"))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect()
    });
    println!(
        "   two threads took {} of {} bytes of one ConcurrentBump for {} and {} words",
        bump.used(),
        bump.capacity(),
        lists[0].len(),
        lists[1].len()
    );
    drop(lists);

    // What a piece of code allocated, read off the global counter.
    let (counts, change) = measure(&GLOBAL, || word_counts(TEXT, Global).expect("heap"));
    println!(
        "   word_counts over Global: {} allocations, {} bytes (a Region over the global allocator)",
        change.allocations, change.bytes_allocated
    );
    let the = assert_no_allocations(&GLOBAL, || counts.get("the").copied());
    println!("   looking up \"the\" ({the:?} times) allocates nothing: asserted");
}

fn print_table(columns: &[(String, Stats)]) {
    type Row = (&'static str, fn(&Stats) -> u64);
    let rows: [Row; 9] = [
        ("allocations", |s| s.allocations),
        ("frees", |s| s.frees),
        ("resizes", |s| s.resizes),
        ("remaps", |s| s.remaps),
        ("failures", |s| s.failures),
        ("bytes allocated", |s| s.bytes_allocated),
        ("bytes freed", |s| s.bytes_freed),
        ("live bytes", |s| s.live_bytes as u64),
        ("peak live bytes", |s| s.peak_live_bytes as u64),
    ];
    print!("{:<17}", "");
    for (name, _) in columns {
        print!("{name:>15}");
    }
    println!();
    for (label, get) in rows {
        print!("{label:<17}");
        for (_, stats) in columns {
            print!("{:>15}", get(stats));
        }
        println!();
    }
}
