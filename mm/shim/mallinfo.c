// SPDX-License-Identifier: MIT
/*
 * mm/shim/mallinfo.c - glibc's malloc introspection calls, answered with
 * kmem's numbers: mallinfo2, mallinfo, malloc_stats, malloc_info and
 * malloc_trim.
 *
 * Everything kmem hands out comes from regions it maps (kmalloc's heap
 * chunks, slab objects and large page blocks) or from vmalloc areas mapped
 * one by one.  The regions play the part of glibc's arena and the vmalloc
 * areas that of its mmapped chunks: arena is the bytes of regions mapped,
 * uordblks what the program holds in them, fordblks the rest (free blocks,
 * cached chunks, metadata), so that uordblks + fordblks == arena as in
 * glibc.  Documentation/malloc-shim.rst lists every field.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>

#include <kmem/kmem.h>

#include "mm/internal.h"

#define __shim_export __attribute__((visibility("default")))

struct shim_usage {
	struct kmem_page_stats pages;
	size_t in_use;	   /* bytes the program holds in regions */
	size_t cached;	   /* freed kmalloc objects waiting for reuse */
	size_t mmap_bytes; /* vmalloc areas */
	unsigned long mmap_count;
	size_t free_blocks; /* free buddy blocks */
};

static void shim_usage(struct shim_usage *u)
{
	struct kmem_kmalloc_stats ks;

	kmem_page_stats(&u->pages);
	kmem_kmalloc_stats(&ks);
	vmalloc_stats(&u->mmap_bytes, &u->mmap_count);
	u->cached = ks.cached_bytes;
	u->in_use = ks.slab_bytes + ks.heap_bytes + ks.large_bytes;
	u->free_blocks = 0;
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++)
		u->free_blocks += u->pages.nr_free[order];
}

__shim_export struct mallinfo2 mallinfo2(void)
{
	struct shim_usage u;
	size_t in_use;

	shim_usage(&u);
	in_use = u.in_use < u.pages.mapped_bytes ? u.in_use : u.pages.mapped_bytes;
	return (struct mallinfo2){
		.arena = u.pages.mapped_bytes,
		.ordblks = u.free_blocks,
		.hblks = u.mmap_count,
		.hblkhd = u.mmap_bytes,
		.fsmblks = u.cached,
		.uordblks = in_use,
		.fordblks = u.pages.mapped_bytes - in_use,
		.keepcost = u.pages.free_bytes,
	};
}

/* The old interface: int fields, which wrap beyond 2 GiB as glibc's do. */
__shim_export struct mallinfo mallinfo(void)
{
	struct mallinfo2 m = mallinfo2();

	return (struct mallinfo){
		.arena = (int)m.arena,
		.ordblks = (int)m.ordblks,
		.hblks = (int)m.hblks,
		.hblkhd = (int)m.hblkhd,
		.fsmblks = (int)m.fsmblks,
		.uordblks = (int)m.uordblks,
		.fordblks = (int)m.fordblks,
		.keepcost = (int)m.keepcost,
	};
}

/*
 * glibc's report on stderr.  kmem maps everything, so "max mmap regions" is
 * the mappings now (regions and vmalloc areas) and "max mmap bytes" the
 * peak of the regions plus the vmalloc areas now.
 */
__shim_export void malloc_stats(void)
{
	struct mallinfo2 m = mallinfo2();
	struct kmem_page_stats ps;

	kmem_page_stats(&ps);
	fprintf(stderr, "Arena 0:\n");
	fprintf(stderr, "system bytes     = %10zu\n", m.arena);
	fprintf(stderr, "in use bytes     = %10zu\n", m.uordblks);
	fprintf(stderr, "Total (incl. mmap):\n");
	fprintf(stderr, "system bytes     = %10zu\n", m.arena + m.hblkhd);
	fprintf(stderr, "in use bytes     = %10zu\n", m.uordblks + m.hblkhd);
	fprintf(stderr, "max mmap regions = %10lu\n", ps.regions + (unsigned long)m.hblks);
	fprintf(stderr, "max mmap bytes   = %10zu\n", ps.peak_mapped_bytes + m.hblkhd);
}

/* The totals that close a <heap> (without mmap) and the whole report. */
static void xml_totals(FILE *fp, const struct shim_usage *u, bool with_mmap)
{
	size_t mmap_bytes = with_mmap ? u->mmap_bytes : 0;
	size_t current = u->pages.mapped_bytes + mmap_bytes;

	fprintf(fp, "<total type=\"fast\" count=\"0\" size=\"%zu\"/>\n", u->cached);
	fprintf(fp, "<total type=\"rest\" count=\"%zu\" size=\"%zu\"/>\n", u->free_blocks,
		u->pages.free_bytes);
	if (with_mmap)
		fprintf(fp, "<total type=\"mmap\" count=\"%lu\" size=\"%zu\"/>\n", u->mmap_count,
			u->mmap_bytes);
	fprintf(fp, "<system type=\"current\" size=\"%zu\"/>\n", current);
	fprintf(fp, "<system type=\"max\" size=\"%zu\"/>\n",
		u->pages.peak_mapped_bytes + mmap_bytes);
	fprintf(fp, "<aspace type=\"total\" size=\"%zu\"/>\n", current);
	fprintf(fp, "<aspace type=\"mprotect\" size=\"%zu\"/>\n", current);
}

/*
 * glibc's XML with one heap, kmem's regions.  Its <sizes> are the free
 * buddy blocks by order (glibc lists its free chunks by bin), "fast" the
 * chunks cached per thread, "rest" the free blocks, "mmap" the vmalloc
 * areas.
 */
__shim_export int malloc_info(int options, FILE *fp)
{
	struct shim_usage u;

	if (options != 0)
		return EINVAL;
	shim_usage(&u);
	fprintf(fp, "<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n");
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++)
		if (u.pages.nr_free[order])
			fprintf(fp,
				"  <size from=\"%lu\" to=\"%lu\" total=\"%lu\" count=\"%lu\"/>\n",
				PAGE_SIZE << order, PAGE_SIZE << order,
				u.pages.nr_free[order] * (PAGE_SIZE << order),
				u.pages.nr_free[order]);
	fprintf(fp, "</sizes>\n");
	xml_totals(fp, &u, false);
	fprintf(fp, "</heap>\n");
	xml_totals(fp, &u, true);
	fprintf(fp, "</malloc>\n");
	return 0;
}

/*
 * Give back what kmem can: every thread's cached objects and empty slabs,
 * the calling thread's cached pages, then every wholly free region.  @pad
 * is ignored (kmem has no heap top to keep).  Returns 1 when memory went
 * back to the OS.
 */
__shim_export int malloc_trim(size_t pad)
{
	(void)pad;
	kmem_kmalloc_drain();
	kmem_page_drain();
	return kmem_page_trim() > 0;
}
