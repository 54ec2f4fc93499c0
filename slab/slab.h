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

#include "lib/core.h"

/*
 * slab_check_all - the slab layer's part of kmem_check(): every cache's
 * lists, counts and free lists, and every thread cache.  Call it when no
 * other thread allocates.  Returns 0, or -1 after reporting the first
 * broken invariant.
 */
__hidden int slab_check_all(void);

#endif /* KMEM_SLAB_SLAB_H */
