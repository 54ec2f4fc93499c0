// SPDX-License-Identifier: MIT
/*
 * mm/shim/malloc.c - the C allocation API on kmem, for libkmem-malloc.so.
 *
 * Loaded with LD_PRELOAD (or linked), this routes malloc and friends to
 * kmalloc, so unmodified programs run on kmem.  The semantics are C's
 * and glibc's, not the kernel's: malloc(0) returns a unique pointer,
 * failures set errno to ENOMEM, realloc(p, 0) frees p and returns NULL as
 * glibc does, posix_memalign reports EINVAL for a bad alignment.
 *
 * Routing: kmalloc's (kmalloc-N slab caches up to 8 KiB, the kmalloc heap
 * and naturally aligned pages up to KMALLOC_MAX_SIZE), with requests below
 * 16 bytes rounded up to 16 so that every pointer has malloc's 16-byte
 * alignment; beyond KMALLOC_MAX_SIZE a vmalloc area, with no size cap but
 * the memory itself (malloc(3 GiB) works as in glibc).  Larger alignments
 * go to kmalloc_aligned() (any power of two up to 4 MiB); a block beyond
 * KMALLOC_MAX_SIZE aligned to at most a page is a vmalloc area, which
 * starts on a page.
 * free() is kvfree(): a pointer kmem did not hand out is reported as
 * "BUG: kmalloc: free(...)" and the process aborts instead of corrupting
 * the heap.  Every entry point tells kmem which call it is in and who
 * called it (lib/core.h's kmem_api_call), so reports name the malloc call
 * and the program's caller, and allocation tracks (slab_debug=U) start in
 * the program rather than here.
 *
 * Initialisation is kmem's own lazy, thread-safe set-up on the first call;
 * it uses only pthread_once, pthread keys, getenv, sysconf and mmap, none of
 * which calls malloc, so the first malloc cannot recurse.  Fork safety comes
 * from each layer's pthread_atfork handlers; thread exit returns each
 * thread's cached memory through the layers' key destructors.
 *
 * KMEM_TRACE=path records every allocation and free in kheap-replay's trace
 * format (mm/shim/trace.c).
 *
 * KMEM_STATS=1 (or yes, true, stderr) prints slabinfo, buddyinfo and the
 * meminfo summary (heaps included) to stderr at exit; 0 (or no, false, off)
 * or an empty value prints nothing; any other value names a file to append
 * to, with a warning when it cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <kmem/kmem.h>

#include "mm/internal.h"
#include "mm/shim/shim.h"

#define SHIM_GFP (GFP_KERNEL | __GFP_NOWARN)

#define __shim_export __attribute__((visibility("default")))

/* C23's sized frees; glibc 2.36's headers do not declare them yet. */
void free_sized(void *p, size_t size);
void free_aligned_sized(void *p, size_t align, size_t size);

/* The call in progress, for kmem's reports and tracks. */
#define SHIM_ENTER(fn, p)                                                                          \
	const struct kmem_api_call shim_call = {(fn), (p), __builtin_return_address(0)};           \
	kmem_api_enter(&shim_call)

static inline void *set_enomem(void)
{
	errno = ENOMEM;
	return NULL;
}

/* malloc()'s alignment: kmalloc classes from 16 bytes up are 16-aligned. */
#define SHIM_MIN_SIZE 16

/* Every block handed out passes here (KMEM_TRACE records it). */
static inline void *shim_result(void *p, size_t size)
{
	if (!p)
		return set_enomem();
	if (shim_tracing())
		shim_trace_alloc(p, size);
	return p;
}

/* Recorded before the block is freed: its address may be reused at once. */
static inline void shim_free(void *p)
{
	if (shim_tracing() && p)
		shim_trace_free(p);
	kvfree(p);
}

static inline void *shim_alloc(size_t size, gfp_t gfp)
{
	void *p;

	if (likely(size <= KMALLOC_MAX_SIZE))
		p = kmalloc(size < SHIM_MIN_SIZE ? SHIM_MIN_SIZE : size, gfp);
	else
		p = __vmalloc(size, gfp);
	return shim_result(p, size);
}

static void *shim_aligned(size_t align, size_t size)
{
	/* vmalloc areas start on a page, and only they go past KMALLOC_MAX_SIZE. */
	if (align <= ARCH_KMALLOC_MINALIGN || (align <= PAGE_SIZE && size > KMALLOC_MAX_SIZE))
		return shim_alloc(size, SHIM_GFP);
	return shim_result(kmalloc_aligned(size ? size : 1, align, SHIM_GFP), size);
}

static size_t shim_usable_size(const void *p)
{
	if (!p)
		return 0;
	if (!virt_addr_valid(p) && is_vmalloc_addr(p))
		return vmalloc_size(p);
	return ksize(p);
}

__shim_export void *malloc(size_t size)
{
	void *p;

	SHIM_ENTER("malloc", NULL);
	p = shim_alloc(size, SHIM_GFP);
	kmem_api_leave();
	return p;
}

__shim_export void free(void *p)
{
	SHIM_ENTER("free", p);
	shim_free(p);
	kmem_api_leave();
}

__shim_export void *calloc(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes))
		return set_enomem();
	SHIM_ENTER("calloc", NULL);
	p = shim_alloc(bytes, SHIM_GFP | __GFP_ZERO);
	kmem_api_leave();
	return p;
}

static void *shim_realloc(void *p, size_t size)
{
	void *n;

	if (!p)
		return shim_alloc(size, SHIM_GFP);
	if (!size) {
		shim_free(p);
		return NULL;
	}
	/* As in shim_free(): the old block may be freed and its address reused at once. */
	if (shim_tracing())
		shim_trace_free(p);
	if (size <= KMALLOC_MAX_SIZE || (!virt_addr_valid(p) && is_vmalloc_addr(p))) {
		n = kvrealloc(p, size < SHIM_MIN_SIZE ? SHIM_MIN_SIZE : size, SHIM_GFP);
	} else {
		/* Growing a kmalloc block past KMALLOC_MAX_SIZE: into a vmalloc area. */
		n = __vmalloc(size, SHIM_GFP);
		if (n) {
			memcpy(n, p, ksize(p));
			kfree(p);
		}
	}
	if (n)
		return shim_result(n, size);
	if (shim_tracing()) /* @p lives on */
		shim_trace_alloc(p, shim_usable_size(p));
	return set_enomem();
}

__shim_export void *realloc(void *p, size_t size)
{
	void *n;

	SHIM_ENTER("realloc", p);
	n = shim_realloc(p, size);
	kmem_api_leave();
	return n;
}

__shim_export void *reallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;
	void *q;

	if (__builtin_mul_overflow(n, size, &bytes))
		return set_enomem();
	SHIM_ENTER("reallocarray", p);
	q = shim_realloc(p, bytes);
	kmem_api_leave();
	return q;
}

__shim_export int posix_memalign(void **out, size_t align, size_t size)
{
	int saved = errno;
	void *p;

	if (!is_power_of_2(align) || align % sizeof(void *))
		return EINVAL;
	SHIM_ENTER("posix_memalign", NULL);
	p = shim_aligned(align, size);
	kmem_api_leave();
	errno = saved;
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

/* The aligned entry points, named for reports. */
static void *shim_aligned_call(const char *fn, size_t align, size_t size, void *caller)
{
	const struct kmem_api_call call = {fn, NULL, caller};
	void *p;

	kmem_api_enter(&call);
	p = shim_aligned(align, size);
	kmem_api_leave();
	return p;
}

__shim_export void *aligned_alloc(size_t align, size_t size)
{
	if (!is_power_of_2(align)) {
		errno = EINVAL;
		return NULL;
	}
	return shim_aligned_call("aligned_alloc", align, size, __builtin_return_address(0));
}

/* glibc rounds a non-power-of-two alignment up to the next power of two. */
__shim_export void *memalign(size_t align, size_t size)
{
	if (align > (SIZE_MAX >> 1) + 1) {
		errno = EINVAL;
		return NULL;
	}
	if (align > 1 && !is_power_of_2(align))
		align = (size_t)1 << (8 * sizeof(long) - (size_t)__builtin_clzl(align - 1));
	return shim_aligned_call("memalign", align, size, __builtin_return_address(0));
}

__shim_export void *valloc(size_t size)
{
	return shim_aligned_call("valloc", PAGE_SIZE, size, __builtin_return_address(0));
}

__shim_export void *pvalloc(size_t size)
{
	if (size > SIZE_MAX - PAGE_SIZE)
		return set_enomem();
	return shim_aligned_call("pvalloc", PAGE_SIZE, size ? PAGE_ALIGN(size) : PAGE_SIZE,
				 __builtin_return_address(0));
}

__shim_export size_t malloc_usable_size(void *p)
{
	size_t n;

	SHIM_ENTER("malloc_usable_size", p);
	n = shim_usable_size(p);
	kmem_api_leave();
	return n;
}

__shim_export void free_sized(void *p, size_t size)
{
	(void)size;
	SHIM_ENTER("free_sized", p);
	shim_free(p);
	kmem_api_leave();
}

__shim_export void free_aligned_sized(void *p, size_t align, size_t size)
{
	(void)align;
	(void)size;
	SHIM_ENTER("free_aligned_sized", p);
	shim_free(p);
	kmem_api_leave();
}

/* ---- KMEM_STATS -------------------------------------------------------- */

static const char *const stats_off[] = {"", "0", "no", "false", "off", NULL};
static const char *const stats_stderr[] = {"1", "yes", "true", "stderr", NULL};

static bool stats_word(const char *value, const char *const words[])
{
	for (; *words; words++)
		if (!strcasecmp(value, *words))
			return true;
	return false;
}

__attribute__((destructor)) static void print_stats_at_exit(void)
{
	const char *where = getenv("KMEM_STATS");
	FILE *out = stderr;

	if (!where || stats_word(where, stats_off))
		return;
	if (!stats_word(where, stats_stderr)) {
		int fd = open(where, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		out = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (!out) {
			kmem_warn("kmem: KMEM_STATS=\"%s\": cannot open the file: %s", where,
				  strerror(errno));
			if (fd >= 0)
				close(fd);
			return;
		}
	}
	kmem_stats_print(out, kmem_stats_env_format());
	if (out != stderr)
		fclose(out);
	else
		fflush(out);
}
