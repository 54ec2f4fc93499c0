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
