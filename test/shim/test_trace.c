// SPDX-License-Identifier: MIT
/*
 * test/shim/test_trace.c - KMEM_TRACE=path: a program on the shim writes
 * its allocations in the trace format kheap-replay reads.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test/run.h"

TestSuite(shim_trace, .timeout = 60);

struct op {
	char kind;
	unsigned int id;
	size_t size;
};

/* Run target_trace with KMEM_TRACE; its operations in @ops, their number. */
static size_t trace_target(const char *path, struct op *ops, size_t max)
{
	char env[128], out[4096], line[128];
	char *argv[] = {BUILD_PATH("target_trace"), NULL};
	size_t n = 0;
	FILE *f;

	snprintf(env, sizeof(env), "KMEM_TRACE=%s", path);
	cr_assert_eq(run_program(argv, (const char *[]){env, NULL}, out, sizeof(out)), 0, "%s",
		     out);
	f = fopen(path, "r");
	cr_assert_not_null(f, "no trace at %s", path);
	cr_assert(fgets(line, sizeof(line), f) && line[0] == '#', "a comment first");
	while (n < max && fgets(line, sizeof(line), f)) {
		struct op *op = &ops[n++];

		op->size = 0;
		cr_assert_geq(sscanf(line, "%c %u %zu", &op->kind, &op->id, &op->size), 2, "%s",
			      line);
		cr_assert((op->kind == 'a' && op->size) || (op->kind == 'f' && !op->size), "%s",
			  line);
	}
	fclose(f);
	return n;
}

/* The index of the first allocation of @size at or after @from, or -1. */
static long find_alloc(const struct op *ops, size_t n, size_t from, size_t size)
{
	for (size_t i = from; i < n; i++)
		if (ops[i].kind == 'a' && ops[i].size == size)
			return (long)i;
	return -1;
}

static long find_free(const struct op *ops, size_t n, size_t from, unsigned int id)
{
	for (size_t i = from; i < n; i++)
		if (ops[i].kind == 'f' && ops[i].id == id)
			return (long)i;
	return -1;
}

Test(shim_trace, records_the_programs_allocations_in_order)
{
	char path[] = "/tmp/kmem-trace-test.XXXXXX";
	struct op ops[4096];
	long a, b, d, a_freed, c, c_freed;
	size_t n;

	close(mkstemp(path));
	n = trace_target(path, ops, 4096);
	unlink(path);
	a = find_alloc(ops, n, 0, 100);
	b = find_alloc(ops, n, (size_t)a, 300);
	d = find_alloc(ops, n, (size_t)b, 64);
	cr_assert(a >= 0 && b > a && d > b, "malloc, calloc, aligned_alloc in order");
	a_freed = find_free(ops, n, (size_t)d, ops[a].id);
	c = find_alloc(ops, n, (size_t)a_freed, 5000);
	cr_assert(a_freed > d && c == a_freed + 1, "realloc is a free and an allocation");
	c_freed = find_free(ops, n, (size_t)c, ops[c].id);
	cr_assert(c_freed > c && find_free(ops, n, (size_t)c_freed, ops[d].id) > c_freed);
	cr_assert_eq(find_free(ops, n, (size_t)b, ops[b].id), -1, "the calloc'd block lives on");
	cr_assert_eq(find_alloc(ops, n, 0, 7777), -1, "the forked child is not traced");
}

Test(shim_trace, ids_are_reused_and_the_trace_replays)
{
	char path[] = "/tmp/kmem-trace-test.XXXXXX", out[8192];
	char *argv[] = {BUILD_PATH("tools/kheap-replay"), path, NULL};
	struct op ops[4096];
	unsigned int max_id = 0, live = 0, peak = 0;
	size_t n;

	close(mkstemp(path));
	n = trace_target(path, ops, 4096);
	for (size_t i = 0; i < n; i++) {
		live += ops[i].kind == 'a' ? 1 : -1u;
		peak = live > peak ? live : peak;
		max_id = ops[i].id > max_id ? ops[i].id : max_id;
	}
	cr_assert_lt(max_id, peak, "IDs are reused: the largest is below the peak of live blocks");
	cr_assert_eq(run_program(argv, NULL, out, sizeof(out)), 0, "%s", out);
	unlink(path);
	cr_assert(strstr(out, "good"), "%s", out);
	cr_assert_null(strstr(out, "WARNING"), "%s", out);
}

Test(shim_trace, unopenable_path_is_reported_and_the_program_runs)
{
	char *argv[] = {BUILD_PATH("target_trace"), NULL};
	char out[4096];

	cr_assert_eq(run_program(argv, (const char *[]){"KMEM_TRACE=/nonexistent-dir/t", NULL}, out,
				 sizeof(out)),
		     0);
	cr_assert(strstr(out, "WARNING: kmem: KMEM_TRACE: cannot open /nonexistent-dir/t"), "%s",
		  out);
}
