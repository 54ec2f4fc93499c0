// SPDX-License-Identifier: MIT
/*
 * page/page_alloc.c - the buddy page allocator.
 *
 * Structure
 *   Memory is a list of regions (page/region.c), each one max-order block of
 *   REGION_PAGES pages aligned to its size.  Every page has a struct page in
 *   its region's descriptor.  Blocks of 2^order pages are either free (in the
 *   buddy lists), cached (in one thread's page cache, page/pcp.c) or
 *   allocated.  The head page of every block records its order; pages inside
 *   a block other than the head carry no state, except compound tails.
 *
 * Invariants (checked by page_check(), page/page_debug.c)
 *   I1 A free block's head has PG_buddy, order o <= MAX_PAGE_ORDER, a zero
 *      reference count, is aligned to 2^o pages, and is on free_area[o]; each
 *      free_area[o] holds exactly nr_free[o] such heads; bit o of free_mask is
 *      set iff free_area[o] is not empty.
 *   I2 No free block's buddy is a free block of the same order: they would
 *      have been merged.
 *   I3 A cached block's head has PG_pcp, order <= PAGE_ALLOC_COSTLY_ORDER and
 *      a zero reference count, and is on exactly one thread's list.
 *   I4 An allocated block's head has a reference count >= 1; a compound
 *      block's pages after the head have PG_tail and point at the head.
 *   I5 The blocks tile each region: walking from page 0 by 2^order of each
 *      head visits every page and never crosses the region end.
 *   I6 free_area[MAX_PAGE_ORDER] is ordered by the time each region became
 *      wholly free, newest first.  Beyond zone.retain_bytes of free regions,
 *      the oldest is released when it has been free for zone.decay_ns and
 *      another region is freed: the hysteresis that keeps free/alloc cycles
 *      from paying for mmap and page faults each time.
 *   I7 A released region is on zone.reserved (nr_reserved of them) and not
 *      in the region table; its descriptor stays mapped and its address
 *      range stays reserved, inaccessible, for the next region.
 *
 * Releasing regions
 *   virt_to_page() and kmem's free paths look addresses up without a lock
 *   (two loads through region_table, then the struct page), so a thread
 *   that frees a stale pointer can hold a descriptor while another thread
 *   releases that region.  Unmapping the descriptor would turn that bug
 *   into a SIGSEGV.  Instead a descriptor is never unmapped: releasing a
 *   region clears its table slot, replaces its memory with an inaccessible
 *   PROT_NONE reservation (the memory and its commit charge go back to the
 *   OS, the addresses do not) and drops the descriptor's page array to
 *   zero-fill pages with MADV_DONTNEED.  A late reader then sees a page with
 *   no state and no pfn, and every free path reports it instead of acting
 *   on it.  The next region the zone needs is mapped into a reserved slot
 *   first, with its old descriptor, so a descriptor always describes the
 *   same addresses, and the reserved address space and kept descriptors
 *   never exceed the zone's peak size.  The cost per released region is
 *   4 MiB of address space and one resident descriptor page.  Deferring the
 *   unmap past all readers with RCU was the alternative; it would put an
 *   RCU read-side section, and thread registration, on every kfree().
 *
 * Locking
 *   zone.lock protects free_area, nr_free, free_mask, the region list, the
 *   reserved list and table writes, and the flags/order of pages in free
 *   blocks.  It is a leaf lock: nothing else is taken while holding it, and
 *   it is never held while calling another layer or the OS: regions are
 *   mapped by __region_grow() after it drops the lock, and published when it
 *   takes the lock again; they are released after it is dropped.  A thread's
 *   page cache is touched by its thread without a lock or atomic
 *   read-modify-write on the fast path, under the thread's own lock on the
 *   slow path, and by another thread only through lib/thread.c's flush
 *   protocol.  Allocated pages belong to their owner: the page layer writes
 *   them only when they are freed.  Reference counts use atomics.
 *   Lock order for the whole library: heap arena locks -> a thread's own
 *   lock -> thread flush and registry locks (lib/thread.c) -> slab locks ->
 *   zone.lock.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/fault.h"
#include "lib/shadow.h"
#include "lib/thread.h"
#include "page/internal.h"
#include <kmem/stats.h>

struct zone zone = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

size_t page_mapped_bytes;
size_t page_peak_mapped_bytes;
size_t page_metadata_bytes;
size_t page_mem_limit;

#define MAX_RECLAIM_HOOKS 8
static page_reclaim_fn reclaim_hooks[MAX_RECLAIM_HOOKS];
static unsigned int nr_reclaim_hooks;

static pthread_once_t page_once = PTHREAD_ONCE_INIT;

static void zone_lock_for_fork(void)
{
	pthread_mutex_lock(&zone.lock);
}

static void zone_unlock_after_fork(void)
{
	pthread_mutex_unlock(&zone.lock);
}

static const struct kmem_fork_ops zone_fork_ops = {
	.prepare = zone_lock_for_fork,
	.parent = zone_unlock_after_fork,
	.child = zone_unlock_after_fork,
};

static void page_init_once(void)
{
	long sys_page = sysconf(_SC_PAGESIZE);

	if (sys_page != (long)PAGE_SIZE) {
		kmem_bug("kmem: built for %lu-byte pages but the system uses %ld-byte pages",
			 PAGE_SIZE, sys_page);
		return;
	}
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		INIT_LIST_HEAD(&zone.free_area[o]);
	INIT_LIST_HEAD(&zone.regions);
	INIT_LIST_HEAD(&zone.reserved);
	zone.retain_bytes = kmem_env_size("KMEM_PAGE_RETAIN", 2 * REGION_SIZE);
	zone.decay_ns =
		(uint64_t)kmem_env_long_range("KMEM_PAGE_DECAY_MS", 1000, 0, LONG_MAX / 1000000) *
		1000000;
	__atomic_store_n(&page_mem_limit, kmem_env_size("KMEM_MEM_LIMIT", 0), __ATOMIC_RELAXED);
	pcp_init();
	kmem_fork_register(KMEM_FORK_PAGE, &zone_fork_ops);
}

void page_init(void)
{
	pthread_once(&page_once, page_init_once);
}

/* ---- the memory limit ------------------------------------------------- */

bool page_charge(size_t bytes, gfp_t gfp)
{
	size_t limit = __atomic_load_n(&page_mem_limit, __ATOMIC_RELAXED);
	size_t old = __atomic_load_n(&page_mapped_bytes, __ATOMIC_RELAXED);
	size_t peak;

	do {
		if (limit && (old + bytes > limit || old + bytes < old))
			return false;
	} while (!__atomic_compare_exchange_n(&page_mapped_bytes, &old, old + bytes, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	peak = __atomic_load_n(&page_peak_mapped_bytes, __ATOMIC_RELAXED);
	while (old + bytes > peak &&
	       !__atomic_compare_exchange_n(&page_peak_mapped_bytes, &peak, old + bytes, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	(void)gfp;
	return true;
}

void page_uncharge(size_t bytes)
{
	__atomic_fetch_sub(&page_mapped_bytes, bytes, __ATOMIC_RELAXED);
}

void kmem_set_mem_limit(size_t bytes)
{
	page_init();
	__atomic_store_n(&page_mem_limit, bytes, __ATOMIC_RELAXED);
}

size_t kmem_get_mem_limit(void)
{
	page_init();
	return __atomic_load_n(&page_mem_limit, __ATOMIC_RELAXED);
}

/* ---- the buddy core: zone.lock held ---------------------------------- */

static inline void add_to_free_area(struct page *page, unsigned int order)
{
	page_set_flag(page, PG_buddy);
	page->order = (unsigned char)order;
	list_add(buddy_link(page), &zone.free_area[order]);
	zone.nr_free[order]++;
	zone.free_mask |= 1UL << order;
}

static inline void del_from_free_area(struct page *page, unsigned int order)
{
	list_del(buddy_link(page));
	page_clear_flag(page, PG_buddy);
	if (--zone.nr_free[order] == 0)
		zone.free_mask &= ~(1UL << order);
}

static uint64_t coarse_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Take a block of exactly @order, splitting a larger one if needed: the
 * lower half is kept and each upper half goes to the free list one order
 * down, so the returned block is the lowest-addressed piece.  Grows the
 * zone by one region when nothing fits; zone.lock is dropped meanwhile, and
 * other threads may have freed or grown by the time the new region is
 * added, so it enters the free lists as a newly free region (I6).
 */
struct page *__rmqueue(unsigned int order, gfp_t gfp)
{
	unsigned long mask = zone.free_mask >> order << order;
	unsigned int o;
	struct page *page;

	if (unlikely(!mask)) {
		struct region *region = __region_grow(gfp);

		if (!region)
			return NULL;
		region->free_since = coarse_now_ns();
		add_to_free_area(region_first_page(region), MAX_PAGE_ORDER);
		mask = zone.free_mask >> order << order;
	}
	o = (unsigned int)__builtin_ctzl(mask);
	page = buddy_from_link(zone.free_area[o].next);
	del_from_free_area(page, o);
	while (o > order) {
		o--;
		add_to_free_area(page + (1UL << o), o);
	}
	page->order = (unsigned char)order;
	return page;
}

/*
 * A region just became wholly free at @now: while more than retain_bytes of
 * free regions are mapped and the oldest has been free for decay_ns, detach
 * it (I6).  Returns the detached regions chained through next_released.
 */
static struct region *__region_expire(uint64_t now)
{
	struct region *released = NULL;

	while (zone.nr_free[MAX_PAGE_ORDER] * REGION_SIZE > zone.retain_bytes) {
		struct page *page = buddy_from_link(zone.free_area[MAX_PAGE_ORDER].prev);
		struct region *oldest = page_region(page);

		if (now - oldest->free_since < zone.decay_ns)
			break;
		del_from_free_area(page, MAX_PAGE_ORDER);
		__region_detach(oldest);
		oldest->next_released = released;
		released = oldest;
	}
	return released;
}

/*
 * Put a block back and merge it with its buddy while the buddy is a free
 * block of the same order: buddy index = index ^ (1 << order), merged index
 * = index & ~(1 << order).  Returns the regions to release when some
 * expired (I6); the caller passes them to page_release_region() after
 * dropping the lock.
 */
struct region *__free_one_page(struct page *page, unsigned int order)
{
	struct region *region = page_region(page);
	struct page *base = region_first_page(region);
	unsigned long idx = page_index(page);

	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_idx = idx ^ (1UL << order);
		struct page *buddy = base + buddy_idx;

		if (!PageBuddy(buddy) || buddy->order != order)
			break;
		del_from_free_area(buddy, order);
		idx &= buddy_idx;
		order++;
	}
	add_to_free_area(base + idx, order);
	if (order < MAX_PAGE_ORDER)
		return NULL;
	region->free_since = coarse_now_ns();
	return __region_expire(region->free_since);
}

void page_release_region(struct region *region)
{
	while (region) {
		struct region *next = region->next_released;

		region_release(region);
		region = next;
	}
}

/* ---- allocation ------------------------------------------------------- */

static void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned long n = 1UL << order;

	page_set_flag(page, PG_head);
	for (unsigned long i = 1; i < n; i++) {
		page_reset_flags(&page[i]);
		page_set_flag(&page[i], PG_tail);
		page[i].compound.head = (unsigned long)page;
	}
}

static inline void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	page_reset_flags(page);
	page->order = (unsigned char)order;
	__atomic_store_n(&page->_refcount, 1, __ATOMIC_RELAXED);
	/* Free pages are inaccessible to valgrind and ASan (free_the_page()). */
	shadow_undefined(page_address(page), PAGE_SIZE << order);
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
	if ((gfp & __GFP_COMP) && order)
		prep_compound_page(page, order);
}

static struct page *buddy_alloc(unsigned int order, gfp_t gfp)
{
	struct page *page;

	pthread_mutex_lock(&zone.lock);
	page = __rmqueue(order, gfp);
	pthread_mutex_unlock(&zone.lock);
	return page;
}

/*
 * Registrations are serialised by zone.lock; direct_reclaim() reads without
 * it.  The hook is stored before the count that covers it is published with
 * a release store, so a reader whose acquire load sees the count sees the
 * hook.
 */
void page_register_reclaim(page_reclaim_fn fn)
{
	unsigned int n;

	pthread_mutex_lock(&zone.lock);
	n = __atomic_load_n(&nr_reclaim_hooks, __ATOMIC_RELAXED);
	KMEM_BUG_ON(n == MAX_RECLAIM_HOOKS);
	reclaim_hooks[n] = fn;
	__atomic_store_n(&nr_reclaim_hooks, n + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&zone.lock);
}

const struct page_owner_ops *page_owner_table[__NR_PAGEFLAGS];

void page_set_owner_ops(enum pageflags type, const struct page_owner_ops *ops)
{
	KMEM_BUG_ON(type != PG_slab && type != PG_heap && type != PG_large);
	__atomic_store_n(&page_owner_table[type], ops, __ATOMIC_RELEASE);
}

/*
 * Direct reclaim: what a thread that may block does before failing.  Every
 * thread's caches go back first (objects to their slabs, cached pages to
 * the buddy lists), then the owners of blocks release what became free,
 * into this thread's page cache, which is drained last.
 */
static unsigned long direct_reclaim(void)
{
	unsigned long freed = 0;
	unsigned int n = __atomic_load_n(&nr_reclaim_hooks, __ATOMIC_ACQUIRE);

	kmem_thread_flush_all(false);
	for (unsigned int i = 0; i < n; i++)
		freed += reclaim_hooks[i]();
	kmem_page_drain();
	return freed;
}

static __cold struct page *alloc_pages_slowpath(unsigned int order, gfp_t gfp)
{
	unsigned int tries = (gfp & __GFP_NORETRY) ? 1 : (gfp & __GFP_RETRY_MAYFAIL) ? 8 : 3;
	struct timespec nap = {0, 1000000};
	time_t last_warn = time(NULL);
	struct page *page;

	if (!gfpflags_allow_blocking(gfp))
		goto fail;
	for (unsigned int i = 0; i < tries || (gfp & __GFP_NOFAIL); i++) {
		direct_reclaim();
		page = buddy_alloc(order, gfp);
		if (page)
			return page;
		if (gfp & __GFP_NOFAIL) {
			if (time(NULL) - last_warn >= 10) {
				kmem_warn(
					"kmem: page allocation stalls: order:%u, mode:%#x, waiting "
					"for memory to be freed (__GFP_NOFAIL)",
					order, gfp);
				last_warn = time(NULL);
			}
			nanosleep(&nap, NULL);
		}
	}
fail:
	if (!(gfp & __GFP_NOWARN))
		kmem_warn("kmem: page allocation failure: order:%u, mode:%#x, mapped:%zu kB, "
			  "limit:%zu kB",
			  order, gfp, __atomic_load_n(&page_mapped_bytes, __ATOMIC_RELAXED) >> 10,
			  __atomic_load_n(&page_mem_limit, __ATOMIC_RELAXED) >> 10);
	return NULL;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct page *page;

	if (unlikely(order > MAX_PAGE_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			kmem_warn("kmem: alloc_pages: order %u is larger than MAX_PAGE_ORDER (%u)",
				  order, MAX_PAGE_ORDER);
		return NULL;
	}
	/*
	 * As in the kernel's prepare_alloc_pages(): an injected failure says
	 * FAULT_INJECTION (lib/fault.c), not "page allocation failure".
	 */
	if (unlikely(kmem_should_fail_alloc_page(gfp, order, __builtin_return_address(0))))
		return NULL;
	page = order <= PAGE_ALLOC_COSTLY_ORDER ? pcp_alloc(order, gfp) : NULL;
	if (!page) {
		page_init();
		page = buddy_alloc(order, gfp);
		if (unlikely(!page)) {
			page = alloc_pages_slowpath(order, gfp);
			if (!page)
				return NULL;
		}
	}
	prep_new_page(page, order, gfp);
	return page;
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/* ---- freeing ---------------------------------------------------------- */

static void free_the_page(struct page *page, unsigned int order)
{
	struct region *region;

	if (PageHead(page)) {
		for (unsigned long i = 1; i < (1UL << order); i++) {
			page_clear_flag(&page[i], PG_tail);
			page[i].compound.head = 0;
		}
	}
	page_reset_flags(page);
	shadow_noaccess(page_address(page), PAGE_SIZE << order);
	if (order <= PAGE_ALLOC_COSTLY_ORDER && pcp_free(page, order))
		return;
	pthread_mutex_lock(&zone.lock);
	region = __free_one_page(page, order);
	pthread_mutex_unlock(&zone.lock);
	page_release_region(region);
}

/*
 * Validate a page handed back by a caller.  Each check returns false (after
 * a report that aborts unless the report action says continue) when the page
 * cannot be freed; the caller then leaves it exactly as it was.
 */
static bool page_is_ours(struct page *page, const char *fn)
{
	if (unlikely(__virt_to_page(page_address(page)) != page)) {
		kmem_bug("Bad page state in %s: %p is not a page kmem manages", fn, (void *)page);
		return false;
	}
	return true;
}

static const char *const page_flag_names[__NR_PAGEFLAGS] = {
	[PG_head] = "head", [PG_tail] = "tail", [PG_buddy] = "buddy", [PG_pcp] = "pcp",
	[PG_slab] = "slab", [PG_heap] = "heap", [PG_large] = "large",
};

/*
 * bad_page - the kernel's "Bad page state" report: the process and the pfn,
 * a dump of the page, and why it cannot be freed (formatted from @why).
 */
static __cold __printf(3, 4) void bad_page(const struct page *page, const char *fn, const char *why,
					   ...)
{
	unsigned long flags = __page_flags(page) & ((1UL << KMEM_PFN_SHIFT) - 1);
	char reason[256], names[64] = "";
	size_t len = 0;
	va_list ap;

	va_start(ap, why);
	vsnprintf(reason, sizeof(reason), why, ap);
	va_end(ap);
	for (unsigned int f = 0; f < __NR_PAGEFLAGS; f++)
		if (flags & (1UL << f))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? "|" : "", page_flag_names[f]);
	kmem_bug("Bad page state in process %s  pfn:%05lx\n"
		 "page: refcount:%d order:%u addr:%p\n"
		 "flags: %#lx(%s)\n"
		 "page dumped because: %s (in %s())",
		 program_invocation_short_name, page_to_pfn(page), page_ref_count(page),
		 page->order, page_address(page), flags, names, reason, fn);
}

static bool page_free_ok(struct page *page, const char *fn)
{
	if (!page_is_ours(page, fn))
		return false;
	if (unlikely(PageTail(page))) {
		bad_page(page, fn, "a tail page of compound block %p",
			 page_address(compound_head(page)));
		return false;
	}
	if (unlikely(page_ref_count(page) <= 0)) {
		bad_page(page, fn, "not allocated: double free or free of a page inside a block");
		return false;
	}
	return true;
}

/*
 * Blocks that slab/ or mm/ built objects in carry their owner's flag until
 * the owner takes them apart and frees them itself; freeing one from outside
 * would hand the page out again under live objects.  The kernel's check of
 * the flags at free time.
 */
static bool page_owner_free_ok(const struct page *page, const char *fn)
{
	static const char *const owned_by[__NR_PAGEFLAGS] = {
		[PG_slab] = "a slab: its objects go back with kmem_cache_free() or kfree()",
		[PG_heap] = "a heap segment: its chunks go back with kfree() or kheap_free()",
		[PG_large] = "a large kmalloc allocation: it goes back with kfree()",
	};
	unsigned long flags = __page_flags(page);

	for (unsigned int f = 0; f < __NR_PAGEFLAGS; f++) {
		if (unlikely(owned_by[f] && (flags & (1UL << f)))) {
			bad_page(page, fn, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set: the block is %s",
				 owned_by[f]);
			return false;
		}
	}
	return true;
}

/*
 * Drop one reference.  The sole owner needs no read-modify-write: with a
 * count of one nobody else may legally touch it.
 */
static inline bool page_put_testzero(struct page *page, const char *fn)
{
	int count = __atomic_load_n(&page->_refcount, __ATOMIC_ACQUIRE);

	if (likely(count == 1)) {
		__atomic_store_n(&page->_refcount, 0, __ATOMIC_RELAXED);
		return true;
	}
	count = __atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_ACQ_REL);
	if (unlikely(count < 0)) {
		bad_page(page, fn, "_refcount went below zero");
		__atomic_add_fetch(&page->_refcount, 1, __ATOMIC_RELAXED);
		return false;
	}
	return count == 0;
}

void __free_pages(struct page *page, unsigned int order)
{
	if (!page || !page_free_ok(page, "__free_pages") ||
	    !page_owner_free_ok(page, "__free_pages"))
		return;
	if (unlikely(order != page->order)) {
		bad_page(page, "__free_pages", "allocated with order %u freed with order %u",
			 page->order, order);
		return;
	}
	if (page_put_testzero(page, "__free_pages")) {
		free_the_page(page, order);
	} else if (!PageHead(page)) {
		/* Others hold the first page: free the rest now, it at the last put. */
		page->order = 0;
		while (order-- > 0) {
			struct page *part = page + (1UL << order);

			page_reset_flags(part);
			free_the_page(part, order);
		}
	}
}

void free_pages(unsigned long addr, unsigned int order)
{
	struct page *page;

	if (!addr)
		return;
	page = __virt_to_page((void *)addr);
	if (unlikely(!page)) {
		kmem_bug("Bad page state in free_pages: %#lx was not allocated by kmem", addr);
		return;
	}
	if (unlikely(addr & (PAGE_SIZE - 1))) {
		kmem_bug("Bad page state in free_pages: %#lx is not page aligned", addr);
		return;
	}
	__free_pages(page, order);
}

void put_page(struct page *page)
{
	if (!page_is_ours(page, "put_page"))
		return;
	page = compound_head(page);
	if (!page_free_ok(page, "put_page"))
		return;
	/* Other references may be put on an owned block; the last may not. */
	if (page_ref_count(page) == 1 && !page_owner_free_ok(page, "put_page"))
		return;
	if (page_put_testzero(page, "put_page"))
		free_the_page(page, page->order);
}

struct page *virt_to_page(const void *addr)
{
	return __virt_to_page(addr);
}

void split_page(struct page *page, unsigned int order)
{
	if (!page_free_ok(page, "split_page") || !page_owner_free_ok(page, "split_page"))
		return;
	if (unlikely(PageHead(page))) {
		kmem_bug("split_page: page %p is a compound page", page_address(page));
		return;
	}
	page->order = 0;
	for (unsigned long i = 1; i < (1UL << order); i++) {
		page[i].order = 0;
		__atomic_store_n(&page[i]._refcount, 1, __ATOMIC_RELAXED);
	}
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	unsigned int order;
	struct page *page;
	unsigned long used, total;

	if (!size || size > (PAGE_SIZE << MAX_PAGE_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			kmem_warn("kmem: alloc_pages_exact: size %zu is out of range", size);
		return NULL;
	}
	if (gfp & (__GFP_COMP | __GFP_HIGHMEM)) {
		kmem_warn("kmem: alloc_pages_exact: __GFP_COMP/__GFP_HIGHMEM are not allowed");
		gfp &= ~(__GFP_COMP | __GFP_HIGHMEM);
	}
	order = get_order(size);
	page = alloc_pages(gfp, order);
	if (!page)
		return NULL;
	split_page(page, order);
	used = PAGE_ALIGN(size) >> PAGE_SHIFT;
	total = 1UL << order;
	for (unsigned long i = used; i < total; i++)
		__free_page(page + i);
	return page_address(page);
}

void free_pages_exact(void *virt, size_t size)
{
	unsigned long addr = (unsigned long)virt;
	unsigned long end = addr + PAGE_ALIGN(size);

	if (!virt)
		return;
	for (; addr < end; addr += PAGE_SIZE)
		free_page(addr);
}

/* ---- giving memory back ------------------------------------------------ */

size_t kmem_page_trim(void)
{
	struct region *released = NULL;
	size_t bytes = 0;

	page_init();
	pthread_mutex_lock(&zone.lock);
	while (zone.nr_free[MAX_PAGE_ORDER]) {
		struct page *page = buddy_from_link(zone.free_area[MAX_PAGE_ORDER].next);
		struct region *region = page_region(page);

		del_from_free_area(page, MAX_PAGE_ORDER);
		__region_detach(region);
		region->next_released = released;
		released = region;
		bytes += REGION_SIZE;
	}
	pthread_mutex_unlock(&zone.lock);
	page_release_region(released);
	return bytes;
}
