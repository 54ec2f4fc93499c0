// SPDX-License-Identifier: MIT
/*
 * lib/testing.c - the test hooks' switch, kmalloc's budget, the overall
 * counters and the observer (kmem/testing.h).
 *
 * Every field is read and written atomically: the hooks are used by
 * multi-threaded tests.  Enabling and disabling concurrently with each
 * other is not supported (the diversion could end up out of step).  The
 * observer and its data are two words; set them before the threads that
 * allocate start.
 */
#include <kmem/testing.h>

#include "lib/testing.h"
#include "lib/thread.h"

bool kmem_testing_on;

static unsigned int kmalloc_budget;
static long slab_live, kmalloc_live;
static unsigned long slab_total, kmalloc_total;
static kmem_testing_observer_t observer;
static void *observer_data;

/*
 * The hooks live in the slow paths: while they are on, every thread's fast
 * paths are diverted there (lib/thread.h), so the fast paths never test
 * for them.  Only a change of state diverts or ends the diversion.
 */
void kmem_testing_enable(void)
{
	if (!__atomic_exchange_n(&kmem_testing_on, true, __ATOMIC_ACQ_REL))
		kmem_thread_divert_all(true);
}

void kmem_testing_disable(void)
{
	if (__atomic_exchange_n(&kmem_testing_on, false, __ATOMIC_ACQ_REL))
		kmem_thread_divert_all(false);
}

bool kmem_testing_enabled(void)
{
	return __atomic_load_n(&kmem_testing_on, __ATOMIC_ACQUIRE);
}

bool kmem_testing_take_budget(unsigned int *budget, gfp_t gfp)
{
	unsigned int left = __atomic_load_n(budget, __ATOMIC_RELAXED);

	if (gfp & __GFP_DIRECT_RECLAIM)
		return true;
	do {
		if (!left)
			return false;
	} while (!__atomic_compare_exchange_n(budget, &left, left - 1, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

void kmem_testing_set_kmalloc_budget(unsigned int count)
{
	__atomic_store_n(&kmalloc_budget, count, __ATOMIC_RELAXED);
}

bool kmem_testing_kmalloc_may_alloc(gfp_t gfp)
{
	return kmem_testing_take_budget(&kmalloc_budget, gfp);
}

void kmem_testing_count(struct kmem_cache *s, const void *object, bool kmalloc, bool alloc)
{
	kmem_testing_observer_t fn = __atomic_load_n(&observer, __ATOMIC_ACQUIRE);

	/* The observer sees a free before the memory can be reused. */
	if (fn && !alloc)
		fn(s, object, kmalloc, false, __atomic_load_n(&observer_data, __ATOMIC_RELAXED));
	__atomic_fetch_add(kmalloc ? &kmalloc_live : &slab_live, alloc ? 1 : -1, __ATOMIC_RELAXED);
	if (alloc)
		__atomic_fetch_add(kmalloc ? &kmalloc_total : &slab_total, 1, __ATOMIC_RELAXED);
	if (fn && alloc)
		fn(s, object, kmalloc, true, __atomic_load_n(&observer_data, __ATOMIC_RELAXED));
}

long kmem_testing_slab_live(void)
{
	return __atomic_load_n(&slab_live, __ATOMIC_RELAXED);
}

unsigned long kmem_testing_slab_total(void)
{
	return __atomic_load_n(&slab_total, __ATOMIC_RELAXED);
}

void kmem_testing_reset_slab_total(void)
{
	__atomic_store_n(&slab_total, 0, __ATOMIC_RELAXED);
}

long kmem_testing_kmalloc_live(void)
{
	return __atomic_load_n(&kmalloc_live, __ATOMIC_RELAXED);
}

unsigned long kmem_testing_kmalloc_total(void)
{
	return __atomic_load_n(&kmalloc_total, __ATOMIC_RELAXED);
}

void kmem_testing_reset_kmalloc_total(void)
{
	__atomic_store_n(&kmalloc_total, 0, __ATOMIC_RELAXED);
}

void kmem_testing_set_observer(kmem_testing_observer_t fn, void *data)
{
	__atomic_store_n(&observer_data, data, __ATOMIC_RELAXED);
	__atomic_store_n(&observer, fn, __ATOMIC_RELEASE);
}
