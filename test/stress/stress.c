// SPDX-License-Identifier: MIT
/*
 * test/stress/stress.c - bounded-time random-operation stress with a shadow
 * model, run by `make stress` (also under SANITIZE=thread, which Criterion
 * cannot host).
 *
 * Threads share a table of slots.  Each operation picks a slot under the
 * slot's lock: an empty slot gets a new block filled with a pattern derived
 * from a fresh tag; a full slot is verified against its tag and freed, so
 * frees are often made by a thread other than the allocating one.  Meanwhile
 * the main thread flushes every thread's caches (kmem_kmalloc_drain())
 * every few milliseconds, racing the workers' lock-free fast paths.  Any
 * corrupted byte, failed allocation or broken invariant fails the run.
 *
 * Usage: stress [seconds] [threads]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kmem/kmem.h>

#include "lib/prandom.h"

#define SLOTS 1024

enum kind { PAGES, KMALLOC, NR_KINDS };

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
		s->size = prandom_u32_between(rng, 1, prandom_u32_below(rng, 16) ? 2048 : 200000);
		s->mem = kmalloc(s->size, GFP_KERNEL);
		break;
	case PAGES:
	default:
		s->order = prandom_u32_below(rng, 5);
		s->size = PAGE_SIZE << s->order;
		s->mem = (void *)__get_free_pages(GFP_KERNEL, s->order);
		break;
	}
	if (!s->mem) {
		__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
		fprintf(stderr, "stress: allocation failed\n");
		return;
	}
	fill(s->mem, s->size < 512 ? s->size : 512, s->tag);
}

static void slot_free(struct slot *s)
{
	if (verify(s->mem, s->size < 512 ? s->size : 512, s->tag)) {
		__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
		fprintf(stderr, "stress: shadow mismatch in block %p\n", s->mem);
	}
	switch (s->kind) {
	case KMALLOC:
		kfree(s->mem);
		break;
	case PAGES:
	default:
		free_pages((unsigned long)s->mem, s->order);
		break;
	}
	s->mem = NULL;
}

static void *worker(void *arg)
{
	struct prandom_state rng;
	unsigned long ops = 0;

	prandom_seed_state(&rng, (uintptr_t)arg);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct slot *s = &slots[prandom_u32_below(&rng, SLOTS)];

		pthread_mutex_lock(&s->lock);
		if (s->mem)
			slot_free(s);
		else
			slot_alloc(s, &rng);
		pthread_mutex_unlock(&s->lock);
		ops++;
	}
	return (void *)ops;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 5;
	int nthreads = argc > 2 ? atoi(argv[2]) : 4;
	pthread_t tids[64];
	unsigned long total = 0;
	struct timespec nap = {0, 5 * 1000 * 1000}, start, now;
	unsigned long flushes = 0;

	if (nthreads < 1 || nthreads > 64)
		nthreads = 4;
	for (int i = 0; i < SLOTS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&tids[i], NULL, worker, (void *)(uintptr_t)(i + 1));
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
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
	if (kmem_check())
		failures++;
	printf("stress: %d threads, %d s, %lu operations, %lu cross-thread flushes, %lu failures\n",
	       nthreads, seconds, total, flushes, failures);
	return failures ? 1 : 0;
}
