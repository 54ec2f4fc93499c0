#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tools/bench-options.sh - what each slab option costs: bench_slab and
# bench_kmalloc, kmem's columns alone (BENCH_PEERS=""), once per setting of
# the hardening and slab_debug variables.
#
# time (default): the settings run in turn, ROUNDS times over, and each
# cell is the best of its rounds, so that a burst of load on a shared
# machine does not land on one setting only.  Each cell also shows its
# time over the default setting's.  T (a trace line for every operation)
# is left out: it would measure the formatting.
#
# instructions: each setting but the debug letters and init_on_* runs
# once under callgrind, and the cell is the number of instructions
# executed in kmem's own code (lib/, page/, slab/, mm/, include/kmem/)
# over the whole program: deterministic, so differences of a percent are
# real, where wall-clock times on a shared machine move by tens of percent
# between runs.  Needs valgrind.
#
# usage: tools/bench-options.sh BUILD_DIR [SCALE [ROUNDS [time|instructions]]]
set -euo pipefail

build=$1
scale=${2:-0.2}
rounds=${3:-3}
measure=${4:-time}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# name|environment
settings=(
	"default|"
	"hardened=0|KMEM_FREELIST_HARDENED=0"
	"random=0|KMEM_FREELIST_RANDOM=0"
	"hardened=0 random=0|KMEM_FREELIST_HARDENED=0 KMEM_FREELIST_RANDOM=0"
	"init_on_alloc|KMEM_INIT_ON_ALLOC=1"
	"init_on_free|KMEM_INIT_ON_FREE=1"
	"slab_debug=F|KMEM_SLAB_DEBUG=F"
	"slab_debug=Z|KMEM_SLAB_DEBUG=Z"
	"slab_debug=P|KMEM_SLAB_DEBUG=P"
	"slab_debug=U|KMEM_SLAB_DEBUG=U"
	"slab_debug=A|KMEM_SLAB_DEBUG=A"
	"slab_debug=FZPU|KMEM_SLAB_DEBUG=FZPU"
)

# The kmem value of every timed row: "label<TAB>value".
kmem_rows() {
	awk '/per kmalloc heap fit policy|footprint|RSS/ { timed = 0; next }
	     /ns per operation|ns per object/ { timed = 1; next }
	     timed && $NF ~ /^[0-9.]+$/ && !/\/ column/ {
		v = $NF; $NF = ""; sub(/ +$/, ""); print $0 "\t" v }'
}

# Millions of instructions in the callgrind profiles of a program and its
# children: those in kmem's code, then all of them.
count_instructions() {
	for f in "$@"; do callgrind_annotate --auto=no --threshold=100 "$f"; done |
		awk '/PROGRAM TOTALS/ { gsub(",", "", $1); total += $1 }
		     $1 ~ /^[0-9,]+$/ {
			where = $0; sub(/ \[.*$/, "", where) # the source file, not the object
			if (where ~ /[ \/](lib|page|slab|mm|include\/kmem)\/[^ ]*:/ && where !~ /bench\//) {
				gsub(",", "", $1); kmem += $1 } }
		     END { printf "%.2f %.2f\n", kmem / 1e6, total / 1e6 }'
}

if [ "$measure" = instructions ]; then
	if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
		echo "bench-options: counting instructions needs valgrind (apt-get install valgrind)" >&2
		exit 2
	fi
	# The benchmarks re-execute themselves for this unless it is set.
	export GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384
	for b in bench_slab bench_kmalloc; do
		echo "$b, kmem only, callgrind at scale $scale: millions of instructions in kmem's code"
		base=
		for i in "${!settings[@]}"; do
			env_vars=${settings[$i]#*|}
			# The debug letters cost tens of times over, and init_on_* is
			# memset() in the C library: time measures them.
			[[ $env_vars == *KMEM_SLAB_DEBUG* || $env_vars == *INIT_ON* ]] && continue
			env BENCH_PEERS= $env_vars valgrind --tool=callgrind \
				--callgrind-out-file="$out/cg.$i.$b.%p" "$build/bench/$b" "$scale" \
				>/dev/null 2>&1
			read -r kmem _ < <(count_instructions "$out/cg.$i.$b".*)
			base=${base:-$kmem}
			awk -v name="${settings[$i]%%|*}" -v n="$kmem" -v base="$base" \
				'BEGIN { printf "  %-20s %10.2f  x%.4f\n", name, n, n / base }'
		done
		echo
	done
	exit 0
fi

for ((r = 0; r < rounds; r++)); do
	for i in "${!settings[@]}"; do
		env_vars=${settings[$i]#*|}
		for b in bench_slab bench_kmalloc; do
			# Warnings and reports on stderr would break up the table.
			env BENCH_PEERS= $env_vars "$build/bench/$b" "$scale" 2>/dev/null |
				kmem_rows >"$out/$i.$b.$r"
		done
	done
done

for b in bench_slab bench_kmalloc; do
	echo "$b, kmem only, ns (best of $rounds runs at scale $scale)"
	for i in "${!settings[@]}"; do
		cat "$out/$i.$b".* |
			awk -F'\t' -v name="${settings[$i]%%|*}" \
				'!($1 in best) || $2 < best[$1] { best[$1] = $2 }
				 !($1 in seen) { seen[$1] = 1; order[++n] = $1 }
				 END { for (k = 1; k <= n; k++) print name "\t" order[k] "\t" best[order[k]] }'
	done | awk -F'\t' '
		{ if (!($2 in row)) { row[$2] = ++nr; label[nr] = $2 }
		  if (!($1 in col)) { col[$1] = ++nc; cname[nc] = $1 }
		  v[row[$2], col[$1]] = $3 }
		END {
			printf "  %-20s", "setting \\ row"
			for (r = 1; r <= nr; r++)
				printf " %13s", "(" r ")"
			printf "\n"
			for (c = 1; c <= nc; c++) {
				printf "  %-20s", cname[c]
				for (r = 1; r <= nr; r++)
					printf " %7.1f x%4.2f", v[r, c], v[r, c] / v[r, 1]
				printf "\n"
			}
			for (r = 1; r <= nr; r++)
				printf "  (%d) %s\n", r, label[r]
			printf "\n"
		}'
done
