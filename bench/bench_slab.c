// SPDX-License-Identifier: MIT
/*
 * bench/bench_slab.c - a slab cache of 64-byte objects against the peers'
 * malloc(64)/free.
 *
 * kmem's column is kmem_cache_alloc/kmem_cache_free on a cache made with
 * kmem_cache_create("bench64", 64, 0, 0, NULL).  Rows are ns per object
 * (per alloc+free pair for the hot pair), except the memory row:
 *   memory overhead  resident bytes per live object beyond its 64 bytes,
 *                    for 1M objects allocated in a child process
 *   hot pair         alloc+free of one object, repeated
 *   batch 1M LIFO    allocate 1M objects, free them newest first
 *   batch 1M random  allocate 1M objects, free them in a random order
 *   random-order batch 512, 4096
 *                    allocate a batch, free it in a fresh random
 *                    permutation, repeat (the permutation is drawn outside
 *                    the timed part)
 *   bulk 16          kmem_cache_alloc_bulk/free_bulk of 16 (peers: 16
 *                    mallocs, 16 frees)
 *   prod/cons        two threads, every object freed by the other thread
 *                    through the ring
 *
 * Under each row: kmem's value divided by each column's (below 1: kmem
 * takes less time or memory).  Every timed row runs once at a tenth of its
 * size first, to warm the caches.
 *
 * Usage: bench_slab [--quick | SCALE]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmem/kmem.h>

#include "harness.h"

#define OBJ 64
#define BIG_BATCH (1L << 20)
#define MIN_BATCH 4096

static struct kmem_cache *cache;
static void **objs;
static unsigned int *order;

static void *cache_alloc(size_t size)
{
	(void)size;
	return kmem_cache_alloc(cache, GFP_KERNEL);
}

static void cache_free(void *p)
{
	kmem_cache_free(cache, p);
}

static double hot_pair(const struct peer *col, long iters)
{
	return pair(col, iters, OBJ);
}

/*
 * ns per object: allocate @size objects and free them newest first or in a
 * random permutation, until @total objects have passed.  The permutations
 * come from one seed, so every column frees in the same orders.
 */
static double batch(const struct peer *col, long size, long total, bool random_order)
{
	long rounds = total > size ? total / size : 1;
	struct prandom_state rng;
	uint64_t ns = 0;

	prandom_seed_state(&rng, (uint64_t)size);
	for (long i = 0; i < size; i++)
		order[i] = (unsigned int)(size - 1 - i);
	for (long r = 0; r < rounds; r++) {
		uint64_t t0;

		for (long i = size - 1; random_order && i > 0; i--) {
			unsigned int j = prandom_u32_below(&rng, (uint32_t)i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		t0 = now_ns();
		for (long i = 0; i < size; i++)
			objs[i] = col->malloc(OBJ);
		for (long i = 0; i < size; i++)
			col->free(objs[order[i]]);
		ns += now_ns() - t0;
	}
	return (double)ns / (double)(rounds * size);
}

static double batch_lifo(const struct peer *col, long size)
{
	return batch(col, size, size, false);
}

static double batch_random(const struct peer *col, long size)
{
	return batch(col, size, size, true);
}

static double random_order_512(const struct peer *col, long total)
{
	return batch(col, 512, total, true);
}

static double random_order_4096(const struct peer *col, long total)
{
	return batch(col, 4096, total, true);
}

static double bulk16(const struct peer *col, long rounds)
{
	void *p[16];
	uint64_t t0 = now_ns();

	for (long r = 0; r < rounds; r++) {
		if (col->malloc == cache_alloc) {
			kmem_cache_alloc_bulk(cache, GFP_KERNEL, 16, p);
			kmem_cache_free_bulk(cache, 16, p);
		} else {
			for (int i = 0; i < 16; i++)
				p[i] = col->malloc(OBJ);
			for (int i = 0; i < 16; i++)
				col->free(p[i]);
		}
	}
	return (double)(now_ns() - t0) / (double)(rounds * 16);
}

static double prodcons(const struct peer *col, long count)
{
	return producer_consumer(col, count, OBJ, OBJ);
}

struct memory_job {
	const struct peer *col;
	long count;
};

/*
 * In a child: resident bytes after allocating and writing @count objects,
 * minus before, per object, minus the object itself.
 */
static double memory_overhead_in_child(void *arg)
{
	const struct memory_job *job = arg;
	long before;

	memset(objs, 0, (size_t)job->count * sizeof(void *)); /* not the allocator's memory */
	before = rss_read().current_kib;
	for (long i = 0; i < job->count; i++) {
		objs[i] = job->col->malloc(OBJ);
		memset(objs[i], 1, OBJ);
	}
	return (double)(rss_read().current_kib - before) * 1024 / (double)job->count - OBJ;
}

static double memory_overhead(const struct peer *col, long count)
{
	struct memory_job job = {col, count};
	struct child_result r;

	return run_in_child(memory_overhead_in_child, &job, &r) ? r.value : NAN;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *label;
		double (*run)(const struct peer *col, long n);
		long n;
		bool warm_up;
	} rows[] = {
		/* First, while every heap is still cold. */
		{"memory overhead per object, bytes", memory_overhead, BIG_BATCH, false},
		{"hot pair 64B", hot_pair, 20000000, true},
		{"batch 1M LIFO (per object)", batch_lifo, BIG_BATCH, true},
		{"batch 1M random (per object)", batch_random, BIG_BATCH, true},
		{"random-order batch 512 (per object)", random_order_512, 4000000, true},
		{"random-order batch 4096 (per object)", random_order_4096, 4000000, true},
		{"bulk 16 (per object)", bulk16, 1000000, true},
		{"2-thread prod/cons (per object)", prodcons, 2000000, true},
	};
	struct peer cols[1 + MAX_PEERS] = {{"kmem", cache_alloc, cache_free, NULL}};
	double values[1 + MAX_PEERS];
	struct report report;
	int nr_cols;

	bench_init("bench_slab", argc, argv);
	nr_cols = peers_load(cols, 1);
	report = report_of(cols, nr_cols, 0);
	objs = malloc(bench_count(BIG_BATCH, MIN_BATCH) * sizeof(void *));
	order = malloc(bench_count(BIG_BATCH, MIN_BATCH) * sizeof(unsigned int));
	cache = kmem_cache_create("bench64", OBJ, 0, 0, NULL);
	if (!objs || !order || !cache)
		return 1;

	report_header(&report, "bench_slab: 64-byte objects, ns per object unless stated");
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		long n = bench_count(rows[r].n, MIN_BATCH);

		for (int c = 0; c < nr_cols; c++) {
			if (rows[r].warm_up)
				rows[r].run(&cols[c], n / 10);
			values[c] = rows[r].run(&cols[c], n);
		}
		report_row(&report, rows[r].label, values);
	}
	if (bench_long_run())
		kmem_slabinfo(stdout);
	return 0;
}
