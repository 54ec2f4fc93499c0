// SPDX-License-Identifier: MIT
/*
 * mm/meminfo.c - a /proc/meminfo-style summary of all layers.
 */
#include <kmem/stats.h>

#include "lib/core.h"
#include "mm/internal.h"
#include <kmem/kmalloc.h>

void kmem_meminfo(FILE *out)
{
	struct kmem_page_stats ps;

	kmem_page_stats(&ps);
	fprintf(out, "MemMapped:      %10zu kB\n", ps.mapped_bytes >> 10);
	fprintf(out, "MemPeakMapped:  %10zu kB\n", ps.peak_mapped_bytes >> 10);
	fprintf(out, "MemLimit:       %10zu kB\n", ps.limit_bytes >> 10);
	fprintf(out, "MemFree:        %10zu kB\n", ps.free_bytes >> 10);
	fprintf(out, "PageCached:     %10zu kB\n", ps.pcp_bytes >> 10);
	fprintf(out, "PageUsed:       %10zu kB\n", ps.used_bytes >> 10);
	fprintf(out, "PageMetadata:   %10zu kB\n", ps.metadata_bytes >> 10);
	fprintf(out, "Regions:        %10lu\n", ps.regions);
	fprintf(out, "RegionsFreed:   %10lu\n", ps.regions_released);
	kmalloc_meminfo(out);
}

/* The kmalloc and vmalloc lines. */
void kmalloc_meminfo(FILE *out)
{
	struct kmem_kmalloc_stats ks;
	unsigned long vm_count;
	size_t vm_bytes;

	kmem_kmalloc_stats(&ks);
	vmalloc_stats(&vm_bytes, &vm_count);
	fprintf(out, "KmallocSlab:    %10zu kB\n", ks.slab_bytes >> 10);
	fprintf(out, "KmallocCached:  %10zu kB\n", ks.cached_bytes >> 10);
	fprintf(out, "KmallocSlabMem: %10zu kB\n", ks.slab_footprint >> 10);
	fprintf(out, "KmallocHeap:    %10zu kB\n", ks.heap_bytes >> 10);
	fprintf(out, "KmallocHeapMem: %10zu kB\n", ks.heap_footprint >> 10);
	fprintf(out, "KmallocLarge:   %10zu kB\n", ks.large_bytes >> 10);
	fprintf(out, "VmallocUsed:    %10zu kB\n", vm_bytes >> 10);
	fprintf(out, "VmallocAreas:   %10lu\n", vm_count);
}
