// SPDX-License-Identifier: MIT
/*
 * bench/shim/xmalloc.c - producer/consumer allocation in the style of the
 * xmalloc test: PRODUCERS threads only allocate, CONSUMERS threads only
 * free, so every block crosses threads and the allocator must return memory
 * freed remotely to the thread that allocates it.
 *
 * Producers fill batches of BATCH blocks (16..512 bytes, skewed small) and
 * push them onto a bounded ring of RING batches; consumers pop batches and
 * free every block after checking its tags.  The ring bounds the memory in
 * flight to RING * BATCH blocks.
 *
 * Usage: xmalloc [scale]; prints the number of blocks and a checksum.
 */
#include <pthread.h>

#include "common.h"

#define PRODUCERS 2
#define CONSUMERS 2
#define BATCH 64
#define RING 64
#define BATCHES_PER_PRODUCER 80000
#define MAX_SIZE 512

struct batch {
	struct block blocks[BATCH];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	size_t head, count;
	unsigned long batches_left; /* still to be consumed */
	struct batch slots[RING];
} ring = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.not_full = PTHREAD_COND_INITIALIZER,
	.not_empty = PTHREAD_COND_INITIALIZER,
};

struct producer {
	struct prandom_state rng;
	uint64_t checksum;
	unsigned long batches;
};

static void ring_push(const struct batch *b)
{
	pthread_mutex_lock(&ring.lock);
	while (ring.count == RING)
		pthread_cond_wait(&ring.not_full, &ring.lock);
	ring.slots[(ring.head + ring.count++) % RING] = *b;
	pthread_cond_signal(&ring.not_empty);
	pthread_mutex_unlock(&ring.lock);
}

/* Pop a batch into @b; false once every batch has been consumed. */
static int ring_pop(struct batch *b)
{
	pthread_mutex_lock(&ring.lock);
	while (!ring.count && ring.batches_left)
		pthread_cond_wait(&ring.not_empty, &ring.lock);
	if (!ring.batches_left) {
		pthread_mutex_unlock(&ring.lock);
		return 0;
	}
	*b = ring.slots[ring.head];
	ring.head = (ring.head + 1) % RING;
	ring.count--;
	if (!--ring.batches_left)
		pthread_cond_broadcast(&ring.not_empty);
	pthread_cond_signal(&ring.not_full);
	pthread_mutex_unlock(&ring.lock);
	return 1;
}

static void *produce(void *arg)
{
	struct producer *p = arg;
	struct batch b;

	for (unsigned long n = 0; n < p->batches; n++) {
		for (int i = 0; i < BATCH; i++) {
			uint64_t tag = prandom_u64_state(&p->rng);

			b.blocks[i] = block_new(rng_size(&p->rng, MAX_SIZE), tag);
			p->checksum += tag ^ b.blocks[i].size;
		}
		ring_push(&b);
	}
	return NULL;
}

static void *consume(void *arg)
{
	struct batch b;

	(void)arg;
	while (ring_pop(&b))
		for (int i = 0; i < BATCH; i++)
			block_free(&b.blocks[i]);
	return NULL;
}

int main(int argc, char **argv)
{
	struct producer producers[PRODUCERS];
	pthread_t threads[PRODUCERS + CONSUMERS];
	unsigned long batches = BATCHES_PER_PRODUCER * work_scale(argc, argv);
	uint64_t checksum = 0;

	ring.batches_left = batches * PRODUCERS;
	for (int i = 0; i < PRODUCERS; i++) {
		producers[i] = (struct producer){.rng = PRANDOM_STATE_INIT(0x3a110c + (uint64_t)i),
						 .batches = batches};
		if (pthread_create(&threads[i], NULL, produce, &producers[i]))
			die("pthread_create failed");
	}
	for (int i = 0; i < CONSUMERS; i++)
		if (pthread_create(&threads[PRODUCERS + i], NULL, consume, NULL))
			die("pthread_create failed");
	for (int i = 0; i < PRODUCERS + CONSUMERS; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < PRODUCERS; i++)
		checksum += producers[i].checksum;
	printf("xmalloc: %lu blocks, checksum %016llx\n", batches * PRODUCERS * BATCH,
	       (unsigned long long)checksum);
	return 0;
}
