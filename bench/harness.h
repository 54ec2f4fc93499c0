/* SPDX-License-Identifier: MIT */
/*
 * bench/harness.h - what every benchmark in bench/ shares, so that their
 * figures are taken the same way and can be set side by side:
 *
 *   - the command line: [--quick | SCALE], an iteration multiplier;
 *   - the workloads more than one benchmark runs on a column (struct peer):
 *     an alloc+free pair, a random working set, producer/consumer through
 *     the one ring, the same work in several threads at once;
 *   - a child-process runner that returns a function's result and the
 *     child's peak RSS, and the one RSS reader;
 *   - the report: one line of values per row, and under it each column's
 *     ratio to a chosen reference column.
 *
 * Random numbers come from lib/prandom.h.
 */
#ifndef KMEM_BENCH_HARNESS_H
#define KMEM_BENCH_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/prandom.h"
#include "peers.h"

/* ---- command line and time ------------------------------------------- */

/*
 * Parse "[--quick | SCALE]": SCALE (a positive number, default 1)
 * multiplies every iteration count; --quick is a scale small enough for a
 * smoke run of about a second, whose figures are not for reading.  Prints
 * @name's usage and exits on anything else.
 */
void bench_init(const char *name, int argc, char **argv);

/* @n scaled by the command line's factor, at least @floor. */
long bench_count(long n, long floor);

/* True when the scale is above 1 (a run long enough for extra detail). */
bool bench_long_run(void);

/* Monotonic time in nanoseconds. */
uint64_t now_ns(void);

/* Keep the compiler from optimising away a value the benchmark computed. */
static inline void bench_use(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* ---- shared workloads: each returns NaN if it could not run ----------- */

/* ns per pair: @col->malloc(@size) then @col->free, @iters times. */
double pair(const struct peer *col, long iters, size_t size);

/*
 * ns per step: @live blocks of [@min, @max] bytes, then @iters steps that
 * each free a random one and allocate a random size in its place (every
 * block's first byte is written).  @seed fixes the sequence, so every
 * column sees the same sizes.
 */
double random_live(const struct peer *col, long iters, unsigned int live, uint32_t min,
		   uint32_t max, uint64_t seed);

/*
 * ns per object: a producer thread allocates @count blocks of [@min, @max]
 * bytes, writes their first byte and passes them through the ring; a
 * consumer thread frees them, so every free is remote.
 */
double producer_consumer(const struct peer *col, long count, uint32_t min, uint32_t max);

/*
 * Run @fn(@arg, thread) in @nr_threads threads at once (thread = 0, 1, ...)
 * and return the mean of their results.
 */
double in_threads(int nr_threads, double (*fn)(void *arg, int thread), void *arg);

/* ---- processes and memory -------------------------------------------- */

struct rss {
	long current_kib; /* resident now (VmRSS) */
	long peak_kib;	  /* the most ever resident (VmHWM) */
};

/* This process's resident set, from /proc/self/status; zeros if unreadable. */
struct rss rss_read(void);

struct child_result {
	double value;  /* what the function returned */
	long peak_kib; /* the child's peak RSS, the parent's pages it inherited included */
};

/*
 * Run @fn(@arg) in a forked child, so that it starts from a copy of this
 * process and leaves nothing behind.  Return false if the child failed.
 */
bool run_in_child(double (*fn)(void *arg), void *arg, struct child_result *result);

/* ---- the report ------------------------------------------------------ */

#define REPORT_MAX_COLUMNS 10

struct report {
	int nr_columns;
	const char *column[REPORT_MAX_COLUMNS];
	int reference; /* the column the ratios compare with */
};

/* A report whose columns are @nr @cols, compared with column @reference. */
struct report report_of(const struct peer *cols, int nr, int reference);

/* Print @title and the column names. */
void report_header(const struct report *r, const char *title);

/*
 * Print @label's values (one per column; NaN: not measured), and under
 * them the reference column's value divided by each other column's: for
 * times, below 1 means the reference is faster.
 */
void report_row(const struct report *r, const char *label, const double *values);

#endif /* KMEM_BENCH_HARNESS_H */
