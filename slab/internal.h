/* SPDX-License-Identifier: MIT */
/*
 * slab/internal.h - private to the slab layer.  See slab/slub.c for the
 * invariants and the locking rules.
 */
#ifndef KMEM_SLAB_INTERNAL_H
#define KMEM_SLAB_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <kmem/slab.h>
#include <kmem/stats.h>

#include "lib/shadow.h"
#include "lib/thread.h"
#include "page/page.h"
#include "slab/slab.h"

/* glibc defines it; the fast paths rely on it. */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Flags that exist only inside kmem, above the kernel's user-visible bits. */
#define __SLAB_OBJECT_POISON ((slab_flags_t)0x80000000U) /* poison free objects */
_Static_assert(__SLAB_OBJECT_POISON > SLAB_NO_OBJ_EXT, "above the kernel's highest flag bit");

/* Caches with any of these have no thread cache: every operation is checked. */
#define SLAB_DEBUG_FLAGS                                                                           \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE)
/* What slab_debug=O takes away from a cache whose slab order it would raise. */
#define SLAB_DEBUG_METADATA_FLAGS (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)
#define SLAB_ACCEPTED_FLAGS                                                                        \
	(SLAB_DEBUG_FLAGS | SLAB_KMALLOC | SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA |                   \
	 SLAB_CACHE_DMA32 | SLAB_PANIC | SLAB_TYPESAFE_BY_RCU | SLAB_TRACE | SLAB_NOLEAKTRACE |    \
	 SLAB_NO_MERGE | SLAB_FAILSLAB | SLAB_ACCOUNT | SLAB_NO_USER_FLAGS | SLAB_SKIP_KFENCE |    \
	 SLAB_RECLAIM_ACCOUNT)

/* The kernel's debug bytes (include/linux/poison.h). */
#define SLUB_RED_INACTIVE 0xbb
#define SLUB_RED_ACTIVE 0xcc
#define POISON_INUSE 0x5a
#define POISON_FREE 0x6b
#define POISON_END 0xa5

#define CACHE_LINE_SIZE 64
#define SLAB_MAX_ORDER_PREFERRED 3
/* Empty slabs a cache keeps for reuse before giving them back (S4). */
#define SLAB_KEEP_EMPTY 5
/* A cache without a thread cache (debug caches) has this tcache id. */
#define NO_TCACHE_ID UINT32_MAX
#define MAX_TCACHE_IDS 4096

/*
 * struct slab - a slab's metadata, overlaid on its head struct page.
 * It is struct page's slab view (page->slab.words).  Head pages do not use
 * word 0 as a compound head pointer (only
 * tails do), so the whole private area belongs to the slab.
 */
struct slab {
	unsigned long __page_flags;
	struct kmem_cache *cache; /* owner; NULL while being set up */
	void *freelist;		  /* free slots, linked through the free pointer */
	struct list_head list;	  /* on cache->partial, ->full or ->empty, or RCU queue */
	unsigned int inuse;	  /* slots not on @freelist (allocated or thread-cached) */
	unsigned int objects;	  /* slots in this slab */
	void *owner;		  /* thread cache that last took the freelist (stats) */
	unsigned char order;
	unsigned char __pad[3];
	int __refcount;
};

#define SLAB_MATCH(pg, sl)                                                                         \
	_Static_assert(offsetof(struct page, pg) == offsetof(struct slab, sl), "slab overlay: " #sl)
SLAB_MATCH(flags, __page_flags);
SLAB_MATCH(slab.words[0], cache);
SLAB_MATCH(slab.words[1], freelist);
SLAB_MATCH(slab.words[2], list);
SLAB_MATCH(slab.words[4], inuse);
SLAB_MATCH(slab.words[5], owner);
SLAB_MATCH(order, order);
SLAB_MATCH(_refcount, __refcount);
_Static_assert(sizeof(struct slab) == sizeof(struct page), "slab overlay size");

static inline struct slab *page_slab(struct page *page)
{
	return (struct slab *)page;
}

static inline struct page *slab_page(struct slab *slab)
{
	return (struct page *)slab;
}

static inline char *slab_address(const struct slab *slab)
{
	return page_address((const struct page *)slab);
}

/*
 * struct track - who last allocated or freed an object (SLAB_STORE_USER):
 * the caller, a short stack starting at it, the thread and the time.
 */
#define TRACK_FRAMES 6
struct track {
	void *addr;	    /* the caller */
	unsigned long when; /* monotonic milliseconds */
	int tid;
	short cpu;
	unsigned short nr_frames;
	void *frames[TRACK_FRAMES];
};

/*
 * Work an object needs beyond the thread-cache push and pop (kmem_cache.hooks,
 * tested once on each fast path): the option read at initialisation that
 * applies to the cache.
 */
#define SLAB_HOOK_SHADOW 0x1U	     /* valgrind or ASan watch the objects */
#define SLAB_HOOK_INIT_ON_ALLOC 0x2U /* zero on allocation (init_on_alloc) */
#define SLAB_HOOK_INIT_ON_FREE 0x4U  /* zero on free (init_on_free) */

/*
 * struct slab_tcache - one thread's free objects of one cache: a LIFO
 * array (the kernel's per-cpu sheaf).  Touched by its thread inside
 * kmem_gate_enter()/leave() or under the thread's own lock, and by other
 * threads only through lib/thread.c's flush protocol or, for a cache being
 * destroyed, under the registry lock.  Counters are written with relaxed
 * stores so statistics may read them.
 */
#define TCACHE_SLOTS 64U
struct slab_tcache {
	unsigned int count;
	unsigned int __pad;
	unsigned long allocs;
	unsigned long frees;
	unsigned long slow_allocs;
	unsigned long slow_frees;
	unsigned long remote_frees;
	unsigned long refills;
	unsigned long flushes;
	void *objs[TCACHE_SLOTS];
};

enum slab_thread_state {
	SLAB_THREAD_NEW = 0,
	SLAB_THREAD_ACTIVE,
	SLAB_THREAD_DEAD, /* exit flush ran: no thread cache any more */
};

/* struct slab_thread - a thread's caches, indexed by kmem_cache.tcache_id. */
struct slab_thread {
	struct kmem_thread_gate gate; /* lib/thread.h: the fast paths' bracket */
	struct slab_tcache *tcaches;
	unsigned int nr_tcaches; /* 0 unless ACTIVE: the fast path's only test */
	unsigned int state;
	unsigned int tcaches_order; /* page order of the @tcaches block */
};

/*
 * struct slab_barn - a cache's shared pool between the thread caches and
 * the slabs (the kernel's barn, Bonwick's depot): a stack of free objects
 * exchanged with thread caches a batch at a time under @lock, so that
 * producer/consumer traffic and random-order frees move objects without
 * touching slab lists.  @objs is allocated on first use.
 */
struct slab_barn {
	pthread_mutex_t lock;
	unsigned int count;
	unsigned int capacity; /* 0 until @objs exists */
	void **objs;
	unsigned int order; /* page order of the @objs block */
};

/*
 * struct slab_testing - a cache's test hooks (kmem/testing.h, slab/testing.c),
 * read only while they are on; every field is accessed atomically.
 */
struct slab_testing {
	unsigned int budget;	  /* allocations that may not block still allowed */
	bool callback_pending;	  /* one failed for want of budget */
	void (*callback)(void *); /* run on the allocation after that */
	void *private;		  /* its argument */
	long live;		  /* objects allocated and not freed */
	unsigned long total;	  /* objects allocated since the last reset */
};

struct kmem_cache {
	/* Read by the fast paths. */
	unsigned int tcache_id;	     /* index in slab_thread.tcaches, or NO_TCACHE_ID */
	unsigned int offset;	     /* free pointer offset from the object start */
	unsigned int size;	     /* slot stride */
	unsigned int red_left_pad;   /* slot start to object start */
	uint64_t reciprocal_size;    /* ceil(2^32 / size), for offset -> index */
	unsigned int objects;	     /* slots per slab */
	unsigned int tcache_limit;   /* a thread cache holds at most this */
	unsigned int tcache_batch;   /* objects moved per exchange with the barn */
	unsigned int object_size;    /* usable bytes (kmem_cache_size) */
	unsigned int requested_size; /* the size given at creation */
	slab_flags_t flags;
	unsigned int order;
	unsigned int hooks; /* SLAB_HOOK_* */
	void (*ctor)(void *);

	/* Layout details for debugging. */
	unsigned int align;
	unsigned int inuse;	       /* object + right red zone */
	unsigned int track_offset;     /* struct track[2] (STORE_USER) */
	unsigned int orig_size_offset; /* the kmalloc request's size (0: not kept) */
	unsigned int useroffset, usersize;
	const char *name;
	unsigned long random; /* free pointer key (0: freelist not hardened) */
	/* As created, before the debug options: to lay the cache out again. */
	slab_flags_t creation_flags;
	struct kmem_cache_args args;

	/* Slab lists, under @lock. */
	pthread_mutex_t lock;
	struct list_head partial;
	struct list_head full;
	struct list_head empty;
	unsigned long nr_partial, nr_full, nr_empty;
	unsigned long slabs_allocated, slabs_freed;
	/* Counters of threads that exited and of the slow paths, under @lock. */
	struct slab_tcache retired;
	struct slab_barn barn;

	struct list_head link; /* slab_caches, under slab_mutex */
	struct slab_testing testing;
};

/* slub.c */
__hidden extern pthread_mutex_t slab_mutex;
__hidden extern struct list_head slab_caches;
/* The cache of struct kmem_cache itself. */
__hidden extern struct kmem_cache kmem_cache_boot;
__hidden void slab_init(void);
/*
 * Call @fn(thread cache of @s, @arg) for every thread that has one; the
 * caller holds kmem_thread_registry_lock() (values may be stale unless the
 * threads are quiet).
 */
__hidden void slab_for_each_tcache(struct kmem_cache *s,
				   void (*fn)(struct slab_tcache *tc, void *arg), void *arg);
__hidden void slab_release(struct kmem_cache *s, struct slab *slab);
__hidden void slab_free_pages(struct slab *slab);

/*
 * The cache lock.  Code under it walks free lists and reads debug metadata,
 * memory memcheck keeps the program from: its reports are off meanwhile.
 */
static inline void slab_lock(struct kmem_cache *s)
{
	pthread_mutex_lock(&s->lock);
	shadow_quiet_begin();
}

static inline void slab_unlock(struct kmem_cache *s)
{
	shadow_quiet_end();
	pthread_mutex_unlock(&s->lock);
}

static inline unsigned int slab_nr_slabs(const struct kmem_cache *s)
{
	return (unsigned int)(s->nr_partial + s->nr_full + s->nr_empty);
}

/* Whether a tool watches the objects of @s (never those of RCU caches: readers may look). */
static inline bool slab_shadowed(const struct kmem_cache *s)
{
	return shadow_watched() && !(s->flags & SLAB_TYPESAFE_BY_RCU);
}

/*
 * Free pointers are stored XORed with the cache's secret and the byte-swapped
 * address they are stored at (the kernel's CONFIG_SLAB_FREELIST_HARDENED):
 * a use-after-free write cannot plant a pointer that decodes to a chosen
 * address, and a copied one decodes differently elsewhere.
 */
static inline uintptr_t freeptr_code(const struct kmem_cache *s, const void *where)
{
	return s->random ? s->random ^ __builtin_bswap64((uintptr_t)where) : 0;
}

/*
 * Free pointers live in free objects, which the tools keep the program
 * from: free-list walks run between shadow_quiet_begin() and
 * shadow_quiet_end() (memcheck), the accesses are unchecked (ASan).
 */
static inline void *get_freepointer(const struct kmem_cache *s, void *object)
{
	void **where = (void **)((char *)object + s->offset);

	return (void *)(quiet_load(where) ^ freeptr_code(s, where));
}

static inline void set_freepointer(const struct kmem_cache *s, void *object, void *next)
{
	void **where = (void **)((char *)object + s->offset);

	quiet_store(where, (uintptr_t)next ^ freeptr_code(s, where));
}

/* The object in slot @idx of @slab. */
static inline void *slab_object(const struct kmem_cache *s, const struct slab *slab,
				unsigned int idx)
{
	return slab_address(slab) + (size_t)idx * s->size + s->red_left_pad;
}

/*
 * The slot index of @object in @slab, or -1 when @object is not the start
 * of an object (misaligned or outside the slab).  Offsets are below 2^32,
 * where multiplying by the rounded-up reciprocal is exact.
 */
static inline long slab_object_index(const struct kmem_cache *s, const struct slab *slab,
				     const void *object)
{
	uintptr_t off = (uintptr_t)object - (uintptr_t)slab_address(slab) - s->red_left_pad;
	uint64_t idx = ((uint64_t)off * s->reciprocal_size) >> 32;

	if (unlikely(idx * s->size != off || idx >= slab->objects))
		return -1;
	return (long)idx;
}

/*
 * A free pointer read from a free object is valid when it is NULL or an
 * object of the same slab; anything else is a corrupted (or forged) one and
 * is never followed.
 */
static inline bool freeptr_valid(const struct kmem_cache *s, const struct slab *slab,
				 const void *next)
{
	return !next || slab_object_index(s, slab, next) >= 0;
}

/* slab_options.c: the slab_debug= options and the other run-time switches. */
struct slab_options {
	bool init_on_alloc, init_on_free; /* KMEM_INIT_ON_ALLOC, KMEM_INIT_ON_FREE */
	bool freelist_hardened;		  /* KMEM_FREELIST_HARDENED (default on) */
	bool freelist_random;		  /* KMEM_FREELIST_RANDOM (default on) */
};
__hidden extern struct slab_options slab_options;
/* Read the environment once, before the first cache is set up (slab_mutex held). */
__hidden void slab_options_init(void);
/* The debug flags the options give a cache named @name created with @flags (slab_mutex held). */
__hidden slab_flags_t slab_debug_flags(slab_flags_t flags, const char *name);
/* slab_debug=O: drop the metadata flags when they raise the slab order. */
__hidden bool slab_debug_no_higher_order(void);

/* slub.c: lay @s out again for @flags (an unused cache, slab_mutex held). */
__hidden void slab_cache_relayout(struct kmem_cache *s, slab_flags_t flags);

/*
 * slab_debug.c: layout and checks for caches with SLAB_DEBUG_FLAGS.
 *
 * What a checked operation records is gathered before the cache lock is
 * taken (the stack unwinder may allocate on first use):
 */
struct slab_debug_ctx {
	struct track track; /* with SLAB_STORE_USER */
	size_t orig_size;   /* the size requested (allocations) */
};
__hidden void slab_debug_prepare(struct kmem_cache *s, struct slab_debug_ctx *ctx, void *caller,
				 size_t orig_size);
__hidden void slab_debug_init_object(struct kmem_cache *s, void *object);
__hidden void slab_debug_seal_object(struct kmem_cache *s, void *object);
__hidden bool slab_debug_alloc_checks(struct kmem_cache *s, struct slab *slab, void *object,
				      const struct slab_debug_ctx *ctx);
__hidden bool slab_debug_free_checks(struct kmem_cache *s, struct slab *slab, void *object,
				     const struct slab_debug_ctx *ctx);
__hidden void slab_debug_trace(struct kmem_cache *s, struct slab *slab, void *object, bool alloc,
			       const struct slab_debug_ctx *ctx);
__hidden void slab_debug_report_leaks(struct kmem_cache *s, unsigned long leaked);
/* Copy track @which (0: allocation, 1: free) of @object. */
__hidden void slab_read_track(struct kmem_cache *s, void *object, int which, struct track *out);
/*
 * Call @fn on every allocated object of @slab of the debug cache @s (a
 * corrupted free list skips the slab).  Cache lock and slab_mutex held.
 */
__hidden void slab_for_each_allocated(struct kmem_cache *s, struct slab *slab,
				      void (*fn)(struct kmem_cache *s, void *object, void *arg),
				      void *arg);
/*
 * The chain after @object in @slab holds @next, which is not an object of
 * the slab: report it (the kernel's "Freechain corrupt") and cut the chain
 * there, counting the lost slots as in use so the slab stays consistent.
 * Cache lock held.
 */
__hidden void slab_freechain_corrupt(struct kmem_cache *s, struct slab *slab, void *object,
				     void *next);
/*
 * Kmalloc objects: the bytes the program may use of the allocated @object
 * (what it asked for, kept by debug caches in s->orig_size_offset, by the
 * tools in their own state); recording them for a new object; and changing
 * them for a live one (krealloc(), ksize()), which moves the tools' view
 * and the debug red zone behind them.
 */
__hidden size_t slab_object_usable(struct kmem_cache *s, void *object);
__hidden void slab_object_set_usable(struct kmem_cache *s, void *object, size_t size);
__hidden void slab_object_resize_usable(struct kmem_cache *s, void *object, size_t size);
/* Set @slab's count of slots in use and file it on the list that count belongs on. */
__hidden void __slab_set_inuse(struct kmem_cache *s, struct slab *slab, unsigned int inuse);

/*
 * testing.c: the test hooks, called from the slow paths only while
 * kmem_testing_active().  slab_testing_may_alloc() runs a pending failure
 * callback and applies the budget (kmalloc's for the kmalloc caches);
 * slab_testing_count() counts an allocation (@alloc) or a free of @object.
 */
__hidden bool slab_testing_may_alloc(struct kmem_cache *s, gfp_t gfp);
__hidden void slab_testing_count(struct kmem_cache *s, const void *object, bool alloc);

/* rcu.c: deferred freeing of SLAB_TYPESAFE_BY_RCU slab pages. */
__hidden void slab_rcu_defer(struct slab *slab);
__hidden void slab_rcu_barrier(void);
__hidden void slab_rcu_fork_prepare(void);
__hidden void slab_rcu_fork_parent(void);
__hidden void slab_rcu_fork_child(void);

#endif /* KMEM_SLAB_INTERNAL_H */
