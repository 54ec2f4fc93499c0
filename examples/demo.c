// SPDX-License-Identifier: MIT
/*
 * examples/demo.c - what `make demo` runs: the kmem stack at work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmem/kmem.h>

/* A hot object: one per connection, allocated and freed all the time. */
struct connection {
	int fd;
	unsigned int state;
	char peer[48];
	unsigned long bytes_in, bytes_out;
};

static void connection_ctor(void *p)
{
	struct connection *c = p;

	c->fd = -1;
	c->state = 0;
}

static void slab_demo(void)
{
	struct kmem_cache *cache = kmem_cache_create("connection", sizeof(struct connection), 0,
						     SLAB_HWCACHE_ALIGN, connection_ctor);
	struct connection *conns[1000];
	struct kmem_cache_stats st;
	char *line = NULL, *buf = NULL;
	size_t len = 0;
	FILE *out;

	printf("\n== a slab cache for a hot object ==\n");
	for (int i = 0; i < 1000; i++) {
		conns[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		conns[i]->fd = i;
	}
	for (int i = 0; i < 1000; i += 2)
		kmem_cache_free(cache, conns[i]);
	kmem_cache_stats(cache, &st);
	printf("struct connection: %u bytes, slot %u, %u per order-%u slab; %lu slabs, "
	       "%lu allocations (%lu without a lock)\n",
	       st.object_size, st.slot_size, st.objects_per_slab, st.order, st.slabs, st.allocs,
	       st.fastpath_allocs);
	out = open_memstream(&buf, &len);
	kmem_slabinfo(out);
	fclose(out);
	/* The header, then this cache's line. */
	printf("%.*s", (int)(strchr(strchr(buf, '\n') + 1, '\n') + 1 - buf), buf);
	line = strstr(buf, "\nconnection ");
	if (line)
		printf("%.*s\n", (int)(strchr(line + 1, '\n') - line - 1), line + 1);
	free(buf);
	for (int i = 1; i < 1000; i += 2)
		kmem_cache_free(cache, conns[i]);
	kmem_cache_destroy(cache);
}

int main(void)
{
	struct page *blocks[NR_PAGE_ORDERS];

	printf("== the buddy page allocator ==\n");
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o += 2) {
		blocks[o] = alloc_pages(GFP_KERNEL | __GFP_ZERO, o);
		printf("order %2u: %5lu KiB at %p\n", o, (PAGE_SIZE << o) >> 10,
		       page_address(blocks[o]));
	}
	kmem_page_drain();
	printf("\nbuddyinfo while holding them:\n");
	kmem_buddyinfo(stdout);
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o += 2)
		__free_pages(blocks[o], o);
	kmem_page_drain();
	printf("buddyinfo after freeing (merged back):\n");
	kmem_buddyinfo(stdout);

	slab_demo();
	printf("\n== kmalloc / kfree ==\n");
	{
		static const size_t sizes[] = {0, 24, 64, 1000, 65536, 70000, 5000000};
		char *name = kstrdup("kmem", GFP_KERNEL);
		struct kmem_kmalloc_stats ks;
		void *p, *q;

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			p = kmalloc(sizes[i], GFP_KERNEL | __GFP_NOWARN);
			printf("kmalloc(%7zu) = %-16p ksize %7zu  %s\n", sizes[i], p, ksize(p),
			       !sizes[i]  ? "(ZERO_SIZE_PTR)" :
				       !p ? "(NULL: beyond KMALLOC_MAX_SIZE, use kvmalloc)" :
				       sizes[i] <= KMALLOC_MAX_CACHE_SIZE ?
					    "(kmalloc-N slab object)" :
				       !(sizes[i] & (sizes[i] - 1)) ? "(compound pages)" :
								      "(heap chunk)");
			kfree(p);
		}
		p = kmalloc(64, GFP_KERNEL);
		kfree(p);
		q = kmalloc(64, GFP_KERNEL);
		printf("kfree + kmalloc(64) again: %s\n",
		       p == q ? "same object, from the thread's kmalloc-64 cache" :
				"a different object");
		kfree(q);
		p = kvmalloc(5000000, GFP_KERNEL);
		printf("kvmalloc(5000000) = %p (vmalloc: %s)\n", p,
		       is_vmalloc_addr(p) ? "yes" : "no");
		kvfree(p);
		kmem_kmalloc_stats(&ks);
		printf("%s: %u heap arenas, fit policy %s, %zu bytes of freed objects cached\n",
		       name, ks.arenas, kheap_fit_name((enum kheap_fit)ks.fit), ks.cached_bytes);
		kfree(name);
	}

	printf("\n== a heap map (kheap_dump of a 16 KiB heap in caller memory) ==\n");
	{
		static _Alignas(16) char arena[KHEAP_MIN_BUFFER];
		struct kheap *h = kheap_create_in("demo", arena, sizeof(arena), KHEAP_BEST_FIT);
		void *chunk[6];

		for (int i = 0; i < 6; i++)
			chunk[i] = kheap_alloc(h, 400 + 600 * (size_t)i, GFP_KERNEL);
		kheap_free(h, chunk[1]);
		kheap_free(h, chunk[4]);
		kheap_dump(h, stdout);
		for (int i = 0; i < 6; i += i == 0 || i == 3 ? 2 : 1)
			kheap_free(h, chunk[i]);
		kheap_destroy(h);
	}

	printf("\nmeminfo:\n");
	kmem_meminfo(stdout);
	printf("\nkmem_check: %s\n", kmem_check() == 0 ? "consistent" : "BROKEN");
	return 0;
}
