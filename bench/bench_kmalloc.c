// SPDX-License-Identifier: MIT
/*
 * bench/bench_kmalloc.c - kmalloc/kfree against the peers' malloc/free.
 *
 * Workloads (each row: ns per operation; ratio: that row's time / kmem's,
 * so above 1 means kmem is faster):
 *   pair64     kmalloc(64) + kfree, back to back
 *   rand1k     10k live blocks of 16..1024 bytes; each step frees a random
 *              one and allocates a new random size in its place
 *   rand64k    1k live blocks of 16..65536 bytes, likewise
 *   prodcons   2 threads: one allocates 16..512 bytes and passes the block
 *              through a ring, the other frees it (cross-thread frees)
 *   rand1k x2  two threads running rand1k independently
 * then the peak RSS of rand1k (KiB, in a child process per allocator), and
 * rand1k with each fit policy of the kmalloc heap.
 *
 * Usage: bench_kmalloc [scale]   (scale multiplies the iteration counts)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kmem/kmem.h>

#include "peers.h"

struct allocator {
	const char *name;
	void *(*alloc)(size_t size);
	void (*free)(void *p);
};

static void *kmem_alloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static void kmem_free(void *p)
{
	kfree(p);
}

/* ---- workloads --------------------------------------------------------- */

static double pair64(const struct allocator *a, long iters)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		void *p = a->alloc(64);

		bench_use(p);
		a->free(p);
	}
	return (double)(now_ns() - t0) / (double)iters;
}

static double random_live(const struct allocator *a, long iters, unsigned int live, size_t min,
			  size_t max, uint64_t seed)
{
	void **slot = calloc(live, sizeof(void *));
	uint64_t t0;

	for (unsigned int i = 0; i < live; i++) {
		slot[i] = a->alloc(min + bench_rand(&seed) % (max - min + 1));
		*(char *)slot[i] = 1;
	}
	t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		uint64_t r = bench_rand(&seed);
		unsigned int k = (unsigned int)(r % live);

		a->free(slot[k]);
		slot[k] = a->alloc(min + (r >> 32) % (max - min + 1));
		*(char *)slot[k] = 1;
	}
	t0 = now_ns() - t0;
	for (unsigned int i = 0; i < live; i++)
		a->free(slot[i]);
	free(slot);
	return (double)t0 / (double)iters;
}

struct rand_job {
	const struct allocator *a;
	long iters;
	uint64_t seed;
	double ns;
};

static void *rand_job_run(void *p)
{
	struct rand_job *job = p;

	job->ns = random_live(job->a, job->iters, 10000, 16, 1024, job->seed);
	return NULL;
}

static double random_two_threads(const struct allocator *a, long iters)
{
	struct rand_job jobs[2] = {{a, iters, 11, 0}, {a, iters, 29, 0}};
	pthread_t t[2];

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, rand_job_run, &jobs[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return (jobs[0].ns + jobs[1].ns) / 2;
}

#define RING_SIZE 1024

struct ring {
	void *slot[RING_SIZE];
	unsigned long head __attribute__((aligned(64))); /* producer */
	unsigned long tail __attribute__((aligned(64))); /* consumer */
};

struct prodcons {
	const struct allocator *a;
	struct ring *ring;
	long iters;
};

static void *consumer(void *p)
{
	struct prodcons *pc = p;
	struct ring *r = pc->ring;

	for (long i = 0; i < pc->iters; i++) {
		unsigned long t = r->tail;

		while (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) == t)
			__builtin_ia32_pause();
		pc->a->free(r->slot[t % RING_SIZE]);
		__atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static double producer_consumer(const struct allocator *a, long iters)
{
	struct ring *r = calloc(1, sizeof(*r));
	struct prodcons pc = {a, r, iters};
	uint64_t seed = 5, t0 = now_ns();
	pthread_t t;

	pthread_create(&t, NULL, consumer, &pc);
	for (long i = 0; i < iters; i++) {
		unsigned long h = r->head;
		void *p = a->alloc(16 + bench_rand(&seed) % 497);

		*(char *)p = 1;
		while (h - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= RING_SIZE)
			__builtin_ia32_pause();
		r->slot[h % RING_SIZE] = p;
		__atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
	}
	pthread_join(t, NULL);
	t0 = now_ns() - t0;
	free(r);
	return (double)t0 / (double)iters;
}

/* ---- child-process measurements ------------------------------------------- */

static long rss_iters;

static void rss_workload(void *arg)
{
	random_live(arg, rss_iters, 10000, 16, 1024, 3);
}

/* rand1k under one fit policy, in a child so the policy is set before first use. */
static double policy_run(int fit, long iters)
{
	int fd[2];
	double ns = -1;
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct allocator a = {"kmem", kmem_alloc, kmem_free};

		close(fd[0]);
		if (kmem_kmalloc_set_fit(fit) == 0)
			ns = random_live(&a, iters, 10000, 16, 1024, 7);
		if (write(fd[1], &ns, sizeof(ns)) != sizeof(ns))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (pid < 0 || read(fd[0], &ns, sizeof(ns)) != sizeof(ns))
		ns = -1;
	close(fd[0]);
	waitpid(pid, NULL, 0);
	return ns;
}

int main(int argc, char **argv)
{
	static const char *const fit_names[] = {"first", "next", "best", "worst", "good"};
	long scale = argc > 1 ? atol(argv[1]) : 1;
	struct allocator all[1 + MAX_PEERS];
	struct peer peers[MAX_PEERS];
	int nr_peers = peers_load(peers), n = 0;
	double policy_ns[5];

	/* Policies first: the children must not inherit an initialised kmalloc. */
	for (int f = 0; f < 5; f++)
		policy_ns[f] = policy_run(f, 1000000 * scale);

	all[n++] = (struct allocator){"kmem", kmem_alloc, kmem_free};
	for (int p = 0; p < nr_peers; p++)
		all[n++] = (struct allocator){peers[p].name, peers[p].malloc, peers[p].free};

	rss_iters = 1000000 * scale;
	printf("peak RSS of rand1k (KiB, child process; ratio: RSS / kmem's)\n");
	{
		double ref = 0;

		for (int i = 0; i < n; i++) {
			long kib = run_for_peak_rss(rss_workload, &all[i]);

			if (i == 0)
				ref = (double)kib;
			print_row("rand1k peak RSS", all[i].name, (double)kib, ref, "KiB");
		}
	}

	printf("bench_kmalloc: ns per operation (ratio: time / kmem's time; >1: kmem faster)\n");
	{
		struct {
			const char *label;
			double (*run)(const struct allocator *a, long iters);
			long iters;
		} rows[] = {
			{"pair64: kmalloc(64)+kfree", pair64, 5000000},
			{"rand1k: 16..1024 B, 10k live", NULL, 2000000},
			{"rand64k: 16..64 KiB, 1k live", NULL, 300000},
			{"prodcons: 2 threads, 16..512 B", producer_consumer, 1000000},
			{"rand1k x2: 2 threads", random_two_threads, 1000000},
		};

		for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
			double ref = 0;

			for (int i = 0; i < n; i++) {
				long iters = rows[r].iters * scale;
				double ns;

				if (rows[r].run)
					ns = rows[r].run(&all[i], iters);
				else if (r == 1)
					ns = random_live(&all[i], iters, 10000, 16, 1024, 1);
				else
					ns = random_live(&all[i], iters, 1000, 16, 65536, 2);
				if (i == 0)
					ref = ns;
				print_row(rows[r].label, all[i].name, ns, ref, "ns");
			}
		}
	}

	printf("rand1k per kmalloc heap fit policy (ratio: time / good fit's)\n");
	for (int f = 0; f < 5; f++)
		print_row("rand1k, KMEM_HEAP_FIT", fit_names[f], policy_ns[f], policy_ns[4], "ns");
	return 0;
}
