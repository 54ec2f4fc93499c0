#!/bin/bash
# Run kmem's tests and real programs while kmem injects allocation failures.
# Usage: tools/check-faults.sh BUILD_DIR [full|short]
#
# Every configuration sets KMEM_FAIL_PAGE_ALLOC and KMEM_FAIL_SLAB to the
# same spec: every interval-th allocation fails (probability=100), or every
# interval-th may fail with probability 50 drawn from a seed.  Each one runs
#   - the Criterion suites (BUILD_DIR/kmem-tests): a test may fail an
#     assertion, since it may have asserted that an allocation succeeds;
#     it must not crash or time out, and its kmem_check() at teardown must
#     hold;
#   - the stress program: failed allocations are counted, not errors; the
#     shadow model, kmem_check() and "all of kmalloc's memory is back at the
#     end" must hold;
#   - the shim programs (tools/shim-programs.sh) with KMEM_CHECK_AT_EXIT=1,
#     the failures injected into the programs, not the shell that runs
#     them: a program may exit with its own out-of-memory error (recorded);
#     it must not crash, abort with a kmem report, hang, fail kmem_check()
#     at exit, or exit 0 with output different from a run without the shim.
# The shim's own Criterion suite is not run: its runner allocates through
# the shim, so injected failures would hit Criterion itself.
set -uo pipefail
build=$(realpath "$1")
mode=${2:-full}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$build/check-faults
shim=$build/libkmem-malloc.so
. "$src/tools/shim-programs.sh"
rm -rf "$work" && mkdir -p "$work"

if [ "$mode" = short ]; then
	intervals="7 1009"
	seeds="1"
	stress_seconds=2
else
	intervals="5 61 1009"
	seeds="1 2"
	stress_seconds=3
fi
specs=()
for n in $intervals; do
	specs+=("probability=100,interval=$n")
	for seed in $seeds; do
		specs+=("probability=50,interval=$n,seed=$seed")
	done
done

runs=0 crashes=0 aborts=0 leaks=0 hangs=0 errors=0
own_errors=""
declare -A succeeded gave_up

# problem KIND WHAT LOG: count one finding and show where it is.
problem() {
	case $1 in
	crash) crashes=$((crashes + 1)) ;;
	abort) aborts=$((aborts + 1)) ;;
	leak) leaks=$((leaks + 1)) ;;
	hang) hangs=$((hangs + 1)) ;;
	*) errors=$((errors + 1)) ;;
	esac
	echo "  $1: $2 (see $3)"
}

# The Criterion suites under one spec.
run_suites() {
	local spec=$1 log=$work/suites-$2 rc kind name
	KMEM_FAIL_PAGE_ALLOC=$spec KMEM_FAIL_SLAB=$spec timeout 900 "$build/kmem-tests" \
		--jobs 2 --tap="$log.tap" >"$log.out" 2>&1
	rc=$?
	runs=$((runs + 1))
	if [ $rc = 124 ]; then
		problem hang "the suites did not finish" "$log.out"
		return
	fi
	# One line per finding: KIND test-name, then a summary line.
	while read -r kind name; do
		case $kind in
		summary) echo "  suites: $name" ;;
		*) problem "$kind" "$name" "$log.out" ;;
		esac
	done < <(awk '
		function flush() {
			if (name == "")
				return
			if (kind != "")
				print kind, name
			else if (ok)
				passed++
			else
				failed++
			name = ""
		}
		/^ok - / { flush(); name = $3; ok = 1; kind = ""; next }
		/^not ok - / {
			flush(); name = $4; ok = 0; kind = ""
			if (/unexpected signal/)
				kind = "crash"
			else if (/timed out/)
				kind = "hang"
			next
		}
		/kmem_check\(\) found a broken invariant/ { if (name != "") kind = "leak" }
		END {
			flush()
			printf "summary %d passed, %d failed an assertion (an allocation it needed failed)\n",
				passed, failed
		}' "$log.tap")
}

# The stress program under one spec.
run_stress() {
	local spec=$1 log=$work/stress-$2.out rc
	KMEM_FAIL_PAGE_ALLOC=$spec KMEM_FAIL_SLAB=$spec timeout 120 "$build/stress" \
		"$stress_seconds" 4 >"$log" 2>&1
	rc=$?
	runs=$((runs + 1))
	if [ $rc = 124 ]; then
		problem hang "stress" "$log"
	elif [ $rc -gt 128 ]; then
		problem "$(signal_kind $((rc - 128)) "$log")" "stress: signal $((rc - 128))" "$log"
	elif grep -q "memory left in kmalloc\|kmem_check" "$log"; then
		problem leak "stress" "$log"
	elif [ $rc != 0 ]; then
		problem error "stress: $(grep -m1 '^stress: ' "$log")" "$log"
	else
		echo "  $(tail -1 "$log")"
	fi
}

# signal_kind SIGNAL LOG: an abort after a kmem report is kmem's; any other
# abort is the program's own handling of a failure.
signal_kind() {
	if [ "$1" != 6 ]; then
		echo crash
	elif grep -q "^BUG: \|internal invariant broken" "$2"; then
		echo abort
	else
		echo own-abort
	fi
}

# Each shim program once without kmem: the output a successful run gives.
reference() {
	local name=$1
	shift
	rm -rf "$work/$name-plain" && mkdir -p "$work/$name-plain"
	(cd "$work/$name-plain" && timeout 300 "$@") >"$work/$name-plain.out" 2>&1 ||
		echo "  reference run of $name failed"
}

# program NAME COMMAND...: one shim program under $spec.
program() {
	local name=$1 dir rc crashed
	shift
	dir=$work/$name-$tag
	rm -rf "$dir" && mkdir -p "$dir"
	(cd "$dir" && FAULT_SPEC=$spec LD_PRELOAD=$shim KMEM_CHECK_AT_EXIT=1 timeout 120 "$@") \
		>"$dir.out" 2>"$dir.err"
	rc=$?
	runs=$((runs + 1))
	# bash names a command of the session that died of a signal.
	crashed=$(grep -m1 -E "Segmentation fault|Bus error|Illegal instruction|Floating point" \
		"$dir.err")
	if [ $rc = 124 ]; then
		problem hang "$name" "$dir.err"
	elif grep -q "^kmem_check: \|KMEM_CHECK_AT_EXIT" "$dir.err"; then
		problem leak "$name: kmem_check() failed at exit" "$dir.err"
	elif [ -n "$crashed" ]; then
		problem crash "$name: $crashed" "$dir.err"
	elif [ $rc -gt 128 ] && [ "$(signal_kind $((rc - 128)) "$dir.err")" != own-abort ]; then
		problem "$(signal_kind $((rc - 128)) "$dir.err")" "$name: signal $((rc - 128))" \
			"$dir.err"
	elif grep -q "^BUG: \|internal invariant broken" "$dir.err"; then
		problem abort "$name: a kmem report" "$dir.err"
	elif [ $rc = 0 ]; then
		succeeded[$name]=$((${succeeded[$name]:-0} + 1))
		cmp -s "$work/$name-plain.out" "$dir.out" ||
			problem error "$name: exit 0 with different output" "$dir.out"
	else
		gave_up[$name]=$((${gave_up[$name]:-0} + 1))
		own_errors+="$name|$rc|$({ grep -m1 -iE 'memory|alloc|fatal|error' "$dir.err" ||
			head -1 "$dir.err"; } | cut -c1-100)"$'\n'
	fi
}

echo "check-faults ($mode): ${#specs[@]} injection specs"
for_each_shim_program reference
for i in "${!specs[@]}"; do
	spec="${specs[$i]},times=-1,verbose=0"
	tag=$i
	echo "spec $i: KMEM_FAIL_PAGE_ALLOC = KMEM_FAIL_SLAB = $spec"
	run_suites "$spec" "$i"
	run_stress "$spec" "$i"
	for_each_shim_program program
done

for name in python3 gcc git sqlite3 fork_threads; do
	echo "$name: ${succeeded[$name]:-0} runs succeeded, ${gave_up[$name]:-0} exited with" \
		"their own error"
done
echo "their errors (program|exit status|first message):"
if [ -n "$own_errors" ]; then
	printf '%s' "$own_errors" | sort | uniq -c | sed 's/^/  /'
else
	echo "  none"
fi
echo "check-faults: $runs runs, $crashes crashes, $aborts unexpected aborts, $leaks leaks," \
	"$hangs hangs, $errors other errors"
[ $((crashes + aborts + leaks + hangs + errors)) = 0 ]
