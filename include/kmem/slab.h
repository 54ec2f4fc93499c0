/* SPDX-License-Identifier: MIT */
/*
 * kmem/slab.h - slab caches: many objects of one size, allocated fast.
 *
 * A cache hands out objects of a fixed size carved from slabs (blocks of
 * pages from the buddy allocator).  Each thread keeps a small stack of free
 * objects per cache, so the common kmem_cache_alloc()/kmem_cache_free() pair
 * takes no lock and no atomic instruction.  The API and the flag values are
 * the Linux 6.12 ones; see Documentation/slab.rst.
 *
 * Misuse is reported on stderr as "BUG: <cache>: <what>" and, by default,
 * aborts (see kmem/debug.h): freeing an address that is not an object of any
 * slab, a misaligned address, an object of another cache, and (with the
 * debug flags) double frees and overwritten red zones or poison.
 */
#ifndef KMEM_SLAB_H
#define KMEM_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <kmem/export.h>
#include <kmem/gfp.h>
#include <kmem/kmalloc.h>
#include <kmem/numa.h>

KMEM_BEGIN_DECLS

typedef unsigned int slab_flags_t;

/*
 * Cache flags, with the kernel's bit values (6.12, as configured with
 * CONFIG_FAILSLAB, CONFIG_MEMCG (hence CONFIG_SLAB_OBJ_EXT) and
 * CONFIG_KFENCE, without CONFIG_DEBUG_OBJECTS, CONFIG_KASAN_GENERIC and
 * CONFIG_SLUB_TINY).  Flags the kernel compiles to zero in that
 * configuration are zero here too.  Bits 18 and 19 are the kernel's
 * internal SLAB_OBJECT_POISON and SLAB_CMPXCHG_DOUBLE.
 */
#define SLAB_CONSISTENCY_CHECKS ((slab_flags_t)0x00000001U) /* check every free/alloc */
#define SLAB_RED_ZONE ((slab_flags_t)0x00000002U)	    /* guard bytes around objects */
#define SLAB_POISON ((slab_flags_t)0x00000004U)		    /* fill free objects with 0x6b */
#define SLAB_KMALLOC ((slab_flags_t)0x00000008U)	    /* a kmalloc size class */
#define SLAB_HWCACHE_ALIGN ((slab_flags_t)0x00000010U)	    /* align objects to cache lines */
#define SLAB_CACHE_DMA ((slab_flags_t)0x00000020U)	    /* accepted, no meaning here */
#define SLAB_CACHE_DMA32 ((slab_flags_t)0x00000040U)	    /* accepted, no meaning here */
#define SLAB_STORE_USER ((slab_flags_t)0x00000080U)	    /* record last alloc/free caller */
#define SLAB_PANIC ((slab_flags_t)0x00000100U)		    /* abort if creation fails */
#define SLAB_TYPESAFE_BY_RCU ((slab_flags_t)0x00000200U)    /* slab pages freed after RCU GP */
#define SLAB_TRACE ((slab_flags_t)0x00000400U)		    /* print every alloc and free */
#define SLAB_DEBUG_OBJECTS ((slab_flags_t)0)
#define SLAB_NOLEAKTRACE ((slab_flags_t)0x00000800U) /* accepted, no meaning here */
#define SLAB_NO_MERGE ((slab_flags_t)0x00001000U)    /* kmem never merges caches */
#define SLAB_FAILSLAB ((slab_flags_t)0x00002000U)    /* fault injection may fail it */
#define SLAB_ACCOUNT ((slab_flags_t)0x00004000U)     /* accepted, no memcg here */
#define SLAB_KASAN ((slab_flags_t)0)
#define SLAB_NO_USER_FLAGS ((slab_flags_t)0x00008000U)	 /* ignore slab_debug options */
#define SLAB_SKIP_KFENCE ((slab_flags_t)0x00010000U)	 /* accepted, no meaning here */
#define SLAB_RECLAIM_ACCOUNT ((slab_flags_t)0x00020000U) /* accepted, no meaning here */
#define SLAB_TEMPORARY SLAB_RECLAIM_ACCOUNT
#define SLAB_NO_OBJ_EXT ((slab_flags_t)0x00100000U) /* the kernel's own; refused */

struct kmem_cache;

/**
 * struct kmem_cache_args - the optional arguments of kmem_cache_create()
 * @align: required alignment of objects (0: the natural word alignment)
 * @useroffset: start of the region that may be copied to user space
 * @usersize: its size (0: none); kept for source compatibility only
 * @freeptr_offset: where the free pointer goes (with @use_freeptr_offset)
 * @use_freeptr_offset: use @freeptr_offset; only for TYPESAFE_BY_RCU caches
 *	without a constructor, so the free pointer overlays a field that
 *	readers do not need
 * @ctor: constructor run once per object slot when its slab is created
 */
struct kmem_cache_args {
	unsigned int align;
	unsigned int useroffset;
	unsigned int usersize;
	unsigned int freeptr_offset;
	bool use_freeptr_offset;
	void (*ctor)(void *);
};

/**
 * __kmem_cache_create_args - create a cache (what kmem_cache_create() calls)
 * @name: shown in slabinfo and in reports; the caller keeps it alive for the
 *	lifetime of the cache (it is not copied), as in the kernel
 * @object_size: bytes per object, 1 .. KMEM_CACHE_MAX_SIZE
 * @args: alignment, constructor, usercopy region (NULL is not allowed here)
 * @flags: SLAB_* flags; unknown bits make creation fail
 *
 * Slots are the object size rounded up to the word size and the alignment
 * (plus debug metadata); objects start at that alignment.  SLAB_HWCACHE_ALIGN aligns to the cache
 *line, halved while the object still fits in half.  A name that is already in use is allowed but
 * warned about.
 *
 * Return: the cache, or NULL (with a warning) for a NULL or empty name, a
 * zero or too large size, an alignment that is not a power of two or is
 * larger than PAGE_SIZE, unknown flags, a freeptr_offset that is misaligned
 * or outside the object, or when memory is exhausted.  With SLAB_PANIC
 * failure aborts instead.
 * Context: any thread; takes the global cache list lock.
 */
KMEM_API struct kmem_cache *__kmem_cache_create_args(const char *name, unsigned int object_size,
						     struct kmem_cache_args *args,
						     slab_flags_t flags);

/* The largest object a cache may hold: half of the largest slab. */
#define KMEM_CACHE_MAX_SIZE (1U << 21)

/*
 * The initialisers below are positional, the one form C11 and C++11 share;
 * they follow the member order of struct kmem_cache_args.
 */

/** __kmem_cache_create - the legacy form of kmem_cache_create(). */
static inline struct kmem_cache *__kmem_cache_create(const char *name, unsigned int size,
						     unsigned int align, slab_flags_t flags,
						     void (*ctor)(void *))
{
	struct kmem_cache_args args = {align, 0, 0, 0, false, ctor};

	return __kmem_cache_create_args(name, size, &args, flags);
}

/** __kmem_cache_default_args - kmem_cache_create() with NULL arguments. */
static inline struct kmem_cache *__kmem_cache_default_args(const char *name, unsigned int size,
							   struct kmem_cache_args *args,
							   slab_flags_t flags)
{
	struct kmem_cache_args defaults = {0, 0, 0, 0, false, NULL};

	/* Only NULL reaches here as a void *; anything else is a mistake. */
	if (args)
		return NULL;
	return __kmem_cache_create_args(name, size, &defaults, flags);
}

/**
 * kmem_cache_create - create a cache, in either of the kernel's two forms
 *
 * ``kmem_cache_create(name, size, args, flags)`` with a
 * struct kmem_cache_args pointer (or NULL for defaults), or the legacy
 * ``kmem_cache_create(name, size, align, flags, ctor)``.  In C the form is
 * chosen at compile time with _Generic, as in the kernel; in C++ by two
 * overloads.  See __kmem_cache_create_args() for the rules and failures.
 */
#ifndef __cplusplus
#define kmem_cache_create(__name, __object_size, __args, ...)                                      \
	_Generic((__args),                                                     \
		struct kmem_cache_args *: __kmem_cache_create_args,            \
		void *: __kmem_cache_default_args,                             \
		default: __kmem_cache_create)(__name, __object_size, __args, __VA_ARGS__)
#endif

/**
 * kmem_cache_create_usercopy - create a cache with a usercopy region
 * @name: cache name
 * @size: object size
 * @align: alignment
 * @flags: SLAB_* flags
 * @useroffset: start of the usercopy region; must lie inside the object
 * @usersize: its size
 * @ctor: constructor or NULL
 *
 * kmem does not copy to user space; the region is validated and recorded.
 * Return: as __kmem_cache_create_args().
 */
static inline struct kmem_cache *kmem_cache_create_usercopy(const char *name, unsigned int size,
							    unsigned int align, slab_flags_t flags,
							    unsigned int useroffset,
							    unsigned int usersize,
							    void (*ctor)(void *))
{
	struct kmem_cache_args args = {align, useroffset, usersize, 0, false, ctor};

	return __kmem_cache_create_args(name, size, &args, flags);
}

/**
 * KMEM_CACHE - create a cache for a struct, named after it and aligned to it
 * @__struct: the struct tag
 * @__flags: SLAB_* flags
 */
#define KMEM_CACHE(__struct, __flags)                                                              \
	__kmem_cache_create(#__struct, sizeof(struct __struct), __alignof__(struct __struct),      \
			    (__flags), NULL)

/**
 * kmem_cache_destroy - destroy a cache
 * @s: the cache; NULL is a no-op
 *
 * Every object must have been freed, and no thread may use the cache any
 * more.  Objects still allocated are reported on stderr the kernel's way
 * ("BUG: <cache>: Objects remaining on __kmem_cache_shutdown()", with their
 * addresses when a debug flag is set); their slabs are then left in place,
 * never freed, so the leaked objects stay usable.  A SLAB_TYPESAFE_BY_RCU
 * cache waits for pending RCU frees first.
 * Context: may block.
 */
KMEM_API void kmem_cache_destroy(struct kmem_cache *s);

/**
 * kmem_cache_free - free an object
 * @s: the cache it came from
 * @objp: the object; NULL is a no-op
 *
 * An address that is not an object of a slab, or an object of another
 * cache, is reported and refused (BUG report, abort by default).  With a
 * debug flag a double free is reported too.
 * Context: any thread, not only the one that allocated the object.
 */
KMEM_API void kmem_cache_free(struct kmem_cache *s, void *objp);

/**
 * kmem_cache_alloc - allocate an object
 * @s: the cache
 * @gfp: allocation flags; __GFP_ZERO zeroes the object (refused, with a
 *	warning and NULL, for caches with a constructor)
 *
 * Return: an object of kmem_cache_size(@s) bytes aligned as requested, or
 * NULL when no memory is left (see alloc_pages() for the role of the gfp
 * flags).  Never NULL with __GFP_NOFAIL.  The caller owns the object until
 * kmem_cache_free() (or kfree()).
 * Context: any thread; no lock when the thread's cache has an object.
 */
KMEM_API void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp) KMEM_MALLOC KMEM_KFREED
	KMEM_DEALLOC(kmem_cache_free, 2);

/** kmem_cache_zalloc - kmem_cache_alloc() with __GFP_ZERO. */
static inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp | __GFP_ZERO);
}

/**
 * kmem_cache_alloc_node - kmem_cache_alloc() with a preferred node
 * @s: the cache
 * @gfp: allocation flags
 * @node: the node, or NUMA_NO_NODE; kmem has one node (see kmem/numa.h), so
 *	any value gives what kmem_cache_alloc() gives
 */
static inline void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int node)
{
	(void)node;
	return kmem_cache_alloc(s, gfp);
}

struct list_lru;

/**
 * kmem_cache_alloc_lru - kmem_cache_alloc() for an object a list_lru will hold
 * @s: the cache
 * @lru: the list_lru; the kernel prepares its per-memcg lists, and without
 *	memory cgroups there is nothing to prepare
 * @gfp: allocation flags
 */
static inline void *kmem_cache_alloc_lru(struct kmem_cache *s, struct list_lru *lru, gfp_t gfp)
{
	(void)lru;
	return kmem_cache_alloc(s, gfp);
}

/**
 * kmem_cache_alloc_bulk - allocate @size objects at once
 * @s: the cache
 * @gfp: allocation flags
 * @size: how many
 * @p: array of at least @size pointers, filled in
 *
 * Return: @size, or 0 when not all could be allocated (then none are).
 */
KMEM_API int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t size, void **p);

/**
 * kmem_cache_free_bulk - free @size objects at once
 * @s: their cache, or NULL to find each object's cache from its page
 * @size: how many
 * @p: the objects (NULL entries are skipped)
 */
KMEM_API void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p);

/**
 * kmem_cache_shrink - release the memory a cache does not need
 * @s: the cache
 *
 * Returns the calling thread's cached objects of @s to their slabs and
 * every empty slab to the buddy allocator (after an RCU grace period for
 * SLAB_TYPESAFE_BY_RCU).  Other threads' cached objects stay with them until
 * their caches overflow or they exit.
 * Return: 0.
 */
KMEM_API int kmem_cache_shrink(struct kmem_cache *s);

/**
 * kmem_cache_size - usable bytes of each object of @s: the object size it
 * was created with (0 for NULL).
 */
KMEM_API unsigned int kmem_cache_size(struct kmem_cache *s);

/**
 * struct kmem_cache_stats - what a cache holds and has done
 * @name: the cache name
 * @object_size: usable bytes per object (kmem_cache_size())
 * @slot_size: bytes per slot including alignment and debug metadata
 * @objects_per_slab: slots in one slab
 * @order: slab order (2^order pages per slab)
 * @active_objs: objects allocated (including those in thread caches, which
 *	are not available to other threads)
 * @cached_objs: free objects held in threads' caches
 * @total_objs: slots in all slabs
 * @slabs: slabs of the cache
 * @partial_slabs: slabs with both free and allocated slots
 * @empty_slabs: slabs with no allocated slot, kept for reuse
 * @allocs: objects allocated so far
 * @frees: objects freed so far
 * @fastpath_allocs: allocations served by the thread's cache without a lock
 * @fastpath_frees: frees kept in the thread's cache without a lock
 * @remote_frees: frees of objects whose slab was last handed to another
 *	thread (they cost the same as local frees)
 * @refills: times a thread's cache was refilled from the slabs (one lock)
 * @flushes: times a thread's cache overflowed back into the slabs
 * @slabs_allocated: slabs taken from the buddy allocator so far
 * @slabs_freed: slabs given back so far
 * @bytes_used: bytes of slabs (pages) the cache holds
 * @bytes_requested: @active_objs times the requested object size
 *
 * Counters of threads still running are summed without stopping them, so
 * under concurrency they are approximate.
 */
struct kmem_cache_stats {
	const char *name;
	unsigned int object_size;
	unsigned int slot_size;
	unsigned int objects_per_slab;
	unsigned int order;
	unsigned long active_objs;
	unsigned long cached_objs;
	unsigned long total_objs;
	unsigned long slabs;
	unsigned long partial_slabs;
	unsigned long empty_slabs;
	unsigned long allocs;
	unsigned long frees;
	unsigned long fastpath_allocs;
	unsigned long fastpath_frees;
	unsigned long remote_frees;
	unsigned long refills;
	unsigned long flushes;
	unsigned long slabs_allocated;
	unsigned long slabs_freed;
	size_t bytes_used;
	size_t bytes_requested;
};

/**
 * kmem_cache_stats - take a snapshot of one cache's statistics
 * @s: the cache
 * @stats: filled in
 */
KMEM_API void kmem_cache_stats(struct kmem_cache *s, struct kmem_cache_stats *stats);

/**
 * kmem_slabinfo - print every cache in the /proc/slabinfo version 2.1 format
 * @out: where to print
 *
 * A header line "slabinfo - version: 2.1", a column line, then one line per
 * cache: name, active_objs, num_objs, objsize, objperslab, pagesperslab,
 * ": tunables" limit batchcount sharedfactor (the thread cache's limit and
 * batch, shared 0), ": slabdata" active_slabs num_slabs sharedavail (0).
 * Objects in thread caches count as active, as the kernel counts per-cpu
 * objects.
 */
KMEM_API void kmem_slabinfo(FILE *out);

/**
 * slab_is_available - can slab caches and kmalloc() be used yet?
 *
 * The kernel answers false early in boot.  kmem sets itself up on first
 * use, from any thread, so the answer is always true.
 */
KMEM_API bool slab_is_available(void);

KMEM_END_DECLS

#ifdef __cplusplus
/*
 * The two forms of kmem_cache_create(); C chooses with _Generic.  C++
 * linkage: overloads cannot share a C name.
 */
static inline struct kmem_cache *kmem_cache_create(const char *name, unsigned int object_size,
						   struct kmem_cache_args *args, slab_flags_t flags)
{
	return args ? __kmem_cache_create_args(name, object_size, args, flags) :
		      __kmem_cache_default_args(name, object_size, NULL, flags);
}

static inline struct kmem_cache *kmem_cache_create(const char *name, unsigned int object_size,
						   unsigned int align, slab_flags_t flags,
						   void (*ctor)(void *))
{
	return __kmem_cache_create(name, object_size, align, flags, ctor);
}
#endif

#endif /* KMEM_SLAB_H */
