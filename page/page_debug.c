// SPDX-License-Identifier: MIT
/*
 * page/page_debug.c - the page layer's consistency checker and statistics.
 */
#include <stdio.h>

#include "page/internal.h"
#include <kmem/stats.h>

#define PAGE_STATE_FLAGS ((1UL << KMEM_PFN_SHIFT) - 1)

/* I1, I2: one free block. */
static int check_free_block(struct region *region, unsigned long idx)
{
	struct page *page = &region->pages[idx];
	unsigned int o = page->order;

	if (page_ref_count(page))
		return kmem_check_failed("free block %p (order %u) has refcount %d (I1)",
					 page_address(page), o, page_ref_count(page));
	if (o < MAX_PAGE_ORDER) {
		struct page *buddy = &region->pages[idx ^ (1UL << o)];

		if (PageBuddy(buddy) && buddy->order == o)
			return kmem_check_failed("free block %p and its buddy %p are both free at "
						 "order %u and were not merged (I2)",
						 page_address(page), page_address(buddy), o);
	}
	return 0;
}

/* I4: one allocated block. */
static int check_allocated_block(struct page *page)
{
	unsigned int o = page->order;

	if (page_ref_count(page) < 1)
		return kmem_check_failed("allocated block %p (order %u) has refcount %d (I4)",
					 page_address(page), o, page_ref_count(page));
	if (PageHead(page)) {
		for (unsigned long i = 1; i < (1UL << o); i++)
			if (!PageTail(&page[i]) || compound_head(&page[i]) != page)
				return kmem_check_failed(
					"compound block %p: page %lu is not a tail "
					"pointing at its head (I4)",
					page_address(page), i);
	}
	return 0;
}

/* I1-I5 for every region; zone.lock held. */
static int check_regions(unsigned long counted[NR_PAGE_ORDERS])
{
	struct list_head *pos;

	list_for_each(pos, &zone.regions) {
		struct region *region = container_of(pos, struct region, link);
		unsigned long idx = 0;

		if (region->base & (REGION_SIZE - 1))
			return kmem_check_failed("region %#lx is not aligned to its size",
						 region->base);
		if (__virt_to_page((void *)region->base) != &region->pages[0])
			return kmem_check_failed("region %#lx is missing from the region table",
						 region->base);
		while (idx < REGION_PAGES) {
			struct page *page = &region->pages[idx];
			unsigned int o = page->order;
			int ret;

			if (page_to_pfn(page) != (region->base >> PAGE_SHIFT) + idx)
				return kmem_check_failed("page %lu of region %#lx has pfn %#lx",
							 idx, region->base, page_to_pfn(page));
			if (o > MAX_PAGE_ORDER || (idx & ((1UL << o) - 1)) ||
			    idx + (1UL << o) > REGION_PAGES)
				return kmem_check_failed("block at %p has order %u, misaligned or "
							 "crossing its region (I1/I5)",
							 page_address(page), o);
			if (PageTail(page))
				return kmem_check_failed("tail page %p found where a block should "
							 "start (I5)",
							 page_address(page));
			if (PageBuddy(page)) {
				ret = check_free_block(region, idx);
				counted[o]++;
			} else if (page_test_flag(page, PG_pcp)) {
				ret = (o > PAGE_ALLOC_COSTLY_ORDER || page_ref_count(page)) ?
					kmem_check_failed("cached block %p has order %u, refcount "
							  "%d (I3)",
							  page_address(page), o,
							  page_ref_count(page)) :
					0;
			} else {
				ret = check_allocated_block(page);
			}
			if (ret)
				return ret;
			for (unsigned long i = 1; i < (1UL << o); i++)
				if (page[i].flags & ((1UL << PG_buddy) | (1UL << PG_pcp)))
					return kmem_check_failed(
						"page %p inside block %p (order %u) "
						"is marked free (I5)",
						page_address(&page[i]), page_address(page), o);
			idx += 1UL << o;
		}
	}
	return 0;
}

/* I1: the free lists agree with the blocks; zone.lock held. */
static int check_free_lists(const unsigned long counted[NR_PAGE_ORDERS])
{
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		struct list_head *pos;
		unsigned long n = 0;

		list_for_each(pos, &zone.free_area[o]) {
			struct page *page = buddy_from_link(pos);

			if (!PageBuddy(page) || page->order != o)
				return kmem_check_failed("block %p on free_area[%u] has order %u, "
							 "flags %#lx (I1)",
							 page_address(page), o, page->order,
							 page->flags & PAGE_STATE_FLAGS);
			n++;
		}
		if (n != zone.nr_free[o] || n != counted[o])
			return kmem_check_failed(
				"free_area[%u] lists %lu blocks, nr_free says %lu, "
				"regions hold %lu (I1)",
				o, n, zone.nr_free[o], counted[o]);
		if (!!(zone.free_mask & (1UL << o)) != !!n)
			return kmem_check_failed("free_mask bit %u disagrees with free_area (I1)",
						 o);
	}
	for (struct list_head *pos = zone.free_area[MAX_PAGE_ORDER].next;
	     pos->next != &zone.free_area[MAX_PAGE_ORDER]; pos = pos->next)
		if (page_region(buddy_from_link(pos))->free_since <
		    page_region(buddy_from_link(pos->next))->free_since)
			return kmem_check_failed("free regions are not ordered newest first (I6)");
	return 0;
}

/* I7: released regions keep their descriptor off the region table; zone.lock held. */
static int check_reserved(void)
{
	struct list_head *pos;
	unsigned long n = 0;

	list_for_each(pos, &zone.reserved) {
		struct region *region = container_of(pos, struct region, link);

		if (__virt_to_page((void *)region->base))
			return kmem_check_failed("released region %#lx is still in the region "
						 "table (I7)",
						 region->base);
		n++;
	}
	if (n != zone.nr_reserved)
		return kmem_check_failed("zone.reserved lists %lu released regions, nr_reserved "
					 "says %lu (I7)",
					 n, zone.nr_reserved);
	return 0;
}

int page_check(void)
{
	unsigned long counted[NR_PAGE_ORDERS] = {0};
	int ret;

	page_init();
	ret = pcp_check();
	if (ret)
		return ret;
	pthread_mutex_lock(&zone.lock);
	ret = check_regions(counted);
	if (!ret)
		ret = check_free_lists(counted);
	if (!ret)
		ret = check_reserved();
	pthread_mutex_unlock(&zone.lock);
	return ret;
}

void kmem_page_stats(struct kmem_page_stats *stats)
{
	size_t free_bytes = 0;

	page_init();
	stats->pcp_bytes = pcp_total_bytes();
	pthread_mutex_lock(&zone.lock);
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		stats->nr_free[o] = zone.nr_free[o];
		free_bytes += zone.nr_free[o] * (PAGE_SIZE << o);
	}
	stats->free_bytes = free_bytes;
	stats->regions = zone.nr_regions;
	stats->regions_released = zone.regions_released;
	stats->metadata_bytes = __atomic_load_n(&page_metadata_bytes, __ATOMIC_RELAXED);
	stats->mapped_bytes = zone.nr_regions * REGION_SIZE;
	pthread_mutex_unlock(&zone.lock);
	stats->peak_mapped_bytes = __atomic_load_n(&page_peak_mapped_bytes, __ATOMIC_RELAXED);
	stats->limit_bytes = __atomic_load_n(&page_mem_limit, __ATOMIC_RELAXED);
	stats->used_bytes = stats->mapped_bytes - stats->free_bytes - stats->pcp_bytes;
	if (stats->pcp_bytes + stats->free_bytes > stats->mapped_bytes)
		stats->used_bytes = 0;
}

void kmem_buddyinfo(FILE *out)
{
	struct kmem_page_stats stats;

	kmem_page_stats(&stats);
	fprintf(out, "Node 0, zone   Normal ");
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		fprintf(out, "%6lu ", stats.nr_free[o]);
	fputc('\n', out);
}
