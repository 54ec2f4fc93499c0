# Sourced by tools/shim-check.sh and tools/check-faults.sh: the real
# programs that run on the malloc shim.  Needs $src (the repository) and
# $build (the build directory, where fork_threads is).
#
# Each program runs in a bash session.  `make check-faults` sets
# FAULT_SPEC; inject then gives it to the programs as KMEM_FAIL_PAGE_ALLOC
# and KMEM_FAIL_SLAB, and the shell around them allocates without
# injected failures.

# inject COMMAND...: run COMMAND under the failures FAULT_SPEC asks for.
inject() {
	if [ -n "${FAULT_SPEC:-}" ]; then
		KMEM_FAIL_PAGE_ALLOC=$FAULT_SPEC KMEM_FAIL_SLAB=$FAULT_SPEC "$@"
	else
		"$@"
	fi
}

# The interpreter itself, not a version manager's wrapper script.
python3_bin=$(python3 -c 'import sys; print(sys.executable)')

python3_session() {
	inject "$python3_bin" "$src/test/shim/workload.py"
}

gcc_session() {
	inject gcc -O2 -o hello "$src/test/shim/hello.c" && inject ./hello
}

git_session() {
	export GIT_AUTHOR_NAME=kmem GIT_AUTHOR_EMAIL=kmem@example.invalid
	export GIT_COMMITTER_NAME=kmem GIT_COMMITTER_EMAIL=kmem@example.invalid
	export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
	inject git init -q -b main repo && cd repo || return 1
	for i in $(seq 1 20); do
		seq 1 $((i * 500)) >"file$i.txt"
		inject git add "file$i.txt" && inject git commit -q -m "commit $i" || return 1
	done
	inject git log --stat --format='%H %s' && inject git gc -q &&
		inject git fsck --no-progress 2>&1
}

# -init /dev/null: without it the shell looks up the user's home with
# getpwuid(), and glibc's NSS code (nss_database_check_reload_and_get)
# dereferences NULL when an allocation fails there, a crash of the C
# library that make check-faults would otherwise count.
sqlite3_session() {
	inject sqlite3 -init /dev/null test.db <<'SQL'
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

fork_threads_session() {
	inject "$build/fork_threads"
}

export -f inject python3_session gcc_session git_session sqlite3_session fork_threads_session
export src build python3_bin

# for_each_shim_program FN: call FN NAME COMMAND... for every program.
for_each_shim_program() {
	local name
	for name in python3 gcc git sqlite3 fork_threads; do
		"$1" "$name" bash -c "${name}_session"
	done
}
