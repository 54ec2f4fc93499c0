// SPDX-License-Identifier: MIT
/*
 * slab/slab_debug.c - red zones, poisoning, owner tracking, tracing, the
 * kernel-style object reports, and the slab layer's consistency checker.
 *
 * Caches with any of SLAB_DEBUG_FLAGS have no per-thread stacks: every
 * allocation and free runs the checks below under the cache lock, which
 * makes a double free exactly detectable (the object is on its slab's free
 * list).  What an operation records (caller, stack, thread, time) is
 * gathered before the lock is taken.
 *
 * Red zones, poison, tracks and free objects are bytes the program may not
 * touch; under valgrind or ASan they are inaccessible to it, so this file
 * reads and writes them only through lib/shadow.h's guarded accessors, and
 * changes what the tools see only when an object changes hands.
 */
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "lib/stacktrace.h"
#include "slab/internal.h"

#define REPORT_DUMP_BYTES 128
#define SYMBOL_BYTES 192

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

void slab_read_track(struct kmem_cache *s, void *object, int which, struct track *out)
{
	guarded_copy(out, &object_tracks(s, object)[which], sizeof(*out));
}

void slab_debug_prepare(struct kmem_cache *s, struct slab_debug_ctx *ctx, void *caller,
			size_t orig_size)
{
	struct track *t = &ctx->track;

	ctx->orig_size = orig_size;
	if (!(s->flags & (SLAB_STORE_USER | SLAB_TRACE)))
		return;
	t->addr = kmem_api_caller(caller);
	t->when = now_ms();
	t->tid = (int)syscall(SYS_gettid);
	t->cpu = (short)sched_getcpu();
	t->nr_frames = (unsigned short)kmem_stack_save(t->frames, TRACK_FRAMES, t->addr);
}

/* ---- the requested size of kmalloc objects ---------------------------------------- */

static unsigned long *orig_size_word(struct kmem_cache *s, void *object)
{
	return (unsigned long *)((char *)object + s->orig_size_offset);
}

size_t slab_object_usable(struct kmem_cache *s, void *object)
{
	size_t size;

	if (!s->orig_size_offset)
		return slab_shadowed(s) ? shadow_usable(object, s->object_size) : s->object_size;
	size = guarded_load(orig_size_word(s, object));
	return size && size <= s->object_size ? size : s->object_size;
}

void slab_object_set_usable(struct kmem_cache *s, void *object, size_t size)
{
	if (s->orig_size_offset)
		guarded_store(orig_size_word(s, object), size);
}

void slab_object_resize_usable(struct kmem_cache *s, void *object, size_t size)
{
	size_t old = slab_object_usable(s, object);

	if (size == old)
		return;
	/* The kmalloc red zone starts where the request ends. */
	if ((s->flags & SLAB_RED_ZONE) && size < old)
		guarded_fill((char *)object + size, SLUB_RED_ACTIVE, old - size);
	if (slab_shadowed(s))
		shadow_resize(object, old, size, true);
	slab_object_set_usable(s, object, size);
}

/* ---- object layout -------------------------------------------------------------- */

static void set_redzones(struct kmem_cache *s, void *object, unsigned int value)
{
	char *p = object;

	if (!(s->flags & SLAB_RED_ZONE))
		return;
	guarded_fill(p - s->red_left_pad, (int)value, s->red_left_pad);
	guarded_fill(p + s->object_size, (int)value, s->inuse - s->object_size);
}

static void poison_object(struct kmem_cache *s, void *object)
{
	char *p = object;

	if (!(s->flags & __SLAB_OBJECT_POISON))
		return;
	guarded_fill(p, POISON_FREE, s->object_size - 1);
	guarded_fill(p + s->object_size - 1, POISON_END, 1);
}

void slab_debug_init_object(struct kmem_cache *s, void *object)
{
	set_redzones(s, object, SLUB_RED_INACTIVE);
	poison_object(s, object);
	if (s->flags & SLAB_STORE_USER)
		guarded_fill(object_tracks(s, object), 0, 2 * sizeof(struct track));
	if (s->orig_size_offset)
		slab_object_set_usable(s, object, s->object_size);
}

/* ---- reports -------------------------------------------------------------------- */

struct report_buf {
	char text[5200];
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
	unsigned char bytes[REPORT_DUMP_BYTES];
	const char *at = start;

	if (len > REPORT_DUMP_BYTES)
		len = REPORT_DUMP_BYTES;
	guarded_copy(bytes, start, len);
	shadow_make_defined(bytes, len);
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;
		const unsigned char *p = bytes + off;

		report_add(r, "%-8s %p: ", label, (const void *)(at + off));
		for (size_t i = 0; i < 16; i++)
			report_add(r, i < n ? "%02x " : "   ", p[i]);
		report_add(r, " ");
		for (size_t i = 0; i < n; i++)
			report_add(r, "%c", p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
		report_add(r, "\n");
	}
}

/* "main+0x1d/0x80 [prog]" for a code address. */
static void report_symbol(struct report_buf *r, const char *fmt, const void *addr)
{
	char name[SYMBOL_BYTES];

	kmem_symbolize(name, sizeof(name), addr);
	report_add(r, fmt, name);
}

/* The kernel's print_track(): the caller, then the stack one frame a line. */
static void report_one_track(struct report_buf *r, const char *what, const struct track *t,
			     unsigned long now)
{
	char name[SYMBOL_BYTES];

	kmem_symbolize(name, sizeof(name), t->addr);
	report_add(r, "%s in %s age=%lu cpu=%d pid=%d\n", what, name, now - t->when, t->cpu,
		   t->tid);
	for (unsigned int i = 0; i < t->nr_frames && i < TRACK_FRAMES; i++)
		report_symbol(r, " %s\n", t->frames[i]);
}

static void report_track(struct report_buf *r, struct kmem_cache *s, void *object)
{
	static const char *const what[2] = {"Allocated", "Freed"};
	unsigned long now = now_ms();

	if (!(s->flags & SLAB_STORE_USER))
		return;
	for (int i = 0; i < 2; i++) {
		struct track t;

		slab_read_track(s, object, i, &t);
		if (t.addr)
			report_one_track(r, what[i], &t, now);
	}
}

/* The report's hex dumps and slab line, after the headline and detail. */
static void report_trailer(struct report_buf *r, struct kmem_cache *s, struct slab *slab,
			   void *object)
{
	char *p = object;

	report_track(r, s, object);
	report_add(r, "Slab %p objects=%u used=%u fp=%p\n", (void *)slab_address(slab),
		   slab->objects, slab->inuse, slab->freelist);
	if (s->flags & SLAB_RED_ZONE)
		report_hex(r, "Redzone", p - s->red_left_pad, s->red_left_pad);
	report_hex(r, "Object", p, s->object_size);
	if (s->flags & SLAB_RED_ZONE)
		report_hex(r, "Redzone", p + s->object_size, s->inuse - s->object_size);
}

static void report_emit(enum kmem_report_kind kind, const struct report_buf *r)
{
	if (kind == KMEM_REPORT_CHECK)
		kmem_check_failed("%s", r->text);
	else
		kmem_bug("%s", r->text);
}

/*
 * The kernel's object report: what went wrong, the owner tracks, the slab,
 * and hex dumps of the red zones and the object.  Its formatting reads
 * bytes the program may have left uninitialised: memcheck is told not to
 * mind.
 */
static __cold void report_object(enum kmem_report_kind kind, struct kmem_cache *s,
				 struct slab *slab, void *object, const char *what,
				 const char *detail, const char *fix)
{
	struct report_buf r = {.len = 0};

	shadow_quiet_begin();
	report_add(&r, "%s: %s\n", s->name, what);
	report_add(
		&r,
		"-----------------------------------------------------------------------------\n");
	if (detail)
		report_add(&r, "%s\n", detail);
	report_trailer(&r, s, slab, object);
	if (fix)
		report_add(&r, "FIX %s: %s\n", s->name, fix);
	shadow_quiet_end();
	report_emit(kind, &r);
}

/*
 * Check that [start, start + len) of @object's slot holds @value; report
 * the first wrong byte and restore the bytes so one corruption is reported
 * once.
 */
static bool check_bytes(enum kmem_report_kind kind, struct kmem_cache *s, struct slab *slab,
			void *object, const char *what, unsigned char *start, unsigned int value,
			size_t len)
{
	char detail[160], fix[160];
	size_t first = guarded_mismatch(start, (int)value, len), last = len;
	unsigned char bad;

	if (first == len)
		return true;
	while (last > first && guarded_mismatch(start + last - 1, (int)value, 1) == 1)
		last--;
	guarded_copy(&bad, start + first, 1);
	shadow_make_defined(&bad, 1);
	snprintf(detail, sizeof(detail), "%p-%p @offset=%td. First byte 0x%x instead of 0x%x",
		 (void *)(start + first), (void *)(start + last - 1),
		 start + first - (unsigned char *)slab_address(slab), bad, value);
	/* "Right Redzone overwritten" restores the "Right Redzone". */
	snprintf(fix, sizeof(fix), "Restoring %.*s %p-%p=0x%x",
		 (int)(strstr(what, " overwritten") ? strstr(what, " overwritten") - what :
						      (ptrdiff_t)strlen(what)),
		 what, (void *)(start + first), (void *)(start + last - 1), value);
	report_object(kind, s, slab, object, what, detail, fix);
	guarded_fill(start + first, (int)value, last - first);
	return false;
}

static bool check_redzones(enum kmem_report_kind kind, struct kmem_cache *s, struct slab *slab,
			   void *object, unsigned int value)
{
	unsigned char *p = object;
	bool ok;

	if (!(s->flags & SLAB_RED_ZONE))
		return true;
	ok = check_bytes(kind, s, slab, object, "Left Redzone overwritten", p - s->red_left_pad,
			 value, s->red_left_pad);
	ok = check_bytes(kind, s, slab, object, "Right Redzone overwritten", p + s->object_size,
			 value, s->inuse - s->object_size) &&
		ok;
	/* A kmalloc object's bytes behind its request are a red zone too. */
	if (value == SLUB_RED_ACTIVE && s->orig_size_offset) {
		size_t usable = slab_object_usable(s, object);

		ok = check_bytes(kind, s, slab, object, "kmalloc Redzone overwritten", p + usable,
				 value, s->object_size - usable) &&
			ok;
	}
	return ok;
}

static bool check_poison(enum kmem_report_kind kind, struct kmem_cache *s, struct slab *slab,
			 void *object)
{
	unsigned char *p = object;
	bool ok;

	if (!(s->flags & __SLAB_OBJECT_POISON))
		return true;
	ok = check_bytes(kind, s, slab, object, "Poison overwritten", p, POISON_FREE,
			 s->object_size - 1);
	return check_bytes(kind, s, slab, object, "Poison overwritten", p + s->object_size - 1,
			   POISON_END, 1) &&
		ok;
}

void slab_freechain_corrupt(struct kmem_cache *s, struct slab *slab, void *object, void *next)
{
	char detail[256];
	char *base = slab_address(slab);

	snprintf(detail, sizeof(detail),
		 "Free pointer at %p decodes to %p, not an object of slab %p-%p",
		 (void *)((char *)object + s->offset), next, (void *)base,
		 (void *)(base + (PAGE_SIZE << slab->order) - 1));
	report_object(KMEM_REPORT_BUG, s, slab, object, "Freechain corrupt", detail,
		      "Isolate corrupted freechain");
}

/* ---- tracing (slab_debug=T) ------------------------------------------------------ */

void slab_debug_trace(struct kmem_cache *s, struct slab *slab, void *object, bool alloc,
		      const struct slab_debug_ctx *ctx)
{
	struct report_buf r = {.len = 0};

	if (!(s->flags & SLAB_TRACE))
		return;
	shadow_quiet_begin();
	report_add(&r, "TRACE %s %s 0x%p inuse=%u fp=0x%p\n", s->name, alloc ? "alloc" : "free",
		   object, slab->inuse, slab->freelist);
	if (!alloc)
		report_hex(&r, "Object", object, s->object_size);
	for (unsigned int i = 0; i < ctx->track.nr_frames && i < TRACK_FRAMES; i++)
		report_symbol(&r, " %s\n", ctx->track.frames[i]);
	shadow_quiet_end();
	kmem_info("%s", r.text);
}

/* ---- allocation and free ----------------------------------------------------------- */

static void set_track(struct kmem_cache *s, void *object, int which,
		      const struct slab_debug_ctx *ctx)
{
	guarded_copy(&object_tracks(s, object)[which], &ctx->track, sizeof(struct track));
}

bool slab_debug_alloc_checks(struct kmem_cache *s, struct slab *slab, void *object,
			     const struct slab_debug_ctx *ctx)
{
	size_t usable = (s->flags & SLAB_KMALLOC) ? ctx->orig_size : s->object_size;
	bool ok = check_redzones(KMEM_REPORT_BUG, s, slab, object, SLUB_RED_INACTIVE);

	ok = check_poison(KMEM_REPORT_BUG, s, slab, object) && ok;
	set_redzones(s, object, SLUB_RED_ACTIVE);
	if (s->orig_size_offset) {
		slab_object_set_usable(s, object, usable);
		if (s->flags & SLAB_RED_ZONE)
			guarded_fill((char *)object + usable, SLUB_RED_ACTIVE,
				     s->object_size - usable);
	}
	if (s->flags & SLAB_STORE_USER)
		set_track(s, object, 0, ctx);
	slab_debug_trace(s, slab, object, true, ctx);
	if (slab_shadowed(s))
		shadow_alloc(object, usable, s->object_size, s->ctor);
	return ok;
}

/*
 * Whether @object is on @slab's free list.  A free pointer that is not an
 * object of the slab ends the walk: reported, and the chain cut there, the
 * lost slots counted as in use.
 */
static bool on_freelist(struct kmem_cache *s, struct slab *slab, void *object)
{
	unsigned int n = 0;

	for (void *p = slab->freelist; p && n <= slab->objects; n++) {
		void *next;

		if (p == object)
			return true;
		next = get_freepointer(s, p);
		if (!freeptr_valid(s, slab, next)) {
			slab_freechain_corrupt(s, slab, p, next);
			set_freepointer(s, p, NULL);
			__slab_set_inuse(s, slab, slab->objects - (n + 1));
			break;
		}
		p = next;
	}
	return false;
}

bool slab_debug_free_checks(struct kmem_cache *s, struct slab *slab, void *object,
			    const struct slab_debug_ctx *ctx)
{
	if (on_freelist(s, slab, object)) {
		report_object(KMEM_REPORT_BUG, s, slab, object, "Object already free",
			      "double free", NULL);
		return false;
	}
	if (!check_redzones(KMEM_REPORT_BUG, s, slab, object, SLUB_RED_ACTIVE))
		return false;
	if (s->flags & SLAB_STORE_USER)
		set_track(s, object, 1, ctx);
	slab_debug_trace(s, slab, object, false, ctx);
	if (slab_shadowed(s))
		shadow_free(object, s->object_size);
	set_redzones(s, object, SLUB_RED_INACTIVE);
	poison_object(s, object);
	return true;
}

/* ---- objects of a slab ------------------------------------------------------------ */

/* One bit per slot of the slab being checked; slab_mutex serialises use. */
static unsigned long check_map[(PAGE_SIZE << MAX_PAGE_ORDER) / sizeof(void *) / 64];

static bool map_test_and_set(unsigned long idx)
{
	unsigned long bit = 1UL << (idx % 64);
	bool was = check_map[idx / 64] & bit;

	check_map[idx / 64] |= bit;
	return was;
}

/*
 * Mark the slots on @slab's free list; false (after a check report when
 * @report) when a free pointer is not an object of the slab, or repeats.
 */
static bool mark_free_slots(struct kmem_cache *s, struct slab *slab, unsigned int *nfree,
			    bool report)
{
	unsigned int n = 0;

	memset(check_map, 0, (slab->objects + 63) / 64 * sizeof(long));
	for (void *p = slab->freelist; p; p = get_freepointer(s, p)) {
		long idx = slab_object_index(s, slab, p);

		if (idx < 0) {
			if (report)
				kmem_check_failed("%s: free pointer %p in slab %p is not an object "
						  "of the slab (S2)",
						  s->name, p, (void *)slab_address(slab));
			return false;
		}
		if (map_test_and_set((unsigned long)idx)) {
			if (report)
				kmem_check_failed("%s: object %p is twice on the free list of slab "
						  "%p (S2)",
						  s->name, p, (void *)slab_address(slab));
			return false;
		}
		n++;
	}
	*nfree = n;
	return true;
}

/*
 * Call @fn on every allocated object of @slab (slots not on its free list;
 * debug caches cache no objects elsewhere).  Cache lock and slab_mutex held.
 */
void slab_for_each_allocated(struct kmem_cache *s, struct slab *slab,
			     void (*fn)(struct kmem_cache *s, void *object, void *arg), void *arg)
{
	unsigned int nfree;

	if (!mark_free_slots(s, slab, &nfree, false))
		return;
	for (unsigned int i = 0; i < slab->objects; i++)
		if (!map_test_and_set(i))
			fn(s, slab_object(s, slab, i), arg);
}

/* ---- kmem_cache_destroy with objects left ------------------------------------------ */

static void report_leaked_object(struct kmem_cache *s, void *object, void *arg)
{
	struct report_buf *r = arg;
	struct slab *slab = page_slab(compound_head(__virt_to_page(object)));

	(void)s;
	report_add(r, "Object %p @offset=%zu\n", object,
		   (size_t)((char *)object - slab_address(slab)));
}

static void report_leaked_objects(struct report_buf *r, struct kmem_cache *s,
				  struct list_head *list)
{
	struct list_head *pos;

	list_for_each(pos, list)
		slab_for_each_allocated(s, container_of(pos, struct slab, list),
					report_leaked_object, r);
}

void slab_debug_report_leaks(struct kmem_cache *s, unsigned long slabs)
{
	struct report_buf r = {.len = 0};

	report_add(&r, "%s: Objects remaining on __kmem_cache_shutdown() in %lu slab%s\n", s->name,
		   slabs, slabs == 1 ? "" : "s");
	if (s->flags & SLAB_DEBUG_FLAGS) {
		slab_lock(s);
		report_leaked_objects(&r, s, &s->partial);
		report_leaked_objects(&r, s, &s->full);
		slab_unlock(s);
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

/*
 * What slab debugging can see in every slot of a debug cache's slab whose
 * free slots are marked: the red zones of live objects, and the red zones
 * and poison of free ones.  Damage is reported the kernel's way (and
 * repaired, as the kernel's validation does).
 */
static int check_slots(struct kmem_cache *s, struct slab *slab)
{
	bool ok = true;

	for (unsigned int i = 0; i < slab->objects; i++) {
		void *object = slab_object(s, slab, i);
		bool is_free = map_test_and_set(i);

		if (is_free) {
			ok = check_redzones(KMEM_REPORT_CHECK, s, slab, object,
					    SLUB_RED_INACTIVE) &&
				ok;
			ok = check_poison(KMEM_REPORT_CHECK, s, slab, object) && ok;
		} else {
			ok = check_redzones(KMEM_REPORT_CHECK, s, slab, object, SLUB_RED_ACTIVE) &&
				ok;
		}
	}
	return ok ? 0 : -1;
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
	if (!mark_free_slots(s, slab, &nfree, true))
		return -1;
	if (nfree != slab->objects - slab->inuse)
		return kmem_check_failed("%s: slab %p has %u free objects but counts %u in use "
					 "of %u (S2)",
					 s->name, (void *)slab_address(slab), nfree, slab->inuse,
					 slab->objects);
	if (s->flags & SLAB_DEBUG_FLAGS)
		return check_slots(s, slab);
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
	int ret = 0;

	list_for_each(pos, head) {
		/* A damaged object is reported; the walk goes on to report every one. */
		if (check_slab(s, container_of(pos, struct slab, list), name))
			ret = -1;
		n++;
	}
	if (!ret && n != nr)
		return kmem_check_failed("%s: %lu slabs on the %s list but nr_%s is %lu (S1)",
					 s->name, n, name, name, nr);
	return ret;
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
	slab_lock(s);
	ret = check_list(s, &s->empty, s->nr_empty, "empty");
	if (!ret)
		ret = check_list(s, &s->partial, s->nr_partial, "partial");
	if (!ret)
		ret = check_list(s, &s->full, s->nr_full, "full");
	if (!ret && s->nr_empty > SLAB_KEEP_EMPTY)
		ret = kmem_check_failed("%s: %lu empty slabs kept, at most %u allowed (S4)",
					s->name, s->nr_empty, SLAB_KEEP_EMPTY);
	slab_unlock(s);
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
