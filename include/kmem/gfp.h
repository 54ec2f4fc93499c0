/* SPDX-License-Identifier: MIT */
/*
 * kmem/gfp.h - allocation flags (gfp_t) with the Linux 6.12 bit values.
 *
 * Every flag the kernel defines is accepted so ported code compiles; only the
 * ones below change behaviour in kmem:
 *
 *  __GFP_ZERO            the memory is zeroed before it is returned.
 *  __GFP_COMP            a multi-page block becomes a compound page: tail pages
 *                        point at the head, put_page() on any of them acts on
 *                        the whole block.
 *  __GFP_NOWARN          no failure warning is printed on stderr.
 *  __GFP_DIRECT_RECLAIM  "may block": the allocator may map more memory from
 *                        the OS, drain the calling thread's caches and ask the
 *                        slab layer to shrink before it gives up.  Without it
 *                        (GFP_ATOMIC, GFP_NOWAIT) an allocation that would
 *                        need to grow past a configured memory limit fails at
 *                        once; with no limit, growth is always allowed.
 *  __GFP_NORETRY         fail after the first reclaim attempt.
 *  __GFP_RETRY_MAYFAIL   retry reclaim a few times before failing.
 *  __GFP_NOFAIL          never return NULL: wait for memory to be freed by
 *                        other threads (with a warning every few seconds).
 *
 * The rest (zones, I/O, FS, accounting, NUMA) have no userspace meaning and
 * are ignored.
 *
 * The values are those of a 6.12 kernel configured, as kmem's SLAB_* flags
 * are (see kmem/slab.h), with CONFIG_MEMCG (hence CONFIG_SLAB_OBJ_EXT) and
 * without CONFIG_KASAN_HW_TAGS and CONFIG_LOCKDEP: __GFP_SKIP_ZERO,
 * __GFP_SKIP_KASAN and __GFP_NOLOCKDEP are zero.
 *
 * Beside the kernel's own headers (code ported with its headers, the
 * kernel's userspace test harnesses): include those first.  When the
 * kernel's <linux/types.h> already defined gfp_t, kmem uses it; when its
 * <linux/gfp_types.h> already defined the flags, kmem defines none and only
 * checks at compile time that the flags the library acts on have the values
 * it was built with; when its <linux/gfp.h> already defined
 * gfpflags_allow_blocking() and gfp_has_io_fs(), kmem leaves them to it.
 */
#ifndef KMEM_GFP_H
#define KMEM_GFP_H

#include <stdbool.h>
#include <kmem/export.h>

/*
 * The kernel's <linux/types.h> (which defines DECLARE_BITMAP; the uapi header
 * of the same guard does not) and the tools' copy typedef gfp_t.
 */
#if !defined(_TOOLS_LINUX_TYPES_H_) && !(defined(_LINUX_TYPES_H) && defined(DECLARE_BITMAP))
typedef unsigned int gfp_t;
#endif
KMEM_STATIC_ASSERT(sizeof(gfp_t) == sizeof(unsigned int), "gfp_t is the kernel's unsigned int");

#if defined(__LINUX_GFP_TYPES_H) || defined(__GFP_BITS_SHIFT)

#define KMEM_GFP_AGREES(flag, value)                                                               \
	KMEM_STATIC_ASSERT((unsigned int)(flag) == (value), #flag " is not the value kmem knows")
KMEM_GFP_AGREES(__GFP_HIGHMEM, 0x02u);
KMEM_GFP_AGREES(__GFP_IO, 0x40u);
KMEM_GFP_AGREES(__GFP_FS, 0x80u);
KMEM_GFP_AGREES(__GFP_ZERO, 0x100u);
KMEM_GFP_AGREES(__GFP_DIRECT_RECLAIM, 0x400u);
KMEM_GFP_AGREES(__GFP_KSWAPD_RECLAIM, 0x800u);
KMEM_GFP_AGREES(__GFP_NOWARN, 0x2000u);
KMEM_GFP_AGREES(__GFP_RETRY_MAYFAIL, 0x4000u);
KMEM_GFP_AGREES(__GFP_NOFAIL, 0x8000u);
KMEM_GFP_AGREES(__GFP_NORETRY, 0x10000u);
KMEM_GFP_AGREES(__GFP_COMP, 0x40000u);
KMEM_GFP_AGREES(__GFP_NOMEMALLOC, 0x80000u);
#undef KMEM_GFP_AGREES

#else

#define ___GFP_DMA 0x01u
#define ___GFP_HIGHMEM 0x02u
#define ___GFP_DMA32 0x04u
#define ___GFP_MOVABLE 0x08u
#define ___GFP_RECLAIMABLE 0x10u
#define ___GFP_HIGH 0x20u
#define ___GFP_IO 0x40u
#define ___GFP_FS 0x80u
#define ___GFP_ZERO 0x100u
/* 0x200u is unused in 6.12 */
#define ___GFP_DIRECT_RECLAIM 0x400u
#define ___GFP_KSWAPD_RECLAIM 0x800u
#define ___GFP_WRITE 0x1000u
#define ___GFP_NOWARN 0x2000u
#define ___GFP_RETRY_MAYFAIL 0x4000u
#define ___GFP_NOFAIL 0x8000u
#define ___GFP_NORETRY 0x10000u
#define ___GFP_MEMALLOC 0x20000u
#define ___GFP_COMP 0x40000u
#define ___GFP_NOMEMALLOC 0x80000u
#define ___GFP_HARDWALL 0x100000u
#define ___GFP_THISNODE 0x200000u
#define ___GFP_ACCOUNT 0x400000u
#define ___GFP_ZEROTAGS 0x800000u
#define ___GFP_NO_OBJ_EXT 0x1000000u

#define __GFP_DMA ((gfp_t)___GFP_DMA)
#define __GFP_HIGHMEM ((gfp_t)___GFP_HIGHMEM)
#define __GFP_DMA32 ((gfp_t)___GFP_DMA32)
#define __GFP_MOVABLE ((gfp_t)___GFP_MOVABLE)
#define __GFP_RECLAIMABLE ((gfp_t)___GFP_RECLAIMABLE)
#define __GFP_HIGH ((gfp_t)___GFP_HIGH)
#define __GFP_IO ((gfp_t)___GFP_IO)
#define __GFP_FS ((gfp_t)___GFP_FS)
#define __GFP_ZERO ((gfp_t)___GFP_ZERO)
#define __GFP_DIRECT_RECLAIM ((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM ((gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM ((gfp_t)(___GFP_DIRECT_RECLAIM | ___GFP_KSWAPD_RECLAIM))
#define __GFP_WRITE ((gfp_t)___GFP_WRITE)
#define __GFP_NOWARN ((gfp_t)___GFP_NOWARN)
#define __GFP_RETRY_MAYFAIL ((gfp_t)___GFP_RETRY_MAYFAIL)
#define __GFP_NOFAIL ((gfp_t)___GFP_NOFAIL)
#define __GFP_NORETRY ((gfp_t)___GFP_NORETRY)
#define __GFP_MEMALLOC ((gfp_t)___GFP_MEMALLOC)
#define __GFP_COMP ((gfp_t)___GFP_COMP)
#define __GFP_NOMEMALLOC ((gfp_t)___GFP_NOMEMALLOC)
#define __GFP_HARDWALL ((gfp_t)___GFP_HARDWALL)
#define __GFP_THISNODE ((gfp_t)___GFP_THISNODE)
#define __GFP_ACCOUNT ((gfp_t)___GFP_ACCOUNT)
#define __GFP_ZEROTAGS ((gfp_t)___GFP_ZEROTAGS)
#define __GFP_NO_OBJ_EXT ((gfp_t)___GFP_NO_OBJ_EXT)
/* Config-dependent in the kernel; off in the configuration above. */
#define __GFP_SKIP_ZERO ((gfp_t)0)
#define __GFP_SKIP_KASAN ((gfp_t)0)
#define __GFP_NOLOCKDEP ((gfp_t)0)

#define __GFP_BITS_SHIFT 25
#define __GFP_BITS_MASK ((gfp_t)((1u << __GFP_BITS_SHIFT) - 1))

#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO (__GFP_RECLAIM)
#define GFP_NOFS (__GFP_RECLAIM | __GFP_IO)
#define GFP_USER (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32
#define GFP_HIGHUSER (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE | __GFP_SKIP_KASAN)
#define GFP_TRANSHUGE_LIGHT                                                                        \
	((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE (GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

#endif /* the kernel's gfp flags */

#if !defined(__LINUX_GFP_H) && !defined(_TOOLS_INCLUDE_LINUX_GFP_H)

KMEM_BEGIN_DECLS

/**
 * gfpflags_allow_blocking - may an allocation with these flags block?
 * @gfp_flags: the allocation flags
 *
 * Return: true when __GFP_DIRECT_RECLAIM is set, i.e. the caller allows the
 * allocator to grow, reclaim and (for mempool) wait.
 */
static inline bool gfpflags_allow_blocking(const gfp_t gfp_flags)
{
	return !!(gfp_flags & __GFP_DIRECT_RECLAIM);
}

/**
 * gfp_has_io_fs - does the mask allow both I/O and file-system recursion?
 * @gfp: the allocation flags
 */
static inline bool gfp_has_io_fs(gfp_t gfp)
{
	return (gfp & (__GFP_IO | __GFP_FS)) == (__GFP_IO | __GFP_FS);
}

KMEM_END_DECLS

#endif /* the kernel's <linux/gfp.h> */

#endif /* KMEM_GFP_H */
