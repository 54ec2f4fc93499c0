// SPDX-License-Identifier: MIT
/*
 * test/mm/test_lazy_setup.c - kmem sets itself up on first use (kmalloc
 * caches and arenas, slab caches, thread caches, mempools, vmalloc areas).
 * When the memory for that set-up is not there, the call returns NULL and
 * a later call, once memory is back, sets up what is missing.  Each test
 * runs in a fresh process, so nothing is set up before it starts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/heap.h>
#include <kmem/mempool.h>
#include "test/helpers.h"

TestSuite(lazy_setup, .init = capture_reports, .fini = kmem_test_check, .timeout = 30);

#define MAX_BLOCKS 64

/* Take 1 MiB blocks until none is left under the limit; returns how many. */
static int exhaust(void **blocks)
{
	int n = 0;

	while (n < MAX_BLOCKS && (blocks[n] = kmalloc(1 << 20, GFP_KERNEL | __GFP_NOWARN)))
		n++;
	cr_assert_lt(n, MAX_BLOCKS, "the limit stops the blocks");
	return n;
}

static void give_back(void **blocks, int n)
{
	while (n--)
		kfree(blocks[n]);
}

Test(lazy_setup, first_small_kmalloc_past_the_limit_returns_null_then_retries)
{
	void *blocks[MAX_BLOCKS];
	int n;
	char *p;

	kmem_set_mem_limit(8UL << 20);
	n = exhaust(blocks);
	cr_assert_null(kmalloc(100, GFP_KERNEL), "no memory for the kmalloc caches");
	cr_assert_null(kmalloc(100, GFP_KERNEL), "nor on the second try");
	give_back(blocks, n);
	p = kmalloc(100, GFP_KERNEL);
	cr_assert_not_null(p, "memory is back: the caches are created now");
	strcpy(p, "retried");
	kfree(p);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 0);
	kmem_set_mem_limit(0);
}

Test(lazy_setup, every_first_use_past_the_limit_fails_cleanly_then_retries)
{
	void *blocks[MAX_BLOCKS], *got[8];
	mempool_t *pool;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int n;

	kmem_set_mem_limit(8UL << 20);
	n = exhaust(blocks);
	cr_assert_null(kmalloc(10000, GFP_KERNEL), "a heap size: no arena");
	cr_assert_null(kvmalloc(100, GFP_KERNEL));
	cr_assert_null(kvmalloc(100000, GFP_KERNEL), "nor a vmalloc area");
	cr_assert_null(kstrdup("kmem", GFP_KERNEL));
	cr_assert_null(mempool_create_kmalloc_pool(4, 100));
	cr_assert_null(kmem_cache_create("late", 64, 0, 0, NULL));
	cr_assert_null(vmalloc(100));
	out = open_memstream(&text, &len);
	cr_assert_not_null(out);
	kmem_meminfo(out);
	fclose(out);
	cr_assert_not_null(strstr(text, "MemLimit"), "kmem_meminfo() prints: %s", text);
	free(text);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 0, "out of memory is not a bug");

	give_back(blocks, n);
	got[0] = kmalloc(10000, GFP_KERNEL);
	got[1] = kvmalloc(100, GFP_KERNEL);
	got[2] = kvmalloc(100000, GFP_KERNEL);
	got[3] = kstrdup("kmem", GFP_KERNEL);
	got[4] = vmalloc(100);
	for (int i = 0; i < 5; i++)
		cr_assert_not_null(got[i], "retry %d", i);
	pool = mempool_create_kmalloc_pool(4, 100);
	cr_assert_not_null(pool);
	mempool_destroy(pool);
	kfree(got[0]);
	kvfree(got[1]);
	kvfree(got[2]);
	kfree(got[3]);
	vfree(got[4]);
	kmem_set_mem_limit(0);
}

Test(lazy_setup, a_limit_below_one_region_fails_every_kmalloc_without_a_bug)
{
	kmem_set_mem_limit(2UL << 20);
	cr_assert_null(kmalloc(100, GFP_KERNEL | __GFP_NOWARN));
	cr_assert_null(kmalloc(10000, GFP_KERNEL | __GFP_NOWARN));
	cr_assert_null(kmalloc(1 << 20, GFP_KERNEL | __GFP_NOWARN));
	cr_assert_null(kvmalloc(1 << 22, GFP_KERNEL | __GFP_NOWARN));
	cr_assert_eq(kmem_check(), 0);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 0);
	kmem_set_mem_limit(0);
	kfree(kmalloc(100, GFP_KERNEL));
}
