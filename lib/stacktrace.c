// SPDX-License-Identifier: MIT
/*
 * lib/stacktrace.c - stack capture with backtrace(3), names with dladdr1(3).
 *
 * glibc's backtrace() dlopen()s libgcc_s on its first call, which calls
 * malloc, which under the malloc shim is kmem again.  So the first call is
 * made early where no lock is held (kmem_stack_prepare(), also from a
 * constructor when the environment asks for stacks), and a thread that is
 * already inside the unwinder gets no stack instead of recursing.
 */
#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/stacktrace.h"

/* Enough for kmem's own frames above the first one a report shows. */
#define UNWIND_FRAMES 64

static __thread bool in_unwinder __tls_ie;
static bool unwinder_ready;

void kmem_stack_prepare(void)
{
	void *frame;

	if (__atomic_load_n(&unwinder_ready, __ATOMIC_ACQUIRE) || in_unwinder)
		return;
	in_unwinder = true;
	backtrace(&frame, 1);
	in_unwinder = false;
	__atomic_store_n(&unwinder_ready, true, __ATOMIC_RELEASE);
}

/* Programs that ask for stacks in the environment get the unwinder at load. */
__attribute__((constructor)) static void stack_prepare_for_env(void)
{
	const char *debug = getenv("KMEM_SLAB_DEBUG");
	const char *leaks = getenv("KMEM_LEAK_CHECK");

	if ((debug && *debug) || (leaks && *leaks && strcmp(leaks, "0") != 0))
		kmem_stack_prepare();
}

unsigned int kmem_stack_save(void **frames, unsigned int max, const void *from)
{
	void *all[UNWIND_FRAMES];
	unsigned int first = 1, n;
	int got;

	if (in_unwinder)
		return 0;
	in_unwinder = true;
	got = backtrace(all, UNWIND_FRAMES);
	in_unwinder = false;
	__atomic_store_n(&unwinder_ready, true, __ATOMIC_RELEASE);
	if (got <= 0)
		return 0;
	for (unsigned int i = 1; i < (unsigned int)got; i++) {
		if (all[i] == from) {
			first = i;
			break;
		}
	}
	n = (unsigned int)got - first < max ? (unsigned int)got - first : max;
	memcpy(frames, all + first, n * sizeof(void *));
	return n;
}

static const char *basename_of(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path && *path ? path : "?";
}

size_t kmem_symbolize(char *buf, size_t len, const void *addr)
{
	/* A return address: the call is the byte before it. */
	const char *lookup = addr ? (const char *)addr - 1 : NULL;
	const ElfW(Sym) *sym = NULL;
	Dl_info info;
	int n;

	if (!lookup || !dladdr1(lookup, &info, (void **)&sym, RTLD_DL_SYMENT))
		n = snprintf(buf, len, "%p", addr);
	else if (info.dli_sname && info.dli_saddr)
		n = snprintf(buf, len, "%s+%#lx/%#lx [%s]", info.dli_sname,
			     (unsigned long)((const char *)addr - (const char *)info.dli_saddr),
			     sym ? (unsigned long)sym->st_size : 0UL, basename_of(info.dli_fname));
	else
		n = snprintf(buf, len, "%p [%s+%#lx]", addr, basename_of(info.dli_fname),
			     (unsigned long)((const char *)addr - (const char *)info.dli_fbase));
	if (n < 0)
		n = 0;
	return (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
}
