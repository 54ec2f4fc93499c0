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
 *
 * A trace is a function of its arguments alone, byte for byte on every
 * machine: the random numbers come from lib/prandom.h and the logarithms
 * and powers behind the phases and pareto sizes are computed in 32.32 fixed
 * point, because libm's results may differ in the last bit between
 * implementations and a size rounded the other way changes the trace.  The
 * build generates the traces the documentation describes and checks them
 * against tools/traces.sha256.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/prandom.h"

/* Fixed-point numbers with 32 fraction bits. */
#define FIXED_ONE (1ull << 32)
/* ln 2 in 32.32, rounded. */
#define FIXED_LN2 2977044472ull

static struct prandom_state rng;

static size_t rnd_below(size_t n)
{
	return prandom_u32_below(&rng, (uint32_t)n);
}

static size_t rnd_range(size_t lo, size_t hi)
{
	return prandom_u32_between(&rng, (uint32_t)lo, (uint32_t)hi);
}

/*
 * log2(@x) in 32.32 for @x >= 1: the position of the top bit, then one
 * fraction bit per squaring of the mantissa (its top 32 bits).
 */
static uint64_t fixed_log2(uint64_t x)
{
	unsigned int whole = 63 - (unsigned int)__builtin_clzll(x);
	uint64_t mantissa = (x << (63 - whole)) >> 32; /* in [1, 2), 31 fraction bits */
	uint64_t result = (uint64_t)whole << 32;

	for (uint64_t bit = FIXED_ONE >> 1; bit; bit >>= 1) {
		mantissa = (mantissa * mantissa) >> 31;
		if (mantissa >= 2ull << 31) {
			mantissa >>= 1;
			result |= bit;
		}
	}
	return result;
}

/* 2^@power, rounded down, for @power in 32.32 below 32: exp(fraction * ln 2) as a Taylor series. */
static uint64_t fixed_exp2(uint64_t power)
{
	unsigned int whole = (unsigned int)(power >> 32);
	uint64_t x = ((power & (FIXED_ONE - 1)) * FIXED_LN2) >> 32;
	uint64_t term = FIXED_ONE, sum = FIXED_ONE;

	for (unsigned int n = 1; term; n++) {
		term = ((term * x) >> 32) / n;
		sum += term;
	}
	return sum >> (32 - whole);
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
	free_at(l, rnd_below(l->n));
}

/* Steady state: grow to @target live blocks, then alloc or free at random. */
static void steady(struct live *l, long ops, size_t target, size_t (*size_of)(bool *large))
{
	for (long i = 0; i < ops; i++) {
		if (l->n && (l->n >= target || !rnd_below(4)) && rnd_below(2)) {
			size_t k = rnd_below(l->n);

			/* Large blocks are kept for longer: most picks skip them. */
			if (l->large[k] && rnd_below(20))
				k = rnd_below(l->n);
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
	if (rnd_below(10))
		return rnd_range(16, 128);
	*large = true;
	return rnd_range(4096, 65536);
}

/*
 * Inverse transform: for v uniform in (0, 1], 16 * v^(-1/1.2) is Pareto
 * from 16 with alpha 1.2, that is 2^(4 + log2(1/v) * 5/6), with
 * v = k / 2^32 for k in 1..2^32.
 */
static size_t pareto_size(bool *large)
{
	uint64_t k = (uint64_t)prandom_u32_state(&rng) + 1;
	uint64_t log2_inverse = (32 * FIXED_ONE - fixed_log2(k)) * 5 / 6;

	(void)large;
	if (log2_inverse >= (18 - 4) * FIXED_ONE)
		return 262144;
	return fixed_exp2(4 * FIXED_ONE + log2_inverse);
}

static void phases(struct live *l, long ops)
{
	long per_phase = ops / 10;

	for (int phase = 0; phase < 10; phase++) {
		/* Log-uniform in [32, 16384): 2^(5 + 9u) for u uniform in [0, 1). */
		size_t size = fixed_exp2(5 * FIXED_ONE + 9 * (uint64_t)prandom_u32_state(&rng));
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
	prandom_seed_state(&rng, strtoull(argv[3], NULL, 0));
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
