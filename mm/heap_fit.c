// SPDX-License-Identifier: MIT
/*
 * mm/heap_fit.c - the heap's fit policies: where a request is placed.
 *
 * Each policy pairs a placement rule with an index of the free chunks that
 * answers the rule without scanning the heap:
 *
 *   first  lowest-address free chunk of at least the size.  Index: a treap
 *          ordered by address, each node augmented with the largest chunk
 *          size in its subtree; descend left while the left subtree holds a
 *          fit.  O(log n) expected.
 *   next   lowest-address fit at or after the rover (the address of the
 *          previous placement), else the first fit from the bottom (wrap).
 *          Same index, same descent bounded below by the rover.  O(log n).
 *   best   smallest fitting chunk, ties to the lowest address.  Index: a
 *          treap ordered by (size, address); lower bound of (size, 0).
 *          O(log n).
 *   worst  largest chunk, ties to the lowest address: the address treap's
 *          root knows the largest size; the first fit of that size is the
 *          lowest-address largest chunk.  O(log n).
 *   good   TLSF: free lists per size class (16 classes per power of two,
 *          16-byte classes below 256 bytes), a bitmap of non-empty first
 *          levels and per first level a bitmap of non-empty second levels.
 *          The request is rounded up to the next class boundary so every
 *          chunk in the class found fits; the chunk taken is the head of
 *          the first non-empty class at or above it (the most recently
 *          freed chunk of that class).  O(1).  Only when no such class
 *          exists, the request's own class list is searched for a chunk that
 *          fits before the heap grows (the one case that is not O(1)).
 *
 * Treap priorities are a hash of the node's address, so the tree shape is
 * a deterministic function of the set of free chunks, needs no storage and
 * has expected logarithmic depth.  All functions run under the heap lock.
 */
#include <string.h>

#include "mm/internal.h"

/* ==== treaps over free chunks ========================================== */

static inline size_t node_size(const struct fit_node *n)
{
	return chunk_size(node_chunk(n));
}

static inline uint64_t node_priority(const struct fit_node *n)
{
	uint64_t x = (uintptr_t)n;

	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	return x ^ (x >> 33);
}

static inline size_t subtree_max(const struct fit_node *n)
{
	return n ? n->subtree_max : 0;
}

static inline void node_update(struct fit_node *n)
{
	size_t m = node_size(n), left = subtree_max(n->left), right = subtree_max(n->right);

	if (left > m)
		m = left;
	if (right > m)
		m = right;
	n->subtree_max = m;
}

/* The order of a tree: by address, or by (size, address) for best fit. */
static inline bool node_before(const struct fit_node *a, const struct fit_node *b, bool by_size)
{
	if (by_size && node_size(a) != node_size(b))
		return node_size(a) < node_size(b);
	return (uintptr_t)a < (uintptr_t)b;
}

static void replace_child(struct kheap *h, struct fit_node *parent, struct fit_node *old,
			  struct fit_node *new)
{
	if (!parent)
		h->index.tree_root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/* Rotate @x above its parent, keeping the order and the subtree maxima. */
static void rotate_up(struct kheap *h, struct fit_node *x)
{
	struct fit_node *p = x->parent, *g = p->parent;

	if (p->left == x) {
		p->left = x->right;
		if (x->right)
			x->right->parent = p;
		x->right = p;
	} else {
		p->right = x->left;
		if (x->left)
			x->left->parent = p;
		x->left = p;
	}
	p->parent = x;
	x->parent = g;
	replace_child(h, g, p, x);
	node_update(p);
	node_update(x);
}

static void tree_insert(struct kheap *h, struct chunk *c, bool by_size)
{
	struct fit_node *n = chunk_node(c), *parent = NULL;
	struct fit_node **link = &h->index.tree_root;
	size_t size = chunk_size(c);

	n->left = n->right = NULL;
	n->subtree_max = size;
	while (*link) {
		parent = *link;
		if (parent->subtree_max < size)
			parent->subtree_max = size;
		link = node_before(n, parent, by_size) ? &parent->left : &parent->right;
	}
	*link = n;
	n->parent = parent;
	while (n->parent && node_priority(n) > node_priority(n->parent))
		rotate_up(h, n);
}

static void tree_remove(struct kheap *h, struct chunk *c)
{
	struct fit_node *n = chunk_node(c), *child, *parent;

	while (n->left && n->right)
		rotate_up(h, node_priority(n->left) > node_priority(n->right) ? n->left : n->right);
	child = n->left ? n->left : n->right;
	parent = n->parent;
	if (child)
		child->parent = parent;
	replace_child(h, parent, n, child);
	for (; parent; parent = parent->parent)
		node_update(parent);
}

static void tree_reset(struct kheap *h)
{
	h->index.tree_root = NULL;
}

static void addr_insert(struct kheap *h, struct chunk *c)
{
	tree_insert(h, c, false);
}

static void size_insert(struct kheap *h, struct chunk *c)
{
	tree_insert(h, c, true);
}

/* The lowest-address node of @n's subtree with a chunk of >= @size bytes. */
static struct fit_node *tree_first_fit(struct fit_node *n, size_t size)
{
	while (n && n->subtree_max >= size) {
		if (subtree_max(n->left) >= size)
			n = n->left;
		else if (node_size(n) >= size)
			return n;
		else
			n = n->right;
	}
	return NULL;
}

/* The lowest-address fit at or above @from in @n's subtree. */
static struct fit_node *tree_fit_from(struct fit_node *n, uintptr_t from, size_t size)
{
	struct fit_node *found;

	while (n && n->subtree_max >= size) {
		if ((uintptr_t)node_chunk(n) < from) {
			n = n->right;
			continue;
		}
		found = tree_fit_from(n->left, from, size);
		if (found)
			return found;
		if (node_size(n) >= size)
			return n;
		/* cppcheck-suppress nullPointerRedundantCheck ; n is not NULL inside the loop */
		return tree_first_fit(n->right, size);
	}
	return NULL;
}

static struct chunk *first_find(struct kheap *h, size_t size)
{
	struct fit_node *n = tree_first_fit(h->index.tree_root, size);

	return n ? node_chunk(n) : NULL;
}

static struct chunk *next_find(struct kheap *h, size_t size)
{
	struct fit_node *n = tree_fit_from(h->index.tree_root, h->next_fit_rover, size);

	if (!n)
		n = tree_first_fit(h->index.tree_root, size);
	return n ? node_chunk(n) : NULL;
}

static struct chunk *worst_find(struct kheap *h, size_t size)
{
	size_t largest = subtree_max(h->index.tree_root);

	if (largest < size)
		return NULL;
	return node_chunk(tree_first_fit(h->index.tree_root, largest));
}

static struct chunk *best_find(struct kheap *h, size_t size)
{
	struct fit_node *n = h->index.tree_root, *best = NULL;

	while (n) {
		if (node_size(n) >= size) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best ? node_chunk(best) : NULL;
}

static size_t addr_largest(struct kheap *h)
{
	return subtree_max(h->index.tree_root);
}

static size_t size_largest(struct kheap *h)
{
	struct fit_node *n = h->index.tree_root;

	if (!n)
		return 0;
	while (n->right)
		n = n->right;
	return node_size(n);
}

static bool tree_contains(struct kheap *h, struct chunk *c)
{
	struct fit_node *n = chunk_node(c);
	size_t steps = 0;

	while (n->parent) {
		if ((n->parent->left != n && n->parent->right != n) || ++steps > h->nr_free)
			return false;
		n = n->parent;
	}
	return n == h->index.tree_root;
}

static bool free_chunk_ok(struct kheap *h, struct chunk *c)
{
	if (chunk_tag_ok(c) && !chunk_in_use(c) && chunk_size(c) >= CHUNK_MIN)
		return true;
	kmem_check_failed("kheap %s: index holds %p, which is not a free chunk", h->name,
			  (void *)c);
	return false;
}

/*
 * Verify @n's subtree: parent links, order against the bounds inherited
 * from the ancestors, heap order of priorities and subtree maxima.
 */
static long tree_check_node(struct kheap *h, struct fit_node *n, const struct fit_node *lo,
			    const struct fit_node *hi, bool by_size, size_t budget)
{
	long left, right;

	if (!n)
		return 0;
	if (!budget)
		return kmem_check_failed("kheap %s: index has more nodes than free chunks",
					 h->name);
	if (!free_chunk_ok(h, node_chunk(n)))
		return -1;
	if ((lo && !node_before(lo, n, by_size)) || (hi && !node_before(n, hi, by_size)))
		return kmem_check_failed("kheap %s: index out of order at chunk %p", h->name,
					 (void *)node_chunk(n));
	if ((n->left && (n->left->parent != n || node_priority(n->left) > node_priority(n))) ||
	    (n->right && (n->right->parent != n || node_priority(n->right) > node_priority(n))))
		return kmem_check_failed("kheap %s: broken tree links below chunk %p", h->name,
					 (void *)node_chunk(n));
	left = tree_check_node(h, n->left, lo, n, by_size, budget - 1);
	if (left < 0)
		return -1;
	right = tree_check_node(h, n->right, n, hi, by_size, budget - 1 - (size_t)left);
	if (right < 0)
		return -1;
	{
		size_t want = n->subtree_max;

		node_update(n);
		if (n->subtree_max != want)
			return kmem_check_failed("kheap %s: stale subtree maximum at chunk %p",
						 h->name, (void *)node_chunk(n));
	}
	return 1 + left + right;
}

static long tree_check(struct kheap *h, bool by_size)
{
	struct fit_node *root = h->index.tree_root;

	if (root && root->parent)
		return kmem_check_failed("kheap %s: tree root has a parent", h->name);
	return tree_check_node(h, root, NULL, NULL, by_size, h->nr_free);
}

static long addr_check(struct kheap *h)
{
	return tree_check(h, false);
}

static long size_check(struct kheap *h)
{
	return tree_check(h, true);
}

/* ==== TLSF ============================================================= */

static inline unsigned int fls_index(size_t x)
{
	return 63 - (unsigned int)__builtin_clzl(x);
}

static void tlsf_mapping(size_t size, unsigned int *fl, unsigned int *sl)
{
	unsigned int f;

	if (size < (1UL << TLSF_FL_SHIFT)) {
		*fl = 0;
		*sl = (unsigned int)(size / CHUNK_ALIGN);
		return;
	}
	f = fls_index(size);
	*fl = f - TLSF_FL_SHIFT + 1;
	*sl = (unsigned int)(size >> (f - TLSF_SL_SHIFT)) & (TLSF_SL_COUNT - 1);
}

/* Round @size up to the lower bound of the next class, if not on one. */
static size_t tlsf_round_up(size_t size)
{
	if (size < (1UL << TLSF_FL_SHIFT))
		return size;
	return size + (1UL << (fls_index(size) - TLSF_SL_SHIFT)) - 1;
}

static void tlsf_reset(struct kheap *h)
{
	h->index.tlsf.fl_bitmap = 0;
	memset(h->index.tlsf.sl_bitmap, 0, sizeof(h->index.tlsf.sl_bitmap));
	memset(h->tlsf_heads, 0, h->tlsf_fl_count * sizeof(h->tlsf_heads[0]));
}

static void tlsf_insert(struct kheap *h, struct chunk *c)
{
	struct tlsf_link *link = chunk_link(c);
	unsigned int fl, sl;
	struct chunk **head;

	tlsf_mapping(chunk_size(c), &fl, &sl);
	head = &h->tlsf_heads[fl][sl];
	link->prev = NULL;
	link->next = *head;
	if (*head)
		chunk_link(*head)->prev = c;
	*head = c;
	h->index.tlsf.fl_bitmap |= 1ULL << fl;
	h->index.tlsf.sl_bitmap[fl] |= 1U << sl;
}

static void tlsf_remove(struct kheap *h, struct chunk *c)
{
	struct tlsf_link *link = chunk_link(c);
	unsigned int fl, sl;

	tlsf_mapping(chunk_size(c), &fl, &sl);
	if (link->next)
		chunk_link(link->next)->prev = link->prev;
	if (link->prev) {
		chunk_link(link->prev)->next = link->next;
		return;
	}
	h->tlsf_heads[fl][sl] = link->next;
	if (!link->next) {
		h->index.tlsf.sl_bitmap[fl] &= ~(1U << sl);
		if (!h->index.tlsf.sl_bitmap[fl])
			h->index.tlsf.fl_bitmap &= ~(1ULL << fl);
	}
}

/* The first chunk of >= @size in @size's own class (the fallback). */
static struct chunk *tlsf_search_class(struct kheap *h, size_t size)
{
	unsigned int fl, sl;
	struct chunk *c;

	tlsf_mapping(size, &fl, &sl);
	if (fl >= h->tlsf_fl_count)
		return NULL;
	for (c = h->tlsf_heads[fl][sl]; c; c = chunk_link(c)->next)
		if (chunk_size(c) >= size)
			return c;
	return NULL;
}

static struct chunk *good_find(struct kheap *h, size_t size)
{
	unsigned int fl, sl;
	uint32_t sl_map;
	uint64_t fl_map;

	tlsf_mapping(tlsf_round_up(size), &fl, &sl);
	if (fl >= h->tlsf_fl_count)
		return tlsf_search_class(h, size);
	sl_map = h->index.tlsf.sl_bitmap[fl] & (~0U << sl);
	if (!sl_map) {
		fl_map = h->index.tlsf.fl_bitmap & (~0ULL << (fl + 1));
		if (!fl_map)
			return tlsf_search_class(h, size);
		fl = (unsigned int)__builtin_ctzll(fl_map);
		sl_map = h->index.tlsf.sl_bitmap[fl];
	}
	return h->tlsf_heads[fl][__builtin_ctz(sl_map)];
}

static size_t tlsf_largest(struct kheap *h)
{
	unsigned int fl, sl;
	size_t largest = 0;

	if (!h->index.tlsf.fl_bitmap)
		return 0;
	fl = fls_index(h->index.tlsf.fl_bitmap);
	sl = fls_index(h->index.tlsf.sl_bitmap[fl]);
	for (struct chunk *c = h->tlsf_heads[fl][sl]; c; c = chunk_link(c)->next)
		if (chunk_size(c) > largest)
			largest = chunk_size(c);
	return largest;
}

static bool tlsf_contains(struct kheap *h, struct chunk *c)
{
	struct chunk *prev = chunk_link(c)->prev;
	unsigned int fl, sl;

	if (prev)
		return chunk_link(prev)->next == c;
	tlsf_mapping(chunk_size(c), &fl, &sl);
	return fl < h->tlsf_fl_count && h->tlsf_heads[fl][sl] == c;
}

static long tlsf_check(struct kheap *h)
{
	long count = 0;

	for (unsigned int fl = 0; fl < TLSF_FL_COUNT; fl++) {
		bool fl_set = h->index.tlsf.fl_bitmap & (1ULL << fl);

		if (fl >= h->tlsf_fl_count) {
			if (fl_set || h->index.tlsf.sl_bitmap[fl])
				return kmem_check_failed("kheap %s: TLSF bitmap beyond its classes",
							 h->name);
			continue;
		}
		if (fl_set != (h->index.tlsf.sl_bitmap[fl] != 0))
			return kmem_check_failed("kheap %s: TLSF first-level bit %u is wrong",
						 h->name, fl);
		for (unsigned int sl = 0; sl < TLSF_SL_COUNT; sl++) {
			struct chunk *prev = NULL, *c = h->tlsf_heads[fl][sl];
			unsigned int cfl, csl;

			if (!c != !(h->index.tlsf.sl_bitmap[fl] & (1U << sl)))
				return kmem_check_failed(
					"kheap %s: TLSF bit %u/%u disagrees with its list", h->name,
					fl, sl);
			for (; c; prev = c, c = chunk_link(c)->next) {
				if ((size_t)count++ >= h->nr_free)
					return kmem_check_failed("kheap %s: TLSF lists hold more "
								 "chunks than are free",
								 h->name);
				if (!free_chunk_ok(h, c))
					return -1;
				tlsf_mapping(chunk_size(c), &cfl, &csl);
				if (cfl != fl || csl != sl || chunk_link(c)->prev != prev)
					return kmem_check_failed(
						"kheap %s: chunk %p in the wrong TLSF list",
						h->name, (void *)c);
			}
		}
	}
	return count;
}

/* ==== the table ======================================================== */

static const struct fit_ops fit_table[] = {
	[KHEAP_FIRST_FIT] =
		{
			.name = "first",
			.reset = tree_reset,
			.insert = addr_insert,
			.remove = tree_remove,
			.find = first_find,
			.largest = addr_largest,
			.contains = tree_contains,
			.check = addr_check,
		},
	[KHEAP_NEXT_FIT] =
		{
			.name = "next",
			.reset = tree_reset,
			.insert = addr_insert,
			.remove = tree_remove,
			.find = next_find,
			.largest = addr_largest,
			.contains = tree_contains,
			.check = addr_check,
		},
	[KHEAP_BEST_FIT] =
		{
			.name = "best",
			.reset = tree_reset,
			.insert = size_insert,
			.remove = tree_remove,
			.find = best_find,
			.largest = size_largest,
			.contains = tree_contains,
			.check = size_check,
		},
	[KHEAP_WORST_FIT] =
		{
			.name = "worst",
			.reset = tree_reset,
			.insert = addr_insert,
			.remove = tree_remove,
			.find = worst_find,
			.largest = addr_largest,
			.contains = tree_contains,
			.check = addr_check,
		},
	[KHEAP_GOOD_FIT] =
		{
			.name = "good",
			.reset = tlsf_reset,
			.insert = tlsf_insert,
			.remove = tlsf_remove,
			.find = good_find,
			.largest = tlsf_largest,
			.contains = tlsf_contains,
			.check = tlsf_check,
		},
};

const struct fit_ops *fit_policy(enum kheap_fit fit)
{
	if ((unsigned int)fit >= ARRAY_SIZE(fit_table))
		return NULL;
	return &fit_table[fit];
}

unsigned int fit_tlsf_first_levels(size_t max_chunk)
{
	unsigned int fl, sl;

	tlsf_mapping(max_chunk, &fl, &sl);
	return fl + 1;
}
