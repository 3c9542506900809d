//! A small-object allocator assembled from parts, in the manner of the
//! examples of D's `std.experimental.allocator`: size classes of free
//! lists over an arena for requests of up to 256 bytes, the global
//! allocator for larger ones, counted on top.
//!
//! It runs a churn workload, a `hashbrown` map of short-lived small
//! strings, and prints what each part saw.
//!
//! Run it with `cargo run --release --example small_objects`.

use alloc_runtime::collections::String;
use alloc_runtime::{Arena, Counting, Global, Segregator, SizeClasses};
use allocator_api2::vec::Vec;
use core::fmt::Write;
use hashbrown::{DefaultHashBuilder, HashMap};

/// The whole allocator, as a type: read from the inside out.
type SmallObjects = Counting<
    Segregator<
        256,                        // up to 256 bytes ...
        SizeClasses<Arena<Global>>, // ... rounded up to 16, 32, ..., 256 and recycled
        Global,                     // larger: the global allocator
    >,
>;

/// Operations of the churn workload; each inserts one entry and, past
/// `LIVE` entries, removes an older one.
const OPERATIONS: u32 = 200_000;
/// Entries alive at once, about.
const LIVE: usize = 500;

fn main() {
    let alloc: SmallObjects =
        Counting::new(Segregator::new(SizeClasses::new(Arena::new()), Global));

    let checksum = churn(&alloc);

    let stats = alloc.stats();
    let segregator = alloc.inner();
    let classes = segregator.small();
    let arena = classes.inner().stats();

    println!("a hashbrown map of {OPERATIONS} short-lived strings, about {LIVE} alive at once");
    println!("checksum of the surviving entries: {checksum}");
    println!();
    println!("the whole allocator (Counting on top):");
    println!("{stats}");
    println!();
    println!("the arena under the size classes:");
    println!("{arena}");
    println!();
    println!(
        "{} freed blocks wait in the size classes for reuse; the arena grew to {} KiB \
         for {} KiB requested over the run",
        classes.kept(),
        arena.capacity / 1024,
        stats.bytes_allocated / 1024,
    );
}

/// Inserts `OPERATIONS` entries keyed by short strings of mixed lengths,
/// removing a random older entry after each insert once `LIVE` are alive,
/// and returns a checksum of what is left.
fn churn(alloc: &SmallObjects) -> u64 {
    let mut map: HashMap<String<&SmallObjects>, Vec<u32, &SmallObjects>, _, _> =
        HashMap::with_hasher_in(DefaultHashBuilder::default(), alloc);
    // The keys alive, oldest first, as (number, padding) to rebuild them.
    let mut alive = std::collections::VecDeque::with_capacity(LIVE + 1);
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..OPERATIONS {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let padding = (rng % 48) as usize;
        let mut value = Vec::new_in(alloc);
        value.extend((0..1 + rng % 8).map(|j| i ^ j as u32));
        map.insert(key(alloc, i, padding), value);
        alive.push_back((i, padding));
        if alive.len() > LIVE {
            let (old, padding) = alive
                .remove((rng >> 8) as usize % (LIVE / 2))
                .expect("within the older half");
            let removed = map.remove(key(alloc, old, padding).as_str());
            assert!(
                removed.is_some(),
                "key {old} was inserted and not removed yet"
            );
        }
    }
    map.values().flatten().map(|&v| u64::from(v)).sum()
}

/// The key of entry `i`: 5 to 60 bytes, a name, a number and padding.
fn key(alloc: &SmallObjects, i: u32, padding: usize) -> String<&SmallObjects> {
    let mut key = String::new_in(alloc);
    write!(key, "key-{i}-").expect("a String in an allocator formats");
    for _ in 0..padding {
        key.push('x');
    }
    key
}
