// SPDX-License-Identifier: MIT
/*
 * test/mm/test_misuse.c - resizing and freeing what kmalloc did not hand
 * out, or no longer owns: every call refuses it with a report that names
 * the call, and no block is ever handed out twice.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <kmem/heap.h>
#include "lib/core.h"
#include "test/helpers.h"

TestSuite(misuse, .init = capture_reports, .fini = kmem_test_check, .timeout = 30);

/* Sizes served by each kmalloc back end: a slab class, the heap, pages. */
static const size_t back_end_sizes[] = {100, 10000, 1 << 16};

Test(misuse, krealloc_of_a_user_heap_chunk_is_refused_like_kfree)
{
	struct kheap *h = kheap_create("mine", KHEAP_FIRST_FIT);
	char *p = kheap_alloc(h, 100, GFP_KERNEL);
	struct kheap_stats before, after;

	cr_assert_not_null(p);
	kheap_stats(h, &before);
	memset(p, 0x5a, 100);
	cr_assert_null(krealloc(p, 120, GFP_KERNEL), "growing in place is refused");
	cr_assert_null(krealloc(p, 100000, GFP_KERNEL), "moving is refused");
	cr_assert_eq(captured(KMEM_REPORT_BUG), 2);
	cr_assert(captured_contains("BUG: kmalloc: krealloc(") &&
		  captured_contains("): a chunk of the user heap mine, not of kmalloc (use "
				    "kheap_free())"));
	kfree(p);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 3);
	cr_assert(captured_contains("BUG: kmalloc: kfree(") &&
			  captured_contains("): a chunk of the user heap mine, not of kmalloc (use "
					    "kheap_free())"),
		  "kfree gives the same report");
	kheap_stats(h, &after);
	cr_assert_eq(after.used_bytes, before.used_bytes, "the chunk was not resized");
	for (int i = 0; i < 100; i++)
		cr_assert_eq(p[i], 0x5a);
	kheap_free(h, p);
	kheap_destroy(h);
}

Test(misuse, krealloc_of_an_object_just_freed_is_refused_not_handed_out_twice)
{
	char *a = kmalloc(100, GFP_KERNEL);
	char *b, *c;

	cr_assert_not_null(a);
	kfree(a);
	cr_assert_null(krealloc(a, 50, GFP_KERNEL), "shrinking a freed object");
	cr_assert_null(krealloc(a, 5000, GFP_KERNEL), "moving a freed object");
	cr_assert_eq(captured(KMEM_REPORT_BUG), 2);
	cr_assert(captured_contains("kmalloc-112: krealloc: object ") &&
		  captured_contains("is free (use after free or double free)"));
	b = kmalloc(100, GFP_KERNEL);
	c = kmalloc(100, GFP_KERNEL);
	cr_assert(b && c && b != c);
	cr_assert_eq(b, a, "the freed object is handed out once, to the next kmalloc");
	cr_assert_eq(captured(KMEM_REPORT_BUG), 2, "a moving krealloc did not free it again");
	kfree(b);
	kfree(c);
}

Test(misuse, krealloc_of_an_object_deeper_in_the_thread_cache_is_refused)
{
	void *later[8];
	char *a = kmalloc(64, GFP_KERNEL);

	for (int i = 0; i < 8; i++)
		later[i] = kmalloc(64, GFP_KERNEL);
	kfree(a);
	for (int i = 0; i < 8; i++)
		kfree(later[i]);
	cr_assert_null(krealloc(a, 32, GFP_KERNEL));
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("is free (use after free or double free)"));
	cr_assert_null(kvrealloc(a, 32, GFP_KERNEL), "kvrealloc refuses it too");
	cr_assert_eq(captured(KMEM_REPORT_BUG), 2);
}

Test(misuse, krealloc_of_a_freed_block_of_every_back_end_is_refused)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(back_end_sizes); i++) {
		size_t size = back_end_sizes[i];
		char *p = kmalloc(size, GFP_KERNEL);
		unsigned long before = captured(KMEM_REPORT_BUG);

		cr_assert_not_null(p);
		kfree(p);
		cr_assert_null(krealloc(p, size / 2, GFP_KERNEL), "size %zu shrinking", size);
		cr_assert_null(krealloc(p, size * 3, GFP_KERNEL), "size %zu growing", size);
		cr_assert_eq(captured(KMEM_REPORT_BUG), before + 2, "size %zu", size);
	}
	cr_assert(captured_contains("BUG: kmalloc: krealloc("), "heap chunks and pages");
}

Test(misuse, interior_pointers_are_refused_by_every_call_that_names_itself)
{
	static const char *const calls[] = {"kfree", "krealloc", "kvrealloc"};

	for (unsigned int i = 0; i < ARRAY_SIZE(back_end_sizes); i++) {
		size_t size = back_end_sizes[i];
		char *p = kmalloc(size, GFP_KERNEL);
		unsigned long before = captured(KMEM_REPORT_BUG);

		cr_assert_not_null(p);
		kfree(p + 16);
		cr_assert_null(krealloc(p + 16, 8, GFP_KERNEL), "size %zu: krealloc in place",
			       size);
		cr_assert_null(kvrealloc(p + 16, 8UL << 20, GFP_KERNEL), "size %zu: kvrealloc",
			       size);
		cr_assert_eq(captured(KMEM_REPORT_BUG), before + 3, "size %zu", size);
		kfree(p);
		cr_assert_eq(captured(KMEM_REPORT_BUG), before + 3, "size %zu: still live", size);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(calls); i++) {
		char slab_text[64], other_text[64];

		snprintf(slab_text, sizeof(slab_text), "kmalloc-112: %s: invalid pointer",
			 calls[i]);
		snprintf(other_text, sizeof(other_text), "kmalloc: %s(", calls[i]);
		cr_assert(captured_contains(slab_text), "%s of a slab object", calls[i]);
		cr_assert(captured_contains(other_text), "%s of a large block", calls[i]);
	}
	cr_assert(captured_contains("kheap kmalloc-heap-0: kfree of"), "kfree of a heap chunk");
	cr_assert(!captured_contains("kmem_cache_free"), "kfree is not kmem_cache_free");
	cr_assert(!captured_contains("ksize"), "nor ksize");
}

Test(misuse, ksize_of_a_freed_heap_chunk_names_ksize)
{
	char *p = kmalloc(10000, GFP_KERNEL);

	cr_assert_not_null(p);
	kfree(p);
	cr_assert_eq(ksize(p), 0);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("BUG: kmalloc: ksize(") &&
		  captured_contains("not an allocated chunk of kmalloc-heap-0"));
}

Test(misuse, kvrealloc_of_a_foreign_pointer_is_refused_like_krealloc)
{
	char on_stack[64];
	unsigned long blocks;
	struct kmem_kmalloc_stats st;

	kmem_kmalloc_stats(&st);
	blocks = st.large_count;
	cr_assert_null(krealloc(on_stack, 128, GFP_KERNEL));
	cr_assert_null(kvrealloc(on_stack, 128, GFP_KERNEL), "a kmalloc size");
	cr_assert_null(kvrealloc(on_stack, 8UL << 20, GFP_KERNEL), "a vmalloc size");
	cr_assert_eq(captured(KMEM_REPORT_BUG), 3, "one report each, nothing freed");
	cr_assert(captured_contains("BUG: kmalloc: kvrealloc(") &&
		  captured_contains("address was not allocated by kmem"));
	kmem_kmalloc_drain();
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.slab_bytes + st.heap_bytes, 0, "no block was left allocated");
	cr_assert_eq(st.large_count, blocks);
}
