// SPDX-License-Identifier: MIT
/*
 * bench/bench_heap.c - the speed of each kheap fit policy, with the peers'
 * malloc/free on the same workloads for scale.
 *
 * Workloads (single thread, one kheap on kmem's pages per policy):
 *   pair 64 B       kheap_alloc(64) then kheap_free, repeated
 *   random 16-1024  a working set of 10k live blocks; each step frees a
 *                   random one and allocates a random size 16..1024 in its
 *                   place (one alloc+free pair per step)
 *   random 16-64K   the same with 2k live blocks of 16 B..64 KiB
 *
 * Rows are ns per alloc+free pair; the ratio column is the row's time over
 * the good-fit (default) policy's time (above 1: slower than good fit).
 * The kheap API takes the heap lock on every call; kmalloc's per-thread
 * front cache is not involved here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmem/kmem.h>

#include "peers.h"

struct workload {
	const char *label;
	size_t live; /* 0: the fixed pair */
	size_t max_size;
	long steps;
};

struct allocator {
	struct kheap *h;
	const struct peer *peer;
};

static void *do_alloc(const struct allocator *a, size_t size)
{
	return a->h ? kheap_alloc(a->h, size, GFP_KERNEL) : a->peer->malloc(size);
}

static void do_free(const struct allocator *a, void *p)
{
	if (a->h)
		kheap_free(a->h, p);
	else
		a->peer->free(p);
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	return bench_rand(&rng);
}

static double run(const struct allocator *a, const struct workload *w)
{
	void **slot = calloc(w->live ? w->live : 1, sizeof(void *));
	uint64_t t0;
	double ns;

	rng = 88172645463325252ULL;
	for (size_t i = 0; i < w->live; i++)
		slot[i] = do_alloc(a, 16 + rnd() % (w->max_size - 15));
	t0 = now_ns();
	for (long i = 0; i < w->steps; i++) {
		if (!w->live) {
			void *p = do_alloc(a, 64);

			bench_use(p);
			do_free(a, p);
			continue;
		}
		size_t k = rnd() % w->live;

		do_free(a, slot[k]);
		slot[k] = do_alloc(a, 16 + rnd() % (w->max_size - 15));
		*(volatile char *)slot[k] = 1;
	}
	ns = (double)(now_ns() - t0) / (double)w->steps;
	for (size_t i = 0; i < w->live; i++)
		do_free(a, slot[i]);
	free(slot);
	return ns;
}

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	const struct workload loads[] = {
		{"pair 64 B", 0, 64, 2000000 * scale},
		{"random 16-1024, 10k live", 10000, 1024, 1000000 * scale},
		{"random 16-64K, 2k live", 2000, 65536, 300000 * scale},
	};
	struct peer peers[MAX_PEERS];
	int nr_peers = peers_load(peers);

	printf("bench_heap: ns per alloc+free pair (ratio: time / good fit's time)\n");
	for (size_t l = 0; l < sizeof(loads) / sizeof(loads[0]); l++) {
		double ns[KHEAP_GOOD_FIT + 1];

		for (int f = KHEAP_GOOD_FIT; f >= KHEAP_FIRST_FIT; f--) {
			struct allocator a = {kheap_create("bench", (enum kheap_fit)f), NULL};

			ns[f] = run(&a, &loads[l]);
			kheap_destroy(a.h);
		}
		for (int f = KHEAP_FIRST_FIT; f <= KHEAP_GOOD_FIT; f++) {
			char name[32];

			snprintf(name, sizeof(name), "kheap %s", kheap_fit_name((enum kheap_fit)f));
			print_row(loads[l].label, name, ns[f], ns[KHEAP_GOOD_FIT], "ns");
		}
		for (int p = 0; p < nr_peers; p++) {
			struct allocator a = {NULL, &peers[p]};

			print_row(loads[l].label, peers[p].name, run(&a, &loads[l]),
				  ns[KHEAP_GOOD_FIT], "ns");
		}
	}
	return 0;
}
