//! Regions, budgets and the assertion helpers, on `Local` and `ThreadSafe`
//! counters over a `Bump` (whose growth of the last block is an in-place
//! `resize`) and over the global allocator.

use alloc::string::{String, ToString};
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use core::mem::MaybeUninit;
use core::panic::AssertUnwindSafe;
use std::panic::catch_unwind;

use super::*;
use crate::test_support::{Marker, on_both_markers};
use crate::{Bump, Counting, Global};

on_both_markers!(
    a_known_sequence_gives_exact_figures,
    live_bytes_fall_when_older_blocks_are_freed,
    change_and_reset_misses_nothing_and_counts_nothing_twice,
    the_closure_value_is_passed_through,
    a_budget_is_met_at_its_limit_and_missed_above_it,
    the_panic_message_names_the_figures_over_their_limits,
);

fn a_known_sequence_gives_exact_figures<T: Marker>() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let counting = T::counting(Bump::new(&mut buf));
    let region = Region::new(&counting);
    let a = Box::new_in(1u64, &counting);
    let b = Box::new_in([2u8; 16], &counting);
    let mut c: Vec<u8, _> = Vec::with_capacity_in(10, &counting);
    drop(a);
    // The last block of the bump: grown where it is, a `resize`.
    c.reserve_exact(30);
    assert!(Box::try_new_in([0u8; 512], &counting).is_err());
    let change = region.change();
    assert_eq!(
        change,
        Change {
            allocations: 3,
            frees: 1,
            resizes: 1,
            remaps: 0,
            failures: 1,
            bytes_allocated: 8 + 16 + 10 + 20,
            bytes_freed: 8,
            live_bytes: 16 + 30,
        }
    );
    assert_eq!(change.live_allocations(), 2);
    assert_eq!(region.initial(), Default::default());
    let table = change.to_string();
    for (name, figure) in [
        ("allocations", "3"),
        ("frees", "1"),
        ("live allocations", "+2"),
        ("resizes", "1"),
        ("failures", "1"),
        ("bytes allocated", "54"),
        ("bytes freed", "8"),
        ("live bytes", "+46"),
    ] {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(name) && l.split_whitespace().last() == Some(figure)),
            "{name} {figure} missing from\n{table}"
        );
    }
    drop((b, c));
}

fn live_bytes_fall_when_older_blocks_are_freed<T: Marker>() {
    let counting = T::counting(Global);
    let old = Box::new_in([0u8; 100], &counting);
    let mut shrunk: Vec<u8, _> = Vec::with_capacity_in(64, &counting);
    let ((), change) = measure(&counting, || {
        drop(old);
        shrunk.shrink_to(16);
    });
    assert_eq!((change.allocations, change.frees), (0, 1));
    assert_eq!(change.remaps, 1, "shrunk by `realloc`");
    assert_eq!((change.bytes_allocated, change.bytes_freed), (0, 148));
    assert_eq!(change.live_bytes, -148);
    assert_eq!(change.live_allocations(), -1);
    assert!(change.to_string().contains("-148"));
    assert!(
        Budget::nothing().live_bytes(0).check(&change).is_ok(),
        "freeing is within any budget"
    );
}

fn change_and_reset_misses_nothing_and_counts_nothing_twice<T: Marker>() {
    let counting = T::counting(Global);
    let mut region = Region::new(&counting);
    let mut whole = Region::new(&counting);
    let mut sum = Change::default();
    let mut kept = std::vec::Vec::new();
    for i in 1..=5 {
        kept.push(Box::new_in([0u8; 24], &counting));
        if i % 2 == 0 {
            kept.remove(0);
        }
        let part = region.change_and_reset();
        assert_eq!(part.allocations, 1, "step {i}");
        sum.allocations += part.allocations;
        sum.frees += part.frees;
        sum.bytes_allocated += part.bytes_allocated;
        sum.bytes_freed += part.bytes_freed;
        sum.live_bytes += part.live_bytes;
    }
    assert!(region.change().is_none());
    assert_eq!(whole.change(), sum);
    assert_eq!((sum.allocations, sum.frees, sum.live_bytes), (5, 2, 72));
    drop(kept);
    whole.reset();
    assert!(whole.change().is_none());
    assert_eq!(whole.initial(), counting.stats());
}

fn the_closure_value_is_passed_through<T: Marker>() {
    let counting = T::counting(Global);
    let (v, change) = measure(&counting, || {
        let mut v: Vec<u32, _> = Vec::with_capacity_in(3, &counting);
        v.extend([7, 8, 9]);
        v
    });
    assert_eq!(v, [7, 8, 9]);
    assert_eq!((change.allocations, change.live_bytes), (1, 12));
    let b = assert_allocations(&counting, Budget::new().allocations(1), || {
        Box::new_in(5u16, &counting)
    });
    assert_eq!(*b, 5);
    let n = assert_no_allocations(&counting, || v.iter().sum::<u32>());
    assert_eq!(n, 24);
}

fn a_budget_is_met_at_its_limit_and_missed_above_it<T: Marker>() {
    let counting = T::counting(Global);
    let three = || {
        (0..3)
            .map(|i| Box::new_in([i as u8; 100], &counting))
            .collect::<std::vec::Vec<_>>()
    };
    let (boxes, change) = measure(&counting, three);
    drop(boxes);
    let met = [
        Budget::new(),
        Budget::new().allocations(3),
        Budget::new().bytes(300),
        Budget::new().allocations(3).bytes(300).live_bytes(300),
    ];
    for budget in met {
        assert_eq!(budget.check(&change), Ok(()), "{budget:?}");
    }
    let missed = [
        Budget::nothing(),
        Budget::new().allocations(2),
        Budget::new().bytes(299),
        Budget::new().live_bytes(299),
    ];
    for budget in missed {
        let over = budget.check(&change).unwrap_err();
        assert_eq!((over.change(), over.budget()), (change, budget));
    }
    // The same through the helper: at the limit, it answers.
    let boxes = assert_allocations(&counting, Budget::new().allocations(3).bytes(300), three);
    assert_eq!(boxes.len(), 3);
}

/// The message of `f`'s panic.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("no panic");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .expect("a text payload")
            .to_string(),
    }
}

fn the_panic_message_names_the_figures_over_their_limits<T: Marker>() {
    let counting = T::counting(Global);
    let message = panic_message(|| {
        assert_allocations(&counting, Budget::new().allocations(3).bytes(1024), || {
            for _ in 0..4 {
                drop(Box::new_in([0u8; 512], &counting));
            }
        });
    });
    let first = message.lines().next().unwrap();
    assert_eq!(
        first,
        "the code went over its allocation budget: \
         4 allocations (at most 3), 2,048 bytes allocated (at most 1,024)"
    );
    assert!(message.contains("\nwhat it did:\n"), "{message}");
    assert!(
        message
            .lines()
            .any(|l| l.starts_with("bytes allocated") && l.ends_with(" 2,048")),
        "{message}"
    );
    assert!(
        message
            .lines()
            .any(|l| l.starts_with("live bytes") && l.ends_with(" 0")),
        "{message}"
    );
    let note = message.contains("--test-threads=1");
    assert_eq!(
        note,
        <T as crate::threading::sealed::Sealed>::SHARED,
        "the note on other threads is for thread-safe counters only:\n{message}"
    );

    let message = panic_message(|| {
        let kept = assert_allocations(&counting, Budget::new().live_bytes(8), || {
            Box::new_in([0u64; 2], &counting)
        });
        drop(kept);
    });
    assert!(
        message.starts_with(
            "the code went over its allocation budget: +16 bytes left live (at most 8)\n"
        ),
        "{message}"
    );

    let message = panic_message(|| {
        assert_no_allocations(&counting, || drop(Box::new_in(1u8, &counting)));
    });
    assert!(
        message.starts_with(
            "the code went over its allocation budget: \
             1 allocation (at most 0), 1 byte allocated (at most 0)\n"
        ),
        "{message}"
    );
}

#[test]
fn a_panic_of_the_closure_passes_unchanged() {
    let counting = Counting::new(Global);
    let message = panic_message(|| {
        assert_no_allocations(&counting, || panic!("the closure's own"));
    });
    assert_eq!(message, "the closure's own");
}

#[test]
fn the_panic_points_at_the_line_that_asserted() {
    use std::sync::Mutex;
    static SEEN: Mutex<Option<(String, u32)>> = Mutex::new(None);
    // The hook stays for the rest of the run: it keeps the location of this
    // test's panic (the only one with a limit of 776 bytes) and passes every
    // other panic to the hook it replaced.
    let previous = std::panic::take_hook();
    std::panic::set_hook(alloc::boxed::Box::new(move |info| {
        let text = info.payload().downcast_ref::<String>();
        match (text, info.location()) {
            (Some(text), Some(at)) if text.contains("(at most 776)") => {
                *SEEN.lock().unwrap() = Some((at.file().to_string(), at.line()));
            }
            _ => previous(info),
        }
    }));
    let counting = Counting::new(Global);
    let line = line!() + 2;
    let _ = catch_unwind(AssertUnwindSafe(|| {
        assert_allocations(&counting, Budget::new().bytes(776), || {
            drop(Box::new_in([0u8; 777], &counting))
        })
    }));
    let seen = SEEN.lock().unwrap().clone();
    assert_eq!(seen, Some((file!().to_string(), line)));
}

#[test]
fn threads_the_code_starts_are_counted() {
    let shared = Counting::new_sync(Global);
    let threads = if cfg!(miri) { 2 } else { 4 };
    let ((), change) = measure(&shared, || {
        std::thread::scope(|s| {
            for i in 0..threads {
                let shared = &shared;
                s.spawn(move || {
                    let mut v: Vec<u64, _> = Vec::with_capacity_in(i + 1, shared);
                    v.push(i as u64);
                });
            }
        });
    });
    let bytes = (1..=threads as u64).map(|n| n * 8).sum();
    assert_eq!(
        (change.allocations, change.frees),
        (threads as u64, threads as u64)
    );
    assert_eq!((change.bytes_allocated, change.bytes_freed), (bytes, bytes));
    assert_eq!(change.live_bytes, 0);
}

/// The caveat of a shared counter, shown: another thread's allocation
/// inside the region is in the change, and fails the assertion of code that
/// allocated nothing; the message carries the note on other threads.
#[test]
fn another_threads_allocation_counts_against_the_budget() {
    use std::sync::Barrier;
    let shared = Counting::new_sync(Global);
    let (inside, done) = (Barrier::new(2), Barrier::new(2));
    let message = std::thread::scope(|s| {
        s.spawn(|| {
            inside.wait();
            drop(Box::new_in([0u8; 40], &shared));
            done.wait();
        });
        panic_message(|| {
            assert_no_allocations(&shared, || {
                inside.wait();
                done.wait(); // the other thread allocated meanwhile
            });
        })
    });
    assert!(
        message.starts_with(
            "the code went over its allocation budget: \
             1 allocation (at most 0), 40 bytes allocated (at most 0)\n"
        ),
        "{message}"
    );
    assert!(
        message.contains("\nnote: the counter counts every thread"),
        "{message}"
    );
}
