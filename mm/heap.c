// SPDX-License-Identifier: MIT
/*
 * mm/heap.c - the boundary-tag heap: segments, chunks, split and merge.
 *
 * Structure
 *   A heap (struct kheap) is a list of segments in address order.  A
 *   segment on kmem's pages is a compound buddy block whose head page has
 *   PG_heap and heap.segment = the segment, and every page of which has
 *   heap.owner = the heap (page_owner_heap(); no other layer writes
 *   that word, so it is NULL in every page outside a segment); the struct
 *   heap_segment sits at the start of the block.  A heap in
 *   caller memory has one segment, the buffer, with the control block at
 *   its start.  Each segment is tiled by chunks (layout in mm/internal.h)
 *   from seg->first up to seg->sentinel.  Which free chunk serves a request
 *   is the fit policy's business (mm/heap_fit.c); this file only splits the
 *   chunk it is given and merges chunks as they are freed.
 *
 * Invariants (checked by heap_check(), part of kmem_check())
 *   H1 Every header has a valid tag; chunk sizes are multiples of 16 and at
 *      least CHUNK_MIN; the chunks of a segment tile [first, sentinel)
 *      exactly and the sentinel is an in-use header of size 0.
 *   H2 A chunk's CHUNK_PREV_IN_USE equals its predecessor's CHUNK_IN_USE;
 *      the first chunk of a segment has CHUNK_PREV_IN_USE.
 *   H3 A free chunk's footer equals its size; no two free chunks are
 *      adjacent (they are merged at once).
 *   H4 The policy's index holds exactly the free chunks, each once.
 *   H5 used_bytes, free_bytes, nr_used, nr_free, nr_segments, nr_empty and
 *      each segment's nr_used match the chunks.
 *   H6 At most one segment on kmem's pages is empty (all one free chunk):
 *      a second one goes back to the buddy allocator when it empties.
 *   H7 Every page of a segment on kmem's pages names the heap
 *      (page_owner_heap()); the word is cleared when the segment goes.
 *
 * Locking
 *   h->lock guards everything in the heap: chunks, index, counters and the
 *   segment list.  heap_registry_lock guards the list of heaps and is taken
 *   before a heap lock (heap_check_all, fork, reclaim) or alone.  The page
 *   allocator is called with h->lock held (heap -> zone is the library's
 *   lock order), so page reclaim, which may run inside that call, only
 *   trylocks heaps.  Every heap lock is held across fork().
 *   Allocated chunks belong to their owner: the heap writes a live chunk's
 *   header only while freeing or resizing it on the owner's behalf.
 *
 * Tools
 *   Under valgrind, chunks of heaps on kmem's pages are heap blocks of
 *   their usable size (lib/shadow.h): freed chunks are inaccessible to the
 *   program, and the heap's own walks over free chunks and headers run with
 *   memcheck's reports off (heap_lock()).  ASan builds leave chunks alone:
 *   the heap reads free chunks from instrumented code.  Heaps in caller
 *   memory are not annotated: the memory goes back to its owner as it was.
 */
#include <stdio.h>
#include <string.h>

#include "lib/shadow.h"
#include "lib/thread.h"
#include "mm/internal.h"
#include "page/page.h"

/*
 * Segments are 128 KiB, or for larger requests the smallest block that
 * holds HEAP_SEGMENT_FANOUT of them (at most MAX_PAGE_ORDER).
 */
#define HEAP_SEGMENT_ORDER 5
#define HEAP_SEGMENT_FANOUT 8

static pthread_mutex_t heap_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head heap_registry = {&heap_registry, &heap_registry};
static pthread_once_t heap_once = PTHREAD_ONCE_INIT;

/* ==== locking and tools ================================================= */

static void heap_lock(struct kheap *h)
{
	pthread_mutex_lock(&h->lock);
	shadow_quiet_begin();
}

static void heap_unlock(struct kheap *h)
{
	shadow_quiet_end();
	pthread_mutex_unlock(&h->lock);
}

/* Whether valgrind sees @h's chunks as blocks (see Tools above). */
static inline bool heap_shadowed(const struct kheap *h)
{
	return !KMEM_ASAN && !h->in_caller_memory && shadow_watched();
}

/* ==== segments ========================================================= */

static struct heap_segment *page_segment(const void *p)
{
	struct page *page = __virt_to_page(p);

	if (!page)
		return NULL;
	page = compound_head(page);
	if (!page_test_flag(page, PG_heap))
		return NULL;
	return (struct heap_segment *)page->heap.segment;
}

/* The segment of @h containing @p, or NULL if @p is not inside one. */
static struct heap_segment *heap_segment_of(struct kheap *h, const void *p)
{
	struct heap_segment *seg;

	if (h->in_caller_memory)
		seg = &h->caller_segment;
	else
		seg = page_segment(p);
	if (!seg || seg->heap != h || (const char *)p < seg->base ||
	    (const char *)p >= seg->base + seg->bytes)
		return NULL;
	return seg;
}

struct kheap *heap_of(const void *p)
{
	struct heap_segment *seg = page_segment(p);

	return seg ? seg->heap : NULL;
}

static void segment_layout(struct heap_segment *seg, char *base, size_t bytes, char *data)
{
	uintptr_t end = ((uintptr_t)base + bytes - CHUNK_ALIGN) & ~(uintptr_t)(CHUNK_ALIGN - 1);

	seg->base = base;
	seg->bytes = bytes;
	seg->first = (struct chunk *)(align_up((uintptr_t)data + CHUNK_HEADER, CHUNK_ALIGN) -
				      CHUNK_HEADER);
	seg->sentinel = (struct chunk *)(end + CHUNK_HEADER);
	seg->nr_used = 0;
}

static size_t segment_capacity(const struct heap_segment *seg)
{
	return (size_t)((char *)seg->sentinel - (char *)seg->first);
}

/* Bytes a page segment of @order can give to one chunk (as segment_layout()). */
static size_t page_segment_capacity(unsigned int order)
{
	size_t first =
		align_up(sizeof(struct heap_segment) + CHUNK_HEADER, CHUNK_ALIGN) - CHUNK_HEADER;

	return (PAGE_SIZE << order) - CHUNK_HEADER - first;
}

static void index_free_chunk(struct kheap *h, struct chunk *c)
{
	*chunk_footer(c) = chunk_size(c);
	h->ops->insert(h, c);
	h->nr_free++;
	h->free_bytes += chunk_size(c);
}

static void unindex_free_chunk(struct kheap *h, struct chunk *c)
{
	h->ops->remove(h, c);
	h->nr_free--;
	h->free_bytes -= chunk_size(c);
}

/* Make @seg one free chunk and link it into @h, in address order. */
static void segment_attach(struct kheap *h, struct heap_segment *seg)
{
	struct list_head *pos;

	seg->heap = h;
	chunk_set_head(seg->first, segment_capacity(seg), CHUNK_PREV_IN_USE);
	chunk_set_head(seg->sentinel, 0, CHUNK_IN_USE);
	list_for_each(pos, &h->segments)
		if ((char *)container_of(pos, struct heap_segment, link)->base > seg->base)
			break;
	list_add_tail(&seg->link, pos);
	h->nr_segments++;
	h->nr_empty++;
	index_free_chunk(h, seg->first);
}

static void update_peak(struct kheap *h)
{
	if (h->footprint > h->peak_footprint)
		h->peak_footprint = h->footprint;
}

/* Record @h (or NULL) as the owner in every page of the segment at @head. */
static void segment_set_owner(struct page *head, unsigned int order, struct kheap *h)
{
	for (unsigned long i = 0; i < 1UL << order; i++)
		__atomic_store_n(&head[i].heap.owner, (unsigned long)h, __ATOMIC_RELAXED);
}

/* A new segment big enough for a chunk of @need bytes, or NULL. */
static struct heap_segment *segment_grow(struct kheap *h, size_t need, gfp_t gfp)
{
	unsigned int order = HEAP_SEGMENT_ORDER;
	struct heap_segment *seg;
	struct page *page;

	/* Room for several requests of this size, so segments do not churn. */
	while (page_segment_capacity(order) < need * HEAP_SEGMENT_FANOUT && order < MAX_PAGE_ORDER)
		order++;
	if (page_segment_capacity(order) < need)
		return NULL;
	/* Under the heap's lock: page reclaim must never free into a heap. */
	page = alloc_pages((gfp & ~__GFP_ZERO) | __GFP_COMP, order);
	if (!page)
		return NULL;
	seg = page_address(page);
	segment_layout(seg, (char *)seg, PAGE_SIZE << order, (char *)(seg + 1));
	seg->page = page;
	seg->order = order;
	page->heap.segment = (unsigned long)seg;
	segment_set_owner(page, order, h);
	page_set_flag(page, PG_heap);
	segment_attach(h, seg);
	h->footprint += seg->bytes;
	update_peak(h);
	return seg;
}

static void segment_release(struct kheap *h, struct heap_segment *seg)
{
	struct page *page = seg->page;

	unindex_free_chunk(h, seg->first);
	list_del(&seg->link);
	h->nr_segments--;
	h->nr_empty--;
	h->footprint -= seg->bytes;
	page_clear_flag(page, PG_heap);
	page->heap.segment = 0;
	segment_set_owner(page, seg->order, NULL);
	__free_pages(page, seg->order);
}

/* For a heap in caller memory: bytes up to the end of the highest live chunk. */
static void update_caller_footprint(struct kheap *h)
{
	struct heap_segment *seg = &h->caller_segment;
	char *top = (char *)seg->sentinel;

	if (!chunk_prev_in_use(seg->sentinel))
		top -= *(uint64_t *)(top - 8);
	h->footprint = (size_t)(top - seg->base);
	update_peak(h);
}

/* ==== chunks =========================================================== */

static struct heap_segment *chunk_segment(struct kheap *h, struct chunk *c)
{
	return h->in_caller_memory ? &h->caller_segment : page_segment(c);
}

/*
 * Carve @m chunks of @need bytes, side by side, from the low end of free
 * chunk @c and store their payloads in @out.  What is left stays a free
 * chunk if it is at least CHUNK_MIN bytes; a smaller rest goes to the last
 * chunk carved, which is then larger than @need.  One index removal and at
 * most one insertion, whatever @m.
 */
static void chunk_carve(struct kheap *h, struct chunk *c, size_t need, unsigned int m, void **out)
{
	size_t size = chunk_size(c), rest = size - m * need;
	unsigned long flags = (c->head & CHUNK_PREV_IN_USE) | CHUNK_IN_USE;
	struct heap_segment *seg = chunk_segment(h, c);
	struct chunk *end = (struct chunk *)((char *)c + size);

	unindex_free_chunk(h, c);
	if (rest < CHUNK_MIN)
		rest = 0;
	for (unsigned int i = 0; i < m; i++) {
		struct chunk *x = (struct chunk *)((char *)c + i * need);

		chunk_set_head(x, i + 1 < m || rest ? need : need + (size - m * need), flags);
		out[i] = chunk_payload(x);
		flags = CHUNK_PREV_IN_USE | CHUNK_IN_USE;
	}
	if (rest) {
		struct chunk *tail = (struct chunk *)((char *)end - rest);

		chunk_set_head(tail, rest, CHUNK_PREV_IN_USE);
		index_free_chunk(h, tail);
	} else {
		chunk_set_head(end, chunk_size(end), (end->head & CHUNK_FLAGS) | CHUNK_PREV_IN_USE);
	}
	h->used_bytes += size - rest;
	h->nr_used += m;
	if (!seg->nr_used)
		h->nr_empty--;
	seg->nr_used += m;
}

static void mark_merged(struct chunk *c)
{
	chunk_set_head(c, 0, CHUNK_MERGED);
}

/*
 * Free the @size bytes at @c (an allocated chunk or the tail split off
 * one), merging with free neighbours, and index the result.
 */
static struct chunk *chunk_release(struct kheap *h, struct chunk *c, size_t size)
{
	unsigned long prev = c->head & CHUNK_PREV_IN_USE;
	struct chunk *next = (struct chunk *)((char *)c + size);

	if (!prev) {
		struct chunk *left = (struct chunk *)((char *)c - *((uint64_t *)c - 1));

		unindex_free_chunk(h, left);
		size += chunk_size(left);
		prev = left->head & CHUNK_PREV_IN_USE;
		mark_merged(c);
		c = left;
	}
	if (!chunk_in_use(next)) {
		unindex_free_chunk(h, next);
		size += chunk_size(next);
		mark_merged(next);
		next = (struct chunk *)((char *)c + size);
	}
	chunk_set_head(c, size, prev);
	chunk_set_head(next, chunk_size(next), next->head & CHUNK_FLAGS & ~CHUNK_PREV_IN_USE);
	index_free_chunk(h, c);
	return c;
}

/* The call a report names: kmalloc's frees name kfree, not kheap_free. */
static const char *const heap_op_names[] = {"kheap_free", "kfree", "krealloc"};
enum heap_op { OP_FREE, OP_KFREE, OP_RESIZE };

static bool free_neighbour_ok(const struct heap_segment *seg, const struct chunk *c)
{
	return c >= seg->first && c < seg->sentinel && chunk_tag_ok(c) && !chunk_in_use(c) &&
		chunk_size(c) >= CHUNK_MIN;
}

/*
 * The allocated chunk whose payload is @p, after checking every tag the
 * operation will rely on; NULL after a BUG report otherwise.
 */
static struct chunk *live_chunk(struct kheap *h, struct heap_segment *seg, void *p, enum heap_op op)
{
	const char *what = heap_op_names[op];
	struct chunk *c = payload_chunk(p), *next, *left;

	if (!seg || (uintptr_t)p % CHUNK_ALIGN || c < seg->first || c >= seg->sentinel) {
		kmem_bug("kheap %s: %s of %p: not a chunk of this heap", h->name, what, p);
		return NULL;
	}
	if (!chunk_tag_ok(c)) {
		kmem_bug("kheap %s: %s of %p: invalid pointer or corrupted boundary tag (header "
			 "%#llx)",
			 h->name, what, p, (unsigned long long)c->head);
		return NULL;
	}
	if ((c->head & CHUNK_LOW_MASK) == CHUNK_MERGED || !chunk_in_use(c)) {
		kmem_bug("kheap %s: %s of %p: double free (the chunk is already free)", h->name,
			 what, p);
		return NULL;
	}
	next = chunk_next(c);
	if (chunk_size(c) < CHUNK_MIN || next > seg->sentinel || !chunk_tag_ok(next) ||
	    !chunk_prev_in_use(next)) {
		kmem_bug("kheap %s: %s of %p: corrupted boundary tag after the chunk (size %zu)",
			 h->name, what, p, chunk_size(c));
		return NULL;
	}
	if (!chunk_in_use(next) &&
	    (!free_neighbour_ok(seg, next) || *chunk_footer(next) != chunk_size(next))) {
		kmem_bug("kheap %s: %s of %p: corrupted free chunk after it", h->name, what, p);
		return NULL;
	}
	if (chunk_prev_in_use(c))
		return c;
	left = (struct chunk *)((char *)c - *((uint64_t *)c - 1));
	if (*((uint64_t *)c - 1) % CHUNK_ALIGN || !free_neighbour_ok(seg, left) ||
	    chunk_next(left) != c) {
		kmem_bug("kheap %s: %s of %p: corrupted free chunk before it", h->name, what, p);
		return NULL;
	}
	return c;
}

/* ==== the API ========================================================== */

const char *kheap_fit_name(enum kheap_fit fit)
{
	const struct fit_ops *ops = fit_policy(fit);

	return ops ? ops->name : NULL;
}

static size_t control_block_bytes(unsigned int fl_count)
{
	return sizeof(struct kheap) + fl_count * sizeof(((struct kheap *)0)->tlsf_heads[0]);
}

/*
 * The page allocator's shrinker: every empty segment of every heap on
 * kmem's pages goes back (H6 keeps one per heap otherwise).  Heaps whose
 * lock is busy (this thread may be growing one) are skipped.
 */
static unsigned long heap_reclaim(void)
{
	unsigned long pages = 0;
	struct list_head *pos, *next;

	if (pthread_mutex_trylock(&heap_registry_lock))
		return 0;
	list_for_each(pos, &heap_registry) {
		struct kheap *h = container_of(pos, struct kheap, link);

		if (h->in_caller_memory || pthread_mutex_trylock(&h->lock))
			continue;
		/* As under heap_lock(): releasing a segment unlinks its free chunk. */
		shadow_quiet_begin();
		for (struct list_head *s = h->segments.next; s != &h->segments; s = next) {
			struct heap_segment *seg = container_of(s, struct heap_segment, link);

			next = s->next;
			if (!seg->nr_used) {
				pages += 1UL << seg->order;
				segment_release(h, seg);
			}
		}
		shadow_quiet_end();
		pthread_mutex_unlock(&h->lock);
	}
	pthread_mutex_unlock(&heap_registry_lock);
	return pages;
}

static void heaps_lock_for_fork(void)
{
	struct list_head *pos;

	pthread_mutex_lock(&heap_registry_lock);
	list_for_each(pos, &heap_registry)
		pthread_mutex_lock(&container_of(pos, struct kheap, link)->lock);
}

static void heaps_unlock_after_fork(void)
{
	struct list_head *pos;

	list_for_each(pos, &heap_registry)
		pthread_mutex_unlock(&container_of(pos, struct kheap, link)->lock);
	pthread_mutex_unlock(&heap_registry_lock);
}

static const struct kmem_fork_ops heaps_fork_ops = {
	.prepare = heaps_lock_for_fork,
	.parent = heaps_unlock_after_fork,
	.child = heaps_unlock_after_fork,
};

static void heap_init_once(void)
{
	page_register_reclaim(heap_reclaim);
	kmem_fork_register(KMEM_FORK_MM, &heaps_fork_ops);
}

static void heap_init(struct kheap *h, const char *name, enum kheap_fit fit, unsigned int fl_count)
{
	memset(h, 0, control_block_bytes(fl_count));
	pthread_mutex_init(&h->lock, NULL);
	snprintf(h->name, sizeof(h->name), "%s", name ? name : "heap");
	h->fit = fit;
	h->ops = fit_policy(fit);
	h->tlsf_fl_count = fl_count;
	INIT_LIST_HEAD(&h->segments);
	h->ops->reset(h);
	pthread_once(&heap_once, heap_init_once);
	pthread_mutex_lock(&heap_registry_lock);
	list_add_tail(&h->link, &heap_registry);
	pthread_mutex_unlock(&heap_registry_lock);
}

struct kheap *kheap_create(const char *name, enum kheap_fit fit)
{
	unsigned int fl_count = fit_tlsf_first_levels(page_segment_capacity(MAX_PAGE_ORDER));
	size_t bytes = control_block_bytes(fl_count);
	struct page *page;
	struct kheap *h;

	if (!fit_policy(fit))
		return NULL;
	page = alloc_pages(GFP_KERNEL, get_order(bytes));
	if (!page)
		return NULL;
	h = page_address(page);
	heap_init(h, name, fit, fl_count);
	h->control_bytes = PAGE_SIZE << get_order(bytes);
	return h;
}

struct kheap *kheap_create_in(const char *name, void *mem, size_t size, enum kheap_fit fit)
{
	struct kheap *h = (struct kheap *)align_up((uintptr_t)mem, 64);
	struct heap_segment *seg;
	unsigned int fl_count;

	if (!mem || size < KHEAP_MIN_BUFFER || size >> CHUNK_SIZE_BITS || !fit_policy(fit) ||
	    (uintptr_t)mem + size < (uintptr_t)mem)
		return NULL;
	fl_count = fit_tlsf_first_levels(size);
	heap_init(h, name, fit, fl_count);
	h->in_caller_memory = true;
	seg = &h->caller_segment;
	segment_layout(seg, mem, size, (char *)h + control_block_bytes(fl_count));
	segment_attach(h, seg);
	update_caller_footprint(h);
	return h;
}

static size_t heap_max_request(const struct kheap *h)
{
	if (h->in_caller_memory)
		return segment_capacity(&h->caller_segment) - CHUNK_HEADER;
	return HEAP_MAX_REQUEST;
}

/* Chunk bytes for a request of @size (which is at most HEAP_MAX_REQUEST). */
static size_t chunk_need(size_t size)
{
	size_t need = align_up(size + CHUNK_HEADER, CHUNK_ALIGN);

	return need < CHUNK_MIN ? CHUNK_MIN : need;
}

/*
 * Move the start of free chunk @c forward so that its payload is aligned to
 * @align, leaving the gap (at least CHUNK_MIN) as a free chunk of its own.
 * Returns the aligned free chunk; both pieces are indexed.
 */
static struct chunk *chunk_align_front(struct kheap *h, struct chunk *c, size_t align)
{
	uintptr_t payload = (uintptr_t)chunk_payload(c);
	uintptr_t aligned = align_up(payload, align);
	unsigned long prev = c->head & CHUNK_PREV_IN_USE;
	size_t size = chunk_size(c), gap;
	struct chunk *rest;

	if (aligned == payload)
		return c;
	while (aligned - payload < CHUNK_MIN)
		aligned += align;
	gap = aligned - payload;
	unindex_free_chunk(h, c);
	chunk_set_head(c, gap, prev);
	index_free_chunk(h, c);
	rest = (struct chunk *)((char *)c + gap);
	chunk_set_head(rest, size - gap, 0);
	index_free_chunk(h, rest);
	return rest;
}

static void *heap_alloc(struct kheap *h, size_t size, size_t align, gfp_t gfp)
{
	struct chunk *c;
	size_t need, search, usable = 0;
	void *p = NULL;

	if (unlikely(!h || !size))
		return NULL;
	if (unlikely(size > heap_max_request(h) || align > heap_max_request(h)))
		goto fail;
	need = chunk_need(size);
	/* Room for the worst alignment gap, which must itself be a chunk. */
	search = align > CHUNK_ALIGN ? need + align + CHUNK_MIN : need;
	heap_lock(h);
	c = h->ops->find(h, search);
	if (!c && !h->in_caller_memory) {
		struct heap_segment *seg = segment_grow(h, search, gfp);

		c = seg ? seg->first : NULL;
	}
	if (c) {
		if (align > CHUNK_ALIGN)
			c = chunk_align_front(h, c, align);
		chunk_carve(h, c, need, 1, &p);
		usable = chunk_size(c) - CHUNK_HEADER;
		h->next_fit_rover = (uintptr_t)c;
		if (h->in_caller_memory)
			update_caller_footprint(h);
	}
	heap_unlock(h);
	if (!p)
		goto fail;
	if (heap_shadowed(h))
		shadow_alloc(p, usable, usable, false);
	if (gfp & __GFP_ZERO)
		memset(p, 0, usable);
	return p;
fail:
	if (!(gfp & __GFP_NOWARN))
		kmem_warn("kheap %s: allocation of %zu bytes (alignment %zu) failed", h->name, size,
			  align);
	return NULL;
}

void *kheap_alloc(struct kheap *h, size_t size, gfp_t gfp)
{
	return heap_alloc(h, size, CHUNK_ALIGN, gfp);
}

void *kheap_alloc_aligned(struct kheap *h, size_t size, size_t align, gfp_t gfp)
{
	if (unlikely(!is_power_of_2(align))) {
		if (!(gfp & __GFP_NOWARN))
			kmem_warn("kheap %s: alignment %zu is not a power of two",
				  h ? h->name : "(null)", align);
		return NULL;
	}
	return heap_alloc(h, size, align < CHUNK_ALIGN ? CHUNK_ALIGN : align, gfp);
}

/* Free the chunk at @p of @h (segment @seg) for @op, with @h's lock held. */
static void heap_free_locked(struct kheap *h, struct heap_segment *seg, void *p, enum heap_op op)
{
	struct chunk *c = live_chunk(h, seg, p, op);
	size_t size;

	if (unlikely(!c))
		return;
	if (heap_shadowed(h))
		shadow_free(p, 0);
	size = chunk_size(c);
	h->used_bytes -= size;
	h->nr_used--;
	chunk_release(h, c, size);
	if (!--seg->nr_used && ++h->nr_empty > 1 && !h->in_caller_memory)
		segment_release(h, seg);
}

void kheap_free(struct kheap *h, void *p)
{
	struct heap_segment *seg;

	if (!p)
		return;
	if (unlikely(!h)) {
		kmem_bug("kheap_free of %p with a NULL heap", p);
		return;
	}
	seg = heap_segment_of(h, p);
	if (unlikely(!seg && !h->in_caller_memory && heap_of(p))) {
		kmem_bug("kheap %s: kheap_free of %p: chunk belongs to heap %s", h->name, p,
			 heap_of(p)->name);
		return;
	}
	heap_lock(h);
	heap_free_locked(h, seg, p, OP_FREE);
	if (h->in_caller_memory)
		update_caller_footprint(h);
	heap_unlock(h);
}

void heap_free_batch(struct kheap *h, void *const *p, unsigned int n)
{
	heap_lock(h);
	for (unsigned int i = 0; i < n; i++)
		heap_free_locked(h, heap_segment_of(h, p[i]), p[i], OP_KFREE);
	heap_unlock(h);
}

size_t heap_usable_size(const void *p)
{
	struct chunk c = {guarded_load(&payload_chunk(p)->head)};
	uint64_t low = c.head & CHUNK_LOW_MASK;

	/* The tag hashes the address, so check it against the real header's. */
	if ((c.head & ~CHUNK_LOW_MASK) != chunk_tag(payload_chunk(p), low) ||
	    !(low & CHUNK_IN_USE) || (low & CHUNK_SIZE_MASK) < CHUNK_MIN)
		return 0;
	return (low & CHUNK_SIZE_MASK) - CHUNK_HEADER;
}

bool heap_resize_in_place(struct kheap *h, void *p, size_t new_size)
{
	struct heap_segment *seg = heap_segment_of(h, p);
	struct chunk *c, *next;
	size_t size, need, room;
	bool done = false;

	if (!new_size || new_size > heap_max_request(h))
		return false;
	need = chunk_need(new_size);
	heap_lock(h);
	c = live_chunk(h, seg, p, OP_RESIZE);
	if (!c)
		goto out;
	size = chunk_size(c);
	next = chunk_next(c);
	room = size + (chunk_in_use(next) ? 0 : chunk_size(next));
	if (need > room)
		goto out;
	if (need > size) {
		/* Take the right neighbour whole; what is left over goes back below. */
		unindex_free_chunk(h, next);
		mark_merged(next);
		next = (struct chunk *)((char *)c + room);
		chunk_set_head(next, chunk_size(next),
			       (next->head & CHUNK_FLAGS) | CHUNK_PREV_IN_USE);
		h->used_bytes += room - size;
		size = room;
	}
	if (size - need >= CHUNK_MIN) {
		struct chunk *tail = (struct chunk *)((char *)c + need);

		chunk_set_head(tail, size - need, CHUNK_PREV_IN_USE);
		h->used_bytes -= size - need;
		chunk_release(h, tail, size - need);
		size = need;
	}
	if (heap_shadowed(h) && size != chunk_size(c))
		shadow_resize(p, chunk_size(c) - CHUNK_HEADER, size - CHUNK_HEADER, false);
	chunk_set_head(c, size, (c->head & CHUNK_FLAGS));
	if (h->in_caller_memory)
		update_caller_footprint(h);
	done = true;
out:
	heap_unlock(h);
	return done;
}

static void for_each_chunk_rebuild(struct kheap *h)
{
	struct list_head *pos;

	list_for_each(pos, &h->segments) {
		struct heap_segment *seg = container_of(pos, struct heap_segment, link);

		for (struct chunk *c = seg->first; c < seg->sentinel; c = chunk_next(c))
			if (!chunk_in_use(c))
				h->ops->insert(h, c);
	}
}

int kheap_set_fit(struct kheap *h, enum kheap_fit fit)
{
	const struct fit_ops *ops = fit_policy(fit);

	if (!h || !ops)
		return -1;
	heap_lock(h);
	h->fit = fit;
	h->ops = ops;
	ops->reset(h);
	for_each_chunk_rebuild(h);
	heap_unlock(h);
	return 0;
}

static size_t heap_metadata_bytes(struct kheap *h)
{
	size_t bytes = h->control_bytes + h->nr_used * CHUNK_HEADER;
	struct list_head *pos;

	list_for_each(pos, &h->segments) {
		struct heap_segment *seg = container_of(pos, struct heap_segment, link);

		bytes += seg->bytes - segment_capacity(seg);
	}
	return bytes;
}

void kheap_stats(struct kheap *h, struct kheap_stats *st)
{
	if (unlikely(!h)) {
		memset(st, 0, sizeof(*st));
		return;
	}
	heap_lock(h);
	st->used_bytes = h->used_bytes - h->nr_used * CHUNK_HEADER;
	st->free_bytes = h->free_bytes;
	st->largest_free = h->ops->largest(h);
	st->nr_used = h->nr_used;
	st->nr_free = h->nr_free;
	st->fragmentation =
		h->free_bytes ? 1.0 - (double)st->largest_free / (double)h->free_bytes : 0.0;
	st->metadata_bytes = heap_metadata_bytes(h);
	st->footprint = h->footprint;
	st->peak_footprint = h->peak_footprint;
	st->nr_segments = h->nr_segments;
	st->fit = h->fit;
	heap_unlock(h);
}

/* ==== the map ========================================================== */

#define DUMP_COLUMNS 64

static void dump_segment(struct heap_segment *seg, unsigned int index, FILE *out)
{
	size_t area = segment_capacity(seg);
	size_t width = (area + DUMP_COLUMNS - 1) / DUMP_COLUMNS;
	size_t used[DUMP_COLUMNS] = {0}, free_b[DUMP_COLUMNS] = {0};
	char bar[DUMP_COLUMNS + 1];

	fprintf(out, "segment %u: %zu bytes, chunks from +%#zx to +%#zx\n", index, seg->bytes,
		(size_t)((char *)seg->first - seg->base),
		(size_t)((char *)seg->sentinel - seg->base));
	fprintf(out, "      offset        size  state\n");
	for (struct chunk *c = seg->first; c < seg->sentinel; c = chunk_next(c)) {
		size_t start = (size_t)((char *)c - (char *)seg->first),
		       end = start + chunk_size(c);
		size_t *acc = chunk_in_use(c) ? used : free_b;

		fprintf(out, "  %#10zx  %10zu  %s\n", (size_t)((char *)c - seg->base),
			chunk_size(c), chunk_in_use(c) ? "used" : "free");
		for (size_t col = start / width; col < DUMP_COLUMNS && col * width < end; col++) {
			size_t lo = col * width > start ? col * width : start;
			size_t hi = (col + 1) * width < end ? (col + 1) * width : end;

			acc[col] += hi - lo;
		}
	}
	for (unsigned int col = 0; col < DUMP_COLUMNS; col++)
		bar[col] = !free_b[col] ? '#' : !used[col] ? '.' : '+';
	bar[DUMP_COLUMNS] = '\0';
	fprintf(out, "  [%s]\n", bar);
}

void kheap_dump(struct kheap *h, FILE *out)
{
	struct kheap_stats st;
	struct list_head *pos;
	unsigned int index = 0;

	if (unlikely(!h)) {
		fprintf(out, "kheap (null)\n");
		return;
	}
	kheap_stats(h, &st);
	heap_lock(h);
	fprintf(out,
		"kheap %s: fit=%s segments=%lu used=%zu bytes in %zu chunks, free=%zu bytes in %zu "
		"chunks, largest free=%zu, fragmentation=%.3f\n",
		h->name, h->ops->name, st.nr_segments, st.used_bytes, st.nr_used, st.free_bytes,
		st.nr_free, st.largest_free, st.fragmentation);
	list_for_each(pos, &h->segments)
		dump_segment(container_of(pos, struct heap_segment, link), index++, out);
	heap_unlock(h);
}

void kheap_destroy(struct kheap *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&heap_registry_lock);
	list_del(&h->link);
	pthread_mutex_unlock(&heap_registry_lock);
	if (h->nr_used)
		kmem_warn("kheap %s: destroyed with %zu chunks (%zu bytes) still allocated",
			  h->name, h->nr_used, h->used_bytes - h->nr_used * CHUNK_HEADER);
	if (!h->in_caller_memory) {
		struct list_head *pos = h->segments.next, *next;

		/* The list goes with the control block, so nothing is unlinked. */
		for (; pos != &h->segments; pos = next) {
			struct heap_segment *seg = container_of(pos, struct heap_segment, link);

			next = pos->next; /* before the segment's block is freed */
			page_clear_flag(seg->page, PG_heap);
			seg->page->heap.segment = 0;
			segment_set_owner(seg->page, seg->order, NULL);
			__free_pages(seg->page, seg->order);
		}
	}
	pthread_mutex_destroy(&h->lock);
	if (!h->in_caller_memory)
		free_pages((unsigned long)h, get_order(h->control_bytes));
}

/* ==== the checker ====================================================== */

static int check_segment(struct kheap *h, struct heap_segment *seg, size_t totals[4],
			 unsigned long *nr_empty)
{
	struct chunk *c = seg->first;
	bool prev_used = true;
	unsigned long used = 0;

	if (seg->heap != h)
		return kmem_check_failed("kheap %s: segment %p points at another heap", h->name,
					 (void *)seg);
	if (seg->page &&
	    (!page_test_flag(seg->page, PG_heap) || seg->page->heap.segment != (unsigned long)seg ||
	     seg->page->heap.owner != (unsigned long)h))
		return kmem_check_failed("kheap %s: head page of segment %p does not point back",
					 h->name, (void *)seg);
	for (unsigned long i = 0; seg->page && i < 1UL << seg->order; i++)
		if (page_owner_heap(seg->page + i) != h)
			return kmem_check_failed("kheap %s: page %lu of segment %p does not name "
						 "its heap",
						 h->name, i, (void *)seg);
	for (; c < seg->sentinel; c = chunk_next(c)) {
		size_t size = chunk_size(c);

		if (!chunk_tag_ok(c) || size < CHUNK_MIN || size % CHUNK_ALIGN ||
		    (char *)c + size > (char *)seg->sentinel)
			return kmem_check_failed("kheap %s: bad boundary tag at %p (header %#llx)",
						 h->name, (void *)c, (unsigned long long)c->head);
		if (chunk_prev_in_use(c) != prev_used)
			return kmem_check_failed("kheap %s: chunk %p has a wrong prev-in-use bit",
						 h->name, (void *)c);
		if (chunk_in_use(c)) {
			used++;
			totals[0] += size;
		} else {
			if (!prev_used)
				return kmem_check_failed(
					"kheap %s: free chunks at %p and before it are not merged",
					h->name, (void *)c);
			if (*chunk_footer(c) != size)
				return kmem_check_failed(
					"kheap %s: free chunk %p has footer %llu, size %zu",
					h->name, (void *)c, (unsigned long long)*chunk_footer(c),
					size);
			if (!h->ops->contains(h, c))
				return kmem_check_failed(
					"kheap %s: free chunk %p is not in the %s-fit index",
					h->name, (void *)c, h->ops->name);
			totals[1] += size;
			totals[3]++;
		}
		prev_used = chunk_in_use(c);
	}
	if (c != seg->sentinel || !chunk_tag_ok(c) ||
	    (c->head & CHUNK_LOW_MASK) != (CHUNK_IN_USE | (prev_used ? CHUNK_PREV_IN_USE : 0)))
		return kmem_check_failed(
			"kheap %s: chunks of segment %p do not end at its sentinel", h->name,
			(void *)seg);
	if (used != seg->nr_used)
		return kmem_check_failed("kheap %s: segment %p counts %lu chunks, has %lu", h->name,
					 (void *)seg, seg->nr_used, used);
	totals[2] += used;
	*nr_empty += !used;
	return 0;
}

static int heap_check(struct kheap *h)
{
	size_t totals[4] = {0}; /* used bytes, free bytes, used chunks, free chunks */
	unsigned long nr_segments = 0, nr_empty = 0;
	struct list_head *pos;
	char *prev_end = NULL;
	long indexed;

	list_for_each(pos, &h->segments) {
		struct heap_segment *seg = container_of(pos, struct heap_segment, link);

		if (seg->base < prev_end)
			return kmem_check_failed("kheap %s: segments out of address order",
						 h->name);
		prev_end = seg->base + seg->bytes;
		nr_segments++;
		if (check_segment(h, seg, totals, &nr_empty))
			return -1;
	}
	if (totals[0] != h->used_bytes || totals[1] != h->free_bytes || totals[2] != h->nr_used ||
	    totals[3] != h->nr_free || nr_segments != h->nr_segments || nr_empty != h->nr_empty)
		return kmem_check_failed("kheap %s: counters disagree with the chunks", h->name);
	if (!h->in_caller_memory && nr_empty > 1)
		return kmem_check_failed("kheap %s: %lu empty segments kept", h->name, nr_empty);
	indexed = h->ops->check(h);
	if (indexed < 0)
		return -1;
	if ((size_t)indexed != h->nr_free)
		return kmem_check_failed("kheap %s: the index holds %ld chunks, %zu are free",
					 h->name, indexed, h->nr_free);
	return 0;
}

int heap_check_all(void)
{
	struct list_head *pos;
	int ret = 0;

	pthread_mutex_lock(&heap_registry_lock);
	list_for_each(pos, &heap_registry) {
		struct kheap *h = container_of(pos, struct kheap, link);

		heap_lock(h);
		ret = heap_check(h);
		heap_unlock(h);
		if (ret)
			break;
	}
	pthread_mutex_unlock(&heap_registry_lock);
	return ret;
}
