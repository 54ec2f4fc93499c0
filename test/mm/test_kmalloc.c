// SPDX-License-Identifier: MIT
/*
 * test/mm/test_kmalloc.c - the kmalloc family (mm/kmalloc.c).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/heap.h>
#include "lib/prandom.h"
#include "test/helpers.h"

TestSuite(kmalloc, .fini = kmem_test_check, .timeout = 30);

/* kmem_kmalloc_drain() leaves no chunk cached or allocated anywhere. */
static void assert_drain_returns_every_chunk(const char *why)
{
	struct kmem_kmalloc_stats st;

	kmem_kmalloc_drain();
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.front_bytes, 0, "%s: front cache", why);
	cr_assert_eq(st.depot_bytes, 0, "%s: depots", why);
	cr_assert_eq(st.heap_bytes, 0, "%s: heaps", why);
}

static bool all_bytes(const void *p, int byte, size_t len)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		if (c[i] != (unsigned char)byte)
			return false;
	return true;
}

Test(kmalloc, zero_size_gives_zero_size_ptr)
{
	capture_reports();
	cr_assert_eq(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	cr_assert_eq(kzalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	cr_assert_eq(kcalloc(0, 8, GFP_KERNEL), ZERO_SIZE_PTR);
	cr_assert(ZERO_OR_NULL_PTR(ZERO_SIZE_PTR));
	cr_assert(ZERO_OR_NULL_PTR(NULL));
	cr_assert_eq(ksize(ZERO_SIZE_PTR), 0);
	cr_assert_eq(ksize(NULL), 0);
	kfree(NULL);
	kfree(ZERO_SIZE_PTR);
	kvfree(NULL);
	kvfree(ZERO_SIZE_PTR);
	kfree_sensitive(NULL);
	cr_assert_eq(captured(KMEM_REPORT_BUG) + captured(KMEM_REPORT_WARN), 0,
		     "NULL and ZERO_SIZE_PTR frees are silent no-ops");
}

Test(kmalloc, overflowing_sizes_give_null)
{
	void *p = kmalloc(32, GFP_KERNEL);

	cr_assert_null(kmalloc_array(SIZE_MAX / 2, 3, GFP_KERNEL));
	cr_assert_null(kcalloc(3, SIZE_MAX / 2, GFP_KERNEL));
	cr_assert_null(kvmalloc_array(SIZE_MAX / 4, 8, GFP_KERNEL));
	cr_assert_null(kvcalloc(SIZE_MAX, 2, GFP_KERNEL));
	cr_assert_null(krealloc_array(p, SIZE_MAX / 8, 16, GFP_KERNEL));
	cr_assert_null(kmemdup_nul("x", SIZE_MAX, GFP_KERNEL));
	cr_assert_geq(ksize(p), 32, "a failed krealloc_array leaves the array alone");
	kfree(p);
}

Test(kmalloc, beyond_max_size_fails_with_a_warning_unless_nowarn)
{
	capture_reports();
	cr_assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	cr_assert_eq(captured(KMEM_REPORT_WARN), 1);
	cr_assert(captured_contains("KMALLOC_MAX_SIZE"));
	cr_assert_null(kmalloc(KMALLOC_MAX_SIZE * 2, GFP_KERNEL | __GFP_NOWARN));
	cr_assert_eq(captured(KMEM_REPORT_WARN), 1, "__GFP_NOWARN is silent");
}

Test(kmalloc, every_small_size_is_aligned_writable_and_big_enough)
{
	void *ptrs[2049];

	for (size_t n = 1; n <= 2048; n++) {
		unsigned char *p = kmalloc(n, GFP_KERNEL);

		cr_assert_not_null(p, "size %zu", n);
		cr_assert_eq((uintptr_t)p % ARCH_KMALLOC_MINALIGN, 0, "size %zu aligned", n);
		cr_assert_geq(ksize(p), n, "ksize >= size for %zu", n);
		cr_assert_geq(ksize(p), kmalloc_size_roundup(n));
		fill_tagged(p, ksize(p), n);
		ptrs[n] = p;
	}
	for (size_t n = 1; n <= 2048; n++) {
		cr_assert(check_tagged(ptrs[n], ksize(ptrs[n]), n), "size %zu intact", n);
		kfree(ptrs[n]);
	}
}

Test(kmalloc, large_allocations_are_page_blocks)
{
	size_t sizes[] = {KMALLOC_MAX_CACHE_SIZE + 1, 200000, KMALLOC_MAX_SIZE};

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = kmalloc(sizes[i], GFP_KERNEL | __GFP_ZERO);
		struct kmem_kmalloc_stats st;

		cr_assert_not_null(p, "%zu bytes", sizes[i]);
		cr_assert_eq((uintptr_t)p % PAGE_SIZE, 0);
		cr_assert_eq(ksize(p), PAGE_SIZE << get_order(sizes[i]));
		cr_assert_eq(ksize(p), kmalloc_size_roundup(sizes[i]));
		cr_assert(all_bytes(p, 0, sizes[i]), "__GFP_ZERO honoured");
		p[sizes[i] - 1] = 1;
		cr_assert_eq(virt_to_head_page(p + sizes[i] - 1), virt_to_page(p));
		kmem_kmalloc_stats(&st);
		cr_assert_eq(st.large_count, 1);
		kfree(p);
		kmem_kmalloc_stats(&st);
		cr_assert_eq(st.large_count, 0);
		cr_assert_eq(st.large_bytes, 0);
	}
}

Test(kmalloc, kzalloc_zeroes_recycled_chunks)
{
	for (size_t n = 8; n <= 4096; n *= 2) {
		unsigned char *p = kmalloc(n, GFP_KERNEL);

		memset(p, 0xff, ksize(p));
		kfree(p);
		p = kzalloc(n, GFP_KERNEL);
		cr_assert(all_bytes(p, 0, ksize(p)), "kzalloc(%zu) zeroed its whole usable size",
			  n);
		kfree(p);
	}
}

Test(kmalloc, front_cache_reuses_the_last_freed_chunk)
{
	void *a = kmalloc(64, GFP_KERNEL);
	void *b;

	kfree(a);
	b = kmalloc(60, GFP_KERNEL);
	cr_assert_eq(a, b, "same size class: LIFO reuse from the thread's front cache");
	kfree(b);
}

Test(kmalloc, krealloc_grows_and_shrinks_keeping_contents)
{
	unsigned char *p = kmalloc(100, GFP_KERNEL);
	unsigned char *q;

	fill_tagged(p, 100, 7);
	q = krealloc(p, 5000, GFP_KERNEL);
	cr_assert_not_null(q);
	cr_assert(check_tagged(q, 100, 7), "growing keeps the old bytes");
	cr_assert_geq(ksize(q), 5000);
	p = krealloc(q, 50, GFP_KERNEL);
	cr_assert_eq(p, q, "shrinking stays in place");
	cr_assert(check_tagged(p, 50, 7));
	cr_assert_geq(ksize(p), 50);
	cr_assert_lt(ksize(p), 5000, "the tail went back to the heap");
	q = krealloc(p, 300000, GFP_KERNEL); /* heap -> large */
	cr_assert(check_tagged(q, 50, 7));
	p = krealloc(q, 20, GFP_KERNEL); /* a large block keeps its pages */
	cr_assert_eq(p, q);
	kfree(p);
}

Test(kmalloc, krealloc_grows_in_place_into_a_free_neighbour)
{
	unsigned char *p = kmalloc(2000, GFP_KERNEL);
	unsigned char *guard = kmalloc(3000, GFP_KERNEL);
	size_t old = ksize(p);
	unsigned char *q;

	fill_tagged(p, 2000, 3);
	/* Free what follows p (the front cache holds it: drain), then grow p into it. */
	cr_assert_gt(guard, p);
	kfree(guard);
	kmem_kmalloc_drain();
	q = krealloc(p, 4000, GFP_KERNEL | __GFP_ZERO);
	cr_assert_eq(q, p, "grew in place");
	cr_assert(check_tagged(q, 2000, 3));
	cr_assert_geq(ksize(q), 4000);
	cr_assert(all_bytes(q + old, 0, ksize(q) - old), "__GFP_ZERO zeroes what was added");
	kfree(q);
}

Test(kmalloc, krealloc_edges)
{
	unsigned char *p = krealloc(NULL, 40, GFP_KERNEL);

	cr_assert_not_null(p, "krealloc(NULL) allocates");
	cr_assert_eq(krealloc(p, 0, GFP_KERNEL), ZERO_SIZE_PTR, "new size 0 frees");
	p = krealloc(ZERO_SIZE_PTR, 10, GFP_KERNEL | __GFP_ZERO);
	cr_assert(all_bytes(p, 0, 10));
	memset(p, 0x11, 10);
	p = krealloc(p, 3000, GFP_KERNEL | __GFP_ZERO);
	cr_assert(all_bytes(p, 0x11, 10));
	cr_assert(all_bytes(p + 10, 0, 3000 - 10), "zeroed by kzalloc, then by the grow");
	cr_assert_null(krealloc(p, KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN),
		       "too large: NULL, old block kept");
	cr_assert(all_bytes(p, 0x11, 10));
	kfree(p);
}

Test(kmalloc, krealloc_with_gfp_zero_zeroes_the_grown_part)
{
	unsigned char *p = kzalloc(24, GFP_KERNEL);

	memset(p, 0x5a, 24);
	p = krealloc(p, 700, GFP_KERNEL | __GFP_ZERO);
	cr_assert(all_bytes(p, 0x5a, 24));
	cr_assert(all_bytes(p + 24, 0, 700 - 24), "bytes past the old size are zero");
	kfree(p);
}

Test(kmalloc, duplicates_strings_and_memory)
{
	char *s = kstrdup("kmem", GFP_KERNEL);
	char *t = kstrndup("allocator", 5, GFP_KERNEL);
	char *u = kmemdup_nul("abcdef", 3, GFP_KERNEL);
	int *v = kmemdup((int[]){1, 2, 3}, 3 * sizeof(int), GFP_KERNEL);

	cr_assert_str_eq(s, "kmem");
	cr_assert_str_eq(t, "alloc");
	cr_assert_str_eq(u, "abc");
	cr_assert_eq(v[2], 3);
	cr_assert_null(kstrdup(NULL, GFP_KERNEL));
	cr_assert_null(kstrndup(NULL, 3, GFP_KERNEL));
	cr_assert_null(kmemdup_nul(NULL, 3, GFP_KERNEL));
	kfree(s);
	kfree(t);
	kfree(u);
	kfree(v);
}

Test(kmalloc, kfree_bulk_frees_every_pointer)
{
	void *p[6] = {kmalloc(10, GFP_KERNEL),	   NULL,
		      kmalloc(5000, GFP_KERNEL),   ZERO_SIZE_PTR,
		      kmalloc(100000, GFP_KERNEL), kmalloc(64, GFP_KERNEL)};
	struct kmem_kmalloc_stats st;

	kfree_bulk(6, p);
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.large_count, 0);
	assert_drain_returns_every_chunk("kfree_bulk");
}

Test(kmalloc, kfree_sensitive_frees)
{
	char *p = kstrdup("secret", GFP_KERNEL);

	kfree_sensitive(p);
	assert_drain_returns_every_chunk("kfree_sensitive");
}

Test(kmalloc, bad_frees_are_reported)
{
	int on_stack;
	void *foreign = malloc(32);
	char *p = kmalloc(64, GFP_KERNEL);
	char *big = kmalloc(100000, GFP_KERNEL);

	capture_reports();
	kfree(&on_stack);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("BUG: kmalloc: kfree"));
	kfree(foreign);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 2);
	kfree(p + 16);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 3, "interior pointer");
	kfree(big + PAGE_SIZE);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 4, "interior pointer into a large block");
	kfree(p);
	kfree(p);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 5, "double free into the front cache");
	cr_assert(captured_contains("double free"));
	cr_assert_eq(ksize(&on_stack), 0);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 6, "ksize of foreign memory");
	kfree(big);
	free(foreign);
}

Test(kmalloc, double_free_of_an_uncached_chunk_is_reported)
{
	char *p = kmalloc(5000, GFP_KERNEL);
	char *q = kmalloc(5000, GFP_KERNEL);

	capture_reports();
	kfree(p);
	kfree(p);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	kfree(q);
}

Test(kmalloc, kfree_and_ksize_accept_cache_objects)
{
	struct kmem_cache *cache = kmem_cache_create("kfree_objs", 96, 0, 0, NULL);
	void *obj = kmem_cache_alloc(cache, GFP_KERNEL);
	void *other = kmem_cache_alloc(cache, GFP_KERNEL);
	unsigned char *grown;

	cr_assert_not_null(obj);
	cr_assert_geq(ksize(obj), 96);
	kfree(obj);
	memset(other, 0x3c, 96);
	grown = krealloc(other, 5000, GFP_KERNEL);
	cr_assert(all_bytes(grown, 0x3c, 96), "krealloc moves a cache object into the heap");
	kfree(grown);
	kmem_cache_destroy(cache); /* would report objects still allocated */
}

static void *free_on_fresh_thread(void *obj)
{
	kfree(obj); /* this thread has no arena and no front cache yet */
	return NULL;
}

Test(kmalloc, kfree_of_a_cache_object_on_a_thread_that_never_allocated)
{
	struct kmem_cache *cache = kmem_cache_create("fresh_thread", 64, 0, 0, NULL);
	void *obj = kmem_cache_alloc(cache, GFP_KERNEL);
	pthread_t t;

	capture_reports();
	pthread_create(&t, NULL, free_on_fresh_thread, obj);
	pthread_join(t, NULL);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 0);
	kmem_cache_destroy(cache); /* reports the object if kfree() lost it */
	cr_assert_eq(captured(KMEM_REPORT_BUG) + captured(KMEM_REPORT_WARN), 0,
		     "the slab object went back to its cache, not into a front cache");
}

Test(kmalloc, kfree_of_a_user_heap_chunk_is_reported)
{
	struct kheap *h = kheap_create("mine", KHEAP_FIRST_FIT);
	void *p = kheap_alloc(h, 100, GFP_KERNEL);

	capture_reports();
	kfree(p);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("kheap_free"));
	kheap_free(h, p);
	kheap_destroy(h);
}

Test(kmalloc, fit_policy_is_chosen_before_first_use)
{
	struct kmem_kmalloc_stats st;
	void *p;

	cr_assert_eq(kmem_kmalloc_set_fit(KHEAP_BEST_FIT), 0);
	cr_assert_eq(kmem_kmalloc_set_fit(42), -1);
	p = kmalloc(10, GFP_KERNEL);
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.fit, KHEAP_BEST_FIT);
	cr_assert_eq(kmem_kmalloc_set_fit(KHEAP_FIRST_FIT), -1, "too late once in use");
	kfree(p);
}

Test(kmalloc, fit_policy_comes_from_the_environment)
{
	struct kmem_kmalloc_stats st;

	setenv("KMEM_HEAP_FIT", "worst", 1);
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.fit, KHEAP_WORST_FIT);
	cr_assert_geq(st.arenas, 1);
}

static void *alloc_and_free_on_thread(void *arg)
{
	void *p[100];

	(void)arg;
	for (int i = 0; i < 100; i++)
		p[i] = kmalloc(16 + 8 * (size_t)i, GFP_KERNEL);
	for (int i = 0; i < 100; i++)
		kfree(p[i]);
	return NULL;
}

Test(kmalloc, thread_exit_and_drain_empty_the_front_caches)
{
	struct kmem_kmalloc_stats st;
	pthread_t t;

	pthread_create(&t, NULL, alloc_and_free_on_thread, NULL);
	pthread_join(t, NULL);
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.front_bytes, 0, "the exited thread handed its cache back");
	cr_assert_eq(st.heap_bytes, 0);
	alloc_and_free_on_thread(NULL);
	kmem_kmalloc_stats(&st);
	cr_assert_gt(st.front_bytes, 0, "this thread keeps its freed chunks");
	assert_drain_returns_every_chunk("drain");
}

static void *refill_on_thread(void *arg)
{
	struct kmem_kmalloc_stats *st = arg;
	void *p[4];

	for (int i = 0; i < 4; i++)
		p[i] = kmalloc(200, GFP_KERNEL);
	kmem_kmalloc_stats(st);
	for (int i = 0; i < 4; i++)
		kfree(p[i]);
	return NULL;
}

Test(kmalloc, misses_in_a_row_refill_in_batches)
{
	struct kmem_kmalloc_stats st;
	pthread_t t;

	pthread_create(&t, NULL, refill_on_thread, &st);
	pthread_join(t, NULL);
	/* Misses 1, 2 and 3 fetch 1, 2 and 4 chunks: 3 of them still cached. */
	cr_assert_geq(st.front_bytes, 3 * 200, "repeated misses cache chunks ahead");
	cr_assert_eq(kmem_check(), 0);
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.front_bytes, 0, "thread exit handed the batch back");
	cr_assert_eq(st.heap_bytes, 0);
}

#define FLUSH_CHUNKS 200

static void *alloc_chunks_on_thread(void *arg)
{
	void **p = arg;

	for (int i = 0; i < FLUSH_CHUNKS; i++)
		p[i] = kmalloc(500, GFP_KERNEL);
	return NULL;
}

Test(kmalloc, a_flush_returns_chunks_of_several_arenas_to_each)
{
	static void *p[2][FLUSH_CHUNKS];
	struct kmem_kmalloc_stats st;
	pthread_t t[2];

	for (int i = 0; i < 2; i++) {
		pthread_create(&t[i], NULL, alloc_chunks_on_thread, p[i]);
		pthread_join(t[i], NULL);
	}
	kmem_kmalloc_stats(&st);
	cr_assert_geq(st.arenas, 2);
	/* Interleaved: every list this thread flushes mixes both arenas. */
	for (int i = 0; i < FLUSH_CHUNKS; i++) {
		kfree(p[0][i]);
		kfree(p[1][i]);
	}
	cr_assert_eq(kmem_check(), 0);
	assert_drain_returns_every_chunk("chunks of two arenas");
}

#define DEPOT_RUN 300

static void *alloc_run_on_thread(void *arg)
{
	void **p = arg;

	for (int i = 0; i < DEPOT_RUN; i++)
		p[i] = kmalloc(64, GFP_KERNEL);
	return NULL;
}

static bool in_run(void *const *run, const void *p)
{
	for (int i = 0; i < DEPOT_RUN; i++)
		if (run[i] == p)
			return true;
	return false;
}

struct producer {
	pthread_barrier_t freed;
	void *first[DEPOT_RUN], *second[DEPOT_RUN];
};

static void *produce_twice(void *arg)
{
	struct producer *pr = arg;

	alloc_run_on_thread(pr->first);
	pthread_barrier_wait(&pr->freed); /* the consumer has the first run */
	pthread_barrier_wait(&pr->freed); /* and has freed it */
	alloc_run_on_thread(pr->second);
	return NULL;
}

Test(kmalloc, a_consumers_frees_flow_back_to_the_producer_through_the_depot)
{
	static struct producer pr;
	struct kmem_kmalloc_stats st;
	int reused = 0;
	pthread_t t;

	pthread_barrier_init(&pr.freed, NULL, 2);
	pthread_create(&t, NULL, produce_twice, &pr);
	pthread_barrier_wait(&pr.freed);
	for (int i = 0; i < DEPOT_RUN; i++)
		kfree(pr.first[i]);
	kmem_kmalloc_stats(&st);
	cr_assert_geq(st.depot_bytes, (DEPOT_RUN - 64) * 64,
		      "what the consumer's list cannot hold is parked");
	cr_assert_eq(kmem_check(), 0);
	pthread_barrier_wait(&pr.freed);
	pthread_join(t, NULL);

	for (int i = 0; i < DEPOT_RUN; i++)
		reused += in_run(pr.first, pr.second[i]);
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.depot_bytes, 0, "the producer emptied its arena's depot");
	cr_assert_geq(reused, DEPOT_RUN - 64, "and got the parked chunks back");
	for (int i = 0; i < DEPOT_RUN; i++)
		kfree(pr.second[i]);
	assert_drain_returns_every_chunk("producer and consumer");
	pthread_barrier_destroy(&pr.freed);
}

Test(kmalloc, double_free_of_a_chunk_in_the_depot_is_reported)
{
	static void *p[DEPOT_RUN];
	struct kmem_kmalloc_stats st;

	alloc_run_on_thread(p);
	for (int i = 0; i < DEPOT_RUN; i++)
		kfree(p[i]);
	kmem_kmalloc_stats(&st);
	cr_assert_gt(st.depot_bytes, 0);
	capture_reports();
	for (int i = 0; i < DEPOT_RUN; i++)
		kfree(p[i]);
	cr_assert_eq(captured(KMEM_REPORT_BUG), DEPOT_RUN, "every second free is reported");
	cr_assert(captured_contains("double free"));
	cr_assert(captured_contains("or a depot"), "the report says where the chunk waits");
	cr_assert_eq(kmem_check(), 0, "and none of them corrupted a list or the depot");
}

Test(kmalloc, page_reclaim_empties_the_depot)
{
	static void *p[DEPOT_RUN];
	struct kmem_kmalloc_stats st;
	struct kmem_page_stats ps;

	alloc_run_on_thread(p);
	for (int i = 0; i < DEPOT_RUN; i++)
		kfree(p[i]);
	kmem_page_stats(&ps);
	kmem_set_mem_limit(ps.mapped_bytes);
	/* A whole region, which the limit cannot give: reclaim runs first. */
	kfree(kmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN));
	kmem_set_mem_limit(0);
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.depot_bytes, 0, "the depot went back to the heaps");
	cr_assert_eq(kmem_check(), 0);
}

Test(kmalloc, reclaim_while_an_arena_grows_does_not_deadlock)
{
	static void *p[DEPOT_RUN], *big[4096];
	struct kmem_kmalloc_stats st;
	struct kmem_page_stats ps;
	int n = 0;

	alloc_run_on_thread(p);
	for (int i = 0; i < DEPOT_RUN; i++)
		kfree(p[i]);
	kmem_kmalloc_stats(&st);
	cr_assert_gt(st.depot_bytes, 0);
	kmem_page_stats(&ps);
	kmem_set_mem_limit(ps.mapped_bytes);
	/* The arena grows under its lock until the limit stops it: reclaim runs there. */
	while (n < 4096 && (big[n] = kmalloc(3000, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)))
		n++;
	cr_assert_lt(n, 4096, "the limit stops growth");
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.depot_bytes, 0, "the failing allocation emptied the depot first");
	kmem_set_mem_limit(0);
	cr_assert_eq(kmem_check(), 0);
	while (n--)
		kfree(big[n]);
}

Test(kmalloc, memory_limit_gives_null_not_corruption)
{
	struct kmem_page_stats ps;
	void *p[4096];
	int n = 0;

	kfree(kmalloc(8, GFP_KERNEL));
	kmem_page_stats(&ps);
	kmem_set_mem_limit(ps.mapped_bytes);
	while (n < 4096 && (p[n] = kmalloc(3000, GFP_NOWAIT | __GFP_NOWARN)))
		n++;
	cr_assert_lt(n, 4096, "the limit stops growth");
	cr_assert_null(kmalloc(100000, GFP_NOWAIT | __GFP_NOWARN));
	cr_assert_eq(kmem_check(), 0);
	while (n--)
		kfree(p[n]);
	kmem_set_mem_limit(0);
}

Test(kmalloc, kvmalloc_falls_back_to_vmalloc)
{
	unsigned char *small = kvmalloc(100, GFP_KERNEL);
	unsigned char *huge = kvzalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL);
	unsigned char *q;

	cr_assert_not_null(small);
	cr_assert_not(is_vmalloc_addr(small));
	cr_assert_not_null(huge);
	cr_assert(is_vmalloc_addr(huge));
	cr_assert(all_bytes(huge, 0, 4096));
	cr_assert_null(kvmalloc(KMALLOC_MAX_SIZE + 1, GFP_NOWAIT), "no vmalloc without blocking");
	fill_tagged(small, 100, 9);
	q = kvrealloc(small, 2 * KMALLOC_MAX_SIZE, GFP_KERNEL);
	cr_assert(is_vmalloc_addr(q));
	cr_assert(check_tagged(q, 100, 9), "kvrealloc kmalloc -> vmalloc keeps contents");
	q = kvrealloc(q, 3 * KMALLOC_MAX_SIZE, GFP_KERNEL);
	cr_assert(check_tagged(q, 100, 9), "kvrealloc vmalloc -> vmalloc keeps contents");
	kvfree(q);
	kvfree(huge);
	kvfree_sensitive(kvmalloc(50, GFP_KERNEL), 50);
}

/* ---- two threads, cross-thread frees, a shadow model ---------------------- */

#define RING 256
#define STRESS_OPS 40000

struct handoff {
	pthread_mutex_t lock;
	void *ptr[RING];
	size_t size[RING];
	unsigned int head, tail;
};

struct stress_arg {
	struct handoff *out, *in;
	uint64_t seed;
	unsigned long bad;
};

static bool handoff_put(struct handoff *h, void *p, size_t size)
{
	bool ok;

	pthread_mutex_lock(&h->lock);
	ok = h->head - h->tail < RING;
	if (ok) {
		h->ptr[h->head % RING] = p;
		h->size[h->head % RING] = size;
		h->head++;
	}
	pthread_mutex_unlock(&h->lock);
	return ok;
}

static void *handoff_get(struct handoff *h, size_t *size)
{
	void *p = NULL;

	pthread_mutex_lock(&h->lock);
	if (h->head != h->tail) {
		p = h->ptr[h->tail % RING];
		*size = h->size[h->tail % RING];
		h->tail++;
	}
	pthread_mutex_unlock(&h->lock);
	return p;
}

static void *stress_thread(void *argp)
{
	struct stress_arg *arg = argp;
	void *live[64] = {0};
	size_t live_size[64];
	struct prandom_state rng;

	prandom_seed_state(&rng, arg->seed);
	for (int op = 0; op < STRESS_OPS; op++) {
		uint64_t r = prandom_u64_state(&rng);
		unsigned int slot = r % 64;
		size_t size;
		void *p;

		switch ((r >> 8) % 4) {
		case 0:
		case 1: /* allocate, or free a local block */
			if (live[slot]) {
				if (!check_tagged(live[slot], live_size[slot],
						  (uintptr_t)live[slot]))
					arg->bad++;
				kfree(live[slot]);
				live[slot] = NULL;
			} else {
				size = (r >> 16) % 2 ? 1 + (r >> 20) % 512 : 1 + (r >> 20) % 20000;
				live[slot] = kmalloc(size, GFP_KERNEL);
				live_size[slot] = size;
				fill_tagged(live[slot], size, (uintptr_t)live[slot]);
			}
			break;
		case 2: /* hand a block to the other thread */
			size = 1 + (r >> 16) % 1024;
			p = kmalloc(size, GFP_KERNEL);
			fill_tagged(p, size, (uintptr_t)p);
			if (!handoff_put(arg->out, p, size))
				kfree(p);
			break;
		case 3: /* free a block the other thread allocated */
			p = handoff_get(arg->in, &size);
			if (p) {
				if (!check_tagged(p, size, (uintptr_t)p))
					arg->bad++;
				kfree(p);
			}
			break;
		}
	}
	for (int i = 0; i < 64; i++) {
		if (live[i] && !check_tagged(live[i], live_size[i], (uintptr_t)live[i]))
			arg->bad++;
		kfree(live[i]);
	}
	return NULL;
}

Test(kmalloc, two_threads_cross_free_with_a_shadow_model)
{
	struct handoff ab = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct handoff ba = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct stress_arg a = {&ab, &ba, 1, 0}, b = {&ba, &ab, 2, 0};
	struct kmem_kmalloc_stats st;
	pthread_t ta, tb;
	size_t size;
	void *p;

	pthread_create(&ta, NULL, stress_thread, &a);
	pthread_create(&tb, NULL, stress_thread, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	cr_assert_eq(a.bad + b.bad, 0, "every block kept its contents");
	while ((p = handoff_get(&ab, &size)) || (p = handoff_get(&ba, &size))) {
		cr_assert(check_tagged(p, size, (uintptr_t)p));
		kfree(p);
	}
	cr_assert_eq(kmem_check(), 0);
	assert_drain_returns_every_chunk("cross-thread frees");
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.large_count, 0);
}
