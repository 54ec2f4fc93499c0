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

/**
 * enum kmem_stats_format - the forms of kmem_stats_print()
 * @KMEM_STATS_TEXT: a title line, then kmem_slabinfo(), kmem_buddyinfo() and
 *	kmem_meminfo(): the kernel's /proc text formats
 * @KMEM_STATS_JSON: the same numbers as one JSON object, for scripts (the
 *	schema is in Documentation/statistics.rst)
 */
enum kmem_stats_format {
	KMEM_STATS_TEXT,
	KMEM_STATS_JSON,
};

/**
 * kmem_stats_print - write the statistics of every layer
 * @out: where to write
 * @format: KMEM_STATS_TEXT or KMEM_STATS_JSON
 *
 * Takes the layers' locks in turn, like kmem_slabinfo(): do not call it
 * from a signal handler (KMEM_STATS_SIGNAL does that safely).
 *
 * Return: 0, or -1 with errno set when @format is unknown or writing failed.
 */
KMEM_API int kmem_stats_print(FILE *out, enum kmem_stats_format format);

/**
 * kmem_stats_write - kmem_stats_print() into a file, replaced atomically
 * @path: the file; created, or replaced whole
 * @format: KMEM_STATS_TEXT or KMEM_STATS_JSON
 *
 * The report goes to a new file next to @path, which is then renamed over
 * it, so a reader sees either the previous report or the new one, never a
 * part.
 *
 * Return: 0, or -1 with errno set (the file is then left as it was).
 */
KMEM_API int kmem_stats_write(const char *path, enum kmem_stats_format format);

KMEM_END_DECLS

#endif /* KMEM_STATS_H */
