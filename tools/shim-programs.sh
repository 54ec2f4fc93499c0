# Sourced by tools/shim-check.sh and tools/check-faults.sh: the real
# programs that run on the malloc shim.  Needs $src (the repository) and
# $build (the build directory, where fork_threads is).

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

export -f git_session sqlite_session gcc_session
export src

# for_each_shim_program FN: call FN NAME COMMAND... for every program.
for_each_shim_program() {
	"$1" python3 python3 "$src/test/shim/workload.py"
	"$1" gcc bash -c gcc_session
	"$1" git bash -c git_session
	"$1" sqlite3 bash -c sqlite_session
	"$1" fork_threads "$build/fork_threads"
}
