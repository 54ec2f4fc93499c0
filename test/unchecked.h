/* SPDX-License-Identifier: MIT */
/*
 * test/unchecked.h - deliberate misuse in tests, hidden from the tools.
 *
 * kmem tells valgrind and ASan which of its bytes a program may touch, so
 * a test that writes a red zone or reads a freed object on purpose would
 * be reported by them under `make valgrind` or SANITIZE=address.  Tests
 * touch such bytes through peek()/poke() and bracket misused calls (double
 * frees, bad pointers) with misuse_begin()/misuse_end().
 */
#ifndef KMEM_TEST_UNCHECKED_H
#define KMEM_TEST_UNCHECKED_H

#include <stddef.h>

#if defined(__has_include) && !defined(__SANITIZE_ADDRESS__)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define TEST_VALGRIND 1
#endif
#endif

#ifdef __SANITIZE_ADDRESS__
#define __test_unchecked __attribute__((unused, no_sanitize_address))
#else
#define __test_unchecked __attribute__((unused))
#endif

static inline int under_valgrind(void)
{
#ifdef TEST_VALGRIND
	return RUNNING_ON_VALGRIND != 0;
#else
	return 0;
#endif
}

static inline void misuse_begin(void)
{
#ifdef TEST_VALGRIND
	VALGRIND_DISABLE_ERROR_REPORTING;
#endif
}

static inline void misuse_end(void)
{
#ifdef TEST_VALGRIND
	VALGRIND_ENABLE_ERROR_REPORTING;
#endif
}

/* The kernel's OPTIMIZER_HIDE_VAR(): the compiler may not reason about @p's bounds. */
#define hide_pointer(p) __asm__("" : "+r"(p))

/*
 * @size, unknown to the compiler: kmalloc() of a constant size is compiled
 * to its class, so kmem would not see the size asked for.
 */
static inline size_t runtime_size(size_t size)
{
	__asm__("" : "+r"(size));
	return size;
}

static __test_unchecked unsigned char peek(const void *p)
{
	unsigned char v;

	hide_pointer(p);
	misuse_begin();
	v = *(const volatile unsigned char *)p;
	misuse_end();
	return v;
}

static __test_unchecked void poke(void *p, unsigned char v)
{
	hide_pointer(p);
	misuse_begin();
	*(volatile unsigned char *)p = v;
	misuse_end();
}

static __test_unchecked void poke_word(void *p, unsigned long v)
{
	hide_pointer(p);
	misuse_begin();
	*(volatile unsigned long *)p = v;
	misuse_end();
}

static __test_unchecked unsigned long peek_word(const void *p)
{
	unsigned long v;

	hide_pointer(p);
	misuse_begin();
	v = *(const volatile unsigned long *)p;
	misuse_end();
	return v;
}

/* Whether the @len bytes at @p all hold @value. */
static __test_unchecked int peek_all(const void *p, size_t len, unsigned char value)
{
	int all = 1;

	for (size_t i = 0; i < len && all; i++)
		all = peek((const char *)p + i) == value;
	return all;
}

#endif /* KMEM_TEST_UNCHECKED_H */
