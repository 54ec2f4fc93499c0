// SPDX-License-Identifier: MIT
/*
 * bench/bench_kmalloc.c - kmalloc/kfree against the peers' malloc/free.
 *
 * Rows, ns per operation:
 *   pair64     kmalloc(64) + kfree, back to back
 *   rand1k     10k live blocks of 16..1024 bytes; each step frees a random
 *              one and allocates a new random size in its place
 *   rand64k    1k live blocks of 16..65536 bytes, likewise
 *   prodcons   2 threads: one allocates 16..512 bytes and passes the block
 *              through the ring, the other frees it (cross-thread frees)
 *   rand1k x2  two threads running rand1k independently
 * then the peak RSS of rand1k (KiB, a child process per allocator),
 * rand64k with each fit policy of the kmalloc heap (a child each, so the
 * policy is set before the heap's first use; only sizes above 8 KiB that
 * are not powers of two reach the heap), and the footprint of medium
 * sizes: 2000 live blocks of 8..64 KiB (not powers of two) in the kmalloc
 * heap, against the 2^order pages the kernel would give each.
 *
 * Under each row: kmem's value divided by each column's (below 1: kmem
 * takes less time or memory).
 *
 * Usage: bench_kmalloc [--quick | SCALE]
 */
#include <math.h>
#include <stdio.h>
#include <kmem/kmem.h>

#include "harness.h"

#define NR_FITS (KHEAP_GOOD_FIT + 1)

static void *kmem_kmalloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static void kmem_kfree(void *p)
{
	kfree(p);
}

static double pair64(const struct peer *col, long iters)
{
	return pair(col, iters, 64);
}

static double rand1k_seeded(const struct peer *col, long iters, uint64_t seed)
{
	return random_live(col, iters, 10000, 16, 1024, seed);
}

static double rand1k(const struct peer *col, long iters)
{
	return rand1k_seeded(col, iters, 1);
}

static double rand64k(const struct peer *col, long iters)
{
	return random_live(col, iters, 1000, 16, 65536, 2);
}

static double prodcons(const struct peer *col, long iters)
{
	return producer_consumer(col, iters, 16, 512);
}

struct job {
	const struct peer *col;
	long iters;
};

static double rand1k_thread(void *arg, int thread)
{
	const struct job *job = arg;

	return rand1k_seeded(job->col, job->iters, 11 + 18 * (uint64_t)thread);
}

static double rand1k_two_threads(const struct peer *col, long iters)
{
	struct job job = {col, iters};

	return in_threads(2, rand1k_thread, &job);
}

static double rand1k_in_child(void *arg)
{
	const struct job *job = arg;

	return rand1k_seeded(job->col, job->iters, 3);
}

struct fit_job {
	struct job job;
	int fit;
};

static double rand64k_under_fit(void *arg)
{
	const struct fit_job *f = arg;

	if (kmem_kmalloc_set_fit(f->fit))
		return NAN;
	return random_live(f->job.col, f->job.iters, 1000, 16, 65536, 7);
}

/* 2000 live medium blocks: requested, heap footprint and page-rounded KiB. */
static void medium_footprint(void)
{
	static void *p[2000];
	struct prandom_state rng = PRANDOM_STATE_INIT(5);
	struct kmem_kmalloc_stats st;
	size_t requested = 0, pages = 0;

	for (int i = 0; i < 2000; i++) {
		size_t size = prandom_u32_between(&rng, 8193, 65535);

		if (!(size & (size - 1)))
			size++;
		p[i] = kmalloc(size, GFP_KERNEL);
		requested += size;
		pages += PAGE_SIZE << get_order(size);
	}
	kmem_kmalloc_stats(&st);
	printf("medium sizes footprint, 2000 live blocks of 8..64 KiB: requested %zu KiB, "
	       "kmalloc heap %zu KiB (x%.3f), kernel page rounding %zu KiB (x%.3f)\n",
	       requested >> 10, st.heap_footprint >> 10, (double)st.heap_footprint / requested,
	       pages >> 10, (double)pages / requested);
	for (int i = 0; i < 2000; i++)
		kfree(p[i]);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *label;
		double (*run)(const struct peer *col, long iters);
		long iters;
	} rows[] = {
		{"pair64: kmalloc(64)+kfree", pair64, 5000000},
		{"rand1k: 16..1024 B, 10k live", rand1k, 2000000},
		{"rand64k: 16..64 KiB, 1k live", rand64k, 300000},
		{"prodcons: 2 threads, 16..512 B", prodcons, 1000000},
		{"rand1k x2: 2 threads", rand1k_two_threads, 1000000},
	};
	struct peer cols[1 + MAX_PEERS] = {{"kmem", kmem_kmalloc, kmem_kfree, NULL}};
	struct report report, fits = {NR_FITS, {NULL}, KHEAP_GOOD_FIT};
	double values[1 + MAX_PEERS], fit_ns[NR_FITS];
	int nr_cols;

	bench_init("bench_kmalloc", argc, argv);
	nr_cols = peers_load(cols, 1);
	report = report_of(cols, nr_cols, 0);

	/* Policies first: the children must not inherit an initialised kmalloc. */
	for (int f = 0; f < NR_FITS; f++) {
		struct fit_job job = {{&cols[0], bench_count(150000, 2000)}, f};
		struct child_result r;

		fits.column[f] = kheap_fit_name((enum kheap_fit)f);
		fit_ns[f] = run_in_child(rand64k_under_fit, &job, &r) ? r.value : NAN;
	}

	report_header(&report, "peak RSS of rand1k, KiB (a child process per allocator)");
	for (int c = 0; c < nr_cols; c++) {
		struct job job = {&cols[c], bench_count(1000000, 10000)};
		struct child_result r;

		values[c] = run_in_child(rand1k_in_child, &job, &r) ? (double)r.peak_kib : NAN;
	}
	report_row(&report, "rand1k peak RSS", values);

	report_header(&report, "bench_kmalloc: ns per operation");
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		for (int c = 0; c < nr_cols; c++)
			values[c] = rows[r].run(&cols[c], bench_count(rows[r].iters, 1000));
		report_row(&report, rows[r].label, values);
	}

	report_header(&fits,
		      "rand64k per kmalloc heap fit policy (KMEM_HEAP_FIT), ns per operation");
	report_row(&fits, "rand64k", fit_ns);
	medium_footprint();
	return 0;
}
