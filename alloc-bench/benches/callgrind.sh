#!/usr/bin/env bash
# Instructions per allocator-api2 call (allocate, grow in place, deallocate)
# for every allocator, and per allocate of a layout known at compile time
# (allocate_const) and per typed-API alloc_str for the arenas, counted by
# callgrind.
#
# Builds the callgrind_probe binary of alloc-bench (src/bin/callgrind_probe.rs)
# in release mode with debug symbols, runs it under callgrind once per
# allocator and operation, and divides the inclusive instruction count of
# that run's `#[inline(never)]` probe function (`probe_bump_allocate`,
# `probe_bumpalo_grow`, ...) by the number of calls. Each probe call is one
# operation, its call and its return.
#
# usage: alloc-bench/benches/callgrind.sh [N=10000] [SIZE=24] [ALIGN=8]
#
# `grow` grows the block just allocated (the last one) from SIZE to 2*SIZE
# bytes; `deallocate` frees the block just allocated; `allocate_const`
# allocates `Layout::new::<[u64; 3]>()` (24 bytes, alignment 8, whatever
# SIZE and ALIGN say) for bump, arena, bumpalo and bump-scope; `alloc_str`
# copies a string of SIZE bytes in with the arena's typed API (for the same
# four; its count includes the `memcpy` call). The composition blocks of
# issue 10 (segregator = Segregator<64, Bump, Bump>, fallback =
# Fallback<Bump, Null>, free-list = FreeList<Bump, 17, 32>, size-classes =
# SizeClasses<Bump>, limit = Limit<Bump>, composed = Segregator<256,
# SizeClasses<Arena<Global>>, Global>) run allocate and deallocate only; for
# free-list, size-classes and composed every probed allocate is a hit (a
# block taken off a free list: N blocks are allocated and freed first,
# outside the probe), so SIZE must be in 17..=32 for free-list and at most
# 256 for the other two; a second table gives each block's count minus its
# parent's (bump). Output files
# (callgrind profiles, logs, disassembly) go to $CARGO_TARGET_DIR/callgrind
# (target/callgrind by default).
set -euo pipefail
cd "$(dirname "$0")/../.."

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

allocators=(bump arena bumpalo bump-scope stack handle std)
blocks=(segregator fallback free-list size-classes limit composed)
ops=(allocate grow deallocate allocate_const alloc_str)
# The allocators that have allocate_const and alloc_str probes.
arenas=" bump arena bumpalo bump-scope "

# Whether $1 has a probe for operation $2 (the blocks: allocate and
# deallocate only).
has_probe() {
    if [[ " ${blocks[*]} " == *" $1 "* ]]; then
        [[ $2 == allocate || $2 == deallocate ]]
        return
    fi
    [[ $2 != allocate_const && $2 != alloc_str ]] || [[ $arenas == *" $1 "* ]]
}
target_dir=${CARGO_TARGET_DIR:-target}
bin=$target_dir/release/callgrind_probe
out=$target_dir/callgrind
mkdir -p "$out"

# The workspace's release profile has no debug info; ask for it here so that
# callgrind can name the probe functions.
echo "building callgrind_probe (release, debug symbols)..." >&2
CARGO_PROFILE_RELEASE_DEBUG=true cargo build --quiet --release -p alloc-bench --bin callgrind_probe
[[ -x $bin ]] || die "$bin was not built"

declare -A per_call in_place
for alloc in "${allocators[@]}" "${blocks[@]}"; do
    for op in "${ops[@]}"; do
        has_probe "$alloc" "$op" || continue
        fn=probe_${alloc//-/_}_$op
        profile=$out/$alloc-$op.callgrind
        log=$out/$alloc-$op.log
        echo "running callgrind: $alloc $op (N=$n, size=$size, align=$align)..." >&2
        valgrind --tool=callgrind --callgrind-out-file="$profile" \
            "$bin" "$alloc" "$op" "$n" "$size" "$align" >"$log" 2>&1 ||
            die "valgrind failed for '$alloc $op'; see $log"
        # A line of `callgrind_annotate --inclusive=yes` looks like
        #   190,000 (20.11%)  /.../callgrind_probe.rs:probe_bump_allocate [/.../callgrind_probe]
        # Further lines name the same function under the files its inlined
        # code comes from; they are parts of the first one, which is the
        # largest and comes first. Match the name exactly (probe_bump_grow is
        # not probe_bump_scope_grow).
        ir=$(callgrind_annotate --inclusive=yes --threshold=100 "$profile" 2>/dev/null |
            awk -v fn="$fn" '
                {
                    for (i = 2; i <= NF; i++) {
                        lead = length($i) - length(fn)
                        if (!found && lead >= 0 && substr($i, lead + 1) == fn && (lead == 0 || substr($i, lead, 1) == ":")) {
                            found = 1; ir = $1; gsub(",", "", ir)
                        }
                    }
                }
                END { if (found) print ir }')
        [[ -n $ir ]] || die "no inclusive count for $fn in $profile (were debug symbols built?)"
        per_call[$alloc.$op]=$(awk -v ir="$ir" -v n="$n" 'BEGIN { printf "%.2f", ir / n }')
        if [[ $op == grow ]]; then
            in_place[$alloc]=$(awk '/^in-place grows:/ { print $3 }' "$log")
        fi
    done
done

# The disassembly of each probe: how many instructions the function has in
# all (hot path and cold paths together, padding excluded; a function it
# calls, such as the handle's thunk or malloc, is not included).
declare -A static_count
if command -v objdump >/dev/null 2>&1; then
    objdump -d -C --no-show-raw-insn "$bin" >"$out/probe.dis"
    for alloc in "${allocators[@]}" "${blocks[@]}"; do
        for op in "${ops[@]}"; do
            has_probe "$alloc" "$op" || continue
            fn=probe_${alloc//-/_}_$op
            awk -v fn="<$fn>:" '
                $0 ~ /^[0-9a-f]+ </ { inside = (index($0, fn) > 0); if (inside) print; next }
                inside && NF && $2 !~ /^(int3|nop|xchg|data16|cs)/ { print }   # skip padding
            ' "$out/probe.dis" >"$out/$fn.s"
            static_count[$alloc.$op]=$(($(wc -l <"$out/$fn.s") - 1))
        done
    done
fi

echo
echo "instructions per call (callgrind, inclusive, N=$n, Layout { size: $size, align: $align }; grow to size $((2 * size)); const = Layout::new::<[u64; 3]>(); alloc_str of $size bytes)"
printf '%-11s %10s %10s %11s %10s %10s   %-15s %s\n' allocator allocate grow deallocate const alloc_str "grow in place" "static (alloc/grow/dealloc/const/str)"
for alloc in "${allocators[@]}"; do
    printf '%-11s %10s %10s %11s %10s %10s   %-15s %s\n' "$alloc" \
        "${per_call[$alloc.allocate]}" "${per_call[$alloc.grow]}" "${per_call[$alloc.deallocate]}" \
        "${per_call[$alloc.allocate_const]:--}" "${per_call[$alloc.alloc_str]:--}" \
        "${in_place[$alloc]:-?}/$n" \
        "${static_count[$alloc.allocate]:--}/${static_count[$alloc.grow]:--}/${static_count[$alloc.deallocate]:--}/${static_count[$alloc.allocate_const]:--}/${static_count[$alloc.alloc_str]:--}"
done
echo
printf '%-20s %10s %10s %11s %10s %10s\n' difference allocate grow deallocate const alloc_str
for pair in arena:bump arena:bumpalo arena:bump-scope bump:bumpalo bump:bump-scope stack:bump handle:bump; do
    a=${pair%%:*} b=${pair#*:}
    printf '%-20s' "$a - $b"
    for op in "${ops[@]}"; do
        w=10
        [[ $op == deallocate ]] && w=11
        x=${per_call[$a.$op]:-} y=${per_call[$b.$op]:-}
        if [[ -z $x || -z $y ]]; then
            printf ' %*s' "$w" -
        else
            awk -v x="$x" -v y="$y" -v w="$w" 'BEGIN { printf " %*s", w, sprintf("%+.2f", x - y) }'
        fi
    done
    echo
done

echo
echo "composition blocks over Bump: instructions per call (same N and layout; free-list, size-classes, composed: allocate is a hit)"
printf '%-13s %10s %11s %10s %11s   %s\n' block allocate deallocate "- bump" "- bump" "static (alloc/dealloc)"
for alloc in "${blocks[@]}"; do
    printf '%-13s %10s %11s' "$alloc" "${per_call[$alloc.allocate]}" "${per_call[$alloc.deallocate]}"
    for op in allocate deallocate; do
        w=10
        [[ $op == deallocate ]] && w=11
        awk -v x="${per_call[$alloc.$op]}" -v y="${per_call[bump.$op]}" -v w="$w" 'BEGIN { printf " %*s", w, sprintf("%+.2f", x - y) }'
    done
    printf '   %s\n' "${static_count[$alloc.allocate]:--}/${static_count[$alloc.deallocate]:--}"
done
echo
echo "profiles, logs and disassembly (probe_<allocator>_<op>.s) are in $out" >&2
