//! The global-allocator benchmark (issue 11): one binary per contender,
//! each with its own `#[global_allocator]` (`src/bin/global_*.rs`), all
//! running the workloads of this module through [`main`]; the driver
//! `src/bin/global_interleaved.rs` runs them in rotation and compares.
//!
//! A contender binary is three lines:
//!
//! ```no_run
//! use std::alloc::System;
//!
//! #[global_allocator]
//! static GLOBAL: System = System;
//!
//! fn main() -> std::process::ExitCode {
//!     alloc_bench::global::main("system", || alloc_bench::global::Figures::NONE)
//! }
//! ```
//!
//! and is run as `global_system WORKLOAD [ITERS] [REPS]`; it prints one
//! [`Report`] line.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

mod report;
mod workloads;

pub use report::{Figures, Report};
pub use workloads::{
    COLLECTION_INSERTS, COLLECTION_KEYS, GlobalWorkload, PAIRS, collections, pairs,
};

/// Timed repetitions per run unless the command line says otherwise.
pub const DEFAULT_REPS: u64 = 5;

/// The median of `xs` (sorted in place); the mean of the middle two for an
/// even count; `None` if `xs` is empty.
#[must_use]
pub fn median(xs: &mut [f64]) -> Option<f64> {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    match xs.len() {
        0 => None,
        n if n % 2 == 1 => Some(xs[mid]),
        _ => Some((xs[mid - 1] + xs[mid]) / 2.0),
    }
}

/// Runs `workload` for one untimed warm-up repetition and `reps` timed ones
/// of `iters` iterations each, reading the allocator's counters with
/// `figures` before and after; the report. Fails if a counter saw fewer
/// allocations than the workload makes (the compiler removed some).
///
/// # Errors
///
/// A message when the counters show too few allocations.
pub fn measure(
    contender: &str,
    workload: GlobalWorkload,
    iters: u64,
    reps: u64,
    figures: impl Fn() -> Figures,
) -> Result<Report, String> {
    // Allocated before the counters are read: the run leaves nothing live.
    let mut times = Vec::with_capacity(reps as usize);
    let before = figures();
    let mut checksum = black_box(workload.run(iters));
    for _ in 0..reps {
        let start = Instant::now();
        let sum = black_box(workload.run(iters));
        let spent = start.elapsed();
        checksum = checksum.wrapping_add(sum);
        times.push(spent.as_secs_f64() * 1e9 / iters as f64);
    }
    let figures = figures().since(before);
    let runs = (reps + 1) * iters * workload.threads();
    if let Some(n) = figures.allocations {
        let least = runs * workload.min_allocations();
        if n < least {
            return Err(format!(
                "{contender} counted {n} allocations in {}, fewer than the {least} it makes: \
                 keep its boxes behind black_box",
                workload.name()
            ));
        }
    }
    Ok(Report {
        contender: contender.to_owned(),
        workload: workload.name().to_owned(),
        iters,
        reps,
        ns_per_iter: median(&mut times).unwrap_or(f64::NAN),
        checksum,
        figures,
    })
}

/// A contender binary's `main`: `WORKLOAD [ITERS] [REPS]` from the command
/// line, [`measure`], the [`Report`] line on standard output.
pub fn main(contender: &str, figures: impl Fn() -> Figures) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = (|| -> Result<(GlobalWorkload, u64, u64), String> {
        let name = args.first().ok_or("no workload: name one")?;
        let workload = GlobalWorkload::from_name(name)
            .ok_or_else(|| format!("unknown workload {name:?}: name one of the list"))?;
        let number = |i: usize, default: u64| -> Result<u64, String> {
            args.get(i).map_or(Ok(default), |a| match a.parse() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("{a:?} is not a positive count: write digits")),
            })
        };
        let iters = number(1, workload.default_iters())?;
        let reps = number(2, DEFAULT_REPS)?;
        if args.len() > 3 {
            return Err("too many arguments: write WORKLOAD [ITERS] [REPS]".into());
        }
        Ok((workload, iters, reps))
    })();
    let result = parsed.and_then(|(w, iters, reps)| measure(contender, w, iters, reps, figures));
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let names: Vec<_> = GlobalWorkload::ALL.iter().map(|w| w.name()).collect();
            eprintln!("global_{contender}: {e}");
            eprintln!(
                "usage: global_{contender} {} [ITERS] [REPS={DEFAULT_REPS}]",
                names.join("|")
            );
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests;
