// SPDX-License-Identifier: MIT
/*
 * mm/mempool.c - memory pools with a guaranteed reserve.
 *
 * Invariants
 *   M1 0 <= curr_nr <= max(min_nr, the table size); elements[0..curr_nr)
 *      are reserve elements, each from pool->alloc and owned by the pool.
 *
 * Locking
 *   pool->lock guards curr_nr, min_nr and the table.  The pool's allocator
 *   and free function are always called without it (they may block or take
 *   allocator locks).  pool->wait is signalled under the lock whenever an
 *   element enters the reserve; waiters re-check after a bounded wait, so a
 *   free that bypasses the reserve is also noticed.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <kmem/kmalloc.h>
#include <kmem/mempool.h>
#include <kmem/mm.h>
#include <kmem/slab.h>

#include "lib/core.h"

/* How long a blocked mempool_alloc() sleeps before retrying the allocator. */
#define MEMPOOL_WAIT_NS (100L * 1000 * 1000)

static void add_element(mempool_t *pool, void *element)
{
	KMEM_BUG_ON(pool->curr_nr >= pool->min_nr && pool->min_nr);
	pool->elements[pool->curr_nr++] = element;
}

static void *remove_element(mempool_t *pool)
{
	KMEM_BUG_ON(pool->curr_nr <= 0);
	return pool->elements[--pool->curr_nr];
}

void mempool_exit(mempool_t *pool)
{
	while (pool->curr_nr)
		pool->free(remove_element(pool), pool->pool_data);
	kfree(pool->elements);
	pool->elements = NULL;
	pthread_cond_destroy(&pool->wait);
	pthread_mutex_destroy(&pool->lock);
}

int mempool_init(mempool_t *pool, int min_nr, mempool_alloc_t *alloc_fn, mempool_free_t *free_fn,
		 void *pool_data)
{
	if (min_nr < 0 || !alloc_fn || !free_fn) {
		kmem_warn("mempool: invalid arguments (min_nr %d)", min_nr);
		return -EINVAL;
	}
	memset(pool, 0, sizeof(*pool));
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wait, NULL);
	pool->min_nr = min_nr;
	pool->pool_data = pool_data;
	pool->alloc = alloc_fn;
	pool->free = free_fn;
	/* At least one slot, so a pool with min_nr 0 can still pass one element on. */
	pool->elements = kmalloc_array(min_nr ? (size_t)min_nr : 1, sizeof(void *), GFP_KERNEL);
	if (!pool->elements)
		goto fail;
	while (pool->curr_nr < pool->min_nr) {
		void *element = pool->alloc(GFP_KERNEL, pool->pool_data);

		if (!element)
			goto fail;
		add_element(pool, element);
	}
	return 0;
fail:
	mempool_exit(pool);
	return -ENOMEM;
}

mempool_t *mempool_create(int min_nr, mempool_alloc_t *alloc_fn, mempool_free_t *free_fn,
			  void *pool_data)
{
	mempool_t *pool = kmalloc(sizeof(*pool), GFP_KERNEL);

	if (pool && mempool_init(pool, min_nr, alloc_fn, free_fn, pool_data)) {
		kfree(pool);
		pool = NULL;
	}
	return pool;
}

void mempool_destroy(mempool_t *pool)
{
	if (!pool)
		return;
	mempool_exit(pool);
	kfree(pool);
}

int mempool_resize(mempool_t *pool, int new_min_nr)
{
	void **new_elements;

	if (new_min_nr <= 0) {
		kmem_warn("mempool: mempool_resize to %d elements", new_min_nr);
		return -EINVAL;
	}
	pthread_mutex_lock(&pool->lock);
	if (new_min_nr <= pool->min_nr) {
		while (pool->curr_nr > new_min_nr) {
			void *element = remove_element(pool);

			pthread_mutex_unlock(&pool->lock);
			pool->free(element, pool->pool_data);
			pthread_mutex_lock(&pool->lock);
		}
		pool->min_nr = new_min_nr;
		pthread_mutex_unlock(&pool->lock);
		return 0;
	}
	pthread_mutex_unlock(&pool->lock);

	new_elements = kmalloc_array((size_t)new_min_nr, sizeof(*new_elements), GFP_KERNEL);
	if (!new_elements)
		return -ENOMEM;
	pthread_mutex_lock(&pool->lock);
	if (new_min_nr <= pool->min_nr) {
		/* A concurrent resize got there first. */
		pthread_mutex_unlock(&pool->lock);
		kfree(new_elements);
		return 0;
	}
	memcpy(new_elements, pool->elements, (size_t)pool->curr_nr * sizeof(*new_elements));
	kfree(pool->elements);
	pool->elements = new_elements;
	pool->min_nr = new_min_nr;
	while (pool->curr_nr < pool->min_nr) {
		void *element;

		pthread_mutex_unlock(&pool->lock);
		element = pool->alloc(GFP_KERNEL, pool->pool_data);
		if (!element)
			return 0; /* the reserve refills from mempool_free() */
		pthread_mutex_lock(&pool->lock);
		if (pool->curr_nr >= pool->min_nr) {
			pthread_mutex_unlock(&pool->lock);
			pool->free(element, pool->pool_data);
			return 0;
		}
		add_element(pool, element);
	}
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

void *mempool_alloc_preallocated(mempool_t *pool)
{
	void *element = NULL;

	pthread_mutex_lock(&pool->lock);
	if (pool->curr_nr)
		element = remove_element(pool);
	pthread_mutex_unlock(&pool->lock);
	return element;
}

static void wait_for_element(mempool_t *pool)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += MEMPOOL_WAIT_NS;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&pool->wait, &pool->lock, &until);
}

void *mempool_alloc(mempool_t *pool, gfp_t gfp_mask)
{
	gfp_t gfp_temp;
	void *element;

	gfp_mask |= __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN;
	gfp_mask &= ~__GFP_NOFAIL;
	gfp_temp = gfp_mask & ~(__GFP_DIRECT_RECLAIM | __GFP_IO);
	for (;;) {
		element = pool->alloc(gfp_temp, pool->pool_data);
		if (element)
			return element;
		pthread_mutex_lock(&pool->lock);
		if (pool->curr_nr) {
			element = remove_element(pool);
			pthread_mutex_unlock(&pool->lock);
			return element;
		}
		if (!gfpflags_allow_blocking(gfp_mask)) {
			pthread_mutex_unlock(&pool->lock);
			return NULL;
		}
		if (gfp_temp != gfp_mask) {
			/* Let the allocator reclaim and grow before waiting. */
			pthread_mutex_unlock(&pool->lock);
			gfp_temp = gfp_mask;
			continue;
		}
		wait_for_element(pool);
		if (pool->curr_nr) {
			element = remove_element(pool);
			pthread_mutex_unlock(&pool->lock);
			return element;
		}
		pthread_mutex_unlock(&pool->lock);
	}
}

void mempool_free(void *element, mempool_t *pool)
{
	if (!element)
		return;
	/*
	 * Refill a short reserve.  A pool with min_nr 0 still passes a freed
	 * element to a waiter through its one slot, or waiters could starve.
	 */
	if (READ_ONCE(pool->curr_nr) < READ_ONCE(pool->min_nr) ||
	    (!READ_ONCE(pool->min_nr) && !READ_ONCE(pool->curr_nr))) {
		pthread_mutex_lock(&pool->lock);
		if (pool->curr_nr < pool->min_nr || (!pool->min_nr && !pool->curr_nr)) {
			pool->elements[pool->curr_nr++] = element;
			pthread_cond_signal(&pool->wait);
			pthread_mutex_unlock(&pool->lock);
			return;
		}
		pthread_mutex_unlock(&pool->lock);
	}
	pool->free(element, pool->pool_data);
}

/* ---- ready-made allocators ---------------------------------------------------- */

void *mempool_alloc_slab(gfp_t gfp_mask, void *pool_data)
{
	return kmem_cache_alloc(pool_data, gfp_mask);
}

void mempool_free_slab(void *element, void *pool_data)
{
	kmem_cache_free(pool_data, element);
}

void *mempool_kmalloc(gfp_t gfp_mask, void *pool_data)
{
	return kmalloc((size_t)pool_data, gfp_mask);
}

void mempool_kfree(void *element, void *pool_data)
{
	(void)pool_data;
	kfree(element);
}

void *mempool_alloc_pages(gfp_t gfp_mask, void *pool_data)
{
	return alloc_pages(gfp_mask, (unsigned int)(unsigned long)pool_data);
}

void mempool_free_pages(void *element, void *pool_data)
{
	__free_pages(element, (unsigned int)(unsigned long)pool_data);
}
