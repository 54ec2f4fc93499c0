// SPDX-License-Identifier: MIT
/*
 * lib/shadow.c - the run-time half of lib/shadow.h: whether valgrind runs
 * the program, and ASan's heap classes for poisoned bytes.
 */
#include "lib/shadow.h"

signed char kmem_valgrind_state = -1;

/*
 * Only memcheck reads the annotations: under callgrind, helgrind or DRD
 * kmem runs as it does natively.  Memcheck answers its own client requests
 * with -1, other tools leave the default 0.
 */
bool shadow_detect_valgrind(void)
{
#if KMEM_VALGRIND
	static char probe;
	signed char state = RUNNING_ON_VALGRIND && (long)VALGRIND_MAKE_MEM_DEFINED(&probe, 1) == -1;
#else
	signed char state = 0;
#endif

	__atomic_store_n(&kmem_valgrind_state, state, __ATOMIC_RELAXED);
	return state;
}

/* Valgrind runs the program from its first instruction: load time is early enough. */
__attribute__((constructor)) static void detect_valgrind_at_load(void)
{
	shadow_detect_valgrind();
}

#if KMEM_VALGRIND
uintptr_t shadow_quiet_load(const void *p)
{
	uintptr_t v;

	shadow_quiet_begin();
	v = __atomic_load_n((const uintptr_t *)p, __ATOMIC_RELAXED);
	shadow_quiet_end();
	/*
	 * A bad pointer makes the word payload bytes the program never wrote:
	 * the checks that follow decide on it, memcheck must not.
	 */
	VALGRIND_MAKE_MEM_DEFINED(&v, sizeof(v));
	return v;
}

void shadow_quiet_store(void *p, uintptr_t v)
{
	shadow_quiet_begin();
	*(volatile uintptr_t *)p = v;
	shadow_quiet_end();
}
#endif

#if KMEM_ASAN
#define ASAN_GRANULE 8UL

/*
 * ASan's shadow is not itself addressable memory in ASan's eyes (its
 * shadow is the protected gap), so it is written here uninstrumented and
 * byte by byte: a memset() call would be intercepted and checked.
 */
__attribute__((no_sanitize_address)) void shadow_asan_poison(const void *p, size_t n,
							     unsigned char magic)
{
	/* Every thread computes the same values; scale is published last. */
	static size_t scale, offset;
	uintptr_t beg = align_up((uintptr_t)p, ASAN_GRANULE);
	uintptr_t end = ((uintptr_t)p + n) & ~(ASAN_GRANULE - 1);
	size_t sc = __atomic_load_n(&scale, __ATOMIC_ACQUIRE);
	size_t off = __atomic_load_n(&offset, __ATOMIC_RELAXED);

	__asan_poison_memory_region(p, n);
	if (!sc) {
		__asan_get_shadow_mapping(&sc, &off);
		__atomic_store_n(&offset, off, __ATOMIC_RELAXED);
		__atomic_store_n(&scale, sc, __ATOMIC_RELEASE);
	}
	for (uintptr_t a = beg; a < end; a += ASAN_GRANULE)
		*(volatile unsigned char *)((a >> sc) + off) = magic;
}

#define __unchecked __attribute__((no_sanitize_address, noinline))

__unchecked uintptr_t shadow_asan_load(const void *p)
{
	return *(const volatile uintptr_t *)p;
}

__unchecked void shadow_asan_store(void *p, uintptr_t v)
{
	*(volatile uintptr_t *)p = v;
}

/* Byte loops through volatile pointers: the compiler must not make them calls. */
__unchecked void shadow_asan_fill(void *p, int c, size_t n)
{
	volatile unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)c;
}

__unchecked void shadow_asan_copy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

__unchecked size_t shadow_asan_mismatch(const void *p, int c, size_t n)
{
	const volatile unsigned char *b = p;
	size_t i;

	for (i = 0; i < n && b[i] == (unsigned char)c; i++)
		;
	return i;
}
#endif
