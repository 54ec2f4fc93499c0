/* SPDX-License-Identifier: MIT */
/*
 * page/page.h - the page layer's narrow interface to slab/ and mm/.
 *
 * Beyond the public kmem/mm.h API, other layers need: a lock-free address
 * lookup they can inline into their free paths, the flag setters for the
 * block types they own, a way to charge memory they map themselves
 * (vmalloc) against the memory limit, direct OS mappings for vmalloc, and
 * a hook to release memory when the page allocator runs short.
 */
#ifndef KMEM_PAGE_PAGE_H
#define KMEM_PAGE_PAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <kmem/mm.h>
#include "lib/core.h"

#define REGION_SHIFT (PAGE_SHIFT + MAX_PAGE_ORDER)
#define REGION_SIZE (1UL << REGION_SHIFT)
#define REGION_PAGES (1UL << MAX_PAGE_ORDER)

/* Two-level table from address to region; user addresses have 48 bits. */
#define REGION_ADDR_BITS 48
#define REGION_L2_BITS 14
#define REGION_L1_BITS (REGION_ADDR_BITS - REGION_SHIFT - REGION_L2_BITS)

struct region;
__hidden extern struct region **region_table[1UL << REGION_L1_BITS];

/* The page layer's region descriptor begins with its struct page array. */
static inline struct page *region_first_page(struct region *region)
{
	return (struct page *)region;
}

/*
 * __virt_to_page - virt_to_page() for kmem's own free paths: two dependent
 * loads, no lock.  NULL for addresses outside every region.  A region
 * released meanwhile cannot make the result fault: descriptors are never
 * unmapped (page/page_alloc.c, "Releasing regions").
 */
static inline struct page *__virt_to_page(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	struct region **l2;
	struct region *region;

	if (unlikely(a >> REGION_ADDR_BITS))
		return NULL;
	l2 = __atomic_load_n(&region_table[a >> (REGION_SHIFT + REGION_L2_BITS)], __ATOMIC_ACQUIRE);
	if (unlikely(!l2))
		return NULL;
	region = __atomic_load_n(&l2[(a >> REGION_SHIFT) & ((1UL << REGION_L2_BITS) - 1)],
				 __ATOMIC_ACQUIRE);
	if (unlikely(!region))
		return NULL;
	return region_first_page(region) + ((a >> PAGE_SHIFT) & (REGION_PAGES - 1));
}

/*
 * Only the owner of a block writes its flags, so a load and a store suffice
 * (no read-modify-write); they are atomic because the buddy allocator reads
 * the flags of neighbouring blocks it does not own (see __page_flags()).
 */
static inline void page_write_flags(struct page *page, unsigned long flags)
{
	__atomic_store_n(&page->flags, flags, __ATOMIC_RELAXED);
}

static inline void page_set_flag(struct page *page, enum pageflags flag)
{
	page_write_flags(page, __page_flags(page) | (1UL << flag));
}

static inline void page_clear_flag(struct page *page, enum pageflags flag)
{
	page_write_flags(page, __page_flags(page) & ~(1UL << flag));
}

static inline bool page_test_flag(const struct page *page, enum pageflags flag)
{
	return __page_flags(page) & (1UL << flag);
}

/* page_reset_flags - clear every state bit, keeping the pfn. */
static inline void page_reset_flags(struct page *page)
{
	page_write_flags(page, __page_flags(page) & ~((1UL << KMEM_PFN_SHIFT) - 1));
}

/*
 * page_charge - account @bytes mapped outside the buddy allocator against
 * the memory limit.  Fails (returns false) when the limit would be passed.
 * page_uncharge - give them back.
 */
__hidden bool page_charge(size_t bytes, gfp_t gfp);
__hidden void page_uncharge(size_t bytes);

/*
 * page_os_map / page_os_unmap - the only mmap/munmap calls in kmem.
 * page_os_map returns @size bytes (a multiple of PAGE_SIZE) aligned to
 * @align (a power of two >= PAGE_SIZE), readable and writable, or NULL.
 * page_os_protect makes a page-aligned range inaccessible (guard pages).
 */
__hidden void *page_os_map(size_t size, size_t align);
__hidden void page_os_unmap(void *addr, size_t size);
__hidden int page_os_protect_none(void *addr, size_t size);

/*
 * page_register_reclaim - call @fn when an allocation that may block cannot
 * be served; @fn frees what it can and returns the number of pages freed.
 * Called without page-layer locks held.  At most a handful of callbacks.
 */
typedef unsigned long (*page_reclaim_fn)(void);
__hidden void page_register_reclaim(page_reclaim_fn fn);

/*
 * Owners of block types (slab/ for PG_slab, mm/ for PG_heap and PG_large)
 * register how to free and measure one of their objects, so that generic
 * paths such as kfree() and ksize() dispatch on the head page's type without
 * the page layer, or each other, linking against the owner's internals.
 */
struct page_owner_ops {
	void (*free)(struct page *head, void *obj);	    /* kfree() of @obj */
	size_t (*size)(struct page *head, const void *obj); /* ksize() of @obj */
};
__hidden void page_set_owner_ops(enum pageflags type, const struct page_owner_ops *ops);
__hidden extern const struct page_owner_ops *page_owner_table[__NR_PAGEFLAGS];

static inline const struct page_owner_ops *page_owner_ops(enum pageflags type)
{
	return __atomic_load_n(&page_owner_table[type], __ATOMIC_ACQUIRE);
}

/* page_check - the page layer's part of kmem_check(). */
__hidden int page_check(void);

#endif /* KMEM_PAGE_PAGE_H */
