// SPDX-License-Identifier: MIT
/*
 * test/stress/stress.c - bounded-time random-operation stress with a shadow
 * model, run by `make stress` (also under SANITIZE=thread, which Criterion
 * cannot host).
 *
 * Threads share a table of slots.  Each operation picks a slot under the
 * slot's lock: an empty slot gets a new block (pages, kmalloc or kvmalloc)
 * filled with a pattern derived from a fresh tag; a full slot is verified
 * against its tag and then freed or resized (krealloc, kvrealloc), so frees
 * are often made by a thread other than the allocating one.  Meanwhile the
 * main thread flushes every thread's caches (kmem_kmalloc_drain()) every
 * few milliseconds, racing the workers' lock-free fast paths, and reads and
 * sets the kmalloc configuration (kmem_kmalloc_stats(),
 * kmem_kmalloc_set_fit(), kmem_meminfo()); each worker sets the fit policy
 * as it starts, racing the lazy set-up of the others.
 *
 * Any corrupted byte, broken invariant or memory left in kmalloc after
 * every block is freed fails the run, and so does a failed allocation
 * unless failures are being injected (KMEM_FAIL_SLAB or
 * KMEM_FAIL_PAGE_ALLOC set, as `make check-faults` does): then a failed
 * allocation or resize must leave the slot as it was, and is counted.
 *
 * Usage: stress [seconds] [threads]
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kmem/kmem.h>

#include "lib/prandom.h"

#define SLOTS 1024

enum kind { PAGES, KMALLOC, KVMALLOC, NR_KINDS };

struct slot {
	pthread_mutex_t lock;
	enum kind kind;
	void *mem;
	size_t size;
	unsigned int order;
	uint64_t tag;
};

static struct slot slots[SLOTS];
static int stop;
static unsigned long failures;
static bool injecting;		    /* KMEM_FAIL_* is set: allocations may fail */
static unsigned long failed_allocs; /* ... and these did */

static __attribute__((format(printf, 1, 2))) void fail(const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	fputs("stress: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* A block of 1..2048 bytes mostly, sometimes up to 200000. */
static size_t random_size(struct prandom_state *rng)
{
	return prandom_u32_between(rng, 1, prandom_u32_below(rng, 16) ? 2048 : 200000);
}

/* An allocation returned NULL: a failure unless one is being injected. */
static void allocation_failed(const char *what)
{
	if (injecting)
		__atomic_fetch_add(&failed_allocs, 1, __ATOMIC_RELAXED);
	else
		fail("%s", what);
}

static void fill(unsigned char *p, size_t n, uint64_t tag)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(tag + i * 13);
}

static int verify(const unsigned char *p, size_t n, uint64_t tag)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(tag + i * 13))
			return -1;
	return 0;
}

static void slot_alloc(struct slot *s, struct prandom_state *rng)
{
	s->kind = (enum kind)prandom_u32_below(rng, NR_KINDS);
	s->tag = prandom_u64_state(rng);
	switch (s->kind) {
	case KMALLOC:
		s->size = random_size(rng);
		s->mem = kmalloc(s->size, GFP_KERNEL);
		break;
	case KVMALLOC:
		/* Now and then beyond KMALLOC_MAX_SIZE: a vmalloc area. */
		s->size = prandom_u32_below(rng, 64) ? random_size(rng) : 5UL << 20;
		s->mem = kvmalloc(s->size, GFP_KERNEL);
		break;
	case PAGES:
	default:
		s->order = prandom_u32_below(rng, 5);
		s->size = PAGE_SIZE << s->order;
		s->mem = (void *)__get_free_pages(GFP_KERNEL, s->order);
		break;
	}
	if (!s->mem) {
		allocation_failed("allocation failed");
		return;
	}
	fill(s->mem, s->size < 512 ? s->size : 512, s->tag);
}

static void slot_verify(struct slot *s)
{
	if (verify(s->mem, s->size < 512 ? s->size : 512, s->tag))
		fail("shadow mismatch in block %p", s->mem);
}

/* Resize a kmalloc or kvmalloc block; the pattern must survive. */
static void slot_resize(struct slot *s, struct prandom_state *rng)
{
	size_t size = random_size(rng);
	void *n = s->kind == KMALLOC ? krealloc(s->mem, size, GFP_KERNEL) :
				       kvrealloc(s->mem, size, GFP_KERNEL);

	if (!n) {
		allocation_failed("resize failed");
		return; /* the old block is untouched */
	}
	s->mem = n;
	if (size < s->size)
		s->size = size;
	slot_verify(s);
	s->size = size;
	fill(s->mem, s->size < 512 ? s->size : 512, s->tag);
}

static void slot_free(struct slot *s)
{
	slot_verify(s);
	switch (s->kind) {
	case KMALLOC:
		kfree(s->mem);
		break;
	case KVMALLOC:
		kvfree(s->mem);
		break;
	case PAGES:
	default:
		free_pages((unsigned long)s->mem, s->order);
		break;
	}
	s->mem = NULL;
}

/*
 * The fit policy read back must be accepted again.  Each worker sets it as
 * it starts, racing the other workers' first heap allocations, which fix
 * it, and the main thread, which does the same all along.
 */
static void set_fit_as_reported(void)
{
	struct kmem_kmalloc_stats st;

	kmem_kmalloc_stats(&st);
	if (kmem_kmalloc_set_fit(st.fit))
		fail("kmem_kmalloc_set_fit(%d) refused the fit kmem_kmalloc_stats() reported",
		     st.fit);
}

/* The main thread's configuration calls while the workers set up and run. */
static void poke_configuration(FILE *devnull, unsigned long round)
{
	set_fit_as_reported();
	if (round % 16 == 0)
		kmem_meminfo(devnull);
}

static void *worker(void *arg)
{
	struct prandom_state rng;
	unsigned long ops = 0;

	prandom_seed_state(&rng, (uintptr_t)arg);
	set_fit_as_reported();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct slot *s = &slots[prandom_u32_below(&rng, SLOTS)];

		pthread_mutex_lock(&s->lock);
		if (!s->mem)
			slot_alloc(s, &rng);
		else if (s->kind != PAGES && !prandom_u32_below(&rng, 4))
			slot_resize(s, &rng);
		else
			slot_free(s);
		pthread_mutex_unlock(&s->lock);
		ops++;
	}
	return (void *)ops;
}

/* After every block is freed and the caches drained, kmalloc holds nothing. */
static void check_all_memory_back(void)
{
	struct kmem_kmalloc_stats st;

	kmem_kmalloc_drain();
	kmem_kmalloc_stats(&st);
	if (st.slab_bytes || st.cached_bytes || st.heap_bytes || st.large_bytes || st.large_count)
		fail("memory left in kmalloc after every block was freed: slab %zu, cached %zu, "
		     "heap %zu, large %zu bytes in %lu blocks",
		     st.slab_bytes, st.cached_bytes, st.heap_bytes, st.large_bytes, st.large_count);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 5;
	int nthreads = argc > 2 ? atoi(argv[2]) : 4;
	pthread_t tids[64];
	unsigned long total = 0;
	struct timespec nap = {0, 5 * 1000 * 1000}, start, now;
	unsigned long flushes = 0;
	FILE *devnull = fopen("/dev/null", "w");

	if (nthreads < 1 || nthreads > 64)
		nthreads = 4;
	if (!devnull)
		return 2;
	injecting = getenv("KMEM_FAIL_SLAB") || getenv("KMEM_FAIL_PAGE_ALLOC");
	for (int i = 0; i < SLOTS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&tids[i], NULL, worker, (void *)(uintptr_t)(i + 1));
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		poke_configuration(devnull, flushes);
		/* No nap at first: the reads race the workers' set-up. */
		if (flushes >= 64)
			nanosleep(&nap, NULL);
		kmem_kmalloc_drain();
		flushes++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < seconds);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nthreads; i++) {
		void *ops;

		pthread_join(tids[i], &ops);
		total += (unsigned long)ops;
	}
	if (kmem_check())
		failures++;
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].mem)
			slot_free(&slots[i]);
	check_all_memory_back();
	if (kmem_check())
		failures++;
	fclose(devnull);
	printf("stress: %d threads, %d s, %lu operations, %lu cross-thread flushes, ", nthreads,
	       seconds, total, flushes);
	if (injecting)
		printf("%lu failed allocations (injected), ", failed_allocs);
	printf("%lu failures\n", failures);
	return failures ? 1 : 0;
}
