//! The one line a contender binary prints and the driver reads back:
//! `key=value` pairs separated by spaces, `-` for a figure the contender
//! does not keep.

use std::fmt;

/// What a global allocator's own counters say, where it keeps them; `None`
/// where it keeps no such figure. Read before and after a run, and the
/// difference reported ([`Figures::since`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Allocations (`alloc` and `alloc_zeroed` calls; reallocations are not
    /// counted).
    pub allocations: Option<u64>,
    /// Frees (`dealloc` calls).
    pub frees: Option<u64>,
    /// Bytes allocated, growth by `realloc` included.
    pub bytes_allocated: Option<u64>,
    /// Bytes live now.
    pub live_bytes: Option<i64>,
}

impl Figures {
    /// No figures: the allocator keeps none (`System`).
    pub const NONE: Figures = Figures {
        allocations: None,
        frees: None,
        bytes_allocated: None,
        live_bytes: None,
    };

    /// What changed from `before` to `self`, figure by figure.
    #[must_use]
    pub fn since(self, before: Figures) -> Figures {
        let diff = |a: Option<u64>, b: Option<u64>| Some(a?.wrapping_sub(b?));
        Figures {
            allocations: diff(self.allocations, before.allocations),
            frees: diff(self.frees, before.frees),
            bytes_allocated: diff(self.bytes_allocated, before.bytes_allocated),
            live_bytes: self
                .live_bytes
                .zip(before.live_bytes)
                .map(|(a, b)| a.wrapping_sub(b)),
        }
    }
}

/// One contender binary's run of one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The contender's name (`system`, `counting`, ...).
    pub contender: String,
    /// The workload's name.
    pub workload: String,
    /// Iterations per repetition.
    pub iters: u64,
    /// Timed repetitions (one untimed warm-up repetition runs first).
    pub reps: u64,
    /// The median over the repetitions of the time per iteration, in
    /// nanoseconds.
    pub ns_per_iter: f64,
    /// The sum of what every iteration computed, warm-up included: the same
    /// for every contender, or they did different work.
    pub checksum: u64,
    /// The allocator's counters, from before the warm-up to after the last
    /// repetition.
    pub figures: Figures,
}

/// `-` for `None`.
struct Opt<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for Opt<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("-"),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = &self.figures;
        write!(
            f,
            "contender={} workload={} iters={} reps={} ns_per_iter={:.1} checksum={} \
             allocations={} frees={} bytes_allocated={} live_bytes={}",
            self.contender,
            self.workload,
            self.iters,
            self.reps,
            self.ns_per_iter,
            self.checksum,
            Opt(g.allocations),
            Opt(g.frees),
            Opt(g.bytes_allocated),
            Opt(g.live_bytes),
        )
    }
}

impl Report {
    /// Reads back a line [`Report`]'s `Display` wrote.
    ///
    /// # Errors
    ///
    /// A message naming the missing or malformed field.
    pub fn parse(line: &str) -> Result<Report, String> {
        let field = |key: &str| -> Result<&str, String> {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .ok_or_else(|| format!("no `{key}=` in {line:?}: print a report line"))
        };
        fn number<T: std::str::FromStr>(key: &str, v: &str) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("`{key}={v}` is not a number: write digits"))
        }
        let optional = |key: &str| -> Result<Option<&str>, String> {
            let v = field(key)?;
            Ok((v != "-").then_some(v))
        };
        let opt_u64 = |key: &str| -> Result<Option<u64>, String> {
            optional(key)?.map(|v| number(key, v)).transpose()
        };
        Ok(Report {
            contender: field("contender")?.to_owned(),
            workload: field("workload")?.to_owned(),
            iters: number("iters", field("iters")?)?,
            reps: number("reps", field("reps")?)?,
            ns_per_iter: number("ns_per_iter", field("ns_per_iter")?)?,
            checksum: number("checksum", field("checksum")?)?,
            figures: Figures {
                allocations: opt_u64("allocations")?,
                frees: opt_u64("frees")?,
                bytes_allocated: opt_u64("bytes_allocated")?,
                live_bytes: optional("live_bytes")?
                    .map(|v| number("live_bytes", v))
                    .transpose()?,
            },
        })
    }
}
