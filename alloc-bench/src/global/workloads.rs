//! The workloads of the global-allocator benchmark: ordinary Rust code that
//! allocates through whatever `#[global_allocator]` the program has.
//!
//! They live in the library, so every contender binary runs the same
//! machine code: only the allocator behind `__rust_alloc` differs.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, DefaultHasher};
use std::hint::black_box;

/// Inserts per `collections` iteration.
pub const COLLECTION_INSERTS: usize = 8_000;
/// Distinct keys the `collections` inserts are drawn from.
pub const COLLECTION_KEYS: u64 = 2_500;
/// Allocate/free pairs per `pairs` iteration.
pub const PAIRS: u64 = 1_000;

/// One of the global-allocator workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalWorkload {
    /// A `HashMap<String, Vec<u32>>` of about 2,400 keys built from 8,000
    /// inserts of formatted keys, every list sorted and deduplicated, the
    /// keys sorted, a formatted report of the first 200, an upper-cased
    /// filtered copy sorted by length, a joined and re-split key list; all
    /// dropped at the end. Single-threaded.
    Collections,
    /// `collections` on two threads at once (`std::thread::scope`), each
    /// running every iteration.
    Collections2,
    /// 1,000 `Box::new([u8; 32])` made and dropped, the box passed through
    /// `black_box` so that the allocation cannot be elided.
    Pairs,
    /// `pairs` on two threads at once.
    Pairs2,
}

impl GlobalWorkload {
    /// Every workload, in the driver's order.
    pub const ALL: [GlobalWorkload; 4] = [
        GlobalWorkload::Collections,
        GlobalWorkload::Collections2,
        GlobalWorkload::Pairs,
        GlobalWorkload::Pairs2,
    ];

    /// The name on the command line and in the report.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            GlobalWorkload::Collections => "collections",
            GlobalWorkload::Collections2 => "collections-2t",
            GlobalWorkload::Pairs => "pairs",
            GlobalWorkload::Pairs2 => "pairs-2t",
        }
    }

    /// The workload called `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.name() == name)
    }

    /// Threads that run the iterations, each all of them.
    #[must_use]
    pub fn threads(self) -> u64 {
        match self {
            GlobalWorkload::Collections | GlobalWorkload::Pairs => 1,
            GlobalWorkload::Collections2 | GlobalWorkload::Pairs2 => 2,
        }
    }

    /// Iterations per timed repetition in the driver: a repetition of some
    /// tens of milliseconds.
    #[must_use]
    pub fn default_iters(self) -> u64 {
        match self {
            GlobalWorkload::Collections | GlobalWorkload::Collections2 => 20,
            GlobalWorkload::Pairs | GlobalWorkload::Pairs2 => 2_000,
        }
    }

    /// The fewest allocations one iteration makes on one thread: a counting
    /// contender that saw fewer would show that the compiler removed them.
    #[must_use]
    pub fn min_allocations(self) -> u64 {
        match self {
            // At least one key `String` and one `Vec` per distinct key.
            GlobalWorkload::Collections | GlobalWorkload::Collections2 => 2 * 2_000,
            GlobalWorkload::Pairs | GlobalWorkload::Pairs2 => PAIRS,
        }
    }

    /// Runs `iters` iterations on [`threads`](Self::threads) threads; the
    /// sum of what the iterations computed.
    #[must_use]
    pub fn run(self, iters: u64) -> u64 {
        let one: fn() -> u64 = match self {
            GlobalWorkload::Collections | GlobalWorkload::Collections2 => collections,
            GlobalWorkload::Pairs | GlobalWorkload::Pairs2 => pairs,
        };
        let thread = move || (0..iters).map(|_| black_box(one())).sum::<u64>();
        if self.threads() == 1 {
            return thread();
        }
        std::thread::scope(|s| {
            let others: Vec<_> = (1..self.threads()).map(|_| s.spawn(thread)).collect();
            let mine = thread();
            others.into_iter().fold(mine, |sum, h| {
                sum.wrapping_add(h.join().expect("a workload thread panicked"))
            })
        })
    }
}

/// xorshift64: the same inputs in every process.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// SipHash with fixed keys: the same table layout, iteration order and
/// allocations in every process (`RandomState` would reseed each one).
type Fixed = BuildHasherDefault<DefaultHasher>;

/// One `collections` iteration; a checksum of what it built.
#[must_use]
pub fn collections() -> u64 {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut map: HashMap<String, Vec<u32>, Fixed> = HashMap::default();
    for _ in 0..COLLECTION_INSERTS {
        let r = rng.next();
        let key = format!("user-{:05}", r % COLLECTION_KEYS);
        map.entry(key).or_default().push((r >> 40) as u32 % 64);
    }
    for list in map.values_mut() {
        list.sort_unstable();
        list.dedup();
    }
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    let mut report = String::new();
    for key in keys.iter().take(200) {
        let list = &map[*key];
        writeln!(
            report,
            "{key}: {} values, last {:?}",
            list.len(),
            list.last()
        )
        .expect("a String takes every write");
    }
    let mut long: Vec<(String, usize)> = map
        .iter()
        .filter(|(_, list)| list.len() > 3)
        .map(|(key, list)| (key.to_uppercase(), list.len()))
        .collect();
    long.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let joined = keys
        .iter()
        .take(1_000)
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let parts: Vec<String> = joined.split(',').map(str::to_owned).collect();
    let values: usize = map.values().map(Vec::len).sum();
    (map.len() + values + report.len() + long.len() + long.first().map_or(0, |l| l.1) + parts.len())
        as u64
}

/// One `pairs` iteration: [`PAIRS`] boxes of 32 bytes made and dropped, one
/// at a time; the sum of a byte read back from each.
#[must_use]
pub fn pairs() -> u64 {
    let mut sum = 0u64;
    for i in 0..PAIRS {
        let block = black_box(Box::new([i as u8; 32]));
        sum += u64::from(block[31]);
        drop(block);
    }
    sum
}
