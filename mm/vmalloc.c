// SPDX-License-Identifier: MIT
/*
 * mm/vmalloc.c - vmalloc(): page-granular mappings with guard pages.
 *
 * Structure
 *   Each area is one OS mapping laid out as
 *       [guard page][data pages ...][guard page]
 *   with both guards made inaccessible, so an overrun or underrun faults.
 *   The data pages are charged to the memory limit (guards use no memory).
 *   Live areas are recorded in one array sorted by start address, which
 *   answers vfree() (exact start) and is_vmalloc_addr() (any address
 *   inside) by binary search.  The array itself is mapped directly (it is
 *   metadata, not charged) and doubles when full.
 *
 * Invariants (checked by vmalloc_check())
 *   V1 areas[0..nr_areas) are sorted by start, do not overlap, and each has
 *      a page-aligned start and a non-zero page-multiple size.
 *   V2 vmalloc_bytes is the sum of the areas' sizes.
 *
 * Locking
 *   vmap_lock (a reader-writer lock) protects the array; readers are
 *   is_vmalloc_addr() and vmalloc_size(), writers insert and remove.  It is a
 *   leaf lock: mmap, munmap and mprotect happen outside it.  The contents of
 *   an area belong to its caller.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <kmem/kmalloc.h>
#include <kmem/stats.h>
#include <kmem/vmalloc.h>

#include "mm/internal.h"
#include "page/page.h"

struct vmap_area {
	uintptr_t start; /* first data byte */
	size_t size;	 /* data bytes, a multiple of PAGE_SIZE */
};

static pthread_rwlock_t vmap_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_once_t vmalloc_once = PTHREAD_ONCE_INIT;
static struct vmap_area *areas;
static size_t nr_areas, areas_capacity;
static size_t vmalloc_bytes;

/* Index of the first area whose start is > addr. */
static size_t vmap_upper_bound(uintptr_t addr)
{
	size_t lo = 0, hi = nr_areas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (areas[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The area containing @addr, or NULL.  Caller holds vmap_lock. */
static struct vmap_area *vmap_find(uintptr_t addr)
{
	size_t i = vmap_upper_bound(addr);

	if (i == 0)
		return NULL;
	if (addr - areas[i - 1].start < areas[i - 1].size)
		return &areas[i - 1];
	return NULL;
}

static void vmalloc_init_once(void);

/*
 * Record a new area.  When the array is full, a bigger one is mapped with
 * vmap_lock dropped; another thread may have grown the array by the time
 * the lock is taken again, hence the loop.  The array that is replaced, and
 * a bigger one that turned out not to be needed, are unmapped after the
 * lock is dropped.
 */
static bool vmap_insert(uintptr_t start, size_t size)
{
	struct vmap_area *fresh = NULL, *retired = NULL;
	size_t fresh_capacity = 0, retired_capacity = 0, i;
	bool inserted = false;

	pthread_once(&vmalloc_once, vmalloc_init_once);
	pthread_rwlock_wrlock(&vmap_lock);
	while (nr_areas == areas_capacity && fresh_capacity <= areas_capacity) {
		size_t want = areas_capacity ? 2 * areas_capacity : PAGE_SIZE / sizeof(*areas);

		pthread_rwlock_unlock(&vmap_lock);
		if (fresh)
			page_os_unmap(fresh, fresh_capacity * sizeof(*areas));
		fresh = page_os_map(want * sizeof(*areas), PAGE_SIZE);
		fresh_capacity = fresh ? want : 0;
		pthread_rwlock_wrlock(&vmap_lock);
		if (!fresh)
			goto out;
	}
	if (nr_areas == areas_capacity) {
		if (areas)
			memcpy(fresh, areas, nr_areas * sizeof(*areas));
		retired = areas;
		retired_capacity = areas_capacity;
		areas = fresh;
		areas_capacity = fresh_capacity;
		fresh = NULL;
	}
	i = vmap_upper_bound(start);
	memmove(&areas[i + 1], &areas[i], (nr_areas - i) * sizeof(*areas));
	areas[i] = (struct vmap_area){.start = start, .size = size};
	nr_areas++;
	vmalloc_bytes += size;
	inserted = true;
out:
	pthread_rwlock_unlock(&vmap_lock);
	if (fresh)
		page_os_unmap(fresh, fresh_capacity * sizeof(*areas));
	if (retired)
		page_os_unmap(retired, retired_capacity * sizeof(*areas));
	return inserted;
}

/* Remove the area starting exactly at @start; its size, or 0 if none. */
static size_t vmap_remove(uintptr_t start)
{
	struct vmap_area *area;
	size_t size = 0;

	pthread_rwlock_wrlock(&vmap_lock);
	area = vmap_find(start);
	if (area && area->start == start) {
		size = area->size;
		memmove(area, area + 1, (size_t)(&areas[nr_areas] - (area + 1)) * sizeof(*areas));
		nr_areas--;
		vmalloc_bytes -= size;
	}
	pthread_rwlock_unlock(&vmap_lock);
	return size;
}

/*
 * Charge @bytes to the memory limit.  A caller that may block first gives
 * back what kmem caches (the calling thread's caches and wholly free
 * regions) and, with __GFP_NOFAIL, waits for other threads to free.
 */
static bool vmalloc_charge(size_t bytes, gfp_t gfp)
{
	struct timespec nap = {0, 1000000};

	if (page_charge(bytes, gfp))
		return true;
	if (!gfpflags_allow_blocking(gfp))
		return false;
	do {
		kmem_kmalloc_drain();
		kmem_page_drain();
		kmem_page_trim();
		if (page_charge(bytes, gfp))
			return true;
		if (gfp & __GFP_NOFAIL)
			nanosleep(&nap, NULL);
	} while (gfp & __GFP_NOFAIL);
	return false;
}

static void *vmalloc_fail(size_t size, gfp_t gfp, const char *why)
{
	if (!(gfp & __GFP_NOWARN))
		kmem_warn("kmem: vmalloc: allocation failure: %zu bytes, mode:%#x: %s", size, gfp,
			  why);
	return NULL;
}

void *__vmalloc(size_t size, gfp_t gfp)
{
	size_t data, total;
	char *map;

	if (unlikely(!size))
		return NULL;
	if (unlikely(size > SIZE_MAX - 3 * PAGE_SIZE))
		return vmalloc_fail(size, gfp, "size too large");
	data = PAGE_ALIGN(size);
	total = data + 2 * PAGE_SIZE;
	if (!vmalloc_charge(data, gfp))
		return vmalloc_fail(size, gfp, "memory limit reached");
	map = page_os_map(total, PAGE_SIZE);
	if (!map) {
		page_uncharge(data);
		return vmalloc_fail(size, gfp, "out of address space");
	}
	if (page_os_protect_none(map, PAGE_SIZE) ||
	    page_os_protect_none(map + PAGE_SIZE + data, PAGE_SIZE) ||
	    !vmap_insert((uintptr_t)map + PAGE_SIZE, data)) {
		page_os_unmap(map, total);
		page_uncharge(data);
		return vmalloc_fail(size, gfp, "cannot set up the mapping");
	}
	/* Fresh anonymous mappings are already zero: __GFP_ZERO costs nothing. */
	return map + PAGE_SIZE;
}

void *vmalloc(size_t size)
{
	return __vmalloc(size, GFP_KERNEL);
}

void *vzalloc(size_t size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_ZERO);
}

void vfree(const void *addr)
{
	size_t data;

	if (!addr)
		return;
	data = vmap_remove((uintptr_t)addr);
	if (unlikely(!data)) {
		kmem_bug("vmalloc: vfree(%p): not the start of a live vmalloc area "
			 "(double free, interior pointer or foreign memory)",
			 addr);
		return;
	}
	page_os_unmap((char *)addr - PAGE_SIZE, data + 2 * PAGE_SIZE);
	page_uncharge(data);
}

size_t vmalloc_size(const void *addr)
{
	struct vmap_area *area;
	size_t size = 0;

	pthread_rwlock_rdlock(&vmap_lock);
	area = vmap_find((uintptr_t)addr);
	if (area && area->start == (uintptr_t)addr)
		size = area->size;
	pthread_rwlock_unlock(&vmap_lock);
	return size;
}

bool is_vmalloc_addr(const void *addr)
{
	bool found;

	pthread_rwlock_rdlock(&vmap_lock);
	found = vmap_find((uintptr_t)addr) != NULL;
	pthread_rwlock_unlock(&vmap_lock);
	return found;
}

void *vrealloc(const void *p, size_t size, gfp_t gfp)
{
	size_t old;
	void *n;

	if (!p)
		return __vmalloc(size, gfp);
	if (!size) {
		vfree(p);
		return NULL;
	}
	old = vmalloc_size(p);
	if (unlikely(!old)) {
		kmem_bug("vmalloc: vrealloc(%p): not the start of a live vmalloc area", p);
		return NULL;
	}
	if (size <= old)
		return (void *)p;
	n = __vmalloc(size, gfp);
	if (!n)
		return NULL;
	memcpy(n, p, old);
	vfree(p);
	return n;
}

/* ---- statistics, checking, fork ------------------------------------- */

void vmalloc_stats(size_t *bytes, unsigned long *count)
{
	pthread_rwlock_rdlock(&vmap_lock);
	*bytes = vmalloc_bytes;
	*count = nr_areas;
	pthread_rwlock_unlock(&vmap_lock);
}

int vmalloc_check(void)
{
	size_t total = 0;
	int ret = 0;

	pthread_rwlock_rdlock(&vmap_lock);
	for (size_t i = 0; i < nr_areas && !ret; i++) {
		const struct vmap_area *a = &areas[i];

		if (!a->size || (a->start | a->size) & (PAGE_SIZE - 1))
			ret = kmem_check_failed("vmalloc: area %#lx+%#zx is not page aligned",
						(unsigned long)a->start, a->size);
		else if (i && areas[i - 1].start + areas[i - 1].size + 2 * PAGE_SIZE > a->start)
			ret = kmem_check_failed("vmalloc: areas at %#lx and %#lx overlap or are "
						"out of order",
						(unsigned long)areas[i - 1].start,
						(unsigned long)a->start);
		total += a->size;
	}
	if (!ret && total != vmalloc_bytes)
		ret = kmem_check_failed("vmalloc: areas hold %zu bytes, the total says %zu", total,
					vmalloc_bytes);
	pthread_rwlock_unlock(&vmap_lock);
	return ret;
}

static void vmalloc_lock_for_fork(void)
{
	pthread_rwlock_wrlock(&vmap_lock);
}

static void vmalloc_unlock_after_fork(void)
{
	pthread_rwlock_unlock(&vmap_lock);
}

static void vmalloc_init_once(void)
{
	pthread_atfork(vmalloc_lock_for_fork, vmalloc_unlock_after_fork, vmalloc_unlock_after_fork);
}
