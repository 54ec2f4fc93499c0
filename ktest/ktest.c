// SPDX-License-Identifier: MIT
/*
 * ktest/ktest.c - libkmem-ktest: what the kernel's userspace test harness
 * (tools/testing/radix-tree, tools/testing/vma) expects of its slab
 * stand-in, on real kmem caches.
 *
 * It is built on kmem's own headers, so it needs no kernel source; the
 * kernel's gfp_t (an enum in tools/include) has the size of kmem's.
 *
 * The harness builds the kernel's lib/xarray.c, lib/radix-tree.c,
 * lib/idr.c, lib/maple_tree.c and mm/vma.c with a malloc-based slab
 * (tools/testing/shared/linux.c, tools/lib/slab.c).  Linked instead of
 * those two, this adapter gives the names that the kernel's test code uses,
 * with their documented meaning, backed by kmem/testing.h:
 *
 *   nr_allocated          objects live in all caches but kmalloc's
 *   kmalloc_nr_allocated  kmalloc() allocations live
 *   kmalloc_verbose       when set, every allocation and free is printed
 *   test_verbose          the suites' verbosity (they set it from -v)
 *   preempt_count         preempt_disable()/enable() count it
 *   kmem_cache_set_non_kernel(), kmem_cache_set_callback(),
 *   kmem_cache_set_private(), kmem_cache_get_alloc(),
 *   kmem_cache_nr_allocated(), kmem_cache_nr_tallocated(),
 *   kmem_cache_zero_nr_tallocated()   the hooks of kmem/testing.h
 *   test_kmem_cache_bulk()  the maple suite's check of the bulk paths
 *
 * The hooks are enabled by a constructor, before main(), so every count is
 * exact and, as in the harness, an allocation that may not block fails
 * unless a budget allows it: kmalloc()'s budget stays zero.
 *
 * nr_allocated and kmalloc_nr_allocated are plain ints that the suites
 * read directly; the observer keeps them equal to kmem's counters.
 */
#include <assert.h>
#include <stdio.h>
#include <kmem/slab.h>
#include <kmem/testing.h>

/* The harness's names: declared by its headers, defined here. */
extern int nr_allocated, kmalloc_nr_allocated, kmalloc_verbose, test_verbose, preempt_count;
int nr_allocated;
int kmalloc_nr_allocated;
int kmalloc_verbose;
int test_verbose;
int preempt_count;

void kmem_cache_set_non_kernel(struct kmem_cache *cachep, unsigned int val);
void kmem_cache_set_callback(struct kmem_cache *cachep, void (*callback)(void *));
void kmem_cache_set_private(struct kmem_cache *cachep, void *private);
unsigned long kmem_cache_get_alloc(struct kmem_cache *cachep);
unsigned long kmem_cache_nr_allocated(struct kmem_cache *cachep);
unsigned long kmem_cache_nr_tallocated(struct kmem_cache *cachep);
void kmem_cache_zero_nr_tallocated(struct kmem_cache *cachep);
void test_kmem_cache_bulk(void);

static void ktest_observe(struct kmem_cache *s, const void *object, bool kmalloc, bool alloc,
			  void *data)
{
	int *count = kmalloc ? &kmalloc_nr_allocated : &nr_allocated;

	(void)s;
	(void)data;
	__atomic_fetch_add(count, alloc ? 1 : -1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&kmalloc_verbose, __ATOMIC_RELAXED))
		printf("%s %p %s %s\n", alloc ? "Allocating" : "Freeing", object,
		       alloc ? "from" : "to", kmalloc ? "kmalloc" : "slab");
}

__attribute__((constructor)) static void ktest_init(void)
{
	kmem_testing_set_observer(ktest_observe, NULL);
	kmem_testing_enable();
}

void kmem_cache_set_non_kernel(struct kmem_cache *cachep, unsigned int val)
{
	kmem_testing_set_budget(cachep, val);
}

void kmem_cache_set_callback(struct kmem_cache *cachep, void (*callback)(void *))
{
	kmem_testing_set_callback(cachep, callback);
}

void kmem_cache_set_private(struct kmem_cache *cachep, void *private)
{
	kmem_testing_set_private(cachep, private);
}

/* Bytes of live objects, at the size the cache was asked for. */
unsigned long kmem_cache_get_alloc(struct kmem_cache *cachep)
{
	return kmem_cache_size(cachep) * (unsigned long)kmem_testing_live(cachep);
}

unsigned long kmem_cache_nr_allocated(struct kmem_cache *cachep)
{
	return (unsigned long)kmem_testing_live(cachep);
}

unsigned long kmem_cache_nr_tallocated(struct kmem_cache *cachep)
{
	return kmem_testing_total(cachep);
}

void kmem_cache_zero_nr_tallocated(struct kmem_cache *cachep)
{
	kmem_testing_reset_total(cachep);
}

/*
 * The maple suite first checks its slab stand-in's bulk paths.  Here they
 * are kmem's: a bulk allocation counts each object, one that may not block
 * takes the budget object by object and gives back all or nothing, and a
 * bulk free returns every object.
 */
void test_kmem_cache_bulk(void)
{
	enum { N = 12 };
	struct kmem_cache *s = kmem_cache_create("ktest_bulk", 256, 0, SLAB_PANIC, NULL);
	void *objs[N];
	int before = nr_allocated;

	assert(kmem_cache_alloc_bulk(s, GFP_KERNEL, N, objs) == N);
	assert(kmem_cache_nr_allocated(s) == N && nr_allocated == before + N);
	kmem_cache_free_bulk(s, N, objs);
	assert(kmem_cache_nr_allocated(s) == 0 && nr_allocated == before);

	kmem_cache_set_non_kernel(s, N - 1);
	assert(kmem_cache_alloc_bulk(s, GFP_NOWAIT, N, objs) == 0);
	assert(kmem_cache_nr_allocated(s) == 0 && nr_allocated == before);
	kmem_cache_set_non_kernel(s, N);
	assert(kmem_cache_alloc_bulk(s, GFP_NOWAIT, N, objs) == N);
	kmem_cache_free_bulk(s, N, objs);

	/* The failed bulk allocation counted its objects too, as they came and went. */
	assert(kmem_cache_nr_tallocated(s) == 3 * N - 1);
	kmem_cache_zero_nr_tallocated(s);
	assert(kmem_cache_nr_tallocated(s) == 0);
	kmem_cache_destroy(s);
}
