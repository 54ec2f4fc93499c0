// SPDX-License-Identifier: MIT
/*
 * mm/util.c - helpers built on kmalloc(), as in the kernel's mm/util.c:
 * kmemdup() and the string duplicates, and kvmalloc(), which falls back to
 * vmalloc() when kmalloc() cannot serve a request.
 */
#include <stdint.h>
#include <string.h>

#include <kmem/kmalloc.h>
#include <kmem/vmalloc.h>

#include "mm/internal.h"
#include "page/page.h"

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p && len)
		memcpy(p, src, len);
	return p;
}

char *kmemdup_nul(const char *s, size_t len, gfp_t gfp)
{
	char *p;

	if (!s || len == SIZE_MAX)
		return NULL;
	p = kmalloc(len + 1, gfp);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? kmemdup_nul(s, strlen(s), gfp) : NULL;
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	return s ? kmemdup_nul(s, strnlen(s, max), gfp) : NULL;
}

/* The kernel's kmalloc_gfp_adjust(): no warnings or long retries above a page. */
static gfp_t kvmalloc_kmalloc_gfp(gfp_t flags, size_t size)
{
	if (size > PAGE_SIZE) {
		flags |= __GFP_NOWARN;
		if (!(flags & __GFP_RETRY_MAYFAIL))
			flags |= __GFP_NORETRY;
		flags &= ~__GFP_NOFAIL;
	}
	return flags;
}

void *kvmalloc(size_t size, gfp_t flags)
{
	void *p = NULL;

	if (size <= KMALLOC_MAX_SIZE) {
		p = kmalloc(size, kvmalloc_kmalloc_gfp(flags, size));
		if (p || size <= PAGE_SIZE)
			return p;
	}
	if (!gfpflags_allow_blocking(flags))
		return NULL;
	if (unlikely(size > INT32_MAX)) {
		if (!(flags & __GFP_NOWARN))
			kmem_warn("kvmalloc: %zu bytes is more than INT_MAX", size);
		return NULL;
	}
	return __vmalloc(size, flags);
}

void kvfree(const void *addr)
{
	if (ZERO_OR_NULL_PTR(addr))
		return;
	if (!__virt_to_page(addr) && is_vmalloc_addr(addr))
		vfree(addr);
	else
		kfree(addr);
}

void kvfree_sensitive(const void *addr, size_t len)
{
	if (ZERO_OR_NULL_PTR(addr))
		return;
	explicit_bzero((void *)addr, len);
	kvfree(addr);
}

/*
 * A block that is neither kmem's vmalloc area nor a live kmalloc block is
 * refused (NULL, after the report), as krealloc() refuses it: a new block
 * would hand the caller memory it believes holds its data.
 */
void *kvrealloc(const void *p, size_t size, gfp_t flags)
{
	struct kheap *arena;
	size_t old;
	void *n;

	if (ZERO_OR_NULL_PTR(p))
		return kvmalloc(size, flags);
	if (!__virt_to_page(p) && is_vmalloc_addr(p)) {
		if (!size) {
			vfree(p);
			return ZERO_SIZE_PTR;
		}
		return vrealloc(p, size, flags);
	}
	if (!size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	old = kmalloc_block_size(p, "kvrealloc", &arena);
	if (!old)
		return NULL;
	if (size <= KMALLOC_MAX_SIZE) {
		n = kmalloc_resize(p, old, arena, size, kvmalloc_kmalloc_gfp(flags, size));
		if (n || size <= PAGE_SIZE)
			return n;
	}
	n = kvmalloc(size, flags);
	if (!n)
		return NULL;
	memcpy(n, p, old < size ? old : size);
	kfree(p);
	return n;
}
