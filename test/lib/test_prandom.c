// SPDX-License-Identifier: MIT
/*
 * test/lib/test_prandom.c - the seeded generator of lib/prandom.h, which the
 * tests, benchmarks and the trace generator rely on to replay the same
 * sequence everywhere.
 */
#include <criterion/criterion.h>

#include "lib/prandom.h"

Test(prandom, seed_zero_gives_the_published_splitmix64_sequence)
{
	static const uint64_t expected[] = {0xe220a8397b1dcdafull, 0x6e789e6aa1b965f4ull,
					    0x06c45d188009454full, 0xf88bb8a8724c81ecull};
	struct prandom_state rng;

	prandom_seed_state(&rng, 0);
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		cr_assert_eq(prandom_u64_state(&rng), expected[i], "output %zu", i);
}

Test(prandom, the_same_seed_replays_the_same_sequence)
{
	struct prandom_state a, b, other;
	unsigned int differ = 0;

	prandom_seed_state(&a, 42);
	prandom_seed_state(&b, 42);
	prandom_seed_state(&other, 43);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = prandom_u64_state(&a);

		cr_assert_eq(x, prandom_u64_state(&b));
		differ += x != prandom_u64_state(&other);
	}
	cr_assert_eq(differ, 1000, "a neighbouring seed gives another sequence");
}

Test(prandom, below_stays_under_its_ceiling_and_reaches_every_value)
{
	static const uint32_t ceilings[] = {1, 2, 3, 7, 100};
	struct prandom_state rng;

	prandom_seed_state(&rng, 7);
	for (size_t c = 0; c < sizeof(ceilings) / sizeof(ceilings[0]); c++) {
		bool seen[100] = {false};

		for (int i = 0; i < 10000; i++) {
			uint32_t v = prandom_u32_below(&rng, ceilings[c]);

			cr_assert_lt(v, ceilings[c]);
			seen[v] = true;
		}
		for (uint32_t v = 0; v < ceilings[c]; v++)
			cr_assert(seen[v], "%u below %u is drawn", v, ceilings[c]);
	}
	for (int i = 0; i < 10000; i++)
		cr_assert_lt(prandom_u32_below(&rng, UINT32_MAX), UINT32_MAX);
}

Test(prandom, between_includes_both_bounds)
{
	struct prandom_state rng;
	bool seen_lo = false, seen_hi = false;

	prandom_seed_state(&rng, 9);
	for (int i = 0; i < 10000; i++) {
		uint32_t v = prandom_u32_between(&rng, 16, 31);

		cr_assert(v >= 16 && v <= 31, "%u in [16, 31]", v);
		seen_lo |= v == 16;
		seen_hi |= v == 31;
	}
	cr_assert(seen_lo && seen_hi);
}
