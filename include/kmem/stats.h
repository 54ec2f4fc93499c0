/* SPDX-License-Identifier: MIT */
/*
 * kmem/stats.h - what the allocator holds, in the kernel's /proc formats.
 */
#ifndef KMEM_STATS_H
#define KMEM_STATS_H

#include <stddef.h>
#include <stdio.h>
#include <kmem/export.h>
#include <kmem/mm.h>

KMEM_BEGIN_DECLS

/**
 * struct kmem_page_stats - a snapshot of the page allocator
 * @mapped_bytes: bytes of regions mapped from the OS now
 * @peak_mapped_bytes: the largest @mapped_bytes seen
 * @metadata_bytes: bytes mapped for struct page arrays and lookup tables
 * @free_bytes: bytes in the buddy free lists
 * @pcp_bytes: bytes held in per-thread page caches
 * @used_bytes: bytes handed out (mapped - free - pcp)
 * @limit_bytes: the memory limit (0: none)
 * @regions: regions mapped now
 * @regions_released: regions given back to the OS so far
 * @nr_free: free blocks per order (the buddyinfo columns)
 */
struct kmem_page_stats {
	size_t mapped_bytes;
	size_t peak_mapped_bytes;
	size_t metadata_bytes;
	size_t free_bytes;
	size_t pcp_bytes;
	size_t used_bytes;
	size_t limit_bytes;
	unsigned long regions;
	unsigned long regions_released;
	unsigned long nr_free[NR_PAGE_ORDERS];
};

/**
 * kmem_page_stats - take a snapshot of the page allocator
 * @stats: filled in
 *
 * Per-thread cache counts of other threads are read without stopping them,
 * so under concurrent allocation the snapshot is approximate.
 */
KMEM_API void kmem_page_stats(struct kmem_page_stats *stats);

/**
 * kmem_buddyinfo - print free blocks per order in the /proc/buddyinfo format
 * @out: where to print
 *
 * One line: "Node 0, zone   Normal" followed by eleven counts.  Pages held
 * in per-thread caches are not free blocks and are not counted.
 */
KMEM_API void kmem_buddyinfo(FILE *out);

/**
 * kmem_meminfo - print a /proc/meminfo-style summary of all layers
 * @out: where to print
 */
KMEM_API void kmem_meminfo(FILE *out);

/**
 * kmem_page_drain - give the calling thread's cached pages back to the buddy
 * allocator
 *
 * A thread's cache is also drained when the thread exits.
 */
KMEM_API void kmem_page_drain(void);

/**
 * kmem_page_trim - return every wholly free region to the OS
 *
 * Free regions are normally kept (up to KMEM_PAGE_RETAIN bytes) so that a
 * program that frees and reallocates does not pay for mmap each time.  The
 * memory goes back to the OS; the address ranges stay reserved for the
 * regions kmem maps next.
 *
 * Return: bytes given back.
 */
KMEM_API size_t kmem_page_trim(void);

KMEM_END_DECLS

#endif /* KMEM_STATS_H */
