/* SPDX-License-Identifier: MIT */
/*
 * lib/prandom.h - kmem's one pseudo-random number generator, for the
 * library, its tests, benchmarks and tools: reproducible, seeded, not for
 * anything that must be unpredictable.
 *
 * The generator is splitmix64 (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", 2014): a 64-bit counter advanced by the
 * golden-ratio increment, whose value is scrambled into each output.  Every
 * seed, zero included, starts a full-period (2^64) sequence, nearby seeds
 * give unrelated sequences, and the only dependency from one call to the
 * next is an addition, so a benchmark loop does not wait on it.  The output
 * passes BigCrush.
 *
 * The names follow the kernel's <linux/prandom.h>: the caller owns the
 * state, so threads with their own state need no locking and every sequence
 * replays from its seed.  Only integer arithmetic is used, so a sequence is
 * the same on every machine and compiler.
 */
#ifndef KMEM_LIB_PRANDOM_H
#define KMEM_LIB_PRANDOM_H

#include <stdint.h>

struct prandom_state {
	uint64_t counter;
};

/* An initializer for a struct prandom_state: the sequence of @seed. */
#define PRANDOM_STATE_INIT(seed)                                                                   \
	{                                                                                          \
		.counter = (seed)                                                                  \
	}

/* Start @state's sequence at @seed; any value is a good seed. */
static inline void prandom_seed_state(struct prandom_state *state, uint64_t seed)
{
	state->counter = seed;
}

/* The next 64 random bits of @state's sequence. */
static inline uint64_t prandom_u64_state(struct prandom_state *state)
{
	uint64_t z = (state->counter += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The next 32 random bits of @state's sequence (the well-mixed high half). */
static inline uint32_t prandom_u32_state(struct prandom_state *state)
{
	return (uint32_t)(prandom_u64_state(state) >> 32);
}

/*
 * A uniform value in [0, @ceil) for @ceil >= 1, without a division on the
 * common path: the high half of a 32x32-bit product, with the few products
 * whose low half falls in the biased sliver drawn again (Lemire, "Fast
 * random integer generation in an interval", 2019).
 */
static inline uint32_t prandom_u32_below(struct prandom_state *state, uint32_t ceil)
{
	uint64_t product = (uint64_t)prandom_u32_state(state) * ceil;

	if ((uint32_t)product < ceil) {
		uint32_t sliver = -ceil % ceil;

		while ((uint32_t)product < sliver)
			product = (uint64_t)prandom_u32_state(state) * ceil;
	}
	return (uint32_t)(product >> 32);
}

/* A uniform value in [@lo, @hi], for @lo <= @hi and @hi - @lo < UINT32_MAX. */
static inline uint32_t prandom_u32_between(struct prandom_state *state, uint32_t lo, uint32_t hi)
{
	return lo + prandom_u32_below(state, hi - lo + 1);
}

#endif /* KMEM_LIB_PRANDOM_H */
