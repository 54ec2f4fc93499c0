/* SPDX-License-Identifier: MIT */
/*
 * bench/peers.h - the allocators kmem is measured against, in one process.
 *
 * glibc's malloc is always present; jemalloc, mimalloc and tcmalloc are
 * loaded with dlopen (RTLD_LOCAL | RTLD_DEEPBIND) when installed, so each
 * peer's functions serve only the calls the benchmark makes through them.
 */
#ifndef KMEM_BENCH_PEERS_H
#define KMEM_BENCH_PEERS_H

#include <stddef.h>
#include <stdint.h>

struct peer {
	const char *name;
	void *(*malloc)(size_t size);
	void (*free)(void *p);
	void *(*realloc)(void *p, size_t size);
	void *(*memalign)(size_t align, size_t size);
};

#define MAX_PEERS 4

/* Fill @peers with glibc and every other peer that loads; returns how many. */
int peers_load(struct peer peers[MAX_PEERS]);

/* Monotonic time in nanoseconds. */
uint64_t now_ns(void);

/*
 * Run @fn(@arg) in a child process and return its peak RSS in KiB (from
 * wait4's rusage), or -1 when the child failed.
 */
long run_for_peak_rss(void (*fn)(void *arg), void *arg);

/* Keep the compiler from optimising away a value the benchmark computed. */
static inline void bench_use(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* xorshift64: the benchmarks' reproducible random numbers; advances *@state. */
static inline uint64_t bench_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* Print "name  value  ratio" rows: ratio = value / reference value. */
void print_row(const char *label, const char *name, double value, double reference,
	       const char *unit);

#endif /* KMEM_BENCH_PEERS_H */
