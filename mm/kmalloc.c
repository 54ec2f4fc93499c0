// SPDX-License-Identifier: MIT
/*
 * mm/kmalloc.c - kmalloc()/kfree(): routing by size, and the owner lookup.
 *
 * Routing (as in the kernel, with a boundary-tag heap for odd medium sizes)
 *   1 .. KMALLOC_MAX_CACHE_SIZE (8 KiB)  the kmalloc-N slab caches: the
 *	request is rounded up to the smallest class that holds it (a table
 *	lookup up to 1 KiB, a few instructions above), and the slab layer's
 *	per-thread fast path serves it.  A class of size N is aligned to the
 *	largest power of two dividing N, so power-of-two sizes are naturally
 *	aligned; ksize() is the class size.  The caches are created at the
 *	first kmalloc(); a class that could not be created then (out of
 *	memory) is retried by the next request that needs it.
 *   .. KMALLOC_MAX_SIZE (4 MiB)  a power of two, or above the heap's largest
 *	chunk: a compound block of pages, PG_large on its head, naturally
 *	aligned.  Any other size: a chunk of the kmalloc heap, the boundary-tag
 *	heap with the selectable fit policy (KMEM_HEAP_FIT,
 *	kmem_kmalloc_set_fit()), in nr_arenas arenas with a lock each; a
 *	thread is given an arena round-robin on its first heap request.  The
 *	chunk fits the request to 16 bytes where pages would round it up.
 *   beyond  NULL (kvmalloc() and vmalloc() serve such sizes).
 *
 *   kfree() finds the owner in O(1): the address's struct page, its head,
 *   and the head's flags: PG_slab -> the slab layer, PG_heap -> the arena
 *   that the page names (a chunk of a user kheap is refused), PG_large ->
 *   the page allocator.
 *
 * Invariants (checked by kmalloc_check())
 *   K1 kmalloc_caches[i], once set, is a SLAB_KMALLOC cache whose object
 *      size is kmalloc_sizes[i]; size_index[] gives every size up to 1 KiB
 *      its smallest class.  (The header's kmem_kmalloc_index(), which
 *      kmalloc() of a constant size uses, is tested against kmalloc's
 *      classes in test/mm/test_kmalloc.c.)
 *   K2 A PG_large block is a compound head with a reference count of one
 *      whose address is the allocation.
 *
 * Tools
 *   valgrind and ASan see each block as the program does (lib/shadow.h):
 *   slab objects through the slab layer, with the bytes behind the request
 *   inaccessible until ksize() hands them out (krealloc() within an object
 *   moves that limit); heap chunks through the heap; large blocks here,
 *   whole (struct page keeps no word for the request).
 *
 * Locking
 *   kmalloc_lock serialises the creation of kmalloc caches and arenas and
 *   the choice of the fit policy (kmalloc_fit, written under it, read
 *   atomically by statistics); it comes before the heap and slab locks and
 *   is held across fork().  The fast paths read the published pointers
 *   with acquire loads.  Arena locks
 *   belong to the heap (mm/heap.c), slab locks to slab/.
 */
#define KMEM_BUILDING_KMALLOC /* the real kmalloc(), not the inline one */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmem/heap.h>
#include <kmem/kmalloc.h>
#include <kmem/slab.h>
#include <kmem/stats.h>
#include <kmem/vmalloc.h>

#include "lib/shadow.h"
#include "lib/testing.h"
#include "lib/thread.h"
#include "mm/internal.h"
#include "page/page.h"
#include "slab/slab.h"

/* The heap serves non-power-of-two sizes up to its largest request. */
#define KMALLOC_HEAP_MAX HEAP_MAX_REQUEST
_Static_assert(ARCH_KMALLOC_MINALIGN <= CHUNK_ALIGN, "heap chunks keep kmalloc's alignment");

/*
 * The kmalloc classes: the kernel's powers of two with finer steps between
 * them (16 bytes up to 128, then four per power of two), so a request
 * wastes at most 25% (12.5% on average) instead of up to 50%.
 */
static const unsigned short kmalloc_sizes[] = {
	8,    16,   32,	  48,	64,   80,   96,	  112,	128,  160,  192,
	224,  256,  320,  384,	448,  512,  640,  768,	896,  1024, 1280,
	1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
};
#define NR_KMALLOC_CLASSES ARRAY_SIZE(kmalloc_sizes)
#define KMALLOC_CLASS_1K 20 /* kmalloc_sizes[KMALLOC_CLASS_1K] == 1024 */
_Static_assert(KMALLOC_MAX_CACHE_SIZE == 8192, "the largest class is KMALLOC_MAX_CACHE_SIZE");

/*
 * Class index for sizes 1..1024, by (size - 1) / 8: the smallest class
 * holding (i + 1) * 8 bytes.  Constant, so the lock-free fast path never
 * sees it half set up; kmalloc_check() verifies it against kmalloc_sizes.
 */
static const unsigned char size_index[128] = {
	0,  1,	2,  2,	3,  3,	4,  4,	5,  5,	6,  6,	7,  7,	8,  8,	9,  9,	9,  9,	10, 10,
	10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13, 14, 14, 14, 14,
	14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17,
	17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 18, 18, 18, 18, 18, 18, 18, 18,
	18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19,
	19, 19, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20,
};
static struct kmem_cache *kmalloc_caches[NR_KMALLOC_CLASSES];
static char kmalloc_names[NR_KMALLOC_CLASSES][16];

#define MAX_ARENAS 16
static struct kheap *arenas[MAX_ARENAS];
static unsigned int nr_arenas;
static unsigned int arena_budget; /* KMEM_KMALLOC_ARENAS */
static unsigned int next_arena;
static __thread unsigned char thread_arena __tls_ie; /* 1 + index; 0: none yet */
static int kmalloc_fit = -1;			     /* -1: from KMEM_HEAP_FIT (atomic) */
static bool kmalloc_fit_fixed;			     /* the first arena exists */

static pthread_mutex_t kmalloc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t kmalloc_once = PTHREAD_ONCE_INIT;

static size_t large_bytes;
static unsigned long large_count;

/* ---- size classes ------------------------------------------------------ */

/* The class of a request of @size bytes, 1..KMALLOC_MAX_CACHE_SIZE. */
static inline unsigned int kmalloc_class(size_t size)
{
	unsigned int k;

	if (likely(size <= 1024))
		return size_index[(size - 1) >> 3];
	/* 2^k < size <= 2^(k+1): four classes of 2^(k-2) bytes each. */
	k = 63 - (unsigned int)__builtin_clzl(size - 1);
	return KMALLOC_CLASS_1K + 4 * (k - 10) +
		(unsigned int)((size - 1 - (1UL << k)) >> (k - 2)) + 1;
}

/* ---- set-up -------------------------------------------------------------- */

static const char *const fit_names[] = {
	[KHEAP_FIRST_FIT] = "first", [KHEAP_NEXT_FIT] = "next", [KHEAP_BEST_FIT] = "best",
	[KHEAP_WORST_FIT] = "worst", [KHEAP_GOOD_FIT] = "good",
};

static enum kheap_fit fit_from_env(void)
{
	const char *s = getenv("KMEM_HEAP_FIT");

	if (!s || !*s)
		return KHEAP_GOOD_FIT;
	for (unsigned int i = 0; i < ARRAY_SIZE(fit_names); i++)
		if (!strcmp(s, fit_names[i]) ||
		    (!strncmp(s, fit_names[i], strlen(fit_names[i])) &&
		     !strcmp(s + strlen(fit_names[i]), "_fit")))
			return (enum kheap_fit)i;
	kmem_warn("kmem: ignoring KMEM_HEAP_FIT=\"%s\": expected first, next, best, worst or good",
		  s);
	return KHEAP_GOOD_FIT;
}

static void large_free_obj(struct page *head, void *obj);
static size_t large_size_obj(struct page *head, const void *obj);

static const struct page_owner_ops large_ops = {
	.free = large_free_obj,
	.size = large_size_obj,
};

static void kmalloc_lock_for_fork(void)
{
	pthread_mutex_lock(&kmalloc_lock);
}

static void kmalloc_unlock_after_fork(void)
{
	pthread_mutex_unlock(&kmalloc_lock);
}

/* A child forked while another thread creates a cache or an arena needs the lock free. */
static const struct kmem_fork_ops kmalloc_fork_ops = {
	.prepare = kmalloc_lock_for_fork,
	.parent = kmalloc_unlock_after_fork,
	.child = kmalloc_unlock_after_fork,
};

/* What needs no memory: the class table, names, options, owner and fork ops. */
static void kmalloc_init_once(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long n = kmem_env_long("KMEM_KMALLOC_ARENAS", cpus > 0 ? 2 * cpus : 4);
	for (unsigned int i = 0; i < NR_KMALLOC_CLASSES; i++) {
		if (kmalloc_sizes[i] % 1024)
			snprintf(kmalloc_names[i], sizeof(kmalloc_names[i]), "kmalloc-%u",
				 kmalloc_sizes[i]);
		else
			snprintf(kmalloc_names[i], sizeof(kmalloc_names[i]), "kmalloc-%uk",
				 kmalloc_sizes[i] / 1024);
	}
	if (n < 1 || n > MAX_ARENAS) {
		kmem_warn("kmem: KMEM_KMALLOC_ARENAS=%ld out of range 1..%d; using %d", n,
			  MAX_ARENAS, n < 1 ? 1 : MAX_ARENAS);
		n = n < 1 ? 1 : MAX_ARENAS;
	}
	arena_budget = (unsigned int)n;
	page_set_owner_ops(PG_large, &large_ops);
	kmem_fork_register(KMEM_FORK_KMALLOC, &kmalloc_fork_ops);
}

static inline void kmalloc_init(void)
{
	pthread_once(&kmalloc_once, kmalloc_init_once);
}

/*
 * Create every kmalloc cache that does not exist yet (at the first
 * kmalloc(), or after one could not be created for lack of memory).
 * Returns the cache of class @want, or NULL when it cannot be created.
 */
static __noinline struct kmem_cache *kmalloc_create_caches(unsigned int want)
{
	kmalloc_init();
	pthread_mutex_lock(&kmalloc_lock);
	for (unsigned int i = 0; i < NR_KMALLOC_CLASSES; i++) {
		struct kmem_cache *s;

		if (kmalloc_caches[i])
			continue;
		s = slab_create_kmalloc_cache(kmalloc_names[i], kmalloc_sizes[i]);
		if (!s)
			break;
		__atomic_store_n(&kmalloc_caches[i], s, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&kmalloc_lock);
	return __atomic_load_n(&kmalloc_caches[want], __ATOMIC_ACQUIRE);
}

int kmem_kmalloc_set_fit(int fit)
{
	int ret = 0;

	if (fit < KHEAP_FIRST_FIT || fit > KHEAP_GOOD_FIT)
		return -1;
	kmalloc_init();
	pthread_mutex_lock(&kmalloc_lock);
	if (kmalloc_fit_fixed)
		ret = fit == kmalloc_fit ? 0 : -1;
	else
		__atomic_store_n(&kmalloc_fit, fit, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&kmalloc_lock);
	return ret;
}

static bool is_kmalloc_arena(const struct kheap *h)
{
	unsigned int n = __atomic_load_n(&nr_arenas, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		if (arenas[i] == h)
			return true;
	return false;
}

/*
 * The calling thread's arena: assigned round-robin on its first heap
 * request, created on first use.  NULL when no arena can be created.
 */
static struct kheap *kmalloc_arena(void)
{
	unsigned int idx = thread_arena;
	struct kheap *h;
	char name[32];

	if (likely(idx))
		return arenas[idx - 1];
	kmalloc_init();
	pthread_mutex_lock(&kmalloc_lock);
	idx = next_arena++ % arena_budget;
	h = arenas[idx];
	if (!h) {
		if (kmalloc_fit < 0)
			__atomic_store_n(&kmalloc_fit, (int)fit_from_env(), __ATOMIC_RELAXED);
		snprintf(name, sizeof(name), "kmalloc-heap-%u", idx);
		h = kheap_create(name, (enum kheap_fit)kmalloc_fit);
		if (h) {
			kmalloc_fit_fixed = true;
			/* Arenas are created in index order, so 0..nr_arenas-1 exist. */
			idx = __atomic_load_n(&nr_arenas, __ATOMIC_RELAXED);
			arenas[idx] = h;
			__atomic_store_n(&nr_arenas, idx + 1, __ATOMIC_RELEASE);
		} else {
			next_arena--;
		}
	}
	pthread_mutex_unlock(&kmalloc_lock);
	if (h)
		thread_arena = (unsigned char)(idx + 1);
	return h;
}

/*
 * kmalloc memory outside the kmalloc caches, counted for the test hooks
 * (kmem/testing.h); the slab layer counts what the caches serve.  Beyond
 * the caches every path is a slow one: one load while the hooks are off.
 */
static inline void *kmalloc_counted(void *p)
{
	if (p && kmem_testing_active())
		kmem_testing_count(NULL, p, true, true);
	return p;
}

static inline void kmalloc_uncount(const void *p)
{
	if (kmem_testing_active())
		kmem_testing_count(NULL, p, true, false);
}

/*
 * kmalloc's budget for a heap chunk or a page block.  The kmalloc caches
 * apply it to what they serve, in the slab layer's slow path.
 */
static inline bool kmalloc_outside_slabs_allowed(gfp_t gfp)
{
	return !kmem_testing_active() || kmem_testing_kmalloc_may_alloc(gfp);
}

/* ---- large allocations ----------------------------------------------------------- */

static void *kmalloc_large(size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	struct page *page = alloc_pages(gfp | __GFP_COMP, order);

	if (!page)
		return NULL;
	page_set_flag(page, PG_large);
	/* The block's size: struct page has no word for the request's. */
	shadow_alloc(page_address(page), PAGE_SIZE << order, PAGE_SIZE << order, gfp & __GFP_ZERO);
	__atomic_fetch_add(&large_bytes, PAGE_SIZE << order, __ATOMIC_RELAXED);
	__atomic_fetch_add(&large_count, 1, __ATOMIC_RELAXED);
	return kmalloc_counted(page_address(page));
}

static __cold void large_interior(const void *p, struct page *head, const char *fn)
{
	kmem_bug("kmalloc: %s(%p): interior pointer into the large allocation at %p",
		 kmem_api_name(fn), p, page_address(head));
}

static void large_free_obj(struct page *head, void *obj)
{
	unsigned int order = compound_order(head);

	if (unlikely(obj != page_address(head))) {
		large_interior(obj, head, "kfree");
		return;
	}
	kmalloc_uncount(obj);
	__atomic_fetch_sub(&large_bytes, PAGE_SIZE << order, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&large_count, 1, __ATOMIC_RELAXED);
	shadow_free(obj, PAGE_SIZE << order);
	page_clear_flag(head, PG_large);
	__free_pages(head, order);
}

static size_t large_size_obj(struct page *head, const void *obj)
{
	(void)obj;
	return page_size(head);
}

/* ---- kmalloc ------------------------------------------------------------------------ */

static __noinline void *kmalloc_slab_slow(unsigned int cls, size_t size, gfp_t gfp, void *caller)
{
	struct kmem_cache *s = kmalloc_create_caches(cls);

	if (unlikely(!s)) {
		if (!(gfp & __GFP_NOWARN))
			kmem_warn("kmalloc: no memory for the %s cache", kmalloc_names[cls]);
		return NULL;
	}
	return slab_alloc_object(s, gfp, size, caller);
}

/* Above the slab classes: a heap chunk, or pages for powers of two. */
static __noinline void *kmalloc_big(size_t size, gfp_t gfp)
{
	struct kheap *arena;

	if (unlikely(size > KMALLOC_MAX_SIZE)) {
		if (!(gfp & __GFP_NOWARN))
			kmem_warn("kmalloc: %zu bytes is more than KMALLOC_MAX_SIZE (%lu); use "
				  "kvmalloc() or vmalloc()",
				  size, KMALLOC_MAX_SIZE);
		return NULL;
	}
	if (!kmalloc_outside_slabs_allowed(gfp))
		return NULL;
	if (is_power_of_2(size) || size > KMALLOC_HEAP_MAX)
		return kmalloc_large(size, gfp);
	arena = kmalloc_arena();
	return arena ? kmalloc_counted(kheap_alloc(arena, size, gfp)) : NULL;
}

void *kmem_kmalloc_class(unsigned int index, gfp_t gfp)
{
	struct kmem_cache *s;

	if (unlikely(index >= NR_KMALLOC_CLASSES)) {
		kmem_bug("kmalloc: class %u out of range", index);
		return NULL;
	}
	s = __atomic_load_n(&kmalloc_caches[index], __ATOMIC_ACQUIRE);
	/* The request's size did not come along: the tools see the class's. */
	if (unlikely(!s))
		return kmalloc_slab_slow(index, kmalloc_sizes[index], gfp,
					 __builtin_return_address(0));
	return slab_alloc_object(s, gfp, kmalloc_sizes[index], __builtin_return_address(0));
}

void *kmalloc(size_t size, gfp_t gfp)
{
	if (likely(size - 1 < KMALLOC_MAX_CACHE_SIZE)) {
		unsigned int cls = kmalloc_class(size);
		struct kmem_cache *s = __atomic_load_n(&kmalloc_caches[cls], __ATOMIC_ACQUIRE);

		if (unlikely(!s))
			return kmalloc_slab_slow(cls, size, gfp, __builtin_return_address(0));
		return slab_alloc_object(s, gfp, size, __builtin_return_address(0));
	}
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	return kmalloc_big(size, gfp);
}

void *__kmalloc(size_t size, gfp_t gfp) __attribute__((alias("kmalloc")));

/* The out-of-line copy of the header's kmem_kmalloc_index(). */
unsigned int kmem_kmalloc_index(size_t size)
{
	return kmalloc_class(size);
}

/* The natural alignment of a class: the largest power of two dividing its size. */
static inline size_t class_align(unsigned int cls)
{
	return (size_t)kmalloc_sizes[cls] & -(size_t)kmalloc_sizes[cls];
}

void *kmalloc_aligned(size_t size, size_t align, gfp_t gfp)
{
	size_t need;
	struct kheap *arena;

	if (align <= ARCH_KMALLOC_MINALIGN)
		return kmalloc(size, gfp);
	if (unlikely(!is_power_of_2(align) || !size))
		return NULL;
	need = size > align ? size : align;
	if (need <= KMALLOC_MAX_CACHE_SIZE) {
		unsigned int cls = kmalloc_class(need);

		/* A class aligned enough, else the power of two above: aligned to itself. */
		if (class_align(cls) < align)
			cls = kmalloc_class((size_t)1 << (64 - __builtin_clzl(need - 1)));
		return kmalloc(kmalloc_sizes[cls], gfp);
	}
	if (align <= PAGE_SIZE && size <= KMALLOC_HEAP_MAX && !is_power_of_2(size)) {
		if (!kmalloc_outside_slabs_allowed(gfp))
			return NULL;
		arena = kmalloc_arena();
		return arena ? kmalloc_counted(kheap_alloc_aligned(arena, size, align, gfp)) : NULL;
	}
	/* A block of 2^order pages is aligned to its own size. */
	return kmalloc_big((size_t)1 << (64 - __builtin_clzl(need - 1)), gfp);
}

/* ---- kfree / ksize ------------------------------------------------------------------- */

/* Why @p has no block head: not kmem's (@page NULL), or a block being freed. */
static __cold __noinline struct page *kmalloc_no_block(const void *p, const char *fn,
						       const struct page *page)
{
	if (!page)
		kmem_bug("kmalloc: %s(%p): address was not allocated by kmem%s", kmem_api_name(fn),
			 p,
			 is_vmalloc_addr(p) ? " via kmalloc (it is a vmalloc area: use vfree())" :
					      "");
	else
		kmem_bug("kmalloc: %s(%p): address is in a page block that is not allocated",
			 kmem_api_name(fn), p);
	return NULL;
}

/*
 * The head page of the block holding @p, with a report naming @fn when
 * there is none; NULL then.
 */
static __always_inline struct page *kmalloc_block(const void *p, const char *fn)
{
	struct page *page = __virt_to_page(p), *head;

	if (unlikely(!page))
		return kmalloc_no_block(p, fn, NULL);
	head = compound_head(page);
	if (unlikely(!head)) /* a tail page of a block being freed right now */
		return kmalloc_no_block(p, fn, page);
	return head;
}

/* @p is in a page block that no kmalloc path owns: freed, or another layer's. */
static __cold void kmalloc_not_owned(const void *p, const struct page *head, const char *fn)
{
	kmem_bug("kmalloc: %s(%p): address is in a page block that kmalloc does not own "
		 "(flags %#lx)",
		 kmem_api_name(fn), p, head->flags & ((1UL << KMEM_PFN_SHIFT) - 1));
}

/* The kmalloc arena owning the heap chunk @p, or NULL after a report. */
static struct kheap *kmalloc_chunk_arena(const void *p, const char *fn)
{
	struct kheap *h = page_owner_heap(__virt_to_page(p));

	if (likely(h && is_kmalloc_arena(h)))
		return h;
	kmem_bug("kmalloc: %s(%p): a chunk of the user heap %s, not of kmalloc (use "
		 "kheap_free())",
		 kmem_api_name(fn), p, h ? h->name : "(none)");
	return NULL;
}

/*
 * The usable size of the allocated heap chunk @p of arena @h; 0 after a
 * report naming @fn (a chunk freed already, or not the start of one).
 */
static size_t chunk_usable(struct kheap *h, const void *p, const char *fn)
{
	size_t size = heap_usable_size(p);

	if (unlikely(!size))
		kmem_bug("kmalloc: %s(%p): not an allocated chunk of %s (freed already, or not "
			 "the start of a block)",
			 kmem_api_name(fn), p, h->name);
	return size;
}

static __noinline void kfree_other(const void *p, struct page *head)
{
	struct kheap *h;

	if (head->flags & (1UL << PG_heap)) {
		h = kmalloc_chunk_arena(p, "kfree");
		if (h) {
			kmalloc_uncount(p);
			heap_free_batch(h, (void *const *)&p, 1);
		}
	} else if (head->flags & (1UL << PG_large)) {
		large_free_obj(head, (void *)p);
	} else {
		kmalloc_not_owned(p, head, "kfree");
	}
}

void kfree(const void *objp)
{
	struct page *head;

	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return;
	head = kmalloc_block(objp, "kfree");
	if (unlikely(!head))
		return;
	if (likely(head->flags & (1UL << PG_slab)))
		slab_free_object(head, (void *)objp, __builtin_return_address(0));
	else
		kfree_other(objp, head);
}

size_t ksize(const void *objp)
{
	const struct page_owner_ops *ops;
	struct kheap *h;
	struct page *head;

	if (ZERO_OR_NULL_PTR(objp))
		return 0;
	head = kmalloc_block(objp, "ksize");
	if (unlikely(!head))
		return 0;
	if (head->flags & (1UL << PG_heap)) {
		h = kmalloc_chunk_arena(objp, "ksize");
		return h ? chunk_usable(h, objp, "ksize") : 0;
	}
	if (head->flags & (1UL << PG_large))
		return large_size_obj(head, objp);
	ops = (head->flags & (1UL << PG_slab)) ? page_owner_ops(PG_slab) : NULL;
	if (likely(ops))
		return ops->size(head, objp);
	kmalloc_not_owned(objp, head, "ksize");
	return 0;
}

size_t kmalloc_size_roundup(size_t size)
{
	if (!size)
		return 0;
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_sizes[kmalloc_class(size)];
	if (size > KMALLOC_MAX_SIZE)
		return size;
	if (is_power_of_2(size) || size > KMALLOC_HEAP_MAX)
		return PAGE_SIZE << get_order(size);
	return align_up(size + CHUNK_HEADER, CHUNK_ALIGN) - CHUNK_HEADER;
}

/* ---- krealloc ----------------------------------------------------------------------- */

/*
 * Resize the heap chunk @p in place if its neighbour allows: returns the
 * usable size afterwards, or 0 when it must move.
 */
static size_t heap_try_resize(struct kheap *h, void *p, size_t old_usable, size_t new_size)
{
	/* Shrink only when the tail is worth a chunk of its own. */
	if (new_size <= old_usable && old_usable - new_size < CHUNK_MIN + CHUNK_ALIGN)
		return old_usable;
	/* Sizes that kmalloc gives to slabs or pages must move there. */
	if (new_size <= KMALLOC_MAX_CACHE_SIZE || new_size > KMALLOC_HEAP_MAX ||
	    is_power_of_2(new_size) || !heap_resize_in_place(h, p, new_size))
		return new_size <= old_usable ? old_usable : 0;
	return heap_usable_size(p);
}

size_t kmalloc_block_size(const void *p, const char *fn, struct kheap **arena)
{
	struct page *head = kmalloc_block(p, fn);

	*arena = NULL;
	if (unlikely(!head))
		return 0;
	if (likely(head->flags & (1UL << PG_slab)))
		return slab_object_size_live(head, p, fn);
	if (head->flags & (1UL << PG_heap)) {
		*arena = kmalloc_chunk_arena(p, fn);
		return *arena ? chunk_usable(*arena, p, fn) : 0;
	}
	if (head->flags & (1UL << PG_large)) {
		if (likely(p == page_address(head)))
			return large_size_obj(head, p);
		large_interior(p, head, fn);
		return 0;
	}
	kmalloc_not_owned(p, head, fn);
	return 0;
}

void *kmalloc_resize(const void *p, size_t old, struct kheap *arena, size_t new_size, gfp_t flags)
{
	struct page *head;
	size_t now;
	void *n;

	if (arena) {
		now = heap_try_resize(arena, (void *)p, old, new_size);
		if (now) {
			if ((flags & __GFP_ZERO) && now > old)
				memset((char *)p + old, 0, now - old);
			return (void *)p;
		}
	} else if (new_size <= old) {
		/* The tools and debug red zones watch the bytes behind the new size. */
		head = compound_head(__virt_to_page(p));
		if (head->flags & (1UL << PG_slab))
			slab_object_resize(head, (void *)p, new_size);
		return (void *)p;
	}
	n = kmalloc(new_size, flags);
	if (!n)
		return NULL;
	memcpy(n, p, old < new_size ? old : new_size);
	kfree(p);
	return n;
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	struct kheap *arena;
	size_t old;

	if (unlikely(!new_size)) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (ZERO_OR_NULL_PTR(p))
		return kmalloc(new_size, flags);
	old = kmalloc_block_size(p, "krealloc", &arena);
	return old ? kmalloc_resize(p, old, arena, new_size, flags) : NULL;
}

void kfree_sensitive(const void *objp)
{
	size_t ks = ksize(objp);

	if (ks) {
		explicit_bzero((void *)objp, ks);
		kfree(objp);
	}
}

void kfree_bulk(size_t size, void **p)
{
	for (size_t i = 0; i < size; i++)
		kfree(p[i]);
}

void kmem_kmalloc_drain(void)
{
	slab_shrink_all();
}

/* ---- statistics and checking ------------------------------------------------------------ */

void kmem_kmalloc_stats(struct kmem_kmalloc_stats *stats)
{
	unsigned int n = __atomic_load_n(&nr_arenas, __ATOMIC_ACQUIRE);
	int fit = __atomic_load_n(&kmalloc_fit, __ATOMIC_RELAXED);

	memset(stats, 0, sizeof(*stats));
	stats->arenas = n;
	stats->fit = fit < 0 ? (int)fit_from_env() : fit;
	for (unsigned int i = 0; i < NR_KMALLOC_CLASSES; i++) {
		struct kmem_cache *s = __atomic_load_n(&kmalloc_caches[i], __ATOMIC_ACQUIRE);
		struct kmem_cache_stats st;

		if (!s)
			continue;
		kmem_cache_stats(s, &st);
		stats->slab_bytes += (st.active_objs - st.cached_objs) * st.object_size;
		stats->cached_bytes += st.cached_objs * st.object_size;
		stats->slab_footprint += st.bytes_used;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct kheap_stats hs;

		kheap_stats(arenas[i], &hs);
		stats->heap_bytes += hs.used_bytes;
		stats->heap_footprint += hs.footprint;
	}
	stats->large_bytes = __atomic_load_n(&large_bytes, __ATOMIC_RELAXED);
	stats->large_count = __atomic_load_n(&large_count, __ATOMIC_RELAXED);
}

int kmalloc_check(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(size_index); i++) {
		unsigned int c = size_index[i];

		if (kmalloc_sizes[c] < (i + 1) * 8 || (c && kmalloc_sizes[c - 1] >= (i + 1) * 8))
			return kmem_check_failed("kmalloc: size_index[%u] = %u is not the smallest "
						 "class holding %u bytes (K1)",
						 i, c, (i + 1) * 8);
	}
	for (unsigned int i = 0; i < NR_KMALLOC_CLASSES; i++) {
		struct kmem_cache *s = __atomic_load_n(&kmalloc_caches[i], __ATOMIC_ACQUIRE);

		if (s && (kmem_cache_size(s) != kmalloc_sizes[i]))
			return kmem_check_failed("kmalloc: cache %u has objects of %u bytes, the "
						 "class is %u (K1)",
						 i, kmem_cache_size(s), kmalloc_sizes[i]);
	}
	return 0;
}
