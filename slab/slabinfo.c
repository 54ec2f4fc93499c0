// SPDX-License-Identifier: MIT
/*
 * slab/slabinfo.c - per-cache statistics, /proc/slabinfo (version 2.1) and
 * slab_is_available(), what the slab layer says about itself.
 */
#include <string.h>

#include "slab/internal.h"

static void add_counters(struct kmem_cache_stats *st, const struct slab_tcache *tc)
{
	unsigned long allocs = READ_ONCE(tc->allocs), frees = READ_ONCE(tc->frees);

	st->allocs += allocs;
	st->frees += frees;
	st->fastpath_allocs += allocs - READ_ONCE(tc->slow_allocs);
	st->fastpath_frees += frees - READ_ONCE(tc->slow_frees);
	st->remote_frees += READ_ONCE(tc->remote_frees);
	st->refills += READ_ONCE(tc->refills);
	st->flushes += READ_ONCE(tc->flushes);
}

static void add_tcache(struct slab_tcache *tc, void *arg)
{
	struct kmem_cache_stats *st = arg;

	st->cached_objs += READ_ONCE(tc->count);
	add_counters(st, tc);
}

/* kmem_thread_registry_lock() held. */
static void cache_stats_locked(struct kmem_cache *s, struct kmem_cache_stats *st)
{
	unsigned long free_on_slabs = 0;
	struct list_head *pos;

	memset(st, 0, sizeof(*st));
	st->name = s->name;
	st->object_size = s->object_size;
	st->slot_size = s->size;
	st->objects_per_slab = s->objects;
	st->order = s->order;
	slab_for_each_tcache(s, add_tcache, st);
	st->cached_objs += READ_ONCE(s->barn.count);
	pthread_mutex_lock(&s->lock);
	add_counters(st, &s->retired);
	list_for_each(pos, &s->partial)
		free_on_slabs += s->objects - container_of(pos, struct slab, list)->inuse;
	free_on_slabs += s->nr_empty * s->objects;
	st->slabs = slab_nr_slabs(s);
	st->partial_slabs = s->nr_partial;
	st->empty_slabs = s->nr_empty;
	st->slabs_allocated = s->slabs_allocated;
	st->slabs_freed = s->slabs_freed;
	pthread_mutex_unlock(&s->lock);
	st->total_objs = st->slabs * s->objects;
	st->active_objs = st->total_objs - free_on_slabs;
	st->bytes_used = st->slabs * (PAGE_SIZE << s->order);
	st->bytes_requested = (st->active_objs - st->cached_objs) * s->object_size;
}

void kmem_cache_stats(struct kmem_cache *s, struct kmem_cache_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if (!s)
		return;
	kmem_thread_registry_lock();
	cache_stats_locked(s, stats);
	kmem_thread_registry_unlock();
}

void kmem_slabinfo(FILE *out)
{
	struct list_head *pos;

	slab_init();
	fprintf(out, "slabinfo - version: 2.1\n");
	fprintf(out,
		"# name            <active_objs> <num_objs> <objsize> <objperslab> "
		"<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
		"<active_slabs> <num_slabs> <sharedavail>\n");
	pthread_mutex_lock(&slab_mutex);
	kmem_thread_registry_lock();
	list_for_each(pos, &slab_caches) {
		struct kmem_cache *s = container_of(pos, struct kmem_cache, link);
		unsigned int limit = s->tcache_id == NO_TCACHE_ID ? 0 : s->tcache_limit;
		unsigned int barn = READ_ONCE(s->barn.count);
		struct kmem_cache_stats st;

		cache_stats_locked(s, &st);
		fprintf(out,
			"%-17s %6lu %6lu %6u %4u %4lu : tunables %4u %4u %4u : slabdata %6lu "
			"%6lu %6u\n",
			s->name, st.active_objs, st.total_objs, s->size, s->objects,
			1UL << s->order, limit, s->tcache_batch, 0U, st.slabs, st.slabs, barn);
	}
	kmem_thread_registry_unlock();
	pthread_mutex_unlock(&slab_mutex);
}

/* kmem_cache_create() and kmalloc() set the layer up on first use. */
bool slab_is_available(void)
{
	return true;
}
