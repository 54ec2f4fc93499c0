// SPDX-License-Identifier: MIT
/*
 * bench/shim/thread_churn.c - many short-lived threads that allocate.
 *
 * WAVES waves of WAVE_THREADS threads each; every thread allocates and frees
 * STEPS blocks (16..4096 bytes, skewed small) with up to LIVE of them live at
 * once, then exits holding KEEP blocks that the main thread frees after the
 * join.  An allocator that keeps a dead thread's cache, or strands its
 * memory, shows here as a growing peak RSS.
 *
 * Usage: thread_churn [scale]; prints the number of blocks and a checksum.
 */
#include <pthread.h>

#include "common.h"

#define WAVES 2000
#define WAVE_THREADS 4
#define STEPS 1000
#define LIVE 64
#define KEEP 8
#define MAX_SIZE 4096

struct churner {
	struct prandom_state rng;
	uint64_t checksum;
	struct block kept[KEEP];
};

static void *churn(void *arg)
{
	struct churner *c = arg;
	struct block live[LIVE] = {0};

	for (int step = 0; step < STEPS; step++) {
		size_t slot = prandom_u32_below(&c->rng, LIVE);
		uint64_t tag = prandom_u64_state(&c->rng);

		block_free(&live[slot]);
		live[slot] = block_new(rng_size(&c->rng, MAX_SIZE), tag);
		c->checksum += tag ^ live[slot].size;
	}
	for (int i = 0; i < LIVE; i++) {
		if (i < KEEP)
			c->kept[i] = live[i];
		else
			block_free(&live[i]);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long waves = WAVES * work_scale(argc, argv);
	uint64_t checksum = 0;

	for (unsigned long wave = 0; wave < waves; wave++) {
		struct churner churners[WAVE_THREADS];
		pthread_t threads[WAVE_THREADS];

		for (int i = 0; i < WAVE_THREADS; i++) {
			churners[i] = (struct churner){
				.rng = PRANDOM_STATE_INIT(wave * WAVE_THREADS + (uint64_t)i)};
			if (pthread_create(&threads[i], NULL, churn, &churners[i]))
				die("pthread_create failed");
		}
		for (int i = 0; i < WAVE_THREADS; i++) {
			pthread_join(threads[i], NULL);
			for (int k = 0; k < KEEP; k++)
				block_free(&churners[i].kept[k]);
			checksum += churners[i].checksum;
		}
	}
	printf("thread_churn: %lu threads, %lu blocks, checksum %016llx\n", waves * WAVE_THREADS,
	       waves * WAVE_THREADS * STEPS, (unsigned long long)checksum);
	return 0;
}
