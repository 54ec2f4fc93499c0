/* SPDX-License-Identifier: MIT */
/*
 * kmem/mm.h - the page allocator: struct page, alloc_pages() and friends.
 *
 * Memory comes in blocks of 2^order pages, order 0..MAX_PAGE_ORDER, from a
 * buddy allocator over regions that kmem maps from the OS.  Every page of
 * every region has a struct page; page_address() and virt_to_page() convert
 * between the two in O(1) without taking a lock.
 *
 * Reference counting follows Linux: an allocated block's head page starts
 * with a count of one; get_page() adds a reference, put_page() and
 * __free_pages() drop one and the last drop frees the block.
 *
 * Misuse is detected and reported in the kernel's "BUG: Bad page state"
 * style on stderr, then the process aborts (see kmem/debug.h to change the
 * action): freeing an address kmem never handed out, a misaligned address, a
 * page that is already free, a reference count going below zero, or a block
 * that the slab or kmalloc layer owns (PG_slab, PG_heap, PG_large).
 */
#ifndef KMEM_MM_H
#define KMEM_MM_H

#include <stddef.h>
#include <stdbool.h>
#include <kmem/export.h>
#include <kmem/gfp.h>
#include <kmem/numa.h>
#include <kmem/page_size.h>

KMEM_BEGIN_DECLS

#ifndef PAGE_SHIFT
#define PAGE_SHIFT KMEM_PAGE_SHIFT
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#endif
#ifndef PAGE_MASK
#define PAGE_MASK (~(PAGE_SIZE - 1))
#endif

KMEM_STATIC_ASSERT(PAGE_SIZE == KMEM_PAGE_SIZE, "PAGE_SIZE must agree with kmem's page size");

#define MAX_PAGE_ORDER KMEM_MAX_PAGE_ORDER
#define NR_PAGE_ORDERS (MAX_PAGE_ORDER + 1)
#define MAX_ORDER_NR_PAGES (1UL << MAX_PAGE_ORDER)
/* Orders above this are "costly" and bypass the per-thread page cache. */
#define PAGE_ALLOC_COSTLY_ORDER 3

#ifndef PAGE_ALIGN
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#endif

/*
 * Page flag bits.  The owner of a block may test them; only page/ sets
 * PG_head, PG_tail, PG_buddy and PG_pcp.  The bits above KMEM_PFN_SHIFT of
 * page->flags hold the page frame number (address >> PAGE_SHIFT) and never
 * change, which makes page_address() a load and a shift.
 */
enum pageflags {
	PG_head = 0, /* first page of a compound block */
	PG_tail,     /* other pages of a compound block */
	PG_buddy,    /* first page of a free block in the buddy lists */
	PG_pcp,	     /* first page of a block in a per-thread page cache */
	PG_slab,     /* block is a slab (slab/) */
	PG_heap,     /* block is a kmalloc heap segment (mm/) */
	PG_large,    /* block is one large kmalloc allocation (mm/) */
	__NR_PAGEFLAGS
};
#define KMEM_PFN_SHIFT 16

/**
 * struct page - the descriptor of one page of kmem-managed memory.
 *
 * The layout is 64 bytes, like the kernel's.  Only the helpers below are
 * API; the fields are shown so that pointer arithmetic over pages works
 * (page + i is the i-th page after page, inside one block).
 */
struct page {
	unsigned long flags; /* PG_* bits; pfn above KMEM_PFN_SHIFT */
	/*
	 * Six words, owned by the layer that owns the block; each view names
	 * its owner.  Only one view is live for a page at a time, chosen by
	 * its flags.
	 */
	union {
		/* page/: a tail page of a compound block (PG_tail) */
		struct {
			unsigned long head; /* the head page's address */
		} compound;
		/* page/: the head of a free block in the buddy lists (PG_buddy) */
		struct {
			unsigned long link[2]; /* free_area[order] list */
		} buddy;
		/* page/: the head of a block in a thread's page cache (PG_pcp) */
		struct {
			unsigned long link0; /* unused */
			unsigned long next;  /* the next cached block */
		} pcp;
		/* slab/: the head of a slab (PG_slab): struct slab overlays it */
		struct {
			unsigned long words[6];
		} slab;
		/*
		 * mm/heap.c: a heap segment (PG_heap on the head).  Tail pages
		 * keep compound.head in word 0.
		 */
		struct {
			unsigned long link0;   /* tail pages: compound.head */
			unsigned long segment; /* head page: the struct heap_segment */
			unsigned long owner;   /* every page: the struct kheap */
		} heap;
	};
	unsigned char order; /* block order (head pages) */
	unsigned char __pad[3];
	int _refcount; /* 0: free; use page_count() */
};

/**
 * alloc_pages - allocate a block of 2^@order contiguous pages
 * @gfp: allocation flags (see kmem/gfp.h)
 * @order: 0..MAX_PAGE_ORDER
 *
 * The block is aligned to its own size.  With __GFP_COMP it becomes a
 * compound page; with __GFP_ZERO it is zeroed.
 *
 * Return: the head page with a reference count of one, or NULL when memory
 * is exhausted (a configured limit is reached or the OS refuses) or @order is
 * larger than MAX_PAGE_ORDER; a warning is printed on stderr unless
 * __GFP_NOWARN.  NULL also when fault injection (kmem_fault_set(),
 * KMEM_FAIL_PAGE_ALLOC) fails the call.  Never NULL with __GFP_NOFAIL and a
 * valid order.
 * Context: any thread; takes the zone lock only when the calling thread's
 * page cache cannot serve the request.
 */
KMEM_API struct page *alloc_pages(gfp_t gfp, unsigned int order) KMEM_MUST_CHECK;

/**
 * alloc_pages_node - alloc_pages() with a preferred node
 * @nid: the node, or NUMA_NO_NODE; kmem has one node (see kmem/numa.h), so
 *	any value gives what alloc_pages() gives
 * @gfp: allocation flags
 * @order: block order
 */
static inline struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	(void)nid;
	return alloc_pages(gfp, order);
}

/** alloc_page - allocate one page; see alloc_pages(). */
static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

/**
 * __get_free_pages - allocate 2^@order pages and return their address
 * @gfp: allocation flags (__GFP_HIGHMEM is ignored)
 * @order: block order
 *
 * Return: the address of the first page, or 0 on failure.
 */
KMEM_API unsigned long __get_free_pages(gfp_t gfp, unsigned int order);

/** __get_free_page - one page; see __get_free_pages(). */
static inline unsigned long __get_free_page(gfp_t gfp)
{
	return __get_free_pages(gfp, 0);
}

/**
 * get_zeroed_page - allocate one zeroed page
 * @gfp: allocation flags
 *
 * Return: the page's address, or 0 on failure.
 */
KMEM_API unsigned long get_zeroed_page(gfp_t gfp);

/**
 * __free_pages - drop a reference to a block from alloc_pages()
 * @page: the head page (NULL is ignored)
 * @order: the order it was allocated with
 *
 * When this was the last reference the whole block is freed.  When other
 * references remain and the block is not compound, every page but the first
 * is freed now and the first page is freed by the last put_page() (Linux
 * semantics).  Freeing a page that is already free, a tail page, a page
 * kmem does not own, or a slab, heap segment or large kmalloc block (free
 * those through their own API) is reported and aborts.
 */
KMEM_API void __free_pages(struct page *page, unsigned int order);

/** __free_page - __free_pages() of order 0. */
static inline void __free_page(struct page *page)
{
	__free_pages(page, 0);
}

/**
 * free_pages - free pages by address
 * @addr: an address from __get_free_pages(); 0 is a no-op
 * @order: the order it was allocated with
 *
 * A misaligned or foreign address is reported and aborts.
 */
KMEM_API void free_pages(unsigned long addr, unsigned int order);

/** free_page - free_pages() of order 0. */
static inline void free_page(unsigned long addr)
{
	free_pages(addr, 0);
}

/**
 * free_pages_exact - free memory from alloc_pages_exact()
 * @virt: the address it returned (NULL is a no-op)
 * @size: the size passed to alloc_pages_exact()
 */
KMEM_API void free_pages_exact(void *virt, size_t size);

/**
 * alloc_pages_exact - allocate exactly PAGE_ALIGN(@size) bytes of pages
 * @size: bytes wanted, at most 2^MAX_PAGE_ORDER pages
 * @gfp: allocation flags; __GFP_COMP is refused with a warning and dropped
 *
 * Allocates the next power-of-two block and gives the unused tail pages back
 * at once; the remaining pages are independent order-0 pages.
 *
 * Return: the address, or NULL on failure.  Free with free_pages_exact().
 */
KMEM_API void *alloc_pages_exact(size_t size, gfp_t gfp) KMEM_MALLOC
	KMEM_DEALLOC(free_pages_exact, 1) KMEM_ALLOC_SIZE(1) KMEM_MUST_CHECK;

/**
 * split_page - turn a non-compound block into 2^@order independent pages
 * @page: head of a block from alloc_pages() without __GFP_COMP
 * @order: its order
 *
 * Afterwards each page has its own reference count of one and is freed
 * with __free_page().  Splitting a compound page is reported and aborts.
 */
KMEM_API void split_page(struct page *page, unsigned int order);

/**
 * virt_to_page - the struct page of the page containing @addr
 * @addr: any address inside a page kmem manages
 *
 * Return: the page, or NULL when kmem does not manage @addr (the kernel
 * would return garbage; kmem can tell).  O(1), lock-free.
 */
KMEM_API struct page *virt_to_page(const void *addr);

/**
 * virt_addr_valid - does kmem's page allocator manage @addr?
 * @addr: any address
 */
static inline bool virt_addr_valid(const void *addr)
{
	return virt_to_page(addr) != NULL;
}

/*
 * Flags are read with relaxed atomic loads: the buddy allocator inspects a
 * neighbouring block's flags while that block's owner may be updating its
 * own bits.  Plain loads on every architecture kmem supports.
 */
static inline unsigned long __page_flags(const struct page *page)
{
	return __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
}

/** page_to_pfn - page frame number (address >> PAGE_SHIFT) of @page. */
static inline unsigned long page_to_pfn(const struct page *page)
{
	return __page_flags(page) >> KMEM_PFN_SHIFT;
}

/** pfn_to_page - inverse of page_to_pfn(); NULL for a pfn kmem does not own. */
static inline struct page *pfn_to_page(unsigned long pfn)
{
	return virt_to_page((const void *)(pfn << PAGE_SHIFT));
}

/** page_address - the address of the memory described by @page. */
static inline void *page_address(const struct page *page)
{
	return (void *)(page_to_pfn(page) << PAGE_SHIFT);
}

static inline bool PageHead(const struct page *page)
{
	return __page_flags(page) & (1UL << PG_head);
}

static inline bool PageTail(const struct page *page)
{
	return __page_flags(page) & (1UL << PG_tail);
}

static inline bool PageCompound(const struct page *page)
{
	return __page_flags(page) & ((1UL << PG_head) | (1UL << PG_tail));
}

static inline bool PageSlab(const struct page *page)
{
	return __page_flags(page) & (1UL << PG_slab);
}

static inline bool PageBuddy(const struct page *page)
{
	return __page_flags(page) & (1UL << PG_buddy);
}

/** compound_head - the head page of the compound block @page belongs to. */
static inline struct page *compound_head(const struct page *page)
{
	if (PageTail(page))
		return (struct page *)page->compound.head;
	return (struct page *)page;
}

/** compound_order - order of a compound block (0 for a page that is not a head). */
static inline unsigned int compound_order(const struct page *page)
{
	return PageHead(page) ? page->order : 0;
}

/** page_size - bytes in the compound block headed by @page. */
static inline size_t page_size(const struct page *page)
{
	return PAGE_SIZE << compound_order(page);
}

/** page_shift - log2 of page_size(). */
static inline unsigned int page_shift(const struct page *page)
{
	return PAGE_SHIFT + compound_order(page);
}

/**
 * virt_to_head_page - head page of the block containing @addr
 * @addr: an address kmem manages
 *
 * Return: the head page, or NULL when kmem does not manage @addr.
 */
static inline struct page *virt_to_head_page(const void *addr)
{
	struct page *page = virt_to_page(addr);

	return page ? compound_head(page) : NULL;
}

/** page_ref_count - the reference count of @page itself (0 when free). */
static inline int page_ref_count(const struct page *page)
{
	return __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);
}

/** page_count - the reference count of the block @page belongs to. */
static inline int page_count(const struct page *page)
{
	return page_ref_count(compound_head(page));
}

/**
 * get_page - take a reference to the block containing @page
 * @page: any page of an allocated block (the head is used)
 *
 * Taking a reference to a free page is a bug, reported and aborted by the
 * put_page() that would bring the count below zero.
 */
static inline void get_page(struct page *page)
{
	__atomic_fetch_add(&compound_head(page)->_refcount, 1, __ATOMIC_RELAXED);
}

/**
 * put_page - drop a reference to the block containing @page
 * @page: any page of an allocated block (the head is used)
 *
 * The last reference frees the block: the whole compound block, or for a
 * non-compound block the order recorded at allocation.
 */
KMEM_API void put_page(struct page *page);

/**
 * get_order - the smallest order whose block holds @size bytes
 * @size: bytes; must be at least 1
 */
static inline unsigned int get_order(unsigned long size)
{
	size = (size - 1) >> PAGE_SHIFT;
	return size ? (unsigned int)(8 * sizeof(long)) - (unsigned int)__builtin_clzl(size) : 0;
}

KMEM_END_DECLS

#endif /* KMEM_MM_H */
