//! Peak resident memory of the growth workload (1,000,000 small allocations
//! from an empty arena) for one contender, in a fresh process: run it once
//! per contender (`benches/peak_rss.sh` runs the three and prints ratios).
//!
//! ```text
//! cargo run --release -p alloc-bench --bin peak_rss -- <arena-new|bumpalo-new|bump-scope-new>
//! ```
//!
//! Linux only: it reads `VmRSS` and `VmHWM` from `/proc/self/status` and
//! resets the high-water mark by writing `5` to `/proc/self/clear_refs`
//! just before the workload, so the peak is the workload's (plus the
//! process's baseline, printed apart). The workload writes one byte of
//! every block, so every page of every chunk it fills is resident. The
//! arena is dropped after the peak is read. It also prints the bytes of
//! chunks the arena holds (as each crate counts them) and the minor page
//! faults the workload took (`/proc/self/stat`).

use std::fs;
use std::process::ExitCode;

use alloc_bench::{
    BumpScopeNew, BumpaloNew, Contender, Inputs, OurArenaNew, Reference, Workload, blocks, run,
};

/// A contender whose arena can say how many bytes of chunks it holds.
trait Chunks: Contender {
    /// Bytes of the chunks `arena` holds, as the crate counts them.
    fn chunk_bytes(arena: &Self::Arena<'_>) -> usize;
}

impl Chunks for OurArenaNew {
    /// `Arena::allocated_bytes`: the chunks' capacity, headers excluded, as
    /// bumpalo's.
    fn chunk_bytes(arena: &alloc_runtime::Arena) -> usize {
        arena.allocated_bytes()
    }
}

impl Chunks for BumpaloNew {
    /// `Bump::allocated_bytes`: the chunks' capacity, footers excluded.
    fn chunk_bytes(arena: &bumpalo::Bump) -> usize {
        arena.allocated_bytes()
    }
}

impl Chunks for BumpScopeNew {
    /// `Bump::stats().size()`: the chunks' sizes, headers included.
    fn chunk_bytes(arena: &bump_scope::Bump) -> usize {
        arena.stats().size()
    }
}

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> Result<u64, String> {
    let status = fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status ({e}): this probe needs Linux"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().strip_suffix("kB")?.trim().parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/self/status: this probe needs Linux"))
}

/// The process's minor page faults so far (field 10 of `/proc/self/stat`).
fn minor_faults() -> Result<u64, String> {
    let stat = fs::read_to_string("/proc/self/stat")
        .map_err(|e| format!("cannot read /proc/self/stat ({e}): this probe needs Linux"))?;
    // The command name (field 2) is in parentheses and may hold spaces:
    // count the fields after its closing one (field 3 is the first).
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().nth(10 - 3)?.parse().ok())
        .ok_or_else(|| "no minor fault count in /proc/self/stat: this probe needs Linux".into())
}

/// What one run measured, in KiB (chunk bytes in bytes).
struct Report {
    baseline_kib: u64,
    peak_kib: u64,
    chunk_bytes: usize,
    faults: u64,
    reset_peak: bool,
}

fn measure<C: Chunks>(mut c: C) -> Result<Report, String> {
    let inputs = Inputs::new();
    let mut blocks = blocks();
    let arena = c.arena();
    let baseline_kib = status_kib("VmRSS")?;
    // "5" resets the peak to the current resident size (Linux 4.0 and
    // later); without it the peak is the process's since it started, which
    // is the baseline here anyway.
    let reset_peak = fs::write("/proc/self/clear_refs", "5").is_ok();
    let faults_before = minor_faults()?;
    let (check, live) =
        run::<C::Alloc<'_>, Reference>(C::alloc(&arena), Workload::Growth, &inputs, &mut blocks);
    let faults = minor_faults()? - faults_before;
    let peak_kib = status_kib("VmHWM")?;
    if check != alloc_bench::GROWTH_ALLOCS as u64 || live != 0 {
        return Err(format!(
            "the workload went wrong: {check} blocks aligned, {live} live"
        ));
    }
    let chunk_bytes = C::chunk_bytes(&arena);
    drop(arena);
    Ok(Report {
        baseline_kib,
        peak_kib,
        chunk_bytes,
        faults,
        reset_peak,
    })
}

fn main() -> ExitCode {
    let name = std::env::args().nth(1).unwrap_or_default();
    let report = match name.as_str() {
        OurArenaNew::NAME => measure(OurArenaNew),
        BumpaloNew::NAME => measure(BumpaloNew),
        BumpScopeNew::NAME => measure(BumpScopeNew),
        _ => Err(format!(
            "unknown contender {name:?}: write arena-new, bumpalo-new or bump-scope-new"
        )),
    };
    match report {
        Ok(r) => {
            println!(
                "{name} peak_kib={} baseline_kib={} growth_kib={} chunk_bytes={} minor_faults={}{}",
                r.peak_kib,
                r.baseline_kib,
                r.peak_kib.saturating_sub(r.baseline_kib),
                r.chunk_bytes,
                r.faults,
                if r.reset_peak {
                    ""
                } else {
                    " (peak not reset: since process start)"
                },
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("peak_rss: {e}");
            eprintln!("usage: peak_rss <arena-new|bumpalo-new|bump-scope-new>");
            ExitCode::FAILURE
        }
    }
}
