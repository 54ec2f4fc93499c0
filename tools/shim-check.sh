#!/bin/bash
# Run real programs with and without the kmem malloc shim and compare.
# Usage: tools/shim-check.sh path/to/libkmem-malloc.so build/dir
# Every program must exit 0 with identical output both ways.
set -uo pipefail
shim=$(realpath "$1")
build=$(realpath "$2")
work=$build/shim-check
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/tools/shim-programs.sh"
rm -rf "$work" && mkdir -p "$work"
failures=0
passed=0

# run NAME COMMAND...: run COMMAND in a fresh directory, twice.
run() {
	local name=$1 mode out rc
	shift
	for mode in plain kmem; do
		rm -rf "$work/$name-$mode" && mkdir -p "$work/$name-$mode"
		if [ $mode = kmem ]; then
			(cd "$work/$name-$mode" && LD_PRELOAD=$shim timeout 300 "$@") \
				>"$work/$name-$mode.out" 2>"$work/$name-$mode.err"
		else
			(cd "$work/$name-$mode" && timeout 300 "$@") \
				>"$work/$name-$mode.out" 2>"$work/$name-$mode.err"
		fi
		rc=$?
		if [ $rc != 0 ]; then
			echo "FAIL $name ($mode): exit $rc"; sed 's/^/    /' "$work/$name-$mode.err" | tail -5
			failures=$((failures + 1))
			return
		fi
	done
	if ! cmp -s "$work/$name-plain.out" "$work/$name-kmem.out"; then
		echo "FAIL $name: output differs under the shim"
		diff "$work/$name-plain.out" "$work/$name-kmem.out" | head -10 | sed 's/^/    /'
		failures=$((failures + 1))
		return
	fi
	echo "ok   $name ($(wc -l <"$work/$name-kmem.out") lines of identical output)"
	passed=$((passed + 1))
}

# The shim must really serve a preloaded program: a shim whose symbols
# carry a version the program does not ask for loads without error and
# serves nothing, and every comparison below would pass on glibc.
interposes() {
	local stats="$work/interposes.stats"
	rm -f "$stats"
	LD_PRELOAD=$shim KMEM_STATS=$stats python3 -c 'x = [bytes(100) for _ in range(10000)]'
	if grep -qE '^KmallocHeap: +[1-9]' "$stats" && grep -qE '^MemPeakMapped: +[1-9]' "$stats"; then
		echo "ok   interposes (a preloaded python3 allocates from kmem)"
		passed=$((passed + 1))
	else
		echo "FAIL interposes: a preloaded python3 did not allocate from kmem"
		sed 's/^/    /' "$stats" 2>/dev/null | head -20
		failures=$((failures + 1))
	fi
}

interposes
for_each_shim_program run

echo "shim-check: $passed passed, $failures failed"
[ $failures = 0 ]
