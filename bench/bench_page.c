// SPDX-License-Identifier: MIT
/*
 * bench/bench_page.c - buddy allocator pairs against mmap and the peers'
 * page-aligned allocation.
 *
 * Each row is nanoseconds per alloc+free pair; the ratio column is that
 * row's time divided by kmem's (above 1: kmem is faster).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <kmem/kmem.h>

#include "peers.h"

enum method { KMEM, MMAP, PEER };

struct job {
	enum method method;
	const struct peer *peer;
	unsigned int order;
	long iters;
	double ns;
};

static void *run_job(void *p)
{
	struct job *job = p;
	size_t bytes = PAGE_SIZE << job->order;
	uint64_t t0 = now_ns();

	for (long i = 0; i < job->iters; i++) {
		void *mem;

		switch (job->method) {
		case KMEM: {
			struct page *page = alloc_pages(GFP_KERNEL, job->order);

			mem = page_address(page);
			*(volatile char *)mem = 1;
			__free_pages(page, job->order);
			break;
		}
		case MMAP:
			mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				   -1, 0);
			*(volatile char *)mem = 1;
			munmap(mem, bytes);
			break;
		case PEER:
			mem = job->peer->memalign(PAGE_SIZE, bytes);
			*(volatile char *)mem = 1;
			job->peer->free(mem);
			break;
		}
	}
	job->ns = (double)(now_ns() - t0) / (double)job->iters;
	return NULL;
}

/* Run @threads copies of @proto at once; return mean ns per pair per thread. */
static double measure(struct job proto, int threads)
{
	struct job jobs[2];
	pthread_t tid[2];
	double sum = 0;

	for (int t = 0; t < threads; t++) {
		jobs[t] = proto;
		pthread_create(&tid[t], NULL, run_job, &jobs[t]);
	}
	for (int t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		sum += jobs[t].ns;
	}
	return sum / threads;
}

int main(int argc, char **argv)
{
	static const unsigned int orders[] = {0, 3, 9};
	long scale = argc > 1 ? atol(argv[1]) : 1;
	struct peer peers[MAX_PEERS];
	int nr_peers = peers_load(peers);

	printf("bench_page: ns per alloc+free pair (ratio: time / kmem's time)\n");
	for (int threads = 1; threads <= 2; threads++) {
		for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
			unsigned int o = orders[i];
			long iters = (o == 9 ? 20000 : 1000000) * scale;
			char label[64];
			double kmem_ns, ns;

			snprintf(label, sizeof(label), "order-%u pair, %d thread%s", o, threads,
				 threads > 1 ? "s" : "");
			kmem_ns = measure((struct job){KMEM, NULL, o, iters, 0}, threads);
			print_row(label, "kmem", kmem_ns, kmem_ns, "ns");
			ns = measure((struct job){MMAP, NULL, o, iters / 20, 0}, threads);
			print_row(label, "mmap", ns, kmem_ns, "ns");
			for (int p = 0; p < nr_peers; p++) {
				ns = measure((struct job){PEER, &peers[p], o, iters, 0}, threads);
				print_row(label, peers[p].name, ns, kmem_ns, "ns");
			}
		}
	}
	return 0;
}
