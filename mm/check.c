// SPDX-License-Identifier: MIT
/*
 * mm/check.c - kmem_check(): every layer's consistency checker, bottom up.
 */
#include "mm/core.h"
#include "page/page.h"

int kmem_check(void)
{
	return page_check();
}
