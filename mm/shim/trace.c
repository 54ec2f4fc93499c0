// SPDX-License-Identifier: MIT
/*
 * mm/shim/trace.c - KMEM_TRACE=path: record the program's allocations in
 * the trace format of tools/kheap-replay.
 *
 *   # comment
 *   a ID SIZE      SIZE bytes allocated (at least 1), the block called ID
 *   f ID           the block called ID freed
 *
 * IDs are small integers: an ID is reused once its block is freed, so the
 * largest ID is about the largest number of blocks live at once (the
 * replayer sizes its tables by it).  realloc is a free and an allocation;
 * an alignment is not recorded.  The first call through the shim opens the
 * trace; the shim's destructor closes it, so frees by later exit handlers
 * are not recorded.
 *
 * The recorder runs inside malloc, so it must not allocate from kmem (that
 * would recurse) and should not change what it measures: its table maps
 * addresses to IDs in memory mapped directly from the OS, and the trace
 * goes out through a static buffer and write(2), no stdio.  One mutex
 * serialises recording; tracing is for measurement runs, not production.
 * The buffer is flushed when full and at exit.  A child of fork() does not
 * trace (it would interleave its lines with the parent's).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/core.h"
#include "mm/shim/shim.h"

int shim_trace_state = SHIM_TRACE_UNKNOWN;

static pthread_once_t trace_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static int trace_fd = -1;
static char trace_buf[1 << 16];
static size_t trace_len;

/*
 * Address -> ID: open addressing with linear probing; deletion shifts the
 * following entries back, so there are no tombstones.  Kept under half
 * full.  IDs of freed blocks wait on a stack for reuse.
 */
struct trace_slot {
	uintptr_t addr; /* 0: empty */
	uint32_t id;
};

static struct trace_slot *slots;
static size_t nr_slots, nr_live;
static uint32_t *free_ids;
static size_t nr_free_ids, free_ids_cap;
static uint32_t next_id;

static void *os_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static size_t slot_of(uintptr_t addr, size_t nr)
{
	/* Payloads are 16-byte aligned: the low bits carry nothing. */
	return (size_t)(((addr >> 4) * 0x9e3779b97f4a7c15ULL) >> 20) & (nr - 1);
}

static bool grow_slots(void)
{
	size_t nr = nr_slots ? 2 * nr_slots : 4096;
	struct trace_slot *table = os_alloc(nr * sizeof(*table));

	if (!table)
		return false;
	for (size_t i = 0; i < nr_slots; i++) {
		size_t j;

		if (!slots[i].addr)
			continue;
		for (j = slot_of(slots[i].addr, nr); table[j].addr; j = (j + 1) & (nr - 1))
			;
		table[j] = slots[i];
	}
	if (slots)
		munmap(slots, nr_slots * sizeof(*slots));
	slots = table;
	nr_slots = nr;
	return true;
}

static uint32_t take_id(void)
{
	return nr_free_ids ? free_ids[--nr_free_ids] : next_id++;
}

static bool put_id(uint32_t id)
{
	if (nr_free_ids == free_ids_cap) {
		size_t cap = free_ids_cap ? 2 * free_ids_cap : 4096;
		uint32_t *ids = os_alloc(cap * sizeof(*ids));

		if (!ids)
			return false;
		if (free_ids) {
			memcpy(ids, free_ids, nr_free_ids * sizeof(*ids));
			munmap(free_ids, free_ids_cap * sizeof(*ids));
		}
		free_ids = ids;
		free_ids_cap = cap;
	}
	free_ids[nr_free_ids++] = id;
	return true;
}

static bool map_insert(uintptr_t addr, uint32_t *id)
{
	size_t i;

	if (2 * (nr_live + 1) > nr_slots && !grow_slots())
		return false;
	*id = take_id();
	for (i = slot_of(addr, nr_slots); slots[i].addr; i = (i + 1) & (nr_slots - 1))
		;
	slots[i] = (struct trace_slot){.addr = addr, .id = *id};
	nr_live++;
	return true;
}

static bool map_remove(uintptr_t addr, uint32_t *id)
{
	size_t i, j, mask = nr_slots - 1;

	if (!nr_slots)
		return false;
	for (i = slot_of(addr, nr_slots); slots[i].addr != addr; i = (i + 1) & mask)
		if (!slots[i].addr)
			return false;
	*id = slots[i].id;
	/* Shift back every following entry whose home is not between i and it. */
	for (j = (i + 1) & mask; slots[j].addr; j = (j + 1) & mask) {
		size_t home = slot_of(slots[j].addr, nr_slots);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			slots[i] = slots[j];
			i = j;
		}
	}
	slots[i].addr = 0;
	nr_live--;
	/* Without room to remember the ID, it is simply never reused. */
	put_id(*id);
	return true;
}

static void flush_locked(void)
{
	const char *p = trace_buf;

	while (trace_len) {
		ssize_t n = write(trace_fd, p, trace_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		p += n;
		trace_len -= (size_t)n;
	}
	trace_len = 0;
}

static void append_locked(const char *fmt, ...) __printf(1, 2);
static void append_locked(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sizeof(trace_buf) - trace_len < 64)
		flush_locked();
	va_start(ap, fmt);
	n = vsnprintf(trace_buf + trace_len, sizeof(trace_buf) - trace_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		trace_len += (size_t)n;
}

static void trace_lock_for_fork(void)
{
	pthread_mutex_lock(&trace_lock);
}

static void trace_unlock_after_fork(void)
{
	pthread_mutex_unlock(&trace_lock);
}

static void trace_stop_in_child(void)
{
	WRITE_ONCE(shim_trace_state, SHIM_TRACE_OFF);
	pthread_mutex_unlock(&trace_lock);
}

static void trace_init(void)
{
	const char *path = getenv("KMEM_TRACE");
	int saved = errno;

	if (path && *path) {
		trace_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (trace_fd < 0)
			kmem_warn("kmem: KMEM_TRACE: cannot open %s: %s", path, strerror(errno));
	}
	errno = saved;
	if (trace_fd < 0) {
		WRITE_ONCE(shim_trace_state, SHIM_TRACE_OFF);
		return;
	}
	pthread_atfork(trace_lock_for_fork, trace_unlock_after_fork, trace_stop_in_child);
	append_locked("# kmem trace of pid %d (KMEM_TRACE, mm/shim/trace.c)\n", (int)getpid());
	WRITE_ONCE(shim_trace_state, SHIM_TRACE_ON);
}

static bool trace_started(void)
{
	pthread_once(&trace_once, trace_init);
	return READ_ONCE(shim_trace_state) == SHIM_TRACE_ON;
}

void shim_trace_alloc(const void *p, size_t size)
{
	uint32_t id;

	if (!trace_started())
		return;
	pthread_mutex_lock(&trace_lock);
	if (READ_ONCE(shim_trace_state) == SHIM_TRACE_ON && map_insert((uintptr_t)p, &id))
		append_locked("a %u %zu\n", id, size ? size : 1);
	pthread_mutex_unlock(&trace_lock);
}

void shim_trace_free(const void *p)
{
	uint32_t id;

	if (!trace_started())
		return;
	pthread_mutex_lock(&trace_lock);
	if (READ_ONCE(shim_trace_state) == SHIM_TRACE_ON && map_remove((uintptr_t)p, &id))
		append_locked("f %u\n", id);
	pthread_mutex_unlock(&trace_lock);
}

/* Frees after this (other destructors) are not recorded: the trace ends here. */
__attribute__((destructor)) static void trace_flush_at_exit(void)
{
	if (READ_ONCE(shim_trace_state) != SHIM_TRACE_ON)
		return;
	pthread_mutex_lock(&trace_lock);
	WRITE_ONCE(shim_trace_state, SHIM_TRACE_OFF);
	flush_locked();
	close(trace_fd);
	pthread_mutex_unlock(&trace_lock);
}
