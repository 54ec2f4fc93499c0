// SPDX-License-Identifier: MIT
/*
 * bench/shim/larson.c - a server simulation in the style of Larson and
 * Krishnan's benchmark.
 *
 * Each of THREADS workers owns a table of SLOTS blocks.  A step picks a
 * random slot, frees the block in it and allocates a new one of a random
 * size (16..1024 bytes, skewed small).  One new block in HANDOFF_EVERY goes
 * to the next worker's inbox instead of the table, as a request handed to
 * another server thread; workers drain their inbox every DRAIN_EVERY steps
 * and free what they find there.  The work runs in ROUNDS: at the end of a
 * round every worker exits and a fresh thread inherits its table, so blocks
 * are freed by threads that did not allocate them.
 *
 * Usage: larson [scale]; prints the number of blocks and a checksum.
 */
#include <pthread.h>

#include "common.h"

#define THREADS 4
#define ROUNDS 8
#define SLOTS 4000
#define STEPS_PER_ROUND 600000
#define MAX_SIZE 1024
#define HANDOFF_EVERY 8
#define DRAIN_EVERY 64
#define INBOX_SIZE 4096

struct inbox {
	pthread_mutex_t lock;
	size_t count;
	struct block blocks[INBOX_SIZE];
};

struct worker {
	struct block table[SLOTS];
	struct inbox inbox;
	struct worker *next;
	struct prandom_state rng;
	uint64_t checksum;
	unsigned long allocated;
	unsigned long steps;
};

static void inbox_drain(struct inbox *inbox)
{
	struct block taken[INBOX_SIZE];
	size_t n;

	pthread_mutex_lock(&inbox->lock);
	n = inbox->count;
	memcpy(taken, inbox->blocks, n * sizeof(taken[0]));
	inbox->count = 0;
	pthread_mutex_unlock(&inbox->lock);
	for (size_t i = 0; i < n; i++)
		block_free(&taken[i]);
}

/* Hand @b to @inbox; when the inbox is full, the sender frees it itself. */
static void inbox_post(struct inbox *inbox, struct block *b)
{
	pthread_mutex_lock(&inbox->lock);
	if (inbox->count < INBOX_SIZE) {
		inbox->blocks[inbox->count++] = *b;
		b->p = NULL;
	}
	pthread_mutex_unlock(&inbox->lock);
	block_free(b);
}

static void *worker_round(void *arg)
{
	struct worker *w = arg;

	for (unsigned long step = 0; step < w->steps; step++) {
		size_t slot = prandom_u32_below(&w->rng, SLOTS);
		uint64_t tag = prandom_u64_state(&w->rng);
		struct block b;

		block_free(&w->table[slot]);
		b = block_new(rng_size(&w->rng, MAX_SIZE), tag);
		w->checksum += tag ^ b.size;
		w->allocated++;
		if (tag % HANDOFF_EVERY == 0)
			inbox_post(&w->next->inbox, &b);
		else
			w->table[slot] = b;
		if (step % DRAIN_EVERY == 0)
			inbox_drain(&w->inbox);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static struct worker workers[THREADS];
	unsigned long scale = work_scale(argc, argv);
	uint64_t checksum = 0;
	unsigned long allocated = 0;

	for (int i = 0; i < THREADS; i++) {
		prandom_seed_state(&workers[i].rng, 0x1a450 + (uint64_t)i);
		workers[i].next = &workers[(i + 1) % THREADS];
		workers[i].steps = STEPS_PER_ROUND * scale;
		pthread_mutex_init(&workers[i].inbox.lock, NULL);
	}
	for (int round = 0; round < ROUNDS; round++) {
		pthread_t threads[THREADS];

		for (int i = 0; i < THREADS; i++)
			if (pthread_create(&threads[i], NULL, worker_round, &workers[i]))
				die("pthread_create failed");
		for (int i = 0; i < THREADS; i++)
			pthread_join(threads[i], NULL);
	}
	for (int i = 0; i < THREADS; i++) {
		inbox_drain(&workers[i].inbox);
		for (int s = 0; s < SLOTS; s++)
			block_free(&workers[i].table[s]);
		checksum += workers[i].checksum;
		allocated += workers[i].allocated;
	}
	printf("larson: %lu blocks, checksum %016llx\n", allocated, (unsigned long long)checksum);
	return 0;
}
