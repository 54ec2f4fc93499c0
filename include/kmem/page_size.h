/* SPDX-License-Identifier: MIT */
/*
 * kmem/page_size.h - the page size and the largest block order, for headers
 * that size things in pages without needing struct page (kmem/mm.h).
 */
#ifndef KMEM_PAGE_SIZE_H
#define KMEM_PAGE_SIZE_H

#define KMEM_PAGE_SHIFT 12
#define KMEM_PAGE_SIZE (1UL << KMEM_PAGE_SHIFT)
/* Largest buddy order, inclusive: blocks of 2^10 pages (4 MiB). */
#define KMEM_MAX_PAGE_ORDER 10

#endif /* KMEM_PAGE_SIZE_H */
