// SPDX-License-Identifier: MIT
/*
 * test/slab/test_testing.c - the test hooks of kmem/testing.h: budgets for
 * allocations that may not block, the failure callback, exact counters and
 * the observer (slab/testing.c, lib/testing.c, mm/kmalloc.c).
 */
#include <criterion/criterion.h>
#include <pthread.h>

#include "mm/internal.h"
#include "test/helpers.h"

static void hooks_off(void)
{
	kmem_testing_disable();
	kmem_testing_set_observer(NULL, NULL);
	kmem_test_check();
}

TestSuite(testing, .fini = hooks_off, .timeout = 30);

struct node {
	void *parent;
	unsigned long slots[6];
};

static struct kmem_cache *named_cache(const char *name, slab_flags_t flags)
{
	struct kmem_cache *s = kmem_cache_create(name, sizeof(struct node), 0, flags, NULL);

	cr_assert_not_null(s);
	return s;
}

static struct kmem_cache *node_cache(slab_flags_t flags)
{
	return named_cache("testing_node", flags);
}

Test(testing, nonblocking_allocation_fails_without_budget_only_while_enabled)
{
	struct kmem_cache *s = node_cache(0);
	void *before = kmem_cache_alloc(s, GFP_NOWAIT);
	void *atomic, *blocking;

	cr_assert_not_null(before, "hooks off: no budget applies");
	kmem_testing_enable();
	cr_assert(kmem_testing_enabled());
	atomic = kmem_cache_alloc(s, GFP_NOWAIT);
	blocking = kmem_cache_alloc(s, GFP_KERNEL);
	cr_expect_null(atomic, "GFP_NOWAIT with a zero budget");
	cr_expect_not_null(blocking, "__GFP_DIRECT_RECLAIM needs no budget");
	kmem_cache_free(s, blocking);
	kmem_testing_disable();
	kmem_cache_free(s, before);
	kmem_cache_destroy(s);
}

Test(testing, each_nonblocking_allocation_takes_one_from_the_budget)
{
	struct kmem_cache *s = node_cache(0);
	void *p[3];

	kmem_testing_enable();
	kmem_testing_set_budget(s, 2);
	for (int i = 0; i < 3; i++)
		p[i] = kmem_cache_alloc(s, GFP_ATOMIC);
	cr_expect_not_null(p[0]);
	cr_expect_not_null(p[1]);
	cr_expect_null(p[2], "the budget of two is spent");
	cr_expect_eq(kmem_testing_budget(s), 0);
	kmem_cache_free(s, p[0]);
	kmem_cache_free(s, p[1]);
	kmem_cache_destroy(s);
}

Test(testing, budget_applies_to_caches_without_a_thread_cache)
{
	/* A debug cache allocates under its lock, never from a thread stack. */
	struct kmem_cache *s = node_cache(SLAB_POISON);
	void *p;

	kmem_testing_enable();
	cr_expect_null(kmem_cache_alloc(s, GFP_NOWAIT));
	kmem_testing_set_budget(s, 1);
	p = kmem_cache_alloc(s, GFP_NOWAIT);
	cr_expect_not_null(p);
	cr_expect_eq(kmem_testing_live(s), 1);
	kmem_cache_free(s, p);
	cr_expect_eq(kmem_testing_live(s), 0);
	kmem_cache_destroy(s);
}

struct callback_log {
	struct kmem_cache *s;
	int calls;
	long live_seen;
};

static void on_failure(void *data)
{
	struct callback_log *log = data;

	log->calls++;
	log->live_seen = kmem_testing_live(log->s);
}

Test(testing, failure_callback_runs_once_on_the_next_allocation)
{
	struct kmem_cache *s = node_cache(0);
	struct callback_log log = {.s = s};
	void *held, *next, *after;

	kmem_testing_enable();
	kmem_testing_set_callback(s, on_failure);
	kmem_testing_set_private(s, &log);
	held = kmem_cache_alloc(s, GFP_KERNEL);
	cr_expect_eq(log.calls, 0, "no failure yet");
	cr_expect_null(kmem_cache_alloc(s, GFP_NOWAIT));
	cr_expect_eq(log.calls, 0, "the callback waits for the next allocation");
	next = kmem_cache_alloc(s, GFP_KERNEL);
	cr_expect_eq(log.calls, 1);
	cr_expect_eq(log.live_seen, 1, "it runs before that allocation");
	after = kmem_cache_alloc(s, GFP_KERNEL);
	cr_expect_eq(log.calls, 1, "once per failure");
	kmem_cache_free(s, held);
	kmem_cache_free(s, next);
	kmem_cache_free(s, after);
	kmem_cache_destroy(s);
}

Test(testing, counters_are_exact_across_fast_and_slow_paths)
{
	enum { N = 1000 }; /* many thread-cache refills and flushes */
	struct kmem_cache *a = named_cache("testing_a", 0), *b = named_cache("testing_b", 0);
	static void *objs[N];
	void *other;

	kmem_testing_enable();
	for (int i = 0; i < N; i++)
		objs[i] = kmem_cache_alloc(a, GFP_KERNEL);
	other = kmem_cache_alloc(b, GFP_KERNEL);
	cr_expect_eq(kmem_testing_live(a), N);
	cr_expect_eq(kmem_testing_total(a), N);
	cr_expect_eq(kmem_testing_live(b), 1);
	cr_expect_eq(kmem_testing_slab_live(), N + 1);
	cr_expect_eq(kmem_testing_slab_total(), N + 1);
	for (int i = 0; i < N; i += 2)
		kmem_cache_free(a, objs[i]);
	for (int i = 1; i < N; i += 2)
		kfree(objs[i]); /* kfree() of a cache object counts as its free */
	cr_expect_eq(kmem_testing_live(a), 0);
	cr_expect_eq(kmem_testing_total(a), N, "a free leaves the total");
	kmem_testing_reset_total(a);
	cr_expect_eq(kmem_testing_total(a), 0);
	cr_expect_eq(kmem_testing_total(b), 1, "reset is per cache");
	kmem_testing_reset_slab_total();
	cr_expect_eq(kmem_testing_slab_total(), 0);
	cr_expect_eq(kmem_testing_slab_live(), 1);
	kmem_cache_free(b, other);
	cr_expect_eq(kmem_testing_slab_live(), 0);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}

Test(testing, failed_bulk_allocation_leaves_counts_unchanged)
{
	struct kmem_cache *s = node_cache(0);
	void *p[8];

	kmem_testing_enable();
	kmem_testing_set_budget(s, 5);
	cr_expect_eq(kmem_cache_alloc_bulk(s, GFP_NOWAIT, 8, p), 0);
	cr_expect_eq(kmem_testing_live(s), 0);
	cr_expect_eq(kmem_cache_alloc_bulk(s, GFP_KERNEL, 8, p), 8);
	cr_expect_eq(kmem_testing_live(s), 8);
	kmem_cache_free_bulk(s, 8, p);
	cr_expect_eq(kmem_testing_live(s), 0);
	kmem_cache_destroy(s);
}

Test(testing, kmalloc_has_one_budget_for_every_size)
{
	/* A kmalloc cache, a heap chunk and a block of pages. */
	static const size_t sizes[] = {64, 10000, 65536};
	void *p[3];

	kmem_testing_enable();
	for (int i = 0; i < 3; i++)
		cr_expect_null(kmalloc(sizes[i], GFP_NOWAIT), "%zu bytes", sizes[i]);
	cr_expect_null(kmalloc_aligned(100, 64, GFP_NOWAIT));
	kmem_testing_set_kmalloc_budget(3);
	for (int i = 0; i < 3; i++) {
		p[i] = kmalloc(sizes[i], GFP_NOWAIT);
		cr_expect_not_null(p[i], "%zu bytes", sizes[i]);
	}
	cr_expect_null(kmalloc(64, GFP_NOWAIT), "the budget of three is spent");
	cr_expect_eq(kmem_testing_kmalloc_live(), 3);
	cr_expect_eq(kmem_testing_kmalloc_total(), 3);
	cr_expect_eq(kmem_testing_slab_live(), 0, "kmalloc is counted apart");
	for (int i = 0; i < 3; i++)
		kfree(p[i]);
	cr_expect_eq(kmem_testing_kmalloc_live(), 0);
	kmem_testing_reset_kmalloc_total();
	cr_expect_eq(kmem_testing_kmalloc_total(), 0);
}

struct observed {
	int allocs, frees, kmallocs;
	const void *last;
};

static void observe(struct kmem_cache *s, const void *object, bool kmalloc, bool alloc, void *data)
{
	struct observed *o = data;

	(void)s;
	o->last = object;
	if (alloc)
		o->allocs++;
	else
		o->frees++;
	if (kmalloc)
		o->kmallocs++;
}

Test(testing, observer_sees_every_counted_allocation_and_free)
{
	struct kmem_cache *s = node_cache(0);
	struct observed o = {0};
	void *obj, *buf;

	kmem_testing_set_observer(observe, &o);
	kmem_testing_enable();
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	cr_expect_eq(o.last, obj);
	buf = kmalloc(40, GFP_KERNEL);
	cr_expect_eq(o.last, buf);
	kfree(buf);
	kmem_cache_free(s, obj);
	cr_expect_eq(o.allocs, 2);
	cr_expect_eq(o.frees, 2);
	cr_expect_eq(o.kmallocs, 2, "the kmalloc buffer, allocated and freed");
	kmem_cache_destroy(s);
}

Test(testing, objects_in_a_thread_cache_meet_the_hooks)
{
	enum { N = 32 };
	struct kmem_cache *s = node_cache(0);
	void *warm[N], *p;

	/* Hooks off: the objects go to this thread's stack, the fast path. */
	for (int i = 0; i < N; i++)
		warm[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (int i = 0; i < N; i++)
		kmem_cache_free(s, warm[i]);
	kmem_testing_enable();
	cr_expect_null(kmem_cache_alloc(s, GFP_NOWAIT), "a cached object is still budgeted");
	kmem_testing_set_budget(s, 1);
	p = kmem_cache_alloc(s, GFP_NOWAIT);
	cr_expect_not_null(p);
	cr_expect_eq(kmem_testing_live(s), 1);
	kmem_cache_free(s, p);
	cr_expect_eq(kmem_testing_live(s), 0, "a free to the thread's stack is counted");
	kmem_cache_destroy(s);
}

static void *alloc_nowait(void *cache)
{
	return kmem_cache_alloc(cache, GFP_NOWAIT);
}

Test(testing, threads_started_after_enabling_meet_the_hooks)
{
	struct kmem_cache *s = node_cache(0);
	pthread_t thread;
	void *got;

	kmem_testing_enable();
	cr_assert_eq(pthread_create(&thread, NULL, alloc_nowait, s), 0);
	cr_assert_eq(pthread_join(thread, &got), 0);
	cr_expect_null(got);
	kmem_testing_set_budget(s, 1);
	cr_assert_eq(pthread_create(&thread, NULL, alloc_nowait, s), 0);
	cr_assert_eq(pthread_join(thread, &got), 0);
	cr_expect_not_null(got);
	cr_expect_eq(kmem_testing_live(s), 1);
	kmem_cache_free(s, got);
	kmem_cache_destroy(s);
}
