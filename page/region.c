// SPDX-License-Identifier: MIT
/*
 * page/region.c - memory from the OS.
 *
 * The only file in kmem that calls mmap, munmap and mprotect.  A region is
 * REGION_SIZE bytes aligned to REGION_SIZE; its descriptor (struct page
 * array) is a separate mapping.  The address-to-region table is two levels:
 * region_table[addr >> 36] points to a second-level array indexed by bits
 * 22..35.  Writers hold zone.lock and publish with release stores; readers
 * (__virt_to_page) take no lock.  Second-level arrays are never freed.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "page/internal.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

struct region **region_table[1UL << REGION_L1_BITS];

void *page_os_map(size_t size, size_t align)
{
	uintptr_t start, aligned;
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (((uintptr_t)p & (align - 1)) == 0)
		return p;
	munmap(p, size);

	/* Over-map by the alignment and trim both ends. */
	p = mmap(NULL, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	start = (uintptr_t)p;
	aligned = (start + align - 1) & ~(uintptr_t)(align - 1);
	if (aligned > start)
		munmap(p, aligned - start);
	if (start + align > aligned)
		munmap((void *)(aligned + size), start + align - aligned);
	return (void *)aligned;
}

void page_os_unmap(void *addr, size_t size)
{
	int saved = errno;

	if (munmap(addr, size))
		kmem_warn("kmem: munmap(%p, %zu) failed: %s", addr, size, strerror(errno));
	errno = saved;
}

int page_os_protect_none(void *addr, size_t size)
{
	return mprotect(addr, size, PROT_NONE);
}

/*
 * Regions are usually placed just below the previous one: the kernel hands
 * out mappings top-down, so that address is typically free and aligned, and
 * one mmap call suffices.
 */
static void *map_region_memory(void)
{
	uintptr_t hint = zone.last_region_base;
	void *p;

	if (hint > REGION_SIZE) {
		hint -= REGION_SIZE;
		p = mmap((void *)hint, REGION_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != MAP_FAILED) {
			if ((uintptr_t)p == hint)
				return p;
			munmap(p, REGION_SIZE);
		}
	}
	return page_os_map(REGION_SIZE, REGION_SIZE);
}

static struct region **region_slot(uintptr_t base, bool create)
{
	struct region ***l1 = &region_table[base >> (REGION_SHIFT + REGION_L2_BITS)];
	struct region **l2 = *l1;
	size_t l2_bytes = sizeof(struct region *) << REGION_L2_BITS;

	if (!l2) {
		if (!create)
			return NULL;
		l2 = page_os_map(l2_bytes, PAGE_SIZE);
		if (!l2)
			return NULL;
		page_metadata_bytes += l2_bytes;
		__atomic_store_n(l1, l2, __ATOMIC_RELEASE);
	}
	return &l2[(base >> REGION_SHIFT) & ((1UL << REGION_L2_BITS) - 1)];
}

struct region *__region_grow(gfp_t gfp)
{
	struct region *region;
	struct region **slot;
	void *mem;
	unsigned long pfn;

	if (!page_charge(REGION_SIZE, gfp))
		return NULL;
	mem = map_region_memory();
	if (!mem)
		goto out_uncharge;
	if ((uintptr_t)mem >> REGION_ADDR_BITS)
		goto out_unmap_memory;
	region = page_os_map(sizeof(*region), PAGE_SIZE);
	if (!region)
		goto out_unmap_memory;
	slot = region_slot((uintptr_t)mem, true);
	if (!slot)
		goto out_unmap_region;

	region->base = (uintptr_t)mem;
	pfn = region->base >> PAGE_SHIFT;
	for (unsigned long i = 0; i < REGION_PAGES; i++)
		region->pages[i].flags = (pfn + i) << KMEM_PFN_SHIFT;
	list_add_tail(&region->link, &zone.regions);
	zone.nr_regions++;
	zone.last_region_base = region->base;
	page_metadata_bytes += align_up(sizeof(*region), PAGE_SIZE);
	__atomic_store_n(slot, region, __ATOMIC_RELEASE);
	return region;

out_unmap_region:
	page_os_unmap(region, sizeof(*region));
out_unmap_memory:
	page_os_unmap(mem, REGION_SIZE);
out_uncharge:
	page_uncharge(REGION_SIZE);
	return NULL;
}

void __region_detach(struct region *region)
{
	struct region **slot = region_slot(region->base, false);

	__atomic_store_n(slot, NULL, __ATOMIC_RELEASE);
	list_del(&region->link);
	zone.nr_regions--;
	zone.regions_released++;
	page_metadata_bytes -= align_up(sizeof(*region), PAGE_SIZE);
}

void region_unmap(struct region *region)
{
	page_os_unmap((void *)region->base, REGION_SIZE);
	page_os_unmap(region, sizeof(*region));
	page_uncharge(REGION_SIZE);
}
