//! The interleaved runner: every contender runs every workload in both
//! shapes in every round, in an order shuffled anew each round, timed with
//! `Instant`; it prints the median time per iteration and the ratios of
//! those medians. Contenders that share a round share the machine's state at
//! that moment (other processes, frequency), which a run of criterion's
//! groups one after another does not.
//!
//! ```text
//! cargo run --release -p alloc-bench --bin interleaved -- [ROUNDS=31] [WORKLOAD...]
//! ```
//!
//! `WORKLOAD` is one or more of `small_allocs`, `tree`, `strings`,
//! `vec_push`, `hashmap` (all by default).

use std::process::ExitCode;
use std::time::Duration;

use alloc_bench::{
    BumpScope, Bumpalo, Contender, Counted, Failing, Inputs, Ours, OursHandle, Shape, Stack, Std,
    Workload, time,
};

/// Iterations of `w` per timed sample: enough for a sample of a few hundred
/// microseconds, far above `Instant`'s resolution.
fn iters(w: Workload) -> u64 {
    match w {
        Workload::SmallAllocs => 200,
        Workload::Tree => 4,
        Workload::Strings => 8,
        Workload::VecPush => 20,
        Workload::HashMap => 10,
    }
}

/// Takes one sample of a workload in a shape: the time per iteration.
type Sampler = Box<dyn FnMut(Workload, Shape, &Inputs) -> Duration>;

/// One contender, its type erased.
struct Entry {
    name: &'static str,
    sample: Sampler,
}

fn entry<C: Contender + 'static>(mut c: C) -> Entry {
    Entry {
        name: C::NAME,
        sample: Box::new(move |w, shape, inputs| {
            let n = iters(w);
            time(&mut c, w, shape, inputs, n) / n as u32
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
/// even count.
fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

/// The ratios printed for each workload and shape: (label, numerator,
/// denominator), by contender name.
const RATIOS: [(&str, &str, &str); 7] = [
    ("bump/bumpalo", "bump", "bumpalo"),
    ("bump/bump-scope", "bump", "bump-scope"),
    ("stack/bump", "stack", "bump"),
    ("counting/bump", "counting", "bump"),
    ("fail/bump", "fail", "bump"),
    ("handle/static", "handle", "bump"),
    ("bump/std", "bump", "std"),
];

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

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (rounds, workloads) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("interleaved: {e}");
            eprintln!(
                "usage: interleaved [ROUNDS=31] [small_allocs|tree|strings|vec_push|hashmap ...]"
            );
            return ExitCode::FAILURE;
        }
    };

    let mut entries = vec![
        entry(Ours::new()),
        entry(Bumpalo::new()),
        entry(BumpScope::new()),
        entry(Stack::new()),
        entry(Counted::new()),
        entry(Failing::new()),
        entry(OursHandle::new()),
        entry(Std),
    ];
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
                let t = (entries[i].sample)(w, shape, &inputs);
                // Round 0 warms caches and arenas up and is not kept.
                if round > 0 {
                    samples[cell][i].push(t.as_secs_f64() * 1e9);
                }
            }
        }
    }

    println!("median time per iteration, µs ({rounds} rounds)");
    print!("{:<14} {:<10}", "workload", "shape");
    for e in &entries {
        print!(" {:>10}", e.name);
    }
    println!();
    let mut medians = vec![vec![0.0; entries.len()]; cells.len()];
    for (cell, &(w, shape)) in cells.iter().enumerate() {
        print!("{:<14} {:<10}", w.name(), shape.name());
        for (i, xs) in samples[cell].iter_mut().enumerate() {
            medians[cell][i] = median(xs);
            print!(" {:>10.2}", medians[cell][i] / 1000.0);
        }
        println!();
    }

    println!();
    println!("ratios of the medians");
    print!("{:<14} {:<10}", "workload", "shape");
    for (label, _, _) in RATIOS {
        print!(" {label:>15}");
    }
    println!();
    let index = |name: &str| {
        entries
            .iter()
            .position(|e| e.name == name)
            .expect("a contender of the table")
    };
    for (cell, &(w, shape)) in cells.iter().enumerate() {
        print!("{:<14} {:<10}", w.name(), shape.name());
        for (_, num, den) in RATIOS {
            let ratio = medians[cell][index(num)] / medians[cell][index(den)];
            print!(" {ratio:>15.2}");
        }
        println!();
    }
    ExitCode::SUCCESS
}
