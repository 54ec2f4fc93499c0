// SPDX-License-Identifier: MIT
/*
 * page/pcp.c - the per-thread page cache ("per-cpu pages" in Linux).
 *
 * Each thread keeps a LIFO list of free blocks per order up to
 * PAGE_ALLOC_COSTLY_ORDER.  Its owner pops and pushes without a lock or an
 * atomic read-modify-write; counts are published with relaxed stores so
 * statistics may read them from other threads.  When a list is empty it is
 * refilled with `batch` blocks under one zone.lock acquisition; when it grows
 * past `high`, `batch` blocks go back under one acquisition.
 *
 * The cache is drained when its thread exits (pthread key destructor) and by
 * kmem_page_drain().  After the destructor ran the state is PCP_DEAD and the
 * thread's remaining frees (from other layers' exit handlers) go straight to
 * the buddy lists, so nothing is stranded in a dead thread's cache.
 */
#include <pthread.h>

#include "page/internal.h"
#include <kmem/stats.h>

static __thread struct page_cache pcp __tls_ie;
static pthread_key_t pcp_key;
static pthread_mutex_t pcp_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head pcp_registry = {&pcp_registry, &pcp_registry};
static unsigned int pcp_high_pages;

static inline struct page *pcp_next(struct page *page)
{
	return (struct page *)page->private_data[1];
}

static inline void pcp_set_next(struct page *page, struct page *next)
{
	page->private_data[1] = (unsigned long)next;
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

static void pcp_thread_exit(void *arg)
{
	struct page_cache *cache = arg;

	pcp_drain(cache);
	pthread_mutex_lock(&pcp_registry_lock);
	list_del(&cache->link);
	pthread_mutex_unlock(&pcp_registry_lock);
	cache->state = PCP_DEAD;
}

void pcp_init(void)
{
	long high = kmem_env_long("KMEM_PCP_HIGH", 32);

	pcp_high_pages = high < 0 ? 0 : high > 4096 ? 4096 : (unsigned int)high;
	pthread_key_create(&pcp_key, pcp_thread_exit);
}

static __noinline bool pcp_activate(void)
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
	pthread_mutex_lock(&pcp_registry_lock);
	list_add(&pcp.link, &pcp_registry);
	pthread_mutex_unlock(&pcp_registry_lock);
	pcp.state = PCP_ACTIVE;
	pthread_setspecific(pcp_key, &pcp);
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

struct page *pcp_alloc(unsigned int order, gfp_t gfp)
{
	struct pcp_list *list;
	struct page *page;

	if (unlikely(pcp.state != PCP_ACTIVE) && !pcp_activate())
		return NULL;
	list = &pcp.lists[order];
	page = list->head;
	if (unlikely(!page)) {
		page = pcp_refill(list, order, gfp);
		if (!page)
			return NULL;
	}
	list->head = pcp_next(page);
	WRITE_ONCE(list->count, list->count - 1);
	return page;
}

bool pcp_free(struct page *page, unsigned int order)
{
	struct pcp_list *list;

	if (unlikely(pcp.state != PCP_ACTIVE) && !pcp_activate())
		return false;
	list = &pcp.lists[order];
	page->order = (unsigned char)order;
	page_set_flag(page, PG_pcp);
	pcp_set_next(page, list->head);
	list->head = page;
	WRITE_ONCE(list->count, list->count + 1);
	if (unlikely(list->count > list->high))
		pcp_release(list, order, list->batch);
	return true;
}

void kmem_page_drain(void)
{
	if (pcp.state == PCP_ACTIVE)
		pcp_drain(&pcp);
}

size_t pcp_total_bytes(void)
{
	struct list_head *pos;
	size_t bytes = 0;

	pthread_mutex_lock(&pcp_registry_lock);
	list_for_each(pos, &pcp_registry) {
		struct page_cache *cache = container_of(pos, struct page_cache, link);

		for (unsigned int o = 0; o <= PAGE_ALLOC_COSTLY_ORDER; o++)
			bytes += (size_t)READ_ONCE(cache->lists[o].count) * (PAGE_SIZE << o);
	}
	pthread_mutex_unlock(&pcp_registry_lock);
	return bytes;
}

int pcp_check(void)
{
	struct list_head *pos;
	int ret = 0;

	pthread_mutex_lock(&pcp_registry_lock);
	list_for_each(pos, &pcp_registry) {
		struct page_cache *cache = container_of(pos, struct page_cache, link);

		for (unsigned int o = 0; o <= PAGE_ALLOC_COSTLY_ORDER && !ret; o++) {
			unsigned int n = 0;

			for (struct page *p = cache->lists[o].head; p && !ret;
			     p = pcp_next(p), n++) {
				if (!page_test_flag(p, PG_pcp) || p->order != o ||
				    page_ref_count(p))
					ret = kmem_check_failed(
						"page %p on a thread's order-%u page cache has "
						"flags "
						"%#lx, order %u, refcount %d (I3)",
						page_address(p), o,
						p->flags & ((1UL << KMEM_PFN_SHIFT) - 1), p->order,
						page_ref_count(p));
			}
			if (!ret && n != cache->lists[o].count)
				ret = kmem_check_failed("a thread's order-%u page cache holds %u "
							"blocks but counts %u (I3)",
							o, n, cache->lists[o].count);
		}
		if (ret)
			break;
	}
	pthread_mutex_unlock(&pcp_registry_lock);
	return ret;
}

void pcp_lock_registry(void)
{
	pthread_mutex_lock(&pcp_registry_lock);
}

void pcp_unlock_registry(void)
{
	pthread_mutex_unlock(&pcp_registry_lock);
}

/*
 * In a child after fork only the forking thread exists.  The other threads'
 * caches may have been mid-update; their blocks are abandoned (they stay
 * marked PG_pcp and are never reused) rather than trusted.
 */
void pcp_forget_other_threads(void)
{
	INIT_LIST_HEAD(&pcp_registry);
	if (pcp.state == PCP_ACTIVE)
		list_add(&pcp.link, &pcp_registry);
}
