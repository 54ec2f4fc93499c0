// SPDX-License-Identifier: MIT
/*
 * bench/bench_slab.c - slab caches against the peers' malloc/free of the
 * same size (64 bytes).
 *
 * Rows are nanoseconds per operation (ratio: that row's time divided by
 * kmem's; above 1 means kmem is faster), except the memory rows, which are
 * bytes mapped per live object.
 *   hot pair       alloc+free of one object, repeated
 *   batch LIFO     allocate 1M objects, free them newest first (per object)
 *   batch random   allocate 1M objects, free them in random order
 *   bulk 16        kmem_cache_alloc_bulk/free_bulk of 16 (peers: 16 mallocs)
 *   prod/cons      two threads, every object freed by the other thread
 *   memory         resident bytes per live object beyond its 64 bytes, for 1M
 *                  objects allocated in a fresh child process
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kmem/kmem.h>

#include "peers.h"

#define OBJ 64
#define BATCH (1L << 20)
#define RING 4096

static struct kmem_cache *cache;
static const struct peer *cur_peer; /* NULL: kmem */
static void **objs;
static unsigned int *order;

static inline void *obj_alloc(void)
{
	return cur_peer ? cur_peer->malloc(OBJ) : kmem_cache_alloc(cache, GFP_KERNEL);
}

static inline void obj_free(void *p)
{
	if (cur_peer)
		cur_peer->free(p);
	else
		kmem_cache_free(cache, p);
}

static double hot_pair(long iters)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		void *p = obj_alloc();

		bench_use(p);
		obj_free(p);
	}
	return (double)(now_ns() - t0) / (double)iters;
}

/* ns per object for allocating BATCH objects and freeing them in @order. */
static double batch(bool random)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < BATCH; i++)
		objs[i] = obj_alloc();
	for (long i = 0; i < BATCH; i++)
		obj_free(objs[random ? order[i] : BATCH - 1 - i]);
	return (double)(now_ns() - t0) / (double)BATCH;
}

static double bulk16(long rounds)
{
	void *p[16];
	uint64_t t0 = now_ns();

	for (long r = 0; r < rounds; r++) {
		if (!cur_peer) {
			kmem_cache_alloc_bulk(cache, GFP_KERNEL, 16, p);
			kmem_cache_free_bulk(cache, 16, p);
		} else {
			for (int i = 0; i < 16; i++)
				p[i] = cur_peer->malloc(OBJ);
			for (int i = 0; i < 16; i++)
				cur_peer->free(p[i]);
		}
	}
	return (double)(now_ns() - t0) / (double)(rounds * 16);
}

static struct {
	void *slot[RING];
	unsigned long head, tail;
	long count;
} ring;

static void *producer(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; i < (unsigned long)ring.count; i++) {
		void *p = obj_alloc();

		while (i - __atomic_load_n(&ring.tail, __ATOMIC_ACQUIRE) >= RING)
			sched_yield();
		ring.slot[i % RING] = p;
		__atomic_store_n(&ring.head, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; i < (unsigned long)ring.count; i++) {
		while (__atomic_load_n(&ring.head, __ATOMIC_ACQUIRE) == i)
			sched_yield();
		obj_free(ring.slot[i % RING]);
		__atomic_store_n(&ring.tail, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static double producer_consumer(long count)
{
	pthread_t p, c;
	uint64_t t0;

	ring.head = ring.tail = 0;
	ring.count = count;
	t0 = now_ns();
	pthread_create(&c, NULL, consumer, NULL);
	pthread_create(&p, NULL, producer, NULL);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	return (double)(now_ns() - t0) / (double)count;
}

static long resident_bytes(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * 4096;
}

/*
 * Bytes of resident memory per live object beyond the object itself,
 * measured in a fresh child (the parent's heaps are warm): RSS after
 * allocating and touching BATCH objects minus RSS before.
 */
static double memory_overhead(void)
{
	int fd[2];
	double per_object = -1;
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		long before;
		double v;

		memset(objs, 0, BATCH * sizeof(void *)); /* not the allocator's */
		before = resident_bytes();
		for (long i = 0; i < BATCH; i++) {
			objs[i] = obj_alloc();
			memset(objs[i], 1, OBJ);
		}
		v = (double)(resident_bytes() - before) / (double)BATCH - OBJ;
		if (write(fd[1], &v, sizeof(v)) != sizeof(v))
			_exit(1);
		_exit(0);
	}
	if (read(fd[0], &per_object, sizeof(per_object)) != sizeof(per_object))
		per_object = -1;
	waitpid(pid, NULL, 0);
	close(fd[0]);
	close(fd[1]);
	return per_object;
}

typedef double (*bench_fn)(long arg);

static double run_batch_lifo(long unused)
{
	(void)unused;
	return batch(false);
}

static double run_batch_random(long unused)
{
	(void)unused;
	return batch(true);
}

static double run_memory(long unused)
{
	(void)unused;
	return memory_overhead();
}

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	struct peer peers[MAX_PEERS];
	int nr_peers = peers_load(peers);
	uint64_t rng = 88172645463325252ULL;
	static const struct {
		const char *label;
		bench_fn fn;
		long arg;
		const char *unit;
	} rows[] = {
		/* First, while every heap is still cold. */
		{"memory overhead per object", run_memory, 0, "bytes"},
		{"hot pair 64B", hot_pair, 20000000, "ns"},
		{"batch 1M LIFO (per object)", run_batch_lifo, 0, "ns"},
		{"batch 1M random (per object)", run_batch_random, 0, "ns"},
		{"bulk 16 (per object)", bulk16, 1000000, "ns"},
		{"2-thread prod/cons (per object)", producer_consumer, 2000000, "ns"},
	};

	objs = malloc(BATCH * sizeof(void *));
	order = malloc(BATCH * sizeof(unsigned int));
	for (long i = 0; i < BATCH; i++)
		order[i] = (unsigned int)i;
	for (long i = BATCH - 1; i > 0; i--) {
		long j;
		unsigned int t;

		j = (long)(bench_rand(&rng) % (uint64_t)(i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	cache = kmem_cache_create("bench64", OBJ, 0, 0, NULL);

	printf("bench_slab: %d-byte objects; kmem_cache_alloc/free vs malloc/free "
	       "(ratio: value / kmem's)\n",
	       OBJ);
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		long arg = rows[r].arg * scale;
		double kmem;

		cur_peer = NULL;
		if (rows[r].fn != run_memory)
			rows[r].fn(arg / 10); /* warm up */
		kmem = rows[r].fn(arg);
		print_row(rows[r].label, "kmem", kmem, kmem, rows[r].unit);
		for (int p = 0; p < nr_peers; p++) {
			double v;

			cur_peer = &peers[p];
			if (rows[r].fn != run_memory)
				rows[r].fn(arg / 10);
			v = rows[r].fn(arg);
			print_row(rows[r].label, peers[p].name, v, kmem, rows[r].unit);
		}
	}
	if (scale > 1)
		kmem_slabinfo(stdout);
	return 0;
}
