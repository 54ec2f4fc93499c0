// SPDX-License-Identifier: MIT
/*
 * tools/kheap-tracegen.c - write an allocation trace drawn from a named
 * distribution, for kheap-replay.
 *
 *   kheap-tracegen DISTRIBUTION OPERATIONS SEED > file.trace
 *
 * The trace format (also read by kheap-replay):
 *
 *   # comment
 *   a ID SIZE      allocate SIZE bytes (SIZE >= 1) and call the block ID
 *   f ID           free the block called ID
 *
 * IDs are integers 0..2^31-1, live at most once at a time.  Distributions
 * (each allocates while fewer than LIVE blocks are live and otherwise frees
 * or allocates with equal chance, unless stated; the block freed is chosen
 * uniformly among the live ones):
 *
 *   uniform   sizes uniform in 16..1024, LIVE = 4000
 *   bimodal   90% small (16..128, freed soon) and 10% large (4..64 KiB,
 *             long lived: each large block survives 20 frees of small ones
 *             on average), LIVE = 3000
 *   phases    ten phases; each allocates OPERATIONS/20 blocks of one size
 *             drawn log-uniformly from 32..16384 bytes, then frees all but
 *             a random tenth of the live blocks (the survivors pin memory)
 *   pareto    sizes Pareto-distributed (alpha 1.2) from 16 bytes, capped at
 *             256 KiB, LIVE = 2000
 *
 * Blocks still live at the end are freed, so every trace ends empty.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static double rnd_unit(void)
{
	return (double)(rnd() >> 11) / (double)(1ULL << 53);
}

static size_t rnd_range(size_t lo, size_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

struct live {
	unsigned int *id;
	unsigned char *large;
	size_t n, cap;
};

static unsigned int next_id;

static void alloc_block(struct live *l, size_t size, bool large)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->id = realloc(l->id, l->cap * sizeof(*l->id));
		l->large = realloc(l->large, l->cap);
		if (!l->id || !l->large)
			exit(1);
	}
	l->id[l->n] = next_id;
	l->large[l->n++] = large;
	printf("a %u %zu\n", next_id++, size);
}

static void free_at(struct live *l, size_t i)
{
	printf("f %u\n", l->id[i]);
	l->id[i] = l->id[--l->n];
	l->large[i] = l->large[l->n];
}

static void free_random(struct live *l)
{
	free_at(l, rnd() % l->n);
}

/* Steady state: grow to @target live blocks, then alloc or free at random. */
static void steady(struct live *l, long ops, size_t target, size_t (*size_of)(bool *large))
{
	for (long i = 0; i < ops; i++) {
		if (l->n && (l->n >= target || rnd() % 4 == 0) && rnd() % 2) {
			size_t k = rnd() % l->n;

			/* Large blocks are kept for longer: most picks skip them. */
			if (l->large[k] && rnd() % 20)
				k = rnd() % l->n;
			free_at(l, k);
		} else {
			bool large = false;
			size_t size = size_of(&large);

			alloc_block(l, size, large);
		}
	}
}

static size_t uniform_size(bool *large)
{
	(void)large;
	return rnd_range(16, 1024);
}

static size_t bimodal_size(bool *large)
{
	if (rnd() % 10)
		return rnd_range(16, 128);
	*large = true;
	return rnd_range(4096, 65536);
}

static size_t pareto_size(bool *large)
{
	double x = 16.0 / pow(1.0 - rnd_unit(), 1.0 / 1.2);

	(void)large;
	return x > 262144.0 ? 262144 : (size_t)x;
}

static void phases(struct live *l, long ops)
{
	long per_phase = ops / 10;

	for (int phase = 0; phase < 10; phase++) {
		size_t size = (size_t)exp(log(32.0) + rnd_unit() * (log(16384.0) - log(32.0)));
		size_t keep;
		long done = 0;

		for (; done < per_phase / 2; done++)
			alloc_block(l, size, false);
		keep = l->n / 10;
		while (l->n > keep)
			free_random(l);
	}
}

int main(int argc, char **argv)
{
	struct live l = {0};
	long ops;

	if (argc != 4) {
		fprintf(stderr, "usage: %s uniform|bimodal|phases|pareto OPERATIONS SEED\n",
			argv[0]);
		return 2;
	}
	ops = atol(argv[2]);
	rng_state = strtoull(argv[3], NULL, 0) | 1;
	printf("# kheap trace: %s, %ld operations, seed %s (tools/kheap-tracegen.c)\n", argv[1],
	       ops, argv[3]);
	if (!strcmp(argv[1], "uniform"))
		steady(&l, ops, 4000, uniform_size);
	else if (!strcmp(argv[1], "bimodal"))
		steady(&l, ops, 3000, bimodal_size);
	else if (!strcmp(argv[1], "pareto"))
		steady(&l, ops, 2000, pareto_size);
	else if (!strcmp(argv[1], "phases"))
		phases(&l, ops);
	else {
		fprintf(stderr, "%s: unknown distribution %s\n", argv[0], argv[1]);
		return 2;
	}
	while (l.n)
		free_random(&l);
	free(l.id);
	free(l.large);
	return 0;
}
