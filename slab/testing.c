// SPDX-License-Identifier: MIT
/*
 * slab/testing.c - the per-cache test hooks (kmem/testing.h): budgets,
 * failure callbacks and exact counters.  slab/slub.c calls in here from
 * its slow paths, only while the hooks are on; then every thread's fast
 * paths are diverted to the slow ones (lib/testing.c), so every
 * allocation and free is seen.
 */
#include <kmem/testing.h>

#include "lib/testing.h"
#include "slab/internal.h"

bool slab_testing_may_alloc(struct kmem_cache *s, gfp_t gfp)
{
	struct slab_testing *t = &s->testing;

	if (__atomic_exchange_n(&t->callback_pending, false, __ATOMIC_ACQ_REL)) {
		void (*fn)(void *) = __atomic_load_n(&t->callback, __ATOMIC_ACQUIRE);

		if (fn)
			fn(__atomic_load_n(&t->private, __ATOMIC_RELAXED));
	}
	if (s->flags & SLAB_KMALLOC)
		return kmem_testing_kmalloc_may_alloc(gfp);
	if (kmem_testing_take_budget(&t->budget, gfp))
		return true;
	__atomic_store_n(&t->callback_pending, true, __ATOMIC_RELEASE);
	return false;
}

void slab_testing_count(struct kmem_cache *s, const void *object, bool alloc)
{
	struct slab_testing *t = &s->testing;

	__atomic_fetch_add(&t->live, alloc ? 1 : -1, __ATOMIC_RELAXED);
	if (alloc)
		__atomic_fetch_add(&t->total, 1, __ATOMIC_RELAXED);
	kmem_testing_count(s, object, s->flags & SLAB_KMALLOC, alloc);
}

void kmem_testing_set_budget(struct kmem_cache *s, unsigned int count)
{
	__atomic_store_n(&s->testing.budget, count, __ATOMIC_RELAXED);
}

unsigned int kmem_testing_budget(struct kmem_cache *s)
{
	return __atomic_load_n(&s->testing.budget, __ATOMIC_RELAXED);
}

void kmem_testing_set_callback(struct kmem_cache *s, void (*fn)(void *data))
{
	__atomic_store_n(&s->testing.callback, fn, __ATOMIC_RELEASE);
}

void kmem_testing_set_private(struct kmem_cache *s, void *data)
{
	__atomic_store_n(&s->testing.private, data, __ATOMIC_RELAXED);
}

long kmem_testing_live(struct kmem_cache *s)
{
	return __atomic_load_n(&s->testing.live, __ATOMIC_RELAXED);
}

unsigned long kmem_testing_total(struct kmem_cache *s)
{
	return __atomic_load_n(&s->testing.total, __ATOMIC_RELAXED);
}

void kmem_testing_reset_total(struct kmem_cache *s)
{
	__atomic_store_n(&s->testing.total, 0, __ATOMIC_RELAXED);
}
