//! The interleaved runner: every contender runs every workload it runs in
//! both shapes in every round, in an order shuffled anew each round, timed
//! with `Instant`; it prints the median time per iteration and the ratios
//! of those medians. Contenders that share a round share the machine's
//! state at that moment (other processes, frequency), which a run of
//! criterion's groups one after another does not.
//!
//! ```text
//! cargo run --release -p alloc-bench --bin interleaved -- [ROUNDS=31] [WORKLOAD...]
//! ```
//!
//! `WORKLOAD` is one or more of `small_allocs`, `growth`, `phases`, `tree`,
//! `strings`, `alloc_str`, `vec_push`, `hashmap`, `churn`, `pairs` (all by
//! default).

use std::process::ExitCode;
use std::time::Duration;

use alloc_bench::{
    BumpScope, BumpScopeNew, Bumpalo, BumpaloNew, Composed, ComposedCounted, Contender, Counted,
    Failing, Inputs, Mimalloc, OurArena, OurArenaNew, Ours, OursHandle, Shape, Stack, Std, Typed,
    Workload, time, time_typed,
};

/// Iterations of `w` per timed sample: enough for a sample of a few hundred
/// microseconds, far above `Instant`'s resolution (one iteration of
/// `growth` and `phases` takes milliseconds).
fn iters(w: Workload) -> u64 {
    match w {
        Workload::SmallAllocs => 200,
        Workload::Growth | Workload::Phases => 1,
        Workload::Tree => 4,
        Workload::Strings | Workload::AllocStr => 8,
        Workload::VecPush => 20,
        Workload::HashMap => 10,
        Workload::Churn => 1,
        Workload::Pairs => 2,
    }
}

/// Takes one sample of a workload in a shape: the time per iteration.
type Sampler = Box<dyn FnMut(Workload, Shape, &Inputs) -> Duration>;

/// One contender, its type erased.
struct Entry {
    name: &'static str,
    runs: fn(Workload) -> bool,
    sample: Sampler,
}

/// A contender of the allocator-api2 workloads only.
fn entry<C: Contender + 'static>(mut c: C) -> Entry {
    Entry {
        name: C::NAME,
        runs: C::runs,
        sample: Box::new(move |w, shape, inputs| {
            let n = iters(w);
            time(&mut c, w, shape, inputs, n) / n as u32
        }),
    }
}

/// A contender with the typed API and a reset.
fn typed_entry<C: Typed + 'static>(mut c: C) -> Entry {
    Entry {
        name: C::NAME,
        runs: C::runs,
        sample: Box::new(move |w, shape, inputs| {
            let n = iters(w);
            time_typed(&mut c, w, shape, inputs, n) / n as u32
        }),
    }
}

/// xorshift64: the shuffles are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `order` rotated by `round` and then shuffled (Fisher–Yates).
    fn shuffle(&mut self, order: &mut [usize], round: usize) {
        order.rotate_left(round % order.len());
        for i in (1..order.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
    }
}

/// The median of `xs` (sorted in place); the mean of the middle two for an
/// even count; `None` if `xs` is empty (the contender does not run there).
fn median(xs: &mut [f64]) -> Option<f64> {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    match xs.len() {
        0 => None,
        n if n % 2 == 1 => Some(xs[mid]),
        _ => Some((xs[mid - 1] + xs[mid]) / 2.0),
    }
}

/// A table of ratios: its title and its columns (label, numerator,
/// denominators), by contender name. The ratio's denominator is the
/// fastest of the denominators that ran.
type Ratios = (
    &'static str,
    &'static [(&'static str, &'static str, &'static [&'static str])],
);

/// The growing arena against its peers (issue 9): ours against each peer,
/// and against the faster of the two (`best`).
const ARENA_RATIOS: Ratios = (
    "the growing arena against its peers",
    &[
        ("arena/bumpalo", "arena", &["bumpalo"]),
        ("arena/bump-scope", "arena", &["bump-scope"]),
        ("arena/best", "arena", &["bumpalo", "bump-scope"]),
        ("arena/bump", "arena", &["bump"]),
        ("new/bumpalo-new", "arena-new", &["bumpalo-new"]),
        ("new/bump-scope-new", "arena-new", &["bump-scope-new"]),
        (
            "new/best-new",
            "arena-new",
            &["bumpalo-new", "bump-scope-new"],
        ),
    ],
);

/// The fixed-buffer `Bump`, its layers and its handle (issue 8).
const BUMP_RATIOS: Ratios = (
    "the fixed-buffer bump, its layers and its handle",
    &[
        ("bump/bumpalo", "bump", &["bumpalo"]),
        ("bump/bump-scope", "bump", &["bump-scope"]),
        ("stack/bump", "stack", &["bump"]),
        ("counting/bump", "counting", &["bump"]),
        ("fail/bump", "fail", &["bump"]),
        ("handle/static", "handle", &["bump"]),
        ("bump/std", "bump", &["std"]),
    ],
);

/// The composed small-object allocator of issue 10 against the system
/// allocator (glibc `malloc`) and mimalloc; `composed-counting` is the same
/// with `Counting` on top.
const COMPOSED_RATIOS: Ratios = (
    "the composed small-object allocator against malloc and mimalloc",
    &[
        ("composed/std", "composed", &["std"]),
        ("composed/mimalloc", "composed", &["mimalloc"]),
        ("counted/std", "composed-counting", &["std"]),
        ("counted/mimalloc", "composed-counting", &["mimalloc"]),
        ("counted/composed", "composed-counting", &["composed"]),
        ("mimalloc/std", "mimalloc", &["std"]),
    ],
);

fn parse(args: &[String]) -> Result<(usize, Vec<Workload>), String> {
    let mut rounds = 31;
    let mut workloads = Vec::new();
    for arg in args {
        if let Ok(n) = arg.parse::<usize>() {
            if n == 0 {
                return Err("ROUNDS must be at least 1".into());
            }
            rounds = n;
        } else if let Some(&w) = Workload::ALL.iter().find(|w| w.name() == arg) {
            workloads.push(w);
        } else {
            return Err(format!(
                "unknown argument {arg:?}: write a round count or a workload name"
            ));
        }
    }
    if workloads.is_empty() {
        workloads = Workload::ALL.to_vec();
    }
    Ok((rounds, workloads))
}

fn print_ratios(
    (title, columns): Ratios,
    cells: &[(Workload, Shape)],
    names: &[&str],
    medians: &[Vec<Option<f64>>],
) {
    println!();
    println!("ratios of the medians: {title} (best = the faster of the peers)");
    print!("{:<14} {:<10}", "workload", "shape");
    for (label, _, _) in columns {
        print!(" {label:>w$}", w = label.len().max(6));
    }
    println!();
    let index = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .expect("a contender of the runner")
    };
    for (cell, &(w, shape)) in cells.iter().enumerate() {
        let of = |name: &str| medians[cell][index(name)];
        print!("{:<14} {:<10}", w.name(), shape.name());
        for &(label, num, dens) in columns {
            let best = dens.iter().filter_map(|d| of(d)).reduce(f64::min);
            let width = label.len().max(6);
            match (of(num), best) {
                (Some(x), Some(y)) => print!(" {:>width$.2}", x / y),
                _ => print!(" {:>width$}", "-"),
            }
        }
        println!();
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (rounds, workloads) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("interleaved: {e}");
            let names: Vec<_> = Workload::ALL.iter().map(|w| w.name()).collect();
            eprintln!("usage: interleaved [ROUNDS=31] [{} ...]", names.join("|"));
            return ExitCode::FAILURE;
        }
    };

    let mut entries = vec![
        typed_entry(OurArena::new()),
        typed_entry(OurArenaNew),
        typed_entry(Bumpalo::new()),
        typed_entry(BumpaloNew),
        typed_entry(BumpScope::new()),
        typed_entry(BumpScopeNew),
        typed_entry(Ours::new()),
        entry(Stack::new()),
        entry(Counted::new()),
        entry(Failing::new()),
        entry(OursHandle::new()),
        entry(Std),
        entry(Mimalloc::new()),
        entry(Composed::new()),
        entry(ComposedCounted::new()),
    ];
    let names: Vec<&str> = entries.iter().map(|e| e.name).collect();
    let inputs = Inputs::new();
    let cells: Vec<(Workload, Shape)> = workloads
        .iter()
        .flat_map(|&w| Shape::ALL.map(|s| (w, s)))
        .collect();
    // samples[cell][contender]: one time per round, in nanoseconds.
    let mut samples = vec![vec![Vec::with_capacity(rounds); entries.len()]; cells.len()];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut order: Vec<usize> = (0..entries.len()).collect();

    eprintln!(
        "interleaved: {rounds} rounds (and one warm-up round), {} contenders, order shuffled every round",
        entries.len()
    );
    for round in 0..=rounds {
        for (cell, &(w, shape)) in cells.iter().enumerate() {
            rng.shuffle(&mut order, round);
            for &i in &order {
                if !(entries[i].runs)(w) {
                    continue;
                }
                let t = (entries[i].sample)(w, shape, &inputs);
                // Round 0 warms caches and arenas up and is not kept.
                if round > 0 {
                    samples[cell][i].push(t.as_secs_f64() * 1e9);
                }
            }
        }
    }

    println!("median time per iteration, µs ({rounds} rounds; - = does not run there)");
    print!("{:<14} {:<10}", "workload", "shape");
    for name in &names {
        print!(" {name:>w$}", w = name.len().max(8));
    }
    println!();
    let mut medians = vec![vec![None; entries.len()]; cells.len()];
    for (cell, &(w, shape)) in cells.iter().enumerate() {
        print!("{:<14} {:<10}", w.name(), shape.name());
        for (i, xs) in samples[cell].iter_mut().enumerate() {
            medians[cell][i] = median(xs);
            let width = names[i].len().max(8);
            match medians[cell][i] {
                Some(m) => print!(" {:>width$.2}", m / 1000.0),
                None => print!(" {:>width$}", "-"),
            }
        }
        println!();
    }
    print_ratios(ARENA_RATIOS, &cells, &names, &medians);
    print_ratios(BUMP_RATIOS, &cells, &names, &medians);
    print_ratios(COMPOSED_RATIOS, &cells, &names, &medians);
    ExitCode::SUCCESS
}
