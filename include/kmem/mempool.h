/* SPDX-License-Identifier: MIT */
/*
 * kmem/mempool.h - memory pools: a reserve of preallocated elements that
 * guarantees forward progress when allocation fails.
 *
 * A pool wraps an allocator (alloc_fn/free_fn) and keeps min_nr elements
 * in reserve.  mempool_alloc() first asks the allocator without letting it
 * grow past a memory limit; when that fails it hands out a reserve element;
 * when the reserve is empty and the GFP flags allow blocking it waits until
 * mempool_free() returns an element (or the allocator succeeds), so with
 * GFP_KERNEL it never returns NULL.  mempool_free() refills the reserve
 * before giving elements back to the allocator.  The rule that makes the
 * guarantee work is the kernel's: every element taken from a pool must be
 * returned to it with mempool_free() in bounded time.
 */
#ifndef KMEM_MEMPOOL_H
#define KMEM_MEMPOOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <kmem/export.h>
#include <kmem/gfp.h>

KMEM_BEGIN_DECLS

struct kmem_cache;

typedef void *(mempool_alloc_t)(gfp_t gfp_mask, void *pool_data);
typedef void(mempool_free_t)(void *element, void *pool_data);

/**
 * struct mempool_s - a pool; embed it with mempool_init() or get one from
 * mempool_create().  Fields are private; @lock guards the reserve, @wait
 * is signalled when an element returns to it.
 */
typedef struct mempool_s {
	pthread_mutex_t lock;
	pthread_cond_t wait;
	int min_nr;  /* reserve size wanted */
	int curr_nr; /* elements in the reserve now */
	void **elements;
	void *pool_data;
	mempool_alloc_t *alloc;
	mempool_free_t *free;
} mempool_t;

/**
 * mempool_init - set up an embedded pool and fill its reserve
 * @pool: the pool to initialise
 * @min_nr: reserve size, >= 0
 * @alloc_fn: the allocator; called with the caller's GFP flags (adjusted)
 * @free_fn: frees what @alloc_fn returned
 * @pool_data: passed to both
 *
 * Return: 0, or -ENOMEM when the reserve cannot be filled (nothing is then
 * left allocated).  Undo with mempool_exit().
 */
KMEM_API int mempool_init(mempool_t *pool, int min_nr, mempool_alloc_t *alloc_fn,
			  mempool_free_t *free_fn, void *pool_data) KMEM_MUST_CHECK;

/**
 * mempool_exit - free the reserve of a pool set up with mempool_init()
 * @pool: the pool; all its elements must have been returned
 */
KMEM_API void mempool_exit(mempool_t *pool);

/** mempool_initialized - has @pool been set up (and not exited)? */
static inline bool mempool_initialized(const mempool_t *pool)
{
	return pool->elements != NULL;
}

/**
 * mempool_create - allocate a pool and fill its reserve
 * @min_nr: reserve size, >= 0
 * @alloc_fn: the allocator
 * @free_fn: its free
 * @pool_data: passed to both
 *
 * Return: the pool (free with mempool_destroy()), or NULL when memory for
 * the pool or its reserve is short.
 */
KMEM_API mempool_t *mempool_create(int min_nr, mempool_alloc_t *alloc_fn, mempool_free_t *free_fn,
				   void *pool_data) KMEM_MUST_CHECK;

/** mempool_create_node - mempool_create(); @gfp_mask and @node_id are ignored. */
static inline KMEM_MUST_CHECK mempool_t *mempool_create_node(int min_nr, mempool_alloc_t *alloc_fn,
							     mempool_free_t *free_fn,
							     void *pool_data, gfp_t gfp_mask,
							     int node_id)
{
	(void)gfp_mask;
	(void)node_id;
	return mempool_create(min_nr, alloc_fn, free_fn, pool_data);
}

/**
 * mempool_resize - change the reserve size
 * @pool: the pool
 * @new_min_nr: the new reserve size, > 0
 *
 * Shrinking frees surplus reserve elements now; growing allocates them
 * (GFP_KERNEL), possibly blocking.
 *
 * Return: 0, or -ENOMEM when the larger element table cannot be allocated.
 */
KMEM_API int mempool_resize(mempool_t *pool, int new_min_nr);

/**
 * mempool_destroy - free the reserve and the pool
 * @pool: from mempool_create(); NULL is ignored.  Every element must have
 *        been returned with mempool_free() first.
 */
KMEM_API void mempool_destroy(mempool_t *pool);

/**
 * mempool_alloc - take an element
 * @pool: the pool
 * @gfp_mask: GFP flags.  The allocator is tried first without
 *            __GFP_DIRECT_RECLAIM and __GFP_IO (so it does not grow past a
 *            memory limit), then the reserve; then, only if @gfp_mask allows
 *            blocking, the allocator with the full flags, then a wait for
 *            an element to be freed, repeated until one is found.
 *
 * Return: an element, or NULL only when @gfp_mask does not allow blocking.
 */
KMEM_API void *mempool_alloc(mempool_t *pool, gfp_t gfp_mask) KMEM_MALLOC KMEM_MUST_CHECK;

/**
 * mempool_alloc_preallocated - take an element from the reserve only
 * @pool: the pool
 *
 * Return: a reserve element, or NULL when the reserve is empty.
 */
KMEM_API void *mempool_alloc_preallocated(mempool_t *pool) KMEM_MALLOC KMEM_MUST_CHECK;

/**
 * mempool_free - return an element
 * @element: from mempool_alloc() on @pool; NULL is ignored
 * @pool: the pool
 *
 * Refills the reserve (waking a waiter) if it is short, else hands the
 * element to the pool's free function.
 */
KMEM_API void mempool_free(void *element, mempool_t *pool);

/* Ready-made allocators: slab caches, kmalloc of a fixed size, pages. */

/** mempool_alloc_slab - kmem_cache_alloc() from the cache @pool_data. */
KMEM_API void *mempool_alloc_slab(gfp_t gfp_mask, void *pool_data);
/** mempool_free_slab - kmem_cache_free() to the cache @pool_data. */
KMEM_API void mempool_free_slab(void *element, void *pool_data);

/**
 * mempool_create_slab_pool - a pool of objects of the slab cache @kc
 * @min_nr: reserve size
 * @kc: the cache; it must outlive the pool
 */
static inline KMEM_MUST_CHECK mempool_t *mempool_create_slab_pool(int min_nr, struct kmem_cache *kc)
{
	return mempool_create(min_nr, mempool_alloc_slab, mempool_free_slab, kc);
}

/** mempool_kmalloc - kmalloc() of (size_t)@pool_data bytes. */
KMEM_API void *mempool_kmalloc(gfp_t gfp_mask, void *pool_data);
/** mempool_kfree - kfree() of an element. */
KMEM_API void mempool_kfree(void *element, void *pool_data);

/**
 * mempool_create_kmalloc_pool - a pool of kmalloc(@size) elements
 * @min_nr: reserve size
 * @size: element size
 */
static inline KMEM_MUST_CHECK mempool_t *mempool_create_kmalloc_pool(int min_nr, size_t size)
{
	return mempool_create(min_nr, mempool_kmalloc, mempool_kfree, (void *)size);
}

/** mempool_alloc_pages - alloc_pages() of order (unsigned long)@pool_data. */
KMEM_API void *mempool_alloc_pages(gfp_t gfp_mask, void *pool_data);
/** mempool_free_pages - __free_pages() of an element of that order. */
KMEM_API void mempool_free_pages(void *element, void *pool_data);

/**
 * mempool_create_page_pool - a pool of struct page blocks of @order
 * @min_nr: reserve size
 * @order: block order
 */
static inline KMEM_MUST_CHECK mempool_t *mempool_create_page_pool(int min_nr, int order)
{
	return mempool_create(min_nr, mempool_alloc_pages, mempool_free_pages, (void *)(long)order);
}

KMEM_END_DECLS

#endif /* KMEM_MEMPOOL_H */
