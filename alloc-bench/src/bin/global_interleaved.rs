//! The global-allocator benchmark's driver (issue 11). A program has one
//! `#[global_allocator]`, so each contender is its own binary
//! (`global_system`, `global_counting`, `global_stats_alloc`, `global_cap`)
//! running the same workloads (`alloc_bench::global`); this runs them in
//! rotation — every contender in every round, the order rotated by one each
//! round — and prints per workload the medians over the rounds of each
//! run's own figure (the median over its repetitions of the time per
//! iteration, timed inside the binary, so process start-up is not timed),
//! their ratios, and the counters' sanity check.
//!
//! ```text
//! cargo build --release -p alloc-bench --bins
//! target/release/global_interleaved [ROUNDS=21] [WORKLOAD...]
//! ```
//!
//! `WORKLOAD` is one or more of `collections`, `collections-2t`, `pairs`,
//! `pairs-2t` (all by default).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use alloc_bench::global::{DEFAULT_REPS, Figures, GlobalWorkload, Report, median};

/// The contenders: name and binary.
const CONTENDERS: [(&str, &str); 4] = [
    ("system", "global_system"),
    ("counting", "global_counting"),
    ("stats_alloc", "global_stats_alloc"),
    ("cap", "global_cap"),
];

/// The ratios printed: label, numerator, denominator (contender indices).
const RATIOS: [(&str, usize, usize); 5] = [
    ("counting/system", 1, 0),
    ("stats_alloc/system", 2, 0),
    ("cap/system", 3, 0),
    ("counting/stats_alloc", 1, 2),
    ("counting/cap", 1, 3),
];

fn parse(args: &[String]) -> Result<(usize, Vec<GlobalWorkload>), String> {
    let mut rounds = 21;
    let mut workloads = Vec::new();
    for arg in args {
        if let Ok(n) = arg.parse::<usize>() {
            if n == 0 {
                return Err("ROUNDS must be at least 1".into());
            }
            rounds = n;
        } else if let Some(w) = GlobalWorkload::from_name(arg) {
            workloads.push(w);
        } else {
            return Err(format!(
                "unknown argument {arg:?}: write a round count or a workload name"
            ));
        }
    }
    if workloads.is_empty() {
        workloads = GlobalWorkload::ALL.to_vec();
    }
    Ok((rounds, workloads))
}

/// The contender binaries, next to this one.
fn binaries() -> Result<Vec<PathBuf>, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let dir = me.parent().unwrap_or(Path::new("."));
    let paths: Vec<PathBuf> = CONTENDERS
        .iter()
        .map(|(_, bin)| dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX)))
        .collect();
    let missing: Vec<String> = paths
        .iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        Ok(paths)
    } else {
        Err(format!(
            "missing contender binaries {}: build them with `cargo build --release -p alloc-bench --bins`",
            missing.join(", ")
        ))
    }
}

/// Runs one contender binary on one workload; its report.
fn run(path: &Path, name: &str, w: GlobalWorkload) -> Result<Report, String> {
    let out = Command::new(path)
        .args([
            w.name(),
            &w.default_iters().to_string(),
            &DEFAULT_REPS.to_string(),
        ])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{} {} failed ({}): {}",
            path.display(),
            w.name(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let report = Report::parse(stdout.trim())?;
    if report.contender != name || report.workload != w.name() {
        return Err(format!(
            "{} answered for {} on {}: rebuild the binaries",
            path.display(),
            report.contender,
            report.workload
        ));
    }
    Ok(report)
}

/// The load average now (Linux), for the record.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// The quartiles' distance over the median, in percent: the noise of a cell.
fn spread(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    100.0 * (q(0.75) - q(0.25)) / q(0.5)
}

/// The figures every run of one contender on one workload reported: the
/// single value if all agree, else `None` (they varied).
fn agreed<T: PartialEq + Copy>(
    reports: &[Report],
    get: impl Fn(&Figures) -> Option<T>,
) -> Agreed<T> {
    let mut values = reports.iter().map(|r| get(&r.figures));
    match values.next().flatten() {
        None => Agreed::Absent,
        Some(first) => {
            if values.all(|v| v == Some(first)) {
                Agreed::Same(first)
            } else {
                Agreed::Varied
            }
        }
    }
}

/// A figure over all rounds of one contender.
#[derive(Clone, Copy, PartialEq)]
enum Agreed<T> {
    /// The contender keeps no such figure.
    Absent,
    /// Every round reported this.
    Same(T),
    /// The rounds disagreed.
    Varied,
}

impl<T: std::fmt::Display> std::fmt::Display for Agreed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Agreed::Absent => f.pad("-"),
            Agreed::Same(v) => f.pad(&v.to_string()),
            Agreed::Varied => f.pad("varies"),
        }
    }
}

/// Checks one figure across the contenders that keep it: the same in
/// every round and for every contender, and (for counts) nonzero. Prints
/// the verdict; `false` on a failure.
fn check<T: PartialEq + Copy + std::fmt::Display>(
    label: &str,
    figures: &[Agreed<T>],
    nonzero: impl Fn(T) -> bool,
) -> bool {
    let kept: Vec<(usize, Agreed<T>)> = figures
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, a)| *a != Agreed::Absent)
        .collect();
    let names: Vec<&str> = kept.iter().map(|&(i, _)| CONTENDERS[i].0).collect();
    let ok = match kept.first() {
        None => return true,
        Some(&(_, Agreed::Same(v))) => {
            nonzero(v) && kept.iter().all(|&(_, a)| a == Agreed::Same(v))
        }
        Some(_) => false,
    };
    println!(
        "  {label:<16} {} across {}",
        if ok {
            "ok: equal"
        } else {
            "FAILED: not equal or zero"
        },
        names.join(", ")
    );
    ok
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (rounds, workloads) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("global_interleaved: {e}");
            let names: Vec<_> = GlobalWorkload::ALL.iter().map(|w| w.name()).collect();
            eprintln!(
                "usage: global_interleaved [ROUNDS=21] [{} ...]",
                names.join("|")
            );
            return ExitCode::FAILURE;
        }
    };
    let paths = match binaries() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("global_interleaved: {e}");
            return ExitCode::FAILURE;
        }
    };

    let load_before = load();
    eprintln!(
        "global_interleaved: {rounds} rounds (and one warm-up round), {} contenders, order rotated every round; load {load_before}",
        CONTENDERS.len()
    );
    // reports[workload][contender]: one per round.
    let mut reports = vec![vec![Vec::with_capacity(rounds); CONTENDERS.len()]; workloads.len()];
    let mut order: Vec<usize> = (0..CONTENDERS.len()).collect();
    for round in 0..=rounds {
        for (wi, &w) in workloads.iter().enumerate() {
            for &i in &order {
                match run(&paths[i], CONTENDERS[i].0, w) {
                    // Round 0 warms the page cache and the machine up.
                    Ok(r) if round > 0 => reports[wi][i].push(r),
                    Ok(_) => {}
                    Err(e) => {
                        eprintln!("global_interleaved: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            }
        }
        order.rotate_left(1);
    }
    let load_after = load();

    println!(
        "median over {rounds} rounds of each run's median time per iteration, µs \
         ({DEFAULT_REPS} timed repetitions per run; load average before {load_before}, after {load_after})"
    );
    print!("{:<16}", "workload");
    for (name, _) in CONTENDERS {
        print!(" {name:>12}");
    }
    print!("   spread (IQR/median, %)");
    println!();
    // times[workload][contender][round], ns per iteration.
    let times: Vec<Vec<Vec<f64>>> = reports
        .iter()
        .map(|per| {
            per.iter()
                .map(|rs| rs.iter().map(|r| r.ns_per_iter).collect())
                .collect()
        })
        .collect();
    let mut medians = vec![vec![f64::NAN; CONTENDERS.len()]; workloads.len()];
    for (wi, w) in workloads.iter().enumerate() {
        print!("{:<16}", w.name());
        for (i, xs) in times[wi].iter().enumerate() {
            medians[wi][i] = median(&mut xs.clone()).unwrap_or(f64::NAN);
            print!(" {:>12.2}", medians[wi][i] / 1000.0);
        }
        print!("  ");
        for xs in &times[wi] {
            print!(" {:>5.1}", spread(xs));
        }
        println!();
    }

    println!();
    println!("ratios of the medians (and, in brackets, the median of the per-round ratios)");
    print!("{:<16}", "workload");
    for (label, _, _) in RATIOS {
        print!(" {label:>w$}", w = label.len().max(14));
    }
    println!();
    for (wi, w) in workloads.iter().enumerate() {
        print!("{:<16}", w.name());
        for (label, num, den) in RATIOS {
            let of_medians = medians[wi][num] / medians[wi][den];
            let mut paired: Vec<f64> = times[wi][num]
                .iter()
                .zip(&times[wi][den])
                .map(|(a, b)| a / b)
                .collect();
            let paired = median(&mut paired).unwrap_or(f64::NAN);
            let cell = format!("{of_medians:.3} [{paired:.3}]");
            print!(" {cell:>w$}", w = label.len().max(14));
        }
        println!();
    }

    println!();
    println!(
        "counters over each run (1 warm-up + {DEFAULT_REPS} timed repetitions), the same in every round?"
    );
    println!(
        "{:<16} {:<12} {:>14} {:>14} {:>16} {:>11} {:>22}",
        "workload",
        "contender",
        "allocations",
        "frees",
        "bytes allocated",
        "live bytes",
        "checksum"
    );
    let mut all_ok = true;
    for (wi, w) in workloads.iter().enumerate() {
        let per = &reports[wi];
        let allocations: Vec<Agreed<u64>> =
            per.iter().map(|rs| agreed(rs, |f| f.allocations)).collect();
        let frees: Vec<Agreed<u64>> = per.iter().map(|rs| agreed(rs, |f| f.frees)).collect();
        let bytes: Vec<Agreed<u64>> = per
            .iter()
            .map(|rs| agreed(rs, |f| f.bytes_allocated))
            .collect();
        let live: Vec<Agreed<i64>> = per.iter().map(|rs| agreed(rs, |f| f.live_bytes)).collect();
        let sums: Vec<Agreed<u64>> = per
            .iter()
            .map(|rs| {
                let first = rs[0].checksum;
                if rs.iter().all(|r| r.checksum == first) {
                    Agreed::Same(first)
                } else {
                    Agreed::Varied
                }
            })
            .collect();
        for (i, (name, _)) in CONTENDERS.iter().enumerate() {
            println!(
                "{:<16} {:<12} {:>14} {:>14} {:>16} {:>11} {:>22}",
                w.name(),
                name,
                allocations[i],
                frees[i],
                bytes[i],
                live[i],
                sums[i]
            );
        }
        all_ok &= check("allocations", &allocations, |n| n > 0);
        all_ok &= check("frees", &frees, |n| n > 0);
        all_ok &= check("bytes allocated", &bytes, |n| n > 0);
        all_ok &= check("live bytes", &live, |_| true);
        all_ok &= check("checksum", &sums, |_| true);
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("global_interleaved: a counter check failed (see above)");
        ExitCode::FAILURE
    }
}
