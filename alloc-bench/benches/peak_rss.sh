#!/usr/bin/env bash
# Peak resident memory of the growth workload (1,000,000 small allocations
# from an empty arena) for our Arena, bumpalo and bump-scope, each in a
# fresh process (src/bin/peak_rss.rs), and the ratios to bumpalo's.
#
# usage: alloc-bench/benches/peak_rss.sh [RUNS=3]
#
# Each contender runs RUNS times (interleaved); the table gives the median
# of each column. "growth" is the peak minus the resident size just before
# the workload (the process's own baseline); "chunks" is what each crate
# reports for its chunks (ours: bytes taken from the parent; bumpalo:
# `allocated_bytes`, footers excluded; bump-scope: `stats().size()`), in
# KiB; "faults" is the minor page faults the workload took.
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=${1:-3}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "peak_rss.sh: error: RUNS must be a positive integer" >&2; exit 1; }
target_dir=${CARGO_TARGET_DIR:-target}
bin=$target_dir/release/peak_rss
echo "building peak_rss (release)..." >&2
cargo build --quiet --release -p alloc-bench --bin peak_rss
contenders=(arena-new bumpalo-new bump-scope-new)

declare -A samples
for ((r = 0; r < runs; r++)); do
    for c in "${contenders[@]}"; do
        line=$("$bin" "$c")
        echo "$line" >&2
        samples[$c]+="$line"$'\n'
    done
done

# The median of field $2 (peak_kib, ...) over the lines in $1.
median() {
    printf '%s' "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }' | sort -n |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
echo "peak resident memory of 1,000,000 small allocations from empty (median of $runs runs, KiB)"
printf '%-15s %10s %10s %10s %12s %10s %12s %14s\n' contender peak baseline growth chunks faults "peak/bumpalo" "growth/bumpalo"
ref_peak=$(median "${samples[bumpalo-new]}" peak_kib)
ref_growth=$(median "${samples[bumpalo-new]}" growth_kib)
for c in "${contenders[@]}"; do
    peak=$(median "${samples[$c]}" peak_kib)
    base=$(median "${samples[$c]}" baseline_kib)
    growth=$(median "${samples[$c]}" growth_kib)
    chunks=$(median "${samples[$c]}" chunk_bytes)
    faults=$(median "${samples[$c]}" minor_faults)
    awk -v c="$c" -v p="$peak" -v b="$base" -v g="$growth" -v ch="$chunks" -v f="$faults" -v rp="$ref_peak" -v rg="$ref_growth" \
        'BEGIN { printf "%-15s %10d %10d %10d %12d %10d %12.3f %14.3f\n", c, p, b, g, ch / 1024, f, p / rp, g / rg }'
done
