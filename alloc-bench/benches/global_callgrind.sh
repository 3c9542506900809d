#!/usr/bin/env bash
# Instructions per iteration of the global-allocator workloads (issue 11)
# under each contender's #[global_allocator], counted by callgrind: the
# exact, load-independent companion of global_interleaved's times.
#
# Runs each contender binary (global_system, global_counting,
# global_stats_alloc, global_cap) under callgrind twice, with N and 2N
# iterations (one timed repetition, so 2N and 4N iterations with the
# warm-up), and divides the difference of the two totals by 2N: start-up,
# the warm-up's first-touch work and the report cancel out. `pairs` is
# 1,000 allocate/free pairs per iteration, so its figure over 1,000 is
# instructions per pair; each `lock`-prefixed read-modify-write counts as
# one instruction here, whatever it costs in time.
#
# usage: alloc-bench/benches/global_callgrind.sh [WORKLOAD=pairs] [N=50]
set -euo pipefail
cd "$(dirname "$0")/../.."

workload=${1:-pairs}
n=${2:-50}
command -v valgrind >/dev/null || {
    echo "global_callgrind.sh: error: valgrind not found: install it (apt-get install valgrind)" >&2
    exit 1
}
target=${CARGO_TARGET_DIR:-target}
cargo build --release -p alloc-bench --bins >&2
out="$target/callgrind/global"
mkdir -p "$out"

total() { # contender iterations -> total instructions
    local file="$out/$1-$workload-$2.callgrind"
    valgrind --tool=callgrind --callgrind-out-file="$file" \
        "$target/release/global_$1" "$workload" "$2" 1 >/dev/null 2>"$file.log"
    grep -E '^(summary|totals):' "$file" | head -1 | awk '{print $2}'
}

echo "instructions per $workload iteration (callgrind, (Ir(2N) - Ir(N)) / 2N, N=$n)"
printf '%-12s %14s %14s\n' contender per-iteration over-system
base=
for c in system counting stats_alloc cap; do
    a=$(total "$c" "$n")
    b=$(total "$c" $((2 * n)))
    per=$(awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / (2 * n) }')
    [ -n "$base" ] || base=$per
    printf '%-12s %14s %14s\n' "$c" "$per" "$(awk -v p="$per" -v s="$base" 'BEGIN { printf "%+.1f", p - s }')"
done
