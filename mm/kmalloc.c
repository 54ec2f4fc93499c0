// SPDX-License-Identifier: MIT
/*
 * mm/kmalloc.c - kmalloc()/kfree(): routing, arenas, the per-thread front
 * cache and large allocations.
 *
 * Structure
 *   Requests up to KMALLOC_HEAP_MAX bytes are chunks of the kmalloc heap:
 *   nr_arenas kheaps (mm/heap.c) with the configured fit policy, each with
 *   its own lock.  A thread is given an arena round-robin the first time it
 *   misses its front cache, and keeps it.
 *
 *   The front cache is per thread: for every chunk size up to
 *   FRONT_MAX_CHUNK (16-byte steps), and for medium sizes up to
 *   FRONT_MEDIUM_MAX (8 classes per power of two; kmalloc rounds such
 *   requests up to their class), a LIFO list of chunks, linked through
 *   their first payload word.  kmalloc() of a size whose list is not empty
 *   pops; kfree() of such a chunk pushes.  Both touch only thread-local
 *   memory and the chunk: no lock, no atomic read-modify-write.  A list
 *   holds at most bin->limit chunks; a push onto a full list first moves
 *   half of it, as one chain, to the depot of the arena that owns the
 *   chain (or, when the depot is full, back to the chunks' arenas, one
 *   heap_free_batch() per arena).  A miss takes a chain of the size from
 *   its arena's depot if it has one; otherwise free memory of the arena:
 *   one chunk or, after misses in a row with no free of the size in
 *   between, a batch (heap_alloc_batch(): chunks carved side by side under
 *   one lock) that doubles with each such miss up to half the limit; then
 *   a chain from another arena's depot; only then does the arena grow.
 *   Chunks in a front cache or the depot are allocated as far as their heap
 *   knows.  A depot is bounded per size and in all, and goes back to the
 *   heaps on kmem_kmalloc_drain() and when the page allocator reclaims.
 *
 *   kfree() recognises a chunk of a kmalloc arena by one load from the
 *   address's own struct page (every page of a heap segment names its
 *   heap: page_owner_heap()), then the chunk's tagged header.
 *
 *   A chunk freed by a thread other than the one that allocated it enters
 *   the freeing thread's front cache, and from there goes back to the heap
 *   that owns it (heap_of()), never to the freeing thread's arena.
 *
 *   Larger requests, up to KMALLOC_MAX_SIZE, are compound blocks from the
 *   page allocator with PG_large on the head page.  kfree() dispatches on
 *   the head page of the address: PG_heap -> the heap path, PG_slab -> the
 *   slab layer's registered free, PG_large -> __free_pages().
 *
 * Invariants (checked by kmalloc_check())
 *   K1 Every chunk on a front list is an allocated chunk of a kmalloc arena
 *      whose size is exactly the list's chunk size; the list holds
 *      bin->count <= bin->limit chunks, each at most once.
 *   K2 A chunk on a front list carries front_key in its second payload word;
 *      a chunk handed to a caller does not (that is how a double free into
 *      the front cache is recognised).
 *   K3 A PG_large block is a compound head with a reference count of one
 *      whose address is the allocation.
 *   K4 A depot chain is a front-list-shaped chain (K1, K2) of at most half
 *      a list, whose head records its length; a class's chains add up to
 *      its count, which stays within depot_capacity(), and the classes to
 *      the depot's bytes.
 *
 * Locking
 *   A thread's front cache is touched only by its thread, except that
 *   kmalloc_check() and kmem_kmalloc_stats() read it (approximately)
 *   under front_registry_lock, which also guards the list of caches.  Each
 *   arena's depot has its own lock, held only to push or pop a chain (and
 *   by kmalloc_check() and fork).  Arena locks belong to the heap; refills and
 *   flushes take one arena lock at a time, with no kmalloc lock held.
 *   Lock order: front_registry_lock -> depot locks (by arena) -> arena lock
 *   -> page locks.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmem/heap.h>
#include <kmem/kmalloc.h>
#include <kmem/vmalloc.h>

#include "mm/internal.h"
#include "page/page.h"

/* The heap serves requests up to this; larger ones are page blocks. */
#define KMALLOC_HEAP_MAX KMALLOC_MAX_CACHE_SIZE
_Static_assert(KMALLOC_HEAP_MAX <= HEAP_MAX_REQUEST, "the heap serves every kmalloc size");
_Static_assert(KMALLOC_MIN_SIZE == CHUNK_ALIGN && ARCH_KMALLOC_MINALIGN == CHUNK_ALIGN,
	       "kmalloc alignment is the heap's");

#define MAX_ARENAS 16
/* Front cache: small chunk sizes up to FRONT_MAX_CHUNK bytes, one list per 16. */
#define FRONT_MAX_CHUNK 1024
#define FRONT_SMALL_CLASSES (FRONT_MAX_CHUNK / CHUNK_ALIGN + 1)
/* A small list holds at most this many chunks, and about FRONT_BIN_BYTES bytes. */
#define FRONT_BIN_MAX 64
#define FRONT_BIN_MIN 8
#define FRONT_BIN_BYTES (16 * 1024)
/*
 * Medium chunk sizes, above FRONT_MAX_CHUNK up to FRONT_MEDIUM_MAX: kmalloc
 * rounds them up to one of FRONT_MEDIUM_STEPS classes per power of two (at
 * most 12.5% more), so that a freed chunk serves any request of its class.
 * A medium list holds FRONT_MEDIUM_BYTES bytes, clamped to 2..8 chunks.
 */
#define FRONT_MEDIUM_MAX ((size_t)64 * 1024)
#define FRONT_MEDIUM_STEPS 8
#define FRONT_MEDIUM_SHIFT 3			      /* log2(FRONT_MEDIUM_STEPS) */
#define FRONT_MEDIUM_CLASSES (6 * FRONT_MEDIUM_STEPS) /* 1 KiB .. 64 KiB */
#define FRONT_MEDIUM_BIN_MIN 2
#define FRONT_MEDIUM_BIN_MAX 8
#define FRONT_MEDIUM_BYTES (32 * 1024)
#define FRONT_CLASSES (FRONT_SMALL_CLASSES + FRONT_MEDIUM_CLASSES)
_Static_assert(FRONT_MEDIUM_MAX >> FRONT_MEDIUM_CLASSES / FRONT_MEDIUM_STEPS == FRONT_MAX_CHUNK,
	       "medium classes start where small ones end");
/* The key needs a second payload word in every cached chunk. */
_Static_assert(CHUNK_MIN - CHUNK_HEADER >= 2 * sizeof(void *), "front links fit a chunk");

struct front_bin {
	void **head; /* first chunk's payload; word 0 links to the next */
	unsigned short count;
	unsigned short limit;  /* 0 until the thread's cache is set up */
	unsigned short misses; /* refills since the last push */
};

enum front_state { FRONT_UNUSED, FRONT_ACTIVE, FRONT_DEAD };

struct front_cache {
	struct front_bin bins[FRONT_CLASSES];
	struct kheap *arena;
	enum front_state state;
	struct list_head link; /* front_registry */
};

static __thread struct front_cache front __tls_ie;

static pthread_once_t kmalloc_once = PTHREAD_ONCE_INIT;
static pthread_key_t front_exit_key;
static pthread_mutex_t front_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head front_registry = {&front_registry, &front_registry};

/*
 * The depots (see "the depot" below), one per arena: per class at most
 * DEPOT_BYTES, and DEPOT_TOTAL_BYTES over all classes.
 */
#define DEPOT_BYTES ((size_t)256 * 1024)
#define DEPOT_TOTAL_BYTES ((size_t)1024 * 1024)
/* Lists below the smallest chunk size stay empty. */
#define DEPOT_FIRST_CLASS (CHUNK_MIN / CHUNK_ALIGN)

struct depot {
	pthread_mutex_t lock;
	size_t bytes;			    /* in all chains */
	void **chains[FRONT_CLASSES];	    /* head chunk of the newest chain */
	unsigned int chunks[FRONT_CLASSES]; /* in the class's chains */
} __attribute__((aligned(64)));

static struct depot depots[MAX_ARENAS] = {
	[0 ... MAX_ARENAS - 1] = {.lock = PTHREAD_MUTEX_INITIALIZER},
};

static struct kheap *arenas[MAX_ARENAS];
static unsigned int nr_arenas;
static unsigned int next_arena;
static int kmalloc_fit = -1; /* -1: from KMEM_HEAP_FIT, else good fit */
static bool kmalloc_started;
static uint64_t front_key;

static size_t large_bytes;
static unsigned long large_count;

/* ---- size classes ------------------------------------------------------ */

/* The chunk size the heap gives a request of @size bytes (1..HEAP_MAX). */
static inline size_t kmalloc_chunk_size(size_t size)
{
	size_t c = (size + CHUNK_HEADER + CHUNK_ALIGN - 1) & ~(size_t)(CHUNK_ALIGN - 1);

	return c < CHUNK_MIN ? CHUNK_MIN : c;
}

static inline unsigned int front_class(size_t chunk_size)
{
	return (unsigned int)(chunk_size / CHUNK_ALIGN);
}

/* log2 of the class step for a medium chunk size. */
static inline unsigned int medium_step_shift(size_t chunk)
{
	return 63 - (unsigned int)__builtin_clzl(chunk - 1) - FRONT_MEDIUM_SHIFT;
}

/*
 * The chunk size kmalloc uses for @chunk (kmalloc_chunk_size() of a
 * request): a medium size rounded up to its class, others unchanged.
 */
static inline size_t front_round(size_t chunk)
{
	size_t step;

	if (chunk <= FRONT_MAX_CHUNK || chunk > FRONT_MEDIUM_MAX)
		return chunk;
	step = (size_t)1 << medium_step_shift(chunk);
	return (chunk + step - 1) & ~(step - 1);
}

/* The list index for a chunk of exactly a class size (front_round()). */
static inline unsigned int front_index(size_t chunk)
{
	unsigned int shift;

	if (chunk <= FRONT_MAX_CHUNK)
		return front_class(chunk);
	shift = medium_step_shift(chunk);
	return FRONT_SMALL_CLASSES + (shift + FRONT_MEDIUM_SHIFT - 10) * FRONT_MEDIUM_STEPS +
		(unsigned int)(chunk >> shift) - FRONT_MEDIUM_STEPS - 1;
}

/* The chunk size of list @i. */
static inline size_t front_index_size(unsigned int i)
{
	unsigned int m, p;

	if (i < FRONT_SMALL_CLASSES)
		return (size_t)i * CHUNK_ALIGN;
	m = i - FRONT_SMALL_CLASSES;
	p = 10 + m / FRONT_MEDIUM_STEPS; /* 2^p < size <= 2^(p+1) */
	return ((size_t)1 << p) +
		(size_t)(m % FRONT_MEDIUM_STEPS + 1) * ((size_t)1 << p >> FRONT_MEDIUM_SHIFT);
}

/* The list for a chunk of @chunk bytes, or NULL when it is not cacheable. */
static inline struct front_bin *front_bin_for(size_t chunk)
{
	if (chunk > FRONT_MEDIUM_MAX || front_round(chunk) != chunk)
		return NULL;
	return &front.bins[front_index(chunk)];
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

static void front_exit(void *arg);
static unsigned long depot_reclaim(void);
static void large_free_obj(struct page *head, void *obj);
static size_t large_size_obj(struct page *head, const void *obj);

static const struct page_owner_ops large_ops = {
	.free = large_free_obj,
	.size = large_size_obj,
};

static void kmalloc_lock_for_fork(void);
static void kmalloc_unlock_after_fork(void);
static void kmalloc_unlock_in_child(void);

static void kmalloc_init_once(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long n = kmem_env_long("KMEM_KMALLOC_ARENAS", cpus > 0 ? 2 * cpus : 4);
	enum kheap_fit fit;
	char name[32];

	if (n < 1 || n > MAX_ARENAS) {
		kmem_warn("kmem: KMEM_KMALLOC_ARENAS=%ld out of range 1..%d; using %d", n,
			  MAX_ARENAS, n < 1 ? 1 : MAX_ARENAS);
		n = n < 1 ? 1 : MAX_ARENAS;
	}
	fit = kmalloc_fit >= 0 ? (enum kheap_fit)kmalloc_fit : fit_from_env();
	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "kmalloc-%ld", i);
		arenas[i] = kheap_create(name, fit);
		KMEM_BUG_ON(!arenas[i]);
	}
	kmalloc_fit = (int)fit;
	front_key = ((uint64_t)(uintptr_t)&front_key * 0x9e3779b97f4a7c15ULL) ^
		((uint64_t)getpid() << 32) ^ 0xfee1dead5eedULL;
	front_key |= 1;
	KMEM_BUG_ON(pthread_key_create(&front_exit_key, front_exit));
	pthread_atfork(kmalloc_lock_for_fork, kmalloc_unlock_after_fork, kmalloc_unlock_in_child);
	page_set_owner_ops(PG_large, &large_ops);
	page_register_reclaim(depot_reclaim);
	__atomic_store_n(&nr_arenas, (unsigned int)n, __ATOMIC_RELEASE);
	__atomic_store_n(&kmalloc_started, true, __ATOMIC_RELEASE);
}

static inline void kmalloc_init(void)
{
	pthread_once(&kmalloc_once, kmalloc_init_once);
}

int kmem_kmalloc_set_fit(int fit)
{
	if (fit < KHEAP_FIRST_FIT || fit > KHEAP_GOOD_FIT)
		return -1;
	if (__atomic_load_n(&kmalloc_started, __ATOMIC_ACQUIRE))
		return fit == kmalloc_fit ? 0 : -1;
	kmalloc_fit = fit;
	return 0;
}

static bool is_kmalloc_arena(const struct kheap *h)
{
	for (unsigned int i = 0; i < nr_arenas; i++)
		if (arenas[i] == h)
			return true;
	return false;
}

/* ---- the front cache ------------------------------------------------------ */

/* The calling thread's arena, assigned on first use. */
static struct kheap *front_arena(void)
{
	if (unlikely(!front.arena)) {
		kmalloc_init();
		front.arena =
			arenas[__atomic_fetch_add(&next_arena, 1, __ATOMIC_RELAXED) % nr_arenas];
	}
	return front.arena;
}

/*
 * Turn the calling thread's cache on: register it for thread exit (the
 * key's destructor drains it) and for statistics.  Returns false when the
 * thread is exiting and its cache was already drained: frees then go
 * straight to the heap.
 */
static __noinline bool front_activate(void)
{
	if (front.state == FRONT_DEAD)
		return false;
	kmalloc_init();
	for (unsigned int c = 0; c < FRONT_CLASSES; c++) {
		bool small = c < FRONT_SMALL_CLASSES;
		size_t size = c ? front_index_size(c) : CHUNK_ALIGN;
		unsigned int limit =
			(unsigned int)((small ? FRONT_BIN_BYTES : FRONT_MEDIUM_BYTES) / size);
		unsigned int lo = small ? FRONT_BIN_MIN : FRONT_MEDIUM_BIN_MIN;
		unsigned int hi = small ? FRONT_BIN_MAX : FRONT_MEDIUM_BIN_MAX;

		front.bins[c].limit = limit > hi ? hi : limit < lo ? lo : limit;
	}
	pthread_setspecific(front_exit_key, &front);
	pthread_mutex_lock(&front_registry_lock);
	list_add(&front.link, &front_registry);
	pthread_mutex_unlock(&front_registry_lock);
	front.state = FRONT_ACTIVE;
	return true;
}

static inline void *front_pop(struct front_bin *bin)
{
	void **p = bin->head;

	bin->head = p[0];
	bin->count--;
	p[1] = NULL; /* K2: a chunk in use carries no key */
	return p;
}

/* Cache @obj on @bin (K2: mark it with the key). */
static inline void front_link(struct front_bin *bin, void *obj)
{
	void **p = obj;

	p[0] = bin->head;
	p[1] = (void *)(uintptr_t)front_key;
	bin->head = p;
	bin->count++;
}

/* kfree() into the front cache: the thread recycles this size. */
static inline void front_push(struct front_bin *bin, void *obj)
{
	front_link(bin, obj);
	bin->misses = 0;
}

/*
 * Return the chunks of the NULL-terminated @chain to their heaps: one
 * heap_free_batch() per heap among each FRONT_BIN_MAX of them, so a flush
 * takes each arena's lock once however many chunks it returns.  Returns
 * how many chunks went back.
 */
static unsigned int chain_release(void **chain)
{
	void *batch[FRONT_BIN_MAX];
	unsigned int total = 0;

	while (chain) {
		unsigned int got = 0;

		while (got < FRONT_BIN_MAX && chain) {
			batch[got++] = chain;
			chain = chain[0];
		}
		total += got;
		while (got) {
			struct kheap *h = heap_of(batch[0]);
			unsigned int same = 0;

			/* Chunks of @h to the front, the others after them. */
			for (unsigned int i = 0; i < got; i++) {
				void *p = batch[i];

				if (heap_of(p) == h) {
					batch[i] = batch[same];
					batch[same++] = p;
				}
			}
			heap_free_batch(h, batch, same);
			got -= same;
			memmove(batch, batch + same, got * sizeof(*batch));
		}
	}
	return total;
}

/* Detach the first @n (1..count) chunks of @bin as a NULL-terminated chain. */
static void **front_cut(struct front_bin *bin, unsigned int n)
{
	void **head = bin->head, **last = head;

	for (unsigned int i = 1; i < n; i++)
		last = last[0];
	bin->head = last[0];
	last[0] = NULL;
	bin->count = (unsigned short)(bin->count - n);
	return head;
}

/* Return every chunk of @bin to its heap. */
static void front_release_all(struct front_bin *bin)
{
	if (bin->count)
		chain_release(front_cut(bin, bin->count));
}

static void front_drain(struct front_cache *fc)
{
	for (unsigned int c = 0; c < FRONT_CLASSES; c++)
		front_release_all(&fc->bins[c]);
}

/* Thread exit: drain and stop caching (later frees go to the heap). */
static void front_exit(void *arg)
{
	struct front_cache *fc = arg;

	front_drain(fc);
	for (unsigned int c = 0; c < FRONT_CLASSES; c++)
		fc->bins[c].limit = 0; /* later frees take the slow path */
	pthread_mutex_lock(&front_registry_lock);
	list_del(&fc->link);
	pthread_mutex_unlock(&front_registry_lock);
	fc->state = FRONT_DEAD;
}

/* Is @p already on the calling thread's list for its size? */
static bool front_contains(const struct front_bin *bin, const void *p)
{
	for (void **q = bin->head; q; q = q[0])
		if (q == p)
			return true;
	return false;
}

/* ---- the depot -------------------------------------------------------------- */

/*
 * Chains of cached chunks that front caches hand over when a list
 * overflows and take back when one runs dry: a thread that frees more
 * chunks of a size than its list holds passes them on in O(1) per chain
 * instead of merging each into its heap, and the next allocation of the
 * size takes them without splitting heap chunks again.
 *
 * Each arena has a depot.  A chain goes to the depot of the arena that owns
 * its first chunk, and a thread refills from its own arena's depot: chunks
 * a consumer frees flow back to the producer that allocated them, while
 * threads that recycle their own chunks never share a depot (or its lock,
 * or each other's chunks) unless they share an arena.
 *
 * Chunks in a depot stay allocated as far as their heaps know and carry
 * front_key (K2), like chunks on a front list; the head chunk of a chain
 * keeps the next chain in payload word 2 and its own length in word 3.
 */
static struct depot *depot_of(const struct kheap *arena)
{
	for (unsigned int i = 0; i < nr_arenas; i++)
		if (arenas[i] == arena)
			return &depots[i];
	return NULL;
}

/* Most chunks a depot may park in class @cls. */
static inline unsigned int depot_capacity(unsigned int cls)
{
	return (unsigned int)(DEPOT_BYTES / front_index_size(cls));
}

static inline unsigned int chain_length(void *const *chain)
{
	return (unsigned int)(uintptr_t)chain[3];
}

/* Park @chain of @n chunks of class @cls; false when its depot is full. */
static bool depot_put(unsigned int cls, void **chain, unsigned int n)
{
	struct depot *d = depot_of(heap_of(chain));
	size_t bytes = n * front_index_size(cls);
	bool room;

	pthread_mutex_lock(&d->lock);
	room = d->chunks[cls] + n <= depot_capacity(cls) && d->bytes + bytes <= DEPOT_TOTAL_BYTES;
	if (room) {
		chain[2] = d->chains[cls];
		chain[3] = (void *)(uintptr_t)n;
		WRITE_ONCE(d->chains[cls], chain);
		d->chunks[cls] += n;
		WRITE_ONCE(d->bytes, d->bytes + bytes);
	}
	pthread_mutex_unlock(&d->lock);
	return room;
}

/* Take a chain of class @cls from @d and store its length in @n; NULL if none. */
static void **depot_take(struct depot *d, unsigned int cls, unsigned int *n)
{
	void **chain;

	if (!READ_ONCE(d->chains[cls])) /* a hint: the common empty case takes no lock */
		return NULL;
	pthread_mutex_lock(&d->lock);
	chain = d->chains[cls];
	if (chain) {
		*n = chain_length(chain);
		WRITE_ONCE(d->chains[cls], (void **)chain[2]);
		d->chunks[cls] -= *n;
		WRITE_ONCE(d->bytes, d->bytes - *n * front_index_size(cls));
	}
	pthread_mutex_unlock(&d->lock);
	return chain;
}

/*
 * A chain of class @cls from the depot of an arena other than @arena, for
 * a thread that would otherwise grow @arena; NULL if they are all empty.
 */
static void **depot_steal(const struct kheap *arena, unsigned int cls, unsigned int *n)
{
	struct depot *own = depot_of(arena);
	void **chain = NULL;

	for (unsigned int i = 0; !chain && i < nr_arenas; i++)
		if (&depots[i] != own)
			chain = depot_take(&depots[i], cls, n);
	return chain;
}

/* Return everything in the depots to the heaps; the number of bytes. */
static size_t depot_flush(void)
{
	size_t bytes = 0;

	for (unsigned int i = 0; i < nr_arenas; i++) {
		for (unsigned int cls = DEPOT_FIRST_CLASS; cls < FRONT_CLASSES; cls++) {
			void **chain;
			unsigned int n;

			while ((chain = depot_take(&depots[i], cls, &n)))
				bytes += chain_release(chain) * front_index_size(cls);
		}
	}
	return bytes;
}

static size_t depot_total_bytes(void)
{
	size_t bytes = 0;

	for (unsigned int i = 0; i < nr_arenas; i++)
		bytes += READ_ONCE(depots[i].bytes);
	return bytes;
}

/*
 * Page-layer reclaim: what the depots held, in pages.  Nothing when the
 * allocation that ran out is an arena growing under its lock, which the
 * flush would need.
 */
static unsigned long depot_reclaim(void)
{
	if (heap_growing_here())
		return 0;
	return depot_flush() >> PAGE_SHIFT;
}

/*
 * A push onto the full list @bin of class @cls: move the most recently
 * cached half to a depot, or to the heaps when the depot is full.
 */
static __noinline void front_overflow(struct front_bin *bin, unsigned int cls)
{
	unsigned int n = bin->limit / 2u;
	void **chain = front_cut(bin, n);

	if (!depot_put(cls, chain, n))
		chain_release(chain);
}

void kmem_kmalloc_drain(void)
{
	if (front.state == FRONT_ACTIVE)
		front_drain(&front);
	if (__atomic_load_n(&kmalloc_started, __ATOMIC_ACQUIRE))
		depot_flush();
}

/* ---- the heap path ---------------------------------------------------------- */

/*
 * How many chunks a miss on @bin fetches: one while the thread also frees
 * chunks of the size (they refill the list), then twice as many on each
 * miss in a row without a free in between, up to half the limit: a thread
 * that only allocates a size (the producer of a producer/consumer pair)
 * takes its arena's lock once per batch, a thread that recycles its own
 * chunks does not park extra ones in its cache.
 */
static inline unsigned int front_refill_count(struct front_bin *bin)
{
	unsigned int n;

	if (bin->misses < 8)
		bin->misses++;
	n = 1U << (bin->misses - 1);
	return n < bin->limit / 2u ? n : bin->limit / 2u;
}

/* Make @chain of @n chunks the content of the empty list @bin. */
static inline void front_install(struct front_bin *bin, void **chain, unsigned int n)
{
	bin->head = chain;
	bin->count = (unsigned short)n;
}

/*
 * Everything kmalloc() does not serve from a small list: a medium size
 * (popped from its list here), or a front-cache miss.  A miss takes, in
 * this order, a chain from the arena's depot, front_refill_count() chunks
 * of the arena's free memory, a chain from another arena's depot (rather
 * than grow while chunks of the size wait there), or chunks of a new
 * segment; it hands the first chunk to the caller and caches the rest.
 * Sizes beyond the front cache, and threads whose cache is gone, take one
 * chunk.
 */
static __noinline void *kmalloc_heap_slow(size_t size, gfp_t gfp)
{
	size_t chunk = front_round(kmalloc_chunk_size(size));
	struct kheap *arena = front_arena();
	void *batch[FRONT_BIN_MAX / 2];
	struct front_bin *bin = NULL;
	unsigned int n = 1, got = 0;
	void *p;

	if (chunk <= FRONT_MEDIUM_MAX &&
	    (front.state == FRONT_ACTIVE || (front.state == FRONT_UNUSED && front_activate()))) {
		unsigned int cls = front_index(chunk);
		void **chain;

		bin = &front.bins[cls];
		if (!bin->head && (chain = depot_take(depot_of(arena), cls, &n)))
			front_install(bin, chain, n);
		if (bin->head) /* a medium size (kmalloc() pops small ones) or a chain */
			goto pop;
		n = front_refill_count(bin);
		got = heap_alloc_batch(arena, chunk, batch, n, gfp & ~__GFP_ZERO, false);
		if (!got && (chain = depot_steal(arena, cls, &n))) {
			front_install(bin, chain, n);
			goto pop;
		}
	}
	if (!got)
		got = heap_alloc_batch(arena, chunk, batch, n, gfp & ~__GFP_ZERO, true);
	/*
	 * Reclaim could not flush the depots while the arena grew under its
	 * lock (depot_reclaim()); now that no lock is held, give their chunks
	 * back and try once more.
	 */
	if (!got && gfpflags_allow_blocking(gfp) && depot_flush())
		got = heap_alloc_batch(arena, chunk, batch, n, gfp & ~__GFP_ZERO, true);
	if (!got)
		return NULL;
	p = batch[0];
	while (got > 1)
		front_link(bin, batch[--got]);
	/*
	 * K2: the word may hold a stale key from a cached chunk that was merged
	 * into a neighbour without its payload being rewritten.
	 */
	((void **)p)[1] = NULL;
	goto out;
pop:
	p = front_pop(bin);
out:
	if (gfp & __GFP_ZERO)
		memset(p, 0, heap_usable_size(p));
	return p;
}

/*
 * Free a heap chunk that the fast path could not take: a full list, a
 * thread without an active cache, a chunk too large to cache, a chunk of a
 * user heap or a suspicious one (kheap_free() and heap_usable_size() report
 * what is wrong with it).
 */
static __noinline void kfree_heap_slow(void *p)
{
	struct kheap *h = heap_of(p);
	struct front_bin *bin;
	size_t size;

	if (unlikely(!h || ((uintptr_t)p & (CHUNK_ALIGN - 1)))) {
		kmem_bug("kmalloc: kfree(%p): not the start of a heap chunk", p);
		return;
	}
	if (unlikely(!is_kmalloc_arena(h))) {
		kmem_bug("kmalloc: kfree(%p): chunk of heap \"%s\", which is not a kmalloc heap; "
			 "use kheap_free()",
			 p, h->name);
		return;
	}
	size = heap_usable_size(p) + CHUNK_HEADER;
	if (size == CHUNK_HEADER)
		return; /* reported: not an allocated chunk */
	bin = front_bin_for(size);
	if (unlikely(bin && ((void **)p)[1] == (void *)(uintptr_t)front_key)) {
		kmem_bug("kmalloc: kfree(%p): double free (the chunk is already in %s)", p,
			 front_contains(bin, p) ? "this thread's front cache" :
						  "another thread's front cache or a depot");
		return;
	}
	if (!bin || front.state == FRONT_DEAD ||
	    (front.state == FRONT_UNUSED && !front_activate())) {
		kheap_free(h, p);
		return;
	}
	if (bin->count >= bin->limit)
		front_overflow(bin, (unsigned int)(bin - front.bins));
	front_push(bin, p);
}

/* ---- the large path ------------------------------------------------------------- */

static void *kmalloc_large(size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	struct page *page = alloc_pages(gfp | __GFP_COMP, order);

	if (!page)
		return NULL;
	page_set_flag(page, PG_large);
	__atomic_fetch_add(&large_bytes, PAGE_SIZE << order, __ATOMIC_RELAXED);
	__atomic_fetch_add(&large_count, 1, __ATOMIC_RELAXED);
	return page_address(page);
}

static void large_free_obj(struct page *head, void *obj)
{
	unsigned int order = compound_order(head);

	if (unlikely(obj != page_address(head))) {
		kmem_bug("kmalloc: kfree(%p): interior pointer into the large allocation at %p",
			 obj, page_address(head));
		return;
	}
	__atomic_fetch_sub(&large_bytes, PAGE_SIZE << order, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&large_count, 1, __ATOMIC_RELAXED);
	page_clear_flag(head, PG_large);
	__free_pages(head, order);
}

static size_t large_size_obj(struct page *head, const void *obj)
{
	(void)obj;
	return page_size(head);
}

/* ---- kmalloc / kfree ---------------------------------------------------------------- */

static __noinline void *kmalloc_big(size_t size, gfp_t gfp)
{
	if (unlikely(size > KMALLOC_MAX_SIZE)) {
		if (!(gfp & __GFP_NOWARN))
			kmem_warn("kmalloc: %zu bytes is more than KMALLOC_MAX_SIZE (%lu); use "
				  "kvmalloc() or vmalloc()",
				  size, KMALLOC_MAX_SIZE);
		return NULL;
	}
	return kmalloc_large(size, gfp);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	if (likely(size - 1 < FRONT_MAX_CHUNK - CHUNK_HEADER)) {
		size_t chunk = kmalloc_chunk_size(size);
		struct front_bin *bin = &front.bins[front_class(chunk)];

		if (likely(bin->head)) {
			void *p = front_pop(bin);

			if (unlikely(gfp & __GFP_ZERO))
				memset(p, 0, chunk - CHUNK_HEADER);
			return p;
		}
	}
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(size > KMALLOC_HEAP_MAX))
		return kmalloc_big(size, gfp);
	return kmalloc_heap_slow(size, gfp);
}

void *kmalloc_aligned(size_t size, size_t align, gfp_t gfp)
{
	void *p;

	if (align <= ARCH_KMALLOC_MINALIGN)
		return kmalloc(size, gfp);
	if (unlikely(!is_power_of_2(align) || !size))
		return NULL;
	if (size <= KMALLOC_HEAP_MAX && align <= PAGE_SIZE) {
		p = kheap_alloc_aligned(front_arena(), size, align, gfp & ~__GFP_ZERO);
		if (!p)
			return NULL;
		((void **)p)[1] = NULL; /* K2, as in kmalloc_heap_slow() */
		if (gfp & __GFP_ZERO)
			memset(p, 0, heap_usable_size(p));
		return p;
	}
	/* A block of 2^order pages is aligned to its own size. */
	return kmalloc_big(size > align ? size : align, gfp);
}

/* The owner of a non-heap block, or a report when there is none. */
static const struct page_owner_ops *block_owner(const struct page *head, const void *p,
						const char *fn)
{
	const struct page_owner_ops *ops = NULL;

	if (unlikely(!head)) { /* a tail page of a block being freed right now */
		kmem_bug("kmalloc: %s(%p): address is in a page block that is not allocated", fn,
			 p);
		return NULL;
	}
	if (head->flags & (1UL << PG_slab))
		ops = page_owner_ops(PG_slab);
	else if (head->flags & (1UL << PG_large))
		ops = &large_ops;
	if (unlikely(!ops))
		kmem_bug("kmalloc: %s(%p): address is in a page block that kmalloc does not own "
			 "(flags %#lx)",
			 fn, p, head->flags & ((1UL << KMEM_PFN_SHIFT) - 1));
	return ops;
}

static __noinline void kfree_other(const void *p, struct page *page)
{
	const struct page_owner_ops *ops;
	struct page *head;

	if (unlikely(!page)) {
		kmem_bug("kmalloc: kfree(%p): address was not allocated by kmem%s", p,
			 is_vmalloc_addr(p) ? " via kmalloc (it is a vmalloc area: use vfree())" :
					      "");
		return;
	}
	head = compound_head(page);
	if (head && page_test_flag(head, PG_heap)) {
		kfree_heap_slow((void *)p);
		return;
	}
	ops = block_owner(head, p, "kfree");
	if (ops)
		ops->free(head, (void *)p);
}

void kfree(const void *objp)
{
	struct front_bin *bin;
	struct kheap *arena;
	struct page *page;
	struct chunk *c;
	uint64_t h;

	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return;
	page = __virt_to_page(objp);
	if (unlikely(!page))
		return kfree_other(objp, NULL);
	/*
	 * Every page of a heap segment names its heap, so one load from the
	 * address's own struct page tells a chunk of a kmalloc arena from
	 * everything else (slabs, large blocks, user heaps: kfree_other()).
	 */
	arena = page_owner_heap(page);
	if (unlikely(!arena || (arena != front.arena && !is_kmalloc_arena(arena))))
		return kfree_other(objp, page);
	/*
	 * The fast path takes a well-formed, small, allocated chunk into an
	 * active cache whose list has room; anything else, bad pointers
	 * included, is sorted out by kfree_heap_slow().
	 */
	c = payload_chunk(objp);
	/*
	 * Atomic: freeing the chunk before this one rewrites this header's
	 * CHUNK_PREV_IN_USE bit under its arena's lock, which we do not hold.
	 */
	h = __atomic_load_n(&c->head, __ATOMIC_RELAXED);
	if (unlikely(((uintptr_t)objp & (CHUNK_ALIGN - 1)) || !(h & CHUNK_IN_USE) ||
		     (h & CHUNK_SIZE_MASK) > FRONT_MAX_CHUNK ||
		     (h & ~CHUNK_LOW_MASK) != chunk_tag(c, h & CHUNK_LOW_MASK)))
		return kfree_heap_slow((void *)objp);
	bin = &front.bins[front_class(h & CHUNK_SIZE_MASK)];
	if (unlikely(bin->count >= bin->limit ||
		     ((void *const *)objp)[1] == (void *)(uintptr_t)front_key))
		return kfree_heap_slow((void *)objp);
	front_push(bin, (void *)objp);
}

size_t ksize(const void *objp)
{
	const struct page_owner_ops *ops;
	struct page *page, *head;

	if (ZERO_OR_NULL_PTR(objp))
		return 0;
	page = __virt_to_page(objp);
	if (unlikely(!page)) {
		kmem_bug("kmalloc: ksize(%p): address was not allocated by kmem", objp);
		return 0;
	}
	head = compound_head(page);
	if (head && (head->flags & (1UL << PG_heap)))
		return heap_usable_size(objp);
	ops = block_owner(head, objp, "ksize");
	return ops ? ops->size(head, objp) : 0;
}

size_t kmalloc_size_roundup(size_t size)
{
	if (!size)
		return 0;
	if (size <= KMALLOC_HEAP_MAX)
		return front_round(kmalloc_chunk_size(size)) - CHUNK_HEADER;
	if (size <= KMALLOC_MAX_SIZE)
		return PAGE_SIZE << get_order(size);
	return size;
}

/* ---- krealloc and the helpers built on kmalloc ---------------------------------------- */

/*
 * Resize the heap chunk @p in place if its neighbour allows: returns the
 * usable size afterwards, or 0 when it must move.
 */
static size_t heap_try_resize(void *p, size_t old_usable, size_t new_size)
{
	/* Shrink only when the tail is worth a chunk of its own. */
	if (new_size <= old_usable && old_usable - new_size < CHUNK_MIN + CHUNK_ALIGN)
		return old_usable;
	if (new_size > KMALLOC_HEAP_MAX || !heap_resize_in_place(heap_of(p), p, new_size))
		return new_size <= old_usable ? old_usable : 0;
	return heap_usable_size(p);
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	struct page *page, *head;
	size_t old, now;
	void *n;

	if (unlikely(!new_size)) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (ZERO_OR_NULL_PTR(p))
		return kmalloc(new_size, flags);
	page = __virt_to_page(p);
	head = page ? compound_head(page) : NULL;
	old = ksize(p);
	if (!old)
		return NULL; /* reported */
	if (head && page_test_flag(head, PG_heap)) {
		now = heap_try_resize((void *)p, old, new_size);
		if (now) {
			if ((flags & __GFP_ZERO) && now > old)
				memset((char *)p + old, 0, now - old);
			return (void *)p;
		}
	} else if (new_size <= old) {
		return (void *)p;
	}
	n = kmalloc(new_size, flags);
	if (!n)
		return NULL;
	memcpy(n, p, old < new_size ? old : new_size);
	kfree(p);
	return n;
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

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p && len)
		memcpy(p, src, len);
	return p;
}

char *kmemdup_nul(const char *s, size_t len, gfp_t gfp)
{
	char *p;

	if (!s || len == SIZE_MAX)
		return NULL;
	p = kmalloc(len + 1, gfp);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? kmemdup_nul(s, strlen(s), gfp) : NULL;
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	return s ? kmemdup_nul(s, strnlen(s, max), gfp) : NULL;
}

/* ---- kvmalloc ------------------------------------------------------------------------------ */

/* The kernel's kmalloc_gfp_adjust(): no warnings or long retries above a page. */
static gfp_t kvmalloc_kmalloc_gfp(gfp_t flags, size_t size)
{
	if (size > PAGE_SIZE) {
		flags |= __GFP_NOWARN;
		if (!(flags & __GFP_RETRY_MAYFAIL))
			flags |= __GFP_NORETRY;
		flags &= ~__GFP_NOFAIL;
	}
	return flags;
}

void *kvmalloc(size_t size, gfp_t flags)
{
	void *p = NULL;

	if (size <= KMALLOC_MAX_SIZE) {
		p = kmalloc(size, kvmalloc_kmalloc_gfp(flags, size));
		if (p || size <= PAGE_SIZE)
			return p;
	}
	if (!gfpflags_allow_blocking(flags))
		return NULL;
	if (unlikely(size > INT32_MAX)) {
		if (!(flags & __GFP_NOWARN))
			kmem_warn("kvmalloc: %zu bytes is more than INT_MAX", size);
		return NULL;
	}
	return __vmalloc(size, flags);
}

void kvfree(const void *addr)
{
	if (ZERO_OR_NULL_PTR(addr))
		return;
	if (!__virt_to_page(addr) && is_vmalloc_addr(addr))
		vfree(addr);
	else
		kfree(addr);
}

void kvfree_sensitive(const void *addr, size_t len)
{
	if (ZERO_OR_NULL_PTR(addr))
		return;
	explicit_bzero((void *)addr, len);
	kvfree(addr);
}

void *kvrealloc(const void *p, size_t size, gfp_t flags)
{
	void *n;
	size_t old;

	if (!ZERO_OR_NULL_PTR(p) && !__virt_to_page(p) && is_vmalloc_addr(p)) {
		if (!size) {
			vfree(p);
			return ZERO_SIZE_PTR;
		}
		return vrealloc(p, size, flags);
	}
	n = size <= KMALLOC_MAX_SIZE ? krealloc(p, size, kvmalloc_kmalloc_gfp(flags, size)) : NULL;
	if (n)
		return n;
	n = kvmalloc(size, flags);
	if (!n || ZERO_OR_NULL_PTR(p))
		return n;
	old = ksize(p);
	memcpy(n, p, old < size ? old : size);
	kfree(p);
	return n;
}

/* ---- statistics, checking, fork ------------------------------------------------------------- */

static size_t front_cache_bytes(const struct front_cache *fc)
{
	size_t bytes = 0;

	for (unsigned int c = 0; c < FRONT_CLASSES; c++)
		bytes +=
			(size_t)READ_ONCE(fc->bins[c].count) * (front_index_size(c) - CHUNK_HEADER);
	return bytes;
}

void kmem_kmalloc_stats(struct kmem_kmalloc_stats *stats)
{
	struct list_head *pos;

	kmalloc_init();
	memset(stats, 0, sizeof(*stats));
	stats->arenas = nr_arenas;
	stats->fit = kmalloc_fit;
	for (unsigned int i = 0; i < nr_arenas; i++) {
		struct kheap_stats hs;

		kheap_stats(arenas[i], &hs);
		stats->heap_bytes += hs.used_bytes;
	}
	pthread_mutex_lock(&front_registry_lock);
	list_for_each(pos, &front_registry)
		stats->front_bytes +=
			front_cache_bytes(container_of(pos, struct front_cache, link));
	pthread_mutex_unlock(&front_registry_lock);
	stats->depot_bytes = depot_total_bytes();
	stats->large_bytes = __atomic_load_n(&large_bytes, __ATOMIC_RELAXED);
	stats->large_count = __atomic_load_n(&large_count, __ATOMIC_RELAXED);
}

void kmalloc_meminfo(FILE *out)
{
	struct kmem_kmalloc_stats ks;
	unsigned long vm_count;
	size_t vm_bytes;

	kmem_kmalloc_stats(&ks);
	vmalloc_stats(&vm_bytes, &vm_count);
	fprintf(out, "KmallocHeap:    %10zu kB\n", ks.heap_bytes >> 10);
	fprintf(out, "KmallocFront:   %10zu kB\n", ks.front_bytes >> 10);
	fprintf(out, "KmallocDepot:   %10zu kB\n", ks.depot_bytes >> 10);
	fprintf(out, "KmallocLarge:   %10zu kB\n", ks.large_bytes >> 10);
	fprintf(out, "VmallocUsed:    %10zu kB\n", vm_bytes >> 10);
	fprintf(out, "VmallocAreas:   %10lu\n", vm_count);
}

/* K1/K2 for one cached chunk @p that should be @size bytes. */
static int check_cached_chunk(void **p, size_t size, const char *where)
{
	struct chunk *c = payload_chunk(p);
	struct kheap *h = heap_of(p);

	if (!h || !is_kmalloc_arena(h) || !chunk_tag_ok(c) || !chunk_in_use(c))
		return kmem_check_failed("kmalloc: %s chunk %p is not an allocated chunk of a "
					 "kmalloc arena",
					 where, (void *)p);
	if (chunk_size(c) != size)
		return kmem_check_failed("kmalloc: %s of %zu-byte chunks holds %p of %zu bytes",
					 where, size, (void *)p, chunk_size(c));
	if (p[1] != (void *)(uintptr_t)front_key)
		return kmem_check_failed("kmalloc: %s chunk %p lost its free key (written after "
					 "kfree?)",
					 where, (void *)p);
	return 0;
}

/* Walk the chain at @p of @size-byte chunks: its length, or -1 on failure. */
static long check_chain(void **p, size_t size, unsigned int max, const char *where)
{
	unsigned int n = 0;

	for (; p; p = p[0]) {
		if (++n > max)
			return kmem_check_failed("kmalloc: %s of %zu-byte chunks holds more than "
						 "%u chunks (a loop or a double free?)",
						 where, size, max);
		if (check_cached_chunk(p, size, where))
			return -1;
	}
	return n;
}

static int front_check_bin(const struct front_bin *bin, unsigned int cls)
{
	size_t size = front_index_size(cls);
	long n = check_chain(bin->head, size, bin->count, "front list");

	if (n < 0)
		return -1;
	if (n != bin->count)
		return kmem_check_failed("kmalloc: front list of %zu-byte chunks holds %ld, count "
					 "says %u",
					 size, n, bin->count);
	if (n > bin->limit)
		return kmem_check_failed(
			"kmalloc: front list of %zu-byte chunks holds %ld > limit %u", size, n,
			bin->limit);
	return 0;
}

/*
 * K4: every depot chain is a well-formed chain of cached chunks of its
 * class, no longer than half a list, whose length its head records; a
 * class's count is the sum and stays within its capacity, the depot's byte
 * count is the sum over classes.
 */
static int depot_check(struct depot *d)
{
	size_t bytes = 0;
	int ret = 0;

	pthread_mutex_lock(&d->lock);
	for (unsigned int cls = DEPOT_FIRST_CLASS; cls < FRONT_CLASSES && !ret; cls++) {
		size_t size = front_index_size(cls);
		unsigned int total = 0;

		for (void **chain = d->chains[cls]; chain && !ret; chain = chain[2]) {
			long n = check_chain(chain, size, FRONT_BIN_MAX / 2, "depot chain");

			if (n < 0)
				ret = -1;
			else if (n != chain_length(chain))
				ret = kmem_check_failed(
					"kmalloc: depot chain %p of %zu-byte chunks "
					"holds %ld, its head says %u",
					(void *)chain, size, n, chain_length(chain));
			else
				total += (unsigned int)n;
		}
		if (!ret && total != d->chunks[cls])
			ret = kmem_check_failed("kmalloc: depot of %zu-byte chunks holds %u, count "
						"says %u",
						size, total, d->chunks[cls]);
		if (!ret && total > depot_capacity(cls))
			ret = kmem_check_failed("kmalloc: depot of %zu-byte chunks holds %u > "
						"capacity %u",
						size, total, depot_capacity(cls));
		bytes += (size_t)total * size;
	}
	if (!ret && bytes != d->bytes)
		ret = kmem_check_failed("kmalloc: depot holds %zu bytes, its count says %zu", bytes,
					d->bytes);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int kmalloc_check(void)
{
	struct list_head *pos;
	int ret = 0;

	if (!__atomic_load_n(&kmalloc_started, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&front_registry_lock);
	list_for_each(pos, &front_registry) {
		struct front_cache *fc = container_of(pos, struct front_cache, link);

		for (unsigned int c = 0; c < FRONT_CLASSES && !ret; c++)
			ret = front_check_bin(&fc->bins[c], c);
		if (ret)
			break;
	}
	for (unsigned int i = 0; i < nr_arenas && !ret; i++)
		ret = depot_check(&depots[i]);
	pthread_mutex_unlock(&front_registry_lock);
	return ret;
}

static void kmalloc_lock_for_fork(void)
{
	pthread_mutex_lock(&front_registry_lock);
	for (unsigned int i = 0; i < nr_arenas; i++)
		pthread_mutex_lock(&depots[i].lock);
}

static void depot_unlock_all(void)
{
	for (unsigned int i = nr_arenas; i--;)
		pthread_mutex_unlock(&depots[i].lock);
}

static void kmalloc_unlock_after_fork(void)
{
	depot_unlock_all();
	pthread_mutex_unlock(&front_registry_lock);
}

/*
 * In the child only the forking thread exists.  The other threads' front
 * caches are forgotten: their chunks stay allocated (a bounded leak) but
 * nothing refers to memory the child cannot reach.
 */
static void kmalloc_unlock_in_child(void)
{
	INIT_LIST_HEAD(&front_registry);
	if (front.state == FRONT_ACTIVE)
		list_add(&front.link, &front_registry);
	depot_unlock_all();
	pthread_mutex_unlock(&front_registry_lock);
}
