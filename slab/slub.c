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
 *   Each thread has, per cache, a LIFO stack of free objects (struct
 *   slab_tcache) linked through the same free pointer.  Allocation pops it,
 *   free pushes it; neither takes a lock or an atomic read-modify-write.  An
 *   empty stack is refilled with a whole slab's free list under one lock
 *   acquisition (the list is already in the right format); a stack above
 *   s->tcache_limit gives back all but half the limit under one acquisition.
 *   A free from a thread that did not allocate the object is just as cheap:
 *   it lands on the freeing thread's stack.  Producer/consumer pairs stay
 *   bounded because the consumer's overflow returns to the slabs the
 *   producer refills from.  Caches with debug flags have no thread stacks:
 *   every operation is checked under the cache lock.
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

#include "slab/internal.h"

#define TCACHE_BYTES (16UL << 10)
#define TCACHE_MAX_OBJECTS 256U
#define TCACHE_MIN_OBJECTS 2U

pthread_mutex_t slab_mutex = PTHREAD_MUTEX_INITIALIZER;
struct list_head slab_caches = {&slab_caches, &slab_caches};
pthread_mutex_t slab_registry_lock = PTHREAD_MUTEX_INITIALIZER;
struct list_head slab_registry = {&slab_registry, &slab_registry};

static __thread struct slab_thread slab_self __tls_ie;
static pthread_key_t slab_key;
static pthread_once_t slab_once = PTHREAD_ONCE_INIT;

/* The cache of struct kmem_cache itself, as in the kernel. */
static struct kmem_cache kmem_cache_boot;

/* tcache id -> cache, under slab_mutex (read under the registry lock). */
static struct kmem_cache *tcache_owner[MAX_TCACHE_IDS];

static void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, void *caller);
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
 *   [left red zone][object][right red zone][free pointer][track x2][pad]
 * The red zones exist with SLAB_RED_ZONE, the tracks with SLAB_STORE_USER;
 * the free pointer sits behind the object only when it must not overlay it.
 */
static void calculate_sizes(struct kmem_cache *s, const struct kmem_cache_args *args)
{
	unsigned int size = (unsigned int)align_up(s->object_size, sizeof(void *));

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
	if (s->flags & SLAB_RED_ZONE) {
		s->red_left_pad = (unsigned int)align_up(sizeof(void *), s->align);
		size += s->red_left_pad;
	}
	s->size = (unsigned int)align_up(size, s->align);
	s->order = calculate_order(s->size);
	s->objects = (unsigned int)((PAGE_SIZE << s->order) / s->size);
	s->reciprocal_size = ((1ULL << 32) + s->size - 1) / s->size;
	s->tcache_limit = (unsigned int)(TCACHE_BYTES / s->size);
	if (s->tcache_limit > TCACHE_MAX_OBJECTS)
		s->tcache_limit = TCACHE_MAX_OBJECTS;
	if (s->tcache_limit < TCACHE_MIN_OBJECTS)
		s->tcache_limit = TCACHE_MIN_OBJECTS;
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

static struct slab *new_slab(struct kmem_cache *s, gfp_t gfp)
{
	struct page *page;
	struct slab *slab;
	void *next = NULL;

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
	for (unsigned int i = s->objects; i-- > 0;) {
		void *object = slab_object(s, slab, i);

		if (s->flags & SLAB_DEBUG_FLAGS)
			slab_debug_init_object(s, object);
		if (s->ctor)
			s->ctor(object);
		set_freepointer(s, object, next);
		next = object;
	}
	slab->freelist = next;
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

/*
 * Put @object back on its slab's free list and move the slab to the list
 * its new count belongs on (S1).  An empty slab beyond the kept reserve is
 * moved to @to_free, for the caller to release after unlocking.
 */
static void __slab_put_object(struct kmem_cache *s, struct slab *slab, void *object,
			      struct list_head *to_free)
{
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

/* Return @n objects linked from @head to their slabs (lock held). */
static void __slab_put_objects(struct kmem_cache *s, void *head, unsigned int n,
			       struct list_head *to_free)
{
	while (n--) {
		void *object = head;

		head = get_freepointer(s, object);
		__slab_put_object(s, object_slab(object), object, to_free);
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

/*
 * Empty @tc into its cache's slabs and move its counters to the cache.
 * Called with slab_registry_lock held (or by the owner on its own stack).
 */
static void tcache_drain(struct kmem_cache *s, struct slab_tcache *tc)
{
	struct list_head to_free;

	INIT_LIST_HEAD(&to_free);
	pthread_mutex_lock(&s->lock);
	__slab_put_objects(s, tc->head, tc->count, &to_free);
	tcache_fold_counters(&s->retired, tc);
	pthread_mutex_unlock(&s->lock);
	memset(tc, 0, sizeof(*tc));
	release_list(s, &to_free);
}

/* Drain every stack of @t; slab_registry_lock held. */
static void __slab_thread_drain(struct slab_thread *t)
{
	for (unsigned int id = 0; id < t->nr_tcaches; id++) {
		struct slab_tcache *tc = &t->tcaches[id];

		if (tc->head || tc->allocs || tc->frees)
			tcache_drain(tcache_owner[id], tc);
	}
}

static void slab_thread_exit(void *arg)
{
	struct slab_thread *t = arg;
	struct slab_tcache *tcaches = t->tcaches;

	pthread_mutex_lock(&slab_registry_lock);
	__slab_thread_drain(t);
	list_del(&t->link);
	WRITE_ONCE(t->nr_tcaches, 0);
	t->tcaches = NULL;
	t->state = SLAB_THREAD_DEAD;
	pthread_mutex_unlock(&slab_registry_lock);
	if (tcaches)
		__free_pages(virt_to_page(tcaches), t->tcaches_order);
}

/* Make room for stack @id in the calling thread's array. */
static __noinline bool slab_thread_grow(struct slab_thread *t, unsigned int id)
{
	size_t bytes = (size_t)(id + 1) * sizeof(struct slab_tcache);
	unsigned int order = get_order(bytes);
	unsigned int old_order = t->tcaches_order;
	struct slab_tcache *old = t->tcaches;
	struct page *page;

	/* Allocated unlocked: memory pressure may call slab_reclaim(). */
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);
	if (!page)
		return false;
	pthread_mutex_lock(&slab_registry_lock);
	if (old)
		memcpy(page_address(page), old, t->nr_tcaches * sizeof(struct slab_tcache));
	t->tcaches = page_address(page);
	t->tcaches_order = order;
	WRITE_ONCE(t->nr_tcaches,
		   (unsigned int)((PAGE_SIZE << order) / sizeof(struct slab_tcache)));
	pthread_mutex_unlock(&slab_registry_lock);
	if (old)
		__free_pages(virt_to_page(old), old_order);
	return true;
}

/*
 * The calling thread's stack for @s, activating the thread's caches on
 * first use; NULL for debug caches, after the thread's exit destructor ran,
 * or when no memory is left for the array.
 */
static struct slab_tcache *slab_thread_tcache(struct kmem_cache *s)
{
	struct slab_thread *t = &slab_self;
	unsigned int id = s->tcache_id;

	if (id == NO_TCACHE_ID || t->state == SLAB_THREAD_DEAD)
		return NULL;
	if (t->state == SLAB_THREAD_NEW) {
		t->tid = (int)syscall(SYS_gettid);
		pthread_mutex_lock(&slab_registry_lock);
		list_add(&t->link, &slab_registry);
		pthread_mutex_unlock(&slab_registry_lock);
		t->state = SLAB_THREAD_ACTIVE;
		pthread_setspecific(slab_key, t);
	}
	if (id >= t->nr_tcaches && !slab_thread_grow(t, id))
		return NULL;
	return &t->tcaches[id];
}

/*
 * Take a whole slab's free list for the calling thread (lock held): the slab
 * becomes full, its slots now belong to the thread's stack.
 */
static void *__slab_take_freelist(struct kmem_cache *s, struct slab *slab, unsigned int *n)
{
	void *object = slab->freelist;

	__slab_unlink_available(s, slab);
	slab_move(slab, &s->full);
	s->nr_full++;
	*n = slab->objects - slab->inuse;
	slab->freelist = NULL;
	slab->inuse = slab->objects;
	slab->owner = &slab_self;
	return object;
}

/* Add a new slab to the empty list (lock held). */
static void __slab_add_new(struct kmem_cache *s, struct slab *slab)
{
	list_add(&slab->list, &s->empty);
	s->nr_empty++;
	s->slabs_allocated++;
}

/* Refill an empty stack with one slab's whole free list. */
static void *tcache_refill(struct kmem_cache *s, struct slab_tcache *tc, gfp_t gfp)
{
	struct slab *slab;
	void *object = NULL;
	unsigned int n = 0;

	pthread_mutex_lock(&s->lock);
	slab = __slab_get_available(s);
	if (slab)
		object = __slab_take_freelist(s, slab, &n);
	pthread_mutex_unlock(&s->lock);
	if (!slab) {
		slab = new_slab(s, gfp);
		if (!slab)
			return NULL;
		pthread_mutex_lock(&s->lock);
		__slab_add_new(s, slab);
		object = __slab_take_freelist(s, slab, &n);
		pthread_mutex_unlock(&s->lock);
	}
	tc->head = get_freepointer(s, object);
	WRITE_ONCE(tc->count, n - 1);
	counter_inc(&tc->refills);
	return object;
}

/* A stack above its limit keeps half the limit and returns the rest. */
static __noinline void tcache_flush(struct kmem_cache *s, struct slab_tcache *tc)
{
	unsigned int keep = s->tcache_limit / 2;
	struct list_head to_free;
	void *last = tc->head;
	void *rest;

	for (unsigned int i = 1; i < keep; i++)
		last = get_freepointer(s, last);
	rest = keep ? get_freepointer(s, last) : tc->head;
	if (keep)
		set_freepointer(s, last, NULL);
	else
		tc->head = NULL;
	INIT_LIST_HEAD(&to_free);
	pthread_mutex_lock(&s->lock);
	__slab_put_objects(s, rest, tc->count - keep, &to_free);
	pthread_mutex_unlock(&s->lock);
	WRITE_ONCE(tc->count, keep);
	counter_inc(&tc->flushes);
	release_list(s, &to_free);
}

/* ---- allocation and free ------------------------------------------------------ */

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	struct slab_thread *t = &slab_self;

	if (likely(s) && likely(s->tcache_id < t->nr_tcaches) && likely(!(gfp & __GFP_ZERO))) {
		struct slab_tcache *tc = &t->tcaches[s->tcache_id];
		void *object = tc->head;

		if (likely(object)) {
			tc->head = get_freepointer(s, object);
			WRITE_ONCE(tc->count, tc->count - 1);
			counter_inc(&tc->allocs);
			return object;
		}
	}
	return slab_alloc_slow(s, gfp, __builtin_return_address(0));
}

/* One object from the slabs under the lock: debug caches, dead threads. */
static void *slab_alloc_locked(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	struct slab *slab;
	void *object;

	pthread_mutex_lock(&s->lock);
	slab = __slab_get_available(s);
	if (!slab) {
		pthread_mutex_unlock(&s->lock);
		slab = new_slab(s, gfp);
		if (!slab)
			return NULL;
		pthread_mutex_lock(&s->lock);
		__slab_add_new(s, slab);
	}
	__slab_unlink_available(s, slab);
	object = slab->freelist;
	slab->freelist = get_freepointer(s, object);
	if (++slab->inuse == slab->objects) {
		slab_move(slab, &s->full);
		s->nr_full++;
	} else {
		slab_move(slab, &s->partial);
		s->nr_partial++;
	}
	if (s->flags & SLAB_DEBUG_FLAGS)
		slab_debug_alloc_checks(s, slab, object, caller);
	s->retired.allocs++;
	s->retired.slow_allocs++;
	pthread_mutex_unlock(&s->lock);
	return object;
}

static __noinline void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, void *caller)
{
	struct slab_tcache *tc;
	void *object;

	if (unlikely(!s)) {
		kmem_warn("kmem_cache_alloc: NULL cache");
		return NULL;
	}
	if (unlikely((gfp & __GFP_ZERO) && s->ctor)) {
		kmem_warn("%s: __GFP_ZERO refused for a cache with a constructor", s->name);
		return NULL;
	}
	tc = slab_thread_tcache(s);
	if (!tc) {
		object = slab_alloc_locked(s, gfp, caller);
	} else if (tc->head) {
		object = tc->head;
		tc->head = get_freepointer(s, object);
		WRITE_ONCE(tc->count, tc->count - 1);
		counter_inc(&tc->allocs);
	} else {
		object = tcache_refill(s, tc, gfp);
		if (object) {
			counter_inc(&tc->allocs);
			counter_inc(&tc->slow_allocs);
		}
	}
	if (object && (gfp & __GFP_ZERO))
		memset(object, 0, s->object_size);
	return object;
}

/*
 * Why @object cannot be freed to @s, reported the kernel's way.  Always
 * checked, debug or not: a pointer outside every slab, into another cache,
 * or not at an object start would corrupt a free list.
 */
static __cold void slab_free_invalid(struct kmem_cache *s, struct slab *slab, void *object)
{
	if (!s)
		kmem_bug("kmem_cache_free: NULL cache for object %p", object);
	else if (!slab)
		kmem_bug("%s: kmem_cache_free: invalid pointer %p: not an object of any slab",
			 s->name, object);
	else if (slab->cache != s)
		kmem_bug("%s: kmem_cache_free: wrong cache: object %p belongs to cache %s", s->name,
			 object, slab->cache->name);
	else
		kmem_bug("%s: kmem_cache_free: invalid pointer %p: not the start of an object "
			 "(slab %p, slot size %u)",
			 s->name, object, (void *)slab_address(slab), s->size);
}

static inline bool slab_free_valid(struct kmem_cache *s, struct slab *slab, void *object)
{
	return likely(slab) && likely(slab->cache == s) &&
		likely(slab_object_index(s, slab, object) >= 0);
}

static __always_inline void tcache_push(struct kmem_cache *s, struct slab_tcache *tc,
					struct slab *slab, void *object)
{
	if (unlikely(object == tc->head)) {
		kmem_bug("%s: double free of object %p", s->name, object);
		return;
	}
	set_freepointer(s, object, tc->head);
	tc->head = object;
	WRITE_ONCE(tc->count, tc->count + 1);
	counter_inc(&tc->frees);
	if (slab->owner != &slab_self)
		counter_inc(&tc->remote_frees);
	if (unlikely(tc->count > s->tcache_limit))
		tcache_flush(s, tc);
}

static __always_inline void __slab_free(struct kmem_cache *s, struct slab *slab, void *object,
					void *caller)
{
	struct slab_thread *t = &slab_self;

	if (likely(s->tcache_id < t->nr_tcaches))
		tcache_push(s, &t->tcaches[s->tcache_id], slab, object);
	else
		slab_free_slow(s, slab, object, caller);
}

void kmem_cache_free(struct kmem_cache *s, void *object)
{
	struct slab *slab;

	if (unlikely(!object))
		return;
	slab = object_slab(object);
	if (unlikely(!slab_free_valid(s, slab, object))) {
		slab_free_invalid(s, slab, object);
		return;
	}
	__slab_free(s, slab, object, __builtin_return_address(0));
}

static __noinline void slab_free_slow(struct kmem_cache *s, struct slab *slab, void *object,
				      void *caller)
{
	struct slab_tcache *tc = slab_thread_tcache(s);
	struct list_head to_free;

	if (tc) {
		tcache_push(s, tc, slab, object);
		counter_inc(&tc->slow_frees);
		return;
	}
	INIT_LIST_HEAD(&to_free);
	pthread_mutex_lock(&s->lock);
	if (!(s->flags & SLAB_DEBUG_FLAGS) || slab_debug_free_checks(s, slab, object, caller)) {
		__slab_put_object(s, slab, object, &to_free);
		s->retired.frees++;
		s->retired.slow_frees++;
	}
	pthread_mutex_unlock(&s->lock);
	release_list(s, &to_free);
}

int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t size, void **p)
{
	size_t i;

	for (i = 0; i < size; i++) {
		p[i] = kmem_cache_alloc(s, gfp);
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
			slab_free_invalid(s, slab, p[i]);
			continue;
		}
		__slab_free(s, slab, p[i], __builtin_return_address(0));
	}
}

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return s ? s->object_size : 0;
}

/* ---- kfree()/ksize() dispatch and reclaim ------------------------------------- */

static void slab_owner_free(struct page *head, void *object)
{
	struct slab *slab = page_slab(head);
	struct kmem_cache *s = slab->cache;

	if (unlikely(!slab_free_valid(s, slab, object))) {
		slab_free_invalid(s, slab, object);
		return;
	}
	__slab_free(s, slab, object, __builtin_return_address(0));
}

static size_t slab_owner_size(struct page *head, const void *object)
{
	(void)object;
	return page_slab(head)->cache->object_size;
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
	pthread_mutex_lock(&s->lock);
	pages = s->nr_empty << s->order;
	s->slabs_freed += s->nr_empty;
	s->nr_empty = 0;
	while (!list_empty(&s->empty)) {
		struct list_head *pos = s->empty.next;

		list_del(pos);
		list_add(pos, &to_free);
	}
	pthread_mutex_unlock(&s->lock);
	release_list(s, &to_free);
	return pages;
}

/*
 * The page allocator's shrinker: drain the calling thread's stacks and give
 * back every empty slab.  Best effort: skipped when a cache is being
 * created or destroyed (slab_mutex busy), which also keeps it from
 * deadlocking on a caller that holds slab_mutex.
 */
static unsigned long slab_reclaim(void)
{
	struct slab_thread *t = &slab_self;
	unsigned long pages = 0;
	struct list_head *pos;

	if (pthread_mutex_trylock(&slab_mutex))
		return 0;
	if (t->state == SLAB_THREAD_ACTIVE) {
		pthread_mutex_lock(&slab_registry_lock);
		__slab_thread_drain(t);
		pthread_mutex_unlock(&slab_registry_lock);
	}
	list_for_each(pos, &slab_caches)
		pages += slab_release_empty(container_of(pos, struct kmem_cache, link));
	pthread_mutex_unlock(&slab_mutex);
	/* What went to this thread's page cache must reach the buddy lists. */
	kmem_page_drain();
	return pages;
}

int kmem_cache_shrink(struct kmem_cache *s)
{
	struct slab_thread *t = &slab_self;

	if (!s)
		return 0;
	if (s->tcache_id < t->nr_tcaches) {
		pthread_mutex_lock(&slab_registry_lock);
		tcache_drain(s, &t->tcaches[s->tcache_id]);
		pthread_mutex_unlock(&slab_registry_lock);
	}
	slab_release_empty(s);
	return 0;
}

/* ---- cache lifecycle ------------------------------------------------------------ */

static void slab_lock_for_fork(void)
{
	struct list_head *pos;

	pthread_mutex_lock(&slab_mutex);
	pthread_mutex_lock(&slab_registry_lock);
	list_for_each(pos, &slab_caches)
		pthread_mutex_lock(&container_of(pos, struct kmem_cache, link)->lock);
	slab_rcu_fork_prepare();
}

static void slab_unlock_caches(void)
{
	struct list_head *pos;

	list_for_each(pos, &slab_caches)
		pthread_mutex_unlock(&container_of(pos, struct kmem_cache, link)->lock);
	pthread_mutex_unlock(&slab_registry_lock);
	pthread_mutex_unlock(&slab_mutex);
}

static void slab_unlock_after_fork(void)
{
	slab_rcu_fork_parent();
	slab_unlock_caches();
}

/*
 * In the child only the forking thread exists.  Other threads' stacks are
 * abandoned (their objects stay allocated from the slabs' point of view):
 * they may have been mid-update and cannot be trusted.
 */
static void slab_unlock_in_child(void)
{
	INIT_LIST_HEAD(&slab_registry);
	if (slab_self.state == SLAB_THREAD_ACTIVE)
		list_add(&slab_self.link, &slab_registry);
	slab_rcu_fork_child();
	slab_unlock_caches();
}

static bool cache_setup(struct kmem_cache *s, const char *name, unsigned int size,
			const struct kmem_cache_args *args, slab_flags_t flags)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->object_size = size;
	s->flags = flags;
	s->ctor = args->ctor;
	s->useroffset = args->useroffset;
	s->usersize = args->usersize;
	s->align = calculate_alignment(flags, args->align, size);
	calculate_sizes(s, args);
	pthread_mutex_init(&s->lock, NULL);
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
			return;
		}
	}
}

static void slab_init_once(void)
{
	static const struct kmem_cache_args boot_args = {.align = CACHE_LINE_SIZE};

	pthread_key_create(&slab_key, slab_thread_exit);
	cache_setup(&kmem_cache_boot, "kmem_cache", sizeof(struct kmem_cache), &boot_args,
		    SLAB_HWCACHE_ALIGN);
	cache_assign_tcache_id(&kmem_cache_boot);
	list_add_tail(&kmem_cache_boot.link, &slab_caches);
	page_set_owner_ops(PG_slab, &slab_owner_ops);
	page_register_reclaim(slab_reclaim);
	pthread_atfork(slab_lock_for_fork, slab_unlock_after_fork, slab_unlock_in_child);
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

struct kmem_cache *__kmem_cache_create_args(const char *name, unsigned int object_size,
					    struct kmem_cache_args *args, slab_flags_t flags)
{
	struct kmem_cache *s = NULL;
	struct list_head *pos;

	slab_init();
	if (!cache_args_valid(name, object_size, args, flags))
		goto fail;
	/* Allocated before slab_mutex: memory pressure runs slab_reclaim(). */
	s = kmem_cache_alloc(&kmem_cache_boot, GFP_KERNEL);
	if (!s)
		goto fail;
	cache_setup(s, name, object_size, args, flags);
	pthread_mutex_lock(&slab_mutex);
	list_for_each(pos, &slab_caches) {
		if (!strcmp(container_of(pos, struct kmem_cache, link)->name, name)) {
			kmem_warn("kmem_cache_create(%s): a cache with this name already exists",
				  name);
			break;
		}
	}
	cache_assign_tcache_id(s);
	if (s->tcache_id == NO_TCACHE_ID && !(flags & SLAB_DEBUG_FLAGS))
		kmem_warn("kmem_cache_create(%s): more than %u caches; this one has no "
			  "per-thread cache",
			  name, MAX_TCACHE_IDS);
	list_add_tail(&s->link, &slab_caches);
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

/*
 * Take back every thread's stack of @s: nobody uses the cache any more, so
 * the stacks are stable; the registry lock keeps their threads from exiting
 * or reallocating their arrays meanwhile.  slab_mutex held.
 */
static void cache_drain_all_threads(struct kmem_cache *s)
{
	struct list_head *pos;

	if (s->tcache_id == NO_TCACHE_ID)
		return;
	pthread_mutex_lock(&slab_registry_lock);
	list_for_each(pos, &slab_registry) {
		struct slab_thread *t = container_of(pos, struct slab_thread, link);

		if (s->tcache_id < t->nr_tcaches)
			tcache_drain(s, &t->tcaches[s->tcache_id]);
	}
	pthread_mutex_unlock(&slab_registry_lock);
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	unsigned long leaked;

	if (!s)
		return;
	if (s == &kmem_cache_boot) {
		kmem_bug("kmem_cache_destroy: the kmem_cache cache cannot be destroyed");
		return;
	}
	pthread_mutex_lock(&slab_mutex);
	cache_drain_all_threads(s);
	slab_release_empty(s);
	pthread_mutex_lock(&s->lock);
	leaked = s->nr_partial + s->nr_full;
	pthread_mutex_unlock(&s->lock);
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
	pthread_mutex_destroy(&s->lock);
	kmem_cache_free(&kmem_cache_boot, s);
}
