/* SPDX-License-Identifier: MIT */
/*
 * lib/testing.h - the library-wide part of the test hooks (kmem/testing.h):
 * the switch, kmalloc's budget, the overall counters and the observer
 * (lib/testing.c).  The per-cache part is in slab/testing.c.
 *
 * The hooks sit in the slow paths: while they are on, kmem_testing_enable()
 * diverts every thread's fast paths there (kmem_thread_divert_all()), as
 * fault injection does, so the fast paths pay nothing for them.
 */
#ifndef KMEM_LIB_TESTING_H
#define KMEM_LIB_TESTING_H

#include <kmem/gfp.h>

#include "lib/core.h"

struct kmem_cache;

__hidden extern bool kmem_testing_on;

/* Are the test hooks on?  One relaxed load. */
static inline bool kmem_testing_active(void)
{
	return unlikely(__atomic_load_n(&kmem_testing_on, __ATOMIC_RELAXED));
}

/*
 * kmem_testing_take_budget - may an allocation with @gfp go on against
 * @budget?  Blocking allocations always may; the others take one from a
 * budget above zero, or may not.
 */
__hidden bool kmem_testing_take_budget(unsigned int *budget, gfp_t gfp);

/* kmalloc's budget, for kmalloc()'s entry. */
__hidden bool kmem_testing_kmalloc_may_alloc(gfp_t gfp);

/*
 * kmem_testing_count - count an allocation (@alloc) or a free of @object,
 * from cache @s (NULL for kmalloc memory outside the kmalloc caches), in the
 * overall counters, and tell the observer.
 */
__hidden void kmem_testing_count(struct kmem_cache *s, const void *object, bool kmalloc,
				 bool alloc);

#endif /* KMEM_LIB_TESTING_H */
