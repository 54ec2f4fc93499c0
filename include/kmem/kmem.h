/* SPDX-License-Identifier: MIT */
/*
 * kmem/kmem.h - everything kmem exports, in one include.
 */
#ifndef KMEM_KMEM_H
#define KMEM_KMEM_H

#include <kmem/version.h>
#include <kmem/gfp.h>
#include <kmem/mm.h>
#include <kmem/debug.h>
#include <kmem/stats.h>
#include <kmem/slab.h>
#include <kmem/kmalloc.h>
#include <kmem/vmalloc.h>
#include <kmem/mempool.h>
#include <kmem/heap.h>
#include <kmem/testing.h>

#endif /* KMEM_KMEM_H */
