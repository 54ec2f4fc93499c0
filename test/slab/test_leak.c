// SPDX-License-Identifier: MIT
/*
 * test/slab/test_leak.c - the leak report: live objects of debug caches,
 * grouped by allocation stack with counts; on demand and at exit.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/helpers.h"
#include "test/unchecked.h"

TestSuite(slab_leak, .timeout = 120);

/*
 * Two call sites, so two allocation stacks; each allocates @n objects from
 * one call (the barrier keeps it from being a tail call).
 */
static __attribute__((noinline)) void *leak_here(struct kmem_cache *s, int n)
{
	void *p = NULL;

	for (int i = 0; i < n; i++) {
		p = kmem_cache_alloc(s, GFP_KERNEL);
		__asm__ volatile("" ::: "memory");
	}
	return p;
}

static __attribute__((noinline)) void *leak_there(struct kmem_cache *s, int n)
{
	void *p = NULL;

	/* Not the same code as leak_here(), so the two are never merged. */
	for (int i = 0; i < n; i++) {
		p = kmem_cache_zalloc(s, GFP_KERNEL);
		__asm__ volatile("" ::: "memory");
	}
	return p;
}

/* The leak report for the current state, as text. */
static char *leak_report(unsigned long *objects)
{
	static char text[16384];
	FILE *f = tmpfile();
	size_t n;

	*objects = kmem_leak_check(fileno(f));
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

Test(slab_leak, live_objects_are_grouped_by_allocation_stack)
{
	struct kmem_cache *s;
	unsigned long objects;
	char *text, *big, *small;

	kmem_slab_debug("U,leaky");
	s = kmem_cache_create("leaky", 64, 0, 0, NULL);
	leak_here(s, 3);
	leak_there(s, 1);
	kmem_cache_free(s, leak_here(s, 1));
	text = leak_report(&objects);
	cr_assert_eq(objects, 4, "%s", text);
	big = strstr(text, "Leak of 192 byte(s) in 3 object(s) of leaky allocated from:\n");
	small = strstr(text, "Leak of 64 byte(s) in 1 object(s) of leaky allocated from:\n");
	cr_assert_not_null(big, "%s", text);
	cr_assert_not_null(small, "%s", text);
	cr_assert_lt(big, small, "the largest group first");
	cr_assert(strstr(text, "    #0 "), "stack frames are listed");
	cr_assert(strstr(text, "SUMMARY: kmem: 256 byte(s) leaked in 4 allocation(s).\n"), "%s",
		  text);
}

Test(slab_leak, kmalloc_leaks_count_the_bytes_requested)
{
	unsigned long objects;
	char *text;

	kmem_slab_debug("U,kmalloc-*");
	cr_assert_not_null(kmalloc(runtime_size(20), GFP_KERNEL));
	text = leak_report(&objects);
	cr_assert_eq(objects, 1, "%s", text);
	cr_assert(strstr(text, "Leak of 20 byte(s) in 1 object(s) of kmalloc-32 allocated from:"),
		  "%s", text);
}

Test(slab_leak, caches_without_tracks_are_summarised_per_cache)
{
	struct kmem_cache *s;
	unsigned long objects;
	char *text;

	kmem_slab_debug("Z,zoned");
	s = kmem_cache_create("zoned", 32, 0, 0, NULL);
	kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_alloc(s, GFP_KERNEL);
	text = leak_report(&objects);
	cr_assert_eq(objects, 2);
	cr_assert(strstr(text, "Leak of 64 byte(s) in 2 object(s) of zoned (no allocation stacks"),
		  "%s", text);
}

Test(slab_leak, nothing_is_reported_when_nothing_leaks)
{
	struct kmem_cache *s;
	unsigned long objects;
	char *text;

	kmem_slab_debug("U");
	s = kmem_cache_create("tidy", 64, 0, 0, NULL);
	kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
	text = leak_report(&objects);
	cr_assert_eq(objects, 0);
	cr_assert_str_empty(text);
	kmem_cache_destroy(s);
}

Test(slab_leak, kmem_leak_check_in_the_environment_reports_at_exit)
{
	char path[] = "/tmp/kmem-leak-XXXXXX";
	char text[4096] = "";
	int fd = mkstemp(path), status;
	pid_t pid;

	cr_assert_geq(fd, 0);
	pid = fork();
	if (!pid) {
		setenv("KMEM_LEAK_CHECK", path, 1);
		exit(kmalloc(runtime_size(100), GFP_KERNEL) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && !WEXITSTATUS(status));
	text[read(fd, text, sizeof(text) - 1)] = '\0';
	close(fd);
	unlink(path);
	cr_assert(strstr(text, "Leak of 100 byte(s) in 1 object(s) of kmalloc-112 allocated from:"),
		  "%s", text);
	cr_assert(strstr(text, "SUMMARY: kmem: 100 byte(s) leaked in 1 allocation(s)."), "%s",
		  text);
}
