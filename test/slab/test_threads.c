// SPDX-License-Identifier: MIT
/*
 * test/slab/test_threads.c - slab caches under several threads: cross-thread
 * frees, thread exit, destroy while other threads hold cached objects.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/prandom.h"
#include "test/helpers.h"

TestSuite(slab_threads, .fini = kmem_test_check, .timeout = 60);

#define RING_SIZE 1024
#define TRANSFERS 200000
#define OBJ_SIZE 64

/* A bounded single-producer single-consumer ring. */
struct ring {
	void *slot[RING_SIZE];
	unsigned long head; /* written by the producer */
	unsigned long tail; /* written by the consumer */
	struct kmem_cache *cache;
	unsigned long bad;
	unsigned long peak_slabs;
};

static void *producer(void *arg)
{
	struct ring *r = arg;

	for (unsigned long i = 0; i < TRANSFERS; i++) {
		uint64_t *obj;

		/* Under make check-faults an allocation may fail: try again. */
		while (!(obj = kmem_cache_alloc(r->cache, GFP_KERNEL)))
			sched_yield();
		obj[0] = i;
		fill_tagged(obj + 1, OBJ_SIZE - 8, i);
		while (i - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= RING_SIZE)
			sched_yield();
		r->slot[i % RING_SIZE] = obj;
		__atomic_store_n(&r->head, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct ring *r = arg;

	for (unsigned long i = 0; i < TRANSFERS; i++) {
		uint64_t *obj;

		while (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) == i)
			sched_yield();
		obj = r->slot[i % RING_SIZE];
		if (obj[0] != i || !check_tagged(obj + 1, OBJ_SIZE - 8, i))
			r->bad++;
		kmem_cache_free(r->cache, obj);
		__atomic_store_n(&r->tail, i + 1, __ATOMIC_RELEASE);
		if (i % 1024 == 0) {
			struct kmem_cache_stats st;

			kmem_cache_stats(r->cache, &st);
			if (st.slabs > r->peak_slabs)
				r->peak_slabs = st.slabs;
		}
	}
	return NULL;
}

Test(slab_threads, producer_consumer_with_remote_frees_keeps_objects_intact_and_bounded)
{
	static struct ring r;
	struct kmem_cache_stats st;
	pthread_t p, c;

	r.cache = kmem_cache_create("pc", OBJ_SIZE, 0, 0, NULL);
	cr_assert_not_null(r.cache);
	pthread_create(&c, NULL, consumer, &r);
	pthread_create(&p, NULL, producer, &r);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	cr_assert_eq(r.bad, 0, "every object arrived with its tag intact");
	kmem_cache_stats(r.cache, &st);
	cr_assert_eq(st.allocs, TRANSFERS);
	cr_assert_eq(st.frees, TRANSFERS);
	cr_assert_gt(st.remote_frees, 0, "frees happened on the other thread");
	cr_assert_eq(st.active_objs, st.cached_objs,
		     "exited threads gave their objects back (to the slabs or the barn)");
	kmem_cache_shrink(r.cache);
	kmem_cache_stats(r.cache, &st);
	cr_assert_eq(st.active_objs, 0, "shrink takes back what the barn holds");
	/* Memory is bounded by the ring and the two stacks, not by TRANSFERS. */
	cr_assert_leq(r.peak_slabs * st.objects_per_slab, 4 * RING_SIZE,
		      "%lu slabs at peak for %u objects in flight", r.peak_slabs, RING_SIZE);
	kmem_cache_destroy(r.cache);
}

struct exit_arg {
	struct kmem_cache *cache;
	void *kept[100];
};

static void *alloc_some_and_exit(void *arg)
{
	struct exit_arg *a = arg;
	void *tmp[300];

	for (int i = 0; i < 300; i++)
		tmp[i] = kmem_cache_alloc(a->cache, GFP_KERNEL);
	for (int i = 0; i < 100; i++)
		a->kept[i] = tmp[i];
	for (int i = 100; i < 300; i++)
		kmem_cache_free(a->cache, tmp[i]);
	return NULL;
}

Test(slab_threads, thread_exit_returns_its_cached_objects)
{
	struct kmem_cache *s = kmem_cache_create("exiting", 128, 0, 0, NULL);
	struct exit_arg args[4];
	pthread_t t[4];
	struct kmem_cache_stats st;

	for (int i = 0; i < 4; i++) {
		args[i].cache = s;
		pthread_create(&t[i], NULL, alloc_some_and_exit, &args[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	kmem_cache_stats(s, &st);
	/* Objects cached now are in the barn: live threads have no stack of @s. */
	cr_assert_eq(st.active_objs, 400 + st.cached_objs,
		     "no objects stranded in dead threads' stacks");
	kmem_cache_shrink(s);
	kmem_cache_stats(s, &st);
	cr_assert_eq(st.cached_objs, 0);
	cr_assert_eq(st.active_objs, 400, "only the kept objects are allocated");
	cr_assert_eq(kmem_check(), 0);
	for (int i = 0; i < 4; i++)
		kmem_cache_free_bulk(s, 100, args[i].kept);
	kmem_cache_shrink(s);
	kmem_cache_stats(s, &st);
	cr_assert_eq(st.slabs, 0);
	kmem_cache_destroy(s);
}

struct waiter {
	struct kmem_cache *cache;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stage;
};

static void *cache_then_wait(void *arg)
{
	struct waiter *w = arg;
	void *p[50];

	for (int i = 0; i < 50; i++)
		p[i] = kmem_cache_alloc(w->cache, GFP_KERNEL);
	kmem_cache_free_bulk(w->cache, 50, p);
	pthread_mutex_lock(&w->lock);
	w->stage = 1;
	pthread_cond_broadcast(&w->cond);
	while (w->stage != 2)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

Test(slab_threads, destroy_takes_back_objects_cached_by_live_threads)
{
	struct waiter w = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	pthread_t t;

	capture_reports();
	w.cache = kmem_cache_create("cached-elsewhere", 64, 0, 0, NULL);
	pthread_create(&t, NULL, cache_then_wait, &w);
	pthread_mutex_lock(&w.lock);
	while (w.stage != 1)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	kmem_cache_destroy(w.cache);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 0, "no leak: the live thread's stack was drained");
	/* A new cache may reuse the id; the waiting thread's stack must be clean. */
	w.cache = kmem_cache_create("reuser", 64, 0, 0, NULL);
	cr_assert_eq(kmem_check(), 0);
	pthread_mutex_lock(&w.lock);
	w.stage = 2;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(t, NULL);
	kmem_cache_destroy(w.cache);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 0);
}

static struct kmem_cache *key_cache;
static pthread_key_t late_key;

static void late_destructor(void *p)
{
	/* Runs in whatever order relative to kmem's own exit destructor. */
	kmem_cache_free(key_cache, p);
	kmem_cache_free(key_cache, kmem_cache_alloc(key_cache, GFP_KERNEL));
}

static void *free_in_destructor(void *arg)
{
	(void)arg;
	kmem_cache_free(key_cache, kmem_cache_alloc(key_cache, GFP_KERNEL));
	pthread_setspecific(late_key, kmem_cache_alloc(key_cache, GFP_KERNEL));
	return NULL;
}

Test(slab_threads, frees_from_other_exit_destructors_are_not_stranded)
{
	struct kmem_cache_stats st;
	pthread_t t[4];

	key_cache = kmem_cache_create("late", 64, 0, 0, NULL);
	pthread_key_create(&late_key, late_destructor);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, free_in_destructor, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	kmem_cache_stats(key_cache, &st);
	cr_assert_eq(st.active_objs, 0);
	cr_assert_eq(st.allocs, 12);
	cr_assert_eq(st.frees, 12);
	kmem_cache_destroy(key_cache);
}

struct mixer {
	struct kmem_cache *cache;
	void **shared;
	unsigned int seed;
};

#define SHARED_SLOTS 4096

static void *mix(void *arg)
{
	struct mixer *m = arg;
	struct prandom_state rng;

	prandom_seed_state(&rng, m->seed);
	for (int i = 0; i < 100000; i++) {
		unsigned int slot = prandom_u32_below(&rng, SHARED_SLOTS);
		void *mine = kmem_cache_alloc(m->cache, GFP_KERNEL);
		void *old = __atomic_exchange_n(&m->shared[slot], mine, __ATOMIC_ACQ_REL);

		if (old)
			kmem_cache_free(m->cache, old);
	}
	return NULL;
}

Test(slab_threads, many_threads_swapping_objects_stay_consistent)
{
	static void *shared[SHARED_SLOTS];
	struct mixer m[4];
	pthread_t t[4];
	struct kmem_cache *s = kmem_cache_create("mix", 48, 0, 0, NULL);

	for (int i = 0; i < 4; i++) {
		m[i] = (struct mixer){.cache = s, .shared = shared, .seed = 17 + i};
		pthread_create(&t[i], NULL, mix, &m[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(kmem_check(), 0);
	for (int i = 0; i < SHARED_SLOTS; i++)
		kmem_cache_free(s, shared[i]);
	kmem_cache_destroy(s);
}

Test(slab_threads, forked_child_can_allocate_from_existing_caches)
{
	struct kmem_cache *s = kmem_cache_create("forked", 64, 0, 0, NULL);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		void *q = kmem_cache_alloc(s, GFP_KERNEL);

		kmem_cache_free(s, q);
		kmem_cache_free(s, p);
		_exit(kmem_check() == 0 ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}
