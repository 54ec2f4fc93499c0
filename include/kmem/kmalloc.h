/* SPDX-License-Identifier: MIT */
/*
 * kmem/kmalloc.h - the kmalloc family: general-purpose allocation with the
 * Linux kernel's semantics.
 *
 * Routing by size, as in the kernel (see Documentation/kmalloc.rst):
 *
 *   0 bytes                  ZERO_SIZE_PTR, a unique non-NULL pointer that
 *                            faults when dereferenced; kfree() ignores it.
 *   1 .. KMALLOC_MAX_CACHE_SIZE   the kmalloc-N slab caches (kmalloc-8 ..
 *                            kmalloc-8k, shown by kmem_slabinfo()); the
 *                            request is rounded up to its class.
 *   .. KMALLOC_MAX_SIZE      powers of two: a compound block of pages (a
 *                            "large" kmalloc); other sizes up to 1 MiB: a
 *                            chunk of the kmalloc heap (boundary tags, the
 *                            fit policy of kmem_kmalloc_set_fit()); above,
 *                            pages.
 *   beyond                   NULL, with a warning unless __GFP_NOWARN;
 *                            kvmalloc() and vmalloc() serve such sizes.
 *
 * Alignment, the kernel's guarantee: kmalloc() of a power-of-two size is
 * aligned to that size (kmalloc(PAGE_SIZE) is page aligned, kmalloc(4 MiB)
 * is aligned to 4 MiB); every pointer is aligned to ARCH_KMALLOC_MINALIGN.
 *
 * kfree() accepts anything from kmalloc(), kmem_cache_alloc() and the
 * large path; it finds the owner from the address in O(1).  Freeing an
 * address kmem did not hand out, an interior pointer or a chunk that is
 * already free is reported as "BUG: kmalloc: ..." and aborts (see
 * kmem/debug.h to count reports instead).
 *
 * Threads: every function here may be called from any thread.  Small sizes
 * take the slab layer's per-thread fast path; what a thread caches goes
 * back when it exits, and to any thread that runs short of memory.
 */
#ifndef KMEM_KMALLOC_H
#define KMEM_KMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kmem/export.h>
#include <kmem/gfp.h>
#include <kmem/numa.h>
#include <kmem/page_size.h>

KMEM_BEGIN_DECLS

/*
 * liburcu's type (the kernel's, with the kernel's headers); kfree_rcu() needs
 * it complete only where it is used, on an object that embeds one.
 */
struct rcu_head;

/* The largest kmalloc(): one max-order block of pages, 4 MiB. */
#define KMALLOC_SHIFT_MAX (KMEM_MAX_PAGE_ORDER + KMEM_PAGE_SHIFT)
#define KMALLOC_MAX_SIZE (1UL << KMALLOC_SHIFT_MAX)
/* The largest size served by a kmalloc-N slab cache (kmalloc-8k). */
#define KMALLOC_MAX_CACHE_SIZE (8UL * 1024)
/* Every kmalloc() pointer is aligned to this (the kernel's value on x86-64). */
#define ARCH_KMALLOC_MINALIGN 8
/* The smallest kmalloc class (kmalloc-8). */
#define KMALLOC_MIN_SIZE 8

/*
 * ZERO_SIZE_PTR is returned for zero-byte requests.  Dereferencing it
 * faults; kfree() and ksize() accept it.  ZERO_OR_NULL_PTR() tests for it
 * or NULL.
 */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

/*
 * What releases memory of the kmalloc family, declared here for
 * KMEM_KFREED and KMEM_KVFREED and documented below with the rest.
 * krealloc(), kvrealloc() and vrealloc() accept such memory too but are not
 * named: gcc would then take code that picks one of them by the pointer's
 * kind, as kvrealloc() does, for a mismatch.
 */
KMEM_API void kfree(const void *objp);
KMEM_API void kfree_sensitive(const void *objp);
KMEM_API void kvfree(const void *addr);
KMEM_API void kvfree_sensitive(const void *addr, size_t len);
KMEM_API void __kvfree_rcu(struct rcu_head *head, void *ptr);
KMEM_API void kfree_rcu_mightsleep(const void *ptr);

/* Memory that kvfree() releases: from kvmalloc() or vmalloc(). */
#define KMEM_KVFREED                                                                               \
	KMEM_DEALLOC(kvfree, 1)                                                                    \
	KMEM_DEALLOC(kvfree_sensitive, 1)                                                          \
	KMEM_DEALLOC(__kvfree_rcu, 2) KMEM_DEALLOC(kfree_rcu_mightsleep, 1)
/* Memory that kfree() releases as well: from kmalloc() or a slab cache. */
#define KMEM_KFREED KMEM_KVFREED KMEM_DEALLOC(kfree, 1) KMEM_DEALLOC(kfree_sensitive, 1)

/**
 * kmalloc - allocate @size bytes
 * @size: bytes wanted
 * @flags: GFP flags; __GFP_ZERO zeroes the memory, __GFP_NOWARN silences the
 *         failure warning, __GFP_NOFAIL waits rather than fail (below
 *         KMALLOC_MAX_SIZE), without __GFP_DIRECT_RECLAIM no memory is mapped
 *         past a memory limit
 *
 * Return: memory aligned to ARCH_KMALLOC_MINALIGN, and to @size when @size
 * is a power of two, that the caller owns until kfree(); ZERO_SIZE_PTR for
 * @size 0; NULL when memory is exhausted or @size exceeds KMALLOC_MAX_SIZE
 * (with a warning unless __GFP_NOWARN).
 * Context: any thread.  The common small case takes no lock.  A constant
 * @size of at most KMALLOC_MAX_CACHE_SIZE picks its kmalloc cache at compile
 * time (as the kernel's kmalloc_index() does), with GCC and Clang.
 */
#if defined(__GNUC__) && !defined(KMEM_BUILDING_KMALLOC)
/*
 * Inlined below: GCC refuses inline functions a deallocator attribute, so
 * the functions it inlines to (__kmalloc, kmem_kmalloc_class) carry it.
 */
KMEM_API void *kmalloc(size_t size, gfp_t flags) KMEM_MALLOC KMEM_ALLOC_SIZE(1) KMEM_MUST_CHECK;
#else
KMEM_API void *kmalloc(size_t size, gfp_t flags) KMEM_MALLOC KMEM_KFREED
	KMEM_ALLOC_SIZE(1) KMEM_MUST_CHECK;
#endif

/** __kmalloc - kmalloc() as an out-of-line call, whatever @size is. */
KMEM_API void *__kmalloc(size_t size, gfp_t flags) KMEM_MALLOC KMEM_KFREED
	KMEM_ALLOC_SIZE(1) KMEM_MUST_CHECK;

/**
 * kmem_kmalloc_index - the kmalloc class of a request of @size bytes
 * @size: 1..KMALLOC_MAX_CACHE_SIZE
 *
 * Classes, by index: 8, 16, 32, 48, 64, 80, 96, 112, 128 bytes, then four
 * per power of two up to 8 KiB (160, 192, 224, 256, 320, ... 7168, 8192).
 * Folds to a constant for a constant @size.
 */
#ifdef __GNUC__
KMEM_API unsigned int kmem_kmalloc_index(size_t size);
extern __inline__ __attribute__((gnu_inline, always_inline))
#else
static inline
#endif
unsigned int
kmem_kmalloc_index(size_t size)
{
	unsigned int k;

	if (size <= 8)
		return 0;
	if (size <= 16)
		return 1;
	if (size <= 128)
		return (unsigned int)((size + 15) >> 4);
	/* 2^k < size <= 2^(k+1): four classes of 2^(k-2) bytes each. */
	k = 63 - (unsigned int)__builtin_clzl((unsigned long)size - 1);
	return 8 + 4 * (k - 7) + (unsigned int)((size - 1 - (1UL << k)) >> (k - 2)) + 1;
}

/**
 * kmem_kmalloc_class - allocate an object of kmalloc class @index
 * @index: kmem_kmalloc_index() of the request
 * @flags: GFP flags, as for kmalloc()
 *
 * What kmalloc() of a constant size compiles to.
 * Return: as kmalloc().
 */
KMEM_API void *kmem_kmalloc_class(unsigned int index,
				  gfp_t flags) KMEM_MALLOC KMEM_KFREED KMEM_MUST_CHECK;

#if defined(__GNUC__) && !defined(KMEM_BUILDING_KMALLOC)
/* For inlining only: the symbol kmalloc is the library's (gnu_inline). */
extern __inline__ __attribute__((gnu_inline, always_inline)) void *kmalloc(size_t size, gfp_t flags)
{
	if (__builtin_constant_p(size) && size - 1 < KMALLOC_MAX_CACHE_SIZE)
		return kmem_kmalloc_class(kmem_kmalloc_index(size), flags);
	return __kmalloc(size, flags);
}
#endif

/**
 * kfree - free memory from the kmalloc family or kmem_cache_alloc()
 * @objp: the pointer; NULL and ZERO_SIZE_PTR are ignored
 *
 * A pointer kmem did not hand out, an interior pointer, or a double free is
 * reported ("BUG: kmalloc: ...") and, by default, aborts.
 * Context: any thread, also one other than the allocating thread.
 */
KMEM_API void kfree(const void *objp);

/**
 * ksize - the usable size of an allocation
 * @objp: a pointer from the kmalloc family or kmem_cache_alloc()
 *
 * Return: bytes the caller may use, at least the size requested; 0 for NULL
 * and ZERO_SIZE_PTR.  Prefer kmalloc_size_roundup() before allocating.
 */
KMEM_API size_t ksize(const void *objp);

/**
 * kmalloc_size_roundup - the size kmalloc() would really give for @size
 * @size: a request size
 *
 * Return: the usable size of a kmalloc(@size) (0 for 0); @size itself when
 * it is larger than KMALLOC_MAX_SIZE (which kmalloc() refuses).
 */
KMEM_API size_t kmalloc_size_roundup(size_t size);

/**
 * krealloc - resize an allocation, keeping its contents
 * @p: the allocation, or NULL/ZERO_SIZE_PTR to allocate anew
 * @new_size: the new size; 0 frees @p and returns ZERO_SIZE_PTR
 * @flags: GFP flags for any new allocation; with __GFP_ZERO the bytes past
 *         the old size are zeroed (pass it for every call on one object)
 *
 * Grows or shrinks in place when the usable size or the following free
 * chunk allows; otherwise allocates, copies and frees @p.  A @p that is not
 * the start of a live kmalloc block (another allocator's, a user kheap's
 * chunk, an interior pointer, an object this thread freed) is reported as
 * kfree() reports it and refused.
 *
 * Return: the (possibly moved) allocation, or NULL on failure or refusal, in
 * which case @p is untouched.
 */
KMEM_API void *krealloc(const void *p, size_t new_size, gfp_t flags) KMEM_KFREED
	KMEM_ALLOC_SIZE(2) KMEM_MUST_CHECK;

/**
 * kfree_sensitive - zero an allocation's whole usable size, then free it
 * @objp: the allocation; NULL and ZERO_SIZE_PTR are ignored
 */
KMEM_API void kfree_sensitive(const void *objp);

/**
 * kfree_bulk - free @size pointers from the kmalloc family
 * @size: number of pointers
 * @p: the pointers; NULL and ZERO_SIZE_PTR entries are skipped
 */
KMEM_API void kfree_bulk(size_t size, void **p);

/**
 * kmemdup - duplicate @len bytes of @src into a new kmalloc() allocation
 * @src: the bytes
 * @len: how many
 * @gfp: GFP flags
 *
 * Return: the copy, or NULL on failure (ZERO_SIZE_PTR for @len 0).
 */
KMEM_API void *kmemdup(const void *src, size_t len, gfp_t gfp) KMEM_KFREED
	KMEM_ALLOC_SIZE(2) KMEM_MUST_CHECK;

/**
 * kmemdup_nul - duplicate @len bytes of @s and append a NUL
 * @s: the bytes (need not be NUL-terminated)
 * @len: how many
 * @gfp: GFP flags
 *
 * Return: a NUL-terminated copy, or NULL when @s is NULL or on failure.
 */
KMEM_API char *kmemdup_nul(const char *s, size_t len,
			   gfp_t gfp) KMEM_MALLOC KMEM_KFREED KMEM_MUST_CHECK;

/**
 * kstrdup - duplicate a string
 * @s: the string; NULL gives NULL
 * @gfp: GFP flags
 *
 * Return: the copy, or NULL on failure.  Free with kfree().
 */
KMEM_API char *kstrdup(const char *s, gfp_t gfp) KMEM_MALLOC KMEM_KFREED KMEM_MUST_CHECK;

/**
 * kstrndup - duplicate at most @max bytes of a string, NUL-terminated
 * @s: the string; NULL gives NULL
 * @max: the most bytes to copy
 * @gfp: GFP flags
 *
 * Return: the copy, or NULL on failure.
 */
KMEM_API char *kstrndup(const char *s, size_t max,
			gfp_t gfp) KMEM_MALLOC KMEM_KFREED KMEM_MUST_CHECK;

/** kzalloc - kmalloc() of zeroed memory. */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1) void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

/**
 * kmalloc_node - kmalloc() with a preferred node
 * @size: bytes wanted
 * @flags: GFP flags
 * @node: the node, or NUMA_NO_NODE; kmem has one node (see kmem/numa.h), so
 *	any value gives what kmalloc() gives
 */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1) void *kmalloc_node(size_t size, gfp_t flags,
								    int node)
{
	(void)node;
	return kmalloc(size, flags);
}

/** kzalloc_node - kmalloc_node() of zeroed memory. */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1) void *kzalloc_node(size_t size, gfp_t flags,
								    int node)
{
	return kmalloc_node(size, flags | __GFP_ZERO, node);
}

/**
 * kmalloc_array - allocate an array of @n elements of @size bytes
 * @n: element count
 * @size: element size
 * @flags: GFP flags
 *
 * Return: the array, or NULL when @n * @size overflows or memory is short.
 */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1, 2) void *kmalloc_array(size_t n, size_t size,
									gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, flags);
}

/** kcalloc - kmalloc_array() of zeroed memory. */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1, 2) void *kcalloc(size_t n, size_t size,
								  gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

/**
 * kmalloc_array_node - kmalloc_array() with a preferred node
 * @n: element count
 * @size: element size
 * @flags: GFP flags
 * @node: the node, or NUMA_NO_NODE; any value gives what kmalloc_array()
 *	gives (see kmem/numa.h)
 */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1, 2) void *kmalloc_array_node(size_t n, size_t size,
									     gfp_t flags, int node)
{
	(void)node;
	return kmalloc_array(n, size, flags);
}

/** kcalloc_node - kmalloc_array_node() of zeroed memory. */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1, 2) void *kcalloc_node(size_t n, size_t size,
								       gfp_t flags, int node)
{
	return kmalloc_array_node(n, size, flags | __GFP_ZERO, node);
}

/**
 * krealloc_array - krealloc() to @new_n elements of @new_size bytes
 * @p: the array (or NULL)
 * @new_n: new element count
 * @new_size: element size
 * @flags: GFP flags
 *
 * Return: the array, or NULL when the product overflows or memory is short
 * (@p is then untouched).
 */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(2, 3) void *krealloc_array(void *p, size_t new_n,
									 size_t new_size,
									 gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(new_n, new_size, &bytes))
		return NULL;
	return krealloc(p, bytes, flags);
}

/* ---- kvmalloc: kmalloc, falling back to vmalloc ----------------------- */

/**
 * kvmalloc - allocate @size bytes, physically contiguous if cheap
 * @size: bytes wanted
 * @flags: GFP flags
 *
 * As in the kernel: kmalloc() is tried first (for more than a page without
 * warnings, retries or __GFP_NOFAIL); when it fails and @flags allow
 * blocking, vmalloc() serves the request, which also covers sizes beyond
 * KMALLOC_MAX_SIZE (up to INT_MAX).  Non-blocking requests never use vmalloc.
 *
 * Return: the memory (free with kvfree()), ZERO_SIZE_PTR for 0, or NULL.
 */
KMEM_API void *kvmalloc(size_t size, gfp_t flags) KMEM_MALLOC KMEM_KVFREED
	KMEM_ALLOC_SIZE(1) KMEM_MUST_CHECK;

/** kvzalloc - kvmalloc() of zeroed memory. */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1) void *kvzalloc(size_t size, gfp_t flags)
{
	return kvmalloc(size, flags | __GFP_ZERO);
}

/**
 * kvmalloc_node - kvmalloc() with a preferred node
 * @size: bytes wanted
 * @flags: GFP flags
 * @node: the node, or NUMA_NO_NODE; any value gives what kvmalloc() gives
 *	(see kmem/numa.h)
 */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1) void *kvmalloc_node(size_t size, gfp_t flags,
								     int node)
{
	(void)node;
	return kvmalloc(size, flags);
}

/** kvzalloc_node - kvmalloc_node() of zeroed memory. */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1) void *kvzalloc_node(size_t size, gfp_t flags,
								     int node)
{
	return kvmalloc_node(size, flags | __GFP_ZERO, node);
}

/** kvmalloc_array - kvmalloc() of @n * @size bytes; NULL on overflow. */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1, 2) void *kvmalloc_array(size_t n, size_t size,
									 gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kvmalloc(bytes, flags);
}

/** kvcalloc - kvmalloc_array() of zeroed memory. */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1, 2) void *kvcalloc(size_t n, size_t size,
								   gfp_t flags)
{
	return kvmalloc_array(n, size, flags | __GFP_ZERO);
}

/**
 * kvrealloc - resize memory from kvmalloc(), keeping its contents
 * @p: the allocation, or NULL to allocate anew
 * @size: the new size; 0 frees @p and returns ZERO_SIZE_PTR
 * @flags: GFP flags (__GFP_ZERO: see krealloc())
 *
 * A @p that krealloc() would refuse is refused here too.
 *
 * Return: the (possibly moved) allocation, or NULL with @p untouched.
 */
KMEM_API void *kvrealloc(const void *p, size_t size, gfp_t flags) KMEM_KVFREED
	KMEM_ALLOC_SIZE(2) KMEM_MUST_CHECK;

/**
 * kvfree - free memory from kvmalloc(), kmalloc() or vmalloc()
 * @addr: the pointer; NULL and ZERO_SIZE_PTR are ignored
 */
KMEM_API void kvfree(const void *addr);

/**
 * kvfree_sensitive - zero @len bytes of @addr, then kvfree() it
 * @addr: the allocation; NULL and ZERO_SIZE_PTR are ignored
 * @len: bytes to clear
 */
KMEM_API void kvfree_sensitive(const void *addr, size_t len);

/* ---- freeing after an RCU grace period --------------------------------- */

/*
 * kfree_rcu(ptr, rhf) frees @ptr with kvfree() once every RCU read-side
 * critical section that may still see it has ended.  @rhf names a
 * struct rcu_head member of *ptr (liburcu's type) that kmem may use
 * until the object is freed.
 *
 * RCU here is liburcu's default "memb" flavour (urcu_memb_*, what
 * <urcu.h> maps rcu_read_lock() to).  kmem's headers include no liburcu
 * header: the program includes <urcu.h> (or <urcu/urcu-memb.h>), before or
 * after them, for struct rcu_head and the read side.  Rules:
 *  - readers call urcu_memb_register_thread() before their first
 *    urcu_memb_read_lock() and urcu_memb_unregister_thread() before exit;
 *  - a thread calling kfree_rcu()/kvfree_rcu() must be registered too
 *    (liburcu requires it of call_rcu(), which kmem uses), and must not
 *    call kvfree_rcu_barrier() or kfree_rcu_mightsleep() inside a read-side
 *    critical section (that would wait for itself);
 *  - readers of other flavours (qsbr, bp, mb, signal) are not waited for.
 * Frees are batched: one call_rcu() covers every object queued while the
 * previous batch waited for its grace period.
 */
#define kfree_rcu(ptr, rhf) __kvfree_rcu(&((ptr)->rhf), (ptr))
#define kvfree_rcu(ptr, rhf) __kvfree_rcu(&((ptr)->rhf), (ptr))

/**
 * __kvfree_rcu - queue @ptr to be kvfree()d after a grace period
 * @head: an rcu_head inside *@ptr, used for the queue until the free
 * @ptr: the allocation (NULL is ignored)
 *
 * Use kfree_rcu() / kvfree_rcu() rather than calling this directly.
 */
KMEM_API void __kvfree_rcu(struct rcu_head *head, void *ptr);

/**
 * kfree_rcu_mightsleep - wait for a grace period, then kvfree() @ptr
 * @ptr: the allocation (NULL is ignored)
 *
 * For objects without an rcu_head.  Blocks; never call it inside an RCU
 * read-side critical section.
 */
KMEM_API void kfree_rcu_mightsleep(const void *ptr);

/**
 * kvfree_rcu_barrier - wait until every object queued with kfree_rcu() or
 * kvfree_rcu() before this call has been freed
 *
 * Blocks; must not be called from an RCU read-side critical section or from
 * an RCU callback.
 */
KMEM_API void kvfree_rcu_barrier(void);

/* ---- kmem-specific ------------------------------------------------------ */

/**
 * kmem_kmalloc_drain - give cached free memory back to the page allocator
 *
 * Freed kmalloc-N objects (and objects of every other slab cache) wait for
 * reuse in per-thread caches and in each cache's shared pool.  This flushes
 * every thread's caches, empties the pools and releases empty slabs.  The
 * page allocator does the same by itself when it runs short of memory.
 * Context: any thread; blocks while other threads finish a slow path.
 */
KMEM_API void kmem_kmalloc_drain(void);

/**
 * kmem_kmalloc_set_fit - choose the kmalloc heap's fit policy
 * @fit: an enum kheap_fit value (see kmem/heap.h)
 *
 * The kmalloc heap serves the sizes above KMALLOC_MAX_CACHE_SIZE that are
 * not powers of two, up to 1 MiB (see Documentation/kmalloc.rst); smaller
 * sizes come from slab caches and powers of two from whole pages, which no
 * policy affects.  Effective until the heap's first allocation; the
 * environment variable KMEM_HEAP_FIT=first|next|best|worst|good does the
 * same at that point and this call overrides it.
 *
 * Return: 0, or -1 when the kmalloc heap is already in use with another
 * policy or @fit is not a policy.
 */
KMEM_API int kmem_kmalloc_set_fit(int fit);

/**
 * struct kmem_kmalloc_stats - what the kmalloc layer holds
 * @arenas: number of kmalloc heap arenas created so far
 * @fit: the arenas' fit policy (enum kheap_fit)
 * @slab_bytes: object bytes of live allocations in the kmalloc-N caches
 * @cached_bytes: object bytes of free kmalloc-N objects waiting for reuse in
 *	thread caches and the caches' shared pools
 * @slab_footprint: bytes of slabs the kmalloc-N caches hold
 * @heap_bytes: chunk bytes of live allocations in the kmalloc heap
 * @heap_footprint: bytes of segments the kmalloc heap holds
 * @large_bytes: bytes in live large (page) allocations
 * @large_count: number of live large allocations
 */
struct kmem_kmalloc_stats {
	unsigned int arenas;
	int fit;
	size_t slab_bytes;
	size_t cached_bytes;
	size_t slab_footprint;
	size_t heap_bytes;
	size_t heap_footprint;
	size_t large_bytes;
	unsigned long large_count;
};

/**
 * kmem_kmalloc_stats - take a snapshot of the kmalloc layer
 * @stats: filled in; approximate while other threads allocate
 */
KMEM_API void kmem_kmalloc_stats(struct kmem_kmalloc_stats *stats);

KMEM_END_DECLS

#endif /* KMEM_KMALLOC_H */
