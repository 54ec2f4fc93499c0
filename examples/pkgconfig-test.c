// SPDX-License-Identifier: MIT
/* Built by `make check` against an installed kmem through pkg-config. */
#include <stdio.h>
#include <string.h>
#include <kmem/kmem.h>

int main(void)
{
	unsigned long addr = __get_free_pages(GFP_KERNEL, 2);

	if (!addr)
		return 1;
	memset((void *)addr, 0, 4 * PAGE_SIZE);
	free_pages(addr, 2);
	if (kmem_check())
		return 1;
	printf("pkg-config build of kmem %d.%d.%d: ok\n", KMEM_VERSION_MAJOR, KMEM_VERSION_MINOR,
	       KMEM_VERSION_PATCH);
	return 0;
}
