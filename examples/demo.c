// SPDX-License-Identifier: MIT
/*
 * examples/demo.c - what `make demo` runs: the kmem stack at work.
 */
#include <stdio.h>
#include <string.h>
#include <kmem/kmem.h>

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

	printf("\n== kmalloc / kfree ==\n");
	{
		static const size_t sizes[] = {0, 24, 64, 1000, 70000, 5000000};
		char *name = kstrdup("kmem", GFP_KERNEL);
		struct kmem_kmalloc_stats ks;
		void *p, *q;

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			p = kmalloc(sizes[i], GFP_KERNEL | __GFP_NOWARN);
			printf("kmalloc(%7zu) = %-16p ksize %7zu  %s\n", sizes[i], p, ksize(p),
			       !sizes[i]		     ? "(ZERO_SIZE_PTR)"
			       : !p			     ? "(NULL: beyond KMALLOC_MAX_SIZE, use kvmalloc)"
			       : sizes[i] > KMALLOC_MAX_CACHE_SIZE ? "(compound pages)"
								   : "(heap chunk)");
			kfree(p);
		}
		p = kmalloc(64, GFP_KERNEL);
		kfree(p);
		q = kmalloc(64, GFP_KERNEL);
		printf("kfree + kmalloc(64) again: %s\n",
		       p == q ? "same chunk, from the thread's front cache" : "a different chunk");
		kfree(q);
		p = kvmalloc(5000000, GFP_KERNEL);
		printf("kvmalloc(5000000) = %p (vmalloc: %s)\n", p, is_vmalloc_addr(p) ? "yes" : "no");
		kvfree(p);
		kmem_kmalloc_stats(&ks);
		printf("%s: %u arenas, fit policy %s, %zu bytes in front caches\n", name, ks.arenas,
		       kheap_fit_name((enum kheap_fit)ks.fit), ks.front_bytes);
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
