// SPDX-License-Identifier: MIT
/*
 * test/headers/kernel_first.c - kmem's headers after the kernel's own.
 *
 * Code ported from the kernel, and the kernel's userspace test harnesses,
 * include the kernel's <linux/types.h>, <linux/gfp_types.h> and
 * <linux/gfp.h> before kmem's <kmem/slab.h> (which brings kmalloc.h), and
 * may define a struct page of their own.  Built with -Werror under each of:
 *
 *   UAPI_TYPES      the system's uapi <linux/types.h>: same guard as the
 *                   kernel's, no gfp_t, so kmem must still define it;
 *   KERNEL_HEADERS  stand-ins for the kernel's three headers (their guards,
 *                   gfp_t, the flags kmem acts on, gfpflags_allow_blocking)
 *                   and a struct page;
 *   TOOLS_HEADERS   the same as tools/include has them, where gfp_t is an
 *                   enum.
 *
 * With KERNEL_GFP_ZERO set to a wrong value the build must fail: kmem checks
 * that the kernel's flags are the values it was built with.
 */
#include <stdbool.h>

#ifdef UAPI_TYPES
#include <linux/types.h>
#endif

#if defined(KERNEL_HEADERS) || defined(TOOLS_HEADERS)
#ifdef KERNEL_HEADERS
#define _LINUX_TYPES_H
#define DECLARE_BITMAP(name, bits) unsigned long name[((bits) + 63) / 64]
typedef unsigned int gfp_t;
#define __LINUX_GFP_H
#else
#define _TOOLS_LINUX_TYPES_H_
typedef enum { TOOLS_GFP_T_IS_AN_ENUM } gfp_t;
#define _TOOLS_INCLUDE_LINUX_GFP_H
#endif

#ifndef KERNEL_GFP_ZERO
#define KERNEL_GFP_ZERO 0x100u
#endif
#define __LINUX_GFP_TYPES_H
#define __GFP_HIGHMEM ((gfp_t)0x02u)
#define __GFP_IO ((gfp_t)0x40u)
#define __GFP_FS ((gfp_t)0x80u)
#define __GFP_ZERO ((gfp_t)KERNEL_GFP_ZERO)
#define __GFP_DIRECT_RECLAIM ((gfp_t)0x400u)
#define __GFP_KSWAPD_RECLAIM ((gfp_t)0x800u)
#define __GFP_NOWARN ((gfp_t)0x2000u)
#define __GFP_RETRY_MAYFAIL ((gfp_t)0x4000u)
#define __GFP_NOFAIL ((gfp_t)0x8000u)
#define __GFP_NORETRY ((gfp_t)0x10000u)
#define __GFP_COMP ((gfp_t)0x40000u)
#define __GFP_NOMEMALLOC ((gfp_t)0x80000u)
#define __GFP_BITS_SHIFT 25
#define GFP_KERNEL (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM | __GFP_IO | __GFP_FS)

static inline bool gfpflags_allow_blocking(const gfp_t gfp_flags)
{
	return (gfp_flags & __GFP_DIRECT_RECLAIM) != 0;
}

struct page {
	unsigned long flags;
};
#endif

#include <kmem/slab.h>

int main(void)
{
	char *zeroed = kmalloc(64, GFP_KERNEL | __GFP_ZERO);
	bool ok =
		zeroed && zeroed[0] == 0 && zeroed[63] == 0 && gfpflags_allow_blocking(GFP_KERNEL);

	kfree(zeroed);
	return ok ? 0 : 1;
}
