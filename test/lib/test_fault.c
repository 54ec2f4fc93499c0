// SPDX-License-Identifier: MIT
/*
 * test/lib/test_fault.c - fault injection: the fault_attr knobs, the
 * fail_page_alloc hook in alloc_pages() and the failslab test (lib/fault.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fault.h"
#include "test/helpers.h"

static void stop_injecting(void)
{
	kmem_fault_set(KMEM_FAULT_PAGE_ALLOC, NULL);
	kmem_fault_set(KMEM_FAULT_SLAB, NULL);
	kmem_test_check();
}

TestSuite(fault, .init = capture_reports, .fini = stop_injecting);

/* Inject at the page allocator with @spec applied to the defaults. */
static void inject_pages(const char *spec)
{
	struct kmem_fault_attr attr;

	kmem_fault_attr_init(&attr);

	cr_assert_eq(kmem_fault_parse(KMEM_FAULT_PAGE_ALLOC, &attr, spec), 0, "%s", spec);
	cr_assert_eq(kmem_fault_set(KMEM_FAULT_PAGE_ALLOC, &attr), 0, "%s", spec);
}

/* Try @n order-@order allocations; outcome[i] is whether the i-th failed. */
static unsigned int try_allocations(unsigned int n, gfp_t gfp, unsigned int order, bool *outcome)
{
	unsigned int failed = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct page *page = alloc_pages(gfp, order);

		outcome[i] = !page;
		failed += !page;
		if (page)
			__free_pages(page, order);
	}
	return failed;
}

Test(fault, interval_fails_exactly_every_nth_call)
{
	bool failed[12];

	inject_pages("probability=100,interval=3,times=-1,verbose=0");
	cr_assert_eq(try_allocations(12, GFP_KERNEL, 0, failed), 4);
	for (unsigned int i = 0; i < 12; i++)
		cr_assert_eq(failed[i], i % 3 == 2, "call %u", i + 1);
	cr_assert_eq(kmem_fault_injected(KMEM_FAULT_PAGE_ALLOC), 4);
}

Test(fault, times_limits_the_failures)
{
	bool failed[6];

	inject_pages("probability=100,times=2,verbose=0");
	cr_assert_eq(try_allocations(6, GFP_KERNEL, 0, failed), 2);
	cr_assert(failed[0] && failed[1] && !failed[2], "the first two fail, then none");
	cr_assert_eq(kmem_fault_injected(KMEM_FAULT_PAGE_ALLOC), 2);
}

Test(fault, the_default_times_is_one_failure)
{
	bool failed[3];

	inject_pages("probability=100,verbose=0");
	cr_assert_eq(try_allocations(3, GFP_KERNEL, 0, failed), 1);
	cr_assert(failed[0]);
}

Test(fault, probability_with_a_seed_replays_the_same_failures)
{
	bool first[300], again[300], other[300];
	unsigned int n;

	inject_pages("probability=30,times=-1,seed=42,verbose=0");
	n = try_allocations(300, GFP_KERNEL, 0, first);
	cr_assert(n > 0 && n < 300, "%u of 300 failed at probability 30", n);
	inject_pages("probability=30,times=-1,seed=42,verbose=0");
	cr_assert_eq(try_allocations(300, GFP_KERNEL, 0, again), n);
	cr_assert_arr_eq(first, again, sizeof(first), "seed 42 replays");
	inject_pages("probability=30,times=-1,seed=43,verbose=0");
	try_allocations(300, GFP_KERNEL, 0, other);
	cr_assert_arr_neq(first, other, sizeof(first), "another seed, other failures");
}

Test(fault, nofail_is_never_failed)
{
	struct page *page;

	inject_pages("probability=100,times=-1,verbose=0");
	page = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0);
	cr_assert_not_null(page);
	__free_pages(page, 0);
	cr_assert_eq(kmem_fault_injected(KMEM_FAULT_PAGE_ALLOC), 0);
	cr_assert_null(alloc_pages(GFP_KERNEL, 0), "the same call without __GFP_NOFAIL fails");
}

Test(fault, a_failure_is_reported_unless_nowarn)
{
	inject_pages("probability=100,times=-1,verbose=1");
	cr_assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	cr_assert_eq(captured(KMEM_REPORT_WARN), 0, "__GFP_NOWARN silences the report");
	cr_assert_null(alloc_pages(GFP_KERNEL, 1));
	cr_assert_eq(captured(KMEM_REPORT_WARN), 1);
	cr_assert(captured_contains("FAULT_INJECTION: forcing a failure.\nname fail_page_alloc, "
				    "interval 1, probability 100, space 0, times -1, seed 0"));
	cr_assert_not(captured_contains("page allocation failure"), "no second warning");
}

static char last_warning[512];

static bool keep_last_warning(enum kmem_report_kind kind, const char *msg, void *data)
{
	(void)data;
	if (kind == KMEM_REPORT_WARN)
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
	return true;
}

static __attribute__((noinline)) struct page *allocate_here(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);

	__asm__ volatile("" ::: "memory"); /* keep the call from being a tail call */
	return page;
}

Test(fault, verbose_2_names_the_call_and_its_caller)
{
	const char *at;
	void *caller;

	kmem_set_report_hook(keep_last_warning, NULL);
	inject_pages("probability=100");
	cr_assert_null(allocate_here());
	at = strstr(last_warning, "\nalloc_pages order:2, mode:0xcc0, caller ");
	cr_assert_not_null(at, "report: %s", last_warning);
	cr_assert_eq(sscanf(strstr(at, "caller ") + 7, "%p", &caller), 1);
	cr_assert((char *)caller > (char *)allocate_here &&
			  (char *)caller < (char *)allocate_here + 256,
		  "caller %p is inside allocate_here() at %p", caller, (void *)allocate_here);
}

Test(fault, orders_below_min_order_are_spared)
{
	struct page *page;

	inject_pages("probability=100,times=-1,min-order=2,verbose=0");
	page = alloc_pages(GFP_KERNEL, 1);
	cr_assert_not_null(page);
	__free_pages(page, 1);
	cr_assert_null(alloc_pages(GFP_KERNEL, 2));
}

Test(fault, ignore_gfp_wait_spares_allocations_that_may_block)
{
	struct page *page;

	inject_pages("probability=100,times=-1,ignore-gfp-wait=Y,verbose=0");
	page = alloc_pages(GFP_KERNEL, 0);
	cr_assert_not_null(page);
	__free_pages(page, 0);
	cr_assert_null(alloc_pages(GFP_ATOMIC, 0));
}

Test(fault, highmem_is_spared_by_default)
{
	struct page *page;

	inject_pages("probability=100,times=-1,verbose=0");
	page = alloc_pages(GFP_HIGHUSER, 0);
	cr_assert_not_null(page);
	__free_pages(page, 0);
	inject_pages("probability=100,times=-1,verbose=0,ignore_gfp_highmem=N");
	cr_assert_null(alloc_pages(GFP_HIGHUSER, 0));
}

Test(fault, space_lets_a_budget_through_first)
{
	bool failed[5];

	/* 2 pages pass (3 > 1, then 2 > 1); then the budget is not above the size. */
	inject_pages("probability=100,times=-1,space=3,verbose=0");
	cr_assert_eq(try_allocations(5, GFP_KERNEL, 0, failed), 3);
	cr_assert(!failed[0] && !failed[1] && failed[2]);
}

Test(fault, no_probability_injects_nothing)
{
	bool failed[10];

	inject_pages("interval=2,times=-1");
	cr_assert_eq(try_allocations(10, GFP_KERNEL, 0, failed), 0);
	cr_assert_not(kmem_fail_page_alloc_on, "injection off costs one load");
}

Test(fault, set_null_stops_injecting)
{
	struct page *page;

	inject_pages("probability=100,times=-1,verbose=0");
	cr_assert_eq(kmem_fault_set(KMEM_FAULT_PAGE_ALLOC, NULL), 0);
	page = alloc_pages(GFP_KERNEL, 0);
	cr_assert_not_null(page);
	__free_pages(page, 0);
}

Test(fault, failslab_follows_the_same_knobs)
{
	struct kmem_fault_attr attr;

	kmem_fault_attr_init(&attr);

	cr_assert_not(kmem_should_failslab("c", false, 64, GFP_KERNEL, NULL), "off");
	cr_assert_eq(kmem_fault_parse(KMEM_FAULT_SLAB, &attr,
				      "probability=100,interval=2,times=-1,verbose=0"),
		     0);
	cr_assert_eq(kmem_fault_set(KMEM_FAULT_SLAB, &attr), 0);
	cr_assert_not(kmem_should_failslab("c", false, 64, GFP_KERNEL, NULL));
	cr_assert(kmem_should_failslab("c", false, 64, GFP_KERNEL, NULL), "every second call");
	cr_assert_not(kmem_should_failslab("c", false, 64, GFP_KERNEL | __GFP_NOFAIL, NULL));
	cr_assert_eq(kmem_fault_injected(KMEM_FAULT_SLAB), 1);

	attr.cache_filter = true;
	attr.interval = 1;
	cr_assert_eq(kmem_fault_set(KMEM_FAULT_SLAB, &attr), 0);
	cr_assert_not(kmem_should_failslab("c", false, 64, GFP_KERNEL, NULL),
		      "cache-filter: only SLAB_FAILSLAB caches");
	cr_assert(kmem_should_failslab("c", true, 64, GFP_KERNEL, NULL));
}

Test(fault, failslab_reports_the_cache)
{
	struct kmem_fault_attr attr;

	kmem_fault_attr_init(&attr);

	attr.probability = 100;
	cr_assert_eq(kmem_fault_set(KMEM_FAULT_SLAB, &attr), 0);
	cr_assert(kmem_should_failslab("dentry", false, 192, GFP_KERNEL, NULL));
	cr_assert(captured_contains("name failslab"));
	cr_assert(captured_contains("cache dentry, object size 192"));
}

Test(fault, parse_refuses_what_it_cannot_take)
{
	static const char *const bad_page[] = {
		"probability=101",
		"times=-2",
		"space=-1",
		"verbose=3",
		"interval=x",
		"seed=-1",
		"probability",
		"probability=",
		"bogus=1",
		"cache-filter=Y",
		"ignore-gfp-wait=maybe",
		"probability=10,,",
		"probability=010x",
	};
	struct kmem_fault_attr attr;

	kmem_fault_attr_init(&attr);
	for (size_t i = 0; i < ARRAY_SIZE(bad_page); i++) {
		cr_assert_eq(kmem_fault_parse(KMEM_FAULT_PAGE_ALLOC, &attr, bad_page[i]), -EINVAL,
			     "\"%s\"", bad_page[i]);
		cr_assert_eq(attr.probability, 0, "\"%s\" left attr unchanged", bad_page[i]);
	}
	cr_assert_eq(kmem_fault_parse(KMEM_FAULT_SLAB, &attr, "min-order=1"), -EINVAL,
		     "min-order means nothing for failslab");
	cr_assert_eq(kmem_fault_parse(KMEM_FAULT_SLAB, &attr, "ignore-gfp-highmem=Y"), -EINVAL);
	cr_assert_eq(kmem_fault_parse(2, &attr, "probability=1"), -EINVAL);
	attr.probability = 101;
	cr_assert_eq(kmem_fault_set(KMEM_FAULT_PAGE_ALLOC, &attr), -EINVAL);
}

Test(fault, parse_takes_every_knob)
{
	struct kmem_fault_attr attr;

	kmem_fault_attr_init(&attr);

	cr_assert_eq(kmem_fault_parse(KMEM_FAULT_PAGE_ALLOC, &attr,
				      "probability=10,interval=7,times=-1,space=4096,verbose=1,"
				      "seed=18446744073709551615,ignore-gfp-wait=y,"
				      "ignore_gfp_highmem=0,min-order=3"),
		     0);
	cr_assert_eq(attr.probability, 10);
	cr_assert_eq(attr.interval, 7);
	cr_assert_eq(attr.times, -1);
	cr_assert_eq(attr.space, 4096);
	cr_assert_eq(attr.verbose, 1);
	cr_assert_eq(attr.seed, 18446744073709551615ull);
	cr_assert(attr.ignore_gfp_wait);
	cr_assert_not(attr.ignore_gfp_highmem);
	cr_assert_eq(attr.min_order, 3);
	cr_assert_eq(kmem_fault_parse(KMEM_FAULT_SLAB, &attr, "cache-filter=Y"), 0);
	cr_assert(attr.cache_filter);
}

Test(fault, the_environment_configures_both_points)
{
	setenv("KMEM_FAIL_PAGE_ALLOC", "probability=100,times=1,verbose=0", 1);
	setenv("KMEM_FAIL_SLAB", "probability=100,times=-1,verbose=0,cache-filter=Y", 1);
	kmem_fault_setup_from_env();
	cr_assert_null(alloc_pages(GFP_KERNEL, 0));
	cr_assert(kmem_should_failslab("c", true, 8, GFP_KERNEL, NULL));
	cr_assert_not(kmem_should_failslab("c", false, 8, GFP_KERNEL, NULL));
	cr_assert_eq(captured(KMEM_REPORT_WARN), 0);
}

Test(fault, a_bad_environment_value_is_refused_with_a_warning)
{
	setenv("KMEM_FAIL_PAGE_ALLOC", "probability=100,times=forever", 1);
	unsetenv("KMEM_FAIL_SLAB");
	kmem_fault_setup_from_env();
	cr_assert(captured_contains(
		"KMEM_FAIL_PAGE_ALLOC=\"probability=100,times=forever\": times=\"forever\""));
	cr_assert_not(kmem_fail_page_alloc_on, "fail_page_alloc stays off");
}
