// SPDX-License-Identifier: MIT
/*
 * bench/shim/sizes.c - a single-thread loop over fixed sizes, in the style
 * of glibc's bench-malloc-simple: for each size of 16, 32, 64 and 128 bytes,
 * allocate a run of blocks, then free them all, for run lengths of 25, 100,
 * 400 and 1600 blocks (short runs stay in per-thread caches, long runs
 * reach the allocator's slower paths).  Half the runs free in allocation
 * order and half in reverse.
 *
 * Usage: sizes [scale]; prints the number of blocks and a checksum.
 */
#include "common.h"

#define BLOCKS_PER_SIZE_AND_RUN 4000000ul

static const size_t sizes[] = {16, 32, 64, 128};
static const size_t runs[] = {25, 100, 400, 1600};

int main(int argc, char **argv)
{
	static struct block blocks[1600];
	unsigned long scale = work_scale(argc, argv);
	unsigned long allocated = 0;
	struct prandom_state rng = PRANDOM_STATE_INIT(0x5123);
	uint64_t checksum = 0;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
			size_t run = runs[r];
			unsigned long reps = BLOCKS_PER_SIZE_AND_RUN * scale / run;

			for (unsigned long rep = 0; rep < reps; rep++) {
				for (size_t i = 0; i < run; i++) {
					uint64_t tag = prandom_u64_state(&rng);

					blocks[i] = block_new(sizes[s], tag);
					checksum += tag;
				}
				for (size_t i = 0; i < run; i++)
					block_free(&blocks[rep & 1 ? run - 1 - i : i]);
				allocated += run;
			}
		}
	}
	printf("sizes: %lu blocks, checksum %016llx\n", allocated, (unsigned long long)checksum);
	return 0;
}
