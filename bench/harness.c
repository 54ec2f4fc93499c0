// SPDX-License-Identifier: MIT
/*
 * bench/harness.c - the command line, shared workloads, child processes,
 * RSS and the report of every benchmark (see harness.h).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* ---- command line and time ------------------------------------------- */

/* A hundredth of the work: every program runs in about a second. */
#define QUICK_SCALE 0.01

static double scale = 1;

void bench_init(const char *name, int argc, char **argv)
{
	char *end = NULL;

	if (argc == 1)
		return;
	if (argc == 2 && !strcmp(argv[1], "--quick")) {
		scale = QUICK_SCALE;
		printf("%s --quick: a smoke run on a hundredth of the work; do not compare its "
		       "figures\n",
		       name);
		return;
	}
	if (argc == 2) {
		errno = 0;
		scale = strtod(argv[1], &end);
		if (!errno && end != argv[1] && !*end && scale > 0)
			return;
	}
	fprintf(stderr,
		"usage: %s [--quick | SCALE]\n  SCALE multiplies every iteration count "
		"(default 1, may be fractional)\n",
		name);
	exit(2);
}

long bench_count(long n, long floor)
{
	long scaled = (long)((double)n * scale);

	return scaled > floor ? scaled : floor;
}

bool bench_long_run(void)
{
	return scale > 1;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- shared workloads ------------------------------------------------ */

double pair(const struct peer *col, long iters, size_t size)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		void *p = col->malloc(size);

		bench_use(p);
		col->free(p);
	}
	return (double)(now_ns() - t0) / (double)iters;
}

double random_live(const struct peer *col, long iters, unsigned int live, uint32_t min,
		   uint32_t max, uint64_t seed)
{
	void **slot = calloc(live, sizeof(void *));
	struct prandom_state rng;
	uint64_t ns;

	if (!slot)
		return NAN;
	prandom_seed_state(&rng, seed);
	for (unsigned int i = 0; i < live; i++) {
		slot[i] = col->malloc(prandom_u32_between(&rng, min, max));
		*(volatile char *)slot[i] = 1;
	}
	ns = now_ns();
	for (long i = 0; i < iters; i++) {
		unsigned int k = prandom_u32_below(&rng, live);

		col->free(slot[k]);
		slot[k] = col->malloc(prandom_u32_between(&rng, min, max));
		*(volatile char *)slot[k] = 1;
	}
	ns = now_ns() - ns;
	for (unsigned int i = 0; i < live; i++)
		col->free(slot[i]);
	free(slot);
	return (double)ns / (double)iters;
}

/*
 * The one producer/consumer ring: single producer, single consumer, each
 * index on its own cache line.  A side that must wait spins with the
 * processor's pause hint and yields now and then, so that a run on a
 * loaded machine does not burn the other side's time slice.
 */
#define RING_SLOTS 1024
#define RING_SPINS_PER_YIELD 64

struct ring {
	void *slot[RING_SLOTS];
	unsigned long head __attribute__((aligned(64))); /* written by the producer */
	unsigned long tail __attribute__((aligned(64))); /* written by the consumer */
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#else
	__asm__ volatile("" ::: "memory");
#endif
}

static void ring_wait(unsigned int *spins)
{
	if (++*spins % RING_SPINS_PER_YIELD)
		cpu_relax();
	else
		sched_yield();
}

static void ring_push(struct ring *r, void *p)
{
	unsigned long head = r->head;
	unsigned int spins = 0;

	while (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= RING_SLOTS)
		ring_wait(&spins);
	r->slot[head % RING_SLOTS] = p;
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
}

static void *ring_pop(struct ring *r)
{
	unsigned long tail = r->tail;
	unsigned int spins = 0;
	void *p;

	while (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) == tail)
		ring_wait(&spins);
	p = r->slot[tail % RING_SLOTS];
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return p;
}

struct prodcons {
	struct ring ring;
	const struct peer *col;
	long count;
};

static void *consume(void *arg)
{
	struct prodcons *pc = arg;

	for (long i = 0; i < pc->count; i++)
		pc->col->free(ring_pop(&pc->ring));
	return NULL;
}

double producer_consumer(const struct peer *col, long count, uint32_t min, uint32_t max)
{
	static struct prodcons pc;
	struct prandom_state rng;
	pthread_t consumer;
	uint64_t ns;

	pc = (struct prodcons){.col = col, .count = count};
	prandom_seed_state(&rng, 5);
	ns = now_ns();
	if (pthread_create(&consumer, NULL, consume, &pc))
		return NAN;
	for (long i = 0; i < count; i++) {
		void *p = col->malloc(min == max ? min : prandom_u32_between(&rng, min, max));

		*(volatile char *)p = 1;
		ring_push(&pc.ring, p);
	}
	pthread_join(consumer, NULL);
	return (double)(now_ns() - ns) / (double)count;
}

struct thread_run {
	double (*fn)(void *arg, int thread);
	void *arg;
	int thread;
	double result;
	pthread_t tid;
};

static void *thread_run(void *p)
{
	struct thread_run *run = p;

	run->result = run->fn(run->arg, run->thread);
	return NULL;
}

double in_threads(int nr_threads, double (*fn)(void *arg, int thread), void *arg)
{
	struct thread_run runs[nr_threads];
	double sum = 0;

	for (int t = 0; t < nr_threads; t++) {
		runs[t] = (struct thread_run){fn, arg, t, NAN, 0};
		if (pthread_create(&runs[t].tid, NULL, thread_run, &runs[t]))
			return NAN;
	}
	for (int t = 0; t < nr_threads; t++) {
		pthread_join(runs[t].tid, NULL);
		sum += runs[t].result;
	}
	return sum / nr_threads;
}

/* ---- processes and memory -------------------------------------------- */

struct rss rss_read(void)
{
	struct rss rss = {0, 0};
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];

	if (!f)
		return rss;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmRSS:", 6))
			rss.current_kib = atol(line + 6);
		else if (!strncmp(line, "VmHWM:", 6))
			rss.peak_kib = atol(line + 6);
	}
	fclose(f);
	return rss;
}

bool run_in_child(double (*fn)(void *arg), void *arg, struct child_result *result)
{
	int fd[2], status;
	bool ok;
	pid_t pid;

	fflush(NULL); /* or the child would print the parent's pending output again */
	if (pipe(fd))
		return false;
	pid = fork();
	if (pid == 0) {
		struct child_result r;

		close(fd[0]);
		r.value = fn(arg);
		r.peak_kib = rss_read().peak_kib;
		_exit(write(fd[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(fd[1]);
	ok = pid > 0 && read(fd[0], result, sizeof(*result)) == sizeof(*result);
	close(fd[0]);
	if (pid > 0)
		ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status) &&
			ok;
	return ok;
}

/* ---- the report ------------------------------------------------------ */

#define LABEL_WIDTH 38
#define COLUMN_WIDTH 10

struct report report_of(const struct peer *cols, int nr, int reference)
{
	struct report r = {.nr_columns = nr < REPORT_MAX_COLUMNS ? nr : REPORT_MAX_COLUMNS,
			   .reference = reference};

	for (int c = 0; c < r.nr_columns; c++)
		r.column[c] = cols[c].name;
	return r;
}

void report_header(const struct report *r, const char *title)
{
	printf("%s\n%-*s", title, LABEL_WIDTH, "");
	for (int c = 0; c < r->nr_columns; c++)
		printf("%*s", COLUMN_WIDTH, r->column[c]);
	printf("\n");
}

/* Enough digits to compare, in a fixed width, from 0.01 to 10^9. */
static void print_number(double v)
{
	double magnitude = v < 0 ? -v : v;

	if (isnan(v))
		printf("%*s", COLUMN_WIDTH, "-");
	else
		printf("%*.*f", COLUMN_WIDTH, magnitude < 100 ? 2 : magnitude < 10000 ? 1 : 0, v);
}

void report_row(const struct report *r, const char *label, const double *values)
{
	double ref = values[r->reference];
	char ratio_label[64];

	printf("%-*s", LABEL_WIDTH, label);
	for (int c = 0; c < r->nr_columns; c++)
		print_number(values[c]);
	snprintf(ratio_label, sizeof(ratio_label), "%s / column", r->column[r->reference]);
	printf("\n%*s", LABEL_WIDTH, ratio_label);
	for (int c = 0; c < r->nr_columns; c++) {
		double ratio = ref / values[c];

		if (c == r->reference || !isfinite(ratio))
			printf("%*s", COLUMN_WIDTH, "");
		else if (ratio < 0.01 && ratio > -0.01)
			printf("%*.1e", COLUMN_WIDTH, ratio);
		else
			print_number(ratio);
	}
	printf("\n");
}
