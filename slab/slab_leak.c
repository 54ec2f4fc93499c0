// SPDX-License-Identifier: MIT
/*
 * slab/slab_leak.c - the leak report: objects still allocated in debug
 * caches, grouped by cache and allocation stack with counts, the way
 * LeakSanitizer and kmemleak summarise (kmem_leak_check(), KMEM_LEAK_CHECK).
 *
 * The walk runs under slab_mutex and each cache's lock, so it neither
 * allocates nor uses stdio: groups live in a static table (slab_mutex
 * serialises its users) and the report is formatted into a stack buffer and
 * written with write(2).  Names are looked up after the locks are dropped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/stacktrace.h"
#include "slab/internal.h"

#define LEAK_GROUPS 512
#define LEAK_HASH 1024 /* a power of two above LEAK_GROUPS */

struct leak_group {
	struct kmem_cache *cache;
	unsigned long count;
	unsigned long bytes;
	unsigned int nr_frames;
	void *frames[TRACK_FRAMES];
};

/* Serialises reports: the tables below are the report's. */
static pthread_mutex_t leak_lock = PTHREAD_MUTEX_INITIALIZER;
static struct leak_group groups[LEAK_GROUPS];
static unsigned int nr_groups;
static unsigned short hash_slots[LEAK_HASH]; /* group index + 1; 0: empty */
/* Objects whose group did not fit in the table. */
static unsigned long other_count, other_bytes;

static unsigned long group_hash(struct kmem_cache *s, void *const *frames, unsigned int n)
{
	unsigned long h = 0xcbf29ce484222325UL ^ (unsigned long)(uintptr_t)s;

	for (unsigned int i = 0; i < n; i++)
		h = (h ^ (unsigned long)(uintptr_t)frames[i]) * 0x100000001b3UL;
	return h ^ (h >> 29);
}

static bool group_matches(const struct leak_group *g, struct kmem_cache *s, void *const *frames,
			  unsigned int n)
{
	return g->cache == s && g->nr_frames == n && !memcmp(g->frames, frames, n * sizeof(void *));
}

static void add_leak(struct kmem_cache *s, void *object, void *arg)
{
	struct track t = {.nr_frames = 0};
	size_t bytes = slab_object_usable(s, object);
	void *const *frames = t.frames;
	unsigned int n = 0, slot;

	(void)arg;
	if (s->flags & SLAB_STORE_USER) {
		slab_read_track(s, object, 0, &t);
		n = t.nr_frames <= TRACK_FRAMES ? t.nr_frames : TRACK_FRAMES;
		if (!n && t.addr) {
			frames = &t.addr;
			n = 1;
		}
	}
	slot = (unsigned int)group_hash(s, frames, n) & (LEAK_HASH - 1);
	while (hash_slots[slot] && !group_matches(&groups[hash_slots[slot] - 1], s, frames, n))
		slot = (slot + 1) & (LEAK_HASH - 1);
	if (!hash_slots[slot]) {
		if (nr_groups == LEAK_GROUPS) {
			other_count++;
			other_bytes += bytes;
			return;
		}
		groups[nr_groups] = (struct leak_group){.cache = s, .nr_frames = n};
		memcpy(groups[nr_groups].frames, frames, n * sizeof(void *));
		hash_slots[slot] = (unsigned short)++nr_groups;
	}
	groups[hash_slots[slot] - 1].count++;
	groups[hash_slots[slot] - 1].bytes += bytes;
}

static void collect_list(struct kmem_cache *s, struct list_head *list)
{
	struct list_head *pos;

	list_for_each(pos, list)
		slab_for_each_allocated(s, container_of(pos, struct slab, list), add_leak, NULL);
}

/* Group every live object of every debug cache but kmem's own; slab_mutex held. */
static void collect_leaks(void)
{
	struct list_head *pos;

	nr_groups = 0;
	other_count = other_bytes = 0;
	memset(hash_slots, 0, sizeof(hash_slots));
	list_for_each(pos, &slab_caches) {
		struct kmem_cache *s = container_of(pos, struct kmem_cache, link);

		if (!(s->flags & SLAB_DEBUG_FLAGS) || s == &kmem_cache_boot)
			continue;
		slab_lock(s);
		collect_list(s, &s->partial);
		collect_list(s, &s->full);
		slab_unlock(s);
	}
}

/* ---- output ------------------------------------------------------------------- */

struct out {
	int fd;
	size_t len;
	char buf[4096];
};

static void out_flush(struct out *o)
{
	const char *p = o->buf;

	while (o->len) {
		ssize_t n = write(o->fd, p, o->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		p += n;
		o->len -= (size_t)n;
	}
	o->len = 0;
}

static __printf(2, 3) void out_printf(struct out *o, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (o->len + (size_t)n > sizeof(o->buf))
		out_flush(o);
	memcpy(o->buf + o->len, line, (size_t)n);
	o->len += (size_t)n;
}

/* Largest groups first: an insertion sort of indices (at most LEAK_GROUPS). */
static void sort_groups(unsigned short *order)
{
	for (unsigned int i = 0; i < nr_groups; i++) {
		unsigned int j = i;

		while (j && groups[order[j - 1]].bytes < groups[i].bytes) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (unsigned short)i;
	}
}

static void print_group(struct out *o, const struct leak_group *g)
{
	char name[192];

	out_printf(o, "\nLeak of %lu byte(s) in %lu object(s) of %s", g->bytes, g->count,
		   g->cache->name);
	if (!g->nr_frames) {
		out_printf(o, " (no allocation stacks: the cache has no slab_debug=U)\n");
		return;
	}
	out_printf(o, " allocated from:\n");
	for (unsigned int i = 0; i < g->nr_frames; i++) {
		kmem_symbolize(name, sizeof(name), g->frames[i]);
		out_printf(o, "    #%u %s\n", i, name);
	}
}

unsigned long kmem_leak_check(int fd)
{
	unsigned short order[LEAK_GROUPS] = {0};
	unsigned long objects, bytes;
	struct out o = {.fd = fd, .len = 0};

	pthread_mutex_lock(&leak_lock);
	pthread_mutex_lock(&slab_mutex);
	collect_leaks();
	pthread_mutex_unlock(&slab_mutex);
	objects = other_count;
	bytes = other_bytes;
	for (unsigned int i = 0; i < nr_groups; i++) {
		objects += groups[i].count;
		bytes += groups[i].bytes;
	}
	if (!objects) {
		pthread_mutex_unlock(&leak_lock);
		return 0;
	}
	sort_groups(order);
	out_printf(&o, "==========================================================\n");
	out_printf(&o, "kmem: %lu object(s) (%lu bytes) still allocated in debug caches\n", objects,
		   bytes);
	for (unsigned int i = 0; i < nr_groups; i++)
		print_group(&o, &groups[order[i]]);
	if (other_count)
		out_printf(&o, "\n%lu more object(s) (%lu bytes) in groups beyond the first %d\n",
			   other_count, other_bytes, LEAK_GROUPS);
	out_printf(&o, "\nSUMMARY: kmem: %lu byte(s) leaked in %lu allocation(s).\n", bytes,
		   objects);
	out_flush(&o);
	pthread_mutex_unlock(&leak_lock);
	return objects;
}
