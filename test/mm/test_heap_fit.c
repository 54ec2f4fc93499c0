// SPDX-License-Identifier: MIT
/*
 * test/mm/test_heap_fit.c - the boundary-tag heap (mm/heap.c) and its fit
 * policies (mm/heap_fit.c).
 *
 * Placement tests run over caller memory (kheap_create_in on a static
 * buffer) so addresses and layouts are deterministic.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/prandom.h"
#include "test/helpers.h"
#include "mm/internal.h"
#include "page/page.h"

TestSuite(heap_fit, .fini = kmem_test_check, .timeout = 30);

#define ARENA_BYTES (256 * 1024)
static char arena[ARENA_BYTES] __attribute__((aligned(64)));

/* Payload request that makes a chunk of exactly @chunk bytes. */
static size_t req(size_t chunk)
{
	return chunk - CHUNK_HEADER;
}

/*
 * The crafted layout: five holes separated by live 64-byte chunks, in
 * address order A (256), B (128), C (512), D (128), E (512), freed in that
 * order, then the rest of the heap either left free (the top chunk, the
 * largest) or used up.
 */
struct layout {
	struct kheap *h;
	char *hole[5];
	char *top;
};

static const size_t hole_chunk[5] = {256, 128, 512, 128, 512};

/* Destroy a heap that still has chunks, expecting the warning. */
static void discard(struct kheap *h)
{
	capture_reports();
	kheap_destroy(h);
}

static void build_layout(struct layout *l, enum kheap_fit fit, bool fill_top)
{
	char *sep[5];
	struct kheap_stats st;

	l->h = kheap_create_in("layout", arena, sizeof(arena), fit);
	cr_assert_not_null(l->h);
	for (int i = 0; i < 5; i++) {
		l->hole[i] = kheap_alloc(l->h, req(hole_chunk[i]), GFP_KERNEL);
		sep[i] = kheap_alloc(l->h, req(64), GFP_KERNEL);
		cr_assert(l->hole[i] && sep[i]);
		cr_assert_eq(sep[i], l->hole[i] + hole_chunk[i], "chunks are laid out in order");
	}
	l->top = sep[4] + 64;
	for (int i = 0; i < 5; i++)
		kheap_free(l->h, l->hole[i]);
	if (fill_top) {
		kheap_stats(l->h, &st);
		cr_assert_eq(st.largest_free, (size_t)(arena + ARENA_BYTES - 8 - (l->top - 8)),
			     "the top chunk runs to the sentinel at the end of the buffer");
		cr_assert_eq(kheap_alloc(l->h, st.largest_free - CHUNK_HEADER, GFP_KERNEL), l->top);
	}
	cr_assert_eq(kmem_check(), 0);
}

Test(heap_fit, first_fit_takes_the_lowest_address_chunk_that_fits)
{
	struct layout l;

	build_layout(&l, KHEAP_FIRST_FIT, false);
	cr_assert_eq(kheap_alloc(l.h, req(112), GFP_KERNEL), l.hole[0], "A, not the tighter B");
	cr_assert_eq(kheap_alloc(l.h, req(300), GFP_KERNEL), l.hole[2], "C: A and B too small");
	cr_assert_eq(kheap_alloc(l.h, req(128), GFP_KERNEL), l.hole[0] + 112, "the rest of A");
	cr_assert_eq(kheap_alloc(l.h, req(128), GFP_KERNEL), l.hole[1], "then B");
	discard(l.h);
}

Test(heap_fit, next_fit_continues_from_the_last_placement_and_wraps)
{
	struct layout l;

	build_layout(&l, KHEAP_NEXT_FIT, true);
	/* The rover is at the top filler: nothing after it, so wrap to A. */
	cr_assert_eq(kheap_alloc(l.h, req(112), GFP_KERNEL), l.hole[0]);
	/* From A on: the rest of A (144 bytes) fits. */
	cr_assert_eq(kheap_alloc(l.h, req(112), GFP_KERNEL), l.hole[0] + 112);
	/* From there: B is too small, C is next. */
	cr_assert_eq(kheap_alloc(l.h, req(208), GFP_KERNEL), l.hole[2]);
	/* And B is skipped even though it fits, because it lies behind the rover. */
	cr_assert_eq(kheap_alloc(l.h, req(128), GFP_KERNEL), l.hole[2] + 208);
	discard(l.h);
}

Test(heap_fit, best_fit_takes_the_smallest_fit_ties_to_lowest_address)
{
	struct layout l;

	build_layout(&l, KHEAP_BEST_FIT, false);
	cr_assert_eq(kheap_alloc(l.h, req(112), GFP_KERNEL), l.hole[1], "B and D tie: B");
	cr_assert_eq(kheap_alloc(l.h, req(128), GFP_KERNEL), l.hole[3], "D is now the only 128");
	cr_assert_eq(kheap_alloc(l.h, req(300), GFP_KERNEL), l.hole[2], "C and E tie: C");
	cr_assert_eq(kheap_alloc(l.h, req(160), GFP_KERNEL), l.hole[2] + 304,
		     "the 208-byte rest of C beats A (256)");
	discard(l.h);
}

Test(heap_fit, worst_fit_takes_the_largest_chunk_ties_to_lowest_address)
{
	struct layout l;

	build_layout(&l, KHEAP_WORST_FIT, false);
	cr_assert_eq(kheap_alloc(l.h, req(48), GFP_KERNEL), l.top, "the top chunk is largest");
	discard(l.h);

	build_layout(&l, KHEAP_WORST_FIT, true);
	cr_assert_eq(kheap_alloc(l.h, req(48), GFP_KERNEL), l.hole[2], "C and E tie: C");
	cr_assert_eq(kheap_alloc(l.h, req(48), GFP_KERNEL), l.hole[4], "E (512) beats C's rest");
	cr_assert_eq(kheap_alloc(l.h, req(48), GFP_KERNEL), l.hole[2] + 48,
		     "C's rest (464) ties E's rest: C");
	discard(l.h);
}

Test(heap_fit, good_fit_takes_the_newest_chunk_of_the_first_class_at_or_above)
{
	struct layout l;

	build_layout(&l, KHEAP_GOOD_FIT, false);
	/* 112 is its own class; the first non-empty class above holds D and B, D freed last. */
	cr_assert_eq(kheap_alloc(l.h, req(112), GFP_KERNEL), l.hole[3]);
	cr_assert_eq(kheap_alloc(l.h, req(112), GFP_KERNEL), l.hole[1]);
	/* 144: no class 144..255 holds a chunk; the 256 class holds A. */
	cr_assert_eq(kheap_alloc(l.h, req(144), GFP_KERNEL), l.hole[0]);
	/* 272 rounds up to the 288 class: the 512 class holds E (newest) then C. */
	cr_assert_eq(kheap_alloc(l.h, req(272), GFP_KERNEL), l.hole[4]);
	discard(l.h);
}

Test(heap_fit, changing_the_policy_reindexes_the_free_chunks)
{
	struct layout l;

	build_layout(&l, KHEAP_GOOD_FIT, false);
	cr_assert_eq(kheap_set_fit(l.h, KHEAP_BEST_FIT), 0);
	cr_assert_eq(kmem_check(), 0);
	cr_assert_eq(kheap_alloc(l.h, req(112), GFP_KERNEL), l.hole[1]);
	cr_assert_eq(kheap_set_fit(l.h, KHEAP_FIRST_FIT), 0);
	cr_assert_eq(kheap_alloc(l.h, req(112), GFP_KERNEL), l.hole[0]);
	cr_assert_eq(kheap_set_fit(l.h, (enum kheap_fit)17), -1);
	discard(l.h);
}

/* ---- merging ---------------------------------------------------------- */

struct trio {
	struct kheap *h;
	char *x, *y, *z, *guard;
};

static struct trio make_trio(void)
{
	struct trio t;

	t.h = kheap_create_in("trio", arena, sizeof(arena), KHEAP_FIRST_FIT);
	t.x = kheap_alloc(t.h, req(128), GFP_KERNEL);
	t.y = kheap_alloc(t.h, req(256), GFP_KERNEL);
	t.z = kheap_alloc(t.h, req(512), GFP_KERNEL);
	t.guard = kheap_alloc(t.h, 1, GFP_KERNEL);
	cr_assert(t.y == t.x + 128 && t.z == t.y + 256 && t.guard == t.z + 512);
	return t;
}

static void assert_one_hole_at_x(struct trio *t, size_t bytes)
{
	struct kheap_stats st;

	kheap_stats(t->h, &st);
	cr_assert_eq(st.nr_free, 2, "one hole plus the top chunk");
	cr_assert_eq(st.free_bytes - st.largest_free, bytes, "the hole is one chunk");
	cr_assert_eq(kmem_check(), 0);
	cr_assert_eq(kheap_alloc(t->h, req(bytes), GFP_KERNEL), t->x, "first fit reuses it whole");
}

Test(heap_fit, free_merges_with_the_right_neighbour)
{
	struct trio t = make_trio();

	kheap_free(t.h, t.y);
	kheap_free(t.h, t.x);
	assert_one_hole_at_x(&t, 384);
	discard(t.h);
}

Test(heap_fit, free_merges_with_both_neighbours)
{
	struct trio t = make_trio();
	struct kheap_stats st;

	kheap_free(t.h, t.x);
	kheap_free(t.h, t.z);
	kheap_stats(t.h, &st);
	cr_assert_eq(st.nr_free, 3);
	kheap_free(t.h, t.y);
	assert_one_hole_at_x(&t, 896);
	discard(t.h);
}

Test(heap_fit, freeing_everything_leaves_one_free_chunk)
{
	struct trio t = make_trio();
	struct kheap_stats st;

	kheap_free(t.h, t.y);
	kheap_free(t.h, t.guard);
	kheap_free(t.h, t.x);
	kheap_free(t.h, t.z);
	kheap_stats(t.h, &st);
	cr_assert_eq(st.nr_free, 1);
	cr_assert_eq(st.nr_used, 0);
	cr_assert_eq(st.fragmentation, 0.0);
	discard(t.h);
}

/* ---- random operations, every policy ---------------------------------- */

ParameterizedTestParameters(heap_fit, random_operations_keep_boundary_tags_intact)
{
	static enum kheap_fit fits[] = {KHEAP_FIRST_FIT, KHEAP_NEXT_FIT, KHEAP_BEST_FIT,
					KHEAP_WORST_FIT, KHEAP_GOOD_FIT};

	return cr_make_param_array(enum kheap_fit, fits, ARRAY_SIZE(fits));
}

static void random_operations(struct kheap *h, uint64_t seed, size_t max_size, int ops)
{
	enum { SLOTS = 256 };
	char *p[SLOTS] = {0};
	size_t n[SLOTS] = {0};
	struct prandom_state rng;

	prandom_seed_state(&rng, seed);
	for (int i = 0; i < ops; i++) {
		unsigned int s = prandom_u32_below(&rng, SLOTS);

		if (p[s]) {
			cr_assert(check_tagged(p[s], n[s], s), "payload intact");
			if (!prandom_u32_below(&rng, 4)) {
				size_t m = prandom_u32_between(&rng, 1, max_size);

				if (heap_resize_in_place(h, p[s], m)) {
					cr_assert_geq(heap_usable_size(p[s]), m);
					n[s] = m < n[s] ? m : n[s];
					continue;
				}
			}
			kheap_free(h, p[s]);
			p[s] = NULL;
		} else {
			size_t align = 16;

			n[s] = prandom_u32_between(&rng, 1, max_size);
			if (!prandom_u32_below(&rng, 3)) {
				align = (size_t)32 << prandom_u32_below(&rng, 8);
				p[s] = kheap_alloc_aligned(h, n[s], align,
							   GFP_KERNEL | __GFP_NOWARN);
			} else {
				p[s] = kheap_alloc(h, n[s], GFP_KERNEL | __GFP_NOWARN);
			}
			if (!p[s])
				continue;
			cr_assert_eq((uintptr_t)p[s] % align, 0, "aligned to %zu", align);
			cr_assert_geq(heap_usable_size(p[s]), n[s]);
			fill_tagged(p[s], n[s], s);
		}
		if (i % 250 == 0)
			cr_assert_eq(kmem_check(), 0, "after %d operations", i);
	}
	cr_assert_eq(kmem_check(), 0);
	for (unsigned int s = 0; s < SLOTS; s++) {
		if (p[s])
			cr_assert(check_tagged(p[s], n[s], s));
		kheap_free(h, p[s]);
	}
}

ParameterizedTest(enum kheap_fit *fit, heap_fit, random_operations_keep_boundary_tags_intact)
{
	struct kheap *h = kheap_create("random", *fit);
	struct kheap_stats st;

	cr_assert_not_null(h);
	random_operations(h, 0x1234 + *fit, 3000, 3000);
	random_operations(h, 0x99 + *fit, 40000, 600);
	kheap_stats(h, &st);
	cr_assert_eq(st.nr_used, 0);
	cr_assert_eq(st.nr_segments, 1, "empty segments go back, one is kept");
	kheap_destroy(h);
}

ParameterizedTestParameters(heap_fit, caller_memory_is_never_touched_outside_the_buffer)
{
	static enum kheap_fit fits[] = {KHEAP_FIRST_FIT, KHEAP_NEXT_FIT, KHEAP_BEST_FIT,
					KHEAP_WORST_FIT, KHEAP_GOOD_FIT};

	return cr_make_param_array(enum kheap_fit, fits, ARRAY_SIZE(fits));
}

ParameterizedTest(enum kheap_fit *fit, heap_fit, caller_memory_is_never_touched_outside_the_buffer)
{
	enum { GUARD = 512, SIZE = 40000 + 3 };
	unsigned char *raw = malloc(SIZE + 2 * GUARD + 8);
	unsigned char *buf = raw + GUARD + 3; /* deliberately misaligned */
	struct kheap *h;

	memset(raw, 0xa5, SIZE + 2 * GUARD + 8);
	h = kheap_create_in("guarded", buf, SIZE, *fit);
	cr_assert_not_null(h);
	cr_assert((unsigned char *)h >= buf && (unsigned char *)h < buf + SIZE);
	random_operations(h, 7 + *fit, 3000, 2000);
	kheap_destroy(h);
	for (size_t i = 0; i < GUARD + 3; i++)
		cr_assert_eq(raw[i], 0xa5, "guard byte %zu before the buffer", i);
	for (size_t i = 0; i < GUARD + 5; i++)
		cr_assert_eq(buf[SIZE + i], 0xa5, "guard byte %zu after the buffer", i);
	free(raw);
}

Test(heap_fit, caller_memory_heap_fails_cleanly_when_full)
{
	struct kheap *h = kheap_create_in("small", arena, KHEAP_MIN_BUFFER, KHEAP_GOOD_FIT);
	struct kheap_stats st;
	int n = 0;

	cr_assert_not_null(h);
	while (kheap_alloc(h, 1000, GFP_KERNEL | __GFP_NOWARN))
		n++;
	cr_assert_gt(n, 8);
	kheap_stats(h, &st);
	cr_assert_lt(st.largest_free, 1008 + 16);
	cr_assert_eq(kheap_alloc(h, KHEAP_MIN_BUFFER, GFP_KERNEL | __GFP_NOWARN), NULL);
	discard(h);
}

Test(heap_fit, create_in_rejects_bad_buffers)
{
	cr_assert_null(kheap_create_in("x", NULL, sizeof(arena), KHEAP_GOOD_FIT));
	cr_assert_null(kheap_create_in("x", arena, KHEAP_MIN_BUFFER - 1, KHEAP_GOOD_FIT));
	cr_assert_null(kheap_create_in("x", arena, sizeof(arena), (enum kheap_fit)5));
	cr_assert_null(kheap_create("x", (enum kheap_fit) - 1));
}

Test(heap_fit, bad_sizes_give_null)
{
	struct kheap *h = kheap_create("sizes", KHEAP_GOOD_FIT);

	cr_assert_null(kheap_alloc(h, 0, GFP_KERNEL));
	volatile size_t huge = SIZE_MAX;

	cr_assert_null(kheap_alloc(h, huge, GFP_KERNEL | __GFP_NOWARN));
	cr_assert_null(kheap_alloc(h, KHEAP_MAX_ALLOC + 1, GFP_KERNEL | __GFP_NOWARN));
	cr_assert_null(kheap_alloc(NULL, 8, GFP_KERNEL));
	kheap_destroy(h);
}

/* ---- segments on kmem's pages ----------------------------------------- */

Test(heap_fit, segments_are_buddy_blocks_flagged_as_heap)
{
	struct kheap *h = kheap_create("segments", KHEAP_GOOD_FIT);
	char *small = kheap_alloc(h, 100, GFP_KERNEL);
	char *big = kheap_alloc(h, KHEAP_MAX_ALLOC, GFP_KERNEL);
	struct page *head = virt_to_head_page(big);
	struct kheap_stats st;

	cr_assert(small && big);
	cr_assert(page_test_flag(head, PG_heap));
	cr_assert_eq(heap_of(small), h);
	cr_assert_eq(heap_of(big + KHEAP_MAX_ALLOC - 1), h);
	cr_assert_null(heap_of(arena));
	kheap_stats(h, &st);
	cr_assert_eq(st.nr_segments, 2, "the large request got its own larger segment");
	cr_assert_geq(st.footprint, KHEAP_MAX_ALLOC + (128 << 10));
	memset(big, 1, KHEAP_MAX_ALLOC);
	kheap_free(h, big);
	kheap_free(h, small);
	kheap_stats(h, &st);
	cr_assert_eq(st.nr_segments, 1, "one empty segment is kept");
	cr_assert_eq(st.peak_footprint >= st.footprint, 1);
	kheap_destroy(h);
}

Test(heap_fit, zeroed_allocation_is_zero)
{
	struct kheap *h = kheap_create("zero", KHEAP_FIRST_FIT);
	unsigned char *p = kheap_alloc(h, 500, GFP_KERNEL);

	memset(p, 0x77, 500);
	kheap_free(h, p);
	p = kheap_alloc(h, 500, GFP_KERNEL | __GFP_ZERO);
	for (int i = 0; i < 500; i++)
		cr_assert_eq(p[i], 0);
	kheap_free(h, p);
	kheap_destroy(h);
}

/* ---- resizing in place ------------------------------------------------- */

Test(heap_fit, resize_grows_into_a_free_right_neighbour_and_shrinks)
{
	struct trio t = make_trio();
	struct kheap_stats st;

	cr_assert_not(heap_resize_in_place(t.h, t.x, req(256)), "y is in use");
	kheap_free(t.h, t.y);
	cr_assert(heap_resize_in_place(t.h, t.x, req(256)));
	cr_assert_eq(heap_usable_size(t.x), req(256));
	cr_assert_eq(kmem_check(), 0);
	cr_assert(heap_resize_in_place(t.h, t.x, req(384)), "takes the rest of y");
	cr_assert_eq(heap_usable_size(t.x), req(384));
	cr_assert(heap_resize_in_place(t.h, t.x, 10), "shrinks");
	cr_assert_eq(heap_usable_size(t.x), req(CHUNK_MIN));
	kheap_stats(t.h, &st);
	cr_assert_eq(st.free_bytes - st.largest_free, 384 - CHUNK_MIN);
	cr_assert_eq(kmem_check(), 0);
	cr_assert_not(heap_resize_in_place(t.h, t.x, 0));
	discard(t.h);
}

/* ---- stats, dump, destroy ---------------------------------------------- */

Test(heap_fit, stats_report_fragmentation_of_the_free_space)
{
	struct layout l;
	struct kheap_stats st;

	build_layout(&l, KHEAP_BEST_FIT, true);
	kheap_stats(l.h, &st);
	cr_assert_eq(st.nr_free, 5);
	cr_assert_eq(st.nr_used, 6);
	cr_assert_eq(st.free_bytes, 256 + 128 + 512 + 128 + 512);
	cr_assert_eq(st.largest_free, 512);
	cr_assert_float_eq(st.fragmentation, 1.0 - 512.0 / 1536.0, 1e-9);
	cr_assert_eq(st.footprint, ARENA_BYTES - 8, "the buffer is used up to its sentinel");
	cr_assert_eq(st.fit, KHEAP_BEST_FIT);
	discard(l.h);
}

/* Does the 64-column bar in @text consist of runs of the characters in @runs? */
static bool bar_is(const char *text, const char *runs)
{
	const char *bar = strstr(text, "  [");
	int col = 0;

	if (!bar)
		return false;
	for (bar += 3; *runs; runs++) {
		if (*bar != *runs)
			return false;
		while (*bar == *runs)
			bar++, col++;
	}
	return col == 64 && *bar == ']';
}

Test(heap_fit, dump_prints_every_chunk_in_address_order_and_a_bar)
{
	struct kheap *h = kheap_create_in("map", arena, KHEAP_MIN_BUFFER, KHEAP_FIRST_FIT);
	char *a = kheap_alloc(h, req(4096), GFP_KERNEL);
	char *b = kheap_alloc(h, req(4096), GFP_KERNEL);
	char *text = NULL, line[128];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	size_t first = (size_t)(a - CHUNK_HEADER - arena);
	size_t top = first + 8192, rest = KHEAP_MIN_BUFFER - 8 - top;

	kheap_free(h, a);
	kheap_dump(h, out);
	fclose(out);
	snprintf(line, sizeof(line),
		 "kheap map: fit=first segments=1 used=%zu bytes in 1 chunks, "
		 "free=%zu bytes in 2 chunks, largest free=%zu",
		 req(4096), 4096 + rest, rest);
	cr_assert(strstr(text, line), "header line in:\n%s", text);
	snprintf(line, sizeof(line),
		 "  %#10zx  %10u  free\n  %#10zx  %10u  used\n  %#10zx  %10zu  free\n", first, 4096,
		 first + 4096, 4096, top, rest);
	cr_assert(strstr(text, line), "chunk lines in:\n%s", text);
	cr_assert(bar_is(text, ".+#+."), "free, used, free in the bar of:\n%s", text);
	cr_assert_eq(b, a + 4096);
	free(text);
	kheap_free(h, b);
	kheap_destroy(h);
}

Test(heap_fit, destroy_with_live_chunks_warns_with_counts)
{
	struct kheap *h = kheap_create("leaky", KHEAP_GOOD_FIT);

	capture_reports();
	cr_assert_not_null(kheap_alloc(h, 100, GFP_KERNEL));
	cr_assert_not_null(kheap_alloc(h, 200, GFP_KERNEL));
	kheap_destroy(h);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 1);
	cr_assert(captured_contains(
		"kheap leaky: destroyed with 2 chunks (304 bytes) still allocated"));
}

/* ---- misuse ------------------------------------------------------------ */

Test(heap_fit, double_free_is_reported_and_refused)
{
	struct trio t = make_trio();

	capture_reports();
	kheap_free(t.h, t.y);
	kheap_free(t.h, t.y);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("BUG: kheap trio: kheap_free of"));
	cr_assert(captured_contains("double free"));
	/* y merged into its left neighbour: still recognised as freed. */
	kheap_free(t.h, t.x);
	kheap_free(t.h, t.y);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 2);
	cr_assert_eq(kmem_check(), 0);
	discard(t.h);
}

Test(heap_fit, foreign_and_interior_pointers_are_reported)
{
	struct trio t = make_trio();
	struct kheap *other = kheap_create("other", KHEAP_GOOD_FIT);
	char *theirs = kheap_alloc(other, 64, GFP_KERNEL);
	static char not_ours[64] __attribute__((aligned(16)));

	capture_reports();
	kheap_free(t.h, not_ours);
	cr_assert(captured_contains("not a chunk of this heap"));
	kheap_free(t.h, t.y + 16);
	cr_assert(captured_contains("invalid pointer or corrupted boundary tag"));
	kheap_free(t.h, t.y + 4);
	kheap_free(t.h, theirs);
	kheap_free(other, t.y);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 5);
	cr_assert_eq(kmem_check(), 0);
	kheap_free(other, theirs);
	kheap_destroy(other);
	discard(t.h);
}

Test(heap_fit, wrong_heap_free_names_the_owner)
{
	struct kheap *a = kheap_create("alpha", KHEAP_GOOD_FIT);
	struct kheap *b = kheap_create("beta", KHEAP_GOOD_FIT);
	void *p = kheap_alloc(a, 64, GFP_KERNEL);

	capture_reports();
	kheap_free(b, p);
	cr_assert(captured_contains("BUG: kheap beta: kheap_free of"));
	cr_assert(captured_contains("belongs to heap alpha"));
	kheap_free(a, p);
	kheap_destroy(a);
	kheap_destroy(b);
}

Test(heap_fit, corrupted_boundary_tag_is_reported_and_the_checker_sees_it)
{
	struct trio t = make_trio();
	uint64_t saved;

	capture_reports();
	saved = *(uint64_t *)(t.z - 8);
	t.y[256 - 8] ^= 0x10; /* an overflow from y into z's size */
	cr_assert_eq(kmem_check(), -1);
	cr_assert(captured_contains("bad boundary tag"));
	kheap_free(t.h, t.z);
	cr_assert(captured_contains("invalid pointer or corrupted boundary tag"));
	kheap_free(t.h, t.y);
	cr_assert(captured_contains("corrupted boundary tag after the chunk"));
	*(uint64_t *)(t.z - 8) = saved;
	cr_assert_eq(kmem_check(), 0);
	discard(t.h);
}

Test(heap_fit, every_page_of_a_segment_names_its_heap)
{
	struct kheap *h = kheap_create("owner", KHEAP_GOOD_FIT);
	char *p = kheap_alloc(h, 20000, GFP_KERNEL);
	struct page *tail = virt_to_page(p + 3 * PAGE_SIZE);
	unsigned long saved = tail->heap.owner;

	cr_assert_eq(page_owner_heap(virt_to_page(p)), h);
	cr_assert_eq(page_owner_heap(tail), h, "a tail page names the heap too");
	capture_reports();
	tail->heap.owner = 0;
	cr_assert_eq(kmem_check(), -1);
	cr_assert(captured_contains("does not name its heap"));
	tail->heap.owner = saved;
	cr_assert_eq(kmem_check(), 0);
	kheap_free(h, p);
	kheap_destroy(h);
	cr_assert_null(page_owner_heap(tail), "a released segment's pages name no heap");
}

Test(heap_fit, double_free_aborts, .signal = SIGABRT)
{
	struct kheap *h = kheap_create("death", KHEAP_GOOD_FIT);
	void *p = kheap_alloc(h, 64, GFP_KERNEL);

	expect_fatal_report("kheap death: kheap_free of");
	kheap_free(h, p);
	kheap_free(h, p);
}

/* ---- threads ----------------------------------------------------------- */

struct handoff {
	struct kheap *h;
	void *slot[512];
	int next;
	pthread_mutex_t lock;
};

/* Each thread allocates, and frees what the other one allocated. */
static void *share_chunks(void *arg)
{
	struct handoff *x = arg;
	struct prandom_state rng;

	prandom_seed_state(&rng, (uintptr_t)&rng);
	for (int i = 0; i < 4000; i++) {
		void *mine = kheap_alloc(x->h, prandom_u32_between(&rng, 1, 2000), GFP_KERNEL);
		void *theirs;

		cr_assert_not_null(mine);
		pthread_mutex_lock(&x->lock);
		theirs = x->slot[x->next];
		x->slot[x->next] = mine;
		x->next = (x->next + 1) % 512;
		pthread_mutex_unlock(&x->lock);
		if (theirs)
			cr_assert_geq(heap_usable_size(theirs), 1);
		kheap_free(x->h, theirs);
	}
	return NULL;
}

Test(heap_fit, two_threads_share_one_heap)
{
	struct handoff x = {.h = kheap_create("shared", KHEAP_GOOD_FIT),
			    .lock = PTHREAD_MUTEX_INITIALIZER};
	pthread_t t[2];
	struct kheap_stats st;

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, share_chunks, &x);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(kmem_check(), 0);
	for (int i = 0; i < 512; i++)
		kheap_free(x.h, x.slot[i]);
	kheap_stats(x.h, &st);
	cr_assert_eq(st.nr_used, 0);
	kheap_destroy(x.h);
}

Test(heap_fit, null_heap_gets_empty_stats_and_dump)
{
	struct kheap_stats st;
	char buf[64] = {0};
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	memset(&st, 0xff, sizeof(st));
	kheap_stats(NULL, &st);
	cr_assert_eq(st.nr_used, 0);
	cr_assert_eq(st.footprint, 0);
	kheap_dump(NULL, f);
	fclose(f);
	cr_assert_str_eq(buf, "kheap (null)\n");
	cr_assert_null(kheap_alloc(NULL, 16, GFP_KERNEL));
}

Test(heap_fit, aligned_allocation_leaves_the_gap_free_and_merges_back)
{
	struct kheap *h = kheap_create_in("aligned", arena, sizeof(arena), KHEAP_FIRST_FIT);
	struct kheap_stats before, st;

	cr_assert_not_null(h);
	kheap_stats(h, &before);
	for (size_t align = 32; align <= 64 * 1024; align <<= 1) {
		char *p = kheap_alloc_aligned(h, 100, align, GFP_KERNEL);

		cr_assert_not_null(p, "alignment %zu", align);
		cr_assert_eq((uintptr_t)p % align, 0, "alignment %zu", align);
		memset(p, 0x5a, 100);
		cr_assert_eq(kmem_check(), 0);
		kheap_free(h, p);
	}
	kheap_stats(h, &st);
	cr_assert_eq(st.nr_free, before.nr_free, "the gaps merged back");
	cr_assert_eq(st.free_bytes, before.free_bytes);
	cr_assert_null(kheap_alloc_aligned(h, 100, 48, GFP_KERNEL | __GFP_NOWARN),
		       "not a power of two");
	cr_assert_null(kheap_alloc_aligned(h, 100, 1UL << 40, GFP_KERNEL | __GFP_NOWARN));
	kheap_destroy(h);
}
