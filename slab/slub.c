// SPDX-License-Identifier: MIT
/*
 * slab/slub.c - slab caches, SLUB style, with a per-thread object cache.
 *
 * Structure
 *   A cache carves slabs into equal slots.  A slab is a buddy block of
 *   2^order pages (compound when order > 0) whose head page has PG_slab and
 *   carries the slab's metadata (struct slab overlays struct page).  Free
 *   slots of a slab form a singly linked list through the free pointer,
 *   which lives inside the free object (at s->offset, mid-object) or, for
 *   caches with a constructor, SLAB_TYPESAFE_BY_RCU or poisoning, just
 *   behind the object so constructed state survives free.
 *
 *   Free pointers are hardened (the kernel's CONFIG_SLAB_FREELIST_HARDENED,
 *   internal.h): stored XORed with a per-cache secret and their address,
 *   and a decoded pointer that is not an object of its slab is reported
 *   and the chain cut, never followed (an empty free list always means a
 *   full slab, so a cut chain leaves the slab consistent).  A new slab
 *   links its slots in a random order (CONFIG_SLAB_FREELIST_RANDOM).  Both
 *   are on unless KMEM_FREELIST_HARDENED=0 or KMEM_FREELIST_RANDOM=0.
 *
 *   Each thread has, per cache, a LIFO array of free objects (struct
 *   slab_tcache).  Allocation pops it, free pushes it; neither takes a lock
 *   or an atomic read-modify-write.  An empty array is refilled with a batch
 *   from the cache's barn, or else from the slabs' free lists, under one
 *   lock acquisition; a full one hands its oldest batch to the barn or the
 *   slabs.  A free from a thread that did not allocate the object is just
 *   as cheap: it lands on the freeing thread's array.  Producer/consumer
 *   pairs stay bounded because the consumer's overflow returns to the barn
 *   and slabs the producer refills from.  Caches with debug flags have no
 *   thread arrays: every operation is checked under the cache lock
 *   (slab/slab_debug.c).
 *
 *   Each fast path tests one word, s->hooks, for work an option asks of
 *   every object (slab_post_alloc(), slab_free_hooked()): telling valgrind or
 *   ASan about it, init_on_alloc/init_on_free zeroing.  It is 0 unless such
 *   an option is on.
 *
 * Invariants (checked by slab_check_all(), slab/slab_debug.c)
 *   S1 A slab's head page has PG_slab and slab->cache == its cache; it is on
 *      exactly one of the cache's lists: empty (inuse == 0), partial
 *      (0 < inuse < objects) or full (inuse == objects); nr_empty,
 *      nr_partial and nr_full count them.
 *   S2 A slab's free list holds objects - inuse distinct slots of that slab,
 *      each at a slot start.
 *   S3 Every slot of a slab is on the slab's free list, on exactly one
 *      thread stack, or allocated; never two of these.  A thread stack's
 *      count is its length.
 *   S4 At most SLAB_KEEP_EMPTY empty slabs are kept; beyond that an empty
 *      slab goes back to the buddy allocator (for SLAB_TYPESAFE_BY_RCU after
 *      an RCU grace period, slab/rcu.c).
 *
 * Locking
 *   Lock order: slab_mutex -> slab_registry_lock -> kmem_cache.lock ->
 *   page layer locks.  slab_mutex guards slab_caches, the tcache id map and
 *   cache creation/destruction.  slab_registry_lock guards the list of
 *   threads and each thread's tcaches array pointer (a thread replaces it
 *   under the lock; kmem_cache_destroy, statistics and thread exit read it
 *   under the lock).  kmem_cache.lock guards the slab lists, every slab's
 *   freelist and inuse, and the cache's retired counters.  A thread stack
 *   is touched only by its thread, except by kmem_cache_destroy() (the
 *   cache has no users then) and thread exit, both under the registry lock.
 *   alloc_pages() is never called with a slab lock held, because memory
 *   pressure calls back into slab_reclaim(), which takes them.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "lib/fault.h"
#include "lib/prandom.h"
#include "lib/testing.h"
#include "slab/internal.h"

/* A thread caches about TCACHE_BYTES of a cache, 2..TCACHE_SLOTS objects. */
#define TCACHE_BYTES (16UL << 10)
#define TCACHE_MIN_OBJECTS 2U
/* A barn holds about BARN_BYTES of objects, at most BARN_MAX_OBJECTS. */
#define BARN_BYTES (128UL << 10)
#define BARN_MAX_OBJECTS 512U

pthread_mutex_t slab_mutex = PTHREAD_MUTEX_INITIALIZER;
struct list_head slab_caches = {&slab_caches, &slab_caches};

static __thread struct slab_thread slab_self __tls_ie;
static pthread_once_t slab_once = PTHREAD_ONCE_INIT;

/* The cache of struct kmem_cache itself, as in the kernel. */
struct kmem_cache kmem_cache_boot;

/* Do the test hooks apply to @s?  kmem's own bookkeeping is never failed nor counted. */
static inline bool slab_testing_on(const struct kmem_cache *s)
{
	return kmem_testing_active() && s != &kmem_cache_boot;
}

/* tcache id -> cache, under slab_mutex (read under the registry lock). */
static struct kmem_cache *tcache_owner[MAX_TCACHE_IDS];
/* One more than the highest id ever given: a new thread array covers them all. */
static unsigned int tcache_ids_high;

static void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, size_t size, void *caller);
static void slab_free_slow(struct kmem_cache *s, struct slab *slab, void *object, void *caller);

/* ---- layout --------------------------------------------------------------- */

static unsigned int calculate_alignment(slab_flags_t flags, unsigned int align, unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = CACHE_LINE_SIZE;

		while (size <= ralign / 2)
			ralign /= 2;
		if (ralign > align)
			align = ralign;
	}
	if (align < sizeof(void *))
		align = sizeof(void *);
	return align;
}

/*
 * Pick the slab order: the lowest order up to SLAB_MAX_ORDER_PREFERRED that
 * holds enough objects and wastes at most 1/16 of the slab, then 1/8, 1/4;
 * objects too large for that get the lowest order wasting at most 1/4.
 */
static unsigned int calculate_order(unsigned int size)
{
	unsigned long max_objects = (PAGE_SIZE << SLAB_MAX_ORDER_PREFERRED) / size;
	unsigned long min_objects = max_objects < 8 ? max_objects : 8;

	for (unsigned int fraction = 16; min_objects && fraction >= 4; fraction /= 2) {
		for (unsigned int order = 0; order <= SLAB_MAX_ORDER_PREFERRED; order++) {
			unsigned long bytes = PAGE_SIZE << order;

			if (bytes / size >= min_objects && bytes % size <= bytes / fraction)
				return order;
		}
	}
	for (unsigned int order = get_order(size); order <= MAX_PAGE_ORDER; order++) {
		unsigned long bytes = PAGE_SIZE << order;

		if (bytes % size <= bytes / 4)
			return order;
	}
	return get_order(size);
}

/*
 * Lay out a slot, the kernel's way:
 *   [left red zone][object][right red zone][free pointer][track x2][orig size][pad]
 * The red zones exist with SLAB_RED_ZONE, the tracks with SLAB_STORE_USER;
 * the free pointer sits behind the object only when it must not overlay it.
 * A kmalloc cache keeps the size each request asked for when it has red
 * zones or tracks (the kernel keeps it with tracks), so the bytes between
 * the request and the object's end are checked too.  (Valgrind and ASan
 * keep it themselves: the layout is the same whether they watch or not.)
 */
static void calculate_sizes(struct kmem_cache *s, const struct kmem_cache_args *args)
{
	unsigned int size = (unsigned int)align_up(s->object_size, sizeof(void *));

	s->flags &= ~__SLAB_OBJECT_POISON;
	s->red_left_pad = 0;
	s->track_offset = 0;
	if ((s->flags & SLAB_POISON) && !(s->flags & SLAB_TYPESAFE_BY_RCU) && !s->ctor)
		s->flags |= __SLAB_OBJECT_POISON;
	if ((s->flags & SLAB_RED_ZONE) && size == s->object_size)
		size += sizeof(void *);
	s->inuse = size;
	if (args->use_freeptr_offset) {
		s->offset = args->freeptr_offset;
	} else if ((s->flags & (SLAB_TYPESAFE_BY_RCU | __SLAB_OBJECT_POISON)) || s->ctor ||
		   ((s->flags & SLAB_RED_ZONE) && s->object_size < sizeof(void *))) {
		s->offset = size;
		size += sizeof(void *);
	} else {
		s->offset = (unsigned int)(s->object_size / 2 & ~(sizeof(void *) - 1));
	}
	if (s->flags & SLAB_STORE_USER) {
		s->track_offset = size;
		size += 2 * sizeof(struct track);
	}
	s->orig_size_offset = 0;
	if ((s->flags & SLAB_KMALLOC) && (s->flags & (SLAB_RED_ZONE | SLAB_STORE_USER))) {
		s->orig_size_offset = size;
		size += sizeof(unsigned long);
	}
	if (s->flags & SLAB_RED_ZONE) {
		s->red_left_pad = (unsigned int)align_up(sizeof(void *), s->align);
		size += s->red_left_pad;
	}
	s->size = (unsigned int)align_up(size, s->align);
	s->order = calculate_order(s->size);
	s->objects = (unsigned int)((PAGE_SIZE << s->order) / s->size);
	s->reciprocal_size = ((1ULL << 32) + s->size - 1) / s->size;
}

/* ---- slabs ------------------------------------------------------------------ */

static inline struct slab *object_slab(const void *object)
{
	struct page *page = __virt_to_page(object);

	if (unlikely(!page))
		return NULL;
	page = compound_head(page);
	return likely(PageSlab(page)) ? page_slab(page) : NULL;
}

/* Each thread draws the order of its new slabs' free lists from its own generator. */
static __thread struct prandom_state slab_rand __tls_ie;
static __thread bool slab_rand_seeded __tls_ie;

/*
 * The free-list words of a slab being set up, slot by slot: the slab is not
 * published yet and its memory is kmem's, so they are written directly.
 */
struct slot_words {
	char *first;	   /* the free-list word of slot 0 */
	char *object0;	   /* slot 0's object */
	unsigned int size; /* the slot stride */
};

static inline struct slot_words slot_words(const struct kmem_cache *s, const struct slab *slab)
{
	char *object0 = slab_object(s, slab, 0);

	return (struct slot_words){object0 + s->offset, object0, s->size};
}

static inline uintptr_t *slot_word(const struct slot_words *w, unsigned int idx)
{
	return (uintptr_t *)(w->first + (size_t)idx * w->size);
}

static inline void *slot_object(const struct slot_words *w, unsigned int idx)
{
	return w->object0 + (size_t)idx * w->size;
}

/*
 * Link the free slots of a new slab in a random order (the kernel's
 * CONFIG_SLAB_FREELIST_RANDOM), so that where the next object lands cannot
 * be predicted from where the last one did.  The inside-out form of
 * Sattolo's shuffle, kept in the slots' own free-list words, makes a
 * uniformly random single cycle through all slots in one pass; followed
 * from a random slot and cut before it comes back, it is a uniformly random
 * order.  A second pass turns slot numbers into encoded pointers.  Each
 * 64-bit draw serves two slots; the multiply-shift range reduction is
 * biased by less than 2^-17 for a slab's at most 2^15 slots, which does not
 * matter for a layout shuffle.  Returns the first slot.
 */
static void *link_random(struct kmem_cache *s, struct slab *slab)
{
	struct slot_words w = slot_words(s, slab);
	unsigned int n = slab->objects, first;
	uint64_t bits = 0;

	if (unlikely(!slab_rand_seeded)) {
		prandom_seed_state(&slab_rand, kmem_get_random_u64());
		slab_rand_seeded = true;
	}
	*slot_word(&w, 0) = 0;
	for (unsigned int i = 1; i < n; i++) {
		uint32_t draw;
		unsigned int j;

		if (i & 1) {
			bits = prandom_u64_state(&slab_rand);
			draw = (uint32_t)bits;
		} else {
			draw = (uint32_t)(bits >> 32);
		}
		j = (unsigned int)(((uint64_t)draw * i) >> 32);
		*slot_word(&w, i) = *slot_word(&w, j);
		*slot_word(&w, j) = i;
	}
	first = prandom_u32_below(&slab_rand, n);
	for (unsigned int i = 0; i < n; i++) {
		uintptr_t *word = slot_word(&w, i);
		unsigned int next = (unsigned int)*word;
		void *to = next == first ? NULL : slot_object(&w, next);

		*word = (uintptr_t)to ^ freeptr_code(s, word);
	}
	return slot_object(&w, first);
}

/* Link the free slots of a new slab in address order. */
static void *link_in_order(struct kmem_cache *s, struct slab *slab)
{
	struct slot_words w = slot_words(s, slab);
	void *next = NULL;

	for (unsigned int i = slab->objects; i-- > 0;) {
		uintptr_t *word = slot_word(&w, i);

		*word = (uintptr_t)next ^ freeptr_code(s, word);
		next = slot_object(&w, i);
	}
	return next;
}

static struct slab *new_slab(struct kmem_cache *s, gfp_t gfp)
{
	struct page *page;
	struct slab *slab;

	gfp &= ~__GFP_ZERO;
	if (s->order)
		gfp |= __GFP_COMP;
	page = alloc_pages(gfp, s->order);
	if (!page)
		return NULL;
	slab = page_slab(page);
	slab->objects = s->objects;
	slab->inuse = 0;
	slab->owner = NULL;
	for (unsigned int i = 0; i < s->objects && ((s->flags & SLAB_DEBUG_FLAGS) || s->ctor);
	     i++) {
		void *object = slab_object(s, slab, i);

		if (s->flags & SLAB_DEBUG_FLAGS)
			slab_debug_init_object(s, object);
		if (s->ctor)
			s->ctor(object);
	}
	if (slab_options.freelist_random && s->objects > 1)
		slab->freelist = link_random(s, slab);
	else
		slab->freelist = link_in_order(s, slab);
	/* Every slot is free, and the tail the slots leave is nobody's. */
	if (slab_shadowed(s))
		shadow_redzone(slab_address(slab), PAGE_SIZE << s->order);
	slab->cache = s;
	page_set_flag(page, PG_slab);
	return slab;
}

void slab_free_pages(struct slab *slab)
{
	struct page *page = slab_page(slab);

	page_clear_flag(page, PG_slab);
	slab->cache = NULL;
	slab->freelist = NULL;
	slab->owner = NULL;
	__free_pages(page, slab->order);
}

/* Give an empty slab back: now, or after a grace period for RCU caches. */
void slab_release(struct kmem_cache *s, struct slab *slab)
{
	if (s->flags & SLAB_TYPESAFE_BY_RCU)
		slab_rcu_defer(slab);
	else
		slab_free_pages(slab);
}

static void release_list(struct kmem_cache *s, struct list_head *list)
{
	while (!list_empty(list)) {
		struct slab *slab = container_of(list->next, struct slab, list);

		list_del(&slab->list);
		slab_release(s, slab);
	}
}

static inline void slab_move(struct slab *slab, struct list_head *to)
{
	list_del(&slab->list);
	list_add(&slab->list, to);
}

static __cold void slab_report_double_free(struct kmem_cache *s, void *object)
{
	kmem_bug("%s: double free of object %p", s->name, object);
}

/*
 * Put @object back on its slab's free list and move the slab to the list
 * its new count belongs on (S1).  An empty slab beyond the kept reserve is
 * moved to @to_free, for the caller to release after unlocking.  An object
 * that is already the head of the free list is a double free (the kernel's
 * hardened-freelist check): reported, and refused.
 */
static void __slab_put_object(struct kmem_cache *s, struct slab *slab, void *object,
			      struct list_head *to_free)
{
	if (unlikely(object == slab->freelist)) {
		slab_report_double_free(s, object);
		return;
	}
	set_freepointer(s, object, slab->freelist);
	slab->freelist = object;
	if (slab->inuse-- == slab->objects) {
		s->nr_full--;
		if (slab->inuse) {
			slab_move(slab, &s->partial);
			s->nr_partial++;
			return;
		}
	} else if (slab->inuse) {
		return;
	} else {
		s->nr_partial--;
	}
	if (s->nr_empty >= SLAB_KEEP_EMPTY) {
		list_del(&slab->list);
		list_add(&slab->list, to_free);
		s->slabs_freed++;
	} else {
		slab_move(slab, &s->empty);
		s->nr_empty++;
	}
}

/* A slab with free slots, preferring partial ones so empty ones can go. */
static struct slab *__slab_get_available(struct kmem_cache *s)
{
	if (!list_empty(&s->partial))
		return container_of(s->partial.next, struct slab, list);
	if (!list_empty(&s->empty))
		return container_of(s->empty.next, struct slab, list);
	return NULL;
}

static inline void __slab_unlink_available(struct kmem_cache *s, struct slab *slab)
{
	if (slab->inuse)
		s->nr_partial--;
	else
		s->nr_empty--;
}

void __slab_set_inuse(struct kmem_cache *s, struct slab *slab, unsigned int inuse)
{
	if (slab->inuse == slab->objects)
		s->nr_full--;
	else
		__slab_unlink_available(s, slab);
	slab->inuse = inuse;
	if (inuse == slab->objects) {
		slab_move(slab, &s->full);
		s->nr_full++;
	} else if (inuse) {
		slab_move(slab, &s->partial);
		s->nr_partial++;
	} else {
		slab_move(slab, &s->empty);
		s->nr_empty++;
	}
}

/* Add a new slab to the empty list (lock held). */
static void __slab_add_new(struct kmem_cache *s, struct slab *slab)
{
	list_add(&slab->list, &s->empty);
	s->nr_empty++;
	s->slabs_allocated++;
}

/* ---- thread caches ------------------------------------------------------------ */

/* Counters are read by statistics on other threads: relaxed stores. */
static inline void counter_inc(unsigned long *counter)
{
	WRITE_ONCE(*counter, *counter + 1);
}

static void tcache_fold_counters(struct slab_tcache *into, struct slab_tcache *from)
{
	into->allocs += from->allocs;
	into->frees += from->frees;
	into->slow_allocs += from->slow_allocs;
	into->slow_frees += from->slow_frees;
	into->remote_frees += from->remote_frees;
	into->refills += from->refills;
	into->flushes += from->flushes;
}

/* Return @n objects of @objs to their slabs, then release what became empty. */
static void slab_put_array(struct kmem_cache *s, void *const *objs, unsigned int n)
{
	struct list_head to_free;

	if (!n)
		return;
	INIT_LIST_HEAD(&to_free);
	slab_lock(s);
	for (unsigned int i = 0; i < n; i++)
		__slab_put_object(s, object_slab(objs[i]), objs[i], &to_free);
	slab_unlock(s);
	release_list(s, &to_free);
}

/* Empty @tc into its cache's slabs and move its counters to the cache. */
static void tcache_drain(struct kmem_cache *s, struct slab_tcache *tc)
{
	slab_put_array(s, tc->objs, tc->count);
	slab_lock(s);
	tcache_fold_counters(&s->retired, tc);
	slab_unlock(s);
	memset(tc, 0, offsetof(struct slab_tcache, objs));
}

/*
 * The thread-cache flush (lib/thread.c): every stack of one thread back to
 * the slabs, at exit, on reclaim or shrink, from this or another thread.
 * A cache with objects on a stack is alive (destroy drains its stacks
 * before it lets go of the id), so tcache_owner[] is stable here.  An idle
 * thread flushed by another also loses its array, so that it pins no page
 * at all; it allocates a new one on its next slow path.
 */
static void slab_thread_flush(void *data, enum kmem_flush_reason why)
{
	struct slab_thread *t = data;
	struct slab_tcache *tcaches = t->tcaches;

	for (unsigned int id = 0; id < t->nr_tcaches; id++) {
		struct slab_tcache *tc = &tcaches[id];

		if (tc->count || tc->allocs || tc->frees)
			tcache_drain(tcache_owner[id], tc);
	}
	if (why == KMEM_FLUSH_SELF)
		return;
	WRITE_ONCE(t->nr_tcaches, 0);
	t->tcaches = NULL;
	if (why == KMEM_FLUSH_EXIT)
		t->state = SLAB_THREAD_DEAD;
	if (tcaches)
		__free_pages(virt_to_page(tcaches), t->tcaches_order);
}

static const struct kmem_thread_ops slab_thread_ops = {
	.flush = slab_thread_flush,
};

struct tcache_walk {
	struct kmem_cache *s;
	void (*fn)(struct slab_tcache *tc, void *arg);
	void *arg;
};

static void tcache_walk_one(void *data, void *arg)
{
	struct slab_thread *t = data;
	struct tcache_walk *w = arg;

	if (w->s->tcache_id < READ_ONCE(t->nr_tcaches))
		w->fn(&t->tcaches[w->s->tcache_id], w->arg);
}

void slab_for_each_tcache(struct kmem_cache *s, void (*fn)(struct slab_tcache *tc, void *arg),
			  void *arg)
{
	struct tcache_walk w = {s, fn, arg};

	if (s->tcache_id != NO_TCACHE_ID)
		kmem_thread_for_each(KMEM_THREAD_SLAB, tcache_walk_one, &w);
}

/* Make room for stack @id in the calling thread's array; own lock held. */
static __noinline bool slab_thread_grow(struct slab_thread *t, unsigned int id)
{
	unsigned int want = __atomic_load_n(&tcache_ids_high, __ATOMIC_RELAXED);
	size_t bytes = (size_t)(want > id ? want : id + 1) * sizeof(struct slab_tcache);
	unsigned int order = get_order(bytes);
	unsigned int old_order = t->tcaches_order;
	struct slab_tcache *old = t->tcaches;
	struct page *page;

	/* Allocated unlocked: memory pressure may call slab_reclaim(). */
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);
	if (!page)
		return false;
	/* The registry lock keeps statistics and destroy off the old array. */
	kmem_thread_registry_lock();
	if (old)
		memcpy(page_address(page), old, t->nr_tcaches * sizeof(struct slab_tcache));
	t->tcaches = page_address(page);
	t->tcaches_order = order;
	WRITE_ONCE(t->nr_tcaches,
		   (unsigned int)((PAGE_SIZE << order) / sizeof(struct slab_tcache)));
	kmem_thread_registry_unlock();
	if (old)
		__free_pages(virt_to_page(old), old_order);
	return true;
}

/*
 * The calling thread's stack for @s, activating the thread's caches on
 * first use; NULL for caches without thread caches (debug caches), after
 * the thread's exit flush, or when no memory is left for the array.  The
 * thread's own lock is held.
 */
static struct slab_tcache *slab_thread_tcache(struct kmem_cache *s)
{
	struct slab_thread *t = &slab_self;
	unsigned int id = s->tcache_id;

	if (id == NO_TCACHE_ID || t->state == SLAB_THREAD_DEAD)
		return NULL;
	if (t->state == SLAB_THREAD_NEW) {
		if (!kmem_thread_attach(KMEM_THREAD_SLAB, t, &t->gate)) {
			t->state = SLAB_THREAD_DEAD;
			return NULL;
		}
		t->state = SLAB_THREAD_ACTIVE;
	}
	if (id >= t->nr_tcaches && !slab_thread_grow(t, id))
		return NULL;
	return &t->tcaches[id];
}

/*
 * memcheck's leak check takes any pointer it finds in kmem's memory for a
 * reference: under valgrind, the slots a stack or the barn no longer uses
 * are cleared, so that a stale copy does not hide a leaked object.
 */
static inline void forget_pointers(void **slots, unsigned int n)
{
	if (KMEM_VALGRIND && shadow_watched())
		memset(slots, 0, n * sizeof(void *));
}

/* The stack slot the object just popped came from. */
static void tcache_forget_popped(struct kmem_cache *s, void *object)
{
	struct slab_thread *st = &slab_self;

	if (kmem_gate_enter(&st->gate) && s->tcache_id < st->nr_tcaches) {
		struct slab_tcache *tc = &st->tcaches[s->tcache_id];

		if (tc->count < TCACHE_SLOTS && tc->objs[tc->count] == object)
			forget_pointers(&tc->objs[tc->count], 1);
	}
	kmem_gate_leave(&st->gate);
}

/* ---- the barn ------------------------------------------------------------------ */

/* Objects a barn holds: about BARN_BYTES, at least two batches. */
static unsigned int barn_capacity(const struct kmem_cache *s)
{
	unsigned int cap = (unsigned int)(BARN_BYTES / s->size);

	if (cap > BARN_MAX_OBJECTS)
		cap = BARN_MAX_OBJECTS;
	if (cap < 2 * s->tcache_batch)
		cap = 2 * s->tcache_batch;
	return cap;
}

/* Give @s's barn its array; false when there is no memory for it. */
static bool barn_setup(struct kmem_cache *s)
{
	struct slab_barn *b = &s->barn;
	unsigned int cap = barn_capacity(s);
	unsigned int order = get_order(cap * sizeof(void *));
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, order);

	if (!page)
		return false;
	pthread_mutex_lock(&b->lock);
	if (!b->objs) {
		b->objs = page_address(page);
		b->order = order;
		WRITE_ONCE(b->capacity, cap);
		page = NULL;
	}
	pthread_mutex_unlock(&b->lock);
	if (page)
		__free_pages(page, order);
	return true;
}

/* Move up to @n objects from the barn to @dst; returns how many. */
static unsigned int barn_take(struct kmem_cache *s, void **dst, unsigned int n)
{
	struct slab_barn *b = &s->barn;

	if (!READ_ONCE(b->count))
		return 0;
	pthread_mutex_lock(&b->lock);
	if (n > b->count)
		n = b->count;
	/* Written under the lock, peeked at without it. */
	WRITE_ONCE(b->count, b->count - n);
	/* Another thread may have emptied it, and barn_release() freed @objs. */
	if (n) {
		memcpy(dst, b->objs + b->count, n * sizeof(void *));
		forget_pointers(b->objs + b->count, n);
	}
	pthread_mutex_unlock(&b->lock);
	return n;
}

/* Move @n objects from @src into the barn; false (nothing moved) when full. */
static bool barn_put(struct kmem_cache *s, void *const *src, unsigned int n)
{
	struct slab_barn *b = &s->barn;
	bool fits;

	if (!READ_ONCE(b->capacity) && !barn_setup(s))
		return false;
	pthread_mutex_lock(&b->lock);
	fits = b->count + n <= b->capacity;
	if (fits) {
		memcpy(b->objs + b->count, src, n * sizeof(void *));
		WRITE_ONCE(b->count, b->count + n);
	}
	pthread_mutex_unlock(&b->lock);
	return fits;
}

/* Every object in the barn back to its slab. */
static void barn_drain(struct kmem_cache *s)
{
	void *batch[TCACHE_SLOTS];
	unsigned int n;

	do {
		n = barn_take(s, batch, TCACHE_SLOTS);
		slab_put_array(s, batch, n);
	} while (n);
}

/* ---- refill and flush ---------------------------------------------------------- */

/*
 * Take up to @n free objects of @slab into @dst (cache lock held) and file
 * the slab where its new count belongs.
 */
static unsigned int __slab_take(struct kmem_cache *s, struct slab *slab, void **dst, unsigned int n)
{
	void *object = slab->freelist;
	unsigned int got = 0;

	__slab_unlink_available(s, slab);
	while (got < n && object) {
		void *next = get_freepointer(s, object);

		/*
		 * Hardened free lists are checked: a forged pointer is never
		 * followed, nor one whose low bytes alone were overwritten,
		 * which decodes inside the slab.
		 */
		if (unlikely(s->random && !freeptr_valid(s, slab, next))) {
			slab_freechain_corrupt(s, slab, object, next);
			next = NULL;
		}
		dst[got++] = object;
		object = next;
	}
	slab->freelist = object;
	/*
	 * An empty free list means every slot is in use: slots lost with a cut
	 * chain stay counted, and the slab stays consistent.
	 */
	slab->inuse = object ? slab->inuse + got : slab->objects;
	if (slab->inuse == slab->objects) {
		slab_move(slab, &s->full);
		s->nr_full++;
	} else {
		slab_move(slab, &s->partial);
		s->nr_partial++;
	}
	/* Read unlocked by frees, only to count remote frees. */
	WRITE_ONCE(slab->owner, (void *)&slab_self);
	return got;
}

/* Up to @n objects from the slabs, from a new slab when none has a free slot. */
static unsigned int slab_take_objects(struct kmem_cache *s, void **dst, unsigned int n, gfp_t gfp)
{
	unsigned int got = 0;
	struct slab *slab;

	slab_lock(s);
	while (got < n && (slab = __slab_get_available(s)))
		got += __slab_take(s, slab, dst + got, n - got);
	slab_unlock(s);
	if (got)
		return got;
	slab = new_slab(s, gfp);
	if (!slab)
		return 0;
	slab_lock(s);
	__slab_add_new(s, slab);
	got = __slab_take(s, slab, dst, n);
	slab_unlock(s);
	return got;
}

/* Fill the empty stack @tc from the barn, else from the slabs (own lock held). */
static unsigned int tcache_refill(struct kmem_cache *s, struct slab_tcache *tc, gfp_t gfp)
{
	unsigned int n = barn_take(s, tc->objs, s->tcache_batch);

	if (!n)
		n = slab_take_objects(s, tc->objs, s->tcache_batch, gfp);
	WRITE_ONCE(tc->count, n);
	if (n)
		counter_inc(&tc->refills);
	return n;
}

/* A full stack hands its oldest batch to the barn, or to the slabs (own lock held). */
static void tcache_flush(struct kmem_cache *s, struct slab_tcache *tc)
{
	unsigned int batch = s->tcache_batch;

	if (!barn_put(s, tc->objs, batch))
		slab_put_array(s, tc->objs, batch);
	memmove(tc->objs, tc->objs + batch, (tc->count - batch) * sizeof(void *));
	forget_pointers(tc->objs + tc->count - batch, batch);
	WRITE_ONCE(tc->count, tc->count - batch);
	counter_inc(&tc->flushes);
}

/* ---- allocation and free ------------------------------------------------------ */

/*
 * The fast path: pop the calling thread's stack.  NULL when the stack is
 * empty, the cache has none, or a flusher wants it.
 */
static __always_inline void *tcache_pop(struct kmem_cache *s)
{
	struct slab_thread *st = &slab_self;
	void *object = NULL;

	/* Enter first: a flusher may take the array of a quiescent thread. */
	if (likely(kmem_gate_enter(&st->gate)) && likely(s->tcache_id < st->nr_tcaches)) {
		struct slab_tcache *tc = &st->tcaches[s->tcache_id];
		unsigned int n = tc->count;

		if (likely(n)) {
			object = tc->objs[n - 1];
			WRITE_ONCE(tc->count, n - 1);
			counter_inc(&tc->allocs);
		}
	}
	kmem_gate_leave(&st->gate);
	return object;
}

/*
 * The bytes of @object the program may use: all of them, or for a kmalloc
 * object only the request (behind it are checked bytes, or bytes a tool
 * watches, until ksize() hands them out).
 */
static inline size_t slab_init_bytes(struct kmem_cache *s, void *object)
{
	return (s->flags & SLAB_KMALLOC) ? slab_object_usable(s, object) : s->object_size;
}

/*
 * Zero a new object.  The bytes behind a kmalloc request are zeroed too:
 * ksize() hands them out and krealloc() relies on them (but a debug
 * cache's red zone there stays).
 */
static void slab_zero_object(struct kmem_cache *s, void *object)
{
	size_t usable = slab_init_bytes(s, object);

	memset(object, 0, usable);
	if (usable < s->object_size && !(s->flags & SLAB_RED_ZONE))
		guarded_fill((char *)object + usable, 0, s->object_size - usable);
}

/*
 * What a new object needs beyond the pop: s->hooks or __GFP_ZERO.  Returns
 * @object, so the fast path reaches it by a tail call and keeps no frame.
 */
static __noinline void *slab_post_alloc(struct kmem_cache *s, void *object, gfp_t gfp, size_t size)
{
	if (s->hooks & SLAB_HOOK_SHADOW) {
		tcache_forget_popped(s, object);
		/* A constructed object's contents are defined. */
		shadow_alloc(object, size, s->object_size, s->ctor);
	}
	/* As in the kernel, __GFP_ZERO zeroes constructed objects too. */
	if ((gfp & __GFP_ZERO) || (s->hooks & SLAB_HOOK_INIT_ON_ALLOC))
		slab_zero_object(s, object);
	return object;
}

/*
 * @size is what the program asked for: the object size, or for kmalloc the
 * request, which debug caches and tools check the bytes behind.
 */
static __always_inline void *slab_alloc(struct kmem_cache *s, gfp_t gfp, size_t size, void *caller)
{
	void *object;

	if (unlikely(!s))
		return slab_alloc_slow(s, gfp, size, caller);
	object = tcache_pop(s);
	if (unlikely(!object))
		return slab_alloc_slow(s, gfp, size, caller);
	if (unlikely(s->hooks | (gfp & __GFP_ZERO)))
		return slab_post_alloc(s, object, gfp, size);
	return object;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return slab_alloc(s, gfp, s ? s->object_size : 0, __builtin_return_address(0));
}

void *slab_alloc_object(struct kmem_cache *s, gfp_t gfp, size_t size, void *caller)
{
	return slab_alloc(s, gfp, size, caller);
}

/* One object from the slabs under the lock: debug caches, dead threads. */
static void *slab_alloc_locked(struct kmem_cache *s, gfp_t gfp, size_t size, void *caller)
{
	struct slab_debug_ctx ctx;
	struct slab *slab;
	void *object, *next;

	if (s->flags & SLAB_DEBUG_FLAGS)
		slab_debug_prepare(s, &ctx, caller, size);
	slab_lock(s);
	slab = __slab_get_available(s);
	if (!slab) {
		slab_unlock(s);
		slab = new_slab(s, gfp);
		if (!slab)
			return NULL;
		slab_lock(s);
		__slab_add_new(s, slab);
	}
	__slab_unlink_available(s, slab);
	object = slab->freelist;
	next = get_freepointer(s, object);
	if (unlikely(s->random && !freeptr_valid(s, slab, next))) {
		slab_freechain_corrupt(s, slab, object, next);
		next = NULL;
	}
	slab->freelist = next;
	/* An empty free list means every slot is in use, lost ones included. */
	slab->inuse = next ? slab->inuse + 1 : slab->objects;
	if (slab->inuse == slab->objects) {
		slab_move(slab, &s->full);
		s->nr_full++;
	} else {
		slab_move(slab, &s->partial);
		s->nr_partial++;
	}
	if (s->flags & SLAB_DEBUG_FLAGS)
		slab_debug_alloc_checks(s, slab, object, &ctx);
	s->retired.allocs++;
	s->retired.slow_allocs++;
	slab_unlock(s);
	return object;
}

static __noinline void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, size_t size, void *caller)
{
	struct slab_tcache *tc;
	void *object = NULL;

	if (unlikely(!s)) {
		kmem_warn("kmem_cache_alloc: NULL cache");
		return NULL;
	}
	/*
	 * failslab, as in the kernel's slab_pre_alloc_hook(): while it is on,
	 * every thread's fast path is diverted here (lib/fault.c).
	 */
	if (unlikely(kmem_should_failslab(s->name, s->flags & SLAB_FAILSLAB, s->object_size, gfp,
					  caller)) &&
	    s != &kmem_cache_boot)
		return NULL;
	/* The test hooks (kmem/testing.h) divert every fast path here too. */
	if (slab_testing_on(s) && !slab_testing_may_alloc(s, gfp))
		return NULL;
	kmem_thread_lock_self();
	tc = slab_thread_tcache(s);
	if (tc && (tc->count || tcache_refill(s, tc, gfp))) {
		/* Statistics read the count from other threads. */
		WRITE_ONCE(tc->count, tc->count - 1);
		object = tc->objs[tc->count];
		counter_inc(&tc->allocs);
		counter_inc(&tc->slow_allocs);
	}
	kmem_thread_unlock_self();
	if (!tc)
		object = slab_alloc_locked(s, gfp, size, caller);
	if (object && slab_testing_on(s))
		slab_testing_count(s, object, true);
	if (object && unlikely(s->hooks | (gfp & __GFP_ZERO)))
		return slab_post_alloc(s, object, gfp, size);
	return object;
}

/*
 * Why @object cannot be freed to @s, reported the kernel's way.  Always
 * checked, debug or not: a pointer outside every slab, into another cache,
 * or not at an object start would corrupt a free list.
 */
static __cold void slab_free_invalid(struct kmem_cache *s, struct slab *slab, void *object,
				     const char *fn)
{
	if (!s)
		kmem_bug("%s: NULL cache for object %p", fn, object);
	else if (!slab)
		kmem_bug("%s: %s: invalid pointer %p: not an object of any slab", s->name, fn,
			 object);
	else if (slab->cache != s)
		kmem_bug("%s: %s: wrong cache: object %p belongs to cache %s", s->name, fn, object,
			 slab->cache->name);
	else
		kmem_bug("%s: %s: invalid pointer %p: not the start of an object "
			 "(slab %p, slot size %u)",
			 s->name, fn, object, (void *)slab_address(slab), s->size);
}

static inline bool slab_free_valid(struct kmem_cache *s, struct slab *slab, void *object)
{
	return likely(slab) && likely(slab->cache == s) &&
		likely(slab_object_index(s, slab, object) >= 0);
}

/*
 * The fast path: push onto the calling thread's stack.  False when the
 * stack is full, the cache has none, a flusher wants it, or @object is the
 * one on top (an immediate double free: the slow path reports it).
 */
static __always_inline bool tcache_push(struct kmem_cache *s, struct slab *slab, void *object)
{
	struct slab_thread *st = &slab_self;
	bool pushed = false;

	if (likely(kmem_gate_enter(&st->gate)) && likely(s->tcache_id < st->nr_tcaches)) {
		struct slab_tcache *tc = &st->tcaches[s->tcache_id];
		unsigned int n = tc->count;

		if (likely(n < s->tcache_limit) && likely(!n || tc->objs[n - 1] != object)) {
			tc->objs[n] = object;
			WRITE_ONCE(tc->count, n + 1);
			counter_inc(&tc->frees);
			if (READ_ONCE(slab->owner) != (void *)st)
				counter_inc(&tc->remote_frees);
			pushed = true;
		}
	}
	kmem_gate_leave(&st->gate);
	return pushed;
}

/*
 * A free of an object that needs work before it is cached (s->hooks), then
 * the usual push.  Out of line, so the fast path reaches it by a tail call
 * and keeps no frame.
 */
static __noinline void slab_free_hooked(struct kmem_cache *s, struct slab *slab, void *object,
					void *caller)
{
	if (s->hooks & SLAB_HOOK_INIT_ON_FREE)
		memset(object, 0, slab_init_bytes(s, object));
	if (s->hooks & SLAB_HOOK_SHADOW)
		shadow_free(object, s->object_size);
	if (unlikely(!tcache_push(s, slab, object)))
		slab_free_slow(s, slab, object, caller);
}

static __always_inline void __slab_free(struct kmem_cache *s, struct slab *slab, void *object,
					void *caller)
{
	if (unlikely(s->hooks))
		slab_free_hooked(s, slab, object, caller);
	else if (unlikely(!tcache_push(s, slab, object)))
		slab_free_slow(s, slab, object, caller);
}

void kmem_cache_free(struct kmem_cache *s, void *object)
{
	struct slab *slab;

	if (unlikely(!object))
		return;
	slab = object_slab(object);
	if (unlikely(!slab_free_valid(s, slab, object))) {
		slab_free_invalid(s, slab, object, "kmem_cache_free");
		return;
	}
	__slab_free(s, slab, object, __builtin_return_address(0));
}

static __noinline void slab_free_slow(struct kmem_cache *s, struct slab *slab, void *object,
				      void *caller)
{
	struct slab_debug_ctx ctx;
	struct list_head to_free;
	struct slab_tcache *tc;

	/* The test hooks (kmem/testing.h) divert every fast path here too. */
	if (slab_testing_on(s))
		slab_testing_count(s, object, false);
	kmem_thread_lock_self();
	tc = slab_thread_tcache(s);
	if (tc) {
		if (unlikely(tc->count && tc->objs[tc->count - 1] == object)) {
			kmem_thread_unlock_self();
			kmem_bug("%s: double free of object %p", s->name, object);
			return;
		}
		if (tc->count >= s->tcache_limit)
			tcache_flush(s, tc);
		tc->objs[tc->count] = object;
		WRITE_ONCE(tc->count, tc->count + 1);
		counter_inc(&tc->frees);
		counter_inc(&tc->slow_frees);
		kmem_thread_unlock_self();
		return;
	}
	kmem_thread_unlock_self();
	if (s->flags & SLAB_DEBUG_FLAGS)
		slab_debug_prepare(s, &ctx, caller, 0);
	INIT_LIST_HEAD(&to_free);
	slab_lock(s);
	if (!(s->flags & SLAB_DEBUG_FLAGS) || slab_debug_free_checks(s, slab, object, &ctx)) {
		__slab_put_object(s, slab, object, &to_free);
		s->retired.frees++;
		s->retired.slow_frees++;
	}
	slab_unlock(s);
	release_list(s, &to_free);
}

int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t size, void **p)
{
	size_t i;

	for (i = 0; i < size; i++) {
		p[i] = slab_alloc(s, gfp, s ? s->object_size : 0, __builtin_return_address(0));
		if (unlikely(!p[i])) {
			kmem_cache_free_bulk(s, i, p);
			return 0;
		}
	}
	return (int)size;
}

void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p)
{
	for (size_t i = 0; i < size; i++) {
		struct slab *slab;

		if (!p[i])
			continue;
		slab = object_slab(p[i]);
		if (!s && slab) {
			__slab_free(slab->cache, slab, p[i], __builtin_return_address(0));
			continue;
		}
		if (unlikely(!slab_free_valid(s, slab, p[i]))) {
			slab_free_invalid(s, slab, p[i], "kmem_cache_free_bulk");
			continue;
		}
		__slab_free(s, slab, p[i], __builtin_return_address(0));
	}
}

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return s ? s->object_size : 0;
}

/* ---- kfree()/ksize() of slab objects, and reclaim ------------------------------ */

void slab_free_object(struct page *head, void *object, void *caller)
{
	struct slab *slab = page_slab(head);
	struct kmem_cache *s = slab->cache;

	if (unlikely(!slab_free_valid(s, slab, object))) {
		slab_free_invalid(s, slab, object, kmem_api_name("kfree"));
		return;
	}
	__slab_free(s, slab, object, caller);
}

/* Is @object on the calling thread's stack of free objects of @s? */
static bool tcache_holds(struct kmem_cache *s, const void *object)
{
	struct slab_thread *st = &slab_self;
	bool quiet = kmem_gate_enter(&st->gate), found = false;

	/* A flusher wants the stacks: look under the thread's own lock instead. */
	if (unlikely(!quiet)) {
		kmem_gate_leave(&st->gate);
		kmem_thread_lock_self();
	}
	if (s->tcache_id < st->nr_tcaches) {
		const struct slab_tcache *tc = &st->tcaches[s->tcache_id];

		for (unsigned int i = tc->count; i-- > 0 && !found;)
			found = tc->objs[i] == object;
	}
	if (likely(quiet))
		kmem_gate_leave(&st->gate);
	else
		kmem_thread_unlock_self();
	return found;
}

size_t slab_object_size_live(struct page *head, const void *object, const char *fn)
{
	struct slab *slab = page_slab(head);
	struct kmem_cache *s = slab->cache;

	if (unlikely(!slab_free_valid(s, slab, (void *)object))) {
		slab_free_invalid(s, slab, (void *)object, kmem_api_name(fn));
		return 0;
	}
	if (unlikely(tcache_holds(s, object))) {
		kmem_bug("%s: %s: object %p is free (use after free or double free)", s->name,
			 kmem_api_name(fn), object);
		return 0;
	}
	/* The caller may copy the whole object, as after ksize(). */
	if (s->flags & SLAB_KMALLOC)
		slab_object_resize_usable(s, (void *)object, s->object_size);
	return s->object_size;
}

void slab_object_resize(struct page *head, void *object, size_t size)
{
	struct kmem_cache *s = page_slab(head)->cache;

	if (s->flags & SLAB_KMALLOC)
		slab_object_resize_usable(s, object, size);
}

static void slab_owner_free(struct page *head, void *object)
{
	slab_free_object(head, object, __builtin_return_address(0));
}

/* ksize(): the whole object is the program's from now on, as in the kernel. */
static size_t slab_owner_size(struct page *head, const void *object)
{
	struct kmem_cache *s = page_slab(head)->cache;

	if (s->flags & SLAB_KMALLOC)
		slab_object_resize_usable(s, (void *)object, s->object_size);
	return s->object_size;
}

static const struct page_owner_ops slab_owner_ops = {
	.free = slab_owner_free,
	.size = slab_owner_size,
};

/* Release every empty slab of @s; returns the pages released. */
static unsigned long slab_release_empty(struct kmem_cache *s)
{
	struct list_head to_free;
	unsigned long pages;

	INIT_LIST_HEAD(&to_free);
	slab_lock(s);
	pages = s->nr_empty << s->order;
	s->slabs_freed += s->nr_empty;
	s->nr_empty = 0;
	while (!list_empty(&s->empty)) {
		struct list_head *pos = s->empty.next;

		list_del(pos);
		list_add(pos, &to_free);
	}
	slab_unlock(s);
	release_list(s, &to_free);
	return pages;
}

/* Drain the barn and give its array back; it is set up again on demand. */
static void barn_release(struct kmem_cache *s)
{
	struct slab_barn *b = &s->barn;
	unsigned int order = 0;
	void *objs;

	barn_drain(s);
	pthread_mutex_lock(&b->lock);
	objs = b->count ? NULL : b->objs;
	if (objs) {
		WRITE_ONCE(b->capacity, 0);
		b->objs = NULL;
		order = b->order; /* a racing barn_setup() may set up a new array */
	}
	pthread_mutex_unlock(&b->lock);
	if (objs)
		__free_pages(virt_to_page(objs), order);
}

/* Barn and empty slabs of @s back to the page allocator. */
static unsigned long cache_shrink(struct kmem_cache *s)
{
	barn_release(s);
	return slab_release_empty(s);
}

/*
 * The page allocator's shrinker (it flushed every thread's caches just
 * before): give back every barn and empty slab.  Best effort: skipped when
 * a cache is being created or destroyed (slab_mutex busy), which also keeps
 * it from deadlocking on a caller that holds slab_mutex.
 */
static unsigned long slab_reclaim(void)
{
	unsigned long pages = 0;
	struct list_head *pos;

	if (pthread_mutex_trylock(&slab_mutex))
		return 0;
	list_for_each(pos, &slab_caches)
		pages += cache_shrink(container_of(pos, struct kmem_cache, link));
	pthread_mutex_unlock(&slab_mutex);
	return pages;
}

int kmem_cache_shrink(struct kmem_cache *s)
{
	if (!s)
		return 0;
	/* Other threads' stacks of @s too, as the kernel flushes every CPU's. */
	kmem_thread_flush_all(true);
	cache_shrink(s);
	kmem_page_drain();
	return 0;
}

void slab_shrink_all(void)
{
	struct list_head *pos;

	kmem_thread_flush_all(true);
	pthread_mutex_lock(&slab_mutex);
	list_for_each(pos, &slab_caches)
		cache_shrink(container_of(pos, struct kmem_cache, link));
	pthread_mutex_unlock(&slab_mutex);
	kmem_page_drain();
}

/* ---- cache lifecycle ------------------------------------------------------------ */

static void slab_mutex_lock_for_fork(void)
{
	pthread_mutex_lock(&slab_mutex);
}

static void slab_mutex_unlock_after_fork(void)
{
	pthread_mutex_unlock(&slab_mutex);
}

static void slab_lock_for_fork(void)
{
	struct list_head *pos;

	list_for_each(pos, &slab_caches) {
		struct kmem_cache *s = container_of(pos, struct kmem_cache, link);

		pthread_mutex_lock(&s->lock);
		pthread_mutex_lock(&s->barn.lock);
	}
	slab_rcu_fork_prepare();
}

static void slab_unlock_caches(void)
{
	struct list_head *pos;

	list_for_each(pos, &slab_caches) {
		struct kmem_cache *s = container_of(pos, struct kmem_cache, link);

		pthread_mutex_unlock(&s->barn.lock);
		pthread_mutex_unlock(&s->lock);
	}
}

static void slab_unlock_after_fork(void)
{
	slab_rcu_fork_parent();
	slab_unlock_caches();
}

static void slab_unlock_in_child(void)
{
	slab_rcu_fork_child();
	slab_unlock_caches();
}

static const struct kmem_fork_ops slab_mutex_fork_ops = {
	.prepare = slab_mutex_lock_for_fork,
	.parent = slab_mutex_unlock_after_fork,
	.child = slab_mutex_unlock_after_fork,
};

static const struct kmem_fork_ops slab_fork_ops = {
	.prepare = slab_lock_for_fork,
	.parent = slab_unlock_after_fork,
	.child = slab_unlock_in_child,
};

/* How many objects a thread caches, and moves per exchange with the barn. */
static void calculate_tcache(struct kmem_cache *s)
{
	unsigned int limit = (unsigned int)(TCACHE_BYTES / s->size);

	if (limit > TCACHE_SLOTS)
		limit = TCACHE_SLOTS;
	if (limit < TCACHE_MIN_OBJECTS)
		limit = TCACHE_MIN_OBJECTS;
	s->tcache_limit = limit;
	s->tcache_batch = limit / 2;
}

/* The options' work on every object of @s (see SLAB_HOOK_*). */
static unsigned int calculate_hooks(const struct kmem_cache *s)
{
	bool initable = !s->ctor && !(s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON));
	unsigned int hooks = 0;

	/* Debug caches tell the tools about their objects while checking them. */
	if (slab_shadowed(s) && !(s->flags & SLAB_DEBUG_FLAGS))
		hooks |= SLAB_HOOK_SHADOW;
	if (slab_options.init_on_alloc && initable)
		hooks |= SLAB_HOOK_INIT_ON_ALLOC;
	if (slab_options.init_on_free && initable)
		hooks |= SLAB_HOOK_INIT_ON_FREE;
	return hooks;
}

/*
 * Lay @s out for @flags: the debug options applied to the creation flags.
 * slab_debug=O takes the metadata flags back when they would raise the
 * slab order, as in the kernel.
 */
static void cache_layout(struct kmem_cache *s, slab_flags_t flags)
{
	s->flags = flags;
	s->align = calculate_alignment(flags, s->args.align, s->object_size);
	calculate_sizes(s, &s->args);
	if (slab_debug_no_higher_order() && (s->flags & SLAB_DEBUG_METADATA_FLAGS) &&
	    get_order(s->size) > get_order(s->object_size)) {
		s->flags &= ~SLAB_DEBUG_METADATA_FLAGS;
		calculate_sizes(s, &s->args);
	}
	calculate_tcache(s);
	s->hooks = calculate_hooks(s);
}

/* slab_mutex held (the debug options are read under it). */
static bool cache_setup(struct kmem_cache *s, const char *name, unsigned int size,
			const struct kmem_cache_args *args, slab_flags_t flags)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->object_size = size;
	s->creation_flags = flags;
	s->args = *args;
	s->ctor = args->ctor;
	s->useroffset = args->useroffset;
	s->usersize = args->usersize;
	if (slab_options.freelist_hardened)
		s->random = kmem_get_random_u64() | 1;
	cache_layout(s, slab_debug_flags(flags, name));
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->barn.lock, NULL);
	INIT_LIST_HEAD(&s->partial);
	INIT_LIST_HEAD(&s->full);
	INIT_LIST_HEAD(&s->empty);
	s->tcache_id = NO_TCACHE_ID;
	return true;
}

/* Give @s a thread cache id (slab_mutex held); debug caches get none. */
static void cache_assign_tcache_id(struct kmem_cache *s)
{
	if (s->flags & SLAB_DEBUG_FLAGS)
		return;
	for (unsigned int id = 0; id < MAX_TCACHE_IDS; id++) {
		if (!tcache_owner[id]) {
			tcache_owner[id] = s;
			s->tcache_id = id;
			if (id >= tcache_ids_high)
				__atomic_store_n(&tcache_ids_high, id + 1, __ATOMIC_RELAXED);
			return;
		}
	}
}

void slab_cache_relayout(struct kmem_cache *s, slab_flags_t flags)
{
	if (s->tcache_id != NO_TCACHE_ID) {
		tcache_owner[s->tcache_id] = NULL;
		s->tcache_id = NO_TCACHE_ID;
	}
	cache_layout(s, flags);
	cache_assign_tcache_id(s);
}

static void slab_init_once(void)
{
	static const struct kmem_cache_args boot_args = {.align = CACHE_LINE_SIZE};

	slab_options_init();
	cache_setup(&kmem_cache_boot, "kmem_cache", sizeof(struct kmem_cache), &boot_args,
		    SLAB_HWCACHE_ALIGN);
	cache_assign_tcache_id(&kmem_cache_boot);
	list_add_tail(&kmem_cache_boot.link, &slab_caches);
	page_set_owner_ops(PG_slab, &slab_owner_ops);
	page_register_reclaim(slab_reclaim);
	kmem_thread_register_ops(KMEM_THREAD_SLAB, &slab_thread_ops);
	kmem_fork_register(KMEM_FORK_CACHE_LIST, &slab_mutex_fork_ops);
	kmem_fork_register(KMEM_FORK_SLAB, &slab_fork_ops);
}

void slab_init(void)
{
	pthread_once(&slab_once, slab_init_once);
}

/* Validate creation arguments; a message says what is wrong. */
static bool cache_args_valid(const char *name, unsigned int size,
			     const struct kmem_cache_args *args, slab_flags_t flags)
{
	const char *why = NULL;

	if (!name || !*name)
		why = "a cache needs a name";
	else if (!args)
		why = "NULL arguments";
	else if (!size || size > KMEM_CACHE_MAX_SIZE)
		why = "object size out of range";
	else if (args->align && (!is_power_of_2(args->align) || args->align > PAGE_SIZE))
		why = "alignment is not a power of two up to PAGE_SIZE";
	else if (flags & ~SLAB_ACCEPTED_FLAGS)
		why = "unknown flags";
	else if (args->usersize &&
		 (args->useroffset > size || args->usersize > size - args->useroffset))
		why = "usercopy region outside the object";
	else if (args->use_freeptr_offset &&
		 (!(flags & SLAB_TYPESAFE_BY_RCU) || args->ctor ||
		  args->freeptr_offset % sizeof(void *) ||
		  args->freeptr_offset > size - sizeof(void *) || size < sizeof(void *)))
		why = "freeptr_offset needs SLAB_TYPESAFE_BY_RCU, no constructor, and an aligned "
		      "word inside the object";
	if (!why)
		return true;
	kmem_warn("kmem_cache_create(%s): %s (size %u, align %u, flags %#x)",
		  name ? name : "(null)", why, size, args ? args->align : 0, flags);
	return false;
}

/* Set up @s and add it to slab_caches; slab_mutex held. */
static void cache_publish(struct kmem_cache *s)
{
	struct list_head *pos;

	list_for_each(pos, &slab_caches) {
		if (!strcmp(container_of(pos, struct kmem_cache, link)->name, s->name)) {
			kmem_warn("kmem_cache_create(%s): a cache with this name already exists",
				  s->name);
			break;
		}
	}
	cache_assign_tcache_id(s);
	if (s->tcache_id == NO_TCACHE_ID && !(s->flags & SLAB_DEBUG_FLAGS))
		kmem_warn("kmem_cache_create(%s): more than %u caches; this one has no "
			  "per-thread cache",
			  s->name, MAX_TCACHE_IDS);
	list_add_tail(&s->link, &slab_caches);
}

struct kmem_cache *__kmem_cache_create_args(const char *name, unsigned int object_size,
					    struct kmem_cache_args *args, slab_flags_t flags)
{
	struct kmem_cache *s = NULL;

	slab_init();
	if (!cache_args_valid(name, object_size, args, flags))
		goto fail;
	/* Allocated before slab_mutex: memory pressure runs slab_reclaim(). */
	s = kmem_cache_alloc(&kmem_cache_boot, GFP_KERNEL);
	if (!s)
		goto fail;
	pthread_mutex_lock(&slab_mutex);
	cache_setup(s, name, object_size, args, flags);
	cache_publish(s);
	pthread_mutex_unlock(&slab_mutex);
	return s;
fail:
	if (flags & SLAB_PANIC) {
		kmem_bug("kmem_cache_create(%s): failed and SLAB_PANIC is set",
			 name ? name : "(null)");
		abort();
	}
	return NULL;
}

struct kmem_cache *slab_create_kmalloc_cache(const char *name, unsigned int size)
{
	/* The kernel's rule: a kmalloc cache keeps the power-of-two part of its size aligned. */
	struct kmem_cache_args args = {.align = 1U << __builtin_ctz(size)};
	struct kmem_cache *s;

	slab_init();
	s = kmem_cache_alloc(&kmem_cache_boot, GFP_KERNEL | __GFP_NOWARN);
	if (!s)
		return NULL;
	pthread_mutex_lock(&slab_mutex);
	cache_setup(s, name, size, &args, SLAB_KMALLOC);
	cache_publish(s);
	pthread_mutex_unlock(&slab_mutex);
	return s;
}

static void tcache_drain_for_destroy(struct slab_tcache *tc, void *arg)
{
	tcache_drain(arg, tc);
}

/*
 * Take back every thread's stack of @s: nobody uses the cache any more, so
 * the stacks are stable; the registry lock keeps their threads from exiting
 * or reallocating their arrays meanwhile.  slab_mutex held.
 */
static void cache_drain_all_threads(struct kmem_cache *s)
{
	kmem_thread_registry_lock();
	slab_for_each_tcache(s, tcache_drain_for_destroy, s);
	kmem_thread_registry_unlock();
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	unsigned long leaked;

	if (!s)
		return;
	if (s == &kmem_cache_boot || (s->flags & SLAB_KMALLOC)) {
		kmem_bug("kmem_cache_destroy: %s is one of kmem's own caches and cannot be "
			 "destroyed",
			 s->name);
		return;
	}
	pthread_mutex_lock(&slab_mutex);
	cache_drain_all_threads(s);
	cache_shrink(s);
	slab_lock(s);
	leaked = s->nr_partial + s->nr_full;
	slab_unlock(s);
	if (leaked) {
		/* Kept, as in the kernel: its objects stay valid and freeable. */
		slab_debug_report_leaks(s, leaked);
		pthread_mutex_unlock(&slab_mutex);
		return;
	}
	list_del(&s->link);
	if (s->tcache_id != NO_TCACHE_ID)
		tcache_owner[s->tcache_id] = NULL;
	pthread_mutex_unlock(&slab_mutex);
	if (s->flags & SLAB_TYPESAFE_BY_RCU)
		slab_rcu_barrier();
	pthread_mutex_destroy(&s->barn.lock);
	pthread_mutex_destroy(&s->lock);
	kmem_cache_free(&kmem_cache_boot, s);
}
