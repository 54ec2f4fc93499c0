/* SPDX-License-Identifier: MIT */
/*
 * bench/shim/common.h - helpers shared by the whole-program malloc
 * benchmarks in bench/shim/.  The programs use only the C allocation API,
 * so `make bench-shim` can run each one under any malloc with LD_PRELOAD.
 *
 * Every block a benchmark allocates carries a tag in its first and last
 * eight bytes; the thread that frees it checks both, so an allocator that
 * hands out overlapping or clobbered memory makes the program abort instead
 * of printing a checksum.  Checksums are sums of tags, computed by the
 * allocating thread from its own seeded sequence, so they do not depend on
 * thread scheduling and must match under every allocator.
 */
#ifndef KMEM_BENCH_SHIM_COMMON_H
#define KMEM_BENCH_SHIM_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/prandom.h"

/* The smallest block: room for the head and tail tags. */
#define BLOCK_MIN_SIZE 16

struct block {
	void *p;
	size_t size;
	uint64_t tag;
};

/*
 * A size skewed towards small blocks, as real programs allocate: half the
 * draws are at most @hi / 16, a quarter at most @hi / 4.
 */
static inline size_t rng_size(struct prandom_state *rng, size_t hi)
{
	uint32_t r = prandom_u32_below(rng, 4);
	size_t top = (r & 1) ? hi / 16 : (r & 2) ? hi / 4 : hi;

	if (top < BLOCK_MIN_SIZE)
		top = BLOCK_MIN_SIZE;
	return prandom_u32_between(rng, BLOCK_MIN_SIZE, top);
}

static inline void die(const char *what)
{
	fprintf(stderr, "%s\n", what);
	abort();
}

/* Allocate @size bytes (at least BLOCK_MIN_SIZE) and tag them. */
static inline struct block block_new(size_t size, uint64_t tag)
{
	struct block b = {malloc(size), size, tag};
	uint64_t tail = ~tag;

	if (!b.p)
		die("malloc failed");
	memcpy(b.p, &tag, sizeof(tag));
	memcpy((char *)b.p + size - sizeof(tail), &tail, sizeof(tail));
	return b;
}

/* Check both tags of @b, then free it. */
static inline void block_free(struct block *b)
{
	uint64_t head, tail;

	if (!b->p)
		return;
	memcpy(&head, b->p, sizeof(head));
	memcpy(&tail, (char *)b->p + b->size - sizeof(tail), sizeof(tail));
	if (head != b->tag || tail != ~b->tag)
		die("corrupt block: its tags changed while it was allocated");
	free(b->p);
	b->p = NULL;
}

/* Parse argv[1] as a positive work multiplier (default 1). */
static inline unsigned long work_scale(int argc, char **argv)
{
	unsigned long scale = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;

	return scale ? scale : 1;
}

#endif
