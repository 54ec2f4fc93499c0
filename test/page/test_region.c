// SPDX-License-Identifier: MIT
/*
 * test/page/test_region.c - regions: mapping them without zone.lock, and
 * releasing them under lock-free lookups (page/region.c).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>

#include "page/internal.h"
#include "test/helpers.h"
#include "test/unchecked.h"

/* Every wholly free region is released as soon as it is free. */
static void release_at_once(void)
{
	setenv("KMEM_PAGE_RETAIN", "0", 1);
	setenv("KMEM_PAGE_DECAY_MS", "0", 1);
}

TestSuite(region, .init = release_at_once, .fini = kmem_test_check, .timeout = 60);

static unsigned long os_calls, os_calls_under_zone_lock;

/* Single-threaded tests only: a failed trylock means this thread holds it. */
static void zone_lock_probe(const char *call)
{
	(void)call;
	os_calls++;
	if (pthread_mutex_trylock(&zone.lock))
		os_calls_under_zone_lock++;
	else
		pthread_mutex_unlock(&zone.lock);
}

Test(region, regions_are_mapped_and_released_outside_zone_lock)
{
	struct page *page, *block;

	os_call_probe = zone_lock_probe;
	page = alloc_page(GFP_KERNEL);			 /* a thread's page cache refills */
	block = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER); /* a new region */
	__free_pages(block, MAX_PAGE_ORDER);		 /* released */
	block = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER); /* mapped into its slot again */
	__free_pages(block, MAX_PAGE_ORDER);
	__free_page(page);
	kmem_page_drain();
	kmem_page_trim();
	os_call_probe = NULL;
	cr_assert_not_null(page);
	cr_assert_geq(os_calls, 6, "the probe saw kmem's calls to the OS");
	cr_assert_eq(os_calls_under_zone_lock, 0, "%lu of %lu OS calls held zone.lock",
		     os_calls_under_zone_lock, os_calls);
}

Test(region, a_released_slot_is_reused_by_the_next_region)
{
	struct kmem_page_stats st;
	void *first = NULL;

	for (int i = 0; i < 20; i++) {
		struct page *block = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);

		cr_assert_not_null(block);
		if (!first)
			first = page_address(block);
		cr_assert_eq(page_address(block), first, "cycle %d mapped a new slot", i);
		__free_pages(block, MAX_PAGE_ORDER);
	}
	kmem_page_stats(&st);
	cr_assert_eq(st.regions, 0);
	cr_assert_eq(st.regions_released, 20);
	cr_assert_eq(st.mapped_bytes, 0);
	cr_assert_eq(zone.nr_reserved, 1, "one slot kept for the next region");
}

Test(region, a_page_looked_up_before_its_region_was_released_stays_readable)
{
	struct kmem_page_stats st;
	struct page *block, *inner;
	char *addr;

	capture_reports();
	block = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	addr = page_address(block);
	inner = virt_to_page(addr + 5 * PAGE_SIZE);
	__free_pages(block, MAX_PAGE_ORDER);
	kmem_page_stats(&st);
	cr_assert_eq(st.regions, 0, "the region was released");
	cr_assert_null(virt_to_page(addr));

	/* What a thread that found the region just before the release does next. */
	cr_assert_eq(page_ref_count(inner), 0);
	cr_assert_not(PageBuddy(inner));
	__free_pages(block, MAX_PAGE_ORDER);
	put_page(inner);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 2, "both frees reported, neither faulted");
}

struct stale_race {
	char *addr; /* the current region's address, or NULL before the first */
	bool done;
	bool alloc_failed;
};

/* Under valgrind each region costs milliseconds. */
#define RACE_REGIONS 3000
#define RACE_REGIONS_UNDER_VALGRIND 300

static void *map_and_release_regions(void *arg)
{
	struct stale_race *race = arg;
	int regions = under_valgrind() ? RACE_REGIONS_UNDER_VALGRIND : RACE_REGIONS;

	for (int i = 0; i < regions; i++) {
		struct page *block = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);

		if (!block) {
			race->alloc_failed = true;
			break;
		}
		__atomic_store_n(&race->addr, page_address(block), __ATOMIC_RELEASE);
		__free_pages(block, MAX_PAGE_ORDER);
	}
	__atomic_store_n(&race->done, true, __ATOMIC_RELEASE);
	return NULL;
}

Test(region, stale_kfree_and_ksize_racing_a_region_release_are_reported)
{
	struct stale_race race = {0};
	unsigned long n = 0;
	pthread_t t;

	capture_reports();
	pthread_create(&t, NULL, map_and_release_regions, &race);
	while (!__atomic_load_n(&race.done, __ATOMIC_ACQUIRE)) {
		char *addr = __atomic_load_n(&race.addr, __ATOMIC_ACQUIRE);
		char *stale;

		if (!addr)
			continue;
		stale = addr + (n % REGION_PAGES) * PAGE_SIZE + 64;
		kfree(stale);
		cr_assert_eq(ksize(stale), 0);
		n++;
	}
	pthread_join(t, NULL);
	cr_assert_not(race.alloc_failed);
	cr_assert_gt(n, 0);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 2 * n, "each of %lu kfree/ksize pairs reported", n);
}
