/* SPDX-License-Identifier: MIT */
/*
 * kmem/export.h - symbol visibility and function attributes for the API.
 *
 * The library is built with -fvisibility=hidden; only declarations marked
 * KMEM_API are exported from libkmem.so.
 *
 * Every public header is valid C11 and C++11 (and later), and defines no
 * macro outside the kernel API names kmem implements and the KMEM_ prefix:
 * test/headers/macros.allow lists them and `make check` holds the headers to
 * it.
 */
#ifndef KMEM_EXPORT_H
#define KMEM_EXPORT_H

#define KMEM_API __attribute__((visibility("default")))

#define KMEM_MUST_CHECK __attribute__((warn_unused_result))
/* The result aliases no other pointer (the plain malloc attribute). */
#define KMEM_MALLOC __attribute__((malloc))
/* The result has as many bytes as argument n (times argument m). */
#define KMEM_ALLOC_SIZE(...) __attribute__((alloc_size(__VA_ARGS__)))

/*
 * KMEM_DEALLOC(f, i): f, given the pointer as its argument i, releases what
 * the function returns.  gcc 11 and later then diagnose a release by any
 * other function (-Wmismatched-dealloc, e.g. free(kmalloc(...))), a use
 * after release (-Wuse-after-free) and the release of memory no allocator
 * returned (-Wfree-nonheap-object).  Clang does not know the two-argument
 * form of the malloc attribute.
 */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#define KMEM_DEALLOC(f, i) __attribute__((malloc(f, i)))
#else
#define KMEM_DEALLOC(f, i)
#endif

#ifdef __cplusplus
#define KMEM_STATIC_ASSERT(expr, msg) static_assert(expr, msg)
#define KMEM_BEGIN_DECLS extern "C" {
#define KMEM_END_DECLS }
#else
#define KMEM_STATIC_ASSERT(expr, msg) _Static_assert(expr, msg)
#define KMEM_BEGIN_DECLS
#define KMEM_END_DECLS
#endif

#endif /* KMEM_EXPORT_H */
