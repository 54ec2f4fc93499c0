/* SPDX-License-Identifier: MIT */
/*
 * kmem/heap.h - general heaps with boundary tags and a placement policy you
 * choose.
 *
 * A kheap hands out chunks of any size.  Each chunk has an 8-byte header in
 * front of its payload (size and in-use bits); free chunks also carry a
 * footer, so a freed chunk merges with free neighbours on both sides in O(1).
 * Payloads are aligned to 16 bytes.  Where a request is placed among the
 * free chunks is the heap's fit policy:
 *
 *   KHEAP_FIRST_FIT  the lowest-address free chunk that fits;
 *   KHEAP_NEXT_FIT   the first chunk that fits at or after the address where
 *                    the previous allocation was placed, wrapping around;
 *   KHEAP_BEST_FIT   the smallest free chunk that fits, ties to the lowest
 *                    address;
 *   KHEAP_WORST_FIT  the largest free chunk, ties to the lowest address;
 *   KHEAP_GOOD_FIT   (default) TLSF: the request is rounded up to the next of
 *                    16 size classes per power of two and served from the
 *                    first non-empty class at or above it, O(1).
 *
 * The chosen chunk is split: the request takes its low end and the rest, if
 * large enough to be a chunk, stays free.  Documentation/heap.rst gives the
 * cost of each policy and measured fragmentation.
 *
 * A heap lives either on kmem's pages (kheap_create: it grows by taking
 * buddy blocks and gives empty ones back) or inside one buffer the caller
 * owns (kheap_create_in: nothing outside the buffer is ever read or
 * written, and nothing is mapped).  Every function is thread-safe: a heap
 * has its own lock.
 */
#ifndef KMEM_HEAP_H
#define KMEM_HEAP_H

#include <stddef.h>
#include <stdio.h>
#include <kmem/export.h>
#include <kmem/gfp.h>

KMEM_BEGIN_DECLS

enum kheap_fit {
	KHEAP_FIRST_FIT,
	KHEAP_NEXT_FIT,
	KHEAP_BEST_FIT,
	KHEAP_WORST_FIT,
	KHEAP_GOOD_FIT,
};

/* The heap control block is private to kmem. */
struct kheap;

/**
 * struct kheap_stats - a snapshot of one heap
 * @used_bytes: payload bytes of allocated chunks (what callers may use)
 * @free_bytes: bytes in free chunks, their headers included
 * @largest_free: bytes of the largest free chunk, header included; the
 *	largest request it can serve is @largest_free - 8
 * @nr_used: allocated chunks
 * @nr_free: free chunks
 * @fragmentation: 1 - @largest_free / @free_bytes (0 when nothing is free):
 *	0 means all free memory is one chunk, near 1 means it is in crumbs
 * @metadata_bytes: bytes the heap spends on itself: the headers of
 *	allocated chunks, segment headers and the control block
 * @footprint: memory the heap occupies now: for a heap on kmem's pages the
 *	bytes of its segments; for a heap in caller memory the bytes from the
 *	start of the buffer to the end of the highest allocated chunk
 * @peak_footprint: the largest @footprint seen
 * @nr_segments: buddy blocks (or 1 for a heap in caller memory)
 * @fit: the current policy
 */
struct kheap_stats {
	size_t used_bytes;
	size_t free_bytes;
	size_t largest_free;
	size_t nr_used;
	size_t nr_free;
	double fragmentation;
	size_t metadata_bytes;
	size_t footprint;
	size_t peak_footprint;
	unsigned long nr_segments;
	enum kheap_fit fit;
};

/**
 * kheap_create - create a heap on kmem's pages
 * @name: shown in reports and dumps (copied; at most 31 characters kept)
 * @fit: the placement policy
 *
 * The heap takes buddy blocks (segments) as it grows; a segment that
 * becomes empty goes back to the page allocator, except that one empty
 * segment is kept so an alloc/free cycle does not take and return pages
 * each time.
 *
 * Return: the heap, or NULL for an invalid @fit or when memory is exhausted.
 */
KMEM_API struct kheap *kheap_create(const char *name, enum kheap_fit fit) KMEM_MUST_CHECK;

/**
 * kheap_create_in - create a heap inside caller-supplied memory
 * @name: as for kheap_create()
 * @mem: the buffer (any alignment); the control block lives at its start
 * @size: its bytes; at least KHEAP_MIN_BUFFER, below 2^40
 * @fit: the placement policy
 *
 * The heap never reads or writes outside [@mem, @mem + @size), never maps
 * memory and never grows.  The caller owns @mem and must keep it alive
 * until kheap_destroy().
 *
 * Return: the heap (an address inside @mem), or NULL when @mem is NULL,
 * @size is out of range or @fit is invalid.
 */
KMEM_API struct kheap *kheap_create_in(const char *name, void *mem, size_t size,
				       enum kheap_fit fit) KMEM_MUST_CHECK;

/* The smallest buffer kheap_create_in() accepts. */
#define KHEAP_MIN_BUFFER 16384

/**
 * kheap_free - give a chunk back to @h
 * @h: the heap it came from
 * @p: a pointer kheap_alloc(@h) returned; NULL is a no-op
 *
 * The chunk merges with free neighbours.  A pointer that is not a chunk of
 * @h, a chunk that is already free, or a damaged boundary tag is reported
 * ("BUG: kheap <name>: ...") and, by default, aborts; with
 * KMEM_REPORT_CONTINUE the free is refused and the heap is unchanged.
 */
KMEM_API void kheap_free(struct kheap *h, void *p);

/**
 * kheap_alloc - allocate @size bytes from @h
 * @h: the heap
 * @size: bytes wanted, 1..KHEAP_MAX_ALLOC
 * @gfp: __GFP_ZERO zeroes the payload; __GFP_NOWARN silences the failure
 *	warning; the rest is passed to the page allocator when the heap grows
 *
 * Return: a 16-byte aligned payload of at least @size bytes, or NULL when
 * @size is 0 or too large, or no memory is left (with a warning unless
 * __GFP_NOWARN).
 */
KMEM_API void *kheap_alloc(struct kheap *h, size_t size, gfp_t gfp) KMEM_MALLOC
	KMEM_DEALLOC(kheap_free, 2) KMEM_ALLOC_SIZE(2) KMEM_MUST_CHECK;

/* The largest request a heap on kmem's pages serves (1 MiB). */
#define KHEAP_MAX_ALLOC (1UL << 20)

/**
 * kheap_alloc_aligned - allocate @size bytes from @h aligned to @align
 * @h: the heap
 * @size: bytes wanted, 1..KHEAP_MAX_ALLOC
 * @align: a power of two; at most KHEAP_MAX_ALLOC
 * @gfp: as for kheap_alloc()
 *
 * The chunk is cut from a free chunk large enough for @size plus the
 * alignment gap; the gap in front stays a free chunk.  Free the result with
 * kheap_free() like any other chunk.
 *
 * Return: the payload, or NULL when @align is not a power of two or too
 * large, @size is 0 or too large, or no memory is left (with a warning
 * unless __GFP_NOWARN).
 */
KMEM_API void *kheap_alloc_aligned(struct kheap *h, size_t size, size_t align,
				   gfp_t gfp) KMEM_MALLOC KMEM_DEALLOC(kheap_free, 2)
	KMEM_ALLOC_SIZE(2) KMEM_MUST_CHECK;

/**
 * kheap_set_fit - change @h's placement policy
 * @h: the heap
 * @fit: the new policy
 *
 * Rebuilds the free-chunk index for the new policy (O(free chunks)); live
 * chunks are not moved.
 *
 * Return: 0, or -1 (and nothing changes) for an invalid @fit.
 */
KMEM_API int kheap_set_fit(struct kheap *h, enum kheap_fit fit);

/**
 * kheap_stats - take a snapshot of @h
 * @h: the heap (NULL gives all-zero statistics)
 * @stats: filled in
 */
KMEM_API void kheap_stats(struct kheap *h, struct kheap_stats *stats);

/**
 * kheap_dump - print an ASCII map of @h
 * @h: the heap
 * @out: where to print
 *
 * A header line with the policy and totals, then per segment every chunk in
 * address order (offset from the segment start, size, "used"/"free"), then
 * a 64-column bar where '#' is a used stretch, '.' free and '+' a mix.
 * A NULL @h prints "kheap (null)".
 */
KMEM_API void kheap_dump(struct kheap *h, FILE *out);

/**
 * kheap_destroy - destroy @h
 * @h: the heap (NULL is a no-op)
 *
 * Chunks still allocated are lost; if there are any, a warning with their
 * count and bytes is printed on stderr ("WARNING: kheap <name>: destroyed
 * with N chunks (B bytes) still allocated").  A heap on kmem's pages gives
 * all its segments back; a heap in caller memory leaves the buffer to the
 * caller.
 */
KMEM_API void kheap_destroy(struct kheap *h);

/** kheap_fit_name - "first", "next", "best", "worst" or "good" (NULL if invalid). */
KMEM_API const char *kheap_fit_name(enum kheap_fit fit);

KMEM_END_DECLS

#endif /* KMEM_HEAP_H */
