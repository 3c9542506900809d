//! The global workloads compute what they should, and a report line reads
//! back as written.

use super::*;

#[test]
fn pairs_sums_the_byte_of_every_box() {
    let want: u64 = (0..PAIRS).map(|i| u64::from(i as u8)).sum();
    assert_eq!(pairs(), want);
    assert_eq!(GlobalWorkload::Pairs.run(3), 3 * want);
    assert_eq!(GlobalWorkload::Pairs2.run(3), 6 * want);
}

#[test]
fn collections_is_the_same_every_time_and_on_every_thread() {
    let one = collections();
    // Every key holds at least one value; fewer distinct keys than inserts.
    assert!(one > 2 * 2_000, "{one}");
    assert_eq!(collections(), one);
    assert_eq!(GlobalWorkload::Collections2.run(2), 4 * one);
}

#[test]
fn workloads_are_found_by_name() {
    for w in GlobalWorkload::ALL {
        assert_eq!(GlobalWorkload::from_name(w.name()), Some(w));
    }
    assert_eq!(GlobalWorkload::from_name("tree"), None);
}

#[test]
fn a_report_reads_back_as_written() {
    let report = Report {
        contender: "counting".into(),
        workload: "pairs-2t".into(),
        iters: 2_000,
        reps: 5,
        ns_per_iter: 12_345.6,
        checksum: 42,
        figures: Figures {
            allocations: Some(24_000_017),
            frees: Some(24_000_016),
            bytes_allocated: Some(768_000_000),
            live_bytes: Some(-16),
        },
    };
    assert_eq!(Report::parse(&report.to_string()), Ok(report.clone()));
    let none = Report {
        figures: Figures::NONE,
        ..report
    };
    assert_eq!(Report::parse(&none.to_string()), Ok(none));
    assert!(
        Report::parse("contender=x")
            .unwrap_err()
            .contains("workload=")
    );
}

#[test]
fn figures_since_subtract_what_both_have() {
    let before = Figures {
        allocations: Some(10),
        frees: Some(4),
        bytes_allocated: None,
        live_bytes: Some(100),
    };
    let after = Figures {
        allocations: Some(15),
        frees: Some(9),
        bytes_allocated: Some(7),
        live_bytes: Some(60),
    };
    let d = after.since(before);
    assert_eq!(
        (d.allocations, d.frees, d.bytes_allocated, d.live_bytes),
        (Some(5), Some(5), None, Some(-40))
    );
}

#[test]
fn measure_reports_the_median_and_refuses_missing_allocations() {
    let report = measure("system", GlobalWorkload::Pairs, 2, 3, || Figures::NONE).unwrap();
    // A warm-up and three repetitions of two iterations.
    assert_eq!(report.checksum, 8 * pairs());
    assert!(report.ns_per_iter > 0.0);
    // A counter that never moves says the allocations did not happen.
    let frozen = || Figures {
        allocations: Some(7),
        ..Figures::NONE
    };
    let e = measure("frozen", GlobalWorkload::Pairs, 2, 3, frozen).unwrap_err();
    assert!(e.contains("counted 0 allocations"), "{e}");
}

#[test]
fn median_of_odd_even_and_empty() {
    assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    assert_eq!(median(&mut []), None);
}
