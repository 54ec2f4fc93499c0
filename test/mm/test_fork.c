// SPDX-License-Identifier: MIT
/*
 * test/mm/test_fork.c - fork() while other threads hold kmem's locks: the
 * child must allocate from the very heaps those threads were using (one
 * kmalloc arena, a user kheap) and set up what the forking thread never
 * used, without deadlock.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kmem/heap.h>
#include "lib/prandom.h"
#include "test/helpers.h"

TestSuite(fork, .fini = kmem_test_check, .timeout = 120);

#define HAMMERS 3
#define KEPT 16
#define FORKS 100

static struct kheap *shared_heap;
static int stop;

/* 8 KiB .. 1 MiB, never a power of two: a chunk of the kmalloc heap. */
static size_t heap_size(struct prandom_state *rng)
{
	size_t size = prandom_u32_between(rng, 8192 + 1, (1 << 20) - 1);

	return (size & (size - 1)) ? size : size + 16;
}

static void *hammer(void *arg)
{
	void *kmalloced[KEPT] = {0}, *chunks[KEPT] = {0};
	struct prandom_state rng;

	prandom_seed_state(&rng, (uintptr_t)arg);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned int i = prandom_u32_below(&rng, KEPT);

		kfree(kmalloced[i]);
		kmalloced[i] = kmalloc(heap_size(&rng), GFP_KERNEL);
		kheap_free(shared_heap, chunks[i]);
		chunks[i] =
			kheap_alloc(shared_heap, prandom_u32_between(&rng, 16, 100000), GFP_KERNEL);
	}
	for (unsigned int i = 0; i < KEPT; i++) {
		kfree(kmalloced[i]);
		kheap_free(shared_heap, chunks[i]);
	}
	return NULL;
}

/* Takes kmalloc's set-up lock over and over. */
static void *configure(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
		kmem_kmalloc_set_fit(KHEAP_GOOD_FIT);
	return NULL;
}

/* The child: the shared heaps, the kmalloc arena (new to this thread), slabs. */
static int child_allocates(unsigned int round)
{
	struct prandom_state rng;

	/* A deadlocked child dies of SIGALRM, which the parent reports. */
	alarm(30);
	prandom_seed_state(&rng, round + 1000);
	for (int i = 0; i < 20; i++) {
		size_t size = heap_size(&rng);
		char *p = kmalloc(size, GFP_KERNEL);
		char *q = kheap_alloc(shared_heap, size / 2, GFP_KERNEL);
		char *small = kmalloc(100, GFP_KERNEL);

		if (!p || !q || !small)
			return 1;
		memset(p, 1, size);
		memset(q, 2, size / 2);
		memset(small, 3, 100);
		kfree(small);
		kheap_free(shared_heap, q);
		kfree(p);
	}
	return kmem_check() ? 2 : 0;
}

Test(fork, child_allocates_from_the_heaps_other_threads_hammer)
{
	pthread_t threads[HAMMERS + 1];
	struct kmem_kmalloc_stats st;

	setenv("KMEM_KMALLOC_ARENAS", "1", 1); /* read at the first kmalloc */
	shared_heap = kheap_create("shared", KHEAP_GOOD_FIT);
	cr_assert_not_null(shared_heap);
	for (uintptr_t i = 0; i < HAMMERS; i++)
		pthread_create(&threads[i], NULL, hammer, (void *)(i + 1));
	pthread_create(&threads[HAMMERS], NULL, configure, NULL);
	for (unsigned int round = 0; round < FORKS; round++) {
		pid_t pid = fork();
		int status;

		cr_assert_geq(pid, 0);
		if (pid == 0)
			_exit(child_allocates(round));
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "round %u: child %s %d (SIGALRM: a deadlock)", round,
			  WIFSIGNALED(status) ? "killed by signal" : "exited with",
			  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i <= HAMMERS; i++)
		pthread_join(threads[i], NULL);
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.arenas, 1, "every thread shared one arena");
	kheap_destroy(shared_heap);
}
