// SPDX-License-Identifier: MIT
/*
 * test/slab/test_cache.c - slab caches (slab/): creation, layout, the
 * single-thread paths, shrink, destroy, statistics and misuse.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "page/page.h"
#include "test/helpers.h"
#include "test/unchecked.h"

TestSuite(slab, .fini = kmem_test_check, .timeout = 30);

struct conn {
	int fd;
	char buf[52];
	void *owner;
};

static unsigned int ctor_calls;

static void conn_ctor(void *p)
{
	struct conn *c = p;

	ctor_calls++;
	c->fd = -1;
	memset(c->buf, 'c', sizeof(c->buf));
	c->owner = c;
}

static void alloc_free_and_check(struct kmem_cache *s, unsigned int size)
{
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	cr_assert_not_null(p, "size %u", size);
	memset(p, 0x5c, size);
	cr_assert_eq(p[size - 1], 0x5c);
	kmem_cache_free(s, p);
}

Test(slab, legacy_five_argument_form_creates_and_destroys)
{
	struct kmem_cache *s = kmem_cache_create("legacy", 100, 8, 0, NULL);

	cr_assert_not_null(s);
	cr_assert_eq(kmem_cache_size(s), 100);
	alloc_free_and_check(s, 100);
	kmem_cache_destroy(s);
}

Test(slab, args_form_creates_and_destroys)
{
	struct kmem_cache_args args = {.align = 32, .ctor = conn_ctor};
	struct kmem_cache *s = kmem_cache_create("args", sizeof(struct conn), &args, 0);
	struct conn *c;

	cr_assert_not_null(s);
	c = kmem_cache_alloc(s, GFP_KERNEL);
	cr_assert_eq((uintptr_t)c % 32, 0);
	cr_assert_eq(c->fd, -1, "constructor ran");
	kmem_cache_free(s, c);
	kmem_cache_destroy(s);
}

Test(slab, null_args_form_uses_defaults)
{
	struct kmem_cache *s = kmem_cache_create("null-args", 40, NULL, SLAB_HWCACHE_ALIGN);

	cr_assert_not_null(s);
	alloc_free_and_check(s, 40);
	kmem_cache_destroy(s);
}

Test(slab, kmem_cache_macro_names_and_aligns_after_the_struct)
{
	struct kmem_cache *s = KMEM_CACHE(conn, 0);
	struct kmem_cache_stats st;
	void *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_stats(s, &st);
	cr_assert_str_eq(st.name, "conn");
	cr_assert_eq(st.object_size, sizeof(struct conn));
	cr_assert_eq((uintptr_t)p % __alignof__(struct conn), 0);
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

Test(slab, usercopy_form_validates_the_region)
{
	struct kmem_cache *ok = kmem_cache_create_usercopy("uc", 64, 0, 0, 8, 16, NULL);

	capture_reports();
	cr_assert_not_null(ok);
	cr_assert_null(kmem_cache_create_usercopy("uc-bad", 64, 0, 0, 60, 16, NULL));
	cr_assert(captured_contains("usercopy region"));
	kmem_cache_destroy(ok);
}

ParameterizedTestParameters(slab, every_power_of_two_alignment_is_honoured)
{
	static unsigned int aligns[13];

	for (unsigned int i = 0; i < 13; i++)
		aligns[i] = 1U << i;
	return cr_make_param_array(unsigned int, aligns, 13);
}

ParameterizedTest(unsigned int *align, slab, every_power_of_two_alignment_is_honoured)
{
	static const unsigned int sizes[] = {1, 24, 100, 1000};

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct kmem_cache *s = kmem_cache_create("aligned", sizes[i], *align, 0, NULL);
		void *p[40];

		cr_assert_not_null(s, "align %u size %u", *align, sizes[i]);
		for (unsigned int j = 0; j < 40; j++) {
			p[j] = kmem_cache_alloc(s, GFP_KERNEL);
			cr_assert_eq((uintptr_t)p[j] % *align, 0, "align %u size %u", *align,
				     sizes[i]);
		}
		kmem_cache_free_bulk(s, 40, p);
		kmem_cache_destroy(s);
	}
}

Test(slab, hwcache_align_halves_the_line_while_the_object_fits)
{
	static const struct {
		unsigned int size, align;
	} cases[] = {{8, 8}, {16, 16}, {20, 32}, {32, 32}, {33, 64}, {200, 64}};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kmem_cache *s =
			kmem_cache_create("hw", cases[i].size, 0, SLAB_HWCACHE_ALIGN, NULL);
		struct kmem_cache_stats st;

		kmem_cache_stats(s, &st);
		cr_assert_eq(st.slot_size % cases[i].align, 0, "size %u", cases[i].size);
		cr_assert_lt(st.slot_size, cases[i].size + cases[i].align, "size %u",
			     cases[i].size);
		kmem_cache_destroy(s);
	}
}

Test(slab, sizes_from_one_byte_to_the_largest_work)
{
	static const unsigned int sizes[] = {1,	    2,	   3,	   7,	     8,
					     9,	    15,	   16,	   17,	     63,
					     64,    65,	   255,	   256,	     1000,
					     2048,  3000,  4095,   4096,     4097,
					     10000, 65536, 100000, 1U << 20, KMEM_CACHE_MAX_SIZE};

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct kmem_cache *s = kmem_cache_create("sized", sizes[i], 0, 0, NULL);
		struct kmem_cache_stats st;
		void *a, *b;

		cr_assert_not_null(s, "size %u", sizes[i]);
		kmem_cache_stats(s, &st);
		cr_assert_geq(st.objects_per_slab, 1, "size %u", sizes[i]);
		cr_assert_leq((size_t)st.objects_per_slab * st.slot_size, PAGE_SIZE << st.order);
		/* Waste bounded: a quarter of the slab at most. */
		cr_assert_leq((PAGE_SIZE << st.order) % st.slot_size, (PAGE_SIZE << st.order) / 4,
			      "size %u", sizes[i]);
		a = kmem_cache_alloc(s, GFP_KERNEL);
		b = kmem_cache_alloc(s, GFP_KERNEL);
		cr_assert(a && b && a != b);
		memset(a, 1, sizes[i]);
		memset(b, 2, sizes[i]);
		cr_assert_eq(((unsigned char *)a)[sizes[i] - 1], 1, "objects do not overlap");
		kmem_cache_free(s, a);
		kmem_cache_free(s, b);
		kmem_cache_destroy(s);
	}
}

Test(slab, invalid_creation_arguments_fail_with_a_message)
{
	capture_reports();
	cr_assert_null(kmem_cache_create(NULL, 8, 0, 0, NULL));
	cr_assert_null(kmem_cache_create("", 8, 0, 0, NULL));
	cr_assert_null(kmem_cache_create("zero", 0, 0, 0, NULL));
	cr_assert_null(kmem_cache_create("huge", KMEM_CACHE_MAX_SIZE + 1, 0, 0, NULL));
	cr_assert_null(kmem_cache_create("align3", 8, 3, 0, NULL));
	cr_assert_null(kmem_cache_create("alignbig", 8, 2 * PAGE_SIZE, 0, NULL));
	cr_assert_null(kmem_cache_create("flags", 8, 0, 0x40000000U, NULL));
	cr_assert_eq(captured(KMEM_REPORT_WARN), 7);
	cr_assert(captured_contains("not a power of two"));
	cr_assert(captured_contains("unknown flags"));
}

Test(slab, slab_panic_aborts_on_failure, .signal = SIGABRT)
{
	expect_fatal_report("kmem_cache_create(panic): failed and SLAB_PANIC is set");
	kmem_cache_create("panic", 0, 0, SLAB_PANIC, NULL);
}

Test(slab, duplicate_names_are_allowed_with_a_warning)
{
	struct kmem_cache *a, *b;

	capture_reports();
	a = kmem_cache_create("twin", 16, 0, 0, NULL);
	b = kmem_cache_create("twin", 16, 0, 0, NULL);
	cr_assert(a && b && a != b);
	cr_assert(captured_contains("already exists"));
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}

Test(slab, ctor_runs_once_per_slot_and_state_survives_free)
{
	struct kmem_cache *s = kmem_cache_create("ctor", sizeof(struct conn), 0, 0, conn_ctor);
	struct kmem_cache_stats st;
	struct conn *c[100];

	for (int i = 0; i < 100; i++) {
		c[i] = kmem_cache_alloc(s, GFP_KERNEL);
		cr_assert_eq(c[i]->owner, c[i]);
	}
	kmem_cache_stats(s, &st);
	cr_assert_eq(ctor_calls, st.total_objs, "one constructor call per slot");
	for (int i = 0; i < 100; i++)
		kmem_cache_free(s, c[i]);
	for (int i = 0; i < 100; i++) {
		c[i] = kmem_cache_alloc(s, GFP_KERNEL);
		cr_assert_eq(c[i]->fd, -1, "constructed state survives free and alloc");
		cr_assert_eq(c[i]->buf[51], 'c');
	}
	cr_assert_eq(ctor_calls, st.total_objs, "no constructor call on reuse");
	kmem_cache_free_bulk(s, 100, (void **)c);
	kmem_cache_destroy(s);
}

Test(slab, zalloc_zeroes_even_with_a_ctor)
{
	struct kmem_cache *plain = kmem_cache_create("plain", 64, 0, 0, NULL);
	struct kmem_cache *ctor = kmem_cache_create("ctor", sizeof(struct conn), 0, 0, conn_ctor);
	unsigned char *p = kmem_cache_alloc(plain, GFP_KERNEL);

	memset(p, 0xff, 64);
	kmem_cache_free(plain, p);
	p = kmem_cache_zalloc(plain, GFP_KERNEL);
	for (int i = 0; i < 64; i++)
		cr_assert_eq(p[i], 0);
	kmem_cache_free(plain, p);
	/* The kernel zeroes a constructed object too when asked to. */
	p = kmem_cache_zalloc(ctor, GFP_KERNEL);
	cr_assert_not_null(p);
	for (size_t i = 0; i < sizeof(struct conn); i++)
		cr_assert_eq(p[i], 0);
	kmem_cache_free(ctor, p);
	kmem_cache_destroy(plain);
	kmem_cache_destroy(ctor);
}

Test(slab, objects_are_distinct_and_lifo_reused)
{
	struct kmem_cache *s = kmem_cache_create("lifo", 64, 0, 0, NULL);
	void *p[1000];

	for (int i = 0; i < 1000; i++) {
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
		fill_tagged(p[i], 64, (uint64_t)i);
	}
	for (int i = 0; i < 1000; i++)
		cr_assert(check_tagged(p[i], 64, (uint64_t)i), "object %d intact", i);
	kmem_cache_free(s, p[999]);
	cr_assert_eq(kmem_cache_alloc(s, GFP_KERNEL), p[999], "last freed is first reused");
	cr_assert_eq(kmem_check(), 0);
	kmem_cache_free_bulk(s, 1000, p);
	kmem_cache_destroy(s);
}

Test(slab, bulk_allocates_all_requested_objects)
{
	struct kmem_cache *s = kmem_cache_create("bulk", 32, 0, 0, NULL);
	void *p[16];

	cr_assert_eq(kmem_cache_alloc_bulk(s, GFP_KERNEL, 16, p), 16);
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < i; j++)
			cr_assert_neq(p[i], p[j]);
	kmem_cache_free_bulk(s, 16, p);
	kmem_cache_destroy(s);
}

Test(slab, bulk_is_all_or_nothing_when_memory_runs_out)
{
	struct kmem_cache *s = kmem_cache_create("bulk-big", 1U << 20, 0, 0, NULL);
	struct kmem_cache_stats st;
	void *p[64];

	kmem_set_mem_limit(8UL << 20);
	cr_assert_eq(kmem_cache_alloc_bulk(s, GFP_KERNEL | __GFP_NOWARN, 64, p), 0);
	kmem_cache_stats(s, &st);
	cr_assert_eq(st.active_objs - st.cached_objs, 0, "nothing left allocated");
	cr_assert_eq(kmem_cache_alloc_bulk(s, GFP_KERNEL, 2, p), 2, "smaller request fits");
	kmem_cache_free_bulk(s, 2, p);
	kmem_cache_destroy(s);
}

Test(slab, free_bulk_with_null_cache_finds_each_cache)
{
	struct kmem_cache *a = kmem_cache_create("fa", 32, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("fb", 200, 0, 0, NULL);
	struct kmem_cache_stats sa, sb;
	void *p[5] = {kmem_cache_alloc(a, GFP_KERNEL), kmem_cache_alloc(b, GFP_KERNEL), NULL,
		      kmem_cache_alloc(a, GFP_KERNEL), kmem_cache_alloc(b, GFP_KERNEL)};

	kmem_cache_free_bulk(NULL, 5, p);
	kmem_cache_stats(a, &sa);
	kmem_cache_stats(b, &sb);
	cr_assert_eq(sa.frees, 2);
	cr_assert_eq(sb.frees, 2);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}

Test(slab, shrink_returns_empty_slabs_to_the_buddy_allocator)
{
	struct kmem_cache *s = kmem_cache_create("shrink", 512, 0, 0, NULL);
	struct kmem_page_stats before, full, after;
	struct kmem_cache_stats st;
	static void *p[4000];

	kmem_page_drain();
	kmem_page_stats(&before);
	for (int i = 0; i < 4000; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_page_stats(&full);
	cr_assert_geq(full.used_bytes, before.used_bytes + 4000 * 512);
	kmem_cache_free_bulk(s, 4000, p);
	kmem_cache_shrink(s);
	kmem_page_drain();
	kmem_cache_stats(s, &st);
	cr_assert_eq(st.slabs, 0, "every slab released");
	cr_assert_eq(st.cached_objs, 0, "thread stack drained");
	kmem_page_stats(&after);
	cr_assert_leq(after.used_bytes, before.used_bytes + PAGE_SIZE, "buddyinfo shows it");
	kmem_cache_destroy(s);
}

Test(slab, empty_slabs_beyond_a_small_reserve_go_back_on_their_own)
{
	struct kmem_cache *s = kmem_cache_create("reserve", 256, 0, 0, NULL);
	struct kmem_cache_stats st;
	static void *p[5000];

	for (int i = 0; i < 5000; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free_bulk(s, 5000, p);
	kmem_cache_stats(s, &st);
	/* What the thread keeps in its stack plus at most five empty slabs. */
	cr_assert_leq(st.slabs,
		      5 + (st.cached_objs + st.objects_per_slab - 1) / st.objects_per_slab + 1);
	cr_assert_gt(st.slabs_freed, 0);
	kmem_cache_destroy(s);
}

Test(slab, destroy_with_live_objects_reports_and_keeps_them)
{
	struct kmem_cache *s = kmem_cache_create("leaky", 64, 0, 0, NULL);
	char *p = kmem_cache_alloc(s, GFP_KERNEL);
	char *q = kmem_cache_alloc(s, GFP_KERNEL);

	capture_reports();
	strcpy(p, "still mine");
	kmem_cache_destroy(s);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 1);
	cr_assert(captured_contains("leaky: Objects remaining on __kmem_cache_shutdown()"));
	cr_assert_str_eq(p, "still mine", "memory in use is not freed");
	cr_assert_eq(kmem_check(), 0);
	kmem_cache_free(s, p);
	kmem_cache_free(s, q);
	kmem_cache_destroy(s);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 1, "the second destroy is clean");
}

Test(slab, destroy_of_null_is_a_noop_and_free_of_null_too)
{
	struct kmem_cache *s = kmem_cache_create("nulls", 64, 0, 0, NULL);

	kmem_cache_destroy(NULL);
	kmem_cache_free(s, NULL);
	cr_assert_eq(kmem_cache_size(NULL), 0);
	kmem_cache_destroy(s);
}

Test(slab, foreign_pointer_free_is_reported_and_refused)
{
	struct kmem_cache *s = kmem_cache_create("foreign", 64, 0, 0, NULL);
	int on_stack;

	capture_reports();
	kmem_cache_free(s, &on_stack);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("BUG: foreign: kmem_cache_free: invalid pointer"));
	kmem_cache_destroy(s);
}

Test(slab, page_that_is_not_a_slab_is_refused)
{
	struct kmem_cache *s = kmem_cache_create("notslab", 64, 0, 0, NULL);
	unsigned long page = __get_free_page(GFP_KERNEL);

	capture_reports();
	kmem_cache_free(s, (void *)page);
	cr_assert(captured_contains("not an object of any slab"));
	free_page(page);
	kmem_cache_destroy(s);
}

Test(slab, free_to_the_wrong_cache_is_reported_and_refused)
{
	struct kmem_cache *a = kmem_cache_create("cache-a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("cache-b", 64, 0, 0, NULL);
	void *p = kmem_cache_alloc(a, GFP_KERNEL);

	capture_reports();
	kmem_cache_free(b, p);
	cr_assert(captured_contains("wrong cache: object"));
	cr_assert(captured_contains("belongs to cache cache-a"));
	kmem_cache_free(a, p);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}

Test(slab, misaligned_free_is_reported_and_refused)
{
	struct kmem_cache *s = kmem_cache_create("misaligned", 64, 0, 0, NULL);
	char *p = kmem_cache_alloc(s, GFP_KERNEL);

	capture_reports();
	kmem_cache_free(s, p + 8);
	cr_assert(captured_contains("not the start of an object"));
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

Test(slab, immediate_double_free_is_caught_without_debug_flags)
{
	struct kmem_cache *s = kmem_cache_create("df", 64, 0, 0, NULL);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);

	capture_reports();
	kmem_cache_free(s, p);
	misuse_begin();
	kmem_cache_free(s, p);
	misuse_end();
	cr_assert(captured_contains("BUG: df: double free of object"));
	kmem_cache_destroy(s);
}

Test(slab, foreign_free_aborts_by_default, .signal = SIGABRT)
{
	struct kmem_cache *s = kmem_cache_create("abort", 64, 0, 0, NULL);
	long x;

	expect_fatal_report("not an object of any slab");
	kmem_cache_free(s, &x);
}

Test(slab, kfree_dispatch_frees_and_sizes_cache_objects)
{
	struct kmem_cache *s = kmem_cache_create("kfreeable", 100, 0, 0, NULL);
	const struct page_owner_ops *ops;
	struct kmem_cache_stats st;
	void *p = kmem_cache_alloc(s, GFP_KERNEL);
	struct page *head = virt_to_head_page(p);

	ops = page_owner_ops(PG_slab);
	cr_assert_not_null(ops, "slab registers kfree/ksize for PG_slab");
	cr_assert(PageSlab(head));
	cr_assert_eq(ops->size(head, p), 100);
	ops->free(head, p);
	kmem_cache_stats(s, &st);
	cr_assert_eq(st.frees, 1);
	cr_assert_eq(kmem_cache_alloc(s, GFP_KERNEL), p, "the freed object is reused");
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

Test(slab, kfree_dispatch_checks_like_kmem_cache_free)
{
	struct kmem_cache *s = kmem_cache_create("kfree-check", 64, 0, 0, NULL);
	char *p = kmem_cache_alloc(s, GFP_KERNEL);

	capture_reports();
	page_owner_ops(PG_slab)->free(virt_to_head_page(p), p + 1);
	cr_assert(captured_contains("not the start of an object"));
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

Test(slab, stats_count_fast_and_slow_paths)
{
	struct kmem_cache *s = kmem_cache_create("stats", 64, 0, 0, NULL);
	struct kmem_cache_stats st;
	void *p[10];

	for (int i = 0; i < 10; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free_bulk(s, 10, p);
	kmem_cache_stats(s, &st);
	cr_assert_eq(st.allocs, 10);
	cr_assert_eq(st.frees, 10);
	cr_assert_eq(st.fastpath_allocs, 9, "one refill, then the stack");
	cr_assert_eq(st.refills, 1);
	cr_assert_eq(st.remote_frees, 0);
	cr_assert_eq(st.slabs, 1);
	cr_assert_eq(st.active_objs, st.cached_objs, "every object is back in the stack");
	cr_assert_eq(st.bytes_used, PAGE_SIZE);
	kmem_cache_destroy(s);
}

Test(slab, slabinfo_prints_version_2_1_lines)
{
	struct kmem_cache *s = kmem_cache_create("info_cache", 64, 0, 0, NULL);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	char name[32];
	unsigned long active, num, slabs, slabs2;
	unsigned int objsize, perslab, pages, limit, batch;

	kmem_slabinfo(out);
	fclose(out);
	cr_assert(strncmp(buf, "slabinfo - version: 2.1\n# name ", 31) == 0);
	line = strstr(buf, "info_cache ");
	cr_assert_not_null(line);
	cr_assert_eq(sscanf(line, "%31s %lu %lu %u %u %u : tunables %u %u %*u : slabdata %lu %lu",
			    name, &active, &num, &objsize, &perslab, &pages, &limit, &batch, &slabs,
			    &slabs2),
		     10);
	cr_assert_eq(limit, 64);
	cr_assert_eq(batch, 32);
	cr_assert_eq(active, batch, "the refilled stack counts as active, as per-cpu objects do");
	cr_assert_eq(num, 64);
	cr_assert_eq(objsize, 64);
	cr_assert_eq(perslab, 64);
	cr_assert_eq(pages, 1);
	cr_assert_eq(slabs, 1);
	free(buf);
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

Test(slab, memory_pressure_releases_cached_slabs)
{
	struct kmem_cache *s = kmem_cache_create("pressure", 2048, 0, 0, NULL);
	struct kmem_cache_stats st;
	static void *p[4000];
	struct page *big;

	kmem_set_mem_limit(8UL << 20);
	for (int i = 0; i < 3000; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free_bulk(s, 3000, p);
	/* Slab holds freed memory in its stack; the page allocator asks for it back. */
	big = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	cr_assert_not_null(big, "the shrinker released the cache's memory");
	kmem_cache_stats(s, &st);
	cr_assert_eq(st.cached_objs, 0);
	__free_pages(big, MAX_PAGE_ORDER);
	kmem_cache_destroy(s);
}

Test(slab, failslab_fails_cache_and_kmalloc_allocations_with_null)
{
	struct kmem_cache *s = kmem_cache_create("failing", 64, 0, SLAB_FAILSLAB, NULL);
	struct kmem_cache *spared = kmem_cache_create("spared", 64, 0, 0, NULL);
	struct kmem_fault_attr attr;
	void *warm = kmalloc(64, GFP_KERNEL);

	kmem_fault_attr_init(&attr);
	attr.probability = 100;
	attr.interval = 1;
	attr.times = -1;
	attr.verbose = 0;
	attr.cache_filter = true;
	cr_assert_eq(kmem_fault_set(KMEM_FAULT_SLAB, &attr), 0);
	void *kept;

	cr_assert_null(kmem_cache_alloc(s, GFP_KERNEL), "even with objects cached");
	kept = kmem_cache_alloc(s, GFP_KERNEL | __GFP_NOFAIL);
	cr_assert_not_null(kept, "__GFP_NOFAIL is never failed");
	kmem_cache_free(s, kept);
	kfree(warm); /* a cached kmalloc-64 object is there to take */
	warm = kmem_cache_alloc(spared, GFP_KERNEL);
	cr_assert_not_null(warm, "cache-filter: only SLAB_FAILSLAB caches fail");
	kmem_cache_free(spared, warm);
	attr.cache_filter = false;
	cr_assert_eq(kmem_fault_set(KMEM_FAULT_SLAB, &attr), 0);
	cr_assert_null(kmalloc(64, GFP_KERNEL), "kmalloc goes through failslab too");
	cr_assert_eq(kmem_fault_injected(KMEM_FAULT_SLAB), 1);
	kmem_fault_set(KMEM_FAULT_SLAB, NULL);
	kmem_cache_destroy(s);
	kmem_cache_destroy(spared);
}
