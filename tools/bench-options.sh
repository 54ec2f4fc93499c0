#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tools/bench-options.sh - what each slab option costs: bench_slab and
# bench_kmalloc, kmem's columns alone (BENCH_PEERS=""), once per setting of
# the hardening and slab_debug variables.  The settings run in turn, ROUNDS
# times over, and each cell is the best of its rounds, so that a burst of
# load on a shared machine does not land on one setting only.  The last
# column of each row is that setting's time over the default's.
#
# usage: tools/bench-options.sh BUILD_DIR [SCALE [ROUNDS]]
set -euo pipefail

build=$1
scale=${2:-0.2}
rounds=${3:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# name|environment
settings=(
	"default|"
	"hardened=0|KMEM_FREELIST_HARDENED=0"
	"random=1|KMEM_FREELIST_RANDOM=1"
	"hardened=0 random=0|KMEM_FREELIST_HARDENED=0 KMEM_FREELIST_RANDOM=0"
	"init_on_alloc|KMEM_INIT_ON_ALLOC=1"
	"init_on_free|KMEM_INIT_ON_FREE=1"
	"slab_debug=F|KMEM_SLAB_DEBUG=F"
	"slab_debug=Z|KMEM_SLAB_DEBUG=Z"
	"slab_debug=P|KMEM_SLAB_DEBUG=P"
	"slab_debug=U|KMEM_SLAB_DEBUG=U"
	"slab_debug=T|KMEM_SLAB_DEBUG=T"
	"slab_debug=A|KMEM_SLAB_DEBUG=A"
	"slab_debug=FZPU|KMEM_SLAB_DEBUG=FZPU"
)

# The kmem value of every timed row: "label<TAB>value".
kmem_rows() {
	awk '/ns per operation|ns per object/ { timed = 1; next }
	     /per kmalloc heap fit policy|footprint|RSS/ { timed = 0 }
	     timed && $NF ~ /^[0-9.]+$/ && !/\/ column/ {
		v = $NF; $NF = ""; sub(/ +$/, ""); print $0 "\t" v }'
}

for ((r = 0; r < rounds; r++)); do
	for i in "${!settings[@]}"; do
		env_vars=${settings[$i]#*|}
		for b in bench_slab bench_kmalloc; do
			# T traces every operation to stderr: its cost is the formatting.
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
