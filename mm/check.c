// SPDX-License-Identifier: MIT
/*
 * mm/check.c - kmem_check(): every layer's consistency checker, bottom up.
 */
#include "lib/core.h"
#include "mm/internal.h"
#include "page/page.h"
#include "slab/slab.h"

int kmem_check(void)
{
	if (page_check())
		return -1;
	if (slab_check_all())
		return -1;
	if (heap_check_all())
		return -1;
	if (kmalloc_check())
		return -1;
	return vmalloc_check();
}
