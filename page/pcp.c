// SPDX-License-Identifier: MIT
/*
 * page/pcp.c - the per-thread page cache ("per-cpu pages" in Linux).
 *
 * Each thread keeps a LIFO list of free blocks per order up to
 * PAGE_ALLOC_COSTLY_ORDER.  Its owner pops and pushes without a lock or an
 * atomic read-modify-write, inside kmem_gate_enter()/leave() (lib/thread.h)
 * so that another thread may flush the cache when memory runs short; counts
 * are published with relaxed stores so statistics may read them.  When a
 * list is empty it is refilled with `batch` blocks under one zone.lock
 * acquisition; when it grows past `high`, `batch` blocks go back under one
 * acquisition.  Refills and releases run under the thread's own lock.
 *
 * The thread lifecycle is lib/thread.c's: the cache is flushed when its
 * thread exits, by kmem_page_drain(), and by reclaim from any thread.  After
 * the exit flush the state is PCP_DEAD and the thread's remaining frees go
 * straight to the buddy lists, so nothing is stranded in a dead thread's
 * cache.
 */
#include <pthread.h>

#include "lib/thread.h"
#include "page/internal.h"
#include <kmem/stats.h>

static __thread struct page_cache pcp __tls_ie;
static unsigned int pcp_high_pages;

static inline struct page *pcp_next(struct page *page)
{
	return (struct page *)page->pcp.next;
}

static inline void pcp_set_next(struct page *page, struct page *next)
{
	page->pcp.next = (unsigned long)next;
}

/* Move up to @count blocks from @list back to the buddy lists. */
static void pcp_release(struct pcp_list *list, unsigned int order, unsigned int count)
{
	struct region *released[8];
	unsigned int nr_released = 0;

	pthread_mutex_lock(&zone.lock);
	while (count-- && list->head) {
		struct page *page = list->head;
		struct region *region;

		list->head = pcp_next(page);
		page_clear_flag(page, PG_pcp);
		region = __free_one_page(page, order);
		if (region) {
			if (nr_released == ARRAY_SIZE(released)) {
				/* Rare: more than 8 regions freed in one batch. */
				pthread_mutex_unlock(&zone.lock);
				for (unsigned int i = 0; i < nr_released; i++)
					page_release_region(released[i]);
				nr_released = 0;
				pthread_mutex_lock(&zone.lock);
			}
			released[nr_released++] = region;
		}
		WRITE_ONCE(list->count, list->count - 1);
	}
	pthread_mutex_unlock(&zone.lock);
	for (unsigned int i = 0; i < nr_released; i++)
		page_release_region(released[i]);
}

static void pcp_drain(struct page_cache *cache)
{
	for (unsigned int o = 0; o <= PAGE_ALLOC_COSTLY_ORDER; o++)
		pcp_release(&cache->lists[o], o, cache->lists[o].count);
}

/*
 * The thread-cache flush (lib/thread.c): at exit, on reclaim, or from
 * another thread.  After the exit flush the thread's frees (from other
 * layers' exit handlers) go straight to the buddy lists.
 */
static void pcp_thread_flush(void *data, enum kmem_flush_reason why)
{
	struct page_cache *cache = data;

	pcp_drain(cache);
	if (why == KMEM_FLUSH_EXIT)
		WRITE_ONCE(cache->state, PCP_DEAD);
}

static const struct kmem_thread_ops pcp_thread_ops = {
	.flush = pcp_thread_flush,
};

void pcp_init(void)
{
	long high = kmem_env_long("KMEM_PCP_HIGH", 32);

	pcp_high_pages = high < 0 ? 0 : high > 4096 ? 4096 : (unsigned int)high;
	kmem_thread_register_ops(KMEM_THREAD_PAGE, &pcp_thread_ops);
}

/* Under the thread's own lock. */
static bool pcp_activate(void)
{
	if (pcp.state == PCP_DEAD)
		return false;
	page_init();
	if (!pcp_high_pages)
		return false;
	for (unsigned int o = 0; o <= PAGE_ALLOC_COSTLY_ORDER; o++) {
		unsigned int high = pcp_high_pages >> o;

		pcp.lists[o].high = high < 2 ? 2 : high;
		pcp.lists[o].batch = pcp.lists[o].high / 4 ? pcp.lists[o].high / 4 : 1;
	}
	if (!kmem_thread_attach(KMEM_THREAD_PAGE, &pcp, &pcp.gate)) {
		pcp.state = PCP_DEAD;
		return false;
	}
	pcp.state = PCP_ACTIVE;
	return true;
}

static __noinline struct page *pcp_refill(struct pcp_list *list, unsigned int order, gfp_t gfp)
{
	unsigned int got = 0;
	struct page *page;

	pthread_mutex_lock(&zone.lock);
	while (got < list->batch && (page = __rmqueue(order, gfp))) {
		page_set_flag(page, PG_pcp);
		pcp_set_next(page, list->head);
		list->head = page;
		got++;
	}
	pthread_mutex_unlock(&zone.lock);
	WRITE_ONCE(list->count, list->count + got);
	return list->head;
}

static __noinline struct page *pcp_alloc_slow(unsigned int order, gfp_t gfp)
{
	struct pcp_list *list = &pcp.lists[order];
	struct page *page = NULL;

	kmem_thread_lock_self();
	if (pcp.state == PCP_ACTIVE || pcp_activate()) {
		page = list->head;
		if (!page)
			page = pcp_refill(list, order, gfp);
		if (page) {
			list->head = pcp_next(page);
			WRITE_ONCE(list->count, list->count - 1);
		}
	}
	kmem_thread_unlock_self();
	return page;
}

struct page *pcp_alloc(unsigned int order, gfp_t gfp)
{
	struct pcp_list *list = &pcp.lists[order];

	if (likely(pcp.state == PCP_ACTIVE) && likely(kmem_gate_enter(&pcp.gate))) {
		struct page *page = list->head;

		if (likely(page)) {
			list->head = pcp_next(page);
			WRITE_ONCE(list->count, list->count - 1);
			kmem_gate_leave(&pcp.gate);
			return page;
		}
	}
	kmem_gate_leave(&pcp.gate);
	return pcp_alloc_slow(order, gfp);
}

static inline void pcp_push(struct pcp_list *list, struct page *page, unsigned int order)
{
	page->order = (unsigned char)order;
	page_set_flag(page, PG_pcp);
	pcp_set_next(page, list->head);
	list->head = page;
	WRITE_ONCE(list->count, list->count + 1);
}

static __noinline bool pcp_free_slow(struct page *page, unsigned int order)
{
	struct pcp_list *list = &pcp.lists[order];
	bool cached = false;

	kmem_thread_lock_self();
	if (pcp.state == PCP_ACTIVE || pcp_activate()) {
		pcp_push(list, page, order);
		if (list->count > list->high)
			pcp_release(list, order, list->batch);
		cached = true;
	}
	kmem_thread_unlock_self();
	return cached;
}

bool pcp_free(struct page *page, unsigned int order)
{
	struct pcp_list *list = &pcp.lists[order];

	if (likely(pcp.state == PCP_ACTIVE) && likely(kmem_gate_enter(&pcp.gate)) &&
	    likely(list->count < list->high)) {
		pcp_push(list, page, order);
		kmem_gate_leave(&pcp.gate);
		return true;
	}
	kmem_gate_leave(&pcp.gate);
	return pcp_free_slow(page, order);
}

void kmem_page_drain(void)
{
	kmem_thread_lock_self();
	if (pcp.state == PCP_ACTIVE)
		pcp_drain(&pcp);
	kmem_thread_unlock_self();
}

static void pcp_add_bytes(void *data, void *arg)
{
	struct page_cache *cache = data;
	size_t *bytes = arg;

	for (unsigned int o = 0; o <= PAGE_ALLOC_COSTLY_ORDER; o++)
		*bytes += (size_t)READ_ONCE(cache->lists[o].count) * (PAGE_SIZE << o);
}

size_t pcp_total_bytes(void)
{
	size_t bytes = 0;

	kmem_thread_registry_lock();
	kmem_thread_for_each(KMEM_THREAD_PAGE, pcp_add_bytes, &bytes);
	kmem_thread_registry_unlock();
	return bytes;
}

/* I3 for one thread's cache; @arg is the result so far. */
static void pcp_check_cache(void *data, void *arg)
{
	struct page_cache *cache = data;
	int *ret = arg;

	for (unsigned int o = 0; o <= PAGE_ALLOC_COSTLY_ORDER && !*ret; o++) {
		unsigned int n = 0;

		for (struct page *p = cache->lists[o].head; p && !*ret; p = pcp_next(p), n++) {
			if (!page_test_flag(p, PG_pcp) || p->order != o || page_ref_count(p))
				*ret = kmem_check_failed(
					"page %p on a thread's order-%u page cache "
					"has flags %#lx, order %u, refcount %d (I3)",
					page_address(p), o,
					p->flags & ((1UL << KMEM_PFN_SHIFT) - 1), p->order,
					page_ref_count(p));
		}
		if (!*ret && n != cache->lists[o].count)
			*ret = kmem_check_failed("a thread's order-%u page cache holds %u blocks "
						 "but counts %u (I3)",
						 o, n, cache->lists[o].count);
	}
}

int pcp_check(void)
{
	int ret = 0;

	kmem_thread_registry_lock();
	kmem_thread_for_each(KMEM_THREAD_PAGE, pcp_check_cache, &ret);
	kmem_thread_registry_unlock();
	return ret;
}
