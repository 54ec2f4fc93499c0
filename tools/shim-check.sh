#!/bin/bash
# Run real programs with and without the kmem malloc shim and compare.
# Usage: tools/shim-check.sh path/to/libkmem-malloc.so build/dir
# Every program must exit 0 with identical output both ways.
set -uo pipefail
shim=$(realpath "$1")
work=$(realpath "$2")/shim-check
src=$(cd "$(dirname "$0")/.." && pwd)
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

git_session() {
	export GIT_AUTHOR_NAME=kmem GIT_AUTHOR_EMAIL=kmem@example.invalid
	export GIT_COMMITTER_NAME=kmem GIT_COMMITTER_EMAIL=kmem@example.invalid
	export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
	git init -q -b main repo && cd repo || return 1
	for i in $(seq 1 20); do
		seq 1 $((i * 500)) >"file$i.txt"
		git add "file$i.txt" && git commit -q -m "commit $i" || return 1
	done
	git log --stat --format='%H %s' && git gc -q && git fsck --no-progress 2>&1
}

sqlite_session() {
	sqlite3 test.db <<'SQL'
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, value REAL);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO t SELECT x, 'name-' || (x * 7919 % 100000), x * 1.5 FROM c;
CREATE INDEX t_name ON t(name);
SELECT count(*), sum(value), min(name), max(name) FROM t;
SELECT name, value FROM t WHERE name LIKE 'name-999%' ORDER BY name LIMIT 5;
DELETE FROM t WHERE id % 3 = 0;
SELECT count(*), avg(value) FROM t;
SQL
}

gcc_session() {
	gcc -O2 -o hello "$src/test/shim/hello.c" && ./hello
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
export -f git_session sqlite_session gcc_session
export src
run python3 python3 "$src/test/shim/workload.py"
run gcc bash -c gcc_session
run git bash -c git_session
run sqlite3 bash -c sqlite_session
run fork_threads "$work/../fork_threads"

echo "shim-check: $passed passed, $failures failed"
[ $failures = 0 ]
