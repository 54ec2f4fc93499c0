/* SPDX-License-Identifier: MIT */
/*
 * slab/slab.h - the slab layer's narrow interface to the rest of kmem.
 *
 * kfree()/ksize() of cache objects go through the page owner table
 * (page_owner_ops(PG_slab)), registered at slab initialisation; kmem_check()
 * calls slab_check_all().
 */
#ifndef KMEM_SLAB_SLAB_H
#define KMEM_SLAB_SLAB_H

#include <kmem/gfp.h>
#include "lib/core.h"

struct kmem_cache;
struct page;

/*
 * slab_create_kmalloc_cache - create the kmalloc cache @name for objects of
 * @size bytes, aligned to the largest power of two dividing @size (the
 * kernel's rule, so that power-of-two kmalloc sizes are naturally aligned).
 * NULL when memory is short; the caller retries later.
 */
__hidden struct kmem_cache *slab_create_kmalloc_cache(const char *name, unsigned int size);

/*
 * kmem_cache_alloc() for kmalloc: @size is the request (debug caches check
 * the bytes behind it, valgrind and ASan see exactly it), @caller is
 * recorded as the allocating caller.
 */
__hidden void *slab_alloc_object(struct kmem_cache *s, gfp_t gfp, size_t size, void *caller);

/*
 * krealloc() within the object: from now on the program uses @size bytes
 * (at most the object size) of the kmalloc object @object in the slab @head.
 */
__hidden void slab_object_resize(struct page *head, void *object, size_t size);

/* kfree() of @object, whose block's head page @head has PG_slab. */
__hidden void slab_free_object(struct page *head, void *object, void *caller);

/*
 * slab_shrink_all - every thread's cached objects, every barn and every
 * empty slab back to the page allocator (kmem_kmalloc_drain()).
 */
__hidden void slab_shrink_all(void);

/*
 * slab_check_all - the slab layer's part of kmem_check(): every cache's
 * lists, counts and free lists, and every thread cache.  Call it when no
 * other thread allocates.  Returns 0, or -1 after reporting the first
 * broken invariant.
 */
__hidden int slab_check_all(void);

#endif /* KMEM_SLAB_SLAB_H */
