/* SPDX-License-Identifier: MIT */
/*
 * lib/fault.h - fault injection: the kernel's fail_page_alloc and failslab
 * (lib/fault.c; the API is in kmem/debug.h).
 *
 * Each injection point is an inline test of one flag, so an allocation
 * pays one load while injection is off; the decision itself is out of line.
 */
#ifndef KMEM_LIB_FAULT_H
#define KMEM_LIB_FAULT_H

#include <kmem/gfp.h>

#include "lib/core.h"

__hidden extern bool kmem_fail_page_alloc_on;
__hidden extern bool kmem_failslab_on;

__hidden bool __kmem_should_fail_alloc_page(gfp_t gfp, unsigned int order, const void *caller);
__hidden bool __kmem_should_failslab(const char *cache_name, bool cache_failslab,
				     size_t object_size, gfp_t gfp, const void *caller);

/*
 * kmem_should_fail_alloc_page - should this page allocation fail?  For the
 * entry of alloc_pages(); @caller is the address reported at verbose=2.
 */
static inline bool kmem_should_fail_alloc_page(gfp_t gfp, unsigned int order, const void *caller)
{
	if (likely(!__atomic_load_n(&kmem_fail_page_alloc_on, __ATOMIC_ACQUIRE)))
		return false;
	return __kmem_should_fail_alloc_page(gfp, order, caller);
}

/*
 * kmem_should_failslab - should this slab object allocation fail?  For the
 * entry of the slab allocation paths (never for the caches that kmem's own
 * bookkeeping needs, as the kernel spares its kmem_cache cache).
 * @cache_failslab: the cache was created with SLAB_FAILSLAB (cache-filter)
 * @object_size: the size taken from the space budget
 */
static inline bool kmem_should_failslab(const char *cache_name, bool cache_failslab,
					size_t object_size, gfp_t gfp, const void *caller)
{
	if (likely(!__atomic_load_n(&kmem_failslab_on, __ATOMIC_ACQUIRE)))
		return false;
	return __kmem_should_failslab(cache_name, cache_failslab, object_size, gfp, caller);
}

/* Read KMEM_FAIL_PAGE_ALLOC and KMEM_FAIL_SLAB (done once at load time). */
__hidden void kmem_fault_setup_from_env(void);

#endif /* KMEM_LIB_FAULT_H */
