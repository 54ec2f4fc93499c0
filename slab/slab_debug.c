// SPDX-License-Identifier: MIT
/*
 * slab/slab_debug.c - red zones, poisoning, owner tracking, the kernel-style
 * object reports, and the slab layer's consistency checker.
 *
 * Caches with any of SLAB_RED_ZONE, SLAB_POISON, SLAB_STORE_USER or
 * SLAB_CONSISTENCY_CHECKS have no per-thread stacks: every allocation and
 * free runs the checks below under the cache lock, which makes a double
 * free exactly detectable (the object is on its slab's free list).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "slab/internal.h"

#define REPORT_DUMP_BYTES 128

static unsigned long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000 + (unsigned long)ts.tv_nsec / 1000000;
}

static struct track *object_tracks(struct kmem_cache *s, void *object)
{
	return (struct track *)((char *)object + s->track_offset);
}

static void set_track(struct kmem_cache *s, void *object, int which, void *caller)
{
	struct track *t = &object_tracks(s, object)[which];

	t->addr = caller;
	t->when = now_ms();
	t->tid = (int)syscall(SYS_gettid);
}

void slab_debug_init_object(struct kmem_cache *s, void *object)
{
	char *p = object;

	if (s->flags & SLAB_RED_ZONE) {
		memset(p - s->red_left_pad, SLUB_RED_INACTIVE, s->red_left_pad);
		memset(p + s->object_size, SLUB_RED_INACTIVE, s->inuse - s->object_size);
	}
	if (s->flags & __SLAB_OBJECT_POISON) {
		memset(p, POISON_FREE, s->object_size - 1);
		p[s->object_size - 1] = (char)POISON_END;
	}
	if (s->flags & SLAB_STORE_USER)
		memset(object_tracks(s, object), 0, 2 * sizeof(struct track));
}

/* ---- reports ------------------------------------------------------------ */

struct report_buf {
	char text[1900];
	size_t len;
};

static __printf(2, 3) void report_add(struct report_buf *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->len >= sizeof(r->text) - 1)
		return;
	va_start(ap, fmt);
	n = kmem_report_vsnprintf(r->text + r->len, sizeof(r->text) - r->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += (size_t)n < sizeof(r->text) - r->len ? (size_t)n :
								 sizeof(r->text) - r->len - 1;
}

/* "Object 0x...: 6b 6b ...  kkkk" lines, as print_hex_dump() does. */
static void report_hex(struct report_buf *r, const char *label, const void *start, size_t len)
{
	const unsigned char *p = start;

	if (len > REPORT_DUMP_BYTES)
		len = REPORT_DUMP_BYTES;
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		report_add(r, "%-8s %p: ", label, (const void *)(p + off));
		for (size_t i = 0; i < 16; i++)
			report_add(r, i < n ? "%02x " : "   ", p[off + i]);
		report_add(r, " ");
		for (size_t i = 0; i < n; i++)
			report_add(r, "%c",
				   p[off + i] >= 0x20 && p[off + i] < 0x7f ? p[off + i] : '.');
		report_add(r, "\n");
	}
}

static void report_track(struct report_buf *r, struct kmem_cache *s, void *object)
{
	static const char *const what[2] = {"Allocated", "Freed"};
	unsigned long now = now_ms();

	if (!(s->flags & SLAB_STORE_USER))
		return;
	for (int i = 0; i < 2; i++) {
		struct track *t = &object_tracks(s, object)[i];

		if (t->addr)
			report_add(r, "%s in %p age=%lu pid=%d\n", what[i], t->addr, now - t->when,
				   t->tid);
	}
}

/*
 * The kernel's object report: what went wrong, the owner tracks, the slab,
 * and hex dumps of the red zones and the object.
 */
static __cold void report_object(struct kmem_cache *s, struct slab *slab, void *object,
				 const char *what, const char *detail)
{
	struct report_buf r = {.len = 0};
	char *p = object;

	report_add(&r, "%s: %s\n", s->name, what);
	report_add(
		&r,
		"-----------------------------------------------------------------------------\n");
	if (detail)
		report_add(&r, "%s\n", detail);
	report_track(&r, s, object);
	report_add(&r, "Slab %p objects=%u used=%u fp=%p\n", (void *)slab_address(slab),
		   slab->objects, slab->inuse, slab->freelist);
	if (s->flags & SLAB_RED_ZONE)
		report_hex(&r, "Redzone", p - s->red_left_pad, s->red_left_pad);
	report_hex(&r, "Object", p, s->object_size);
	if (s->flags & SLAB_RED_ZONE)
		report_hex(&r, "Redzone", p + s->object_size, s->inuse - s->object_size);
	kmem_bug("%s", r.text);
}

/*
 * Check that [start, start + len) of @object's slot holds @value; report
 * the first wrong byte and restore the bytes so one corruption is reported
 * once.
 */
static bool check_bytes(struct kmem_cache *s, struct slab *slab, void *object, const char *what,
			unsigned char *start, unsigned int value, size_t len)
{
	char detail[160];
	unsigned char *fault = NULL;
	unsigned char *end;

	for (size_t i = 0; i < len && !fault; i++)
		if (start[i] != value)
			fault = start + i;
	if (!fault)
		return true;
	end = start + len;
	while (end > fault && end[-1] == value)
		end--;
	snprintf(detail, sizeof(detail), "%p-%p @offset=%td. First byte %#x instead of %#x",
		 (void *)fault, (void *)(end - 1), fault - (unsigned char *)slab_address(slab),
		 *fault, value);
	report_object(s, slab, object, what, detail);
	memset(fault, (int)value, (size_t)(end - fault));
	return false;
}

static bool check_redzones(struct kmem_cache *s, struct slab *slab, void *object,
			   unsigned int value)
{
	unsigned char *p = object;
	bool ok;

	if (!(s->flags & SLAB_RED_ZONE))
		return true;
	ok = check_bytes(s, slab, object, "Left Redzone overwritten", p - s->red_left_pad, value,
			 s->red_left_pad);
	return check_bytes(s, slab, object, "Right Redzone overwritten", p + s->object_size, value,
			   s->inuse - s->object_size) &&
		ok;
}

static void set_redzones(struct kmem_cache *s, void *object, unsigned int value)
{
	char *p = object;

	if (!(s->flags & SLAB_RED_ZONE))
		return;
	memset(p - s->red_left_pad, (int)value, s->red_left_pad);
	memset(p + s->object_size, (int)value, s->inuse - s->object_size);
}

bool slab_debug_alloc_checks(struct kmem_cache *s, struct slab *slab, void *object, void *caller)
{
	bool ok = check_redzones(s, slab, object, SLUB_RED_INACTIVE);

	if (s->flags & __SLAB_OBJECT_POISON) {
		unsigned char *p = object;

		ok = check_bytes(s, slab, object, "Poison overwritten", p, POISON_FREE,
				 s->object_size - 1) &&
			ok;
		ok = check_bytes(s, slab, object, "Poison overwritten", p + s->object_size - 1,
				 POISON_END, 1) &&
			ok;
	}
	set_redzones(s, object, SLUB_RED_ACTIVE);
	if (s->flags & SLAB_STORE_USER)
		set_track(s, object, 0, caller);
	return ok;
}

static bool on_freelist(struct kmem_cache *s, struct slab *slab, void *object)
{
	unsigned int n = 0;

	for (void *p = slab->freelist; p && n <= slab->objects; p = get_freepointer(s, p), n++)
		if (p == object)
			return true;
	return false;
}

bool slab_debug_free_checks(struct kmem_cache *s, struct slab *slab, void *object, void *caller)
{
	if (on_freelist(s, slab, object)) {
		report_object(s, slab, object, "Object already free", "double free");
		return false;
	}
	if (!check_redzones(s, slab, object, SLUB_RED_ACTIVE))
		return false;
	if (s->flags & SLAB_STORE_USER)
		set_track(s, object, 1, caller);
	set_redzones(s, object, SLUB_RED_INACTIVE);
	if (s->flags & __SLAB_OBJECT_POISON) {
		char *p = object;

		memset(p, POISON_FREE, s->object_size - 1);
		p[s->object_size - 1] = (char)POISON_END;
	}
	return true;
}

/* ---- kmem_cache_destroy with objects left ---------------------------------- */

/* One bit per slot of the slab being checked; slab_mutex serialises use. */
static unsigned long check_map[(PAGE_SIZE << MAX_PAGE_ORDER) / sizeof(void *) / 64];

static bool map_test_and_set(unsigned long idx)
{
	unsigned long bit = 1UL << (idx % 64);
	bool was = check_map[idx / 64] & bit;

	check_map[idx / 64] |= bit;
	return was;
}

static void report_leaked_objects(struct report_buf *r, struct kmem_cache *s,
				  struct list_head *list)
{
	struct list_head *pos;

	list_for_each(pos, list) {
		struct slab *slab = container_of(pos, struct slab, list);

		memset(check_map, 0, (slab->objects + 63) / 64 * sizeof(long));
		for (void *p = slab->freelist; p; p = get_freepointer(s, p))
			map_test_and_set((unsigned long)slab_object_index(s, slab, p));
		for (unsigned int i = 0; i < slab->objects; i++)
			if (!map_test_and_set(i))
				report_add(r, "Object %p @offset=%zu\n", slab_object(s, slab, i),
					   (size_t)((char *)slab_object(s, slab, i) -
						    slab_address(slab)));
	}
}

void slab_debug_report_leaks(struct kmem_cache *s, unsigned long slabs)
{
	struct report_buf r = {.len = 0};

	report_add(&r, "%s: Objects remaining on __kmem_cache_shutdown() in %lu slab%s\n", s->name,
		   slabs, slabs == 1 ? "" : "s");
	if (s->flags & SLAB_DEBUG_FLAGS) {
		pthread_mutex_lock(&s->lock);
		report_leaked_objects(&r, s, &s->partial);
		report_leaked_objects(&r, s, &s->full);
		pthread_mutex_unlock(&s->lock);
	}
	report_add(&r, "kmem_cache_destroy %s: Slab cache still has objects; it is kept", s->name);
	kmem_warn("%s", r.text);
}

/* ---- the consistency checker ------------------------------------------------ */

/*
 * Objects cached for reuse (thread stacks and the barn) are visited through
 * one walker; the registry lock is held, so stacks cannot go away.
 */
struct cached_walk {
	struct kmem_cache *s;
	int (*fn)(struct kmem_cache *s, void *object, void *arg);
	void *arg;
	int ret;
};

static void walk_stack(struct slab_tcache *tc, void *arg)
{
	struct cached_walk *w = arg;

	if (!w->ret && tc->count > w->s->tcache_limit)
		w->ret = kmem_check_failed("%s: a thread stack holds %u objects, more than its "
					   "limit %u (S3)",
					   w->s->name, tc->count, w->s->tcache_limit);
	for (unsigned int i = 0; i < tc->count && !w->ret; i++)
		w->ret = w->fn(w->s, tc->objs[i], w->arg);
}

static int for_each_cached_object(struct kmem_cache *s,
				  int (*fn)(struct kmem_cache *s, void *object, void *arg),
				  void *arg)
{
	struct cached_walk w = {s, fn, arg, 0};

	slab_for_each_tcache(s, walk_stack, &w);
	pthread_mutex_lock(&s->barn.lock);
	if (!w.ret && s->barn.count > s->barn.capacity)
		w.ret = kmem_check_failed("%s: the barn holds %u objects, more than its capacity "
					  "%u (S5)",
					  s->name, s->barn.count, s->barn.capacity);
	for (unsigned int i = 0; i < s->barn.count && !w.ret; i++)
		w.ret = fn(s, s->barn.objs[i], arg);
	pthread_mutex_unlock(&s->barn.lock);
	return w.ret;
}

struct slab_mark {
	struct slab *slab;
	unsigned int n;
};

/* Mark a cached object that lives in the slab being checked (S3). */
static int mark_cached_in_slab(struct kmem_cache *s, void *object, void *arg)
{
	struct slab_mark *m = arg;
	struct page *page = __virt_to_page(object);

	if (!page || page_slab(compound_head(page)) != m->slab)
		return 0;
	if (map_test_and_set((unsigned long)slab_object_index(s, m->slab, object)))
		return kmem_check_failed("%s: object %p is free twice (cached for reuse and on "
					 "another free list) (S3)",
					 s->name, object);
	m->n++;
	return 0;
}

static int check_stacks_in_slab(struct kmem_cache *s, struct slab *slab, unsigned int *n)
{
	struct slab_mark m = {slab, 0};
	int ret = for_each_cached_object(s, mark_cached_in_slab, &m);

	*n = m.n;
	return ret;
}

static int check_slab(struct kmem_cache *s, struct slab *slab, const char *list)
{
	unsigned int nfree = 0, nstacked = 0;
	bool empty = !strcmp(list, "empty"), full = !strcmp(list, "full");

	if (!PageSlab(slab_page(slab)) || slab->cache != s || slab->objects != s->objects)
		return kmem_check_failed("%s: slab %p on the %s list has flags %#lx, cache %p, "
					 "%u objects (S1)",
					 s->name, (void *)slab_address(slab), list,
					 slab->__page_flags & ((1UL << KMEM_PFN_SHIFT) - 1),
					 (void *)slab->cache, slab->objects);
	if ((empty && slab->inuse) || (full && slab->inuse != slab->objects) ||
	    (!empty && !full && (!slab->inuse || slab->inuse >= slab->objects)))
		return kmem_check_failed("%s: slab %p with %u of %u slots in use is on the %s "
					 "list (S1)",
					 s->name, (void *)slab_address(slab), slab->inuse,
					 slab->objects, list);
	memset(check_map, 0, (slab->objects + 63) / 64 * sizeof(long));
	for (void *p = slab->freelist; p; p = get_freepointer(s, p)) {
		long idx = slab_object_index(s, slab, p);

		if (idx < 0)
			return kmem_check_failed("%s: free pointer %p in slab %p is not an object "
						 "of the slab (S2)",
						 s->name, p, (void *)slab_address(slab));
		if (map_test_and_set((unsigned long)idx))
			return kmem_check_failed("%s: object %p is twice on the free list of slab "
						 "%p (S2)",
						 s->name, p, (void *)slab_address(slab));
		nfree++;
	}
	if (nfree != slab->objects - slab->inuse)
		return kmem_check_failed("%s: slab %p has %u free objects but counts %u in use "
					 "of %u (S2)",
					 s->name, (void *)slab_address(slab), nfree, slab->inuse,
					 slab->objects);
	if (check_stacks_in_slab(s, slab, &nstacked))
		return -1;
	if (nstacked > slab->inuse)
		return kmem_check_failed("%s: slab %p has %u objects on thread stacks but only %u "
					 "in use (S3)",
					 s->name, (void *)slab_address(slab), nstacked,
					 slab->inuse);
	return 0;
}

static int check_list(struct kmem_cache *s, struct list_head *head, unsigned long nr,
		      const char *name)
{
	struct list_head *pos;
	unsigned long n = 0;

	list_for_each(pos, head) {
		if (check_slab(s, container_of(pos, struct slab, list), name))
			return -1;
		n++;
	}
	if (n != nr)
		return kmem_check_failed("%s: %lu slabs on the %s list but nr_%s is %lu (S1)",
					 s->name, n, name, name, nr);
	return 0;
}

/* A cached object of @s is an object of @s at a slot start (S3, S5). */
static int check_cached_object(struct kmem_cache *s, void *object, void *arg)
{
	struct page *page = __virt_to_page(object);
	struct slab *slab = page ? page_slab(compound_head(page)) : NULL;

	(void)arg;
	if (!slab || !PageSlab(slab_page(slab)) || slab->cache != s ||
	    slab_object_index(s, slab, object) < 0)
		return kmem_check_failed("%s: %p is cached for reuse but is not an object of the "
					 "cache (S3)",
					 s->name, object);
	return 0;
}

static int check_cache(struct kmem_cache *s)
{
	int ret;

	ret = for_each_cached_object(s, check_cached_object, NULL);
	if (ret)
		return ret;
	pthread_mutex_lock(&s->lock);
	ret = check_list(s, &s->empty, s->nr_empty, "empty");
	if (!ret)
		ret = check_list(s, &s->partial, s->nr_partial, "partial");
	if (!ret)
		ret = check_list(s, &s->full, s->nr_full, "full");
	if (!ret && s->nr_empty > SLAB_KEEP_EMPTY)
		ret = kmem_check_failed("%s: %lu empty slabs kept, at most %u allowed (S4)",
					s->name, s->nr_empty, SLAB_KEEP_EMPTY);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int slab_check_all(void)
{
	struct list_head *pos;
	int ret = 0;

	pthread_mutex_lock(&slab_mutex);
	kmem_thread_registry_lock();
	list_for_each(pos, &slab_caches) {
		ret = check_cache(container_of(pos, struct kmem_cache, link));
		if (ret)
			break;
	}
	kmem_thread_registry_unlock();
	pthread_mutex_unlock(&slab_mutex);
	return ret;
}
