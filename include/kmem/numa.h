/* SPDX-License-Identifier: MIT */
/*
 * kmem/numa.h - memory nodes.
 *
 * kmem has one memory node, node 0: all the memory it hands out comes from
 * regions it maps from the OS, which places their pages as its NUMA policy
 * for the process says.  The _node variants of the allocation functions
 * (alloc_pages_node(), kmem_cache_alloc_node(), kmalloc_node(),
 * kzalloc_node(), kmalloc_array_node(), kcalloc_node(), kvmalloc_node(),
 * kvzalloc_node()) exist so that kernel code compiles unchanged: whatever
 * the node, NUMA_NO_NODE included, they behave exactly like the plain call.
 */
#ifndef KMEM_NUMA_H
#define KMEM_NUMA_H

/* "No preference": the kernel's value, unless its <linux/numa.h> came first. */
#ifndef NUMA_NO_NODE
#define NUMA_NO_NODE (-1)
#endif

#endif /* KMEM_NUMA_H */
