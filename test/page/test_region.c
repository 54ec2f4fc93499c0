// SPDX-License-Identifier: MIT
/*
 * test/page/test_region.c - regions: mapping them without zone.lock
 * (page/region.c).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>

#include "page/internal.h"
#include "test/helpers.h"

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
	__free_page(page);
	kmem_page_drain();
	kmem_page_trim();
	os_call_probe = NULL;
	cr_assert_not_null(page);
	cr_assert_geq(os_calls, 4, "the probe saw kmem's calls to the OS");
	cr_assert_eq(os_calls_under_zone_lock, 0, "%lu of %lu OS calls held zone.lock",
		     os_calls_under_zone_lock, os_calls);
}
