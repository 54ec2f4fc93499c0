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

	printf("\nmeminfo:\n");
	kmem_meminfo(stdout);
	printf("\nkmem_check: %s\n", kmem_check() == 0 ? "consistent" : "BROKEN");
	return 0;
}
