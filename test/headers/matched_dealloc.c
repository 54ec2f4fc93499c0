// SPDX-License-Identifier: MIT
/*
 * test/headers/matched_dealloc.c - memory released by a function the kernel
 * allows for it.
 *
 * Compiled only, with -Werror: the KMEM_DEALLOC attributes must accept every
 * pairing below (the counterpart of mismatched_dealloc.c).
 */
#include <kmem/kmem.h>

void kmalloc_pairs(void);
void cache_pairs(struct kmem_cache *s);
void kvmalloc_pairs(void);
void vmalloc_pairs(void);
void page_pairs(void);

void kmalloc_pairs(void)
{
	void *p = kmalloc(16, GFP_KERNEL);

	p = krealloc(p, 32, GFP_KERNEL);
	kfree(p);
	kvfree(kmalloc(16, GFP_KERNEL));
	kfree_sensitive(kzalloc(16, GFP_KERNEL));
	kvfree_sensitive(kstrdup("secret", GFP_KERNEL), 7);
	kfree(kmemdup("abc", 4, GFP_KERNEL));
	kfree_rcu_mightsleep(kcalloc(4, 8, GFP_KERNEL));
}

void cache_pairs(struct kmem_cache *s)
{
	kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
	kfree(kmem_cache_alloc(s, GFP_KERNEL));
	kvfree(kmem_cache_zalloc(s, GFP_KERNEL));
}

void kvmalloc_pairs(void)
{
	void *p = kvmalloc(16, GFP_KERNEL);

	p = kvrealloc(p, 1 << 24, GFP_KERNEL);
	kvfree(p);
	kvfree_sensitive(kvzalloc(16, GFP_KERNEL), 16);
}

void vmalloc_pairs(void)
{
	void *p = vmalloc(16);

	p = vrealloc(p, 32, GFP_KERNEL);
	vfree(p);
	kvfree(vzalloc(16));
}

void page_pairs(void)
{
	free_pages_exact(alloc_pages_exact(3 * PAGE_SIZE, GFP_KERNEL), 3 * PAGE_SIZE);
}
