/* SPDX-License-Identifier: MIT */
/*
 * mm/internal.h - declarations private to mm/.
 *
 * The heap (mm/heap.c, mm/heap_fit.c): chunk layout, segments, the control
 * block and the fit-policy ops table; and the narrow interface the kmalloc
 * layer uses on top of it (heap_of(), heap_usable_size(),
 * heap_resize_in_place(), heap_check_all(), HEAP_MAX_REQUEST).
 */
#ifndef KMEM_MM_INTERNAL_H
#define KMEM_MM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <kmem/heap.h>
#include <kmem/mm.h>
#include <kmem/stats.h>

#include "lib/core.h"

/* ==== the heap's interface to the kmalloc layer ======================= */

/*
 * heap_free_batch - kfree() of the @n chunks at @p, all of @h, under one
 * acquisition of its lock; bad pointers are reported one by one, as by
 * kheap_free() but naming kfree.  @h is a heap on kmem's pages.
 */
__hidden void heap_free_batch(struct kheap *h, void *const *p, unsigned int n);

/*
 * The largest request kheap_alloc() serves on a heap over kmem's pages;
 * kmalloc routes bigger requests to compound pages.
 */
#define HEAP_MAX_REQUEST KHEAP_MAX_ALLOC

/*
 * heap_of - the heap owning @p, a payload in a heap segment on kmem's pages.
 * O(1): __virt_to_page() and the segment's head page.  NULL when @p is not
 * inside a heap segment (then it is not a heap chunk).  Does not validate
 * that @p is the start of a live chunk: kheap_free() does that.
 */
__hidden struct kheap *heap_of(const void *p);

/*
 * page_owner_heap - the heap whose segment holds the page @page, or NULL
 * when the page is not in a heap segment.  One lock-free load from @page
 * itself, for the kfree() fast path; a free races with nothing as long as
 * the chunk it frees is live (its segment cannot go away).
 */
static inline struct kheap *page_owner_heap(const struct page *page)
{
	return (struct kheap *)__atomic_load_n(&page->heap.owner, __ATOMIC_RELAXED);
}

/*
 * heap_usable_size - payload bytes of the allocated chunk at @p (>= the
 * size requested).  0 if @p's boundary tag is not that of an allocated
 * chunk; the caller reports it, naming its own call.  Lock-free: the header
 * of a live chunk is only written by its owner.
 */
__hidden size_t heap_usable_size(const void *p);

/*
 * heap_resize_in_place - make the allocated chunk at @p hold @new_size
 * bytes without moving it: shrink (the tail becomes a free chunk, merged
 * with a free right neighbour) or grow into a free right neighbour.  Takes
 * @h's lock.  Returns false (nothing changed) when growing is impossible or
 * @new_size is 0 or above HEAP_MAX_REQUEST; bad pointers are reported as by
 * kheap_free() and give false.
 */
__hidden bool heap_resize_in_place(struct kheap *h, void *p, size_t new_size);

/*
 * heap_check_all - every heap's invariants (see mm/heap.c); part of
 * kmem_check().  Returns 0, or -1 after reporting the first problem.
 */
__hidden int heap_check_all(void);

/* ==== chunk layout ===================================================== */

/*
 * A chunk is [header (8 bytes)][payload ...].  The header holds the chunk
 * size (a multiple of 16, header included) in bits 4..39, CHUNK_IN_USE and
 * CHUNK_PREV_IN_USE in bits 0..1, and in bits 40..63 a tag hashed from the
 * chunk's address and the low 40 bits, so a pointer that is not a chunk or
 * a header that was overwritten is recognised.  Payloads are 16-byte
 * aligned, so headers sit at addresses that are 8 mod 16.
 *
 * A free chunk keeps its index node (struct fit_node or the TLSF links) at
 * the start of its payload and a footer (its size) in its last 8 bytes,
 * which lets the chunk after it find it.  An allocated chunk has no footer:
 * its successor's CHUNK_PREV_IN_USE says it is in use.
 */
#define CHUNK_ALIGN 16
#define CHUNK_HEADER 8
#define CHUNK_IN_USE 0x1UL
#define CHUNK_PREV_IN_USE 0x2UL
#define CHUNK_FLAGS 0xfUL
#define CHUNK_SIZE_BITS 40
#define CHUNK_LOW_MASK ((1UL << CHUNK_SIZE_BITS) - 1)
#define CHUNK_SIZE_MASK (CHUNK_LOW_MASK & ~CHUNK_FLAGS)
/* Written over the header of a chunk swallowed by a merge (size 0). */
#define CHUNK_MERGED 0x8UL

struct chunk {
	uint64_t head;
};

/* The index node every policy can keep in a free chunk's payload. */
struct fit_node {
	struct fit_node *left, *right, *parent;
	size_t subtree_max; /* address trees: largest chunk size below */
};

struct tlsf_link {
	struct chunk *next, *prev;
};

/* Header, index node, footer: the smallest chunk there is. */
#define CHUNK_MIN 48

_Static_assert(CHUNK_HEADER + sizeof(struct fit_node) + 8 <= CHUNK_MIN, "node fits a chunk");

static inline uint64_t chunk_tag(const struct chunk *c, uint64_t low)
{
	uint64_t x = ((uintptr_t)c ^ (low << 7) ^ 0x6b6b6b6b5a5a5a5aULL) * 0x9e3779b97f4a7c15ULL;

	return x >> CHUNK_SIZE_BITS << CHUNK_SIZE_BITS;
}

static inline void chunk_set_head(struct chunk *c, size_t size, unsigned long flags)
{
	uint64_t low = size | flags;

	/* Atomic so heap_usable_size() may read a live chunk's header unlocked. */
	__atomic_store_n(&c->head, low | chunk_tag(c, low), __ATOMIC_RELAXED);
}

static inline bool chunk_tag_ok(const struct chunk *c)
{
	return (c->head & ~CHUNK_LOW_MASK) == chunk_tag(c, c->head & CHUNK_LOW_MASK);
}

static inline size_t chunk_size(const struct chunk *c)
{
	return c->head & CHUNK_SIZE_MASK;
}

static inline bool chunk_in_use(const struct chunk *c)
{
	return c->head & CHUNK_IN_USE;
}

static inline bool chunk_prev_in_use(const struct chunk *c)
{
	return c->head & CHUNK_PREV_IN_USE;
}

static inline void *chunk_payload(struct chunk *c)
{
	return (char *)c + CHUNK_HEADER;
}

static inline struct chunk *payload_chunk(const void *p)
{
	return (struct chunk *)((char *)p - CHUNK_HEADER);
}

static inline struct chunk *chunk_next(const struct chunk *c)
{
	return (struct chunk *)((char *)c + chunk_size(c));
}

static inline uint64_t *chunk_footer(const struct chunk *c)
{
	return (uint64_t *)((char *)c + chunk_size(c) - 8);
}

static inline struct fit_node *chunk_node(struct chunk *c)
{
	return chunk_payload(c);
}

static inline struct chunk *node_chunk(const struct fit_node *n)
{
	return payload_chunk(n);
}

static inline struct tlsf_link *chunk_link(struct chunk *c)
{
	return chunk_payload(c);
}

/* ==== segments and the control block =================================== */

/*
 * A segment is one contiguous stretch of chunks: a buddy block (its struct
 * heap_segment at the start) or the caller's buffer.  Its chunks run from
 * @first to @sentinel, an in-use header of size 0 that stops merging at the
 * end; the first chunk always has CHUNK_PREV_IN_USE.
 */
struct heap_segment {
	struct kheap *heap;
	struct list_head link; /* heap->segments, address order */
	char *base;	       /* start of the block or buffer */
	size_t bytes;	       /* bytes of the block or buffer */
	struct chunk *first;
	struct chunk *sentinel;
	unsigned long nr_used; /* allocated chunks */
	struct page *page;     /* head page; NULL in caller memory */
	unsigned int order;
};

/* TLSF: 16 classes per power of two above 256 bytes, 16-byte steps below. */
#define TLSF_SL_SHIFT 4
#define TLSF_SL_COUNT (1U << TLSF_SL_SHIFT)
#define TLSF_FL_SHIFT (TLSF_SL_SHIFT + 4)
#define TLSF_FL_COUNT (CHUNK_SIZE_BITS - TLSF_FL_SHIFT + 1)

struct tlsf_index {
	uint64_t fl_bitmap;
	uint32_t sl_bitmap[TLSF_FL_COUNT];
};

struct fit_ops;

struct kheap {
	pthread_mutex_t lock;
	char name[32];
	enum kheap_fit fit;
	const struct fit_ops *ops;
	bool in_caller_memory;
	struct list_head segments; /* address order */
	struct list_head link;	   /* the registry of heaps */
	unsigned long nr_segments;
	unsigned long nr_empty; /* segments with no allocated chunk */
	size_t used_bytes;	/* chunk bytes of allocated chunks */
	size_t free_bytes;	/* chunk bytes of free chunks */
	size_t nr_used, nr_free;
	size_t footprint, peak_footprint;
	size_t control_bytes;	  /* the control block's own allocation */
	uintptr_t next_fit_rover; /* where the last next-fit placement went */
	union {
		struct fit_node *tree_root; /* first, next, worst: by address;
					       best: by (size, address) */
		struct tlsf_index tlsf;	    /* good */
	} index;
	struct heap_segment caller_segment; /* kheap_create_in() */
	/* TLSF list heads, sized for the largest chunk this heap can have. */
	unsigned int tlsf_fl_count;
	struct chunk *tlsf_heads[][TLSF_SL_COUNT];
};

/*
 * A fit policy: its free-chunk index and its placement rule.  Called with
 * the heap lock held.  find() returns a free chunk of at least @size bytes
 * chosen by the policy's rule, still indexed, or NULL; insert() and
 * remove() keep the index in step with the free chunks (remove() before a
 * chunk's header changes, insert() after); contains() answers for the
 * checker whether @c is linked in the index; check() verifies the index's
 * own invariants and returns the number of chunks in it, or -1 after a
 * report; largest() is the size of the largest free chunk (0 if none).
 */
struct fit_ops {
	const char *name;
	void (*reset)(struct kheap *h);
	void (*insert)(struct kheap *h, struct chunk *c);
	void (*remove)(struct kheap *h, struct chunk *c);
	struct chunk *(*find)(struct kheap *h, size_t size);
	size_t (*largest)(struct kheap *h);
	bool (*contains)(struct kheap *h, struct chunk *c);
	long (*check)(struct kheap *h);
};

__hidden const struct fit_ops *fit_policy(enum kheap_fit fit);
/* TLSF first levels needed for chunks of up to @max_chunk bytes. */
__hidden unsigned int fit_tlsf_first_levels(size_t max_chunk);

/* ==== the kmalloc layer (mm/kmalloc.c, mm/vmalloc.c) ==================== */

/*
 * kmalloc_aligned - kmalloc() with an alignment, for the malloc shim's
 * memalign family: heap chunks up to a page of alignment, naturally aligned
 * compound pages beyond; free with kfree().  NULL when @align is not a
 * power of two or the request cannot be met (at most KMALLOC_MAX_SIZE).
 */
__hidden void *kmalloc_aligned(size_t size, size_t align, gfp_t gfp);

/*
 * kmalloc_block_size - the usable size of @p for a resize by @fn
 * (krealloc, kvrealloc, realloc): @p must be the start of a kmalloc block
 * that is not free.  0 after a report naming @fn otherwise, so that the
 * caller refuses the call.  *@arena is set to the kmalloc arena of a heap
 * chunk, NULL for other blocks.
 */
__hidden size_t kmalloc_block_size(const void *p, const char *fn, struct kheap **arena);

/*
 * kmalloc_resize - krealloc() of the block @p of @old usable bytes in
 * @arena, both from kmalloc_block_size(): in place when it can, else a new
 * block, the contents copied and @p freed.  NULL (@p untouched) when no
 * memory is left.
 */
__hidden void *kmalloc_resize(const void *p, size_t old, struct kheap *arena, size_t new_size,
			      gfp_t flags);

/* kmalloc_check - the kmalloc layer's invariants (K1); part of kmem_check(). */
__hidden int kmalloc_check(void);
/* vmalloc_check - the vmalloc area list's invariants; part of kmem_check(). */
__hidden int vmalloc_check(void);
/* kmalloc_meminfo - the kmalloc and vmalloc lines of kmem_meminfo(). */
__hidden void kmalloc_meminfo(FILE *out);
/* vmalloc_stats - bytes and number of live vmalloc areas. */
__hidden void vmalloc_stats(size_t *bytes, unsigned long *count);

/* ==== statistics (mm/stats.c) ========================================== */

/* KMEM_STATS_FORMAT=text|json (default text), warning about other values. */
__hidden enum kmem_stats_format kmem_stats_env_format(void);

#endif /* KMEM_MM_INTERNAL_H */
