// SPDX-License-Identifier: MIT
/*
 * test/mm/test_vmalloc.c - vmalloc() and its guard pages (mm/vmalloc.c).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "test/helpers.h"

TestSuite(vmalloc, .fini = kmem_test_check, .timeout = 30);

/* Hide a size from the compiler, which would otherwise flag the deliberate
 * accesses past it. */
static size_t opaque(size_t n)
{
	__asm__("" : "+r"(n));
	return n;
}

static volatile char *opaque_ptr(volatile char *p)
{
	__asm__("" : "+r"(p));
	return p;
}

Test(vmalloc, areas_are_page_aligned_and_recognised)
{
	unsigned char *p = vmalloc(opaque(10000));

	cr_assert_not_null(p);
	cr_assert_eq((uintptr_t)p % PAGE_SIZE, 0);
	cr_assert_eq(vmalloc_size(p), 3 * PAGE_SIZE);
	memset(p, 0x77, 3 * PAGE_SIZE);
	cr_assert(is_vmalloc_addr(p));
	cr_assert(is_vmalloc_addr(p + 3 * PAGE_SIZE - 1));
	cr_assert_not(is_vmalloc_addr(p - 1), "the guard page is not part of the area");
	cr_assert_not(is_vmalloc_addr(p + 3 * PAGE_SIZE));
	cr_assert_null(virt_to_page(p), "vmalloc memory is not buddy memory");
	vfree(p);
	cr_assert_not(is_vmalloc_addr(p));
	cr_assert_eq(vmalloc_size(p), 0);
}

Test(vmalloc, zero_size_and_null_are_refused_quietly)
{
	capture_reports();
	cr_assert_null(vmalloc(0));
	vfree(NULL);
	cr_assert_eq(captured(KMEM_REPORT_BUG) + captured(KMEM_REPORT_WARN), 0);
	cr_assert_null(vmalloc_array(SIZE_MAX / 2, 4), "overflow");
}

Test(vmalloc, write_past_the_end_faults, .signal = SIGSEGV)
{
	volatile char *p = vmalloc(opaque(PAGE_SIZE + 100));

	signal(SIGSEGV, SIG_DFL); /* not a sanitizer's handler: the test wants the signal */
	p[2 * PAGE_SIZE - 1] = 1; /* last byte of the rounded-up area: fine */
	p[2 * PAGE_SIZE] = 1;	  /* the trailing guard page */
}

Test(vmalloc, write_before_the_start_faults, .signal = SIGSEGV)
{
	volatile char *p = vmalloc(opaque(100));

	signal(SIGSEGV, SIG_DFL);
	p[0] = 1;
	p = opaque_ptr(p - 1);
	p[0] = 1; /* the leading guard page */
}

Test(vmalloc, vzalloc_and_vcalloc_are_zeroed)
{
	unsigned char *p = vzalloc(50000);
	unsigned long *q = vcalloc(1000, sizeof(*q));

	for (size_t i = 0; i < 50000; i++)
		cr_assert_eq(p[i], 0);
	for (size_t i = 0; i < 1000; i++)
		cr_assert_eq(q[i], 0);
	vfree(p);
	vfree(q);
}

Test(vmalloc, vrealloc_grows_moving_and_shrinks_in_place)
{
	unsigned char *p = vmalloc(5000);
	unsigned char *q;

	fill_tagged(p, 5000, 1);
	q = vrealloc(p, 6000, GFP_KERNEL);
	cr_assert_eq(q, p, "still fits its two pages");
	q = vrealloc(p, 100000, GFP_KERNEL);
	cr_assert_not_null(q);
	cr_assert(check_tagged(q, 5000, 1));
	cr_assert_not(is_vmalloc_addr(p), "the old area is gone");
	p = vrealloc(q, 10, GFP_KERNEL);
	cr_assert_eq(p, q);
	cr_assert_null(vrealloc(p, 0, GFP_KERNEL), "size 0 frees");
	cr_assert_not(is_vmalloc_addr(p));
	p = vrealloc(NULL, 10, GFP_KERNEL);
	cr_assert(is_vmalloc_addr(p));
	vfree(p);
}

Test(vmalloc, bad_vfree_is_reported)
{
	unsigned char *p = vmalloc(3 * PAGE_SIZE);
	int on_stack;

	capture_reports();
	vfree(p + PAGE_SIZE);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("BUG: vmalloc: vfree"));
	vfree(&on_stack);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 2);
	vfree(p);
	vfree(p);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 3, "double vfree");
}

Test(vmalloc, pages_count_against_the_memory_limit)
{
	struct kmem_page_stats ps;
	void *p;

	kfree(kmalloc(8, GFP_KERNEL));
	kmem_page_stats(&ps);
	kmem_set_mem_limit(ps.mapped_bytes);
	cr_assert_null(__vmalloc(8 * PAGE_SIZE, GFP_NOWAIT | __GFP_NOWARN));
	kmem_set_mem_limit(0);
	p = __vmalloc(8 * PAGE_SIZE, GFP_NOWAIT | __GFP_NOWARN);
	cr_assert_not_null(p);
	kmem_page_stats(&ps);
	cr_assert_geq(ps.mapped_bytes, 8 * PAGE_SIZE, "charged while mapped");
	vfree(p);
}

Test(vmalloc, many_areas_stay_sorted)
{
	void *p[200];

	for (int i = 0; i < 200; i++)
		p[i] = vmalloc(PAGE_SIZE * (1 + (size_t)i % 3));
	cr_assert_eq(kmem_check(), 0);
	for (int i = 0; i < 200; i += 2)
		vfree(p[i]);
	for (int i = 1; i < 200; i += 2) {
		cr_assert(is_vmalloc_addr(p[i]));
		vfree(p[i]);
	}
}

static void *look_up_any_area(void *arg)
{
	(void)arg;
	is_vmalloc_addr(NULL);
	return NULL;
}

static unsigned long os_calls, os_calls_blocking_readers;

/*
 * Can a reader take vmap_lock while kmem calls the OS?  A reader that does
 * not finish in 5 s is stuck behind a writer holding it across the call; it
 * is left to finish when that writer lets go.
 */
static void vmap_lock_probe(const char *call)
{
	struct timespec deadline;
	pthread_t reader;

	if (strcmp(call, "mmap") && strcmp(call, "munmap"))
		return;
	os_calls++;
	pthread_create(&reader, NULL, look_up_any_area, NULL);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 5;
	if (pthread_timedjoin_np(reader, NULL, &deadline)) {
		os_calls_blocking_readers++;
		pthread_detach(reader);
	}
}

Test(vmalloc, the_area_array_grows_outside_vmap_lock, .timeout = 120)
{
	enum { N = 600 }; /* enough records to grow the array twice */
	static void *area[N];

	vfree(vmalloc(PAGE_SIZE)); /* set-up done before the probe */
	os_call_probe = vmap_lock_probe;
	for (int i = 0; i < N; i++)
		area[i] = vmalloc(PAGE_SIZE);
	for (int i = 0; i < N; i++)
		vfree(area[i]);
	os_call_probe = NULL;
	for (int i = 0; i < N; i++)
		cr_assert_not_null(area[i]);
	cr_assert_geq(os_calls, 2 * N);
	cr_assert_eq(os_calls_blocking_readers, 0, "%lu of %lu OS calls held vmap_lock",
		     os_calls_blocking_readers, os_calls);
}
