/* SPDX-License-Identifier: MIT */
/*
 * kmem/testing.h - test hooks with the meaning that the kernel's userspace
 * test harness (tools/testing/radix-tree, tools/testing/vma) gives its slab
 * stand-in, on real kmem caches.
 *
 * The hooks do nothing until kmem_testing_enable().  From then on, until
 * kmem_testing_disable():
 *
 *  - An allocation that may not block (no __GFP_DIRECT_RECLAIM: GFP_NOWAIT,
 *    GFP_ATOMIC) fails unless its budget is above zero, and takes one from
 *    it.  Each cache has a budget (kmem_testing_set_budget()), and kmalloc
 *    has one for all its sizes (kmem_testing_set_kmalloc_budget()); both
 *    start at zero.  This is how the kernel's tests make the first, atomic
 *    attempt of xas_nomem(), ida_alloc() or mas_preallocate() fail and
 *    check the retry that may sleep.
 *  - When a cache's allocation failed for want of budget, its failure
 *    callback (kmem_testing_set_callback()) runs with the cache's private
 *    data at the start of the next allocation from that cache.
 *  - Every object allocated and freed is counted: live and total per cache,
 *    over all caches but kmalloc's, and for kmalloc (all sizes, the kmalloc
 *    caches, heap chunks and page blocks alike).  Counts are exact when the
 *    hooks are enabled before the objects they count are allocated: enable
 *    them first thing (a constructor) and leave them on.  An object
 *    allocated before kmem_testing_enable() and freed afterwards lowers a
 *    live count below what it would be.
 *
 * kmem's own bookkeeping (the cache of struct kmem_cache) is never failed
 * nor counted.  Fault injection (kmem/debug.h) applies independently.
 *
 * The hooks live in the slow paths.  While they are off, the fast paths
 * pay nothing for them; while they are on, every thread's fast paths are
 * diverted to the slow ones (as for fault injection), and the counters cost
 * a few atomic additions per operation.  Every function here may be called
 * from any thread; enable and disable from one.
 */
#ifndef KMEM_TESTING_H
#define KMEM_TESTING_H

#include <stdbool.h>
#include <kmem/export.h>

KMEM_BEGIN_DECLS

struct kmem_cache;

/**
 * kmem_testing_enable - turn the test hooks on for the whole process
 *
 * Budgets, callbacks and counters keep the values they had: budgets start
 * at zero, so from now on every allocation that may not block fails until
 * a budget is given.
 */
KMEM_API void kmem_testing_enable(void);

/**
 * kmem_testing_disable - turn the test hooks off: no budget applies and
 * nothing is counted
 */
KMEM_API void kmem_testing_disable(void);

/**
 * kmem_testing_enabled - are the test hooks on?
 */
KMEM_API bool kmem_testing_enabled(void);

/**
 * kmem_testing_set_budget - how many allocations from @s may succeed without
 * __GFP_DIRECT_RECLAIM
 * @s: the cache
 * @count: the new budget; each such allocation takes one, and one fails
 *         (running the failure callback on the next allocation) when none
 *         is left
 *
 * The harness calls this kmem_cache_set_non_kernel().  The budget of a
 * kmalloc cache is not used: kmalloc has its own.
 */
KMEM_API void kmem_testing_set_budget(struct kmem_cache *s, unsigned int count);

/**
 * kmem_testing_budget - what is left of @s's budget
 * @s: the cache
 */
KMEM_API unsigned int kmem_testing_budget(struct kmem_cache *s);

/**
 * kmem_testing_set_kmalloc_budget - how many kmalloc() calls of any size may
 * succeed without __GFP_DIRECT_RECLAIM
 * @count: the new budget
 */
KMEM_API void kmem_testing_set_kmalloc_budget(unsigned int count);

/**
 * kmem_testing_set_callback - run @fn on the allocation that follows a
 * failure for want of budget
 * @s: the cache
 * @fn: called once, before that allocation, with the cache's private data
 *      (kmem_testing_set_private()); NULL for none.  It may allocate from
 *      @s (it runs before the budget is consulted).
 */
KMEM_API void kmem_testing_set_callback(struct kmem_cache *s, void (*fn)(void *data));

/**
 * kmem_testing_set_private - the data given to @s's failure callback
 * @s: the cache
 * @data: any pointer
 */
KMEM_API void kmem_testing_set_private(struct kmem_cache *s, void *data);

/**
 * kmem_testing_live - objects of @s allocated and not yet freed
 * @s: the cache
 */
KMEM_API long kmem_testing_live(struct kmem_cache *s);

/**
 * kmem_testing_total - objects allocated from @s since the hooks were
 * enabled or the last kmem_testing_reset_total() of @s
 * @s: the cache
 */
KMEM_API unsigned long kmem_testing_total(struct kmem_cache *s);

/**
 * kmem_testing_reset_total - restart @s's total count at zero
 * @s: the cache
 */
KMEM_API void kmem_testing_reset_total(struct kmem_cache *s);

/**
 * kmem_testing_slab_live - objects live in all caches but kmalloc's (the
 * harness's nr_allocated)
 */
KMEM_API long kmem_testing_slab_live(void);

/**
 * kmem_testing_slab_total - objects allocated from all caches but
 * kmalloc's since the hooks were enabled or kmem_testing_reset_slab_total()
 */
KMEM_API unsigned long kmem_testing_slab_total(void);

/** kmem_testing_reset_slab_total - restart kmem_testing_slab_total() at zero */
KMEM_API void kmem_testing_reset_slab_total(void);

/**
 * kmem_testing_kmalloc_live - kmalloc() memory allocated and not yet freed,
 * in allocations (the harness's kmalloc_nr_allocated)
 */
KMEM_API long kmem_testing_kmalloc_live(void);

/**
 * kmem_testing_kmalloc_total - kmalloc() allocations since the hooks were
 * enabled or kmem_testing_reset_kmalloc_total()
 */
KMEM_API unsigned long kmem_testing_kmalloc_total(void);

/** kmem_testing_reset_kmalloc_total - restart kmem_testing_kmalloc_total() at zero */
KMEM_API void kmem_testing_reset_kmalloc_total(void);

/**
 * typedef kmem_testing_observer_t - told of every counted allocation and free
 * @s: the cache of the object, or NULL for kmalloc memory outside the
 *     kmalloc caches (a heap chunk or a block of pages)
 * @object: the object
 * @kmalloc: the object is kmalloc() memory
 * @alloc: true after an allocation, false before a free
 * @data: the pointer given to kmem_testing_set_observer()
 *
 * Runs on the allocating or freeing thread, without kmem's locks held; it
 * must not allocate from kmem.  The harness prints from here when its
 * kmalloc_verbose is set.
 */
typedef void (*kmem_testing_observer_t)(struct kmem_cache *s, const void *object, bool kmalloc,
					bool alloc, void *data);

/**
 * kmem_testing_set_observer - install (or with NULL remove) the observer
 * @fn: the function
 * @data: passed to it
 */
KMEM_API void kmem_testing_set_observer(kmem_testing_observer_t fn, void *data);

KMEM_END_DECLS

#endif /* KMEM_TESTING_H */
