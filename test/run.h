/* SPDX-License-Identifier: MIT */
/*
 * test/run.h - run programs from a test: the tools, and programs on kmem
 * started with a given environment.  No kmem calls, so the shim's suite
 * (linked against libkmem-malloc.so only) uses it too.
 */
#ifndef KMEM_TEST_RUN_H
#define KMEM_TEST_RUN_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Programs built next to the suites (KMEM_BUILD_DIR comes from the Makefile). */
#define BUILD_PATH(name) KMEM_BUILD_DIR "/" name

struct test_child {
	pid_t pid;
	int in;	   /* its standard input: closing it is end of file there */
	FILE *out; /* its standard output */
	int err;   /* its standard error */
};

/*
 * child_start - start @argv[0] with pipes on its standard streams, in the
 * test's environment without its KMEM_* variables, plus @env (NULL-ended,
 * may be NULL).
 */
void child_start(struct test_child *c, char *const argv[], const char *const env[]);

/*
 * child_finish - close the child's input, collect its standard error into
 * @err (when not NULL) and wait for it.  Returns its exit status, or 128 +
 * the signal that killed it.
 */
int child_finish(struct test_child *c, char *err, size_t size);

/*
 * run_program - run @argv[0] to its end as child_start() would, with its
 * standard output and error both in @out.  Returns as child_finish().
 */
int run_program(char *const argv[], const char *const env[], char *out, size_t size);

#endif /* KMEM_TEST_RUN_H */
