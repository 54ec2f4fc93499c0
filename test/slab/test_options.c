// SPDX-License-Identifier: MIT
/*
 * test/slab/test_options.c - the kernel's slab_debug= options through
 * KMEM_SLAB_DEBUG and kmem_slab_debug(): letters, cache lists, globs, '-',
 * O, T and A, and which caches they reach.
 *
 * Whether a cache got a flag is seen from outside: red zones hold 0xcc
 * around a live object, poisoning fills freed objects with 0x6b, and any
 * debug flag takes away its thread cache (slabinfo's limit column is 0).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test/helpers.h"
#include "test/unchecked.h"

TestSuite(slab_options, .fini = kmem_test_check, .timeout = 120);

static bool has_red_zones(struct kmem_cache *s)
{
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);
	bool zoned;

	cr_assert_not_null(p);
	zoned = peek(p - 1) == 0xcc && peek(p + kmem_cache_size(s)) == 0xcc;

	kmem_cache_free(s, p);
	return zoned;
}

static bool poisons_on_free(struct kmem_cache *s)
{
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);
	bool poisoned;

	cr_assert_not_null(p);
	memset(p, 0, kmem_cache_size(s));
	kmem_cache_free(s, p);
	poisoned = peek(p) == 0x6b;
	return poisoned;
}

/* The tunables limit of @name's slabinfo line: 0 for a debug cache. */
static long slabinfo_limit(const char *name)
{
	char line[512], cache[64];
	long limit = -1;
	FILE *f = tmpfile();

	kmem_slabinfo(f);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		long vals[5], lim;

		if (sscanf(line, "%63s %ld %ld %ld %ld %ld : tunables %ld", cache, &vals[0],
			   &vals[1], &vals[2], &vals[3], &vals[4], &lim) == 7 &&
		    !strcmp(cache, name))
			limit = lim;
	}
	fclose(f);
	return limit;
}

Test(slab_options, letters_set_the_kernels_flags_for_every_cache)
{
	struct kmem_cache *s;

	cr_assert_eq(kmem_slab_debug("zp"), 0, "letters in either case");
	s = kmem_cache_create("every", 64, 0, 0, NULL);
	cr_assert(has_red_zones(s));
	cr_assert(poisons_on_free(s));
	kmem_cache_destroy(s);
}

Test(slab_options, the_environment_is_read_at_first_use)
{
	struct kmem_cache *s;

	setenv("KMEM_SLAB_DEBUG", "P", 1);
	s = kmem_cache_create("from-env", 64, 0, 0, NULL);
	cr_assert(poisons_on_free(s));
	cr_assert_not(has_red_zones(s));
	kmem_cache_destroy(s);
}

Test(slab_options, a_cache_list_limits_the_options_to_the_named_caches)
{
	struct kmem_cache *named, *other;

	kmem_slab_debug("Z,named,also");
	named = kmem_cache_create("named", 64, 0, 0, NULL);
	other = kmem_cache_create("name", 64, 0, 0, NULL);
	cr_assert(has_red_zones(named));
	cr_assert_not(has_red_zones(other), "a prefix of a listed name is not the name");
	kmem_cache_destroy(named);
	kmem_cache_destroy(other);
}

Test(slab_options, blocks_and_globs_choose_flags_per_cache)
{
	struct kmem_cache *a, *b, *c;

	kmem_slab_debug("P,foo-*;Z,bar");
	a = kmem_cache_create("foo-1", 64, 0, 0, NULL);
	b = kmem_cache_create("bar", 64, 0, 0, NULL);
	c = kmem_cache_create("baz", 64, 0, 0, NULL);
	cr_assert(a && b && c);
	cr_assert(poisons_on_free(a));
	cr_assert_not(has_red_zones(a));
	cr_assert(has_red_zones(b));
	cr_assert_not(poisons_on_free(b));
	cr_assert_not(has_red_zones(c), "no block without a list: other caches keep no flags");
	cr_assert_not(poisons_on_free(c));
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	kmem_cache_destroy(c);
}

Test(slab_options, a_list_without_letters_means_full_debugging)
{
	struct kmem_cache *s;

	kmem_slab_debug(",full");
	s = kmem_cache_create("full", 64, 0, 0, NULL);
	cr_assert(has_red_zones(s));
	cr_assert(poisons_on_free(s));
	kmem_cache_destroy(s);
}

Test(slab_options, a_dash_switches_the_options_off_for_listed_caches)
{
	struct kmem_cache *loud, *quiet;

	kmem_slab_debug("Z;-,quiet");
	loud = kmem_cache_create("loud", 64, 0, 0, NULL);
	quiet = kmem_cache_create("quiet", 64, 0, 0, NULL);
	cr_assert(has_red_zones(loud));
	cr_assert_not(has_red_zones(quiet));
	cr_assert_gt(slabinfo_limit("quiet"), 0, "no debug flag: the cache has its thread cache");
	kmem_cache_destroy(loud);
	kmem_cache_destroy(quiet);
}

Test(slab_options, unknown_letters_are_warned_about_by_name_and_skipped)
{
	struct kmem_cache *s;

	capture_reports();
	cr_assert_eq(kmem_slab_debug("ZQ"), -1);
	cr_assert(captured_contains("slab_debug option 'Q' unknown. skipped"));
	s = kmem_cache_create("still-z", 64, 0, 0, NULL);
	cr_assert(has_red_zones(s), "the known letters apply");
	kmem_cache_destroy(s);
}

Test(slab_options, o_drops_debugging_that_would_raise_the_slab_order)
{
	struct kmem_cache *big, *small;

	kmem_slab_debug("ZUO");
	/* A page-sized object with red zones and tracks needs two pages. */
	big = kmem_cache_create("page-sized", 4096, 0, 0, NULL);
	small = kmem_cache_create("small", 64, 0, 0, NULL);
	cr_assert_not(has_red_zones(big));
	cr_assert_gt(slabinfo_limit("page-sized"), 0, "no debug flag left");
	cr_assert(has_red_zones(small));
	kmem_cache_destroy(big);
	kmem_cache_destroy(small);
}

Test(slab_options, no_user_flags_caches_are_left_alone)
{
	struct kmem_cache *s;

	kmem_slab_debug("FZPU");
	s = kmem_cache_create("private", 64, 0, SLAB_NO_USER_FLAGS, NULL);
	cr_assert_not(has_red_zones(s));
	cr_assert_gt(slabinfo_limit("private"), 0);
	kmem_cache_destroy(s);
}

Test(slab_options, options_reach_kmalloc_caches_set_before_first_use)
{
	kmem_slab_debug("Z,kmalloc-*");
	kfree(kmalloc(20, GFP_KERNEL));
	cr_assert_eq(slabinfo_limit("kmalloc-32"), 0, "kmalloc-32 is a debug cache");
	cr_assert_gt(slabinfo_limit("kmem_cache"), 0, "kmem's own cache is not listed");
}

Test(slab_options, options_reach_existing_caches_that_never_allocated)
{
	struct kmem_cache *unused = kmem_cache_create("unused", 64, 0, 0, NULL);
	struct kmem_cache *used = kmem_cache_create("used", 64, 0, 0, NULL);

	cr_assert(unused && used);
	kmem_cache_free(used, kmem_cache_alloc(used, GFP_KERNEL));
	kmem_slab_debug("Z");
	cr_assert(has_red_zones(unused), "laid out again");
	cr_assert_not(has_red_zones(used), "objects exist: the layout stays");
	kmem_cache_free(unused, kmem_cache_alloc(unused, GFP_KERNEL));
	kmem_cache_destroy(unused);
	kmem_cache_destroy(used);
}

Test(slab_options, debug_kmalloc_objects_keep_natural_alignment)
{
	kmem_slab_debug("FZPU,kmalloc-*");
	for (size_t size = 8; size <= 8192; size *= 2) {
		void *p = kmalloc(size, GFP_KERNEL);

		cr_assert_eq((uintptr_t)p % size, 0, "kmalloc(%zu) at %p", size, p);
		kfree(p);
	}
}

Test(slab_options, null_switches_debugging_off)
{
	struct kmem_cache *s;

	kmem_slab_debug("FZPU");
	kmem_slab_debug(NULL);
	s = kmem_cache_create("plain", 64, 0, 0, NULL);
	cr_assert_not(has_red_zones(s));
	kmem_cache_destroy(s);
}

/* Run @fn with stderr going to a temporary file; returns the file, rewound. */
static FILE *with_stderr_captured(void (*fn)(void))
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);

	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	return f;
}

static struct kmem_cache *traced;

static void alloc_and_free(void)
{
	kmem_cache_free(traced, kmem_cache_alloc(traced, GFP_KERNEL));
}

Test(slab_options, t_traces_every_allocation_and_free)
{
	char line[256];
	int allocs = 0, frees = 0;
	FILE *f;

	kmem_slab_debug("T,traced");
	traced = kmem_cache_create("traced", 64, 0, 0, NULL);
	f = with_stderr_captured(alloc_and_free);
	while (fgets(line, sizeof(line), f)) {
		allocs += !strncmp(line, "TRACE traced alloc 0x", 21);
		frees += !strncmp(line, "TRACE traced free 0x", 20);
	}
	fclose(f);
	cr_assert_eq(allocs, 1);
	cr_assert_eq(frees, 1);
	kmem_cache_destroy(traced);
}

Test(slab_options, a_puts_the_listed_caches_under_failslabs_cache_filter)
{
	struct kmem_fault_attr attr;
	struct kmem_cache *flaky, *sound;

	kmem_slab_debug("A,flaky");
	flaky = kmem_cache_create("flaky", 64, 0, 0, NULL);
	sound = kmem_cache_create("sound", 64, 0, 0, NULL);
	kmem_fault_attr_init(&attr);
	attr.probability = 100;
	attr.times = -1;
	attr.verbose = 0;
	attr.cache_filter = true;
	cr_assert_eq(kmem_fault_set(KMEM_FAULT_SLAB, &attr), 0);
	cr_assert_null(kmem_cache_alloc(flaky, GFP_KERNEL));
	cr_assert_not_null(kmem_cache_alloc(sound, GFP_KERNEL), "A was not given to sound");
	kmem_fault_set(KMEM_FAULT_SLAB, NULL);
	cr_assert_not_null(kmem_cache_alloc(flaky, GFP_KERNEL));
}
