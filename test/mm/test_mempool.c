// SPDX-License-Identifier: MIT
/*
 * test/mm/test_mempool.c - memory pools (mm/mempool.c).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "test/helpers.h"

TestSuite(mempool, .fini = kmem_test_check, .timeout = 30);

/* Use up every byte the memory limit leaves for 256-byte kmallocs. */
static void **exhaust(unsigned int *n)
{
	struct kmem_page_stats ps;
	void **hold = vmalloc(65536 * sizeof(void *));

	kmem_page_stats(&ps);
	kmem_set_mem_limit(ps.mapped_bytes);
	*n = 0;
	/* Reclaim may run (NORETRY): nothing cached anywhere is left to find. */
	while (*n < 65536 && (hold[*n] = kmalloc(256, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)))
		(*n)++;
	cr_assert_lt(*n, 65536, "the limit stops kmalloc");
	return hold;
}

static void release(void **hold, unsigned int n)
{
	kmem_set_mem_limit(0);
	while (n--)
		kfree(hold[n]);
	vfree(hold);
}

Test(mempool, serves_from_its_reserve_when_allocation_fails)
{
	mempool_t *pool = mempool_create_kmalloc_pool(4, 256);
	void *got[5];
	unsigned int n;
	void **hold;

	cr_assert_not_null(pool);
	cr_assert_eq(pool->curr_nr, 4, "the reserve is filled at creation");
	hold = exhaust(&n);
	for (int i = 0; i < 4; i++) {
		got[i] = mempool_alloc(pool, GFP_NOWAIT);
		cr_assert_not_null(got[i], "reserve element %d", i);
	}
	cr_assert_eq(pool->curr_nr, 0);
	cr_assert_null(mempool_alloc(pool, GFP_NOWAIT), "reserve empty, may not block");
	mempool_free(got[0], pool);
	cr_assert_eq(pool->curr_nr, 1, "a free refills the reserve first");
	got[4] = mempool_alloc(pool, GFP_ATOMIC);
	cr_assert_eq(got[4], got[0]);
	for (int i = 1; i < 5; i++)
		mempool_free(got[i], pool);
	cr_assert_eq(pool->curr_nr, 4);
	release(hold, n);
	mempool_destroy(pool);
}

struct late_free {
	mempool_t *pool;
	void *element;
};

static void *free_later(void *argp)
{
	struct late_free *arg = argp;

	usleep(20000);
	mempool_free(arg->element, arg->pool);
	return NULL;
}

Test(mempool, blocking_alloc_waits_for_a_free)
{
	mempool_t *pool = mempool_create_kmalloc_pool(1, 256);
	struct late_free arg = {pool, NULL};
	unsigned int n;
	void **hold;
	pthread_t t;
	void *p;

	cr_assert_not_null(pool);
	hold = exhaust(&n);
	arg.element = mempool_alloc(pool, GFP_KERNEL);
	cr_assert_not_null(arg.element);
	cr_assert_eq(pool->curr_nr, 0);
	pthread_create(&t, NULL, free_later, &arg);
	p = mempool_alloc(pool, GFP_KERNEL); /* blocks until free_later runs */
	cr_assert_eq(p, arg.element, "got the element the other thread freed");
	pthread_join(t, NULL);
	mempool_free(p, pool);
	release(hold, n);
	mempool_destroy(pool);
}

Test(mempool, resize_grows_and_shrinks_the_reserve)
{
	mempool_t *pool = mempool_create_kmalloc_pool(2, 64);

	cr_assert_not_null(pool);
	cr_assert_eq(mempool_resize(pool, 8), 0);
	cr_assert_eq(pool->min_nr, 8);
	cr_assert_eq(pool->curr_nr, 8);
	cr_assert_eq(mempool_resize(pool, 3), 0);
	cr_assert_eq(pool->curr_nr, 3);
	capture_reports();
	cr_assert_neq(mempool_resize(pool, 0), 0, "a reserve of 0 via resize is refused");
	cr_assert_eq(captured(KMEM_REPORT_WARN), 1);
	mempool_destroy(pool);
}

Test(mempool, preallocated_takes_only_from_the_reserve)
{
	mempool_t *pool = mempool_create_kmalloc_pool(1, 32);
	void *a;

	cr_assert_not_null(pool);
	a = mempool_alloc_preallocated(pool);

	cr_assert_not_null(a);
	cr_assert_null(mempool_alloc_preallocated(pool));
	mempool_free(a, pool);
	mempool_destroy(pool);
	mempool_destroy(NULL);
}

Test(mempool, page_pool_hands_out_blocks)
{
	mempool_t *pool = mempool_create_page_pool(2, 1);
	struct page *page;

	cr_assert_not_null(pool);
	page = mempool_alloc(pool, GFP_KERNEL);

	cr_assert_not_null(page);
	cr_assert_eq(page_count(page), 1);
	memset(page_address(page), 1, 2 * PAGE_SIZE);
	mempool_free(page, pool);
	mempool_destroy(pool);
}

Test(mempool, embedded_pool_with_init_and_exit)
{
	mempool_t pool;

	cr_assert_eq(mempool_init(&pool, 3, mempool_kmalloc, mempool_kfree, (void *)100), 0);
	cr_assert(mempool_initialized(&pool));
	kfree(mempool_alloc(&pool, GFP_KERNEL));
	mempool_exit(&pool);
	cr_assert_not(mempool_initialized(&pool));
}

Test(mempool, slab_pool_serves_cache_objects)
{
	struct kmem_cache *cache = kmem_cache_create("pool_objs", 200, 0, 0, NULL);
	mempool_t *pool = mempool_create_slab_pool(3, cache);
	void *obj;

	cr_assert_not_null(pool);
	cr_assert_eq(pool->curr_nr, 3);
	obj = mempool_alloc(pool, GFP_KERNEL);
	cr_assert_not_null(obj);
	cr_assert_geq(ksize(obj), 200);
	memset(obj, 1, 200);
	mempool_free(obj, pool);
	mempool_destroy(pool);
	kmem_cache_destroy(cache);
}
