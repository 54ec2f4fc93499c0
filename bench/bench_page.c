// SPDX-License-Identifier: MIT
/*
 * bench/bench_page.c - buddy allocator pairs against mmap and the peers'
 * page-aligned allocation.
 *
 * Each row is ns per alloc+free pair of a 2^order-page block, touching its
 * first byte: kmem's __get_free_pages/free_pages, mmap+munmap, and each
 * peer's memalign(PAGE_SIZE, size)+free.  With 2 threads both run the same
 * loop at once and the figure is per thread.  Under each row: kmem's time
 * divided by each column's (below 1: kmem is faster).
 *
 * Usage: bench_page [--quick | SCALE]
 */
#include <stdio.h>
#include <sys/mman.h>
#include <kmem/kmem.h>

#include "harness.h"

/* The block of the row being measured. */
static unsigned int block_order;

static void *kmem_pages_alloc(size_t align, size_t size)
{
	(void)align; /* a buddy block is aligned to its size */
	(void)size;
	return (void *)__get_free_pages(GFP_KERNEL, block_order);
}

static void kmem_pages_free(void *p)
{
	free_pages((unsigned long)p, block_order);
}

static void *mmap_alloc(size_t align, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)align; /* mmap is page aligned */
	return p == MAP_FAILED ? NULL : p;
}

static void mmap_free(void *p)
{
	munmap(p, PAGE_SIZE << block_order);
}

struct job {
	const struct peer *col;
	long iters;
};

static double block_pairs(void *arg, int thread)
{
	const struct job *job = arg;
	size_t bytes = PAGE_SIZE << block_order;
	uint64_t t0 = now_ns();

	(void)thread;
	for (long i = 0; i < job->iters; i++) {
		void *p = job->col->memalign(PAGE_SIZE, bytes);

		*(volatile char *)p = 1;
		job->col->free(p);
	}
	return (double)(now_ns() - t0) / (double)job->iters;
}

int main(int argc, char **argv)
{
	static const unsigned int orders[] = {0, 3, 9};
	struct peer cols[2 + MAX_PEERS] = {
		{"kmem", NULL, kmem_pages_free, kmem_pages_alloc},
		{"mmap", NULL, mmap_free, mmap_alloc},
	};
	double values[2 + MAX_PEERS];
	struct report report;
	int nr_cols;

	bench_init("bench_page", argc, argv);
	nr_cols = peers_load(cols, 2);
	report = report_of(cols, nr_cols, 0);

	report_header(&report, "bench_page: ns per alloc+free pair");
	for (int threads = 1; threads <= 2; threads++) {
		for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
			long iters = bench_count(orders[i] == 9 ? 20000 : 1000000, 100);
			char label[64];

			block_order = orders[i];
			snprintf(label, sizeof(label), "order-%u pair, %d thread%s", block_order,
				 threads, threads > 1 ? "s" : "");
			for (int c = 0; c < nr_cols; c++) {
				/* mmap+munmap and its page fault are slow: fewer rounds. */
				struct job job = {&cols[c],
						  cols[c].free == mmap_free ? iters / 20 : iters};

				values[c] = in_threads(threads, block_pairs, &job);
			}
			report_row(&report, label, values);
		}
	}
	return 0;
}
