/* SPDX-License-Identifier: MIT */
/*
 * page/internal.h - private to the page layer.  See page/page_alloc.c for
 * the invariants and the locking rules.
 */
#ifndef KMEM_PAGE_INTERNAL_H
#define KMEM_PAGE_INTERNAL_H

#include <pthread.h>
#include "lib/thread.h"
#include "page/page.h"

/*
 * A region is one max-order block: REGION_SIZE bytes mapped at an address
 * aligned to REGION_SIZE, so every buddy pfn ^ (1 << order) computed inside
 * it stays inside it.  Its descriptor lives in a separate mapping and begins
 * with the struct page array, which lets page->region be pure arithmetic.
 * A descriptor is bound to its address for good: after the region is
 * released it stays mapped, on zone.reserved, until a region is mapped at
 * that address again.
 */
struct region {
	struct page pages[REGION_PAGES];
	unsigned long base;
	uint64_t free_since;	      /* when it last became wholly free (ns) */
	struct region *next_released; /* chain of detached regions to release */
	struct list_head link;	      /* zone.regions, or zone.reserved */
};

/* Buddy free-list links overlay the first two private words of a free head. */
static inline struct list_head *buddy_link(struct page *page)
{
	return (struct list_head *)&page->buddy.link[0];
}

static inline struct page *buddy_from_link(struct list_head *link)
{
	return container_of((unsigned long *)link, struct page, buddy.link[0]);
}

static inline struct region *page_region(const struct page *page)
{
	return (struct region *)(page - (page_to_pfn(page) & (REGION_PAGES - 1)));
}

static inline unsigned long page_index(const struct page *page)
{
	return page_to_pfn(page) & (REGION_PAGES - 1);
}

struct zone {
	pthread_mutex_t lock;
	struct list_head free_area[NR_PAGE_ORDERS];
	unsigned long nr_free[NR_PAGE_ORDERS];
	unsigned long free_mask; /* bit o: free_area[o] is not empty */
	struct list_head regions;
	unsigned long nr_regions;
	unsigned long regions_released;
	struct list_head reserved; /* released regions' slots (I7) */
	unsigned long nr_reserved;
	uintptr_t last_region_base; /* placement hint for the next mapping */
	size_t retain_bytes;	    /* wholly free regions kept mapped */
	uint64_t decay_ns;	    /* how long a region beyond that stays mapped */
};

__hidden extern struct zone zone;

/* Mapped bytes charged against the limit (regions + vmalloc), and the limit. */
__hidden extern size_t page_mapped_bytes;
__hidden extern size_t page_peak_mapped_bytes;
__hidden extern size_t page_metadata_bytes;
__hidden extern size_t page_mem_limit;

/*
 * page_alloc.c.  __rmqueue() is called with zone.lock held; when it has to
 * grow the zone it drops the lock while the region is mapped.
 */
__hidden void page_init(void);
__hidden struct page *__rmqueue(unsigned int order, gfp_t gfp);
__hidden struct region *__free_one_page(struct page *page, unsigned int order);
__hidden void page_release_region(struct region *region);

/*
 * region.c: caller holds zone.lock for the __ variants.  __region_grow()
 * drops it while it maps memory and takes it again to publish the region.
 * region_release() is called without it, after __region_detach().
 */
__hidden struct region *__region_grow(gfp_t gfp);
__hidden void __region_detach(struct region *region);
__hidden void region_release(struct region *region);

/* pcp.c: the per-thread page cache. */
struct pcp_list {
	struct page *head; /* singly linked through pcp.next */
	unsigned int count;
	unsigned int high;
	unsigned int batch;
};

enum pcp_state { PCP_UNUSED, PCP_ACTIVE, PCP_DEAD };

struct page_cache {
	struct kmem_thread_gate gate; /* lib/thread.h: the fast paths' bracket */
	struct pcp_list lists[PAGE_ALLOC_COSTLY_ORDER + 1];
	enum pcp_state state;
};

__hidden struct page *pcp_alloc(unsigned int order, gfp_t gfp);
__hidden bool pcp_free(struct page *page, unsigned int order);
__hidden size_t pcp_total_bytes(void);
__hidden int pcp_check(void);
__hidden void pcp_init(void);

#endif /* KMEM_PAGE_INTERNAL_H */
