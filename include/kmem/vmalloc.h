/* SPDX-License-Identifier: MIT */
/*
 * kmem/vmalloc.h - virtually contiguous allocations mapped page by page.
 *
 * vmalloc() maps each allocation directly from the OS, rounded up to whole
 * pages, with an inaccessible guard page on each side: running off either
 * end faults (SIGSEGV) instead of corrupting a neighbour.  Use it for sizes
 * beyond KMALLOC_MAX_SIZE, or through kvmalloc() for sizes that merely might
 * be; each call costs system calls, so it is not for small or hot
 * allocations.  The pages count against kmem_set_mem_limit().
 */
#ifndef KMEM_VMALLOC_H
#define KMEM_VMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <kmem/export.h>
#include <kmem/gfp.h>
#include <kmem/kmalloc.h>

KMEM_BEGIN_DECLS

/**
 * vfree - free memory from vmalloc()
 * @addr: the address vmalloc() returned; NULL is ignored
 *
 * Unmaps the memory and its guard pages.  An address that is not the start
 * of a live vmalloc area is reported ("BUG: vmalloc: ...").
 */
KMEM_API void vfree(const void *addr);

/* Memory that vfree() releases, and the kvfree() family with it. */
#define KMEM_VFREED KMEM_KVFREED KMEM_DEALLOC(vfree, 1)

/**
 * vmalloc - allocate @size bytes of virtually contiguous memory
 * @size: bytes wanted; rounded up to whole pages
 *
 * Return: page-aligned memory (free with vfree()), or NULL when @size is 0,
 * the memory limit would be passed or the OS refuses; failures other than
 * size 0 are warned about on stderr.
 * Context: any thread; may block in mmap.
 */
KMEM_API void *vmalloc(size_t size) KMEM_MALLOC KMEM_VFREED KMEM_ALLOC_SIZE(1) KMEM_MUST_CHECK;

/** vzalloc - vmalloc() of zeroed memory (fresh mappings are zero anyway). */
KMEM_API void *vzalloc(size_t size) KMEM_MALLOC KMEM_VFREED KMEM_ALLOC_SIZE(1) KMEM_MUST_CHECK;

/**
 * __vmalloc - vmalloc() with GFP flags
 * @size: bytes wanted
 * @gfp: __GFP_ZERO, __GFP_NOWARN and __GFP_NOFAIL are honoured; without
 *       __GFP_DIRECT_RECLAIM the call fails (vmalloc may block, as in the
 *       kernel) unless no memory limit is set
 *
 * Return: as vmalloc().
 */
KMEM_API void *__vmalloc(size_t size, gfp_t gfp) KMEM_MALLOC KMEM_VFREED
	KMEM_ALLOC_SIZE(1) KMEM_MUST_CHECK;

/** vmalloc_array - vmalloc() of @n * @size bytes; NULL on overflow. */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1, 2) void *vmalloc_array(size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return vmalloc(bytes);
}

/** vcalloc - zeroed vmalloc_array(). */
static inline KMEM_MUST_CHECK KMEM_ALLOC_SIZE(1, 2) void *vcalloc(size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return vzalloc(bytes);
}

/**
 * vrealloc - resize a vmalloc() area, keeping its contents
 * @p: the area, or NULL to allocate anew
 * @size: the new size; 0 frees @p and returns NULL
 * @gfp: as for __vmalloc(); with __GFP_ZERO grown bytes are zero
 *
 * Stays in place while @size fits the area's pages; otherwise maps a new
 * area, copies and unmaps the old one.
 *
 * Return: the area, or NULL on failure (@p is then untouched).
 */
KMEM_API void *vrealloc(const void *p, size_t size, gfp_t gfp) KMEM_VFREED
	KMEM_ALLOC_SIZE(2) KMEM_MUST_CHECK;

/**
 * is_vmalloc_addr - is @addr inside a live vmalloc area?
 * @addr: any address (guard pages do not count)
 *
 * O(log n) in the number of live areas, under a reader lock.
 */
KMEM_API bool is_vmalloc_addr(const void *addr);

/**
 * vmalloc_size - usable bytes of the vmalloc area starting at @addr
 * @addr: an address vmalloc() returned
 *
 * Return: the page-rounded size, or 0 when @addr starts no vmalloc area.
 */
KMEM_API size_t vmalloc_size(const void *addr);

KMEM_END_DECLS

#endif /* KMEM_VMALLOC_H */
