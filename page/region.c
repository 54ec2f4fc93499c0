// SPDX-License-Identifier: MIT
/*
 * page/region.c - memory from the OS.
 *
 * The only file in kmem that calls mmap, munmap, mprotect and madvise.  A
 * region is REGION_SIZE bytes aligned to REGION_SIZE; its descriptor (struct
 * page array) is a separate mapping.  The address-to-region table is two
 * levels: region_table[addr >> 36] points to a second-level array indexed by
 * bits 22..35.  Slots are written under zone.lock with release stores;
 * readers (__virt_to_page) take no lock.
 *
 * Nothing a lock-free reader can reach is ever unmapped: second-level
 * arrays live for good, and so does a region's descriptor once the region
 * is released (see page/page_alloc.c, "Releasing regions").  The mapping
 * work itself, mmap and the first touch of a descriptor, runs without
 * zone.lock; only publishing the result takes it.
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
	uintptr_t hint = READ_ONCE(zone.last_region_base);
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

static struct region ***region_l1(uintptr_t base)
{
	return &region_table[base >> (REGION_SHIFT + REGION_L2_BITS)];
}

static struct region **region_slot(struct region **l2, uintptr_t base)
{
	return &l2[(base >> REGION_SHIFT) & ((1UL << REGION_L2_BITS) - 1)];
}

/*
 * Make sure the second-level array covering @base exists.  Runs without
 * zone.lock, so two threads may race to create it: the loser unmaps its
 * copy.
 */
static bool region_table_prepare(uintptr_t base)
{
	const size_t l2_bytes = sizeof(struct region *) << REGION_L2_BITS;
	struct region ***l1 = region_l1(base);
	struct region **l2, **none = NULL;

	if (__atomic_load_n(l1, __ATOMIC_ACQUIRE))
		return true;
	l2 = page_os_map(l2_bytes, PAGE_SIZE);
	if (!l2)
		return false;
	if (__atomic_compare_exchange_n(l1, &none, l2, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		__atomic_fetch_add(&page_metadata_bytes, l2_bytes, __ATOMIC_RELAXED);
	else
		page_os_unmap(l2, l2_bytes);
	return true;
}

static void region_init_pages(struct region *region)
{
	unsigned long pfn = region->base >> PAGE_SHIFT;

	for (unsigned long i = 0; i < REGION_PAGES; i++)
		page_write_flags(&region->pages[i], (pfn + i) << KMEM_PFN_SHIFT);
}

/*
 * Map a region's memory, in the slot of @reserved when there is one, else
 * wherever the OS has room, with a new descriptor.  Called without
 * zone.lock: this is where the mmap calls and the page faults of a fresh
 * descriptor happen.
 */
static struct region *region_map(struct region *reserved, gfp_t gfp)
{
	struct region *region = reserved;
	void *mem;

	if (!page_charge(REGION_SIZE, gfp))
		return NULL;
	if (reserved) {
		mem = mmap((void *)reserved->base, REGION_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (mem == MAP_FAILED)
			goto out_uncharge;
	} else {
		mem = map_region_memory();
		if (!mem)
			goto out_uncharge;
		if ((uintptr_t)mem >> REGION_ADDR_BITS || !region_table_prepare((uintptr_t)mem))
			goto out_unmap_memory;
		region = page_os_map(sizeof(*region), PAGE_SIZE);
		if (!region)
			goto out_unmap_memory;
		region->base = (uintptr_t)mem;
	}
	region_init_pages(region);
	return region;

out_unmap_memory:
	page_os_unmap(mem, REGION_SIZE);
out_uncharge:
	page_uncharge(REGION_SIZE);
	return NULL;
}

static void __region_reserve(struct region *region)
{
	list_add(&region->link, &zone.reserved);
	zone.nr_reserved++;
}

struct region *__region_grow(gfp_t gfp)
{
	struct region *reserved = NULL;
	struct region *region;

	if (!list_empty(&zone.reserved)) {
		reserved = container_of(zone.reserved.next, struct region, link);
		list_del(&reserved->link);
		zone.nr_reserved--;
	}
	pthread_mutex_unlock(&zone.lock);
	region = region_map(reserved, gfp);
	pthread_mutex_lock(&zone.lock);
	if (!region) {
		if (reserved)
			__region_reserve(reserved);
		return NULL;
	}
	list_add_tail(&region->link, &zone.regions);
	zone.nr_regions++;
	WRITE_ONCE(zone.last_region_base, region->base);
	__atomic_fetch_add(&page_metadata_bytes, align_up(sizeof(*region), PAGE_SIZE),
			   __ATOMIC_RELAXED);
	__atomic_store_n(region_slot(*region_l1(region->base), region->base), region,
			 __ATOMIC_RELEASE);
	return region;
}

void __region_detach(struct region *region)
{
	__atomic_store_n(region_slot(*region_l1(region->base), region->base), NULL,
			 __ATOMIC_RELEASE);
	list_del(&region->link);
	zone.nr_regions--;
	zone.regions_released++;
	__atomic_fetch_sub(&page_metadata_bytes, align_up(sizeof(*region), PAGE_SIZE),
			   __ATOMIC_RELAXED);
}

/*
 * Give a detached region's memory back to the OS but keep its slot: the
 * address range becomes an inaccessible reservation and the descriptor
 * stays mapped (its page array dropped to zero-fill pages), so a lock-free
 * reader that found the region before __region_detach() reads zeros, never
 * an unmapped page.  The next region grows into this slot.
 */
void region_release(struct region *region)
{
	void *mem = (void *)region->base;
	int saved = errno;

	if (mmap(mem, REGION_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED &&
	    madvise(mem, REGION_SIZE, MADV_DONTNEED))
		kmem_warn("kmem: cannot give region %p back to the OS: %s", mem, strerror(errno));
	madvise(region->pages, sizeof(region->pages), MADV_DONTNEED);
	page_uncharge(REGION_SIZE);
	pthread_mutex_lock(&zone.lock);
	__region_reserve(region);
	pthread_mutex_unlock(&zone.lock);
	errno = saved;
}
