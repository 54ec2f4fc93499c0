/* SPDX-License-Identifier: MIT */
/*
 * bench/peers.h - the allocators kmem is measured against, and the one
 * table every benchmark's columns live in.
 *
 * A column is a struct peer: a name and a malloc/free pair (with memalign
 * where a benchmark needs alignment).  Each benchmark puts its own kmem
 * columns first (kmalloc, a slab cache, a kheap per fit policy, the page
 * allocator) as small wrappers over the public API, then peers_load()
 * appends glibc and every peer that loads, so every column is called the
 * same way, through a function pointer.
 *
 * glibc's malloc is always present; jemalloc, mimalloc and tcmalloc are
 * loaded with dlopen (RTLD_LOCAL | RTLD_DEEPBIND) when installed, so each
 * peer's functions serve only the calls the benchmark makes through them.
 */
#ifndef KMEM_BENCH_PEERS_H
#define KMEM_BENCH_PEERS_H

#include <stddef.h>

struct peer {
	const char *name;
	void *(*malloc)(size_t size);
	void (*free)(void *p);
	void *(*memalign)(size_t align, size_t size); /* NULL where no benchmark needs it */
};

/* glibc, jemalloc, mimalloc, tcmalloc. */
#define MAX_PEERS 4

/*
 * Append glibc and every other peer that loads to @table, whose first
 * @nr_own entries are the benchmark's own columns and which has room for
 * MAX_PEERS more; return the number of columns.  A peer that does not
 * load is named on stderr and left out.  The environment variable
 * BENCH_PEERS, when set, lists the peers wanted ("glibc,mimalloc"; empty:
 * kmem's columns alone).
 */
int peers_load(struct peer *table, int nr_own);

#endif /* KMEM_BENCH_PEERS_H */
