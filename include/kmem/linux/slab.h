/* SPDX-License-Identifier: MIT */
/*
 * kmem/linux/slab.h - <linux/slab.h> for kernel code built in userspace,
 * served by kmem.
 *
 * Kernel code says #include <linux/slab.h>.  With kmem's include/kmem
 * directory ahead of the kernel's (or the kernel's tools/include) on the
 * include path,
 *
 *   cc -I$(prefix)/include/kmem -I$(prefix)/include -I<kernel>/tools/include ...
 *
 * this header answers that name and gives the kernel's slab API with the
 * kernel's signatures: kmem_cache_create() in both forms, kmem_cache_alloc()
 * and its _lru, _node and bulk variants, kmalloc() and the kmalloc family,
 * kfree(), slab_is_available() and the SLAB_* flags with the kernel's
 * values.  The kernel's own <linux/types.h> and <linux/gfp.h> (or the
 * tools' copies) come first, so gfp_t and the __GFP_* flags are theirs;
 * kmem checks at compile time that the flags it acts on agree.
 *
 * The test harness of tools/testing (radix-tree, vma) needs more than this
 * header: its hooks and counters are in libkmem-ktest
 * (Documentation/kernel-compat.rst).
 */
#ifndef KMEM_LINUX_SLAB_H
#define KMEM_LINUX_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <kmem/slab.h>
#include <kmem/kmalloc.h>

/* How far the slab allocator has come up at boot; kmem is always UP. */
enum slab_state { DOWN, PARTIAL, UP, FULL };

#endif /* KMEM_LINUX_SLAB_H */
