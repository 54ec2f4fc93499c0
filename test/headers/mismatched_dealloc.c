// SPDX-License-Identifier: MIT
/*
 * test/headers/mismatched_dealloc.c - memory released by the wrong function.
 *
 * Compiled only, with gcc 11 or later: every function below must draw one
 * -Wmismatched-dealloc warning, thanks to the KMEM_DEALLOC attributes.
 */
#include <stdlib.h>
#include <kmem/kmem.h>

void libc_free_of_kmalloc(void);
void libc_free_of_cache_object(struct kmem_cache *s);
void kfree_of_kvmalloc(void);
void kfree_of_vmalloc(void);
void vfree_of_kmalloc(void);
void cache_free_of_kmalloc(struct kmem_cache *s);
void free_pages_exact_of_kmalloc(void);

void libc_free_of_kmalloc(void)
{
	free(kmalloc(16, GFP_KERNEL));
}

void libc_free_of_cache_object(struct kmem_cache *s)
{
	free(kmem_cache_alloc(s, GFP_KERNEL));
}

void kfree_of_kvmalloc(void)
{
	kfree(kvmalloc(16, GFP_KERNEL));
}

void kfree_of_vmalloc(void)
{
	kfree(vmalloc(16));
}

void vfree_of_kmalloc(void)
{
	vfree(kmalloc(16, GFP_KERNEL));
}

void cache_free_of_kmalloc(struct kmem_cache *s)
{
	kmem_cache_free(s, kmalloc(16, GFP_KERNEL));
}

void free_pages_exact_of_kmalloc(void)
{
	free_pages_exact(kmalloc(16, GFP_KERNEL), 16);
}
