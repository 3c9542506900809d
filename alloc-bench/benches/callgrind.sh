#!/usr/bin/env bash
# Instructions per allocator-api2 `allocate` call, counted by callgrind.
#
# Builds examples/callgrind_probe.rs in release mode with debug symbols, runs
# it under callgrind once per allocator, and divides the inclusive instruction
# count of that allocator's `#[inline(never)]` probe function (`probe_bump`,
# `probe_bumpalo`, ...) by the number of calls. Each probe call is one
# allocation, its call and its return.
#
# usage: benches/callgrind.sh [N=10000] [SIZE=24] [ALIGN=8]
#
# Output files (callgrind profiles, logs, disassembly) go to
# $CARGO_TARGET_DIR/callgrind (target/callgrind by default).
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
    echo "callgrind.sh: error: $*" >&2
    exit 1
}

for tool in valgrind callgrind_annotate cargo awk; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "'$tool' not found in PATH (valgrind and callgrind_annotate come with valgrind: apt-get install valgrind)"
done

n=${1:-10000}
size=${2:-24}
align=${3:-8}
for value in "$n" "$size" "$align"; do
    [[ $value =~ ^[0-9]+$ ]] || die "arguments must be non-negative integers: usage: $0 [N] [SIZE] [ALIGN]"
done
((n > 0)) || die "N must be at least 1"

allocators=(bump bumpalo stack handle std)
target_dir=${CARGO_TARGET_DIR:-target}
bin=$target_dir/release/examples/callgrind_probe
out=$target_dir/callgrind
mkdir -p "$out"

# The root Cargo.toml's release profile has no debug info; ask for it here so
# that callgrind can name the probe functions.
echo "building callgrind_probe (release, debug symbols)..." >&2
CARGO_PROFILE_RELEASE_DEBUG=true cargo build --quiet --release --example callgrind_probe
[[ -x $bin ]] || die "$bin was not built"

declare -A per_call
for alloc in "${allocators[@]}"; do
    profile=$out/$alloc.callgrind
    log=$out/$alloc.log
    echo "running callgrind: $alloc (N=$n, size=$size, align=$align)..." >&2
    valgrind --tool=callgrind --callgrind-out-file="$profile" \
        "$bin" "$alloc" "$n" "$size" "$align" >"$log" 2>&1 ||
        die "valgrind failed for '$alloc'; see $log"
    # A line of `callgrind_annotate --inclusive=yes` looks like
    #   190,000 (20.11%)  /.../examples/callgrind_probe.rs:probe_bump [/.../callgrind_probe]
    # Further lines name the same function under the files its inlined code
    # comes from; they are parts of the first one, which is the largest and
    # comes first. Match the name exactly (probe_bump is not probe_bumpalo).
    ir=$(callgrind_annotate --inclusive=yes --threshold=100 "$profile" 2>/dev/null |
        awk -v fn="probe_$alloc" '
            {
                for (i = 2; i <= NF; i++) {
                    lead = length($i) - length(fn)
                    if (!found && lead >= 0 && substr($i, lead + 1) == fn && (lead == 0 || substr($i, lead, 1) == ":")) {
                        found = 1; ir = $1; gsub(",", "", ir)
                    }
                }
            }
            END { if (found) print ir }')
    [[ -n $ir ]] || die "no inclusive count for probe_$alloc in $profile (were debug symbols built?)"
    per_call[$alloc]=$(awk -v ir="$ir" -v n="$n" 'BEGIN { printf "%.2f", ir / n }')
done

# The disassembly of each probe: how many instructions the function has in
# all (hot path and cold paths together, padding excluded; a function it
# calls, such as the handle's thunk or malloc, is not included).
declare -A static_count
if command -v objdump >/dev/null 2>&1; then
    objdump -d -C --no-show-raw-insn "$bin" >"$out/probe.dis"
    for alloc in "${allocators[@]}"; do
        awk -v fn="<probe_$alloc>:" '
            $0 ~ /^[0-9a-f]+ </ { inside = (index($0, fn) > 0); if (inside) print; next }
            inside && NF && $2 !~ /^(int3|nop|xchg|data16|cs)/ { print }   # skip padding
        ' "$out/probe.dis" >"$out/probe_$alloc.s"
        static_count[$alloc]=$(($(wc -l <"$out/probe_$alloc.s") - 1))
    done
fi

echo
echo "instructions per allocate() call (callgrind, inclusive, N=$n, Layout { size: $size, align: $align })"
printf '%-10s %12s %14s\n' allocator "instr/call" "instr in fn"
for alloc in "${allocators[@]}"; do
    printf '%-10s %12s %14s\n' "$alloc" "${per_call[$alloc]}" "${static_count[$alloc]:--}"
done
echo
awk -v bump="${per_call[bump]}" -v bumpalo="${per_call[bumpalo]}" \
    -v stack="${per_call[stack]}" -v handle="${per_call[handle]}" 'BEGIN {
        printf "bump - bumpalo : %+.2f\n", bump - bumpalo
        printf "stack - bump   : %+.2f\n", stack - bump
        printf "handle - bump  : %+.2f\n", handle - bump
    }'
echo
echo "profiles, logs and disassembly (probe_<allocator>.s) are in $out" >&2
