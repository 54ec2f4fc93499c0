// SPDX-License-Identifier: MIT
/*
 * bench/bench_heap.c - the speed of each kheap fit policy, with the peers'
 * malloc/free on the same workloads for scale.
 *
 * Rows (single thread; each kheap column is a fresh kheap on kmem's pages
 * with that policy), ns per alloc+free pair:
 *   pair 64 B       kheap_alloc(64) then kheap_free, repeated
 *   random 16-1024  a working set of 10k live blocks; each step frees a
 *                   random one and allocates a random size 16..1024 in its
 *                   place (one alloc+free pair per step)
 *   random 16-64K   the same with 2k live blocks of 16 B..64 KiB
 *
 * Under each row: the good-fit (default) policy's time divided by each
 * column's (below 1: good fit is faster).  The kheap API takes the heap
 * lock on every call; no per-thread cache is involved.
 *
 * Usage: bench_heap [--quick | SCALE]
 */
#include <stdio.h>
#include <kmem/kmem.h>

#include "harness.h"

#define NR_FITS (KHEAP_GOOD_FIT + 1)

/* The heap of the kheap column being measured. */
static struct kheap *heap;

static void *heap_alloc(size_t size)
{
	return kheap_alloc(heap, size, GFP_KERNEL);
}

static void heap_free(void *p)
{
	kheap_free(heap, p);
}

static double pair64(const struct peer *col, long steps)
{
	return pair(col, steps, 64);
}

static double random_1k(const struct peer *col, long steps)
{
	return random_live(col, steps, 10000, 16, 1024, 1);
}

static double random_64k(const struct peer *col, long steps)
{
	return random_live(col, steps, 2000, 16, 65536, 2);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *label;
		double (*run)(const struct peer *col, long steps);
		long steps;
	} rows[] = {
		{"pair 64 B", pair64, 2000000},
		{"random 16-1024, 10k live", random_1k, 1000000},
		{"random 16-64K, 2k live", random_64k, 300000},
	};
	struct peer cols[NR_FITS + MAX_PEERS];
	double values[NR_FITS + MAX_PEERS];
	struct report report;
	int nr_cols;

	bench_init("bench_heap", argc, argv);
	for (int f = 0; f < NR_FITS; f++)
		cols[f] = (struct peer){kheap_fit_name((enum kheap_fit)f), heap_alloc, heap_free,
					NULL};
	nr_cols = peers_load(cols, NR_FITS);
	report = report_of(cols, nr_cols, KHEAP_GOOD_FIT);

	report_header(&report,
		      "bench_heap: ns per alloc+free pair; columns first..good: kheap "
		      "with that fit policy");
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		long steps = bench_count(rows[r].steps, 1000);

		for (int c = 0; c < nr_cols; c++) {
			if (c < NR_FITS && !(heap = kheap_create("bench", (enum kheap_fit)c)))
				return 1;
			values[c] = rows[r].run(&cols[c], steps);
			if (c < NR_FITS)
				kheap_destroy(heap);
		}
		report_row(&report, rows[r].label, values);
	}
	return 0;
}
