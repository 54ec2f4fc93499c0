/* SPDX-License-Identifier: MIT */
/*
 * lib/shadow.h - telling valgrind's memcheck and AddressSanitizer which of
 * kmem's bytes a program may touch, so that they report use-after-free,
 * overflows, uninitialised reads and leaks of kmem's objects as they do for
 * malloc's.
 *
 * Every layer describes its blocks with the same few calls:
 *   shadow_alloc()	a block is handed to the program (memcheck: a heap
 *			block, its leaks are reported; ASan: addressable)
 *   shadow_free()	the program gave it back (memcheck: freed block;
 *			ASan: heap-use-after-free on access)
 *   shadow_resize()	the program may now use more or fewer bytes of it
 *   shadow_redzone()	bytes around or behind a block nobody may touch
 *			(ASan: heap-buffer-overflow on access)
 *   shadow_noaccess()	free pages
 *   shadow_undefined()	memory kmem takes for itself and will initialise
 * and reads or writes the bytes it keeps from the program (free objects,
 * red zones, metadata) with guarded_load() and friends, which neither tool
 * reports, so the shadow state changes only when a block changes hands.
 *
 * ASan builds (__SANITIZE_ADDRESS__) always annotate.  Other builds
 * annotate for memcheck when <valgrind/memcheck.h> was present at build
 * time and the program runs under valgrind's memcheck: shadow_watched() is
 * one load of a flag detected once (RUNNING_ON_VALGRIND and a memcheck
 * request), so the cost outside memcheck is a predictable branch.
 */
#ifndef KMEM_LIB_SHADOW_H
#define KMEM_LIB_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "lib/core.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define KMEM_ASAN 1
#else
#define KMEM_ASAN 0
#endif

#if !KMEM_ASAN && defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define KMEM_VALGRIND 1
#endif
#endif
#ifndef KMEM_VALGRIND
#define KMEM_VALGRIND 0
#endif

/*
 * Whether the program runs under valgrind's memcheck: -1 until the first
 * question (from a constructor, or from whatever allocates first), then 0
 * or 1.
 */
__hidden extern signed char kmem_valgrind_state;
__hidden bool shadow_detect_valgrind(void);

/* Whether a tool watches kmem's memory: constant in ASan builds. */
static inline bool shadow_watched(void)
{
#if KMEM_ASAN
	return true;
#elif KMEM_VALGRIND
	signed char state = __atomic_load_n(&kmem_valgrind_state, __ATOMIC_RELAXED);

	if (likely(!state))
		return false;
	return state > 0 || shadow_detect_valgrind();
#else
	return false;
#endif
}

#if KMEM_ASAN
/* ASan's classes of poisoned bytes (its shadow byte values). */
#define ASAN_HEAP_REDZONE 0xfa
#define ASAN_HEAP_FREED 0xfd
/*
 * Poison [p, p + n) so that ASan calls an access to it @magic: its public
 * interface poisons as "use-after-poison"; the whole granules inside are
 * then given the heap class, as ASan's own allocator does.
 */
__hidden void shadow_asan_poison(const void *p, size_t n, unsigned char magic);
#endif

/*
 * @p is handed to the program, @size usable bytes of the @total it spans:
 * the rest is a red zone.  @defined: its contents count as initialised
 * (constructed objects).
 */
static inline void shadow_alloc(const void *p, size_t size, size_t total, bool defined)
{
#if KMEM_ASAN
	(void)defined;
	__asan_unpoison_memory_region(p, size);
	if (total > size)
		shadow_asan_poison((const char *)p + size, total - size, ASAN_HEAP_REDZONE);
#elif KMEM_VALGRIND
	if (shadow_watched()) {
		VALGRIND_MALLOCLIKE_BLOCK(p, size, 0, defined);
		if (total > size)
			VALGRIND_MAKE_MEM_NOACCESS((const char *)p + size, total - size);
	}
#else
	(void)p, (void)size, (void)total, (void)defined;
#endif
}

/* The program gave back the block at @p, which spans @size bytes. */
static inline void shadow_free(const void *p, size_t size)
{
#if KMEM_ASAN
	shadow_asan_poison(p, size, ASAN_HEAP_FREED);
#elif KMEM_VALGRIND
	(void)size;
	if (shadow_watched())
		VALGRIND_FREELIKE_BLOCK(p, 0);
#else
	(void)p, (void)size;
#endif
}

/* Bytes next to a block that nobody may touch. */
static inline void shadow_redzone(const void *p, size_t size)
{
#if KMEM_ASAN
	shadow_asan_poison(p, size, ASAN_HEAP_REDZONE);
#elif KMEM_VALGRIND
	if (shadow_watched())
		VALGRIND_MAKE_MEM_NOACCESS(p, size);
#else
	(void)p, (void)size;
#endif
}

/*
 * The program's block at @p now has @new_size usable bytes (it had
 * @old_size).  @defined: bytes it gains count as initialised (what ksize()
 * hands out holds what kmem put there, zeroes for a zeroed block).
 */
static inline void shadow_resize(const void *p, size_t old_size, size_t new_size, bool defined)
{
#if KMEM_ASAN
	(void)defined;
	if (new_size > old_size)
		__asan_unpoison_memory_region((const char *)p + old_size, new_size - old_size);
	else if (new_size < old_size)
		shadow_asan_poison((const char *)p + new_size, old_size - new_size,
				   ASAN_HEAP_REDZONE);
#elif KMEM_VALGRIND
	if (shadow_watched() && new_size != old_size) {
		VALGRIND_RESIZEINPLACE_BLOCK(p, old_size, new_size, 0);
		if (defined && new_size > old_size)
			VALGRIND_MAKE_MEM_DEFINED((const char *)p + old_size, new_size - old_size);
	}
#else
	(void)p, (void)old_size, (void)new_size, (void)defined;
#endif
}

/* Free memory (pages back in the page allocator). */
static inline void shadow_noaccess(const void *p, size_t size)
{
#if KMEM_ASAN
	shadow_asan_poison(p, size, ASAN_HEAP_FREED);
#elif KMEM_VALGRIND
	if (shadow_watched())
		VALGRIND_MAKE_MEM_NOACCESS(p, size);
#else
	(void)p, (void)size;
#endif
}

/* Memory kmem takes for itself (or hands out as pages) and will initialise. */
static inline void shadow_undefined(const void *p, size_t size)
{
#if KMEM_ASAN
	__asan_unpoison_memory_region(p, size);
#elif KMEM_VALGRIND
	if (shadow_watched())
		VALGRIND_MAKE_MEM_UNDEFINED(p, size);
#else
	(void)p, (void)size;
#endif
}

/*
 * How many of the @max bytes at @p the program may use, as the tool
 * tracks it: the size of a block the tool was told about, without kmem
 * keeping it.  @max when no tool watches.
 */
static inline size_t shadow_usable(const void *p, size_t max)
{
#if KMEM_ASAN
	const char *bad = __asan_region_is_poisoned((void *)p, max);

	return bad ? (size_t)(bad - (const char *)p) : max;
#elif KMEM_VALGRIND
	uintptr_t bad = 0;

	if (shadow_watched()) {
		/* The check reports what it finds: not here, where it is the answer. */
		VALGRIND_DISABLE_ERROR_REPORTING;
		bad = VALGRIND_CHECK_MEM_IS_ADDRESSABLE(p, max);
		VALGRIND_ENABLE_ERROR_REPORTING;
	}
	return bad ? bad - (uintptr_t)p : max;
#else
	(void)p;
	return max;
#endif
}

/*
 * A copy kmem made of the program's bytes for a report counts as
 * initialised: printing uninitialised bytes is what a hex dump is for.
 */
static inline void shadow_make_defined(const void *p, size_t size)
{
#if KMEM_VALGRIND
	if (shadow_watched())
		VALGRIND_MAKE_MEM_DEFINED(p, size);
#else
	(void)p, (void)size;
#endif
}

/*
 * Code that walks memory the program may not touch (the heap's free
 * chunks) tells memcheck not to report its own accesses between these two;
 * the memory stays inaccessible to the program.
 */
static inline void shadow_quiet_begin(void)
{
#if KMEM_VALGRIND
	if (shadow_watched())
		VALGRIND_DISABLE_ERROR_REPORTING;
#endif
}

static inline void shadow_quiet_end(void)
{
#if KMEM_VALGRIND
	if (shadow_watched())
		VALGRIND_ENABLE_ERROR_REPORTING;
#endif
}

/*
 * kmem's own accesses to bytes the program may not touch (free objects, red
 * zones, metadata): unchecked by ASan, unreported by memcheck, so the
 * shadow state never has to be opened and closed around them.
 */
#if KMEM_ASAN
__hidden uintptr_t shadow_asan_load(const void *p);
__hidden void shadow_asan_store(void *p, uintptr_t v);
__hidden void shadow_asan_fill(void *p, int c, size_t n);
__hidden size_t shadow_asan_mismatch(const void *p, int c, size_t n);
__hidden void shadow_asan_copy(void *dst, const void *src, size_t n);
#endif

#if KMEM_VALGRIND
__hidden uintptr_t shadow_quiet_load(const void *p);
__hidden void shadow_quiet_store(void *p, uintptr_t v);
#endif

/*
 * One word: a predictable branch when no tool watches, the client requests
 * out of line.  The load is a relaxed atomic: some words (heap chunk
 * headers) change under a lock the reader does not hold.
 */
static inline uintptr_t guarded_load(const void *p)
{
#if KMEM_ASAN
	return shadow_asan_load(p);
#elif KMEM_VALGRIND
	if (unlikely(shadow_watched()))
		return shadow_quiet_load(p);
	return __atomic_load_n((const uintptr_t *)p, __ATOMIC_RELAXED);
#else
	return __atomic_load_n((const uintptr_t *)p, __ATOMIC_RELAXED);
#endif
}

static inline void guarded_store(void *p, uintptr_t v)
{
#if KMEM_ASAN
	shadow_asan_store(p, v);
#elif KMEM_VALGRIND
	if (unlikely(shadow_watched()))
		shadow_quiet_store(p, v);
	else
		*(uintptr_t *)p = v;
#else
	*(uintptr_t *)p = v;
#endif
}

/*
 * Many words, in code that runs between shadow_quiet_begin() and
 * shadow_quiet_end() (free-list walks under a lock): plain accesses outside
 * ASan builds, so the walk costs what it would without the tools.
 */
static inline uintptr_t quiet_load(const void *p)
{
#if KMEM_ASAN
	return shadow_asan_load(p);
#else
	return *(const uintptr_t *)p;
#endif
}

static inline void quiet_store(void *p, uintptr_t v)
{
#if KMEM_ASAN
	shadow_asan_store(p, v);
#else
	*(uintptr_t *)p = v;
#endif
}

static inline void guarded_fill(void *p, int c, size_t n)
{
#if KMEM_ASAN
	shadow_asan_fill(p, c, n);
#else
	shadow_quiet_begin();
	memset(p, c, n);
	shadow_quiet_end();
#endif
}

static inline void guarded_copy(void *dst, const void *src, size_t n)
{
#if KMEM_ASAN
	shadow_asan_copy(dst, src, n);
#else
	shadow_quiet_begin();
	memcpy(dst, src, n);
	shadow_quiet_end();
#endif
}

/* The index of the first of the @n bytes at @p that is not @c, or @n. */
static inline size_t guarded_mismatch(const void *p, int c, size_t n)
{
#if KMEM_ASAN
	return shadow_asan_mismatch(p, c, n);
#else
	const unsigned char *b = p;
	size_t i;

	shadow_quiet_begin();
	for (i = 0; i < n && b[i] == (unsigned char)c; i++)
		;
	shadow_quiet_end();
	return i;
#endif
}

#endif /* KMEM_LIB_SHADOW_H */
