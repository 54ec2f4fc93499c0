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
#include "test/unchecked.h"

TestSuite(kmalloc, .fini = kmem_test_check, .timeout = 30);

/* kmem_kmalloc_drain() leaves no object cached or allocated anywhere. */
static void assert_drain_returns_everything(const char *why)
{
	struct kmem_kmalloc_stats st;

	kmem_kmalloc_drain();
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.cached_bytes, 0, "%s: thread caches and barns", why);
	cr_assert_eq(st.slab_bytes, 0, "%s: kmalloc caches", why);
	cr_assert_eq(st.heap_bytes, 0, "%s: heap", why);
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

Test(kmalloc, powers_of_two_and_sizes_beyond_the_heap_are_page_blocks)
{
	size_t sizes[] = {2 * KMALLOC_MAX_CACHE_SIZE, 1 << 17, (1 << 20) + 1, KMALLOC_MAX_SIZE};

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

Test(kmalloc, the_last_freed_object_of_a_class_is_reused_first)
{
	void *a = kmalloc(64, GFP_KERNEL);
	void *b;

	kfree(a);
	b = kmalloc(60, GFP_KERNEL);
	cr_assert_eq(a, b, "same class: LIFO reuse from the thread's cache of kmalloc-64");
	kfree(b);
}

Test(kmalloc, krealloc_grows_and_shrinks_keeping_contents)
{
	unsigned char *p = kmalloc(100, GFP_KERNEL);
	unsigned char *q;

	fill_tagged(p, 100, 7);
	q = krealloc(p, 5000, GFP_KERNEL); /* kmalloc-128 -> kmalloc-5k */
	cr_assert_not_null(q);
	cr_assert(check_tagged(q, 100, 7), "growing keeps the old bytes");
	cr_assert_geq(ksize(q), 5000);
	p = krealloc(q, 50, GFP_KERNEL);
	cr_assert_eq(p, q, "shrinking a slab object stays in place");
	cr_assert(check_tagged(p, 50, 7));
	q = krealloc(p, 30000, GFP_KERNEL); /* slab -> heap */
	cr_assert(check_tagged(q, 50, 7));
	p = krealloc(q, 9000, GFP_KERNEL);
	cr_assert_eq(p, q, "shrinking a heap chunk stays in place");
	cr_assert_lt(ksize(p), 30000, "the tail went back to the heap");
	q = krealloc(p, 1 << 19, GFP_KERNEL); /* heap -> large */
	cr_assert(check_tagged(q, 50, 7));
	p = krealloc(q, 20, GFP_KERNEL); /* a large block keeps its pages */
	cr_assert_eq(p, q);
	kfree(p);
}

Test(kmalloc, krealloc_grows_in_place_into_a_free_neighbour)
{
	/* Heap sizes: above the slab classes, not powers of two. */
	unsigned char *p = kmalloc(10000, GFP_KERNEL);
	unsigned char *guard = kmalloc(30000, GFP_KERNEL);
	size_t old = ksize(p);
	unsigned char *q;

	fill_tagged(p, 10000, 3);
	/* Free what follows p, then grow p into it. */
	cr_assert_gt(guard, p);
	kfree(guard);
	q = krealloc(p, 20000, GFP_KERNEL | __GFP_ZERO);
	cr_assert_eq(q, p, "grew in place");
	cr_assert(check_tagged(q, 10000, 3));
	cr_assert_geq(ksize(q), 20000);
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
	assert_drain_returns_everything("kfree_bulk");
}

Test(kmalloc, kfree_sensitive_frees)
{
	char *p = kstrdup("secret", GFP_KERNEL);

	kfree_sensitive(p);
	assert_drain_returns_everything("kfree_sensitive");
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
	misuse_begin();
	kfree(p);
	misuse_end();
	cr_assert_eq(captured(KMEM_REPORT_BUG), 5, "an immediate double free into a thread cache");
	cr_assert(captured_contains("double free"));
	cr_assert_eq(ksize(&on_stack), 0);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 6, "ksize of foreign memory");
	kfree(big);
	free(foreign);
}

Test(kmalloc, double_free_of_a_heap_chunk_is_reported)
{
	char *p = kmalloc(10000, GFP_KERNEL);
	char *q = kmalloc(10000, GFP_KERNEL);

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
	kfree(obj); /* this thread has no thread cache yet */
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
		     "the slab object went back to its cache");
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
	p = kmalloc(10, GFP_KERNEL); /* a slab size: the heap is not in use yet */
	cr_assert_eq(kmem_kmalloc_set_fit(KHEAP_BEST_FIT), 0);
	kfree(p);
	p = kmalloc(10000, GFP_KERNEL);
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.fit, KHEAP_BEST_FIT);
	cr_assert_eq(kmem_kmalloc_set_fit(KHEAP_FIRST_FIT), -1, "too late once in use");
	kfree(p);
}

Test(kmalloc, fit_policy_comes_from_the_environment)
{
	struct kmem_kmalloc_stats st;

	setenv("KMEM_HEAP_FIT", "worst", 1);
	kfree(kmalloc(10000, GFP_KERNEL));
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.fit, KHEAP_WORST_FIT);
	cr_assert_geq(st.arenas, 1);
}

static void *alloc_and_free_on_thread(void *arg)
{
	void *p[64];

	(void)arg;
	for (int i = 0; i < 64; i++)
		p[i] = kmalloc(16 + 48 * i, GFP_KERNEL);
	for (int i = 0; i < 64; i++)
		kfree(p[i]);
	return NULL;
}

Test(kmalloc, thread_exit_and_drain_return_every_cached_object)
{
	pthread_t t;

	pthread_create(&t, NULL, alloc_and_free_on_thread, NULL);
	pthread_join(t, NULL);
	alloc_and_free_on_thread(NULL);
	assert_drain_returns_everything("after a thread exited and this one freed");
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
	assert_drain_returns_everything("cross-thread frees");
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.large_count, 0);
}

/* Every power of two from 8 B to 4 MiB, and odd sizes, from several threads. */
static void *alloc_aligned_sizes(void *arg)
{
	static const size_t odd[] = {1, 7, 24, 100, 1000, 3000, 9000, 12289, 100000, 1500000};
	uintptr_t bad = 0;

	(void)arg;
	for (int round = 0; round < 8; round++) {
		void *p[32];
		unsigned int n = 0;

		for (size_t size = 8; size <= KMALLOC_MAX_SIZE; size *= 2) {
			p[n] = kmalloc(size, GFP_KERNEL);
			if (!p[n] || (uintptr_t)p[n] % size)
				bad++;
			n++;
		}
		for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
			p[n] = kmalloc(odd[i], GFP_KERNEL);
			if (!p[n] || (uintptr_t)p[n] % ARCH_KMALLOC_MINALIGN)
				bad++;
			n++;
		}
		while (n--)
			kfree(p[n]);
	}
	return (void *)bad;
}

Test(kmalloc, power_of_two_sizes_are_naturally_aligned_on_every_thread)
{
	pthread_t t[4];
	void *bad;
	void *page = kmalloc(PAGE_SIZE, GFP_KERNEL);

	cr_assert_eq((uintptr_t)page % PAGE_SIZE, 0, "kmalloc(PAGE_SIZE) is page aligned");
	kfree(page);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, alloc_aligned_sizes, NULL);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], &bad);
		cr_assert_null(bad, "thread %d: %lu pointers not aligned as the kernel promises", i,
			       (unsigned long)(uintptr_t)bad);
	}
}

Test(kmalloc, small_sizes_come_from_kmalloc_caches_listed_in_slabinfo)
{
	static const char *const names[] = {"kmalloc-8 ", "kmalloc-96 ", "kmalloc-1k ",
					    "kmalloc-8k "};
	void *p = kmalloc(90, GFP_KERNEL);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	cr_assert_eq(ksize(p), 96, "ksize() is the class size");
	cr_assert_eq(kmalloc_size_roundup(90), 96);
	cr_assert_eq(kmalloc_size_roundup(8192), 8192);
	kmem_slabinfo(out);
	fclose(out);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_not_null(strstr(buf, names[i]), "slabinfo lists %s", names[i]);
	free(buf);
	kfree(p);
}

Test(kmalloc, odd_medium_sizes_get_a_tight_heap_chunk)
{
	void *p = kmalloc(12289, GFP_KERNEL);

	cr_assert_geq(ksize(p), 12289);
	cr_assert_lt(ksize(p), 12289 + 16, "a heap chunk, not 16 KiB of pages");
	cr_assert_eq(ksize(p), kmalloc_size_roundup(12289));
	kfree(p);
}

#define LIMIT_BLOCKS 64

/* 4000 kmallocs of 16..65000 bytes, 256 live at a time, all freed at the end. */
static void *churn_then_idle(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	void *p[256] = {NULL};

	for (int i = 0; i < 4000; i++) {
		seed = seed * 1103515245 + 12345;
		kfree(p[i % 256]);
		p[i % 256] = kmalloc(16 + (seed >> 8) % 64985, GFP_KERNEL);
	}
	for (int i = 0; i < 256; i++)
		kfree(p[i]);
	return NULL;
}

static void *idle_until_told(void *arg)
{
	pthread_barrier_t *b = arg;

	churn_then_idle((void *)(uintptr_t)b);
	pthread_barrier_wait(b); /* freed everything, now idle */
	pthread_barrier_wait(b); /* until the main thread is done */
	return NULL;
}

static void *grab_megabytes(void *arg)
{
	void **blocks = arg;
	uintptr_t got = 0;

	for (int i = 0; i < LIMIT_BLOCKS; i++)
		if ((blocks[i] = kmalloc(1 << 20, GFP_KERNEL | __GFP_NOWARN)))
			got++;
	return (void *)got;
}

Test(kmalloc, idle_threads_do_not_pin_memory_under_a_limit)
{
	pthread_barrier_t b;
	pthread_t idle[2], fresh;
	void *blocks[LIMIT_BLOCKS];
	void *got;

	kmem_set_mem_limit(64UL << 20);
	pthread_barrier_init(&b, NULL, 3);
	for (int i = 0; i < 2; i++)
		pthread_create(&idle[i], NULL, idle_until_told, &b);
	pthread_barrier_wait(&b);
	pthread_create(&fresh, NULL, grab_megabytes, blocks);
	pthread_join(fresh, &got);
	cr_assert_geq((uintptr_t)got, 60, "a new thread got %lu of %d 1 MiB blocks",
		      (unsigned long)(uintptr_t)got, LIMIT_BLOCKS);
	for (int i = 0; i < LIMIT_BLOCKS; i++)
		kfree(blocks[i]);
	pthread_barrier_wait(&b);
	for (int i = 0; i < 2; i++)
		pthread_join(idle[i], NULL);
	kmem_set_mem_limit(0);
}

Test(kmalloc, constant_sizes_pick_the_same_class_at_compile_time)
{
	void *p = kmalloc(100, GFP_KERNEL); /* folded to kmem_kmalloc_class(7) */
	void *q = kzalloc(4000, GFP_KERNEL);

	cr_assert_eq(ksize(p), 112);
	cr_assert_eq(ksize(q), 4096);
	kfree(p);
	kfree(q);
	/* The header's formula against the library's classes, at every size. */
	for (size_t size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
		size_t class_size = kmalloc_size_roundup(size);
		unsigned int index = kmem_kmalloc_index(size);

		cr_assert_eq(index, kmem_kmalloc_index(class_size), "size %zu", size);
		if (class_size < KMALLOC_MAX_CACHE_SIZE)
			cr_assert_eq(kmem_kmalloc_index(class_size + 1), index + 1, "size %zu",
				     size);
	}
	cr_assert_eq(kmem_kmalloc_index(KMALLOC_MAX_CACHE_SIZE), 32);
}
