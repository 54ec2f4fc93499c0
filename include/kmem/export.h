/* SPDX-License-Identifier: MIT */
/*
 * kmem/export.h - symbol visibility and function attributes for the API.
 *
 * The library is built with -fvisibility=hidden; only declarations marked
 * KMEM_API are exported from libkmem.so.
 */
#ifndef KMEM_EXPORT_H
#define KMEM_EXPORT_H

#define KMEM_API __attribute__((visibility("default")))

#define __kmem_malloc __attribute__((malloc))
#define __kmem_must_check __attribute__((warn_unused_result))
#define __kmem_alloc_size(n) __attribute__((alloc_size(n)))
#define __kmem_alloc_size2(n, m) __attribute__((alloc_size(n, m)))

#ifdef __cplusplus
#define KMEM_BEGIN_DECLS extern "C" {
#define KMEM_END_DECLS }
#else
#define KMEM_BEGIN_DECLS
#define KMEM_END_DECLS
#endif

#endif /* KMEM_EXPORT_H */
