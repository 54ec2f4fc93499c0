// SPDX-License-Identifier: MIT
/*
 * test/slab/test_corruption.c - one death test per kind of corruption, in
 * the style of the kernel's slub_kunit: damage an object the way a buggy
 * program would, let kmem find it, and check the first line of its report.
 *
 * A death test expects kmem's default: report, then abort.  Its report
 * hook asserts on the report's first line and keeps the report off the
 * output; kmem then aborts (the test's expected SIGABRT).  Corruption
 * found by kmem_check() does not abort: those tests capture the reports
 * instead.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "test/helpers.h"
#include "test/unchecked.h"

TestSuite(slab_corruption, .timeout = 120);

static const char *expected_first_line;

/* Like expect_fatal_report() (test/helpers.h), but on the first line. */
static bool first_line_hook(enum kmem_report_kind kind, const char *msg, void *data)
{
	(void)data;
	if (kind == KMEM_REPORT_BUG)
		cr_assert(!strncmp(msg, expected_first_line, strlen(expected_first_line)),
			  "expected a report starting \"%s\", got:\n%s", expected_first_line, msg);
	return true;
}

/* The next BUG report must start with @line, and abort (quietly). */
static void expect_death(const char *line)
{
	expected_first_line = line;
	kmem_set_report_hook(first_line_hook, NULL);
}

static struct kmem_cache *test_cache(const char *name, unsigned int size, slab_flags_t flags)
{
	/* SLAB_NO_USER_FLAGS: slab_debug options from the environment stay out. */
	struct kmem_cache *s = kmem_cache_create(name, size, 0, flags | SLAB_NO_USER_FLAGS, NULL);

	cr_assert_not_null(s);
	return s;
}

Test(slab_corruption, right_red_zone_at_free, .signal = SIGABRT)
{
	struct kmem_cache *s = test_cache("TestSlub_RZ_alloc", 64, SLAB_RED_ZONE);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	expect_death("BUG: TestSlub_RZ_alloc: Right Redzone overwritten\n");
	poke(p + 64, 0x12);
	kmem_cache_free(s, p);
}

Test(slab_corruption, left_red_zone_at_free, .signal = SIGABRT)
{
	struct kmem_cache *s = test_cache("TestSlub_RZ_left", 64, SLAB_RED_ZONE);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	expect_death("BUG: TestSlub_RZ_left: Left Redzone overwritten\n");
	poke(p - 1, 0x12);
	kmem_cache_free(s, p);
}

Test(slab_corruption, red_zone_of_a_freed_object_at_its_next_allocation, .signal = SIGABRT)
{
	struct kmem_cache *s = test_cache("TestSlub_RZ_free", 64, SLAB_RED_ZONE);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	expect_death("BUG: TestSlub_RZ_free: Right Redzone overwritten\n");
	poke(p + 64, 0xab);
	kmem_cache_alloc(s, GFP_KERNEL);
}

Test(slab_corruption, first_word_written_after_free, .signal = SIGABRT)
{
	struct kmem_cache *s = test_cache("TestSlub_1th_word_free", 64, SLAB_POISON);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	expect_death("BUG: TestSlub_1th_word_free: Poison overwritten\n");
	poke(p, 0x78);
	kmem_cache_alloc(s, GFP_KERNEL);
}

Test(slab_corruption, fiftieth_byte_written_after_free, .signal = SIGABRT)
{
	struct kmem_cache *s = test_cache("TestSlub_50th_word_free", 64, SLAB_POISON);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	expect_death("BUG: TestSlub_50th_word_free: Poison overwritten\n");
	poke(p + 50, 0x9a);
	kmem_cache_alloc(s, GFP_KERNEL);
}

/* The free pointer of a freed object, in a cache without debug flags. */
Test(slab_corruption, free_pointer_written_after_free, .signal = SIGABRT)
{
	struct kmem_cache *s = test_cache("TestSlub_next_ptr_free", 64, 0);
	struct kmem_cache_stats st;
	void *p[256];
	unsigned int n;

	kmem_cache_stats(s, &st);
	n = st.objects_per_slab;
	cr_assert_leq(n, 256);
	for (unsigned int i = 0; i < n; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (unsigned int i = 1; i < n; i++)
		kmem_cache_free(s, p[i]);
	kmem_cache_shrink(s); /* onto the free list of the slab p[0] keeps */
	expect_death("BUG: TestSlub_next_ptr_free: Freechain corrupt\n");
	/* Flip the low byte of the free pointer (mid-object, as the kernel's). */
	poke((char *)p[n / 2] + 32, (unsigned char)~peek((char *)p[n / 2] + 32));
	for (unsigned int i = 1; i < n; i++)
		kmem_cache_alloc(s, GFP_KERNEL);
}

Test(slab_corruption, double_free_in_a_debug_cache, .signal = SIGABRT)
{
	struct kmem_cache *s = test_cache("TestSlub_double_free", 64, SLAB_CONSISTENCY_CHECKS);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	expect_death("BUG: TestSlub_double_free: Object already free\n");
	misuse_begin();
	kmem_cache_free(s, p);
}

Test(slab_corruption, double_free_without_debug_flags, .signal = SIGABRT)
{
	struct kmem_cache *s = test_cache("TestSlub_double_free_fast", 64, 0);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	expect_death("BUG: TestSlub_double_free_fast: double free of object ");
	misuse_begin();
	kmem_cache_free(s, p);
}

Test(slab_corruption, free_to_another_cache, .signal = SIGABRT)
{
	struct kmem_cache *a = test_cache("TestSlub_cache_a", 64, 0);
	struct kmem_cache *b = test_cache("TestSlub_cache_b", 64, 0);
	void *p = kmem_cache_alloc(a, GFP_KERNEL);

	expect_death("BUG: TestSlub_cache_b: kmem_cache_free: wrong cache: object ");
	kmem_cache_free(b, p);
}

/* The kernel's test_kmalloc_redzone_access: a kmalloc object of a debug cache. */
Test(slab_corruption, write_past_a_kmalloc_request_in_a_debug_cache, .signal = SIGABRT)
{
	unsigned char *p;

	kmem_slab_debug("ZU,kmalloc-*");
	p = kmalloc(runtime_size(18), GFP_KERNEL);
	expect_death("BUG: kmalloc-32: kmalloc Redzone overwritten\n");
	poke(p + 18, 0xab);
	poke(p + 19, 0xab);
	kfree(p);
}

/* ---- found by kmem_check(), the kernel's validate_slab_cache() ------------------------ */

Test(slab_corruption, kmem_check_finds_a_damaged_red_zone_on_a_live_object)
{
	struct kmem_cache *s = test_cache("TestSlub_RZ_live", 64, SLAB_RED_ZONE);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	capture_reports();
	poke(p + 64, 0x12);
	cr_assert_eq(kmem_check(), -1);
	cr_assert(captured_contains("kmem_check: TestSlub_RZ_live: Right Redzone overwritten\n"));
	cr_assert_eq(captured(KMEM_REPORT_BUG), 0, "found by the checker, not by a free");
	cr_assert_eq(kmem_check(), 0, "the red zone was restored, as the kernel's check does");
	kmem_cache_free(s, p);
}

Test(slab_corruption, kmem_check_finds_damaged_poison_on_a_free_object)
{
	struct kmem_cache *s = test_cache("TestSlub_poison_check", 64, SLAB_POISON);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);
	void *keep = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	capture_reports();
	poke(p + 50, 0x9a);
	cr_assert_eq(kmem_check(), -1);
	cr_assert(captured_contains("kmem_check: TestSlub_poison_check: Poison overwritten\n"));
	kmem_cache_free(s, keep);
}

Test(slab_corruption, kmem_check_finds_a_kmalloc_write_past_the_request)
{
	unsigned char *p;

	kmem_slab_debug("Z,kmalloc-*");
	p = kmalloc(runtime_size(20), GFP_KERNEL);
	capture_reports();
	poke(p + 20, 0);
	cr_assert_eq(kmem_check(), -1);
	cr_assert(captured_contains("kmem_check: kmalloc-32: kmalloc Redzone overwritten\n"));
	kfree(p);
}

Test(slab_corruption, kmem_check_finds_a_corrupt_free_pointer)
{
	struct kmem_cache *s = test_cache("TestSlub_fp_check", 64, SLAB_POISON);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);
	void *keep = kmem_cache_alloc(s, GFP_KERNEL);
	struct kmem_cache_stats st;

	kmem_cache_free(s, p);
	kmem_cache_stats(s, &st);
	capture_reports();
	/* Poisoned caches keep the free pointer behind the object: flip what is there. */
	for (unsigned int i = 64; i < st.slot_size; i++)
		poke(p + i, (unsigned char)~peek(p + i));
	cr_assert_eq(kmem_check(), -1);
	cr_assert(captured_contains("is not an object of the slab (S2)"));
	(void)keep;
}
