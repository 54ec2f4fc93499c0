// SPDX-License-Identifier: MIT
/*
 * test/cxx/api.cpp - kmem from C++11: the page, slab and kmalloc APIs, both
 * forms of kmem_cache_create(), KMEM_CACHE(), the _node variants and
 * kfree_rcu(), with liburcu's <urcu.h> included after kmem's headers.
 *
 * Every check prints what failed; the exit status counts the failures.
 */
#include <cstdio>
#include <cstring>
#include <kmem/kmem.h>
#include <urcu.h>

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,      \
				     #cond);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

struct conn {
	int fd;
	char peer[48];
	struct rcu_head rcu;
};

static int constructed;

static void conn_ctor(void *object)
{
	static_cast<conn *>(object)->fd = -1;
	constructed++;
}

static void pages()
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_COMP, 2);

	CHECK(page != NULL);
	if (!page)
		return;
	CHECK(compound_order(page) == 2);
	CHECK(page_size(page) == 4 * PAGE_SIZE);
	unsigned char *bytes = static_cast<unsigned char *>(page_address(page));
	CHECK(bytes[0] == 0 && bytes[4 * PAGE_SIZE - 1] == 0);
	CHECK(virt_to_head_page(bytes + PAGE_SIZE) == page);
	get_page(page + 1);
	CHECK(page_count(page) == 2);
	put_page(page + 3);
	__free_pages(page, 2);

	struct page *near = alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL, 0);
	CHECK(near != NULL);
	__free_page(near);
}

/* kmem has one node: every _node variant behaves like the plain call. */
static void node_variants(struct kmem_cache *cache)
{
	char *a = static_cast<char *>(kmalloc_node(32, GFP_KERNEL, NUMA_NO_NODE));
	char *z = static_cast<char *>(kzalloc_node(32, GFP_KERNEL, 0));
	int *arr = static_cast<int *>(kmalloc_array_node(8, sizeof(int), GFP_KERNEL, 0));
	char *kz = static_cast<char *>(kvzalloc_node(1 << 20, GFP_KERNEL, NUMA_NO_NODE));
	void *lru = kmem_cache_alloc_lru(cache, NULL, GFP_KERNEL);

	CHECK(a && ksize(a) >= 32);
	CHECK(z && z[0] == 0 && z[31] == 0);
	CHECK(arr && ksize(arr) >= 8 * sizeof(int));
	CHECK(kz && kz[0] == 0 && kz[(1 << 20) - 1] == 0);
	CHECK(lru != NULL);
	kmem_cache_free(cache, lru);
	kvfree(kz);
	kfree(arr);
	kfree(z);
	kfree(a);
}

static void caches()
{
	struct kmem_cache *legacy = kmem_cache_create("cxx-legacy", sizeof(conn), 0, 0, conn_ctor);
	struct kmem_cache_args args = {};
	args.align = 64;
	struct kmem_cache *aligned = kmem_cache_create("cxx-args", sizeof(conn), &args, 0);
	struct kmem_cache *defaults =
		kmem_cache_create("cxx-defaults", 40, NULL, SLAB_HWCACHE_ALIGN);
	struct kmem_cache *named = KMEM_CACHE(conn, SLAB_HWCACHE_ALIGN);

	CHECK(legacy && aligned && defaults && named);
	if (!legacy || !aligned || !defaults || !named)
		return;

	conn *c = static_cast<conn *>(kmem_cache_alloc(legacy, GFP_KERNEL));
	CHECK(c && c->fd == -1 && constructed > 0);
	kmem_cache_free(legacy, c);

	void *a = kmem_cache_alloc_node(aligned, GFP_KERNEL, NUMA_NO_NODE);
	CHECK(a && reinterpret_cast<unsigned long>(a) % 64 == 0);
	kfree(a);

	conn *z = static_cast<conn *>(kmem_cache_zalloc(named, GFP_KERNEL));
	CHECK(z && z->fd == 0 && kmem_cache_size(named) == sizeof(conn));
	kfree_rcu(z, rcu);
	kvfree_rcu_barrier();

	void *d = kmem_cache_alloc(defaults, GFP_KERNEL);
	CHECK(d != NULL);
	kmem_cache_free(defaults, d);

	CHECK(slab_is_available());
	node_variants(defaults);
	kmem_cache_destroy(named);
	kmem_cache_destroy(defaults);
	kmem_cache_destroy(aligned);
	kmem_cache_destroy(legacy);
}

static void general()
{
	char *s = static_cast<char *>(kmalloc(100, GFP_KERNEL));
	CHECK(s && ksize(s) >= 100);
	if (s)
		std::strcpy(s, "kmem from C++");
	s = static_cast<char *>(krealloc(s, 200, GFP_KERNEL));
	CHECK(s && std::strcmp(s, "kmem from C++") == 0);
	kfree(s);

	int *zeroed = static_cast<int *>(kcalloc_node(16, sizeof(int), GFP_KERNEL, NUMA_NO_NODE));
	CHECK(zeroed && zeroed[0] == 0 && zeroed[15] == 0);
	kfree(zeroed);

	CHECK(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);

	char *dup = kstrdup("copy", GFP_KERNEL);
	CHECK(dup && std::strcmp(dup, "copy") == 0);
	kfree(dup);

	void *big = kvmalloc_node(8 << 20, GFP_KERNEL, NUMA_NO_NODE);
	CHECK(big != NULL);
	kvfree(big);
}

int main()
{
	rcu_register_thread();
	pages();
	caches();
	general();
	rcu_unregister_thread();
	CHECK(kmem_check() == 0);
	return failures;
}
