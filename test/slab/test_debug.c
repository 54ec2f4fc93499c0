// SPDX-License-Identifier: MIT
/*
 * test/slab/test_debug.c - the debug flags: layout bytes, red zones, poison,
 * owner tracking, double free, and SLAB_TYPESAFE_BY_RCU.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <urcu/urcu-memb.h>

#include "test/helpers.h"
#include "test/unchecked.h"

TestSuite(slab_debug, .fini = kmem_test_check, .timeout = 30);

Test(slab_debug, red_zones_hold_the_kernel_bytes)
{
	struct kmem_cache *s = kmem_cache_create("rz", 24, 0, SLAB_RED_ZONE, NULL);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	cr_assert_eq(peek(p - 1), 0xcc, "left red zone active");
	cr_assert_eq(peek(p + 24), 0xcc, "right red zone active");
	kmem_cache_free(s, p);
	cr_assert_eq(peek(p - 1), 0xbb, "left red zone inactive after free");
	cr_assert_eq(peek(p + 24), 0xbb, "right red zone inactive after free");
	kmem_cache_destroy(s);
}

Test(slab_debug, free_objects_are_poisoned)
{
	struct kmem_cache *s = kmem_cache_create("poison", 64, 0, SLAB_POISON, NULL);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	memset(p, 0, 64);
	kmem_cache_free(s, p);
	cr_assert(peek_all(p, 63, 0x6b), "free object filled with POISON_FREE");
	cr_assert_eq(peek(p + 63), 0xa5, "POISON_END last");
	kmem_cache_destroy(s);
}

Test(slab_debug, right_red_zone_overwrite_is_reported_at_free)
{
	struct kmem_cache *s = kmem_cache_create("rz-right", 30, 0, SLAB_RED_ZONE, NULL);
	char *p = kmem_cache_alloc(s, GFP_KERNEL);

	capture_reports();
	poke(p + 30, 'x');
	kmem_cache_free(s, p);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("BUG: rz-right: Right Redzone overwritten"));
	cr_assert(captured_contains("First byte 0x78 instead of 0xcc"));
	cr_assert(captured_contains("Object "), "hex dump of the object");
	/* The refused object is still allocated; the red zone was restored. */
	kmem_cache_free(s, p);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	kmem_cache_destroy(s);
}

Test(slab_debug, left_red_zone_overwrite_is_reported)
{
	struct kmem_cache *s = kmem_cache_create("rz-left", 64, 0, SLAB_RED_ZONE, NULL);
	char *p = kmem_cache_alloc(s, GFP_KERNEL);

	capture_reports();
	poke(p - 2, 0);
	kmem_cache_free(s, p);
	cr_assert(captured_contains("Left Redzone overwritten"));
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

Test(slab_debug, write_after_free_is_reported_as_poison_overwritten)
{
	struct kmem_cache *s = kmem_cache_create("uaf", 64, 0, SLAB_POISON, NULL);
	char *p = kmem_cache_alloc(s, GFP_KERNEL);
	char *q;

	capture_reports();
	kmem_cache_free(s, p);
	poke(p + 10, 1);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	cr_assert_eq(q, p, "the freed object is handed out again");
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("uaf: Poison overwritten"));
	cr_assert(captured_contains("First byte 0x1 instead of 0x6b"));
	kmem_cache_free(s, q);
	kmem_cache_destroy(s);
}

Test(slab_debug, double_free_is_reported_and_refused)
{
	struct kmem_cache *s = kmem_cache_create("dbl", 64, 0, SLAB_CONSISTENCY_CHECKS, NULL);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);
	void *keep = kmem_cache_alloc(s, GFP_KERNEL);

	capture_reports();
	kmem_cache_free(s, p);
	kmem_cache_free(s, p);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("dbl: Object already free"));
	cr_assert_eq(kmem_check(), 0, "the free lists were not corrupted");
	kmem_cache_free(s, keep);
	kmem_cache_destroy(s);
}

Test(slab_debug, double_free_aborts_by_default, .signal = SIGABRT)
{
	struct kmem_cache *s = kmem_cache_create("dbl-abort", 64, 0, SLAB_POISON, NULL);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	expect_fatal_report("dbl-abort: Object already free");
	kmem_cache_free(s, p);
}

Test(slab_debug, store_user_reports_who_allocated_and_freed)
{
	struct kmem_cache *s =
		kmem_cache_create("owner", 48, 0, SLAB_STORE_USER | SLAB_RED_ZONE, NULL);
	char *p = kmem_cache_alloc(s, GFP_KERNEL);

	capture_reports();
	poke(p + 48, 0);
	kmem_cache_free(s, p);
	cr_assert(captured_contains("Allocated in "));
	cr_assert(captured_contains(" pid="));
	/* The test binary is not linked -rdynamic: module+offset names its caller. */
	cr_assert(captured_contains("+0x"), "the caller is named by module and offset");
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

Test(slab_debug, all_debug_flags_together_lay_out_and_work)
{
	struct kmem_cache *s = kmem_cache_create(
		"all", 100, 16,
		SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER, NULL);
	struct kmem_cache_stats st;
	void *p[200];

	kmem_cache_stats(s, &st);
	cr_assert_gt(st.slot_size, 100 + 2 * 8, "red zones and tracks take room");
	for (int i = 0; i < 200; i++) {
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
		cr_assert_eq((uintptr_t)p[i] % 16, 0);
		fill_tagged(p[i], 100, (uint64_t)i);
	}
	for (int i = 0; i < 200; i++)
		cr_assert(check_tagged(p[i], 100, (uint64_t)i));
	cr_assert_eq(kmem_check(), 0);
	kmem_cache_free_bulk(s, 200, p);
	kmem_cache_destroy(s);
}

Test(slab_debug, leak_report_lists_the_objects_in_debug_mode)
{
	struct kmem_cache *s = kmem_cache_create("leak-dbg", 64, 0, SLAB_RED_ZONE, NULL);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);
	char expect[64];

	capture_reports();
	kmem_cache_destroy(s);
	snprintf(expect, sizeof(expect), "Object %p @offset=", p);
	cr_assert(captured_contains(expect));
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

/* ---- SLAB_TYPESAFE_BY_RCU ------------------------------------------------ */

struct rcu_obj {
	unsigned long key;
	unsigned long value;
};

static void rcu_obj_ctor(void *p)
{
	((struct rcu_obj *)p)->key = 0xfeed;
}

static bool page_is_slab(void *addr)
{
	struct page *page = virt_to_page(addr);

	return page && PageSlab(compound_head(page));
}

Test(slab_debug, typesafe_by_rcu_slab_pages_are_freed_only_after_a_grace_period)
{
	struct kmem_cache *s = kmem_cache_create("rcu", sizeof(struct rcu_obj), 0,
						 SLAB_TYPESAFE_BY_RCU, rcu_obj_ctor);
	struct kmem_cache_stats st;
	static struct rcu_obj *p[512];
	int n;

	urcu_memb_register_thread();
	kmem_cache_stats(s, &st);
	n = (int)st.objects_per_slab;
	cr_assert_leq(n, 512);
	for (int i = 0; i < n; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	urcu_memb_read_lock();
	for (int i = 0; i < n; i++)
		kmem_cache_free(s, p[i]);
	kmem_cache_shrink(s);
	kmem_cache_stats(s, &st);
	cr_assert_eq(st.slabs, 0, "the slab left the cache");
	usleep(50000);
	cr_assert(page_is_slab(p[0]), "a reader is inside its critical section: still a slab");
	cr_assert_eq(p[0]->key, 0xfeed, "type-safe: the memory still holds a constructed object");
	urcu_memb_read_unlock();
	kmem_cache_destroy(s); /* waits for the deferred free */
	cr_assert(!page_is_slab(p[0]), "after the grace period the pages went back");
	urcu_memb_unregister_thread();
}

Test(slab_debug, typesafe_by_rcu_objects_are_reused_at_once)
{
	struct kmem_cache *s = kmem_cache_create("rcu-reuse", sizeof(struct rcu_obj), 0,
						 SLAB_TYPESAFE_BY_RCU, NULL);
	struct rcu_obj *p = kmem_cache_alloc(s, GFP_KERNEL);

	p->value = 7;
	kmem_cache_free(s, p);
	cr_assert_eq(kmem_cache_alloc(s, GFP_KERNEL), p);
	cr_assert_eq(p->value, 7, "the free pointer lives outside the object");
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

Test(slab_debug, freeptr_offset_places_the_free_pointer_inside_rcu_objects)
{
	struct kmem_cache_args args = {
		.freeptr_offset = offsetof(struct rcu_obj, value),
		.use_freeptr_offset = true,
	};
	struct kmem_cache *s =
		kmem_cache_create("rcu-fp", sizeof(struct rcu_obj), &args, SLAB_TYPESAFE_BY_RCU);
	struct kmem_cache_stats st;

	cr_assert_not_null(s);
	kmem_cache_stats(s, &st);
	cr_assert_eq(st.slot_size, sizeof(struct rcu_obj), "no room outside the object needed");
	kmem_cache_destroy(s);
	capture_reports();
	cr_assert_null(kmem_cache_create("no-rcu-fp", sizeof(struct rcu_obj), &args, 0));
}
